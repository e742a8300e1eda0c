//! The anycast policy: which configured loopback addresses are announced (health, drain,
//! one-by-one withdrawal, services with their own health, failure action and drain, host
//! stub costs) and which prefixes are announced as externals.
//!
//! Pure bookkeeping: the runtime asks [`Anycast::announces`] and [`Anycast::cost`] when it
//! binds interfaces and applies the answers to the engine; it tells each service whether
//! another router announces its address healthy ([`ServiceState::healthy_elsewhere`]).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant as StdInstant};

use crate::Prefix;
use crate::service::{Announcement, OnFailure, Service, ServiceStatus};

/// The policy state of one service ([`crate::service`]).
#[derive(Debug, Clone)]
pub(crate) struct ServiceState {
    pub(crate) name: String,
    pub(crate) on_failure: OnFailure,
    pub(crate) degrade_cost: u16,
    pub(crate) last_one_standing: bool,
    pub(crate) healthy: bool,
    pub(crate) drained: bool,
    /// Another router of the area announces the address healthy (reachable, with a stub
    /// cost below `degrade_cost`), as of the last route calculation.
    pub(crate) healthy_elsewhere: bool,
    pub(crate) transitions: u64,
    /// Anycast weight of the address (1–255), announced while the address is.
    pub(crate) weight: Option<u8>,
}

impl ServiceState {
    pub(crate) fn new(s: &Service) -> ServiceState {
        ServiceState {
            name: s.name.clone(),
            on_failure: s.on_failure,
            degrade_cost: s.degrade_cost,
            last_one_standing: s.last_one_standing,
            healthy: s.initially_healthy,
            drained: false,
            healthy_elsewhere: false,
            transitions: 0,
            weight: s.weight,
        }
    }

    /// How the address is announced, by this service's own state.
    pub(crate) fn announcement(&self) -> Announcement {
        if self.drained {
            Announcement::Withdrawn
        } else if self.healthy {
            Announcement::Announced
        } else {
            match self.on_failure {
                OnFailure::Degrade => Announcement::Degraded,
                OnFailure::Withdraw if self.held_as_last() => Announcement::Degraded,
                OnFailure::Withdraw => Announcement::Withdrawn,
            }
        }
    }

    /// Whether the last-one-standing rule keeps the address (degraded) now.
    pub(crate) fn held_as_last(&self) -> bool {
        self.watches_others() && !self.healthy_elsewhere
    }

    /// Whether the runtime must know [`ServiceState::healthy_elsewhere`] for this service:
    /// it fails, would be withdrawn, and the last-one-standing rule applies.
    pub(crate) fn watches_others(&self) -> bool {
        !self.drained
            && !self.healthy
            && self.on_failure == OnFailure::Withdraw
            && self.last_one_standing
    }
}

/// What is announced, and why not.
#[derive(Debug, Clone)]
pub(crate) struct Anycast {
    /// Loopback addresses taken out one by one (`withdraw`).
    pub(crate) withdrawn: BTreeSet<Prefix>,
    /// Host stub costs of loopback addresses (`announce PREFIX metric N`).
    pub(crate) costs: BTreeMap<Prefix, u16>,
    /// Prefixes announced as external routes, with their metric.
    pub(crate) externals: BTreeMap<Prefix, Option<u32>>,
    /// The service is healthy.
    pub(crate) healthy: bool,
    /// A drain is under way (since when).
    pub(crate) drain: Option<StdInstant>,
    /// The services, by address.
    pub(crate) services: BTreeMap<Ipv4Addr, ServiceState>,
}

impl Default for Anycast {
    fn default() -> Self {
        Anycast {
            withdrawn: BTreeSet::new(),
            costs: BTreeMap::new(),
            externals: BTreeMap::new(),
            healthy: true,
            drain: None,
            services: BTreeMap::new(),
        }
    }
}

impl Anycast {
    /// Whether a configured loopback address is announced now. Addresses of 127/8 are
    /// always kept (they are the router's own, not a service's).
    ///
    /// The address of a service follows the service's state; the others follow the
    /// speaker's health ([`Anycast::healthy`]).
    pub(crate) fn announces(&self, addr: Ipv4Addr) -> bool {
        if addr.is_loopback() {
            return true;
        }
        if self.drain.is_some() || self.withdrawn.contains(&Prefix::host(addr)) {
            return false;
        }
        match self.services.get(&addr) {
            Some(s) => s.announcement() != Announcement::Withdrawn,
            None => self.healthy,
        }
    }

