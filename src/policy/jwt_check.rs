//! The run-time half shared by `validate-jwt` and `validate-azure-ad-token`:
//! find the token, take it from the worker's verified-token cache or
//! validate it (`crate::jwt`) against inline keys and the OpenID
//! providers' keys of the worker's copy (`Services::authority`), wait for
//! the fetch thread when a provider's keys are missing or the token names
//! an unknown `kid`, and refuse with APIM's reasons and bodies.
//!
//! Invariants: never blocks (keys are the worker's own copy; a wait is an
//! `Effect::Authority`, at most one per request and policy); a verified
//! token is cached per worker under a scope naming this policy and the
//! generation of the keys it was checked with (refreshed keys start a new
//! scope); a refusal's message never contains the token.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use outpost_expr::Value;

use super::effect::{Effect, Outcome};
use super::exec::Run;
use super::failure::Failure;
use super::text::Text;
use crate::authority::{OpenIdKeys, Want};
use crate::jwt::cache::VerifiedCache;
use crate::jwt::jwe::DecryptionKey;
use crate::jwt::validate::Trust;
use crate::jwt::{validate, KeySet, Refusal, Rules, Validated};

/// The worker's cache of verified tokens (in `Services`).
pub type SharedCache = Rc<RefCell<VerifiedCache>>;

/// Where the token is.
#[derive(Clone, Debug)]
pub enum TokenSource {
    Header(Text),
    Query(Text),
    Value(Text),
}

/// A boolean or number attribute: literal (decided at compile time) or an
/// expression.
#[derive(Clone, Debug)]
pub enum Setting<T> {
    Lit(T),
    Expr(Text),
}

/// One compiled validate-jwt / validate-azure-ad-token.
#[derive(Clone, Debug)]
pub struct JwtCheck {
    pub source_name: &'static str,
    pub token: TokenSource,
    pub status: Setting<u16>,
    pub message: Option<Text>,
    pub require_scheme: Option<Text>,
    pub require_expiration_time: Setting<bool>,
    pub require_signed_tokens: Setting<bool>,
    pub clock_skew: Setting<i64>,
    pub output: Option<Text>,
    /// Discovery document URLs (`openid-config url`).
    pub openid: Vec<String>,
    /// `openid-config url` given as expressions: evaluated per request
    /// (an http(s) URL, else the policy fails), keys fetched on first use.
    pub openid_exprs: Vec<Text>,
    pub keys: KeySet,
    pub decryption: Vec<DecryptionKey>,
    /// The rules with the literal settings applied.
    pub rules: Rules,
    /// validate-azure-ad-token's `client-application-ids`: the token's
    /// `azp` or `appid` must be one of them.
    pub client_apps: Vec<String>,
    /// Distinguishes this policy's entries in the verified-token cache.
    pub id: u64,
}

/// A fresh policy id for the cache scope.
pub fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

enum Step {
    Done,
    Wait(String),
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// APIM's `clock-skew`: seconds, or a timespan `hh:mm:ss`.
pub fn parse_skew(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return (0..=86_400).contains(&n).then_some(n);
    }
    let parts: Vec<i64> = s
        .split(':')
        .map(|p| p.trim().parse::<i64>().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [h, m, sec] if *h >= 0 && (0..60).contains(m) && (0..60).contains(sec) && *h <= 24 => {
            Some(h * 3600 + m * 60 + sec)
        }
        _ => None,
    }
}

