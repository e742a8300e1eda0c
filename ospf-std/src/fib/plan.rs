//! Planning of kernel FIB updates: which nexthop objects, groups and routes to create,
//! re-point or delete for a batch of route changes. Pure bookkeeping, no I/O, so that the
//! sharing rules are tested without a kernel.
//!
//! Rules:
//! * one nexthop object per distinct (gateway, ifindex), shared by all groups using it
//!   (the weight belongs to the group's member entry, not to the object);
//! * one group per distinct next-hop set, shared by all routes using it;
//! * when every route of a group moves to the same new set (a server leaves or joins),
//!   the group itself is rewritten in place: one request, and a resilient group keeps
//!   the buckets of the surviving members (also when only the weights change: the kernel
//!   then moves only the buckets the new weights ask for);
//! * objects no longer used are deleted after the routes that used them.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::{NextHop, NextHopSet, Prefix, RouteChange};

/// A fast hasher for small keys we generate ourselves (prefixes, ids, next hops); the
/// keys come from our own route calculation, not from the network, so a keyed hash is
/// not needed. (Multiply-rotate, as in rustc's FxHasher.)
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Obj {
    pub(crate) id: u32,
    pub(crate) refs: u32,
}

/// One kernel request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// Create a nexthop object.
    NewNh { id: u32, nh: NextHop },
    /// Create (`replace == false`) or rewrite a group: members as (object id, weight).
    SetGroup {
        id: u32,
        members: Vec<(u32, u16)>,
        replace: bool,
    },
    /// Create or replace a route pointing at a group.
    SetRoute { prefix: Prefix, group: u32 },
    /// Delete a route.
    DelRoute { prefix: Prefix },
    /// Delete a nexthop object or group.
    DelObj { id: u32 },
    /// Create or replace a blackhole route (no next hop; not planned here).
    SetBlackhole { prefix: Prefix },
}

/// The nexthop object of a next hop: its gateway and interface (weight 1: weights are
/// per group member).
fn object(nh: NextHop) -> NextHop {
    NextHop { weight: 1, ..nh }
}

/// What the kernel holds on our behalf.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) nhs: FastMap<NextHop, Obj>,
    pub(crate) groups: FastMap<NextHopSet, Obj>,
    /// Group id -> its next-hop set.
    pub(crate) sets: FastMap<u32, NextHopSet>,
    /// Prefix -> the group id it points at.
    pub(crate) routes: FastMap<Prefix, u32>,
    ids: FastSet<u32>,
    next_id: u32,
}

/// What a graceful restart's takeover keeps when the kernel refuses a replacement:
/// for each prefix whose route was left by the earlier run, the route stays as it was
/// (RFC 3623: the old forwarding state is better than none). Taken-over routes of ours
/// ([`Table::adopt`]) keep their group, its next-hop set and its members' objects;
/// routes of the earlier run outside our bookkeeping are listed in `foreign`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Keep {
    routes: FastMap<Prefix, u32>,
    sets: FastMap<u32, NextHopSet>,
    nhs: FastMap<NextHop, u32>,
    pub(crate) foreign: FastSet<Prefix>,
}

impl Keep {
    pub(crate) fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.foreign.is_empty()
    }

    /// The objects (groups and their members) that stay if the replacement of these
    /// failed `ops` is refused: their deletion must wait.
    pub(crate) fn held_ids(&self, failed: &[&Op]) -> FastSet<u32> {
        let mut ids = FastSet::default();
        let mut hold = |id: u32| {
            if let Some(set) = self.sets.get(&id) {
                ids.insert(id);
                ids.extend(
                    set.iter()
                        .filter_map(|nh| self.nhs.get(&object(*nh)).copied()),
                );
            }
        };
        for op in failed {
            match op {
                Op::SetRoute { prefix, .. } => {
                    if let Some(id) = self.routes.get(prefix) {
                        hold(*id);
                    }
                }
                Op::SetGroup {
                    id, replace: true, ..
                } => hold(*id),
                _ => {}
            }
        }
        ids
    }
}

#[derive(Debug, Default)]
struct Phases {
    nhs: Vec<Op>,
    groups: Vec<Op>,
    routes: Vec<Op>,
    del_groups: Vec<Op>,
    del_nhs: Vec<Op>,
}

impl Table {
    pub(crate) fn new(first_id: u32) -> Self {
        Table {
            next_id: first_id.max(1),
            ..Default::default()
        }
    }

    /// Marks ids as taken (nexthop objects of an earlier run still in the kernel).
    pub(crate) fn reserve_ids(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.ids.extend(ids);
    }

