//! APIM policies: their compiled forms and the state they share.

pub mod limits;
