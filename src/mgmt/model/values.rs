//! Named values, policy fragments and backends as the REST API reads and
//! writes them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedValue {
    #[serde(default)]
    pub id: String,
    /// `None` in responses for secret values.
    pub value: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// A policy fragment (APIM's `policyFragments` resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyFragment {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `<fragment>…</fragment>`.
    pub value: String,
    /// `xml` or `rawxml` on input (both accepted as written); `xml` on output.
    #[serde(default = "xml_format")]
    pub format: String,
}

fn xml_format() -> String {
    "xml".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Backend {
    #[serde(default)]
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
}
