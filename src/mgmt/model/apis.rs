//! APIs and operations as the REST API reads and writes them.
//!
//! Invariant: `validate()` normalises what APIM accepts loosely (protocol,
//! method and versioning-scheme case, an operation's empty display name)
//! and refuses what the gateway's loader would refuse (ids, paths,
//! templates, URLs, protocols).

use serde::{Deserialize, Serialize};

use super::{bad, normalize_method, validate_api_path, validate_id, validate_template, validate_url, yes, MgmtError};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyNames {
    pub header: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionSet {
    /// `segment` | `header` | `query` (case-insensitive on input).
    pub versioning_scheme: String,
    pub version_header_name: Option<String>,
    pub version_query_name: Option<String>,
}

fn one() -> u32 {
    1
}
fn both_schemes() -> Vec<String> {
    vec!["http".into(), "https".into()]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Api {
    #[serde(default)]
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub path: String,
    pub service_url: String,
    #[serde(default)]
    pub hostnames: Vec<String>,
    #[serde(default = "both_schemes")]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub subscription_required: bool,
    #[serde(default)]
    pub subscription_key_parameter_names: Option<KeyNames>,
    #[serde(default = "one")]
    pub api_revision: u32,
    #[serde(default = "yes")]
    pub is_current: bool,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub api_version_set: Option<VersionSet>,
}

impl Api {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("api", &self.id)?;
        if self.display_name.trim().is_empty() {
            return Err(bad("displayName is required"));
        }
        validate_api_path(&self.path)?;
        validate_url("serviceUrl", &self.service_url)?;
        if self.api_revision == 0 {
            return Err(bad("apiRevision must be at least 1"));
        }
        for p in &mut self.protocols {
            *p = p.to_ascii_lowercase();
            if !matches!(p.as_str(), "http" | "https" | "ws" | "wss") {
                return Err(bad(format!("invalid protocol '{p}': expected http, https, ws or wss")));
            }
        }
        self.protocols.sort();
        self.protocols.dedup();
        if self.protocols.is_empty() {
            return Err(bad("protocols must name at least one of http, https, ws, wss"));
        }
        match (&self.api_version, &mut self.api_version_set) {
            (None, None) => {}
            (Some(v), Some(set)) if !v.is_empty() => {
                set.versioning_scheme = set.versioning_scheme.to_ascii_lowercase();
                if !matches!(set.versioning_scheme.as_str(), "segment" | "header" | "query") {
                    return Err(bad("apiVersionSet.versioningScheme must be segment, header or query"));
                }
            }
            _ => return Err(bad("apiVersion and apiVersionSet must be given together")),
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operation {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    pub method: String,
    pub url_template: String,
}

impl Operation {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("operation", &self.id)?;
        self.method = normalize_method(&self.method)?;
        validate_template(&self.url_template)?;
        if self.display_name.trim().is_empty() {
            self.display_name = self.id.clone();
        }
        Ok(())
    }
}
