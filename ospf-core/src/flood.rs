//! Flooding (RFC 2328 §13): receiving Link State Updates, installing LSAs, flooding them
//! on, acknowledging them (§13.5, §13.7: direct and delayed acknowledgments),
//! retransmitting (§13.6), and removing MaxAge LSAs (§14).
//!
//! Every change of the LSDB goes through `Instance::install_lsa` or
//! `Instance::remove_lsa`, which report it to `Instance::lsdb_changed`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::net::Ipv4Addr;

use crate::instance::{Event, Instance, LsdbChange};
use crate::interface::{DropReason, InterfaceState};
use crate::lsdb::{
    LsaInstance, LsaKey, MAX_AGE, MAX_SEQ, RESERVED_SEQ, Scope, ScopeClass, compare_instances,
    lsa_checksum_ok, scope_class,
};
use crate::neighbor::{NeighborEvent, NeighborState};
use crate::time::{Duration, Instant};
use crate::timer::{InterfaceTimer, NeighborTimer};
use crate::wire::{
    BodyRepr, FixedItem, LSA_HEADER_LEN, List, LsAckRepr, LsUpdateRepr, LsaHeader, LsaList, LsaType,
};

/// Retransmission interval for LSAs while shutting down: just over the 1 s
/// MinLSArrival of RFC 2328 (and FRR's and BIRD's defaults).
const SHUTDOWN_RXMT_INTERVAL: Duration = Duration::from_millis(1100);
/// Delay of delayed acknowledgments (RFC 2328 §13.5: less than RxmtInterval).
const ACK_DELAY: Duration = Duration::from_millis(500);

/// Iterates the LSAs of an LS Update body: each a whole LSA whose length field is
/// at least 20, a multiple of 4, and inside the packet. Stops at the first bad one.
pub(crate) fn lsa_slices<'a>(list: &LsaList<'a>) -> Vec<&'a [u8]> {
    match *list {
        LsaList::Raw(r) => r.to_vec(),
        LsaList::Wire { count, bytes } => {
            let mut out = Vec::with_capacity((count as usize).min(bytes.len() / 20));
            let mut off = 0usize;
            for _ in 0..count {
                let Some(h) = bytes.get(off..off + LSA_HEADER_LEN) else {
                    break;
                };
                let len = usize::from(u16::from_be_bytes([h[18], h[19]]));
                if len < LSA_HEADER_LEN || len % 4 != 0 {
                    break;
                }
                let Some(lsa) = bytes.get(off..off + len) else {
                    break;
                };
                out.push(lsa);
                off += len;
            }
            out
        }
    }
}

/// At most this many flushed instances are remembered at a time.
const RECENTLY_REMOVED_MAX: usize = 4096;

impl Instance {
    // ----------------------------------------------------------------------------------
    // The one place where the LSDB changes
    // ----------------------------------------------------------------------------------

    /// Called for every installation, replacement and removal of an LSA. The route
    /// calculation hooks in here; the LSA itself is read from the LSDB.
    pub(crate) fn lsdb_changed(
        &mut self,
        now: Instant,
        scope: Scope,
        key: LsaKey,
        change: LsdbChange,
    ) {
        if self.config.lsdb_events {
            self.event(Event::Lsdb { scope, key, change });
        }
        self.spf_lsdb_changed(now, scope, key, change);
        self.gr_note_lsdb_change(scope, key, change);
        if matches!(key.ls_type(), LsaType::Router | LsaType::Network) {
            self.gr_restart_note();
        }
    }

