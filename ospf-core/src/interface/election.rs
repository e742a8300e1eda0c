//! The Designated Router election (RFC 2328 §9.4): who becomes DR and BDR. Its outcome
//! is applied by the interface state machine (`fsm.rs`).

use alloc::vec::Vec;
use core::net::Ipv4Addr;

/// One router taking part in the DR election.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) router_id: Ipv4Addr,
    pub(crate) address: Ipv4Addr,
    pub(crate) priority: u8,
    /// The DR it declares (an address, 0.0.0.0 if none).
    pub(crate) dr: Ipv4Addr,
    /// The BDR it declares.
    pub(crate) bdr: Ipv4Addr,
}

impl Candidate {
    fn declares_dr(&self) -> bool {
        self.dr == self.address
    }
    fn declares_bdr(&self) -> bool {
        self.bdr == self.address
    }
    fn rank(&self) -> (u8, Ipv4Addr) {
        (self.priority, self.router_id)
    }
}

/// Elects the BDR then the DR among `cands` (RFC 2328 §9.4 steps 2 and 3); returns their
/// addresses (0.0.0.0 for none). Candidates with priority 0 must not be passed.
fn elect_once(cands: &[Candidate]) -> (Ipv4Addr, Ipv4Addr) {
    let best = |it: &mut dyn Iterator<Item = &Candidate>| -> Option<Candidate> {
        it.max_by_key(|c| c.rank()).copied()
    };
    // Step 2: BDR among those not declaring themselves DR.
    let bdr = best(
        &mut cands
            .iter()
            .filter(|c| !c.declares_dr() && c.declares_bdr()),
    )
    .or_else(|| best(&mut cands.iter().filter(|c| !c.declares_dr())));
    // Step 3: DR among those declaring themselves DR, else the new BDR.
    let dr = best(&mut cands.iter().filter(|c| c.declares_dr())).or(bdr);
    let addr = |c: Option<Candidate>| c.map_or(Ipv4Addr::UNSPECIFIED, |c| c.address);
    (addr(dr), addr(bdr))
}

/// The whole §9.4 election: `me` is the calculating router (with its current DR/BDR),
/// `others` the neighbors in state 2-Way or higher. Returns the new (DR, BDR) addresses.
pub(crate) fn elect_dr(me: Candidate, others: &[Candidate]) -> (Ipv4Addr, Ipv4Addr) {
    let mut cands: Vec<Candidate> = others.iter().filter(|c| c.priority > 0).copied().collect();
    let me_idx = if me.priority > 0 {
        cands.push(me);
        Some(cands.len() - 1)
    } else {
        None
    };
    let (mut dr, mut bdr) = elect_once(&cands);
    // Step 4: if we newly became or stopped being DR or BDR, repeat steps 2 and 3.
    let was_dr = me.dr == me.address;
    let was_bdr = me.bdr == me.address;
    let is_dr = dr == me.address;
    let is_bdr = bdr == me.address;
    if let Some(i) = me_idx {
        if was_dr != is_dr || was_bdr != is_bdr {
            cands[i].dr = dr;
            cands[i].bdr = bdr;
            (dr, bdr) = elect_once(&cands);
        }
    }
    (dr, bdr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: u8, prio: u8, dr: u8, bdr: u8) -> Candidate {
        let a = |x: u8| {
            if x == 0 {
                Ipv4Addr::UNSPECIFIED
            } else {
                Ipv4Addr::new(10, 0, 0, x)
            }
        };
        Candidate {
            router_id: Ipv4Addr::new(id, 0, 0, 0),
            address: a(id),
            priority: prio,
            dr: a(dr),
            bdr: a(bdr),
        }
    }

    #[test]
    fn rfc2328_9_4_highest_priority_wins_fresh_network() {
        // Seen from router 1: no one declares anything yet, so the best (2) is elected
        // BDR and promoted to DR; 1's own status did not change, so no second pass.
        let me = c(1, 1, 0, 0);
        let others = [c(2, 5, 0, 0), c(3, 3, 0, 0), c(4, 0, 0, 0)];
        let two = Ipv4Addr::new(10, 0, 0, 2);
        assert_eq!(elect_dr(me, &others), (two, two));
        // Seen from router 2: it becomes DR, so step 4 re-runs and 3 becomes BDR.
        let me = c(2, 5, 0, 0);
        let others = [c(1, 1, 0, 0), c(3, 3, 0, 0), c(4, 0, 0, 0)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, two);
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 3));
    }

    #[test]
    fn rfc2328_9_4_existing_dr_is_kept() {
        // Router 5 (priority 1) is DR already; a higher-priority newcomer does not preempt.
        let me = c(9, 200, 0, 0);
        let others = [c(5, 1, 5, 6), c(6, 1, 5, 6)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 5));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 6));
    }

    #[test]
    fn rfc2328_9_4_priority_zero_never_elected() {
        let me = c(1, 0, 0, 0);
        let others = [c(2, 0, 0, 0)];
        assert_eq!(
            elect_dr(me, &others),
            (Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED)
        );
    }

    #[test]
    fn rfc2328_9_4_router_id_breaks_ties() {
        let me = c(7, 1, 0, 0);
        let others = [c(1, 1, 0, 0), c(3, 1, 0, 0)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 7));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 3));
    }

    #[test]
    fn rfc2328_9_4_bdr_promoted_when_dr_leaves() {
        // Old DR (2) is gone; we (3) were BDR: we become DR, 4 becomes BDR.
        let me = c(3, 1, 2, 3);
        let others = [c(4, 1, 2, 3)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 3));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 4));
    }
}