    /// Takes over nexthop objects, groups and routes an earlier run left in the kernel
    /// (a graceful restart), as if this table had created them.
    pub(crate) fn adopt(
        &mut self,
        nhs: &[(NextHop, u32)],
        groups: &[(NextHopSet, u32)],
        routes: &[(Prefix, u32)],
    ) {
        for (nh, id) in nhs {
            self.ids.insert(*id);
            self.nhs.insert(*nh, Obj { id: *id, refs: 0 });
        }
        for (set, id) in groups {
            self.ids.insert(*id);
            self.groups.insert(set.clone(), Obj { id: *id, refs: 0 });
            self.sets.insert(*id, set.clone());
            for nh in set.iter() {
                if let Some(o) = self.nhs.get_mut(nh) {
                    o.refs += 1;
                }
            }
        }
        for (p, id) in routes {
            if let Some(set) = self.sets.get(id) {
                if let Some(o) = self.groups.get_mut(set) {
                    o.refs += 1;
                    self.routes.insert(*p, *id);
                }
            }
        }
    }

    /// What to keep of the routes of `prefixes` (routes of an earlier run, all of them)
    /// should their replacement be refused: see [`Keep`].
    pub(crate) fn keep_for(&self, prefixes: impl IntoIterator<Item = Prefix>) -> Keep {
        let mut k = Keep::default();
        for p in prefixes {
            let Some((id, set)) = self
                .routes
                .get(&p)
                .and_then(|id| Some((*id, self.sets.get(id)?)))
            else {
                k.foreign.insert(p);
                continue;
            };
            k.routes.insert(p, id);
            for nh in set.iter() {
                if let Some(o) = self.nhs.get(&object(*nh)) {
                    k.nhs.insert(object(*nh), o.id);
                }
            }
            k.sets.insert(id, set.clone());
        }
        k
    }

    /// Puts group `id` of `keep` back as it was (with its members' objects).
    fn restore_group(&mut self, keep: &Keep, id: u32) -> bool {
        let Some(set) = keep.sets.get(&id) else {
            return false;
        };
        if let Some(now) = self.sets.remove(&id) {
            if self.groups.get(&now).is_some_and(|o| o.id == id) {
                self.groups.remove(&now);
            }
        }
        for nh in set.iter() {
            if let Some(nid) = keep.nhs.get(&object(*nh)) {
                self.nhs
                    .entry(object(*nh))
                    .or_insert(Obj { id: *nid, refs: 0 });
                self.ids.insert(*nid);
            }
        }
        self.groups.insert(set.clone(), Obj { id, refs: 0 });
        self.sets.insert(id, set.clone());
        self.ids.insert(id);
        true
    }

    /// The next-hop set of an installed route.
    pub(crate) fn route(&self, prefix: &Prefix) -> Option<&NextHopSet> {
        self.routes.get(prefix).and_then(|id| self.sets.get(id))
    }

    fn alloc_id(&mut self) -> u32 {
        loop {
            let id = self.next_id;
            // Past the top, continue from 1: the id space is far larger than any table.
            self.next_id = self.next_id.checked_add(1).unwrap_or(1);
            if self.ids.insert(id) {
                return id;
            }
        }
    }

    fn nh_ref(&mut self, nh: NextHop, ph: &mut Phases) -> u32 {
        let nh = object(nh);
        if let Some(o) = self.nhs.get_mut(&nh) {
            o.refs += 1;
            return o.id;
        }
        let id = self.alloc_id();
        self.nhs.insert(nh, Obj { id, refs: 1 });
        ph.nhs.push(Op::NewNh { id, nh });
        id
    }

    fn nh_unref(&mut self, nh: &NextHop) {
        if let Some(o) = self.nhs.get_mut(&object(*nh)) {
            o.refs = o.refs.saturating_sub(1);
        }
    }

    fn members(&mut self, set: &NextHopSet, ph: &mut Phases) -> Vec<(u32, u16)> {
        set.iter()
            .map(|nh| (self.nh_ref(*nh, ph), nh.weight))
            .collect()
    }

    fn group_ref(&mut self, set: &NextHopSet, ph: &mut Phases) -> u32 {
        if let Some(o) = self.groups.get_mut(set) {
            o.refs += 1;
            return o.id;
        }
        let members = self.members(set, ph);
        let id = self.alloc_id();
        self.groups.insert(set.clone(), Obj { id, refs: 1 });
        self.sets.insert(id, set.clone());
        ph.groups.push(Op::SetGroup {
            id,
            members,
            replace: false,
        });
        id
    }

