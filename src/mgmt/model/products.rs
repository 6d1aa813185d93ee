//! Products and subscriptions as the REST API reads and writes them.
//!
//! Invariant: a validated subscription's scope is in the gateway files'
//! canonical form (`all`, `api:<id>`, `product:<id>`) whichever of APIM's
//! forms it was given in; keys are optional on input (the store generates
//! missing ones).

use serde::{Deserialize, Serialize};

use super::{bad, validate_id, yes, MgmtError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    #[serde(default)]
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub subscription_required: bool,
    #[serde(default)]
    pub approval_required: bool,
    #[serde(default = "not_published")]
    pub state: String,
    /// Read-only: linked APIs (ignored on input).
    #[serde(default)]
    pub apis: Vec<String>,
}

fn not_published() -> String {
    "notPublished".into()
}

impl Product {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("product", &self.id)?;
        if self.display_name.trim().is_empty() {
            return Err(bad("displayName is required"));
        }
        if !matches!(self.state.as_str(), "published" | "notPublished") {
            return Err(bad("state must be \"published\" or \"notPublished\""));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    /// `all`, `api:<id>` or `product:<id>`.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_key: Option<String>,
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "active".into()
}

impl Subscription {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("subscription", &self.id)?;
        if self.display_name.trim().is_empty() {
            self.display_name = self.id.clone();
        }
        // APIM's forms (`/apis`, `/apis/{id}`, `/products/{id}`) are stored
        // in the canonical form the gateway files use.
        use crate::config::SubscriptionScope as S;
        self.scope = match crate::config::parse_scope(&self.scope) {
            Some(S::All) => "all".into(),
            Some(S::Api(a)) if a.len() <= 256 => format!("api:{a}"),
            Some(S::Product(p)) if p.len() <= 256 => format!("product:{p}"),
            _ => {
                return Err(bad(
                    "scope must be \"all\", \"api:<api-id>\", \"product:<product-id>\", \"/apis\", \"/apis/<api-id>\" or \"/products/<product-id>\"",
                ))
            }
        };
        const STATES: [&str; 6] = ["active", "suspended", "submitted", "expired", "cancelled", "rejected"];
        if !STATES.contains(&self.state.as_str()) {
            return Err(bad(format!("state must be one of {}", STATES.join(", "))));
        }
        for k in [&self.primary_key, &self.secondary_key].into_iter().flatten() {
            if k.is_empty() || k.len() > 256 || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(bad("keys must be 1-256 characters without spaces"));
            }
        }
        Ok(())
    }
}
