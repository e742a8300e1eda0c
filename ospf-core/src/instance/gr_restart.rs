//! Graceful restart, restarting side (RFC 3623 §2): the first step of a planned restart.
//!
//! [`Instance::graceful_restart_prepare`] originates a Grace-LSA (link-local opaque type
//! 3, [`GraceLsa`]) on every active interface, with the grace period, the reason and the
//! interface's address, and floods it to the opaque-capable neighbors. Once every
//! neighbor has acknowledged it, [`Event::GracefulRestartReady`] is reported (once): the
//! process may then exit without [`Instance::shutdown`] (which would flush our LSAs),
//! leaving its routes in the forwarding table for the new process.
//!
//! What the new process does (re-forming adjacencies without originating or flushing
//! LSAs, §2.2, and leaving restarting mode, §2.3) is not implemented yet.

use alloc::vec::Vec;

use super::{ConfigError, Event, Instance};
use crate::lsdb::{LsaKey, Scope};
use crate::time::Instant;
use crate::wire::{GraceLsa, LsaType, RestartReason};

/// The longest grace period (RFC 3623 Appendix B: LSRefreshTime, 1800 s; FRR's limit).
pub const MAX_GRACE_PERIOD: u32 = 1800;

/// A planned restart in preparation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RestartState {
    pub(crate) grace_period: u32,
    pub(crate) reason: RestartReason,
    pub(crate) ready_reported: bool,
}

impl Instance {
    /// Prepares a planned graceful restart (RFC 3623 §2.1, FRR's `graceful-restart
    /// prepare ip ospf`): originates and floods a Grace-LSA with `grace_period` seconds
    /// (1-1800) and `reason` on every active interface; [`Event::GracefulRestartReady`]
    /// follows once every neighbor has acknowledged it. Calling it again restarts the
    /// grace period with new Grace-LSAs.
    pub fn graceful_restart_prepare(
        &mut self,
        now: Instant,
        grace_period: u32,
        reason: RestartReason,
    ) -> Result<(), ConfigError> {
        if !(1..=MAX_GRACE_PERIOD).contains(&grace_period) {
            return Err(ConfigError::Invalid("grace period (1-1800 s)"));
        }
        self.clock = self.clock.max(now);
        self.gr_restart = Some(RestartState {
            grace_period,
            reason,
            ready_reported: false,
        });
        let key = self.grace_key();
        let scopes: Vec<Scope> = (0..self.interfaces.len())
            .filter(|&ii| self.interfaces[ii].is_active())
            .map(|ii| Scope::Link(self.interfaces[ii].ifindex))
            .collect();
        for scope in scopes {
            // A new instance even when the body is unchanged: the age restarts the
            // grace period at the neighbors.
            super::origin::Refresh::force(self, now, scope, key);
        }
        self.after_input(now);
        Ok(())
    }

    /// True once a planned restart was prepared and every neighbor acknowledged our
    /// Grace-LSAs.
    pub fn is_graceful_restart_ready(&self) -> bool {
        self.gr_restart.is_some() && self.is_flooding_acknowledged()
    }

    /// The key of our Grace-LSA (opaque ID 0, as FRR and BIRD).
    pub(crate) fn grace_key(&self) -> LsaKey {
        LsaKey::new(LsaType::OpaqueLink, GraceLsa::lsid(0), self.router_id)
    }

    /// The body of our Grace-LSA on interface `ifindex`, while a restart is prepared.
    pub(crate) fn grace_body(&self, ifindex: u32) -> Option<Vec<u8>> {
        let r = self.gr_restart?;
        let ii = self.iface_idx(ifindex)?;
        let g = GraceLsa {
            grace_period: Some(r.grace_period),
            reason: Some(r.reason),
            interface_address: Some(self.interfaces[ii].config.address),
        };
        let mut body = alloc::vec![0u8; g.buffer_len()];
        g.emit(&mut body).ok()?;
        Some(body)
    }

    /// Reports [`Event::GracefulRestartReady`] once the Grace-LSAs are acknowledged.
    pub(crate) fn gr_restart_progress(&mut self) {
        if self
            .gr_restart
            .is_some_and(|r| !r.ready_reported && self.is_flooding_acknowledged())
        {
            if let Some(r) = self.gr_restart.as_mut() {
                r.ready_reported = true;
            }
            self.event(Event::GracefulRestartReady);
        }
    }
}
