//! APIM policies: documents, their compiled forms and the state they share.

pub mod document;
pub mod limits;
