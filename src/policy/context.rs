//! The expression [`Context`] over one running request: `context.Request`,
//! `.Response`, `.Variables`, `.LastError`, `.Api`, `.Operation`… read from
//! the parsed heads, the policies' edits and the compiled replica,
//! borrowing wherever it can (a header lookup copies nothing).

use std::borrow::Cow;

use super::exec::Run;
use super::expr::{Context, DateTime, FlagField, IntField, Msg, Ns, TextField, TimeSpan, UrlKind, Value, Values};
use super::flow::query_eq;
use crate::tls::info::CertificateInfo;

/// `context` for one expression evaluation.
pub struct PolicyContext<'a, 'p> {
    pub run: &'a Run<'a, 'p>,
}

impl<'a, 'p> PolicyContext<'a, 'p> {
    pub fn new(run: &'a Run<'a, 'p>) -> Self {
        PolicyContext { run }
    }

    fn subscription(&self) -> Option<&'a crate::subscription::CompiledSubscription> {
        let env = self.run.env;
        env.grant.subscription(&env.replica.subscriptions)
    }

    /// The client certificate of the connection, when one was sent.
    fn certificate(&self) -> Option<&'a CertificateInfo> {
        self.run.env.tls.and_then(|t| t.certificate.as_ref())
    }

    fn scheme(&self) -> &'static str {
        if self.run.env.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    fn host(&self) -> &str {
        let h = self.run.req.header("Host").unwrap_or("");
        match h.find(']') {
            Some(end) => &h[..=end],
            None => h.split(':').next().unwrap_or(""),
        }
    }

    fn port(&self) -> i32 {
        let h = self.run.req.header("Host").unwrap_or("");
        h.rsplit_once(':')
            .and_then(|(_, p)| p.parse::<i32>().ok())
            .unwrap_or(if self.run.env.tls.is_some() { 443 } else { 80 })
    }

    fn path(&self, url: UrlKind) -> Cow<'_, str> {
        let r = self.run;
        let original = String::from_utf8_lossy(r.req.path());
        match (url, r.flow.request.path.as_deref()) {
            (UrlKind::Current, Some(p)) => Cow::Owned(format!("/{}{}", r.env.api.path, p).replace("//", "/")),
            _ => original,
        }
    }

    /// The buffered body of a message, if the engine buffered it.
    fn body_bytes(&self, msg: Msg) -> Option<&[u8]> {
        let flow = &self.run.flow;
        let body = match msg {
            Msg::Request => flow.request.body.as_ref().or(flow.request_body.as_ref()),
            Msg::Response => flow.response.body.as_ref().or(flow.response_body.as_ref()),
        };
        body.map(|b| &b[..])
    }

    /// The API's backend: (scheme, host, port); `None` for the built-in echo.
    fn service(&self) -> Option<(&'static str, &str, u16)> {
        match &self.run.env.api.backend {
            crate::replica::BackendTarget::Http { tls, host, port, .. } => {
                Some((if *tls { "https" } else { "http" }, host.as_str(), *port))
            }
            crate::replica::BackendTarget::Echo => None,
        }
    }

    fn service_path(&self) -> Option<&str> {
        match &self.run.env.api.backend {
            crate::replica::BackendTarget::Http { base_path, .. } => {
                Some(if base_path.is_empty() { "/" } else { base_path.as_str() })
            }
            crate::replica::BackendTarget::Echo => None,
        }
    }

    fn query_string(&self, url: UrlKind) -> Cow<'_, str> {
        let r = self.run;
        let q: Option<Cow<'_, str>> = match (url, r.flow.request.query.as_deref()) {
            (UrlKind::Current, Some(q)) => Some(Cow::Borrowed(q)),
            _ => r.req.query().map(String::from_utf8_lossy),
        };
        match q {
            Some(q) if !q.is_empty() => Cow::Owned(format!("?{q}")),
            _ => Cow::Borrowed(""),
        }
    }
}

