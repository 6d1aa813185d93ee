//! The evaluator over the compiled IR; implements [`crate::runtime::Runtime`].