    /// Installs an LSA (RFC 2328 §13.2). Returns false when it could not be stored
    /// (LSDB limit, unknown scope).
    pub(crate) fn install_lsa(&mut self, now: Instant, scope: Scope, raw: Box<[u8]>) -> bool {
        let Some(key) = LsaKey::from_raw(&raw) else {
            return false;
        };
        let exists = self.lsdb_of(scope).is_some_and(|db| db.get(&key).is_some());
        if !exists && !self.lsdb_admits(&key) {
            return false;
        }
        let Some(db) = self.lsdb_of_mut(scope) else {
            return false;
        };
        let Ok(old) = db.insert(raw, now) else {
            return false;
        };
        let Some(new) = db.get(&key) else {
            return false;
        };
        let max_age = new.is_max_age(now);
        let content_changed = match &old {
            None => true,
            Some(o) => {
                o.body() != new.body() || o.raw()[2] != new.raw()[2] || o.is_max_age(now) != max_age
            }
        };
        if old.is_none() {
            self.lsa_count += 1;
            if crate::instance::limits_key_counts(&key) {
                self.external_count += 1;
                self.check_overflow(now);
            }
            self.check_lsdb_limits();
        }
        if max_age {
            self.maxage.insert((scope, key));
        } else {
            self.maxage.remove(&(scope, key));
        }
        let change = if max_age {
            LsdbChange::Flushed
        } else {
            LsdbChange::Installed { content_changed }
        };
        self.lsdb_changed(now, scope, key, change);
        true
    }

    /// Removes an LSA from the LSDB.
    pub(crate) fn remove_lsa(&mut self, now: Instant, scope: Scope, key: &LsaKey) {
        let removed = self.lsdb_of_mut(scope).and_then(|d| d.remove(key));
        self.maxage.remove(&(scope, *key));
        if let Some(e) = removed.as_ref().filter(|e| e.is_max_age(now)) {
            self.remember_removed(now, scope, *key, e.seq(), e.checksum());
        }
        if removed.is_some() {
            self.lsa_count -= 1;
            if crate::instance::limits_key_counts(key) {
                self.external_count -= 1;
            }
            self.check_lsdb_limits();
            self.lsdb_changed(now, scope, *key, LsdbChange::Removed);
        }
    }

    /// True when a new LSA `key` (not yet in the LSDB) may be installed under the limits
    /// ([`InstanceConfig::max_lsas`](crate::config::InstanceConfig::max_lsas), RFC 1765's
    /// external limit). Our own LSAs always admit; a warning-only `max_lsas` admits.
    pub(crate) fn lsdb_admits(&self, key: &LsaKey) -> bool {
        self.lsdb_refusal(key).is_none()
    }

    /// Which limit refuses a new LSA `key`: `Some(true)` the total (`max-lsa`),
    /// `Some(false)` RFC 1765's external limit, `None` neither.
    ///
    /// Only LSAs under our current router ID are exempt. Those of a previous router ID
    /// and other routers' Network-LSAs for one of our addresses (both handled as our
    /// own, to flush them) count like any other router's: anyone can send them in any
    /// number, and the limit must hold against that.
    pub(crate) fn lsdb_refusal(&self, key: &LsaKey) -> Option<bool> {
        if key.adv_router == self.router_id {
            return None;
        }
        let total_full = !self.config.lsa_limit_warning_only
            && self.config.max_lsas.is_some_and(|m| self.lsa_count >= m);
        if total_full {
            return Some(true);
        }
        let ext_full = crate::instance::limits_key_counts(key)
            && self
                .config
                .max_external_lsas
                .is_some_and(|m| self.external_count >= m);
        ext_full.then_some(false)
    }

    /// Raises [`Event::LsdbLimit`] when a count crosses the warning threshold or reaches
    /// its limit (once per crossing, with hysteresis at the threshold).
    fn check_lsdb_limits(&mut self) {
        let pct = usize::from(self.config.lsa_warning_threshold.clamp(1, 100));
        let limits = [
            (self.config.max_lsas, self.lsa_count, false),
            (self.config.max_external_lsas, self.external_count, true),
        ];
        for (i, (limit, count, external)) in limits.into_iter().enumerate() {
            let Some(limit) = limit else { continue };
            let threshold = limit.saturating_mul(pct) / 100;
            let level = if count >= limit {
                2
            } else if count >= threshold {
                1
            } else {
                0
            };
            let old = self.limit_level[i];
            self.limit_level[i] = level;
            if level > old {
                self.event(Event::LsdbLimit {
                    count,
                    limit,
                    external,
                    reached: level == 2,
                });
            }
        }
    }

