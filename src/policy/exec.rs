//! Running a compiled [`Program`] against one request: the synchronous
//! part of the engine. The proxy drives it and performs what must wait
//! (forwarding, retry back-off, async policies: see `policy::effect`):
//! [`run`] stops at such an op, in any section, and returns its index
//! ([`Stop::Suspend`]); the proxy does the I/O and resumes after it.
//!
//! Invariants: a policy sees the request and response through read-only
//! views of the parsed heads plus the [`Flow`]'s edits (never a re-parsed
//! message); literal values are borrowed from the program; a failure stops
//! the program at once (the proxy then runs `on-error`).

use std::borrow::Cow;
use std::net::IpAddr;

use super::context::PolicyContext;
use super::failure::Failure;
use super::flow::{header_eq, FieldEdits, Flow};
use super::program::{Op, Policy, Program};
use super::services::Services;
use super::text::Text;
use crate::http::{RequestHead, ResponseHead};
use crate::replica::{CompiledApi, CompiledOperation, Replica};
use crate::routing::Param;

/// Evaluated values, in order (see [`Run::eval_values`]).
pub type Values<'p> = std::iter::Chain<std::option::IntoIter<Cow<'p, str>>, std::vec::IntoIter<Cow<'p, str>>>;

/// Where a program stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Ran to the end.
    End,
    /// A policy answered (`return-response`…): skip the rest of the pipeline.
    Answered,
    /// The op at this index must be performed by the caller (it may wait).
    Suspend(usize),
}

/// The parts of the incoming request a policy may read.
#[derive(Clone, Copy)]
pub struct RequestView<'r> {
    pub head: &'r RequestHead,
    /// The bytes the head's spans index (a copy of the head).
    pub buf: &'r [u8],
    /// Template parameters captured by routing (ranges into the path or query).
    pub params: &'r [Param],
    /// Where the backend-relative path starts within the request path.
    pub remaining_start: usize,
}

impl<'r> RequestView<'r> {
    pub fn header(&self, name: &str) -> Option<&'r str> {
        self.head
            .header(self.buf, name.as_bytes())
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    pub fn path(&self) -> &'r [u8] {
        self.head.path.get(self.buf)
    }

    pub fn query(&self) -> Option<&'r [u8]> {
        self.head.query.map(|q| q.get(self.buf))
    }

    /// The value of template parameter `name` of `op`, as written.
    pub fn param(&self, op: &CompiledOperation, name: &str) -> Option<&'r str> {
        let n = op.params.iter().position(|p| p == name)?;
        let p = self.params.iter().find(|p| usize::from(p.0) == n)?;
        let src = if p.2 {
            self.query().unwrap_or_default()
        } else {
            self.path()
        };
        src.get(p.1.clone()).and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// A backend response head a policy may read.
#[derive(Clone, Copy)]
pub struct ResponseView<'r> {
    pub head: &'r ResponseHead,
    pub buf: &'r [u8],
}

impl<'r> ResponseView<'r> {
    pub fn header(&self, name: &str) -> Option<&'r str> {
        self.head
            .header(self.buf, name.as_bytes())
            .and_then(|v| std::str::from_utf8(v).ok())
    }
}

/// Per-request facts that do not change while the pipeline runs.
pub struct Env<'r> {
    pub replica: &'r Replica,
    pub api: &'r CompiledApi,
    pub op: &'r CompiledOperation,
    pub peer: IpAddr,
    pub services: &'r Services,
    /// Request id (`context.RequestId`).
    pub request_id: u128,
    /// The matched subscription and product, when any (indices into
    /// `replica.subscriptions`).
    pub grant: crate::subscription::Grant,
    /// The client connection's TLS facts (`None` on plain HTTP), for
    /// `context.Request.Certificate` and `validate-client-certificate`.
    pub tls: Option<&'r crate::tls::info::ClientTls>,
    /// `context.Timestamp` and the start of `context.Elapsed`.
    pub timestamp: super::expr::DateTime,
    pub started: std::time::Instant,
    /// The request's trace: `trace` adds events to its span, calls out
    /// carry its context.
    pub trace: Option<&'r crate::telemetry::spans::RequestTrace>,
    /// The worker's metric recorder (`emit-metric`), when telemetry is on.
    pub telemetry: Option<&'r crate::telemetry::recorder::Recorder>,
}

