//! What the four validation policies (`validate-content`,
//! `validate-parameters`, `validate-headers`, `validate-status-code`)
//! share: their actions, APIM's error records, the errors variable, the
//! log line of `detect`, and the failure `prevent` raises.
//!
//! APIM's rules: `ignore` skips a check, `detect` logs the error and goes
//! on, `prevent` logs it and stops at the first error with a 400 (request
//! side) or 502 (response side); `LastError.Reason` is `Bad request` or
//! `Response not allowed`, `LastError.Message` the error's details and the
//! client's body APIM's public response. Every error, detected or
//! prevented, is appended to `context.Variables[errors-variable-name]`, a
//! `JArray` of `{Name, Type, ValidationRule, Details, Action}` objects
//! (APIM's record), so expressions read it as JSON.

use std::borrow::Cow;
use std::rc::Rc;

use outpost_expr::library::json::node::Node;
use outpost_expr::library::json::scalar::Scalar;

use super::compile::{CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::{Value, Want};
use super::failure::Failure;
use super::text::Text;

/// The client's body for every response-side and schema failure.
pub const INTERNAL: &str = "The request could not be processed due to an internal error. Contact the API owner.";

/// What a check does with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Ignore,
    Detect,
    Prevent,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s.trim() {
            "ignore" => Some(Action::Ignore),
            "detect" => Some(Action::Detect),
            "prevent" => Some(Action::Prevent),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Ignore => "ignore",
            Action::Detect => "detect",
            Action::Prevent => "prevent",
        }
    }
}

/// An action attribute: a literal (checked when loading) or an expression
/// (checked when it runs).
#[derive(Clone, Debug)]
pub enum ActionAttr {
    Lit(Action),
    Expr(Text),
}

/// Reads action attribute `name` of `el` (`None` when absent).
pub fn action_attr(c: &Compiler<'_>, el: &Element, name: &str) -> Result<Option<ActionAttr>, CompileError> {
    let Some(text) = c.text_attr(el, name, Want::String)? else {
        return Ok(None);
    };
    match text.literal() {
        Some(s) => Action::parse(s)
            .map(|a| Some(ActionAttr::Lit(a)))
            .ok_or_else(|| c.error(el, format!("`{name}` must be ignore, detect or prevent, not `{s}`"))),
        None => Ok(Some(ActionAttr::Expr(text))),
    }
}

/// A required action attribute.
pub fn required_action(c: &Compiler<'_>, el: &Element, name: &str) -> Result<ActionAttr, CompileError> {
    action_attr(c, el, name)?.ok_or_else(|| c.error(el, format!("missing attribute `{name}`")))
}

/// `errors-variable-name` (no expressions).
pub fn errors_variable(c: &Compiler<'_>, el: &Element) -> Result<Option<Box<str>>, CompileError> {
    match c.attr(el, "errors-variable-name").map(str::trim) {
        None => Ok(None),
        Some("") => Err(c.error(el, "`errors-variable-name` must not be empty")),
        Some(v) if super::text::is_expression(v) => {
            Err(c.error(el, "`errors-variable-name` does not take policy expressions"))
        }
        Some(v) => Ok(Some(v.into())),
    }
}

/// Refuses a second `name` policy in the same section of one document
/// (APIM: once per section).
pub fn once_per_section(c: &Compiler<'_>, el: &Element) -> Result<(), CompileError> {
    let doc = if el.origin.document.is_empty() {
        c.document.clone()
    } else {
        el.origin.document.to_string()
    };
    if c.notes
        .iter()
        .any(|n| n.element == el.name && n.document == doc && !n.skipped)
    {
        return Err(c.error(el, "may appear only once per section"));
    }
    Ok(())
}

impl ActionAttr {
    pub fn eval(&self, r: &Run<'_, '_>, source: &'static str) -> Result<Action, Failure> {
        match self {
            ActionAttr::Lit(a) => Ok(*a),
            ActionAttr::Expr(t) => {
                let cx = r.context();
                let v = match t {
                    Text::Expr(e, _) => e
                        .eval_string(&cx)
                        .map_err(|err| Failure::expression(source, e.describe(&err)))?
                        .to_string(),
                    Text::Lit(s) => s.to_string(),
                };
                Action::parse(&v).ok_or_else(|| {
                    Failure::expression(
                        source,
                        format!("the action must be ignore, detect or prevent, not `{v}`"),
                    )
                })
            }
        }
    }
}

/// One validation error: APIM's record plus the client's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub name: String,
    /// `RequestBody`, `QueryParameter`, `StatusCode`, `ApiSchema`…
    pub kind: &'static str,
    /// `SizeLimit`, `Unspecified`, `IncorrectMessage`, `MissingDefinition`… (empty for `ApiSchema`).
    pub rule: &'static str,
    pub details: String,
    /// APIM's public response (what the client is told).
    pub public: String,
    pub action: Action,
}

/// The errors of one run of a validation policy.
pub struct Report {
    pub policy: &'static str,
    /// A response-side check (outbound, on-error): 502 and no details to the client.
    pub response: bool,
    pub errors: Vec<Error>,
}

impl Report {
    pub fn new(policy: &'static str, response: bool) -> Report {
        Report {
            policy,
            response,
            errors: Vec::new(),
        }
    }

