//! The address a request comes from: the peer's, or behind a reverse proxy named in
//! `--trusted-proxies`, the nearest address in `Forwarded` (or `X-Forwarded-For`) that is not one
//! of those proxies. Headers from anyone else are ignored, so a client cannot pick its address.

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        TrustedProxies(networks)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client's address for a request from `peer` with these headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let chain = match forwarded(headers, &header::FORWARDED, forwarded_for) {
            chain if !chain.is_empty() => chain,
            _ => forwarded(headers, &HeaderName::from_static("x-forwarded-for"), |hop| Some(hop.to_owned())),
        };
        let mut client = peer;
        // From the nearest hop outwards: the first one that is not a trusted proxy is the client.
        for hop in chain.iter().rev() {
            let Some(address) = parse_address(hop) else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// The hops of every instance of the header, in order, as `pick` reads each element.
fn forwarded(headers: &HeaderMap, name: &HeaderName, pick: impl Fn(&str) -> Option<String>) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| pick(hop.trim()))
        .collect()
}

/// The `for=` parameter of one `Forwarded` element (RFC 7239).
fn forwarded_for(element: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711` or `2001:db8::1`; `None` for `unknown`,
/// obfuscated names and anything else.
fn parse_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(networks.iter().map(|n| n.parse().expect("cidr")).collect())
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let forged = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.9")]);
        assert_eq!(TrustedProxies::default().client(ip("198.51.100.7"), &forged), ip("198.51.100.7"));
        let elsewhere = proxies(&["10.0.0.0/8"]);
        assert_eq!(elsewhere.client(ip("198.51.100.7"), &forged), ip("198.51.100.7"), "the peer is no proxy of ours");
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "::1/128"]);
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9"), ("x-forwarded-for", "10.1.1.1")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &chain), ip("203.0.113.9"), "the client's own claim is ignored");
        let v6 = headers(&[("forwarded", r#"for="[2001:db8:cafe::17]:4711";proto=https, for=10.2.2.2"#)]);
        assert_eq!(trusted.client(ip("::1"), &v6), ip("2001:db8:cafe::17"));
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &headers(&[("x-forwarded-for", "203.0.113.9:5555")])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn an_unreadable_hop_or_an_all_proxy_chain_stops_at_the_last_known_address() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &headers(&[("forwarded", "for=unknown")])), ip("10.0.0.2"));
        assert_eq!(trusted.client(ip("10.0.0.2"), &headers(&[("x-forwarded-for", "10.3.3.3")])), ip("10.3.3.3"));
        assert_eq!(trusted.client(ip("10.0.0.2"), &HeaderMap::new()), ip("10.0.0.2"));
    }
}