    fn group_unref(&mut self, id: u32) {
        if let Some(set) = self.sets.get(&id) {
            if let Some(o) = self.groups.get_mut(set) {
                o.refs = o.refs.saturating_sub(1);
            }
        }
    }

    /// Plans `changes`, updating the bookkeeping as if every request succeeds. The
    /// requests come back in an order the kernel accepts: new nexthops, groups, routes,
    /// then deletion of unused groups and nexthops.
    pub(crate) fn plan(&mut self, changes: &[RouteChange]) -> Vec<Op> {
        // The last change per prefix wins: walk backwards, keep first sightings.
        let mut seen: FastSet<Prefix> = FastSet::default();
        seen.reserve(changes.len());
        let mut work: Vec<(Prefix, Option<&NextHopSet>)> = Vec::with_capacity(changes.len());
        for c in changes.iter().rev() {
            if seen.insert(c.prefix()) {
                let t = match c {
                    RouteChange::Add(r) | RouteChange::Replace(r) if !r.nexthops.is_empty() => {
                        Some(&r.nexthops)
                    }
                    // An empty set is refused (reported by the caller): leave the route.
                    RouteChange::Add(_) | RouteChange::Replace(_) => continue,
                    // Blackholes are the caller's (KernelFib); here a delete.
                    RouteChange::Delete(_) | RouteChange::Blackhole(_) => None,
                };
                work.push((c.prefix(), t));
            }
        }
        work.reverse();
        let mut ph = Phases::default();

        // In-place group rewrites: every route of group X moves to the same new set Y,
        // and Y has no group yet.
        let mut moves: FastMap<u32, (Option<&NextHopSet>, u32)> = FastMap::default();
        for (p, t) in &work {
            let (Some(y), Some(x)) = (t, self.routes.get(p)) else {
                continue;
            };
            if self.groups.contains_key(*y) {
                continue; // Y exists already (possibly X itself): a plain re-point.
            }
            let e = moves.entry(*x).or_insert((Some(*y), 0));
            if e.0
                .is_some_and(|prev| !std::ptr::eq(prev, *y) && prev != *y)
            {
                e.0 = None;
            }
            e.1 += 1;
        }
        let mut rekeys: Vec<(u32, &NextHopSet)> = Vec::new();
        let mut claimed: FastSet<&NextHopSet> = FastSet::default();
        for (x, (y, count)) in &moves {
            let Some(y) = y else { continue };
            let refs = self
                .sets
                .get(x)
                .and_then(|s| self.groups.get(s))
                .map_or(0, |g| g.refs);
            if refs == *count && claimed.insert(*y) {
                rekeys.push((*x, *y));
            }
        }
        rekeys.sort_unstable_by_key(|r| r.0);
        for (id, y) in rekeys {
            let members = self.members(y, &mut ph);
            let Some(x) = self.sets.remove(&id) else {
                continue;
            };
            for nh in x.iter() {
                self.nh_unref(nh);
            }
            let Some(obj) = self.groups.remove(&x) else {
                continue;
            };
            self.groups.insert(y.clone(), obj);
            self.sets.insert(id, y.clone());
            ph.groups.push(Op::SetGroup {
                id,
                members,
                replace: true,
            });
        }

        for (p, t) in work {
            let cur = self.routes.get(&p).copied();
            match (t, cur) {
                (None, None) => {}
                (None, Some(old)) => {
                    self.routes.remove(&p);
                    self.group_unref(old);
                    ph.routes.push(Op::DelRoute { prefix: p });
                }
                (Some(new), old) => {
                    if let Some(old) = old {
                        if self.sets.get(&old) == Some(new) {
                            continue;
                        }
                    }
                    let group = self.group_ref(new, &mut ph);
                    if let Some(old) = old {
                        self.group_unref(old);
                    }
                    self.routes.insert(p, group);
                    ph.routes.push(Op::SetRoute { prefix: p, group });
                }
            }
        }
        self.collect_garbage(&mut ph);
        let Phases {
            mut nhs,
            groups,
            routes,
            del_groups,
            del_nhs,
        } = ph;
        nhs.extend(groups);
        nhs.extend(routes);
        nhs.extend(del_groups);
        nhs.extend(del_nhs);
        nhs
    }