/// A `LastError` field: null outside on-error and where it does not apply
/// (stored as empty: no path for a built-in step, no `id` attribute…).
fn last<'a>(v: Option<&'a Cow<'static, str>>) -> Option<Cow<'a, str>> {
    v.filter(|s| !s.is_empty()).map(|s| Cow::Borrowed(s.as_ref()))
}

impl Context for PolicyContext<'_, '_> {
    fn text(&self, field: TextField) -> Option<Cow<'_, str>> {
        use TextField as F;
        let r = self.run;
        let env = r.env;
        let le = r.flow.last_error.as_ref();
        Some(match field {
            F::UrlScheme(UrlKind::Service) => Cow::Borrowed(self.service()?.0),
            F::UrlHost(UrlKind::Service) => Cow::Borrowed(self.service()?.1),
            F::UrlPath(UrlKind::Service) => Cow::Borrowed(self.service_path()?),
            F::UrlQueryString(UrlKind::Service) => Cow::Borrowed(""),
            F::UrlFull(UrlKind::Service) => {
                let (scheme, host, port) = self.service()?;
                let default = if scheme == "https" { 443 } else { 80 };
                let path = self.service_path()?;
                Cow::Owned(if port == default {
                    format!("{scheme}://{host}{path}")
                } else {
                    format!("{scheme}://{host}:{port}{path}")
                })
            }
            F::RequestMethod => Cow::Borrowed(r.flow.request.method.as_ref().unwrap_or(&r.req.head.method).as_str()),
            F::IpAddress => Cow::Owned(env.peer.to_string()),
            F::UrlScheme(_) => Cow::Borrowed(self.scheme()),
            F::UrlHost(_) => Cow::Borrowed(self.host()),
            F::UrlPath(k) => self.path(k),
            F::UrlQueryString(k) => self.query_string(k),
            F::UrlFull(k) => Cow::Owned(format!(
                "{}://{}{}{}",
                self.scheme(),
                self.host(),
                self.path(k),
                self.query_string(k)
            )),
            F::ResponseStatusReason => match (&r.flow.response.reason, r.resp) {
                (Some(reason), _) => Cow::Borrowed(reason.as_ref()),
                (None, Some(resp)) if r.flow.response.status.is_none() => {
                    String::from_utf8_lossy(resp.head.reason.get(resp.buf))
                }
                _ => Cow::Borrowed(crate::proxy::error::reason_phrase(r.status())),
            },
            F::ApiId => Cow::Borrowed(&env.api.id),
            F::ApiName => Cow::Borrowed(&env.api.name),
            F::ApiPath => Cow::Borrowed(&env.api.path),
            F::ApiVersion => Cow::Borrowed(env.api.version.as_deref()?),
            F::ApiRevision => Cow::Owned(env.api.revision.to_string()),
            F::OperationId | F::OperationName => Cow::Borrowed(&env.op.id),
            F::OperationMethod => Cow::Borrowed(env.op.method.as_ref().map_or("*", |m| m.as_str())),
            F::OperationUrlTemplate => Cow::Borrowed(&env.op.template),
            F::DeploymentGatewayId | F::GatewayId => Cow::Borrowed(&env.services.gateway_id),
            F::GatewayInstanceId => Cow::Borrowed(&env.services.instance_id),
            F::DeploymentRegion => Cow::Borrowed(&env.services.region),
            F::DeploymentServiceName | F::DeploymentServiceId => Cow::Borrowed(&env.services.service_name),
            F::ApiKeyHeaderName => Cow::Borrowed(&env.api.access.key_header),
            F::ApiKeyQueryName => Cow::Borrowed(&env.api.access.key_query),
            F::ProductState => Cow::Borrowed("Published"),
            F::LastErrorSource => last(le.map(|e| &e.source))?,
            F::LastErrorReason => last(le.map(|e| &e.reason))?,
            F::LastErrorMessage => last(le.map(|e| &e.message))?,
            F::LastErrorScope => last(le.map(|e| &e.scope))?,
            F::LastErrorSection => last(le.map(|e| &e.section))?,
            F::LastErrorPath => last(le.map(|e| &e.path))?,
            F::LastErrorPolicyId => last(le.map(|e| &e.policy_id))?,
            F::RequestId => {
                let id = env.request_id;
                Cow::Owned(format!(
                    "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                    (id >> 96) as u32,
                    (id >> 80) as u16,
                    (id >> 64) as u16,
                    (id >> 48) as u16,
                    id as u64 & 0xffff_ffff_ffff
                ))
            }
            F::SubscriptionId => Cow::Borrowed(self.subscription()?.id.as_str()),
            F::SubscriptionName => Cow::Borrowed(self.subscription()?.name.as_str()),
            F::SubscriptionKey => Cow::Borrowed(env.grant.key(&env.replica.subscriptions)?),
            F::SubscriptionPrimaryKey => Cow::Borrowed(self.subscription()?.primary_key.as_str()),
            F::SubscriptionSecondaryKey => Cow::Borrowed(self.subscription()?.secondary_key.as_deref()?),
            F::ProductId => Cow::Borrowed(env.grant.product(&env.replica.subscriptions)?.id.as_str()),
            F::ProductName => Cow::Borrowed(env.grant.product(&env.replica.subscriptions)?.name.as_str()),
            // Users are not modelled.
            _ => return None,
        })
    }

    fn int(&self, field: IntField) -> i32 {
        match field {
            IntField::UrlPort(UrlKind::Service) => self.service().map_or(0, |s| i32::from(s.2)),
            IntField::UrlPort(_) => self.port(),
            IntField::ResponseStatusCode => i32::from(self.run.status()),
            IntField::ProductSubscriptionsLimit => -1,
        }
    }

    fn flag(&self, field: FlagField) -> bool {
        match field {
            FlagField::Tracing | FlagField::GatewayIsManaged | FlagField::ProductApprovalRequired => false,
            FlagField::ApiIsCurrentRevision => true,
            FlagField::ProductSubscriptionRequired => true,
        }
    }

    fn client_certificate(&self) -> Option<Cow<'_, [u8]>> {
        self.certificate().map(|c| Cow::Borrowed(c.der.as_slice()))
    }

    fn verify_certificate(&self) -> bool {
        let env = self.run.env;
        let Some(tls) = env.tls else { return false };
        let Some(cert) = tls.certificate.as_ref() else {
            return false;
        };
        env.replica
            .certs
            .verify_client(cert, &tls.chain, self.now().unix_seconds())
            .is_ok()
    }

    fn present(&self, object: Ns) -> bool {
        let r = self.run;
        match object {
            Ns::Response => r.resp.is_some() || r.flow.response.synthetic || r.flow.last_error.is_some(),
            Ns::LastError => r.flow.last_error.is_some(),
            Ns::Subscription => r.env.grant.subscription.is_some(),
            Ns::Product => r.env.grant.product.is_some(),
            Ns::User | Ns::Workspace | Ns::Backend => false,
            // Null when the message has no body; a body the engine did not
            // buffer stays present, so reading it says why it cannot.
            Ns::Body(msg) => self.body_bytes(msg).is_none_or(|b| !b.is_empty()),
            Ns::Url(UrlKind::Service) => self.service().is_some(),
            _ => true,
        }
    }

    fn headers(&self, msg: Msg) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        self.run.all_headers(msg == Msg::Response)
    }

    fn query_pairs(&self, url: UrlKind) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let q = match url {
            UrlKind::Service => return Vec::new(),
            UrlKind::Original => self.run.req.query().map(String::from_utf8_lossy),
            UrlKind::Current => match self.run.flow.request.query.as_deref() {
                Some(q) => Some(Cow::Borrowed(q)),
                None => self.run.req.query().map(String::from_utf8_lossy),
            },
        };
        let Some(q) = q else { return Vec::new() };
        let pairs: Vec<(String, String)> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => (p.to_owned(), String::new()),
            })
            .collect();
        let mut out: Vec<(Cow<'_, str>, Cow<'_, str>)> =
            pairs.into_iter().map(|(n, v)| (Cow::Owned(n), Cow::Owned(v))).collect();
        if url == UrlKind::Current {
            for op in &self.run.flow.request.query_ops.ops {
                match op {
                    super::flow::FieldOp::Add(n, v) => out.push((Cow::Borrowed(n.as_ref()), Cow::Borrowed(v.as_ref()))),
                    super::flow::FieldOp::Remove(n) => out.retain(|(k, _)| k != n),
                }
            }
        }
        out
    }

    fn matched_parameters(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let r = self.run;
        r.env
            .op
            .params
            .iter()
            .filter_map(|p| {
                r.req
                    .param(r.env.op, p)
                    .map(|v| (Cow::Borrowed(p.as_str()), Cow::Borrowed(v)))
            })
            .collect()
    }

    fn certificates(&self) -> Vec<(Cow<'_, str>, Cow<'_, [u8]>)> {
        self.run
            .env
            .replica
            .certs
            .all()
            .iter()
            .map(|c| (Cow::Borrowed(c.id.as_str()), Cow::Borrowed(c.der.as_slice())))
            .collect()
    }

    fn variable_names(&self) -> Vec<Cow<'_, str>> {
        self.run
            .flow
            .vars
            .iter()
            .map(|(n, _)| Cow::Borrowed(n.as_ref()))
            .collect()
    }

    fn header(&self, msg: Msg, name: &str) -> Option<Values<'_>> {
        self.run
            .header(msg == Msg::Response, name)
            .map(|v| Values::One(Cow::Borrowed(v)))
    }

    fn query(&self, url: UrlKind, name: &str) -> Option<Values<'_>> {
        let r = self.run;
        fn find<'q>(q: &'q [u8], name: &str) -> Option<Cow<'q, str>> {
            q.split(|&b| b == b'&').find_map(|pair| {
                let mut it = pair.splitn(2, |&b| b == b'=');
                let n = it.next()?;
                query_eq(n, name.as_bytes()).then(|| String::from_utf8_lossy(it.next().unwrap_or_default()))
            })
        }
        let original = || r.req.query().and_then(|q| find(q, name));
        match url {
            UrlKind::Service => None,
            UrlKind::Original => original(),
            UrlKind::Current => {
                for op in r.flow.request.query_ops.ops.iter().rev() {
                    match op {
                        super::flow::FieldOp::Add(n, v) if n == name => return Some(Values::One(Cow::Borrowed(v))),
                        super::flow::FieldOp::Remove(n) if *n == name => return None,
                        _ => {}
                    }
                }
                match r.flow.request.query.as_deref() {
                    Some(q) => find(q.as_bytes(), name),
                    None => original(),
                }
            }
        }
        .map(Values::One)
    }

    fn matched_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
        self.run.req.param(self.run.env.op, name).map(Cow::Borrowed)
    }

    fn variable(&self, name: &str) -> Option<Value<'_>> {
        self.run.flow.var(name).map(Value::borrowed)
    }

    fn set_variable(&mut self, _name: &str, _value: Value<'static>) {
        // Variables are set by the engine's set-variable on the flow; an
        // expression's context is read-only.
    }

    fn timestamp(&self) -> DateTime {
        self.run.env.timestamp
    }

    fn elapsed(&self) -> TimeSpan {
        TimeSpan::from_duration(self.run.env.started.elapsed())
    }

    fn body(&self, msg: Msg, _preserve_content: bool) -> Result<Cow<'_, [u8]>, String> {
        self.body_bytes(msg)
            .map(Cow::Borrowed)
            .ok_or_else(|| "the message body is not buffered here".to_owned())
    }
}
