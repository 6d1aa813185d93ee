//! Text to syntax tree: the lexer and the recursive-descent parser of the
//! C# subset ([`ast`]).
//!
//! Entry points: [`delimit`] finds the `@( … )` / `@{ … }` wrapper of an
//! attribute value; [`parse_expr`] and [`parse_block`] parse its inside;
//! [`scan`] skips C# code without parsing it (for the gateway's XML
//! prepass, which has to find where a raw expression ends inside XML).
//!
//! Invariants: every position is a byte offset into the text given to the
//! entry points (the whole attribute value), errors are
//! [`CompileError::at`] such an offset; nothing here panics or recurses
//! without bound on any input (nesting deeper than [`MAX_NESTING`] is an
//! error).

use crate::error::CompileError;
use scan::{scan_code, ScanError, StrChars};

pub mod ast;
mod lexer;
mod parser;
pub mod scan;

pub use parser::{parse_block, parse_expr, MAX_NESTING};

/// Finds the wrapper `@( … )` or `@{ … }` of `src` (whitespace allowed
/// around it, nothing else), scanning to the matching close over C#
/// literals and comments. Returns `(inner_start, inner_end, is_block)`,
/// byte offsets of the code between the brackets.
pub fn delimit(src: &str) -> Result<(usize, usize, bool), CompileError> {
    let start = src.len() - src.trim_start().len();
    let rest = src.get(start..).unwrap_or("");
    let (close, block) = if rest.starts_with("@(") {
        (')', false)
    } else if rest.starts_with("@{") {
        ('}', true)
    } else {
        return Err(CompileError::at(start, "an expression must start with `@(` or `@{`"));
    };
    let inner = start + 2;
    let mut c = StrChars { src, i: inner };
    scan_code(&mut c, &[close]).map_err(|e| match e {
        ScanError::Unterminated { what: "expression", .. } => CompileError::at(
            start,
            format!("expected `{close}` to close `{}`", if block { "@{" } else { "@(" }),
        ),
        e => CompileError::at(e.at(), e.to_string()),
    })?;
    let end = c.i;
    let after = src.get(end + 1..).unwrap_or("");
    if let Some(extra) = after.find(|c: char| !c.is_whitespace()) {
        return Err(CompileError::at(
            end + 1 + extra,
            format!("unexpected text after the expression's closing `{close}`"),
        ));
    }
    Ok((inner, end, block))
}

#[cfg(test)]
mod tests;