/// Everything a running policy can see and change.
pub struct Run<'r, 'p> {
    pub flow: &'r mut Flow<'p>,
    pub env: &'r Env<'r>,
    pub req: RequestView<'r>,
    pub resp: Option<ResponseView<'r>>,
}

impl<'r, 'p> Run<'r, 'p> {
    /// The request or response header edits.
    pub fn headers(&mut self, response: bool) -> &mut FieldEdits<'p> {
        if response {
            &mut self.flow.response.headers
        } else {
            &mut self.flow.request.headers
        }
    }

    /// Every current request or response header as (name, value), in
    /// order: the original fields the edits keep, then the added ones.
    pub fn all_headers(&self, response: bool) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let (edits, original) = if response {
            let original = if self.flow.response.synthetic { None } else { self.resp };
            (
                &self.flow.response.headers,
                original.map(|r| (&r.head.headers[..], r.buf)),
            )
        } else {
            (
                &self.flow.request.headers,
                Some((&self.req.head.headers[..], self.req.buf)),
            )
        };
        let mut out = Vec::new();
        if let Some((spans, buf)) = original {
            for h in spans {
                let name = h.name.get(buf);
                if edits.keeps_original(name, header_eq) {
                    out.push((String::from_utf8_lossy(name), String::from_utf8_lossy(h.value.get(buf))));
                }
            }
        }
        out.extend(
            edits
                .added(header_eq)
                .map(|(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v))),
        );
        out
    }

    /// The current value of a request or response header (edits applied).
    pub fn header(&self, response: bool, name: &str) -> Option<&str> {
        if response {
            let original = if self.flow.response.synthetic { None } else { self.resp };
            self.flow
                .response
                .headers
                .current(name, header_eq, || original.and_then(|r| r.header(name)))
        } else {
            let req = self.req;
            self.flow.request.headers.current(name, header_eq, || req.header(name))
        }
    }

    /// The current response status (edits applied; 200 before any response).
    pub fn status(&self) -> u16 {
        self.flow
            .response
            .status
            .or_else(|| self.resp.map(|r| r.head.status))
            .unwrap_or(200)
    }

    /// The expression context over this request.
    pub fn context(&self) -> PolicyContext<'_, 'p> {
        PolicyContext::new(self)
    }

    /// Evaluates a value for the policy `source`.
    pub fn eval<'t>(&self, t: &'p Text, source: &'static str) -> Result<Cow<'p, str>, Failure>
    where
        'p: 't,
    {
        match t {
            Text::Lit(s) => Ok(Cow::Borrowed(s)),
            Text::Expr(e, _) => {
                let cx = self.context();
                e.eval_with(&cx, &self.env.services.expr_limits)
                    .map(|v| Cow::Owned(outpost_expr::library::to_text(&v).into_owned()))
                    .map_err(|err| Failure::expression(source, e.describe(&err)))
            }
        }
    }

    /// Evaluates a value and lends it to `f`, without copying it: a literal
    /// stays borrowed from the program and a string the expression reads
    /// from the context (a header, the subscription id) stays borrowed from
    /// the request; only what the expression computes is allocated (by the
    /// evaluation). For values needed only while the policy runs (limit
    /// counter keys); `f` may evaluate further values through its `&Run`.
    pub fn with_value<R>(
        &self,
        t: &'p Text,
        source: &'static str,
        f: impl FnOnce(&Self, &str) -> R,
    ) -> Result<R, Failure> {
        match t {
            Text::Lit(s) => Ok(f(self, s)),
            Text::Expr(e, _) => {
                let cx = self.context();
                let v = e
                    .eval_string(&cx)
                    .map_err(|err| Failure::expression(source, e.describe(&err)))?;
                Ok(f(self, &v))
            }
        }
    }

    /// Evaluates every value of a multi-valued policy before the caller
    /// changes anything they may read (a `set-header` override removes the
    /// very header its value expression often reads). Allocates only for a
    /// second value.
    pub fn eval_values(&self, values: &'p [Text], source: &'static str) -> Result<Values<'p>, Failure> {
        let first = values.first().map(|v| self.eval(v, source)).transpose()?;
        let rest = values
            .iter()
            .skip(1)
            .map(|v| self.eval(v, source))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(first.into_iter().chain(rest))
    }

    /// Evaluates a condition for the policy `source`.
    pub fn eval_bool(&self, e: &'p super::expr::Expr, source: &'static str) -> Result<bool, Failure> {
        let cx = self.context();
        e.eval_bool_with(&cx, &self.env.services.expr_limits)
            .map_err(|err| Failure::expression(source, e.describe(&err)))
    }

    /// Evaluates an expression to a value for the policy `source`.
    pub fn eval_value(
        &self,
        e: &'p super::expr::Expr,
        source: &'static str,
    ) -> Result<super::expr::Value<'static>, Failure> {
        let cx = self.context();
        e.eval_with(&cx, &self.env.services.expr_limits)
            .map(super::expr::Value::into_owned)
            .map_err(|err| Failure::expression(source, e.describe(&err)))
    }
}

