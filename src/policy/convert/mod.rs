//! Body conversions shared by `json-to-xml`, `xml-to-json` and Liquid's
//! `body`: an order-keeping JSON tree (`json`), an XML tree (`xml_tree`),
//! the two directions (`to_xml`, `to_json`) and XML name encoding
//! (`names`).
//!
//! Invariants: nothing here panics on any input; depth is bounded (XML by
//! [`MAX_DEPTH`], JSON by serde_json's limit of 128) and output by the
//! caller's byte limit.

pub mod json;
pub mod names;
pub mod to_json;
pub mod to_xml;
pub mod xml_tree;

/// Maximum element nesting of an XML body.
pub const MAX_DEPTH: usize = 128;

/// Why a body could not be converted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("the body is not valid XML: {0}")]
    Xml(String),
    #[error("the converted body is larger than {0} bytes")]
    TooLarge(usize),
}
