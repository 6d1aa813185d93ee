//! Compiling composed policy sections into [`Program`]s, once, on the
//! control thread: each element is checked (attributes, values, section)
//! and every expression compiled and type-checked, so nothing is parsed
//! or looked up by name per request.
//!
//! Invariants: an error names the document, the line and (for expressions)
//! the expression; an element outside the supported set is an error unless
//! the `policy.unsupported = skip` setting is on, in which case it is
//! skipped and reported as a warning (APIM's self-hosted gateway skips
//! policies it does not support).

use std::fmt;

pub use super::document::{Element, Node};
use super::expr::{Expr, Type};
use super::program::{Op, Policy, Program, Site};
use super::text::Text;
use super::{
    authentication_basic, authentication_certificate, check_header, cors, emit_metric, find_and_replace, ip_filter,
    limit_concurrency, mock_response, quota, quota_by_key, rate_limit, rate_limit_by_key, retry, return_response,
    rewrite_uri, set_backend_service, set_body, set_header, set_method, set_query_parameter, set_status, set_variable,
    trace, validate_client_certificate,
};

/// The four sections of a policy document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Inbound,
    Backend,
    Outbound,
    OnError,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Inbound => "inbound",
            Section::Backend => "backend",
            Section::Outbound => "outbound",
            Section::OnError => "on-error",
        }
    }

    /// Whether header/status/body policies act on the response here.
    pub fn is_response(self) -> bool {
        matches!(self, Section::Outbound | Section::OnError)
    }
}

/// What to do with an element the engine does not support.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unsupported {
    /// A configuration error (the default).
    #[default]
    Error,
    /// Skip it with a warning.
    Skip,
}

static SKIP_UNSUPPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the process-wide `policy.unsupported` mode (read at start-up,
/// used whenever a configuration is compiled; never on the request path).
pub fn set_skip_unsupported(skip: bool) {
    SKIP_UNSUPPORTED.store(skip, std::sync::atomic::Ordering::Relaxed);
}

impl Unsupported {
    /// The mode set by [`set_skip_unsupported`].
    pub fn configured() -> Unsupported {
        if SKIP_UNSUPPORTED.load(std::sync::atomic::Ordering::Relaxed) {
            Unsupported::Skip
        } else {
            Unsupported::Error
        }
    }
}

/// A policy compile error: document, line and message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct CompileError {
    pub document: String,
    pub line: u32,
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.document, self.line, self.message)
    }
}

/// The backends policies may select, by index: first the configured
/// backends (`ids[i]` ↔ `urls[i]`), then literal `base-url`s.
#[derive(Clone, Debug, Default)]
pub struct TargetTable {
    pub ids: Vec<String>,
    pub urls: Vec<String>,
    /// `url_key` of each URL.
    pub keys: Vec<String>,
    /// The configuration's certificate store (`None` when a lone document
    /// is linted).
    pub certs: Option<std::sync::Arc<crate::tls::store::CertStore>>,
    /// Store entries named literally by `authentication-certificate`.
    pub client_certs: Vec<usize>,
    /// An `authentication-certificate` names its certificate by expression:
    /// every certificate with a key may be presented.
    pub any_client_cert: bool,
}

impl TargetTable {
    /// A table starting with the configured backends.
    pub fn new(backends: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut t = TargetTable::default();
        for (id, url) in backends {
            t.keys.push(super::set_backend_service::url_key(&url));
            t.ids.push(id);
            t.urls.push(url);
        }
        t
    }

    /// The index of `url`, registered as a target when new.
    pub fn url_index(&mut self, url: &str) -> usize {
        let key = super::set_backend_service::url_key(url);
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                self.keys.push(key);
                self.urls.push(url.trim().to_owned());
                self.urls.len() - 1
            }
        }
    }
}

/// One line of `check-policy` output: what runs, what is skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub document: String,
    pub line: u32,
    pub section: Section,
    pub element: String,
    pub skipped: bool,
}

/// Compiles the elements of one section.
pub struct Compiler<'a> {
    pub section: Section,
    pub unsupported: Unsupported,
    /// Backends policies may select (`set-backend-service`).
    pub targets: &'a mut TargetTable,
    /// Document name used in messages when an element does not carry one.
    pub document: String,
    ops: Vec<Op>,
    /// `sites[i]` is where `ops[i]` came from.
    sites: Vec<Site>,
    /// The path segments of the element being compiled (`choose`, `when[2]`…).
    path: Vec<String>,
    retry_slots: usize,
    pub notes: Vec<Note>,
    /// Warnings for skipped elements.
    pub warnings: Vec<String>,
}

