//! The outbound guard (SSRF): a webhook URL entered by an admin is refused when its host is, or
//! resolves to, an address that is not public — loopback, private (RFC 1918), link-local (cloud
//! metadata at 169.254.169.254), CGNAT, multicast, unspecified, reserved, documentation, or their
//! IPv6 equivalents, IPv4-mapped ones included — unless the operator allows private networks.
//! The same check runs again at every delivery inside the HTTP client's resolver, so the
//! connection goes to the addresses that were checked (no second lookup: DNS rebinding fails).

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "{host} is {address}, a private or reserved address; Faultline refuses those unless started with \
         --alerts-allow-private-networks"
    )]
    Private { host: String, address: IpAddr },
    #[error("{0} does not resolve")]
    Unresolved(String),
}

#[derive(Clone, Copy, Debug)]
pub struct Guard {
    pub allow_private: bool,
}

impl Guard {
    /// The URL, if it is an http(s) URL whose host resolves to allowed addresses only.
    pub async fn check_url(self, raw: &str) -> Result<Url, GuardError> {
        let url = Url::parse(raw.trim()).map_err(|err| GuardError::Invalid(format!("not a URL: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(GuardError::Invalid("the URL must start with https:// or http://".to_owned()));
        }
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| GuardError::Invalid("the URL has no host".to_owned()))?;
        match literal(host) {
            Some(address) => self.allow(host, address)?,
            None => {
                self.resolve(host).await?;
            }
        }
        Ok(url)
    }

    /// The host's addresses, all of them allowed.
    async fn resolve(self, host: &str) -> Result<Vec<SocketAddr>, GuardError> {
        let addresses: Vec<SocketAddr> =
            tokio::net::lookup_host((host, 0)).await.map_err(|_| GuardError::Unresolved(host.to_owned()))?.collect();
        if addresses.is_empty() {
            return Err(GuardError::Unresolved(host.to_owned()));
        }
        for address in &addresses {
            self.allow(host, address.ip())?;
        }
        Ok(addresses)
    }

    /// Refuses an address that is not public, unless private networks are allowed.
    pub fn allow(self, host: &str, address: IpAddr) -> Result<(), GuardError> {
        if self.allow_private || is_public(address) {
            Ok(())
        } else {
            Err(GuardError::Private { host: host.to_owned(), address })
        }
    }
}

/// The HTTP client resolves through the guard: what it connects to is what was checked.
impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = *self;
        Box::pin(async move {
            let addresses = guard.resolve(name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// The address a host names literally (`10.0.0.1`, `[::1]`).
pub fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// Whether the address is on the public internet.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    let reserved = v4.is_unspecified()
        || v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0.0/24
        || (a == 198 && (18..20).contains(&b)) // benchmarking 198.18.0.0/15
        || a >= 240; // reserved 240.0.0.0/4
    !reserved
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = v6.segments()[0];
    let nat64 = v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if nat64 {
        let [.., c, d] = v6.segments();
        return is_public_v4(Ipv4Addr::from((u32::from(c) << 16) | u32::from(d)));
    }
    let reserved = v6.is_unspecified()
        || v6.is_loopback()
        || v6.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local fec0::/10
        || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation 2001:db8::/32
        || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible ::a.b.c.d
    !reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(address: &str) -> bool {
        is_public(address.parse().expect(address))
    }

    #[test]
    fn loopback_private_link_local_and_reserved_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!public(address), "{address} is not public");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for address in
            ["1.1.1.1", "8.8.8.8", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:1.1.1.1", "64:ff9b::101:101"]
        {
            assert!(public(address), "{address} is public");
        }
    }

    #[tokio::test]
    async fn a_url_to_a_private_address_or_name_is_refused_unless_allowed() {
        let guard = Guard { allow_private: false };
        for url in [
            "http://127.0.0.1:9/x",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest",
            "http://[::1]:9/",
            "http://localhost:9/",
        ] {
            assert!(matches!(guard.check_url(url).await, Err(GuardError::Private { .. })), "{url}");
        }
        assert!(matches!(guard.check_url("ftp://1.1.1.1/").await, Err(GuardError::Invalid(_))));
        assert!(matches!(guard.check_url("not a url").await, Err(GuardError::Invalid(_))));
        assert!(guard.check_url("https://1.1.1.1/hook").await.is_ok());
        assert!(Guard { allow_private: true }.check_url("http://127.0.0.1:9/x").await.is_ok());
    }
}
