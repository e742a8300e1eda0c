//! Origination of self-originated LSAs (RFC 2328 §12.4): Router-LSAs (with loopback host
//! stubs and RFC 6987 stub-router metrics), Network-LSAs while DR, AS-External LSAs for
//! redistributed prefixes; MinLSInterval, sequence wrap (§12.1.6), premature aging (§14.1)
//! and LSAs of ours received back (§13.4).

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{ExternalRoute, Instance};
use crate::config::InterfaceType;
use crate::interface::InterfaceState;
use crate::lsdb::{INITIAL_SEQ, LsaKey, MAX_SEQ, Scope, set_lsa_checksum};
use crate::time::Instant;
use crate::wire::{ExtPrefix, LSA_HEADER_LEN, LsaType, Options, RouterFlags};

/// MaxLinkMetric (RFC 6987).
pub const MAX_LINK_METRIC: u16 = 0xFFFF;

/// How a self-originated LSA is being rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Only when the contents changed, subject to MinLSInterval.
    Changed,
    /// Always a new instance (LSRefreshTime), subject to MinLSInterval.
    Force,
    /// Always, at once: a newer instance of ours came back (§13.4).
    Takeover,
}

impl Refresh {
    pub(crate) fn force(inst: &mut Instance, now: Instant, scope: Scope, key: LsaKey) {
        inst.refresh_self(now, scope, key, Refresh::Force);
    }
}

/// The Link State ID of the Extended Prefix Opaque LSA for one of our weighted host
/// stubs: opaque type 7, the address's low 24 bits as opaque ID (stable across refreshes
/// and restarts).
pub(crate) fn ext_prefix_lsid(addr: Ipv4Addr) -> Ipv4Addr {
    ExtPrefix::lsid(u32::from(addr))
}

fn push_link(out: &mut Vec<u8>, id: Ipv4Addr, data: Ipv4Addr, t: u8, metric: u16) {
    out.extend_from_slice(&id.octets());
    out.extend_from_slice(&data.octets());
    out.push(t);
    out.push(0);
    out.extend_from_slice(&metric.to_be_bytes());
}

impl Instance {
    /// Marks our Router-LSA of `area` (and, in an NSSA, our type-7 LSAs, whose
    /// forwarding addresses come from the area's interfaces) for re-origination.
    pub(crate) fn mark_router_lsa(&mut self, area: Ipv4Addr) {
        let key = LsaKey::new(LsaType::Router, self.router_id, self.router_id);
        self.dirty.insert((Scope::Area(area), key));
        self.mark_ext_prefix_lsas(area);
        // Our type-7 LSAs take their forwarding address from the area's interfaces; the
        // default we may originate as border router follows our attachment.
        if matches!(self.area_kind(area), crate::config::AreaKind::Nssa { .. }) {
            let rid = self.router_id;
            let key = LsaKey::new(LsaType::Nssa, Ipv4Addr::UNSPECIFIED, rid);
            self.dirty.insert((Scope::Area(area), key));
            let lsids: Vec<Ipv4Addr> = self
                .redistributed
                .keys()
                .map(|(p, l)| self.external_lsid(*p, *l))
                .collect();
            for lsid in lsids {
                let key = LsaKey::new(LsaType::Nssa, lsid, rid);
                self.dirty.insert((Scope::Area(area), key));
            }
        }
    }

    /// Marks our Extended Prefix Opaque LSAs of `area` (anycast weights) for
    /// re-origination or flush: they follow the host stubs of our Router-LSA.
    fn mark_ext_prefix_lsas(&mut self, area: Ipv4Addr) {
        for i in &self.interfaces {
            if i.config.area == area
                && i.config.weight.is_some()
                && i.config.if_type == InterfaceType::Loopback
            {
                self.ext_prefix_keys
                    .insert((area, ext_prefix_lsid(i.config.address)));
            }
        }
        let rid = self.router_id;
        for (a, lsid) in &self.ext_prefix_keys {
            if *a == area {
                let key = LsaKey::new(LsaType::OpaqueArea, *lsid, rid);
                self.dirty.insert((Scope::Area(area), key));
            }
        }
    }

