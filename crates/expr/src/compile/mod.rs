//! Syntax tree to typed IR: name resolution against the library's types,
//! the gradual type checker, definite return, and lowering.