    /// Remembers a flushed instance for [`crate::lsdb::REMOVED_MEMORY`] (bounded: under a
    /// flood of flushes the oldest memories are simply not made).
    fn remember_removed(&mut self, now: Instant, scope: Scope, key: LsaKey, seq: u32, ck: u16) {
        if self.recently_removed.len() < RECENTLY_REMOVED_MAX {
            self.recently_removed.insert((scope, key), (seq, ck, now));
        }
    }

    /// Removes `key` from the Link State Request list of every neighbor in `scope`.
    fn drop_from_request_lists(&mut self, scope: Scope, key: &LsaKey) {
        for ii in 0..self.interfaces.len() {
            if self.iface_in_scope(ii, scope) {
                for n in &mut self.interfaces[ii].neighbors {
                    n.ls_req.remove(key);
                }
            }
        }
    }

    /// Removes `key` from every retransmission list in `scope` (§13 step 5c).
    pub(crate) fn remove_from_rxmt_lists(&mut self, scope: Scope, key: &LsaKey) {
        for ii in 0..self.interfaces.len() {
            if !self.iface_in_scope(ii, scope) {
                continue;
            }
            for n in &mut self.interfaces[ii].neighbors {
                if n.rxmt.remove(key).is_some() && n.rxmt.is_empty() {
                    n.timers.stop(NeighborTimer::LsRxmt);
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------
    // Receiving (§13)
    // ----------------------------------------------------------------------------------

    pub(crate) fn recv_ls_update(
        &mut self,
        now: Instant,
        ii: usize,
        ni: usize,
        lsas: &LsaList<'_>,
    ) -> Result<(), DropReason> {
        if self.interfaces[ii].neighbors[ni].state < NeighborState::Exchange {
            return Err(DropReason::WrongState);
        }
        let mut direct_acks: Vec<LsaHeader> = Vec::new();
        for raw in lsa_slices(lsas) {
            self.interfaces[ii].counters.lsas_received += 1;
            match self.recv_lsa(now, ii, ni, raw, &mut direct_acks) {
                Ok(true) => {}
                Ok(false) => break,
                Err(reason) => self.interfaces[ii].counters.drop(reason),
            }
            if ni >= self.interfaces[ii].neighbors.len() || self.limits.offence.is_some() {
                break;
            }
        }
        // A neighbor that flooded beyond the LSDB limit is taken down (with an ignore
        // policy): the rest of its update is not acknowledged.
        if self.punish_offender(now) {
            return Ok(());
        }
        if !direct_acks.is_empty() && ni < self.interfaces[ii].neighbors.len() {
            let dst = self.nbr_dst(ii, ni);
            self.send_acks(ii, dst, &direct_acks);
        }
        Ok(())
    }

    /// One LSA of an LS Update (§13 steps 1–8). `Ok(false)`: stop processing the packet.
    fn recv_lsa(
        &mut self,
        now: Instant,
        ii: usize,
        ni: usize,
        raw: &[u8],
        direct_acks: &mut Vec<LsaHeader>,
    ) -> Result<bool, DropReason> {
        // (1) checksum, (2) type, (3) AS-external in stub areas.
        if raw.len() < LSA_HEADER_LEN || !lsa_checksum_ok(raw) {
            return Err(DropReason::BadLsa);
        }
        let h = LsaHeader::read(&raw[..LSA_HEADER_LEN]);
        let key = LsaKey::of(&h);
        let class = scope_class(h.lsa_type).ok_or(DropReason::BadLsa)?;
        let area = self.interfaces[ii].config.area;
        let kind = self.area_kind(area);
        if class == ScopeClass::As && !kind.external_routing() {
            return Err(DropReason::BadLsa);
        }
        if h.lsa_type == LsaType::Nssa && !matches!(kind, crate::config::AreaKind::Nssa { .. }) {
            return Err(DropReason::BadLsa);
        }
        if !lsa_body_ok(h.lsa_type, raw) {
            return Err(DropReason::BadLsa);
        }
        // §12.1.6: 0x80000000 is reserved and never used; such an LSA is dropped.
        if h.seq == RESERVED_SEQ {
            return Err(DropReason::BadLsa);
        }
        let rcv = LsaInstance::of(&h);
        // CVE-2017-3224: MaxSequenceNumber is only valid while being flushed.
        if h.seq == MAX_SEQ && rcv.age < MAX_AGE {
            return Err(DropReason::BadLsa);
        }
        let scope = self.scope_on(ii, &key).ok_or(DropReason::BadLsa)?;
        let db = self.lsdb_of(scope).and_then(|d| d.get(&key));
        // (4) A MaxAge LSA we do not have: acknowledge and discard.
        if rcv.age >= MAX_AGE && db.is_none() && !self.any_exchanging(scope) {
            direct_acks.push(h);
            // Its live copy may still be in flight (reordered behind the flush).
            self.remember_removed(now, scope, key, h.seq, h.checksum);
            return Ok(true);
        }
        // A live copy of an instance whose flush we just completed and removed (§14): a
        // duplicate delayed in flight, older than the flush. Installing it would keep a
        // withdrawn LSA alive until MaxAge.
        if db.is_none()
            && rcv.age < MAX_AGE
            && self
                .recently_removed
                .get(&(scope, key))
                .is_some_and(|(seq, ck, at)| {
                    *seq == h.seq && *ck == h.checksum && now < *at + crate::lsdb::REMOVED_MEMORY
                })
        {
            return Ok(true);
        }
        let db_inst = db.map(|e| (e.instance(now), e.installed(), e.is_max_age(now)));
        let cmp = db_inst.map(|(d, _, _)| compare_instances(rcv, d));
        // (5) New or more recent.
        if cmp.is_none_or(|c| c == Ordering::Greater) {
            // (5a) MinLSArrival holds back a new instance only when the database copy
            // was "received via flooding", not when it answered one of our LS
            // Requests (the originator's next instance may follow at once).
            if let Some((_, installed, _)) = db_inst {
                let flooded = self.unflooded_installs.get(&(scope, key)) != Some(&installed);
                if flooded
                    && now < installed + self.config.min_ls_arrival
                    && !self.is_self_originated(&key)
                {
                    return Ok(true);
                }
            }
            if let Some(total) = db_inst.is_none().then(|| self.lsdb_refusal(&key)).flatten() {
                // Over the limit: not installed, not flooded, not routed. Acknowledged,
                // so that the sender does not retransmit it forever (the database is
                // knowingly incomplete, as in RFC 1765's OverflowState).
                direct_acks.push(h);
                // Its sender may be taken down for it (`max-lsa ... ignore-time`), unless
                // it only answered our request.
                if total && !self.interfaces[ii].neighbors[ni].ls_req.contains_key(&key) {
                    self.note_offence(ii, ni);
                }
                // Nor is it requested any longer: a database exchange must not stay in
                // Loading for an LSA that cannot be installed.
                self.drop_from_request_lists(scope, &key);
                return Err(DropReason::LsdbFull);
            }
            self.remove_from_rxmt_lists(scope, &key);
            let requested = self.interfaces[ii].neighbors[ni].ls_req.contains_key(&key);
            if !self.install_lsa(now, scope, raw.into()) {
                return Err(DropReason::LsdbFull);
            }
            if requested {
                self.unflooded_installs.insert((scope, key), now);
            }
            let flooded_back = self.flood(now, scope, key, rcv, Some((ii, ni)));
            // (5e) Acknowledge (§13.5).
            if !flooded_back {
                let iface = &self.interfaces[ii];
                let from_dr = iface.neighbors[ni].address == iface.dr;
                if iface.state != InterfaceState::Backup || from_dr {
                    self.interfaces[ii].delayed_acks.push(h);
                }
            }
            // (5f) One of ours.
            if self.is_self_originated(&key) {
                self.self_originated_received(now, scope, key);
            }
            return Ok(true);
        }
        // (6) On the request list: the exchange went wrong.
        if self.interfaces[ii].neighbors[ni].ls_req.contains_key(&key) {
            self.nbr_event(now, ii, ni, NeighborEvent::BadLsReq);
            return Ok(false);
        }
        // (7) Same instance.
        if cmp == Some(Ordering::Equal) {
            let iface = &mut self.interfaces[ii];
            let from_dr = iface.neighbors[ni].address == iface.dr;
            let backup = iface.state == InterfaceState::Backup;
            let n = &mut iface.neighbors[ni];
            if n.rxmt.remove(&key).is_some() {
                // Implied acknowledgment.
                if n.rxmt.is_empty() {
                    n.timers.stop(NeighborTimer::LsRxmt);
                }
                if backup && from_dr {
                    iface.delayed_acks.push(h);
                }
            } else {
                direct_acks.push(h);
            }
            return Ok(true);
        }
        // (8) Ours is more recent: send it back, unless it is being flushed at MaxSeq.
        if let Some((d, _, max_age)) = db_inst {
            if max_age && d.seq == MAX_SEQ {
                return Ok(true);
            }
        }
        let n = &self.interfaces[ii].neighbors[ni];
        let recently = n
            .last_newer_sent
            .get(&key)
            .is_some_and(|t| now < *t + self.config.min_ls_arrival);
        if !recently {
            self.interfaces[ii].neighbors[ni]
                .last_newer_sent
                .insert(key, now);
            let dst = self.nbr_dst(ii, ni);
            self.send_lsas(now, ii, dst, &[key]);
        }
        Ok(true)
    }

    // ----------------------------------------------------------------------------------
    // Flooding (§13.3)
    // ----------------------------------------------------------------------------------

    /// Floods an installed LSA: puts it on the retransmission lists of the neighbors that
    /// need it and queues it on their interfaces. Returns true when it goes back out of
    /// the interface it came from.
    pub(crate) fn flood(
        &mut self,
        now: Instant,
        scope: Scope,
        key: LsaKey,
        inst: LsaInstance,
        from: Option<(usize, usize)>,
    ) -> bool {
        let mut flooded_back = false;
        for ii in 0..self.interfaces.len() {
            if !self.iface_in_scope(ii, scope) || !self.interfaces[ii].is_active() {
                continue;
            }
            let rxmt = self.lsa_rxmt_interval(ii);
            let iface = &mut self.interfaces[ii];
            let mut added = false;
            for (ni, n) in iface.neighbors.iter_mut().enumerate() {
                if n.state < NeighborState::Exchange || !n.takes(key.lsa_type) {
                    continue;
                }
                if n.state != NeighborState::Full {
                    if let Some(req) = n.ls_req.get(&key) {
                        match compare_instances(inst, LsaInstance::of(req)) {
                            Ordering::Less => continue,
                            Ordering::Equal => {
                                n.ls_req.remove(&key);
                                continue;
                            }
                            Ordering::Greater => {
                                n.ls_req.remove(&key);
                            }
                        }
                    }
                }
                if from == Some((ii, ni)) {
                    continue;
                }
                n.rxmt.insert(key, inst);
                n.timers.set_if_stopped(NeighborTimer::LsRxmt, now + rxmt);
                added = true;
            }
            if !added {
                continue;
            }
            if let Some((fi, fni)) = from {
                if fi == ii {
                    let src = iface.neighbors.get(fni).map(|n| n.address);
                    if iface.elects_dr() && src.is_some_and(|a| a == iface.dr || a == iface.bdr) {
                        continue;
                    }
                    if iface.state == InterfaceState::Backup {
                        continue;
                    }
                    flooded_back = true;
                }
            }
            iface.flood_queue.push(key);
        }
        flooded_back
    }

    /// Sends the LSAs queued for flooding, packed into as few LS Updates as the MTU allows.
    pub(crate) fn flush_floods(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            if self.interfaces[ii].flood_queue.is_empty() {
                continue;
            }
            let mut keys = core::mem::take(&mut self.interfaces[ii].flood_queue);
            keys.sort_unstable();
            keys.dedup();
            for dst in self.flood_dsts(ii) {
                self.send_lsas(now, ii, dst, &keys);
            }
            // Keep the allocation.
            keys.clear();
            if self.interfaces[ii].flood_queue.is_empty() {
                self.interfaces[ii].flood_queue = keys;
            }
        }
    }

    /// Sends the current copies of `keys` (those still in the LSDB) in LS Updates to `dst`,
    /// each LS age advanced by InfTransDelay (§13.3). Counted as LSAs sent.
    pub(crate) fn send_lsas(&mut self, now: Instant, ii: usize, dst: Ipv4Addr, keys: &[LsaKey]) {
        let sent = self.send_lsas_uncounted(now, ii, dst, keys);
        self.interfaces[ii].counters.lsas_sent += sent;
    }

    /// [`Self::send_lsas`] without counting; returns how many LSAs went out.
    fn send_lsas_uncounted(
        &mut self,
        now: Instant,
        ii: usize,
        dst: Ipv4Addr,
        keys: &[LsaKey],
    ) -> u64 {
        let (packets, lsas) = self.build_lsus(now, ii, keys);
        for p in packets {
            self.queue_tx(ii, dst, p);
        }
        lsas
    }

    /// The LS Update packets carrying `keys`, and how many LSAs they carry.
    fn build_lsus(&self, now: Instant, ii: usize, keys: &[LsaKey]) -> (Vec<Vec<u8>>, u64) {
        let budget = self.body_budget(ii).saturating_sub(4);
        let delay = self.interfaces[ii].config.transmit_delay;
        let mut packets = Vec::new();
        let mut batch: Vec<&[u8]> = Vec::new();
        let mut ages: Vec<u16> = Vec::new();
        let mut size = 0usize;
        let mut lsas = 0u64;
        let emit = |batch: &mut Vec<&[u8]>,
                    ages: &mut Vec<u16>,
                    packets: &mut Vec<Vec<u8>>,
                    lsas: &mut u64| {
            if batch.is_empty() {
                return;
            }
            let body = BodyRepr::LsUpdate(LsUpdateRepr {
                lsas: LsaList::Raw(batch),
            });
            if let Some(mut buf) = self.encode(ii, body) {
                let mut off = crate::wire::HEADER_LEN + 4;
                for (raw, age) in batch.iter().zip(ages.iter()) {
                    if let Some(a) = buf.get_mut(off..off + 2) {
                        a.copy_from_slice(&age.to_be_bytes());
                    }
                    off += raw.len();
                }
                let len = buf.len() - self.trailer_len(ii);
                if self.seal(ii, &mut buf, len).is_some() {
                    packets.push(buf);
                    *lsas += batch.len() as u64;
                }
            }
            batch.clear();
            ages.clear();
        };
        for key in keys {
            let Some(e) = self
                .scope_on(ii, key)
                .and_then(|s| self.lsdb_of(s))
                .and_then(|d| d.get(key))
            else {
                continue;
            };
            let raw = e.raw();
            if size + raw.len() > budget && !batch.is_empty() {
                emit(&mut batch, &mut ages, &mut packets, &mut lsas);
                size = 0;
            }
            let age = e.age(now).saturating_add(delay).min(MAX_AGE);
            batch.push(raw);
            ages.push(age);
            size += raw.len();
        }
        emit(&mut batch, &mut ages, &mut packets, &mut lsas);
        (packets, lsas)
    }

    /// Retransmits the neighbor's retransmission list (§13.6).
    pub(crate) fn retransmit_lsas(&mut self, now: Instant, ii: usize, ni: usize) {
        let rxmt = self.lsa_rxmt_interval(ii);
        let keys: Vec<LsaKey> = self.interfaces[ii].neighbors[ni]
            .rxmt
            .keys()
            .copied()
            .collect();
        let mut live = Vec::with_capacity(keys.len());
        for k in keys {
            let present = self
                .scope_on(ii, &k)
                .and_then(|s| self.lsdb_of(s))
                .is_some_and(|d| d.get(&k).is_some());
            if present {
                live.push(k);
            } else {
                self.interfaces[ii].neighbors[ni].rxmt.remove(&k);
            }
        }
        let n = &mut self.interfaces[ii].neighbors[ni];
        if n.rxmt.is_empty() {
            n.timers.stop(NeighborTimer::LsRxmt);
        } else {
            n.timers.set(NeighborTimer::LsRxmt, now + rxmt);
        }
        if !live.is_empty() {
            if let Some(t) = live
                .iter()
                .map(|k| k.ls_type())
                .find(|t| crate::instance::gr_restart::is_topology_lsa(*t))
            {
                self.gr_prepare_topology_note(t);
            }
            let dst = self.nbr_dst(ii, ni);
            let sent = self.send_lsas_uncounted(now, ii, dst, &live);
            self.interfaces[ii].counters.lsas_retransmitted += sent;
        }
    }

    /// Removes MaxAge LSAs that no neighbor still needs (§14).
    pub(crate) fn purge_maxage(&mut self, now: Instant) {
        if self.maxage.is_empty() {
            return;
        }
        let candidates: Vec<(Scope, LsaKey)> = self.maxage.iter().copied().collect();
        let rid = self.router_id;
        for (scope, key) in candidates {
            let still = self
                .lsdb_of(scope)
                .and_then(|d| d.get(&key))
                .is_some_and(|e| e.is_max_age(now));
            if !still {
                self.maxage.remove(&(scope, key));
                continue;
            }
            if self.on_any_rxmt_list(scope, &key) || self.any_exchanging(scope) {
                continue;
            }
            self.remove_lsa(now, scope, &key);
            if key.adv_router == rid {
                // Sequence wrap (§12.1.6): originate afresh if still wanted.
                self.dirty.insert((scope, key));
            }
        }
    }

    /// True when `key` is on the retransmission list of a neighbor in `scope`.
    pub(crate) fn on_any_rxmt_list(&self, scope: Scope, key: &LsaKey) -> bool {
        (0..self.interfaces.len()).any(|ii| {
            self.iface_in_scope(ii, scope)
                && self.interfaces[ii]
                    .neighbors
                    .iter()
                    .any(|n| n.rxmt.contains_key(key))
        })
    }

    /// True when some neighbor in `scope` is in Exchange or Loading (§13 step 4, §14).
    pub(crate) fn any_exchanging(&self, scope: Scope) -> bool {
        (0..self.interfaces.len()).any(|ii| {
            self.iface_in_scope(ii, scope)
                && self.interfaces[ii]
                    .neighbors
                    .iter()
                    .any(|n| matches!(n.state, NeighborState::Exchange | NeighborState::Loading))
        })
    }

    /// The interval at which LSAs on interface `ii` are retransmitted (§13.6):
    /// RxmtInterval, except while shutting down. A receiver discards an instance that
    /// arrives within MinLSArrival (1 s) of the previous one without acknowledging it
    /// (§13 step 5a), so a flush that closely follows a re-origination is dropped; while
    /// shutting down, unacknowledged flushes are therefore retried just after
    /// MinLSArrival instead of waiting RxmtInterval, so the drain completes in a
    /// second or two rather than being cut off by the caller's shutdown deadline.
    pub(crate) fn lsa_rxmt_interval(&self, ii: usize) -> Duration {
        let configured = Duration::from_secs(u64::from(self.interfaces[ii].config.rxmt_interval));
        if self.shutting_down {
            configured.min(SHUTDOWN_RXMT_INTERVAL)
        } else {
            configured
        }
    }

    // ----------------------------------------------------------------------------------
    // Acknowledgments (§13.5, §13.7)
    // ----------------------------------------------------------------------------------

    /// Receives a Link State Acknowledgment (§13.7): acknowledged instances leave the
    /// neighbor's retransmission list.
    pub(crate) fn recv_ls_ack(
        &mut self,
        _now: Instant,
        ii: usize,
        ni: usize,
        a: &LsAckRepr<'_>,
    ) -> Result<(), DropReason> {
        let n = &mut self.interfaces[ii].neighbors[ni];
        if n.state < NeighborState::Exchange {
            return Err(DropReason::WrongState);
        }
        for h in a.lsa_headers.iter() {
            let key = LsaKey::of(&h);
            if let Some(inst) = n.rxmt.get(&key) {
                if compare_instances(LsaInstance::of(&h), *inst) == core::cmp::Ordering::Equal {
                    n.rxmt.remove(&key);
                }
            }
        }
        if n.rxmt.is_empty() {
            n.timers.stop(NeighborTimer::LsRxmt);
        }
        Ok(())
    }

    /// Sends acknowledgments for `headers` to `dst` (packed to the MTU).
    pub(crate) fn send_acks(&mut self, ii: usize, dst: Ipv4Addr, headers: &[LsaHeader]) {
        let max = (self.body_budget(ii) / 20).max(1);
        for chunk in headers.chunks(max) {
            self.send(
                ii,
                dst,
                BodyRepr::LsAck(LsAckRepr {
                    lsa_headers: List::Slice(chunk),
                }),
            );
        }
    }

    /// Sends the interface's delayed acknowledgments.
    pub(crate) fn send_delayed_acks(&mut self, ii: usize) {
        let acks = core::mem::take(&mut self.interfaces[ii].delayed_acks);
        if acks.is_empty() || !self.interfaces[ii].is_active() {
            return;
        }
        for dst in self.flood_dsts(ii) {
            self.send_acks(ii, dst, &acks);
        }
    }

    /// Sends full packets of delayed acks now, and arms the delay for the rest.
    pub(crate) fn schedule_acks(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            let max = (self.body_budget(ii) / 20).max(1);
            let n = self.interfaces[ii].delayed_acks.len();
            if n == 0 {
                continue;
            }
            if n >= max {
                let full = n - n % max;
                let acks: Vec<LsaHeader> = self.interfaces[ii].delayed_acks.drain(..full).collect();
                for dst in self.flood_dsts(ii) {
                    self.send_acks(ii, dst, &acks);
                }
            }
            let iface = &mut self.interfaces[ii];
            if iface.delayed_acks.is_empty() {
                iface.timers.stop(InterfaceTimer::DelayedAck);
            } else {
                iface
                    .timers
                    .set_if_stopped(InterfaceTimer::DelayedAck, now + ACK_DELAY);
            }
        }
    }
}

/// Minimal structural checks of an LSA body, so that the route calculation never sees
/// an LSA whose fixed fields are missing.
fn lsa_body_ok(t: LsaType, raw: &[u8]) -> bool {
    // Shorter than a header: no body to check (and no underflow below).
    let Some(b) = raw.get(LSA_HEADER_LEN..) else {
        return false;
    };
    let body_len = b.len();
    match t {
        LsaType::Router => {
            if body_len < 4 {
                return false;
            }
            let links = usize::from(u16::from_be_bytes([b[2], b[3]]));
            // Each link is 12 bytes plus 4 per TOS entry: walk them.
            let mut off = 4;
            for _ in 0..links {
                let Some(l) = b.get(off..off + 12) else {
                    return false;
                };
                off += 12 + 4 * usize::from(l[9]);
            }
            off <= body_len
        }
        LsaType::Network => body_len >= 8 && (body_len - 4) % 4 == 0,
        LsaType::SummaryNetwork | LsaType::SummaryAsbr => body_len >= 8,
        LsaType::AsExternal | LsaType::Nssa => body_len >= 16,
        _ => true,
    }
}
