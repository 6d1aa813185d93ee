//! The net family: `System.Uri`, `UriBuilder`, `UriPartial`,
//! `System.Net.WebUtility`, `System.Net.IPAddress`.

use crate::types::TypeDef;

pub static TYPES: &[&TypeDef] = &[];
