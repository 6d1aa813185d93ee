//! `ip-filter`: allow or forbid callers by address or address range.
//!
//! ```xml
//! <ip-filter action="allow">
//!   <address>10.0.0.1</address>
//!   <address-range from="192.168.0.0" to="192.168.0.255"/>
//! </ip-filter>
//! ```
//! Refusal: 403 `{ "statusCode": 403, "message": "Forbidden" }`,
//! `LastError.Reason` `CallerIpNotAllowed`. IPv4-mapped IPv6 callers match
//! IPv4 entries.

use std::net::IpAddr;

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;

#[derive(Clone, Debug)]
pub struct IpFilter {
    pub allow: bool,
    /// Inclusive ranges (a single address is a range of one).
    pub ranges: Vec<(IpAddr, IpAddr)>,
}

fn parse_ip(c: &Compiler<'_>, el: &Element, s: &str) -> Result<IpAddr, CompileError> {
    s.trim()
        .parse::<IpAddr>()
        .map(canonical)
        .map_err(|_| c.error(el, format!("invalid IP address `{}`", s.trim())))
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<IpFilter, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let allow = match c.required(el, "action")? {
        "allow" => true,
        "forbid" => false,
        other => return Err(c.error(el, format!("action must be allow or forbid, not `{other}`"))),
    };
    let mut ranges = Vec::new();
    for child in children(el) {
        match child.name.as_str() {
            "address" => {
                let ip = parse_ip(c, child, &child.text())?;
                ranges.push((ip, ip));
            }
            "address-range" => {
                let from = parse_ip(c, child, c.required(child, "from")?)?;
                let to = parse_ip(c, child, c.required(child, "to")?)?;
                if from.is_ipv4() != to.is_ipv4() || from > to {
                    return Err(c.error(child, "`from` and `to` must be the same family with from <= to"));
                }
                ranges.push((from, to));
            }
            _ => return Err(c.error(child, "only <address> and <address-range> may appear in <ip-filter>")),
        }
    }
    Ok(IpFilter { allow, ranges })
}

impl IpFilter {
    pub fn matches(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.ranges
            .iter()
            .any(|(from, to)| from.is_ipv4() == ip.is_ipv4() && *from <= ip && ip <= *to)
    }

    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        if self.matches(r.env.peer) == self.allow {
            Ok(())
        } else {
            Err(Failure::new("ip-filter", "CallerIpNotAllowed", 403, "Forbidden"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_mapped_addresses() {
        let f = IpFilter {
            allow: true,
            ranges: vec![
                ("10.0.0.5".parse().unwrap(), "10.0.0.5".parse().unwrap()),
                ("192.168.1.0".parse().unwrap(), "192.168.1.255".parse().unwrap()),
            ],
        };
        assert!(f.matches("10.0.0.5".parse().unwrap()));
        assert!(!f.matches("10.0.0.6".parse().unwrap()));
        assert!(f.matches("192.168.1.77".parse().unwrap()));
        assert!(f.matches("::ffff:192.168.1.1".parse().unwrap()));
        assert!(!f.matches("::1".parse().unwrap()));
    }
}
