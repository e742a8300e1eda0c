//! "The rest of the network" for benchmarks and scale tests: a generated OSPF area
//! ([`topology`]) played to a router under test over real adjacencies ([`speaker`]).
//!
//! The emulator holds the LSAs of N emulated routers (Router-LSAs with point-to-point
//! links, stubs and LANs, the LANs' Network-LSAs, AS-externals), and speaks as the
//! emulated *gateways*, each over a point-to-point link of its own to the router under
//! test: Hellos, a database exchange (as master) that describes the whole area, Link State
//! Updates for every request, acknowledgements for whatever the router floods. Scripted
//! changes (a link's cost, a router leaving, an external flapping) are flooded on every
//! adjacency and timestamped when sent.
//!
//! Not a router: it computes no routes and installs none, floods nothing it receives,
//! and answers only what a router under test asks of a neighbor.
pub mod speaker;
pub mod topology;

pub use speaker::{Speaker, SpeakerConfig, SpeakerEvent};
pub use topology::{Topology, TopologyError, TopologySpec};