    /// The body of our Extended Prefix Opaque LSA `lsid` in `area`: one Extended Prefix TLV
    /// with the weight sub-TLV per weighted loopback address of the area whose host stub
    /// is announced (interface not down) and whose address maps to this Link State ID
    /// (normally one; two addresses with the same low 24 bits share the LSA).
    fn ext_prefix_body(&self, area: Ipv4Addr, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        let mut body = Vec::new();
        for i in &self.interfaces {
            let c = &i.config;
            let Some(weight) = c.weight else { continue };
            if c.area != area
                || c.if_type != InterfaceType::Loopback
                || i.state == InterfaceState::Down
                || ext_prefix_lsid(c.address) != lsid
            {
                continue;
            }
            let tlv = ExtPrefix::host(c.address).with_weight(Some(weight));
            let at = body.len();
            body.resize(at + tlv.buffer_len(), 0);
            tlv.emit(&mut body[at..]).ok()?;
        }
        (!body.is_empty()).then_some(body)
    }

    /// Marks our Router-LSA of every area for re-origination.
    pub(crate) fn mark_all_router_lsas(&mut self) {
        let ids: Vec<Ipv4Addr> = self.areas.keys().copied().collect();
        for a in ids {
            self.mark_router_lsa(a);
        }
    }

    /// Marks our Network-LSA for interface `ii` for (re-)origination or flush: it
    /// exists only while we are DR there.
    pub(crate) fn mark_network_lsa(&mut self, ii: usize) {
        let i = &self.interfaces[ii];
        let key = LsaKey::new(LsaType::Network, i.config.address, self.router_id);
        self.dirty.insert((Scope::Area(i.config.area), key));
    }

    /// Rebuilds every LSA marked dirty.
    pub(crate) fn process_dirty(&mut self, now: Instant) {
        while let Some(item) = self.dirty.pop_first() {
            self.refresh_self(now, item.0, item.1, Refresh::Changed);
        }
    }

    /// Options of our LSAs in an area.
    fn lsa_options(&self, scope: Scope, key: &LsaKey) -> Options {
        let t = key.ls_type();
        match scope {
            // RFC 3101 §2.4: the type-7 default of a border router has the P bit clear.
            Scope::Area(a)
                if t == LsaType::Nssa
                    && key.lsid == Ipv4Addr::UNSPECIFIED
                    && self.nssa_default(a).is_some() =>
            {
                Options::empty()
            }
            // RFC 3101 §2.4: type-7 LSAs ask the NSSA border routers to translate them
            // (P bit), unless we originate a type-5 LSA for the same network ourselves
            // (attached to a normal area too): then the P bit must be clear.
            Scope::Area(_) if t == LsaType::Nssa && self.attached_to_normal_area() => {
                Options::empty()
            }
            Scope::Area(_) if t == LsaType::Nssa => Options::NP,
            Scope::Area(a) if self.area_kind(a).external_routing() => Options::E,
            Scope::Area(_) => Options::empty(),
            _ => Options::E,
        }
    }

    /// The body we want for one of our LSAs now (`None`: it should not exist).
    fn desired_body(&self, scope: Scope, key: &LsaKey) -> Option<Vec<u8>> {
        if self.shutting_down || key.adv_router != self.router_id {
            return None;
        }
        match (scope, key.ls_type()) {
            (Scope::Area(area), LsaType::Router) if key.lsid == self.router_id => {
                self.router_lsa_body(area)
            }
            (Scope::Area(area), LsaType::Network) => self.network_lsa_body(area, key.lsid),
            // RFC 3101 §2.4: a router attached only to NSSAs (and stub areas) announces
            // its redistributed prefixes as type-7 LSAs alone.
            // RFC 1765 §2.3.2: none of ours in OverflowState (but the default route).
            (Scope::As, LsaType::AsExternal) if self.overflow_suppresses(key) => None,
            (Scope::As, LsaType::AsExternal) => self
                .attached_to_normal_area()
                .then(|| self.external_body(key.lsid))
                .flatten()
                .or_else(|| self.translated_body(key.lsid)),
            (Scope::Area(area), t @ (LsaType::SummaryNetwork | LsaType::SummaryAsbr)) => {
                self.summary_body(area, t.into(), key.lsid)
            }
            (Scope::Area(area), LsaType::Nssa) => self.nssa_body(area, key.lsid),
            (Scope::Link(ifindex), LsaType::OpaqueLink) if *key == self.grace_key() => {
                self.grace_body(ifindex)
            }
            (Scope::Area(area), LsaType::OpaqueArea) if ExtPrefix::is_ext_prefix(10, key.lsid) => {
                self.ext_prefix_body(area, key.lsid)
            }
            _ => None,
        }
    }

