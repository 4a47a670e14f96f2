//! Client addresses behind reverse proxies: CIDR lists and the right-most untrusted hop of
//! `X-Forwarded-For`.
//!
//! A client can write anything into `X-Forwarded-For`; each proxy in front of us appends the
//! address it saw. So the chain is read from the right (the socket peer first), skipping the
//! hops we trust, and the first address we do not trust is the client. Never the left-most
//! value: that one is the client's to choose.

use std::net::IpAddr;

/// An address block (`10.0.0.0/8`, `::1/128`, or a bare address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or a bare address (a /32 or /128).
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let net: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an address or CIDR"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix must be 0..={max}"))?,
            None => max,
        };
        Ok(Cidr { net, prefix })
    }

    /// Parses a list (empty entries ignored), naming `setting` in the error.
    pub fn parse_list(setting: &str, entries: &[String]) -> Result<Vec<Cidr>, String> {
        entries
            .iter()
            .filter(|e| !e.trim().is_empty())
            .map(|e| Cidr::parse(e).map_err(|m| format!("{setting}: {m}")))
            .collect()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may show up as ::ffff:a.b.c.d on a dual-stack socket.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Which hops of a forwarded chain are our own proxies.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    /// Hops counted from the right, the socket peer being the first.
    pub hops: usize,
    pub cidrs: Vec<Cidr>,
}

impl TrustedProxies {
    fn trusts(&self, position_from_right: usize, ip: IpAddr) -> bool {
        position_from_right < self.hops || self.cidrs.iter().any(|c| c.contains(ip))
    }

    /// The client of a request that reached us from `peer` with these `X-Forwarded-For`
    /// header values (in order): the right-most address that is not a trusted proxy. An
    /// entry that is not an address ends the walk at the last good hop (a client's garbage
    /// never becomes an address); a chain of only trusted hops gives its left-most one.
    pub fn client<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        let entries: Vec<&str> = forwarded
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        let mut current = peer;
        if !self.trusts(0, peer) {
            return peer;
        }
        for (i, entry) in entries.iter().rev().enumerate() {
            let Some(ip) = parse_hop(entry) else {
                return current;
            };
            current = ip;
            if !self.trusts(i + 1, ip) {
                return ip;
            }
        }
        current
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = entry.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn cidrs_match_their_block_only() {
        let c = Cidr::parse("10.0.0.0/8").expect("cidr");
        assert!(c.contains(ip("10.200.1.1")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(c.contains(ip("::ffff:10.1.2.3")), "v4-mapped");
        assert!(Cidr::parse("::1/128").expect("v6").contains(ip("::1")));
        assert!(Cidr::parse("0.0.0.0/0")
            .expect("all")
            .contains(ip("8.8.8.8")));
        assert!(Cidr::parse("192.168.1.7")
            .expect("bare")
            .contains(ip("192.168.1.7")));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nonsense").is_err());
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let one = TrustedProxies {
            hops: 1,
            cidrs: vec![],
        };
        let nginx = ip("127.0.0.1");
        // the client wrote "6.6.6.6" itself; nginx appended the address it saw
        let xff = ["6.6.6.6, 203.0.113.9"];
        assert_eq!(one.client(nginx, xff.into_iter()), ip("203.0.113.9"));
        // two headers are one list
        assert_eq!(
            one.client(nginx, ["6.6.6.6", "203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
        // a CDN in front of nginx, trusted by CIDR
        let cdn = TrustedProxies {
            hops: 1,
            cidrs: vec![Cidr::parse("198.51.100.0/24").expect("cidr")],
        };
        assert_eq!(
            cdn.client(nginx, ["6.6.6.6, 203.0.113.9, 198.51.100.20"].into_iter()),
            ip("203.0.113.9")
        );
        // or by count
        let two = TrustedProxies {
            hops: 2,
            cidrs: vec![],
        };
        assert_eq!(
            two.client(nginx, ["6.6.6.6, 203.0.113.9, 198.51.100.20"].into_iter()),
            ip("203.0.113.9")
        );
        // no header: the peer
        assert_eq!(one.client(nginx, std::iter::empty()), nginx);
        // garbage where the client should be: the last good hop, never the garbage
        assert_eq!(one.client(nginx, ["1.1.1.1, evil"].into_iter()), nginx);
        // a peer that is not trusted (hops 0 and not in the list) is the client itself
        let none = TrustedProxies::default();
        assert_eq!(none.client(nginx, xff.into_iter()), nginx);
        // ports and brackets as some proxies write them
        assert_eq!(
            one.client(nginx, ["[2001:db8::5]:443"].into_iter()),
            ip("2001:db8::5")
        );
        assert_eq!(
            one.client(nginx, ["203.0.113.9:5555"].into_iter()),
            ip("203.0.113.9")
        );
    }
}
