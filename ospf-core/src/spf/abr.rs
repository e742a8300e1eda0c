//! What an area border router originates (RFC 2328 §12.4.3, RFC 3101 §3): Summary-LSAs
//! into each attached area, default summaries into stub areas and NSSAs, and the
//! translation of type-7 LSAs into type 5.
//!
//! These are computed from the current routing table; the engine keeps what it originated
//! and diffs it with [`Spf::summaries`] / [`Spf::translations`] after each calculation,
//! originating the new ones and flushing (withdrawing) the ones that disappeared.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::parse::{LS_INFINITY, ip};
use super::types::{AreaKind, Prefix, RouteType};
use super::{BACKBONE, FLAG_B, NONE, Spf};
use crate::config::AreaRange;

/// What a Summary-LSA describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SummaryKind {
    /// Type 3: a network (Link State ID = address, mask in the body).
    Network(Prefix),
    /// Type 4: an AS boundary router (Link State ID = its router ID).
    Asbr(Ipv4Addr),
}

/// A Summary-LSA the ABR should originate into `area`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SummaryOrigination {
    /// The area the LSA is originated into.
    pub area: Ipv4Addr,
    /// Destination.
    pub kind: SummaryKind,
    /// 24-bit metric.
    pub metric: u32,
}

/// A type-5 LSA the NSSA translator should originate for a type-7 LSA (RFC 3101 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Translation {
    /// NSSA the type-7 LSA came from.
    pub area: Ipv4Addr,
    /// Destination.
    pub prefix: Prefix,
    /// Type-2 metric.
    pub e2: bool,
    /// Metric.
    pub metric: u32,
    /// Forwarding address (copied from the type-7 LSA).
    pub forwarding: Ipv4Addr,
    /// Route tag.
    pub tag: u32,
}