    /// True when one of our interfaces in a normal area (one that carries AS-External
    /// LSAs) is up: only then do we originate type-5 LSAs for redistributed prefixes.
    pub(crate) fn attached_to_normal_area(&self) -> bool {
        self.interfaces.iter().any(|i| {
            i.state != InterfaceState::Down && self.area_kind(i.config.area).external_routing()
        })
    }

    /// True when interfaces of ours are up in more than one area (an area border router).
    pub(crate) fn is_border_router(&self) -> bool {
        self.areas
            .keys()
            .filter(|a| {
                self.interfaces
                    .iter()
                    .any(|i| i.config.area == **a && i.state != InterfaceState::Down)
            })
            .nth(1)
            .is_some()
    }

    /// The type-7 default we originate into NSSA `area` (RFC 3101 §2.7): configured
    /// `default-information-originate`, and we are a border router.
    fn nssa_default(&self, area: Ipv4Addr) -> Option<crate::config::NssaDefault> {
        match self.area_kind(area) {
            crate::config::AreaKind::Nssa {
                default_originate: Some(d),
                ..
            } if self.is_border_router() => Some(d),
            _ => None,
        }
    }

    fn router_lsa_body(&self, area: Ipv4Addr) -> Option<Vec<u8>> {
        let ifaces: Vec<usize> = (0..self.interfaces.len())
            .filter(|&i| {
                self.interfaces[i].config.area == area
                    && self.interfaces[i].state != InterfaceState::Down
            })
            .collect();
        if ifaces.is_empty() {
            return None;
        }
        let transit_metric = |cost: u16| {
            if self.stub_router {
                MAX_LINK_METRIC
            } else {
                cost
            }
        };
        let mut links = Vec::with_capacity(ifaces.len() * 24);
        let mut count: u16 = 0;
        for &ii in &ifaces {
            let i = &self.interfaces[ii];
            let cfg = &i.config;
            let stub = |links: &mut Vec<u8>, count: &mut u16| {
                push_link(links, i.network(), i.mask(), 3, cfg.cost);
                *count += 1;
            };
            if cfg.if_type == InterfaceType::Loopback || i.state == InterfaceState::Loopback {
                // The loopback address as a host route, of cost 0 unless configured
                // otherwise (e.g. an anycast address; a degraded server announces more).
                push_link(
                    &mut links,
                    cfg.address,
                    Ipv4Addr::BROADCAST,
                    3,
                    cfg.host_cost,
                );
                count += 1;
                continue;
            }
            if let Some(v) = &i.vlink {
                // §12.4.1.3: a virtual link (type 4) to the Full endpoint, data our
                // address on it, metric the transit path's cost.
                for n in i.neighbors.iter().filter(|n| n.counts_as_full()) {
                    let metric = u16::try_from(v.cost).unwrap_or(u16::MAX);
                    push_link(&mut links, n.router_id, cfg.address, 4, metric);
                    count += 1;
                }
                continue;
            }
            if cfg.passive {
                stub(&mut links, &mut count);
                continue;
            }
            match cfg.if_type {
                InterfaceType::PointToPoint => {
                    // §12.4.1.1: an unnumbered link (a /32, the address borrowed from a
                    // loopback) carries the interface's ifIndex as link data.
                    let data = if cfg.prefix_len >= 32 {
                        Ipv4Addr::from(i.ifindex)
                    } else {
                        cfg.address
                    };
                    for n in i.neighbors.iter().filter(|n| n.counts_as_full()) {
                        push_link(&mut links, n.router_id, data, 1, transit_metric(cfg.cost));
                        count += 1;
                    }
                    if cfg.prefix_len < 32 {
                        stub(&mut links, &mut count);
                    }
                }
                InterfaceType::PointToMultipoint | InterfaceType::PointToMultipointNonBroadcast => {
                    // §12.4.1.4: our own address as a host stub of cost 0, and one
                    // point-to-point link per Full neighbor with our address as data.
                    push_link(&mut links, cfg.address, Ipv4Addr::BROADCAST, 3, 0);
                    count += 1;
                    for n in i.neighbors.iter().filter(|n| n.counts_as_full()) {
                        push_link(
                            &mut links,
                            n.router_id,
                            cfg.address,
                            1,
                            transit_metric(cfg.cost),
                        );
                        count += 1;
                    }
                }
                _ => {
                    let full_with_dr = i
                        .find_neighbor_by_addr(i.dr)
                        .is_some_and(|n| i.neighbors[n].counts_as_full());
                    let transit = match i.state {
                        InterfaceState::Dr => i.full_neighbors() > 0,
                        InterfaceState::Backup | InterfaceState::DrOther => full_with_dr,
                        _ => false,
                    };
                    if transit {
                        push_link(&mut links, i.dr, cfg.address, 2, transit_metric(cfg.cost));
                        count += 1;
                    } else {
                        stub(&mut links, &mut count);
                    }
                }
            }
        }
        let mut flags = RouterFlags::empty();
        // An ASBR, also inside an NSSA (its type-7 LSAs, RFC 3101 §2.2).
        let kind = self.area_kind(area);
        if !self.redistributed.is_empty()
            && (kind.external_routing() || matches!(kind, crate::config::AreaKind::Nssa { .. }))
        {
            flags |= RouterFlags::E;
        }
        // Our type-7 default makes us an ASBR of the NSSA too: routers that look for the
        // originator among the ASBRs (RFC 2328 §16.4 (3)) find us.
        if self.nssa_default(area).is_some() {
            flags |= RouterFlags::E;
        }
        // An NSSA translator is an ASBR for the type-5 LSAs it originates (as FRR does).
        if !self.abr_origination.translations.is_empty() && kind.external_routing() {
            flags |= RouterFlags::E;
        }
        if self.is_border_router() {
            flags |= RouterFlags::B;
            // RFC 3101 §3.1: a border router that translates unconditionally says so.
            if matches!(
                kind,
                crate::config::AreaKind::Nssa {
                    translate_always: true,
                    ..
                }
            ) {
                flags |= RouterFlags::NT;
            }
        }
        // §12.4.1: V when a virtual link across this area is fully adjacent.
        if self.interfaces.iter().any(|i| {
            i.vlink
                .as_ref()
                .is_some_and(|v| v.config.transit_area == area)
                && i.neighbors.iter().any(|n| n.counts_as_full())
        }) {
            flags |= RouterFlags::V;
        }
        let mut body = Vec::with_capacity(4 + links.len());
        body.push(flags.bits());
        body.push(0);
        body.extend_from_slice(&count.to_be_bytes());
        body.extend_from_slice(&links);
        Some(body)
    }

