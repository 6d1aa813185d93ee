//! APIM policies: documents, expressions, limits and the engine that runs them.

pub mod expr;
