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
//!
//! Layout: this module owns the compile-time types (sections, the
//! unsupported-element mode, errors, the target table, `check-policy`
//! notes) and the [`Compiler`] with its op/site emission; `dispatch` maps
//! each element name to its policy module (and skips or refuses unknown
//! ones); `attrs` holds the helpers policy modules call to read attributes
//! and content; `flow` emits the block elements (`choose`, `retry`,
//! `limit-concurrency`) as jumps and paired enter/exit ops.
//!
//! Invariant: `ops` and `sites` grow together (`sites[i]` is where
//! `ops[i]` came from); jump targets are patched before
//! [`Compiler::program`] returns, so a [`Program`] never holds a
//! placeholder jump.

use std::fmt;

pub use super::document::{Element, Node};
use super::program::{Op, Program, Site};

mod attrs;
mod dispatch;
mod flow;

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
    /// OpenID discovery URLs named literally by policies (`openid-config
    /// url`, validate-azure-ad-token's authority): fetched by
    /// `crate::authority` as soon as the configuration is applied.
    pub openid_urls: Vec<String>,
}

impl TargetTable {
    /// Registers an OpenID discovery URL for `crate::authority` to fetch.
    pub fn openid_url(&mut self, url: &str) {
        let url = url.trim();
        if !self.openid_urls.iter().any(|u| u == url) {
            self.openid_urls.push(url.to_owned());
        }
    }

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
    /// Lint mode (`check-policy`): expression errors are collected here and
    /// compilation goes on with a placeholder, so one run reports them all.
    lint: Option<std::rc::Rc<std::cell::RefCell<Vec<CompileError>>>>,
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
            lint: None,
        }
    }

    /// Lint mode: expression errors go to `sink` instead of ending the
    /// compilation (the expression is replaced by a placeholder).
    pub fn linting(mut self, sink: std::rc::Rc<std::cell::RefCell<Vec<CompileError>>>) -> Self {
        self.lint = Some(sink);
        self
    }

    /// In lint mode, records `e` and answers true (go on with a placeholder).
    pub(super) fn defer(&self, e: &CompileError) -> bool {
        match &self.lint {
            Some(sink) => {
                sink.borrow_mut().push(e.clone());
                true
            }
            None => false,
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
}

/// The child elements of `el` (text and comments skipped).
pub fn children(el: &Element) -> impl Iterator<Item = &Element> {
    el.children.iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        Node::Text(..) => None,
    })
}
