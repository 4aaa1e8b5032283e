//! Which upstream addresses the proxy may connect to. A server-side fetch must not become a way
//! into the server's own network: loopback, private, link-local, CGNAT and the like are refused
//! unless the server was started with `--allow-private`. The check runs in reqwest's resolver, on
//! the very addresses the connection then uses (no second lookup a DNS rebind could change), and
//! directly on IP-literal hosts, which reqwest connects to without asking the resolver.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// True for an address that is not on the public internet: IPv4 loopback, RFC 1918, link-local,
/// CGNAT (100.64/10), "this network" (0/8), the IETF block 192.0.0/24, benchmarking (198.18/15),
/// multicast and reserved (224/3 and up); IPv6 loopback, unspecified, ULA (fc00::/7), link-local
/// (fe80::/10), site-local (fec0::/10), multicast; and IPv6 forms that carry an IPv4 address
/// (mapped, compatible, NAT64, 6to4) when that address is one of these.
pub(super) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => private_v6(v6),
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 224
}

fn private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return private_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_multicast() || first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`,
/// which covers `::` and `::1` as 0.0.0.0 and 0.0.0.1), NAT64 (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let o = ip.octets();
    match ip.segments() {
        [0, 0, 0, 0, 0, 0 | 0xffff, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(Ipv4Addr::new(o[12], o[13], o[14], o[15])),
        [0x2002, ..] => Some(Ipv4Addr::new(o[2], o[3], o[4], o[5])),
        _ => None,
    }
}

/// A host refused because it is, or resolves to, a private address. Its message names the host.
#[derive(Debug)]
pub(super) struct PrivateAddress {
    host: String,
    addr: IpAddr,
}

impl fmt::Display for PrivateAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = if self.host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() { "is".to_owned() } else { format!("resolves to {}, which is", self.addr) };
        write!(f, "host {} {how} a private, loopback or link-local address; the proxy refuses those unless started with --allow-private", self.host)
    }
}

impl std::error::Error for PrivateAddress {}

/// Refuses an IP-literal `host` (as in a URL: IPv6 in brackets) that is private, unless allowed.
/// Host names pass: the resolver checks them.
pub(super) fn check_literal(host: &str, allow_private: bool) -> Result<(), PrivateAddress> {
    match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(addr) if !allow_private && is_private(addr) => Err(PrivateAddress { host: host.to_owned(), addr }),
        _ => Ok(()),
    }
}

/// reqwest's resolver for the proxy. Invariant: a name in `overrides` resolves to its configured
/// address only (explicit configuration, exempt from the private check); any other name resolves
/// through the system, and fails with [`PrivateAddress`] when any of its addresses is private and
/// `allow_private` is off.
pub(super) struct GuardedResolver {
    pub(super) overrides: HashMap<String, SocketAddr>,
    pub(super) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        if let Some(&addr) = self.overrides.get(&host) {
            return Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as Addrs) });
        }
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            match addrs.iter().find(|a| is_private(a.ip())) {
                Some(a) if !allow_private => Err(Box::new(PrivateAddress { host, addr: a.ip() }) as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(addrs.into_iter()) as Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

    fn private(s: &str) -> Result<bool, std::net::AddrParseError> {
        s.parse().map(is_private)
    }

    #[test]
    fn private_ranges_are_refused() -> TestResult {
        for ip in [
            "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.0.8",
            "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::10.0.0.1", "2002:c0a8:0101::1",
        ] {
            assert!(private(ip)?, "{ip} is private");
        }
        Ok(())
    }

    #[test]
    fn public_addresses_pass() -> TestResult {
        for ip in ["1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "100.63.255.255", "192.169.0.1", "44.0.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1"] {
            assert!(!private(ip)?, "{ip} is public");
        }
        Ok(())
    }

    #[test]
    fn literals_are_checked_and_names_left_to_the_resolver() {
        assert!(check_literal("127.0.0.1", false).is_err());
        assert!(check_literal("[::1]", false).is_err());
        assert!(check_literal("[::ffff:7f00:1]", false).is_err());
        assert!(check_literal("127.0.0.1", true).is_ok());
        assert!(check_literal("8.8.8.8", false).is_ok());
        assert!(check_literal("localhost", false).is_ok());
        let message = check_literal("10.0.0.1", false).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("host 10.0.0.1 is a private"), "{message}");
    }

    #[tokio::test]
    async fn the_resolver_refuses_private_names_and_honours_overrides() -> TestResult {
        let overridden = SocketAddr::from(([127, 0, 0, 1], 5000));
        let resolver = GuardedResolver { overrides: HashMap::from([("auth.docker.io".to_owned(), overridden)]), allow_private: false };
        let err = resolver.resolve("localhost".parse::<Name>()?).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("host localhost resolves to"), "{err}");
        let addrs: Vec<SocketAddr> = resolver.resolve("Auth.Docker.io".parse::<Name>()?).await?.collect();
        assert_eq!(addrs, vec![overridden]);
        let open = GuardedResolver { overrides: HashMap::new(), allow_private: true };
        let addrs: Vec<SocketAddr> = open.resolve("localhost".parse::<Name>()?).await?.collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
        Ok(())
    }
}
