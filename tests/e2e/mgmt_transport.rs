//! The management plane's HTTP transport under the load that stalled
//! tiny_http 0.12: many keep-alive connections held open (idle) and
//! gateways' long polls held by the server, while bursts of new
//! keep-alive connections arrive together (tiny_http's task pool lost the
//! wake-up of one of two connections queued together, which then waited
//! for a busy thread to free: forever when all of them were held). Every new connection must be answered
//! (each read is bounded by the client's I/O timeout), the held ones stay
//! usable, and the long polls are still woken by a configuration change.

use crate::support::*;
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Keep-alive connections held open and idle during the bursts.
const HELD: usize = 48;
/// Long polls held by the server during the bursts.
const POLLS: usize = 4;
/// Bursts, and new connections arriving together in each (all stay open:
/// HELD + BURSTS × PER_BURST stays under the server's connection bound).
const BURSTS: usize = 60;
const PER_BURST: usize = 3;
/// A held long poll is answered when the configuration changes (≤ 60 s).
const POLL_TIMEOUT: Duration = Duration::from_secs(90);

#[test]
fn new_connections_are_answered_while_many_are_held() {
    let cp = ControlPlane::start();
    cp.put_gateway("gw1");
    let token = cp.token("gw1");
    let auth = format!("Bearer {}", cp.admin_token());
    let first = cp.raw("GET", "/gateway/config", Some(&token), "");
    assert_eq!(first.status, 200, "{}", first.text());
    let etag = first.header("etag").expect("the snapshot has an ETag");

    // Keep-alive connections, each proven served by one answered request.
    let mut held: Vec<Conn> = (0..HELD)
        .map(|_| {
            let mut c = Conn::connect(cp.port);
            let r = c.request("GET", "/mgmt/version", &[("Authorization", &auth)], b"");
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(r.header("connection").as_deref(), Some("keep-alive"));
            c
        })
        .collect();

    // Long polls the server holds until the gateway's content changes.
    let polls: Vec<_> = (0..POLLS)
        .map(|_| {
            let mut c = Conn::connect(cp.port);
            c.wire.stream.set_read_timeout(Some(POLL_TIMEOUT)).unwrap();
            let (token, etag) = (token.clone(), etag.clone());
            std::thread::spawn(move || {
                let headers = [("Authorization", token.as_str()), ("If-None-Match", etag.as_str())];
                c.request("GET", "/gateway/config?wait=60", &headers, b"")
            })
        })
        .collect();

    // Before each burst, one short connection (its server thread is then
    // idle); then a few keep-alive connections arrive together and stay
    // open: the wake-up race needs more arrivals than idle threads, and a
    // queued connection then waits for a held one to close.
    for burst in 0..BURSTS {
        cp.version();
        let start = Arc::new(Barrier::new(PER_BURST));
        let clients: Vec<_> = (0..PER_BURST)
            .map(|_| {
                let (start, auth, port) = (start.clone(), auth.clone(), cp.port);
                std::thread::spawn(move || {
                    start.wait();
                    let mut c = Conn::connect(port);
                    let r = c.request("GET", "/mgmt/version", &[("Authorization", &auth)], b"");
                    (c, r)
                })
            })
            .collect();
        for client in clients {
            let (c, r) = client.join().expect("every new connection is answered in time");
            assert_eq!(r.status, 200, "burst {burst}: {} {}", r.status_line(), r.text());
            held.push(c);
        }
    }

    // The held connections are still open and served.
    for c in &mut held {
        let r = c.request("GET", "/mgmt/version", &[("Authorization", &auth)], b"");
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // A change of the gateway's content wakes every held long poll.
    cp.put_api("echo", "echo", "echo://");
    cp.assign("gw1", "echo");
    for p in polls {
        let r = p.join().expect("the long poll is answered");
        assert_eq!(r.status, 200, "{}", r.text());
        assert_ne!(r.header("etag"), Some(etag.clone()), "a new version");
    }
}
