//! Unit tests of the fetch thread's schedule against a small provider on
//! 127.0.0.1 (discovery + JWKS, failure modes, request counts); time is
//! injected (`now` arguments), so "a minute later" needs no sleep.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Normal,
    /// Truncated JSON.
    Malformed,
    /// More than the JWKS cap, with a `Content-Length`.
    Huge,
    /// More than the JWKS cap, without a length (read until closed).
    HugeUnframed,
    /// A JWKS without a usable key.
    NoKeys,
    /// 503.
    Error,
    /// Longer than the fetch timeout.
    Slow,
    /// Every path (discovery too) answers 503.
    Down,
}

struct State {
    mode: Mode,
    kid: String,
    counts: HashMap<String, u32>,
}

/// A provider whose JWKS holds one RSA key named `kid`.
struct Idp {
    addr: String,
    state: Arc<Mutex<State>>,
}

impl Idp {
    fn start(kid: &str) -> Idp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            mode: Mode::Normal,
            kid: kid.into(),
            counts: HashMap::new(),
        }));
        let (s, base) = (state.clone(), addr.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let s = s.clone();
                let base = base.clone();
                std::thread::spawn(move || serve(conn, &s, &base));
            }
        });
        Idp { addr, state }
    }

    fn url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.addr)
    }

    fn set(&self, mode: Mode, kid: &str) {
        let mut s = self.state.lock().unwrap();
        s.mode = mode;
        s.kid = kid.into();
    }

    fn count(&self, path: &str) -> u32 {
        self.state.lock().unwrap().counts.get(path).copied().unwrap_or(0)
    }
}

