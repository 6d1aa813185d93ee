//! A worker asking the fetch thread for keys or a token it does not have
//! yet, without blocking: the ask goes over a bounded crossbeam channel
//! with a one-slot answer channel and one end of a fresh Unix socket pair;
//! the fetch thread puts the answer in the slot, then writes a byte and
//! closes its end, which wakes the worker through its own I/O driver (no
//! cross-thread waker: the runtime stays single-threaded), as
//! `proxy::resolve` does for DNS.
//!
//! Invariants: a full queue fails the ask at once ([`AuthorityError::Busy`]),
//! it never waits; every ask is bounded by the asker's timeout; a dropped
//! ask (timeout, client gone) only closes its socket: the fetch thread's
//! write then fails and is ignored.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use monoio::io::AsyncReadRent;

use super::{Answer, AuthorityError, Want};

/// Asks waiting for the fetch thread, process-wide.
pub const QUEUE: usize = 1024;

/// The default wait for an answer (`authority.wait.timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// One ask, as the fetch thread receives it.
pub struct Asked {
    pub want: Want,
    /// For `Want::OpenId`: when the asking worker's keys for that URL were
    /// fetched (`None`: it has none). Keys as new as the fetch thread's
    /// mean the worker met a `kid` they lack (a refetch, rate-limited);
    /// older or none mean it only needs the thread's copy.
    pub held: Option<std::time::SystemTime>,
    slot: crossbeam_channel::Sender<Result<Answer, AuthorityError>>,
    wake: UnixStream,
}

impl Asked {
    /// Answers the ask (the worker may have given up: that is fine).
    pub fn answer(mut self, result: Result<Answer, AuthorityError>) {
        let _ = self.slot.try_send(result);
        let _ = self.wake.write_all(b"!");
    }
}

/// A worker's handle on the fetch thread's queue (`Send`, cloned per worker).
#[derive(Clone, Debug)]
pub struct Asker {
    tx: crossbeam_channel::Sender<Asked>,
    timeout: Duration,
}

impl Asker {
    /// A queue of [`QUEUE`] asks and the receiving end for the fetch thread.
    pub fn channel(timeout: Duration) -> (Asker, crossbeam_channel::Receiver<Asked>) {
        let (tx, rx) = crossbeam_channel::bounded(QUEUE);
        (Asker { tx, timeout }, rx)
    }

    /// Asks and awaits the answer, at most the asker's timeout (`held`:
    /// see [`Asked::held`]).
    pub async fn ask(&self, want: Want, held: Option<std::time::SystemTime>) -> Result<Answer, AuthorityError> {
        match monoio::time::timeout(self.timeout, self.ask_untimed(want, held)).await {
            Ok(r) => r,
            Err(_) => Err(AuthorityError::Timeout(self.timeout)),
        }
    }

    async fn ask_untimed(&self, want: Want, held: Option<std::time::SystemTime>) -> Result<Answer, AuthorityError> {
        let io = |e: std::io::Error| AuthorityError::Busy(format!("identity-provider ask: {e}"));
        let (mine, theirs) = UnixStream::pair().map_err(io)?;
        mine.set_nonblocking(true).map_err(io)?;
        let (slot, answer) = crossbeam_channel::bounded(1);
        self.tx
            .try_send(Asked {
                want,
                held,
                slot,
                wake: theirs,
            })
            .map_err(|e| match e {
                crossbeam_channel::TrySendError::Full(_) => {
                    AuthorityError::Busy("too many requests are waiting for the identity provider".into())
                }
                crossbeam_channel::TrySendError::Disconnected(_) => {
                    AuthorityError::Busy("the gateway's identity-provider thread is not running".into())
                }
            })?;
        let mut stream = monoio::net::UnixStream::from_std(mine).map_err(io)?;
        let buf = vec![0u8; 8];
        // One byte, or end of stream when the fetch thread dropped the ask.
        let (res, _) = stream.read(buf).await;
        res.map_err(io)?;
        answer.try_recv().unwrap_or_else(|_| {
            Err(AuthorityError::Busy(
                "the identity-provider thread dropped the request".into(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::{OpenIdKeys, Token, View};
    use std::time::SystemTime;

    #[test]
    fn an_ask_is_answered_from_another_thread_and_kept_in_the_view() {
        let (asker, rx) = Asker::channel(Duration::from_secs(5));
        let fetch = std::thread::spawn(move || {
            for asked in rx.iter().take(2) {
                let r = match &asked.want {
                    Want::Token { identity, resource } => Ok(Answer::Token {
                        identity: identity.clone(),
                        resource: resource.clone(),
                        token: Token {
                            value: "secret".into(),
                            expires: SystemTime::now() + Duration::from_secs(60),
                        },
                    }),
                    Want::OpenId { .. } => Err(AuthorityError::Unavailable("down".into())),
                };
                asked.answer(r);
            }
        });
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let v = View::new(Some(asker));
            let got = v
                .ask(Want::Token {
                    identity: String::new(),
                    resource: "api://x".into(),
                })
                .await;
            assert!(matches!(got, Ok(crate::authority::Got::Token(_))), "{got:?}");
            assert!(v.token("", "api://x").is_some());
            let e = v.ask(Want::OpenId { url: "u".into() }).await;
            assert_eq!(e.err(), Some(AuthorityError::Unavailable("down".into())));
        });
        fetch.join().unwrap();
    }

    #[test]
    fn a_worker_holding_keys_asks_again_at_most_once_per_reask_interval() {
        let (asker, rx) = Asker::channel(Duration::from_secs(5));
        let keys = |url: &str| OpenIdKeys {
            url: url.into(),
            issuer: "i".into(),
            token_endpoint: None,
            keys: Default::default(),
            fetched: SystemTime::now(),
        };
        let fetch = std::thread::spawn(move || {
            let mut n = 0;
            for asked in rx.iter() {
                let Want::OpenId { url } = &asked.want else { continue };
                let k = keys(url);
                asked.answer(Ok(Answer::OpenId(k)));
                n += 1;
            }
            n
        });
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let v = View::new(Some(asker));
            let want = || Want::OpenId { url: "u".into() };
            // None held: asked. Held: the first unknown kid asks again, the
            // following ones (a flood of made-up kids) get the held keys.
            for _ in 0..5 {
                assert!(v.ask(want()).await.is_ok());
            }
            // Another provider has its own allowance.
            assert!(v.ask(Want::OpenId { url: "w".into() }).await.is_ok());
            drop(v);
        });
        assert_eq!(fetch.join().unwrap(), 3, "u twice (none held, then one re-ask), w once");
    }

    #[test]
    fn an_unanswered_ask_times_out() {
        let (asker, rx) = Asker::channel(Duration::from_millis(50));
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .expect("runtime");
        let r = rt.block_on(asker.ask(Want::OpenId { url: "u".into() }, None));
        assert!(matches!(r, Err(AuthorityError::Timeout(_))));
        drop(rx);
    }
}
