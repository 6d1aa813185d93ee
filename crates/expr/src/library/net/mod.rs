//! The net family: `System.Uri` and `UriPartial` ([`uri`]), `UriBuilder`
//! (an Outpost extension: not on APIM's list, [`uri_builder`]),
//! `System.Net.WebUtility` ([`web_utility`]) and `System.Net.IPAddress`
//! ([`ip`]); [`escape`] holds .NET's percent-encoding rules, shared with
//! the apim family's form dictionary, and [`entities`] the HTML entities.
//!
//! Invariants: everything here is pure text processing (no DNS, no
//! sockets); `UriFormatException` is `EvalErrorKind::Other("UriFormatException")`.

use crate::types::TypeDef;

pub mod entities;
pub mod escape;
pub mod ip;
pub mod uri;
pub mod uri_builder;
pub mod web_utility;

pub static TYPES: &[&TypeDef] = &[
    &uri::URI,
    &uri::URI_PARTIAL,
    &uri::URI_KIND,
    &uri::URI_HOST_NAME_TYPE,
    &uri_builder::URI_BUILDER,
    &web_utility::WEB_UTILITY,
    &ip::IP_ADDRESS,
    &ip::ADDRESS_FAMILY,
];

#[cfg(test)]
mod tests;
