//! The anycast speaker embedded in a program of your own (the README's "Using the
//! library"): announce 172.16.0.1/32 while the program serves, watch the adjacency from
//! this thread, leave gracefully. Needs CAP_NET_RAW; run it where the seed's server runs
//! (`ip addr add 172.16.0.1/32 dev lo`, the router on 10.0.0.0/24).
//!
//! ```text
//! sudo cargo run --example embed-speaker -- 30
//! ```

use std::time::{Duration, Instant};

use ospf_std::api::{Builder, Event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = std::env::args().nth(1).map_or(Ok(30), |s| s.parse())?;
    // The seed's server: 172.16.0.1/32 on lo, the router on eth0's 10.0.0.0/24.
    let (ospf, thread) = Builder::speaker()
        .router_id("10.0.0.1".parse()?)
        .network("10.0.0.0/24".parse()?, 0)
        .network("172.16.0.1/32".parse()?, 0)
        .control_socket(None)
        .initial_health(false) // announce the address only once we serve
        .spawn()?;
    let events = ospf.subscribe();
    ospf.set_health(true)?; // ... we serve now
    let until = Instant::now() + Duration::from_secs(seconds);
    while let Ok(event) = events.recv_timeout(until.saturating_duration_since(Instant::now())) {
        match event {
            Event::Neighbor { router_id, new, .. } => println!("neighbor {router_id}: {new:?}"),
            Event::Health { healthy } => println!("anycast address announced: {healthy}"),
            _ => {}
        }
    }
    for n in ospf.neighbors()? {
        println!("{} on {}: {:?}", n.router_id, n.interface, n.state);
    }
    // Leave gracefully: withdraw, wait until the router has it, then stop.
    ospf.drain()?;
    ospf.wait_drained(Duration::from_secs(5))?;
    ospf.shutdown();
    thread.join().expect("the OSPF thread")?;
    Ok(())
}
