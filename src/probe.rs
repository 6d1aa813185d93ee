//! `outpost probe`: a health check for container images without a shell or
//! curl (the distroless runtime image has neither). It GETs a status path of
//! the gateway on the local host and succeeds only on a 200 answer.
//!
//! The target defaults to the gateway's own HTTP listener as the settings
//! describe it (`net.server.http.port`, `net.server.http.address` with an
//! unspecified address meaning loopback), so a container configured by
//! environment variables probes the port the gateway really listens on.

use crate::settings::Settings;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The liveness path (`/status-0123456789abcdef`), as APIM serves it.
pub const LIVENESS_PATH: &str = "/status-0123456789abcdef";

/// Why a probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{url}: answered {status}, expected 200")]
    Status { url: String, status: u16 },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("the HTTP port is 0 (ephemeral): give --port")]
    NoPort,
}

/// What to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: SocketAddr,
    pub path: String,
    pub timeout: Duration,
}

impl Target {
    /// The gateway's HTTP listener from `settings`, optionally on `port`.
    pub fn from_settings(settings: &Settings, port: Option<u16>) -> Result<Target, ProbeError> {
        let port = port.unwrap_or(settings.http_port);
        if port == 0 {
            return Err(ProbeError::NoPort);
        }
        let ip = match settings.http_address {
            IpAddr::V4(a) if a.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(a) if a.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            a => a,
        };
        Ok(Target {
            addr: SocketAddr::new(ip, port),
            path: LIVENESS_PATH.to_string(),
            timeout: Duration::from_secs(3),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// Sends one GET; `Ok` only for a 200 answer.
    pub fn run(&self) -> Result<(), ProbeError> {
        let url = self.url();
        let agent = ureq::AgentBuilder::new().timeout(self.timeout).redirects(0).build();
        match agent.get(&url).call() {
            Ok(r) if r.status() == 200 => Ok(()),
            Ok(r) => Err(ProbeError::Status {
                url,
                status: r.status(),
            }),
            Err(ureq::Error::Status(status, _)) => Err(ProbeError::Status { url, status }),
            Err(ureq::Error::Transport(t)) => Err(ProbeError::Transport {
                url,
                reason: t.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_listener_address_probes_loopback() {
        let mut s = Settings::default();
        let t = Target::from_settings(&s, None).unwrap();
        assert_eq!(t.url(), "http://127.0.0.1:8080/status-0123456789abcdef");
        s.http_address = "::".parse().unwrap();
        assert_eq!(
            Target::from_settings(&s, Some(9)).unwrap().addr,
            "[::1]:9".parse().unwrap()
        );
        s.http_address = "10.1.2.3".parse().unwrap();
        assert_eq!(
            Target::from_settings(&s, None).unwrap().addr,
            "10.1.2.3:8080".parse().unwrap()
        );
        s.http_port = 0;
        assert!(matches!(Target::from_settings(&s, None), Err(ProbeError::NoPort)));
    }
}