/// Runs `prog` from `pc` until it ends, answers, fails, or reaches an op
/// the caller must perform.
pub fn run<'p>(prog: &'p Program, mut pc: usize, r: &mut Run<'_, 'p>) -> Result<Stop, Failure> {
    while let Some(op) = prog.ops.get(pc) {
        match op {
            Op::Do(p) => {
                p.run(r).map_err(|f| f.in_op(prog.section, pc))?;
                if r.flow.answered {
                    return Ok(Stop::Answered);
                }
                pc += 1;
            }
            Op::Branch { cond, otherwise } => {
                pc = if r.eval_bool(cond, "choose").map_err(|f| f.in_op(prog.section, pc))? {
                    pc + 1
                } else {
                    *otherwise
                };
            }
            Op::Jump(to) => pc = *to,
            Op::RetryStart { slot } => {
                r.flow.set_attempt(*slot, 0);
                pc += 1;
            }
            Op::ConcurrencyEnter(lc) => {
                lc.enter(r).map_err(|f| f.in_op(prog.section, pc))?;
                pc += 1;
            }
            Op::ConcurrencyExit { enter, release } => {
                if let (true, Some(Op::ConcurrencyEnter(lc))) = (*release, prog.ops.get(*enter)) {
                    let id = lc.id();
                    r.flow.permits.retain(|(held, _)| *held != id);
                }
                pc += 1;
            }
            Op::Forward(_) | Op::RetryCheck { .. } | Op::Async(_) | Op::Wait(_) => return Ok(Stop::Suspend(pc)),
        }
    }
    Ok(Stop::End)
}

impl Policy {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        match self {
            Policy::SetHeader(p) => p.run(r),
            Policy::SetQueryParameter(p) => p.run(r),
            Policy::RewriteUri(p) => p.run(r),
            Policy::SetMethod(p) => p.run(r),
            Policy::SetStatus(p) => p.run(r),
            Policy::SetBody(p) => p.run(r),
            Policy::ReturnResponse(p) => p.run(r),
            Policy::MockResponse(p) => p.run(r),
            Policy::SetBackendService(p) => p.run(r),
            Policy::SetVariable(p) => p.run(r),
            Policy::CheckHeader(p) => p.run(r),
            Policy::IpFilter(p) => p.run(r),
            Policy::Cors(p) => p.run(r),
            Policy::FindAndReplace(p) => p.run(r),
            Policy::AuthenticationBasic(p) => p.run(r),
            Policy::AuthenticationCertificate(p) => p.run(r),
            Policy::ValidateClientCertificate(p) => p.run(r),
            Policy::Trace(p) => p.run(r),
            Policy::EmitMetric(p) => p.run(r),
            Policy::RateLimit(p) => p.run(r),
            Policy::RateLimitByKey(p) => p.run(r),
            Policy::Quota(p) => p.run(r),
            Policy::QuotaByKey(p) => p.run(r),
            Policy::ValidateContent(p) => p.run(r),
            Policy::ValidateParameters(p) => p.run(r),
            Policy::ValidateHeaders(p) => p.run(r),
            Policy::ValidateStatusCode(p) => p.run(r),
            Policy::JsonToXml(p) => p.run(r),
            Policy::XmlToJson(p) => p.run(r),
        }
    }
}