impl JwtCheck {
    fn setting<'p, T: Copy>(
        &'p self,
        r: &Run<'_, 'p>,
        s: &'p Setting<T>,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, Failure> {
        match s {
            Setting::Lit(v) => Ok(*v),
            Setting::Expr(t) => {
                let v = r.eval(t, self.source_name)?;
                parse(&v).ok_or_else(|| Failure::expression(self.source_name, format!("invalid value `{v}`")))
            }
        }
    }

    fn refuse<'p>(&'p self, r: &Run<'_, 'p>, refusal: Refusal) -> Failure {
        let status = self.setting(r, &self.status, |s| {
            s.trim().parse::<u16>().ok().filter(|s| (100..=599).contains(s))
        });
        let mut f = Failure::new(
            self.source_name,
            refusal.reason.as_str(),
            status.unwrap_or(401),
            refusal.message,
        );
        if let Some(m) = &self.message {
            if let Ok(m) = r.eval(m, self.source_name) {
                f = f.with_body_message(m.into_owned());
            }
        }
        f
    }

    /// The token, without its scheme; `None`: not present.
    fn token<'p>(&'p self, r: &Run<'_, 'p>) -> Result<Option<String>, Failure> {
        let raw: String = match &self.token {
            TokenSource::Header(name) => {
                let name = r.eval(name, self.source_name)?;
                let Some(v) = r.header(false, &name) else {
                    return Ok(None);
                };
                let v = v.trim();
                if !name.eq_ignore_ascii_case("Authorization") {
                    // require-scheme is ignored on custom headers (APIM).
                    v.to_owned()
                } else {
                    match v.split_once(' ') {
                        Some((scheme, rest)) => {
                            if let Some(want) = &self.require_scheme {
                                let want = r.eval(want, self.source_name)?;
                                if !scheme.eq_ignore_ascii_case(want.trim()) {
                                    return Ok(None);
                                }
                            }
                            rest.trim().to_owned()
                        }
                        None if self.require_scheme.is_some() => return Ok(None),
                        None => v.to_owned(),
                    }
                }
            }
            TokenSource::Query(name) => {
                let name = r.eval(name, self.source_name)?;
                let query = r.req.query().unwrap_or_default();
                match url::form_urlencoded::parse(query).find(|(k, _)| *k == *name) {
                    Some((_, v)) => v.trim().to_owned(),
                    None => return Ok(None),
                }
            }
            TokenSource::Value(t) => r.eval(t, self.source_name)?.trim().to_owned(),
        };
        Ok((!raw.is_empty()).then_some(raw))
    }

    pub fn start<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<Effect, Failure> {
        match self.step(r, false)? {
            Step::Done => Ok(Effect::Nothing),
            Step::Wait(url) => Ok(Effect::Authority(Want::OpenId { url })),
        }
    }

    /// After a wait: validate with whatever keys the worker now has (an
    /// unavailable provider leaves the keys it had).
    pub fn finish<'p>(&'p self, r: &mut Run<'_, 'p>, outcome: Outcome) -> Result<(), Failure> {
        match outcome {
            Outcome::Done => Ok(()),
            Outcome::Authority(answer) => {
                if let Err(e) = answer {
                    tracing::debug!(policy = self.source_name, error = %e, "no fresh OpenID keys; validating with those held");
                }
                self.step(r, true).map(|_| ())
            }
            _ => Ok(()),
        }
    }

    fn step<'p>(&'p self, r: &mut Run<'_, 'p>, waited: bool) -> Result<Step, Failure> {
        let Some(token) = self.token(r)? else {
            return Err(self.refuse(r, Refusal::not_present()));
        };
        let services = r.env.services;
        let urls = self.urls(r)?;
        let mut providers: Vec<Rc<OpenIdKeys>> = Vec::with_capacity(urls.len());
        let mut missing = None;
        for url in urls.iter() {
            match services.authority.openid(url) {
                Some(k) => providers.push(k),
                None => missing = missing.or(Some(url)),
            }
        }
        if let (Some(url), false) = (missing, waited) {
            return Ok(Step::Wait(url.to_string()));
        }
        let now = crate::jwt::now();
        // The rules in force are part of the cache scope: a token verified
        // under looser computed rules (unsigned allowed, no `exp`, a wider
        // skew) is not taken as verified under stricter ones.
        let rules = self.rules(r)?;
        let mut scope = Vec::with_capacity(24 + 16 * providers.len());
        scope.extend_from_slice(&self.id.to_le_bytes());
        scope.push(u8::from(rules.require_signed_tokens));
        scope.push(u8::from(rules.require_expiration_time));
        scope.extend_from_slice(&rules.clock_skew.to_le_bytes());
        for p in &providers {
            scope.extend_from_slice(&(Rc::as_ptr(p) as usize as u64).to_le_bytes());
            let t = p
                .fetched
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            scope.extend_from_slice(&t.to_le_bytes());
        }
        let key = VerifiedCache::key(&scope, &token);
        if let Some(v) = services.jwt_cache.borrow_mut().get(&key, now) {
            return self.accept(r, &v).map(|_| Step::Done);
        }
        let sets: Vec<&KeySet> = std::iter::once(&self.keys)
            .chain(providers.iter().map(|p| &p.keys))
            .collect();
        let issuers: Vec<&str> = providers.iter().map(|p| p.issuer.as_str()).collect();
        let trust = Trust {
            keys: &sets,
            issuers: &issuers,
            decryption: &self.decryption,
        };
        match validate(&token, &trust, &rules, now).and_then(|v| self.check_apps(v)) {
            Ok(v) => {
                let v = Rc::new(v);
                // An unsigned token (require-signed-tokens="false") costs no
                // signature check: not cached, so nobody can fill the cache
                // with tokens minted for free.
                if !v.alg.eq_ignore_ascii_case("none") {
                    services
                        .jwt_cache
                        .borrow_mut()
                        .insert(key, v.clone(), now, rules.clock_skew);
                }
                self.accept(r, &v).map(|_| Step::Done)
            }
            Err(refusal) if refusal.unknown_kid && !waited => match urls.first() {
                Some(url) => {
                    tracing::debug!(
                        policy = self.source_name,
                        "token names an unknown kid; asking for fresh keys"
                    );
                    Ok(Step::Wait(url.to_string()))
                }
                None => Err(self.refuse(r, refusal)),
            },
            Err(refusal) => Err(self.refuse(r, refusal)),
        }
    }

    /// The discovery URLs of this request: the literal ones, then the
    /// computed ones (each must be an http(s) URL).
    fn urls<'p>(&'p self, r: &Run<'_, 'p>) -> Result<Cow<'p, [String]>, Failure> {
        if self.openid_exprs.is_empty() {
            return Ok(Cow::Borrowed(&self.openid));
        }
        let mut urls = self.openid.clone();
        for t in &self.openid_exprs {
            let url = r.eval(t, self.source_name)?.trim().to_owned();
            if !crate::policy::validate_jwt::is_http_url(&url) {
                return Err(Failure::expression(
                    self.source_name,
                    "openid-config url is not an https URL (http only on a loopback host)".to_string(),
                ));
            }
            urls.push(url);
        }
        Ok(Cow::Owned(urls))
    }

    fn rules<'p>(&'p self, r: &Run<'_, 'p>) -> Result<Cow<'p, Rules>, Failure> {
        let lit = |s: &Setting<bool>| matches!(s, Setting::Lit(_));
        if lit(&self.require_expiration_time)
            && lit(&self.require_signed_tokens)
            && matches!(self.clock_skew, Setting::Lit(_))
        {
            return Ok(Cow::Borrowed(&self.rules));
        }
        let mut rules = self.rules.clone();
        rules.require_expiration_time = self.setting(r, &self.require_expiration_time, parse_bool)?;
        rules.require_signed_tokens = self.setting(r, &self.require_signed_tokens, parse_bool)?;
        rules.clock_skew = self.setting(r, &self.clock_skew, parse_skew)?;
        Ok(Cow::Owned(rules))
    }

    fn check_apps(&self, v: Validated) -> Result<Validated, Refusal> {
        if self.client_apps.is_empty() {
            return Ok(v);
        }
        let app = ["azp", "appid", "client_id"]
            .iter()
            .find_map(|c| v.claims.get(*c).and_then(|x| x.as_str()));
        match app {
            Some(a) if self.client_apps.iter().any(|c| c == a) => Ok(v),
            Some(a) => Err(Refusal {
                reason: crate::jwt::Reason::TokenClaimValueNotAllowed,
                message: format!("Claim appid value of {a} is not allowed. Access denied."),
                unknown_kid: false,
            }),
            None => Err(Refusal {
                reason: crate::jwt::Reason::TokenClaimNotFound,
                message: "JWT token is missing the following claims: appid. Access denied.".into(),
                unknown_kid: false,
            }),
        }
    }

    fn accept<'p>(&'p self, r: &mut Run<'_, 'p>, v: &Validated) -> Result<(), Failure> {
        if let Some(name) = &self.output {
            let value = match outpost_expr::library::apim::jwt::parse(&v.jws) {
                Some(jwt) => Value::Obj(Rc::new(jwt)),
                None => Value::Null,
            };
            super::send_request::set_variable(r, name, self.source_name, value)?;
        }
        Ok(())
    }
}
