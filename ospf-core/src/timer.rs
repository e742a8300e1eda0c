//! The engine's timers, kept in tables keyed by what they time.
//!
//! Every object that runs timers (the instance, each interface, each neighbor) holds one
//! [`TimerTable`]: a fixed array of deadlines indexed by a timer enum ([`InstanceTimer`],
//! [`InterfaceTimer`], [`NeighborTimer`]). Timers are armed and stopped only through the
//! table's methods, and `Instance::poll_timeout` is the minimum over all tables (and over
//! the per-LSA MinLSInterval deadlines of deferred originations, which are keyed by LSA).
//!
//! The tables need neither an allocator nor a clock: deadlines are the caller's
//! [`Instant`]s.

use core::marker::PhantomData;

use crate::time::Instant;

/// A kind of timer: an enum whose variants index a [`TimerTable`].
pub(crate) trait TimerKind: Copy {
    /// Position of this timer in its table.
    fn index(self) -> usize;
}

/// Declares a timer enum with its table index and the list of all its variants.
macro_rules! timer_kind {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $idx:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name {
            $( $(#[$vmeta])* $variant = $idx ),+
        }

        impl $name {
            /// Number of timers of this kind (the table's size).
            pub(crate) const COUNT: usize = [$($name::$variant),+].len();
        }

        impl TimerKind for $name {
            fn index(self) -> usize {
                self as usize
            }
        }
    };
}

timer_kind! {
    /// Timers of the instance as a whole.
    InstanceTimer {
        /// The LSDB walk (every second): aging to MaxAge and its flood (RFC 2328 §14),
        /// LSRefreshTime refresh of our own LSAs (§12.4), CheckAge checksum verification.
        LsdbWalk = 0,
        /// The next route calculation (§16), as scheduled by the SPF delay/hold-down.
        Spf = 1,
        /// The end of the grace period of a graceful restart in progress (RFC 3623 §2.3).
        GraceRestart = 2,
    }
}

timer_kind! {
    /// Timers of one interface (RFC 2328 §9).
    InterfaceTimer {
        /// The Wait timer (§9.4): RouterDeadInterval in state Waiting.
        Wait = 0,
        /// The next Hello (§9.5): HelloInterval minus jitter.
        Hello = 1,
        /// Delayed acknowledgments (§13.5).
        DelayedAck = 2,
    }
}

timer_kind! {
    /// Timers of one neighbor (RFC 2328 §10).
    NeighborTimer {
        /// Inactivity timer (§10.2): RouterDeadInterval since the last Hello. Always armed
        /// while the neighbor exists.
        Inactivity = 0,
        /// A slave keeps its last DD packet for RouterDeadInterval after ExchangeDone
        /// (§10.8), to answer a retransmitted DD from the master.
        DdHold = 1,
        /// Retransmission of the last DD packet (§10.8): master, or both sides in ExStart.
        DdRxmt = 2,
        /// Retransmission of the LS Request in flight (§10.9).
        LsRequestRxmt = 3,
        /// Retransmission of the Link State Retransmission list (§13.6).
        LsRxmt = 4,
        /// The end of the grace period while we help the neighbor restart (RFC 3623 §3.2).
        GracePeriod = 5,
    }
}

/// The deadlines of one object's timers, indexed by the timer enum `K`; `N` is `K::COUNT`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerTable<K, const N: usize> {
    at: [Option<Instant>; N],
    kind: PhantomData<K>,
}

/// The instance's timers.
pub(crate) type InstanceTimers = TimerTable<InstanceTimer, { InstanceTimer::COUNT }>;
/// An interface's timers.
pub(crate) type InterfaceTimers = TimerTable<InterfaceTimer, { InterfaceTimer::COUNT }>;
/// A neighbor's timers.
pub(crate) type NeighborTimers = TimerTable<NeighborTimer, { NeighborTimer::COUNT }>;

impl<K: TimerKind + core::fmt::Debug, const N: usize> core::fmt::Debug for TimerTable<K, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.at.iter().flatten()).finish()
    }
}

