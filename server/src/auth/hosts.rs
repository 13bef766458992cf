//! Which names this server answers to, against DNS rebinding: a page on `rebind.evil.example`
//! that resolves to 127.0.0.1 reaches the server with its own name in `Host` and `Origin`, so
//! neither may be compared with the other. Pages, the dashboard API and the live socket are
//! served only for the host of the public URL, the `--allowed-hosts`, and the loopback names when
//! the server listens on loopback; a cookie-authenticated change must come from one of those
//! origins, on this server's port or the public URL's.

use axum::http::{HeaderMap, header};
use std::net::{IpAddr, SocketAddr};

const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

#[derive(Clone, Debug)]
pub struct AllowedHosts {
    /// Lowercase names and IP literals (IPv6 in brackets), without port.
    hosts: Vec<String>,
    /// `scheme://authority` of the public URL.
    public_origin: String,
    /// Ports an allowed origin may name: where the server listens, and the public URL's.
    ports: Vec<u16>,
}

impl AllowedHosts {
    /// The names of `public_url`, `extra` and, when `listen` is loopback (or every address), the
    /// loopback names; an address the server listens on is always its own name.
    pub fn new(public_url: &str, extra: &[String], listen: SocketAddr) -> Self {
        let public = Origin::parse(public_url);
        let mut hosts: Vec<String> = extra.iter().map(|host| normalize(host)).filter(|host| !host.is_empty()).collect();
        let ip = listen.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            hosts.extend(LOOPBACK_NAMES.map(str::to_owned));
        }
        if !ip.is_unspecified() {
            hosts.push(ip_literal(ip));
        }
        let mut ports = vec![listen.port()];
        if let Some(public) = &public {
            hosts.push(public.host.clone());
            ports.push(public.port);
        }
        hosts.sort();
        hosts.dedup();
        let public_origin = public.map(|origin| origin.to_string()).unwrap_or_default();
        AllowedHosts { hosts, public_origin, ports }
    }

    /// Whether the request names an allowed host (in `Host`).
    pub fn allows_host(&self, headers: &HeaderMap) -> bool {
        let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
        host.is_some_and(|host| self.hosts.contains(&normalize(host)))
    }

    /// Whether the request's `Origin` (or, without one, `Referer`) is one of this server's own.
    pub fn allows_origin(&self, headers: &HeaderMap) -> bool {
        let origin = headers
            .get(header::ORIGIN)
            .or_else(|| headers.get(header::REFERER))
            .and_then(|value| value.to_str().ok())
            .and_then(Origin::parse);
        origin.is_some_and(|origin| {
            origin.to_string() == self.public_origin
                || (self.hosts.contains(&origin.host) && self.ports.contains(&origin.port))
        })
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}

/// A URL's scheme, host and port (the scheme's own when it names none).
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn parse(url: &str) -> Option<Origin> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next()?;
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let (host, port) = split_port(authority);
        let port = match port {
            Some(port) => port.parse().ok()?,
            None => default_port,
        };
        let host = normalize(host);
        (!host.is_empty()).then_some(Origin { scheme, host, port })
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = if self.scheme == "https" { 443 } else { 80 };
        if self.port == default {
            write!(f, "{}://{}", self.scheme, self.host)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

/// `host:port` or `[v6]:port` into host and port.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.split_once("]:") {
            Some((host, port)) => (&authority[..host.len() + 1], Some(port)),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// A host as `Host` names it, without port, lowercase, without a trailing dot.
fn normalize(host: &str) -> String {
    let (host, _) = split_port(host.trim());
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn ip_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (name.clone(), HeaderValue::from_str(value).expect("header"))).collect()
    }

    fn loopback() -> AllowedHosts {
        AllowedHosts::new("http://127.0.0.1:3000", &[], "127.0.0.1:3000".parse().expect("addr"))
    }

    #[test]
    fn a_loopback_server_answers_to_the_loopback_names_only() {
        let allowed = loopback();
        for host in ["127.0.0.1:3000", "localhost:3000", "LOCALHOST", "[::1]:3000", "localhost.:3000"] {
            assert!(allowed.allows_host(&headers(&[(header::HOST, host)])), "{host}");
        }
        for host in ["rebind.evil.example:3000", "127.0.0.1.evil.example", "10.0.0.1:3000", ""] {
            assert!(!allowed.allows_host(&headers(&[(header::HOST, host)])), "{host}");
        }
        assert!(!allowed.allows_host(&HeaderMap::new()), "a request without Host");
    }

    #[test]
    fn the_public_url_and_the_allowed_hosts_are_added() {
        let extra = ["Errors.Internal".to_owned()];
        let allowed = AllowedHosts::new("https://errors.example.com", &extra, "0.0.0.0:3000".parse().expect("addr"));
        for host in ["errors.example.com", "errors.internal:3000", "localhost:3000"] {
            assert!(allowed.allows_host(&headers(&[(header::HOST, host)])), "{host}");
        }
        let lan = AllowedHosts::new("http://192.168.1.5:3000", &[], "192.168.1.5:3000".parse().expect("addr"));
        assert!(!lan.allows_host(&headers(&[(header::HOST, "localhost:3000")])), "not listening on loopback");
        assert!(lan.allows_host(&headers(&[(header::HOST, "192.168.1.5:3000")])));
    }

    #[test]
    fn origins_are_compared_with_the_allowed_set_not_with_the_host() {
        let allowed = loopback();
        let rebound =
            headers(&[(header::HOST, "rebind.evil.example:3000"), (header::ORIGIN, "http://rebind.evil.example:3000")]);
        assert!(!allowed.allows_origin(&rebound), "Origin matching Host is not enough");
        for origin in ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"] {
            assert!(allowed.allows_origin(&headers(&[(header::ORIGIN, origin)])), "{origin}");
        }
        for origin in ["http://localhost:8080", "https://evil.example", "null", "localhost:3000"] {
            assert!(!allowed.allows_origin(&headers(&[(header::ORIGIN, origin)])), "{origin}");
        }
        let referer = headers(&[(header::REFERER, "http://localhost:3000/projects/2?x=1")]);
        assert!(allowed.allows_origin(&referer));
        assert!(!allowed.allows_origin(&HeaderMap::new()), "no Origin, no Referer");
    }

    #[test]
    fn behind_a_proxy_the_public_origin_passes() {
        let allowed = AllowedHosts::new("https://errors.example.com", &[], "127.0.0.1:3000".parse().expect("addr"));
        assert!(allowed.allows_origin(&headers(&[(header::ORIGIN, "https://errors.example.com")])));
        assert!(allowed.allows_origin(&headers(&[(header::ORIGIN, "https://ERRORS.example.com:443")])));
        assert!(!allowed.allows_origin(&headers(&[(header::ORIGIN, "http://errors.example.com")])), "not https");
    }
}