    /// The host stub cost of a loopback address: a degraded service's degrade cost, else
    /// the cost set for it (`announce PREFIX metric N`), else 0.
    pub(crate) fn cost(&self, addr: Ipv4Addr) -> u16 {
        match self.services.get(&addr) {
            Some(s) if s.announcement() == Announcement::Degraded => s.degrade_cost,
            _ => self.costs.get(&Prefix::host(addr)).copied().unwrap_or(0),
        }
    }

    /// The anycast weight of a loopback address: its service's, if any.
    pub(crate) fn weight(&self, addr: Ipv4Addr) -> Option<u8> {
        self.services.get(&addr).and_then(|s| s.weight)
    }

    /// Sets a service's weight; true if it changed.
    pub(crate) fn set_service_weight(&mut self, addr: Ipv4Addr, weight: Option<u8>) -> bool {
        match self.services.get_mut(&addr) {
            Some(s) if s.weight != weight => {
                s.weight = weight;
                true
            }
            _ => false,
        }
    }

    /// Adds a service (its address must not have one yet).
    pub(crate) fn add_service(&mut self, s: &Service) {
        self.services.insert(s.prefix.addr(), ServiceState::new(s));
    }

    /// The address of the service named `name`.
    pub(crate) fn service_addr(&self, name: &str) -> Option<Ipv4Addr> {
        self.services
            .iter()
            .find(|(_, s)| s.name == name)
            .map(|(a, _)| *a)
    }

    /// Records a service's health; true if it changed.
    pub(crate) fn set_service_health(&mut self, addr: Ipv4Addr, up: bool) -> bool {
        match self.services.get_mut(&addr) {
            Some(s) if s.healthy != up => {
                s.healthy = up;
                s.transitions += 1;
                true
            }
            _ => false,
        }
    }

    /// Drains (or undrains) a service; true if that changed anything.
    pub(crate) fn set_service_drained(&mut self, addr: Ipv4Addr, drained: bool) -> bool {
        match self.services.get_mut(&addr) {
            Some(s) if s.drained != drained => {
                s.drained = drained;
                true
            }
            _ => false,
        }
    }

    /// The state of every service; `bound(addr)`: whether the address is a bound loopback
    /// address of this host.
    pub(crate) fn service_status(&self, bound: &dyn Fn(Ipv4Addr) -> bool) -> Vec<ServiceStatus> {
        self.services
            .iter()
            .map(|(addr, s)| {
                let announcement = if !bound(*addr) {
                    Announcement::Absent
                } else if !self.announces(*addr) {
                    Announcement::Withdrawn
                } else {
                    s.announcement()
                };
                ServiceStatus {
                    name: s.name.clone(),
                    address: *addr,
                    healthy: s.healthy,
                    drained: s.drained || self.drain.is_some(),
                    on_failure: s.on_failure,
                    degrade_cost: s.degrade_cost,
                    last_one_standing: s.last_one_standing,
                    held_as_last: s.held_as_last() && self.drain.is_none(),
                    announcement,
                    health_transitions: s.transitions,
                    weight: s.weight,
                }
            })
            .collect()
    }

    /// Takes a loopback address out; false if it already was.
    pub(crate) fn withdraw(&mut self, p: Prefix) -> bool {
        self.withdrawn.insert(p)
    }

    /// Puts a loopback address back; false if it was not withdrawn one by one.
    pub(crate) fn restore(&mut self, p: Prefix) -> bool {
        self.withdrawn.remove(&p)
    }

