//! The database exchange (RFC 2328 §10.6, §10.8): master/slave negotiation, Database
//! Description packets filled to the MTU, duplicate detection and SeqNumberMismatch.

use alloc::vec::Vec;

use super::{NeighborEvent, NeighborState, SummaryCursor};
use crate::instance::Instance;
use crate::interface::DropReason;
use crate::lsdb::{LsaInstance, LsaKey, Lsdb, Scope, ScopeClass, compare_instances, scope_class};
use crate::time::{Duration, Instant};
use crate::timer::NeighborTimer;
use crate::wire::{BodyRepr, DbDescRepr, DdFlags, List, LsaHeader};

/// Bytes of a DD body before the LSA headers.
const DD_FIXED_LEN: usize = 8;

impl Instance {
    /// The LSDB of summary phase `phase` for interface `ii` (0 area, 1 AS, 2 link).
    fn summary_lsdb(&self, ii: usize, phase: u8) -> Option<&Lsdb> {
        let iface = &self.interfaces[ii];
        match phase {
            0 => self.area_lsdb(iface.config.area),
            1 if self.iface_in_scope(ii, Scope::As) => Some(&self.as_lsdb),
            2 => Some(&iface.link_lsdb),
            _ => None,
        }
    }

    /// Takes up to `max` headers from the database summary at `cursor` (MaxAge LSAs are
    /// skipped, §10.3; opaque LSAs too unless `opaque`, RFC 5250 §3.1). Returns the
    /// headers, the advanced cursor and whether more remain.
    fn take_summary(
        &self,
        now: Instant,
        ii: usize,
        mut cursor: SummaryCursor,
        max: usize,
        opaque: bool,
    ) -> (Vec<LsaHeader>, SummaryCursor, bool) {
        let mut out = Vec::with_capacity(max.min(256));
        while !cursor.done() {
            let Some(db) = self.summary_lsdb(ii, cursor.phase) else {
                cursor = SummaryCursor {
                    phase: cursor.phase + 1,
                    last: None,
                };
                continue;
            };
            let mut exhausted = true;
            for (k, e) in db.iter_after(cursor.last) {
                if out.len() >= max {
                    exhausted = false;
                    break;
                }
                cursor.last = Some(*k);
                let age = e.age(now);
                if age >= crate::lsdb::MAX_AGE || (!opaque && crate::lsdb::is_opaque(k.lsa_type)) {
                    continue;
                }
                let mut h = e.header();
                h.age = age;
                out.push(h);
            }
            if !exhausted {
                return (out, cursor, true);
            }
            cursor = SummaryCursor {
                phase: cursor.phase + 1,
                last: None,
            };
        }
        (out, cursor, false)
    }

    /// Sends the next DD packet to neighbor `ni` for its current state.
    pub(crate) fn send_dd(&mut self, now: Instant, ii: usize, ni: usize) {
        let n = &self.interfaces[ii].neighbors[ni];
        let state = n.state;
        let (headers, cursor, more, mut flags) = if state == NeighborState::ExStart {
            (
                Vec::new(),
                n.summary,
                true,
                DdFlags::I | DdFlags::M | DdFlags::MS,
            )
        } else {
            let max = (self.body_budget(ii).saturating_sub(DD_FIXED_LEN) / 20).max(1);
            let opaque = n.dd_options.contains(crate::wire::Options::O);
            let (h, c, more) = self.take_summary(now, ii, n.summary, max, opaque);
            let mut f = DdFlags::empty();
            if more {
                f |= DdFlags::M;
            }
            (h, c, more, f)
        };
        if n.master {
            flags |= DdFlags::MS;
        }
        let iface = &self.interfaces[ii];
        let dd = DbDescRepr {
            // §10.8: Interface MTU 0 on virtual links.
            mtu: if iface.is_virtual() {
                0
            } else {
                iface.config.mtu
            },
            options: self.hello_options(ii),
            flags,
            seq: n.dd_seq,
            lsa_headers: List::Slice(&headers),
        };
        let Some(bytes) = self.encode(ii, BodyRepr::DbDesc(dd)) else {
            return;
        };
        let master = n.master;
        let dst = self.nbr_dst(ii, ni);
        let rxmt = Duration::from_secs(u64::from(iface.config.rxmt_interval));
        let n = &mut self.interfaces[ii].neighbors[ni];
        n.summary = cursor;
        n.last_tx_more = more;
        n.last_tx_dd.clear();
        n.last_tx_dd.extend_from_slice(&bytes);
        // The master (and both sides in ExStart) retransmit until answered.
        if master || state == NeighborState::ExStart {
            n.timers.set(NeighborTimer::DdRxmt, now + rxmt);
        } else {
            n.timers.stop(NeighborTimer::DdRxmt);
        }
        self.queue_tx(ii, dst, bytes);
    }

