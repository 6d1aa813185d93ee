//! Parser tests: a compact printer of the tree ([`print`]), and tables of
//! source → printed form for every construct (`exprs`, `stmts`), error
//! messages and positions (`errors`), Microsoft's documented examples
//! (`docs`), and a no-panic fuzz over random bytes and token soups
//! (`fuzz`).

mod docs;
mod errors;
mod exprs;
mod fuzz;
mod print;
mod stmts;

pub(crate) use print::{print_block, print_expr};

use super::{parse_block, parse_expr};
use crate::error::CompileError;

/// Parses `src` as an expression and prints it.
pub(crate) fn pe(src: &str) -> String {
    match parse_expr(src, 0, src.len()) {
        Ok(e) => print_expr(&e),
        Err(e) => panic!("{src:?}: {} at {}", e.message, e.offset),
    }
}

/// Parses `src` as a block and prints it.
pub(crate) fn pb(src: &str) -> String {
    match parse_block(src, 0, src.len()) {
        Ok(s) => print_block(&s),
        Err(e) => panic!("{src:?}: {} at {}", e.message, e.offset),
    }
}

/// The error of parsing `src` as an expression.
pub(crate) fn ee(src: &str) -> CompileError {
    match parse_expr(src, 0, src.len()) {
        Ok(e) => panic!("{src:?} parsed as {}", print_expr(&e)),
        Err(e) => e,
    }
}

/// The error of parsing `src` as a block.
pub(crate) fn eb(src: &str) -> CompileError {
    match parse_block(src, 0, src.len()) {
        Ok(s) => panic!("{src:?} parsed as {}", print_block(&s)),
        Err(e) => e,
    }
}

#[test]
fn smoke() {
    assert_eq!(pe("a + b * c"), "(a + (b * c))");
}
