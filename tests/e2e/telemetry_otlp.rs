//! OTLP export through the real binary, checked with the receiver built on
//! the official protocol definitions (tests/otlp/receiver.py).

use crate::support::otlp::{self, Otlp};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The receiver itself: an empty ExportMetricsServiceRequest (a valid
/// protobuf message of zero bytes) over HTTP comes back as one accepted
/// request; in `unavailable` mode the next one is refused with 503 and
/// reported as not accepted.
#[test]
fn receiver_reports_requests_and_refuses_on_demand() {
    let rx = Otlp::start();
    // The HTTP status of an empty export request to `path`.
    let post = |path: &str| match ureq::post(&format!("{}{path}", rx.http_uri()))
        .set("Content-Type", "application/x-protobuf")
        .send_bytes(&[])
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("POST {path}: {e}"),
    };
    assert_eq!(post("/v1/metrics"), 200);
    let got = rx.wait_requests("metrics", 1, WAIT);
    assert_eq!(got[0].transport, "http");
    assert!(otlp::metrics(&got).is_empty());
    rx.set_mode("unavailable", 0);
    assert_eq!(post("/v1/traces"), 503);
    rx.wait_for("a refused traces request", WAIT, |items| {
        items.iter().any(|r| r.signal == "traces" && !r.accepted).then_some(())
    });
}
