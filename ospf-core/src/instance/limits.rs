//! What the LSDB limits do beyond refusing the excess (issue 14):
//!
//! * Cisco's `max-lsa N ignore-time M ignore-count C reset-time R`, applied to the
//!   *offending neighbor* (the one from which an LSA was refused because the LSDB was
//!   full) rather than to the whole process as IOS does: that neighbor is taken down and
//!   ignored for a while, the other adjacencies and the LSDB stay
//!   ([`IgnorePolicy`](crate::config::IgnorePolicy));
//! * RFC 1765's OverflowState for non-default AS-external LSAs
//!   ([`InstanceConfig::max_external_lsas`](crate::config::InstanceConfig::max_external_lsas)).
//!
//! Both run on the caller's clock: their deadlines are part of `poll_timeout`.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{Event, Instance};
use crate::lsdb::{LsaKey, Scope};
use crate::neighbor::NeighborEvent;
use crate::time::Instant;
use crate::wire::LsaType;

/// At most this many router IDs are remembered as offenders (a forged-ID storm cannot
/// grow the table: only neighbors that reached Exchange can offend, and those are
/// bounded per interface; this is a backstop).
const MAX_IGNORED: usize = 1024;

/// One offending router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offender {
    /// Ignored until then (`None`: not ignored now, only remembered for its count).
    pub(crate) until: Option<Instant>,
    /// Ignore periods in a row.
    pub(crate) count: u32,
    /// The count restarts from zero at this instant if there is no new offence.
    pub(crate) forget_at: Instant,
}

/// The state of the limits.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    /// Offending neighbors by router ID.
    pub(crate) offenders: BTreeMap<Ipv4Addr, Offender>,
    /// In RFC 1765's OverflowState since then.
    pub(crate) overflow_since: Option<Instant>,
    /// When OverflowState is next left, if the external count allows.
    pub(crate) overflow_exit_at: Option<Instant>,
    /// Times OverflowState was entered.
    pub(crate) overflow_entries: u64,
    /// A neighbor (interface, router ID) offended during the current LS Update.
    pub(crate) offence: Option<(usize, Ipv4Addr)>,
}

impl Limits {
    /// The earliest deadline of the limits.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let offenders = self
            .offenders
            .values()
            .map(|o| o.until.map_or(o.forget_at, |u| u.min(o.forget_at)));
        offenders.chain(self.overflow_exit_at).min()
    }

    /// True when packets of `router_id` are dropped now.
    pub(crate) fn is_ignored(&self, router_id: Ipv4Addr, now: Instant) -> bool {
        self.offenders
            .get(&router_id)
            .and_then(|o| o.until)
            .is_some_and(|u| now < u)
    }
}

/// A neighbor ignored because of the LSDB limit, for `show ip ospf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnoredNeighbor {
    /// Its router ID.
    pub router_id: Ipv4Addr,
    /// Ignored until then.
    pub until: Instant,
    /// Ignore periods in a row, this one included.
    pub count: u32,
}

/// The state of the LSDB limits, for `show ip ospf`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitState {
    /// LSAs held (all scopes).
    pub lsa_count: usize,
    /// Non-default AS-external LSAs held (RFC 1765's count).
    pub external_count: usize,
    /// In OverflowState since then (RFC 1765).
    pub overflow_since: Option<Instant>,
    /// When the instance next tries to leave OverflowState.
    pub overflow_exit_at: Option<Instant>,
    /// Times OverflowState was entered.
    pub overflow_entries: u64,
    /// Neighbors ignored now, by router ID.
    pub ignored: Vec<IgnoredNeighbor>,
}

/// True for an AS-external LSA that counts for RFC 1765: not the default route.
pub(crate) fn is_non_default_external(key: &LsaKey) -> bool {
    key.lsa_type == 5 && !key.lsid.is_unspecified()
}

impl Instance {
    /// The state of the LSDB limits at `now`.
    pub fn limit_state(&self, now: Instant) -> LimitState {
        LimitState {
            lsa_count: self.lsa_count,
            external_count: self.external_count,
            overflow_since: self.limits.overflow_since,
            overflow_exit_at: self.limits.overflow_exit_at,
            overflow_entries: self.limits.overflow_entries,
            ignored: self
                .limits
                .offenders
                .iter()
                .filter_map(|(rid, o)| {
                    o.until.filter(|u| now < *u).map(|until| IgnoredNeighbor {
                        router_id: *rid,
                        until,
                        count: o.count,
                    })
                })
                .collect(),
        }
    }

    /// True in RFC 1765's OverflowState.
    pub fn is_overflowed(&self) -> bool {
        self.limits.overflow_since.is_some()
    }

    /// Notes that an LSA from neighbor `ni` on `ii` was refused for the total limit: with
    /// an ignore policy, that neighbor is taken down at the end of its LS Update.
    pub(crate) fn note_offence(&mut self, ii: usize, ni: usize) {
        if self.config.lsa_limit_ignore.is_some() && self.limits.offence.is_none() {
            let rid = self.interfaces[ii].neighbors[ni].router_id;
            self.limits.offence = Some((ii, rid));
        }
    }