impl<K: TimerKind, const N: usize> Default for TimerTable<K, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: TimerKind, const N: usize> TimerTable<K, N> {
    /// A table with every timer stopped.
    pub(crate) const fn new() -> Self {
        TimerTable {
            at: [None; N],
            kind: PhantomData,
        }
    }

    /// The deadline of `timer`, if armed.
    pub(crate) fn get(&self, timer: K) -> Option<Instant> {
        self.at[timer.index()]
    }

    /// True when `timer` is armed and its deadline is at or before `now`.
    pub(crate) fn is_due(&self, timer: K, now: Instant) -> bool {
        self.get(timer).is_some_and(|t| t <= now)
    }

    /// Arms `timer` for `at` (replacing any earlier deadline).
    pub(crate) fn set(&mut self, timer: K, at: Instant) {
        self.at[timer.index()] = Some(at);
    }

    /// Arms `timer` for `at` unless it is armed already (an earlier arming stands).
    pub(crate) fn set_if_stopped(&mut self, timer: K, at: Instant) {
        let slot = &mut self.at[timer.index()];
        if slot.is_none() {
            *slot = Some(at);
        }
    }

    /// Brings `timer` forward to `at` if it is stopped or due later.
    pub(crate) fn set_no_later(&mut self, timer: K, at: Instant) {
        let slot = &mut self.at[timer.index()];
        *slot = Some(slot.map_or(at, |t| t.min(at)));
    }

    /// Brings an armed `timer` forward to `at` if it is due later; a stopped one stays
    /// stopped.
    pub(crate) fn advance_to(&mut self, timer: K, at: Instant) {
        let slot = &mut self.at[timer.index()];
        *slot = slot.map(|t| t.min(at));
    }

    /// Stops `timer`.
    pub(crate) fn stop(&mut self, timer: K) {
        self.at[timer.index()] = None;
    }

    /// Stops `timer` and returns true if it was due at `now` (it fires); otherwise
    /// leaves it as it is and returns false.
    pub(crate) fn expire(&mut self, timer: K, now: Instant) -> bool {
        if self.is_due(timer, now) {
            self.stop(timer);
            true
        } else {
            false
        }
    }

    /// The earliest armed deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.at.iter().flatten().min().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_arms_stops_and_reports_the_minimum() {
        let mut t = NeighborTimers::new();
        assert_eq!(t.next(), None);
        t.set(NeighborTimer::Inactivity, Instant::from_secs(40));
        t.set(NeighborTimer::LsRxmt, Instant::from_secs(5));
        assert_eq!(t.next(), Some(Instant::from_secs(5)));
        t.set_if_stopped(NeighborTimer::LsRxmt, Instant::from_secs(1));
        assert_eq!(t.get(NeighborTimer::LsRxmt), Some(Instant::from_secs(5)));
        t.advance_to(NeighborTimer::LsRxmt, Instant::from_secs(2));
        assert_eq!(t.get(NeighborTimer::LsRxmt), Some(Instant::from_secs(2)));
        t.advance_to(NeighborTimer::DdRxmt, Instant::from_secs(1));
        assert_eq!(t.get(NeighborTimer::DdRxmt), None);
        t.set_no_later(NeighborTimer::DdRxmt, Instant::from_secs(3));
        assert_eq!(t.get(NeighborTimer::DdRxmt), Some(Instant::from_secs(3)));
        assert!(!t.expire(NeighborTimer::DdRxmt, Instant::from_secs(2)));
        assert!(t.expire(NeighborTimer::DdRxmt, Instant::from_secs(3)));
        assert_eq!(t.get(NeighborTimer::DdRxmt), None);
        t.stop(NeighborTimer::LsRxmt);
        assert_eq!(t.next(), Some(Instant::from_secs(40)));
        assert_eq!(NeighborTimer::COUNT, 6);
        assert_eq!(InterfaceTimer::COUNT, 3);
        assert_eq!(InstanceTimer::COUNT, 3);
    }
}
