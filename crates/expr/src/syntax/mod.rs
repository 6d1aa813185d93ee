//! Text to syntax tree: the lexer and the recursive-descent parser of the
//! C# subset ([`ast`]).

pub mod ast;
