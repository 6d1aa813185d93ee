//! APIM policies: documents, expressions, limits and the engine that runs them.

pub mod document;
pub mod expr;
pub mod limits;
