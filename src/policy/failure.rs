//! How a policy fails: a [`Failure`] names the policy (`source`), APIM's
//! `reason` code, the message, and the response the client gets unless
//! `on-error` shapes another one. It becomes `context.LastError` while
//! `on-error` runs (see `ProxyError::rescue` for the one mapping to HTTP).
//!
//! Invariant: the status, message and extra headers of each policy failure
//! are APIM's, byte for byte (docs in `docs/policies.md`).

use std::borrow::Cow;

use super::compile::Section;

/// APIM's `context.LastError`; a field APIM leaves unset is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LastError {
    pub source: Cow<'static, str>,
    pub reason: Cow<'static, str>,
    pub message: Cow<'static, str>,
    pub scope: Cow<'static, str>,
    pub section: Cow<'static, str>,
    pub path: Cow<'static, str>,
    pub policy_id: Cow<'static, str>,
}

/// The compiled op a failure happened in: its section's program and index
/// (the op's `program::Site` gives scope, path and policy id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpRef {
    pub section: Section,
    pub pc: usize,
}

/// A policy's refusal or failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} failed ({reason}): {message}")]
pub struct Failure {
    /// The policy element name (`rate-limit`, `ip-filter`…) or a built-in step.
    pub source_name: &'static str,
    /// APIM's reason code (`RateLimitExceeded`…).
    pub reason: &'static str,
    /// The message of the JSON error body and of `LastError.Message`.
    pub message: Cow<'static, str>,
    pub status: u16,
    /// Extra response headers (`Retry-After`…).
    pub headers: Vec<(&'static str, String)>,
    /// Where it happened, when a compiled op failed.
    pub at: Option<OpRef>,
    /// The message of the client's error body when it differs from
    /// `message` (`validate-client-certificate`: body "Invalid client
    /// certificate", `LastError.Message` the reason in detail; the
    /// validation policies: APIM's public response, the details in
    /// `LastError.Message`).
    pub body_message: Option<Box<str>>,
}

impl Failure {
    pub fn new(
        source_name: &'static str,
        reason: &'static str,
        status: u16,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Failure {
            source_name,
            reason,
            message: message.into(),
            status,
            headers: Vec::new(),
            at: None,
            body_message: None,
        }
    }

    /// Records the op the failure happened in (the first one recorded wins).
    pub fn in_op(mut self, section: Section, pc: usize) -> Self {
        self.at.get_or_insert(OpRef { section, pc });
        self
    }

    pub fn with_body_message(mut self, message: impl Into<Box<str>>) -> Self {
        self.body_message = Some(message.into());
        self
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The message of the client's error body: the policy's own message,
    /// except for internal failures, whose detail goes only to
    /// `LastError.Message` and the logs.
    pub fn client_message(&self) -> &str {
        if let Some(m) = &self.body_message {
            m
        } else if self.status >= 500 {
            "Internal server error"
        } else {
            &self.message
        }
    }

    /// An expression failed at run time (APIM's reason).
    pub fn expression(source_name: &'static str, message: String) -> Self {
        Failure::new(source_name, "ExpressionValueEvaluationFailure", 500, message)
    }
}