    /// Retransmits the last DD packet (master's RxmtInterval timer).
    pub(crate) fn retransmit_dd(&mut self, now: Instant, ii: usize, ni: usize) {
        let rxmt = Duration::from_secs(u64::from(self.interfaces[ii].config.rxmt_interval));
        let n = &mut self.interfaces[ii].neighbors[ni];
        if !matches!(n.state, NeighborState::ExStart | NeighborState::Exchange)
            || n.last_tx_dd.is_empty()
        {
            n.timers.stop(NeighborTimer::DdRxmt);
            return;
        }
        n.timers.set(NeighborTimer::DdRxmt, now + rxmt);
        let bytes = n.last_tx_dd.clone();
        let dst = self.nbr_dst(ii, ni);
        self.queue_tx(ii, dst, bytes);
    }

    fn resend_last_dd(&mut self, ii: usize, ni: usize) {
        let n = &self.interfaces[ii].neighbors[ni];
        if n.last_tx_dd.is_empty() {
            return;
        }
        let bytes = n.last_tx_dd.clone();
        let dst = self.nbr_dst(ii, ni);
        self.queue_tx(ii, dst, bytes);
    }

    /// Receives a Database Description packet (§10.6).
    pub(crate) fn recv_dd(
        &mut self,
        now: Instant,
        ii: usize,
        ni: usize,
        dd: &DbDescRepr<'_>,
    ) -> Result<(), DropReason> {
        let cfg = &self.interfaces[ii].config;
        if !cfg.mtu_ignore && !self.interfaces[ii].is_virtual() && dd.mtu > cfg.mtu {
            return Err(DropReason::MtuMismatch);
        }
        let mut state = self.interfaces[ii].neighbors[ni].state;
        if state == NeighborState::Init {
            self.nbr_event(now, ii, ni, NeighborEvent::TwoWayReceived);
            state = self.interfaces[ii].neighbors[ni].state;
        }
        let n = &self.interfaces[ii].neighbors[ni];
        let this = (dd.flags, dd.options, dd.seq);
        let duplicate = n.last_rx_dd == Some(this);
        match state {
            NeighborState::Down
            | NeighborState::Attempt
            | NeighborState::Init
            | NeighborState::TwoWay => Err(DropReason::WrongState),
            NeighborState::ExStart => {
                let rid = self.router_id;
                let init = dd.flags.contains(DdFlags::I | DdFlags::MS);
                if init && dd.lsa_headers.is_empty() && n.router_id > rid {
                    // We are slave.
                    let n = &mut self.interfaces[ii].neighbors[ni];
                    n.master = false;
                    n.dd_seq = dd.seq;
                    n.options = dd.options;
                    n.dd_options = dd.options;
                    n.last_rx_dd = Some(this);
                    self.nbr_event(now, ii, ni, NeighborEvent::NegotiationDone);
                    self.slave_reply(now, ii, ni, dd.flags);
                    Ok(())
                } else if !dd.flags.intersects(DdFlags::I | DdFlags::MS)
                    && dd.seq == n.dd_seq
                    && n.router_id < rid
                {
                    // We are master; this is the slave's first reply.
                    let n = &mut self.interfaces[ii].neighbors[ni];
                    n.options = dd.options;
                    n.dd_options = dd.options;
                    self.nbr_event(now, ii, ni, NeighborEvent::NegotiationDone);
                    self.accept_dd(now, ii, ni, dd);
                    Ok(())
                } else if init && dd.lsa_headers.is_empty() && n.router_id < rid {
                    // The slave's own initial DD: ignored for the negotiation (§10.6),
                    // but it shows the neighbor is in ExStart now. Our initial DD may
                    // have reached it before that (in 2-Way, e.g. while its Wait timer
                    // ran a millisecond longer than ours), when it was dropped: send it
                    // again at once instead of after RxmtInterval.
                    self.retransmit_dd(now, ii, ni);
                    Ok(())
                } else {
                    // Not part of the negotiation: ignored (§10.6), not counted as a drop.
                    Ok(())
                }
            }
            NeighborState::Exchange => {
                if duplicate {
                    if !n.master {
                        self.resend_last_dd(ii, ni);
                    }
                    return Ok(());
                }
                let ms_ok = dd.flags.contains(DdFlags::MS) != n.master;
                let seq_ok = if n.master {
                    dd.seq == n.dd_seq
                } else {
                    dd.seq == n.dd_seq.wrapping_add(1)
                };
                let opts_ok = n.last_rx_dd.is_none_or(|(_, o, _)| o == dd.options);
                if !ms_ok || dd.flags.contains(DdFlags::I) || !opts_ok || !seq_ok {
                    self.nbr_event(now, ii, ni, NeighborEvent::SeqNumberMismatch);
                    return Ok(());
                }
                self.accept_dd(now, ii, ni, dd);
                Ok(())
            }
            NeighborState::Loading | NeighborState::Full => {
                if duplicate {
                    if !n.master {
                        self.resend_last_dd(ii, ni);
                    }
                } else {
                    self.nbr_event(now, ii, ni, NeighborEvent::SeqNumberMismatch);
                }
                Ok(())
            }
        }
    }

