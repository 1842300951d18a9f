//! A fact about this endpoint: the IP addresses of its network interfaces, which `collect`
//! records so `fleet` can group many endpoints by site (a CIDR map or the IPv4 /24). It
//! only lists; it judges nothing and never opens a connection.

use std::net::IpAddr;

/// The addresses of this machine's interfaces, loopback and link-local left out, IPv4
/// first, without repeats. Empty when the OS will not tell (a site is then "unknown").
pub fn local_addresses() -> Vec<IpAddr> {
    let Ok(list) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    let mut out: Vec<IpAddr> = list
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| useful(*ip))
        .collect();
    out.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    out.dedup();
    out
}

/// Loopback, unspecified and link-local addresses say nothing about where a machine is.
pub fn useful(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !(v4.is_loopback() || v4.is_unspecified() || v4.is_link_local()),
        IpAddr::V6(v6) => {
            !(v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that cannot unwrap has failed
mod tests {
    use super::*;

    #[test]
    fn loopback_and_link_local_are_left_out() {
        for text in ["127.0.0.1", "169.254.3.4", "0.0.0.0", "::1", "fe80::1"] {
            assert!(!useful(text.parse().unwrap()), "{text}");
        }
        assert!(useful(IpAddr::from([10, 1, 2, 3])));
    }

    #[test]
    fn this_machine_lists_without_loopback() {
        assert!(local_addresses().iter().all(|ip| !ip.is_loopback()));
    }
}
