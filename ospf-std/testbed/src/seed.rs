//! The anycast seed topology without routing daemons, for the examples' end-to-end tests.

use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use crate::{Bridge, Flow, HttpServer, Netns, http_get_from_ports, veth};

/// The anycast seed topology without routing daemons: links, addresses and HTTP servers.
///
/// ```text
/// client 192.168.0.1/24 eth0 ── eth1 192.168.0.254 router 10.0.0.254 eth0 ── LAN 10.0.0.0/24 (bridge)
///                                                          servers 10.0.0.1, .2, ... on eth0,
///                                                          172.16.0.1/32 on each loopback,
///                                                          HTTP on port 80 answering `server-<n>`
/// ```
/// The client's default route points at the router; the router forwards with L4 multipath
/// hashing. Start OSPF on [`SeedTopology::router`] and [`SeedTopology::servers`] to fill in
/// the rest (servers need a route back to 192.168.0.0/24: the router can announce it).
#[derive(Debug)]
pub struct SeedTopology {
    /// The client namespace (`eth0` = 192.168.0.1/24).
    pub client: Netns,
    /// The router namespace (`eth0` = 10.0.0.254/24 on the LAN, `eth1` = 192.168.0.254/24).
    pub router: Netns,
    /// The server namespaces (`eth0` = 10.0.0.(i+1)/24, `lo` holds the anycast address).
    pub servers: Vec<Netns>,
    /// The servers' LAN.
    pub lan: Bridge,
    /// One HTTP server per server namespace, answering `server-<i+1>`.
    pub http: Vec<HttpServer>,
}

impl SeedTopology {
    /// The anycast service address.
    pub const ANYCAST: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
    /// The client's address.
    pub const CLIENT: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
    /// The router's address on the client network.
    pub const ROUTER_CLIENT_SIDE: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 254);
    /// The router's address on the servers' LAN.
    pub const ROUTER_LAN: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 254);
    /// The router's interface on the servers' LAN.
    pub const ROUTER_LAN_IF: &'static str = "eth0";
    /// The router's interface on the client network.
    pub const ROUTER_CLIENT_IF: &'static str = "eth1";
    /// The servers' LAN interface.
    pub const SERVER_IF: &'static str = "eth0";
    /// The HTTP port.
    pub const HTTP_PORT: u16 = 80;

    /// Server `i`'s LAN address (10.0.0.(i+1)).
    pub fn server_addr(i: usize) -> Ipv4Addr {
        Ipv4Addr::new(10, 0, 0, u8::try_from(i + 1).unwrap_or(u8::MAX))
    }

    /// The body server `i`'s HTTP server answers with.
    pub fn server_id(i: usize) -> String {
        format!("server-{}", i + 1)
    }

    /// Builds the topology with `servers` servers (at most 253).
    pub fn build(servers: usize) -> io::Result<SeedTopology> {
        let lan = Bridge::new("lan")?;
        let client = Netns::new("cli")?;
        let router = Netns::new("rtr")?;
        veth(&client, "eth0", &router, Self::ROUTER_CLIENT_IF)?;
        client.add_addr("eth0", &format!("{}/24", Self::CLIENT))?;
        client.add_route(&["default", "via", &Self::ROUTER_CLIENT_SIDE.to_string()])?;
        router.add_addr(
            Self::ROUTER_CLIENT_IF,
            &format!("{}/24", Self::ROUTER_CLIENT_SIDE),
        )?;
        lan.attach(&router, Self::ROUTER_LAN_IF)?;
        router.add_addr(Self::ROUTER_LAN_IF, &format!("{}/24", Self::ROUTER_LAN))?;
        router.enable_router_sysctls()?;
        let mut ns = Vec::with_capacity(servers);
        let mut http = Vec::with_capacity(servers);
        for i in 0..servers.min(253) {
            let s = Netns::new(&format!("srv{}", i + 1))?;
            lan.attach(&s, Self::SERVER_IF)?;
            s.add_addr(Self::SERVER_IF, &format!("{}/24", Self::server_addr(i)))?;
            s.add_loopback_addr(&format!("{}/32", Self::ANYCAST))?;
            http.push(HttpServer::start(&s, Self::HTTP_PORT, &Self::server_id(i))?);
            ns.push(s);
        }
        Ok(SeedTopology {
            client,
            router,
            servers: ns,
            lan,
            http,
        })
    }

    /// The gateways of the router's kernel route to the anycast address (empty when none).
    pub fn anycast_paths(&self) -> Vec<Ipv4Addr> {
        self.router
            .route_nexthops(&format!("{}/32", Self::ANYCAST))
            .unwrap_or_default()
    }

    /// `count` client flows to the anycast HTTP port arriving on the router's client
    /// interface, source ports from `first_sport`.
    pub fn flows(first_sport: u16, count: u16) -> Vec<Flow> {
        Flow::range(
            Self::CLIENT,
            Self::ANYCAST,
            Self::ROUTER_CLIENT_IF,
            Self::HTTP_PORT,
            first_sport,
            count,
        )
    }

    /// One HTTP GET to the anycast address per source port, from the client; returns the
    /// number of answers per server id and the number of failed requests.
    pub fn requests(
        &self,
        sports: &[u16],
        timeout: Duration,
    ) -> io::Result<(std::collections::BTreeMap<String, usize>, usize)> {
        let bodies = http_get_from_ports(
            &self.client,
            Self::CLIENT,
            Self::ANYCAST,
            Self::HTTP_PORT,
            sports,
            timeout,
        )?;
        let mut per_server = std::collections::BTreeMap::new();
        let mut failed = 0;
        for b in bodies {
            match b {
                Some(id) => *per_server.entry(id).or_insert(0) += 1,
                None => failed += 1,
            }
        }
        Ok((per_server, failed))
    }
}