    fn network_lsa_body(&self, area: Ipv4Addr, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        let i = self.interfaces.iter().find(|i| {
            i.config.area == area && i.config.address == lsid && i.state == InterfaceState::Dr
        })?;
        if i.full_neighbors() == 0 {
            return None;
        }
        let mut body = Vec::with_capacity(8 + 4 * i.neighbors.len());
        body.extend_from_slice(&i.mask().octets());
        body.extend_from_slice(&self.router_id.octets());
        for n in i.neighbors.iter().filter(|n| n.counts_as_full()) {
            body.extend_from_slice(&n.router_id.octets());
        }
        Some(body)
    }

    /// The Link State ID of our AS-External (and type-7) LSA for the redistributed
    /// prefix `prefix`/`len` (RFC 2328 Appendix E): the network address, unless a longer
    /// redistributed prefix shares it; then the less specific one takes its network
    /// address with all host bits set (10.0.0.0/8 next to 10.0.0.0/16: 10.255.255.255).
    pub(crate) fn external_lsid(&self, prefix: Ipv4Addr, len: u8) -> Ipv4Addr {
        let longer = len < 32
            && self
                .redistributed
                .range((prefix, len + 1)..=(prefix, 32))
                .next()
                .is_some();
        if longer {
            Ipv4Addr::from(u32::from(prefix) | !u32::from(crate::config::prefix_mask(len)))
        } else {
            prefix
        }
    }