    fn collect_garbage(&mut self, ph: &mut Phases) {
        let dead: Vec<NextHopSet> = self
            .groups
            .iter()
            .filter(|(_, o)| o.refs == 0)
            .map(|(s, _)| s.clone())
            .collect();
        for set in dead {
            if let Some(o) = self.groups.remove(&set) {
                self.ids.remove(&o.id);
                self.sets.remove(&o.id);
                ph.del_groups.push(Op::DelObj { id: o.id });
                for nh in set.iter() {
                    self.nh_unref(nh);
                }
            }
        }
        let dead: Vec<NextHop> = self
            .nhs
            .iter()
            .filter(|(_, o)| o.refs == 0)
            .map(|(n, _)| *n)
            .collect();
        for nh in dead {
            if let Some(o) = self.nhs.remove(&nh) {
                self.ids.remove(&o.id);
                ph.del_nhs.push(Op::DelObj { id: o.id });
            }
        }
    }

    /// Brings the bookkeeping back in line with the kernel after some requests of a plan
    /// failed, and returns the clean-up requests to send (their failures can be ignored).
    ///
    /// The routes of `keep` (a graceful restart's takeover) whose replacement failed
    /// stay as the earlier run left them, in the kernel and here: their old group (not
    /// rewritten, since that failed) and its members, which the caller must not have
    /// deleted meanwhile ([`Keep::held_ids`]).
    pub(crate) fn repair(&mut self, failed: &[&Op], keep: &Keep) -> Vec<Op> {
        let mut cleanup = Vec::new();
        for op in failed {
            match op {
                Op::NewNh { id, .. } => self.nhs.retain(|_, o| o.id != *id),
                Op::SetGroup {
                    id, replace: true, ..
                } if self.restore_group(keep, *id) => {}
                Op::SetRoute { prefix, .. } if keep.foreign.contains(prefix) => {
                    // The earlier run's route is still there: it stays (not ours to track).
                    self.routes.remove(prefix);
                }
                Op::SetRoute { prefix, .. } if keep.routes.contains_key(prefix) => {
                    let old = keep.routes[prefix];
                    if self.sets.get(&old) != keep.sets.get(&old) {
                        self.restore_group(keep, old);
                    }
                    self.routes.insert(*prefix, old);
                }
                Op::SetGroup { id, replace, .. } => {
                    if let Some(set) = self.sets.remove(id) {
                        self.groups.remove(&set);
                    }
                    if *replace {
                        // The group still exists with its old members: remove it (and
                        // with it every route that uses it).
                        cleanup.push(Op::DelObj { id: *id });
                    }
                }
                Op::SetRoute { prefix, .. } => {
                    self.routes.remove(prefix);
                    // A failed replace leaves the old route behind.
                    cleanup.push(Op::DelRoute { prefix: *prefix });
                }
                Op::DelRoute { .. } | Op::DelObj { .. } | Op::SetBlackhole { .. } => {}
            }
        }
        // Drop groups that lost a member object, and routes that lost their group.
        let broken: Vec<NextHopSet> = self
            .groups
            .keys()
            .filter(|s| s.iter().any(|nh| !self.nhs.contains_key(nh)))
            .cloned()
            .collect();
        for s in broken {
            if let Some(o) = self.groups.remove(&s) {
                self.sets.remove(&o.id);
                cleanup.push(Op::DelObj { id: o.id });
            }
        }
        let sets = &self.sets;
        self.routes.retain(|_, id| sets.contains_key(id));
        // Recount references from scratch.
        for o in self.groups.values_mut() {
            o.refs = 0;
        }
        for o in self.nhs.values_mut() {
            o.refs = 0;
        }
        for id in self.routes.values() {
            if let Some(o) = self.sets.get(id).and_then(|s| self.groups.get_mut(s)) {
                o.refs += 1;
            }
        }
        for s in self.groups.keys() {
            for nh in s.iter() {
                if let Some(o) = self.nhs.get_mut(nh) {
                    o.refs += 1;
                }
            }
        }
        let mut ph = Phases::default();
        self.collect_garbage(&mut ph);
        cleanup.extend(ph.del_groups);
        cleanup.extend(ph.del_nhs);
        // Ids of objects that are gone may be reused.
        let live: FastSet<u32> = self
            .groups
            .values()
            .chain(self.nhs.values())
            .map(|o| o.id)
            .collect();
        self.ids.retain(|id| live.contains(id));
        cleanup
    }

