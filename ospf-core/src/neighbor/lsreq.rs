//! Link State Requests (RFC 2328 §10.7 receiving, §10.9 sending): the LS Request list
//! filled by the database exchange is asked for one packet at a time, retransmitted at
//! RxmtInterval, and LoadingDone raised when it empties.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::{NeighborEvent, NeighborState};
use crate::instance::Instance;
use crate::interface::DropReason;
use crate::lsdb::LsaKey;
use crate::time::{Duration, Instant};
use crate::timer::NeighborTimer;
use crate::wire::{BodyRepr, List, LsRequestEntry, LsRequestRepr};

impl Instance {
    /// Sends the head of the request list (as much as fits in one packet).
    pub(crate) fn send_ls_request(&mut self, now: Instant, ii: usize, ni: usize) {
        let max = (self.body_budget(ii) / 12).max(1);
        let n = &self.interfaces[ii].neighbors[ni];
        if n.ls_req.is_empty() {
            return;
        }
        let mut last = None;
        let entries: Vec<LsRequestEntry> = n
            .ls_req
            .keys()
            .take(max)
            .map(|k| {
                last = Some(*k);
                LsRequestEntry {
                    lsa_type: u32::from(k.lsa_type),
                    lsid: k.lsid,
                    adv_router: k.adv_router,
                }
            })
            .collect();
        let rxmt = Duration::from_secs(u64::from(self.interfaces[ii].config.rxmt_interval));
        let dst = self.nbr_dst(ii, ni);
        self.send(
            ii,
            dst,
            BodyRepr::LsRequest(LsRequestRepr {
                entries: List::Slice(&entries),
            }),
        );
        let n = &mut self.interfaces[ii].neighbors[ni];
        n.lsr_last = last;
        n.timers.set(NeighborTimer::LsRequestRxmt, now + rxmt);
    }

    /// Sends the next LS Request once the previous one is answered, and raises
    /// LoadingDone when the list is empty (for every neighbor).
    pub(crate) fn progress_exchanges(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            let mut ni = 0;
            while ni < self.interfaces[ii].neighbors.len() {
                let n = &self.interfaces[ii].neighbors[ni];
                match n.state {
                    NeighborState::Exchange | NeighborState::Loading => {
                        let answered = match n.lsr_last {
                            None => true,
                            Some(last) => n.ls_req.range(..=last).next().is_none(),
                        };
                        if n.state == NeighborState::Loading && n.ls_req.is_empty() {
                            self.nbr_event(now, ii, ni, NeighborEvent::LoadingDone);
                        } else if answered && !n.ls_req.is_empty() {
                            self.send_ls_request(now, ii, ni);
                        } else if answered {
                            let n = &mut self.interfaces[ii].neighbors[ni];
                            n.lsr_last = None;
                            n.timers.stop(NeighborTimer::LsRequestRxmt);
                        }
                    }
                    _ => {}
                }
                ni += 1;
            }
        }
    }

    /// Receives a Link State Request (§10.7): sends the LSAs asked for (each once, however
    /// often it is listed), or raises BadLSReq for one we do not have.
    pub(crate) fn recv_ls_request(
        &mut self,
        now: Instant,
        ii: usize,
        ni: usize,
        r: &LsRequestRepr<'_>,
    ) -> Result<(), DropReason> {
        let state = self.interfaces[ii].neighbors[ni].state;
        if !matches!(
            state,
            NeighborState::Exchange | NeighborState::Loading | NeighborState::Full
        ) {
            return Err(DropReason::WrongState);
        }
        let mut keys: Vec<LsaKey> = Vec::with_capacity(r.entries.len());
        let mut seen: BTreeSet<LsaKey> = BTreeSet::new();
        for e in r.entries.iter() {
            let Ok(t) = u8::try_from(e.lsa_type) else {
                self.nbr_event(now, ii, ni, NeighborEvent::BadLsReq);
                return Ok(());
            };
            let key = LsaKey {
                lsa_type: t,
                lsid: e.lsid,
                adv_router: e.adv_router,
            };
            let found = self
                .scope_on(ii, &key)
                .and_then(|s| self.lsdb_of(s))
                .is_some_and(|d| d.get(&key).is_some());
            if !found {
                self.nbr_event(now, ii, ni, NeighborEvent::BadLsReq);
                return Ok(());
            }
            // An LSA listed twice in one request is sent once: a request repeating an
            // entry must not multiply our answer (amplification).
            if seen.insert(key) {
                keys.push(key);
            }
        }
        let dst = self.nbr_dst(ii, ni);
        self.send_lsas(now, ii, dst, &keys);
        Ok(())
    }
}
