//! Who a request really came from behind our own proxies, and address ranges to check it
//! against: the sales bot's YooKassa webhook (YooKassa does not sign notifications, so the
//! source address is one of the two checks it documents) and the master API's limit on
//! unauthenticated callers both read the client's address here.
//!
//! `X-Forwarded-For` is whatever the sender wrote, so it is believed only when the TCP peer is
//! one of our configured proxies (`TRUSTED_PROXIES`).

use std::{net::IpAddr, str::FromStr};

/// An address range: `185.71.76.0/27`, `2a02:5180::/32`, or one address.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an address or CIDR range: {0:?}")]
pub struct BadCidr(pub String);

impl FromStr for Cidr {
    type Err = BadCidr;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCidr(s.to_owned());
        let (addr, prefix) = s.trim().split_once('/').unwrap_or((s.trim(), ""));
        let network: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix.parse().map_err(|_| bad())?
        };
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may reach a dual-stack socket as ::ffff:a.b.c.d.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
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

/// A set of ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowlist(Vec<Cidr>);

impl Allowlist {
    /// Parses a comma-separated list; an empty string is an empty list.
    pub fn parse(list: &str) -> Result<Self, BadCidr> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Cidr::from_str)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }
}

/// The address a request really came from: the TCP peer, or, when the peer is one of our
/// proxies, the last address in `X-Forwarded-For` that is not itself one of our proxies.
///
/// `forwarded_for` holds every `X-Forwarded-For` header line of the request, in order: a
/// request may carry several, and together they are one list (RFC 9110, section 5.3), so a
/// proxy that added its own line is read as well as the sender's.
#[must_use]
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], proxies: &Allowlist) -> IpAddr {
    if !proxies.contains(peer) {
        return peer;
    }
    // Read from the right: each proxy appends the address it saw, so the entries on the left
    // are the sender's own claims.
    let hops = forwarded_for.iter().rev().flat_map(|line| line.rsplit(','));
    for hop in hops {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if proxies.contains(ip) => {}
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn bad_ranges_are_refused() {
        for bad in ["1.2.3.4/33", "nonsense", "1.2.3/24", "::/129"] {
            assert!(Allowlist::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Allowlist::parse("").unwrap(), Allowlist::default());
        assert!(
            Allowlist::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_our_proxies() {
        let proxies = Allowlist::parse("10.0.0.1").unwrap();
        let header = &["185.71.76.5"][..];
        // A stranger writing the header is still the stranger.
        assert_eq!(client_ip(ip("6.6.6.6"), header, &proxies), ip("6.6.6.6"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), header, &proxies),
            ip("185.71.76.5")
        );
        // The sender's own claim on the left is not what our proxy saw on the right.
        let spoofed = &["185.71.76.5, 6.6.6.6"][..];
        assert_eq!(client_ip(ip("10.0.0.1"), spoofed, &proxies), ip("6.6.6.6"));
        assert_eq!(client_ip(ip("10.0.0.1"), &[], &proxies), ip("10.0.0.1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &["junk"], &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn every_forwarded_for_line_is_read_as_one_list_from_the_right() {
        let proxies = Allowlist::parse("10.0.0.0/24").unwrap();
        // The sender's line first, then the line our proxy 10.0.0.2 added: the client is the
        // address our proxy saw, not the sender's claim and not the first line's last entry.
        let lines = &["185.71.76.5", "6.6.6.6, 10.0.0.2"][..];
        assert_eq!(client_ip(ip("10.0.0.1"), lines, &proxies), ip("6.6.6.6"));
        // Trusted proxies are skipped across lines.
        let lines = &["185.71.76.5, 10.0.0.3", "10.0.0.2"][..];
        assert_eq!(
            client_ip(ip("10.0.0.1"), lines, &proxies),
            ip("185.71.76.5")
        );
        // Only proxies all the way: the peer.
        let lines = &["10.0.0.3", "10.0.0.2"][..];
        assert_eq!(client_ip(ip("10.0.0.1"), lines, &proxies), ip("10.0.0.1"));
        // Junk on the right is not skipped over to a claim on the left.
        let lines = &["185.71.76.5", "junk"][..];
        assert_eq!(client_ip(ip("10.0.0.1"), lines, &proxies), ip("10.0.0.1"));
    }
}
