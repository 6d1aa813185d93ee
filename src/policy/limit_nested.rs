//! The nested `<api>` and `<operation>` elements of `rate-limit` and
//! `quota`: extra limits, each with its own counter, that apply only to
//! requests for that API (and operation), next to the policy's own limit
//! ("product, API and operation limits are applied independently").
//!
//! ```xml
//! <rate-limit calls="100" renewal-period="60">
//!     <api name="orders" calls="20" renewal-period="60">
//!         <operation id="create-order" calls="5" renewal-period="60" />
//!     </api>
//! </rate-limit>
//! ```
//! An API or operation is named by `id` or `name`; when both are given `id`
//! wins (APIM). `name` is the API's display name; operations have no
//! separate display name here, so an operation's `name` matches its id.
//!
//! An `<api>` without limit attributes only groups its operations.
//!
//! Invariant: nested limits are flattened at compile time into one list in
//! document order, each with its own counter identity (the document and
//! line of its element), so two elements never share a counter.

use super::compile::{children, CompileError, Compiler, Element};
use super::exec::Env;
use super::limit_reply::policy_identity;

/// Which API or operation a nested element names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Id(Box<str>),
    Name(Box<str>),
}

impl Target {
    fn compile(c: &Compiler<'_>, el: &Element) -> Result<Target, CompileError> {
        let attr = |n: &str| c.attr(el, n).map(str::trim).filter(|v| !v.is_empty());
        match (attr("id"), attr("name")) {
            (Some(id), _) => Ok(Target::Id(id.into())),
            (None, Some(name)) => Ok(Target::Name(name.into())),
            (None, None) => Err(c.error(el, "needs an `id` or a `name`")),
        }
    }
}

/// One nested limit.
#[derive(Clone, Debug)]
pub struct Nested<T> {
    pub api: Target,
    pub operation: Option<Target>,
    pub limit: T,
    /// This element's identity in its counters' keys.
    pub identity: Box<str>,
}

impl<T> Nested<T> {
    /// Whether this limit applies to the request's API and operation.
    pub fn applies(&self, env: &Env<'_>) -> bool {
        let api = match &self.api {
            Target::Id(id) => **id == *env.api.id,
            Target::Name(name) => **name == *env.api.name,
        };
        api && self.operation.as_ref().is_none_or(|op| match op {
            Target::Id(v) | Target::Name(v) => **v == *env.op.id,
        })
    }
}

/// Compiles the `<api>`/`<operation>` children of `el`; `limit` compiles
/// one element's own limit attributes.
pub fn compile<T>(
    c: &Compiler<'_>,
    el: &Element,
    limit: impl Fn(&Compiler<'_>, &Element) -> Result<T, CompileError>,
) -> Result<Vec<Nested<T>>, CompileError> {
    let mut out = Vec::new();
    for api_el in children(el) {
        if api_el.name != "api" {
            return Err(c.error(api_el, format!("unexpected element inside <{}>", el.name)));
        }
        let api = Target::compile(c, api_el)?;
        let grouping_only = c.attr(api_el, "calls").is_none()
            && c.attr(api_el, "bandwidth").is_none()
            && children(api_el).next().is_some();
        if !grouping_only {
            out.push(Nested {
                api: api.clone(),
                operation: None,
                limit: limit(c, api_el)?,
                identity: policy_identity(api_el, ""),
            });
        }
        for op_el in children(api_el) {
            if op_el.name != "operation" {
                return Err(c.error(op_el, "only <operation> elements may appear inside <api>"));
            }
            out.push(Nested {
                api: api.clone(),
                operation: Some(Target::compile(c, op_el)?),
                limit: limit(c, op_el)?,
                identity: policy_identity(op_el, ""),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::compile::{Section, TargetTable, Unsupported};
    use crate::policy::document::{parse, Scope, SectionKind};
    use crate::policy::program::{Op, Policy};

    fn compile_inbound(inner: &str) -> Result<Vec<Op>, CompileError> {
        let xml = format!("<policies><inbound>{inner}</inbound></policies>");
        let doc = parse("p.xml", Scope::Product, &xml).expect("valid document");
        let mut targets = TargetTable::default();
        let els = doc.section(SectionKind::Inbound).expect("inbound");
        let (prog, _, _) = Compiler::new(Section::Inbound, Unsupported::Error, &mut targets, "p.xml").program(els)?;
        Ok(prog.ops)
    }

    #[test]
    fn nested_limits_flatten_in_order_with_id_over_name() {
        let ops = compile_inbound(
            r#"<rate-limit calls="9" renewal-period="60">
                 <api name="Orders" id="orders" calls="5" renewal-period="60">
                   <operation name="list" calls="2" renewal-period="30" />
                 </api>
                 <api name="Shop"><operation id="buy" calls="1" renewal-period="60" /></api>
               </rate-limit>"#,
        )
        .unwrap();
        let Op::Do(Policy::RateLimit(rl)) = &ops[0] else {
            panic!("a rate-limit: {ops:?}")
        };
        let shape: Vec<_> = rl
            .nested
            .iter()
            .map(|n| (n.api.clone(), n.operation.clone(), n.limit))
            .collect();
        let secs = std::time::Duration::from_secs;
        assert_eq!(
            shape,
            vec![
                (Target::Id("orders".into()), None, (5, secs(60))),
                (
                    Target::Id("orders".into()),
                    Some(Target::Name("list".into())),
                    (2, secs(30))
                ),
                (
                    Target::Name("Shop".into()),
                    Some(Target::Id("buy".into())),
                    (1, secs(60))
                ),
            ],
            "an <api> without calls only groups its operations"
        );
        let ids: std::collections::HashSet<_> = rl.nested.iter().map(|n| &n.identity).collect();
        assert_eq!(ids.len(), 3, "every element has its own counter");
    }

    #[test]
    fn malformed_nested_elements_are_configuration_errors() {
        for (inner, says) in [
            (r#"<api calls="1" renewal-period="60" />"#, "`id` or a `name`"),
            (
                r#"<operation id="x" calls="1" renewal-period="60" />"#,
                "unexpected element",
            ),
            (r#"<api id="a"><api id="b" /></api>"#, "only <operation>"),
            (r#"<api id="a" calls="1" />"#, "renewal-period"),
        ] {
            let e = compile_inbound(&format!(r#"<quota calls="5" renewal-period="60">{inner}</quota>"#)).unwrap_err();
            assert!(e.message.contains(says), "{inner}: {e}");
        }
    }
}