    /// Processes an accepted DD packet in Exchange (§10.6, §10.8).
    fn accept_dd(&mut self, now: Instant, ii: usize, ni: usize, dd: &DbDescRepr<'_>) {
        let external = self.iface_in_scope(ii, Scope::As);
        let nssa = matches!(
            self.area_kind(self.interfaces[ii].config.area),
            crate::config::AreaKind::Nssa { .. }
        );
        let mut wanted: Vec<(LsaKey, LsaHeader, bool)> = Vec::new();
        for h in dd.lsa_headers.iter() {
            let key = LsaKey::of(&h);
            let ok = match scope_class(h.lsa_type) {
                None => false,
                Some(ScopeClass::As) => external,
                Some(_) => h.lsa_type != crate::wire::LsaType::Nssa || nssa,
            };
            if !ok {
                self.nbr_event(now, ii, ni, NeighborEvent::SeqNumberMismatch);
                return;
            }
            let Some(scope) = self.scope_on(ii, &key) else {
                continue;
            };
            // §12.1.6: the reserved sequence number is never requested (nor installed).
            if h.seq == crate::lsdb::RESERVED_SEQ {
                self.interfaces[ii].counters.drop(DropReason::BadLsa);
                continue;
            }
            let held = self.lsdb_of(scope).and_then(|d| d.get(&key));
            let newer = match held {
                None => true,
                Some(e) => {
                    compare_instances(LsaInstance::of(&h), e.instance(now))
                        == core::cmp::Ordering::Greater
                }
            };
            if newer {
                let new = held.is_none() && !self.is_self_originated(&key);
                wanted.push((key, h, new));
            }
        }
        // The request list is bounded by the LSDB limit: what could not be installed
        // is not asked for (counted as LsdbFull), so a neighbor describing millions of
        // LSAs cannot grow it without bound. LSAs we do not hold are asked for only
        // while the LSDB has room for them, so that answering our requests never
        // crosses the limit (which could count as an offence, see `IgnorePolicy`).
        let limit = self.config.max_lsas.unwrap_or(usize::MAX);
        let room = if self.config.lsa_limit_warning_only {
            limit
        } else {
            limit.saturating_sub(self.lsa_count)
        };
        let iface = &mut self.interfaces[ii];
        let n = &mut iface.neighbors[ni];
        for (key, h, new) in wanted {
            let bound = if new { room } else { limit };
            if n.ls_req.len() >= bound && !n.ls_req.contains_key(&key) {
                iface.counters.drop(DropReason::LsdbFull);
                continue;
            }
            n.ls_req.insert(key, h);
        }
        // A described instance equal to one on this neighbor's retransmission list is
        // one the neighbor holds: the entry is acknowledged. (A BDR floods what it
        // receives during an exchange to the DR as well; when the DR already had that
        // instance it never floods it back, so the entry would otherwise wait a whole
        // RxmtInterval, and a strict graceful-restart helper refuses to help meanwhile.)
        for h in dd.lsa_headers.iter() {
            let key = LsaKey::of(&h);
            let acked = n.rxmt.get(&key).is_some_and(|inst| {
                compare_instances(LsaInstance::of(&h), *inst) == core::cmp::Ordering::Equal
            });
            if acked {
                n.rxmt.remove(&key);
            }
        }
        if n.rxmt.is_empty() {
            n.timers.stop(NeighborTimer::LsRxmt);
        }
        n.last_rx_dd = Some((dd.flags, dd.options, dd.seq));
        let peer_more = dd.flags.contains(DdFlags::M);
        if n.master {
            n.dd_seq = n.dd_seq.wrapping_add(1);
            if !n.last_tx_more && !peer_more {
                self.nbr_event(now, ii, ni, NeighborEvent::ExchangeDone);
            } else {
                self.send_dd(now, ii, ni);
            }
        } else {
            n.dd_seq = dd.seq;
            self.slave_reply(now, ii, ni, dd.flags);
        }
    }

    /// The slave answers the master's DD (echoing its sequence number), and is done when
    /// neither side has more (§10.8).
    fn slave_reply(&mut self, now: Instant, ii: usize, ni: usize, master_flags: DdFlags) {
        self.send_dd(now, ii, ni);
        let n = &mut self.interfaces[ii].neighbors[ni];
        if !master_flags.contains(DdFlags::M) && !n.last_tx_more {
            let dead = Duration::from_secs(u64::from(self.interfaces[ii].config.dead_interval));
            self.nbr_event(now, ii, ni, NeighborEvent::ExchangeDone);
            self.interfaces[ii].neighbors[ni]
                .timers
                .set(NeighborTimer::DdHold, now + dead);
        }
    }
}
