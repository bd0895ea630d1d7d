//! Who the client is behind a load balancer: the peer's address, unless the peer is one of the
//! configured `trusted_proxies`; then the address that proxy says it received the request from, in
//! `X-Forwarded-For`. A header from anyone else is ignored: a client cannot choose its own address
//! (and with it, its own rate limits).

use std::net::{IpAddr, SocketAddr};

/// One address or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.trim().parse().map_err(|_| format!("`{text}` is not an IP address"))?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.trim().parse::<u8>().ok().filter(|p| *p <= most),
            None => Some(most),
        }
        .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to {most}"))?;
        Ok(Network { address, prefix })
    }
}

impl Network {
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(u128::from(u32::from(net)) << 96, u128::from(u32::from(ip)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => same_prefix(u128::from(net), u128::from(ip), self.prefix),
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - u32::from(prefix));
    a & mask == b & mask
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4 client.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Network>);

impl TrustedProxies {
    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }

    /// The client's address for a request from `peer` with these `X-Forwarded-For` values: walking the
    /// list from the nearest hop back, the first address that is not a trusted proxy. A list that
    /// holds nothing usable leaves the peer.
    pub fn client(&self, peer: SocketAddr, forwarded_for: &[&str]) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let hops: Vec<IpAddr> = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(|hop| hop.trim().parse::<IpAddr>().map(canonical))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        hops.into_iter().rev().find(|hop| !self.trusts(*hop)).map_or(peer, |client| SocketAddr::new(client, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|n| n.parse().expect("a network")).collect())
    }

    #[test]
    fn networks_parse_and_contain_their_addresses() {
        let net: Network = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.20.30.40".parse().unwrap()) && !net.contains("11.0.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()), "an IPv4 client on an IPv6 socket");
        let one: Network = "2001:db8::1".parse().unwrap();
        assert!(one.contains("2001:db8::1".parse().unwrap()) && !one.contains("2001:db8::2".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<Network>().unwrap().contains("203.0.113.9".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Network>().is_err() && "nginx".parse::<Network>().is_err());
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client_and_never_itself() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.7:5000".parse().unwrap();
        let client = |peer, header: &[&str]| trusted.client(peer, header).ip().to_string();
        assert_eq!(client(proxy, &["203.0.113.9"]), "203.0.113.9");
        assert_eq!(client(stranger, &["203.0.113.9"]), "198.51.100.7", "an untrusted peer's header is ignored");
        // A client that sends its own header: the proxy appends the address it saw; that one counts.
        assert_eq!(client(proxy, &["1.2.3.4, 203.0.113.9"]), "203.0.113.9");
        assert_eq!(client(proxy, &["203.0.113.9, 10.0.0.5"]), "203.0.113.9", "inner proxies are skipped");
        assert_eq!(client(proxy, &["not an address"]), "127.0.0.1");
        assert_eq!(client(proxy, &[]), "127.0.0.1");
    }
}