fn serve(mut conn: std::net::TcpStream, state: &Mutex<State>, base: &str) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
    }
    let (mode, kid) = {
        let mut s = state.lock().unwrap();
        *s.counts.entry(path.clone()).or_default() += 1;
        (s.mode, s.kid.clone())
    };
    let ok = |body: &[u8]| {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    };
    let error = b"HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec();
    let huge = vec![b' '; crate::jwt::MAX_JWKS_BYTES + 1024];
    let resp = match (path.as_str(), mode) {
        (_, Mode::Down) => error,
        ("/.well-known/openid-configuration", _) => {
            ok(format!(r#"{{"issuer":"{base}","jwks_uri":"{base}/jwks"}}"#).as_bytes())
        }
        ("/jwks", Mode::Normal) => {
            ok(format!(r#"{{"keys":[{{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"{kid}"}}]}}"#).as_bytes())
        }
        ("/jwks", Mode::Malformed) => ok(br#"{"keys":[{"kty":"RSA","n":"#),
        ("/jwks", Mode::Huge) => ok(&huge),
        ("/jwks", Mode::HugeUnframed) => {
            let mut r = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".to_vec();
            r.extend_from_slice(&huge);
            r
        }
        ("/jwks", Mode::NoKeys) => ok(br#"{"keys":[]}"#),
        ("/jwks", Mode::Error) => error,
        ("/jwks", Mode::Slow) => {
            std::thread::sleep(Duration::from_millis(2500));
            ok(b"{}")
        }
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    };
    let _ = conn.write_all(&resp);
}

fn fetcher(backup_dir: Option<PathBuf>) -> (Fetcher, Receiver<WorkerMsg>) {
    let (_asker, asked) = super::super::Asker::channel(Duration::from_secs(1));
    let (tx, rx) = crossbeam_channel::unbounded();
    let f = Fetcher::new(Spec {
        asked,
        workers: vec![tx],
        identities: Vec::new(),
        backup_dir,
        fetch_timeout: Duration::from_secs(1),
    });
    (f, rx)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("outpost-{name}-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The kid of the one key an answer holds (the test JWKS have one).
fn kid(a: &Result<Answer, AuthorityError>) -> &'static str {
    let Ok(Answer::OpenId(k)) = a else { panic!("{a:?}") };
    ["k1", "k2", "k3", "good", "new"]
        .into_iter()
        .find(|kid| k.keys.has_kid(kid))
        .unwrap_or("?")
}

fn held(f: &Fetcher, url: &str) -> Option<SystemTime> {
    f.providers.get(url).and_then(|p| p.keys.as_ref()).map(|k| k.fetched)
}

const SEC: Duration = Duration::from_secs(1);

#[test]
fn the_ask_rule() {
    let t = Instant::now();
    let fetched = SystemTime::now();
    let older = fetched - SEC;
    // The worker lacks the thread's keys: never a refetch.
    assert!(!refetch_on_ask(Some(fetched), None, None, t));
    assert!(!refetch_on_ask(Some(fetched), Some(older), None, t));
    // It holds them (unknown kid), or the thread has none: once a minute.
    assert!(refetch_on_ask(Some(fetched), Some(fetched), None, t));
    assert!(!refetch_on_ask(Some(fetched), Some(fetched), Some(t), t + 59 * SEC));
    assert!(refetch_on_ask(Some(fetched), Some(fetched), Some(t), t + 60 * SEC));
    assert!(refetch_on_ask(None, None, None, t));
    assert!(!refetch_on_ask(None, None, Some(t), t + 30 * SEC));
}

#[test]
fn an_unknown_kid_refetches_at_most_once_a_minute_per_url() {
    let (idp, other) = (Idp::start("k1"), Idp::start("k1"));
    let (url, url2) = (idp.url(), other.url());
    let (mut f, _workers) = fetcher(None);
    let t0 = Instant::now();
    f.watch(vec![url.clone(), url2.clone()], t0);
    assert_eq!((idp.count("/jwks"), other.count("/jwks")), (1, 1));
    // A worker without keys gets the thread's copy, no refetch.
    assert_eq!(kid(&f.openid(&url, None, t0 + SEC)), "k1");
    assert_eq!(idp.count("/jwks"), 1);
    // The provider rotates; a worker holding the current keys meets the
    // new kid: one refetch.
    idp.set(Mode::Normal, "k2");
    let k1_fetched = held(&f, &url);
    assert_eq!(kid(&f.openid(&url, k1_fetched, t0 + 2 * SEC)), "k2");
    assert_eq!(idp.count("/jwks"), 2);
    // Another worker still holding k1 asks too: the thread's k2, no refetch.
    assert_eq!(kid(&f.openid(&url, k1_fetched, t0 + 3 * SEC)), "k2");
    // More unknown kids within the minute: answered from memory.
    idp.set(Mode::Normal, "k3");
    for s in [4, 30, 61] {
        assert_eq!(kid(&f.openid(&url, held(&f, &url), t0 + s * SEC)), "k2");
    }
    assert_eq!(idp.count("/jwks"), 2);
    // A minute after the last refetch: one more.
    assert_eq!(kid(&f.openid(&url, held(&f, &url), t0 + 62 * SEC)), "k3");
    assert_eq!(idp.count("/jwks"), 3);
    // Each URL has its own allowance.
    other.set(Mode::Normal, "k2");
    assert_eq!(kid(&f.openid(&url2, held(&f, &url2), t0 + 30 * SEC)), "k2");
    assert_eq!(other.count("/jwks"), 2);
}

#[test]
fn the_last_good_keys_stay_when_a_refetch_fails() {
    let idp = Idp::start("good");
    let url = idp.url();
    let dir = temp_dir("keys-kept");
    let (mut f, workers) = fetcher(Some(dir.clone()));
    let mut now = Instant::now();
    f.watch(vec![url.clone()], now);
    let good = held(&f, &url);
    for mode in [
        Mode::Malformed,
        Mode::Huge,
        Mode::HugeUnframed,
        Mode::NoKeys,
        Mode::Error,
        Mode::Slow,
        Mode::Down,
    ] {
        idp.set(mode, "new");
        now += 61 * SEC;
        let tries = idp.count("/.well-known/openid-configuration");
        let a = f.openid(&url, good, now);
        assert_eq!(
            idp.count("/.well-known/openid-configuration"),
            tries + 1,
            "{mode:?}: tried"
        );
        assert_eq!(kid(&a), "good", "{mode:?}: the last good keys answer");
        assert_eq!(held(&f, &url), good, "{mode:?}");
        let p = &f.providers[&url];
        assert!(p.last_error.is_some(), "{mode:?}: the failure is kept for the log");
        assert_eq!(p.due, now + REFRESH_MIN, "{mode:?}: retried a minute later");
        let saved = super::super::store::load(&dir).saved;
        assert!(
            saved[0].keys.keys.has_kid("good"),
            "{mode:?}: the backup keeps them too"
        );
    }
    // The provider is good again: its new keys replace the old.
    idp.set(Mode::Normal, "new");
    now += 61 * SEC;
    assert_eq!(kid(&f.openid(&url, good, now)), "new");
    assert!(f.providers[&url].last_error.is_none());
    assert!(super::super::store::load(&dir).saved[0].keys.keys.has_kid("new"));
    // The scheduled refresh follows the same rule (tick at the due time).
    idp.set(Mode::Malformed, "k3");
    let due = f.providers[&url].due;
    f.tick(due);
    assert!(f.providers[&url].keys.as_ref().is_some_and(|k| k.keys.has_kid("new")));
    // The workers were only ever sent good keys.
    let sent: Vec<&str> = workers
        .try_iter()
        .map(|m| match m {
            WorkerMsg::Authority(u) => match u.answers.as_slice() {
                [Answer::OpenId(k)] if k.keys.has_kid("good") => "good",
                [Answer::OpenId(k)] if k.keys.has_kid("new") => "new",
                other => panic!("{other:?}"),
            },
            _ => "other",
        })
        .collect();
    assert_eq!(sent, ["good", "new"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keys_survive_a_restart_from_the_backup_and_a_corrupt_backup_is_refused() {
    let idp = Idp::start("k1");
    let url = idp.url();
    let dir = temp_dir("keys-backup");
    let (mut f, _w) = fetcher(Some(dir.clone()));
    f.watch(vec![url.clone()], Instant::now());
    assert!(super::super::store::path(&dir).exists(), "openid-keys.json written");
    drop(f);
    // Restarted with the provider down: the saved keys are loaded,
    // pushed to the workers at once, and answer asks.
    idp.set(Mode::Down, "k2");
    let (mut f, workers) = fetcher(Some(dir.clone()));
    let Ok(WorkerMsg::Authority(u)) = workers.try_recv() else {
        panic!("the saved keys are pushed at start")
    };
    assert!(matches!(u.answers.as_slice(), [Answer::OpenId(k)] if k.keys.has_kid("k1")));
    let now = Instant::now();
    let tries = idp.count("/.well-known/openid-configuration");
    assert_eq!(kid(&f.openid(&url, None, now)), "k1");
    assert_eq!(idp.count("/.well-known/openid-configuration"), tries, "from memory");
    // An unknown kid while it is down: tried, still the saved keys.
    assert_eq!(kid(&f.openid(&url, held(&f, &url), now)), "k1");
    assert_eq!(idp.count("/.well-known/openid-configuration"), tries + 1);
    drop(f);
    // A corrupt backup: refused (reported by store::read), no crash, no keys.
    std::fs::write(
        super::super::store::path(&dir),
        b"{\"version\":1,\"providers\":[{\"url\"",
    )
    .unwrap();
    let (mut f, workers) = fetcher(Some(dir.clone()));
    assert!(workers.try_recv().is_err(), "nothing pushed");
    let e = f.openid(&url, None, Instant::now());
    assert!(matches!(e, Err(AuthorityError::Unavailable(_))), "{e:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn providers_named_by_requests_are_bounded_least_recently_asked_first() {
    let idp = Idp::start("k1");
    let (mut f, _workers) = fetcher(None);
    let t0 = Instant::now();
    // The configuration's provider is never evicted.
    f.watch(vec![idp.url()], t0);
    // Computed URLs (unreachable: refused at once) beyond the bound.
    let url = |i: u64| format!("http://127.0.0.1:1/tenant-{i}/.well-known/openid-configuration");
    for i in 0..(MAX_ON_DEMAND as u64 + 8) {
        let _ = f.openid(&url(i), None, t0 + SEC * (i as u32));
    }
    let on_demand = f.providers.values().filter(|p| p.on_demand.is_some()).count();
    assert_eq!(on_demand, MAX_ON_DEMAND);
    assert!(f.providers.contains_key(&idp.url()), "configured providers stay");
    assert!(
        !f.providers.contains_key(&url(0)),
        "the least recently asked went first"
    );
    assert!(f.providers.contains_key(&url(MAX_ON_DEMAND as u64 + 7)));
}