    /// Whether a drain has run for at least `settle` (the caller checks the flooding).
    pub(crate) fn drain_settled(&self, now: StdInstant, settle: Duration) -> bool {
        self.drain
            .is_some_and(|since| now.saturating_duration_since(since) >= settle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
    const B: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 2);

    #[test]
    fn health_drain_and_withdrawal_each_take_addresses_out() {
        let mut a = Anycast::default();
        assert!(a.announces(A) && a.announces(B));
        assert!(a.withdraw(Prefix::host(A)));
        assert!(!a.withdraw(Prefix::host(A)), "already withdrawn");
        assert!(!a.announces(A) && a.announces(B));
        a.healthy = false;
        assert!(!a.announces(B));
        assert!(a.announces(Ipv4Addr::LOCALHOST), "127/8 is never withdrawn");
        a.healthy = true;
        let t = StdInstant::now();
        a.drain = Some(t);
        assert!(!a.announces(B));
        assert!(!a.drain_settled(t, Duration::from_millis(200)));
        assert!(a.drain_settled(t + Duration::from_millis(200), Duration::from_millis(200)));
        a.drain = None;
        assert!(a.restore(Prefix::host(A)));
        assert!(!a.restore(Prefix::host(A)));
        assert!(a.announces(A));
    }

    fn service(name: &str, addr: Ipv4Addr, action: OnFailure) -> Service {
        Service::new(name, Prefix::host(addr))
            .unwrap()
            .on_failure(action)
            .degrade_cost(5000)
            .unwrap()
    }

    #[test]
    fn a_failing_service_is_withdrawn_only_while_another_server_is_healthy() {
        let mut a = Anycast::default();
        a.add_service(&service("web", A, OnFailure::Withdraw));
        assert!(a.announces(A) && a.cost(A) == 0);
        // Fails while nobody else announces it healthy: kept, degraded.
        assert!(a.set_service_health(A, false));
        assert!(!a.set_service_health(A, false), "no change");
        assert!(a.services[&A].watches_others());
        assert!(a.announces(A), "last one standing");
        assert_eq!(a.cost(A), 5000);
        assert!(a.services[&A].held_as_last());
        // A healthy server elsewhere: withdrawn.
        a.services.get_mut(&A).unwrap().healthy_elsewhere = true;
        assert!(!a.announces(A));
        // Without the rule: withdrawn even when alone.
        let mut b = Anycast::default();
        b.add_service(&service("web", A, OnFailure::Withdraw).last_one_standing(false));
        b.set_service_health(A, false);
        assert!(!b.announces(A));
        assert!(!b.services[&A].watches_others());
        // The speaker's own health does not touch a service's address.
        a.healthy = false;
        a.services.get_mut(&A).unwrap().healthy_elsewhere = false;
        assert!(a.announces(A) && !a.announces(B));
    }

    #[test]
    fn a_degrading_service_stays_with_its_degrade_cost_and_a_drain_withdraws_it() {
        let mut a = Anycast::default();
        a.add_service(&service("dns", A, OnFailure::Degrade));
        a.costs.insert(Prefix::host(A), 10);
        assert_eq!(a.cost(A), 10, "healthy: its own cost");
        a.set_service_health(A, false);
        assert!(a.announces(A));
        assert_eq!(a.cost(A), 5000);
        assert!(
            !a.services[&A].watches_others(),
            "degrade never looks around"
        );
        // An operator drain withdraws whatever the health and the rule.
        assert!(a.set_service_drained(A, true));
        assert!(!a.set_service_drained(A, true));
        assert!(!a.announces(A));
        a.set_service_health(A, true);
        assert!(!a.announces(A), "drained and healthy: still out");
        assert!(a.set_service_drained(A, false));
        assert!(a.announces(A) && a.cost(A) == 10);
        assert_eq!(a.service_addr("dns"), Some(A));
        assert_eq!(a.service_addr("web"), None);
    }

    #[test]
    fn service_status_says_how_each_address_is_announced() {
        let mut a = Anycast::default();
        a.add_service(&service("web", A, OnFailure::Withdraw));
        a.add_service(&service("dns", B, OnFailure::Degrade));
        a.set_service_health(A, false);
        a.set_service_health(B, false);
        let st = a.service_status(&|addr| addr == A);
        assert_eq!(st.len(), 2);
        let web = st.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.announcement, Announcement::Degraded);
        assert!(web.held_as_last && !web.healthy && web.health_transitions == 1);
        let dns = st.iter().find(|s| s.name == "dns").unwrap();
        assert_eq!(dns.announcement, Announcement::Absent, "not bound");
        a.drain = Some(StdInstant::now());
        let st = a.service_status(&|_| true);
        assert!(
            st.iter()
                .all(|s| s.announcement == Announcement::Withdrawn && s.drained)
        );
    }

    #[test]
    fn host_costs_default_to_zero() {
        let mut a = Anycast::default();
        assert_eq!(a.cost(A), 0);
        a.costs.insert(Prefix::host(A), 100);
        assert_eq!(a.cost(A), 100);
        assert_eq!(a.cost(B), 0);
    }
}
