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
    /// for inter-area routes; type 4 for ASBRs outside the area, not into stub areas or
    /// NSSAs; a default summary into stub areas, and into NSSAs configured `no_summary`.
    pub fn summaries(&self) -> Vec<SummaryOrigination> {
        let mut out = Vec::new();
        if !self.is_abr() {
            return out;
        }
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
                if !ok || e.cost >= LS_INFINITY {
                    continue;
                }
                let p = self.prefixes.prefix(i as u32);
                if default_cost.is_some() && p.is_default() {
                    continue;
                }
                out.push(SummaryOrigination {
                    area,
                    kind: SummaryKind::Network(p),
                    metric: e.cost,
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
                    if !through_a && !inter_into_bb && r.cost < LS_INFINITY {
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
            translate_always, ..
        } = a.kind
        else {
            return false;
        };
        if !self.is_abr() || !a.is_attached() {
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

    /// Type-5 LSAs to originate as NSSA translator: one for each type-7 LSA with the P bit
    /// and a forwarding address whose route is the one in the table. Sorted by prefix.
    pub fn translations(&self) -> Vec<Translation> {
        let mut out = Vec::new();
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
            out.push(Translation {
                area: ip(rec.area),
                prefix: self.prefixes.prefix(i as u32),
                e2: rec.e2,
                metric: rec.metric,
                forwarding: ip(rec.fa),
                tag: rec.tag,
            });
        }
        out.sort_unstable();
        out
    }
}