impl<'a> Compiler<'a> {
    pub fn new(section: Section, unsupported: Unsupported, targets: &'a mut TargetTable, document: &str) -> Self {
        Compiler {
            section,
            unsupported,
            targets,
            document: document.to_owned(),
            ops: Vec::new(),
            sites: Vec::new(),
            path: Vec::new(),
            retry_slots: 0,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Compiles a section's elements into a program.
    pub fn program(mut self, elements: &[Element]) -> Result<(Program, Vec<Note>, Vec<String>), CompileError> {
        self.elements(elements.iter())?;
        let program = Program {
            section: self.section,
            ops: self.ops,
            sites: self.sites,
        };
        Ok((program, self.notes, self.warnings))
    }

    fn nodes(&mut self, nodes: &[Node]) -> Result<(), CompileError> {
        self.elements(nodes.iter().filter_map(Node::as_element))
    }

    /// Compiles sibling elements, each under its path segment.
    fn elements<'e>(&mut self, els: impl Iterator<Item = &'e Element> + Clone) -> Result<(), CompileError> {
        let segments = path_segments(els.clone());
        for (el, segment) in els.zip(segments) {
            self.path.push(segment);
            let done = self.element(el);
            self.path.pop();
            done?;
        }
        Ok(())
    }

    /// The site of `el` at the current path; `id_of` is the policy's root
    /// element (whose `id` attribute is `LastError.PolicyId`).
    fn site(&self, el: &Element, id_of: &Element) -> Site {
        Site {
            scope: el.origin.scope,
            path: self.path.join("\\").into(),
            policy_id: id_of.attr("id").map(Into::into),
        }
    }

    /// Appends an op with its site.
    fn emit(&mut self, op: Op, site: Site) {
        self.ops.push(op);
        self.sites.push(site);
    }

    fn doc_of(&self, el: &Element) -> String {
        if el.origin.document.is_empty() {
            self.document.clone()
        } else {
            el.origin.document.to_string()
        }
    }

    /// The target index of a configured backend.
    pub fn backend_index(&self, id: &str) -> Option<usize> {
        self.targets.ids.iter().position(|i| i == id)
    }

    /// The target index of a literal `base-url` (registered once).
    pub fn target_url(&mut self, url: &str) -> usize {
        self.targets.url_index(url)
    }

    pub fn error(&self, el: &Element, message: impl Into<String>) -> CompileError {
        CompileError {
            document: self.doc_of(el),
            line: el.line,
            message: format!("<{}>: {}", el.name, message.into()),
        }
    }

    pub fn attr<'e>(&self, el: &'e Element, name: &str) -> Option<&'e str> {
        el.attrs.iter().find(|a| a.name == name).map(|a| a.value.as_str())
    }

    pub fn required<'e>(&self, el: &'e Element, name: &str) -> Result<&'e str, CompileError> {
        self.attr(el, name)
            .ok_or_else(|| self.error(el, format!("missing attribute `{name}`")))
    }

    /// An attribute that may hold an expression.
    pub fn text_attr(&self, el: &Element, name: &str, ty: Type) -> Result<Option<Text>, CompileError> {
        let Some(a) = el.attrs.iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        Text::compile(&a.value, ty).map(Some).map_err(|m| CompileError {
            document: self.doc_of(el),
            line: a.line,
            message: format!("<{}> {name}: {m}", el.name),
        })
    }

    /// An attribute that must be an expression (a condition, a key).
    pub fn expr_attr(&self, el: &Element, name: &str, ty: Type) -> Result<Option<Expr>, CompileError> {
        let Some(a) = el.attrs.iter().find(|a| a.name == name) else {
            return Ok(None);
        };
        let compiled = if ty == Type::Object {
            Expr::compile(a.value.trim())
        } else {
            Expr::compile_as(a.value.trim(), ty)
        };
        compiled.map(Some).map_err(|e| CompileError {
            document: self.doc_of(el),
            line: a.line,
            message: format!("<{}> {name}: expression `{}`: {e}", el.name, a.value.trim()),
        })
    }

    /// A non-negative integer attribute without expressions.
    pub fn number(&self, el: &Element, name: &str) -> Result<Option<u64>, CompileError> {
        match self.attr(el, name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| self.error(el, format!("`{name}` must be a non-negative integer, not `{v}`"))),
        }
    }

    pub fn boolean(&self, el: &Element, name: &str, default: bool) -> Result<bool, CompileError> {
        match self.attr(el, name).map(str::trim) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.error(el, format!("`{name}` must be true or false, not `{v}`"))),
        }
    }

    /// The text content of an element (literal or one expression).
    pub fn content(&self, el: &Element, ty: Type) -> Result<Text, CompileError> {
        let mut s = String::new();
        let mut line = el.line;
        for n in &el.children {
            match n {
                Node::Text(t, l) => {
                    if s.is_empty() {
                        line = *l;
                    }
                    s.push_str(t);
                }
                Node::Element(child) => {
                    return Err(self.error(child, format!("unexpected element inside <{}>", el.name)))
                }
            }
        }
        let body = if super::text::is_expression(&s) {
            s.trim()
        } else {
            s.as_str()
        };
        Text::compile(body, ty).map_err(|m| CompileError {
            document: self.doc_of(el),
            line,
            message: format!("<{}>: {m}", el.name),
        })
    }

    /// The `<value>` children of an element.
    pub fn values(&self, el: &Element) -> Result<Vec<Text>, CompileError> {
        let mut out = Vec::new();
        for child in children(el) {
            if child.name != "value" {
                return Err(self.error(child, format!("unexpected element inside <{}>", el.name)));
            }
            out.push(self.content(child, Type::String)?);
        }
        Ok(out)
    }

    /// Fails unless this section is one of `allowed`.
    pub fn only_in(&self, el: &Element, allowed: &[Section]) -> Result<(), CompileError> {
        if allowed.contains(&self.section) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
        Err(self.error(
            el,
            format!(
                "not allowed in the {} section (only in {})",
                self.section.name(),
                names.join(", ")
            ),
        ))
    }

    fn push(&mut self, el: &Element, op: Op) {
        self.note(el, false);
        let site = self.site(el, el);
        self.emit(op, site);
    }

    fn note(&mut self, el: &Element, skipped: bool) {
        self.notes.push(Note {
            document: self.doc_of(el),
            line: el.line,
            section: self.section,
            element: el.name.clone(),
            skipped,
        });
    }

    fn element(&mut self, el: &Element) -> Result<(), CompileError> {
        let policy = match el.name.as_str() {
            "set-header" => Policy::SetHeader(set_header::compile(self, el)?),
            "set-query-parameter" => Policy::SetQueryParameter(set_query_parameter::compile(self, el)?),
            "rewrite-uri" => Policy::RewriteUri(rewrite_uri::compile(self, el)?),
            "set-method" => Policy::SetMethod(set_method::compile(self, el)?),
            "set-status" => Policy::SetStatus(set_status::compile(self, el)?),
            "set-body" => Policy::SetBody(set_body::compile(self, el)?),
            "return-response" => Policy::ReturnResponse(return_response::compile(self, el)?),
            "mock-response" => Policy::MockResponse(mock_response::compile(self, el)?),
            "set-backend-service" => Policy::SetBackendService(set_backend_service::compile(self, el)?),
            "set-variable" => Policy::SetVariable(set_variable::compile(self, el)?),
            "check-header" => Policy::CheckHeader(check_header::compile(self, el)?),
            "ip-filter" => Policy::IpFilter(ip_filter::compile(self, el)?),
            "cors" => Policy::Cors(cors::compile(self, el)?),
            "find-and-replace" => Policy::FindAndReplace(find_and_replace::compile(self, el)?),
            "authentication-basic" => Policy::AuthenticationBasic(authentication_basic::compile(self, el)?),
            "authentication-certificate" => {
                Policy::AuthenticationCertificate(authentication_certificate::compile(self, el)?)
            }
            "validate-client-certificate" => {
                Policy::ValidateClientCertificate(validate_client_certificate::compile(self, el)?)
            }
            "trace" => Policy::Trace(trace::compile(self, el)?),
            "emit-metric" => Policy::EmitMetric(emit_metric::compile(self, el)?),
            "rate-limit" => Policy::RateLimit(rate_limit::compile(self, el)?),
            "rate-limit-by-key" => Policy::RateLimitByKey(Box::new(rate_limit_by_key::compile(self, el)?)),
            "quota" => Policy::Quota(quota::compile(self, el)?),
            "quota-by-key" => Policy::QuotaByKey(Box::new(quota_by_key::compile(self, el)?)),
            "forward-request" => {
                let f = set_backend_service::compile_forward(self, el)?;
                self.push(el, Op::Forward(f));
                return Ok(());
            }
            "choose" => return self.choose(el),
            "retry" => return self.retry(el),
            "limit-concurrency" => return self.limit_concurrency(el),
            "base" | "include-fragment" => {
                return Err(self.error(el, "left after composition (the document layer resolves it)"))
            }
            _ => return self.unsupported(el),
        };
        self.push(el, Op::Do(policy));
        Ok(())
    }

    fn unsupported(&mut self, el: &Element) -> Result<(), CompileError> {
        match self.unsupported {
            Unsupported::Error => Err(self.error(
                el,
                "policy not supported by this gateway (set `policy.unsupported = skip` to skip it with a warning)",
            )),
            Unsupported::Skip => {
                let e = self.error(el, "policy not supported; skipped");
                self.warnings.push(e.to_string());
                self.note(el, true);
                Ok(())
            }
        }
    }

    /// `choose` → `Branch cond, next; body; Jump end; next: …; otherwise; end:`.
    fn choose(&mut self, el: &Element) -> Result<(), CompileError> {
        self.note(el, false);
        let mut jumps_to_end = Vec::new();
        let mut seen_otherwise = false;
        let segments = path_segments(children(el));
        for (child, segment) in children(el).zip(segments) {
            self.path.push(segment);
            let done = self.branch(el, child, &mut seen_otherwise, &mut jumps_to_end);
            self.path.pop();
            done?;
        }
        let end = self.ops.len();
        for j in jumps_to_end {
            self.ops[j] = Op::Jump(end);
        }
        Ok(())
    }

    /// One `when` or `otherwise` of `choose`.
    fn branch(
        &mut self,
        choose: &Element,
        child: &Element,
        seen_otherwise: &mut bool,
        jumps_to_end: &mut Vec<usize>,
    ) -> Result<(), CompileError> {
        match child.name.as_str() {
            "when" if !*seen_otherwise => {
                let cond = self
                    .expr_attr(child, "condition", Type::Bool)?
                    .ok_or_else(|| self.error(child, "missing attribute `condition`"))?;
                let branch = self.ops.len();
                let site = self.site(child, choose);
                self.emit(Op::Branch { cond, otherwise: 0 }, site.clone());
                self.nodes(&child.children)?;
                jumps_to_end.push(self.ops.len());
                self.emit(Op::Jump(0), site);
                let next = self.ops.len();
                if let Op::Branch { otherwise, .. } = &mut self.ops[branch] {
                    *otherwise = next;
                }
            }
            "otherwise" if !*seen_otherwise => {
                *seen_otherwise = true;
                self.nodes(&child.children)?;
            }
            _ => {
                return Err(self.error(
                    child,
                    "only <when> elements then at most one <otherwise> may appear in <choose>",
                ))
            }
        }
        Ok(())
    }

    fn retry(&mut self, el: &Element) -> Result<(), CompileError> {
        let r = retry::compile(self, el)?;
        self.note(el, false);
        let slot = self.retry_slots;
        self.retry_slots += 1;
        let site = self.site(el, el);
        self.emit(Op::RetryStart { slot }, site.clone());
        let start = self.ops.len();
        self.nodes(&el.children)?;
        self.emit(
            Op::RetryCheck {
                retry: Box::new(r),
                slot,
                start,
            },
            site,
        );
        Ok(())
    }
}