    /// The redistributed route announced under Link State ID `lsid` (Appendix E): the
    /// longest prefix whose network address it is, else the longest prefix for which it
    /// is the network address with the host bits set. A prefix whose host-bits ID is
    /// taken that way is not announced (the rare clash Appendix E leaves open).
    pub(crate) fn external_route_for(&self, lsid: Ipv4Addr) -> Option<&ExternalRoute> {
        if let Some((_, r)) = self.redistributed.range((lsid, 0)..=(lsid, 32)).next_back() {
            return Some(r);
        }
        let id = u32::from(lsid);
        (0..32u8).rev().find_map(|len| {
            let host = !u32::from(crate::config::prefix_mask(len));
            if id & host != host {
                return None;
            }
            let p = Ipv4Addr::from(id & !host);
            let r = self.redistributed.get(&(p, len))?;
            (self.external_lsid(p, len) == lsid).then_some(r)
        })
    }

    fn external_body(&self, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        let r = self.external_route_for(lsid)?;
        let mask = crate::config::prefix_mask(r.prefix_len);
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&mask.octets());
        let metric = r.metric.min(0x00FF_FFFF);
        let e = if r.e2 { 0x80u32 << 24 } else { 0 };
        body.extend_from_slice(&(e | metric).to_be_bytes());
        body.extend_from_slice(&r.forwarding.octets());
        body.extend_from_slice(&r.tag.to_be_bytes());
        Some(body)
    }

    /// Body of our type-7 LSA for a redistributed prefix in NSSA `area` (RFC 3101 §2.3): the
    /// forwarding address is the route's own or one of our addresses in the area (a
    /// loopback's first, then a passive interface's, then any interface's, as FRR
    /// prefers), so that the translator's type-5 LSA points into the NSSA.
    fn nssa_body(&self, area: Ipv4Addr, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        if !matches!(self.area_kind(area), crate::config::AreaKind::Nssa { .. }) {
            return None;
        }
        // A border router's default (RFC 3101 §2.7) takes the place of a redistributed
        // default's type-7 twin: forwarding address 0.0.0.0, no tag.
        if lsid == Ipv4Addr::UNSPECIFIED {
            if let Some(d) = self.nssa_default(area) {
                let e = if d.e2 { 0x80u32 << 24 } else { 0 };
                let mut body = Vec::with_capacity(16);
                body.extend_from_slice(&[0; 4]);
                body.extend_from_slice(&(e | d.metric.min(0x00FF_FFFF)).to_be_bytes());
                body.extend_from_slice(&[0; 8]);
                return Some(body);
            }
        }
        let mut body = self.external_body(lsid)?;
        if body.get(8..12) == Some(&[0, 0, 0, 0][..]) {
            let up = |i: &&crate::interface::Interface| {
                i.config.area == area && i.state != InterfaceState::Down
            };
            let fa = self
                .interfaces
                .iter()
                .filter(up)
                .find(|i| i.config.if_type == InterfaceType::Loopback)
                .or_else(|| self.interfaces.iter().filter(up).find(|i| i.config.passive))
                .or_else(|| self.interfaces.iter().find(up))?
                .config
                .address;
            body[8..12].copy_from_slice(&fa.octets());
        }
        Some(body)
    }

    /// Marks our AS-External LSAs for the prefixes with network address `prefix` (and
    /// `len`, which may just have been withdrawn), and their type-7 twins in every
    /// NSSA: under Appendix E, adding or removing one of them can move the others to
    /// another Link State ID.
    pub(crate) fn mark_external(&mut self, prefix: Ipv4Addr, len: u8) {
        let rid = self.router_id;
        let mut lsids: Vec<Ipv4Addr> = self
            .redistributed
            .range((prefix, 0)..=(prefix, 32))
            .map(|(k, _)| k.1)
            .chain(core::iter::once(len))
            .map(|l| Ipv4Addr::from(u32::from(prefix) | !u32::from(crate::config::prefix_mask(l))))
            .collect();
        lsids.push(prefix);
        let nssas: Vec<Ipv4Addr> = self
            .areas
            .iter()
            .filter(|(_, a)| matches!(a.config.kind, crate::config::AreaKind::Nssa { .. }))
            .map(|(id, _)| *id)
            .collect();
        for lsid in lsids {
            self.dirty
                .insert((Scope::As, LsaKey::new(LsaType::AsExternal, lsid, rid)));
            for a in &nssas {
                self.dirty
                    .insert((Scope::Area(*a), LsaKey::new(LsaType::Nssa, lsid, rid)));
            }
        }
    }

    /// Marks every redistributed prefix's LSAs (area kinds or attachment changed).
    pub(crate) fn mark_all_externals(&mut self) {
        let keys: Vec<(Ipv4Addr, u8)> = self.redistributed.keys().copied().collect();
        for (p, l) in keys {
            self.mark_external(p, l);
        }
    }

    /// Brings one self-originated LSA in line with what we want (§12.4).
    pub(crate) fn refresh_self(&mut self, now: Instant, scope: Scope, key: LsaKey, mode: Refresh) {
        if self.gr_restarting.is_some() && key != self.grace_key() {
            // RFC 3623 §2.2: while restarting, our pre-restart LSAs stand as the
            // neighbors hold them: nothing is originated, refreshed or flushed (but
            // the Grace-LSAs of an unplanned restart).
            return;
        }
        let desired = self.desired_body(scope, &key);
        let rid = self.router_id;
        let options = self.lsa_options(scope, &key);
        let db = self.lsdb_of(scope).and_then(|d| d.get(&key));
        let Some(body) = desired else {
            if db.is_some_and(|e| !e.is_max_age(now)) {
                self.premature_age(now, scope, key);
            }
            return;
        };
        let seq = match db {
            None if key == self.grace_key() => self.fresh_grace_seq(),
            None => INITIAL_SEQ,
            Some(e) => {
                let same = e.body() == body.as_slice()
                    && e.raw()[2] == options.bits()
                    && !e.is_max_age(now)
                    && e.adv_router() == rid;
                if same && mode == Refresh::Changed {
                    return;
                }
                let next = e.seq().wrapping_add(1);
                if e.seq() == MAX_SEQ || next == MAX_SEQ {
                    // §12.1.6: the sequence space is exhausted. MaxSequenceNumber is never
                    // sent live (receivers drop it, CVE-2017-3224): flush the current
                    // instance and originate afresh from InitialSequenceNumber once the
                    // flush is acknowledged (see `purge_maxage`).
                    if !e.is_max_age(now) {
                        self.premature_age(now, scope, key);
                    }
                    return;
                }
                let due = e.installed() + self.config.min_ls_interval;
                if mode != Refresh::Takeover && due > now && !e.is_max_age(now) {
                    self.deferred.insert((scope, key), due);
                    return;
                }
                next
            }
        };
        self.deferred.remove(&(scope, key));
        let len = LSA_HEADER_LEN + body.len();
        let Ok(len16) = u16::try_from(len) else {
            return;
        };
        let mut raw = Vec::with_capacity(len);
        raw.extend_from_slice(&0u16.to_be_bytes());
        raw.push(options.bits());
        raw.push(key.lsa_type);
        raw.extend_from_slice(&key.lsid.octets());
        raw.extend_from_slice(&rid.octets());
        raw.extend_from_slice(&seq.to_be_bytes());
        raw.extend_from_slice(&[0, 0]);
        raw.extend_from_slice(&len16.to_be_bytes());
        raw.extend_from_slice(&body);
        set_lsa_checksum(&mut raw);
        self.remove_from_rxmt_lists(scope, &key);
        if self.install_lsa(now, scope, raw.into_boxed_slice()) {
            if let Some(inst) = self.lsdb_of(scope).and_then(|d| d.get(&key)) {
                let inst = inst.instance(now);
                self.flood(now, scope, key, inst, None);
            }
        }
    }

    /// Premature aging (§14.1): sets the LSA to MaxAge and floods it.
    pub(crate) fn premature_age(&mut self, now: Instant, scope: Scope, key: LsaKey) {
        let Some(e) = self.lsdb_of_mut(scope).and_then(|d| d.get_mut(&key)) else {
            return;
        };
        e.set_max_age(now);
        let inst = e.instance(now);
        self.deferred.remove(&(scope, key));
        self.maxage.insert((scope, key));
        self.lsdb_changed(now, scope, key, super::LsdbChange::Flushed);
        self.remove_from_rxmt_lists(scope, &key);
        self.flood(now, scope, key, inst, None);
    }

    /// Flushes every self-originated LSA (graceful shutdown, router ID change).
    pub(crate) fn flush_self_originated(&mut self, now: Instant) {
        for (scope, key) in self.live_area_and_as_lsas_of_us(now) {
            self.premature_age(now, scope, key);
        }
        self.dirty.clear();
        self.deferred.clear();
    }

    /// After a router-ID change: the LSAs already in the database under the new ID (another
    /// router's, under a duplicate router ID) are now "ours" (§13.4): each is taken over
    /// if we want it, else flushed, as if it had just arrived.
    pub(crate) fn adopt_lsas_of_new_router_id(&mut self, now: Instant) {
        for (scope, key) in self.live_area_and_as_lsas_of_us(now) {
            self.self_originated_received(now, scope, key);
        }
    }

    /// The live (not MaxAge) LSAs of area and AS scope advertised under our router ID.
    fn live_area_and_as_lsas_of_us(&self, now: Instant) -> Vec<(Scope, LsaKey)> {
        let rid = self.router_id;
        let ours =
            |k: &LsaKey, e: &crate::lsdb::LsaEntry| k.adv_router == rid && !e.is_max_age(now);
        let mut out: Vec<(Scope, LsaKey)> = Vec::new();
        for (id, a) in &self.areas {
            out.extend(
                a.lsdb
                    .iter()
                    .filter(|(k, e)| ours(k, e))
                    .map(|(k, _)| (Scope::Area(*id), *k)),
            );
        }
        out.extend(
            self.as_lsdb
                .iter()
                .filter(|(k, e)| ours(k, e))
                .map(|(k, _)| (Scope::As, *k)),
        );
        out
    }

    /// §13.4: a newer instance of an LSA of ours arrived (e.g. from before a restart):
    /// take it over with a higher sequence number, or flush it if we no longer want it.
    pub(crate) fn self_originated_received(&mut self, now: Instant, scope: Scope, key: LsaKey) {
        if self.gr_restarting.is_some() {
            // RFC 3623 §2.2: accepted as valid while restarting.
            self.gr_restart_note();
            return;
        }
        if key.adv_router == self.router_id && self.desired_body(scope, &key).is_some() {
            self.refresh_self(now, scope, key, Refresh::Takeover);
        } else if self
            .lsdb_of(scope)
            .and_then(|d| d.get(&key))
            .is_some_and(|e| !e.is_max_age(now))
        {
            self.premature_age(now, scope, key);
        }
    }

    /// True when `key` names an LSA of ours: our router ID (or a former one), or a
    /// Network-LSA for one of our interface addresses (§13.4).
    pub(crate) fn is_self_originated(&self, key: &LsaKey) -> bool {
        key.adv_router == self.router_id
            || self.previous_router_ids.iter().any(|(r, left)| {
                *r == key.adv_router
                    && self.clock
                        < *left + crate::time::Duration::from_secs(u64::from(crate::lsdb::MAX_AGE))
            })
            || (key.ls_type() == LsaType::Network
                && self.interfaces.iter().any(|i| i.config.address == key.lsid))
    }
}
