//! The runtime side of anycast services ([`crate::service`]): their checkers, their
//! health reports and drains, and the last-one-standing look at the LSDB after each route
//! calculation. The policy itself is [`super::anycast`].

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ospf_core::lsdb::MAX_AGE;
use ospf_core::wire::{LinkType, LsaType, RouterLsa};
use tracing::{info, warn};

use super::Runtime;
use super::handle::{Error, Event, ServiceRef};
use crate::service::{Service, ServiceStatus};

impl Runtime {
    /// Adds an anycast service: its address follows the service's own health, failure
    /// action and drain from now on, and its checks (if any) start.
    pub fn add_service(&mut self, mut service: Service) -> Result<(), Error> {
        let addr = service.prefix.addr();
        if self.anycast.services.contains_key(&addr) {
            return Err(crate::service::ServiceError::DuplicatePrefix(service.prefix).into());
        }
        if self.anycast.service_addr(&service.name).is_some() {
            return Err(crate::service::ServiceError::DuplicateName(service.name.clone()).into());
        }
        if !self.is_configured_loopback(addr) {
            warn!(
                service = %service.name, %addr,
                "service address is not (yet) a loopback address covered by a `network` line: not announced until it is"
            );
        }
        #[cfg(feature = "health")]
        let checker = service.checker.take();
        self.anycast.add_service(&service);
        #[cfg(feature = "health")]
        if let Some(checker) = checker {
            let handle = self.handle();
            let name = service.name.clone();
            let monitor = checker.spawn_with(move |ev| {
                match &ev.last_error {
                    Some(err) => info!(service = %name, state = %ev.state, probes = ev.probes, "health check: {}", err.detail()),
                    None => info!(service = %name, state = %ev.state, probes = ev.probes, "health check"),
                }
                handle.report_service_health(addr, ev.state == crate::health::HealthState::Up);
            })?;
            self.service_monitors.push(monitor);
        }
        info!(service = %service.name, %addr, action = %service.on_failure, "anycast service added");
        self.services_changed();
        Ok(())
    }

    /// The state of every service.
    pub fn services(&self) -> Vec<ServiceStatus> {
        self.anycast
            .service_status(&|addr| self.is_configured_loopback(addr))
    }

    fn service_addr(&self, r: &ServiceRef) -> Result<Ipv4Addr, Error> {
        match r {
            ServiceRef::Addr(a) if self.anycast.services.contains_key(a) => Ok(*a),
            ServiceRef::Addr(a) => Err(Error::UnknownService(a.to_string())),
            ServiceRef::Name(n) => self
                .anycast
                .service_addr(n)
                .or_else(|| {
                    // An address names its service too.
                    n.parse::<Ipv4Addr>()
                        .ok()
                        .filter(|a| self.anycast.services.contains_key(a))
                })
                .ok_or_else(|| Error::UnknownService(n.clone())),
        }
    }

    /// A service's health report (from its checker or the API).
    pub(crate) fn set_service_health(&mut self, r: &ServiceRef, up: bool) -> Result<(), Error> {
        let addr = self.service_addr(r)?;
        if self.anycast.set_service_health(addr, up) {
            info!(service = %self.anycast.services[&addr].name, healthy = up, "service health");
            self.services_changed();
        }
        Ok(())
    }

    /// An operator's drain (or undrain) of one service.
    pub(crate) fn drain_service(&mut self, r: &ServiceRef, drained: bool) -> Result<(), Error> {
        let addr = self.service_addr(r)?;
        if self.anycast.set_service_drained(addr, drained) {
            info!(service = %self.anycast.services[&addr].name, drained, "service drain");
            self.services_changed();
        }
        Ok(())
    }

    /// Runs every health check now.
    pub(crate) fn recheck(&mut self) {
        info!("health checks: re-checking now");
        #[cfg(feature = "health")]
        {
            if let Some(m) = &self.health {
                m.recheck();
            }
            for m in &self.service_monitors {
                m.recheck();
            }
        }
    }

    /// After a route calculation: whether another router announces each failing service
    /// healthy changed the announcements.
    pub(crate) fn services_after_spf(&mut self) {
        if self.anycast.services.values().any(|s| s.watches_others()) && self.refresh_services() {
            self.services_changed();
        }
    }

    /// Recomputes [`ServiceState::healthy_elsewhere`](super::anycast::ServiceState) of the
    /// services that need it; true if one changed.
    fn refresh_services(&mut self) -> bool {
        let watched: Vec<Ipv4Addr> = self
            .anycast
            .services
            .iter()
            .filter(|(_, s)| s.watches_others())
            .map(|(a, _)| *a)
            .collect();
        let mut changed = false;
        for addr in watched {
            let below = self.anycast.services[&addr].degrade_cost;
            let elsewhere = self.announced_healthy_elsewhere(addr, below);
            let s = self.anycast.services.get_mut(&addr).expect("watched");
            if s.healthy_elsewhere != elsewhere {
                s.healthy_elsewhere = elsewhere;
                changed = true;
            }
        }
        changed
    }

    /// Whether a router other than this one, reachable in the last route calculation,
    /// announces `addr/32` as a stub with a cost below `below` (healthy).
    fn announced_healthy_elsewhere(&self, addr: Ipv4Addr, below: u16) -> bool {
        let reachable: BTreeSet<Ipv4Addr> = self
            .ospf
            .route_calculation()
            .reachable_routers()
            .into_iter()
            .map(|r| r.router_id)
            .collect();
        let now = self.now();
        self.ospf.lsdb(now).any(|lsa| {
            lsa.header.lsa_type == LsaType::Router
                && !lsa.self_originated
                && lsa.header.age < MAX_AGE
                && reachable.contains(&lsa.header.adv_router)
                && RouterLsa::parse(
                    lsa.raw
                        .get(ospf_core::wire::LSA_HEADER_LEN..)
                        .unwrap_or(&[]),
                )
                .is_ok_and(|r| {
                    r.links.iter().any(|l| {
                        l.link_type == LinkType::Stub
                            && l.id == addr
                            && l.data == Ipv4Addr::BROADCAST
                            && l.metric < below
                    })
                })
        })
    }

    /// Applies the services' state to the engine and tells subscribers about each
    /// service whose health, drain or announcement changed since the last call.
    fn services_changed(&mut self) {
        self.refresh_services();
        let binding = self.binding.clone();
        self.apply_binding(binding);
        self.drain();
        let now = self.services();
        for new in &now {
            let old = self.services_seen.iter().find(|o| o.name == new.name);
            if old == Some(new) {
                continue;
            }
            if old.is_none_or(|o| o.announcement != new.announcement) {
                info!(service = %new.name, announcement = %new.announcement, "service address");
            }
            self.emit(Event::Service {
                name: new.name.clone(),
                address: new.address,
                healthy: new.healthy,
                announcement: new.announcement,
            });
        }
        self.services_seen = now;
    }
}
