//! Every policy document of a [`Config`], parsed against its named values
//! and fragments, and composed per operation.
//!
//! Invariant: [`ConfigPolicies::from_config`] succeeds exactly when every
//! document and fragment of the configuration is valid, so a loaded
//! [`Config`] (whose validation calls it) always composes.

use std::collections::HashMap;

use crate::config::Config;

use super::library::{FragmentSource, PolicyLibrary};
use super::named_values::NamedValues;
use super::node::Scope;
use super::{compose, Document, DocumentError, Sections};

/// The parsed documents of a configuration, by scope.
#[derive(Debug, Clone, Default)]
pub struct ConfigPolicies {
    pub library: PolicyLibrary,
    pub global: Option<Document>,
    /// By product id.
    pub products: HashMap<String, Document>,
    /// By API id.
    pub apis: HashMap<String, Document>,
    /// By (API id, operation id).
    pub operations: HashMap<(String, String), Document>,
}

impl ConfigPolicies {
    /// Parses every document and fragment of `cfg`.
    pub fn from_config(cfg: &Config) -> Result<Self, DocumentError> {
        let mut named = NamedValues::new();
        for nv in &cfg.named_values {
            named.insert(nv.name.clone(), nv.value.clone(), nv.secret);
        }
        let sources: Vec<FragmentSource<'_>> = cfg
            .fragments
            .iter()
            .map(|f| FragmentSource {
                id: &f.id,
                document: &f.doc.source,
                xml: &f.doc.xml,
            })
            .collect();
        let library = PolicyLibrary::new(named, &sources)?;
        let mut out = ConfigPolicies::default();
        if let Some(doc) = &cfg.global_policy {
            out.global = Some(library.parse(&doc.source, Scope::Global, &doc.xml)?);
        }
        for p in &cfg.products {
            if let Some(doc) = &p.policy {
                out.products
                    .insert(p.id.clone(), library.parse(&doc.source, Scope::Product, &doc.xml)?);
            }
        }
        for api in &cfg.apis {
            if let Some(doc) = &api.policy {
                out.apis
                    .insert(api.id.clone(), library.parse(&doc.source, Scope::Api, &doc.xml)?);
            }
            for op in &api.operations {
                if let Some(doc) = &op.policy {
                    let parsed = library.parse(&doc.source, Scope::Operation, &doc.xml)?;
                    out.operations.insert((api.id.clone(), op.id.clone()), parsed);
                }
            }
        }
        out.library = library;
        Ok(out)
    }

    /// The composed policy of operation `operation` of API `api`, for a
    /// request under product `product` (`None`: no product scope applies).
    /// Unknown ids simply contribute no document.
    pub fn sections(&self, product: Option<&str>, api: &str, operation: &str) -> Sections {
        compose(
            self.global.as_ref(),
            product.and_then(|p| self.products.get(p)),
            self.apis.get(api),
            self.operations.get(&(api.to_owned(), operation.to_owned())),
        )
    }
}