impl Spf {
    /// The Summary-LSAs to originate, sorted by area then destination: empty unless we are
    /// an ABR. Type 3 for intra-area routes of the other areas and (into non-backbone areas)
    /// for inter-area routes, where the intra-area routes inside an address range of their
    /// area are replaced by one summary for each active, advertised range (§12.4.3: cost
    /// of the costliest component, or the configured one); type 4 for ASBRs outside the area, not into stub areas or
    /// NSSAs; a default summary into stub areas, and into NSSAs configured `no_summary`.
    pub fn summaries(&self) -> Vec<SummaryOrigination> {
        let mut out = Vec::new();
        if !self.is_abr() {
            return out;
        }
        let active = self.active_ranges();
        for a in self.areas.iter().filter(|a| a.is_attached()) {
            let area = ip(a.id);
            let (no_summary, default_cost) = match a.kind {
                AreaKind::Stub {
                    no_summary,
                    default_cost,
                } => (no_summary, Some(default_cost)),
                AreaKind::Nssa {
                    no_summary,
                    default_cost,
                    ..
                } => (no_summary, no_summary.then_some(default_cost)),
                AreaKind::Normal => (false, None),
            };
            if let Some(c) = default_cost {
                out.push(SummaryOrigination {
                    area,
                    kind: SummaryKind::Network(Prefix::new(Ipv4Addr::UNSPECIFIED, 0)),
                    metric: c.min(LS_INFINITY - 1),
                });
            }
            if no_summary {
                continue;
            }
            for (i, e) in self.table.ent.iter().enumerate() {
                let Some(e) = e else { continue };
                let ok = match e.rtype {
                    RouteType::IntraArea => e.area != a.id,
                    RouteType::InterArea => a.id != BACKBONE && e.area == BACKBONE,
                    _ => false,
                };
                if !ok || e.cost >= LS_INFINITY || self.hops_in_area(self.table.hops(e), a.id) {
                    continue;
                }
                let p = self.prefixes.prefix(i as u32);
                if default_cost.is_some() && p.is_default() {
                    continue;
                }
                // §12.4.3: a component of one of its area's ranges is announced as
                // the range (below), or not at all.
                if e.rtype == RouteType::IntraArea && self.range_of(e.area, p).is_some() {
                    continue;
                }
                out.push(SummaryOrigination {
                    area,
                    kind: SummaryKind::Network(p),
                    metric: e.cost,
                });
            }
            for r in active
                .iter()
                .filter(|r| r.area != a.id && r.range.advertise)
            {
                let p = r.range.announced();
                if default_cost.is_some() && p.is_default() {
                    continue;
                }
                out.push(SummaryOrigination {
                    area,
                    kind: SummaryKind::Network(p),
                    metric: r.range.cost.unwrap_or(r.cost).min(LS_INFINITY),
                });
            }
            if a.kind.is_stubby() {
                continue;
            }
            // Type 4: the preferred path to each ASBR, if it is not through this area.
            let mut k = 0;
            while k < self.routers.len() {
                let id = self.routers[k].id;
                let end = k + self.routers[k..].iter().take_while(|r| r.id == id).count();
                if let Some(r) = self.asbr_route(id, None) {
                    let through_a = !r.inter && r.area == a.id;
                    let inter_into_bb = r.inter && a.id == BACKBONE;
                    if !through_a
                        && !inter_into_bb
                        && r.cost < LS_INFINITY
                        && !self.hops_in_area(r.hops.as_slice(), a.id)
                    {
                        out.push(SummaryOrigination {
                            area,
                            kind: SummaryKind::Asbr(ip(id)),
                            metric: r.cost,
                        });
                    }
                }
                k = end;
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether we translate the type-7 LSAs of NSSA `area` (RFC 3101 §3.1): we are an ABR,
    /// and either configured to always translate or the reachable ABR of the area with the
    /// highest router ID (routers that set the Nt bit take precedence).
    pub fn is_nssa_translator(&self, area: Ipv4Addr) -> bool {
        let Ok(ai) = self.areas.binary_search_by_key(&u32::from(area), |a| a.id) else {
            return false;
        };
        let a = &self.areas[ai];
        let AreaKind::Nssa {
            translate_always,
            translate_never,
            ..
        } = a.kind
        else {
            return false;
        };
        if !self.is_abr() || !a.is_attached() || translate_never {
            return false;
        }
        if translate_always {
            return true;
        }
        let mut other_nt = false;
        let mut higher = false;
        for &v in &a.order {
            let vx = &a.graph.verts[v as usize];
            if vx.is_net || v == a.root || vx.flags & FLAG_B == 0 {
                continue;
            }
            other_nt |= vx.flags & 0x10 != 0;
            higher |= vx.id > self.rid;
        }
        !other_nt && !higher
    }

    /// Whether NSSA `area` (an area ID as stored) is configured `suppress-fa`.
    fn suppresses_fa(&self, area: u32) -> bool {
        self.areas
            .binary_search_by_key(&area, |a| a.id)
            .is_ok_and(|ai| {
                matches!(
                    self.areas[ai].kind,
                    AreaKind::Nssa {
                        suppress_fa: true,
                        ..
                    }
                )
            })
    }

    /// Type-5 LSAs to originate as NSSA translator: one for each type-7 LSA with the P bit
    /// and a forwarding address whose route is the one in the table. Sorted by prefix.
    pub fn translations(&self) -> Vec<Translation> {
        let mut out = Vec::new();
        // (area, range prefix) -> (range, any type 2, largest type-2 metric, largest
        // type-1 metric).
        let mut ranged: Vec<RangeAggregate> = Vec::new();
        for (i, e) in self.table.ent.iter().enumerate() {
            let Some(e) = e else { continue };
            if e.ext == NONE {
                continue;
            }
            let Some(rec) = self.ext.recs.get(e.ext as usize) else {
                continue;
            };
            if !rec.live || !rec.t7 || !rec.pbit || rec.fa == 0 {
                continue;
            }
            if !self.is_nssa_translator(ip(rec.area)) {
                continue;
            }
            let p = self.prefixes.prefix(i as u32);
            if let Some(r) = self.range_of(rec.area, p) {
                // RFC 3101 §3.2 (3): aggregated into the range's type-5 LSA, type 2 if
                // any component is (then the largest type-2 metric plus one), else
                // type 1 with the largest metric.
                let k = (rec.area, r.prefix);
                let a = match ranged.iter_mut().find(|(key, ..)| *key == k) {
                    Some(x) => x,
                    None => {
                        ranged.push((k, r, false, 0, 0));
                        ranged.last_mut().expect("just pushed")
                    }
                };
                if rec.e2 {
                    a.2 = true;
                    a.3 = a.3.max(rec.metric);
                } else {
                    a.4 = a.4.max(rec.metric);
                }
                continue;
            }
            out.push(Translation {
                area: ip(rec.area),
                prefix: p,
                e2: rec.e2,
                metric: rec.metric,
                forwarding: if self.suppresses_fa(rec.area) {
                    Ipv4Addr::UNSPECIFIED
                } else {
                    ip(rec.fa)
                },
                tag: rec.tag,
            });
        }
        for ((area, _), r, e2, m2, m1) in ranged {
            if !r.advertise {
                continue;
            }
            let metric = r
                .cost
                .unwrap_or(if e2 { m2.saturating_add(1) } else { m1 })
                .min(LS_INFINITY);
            out.push(Translation {
                area: ip(area),
                prefix: r.announced(),
                e2,
                metric,
                forwarding: Ipv4Addr::UNSPECIFIED,
                tag: 0,
            });
        }
        out.sort_unstable();
        out
    }

    /// The range of area `area` that `p` falls in (the most specific one), if any.
    fn range_of(&self, area: u32, p: Prefix) -> Option<AreaRange> {
        self.ranges
            .iter()
            .filter(|(a, r)| *a == area && r.prefix.covers(p))
            .map(|(_, r)| *r)
            .max_by_key(|r| r.prefix.prefix_len())
    }

    /// The active ranges (§12.4.3: at least one intra-area route of the area inside)
    /// with the cost of their costliest component; empty unless we are an ABR.
    pub fn active_ranges(&self) -> Vec<ActiveRange> {
        let mut out: Vec<ActiveRange> = Vec::new();
        if self.ranges.is_empty() || !self.is_abr() {
            return out;
        }
        for (i, e) in self.table.ent.iter().enumerate() {
            let Some(e) = e else { continue };
            if e.rtype != RouteType::IntraArea || e.cost >= LS_INFINITY {
                continue;
            }
            let Some(r) = self.range_of(e.area, self.prefixes.prefix(i as u32)) else {
                continue;
            };
            match out
                .iter_mut()
                .find(|x| x.area == e.area && x.range.prefix == r.prefix)
            {
                Some(x) => x.cost = x.cost.max(e.cost),
                None => out.push(ActiveRange {
                    area: e.area,
                    range: r,
                    cost: e.cost,
                }),
            }
        }
        out
    }

    /// The discard routes an ABR installs (RFC 2328 §11.1, §12.4.3): one for each active,
    /// advertised range (intra-area components, or on an NSSA type-7 LSAs we translate),
    /// so that packets to its unused addresses are dropped instead of looping; none for a
    /// range whose own prefix has a route in the table. Sorted.
    pub fn discards(&self) -> Vec<Prefix> {
        if self.ranges.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Prefix> = self
            .active_ranges()
            .iter()
            .filter(|r| r.range.advertise)
            .map(|r| r.range.prefix)
            .collect();
        for t in self.translations() {
            if t.forwarding.is_unspecified() {
                if let Some(r) = self.range_of(u32::from(t.area), t.prefix) {
                    if r.advertise && r.announced() == t.prefix {
                        out.push(r.prefix);
                    }
                }
            }
        }
        out.retain(|p| self.route(*p).is_none());
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A range's aggregate of translated type-7 LSAs: ((area, range prefix), range, any
/// type 2, largest type-2 metric, largest type-1 metric).
type RangeAggregate = ((u32, Prefix), AreaRange, bool, u32, u32);

/// An address range with at least one component (see [`Spf::active_ranges`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveRange {
    /// The range's area (as a number).
    pub(crate) area: u32,
    /// The range.
    pub range: AreaRange,
    /// The largest cost of its components.
    pub cost: u32,
}

impl ActiveRange {
    /// The range's area.
    pub fn area(&self) -> Ipv4Addr {
        ip(self.area)
    }
}