    /// Forgets everything (after a flush).
    pub(crate) fn clear(&mut self) {
        self.nhs.clear();
        self.groups.clear();
        self.sets.clear();
        self.routes.clear();
        self.ids.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::Route;
    use super::*;
    use std::net::Ipv4Addr;

    fn nh(last: u8) -> NextHop {
        NextHop::new(Ipv4Addr::new(10, 0, 0, last), 7)
    }

    fn pfx(i: u32) -> Prefix {
        Prefix::try_new(Ipv4Addr::from(0x0a80_0000 + (i << 8)), 24).unwrap()
    }

    fn add(i: u32, hops: &[u8]) -> RouteChange {
        RouteChange::Add(Route::new(pfx(i), hops.iter().map(|h| nh(*h))))
    }

    fn count(ops: &[Op], f: impl Fn(&Op) -> bool) -> usize {
        ops.iter().filter(|o| f(o)).count()
    }

    #[test]
    fn adopted_objects_serve_the_same_set_unchanged_and_go_when_unused() {
        // An earlier run left group 50 (next hops 40, 41) with two routes, and group 60
        // (next hop 42) with one.
        let mut t = Table::new(1000);
        let a: NextHopSet = [nh(2), nh(3)].into_iter().collect();
        let b: NextHopSet = [nh(4)].into_iter().collect();
        t.adopt(
            &[(nh(2), 40), (nh(3), 41), (nh(4), 42)],
            &[(a.clone(), 50), (b.clone(), 60)],
            &[(pfx(1), 50), (pfx(2), 50), (pfx(3), 60)],
        );
        // The same routes again: nothing to do in the kernel (no flow moves).
        let ops = t.plan(&[add(1, &[2, 3]), add(2, &[2, 3])]);
        assert!(ops.is_empty(), "{ops:?}");
        // A new route with the adopted set shares its group.
        let ops = t.plan(&[add(4, &[3, 2])]);
        assert_eq!(
            ops,
            vec![Op::SetRoute {
                prefix: pfx(4),
                group: 50
            }]
        );
        // New ids never collide with adopted ones.
        let ops = t.plan(&[add(5, &[5])]);
        assert!(ops.iter().all(|o| match o {
            Op::NewNh { id, .. } | Op::SetGroup { id, .. } => ![40, 41, 42, 50, 60].contains(id),
            _ => true,
        }));
        // The last route of group 60 goes: the group and its next hop with it.
        let ops = t.plan(&[RouteChange::Delete(pfx(3))]);
        assert_eq!(
            ops,
            vec![
                Op::DelRoute { prefix: pfx(3) },
                Op::DelObj { id: 60 },
                Op::DelObj { id: 42 }
            ]
        );
        assert_eq!(t.route(&pfx(1)), Some(&a));
        assert!(!t.groups.contains_key(&b));
    }

    #[test]
    fn one_group_per_distinct_set_shared_by_routes() {
        let mut t = Table::new(1000);
        let changes: Vec<_> = (0..100).map(|i| add(i, &[2, 3, 4, 5])).collect();
        let ops = t.plan(&changes);
        assert_eq!(count(&ops, |o| matches!(o, Op::NewNh { .. })), 4);
        assert_eq!(count(&ops, |o| matches!(o, Op::SetGroup { .. })), 1);
        assert_eq!(count(&ops, |o| matches!(o, Op::SetRoute { .. })), 100);
        // Order: nexthops, then the group, then routes.
        assert!(matches!(ops[0], Op::NewNh { .. }));
        assert!(matches!(ops[4], Op::SetGroup { replace: false, .. }));
        assert!(matches!(ops[5], Op::SetRoute { .. }));
        assert_eq!(t.groups.len(), 1);
        assert_eq!(t.groups.values().next().unwrap().refs, 100);
        assert!(t.nhs.values().all(|o| o.refs == 1));
        // A route with a different set gets its own group, reusing nexthop objects.
        let ops = t.plan(&[add(500, &[2, 3])]);
        assert_eq!(count(&ops, |o| matches!(o, Op::NewNh { .. })), 0);
        assert_eq!(count(&ops, |o| matches!(o, Op::SetGroup { .. })), 1);
        assert_eq!(t.nhs[&nh(2)].refs, 2);
    }

    #[test]
    fn path_change_rewrites_one_group_in_place() {
        let mut t = Table::new(1);
        let changes: Vec<_> = (0..50).map(|i| add(i, &[2, 3, 4, 5])).collect();
        t.plan(&changes);
        let gid = t.groups.values().next().unwrap().id;
        let nh4 = t.nhs[&nh(4)].id;
        // Server 4 leaves: every route moves from {2,3,4,5} to {2,3,5}.
        let changes: Vec<_> = (0..50)
            .map(|i| match add(i, &[2, 3, 5]) {
                RouteChange::Add(r) => RouteChange::Replace(r),
                c => c,
            })
            .collect();
        let ops = t.plan(&changes);
        assert_eq!(
            ops,
            vec![
                Op::SetGroup {
                    id: gid,
                    members: vec![
                        (t.nhs[&nh(2)].id, 1),
                        (t.nhs[&nh(3)].id, 1),
                        (t.nhs[&nh(5)].id, 1)
                    ],
                    replace: true
                },
                Op::DelObj { id: nh4 },
            ]
        );
        assert_eq!(t.groups.len(), 1);
        assert!(t.routes.keys().all(|p| t.route(p).unwrap().len() == 3));
        // It comes back: the same group again.
        let ops = t.plan(&(0..50).map(|i| add(i, &[2, 3, 4, 5])).collect::<Vec<_>>());
        assert_eq!(
            count(
                &ops,
                |o| matches!(o, Op::SetGroup { id, replace: true, .. } if *id == gid)
            ),
            1
        );
        assert_eq!(count(&ops, |o| matches!(o, Op::SetRoute { .. })), 0);
        assert_eq!(count(&ops, |o| matches!(o, Op::NewNh { .. })), 1);
    }

    /// A weight change (2:1:1 -> 1:1:1 and back) rewrites the group in place with the
    /// same nexthop objects and the new weights: no new object, no route re-pointed, so a
    /// resilient group keeps every bucket the new weights allow.
    #[test]
    fn weight_change_rewrites_the_group_in_place() {
        let weighted = |i: u32, w: [u16; 3]| {
            let hops = [2u8, 3, 4]
                .iter()
                .zip(w)
                .map(|(g, w)| nh(*g).with_weight(w));
            RouteChange::Replace(Route::new(pfx(i), hops))
        };
        let mut t = Table::new(1);
        let ops = t.plan(&[weighted(0, [2, 1, 1])]);
        assert_eq!(count(&ops, |o| matches!(o, Op::NewNh { .. })), 3);
        let gid = t.groups.values().next().unwrap().id;
        let ids = [t.nhs[&nh(2)].id, t.nhs[&nh(3)].id, t.nhs[&nh(4)].id];
        assert!(ops.contains(&Op::SetGroup {
            id: gid,
            members: vec![(ids[0], 2), (ids[1], 1), (ids[2], 1)],
            replace: false
        }));
        let ops = t.plan(&[weighted(0, [1, 1, 1])]);
        assert_eq!(
            ops,
            vec![Op::SetGroup {
                id: gid,
                members: vec![(ids[0], 1), (ids[1], 1), (ids[2], 1)],
                replace: true
            }]
        );
        assert_eq!(t.nhs.len(), 3);
        assert!(t.nhs.values().all(|o| o.refs == 1));
        let ops = t.plan(&[weighted(0, [1, 1, 7])]);
        assert!(
            matches!(&ops[..], [Op::SetGroup { id, replace: true, members }]
            if *id == gid && members[2] == (ids[2], 7))
        );
        // Deleting the route frees the group and the three objects.
        let ops = t.plan(&[RouteChange::Delete(pfx(0))]);
        assert_eq!(count(&ops, |o| matches!(o, Op::DelObj { .. })), 4);
        assert!(t.nhs.is_empty() && t.groups.is_empty());
    }

    #[test]
    fn partial_move_repoints_routes_and_keeps_old_group() {
        let mut t = Table::new(1);
        t.plan(&(0..4).map(|i| add(i, &[2, 3])).collect::<Vec<_>>());
        let ops = t.plan(&[add(0, &[2])]);
        assert_eq!(
            count(&ops, |o| matches!(o, Op::SetGroup { replace: false, .. })),
            1
        );
        assert_eq!(count(&ops, |o| matches!(o, Op::SetRoute { .. })), 1);
        assert_eq!(t.groups.len(), 2);
        // Deleting the rest frees the old group and nexthop 3, not nexthop 2.
        let ops = t.plan(
            &(1..4)
                .map(|i| RouteChange::Delete(pfx(i)))
                .collect::<Vec<_>>(),
        );
        assert_eq!(count(&ops, |o| matches!(o, Op::DelRoute { .. })), 3);
        assert_eq!(count(&ops, |o| matches!(o, Op::DelObj { .. })), 2);
        assert!(matches!(ops[3], Op::DelObj { .. }));
        assert_eq!(t.nhs.len(), 1);
        assert!(t.nhs.contains_key(&nh(2)));
    }

    #[test]
    fn unchanged_and_absent_routes_send_nothing() {
        let mut t = Table::new(1);
        t.plan(&[add(0, &[2])]);
        assert!(t.plan(&[add(0, &[2])]).is_empty());
        assert!(t.plan(&[RouteChange::Delete(pfx(9))]).is_empty());
        // Last change per prefix wins within a batch.
        let ops = t.plan(&[RouteChange::Delete(pfx(0)), add(0, &[2])]);
        assert!(ops.is_empty());
        // An empty set leaves the route as it is (the caller reports it).
        assert!(t.plan(&[add(0, &[])]).is_empty());
        assert_eq!(t.route(&pfx(0)).unwrap().len(), 1);
    }

    #[test]
    fn failed_nexthop_drops_dependent_group_and_routes() {
        let mut t = Table::new(1);
        let ops = t.plan(&[add(0, &[2, 3]), add(1, &[2])]);
        let bad = ops
            .iter()
            .find(|o| matches!(o, Op::NewNh { nh: n, .. } if *n == nh(3)))
            .unwrap()
            .clone();
        let group23 = t.groups[&[nh(2), nh(3)].into_iter().collect::<NextHopSet>()].id;
        let failed: Vec<&Op> = ops
            .iter()
            .filter(|o| {
                **o == bad
                    || matches!(o, Op::SetGroup { id, .. } if *id == group23)
                    || matches!(o, Op::SetRoute { prefix, .. } if *prefix == pfx(0))
            })
            .collect();
        let cleanup = t.repair(&failed, &Keep::default());
        assert!(cleanup.contains(&Op::DelRoute { prefix: pfx(0) }));
        assert_eq!(t.routes.len(), 1);
        assert!(t.routes.contains_key(&pfx(1)));
        assert_eq!(t.groups.len(), 1);
        assert_eq!(t.nhs.len(), 1);
        assert_eq!(t.nhs[&nh(2)].refs, 1);
        // The table still plans correctly afterwards.
        let ops = t.plan(&[add(0, &[2])]);
        assert_eq!(ops.len(), 1);
        assert!(matches!(ops[0], Op::SetRoute { .. }));
    }

    #[test]
    fn ids_are_unique_and_reused_after_free() {
        let mut t = Table::new(u32::MAX - 1);
        t.plan(&[add(0, &[2])]);
        let a = t.nhs[&nh(2)].id;
        let g = t.groups.values().next().unwrap().id;
        assert_ne!(a, g);
        t.plan(&[RouteChange::Delete(pfx(0))]);
        assert!(t.nhs.is_empty() && t.groups.is_empty());
        t.plan(&[add(1, &[3])]);
        assert_eq!(t.nhs[&nh(3)].id, 1);
        assert_eq!(t.groups.values().next().unwrap().id, 2);
        t.plan(&[add(2, &[4])]);
        assert_eq!(t.nhs[&nh(4)].id, 3);
        assert_eq!((a, g), (u32::MAX - 1, u32::MAX));
    }

    fn set(hops: &[u8]) -> NextHopSet {
        hops.iter().map(|h| nh(*h)).collect()
    }

    /// The requests of `ops` that the kernel refused when it refuses next hop `bad`:
    /// that object, every group holding it, and every route re-pointed at such a group.
    fn refused(ops: &[Op], t: &Table, bad: u8) -> Vec<Op> {
        let bad_id = ops.iter().find_map(|o| match o {
            Op::NewNh { id, nh: n } if *n == nh(bad) => Some(*id),
            _ => None,
        });
        let groups: Vec<u32> = ops
            .iter()
            .filter_map(|o| match o {
                Op::SetGroup { id, members, .. }
                    if members.iter().any(|(m, _)| Some(*m) == bad_id) =>
                {
                    Some(*id)
                }
                _ => None,
            })
            .collect();
        let _ = t;
        ops.iter()
            .filter(|o| match o {
                Op::NewNh { id, .. } => Some(*id) == bad_id,
                Op::SetGroup { id, .. } | Op::SetRoute { group: id, .. } => groups.contains(id),
                _ => false,
            })
            .cloned()
            .collect()
    }

    #[test]
    fn rfc3623_takeover_keeps_the_old_route_when_its_in_place_rewrite_is_refused() {
        // A route of the earlier run (taken over with its group) whose new next-hop set
        // needs an object the kernel refuses: the group's in-place rewrite fails.
        let mut t = Table::new(1);
        t.plan(&[add(0, &[2, 3])]);
        let old = t.routes[&pfx(0)];
        let keep = t.keep_for([pfx(0)]);
        let ops = t.plan(&[add(0, &[2, 4])]);
        assert!(ops.contains(&Op::SetGroup {
            id: old,
            members: vec![(t.nhs[&nh(2)].id, 1), (t.nhs[&nh(4)].id, 1)],
            replace: true
        }));
        let failed = refused(&ops, &t, 4);
        let failed: Vec<&Op> = failed.iter().collect();
        // The old group and its members are not deleted meanwhile ...
        let held = keep.held_ids(&failed);
        assert!(held.contains(&old) && held.len() == 3, "{held:?}");
        let deferred: Vec<&Op> = ops
            .iter()
            .filter(|o| matches!(o, Op::DelObj { id } if held.contains(id)))
            .collect();
        assert_eq!(deferred.len(), 1, "nh 3's object was to go: {ops:?}");
        // ... and the route stays on it, here and in the kernel (no clean-up touches it).
        let cleanup = t.repair(&failed, &keep);
        assert_eq!(t.route(&pfx(0)), Some(&set(&[2, 3])));
        assert_eq!(t.routes[&pfx(0)], old);
        assert!(
            !cleanup
                .iter()
                .any(|o| matches!(o, Op::DelObj { id } if held.contains(id))
                    || matches!(o, Op::DelRoute { .. })),
            "{cleanup:?}"
        );
        // Outside a takeover the same refusal deletes the group, and the route with it.
        let mut t = Table::new(1);
        t.plan(&[add(0, &[2, 3])]);
        let ops = t.plan(&[add(0, &[2, 4])]);
        let failed = refused(&ops, &t, 4);
        let failed: Vec<&Op> = failed.iter().collect();
        let cleanup = t.repair(&failed, &Keep::default());
        assert!(cleanup.contains(&Op::DelObj { id: old }), "{cleanup:?}");
        assert!(t.route(&pfx(0)).is_none());
        // The kept table still plans correctly: the next change re-points the route.
        let mut t = Table::new(1);
        t.plan(&[add(0, &[2, 3])]);
        let keep = t.keep_for([pfx(0)]);
        let ops = t.plan(&[add(0, &[2, 4])]);
        let failed = refused(&ops, &t, 4);
        t.repair(&failed.iter().collect::<Vec<_>>(), &keep);
        t.plan(&[add(0, &[2, 5])]);
        assert_eq!(t.route(&pfx(0)), Some(&set(&[2, 5])));
    }

    #[test]
    fn rfc3623_takeover_keeps_the_old_route_when_its_repointing_is_refused() {
        // Two routes of the earlier run share a group; one moves to a set with an
        // object the kernel refuses: a new group and a re-pointed route, both refused.
        let mut t = Table::new(1);
        t.plan(&[add(0, &[2, 3]), add(1, &[2, 3])]);
        let old = t.routes[&pfx(0)];
        let keep = t.keep_for([pfx(0)]);
        let ops = t.plan(&[add(0, &[2, 4])]);
        let failed = refused(&ops, &t, 4);
        assert!(
            failed
                .iter()
                .any(|o| matches!(o, Op::SetRoute { prefix, .. } if *prefix == pfx(0)))
        );
        let failed: Vec<&Op> = failed.iter().collect();
        let cleanup = t.repair(&failed, &keep);
        assert_eq!(t.routes[&pfx(0)], old);
        assert_eq!(t.route(&pfx(0)), Some(&set(&[2, 3])));
        assert_eq!(t.groups[&set(&[2, 3])].refs, 2);
        assert!(
            !cleanup.contains(&Op::DelRoute { prefix: pfx(0) }),
            "{cleanup:?}"
        );
        // A route of the earlier run outside our bookkeeping stays too (no delete).
        let mut t = Table::new(1);
        let keep = t.keep_for([pfx(5)]);
        assert!(keep.foreign.contains(&pfx(5)));
        let ops = t.plan(&[add(5, &[4])]);
        let failed = refused(&ops, &t, 4);
        let cleanup = t.repair(&failed.iter().collect::<Vec<_>>(), &keep);
        assert!(
            !cleanup.contains(&Op::DelRoute { prefix: pfx(5) }),
            "{cleanup:?}"
        );
        assert!(t.route(&pfx(5)).is_none());
        // Outside a takeover, a refused replacement deletes what is left.
        let mut t = Table::new(1);
        let ops = t.plan(&[add(5, &[4])]);
        let failed = refused(&ops, &t, 4);
        let cleanup = t.repair(&failed.iter().collect::<Vec<_>>(), &Keep::default());
        assert!(cleanup.contains(&Op::DelRoute { prefix: pfx(5) }));
    }
}