    /// Records an error (nothing for `ignore`); the public response of a
    /// response-side error is always APIM's internal-error sentence.
    pub fn add(
        &mut self,
        action: Action,
        name: impl Into<String>,
        kind: &'static str,
        rule: &'static str,
        details: String,
        public: Option<String>,
    ) {
        if action == Action::Ignore {
            return;
        }
        let public = match public {
            Some(p) if !self.response => p,
            _ => INTERNAL.to_owned(),
        };
        self.errors.push(Error {
            name: name.into(),
            kind,
            rule,
            details,
            public,
            action,
        });
    }

    /// APIM's error for a check that needs the operation's schema when
    /// there is none.
    pub fn no_schema(&mut self, action: Action) {
        self.add(
            action,
            "",
            "ApiSchema",
            "",
            "API's schema does not exist or it could not be resolved.".into(),
            None,
        );
    }

    /// Records an `IncorrectMessage` error.
    pub fn incorrect(&mut self, action: Action, name: &str, kind: &'static str, details: String, public: String) {
        self.add(action, name, kind, "IncorrectMessage", details, Some(public));
    }

    /// Whether a `prevent` error stopped the validation.
    pub fn stopped(&self) -> bool {
        self.errors.iter().any(|e| e.action == Action::Prevent)
    }

    /// Logs the errors, stores them in the errors variable and fails for
    /// the first `prevent` one.
    pub fn finish<'p>(self, r: &mut Run<'_, 'p>, variable: Option<&'p str>) -> Result<(), Failure> {
        for e in &self.errors {
            tracing::info!(
                policy = self.policy,
                api = %r.env.api.id,
                operation = %r.env.op.id,
                name = %e.name,
                r#type = e.kind,
                rule = e.rule,
                action = e.action.name(),
                details = %e.details,
                "validation error"
            );
        }
        if let Some(var) = variable {
            let mut items: Vec<Rc<Node>> = match r.flow.var(var) {
                Some(Value::Obj(o)) => o
                    .as_any()
                    .downcast_ref::<Node>()
                    .map(Node::children)
                    .unwrap_or_default()
                    .iter()
                    .map(|n| n.deep_clone())
                    .collect(),
                _ => Vec::new(),
            };
            items.extend(self.errors.iter().map(record));
            r.flow.set_var(Cow::Borrowed(var), Value::Obj(Node::array(items)));
        }
        let Some(first) = self.errors.into_iter().find(|e| e.action == Action::Prevent) else {
            return Ok(());
        };
        let (reason, status) = if self.response {
            ("Response not allowed", 502)
        } else {
            ("Bad request", 400)
        };
        Err(Failure::new(self.policy, reason, status, first.details).with_body_message(first.public))
    }
}

/// What the validation policies of these pipelines need compiled with the
/// operation's schemas (`allow-additional-properties` variants,
/// `schema-id` schemas).
pub fn needs<'a>(pipelines: impl Iterator<Item = &'a crate::pipeline::Pipeline>) -> crate::schema::Needs {
    use super::program::{Op, Policy};
    let mut out = crate::schema::Needs::default();
    for p in pipelines {
        for prog in [&p.inbound, &p.backend, &p.outbound, &p.on_error] {
            for op in &prog.ops {
                let Op::Do(Policy::ValidateContent(v)) = op else {
                    continue;
                };
                for variant in v.variants() {
                    if !out.variants.contains(&variant) {
                        out.variants.push(variant);
                    }
                }
                for key in v.contents.iter().filter_map(|c| c.named.as_ref()) {
                    if !out.named.contains(key) {
                        out.named.push(key.clone());
                    }
                }
            }
        }
    }
    out
}

/// APIM's error record as a `JObject`.
fn record(e: &Error) -> Rc<Node> {
    let prop = |name: &str, value: &str| Node::property(name.into(), Node::value(Scalar::string(value)));
    Node::object(vec![
        prop("Name", &e.name),
        prop("Type", e.kind),
        prop("ValidationRule", e.rule),
        prop("Details", &e.details),
        prop("Action", e.action.name()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_response_side_errors_stay_private() {
        assert_eq!(Action::parse(" detect "), Some(Action::Detect));
        assert_eq!(Action::parse("Prevent"), None, "APIM's values are lowercase");
        let mut r = Report::new("validate-content", true);
        r.add(
            Action::Ignore,
            "x",
            "ResponseBody",
            "Unspecified",
            "d".into(),
            Some("p".into()),
        );
        assert!(r.errors.is_empty());
        r.add(
            Action::Detect,
            "x",
            "ResponseBody",
            "Unspecified",
            "d".into(),
            Some("p".into()),
        );
        assert_eq!(r.errors[0].public, INTERNAL);
        assert!(!r.stopped());
        r.add(Action::Prevent, "x", "ResponseBody", "Unspecified", "d".into(), None);
        assert!(r.stopped());
        let rec = record(&r.errors[0]);
        assert_eq!(rec.child_count(), 5);
        let action = rec.get("Action").and_then(|v| v.scalar().map(|s| s.v.clone()));
        assert_eq!(action, Some(Value::string("detect")));
    }
}
