//! The shapes of the declarative files a snapshot renders (`api.toml`,
//! operations, products, subscriptions, named values, backends), in the
//! gateway loader's key names (config/README.md), and their rendering.
//!
//! Invariant: these shapes are the loader's file format: a field renamed or
//! added here must be one the gateway's `config::raw` accepts, or the
//! gateway refuses the snapshot.

use serde::Serialize;

use super::MgmtError;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct ApiToml {
    pub(super) display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) path: String,
    pub(super) service_url: String,
    pub(super) hostnames: Vec<String>,
    pub(super) protocols: Vec<String>,
    pub(super) subscription_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) subscription_key_header: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) subscription_key_query: Option<String>,
    pub(super) revision: u32,
    pub(super) is_current: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) version: Option<VersionToml>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) operations: Vec<OperationToml>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct VersionToml {
    pub(super) name: String,
    pub(super) scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) header: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) query: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct OperationToml {
    pub(super) id: String,
    pub(super) display_name: String,
    pub(super) method: String,
    pub(super) url_template: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct ProductToml {
    pub(super) display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) apis: Vec<String>,
    pub(super) subscription_required: bool,
    pub(super) approval_required: bool,
    pub(super) state: String,
}

#[derive(Serialize)]
pub(super) struct SubscriptionsToml {
    pub(super) subscription: Vec<SubscriptionToml>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct SubscriptionToml {
    pub(super) id: String,
    pub(super) display_name: String,
    pub(super) scope: String,
    pub(super) primary_key: String,
    pub(super) secondary_key: String,
    pub(super) state: String,
}

#[derive(Serialize)]
pub(super) struct NamedValuesToml {
    #[serde(rename = "named-value")]
    pub(super) named_value: Vec<NamedValueToml>,
}

#[derive(Serialize)]
pub(super) struct NamedValueToml {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) secret: bool,
}

#[derive(Serialize)]
pub(super) struct BackendToml {
    pub(super) url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
}

pub(super) fn render<T: Serialize>(v: &T) -> Result<String, MgmtError> {
    toml::to_string(v).map_err(|e| MgmtError::Internal(format!("rendering TOML: {e}")))
}
