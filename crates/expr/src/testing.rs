//! Test support for library families: [`TestRt`], a [`Runtime`] whose
//! lambdas are Rust closures and whose context is empty, so a family's
//! members can be unit-tested without the parser or the evaluator.
//! (Expression-level tests go through `Expr::compile` and the conformance
//! tables in `tests/conformance/`.)

use std::borrow::Cow;

use crate::context::{Context, IntField, Msg, Ns, TextField, UrlKind, Values};
use crate::error::{EvalError, EvalResult};
use crate::library::time::datetime::{DateTime, TimeSpan};
use crate::runtime::Runtime;
use crate::value::Value;

/// A context with nothing in it and a fixed clock (2024-01-02T03:04:05Z).
pub struct EmptyContext;

impl Context for EmptyContext {
    fn text(&self, _: TextField) -> Option<Cow<'_, str>> {
        None
    }
    fn int(&self, _: IntField) -> i32 {
        0
    }
    fn present(&self, _: Ns) -> bool {
        false
    }
    fn header(&self, _: Msg, _: &str) -> Option<Values<'_>> {
        None
    }
    fn query(&self, _: UrlKind, _: &str) -> Option<Values<'_>> {
        None
    }
    fn matched_parameter(&self, _: &str) -> Option<Cow<'_, str>> {
        None
    }
    fn variable(&self, _: &str) -> Option<Value<'_>> {
        None
    }
    fn set_variable(&mut self, _: &str, _: Value<'static>) {}
    fn timestamp(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_millis(5)
    }
    fn now(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
}

static EMPTY: EmptyContext = EmptyContext;

type Lambda = Box<dyn Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>>>;

/// A runtime for unit tests: `lambdas[i]` is what `Value::Lambda(i)` calls.
#[derive(Default)]
pub struct TestRt {
    pub lambdas: Vec<Lambda>,
    /// Each lambda's number of parameters (what `lambda_arity` reports).
    pub arities: Vec<usize>,
    pub steps: u64,
    pub bytes: usize,
    /// Budget limits (0 = unlimited).
    pub max_steps: u64,
    pub max_bytes: usize,
    /// What members wrote with `set_out`, by argument position.
    pub outs: Vec<(usize, Value<'static>)>,
    seed: u64,
}

impl TestRt {
    pub fn new() -> TestRt {
        TestRt::default()
    }

    /// Adds a lambda; returns the value that calls it.
    pub fn lambda(
        &mut self,
        f: impl Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>> + 'static,
    ) -> Value<'static> {
        self.lambda_n(1, f)
    }

    /// Adds a lambda taking `arity` parameters (LINQ's index overloads
    /// choose by it: `Where((x, i) => …)`).
    pub fn lambda_n(
        &mut self,
        arity: usize,
        f: impl Fn(Vec<Value<'static>>) -> EvalResult<Value<'static>> + 'static,
    ) -> Value<'static> {
        self.lambdas.push(Box::new(f));
        self.arities.push(arity);
        Value::Lambda((self.lambdas.len() - 1) as u32)
    }
}

impl<'a> Runtime<'a> for TestRt {
    fn context(&self) -> &'a dyn Context {
        &EMPTY
    }

    fn invoke(&mut self, f: &Value<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
        let Value::Lambda(i) = f else {
            return Err(EvalError::argument("not a lambda"));
        };
        let f = self
            .lambdas
            .get(*i as usize)
            .ok_or_else(|| EvalError::argument("no such lambda"))?;
        f(args.iter().cloned().map(Value::into_owned).collect())
    }

    fn lambda_arity(&self, f: &Value<'a>) -> Option<usize> {
        match f {
            Value::Lambda(i) => self.arities.get(*i as usize).copied(),
            _ => None,
        }
    }

    fn set_out(&mut self, arg: usize, value: Value<'a>) -> EvalResult<()> {
        self.outs.push((arg, value.into_owned()));
        Ok(())
    }

    fn charge(&mut self, steps: u64) -> EvalResult<()> {
        self.steps += steps;
        if self.max_steps > 0 && self.steps > self.max_steps {
            return Err(EvalError::new(crate::EvalErrorKind::Budget, "step budget exceeded"));
        }
        Ok(())
    }

    fn alloc(&mut self, bytes: usize) -> EvalResult<()> {
        self.bytes += bytes;
        if self.max_bytes > 0 && self.bytes > self.max_bytes {
            return Err(EvalError::new(crate::EvalErrorKind::Budget, "memory budget exceeded"));
        }
        Ok(())
    }

    fn random_u64(&mut self) -> u64 {
        // splitmix64: deterministic in tests.
        self.seed = self.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The sample request conformance cases run against: `POST
/// https://api.contoso.com/echo/resource/42?x=1&y=2&x=3` from 10.0.0.7 with
/// JSON body `{"a":1,"items":[{"id":1,"ok":true},{"id":2,"ok":false}],"name":"x"}`,
/// headers `Content-Type: application/json`, `User-Agent: Mozilla/5.0
/// (iPhone)`, `X-Multi: a` and `X-Multi: b`, `Authorization: Basic
/// dXNlcjpwYXNz` (user:pass); matched parameter `id` = 42; variables
/// `count` = 5 (int), `name` = "outpost", `flag` = true, `response` (an
/// `IResponse`: 200 OK, JSON `{"active":true,"n":5}`); subscription
/// `sub1` (key `key-123`, name `Starter sub`) in product `starter`
/// (`Starter`); API `echo-api` (`Echo API`, path `echo`, service URL
/// `http://backend:8080/api`), operation `get-resource` (`GET
/// /resource/{id}`); response 200 OK with `Content-Type: text/plain`;
/// deployment `gw-1` in region `local`; no LastError, no user, no client
/// certificate; the clock at 2024-01-02T03:04:05Z.
pub fn sample_context() -> &'static dyn Context {
    &SAMPLE
}

static SAMPLE: SampleContext = SampleContext;

/// See [`sample_context`].
pub struct SampleContext;

const SAMPLE_HEADERS: &[(&str, &str)] = &[
    ("Host", "api.contoso.com"),
    ("Content-Type", "application/json"),
    ("User-Agent", "Mozilla/5.0 (iPhone)"),
    ("X-Multi", "a"),
    ("X-Multi", "b"),
    ("Authorization", "Basic dXNlcjpwYXNz"),
];
const SAMPLE_QUERY: &[(&str, &str)] = &[("x", "1"), ("y", "2"), ("x", "3")];
const SAMPLE_BODY: &str = r#"{"a":1,"items":[{"id":1,"ok":true},{"id":2,"ok":false}],"name":"x"}"#;

impl Context for SampleContext {
    fn text(&self, f: TextField) -> Option<Cow<'_, str>> {
        use TextField as T;
        Some(Cow::Borrowed(match f {
            T::RequestMethod => "POST",
            T::IpAddress => "10.0.0.7",
            T::UrlScheme(UrlKind::Service) => "http",
            T::UrlScheme(_) => "https",
            T::UrlHost(UrlKind::Service) => "backend",
            T::UrlHost(_) => "api.contoso.com",
            T::UrlPath(UrlKind::Service) => "/api",
            T::UrlPath(_) => "/echo/resource/42",
            T::UrlQueryString(UrlKind::Service) => "",
            T::UrlQueryString(_) => "?x=1&y=2&x=3",
            T::UrlFull(UrlKind::Service) => "http://backend:8080/api",
            T::UrlFull(_) => "https://api.contoso.com/echo/resource/42?x=1&y=2&x=3",
            T::ResponseStatusReason => "OK",
            T::SubscriptionId => "sub1",
            T::SubscriptionKey | T::SubscriptionPrimaryKey => "key-123",
            T::SubscriptionName => "Starter sub",
            T::SubscriptionSecondaryKey => "key-456",
            T::ApiId => "echo-api",
            T::ApiName => "Echo API",
            T::ApiPath => "echo",
            T::ApiVersion => return None,
            T::ApiRevision => "1",
            T::ApiKeyHeaderName => "Ocp-Apim-Subscription-Key",
            T::ApiKeyQueryName => "subscription-key",
            T::OperationId => "get-resource",
            T::OperationName => "Get resource",
            T::OperationMethod => "GET",
            T::OperationUrlTemplate => "/resource/{id}",
            T::ProductId => "starter",
            T::ProductName => "Starter",
            T::ProductState => "Published",
            T::DeploymentGatewayId | T::GatewayId => "gw-1",
            T::GatewayInstanceId => "gw-1-instance",
            T::DeploymentRegion => "local",
            T::DeploymentServiceId => "/outpost",
            T::DeploymentServiceName => "outpost",
            T::RequestId => "0f8fad5b-d9cb-469f-a165-70867728950e",
            _ => return None,
        }))
    }
    fn int(&self, f: IntField) -> i32 {
        match f {
            IntField::UrlPort(UrlKind::Service) => 8080,
            IntField::UrlPort(_) => 443,
            IntField::ResponseStatusCode => 200,
            IntField::ProductSubscriptionsLimit => -1,
        }
    }
    fn present(&self, ns: Ns) -> bool {
        !matches!(ns, Ns::LastError | Ns::User | Ns::Backend | Ns::Workspace)
    }
    fn header(&self, msg: Msg, name: &str) -> Option<Values<'_>> {
        let vs: Vec<Cow<'_, str>> = match msg {
            Msg::Request => SAMPLE_HEADERS
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| Cow::Borrowed(*v))
                .collect(),
            Msg::Response => ["text/plain"]
                .iter()
                .filter(|_| name.eq_ignore_ascii_case("Content-Type"))
                .map(|v| Cow::Borrowed(*v))
                .collect(),
        };
        match vs.len() {
            0 => None,
            1 => vs.into_iter().next().map(Values::One),
            _ => Some(Values::Many(vs)),
        }
    }
    fn headers(&self, msg: Msg) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        match msg {
            Msg::Request => SAMPLE_HEADERS
                .iter()
                .map(|(n, v)| (Cow::Borrowed(*n), Cow::Borrowed(*v)))
                .collect(),
            Msg::Response => vec![(Cow::Borrowed("Content-Type"), Cow::Borrowed("text/plain"))],
        }
    }
    fn query(&self, url: UrlKind, name: &str) -> Option<Values<'_>> {
        if url == UrlKind::Service {
            return None;
        }
        let vs: Vec<Cow<'_, str>> = SAMPLE_QUERY
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| Cow::Borrowed(*v))
            .collect();
        match vs.len() {
            0 => None,
            1 => vs.into_iter().next().map(Values::One),
            _ => Some(Values::Many(vs)),
        }
    }
    fn query_pairs(&self, url: UrlKind) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        if url == UrlKind::Service {
            return Vec::new();
        }
        SAMPLE_QUERY
            .iter()
            .map(|(n, v)| (Cow::Borrowed(*n), Cow::Borrowed(*v)))
            .collect()
    }
    fn matched_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
        (name == "id").then_some(Cow::Borrowed("42"))
    }
    fn matched_parameters(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        vec![(Cow::Borrowed("id"), Cow::Borrowed("42"))]
    }
    fn variable(&self, name: &str) -> Option<Value<'_>> {
        Some(match name {
            "count" => Value::Int(5),
            "name" => Value::str("outpost"),
            "flag" => Value::Bool(true),
            "response" => crate::library::apim::response(
                200,
                "OK",
                vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("X-Multi".into(), "a".into()),
                    ("x-multi".into(), "b".into()),
                ],
                br#"{"active":true,"n":5}"#.to_vec(),
            ),
            _ => return None,
        })
    }
    fn variable_names(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed("count"),
            Cow::Borrowed("name"),
            Cow::Borrowed("flag"),
            Cow::Borrowed("response"),
        ]
    }
    fn set_variable(&mut self, _: &str, _: Value<'static>) {}
    fn timestamp(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_millis(5)
    }
    fn now(&self) -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }
    fn body(&self, msg: Msg, _: bool) -> Result<Cow<'_, [u8]>, String> {
        Ok(Cow::Borrowed(match msg {
            Msg::Request => SAMPLE_BODY.as_bytes(),
            Msg::Response => b"hello",
        }))
    }
}
