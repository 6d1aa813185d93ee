//! Liquid templates for `set-body template="liquid"`: APIM runs DotLiquid
//! in C# mode; Outpost runs the liquid crate with APIM's vocabulary:
//!
//! - filters: the 43 PascalCase names of the reference (`filters`);
//! - tags: `assign`, `capture`, `case`/`when`, `comment`, `cycle`,
//!   `increment`/`decrement`, `for` (`limit`, `offset`, `reversed`,
//!   `else`) with `break`/`continue`, `if`/`elsif`/`else`, `unless`,
//!   `ifchanged`, `raw`, and APIM's `JSONArrayFor` (a `for` that writes `,`
//!   between items); anything else (`include`, `render`, `tablerow`…) is a
//!   load-time error naming its line (`scan`);
//! - variables: `body` and `context` (`globals`).
//!
//! Invariants: templates are parsed once, when the policy is compiled;
//! a render is bounded in output bytes, loop iterations and bytes produced
//! by filters and captures (`blocks::Budget`), so hostile data cannot
//! stall a worker or exhaust memory.

mod blocks;
mod filters;
pub mod globals;
mod scan;

use std::sync::{Arc, OnceLock};

use liquid_core::model::{Object, Value};
use liquid_core::runtime::RuntimeBuilder;
use liquid_core::{Language, Renderable, Runtime, Template};
use liquid_lib::stdlib;

pub use scan::ScanError;

/// Most loop iterations one render may run.
pub const MAX_ITERATIONS: u64 = 100_000;

/// A compiled template.
#[derive(Clone)]
pub struct Liquid {
    template: Arc<Template>,
    /// Whether the template names `body` / `context`.
    pub uses_body: bool,
    pub uses_context: bool,
}

impl std::fmt::Debug for Liquid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Liquid")
            .field("uses_body", &self.uses_body)
            .field("uses_context", &self.uses_context)
            .finish_non_exhaustive()
    }
}

/// APIM's Liquid: tags, blocks and filters (built once per process).
fn language() -> &'static Language {
    static LANG: OnceLock<Language> = OnceLock::new();
    LANG.get_or_init(|| {
        let mut l = Language::default();
        l.tags.register("assign".into(), stdlib::AssignTag.into());
        l.tags.register("break".into(), stdlib::BreakTag.into());
        l.tags.register("continue".into(), stdlib::ContinueTag.into());
        l.tags.register("cycle".into(), stdlib::CycleTag.into());
        l.tags.register("increment".into(), stdlib::IncrementTag.into());
        l.tags.register("decrement".into(), stdlib::DecrementTag.into());
        l.blocks.register("raw".into(), stdlib::RawBlock.into());
        l.blocks.register("if".into(), stdlib::IfBlock.into());
        l.blocks.register("unless".into(), stdlib::UnlessBlock.into());
        l.blocks.register("ifchanged".into(), stdlib::IfChangedBlock.into());
        l.blocks.register("comment".into(), stdlib::CommentBlock.into());
        l.blocks.register("case".into(), stdlib::CaseBlock.into());
        l.blocks
            .register("for".into(), Box::new(blocks::ForBlock { json: false }));
        l.blocks
            .register("JSONArrayFor".into(), Box::new(blocks::ForBlock { json: true }));
        l.blocks.register("capture".into(), Box::new(blocks::CaptureBlock));
        filters::register(&mut l);
        l
    })
}

/// The line (1-based, within the template) a liquid parse error points at.
fn error_line(message: &str) -> u32 {
    // pest positions read `--> line:column`.
    message
        .split("--> ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(1)
}

impl Liquid {
    /// Parses a template; errors carry the line within the template.
    pub fn compile(text: &str) -> Result<Liquid, ScanError> {
        let found = scan::scan(text)?;
        // The crate's parser asserts its own invariants; a template that
        // trips one is refused like any bad template (belt and braces: the
        // scan already refuses the inputs known to do so).
        let parsed =
            std::panic::catch_unwind(|| liquid_core::parser::parse(text, language())).map_err(|_| ScanError {
                line: 1,
                message: "Liquid: the template cannot be parsed".into(),
            })?;
        let elements = parsed.map_err(|e| {
            let message = e.to_string();
            ScanError {
                line: error_line(&message),
                message: format!("Liquid: {}", message.trim().replace('\n', " ")),
            }
        })?;
        Ok(Liquid {
            template: Arc::new(Template::new(elements)),
            uses_body: found.uses_body,
            uses_context: found.uses_context,
        })
    }

    /// Renders with `body` and `context` into at most `max` bytes.
    pub fn render(&self, body: Value, context: Value, max: usize) -> Result<String, String> {
        let mut globals = Object::new();
        globals.insert("body".into(), body);
        globals.insert("context".into(), context);
        let runtime = blocks::Lax(RuntimeBuilder::new().set_globals(&globals).build());
        {
            let mut budget = runtime.registers().get_mut::<blocks::Budget>();
            budget.iterations = MAX_ITERATIONS;
            // Filters and captures may build several times the output.
            budget.bytes = (max as u64).saturating_mul(8).max(1 << 20);
        }
        let mut out = blocks::Bounded::new(max);
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.template.render_to(&mut out, &runtime)
        }))
        .map_err(|_| "the template failed while rendering".to_owned())?;
        rendered.map_err(|e| {
            if out.overflow {
                format!("the rendered body is larger than {max} bytes")
            } else {
                e.to_string().trim().replace('\n', " ")
            }
        })?;
        Ok(String::from_utf8_lossy(&out.buf).into_owned())
    }
}

#[cfg(test)]
mod tests;