/// APIM's path segment of each sibling element: its name, with `[n]`
/// (counted from 1 among same-named siblings) when the name repeats.
fn path_segments<'e>(els: impl Iterator<Item = &'e Element>) -> Vec<String> {
    let names: Vec<&str> = els.map(|e| e.name.as_str()).collect();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if names.iter().filter(|n| *n == name).count() > 1 {
                let nth = names[..=i].iter().filter(|n| *n == name).count();
                format!("{name}[{nth}]")
            } else {
                (*name).to_owned()
            }
        })
        .collect()
}

impl Compiler<'_> {
    /// `limit-concurrency` → `ConcurrencyEnter; children; ConcurrencyExit`.
    fn limit_concurrency(&mut self, el: &Element) -> Result<(), CompileError> {
        let lc = limit_concurrency::compile(self, el)?;
        self.note(el, false);
        let enter = self.ops.len();
        let site = self.site(el, el);
        self.emit(Op::ConcurrencyEnter(Box::new(lc)), site.clone());
        self.nodes(&el.children)?;
        self.emit(
            Op::ConcurrencyExit {
                enter,
                release: !limit_concurrency::wraps_forward(el),
            },
            site,
        );
        Ok(())
    }
}

/// The child elements of `el` (text and comments skipped).
pub fn children(el: &Element) -> impl Iterator<Item = &Element> {
    el.children.iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(..) => None,
    })
}