    /// Takes the offending neighbor of the current LS Update down and starts ignoring
    /// it (see [`IgnorePolicy`](crate::config::IgnorePolicy)). Returns true when it was.
    pub(crate) fn punish_offender(&mut self, now: Instant) -> bool {
        let Some((ii, rid)) = self.limits.offence.take() else {
            return false;
        };
        let Some(policy) = self.config.lsa_limit_ignore else {
            return false;
        };
        if self.limits.offenders.len() >= MAX_IGNORED && !self.limits.offenders.contains_key(&rid) {
            // Make room: forget the offender whose count restarts first.
            if let Some(old) = self
                .limits
                .offenders
                .iter()
                .filter(|(_, o)| o.until.is_none())
                .min_by_key(|(_, o)| o.forget_at)
                .map(|(r, _)| *r)
            {
                self.limits.offenders.remove(&old);
            } else {
                return false;
            }
        }
        let o = self.limits.offenders.entry(rid).or_insert(Offender {
            until: None,
            count: 0,
            forget_at: now,
        });
        o.count = o.count.saturating_add(1);
        let period = if o.count > policy.ignore_count {
            // The count is used up: out for the reset time, every time, until it has
            // behaved for the reset time (then its entry is forgotten).
            policy.reset_time
        } else {
            policy.ignore_time
        };
        let until = now + period;
        o.until = Some(until);
        o.forget_at = until + policy.reset_time;
        let count = o.count;
        let ifindex = self.interfaces[ii].ifindex;
        // Every adjacency with that router ID goes: its packets are dropped on every
        // interface (parallel links, or a virtual link to an adjacent router).
        for jj in 0..self.interfaces.len() {
            if let Some(ni) = self.interfaces[jj]
                .neighbors
                .iter()
                .position(|n| n.router_id == rid)
            {
                self.nbr_event(now, jj, ni, NeighborEvent::KillNbr);
            }
        }
        self.event(Event::NeighborIgnored {
            ifindex,
            router_id: rid,
            until,
            count,
        });
        true
    }

    /// Runs the deadlines of the limits: ignore periods that end, counts that restart,
    /// and the attempt to leave OverflowState.
    pub(crate) fn run_limit_timers(&mut self, now: Instant) {
        let mut ended = Vec::new();
        self.limits.offenders.retain(|rid, o| {
            if o.until.is_some_and(|u| u <= now) {
                o.until = None;
                ended.push(*rid);
            }
            o.until.is_some() || now < o.forget_at
        });
        for router_id in ended {
            self.event(Event::NeighborIgnoreEnded { router_id });
        }
        if self.limits.overflow_exit_at.is_some_and(|t| t <= now) {
            self.try_leave_overflow(now);
        }
    }

    /// RFC 1765 §2.2: called when the non-default AS-external count changed.
    pub(crate) fn check_overflow(&mut self, now: Instant) {
        let Some(limit) = self.config.max_external_lsas else {
            return;
        };
        if self.limits.overflow_since.is_some() || self.external_count < limit {
            return;
        }
        self.limits.overflow_since = Some(now);
        self.limits.overflow_entries += 1;
        self.limits.overflow_exit_at = self.config.exit_overflow_interval.map(|d| now + d);
        // Flush our own non-default AS-external LSAs (they are rebuilt as "not wanted").
        let rid = self.router_id;
        let own: Vec<LsaKey> = self
            .as_lsdb
            .iter()
            .filter(|(k, e)| {
                k.adv_router == rid && is_non_default_external(k) && !e.is_max_age(now)
            })
            .map(|(k, _)| *k)
            .collect();
        for key in own {
            self.dirty.insert((Scope::As, key));
        }
        self.event(Event::Overflow {
            entered: true,
            external_count: self.external_count,
        });
    }

    /// RFC 1765 §2.4: leaves OverflowState if the count is below the limit, else tries
    /// again after ExitOverflowInterval.
    fn try_leave_overflow(&mut self, now: Instant) {
        let limit = self.config.max_external_lsas.unwrap_or(usize::MAX);
        if self.external_count >= limit {
            self.limits.overflow_exit_at = self.config.exit_overflow_interval.map(|d| now + d);
            return;
        }
        self.limits.overflow_since = None;
        self.limits.overflow_exit_at = None;
        // Our redistributed prefixes are announced again.
        self.mark_all_externals();
        self.event(Event::Overflow {
            entered: false,
            external_count: self.external_count,
        });
    }

    /// RFC 1765 §2.3.2: no non-default AS-external LSA of ours while in OverflowState.
    pub(crate) fn overflow_suppresses(&self, key: &LsaKey) -> bool {
        self.limits.overflow_since.is_some()
            && key.ls_type() == LsaType::AsExternal
            && is_non_default_external(key)
    }
}
