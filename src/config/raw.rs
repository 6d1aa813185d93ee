//! Serde mirrors of the TOML files, exactly as written (kebab-case keys).
//!
//! Invariant: every struct uses `deny_unknown_fields`, so a misspelt key is an
//! error rather than silently ignored. No validation happens here; `load`
//! converts these into the model types and checks every field.

use serde::Deserialize;

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawApi {
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub path: String,
    pub service_url: String,
    #[serde(default)]
    pub hostnames: Vec<String>,
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
    #[serde(default)]
    pub subscription_required: bool,
    #[serde(default)]
    pub subscription_key_header: Option<String>,
    #[serde(default)]
    pub subscription_key_query: Option<String>,
    #[serde(default = "one")]
    pub revision: u32,
    #[serde(default = "yes")]
    pub is_current: bool,
    #[serde(default)]
    pub version: Option<RawVersion>,
    #[serde(default)]
    pub operations: Option<Vec<RawOperation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawVersion {
    pub name: String,
    pub scheme: String,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub query: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawOperation {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub method: String,
    pub url_template: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawProduct {
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub apis: Vec<String>,
    #[serde(default = "yes")]
    pub subscription_required: bool,
    #[serde(default)]
    pub approval_required: bool,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubscriptions {
    #[serde(default)]
    pub subscription: Vec<RawSubscription>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSubscription {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub scope: String,
    pub primary_key: String,
    #[serde(default)]
    pub secondary_key: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNamedValues {
    #[serde(default, rename = "named-value")]
    pub named_value: Vec<RawNamedValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNamedValue {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBackend {
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tls: Option<super::tls::RawBackendTls>,
}

/// Parses TOML, turning syntax/shape errors into a [`super::ConfigError`]
/// with line and column.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, super::ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (at, field) = match e.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                (format!("line {line}, column {col}: "), field_at(before))
            }
            None => (String::new(), None),
        };
        super::ConfigError::new(file, field.as_deref(), format!("{at}{}", e.message().trim()))
    })
}

/// The dotted key whose value starts where `before` ends: the key on that
/// line (when the position is after its `=`), under the nearest table header.
fn field_at(before: &str) -> Option<String> {
    let line = before.rsplit('\n').next()?;
    let key = line.split_once('=')?.0.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let table = before
        .lines()
        .rev()
        .skip(1)
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}
