//! Renders one gateway's view of the configuration as the declarative files
//! the gateway already loads (see config/README.md), inside one read
//! transaction so the files and the version number agree.
//!
//! Invariants: only APIs assigned to the gateway appear; products appear when
//! they contain at least one assigned API, listing only assigned APIs;
//! subscriptions appear only when their scope (all / api / product) is in the
//! snapshot; named values (secret values included), policy fragments,
//! backends and certificates (PEM with private keys) are all included; the
//! gateway's own host-name configurations and certificate authorities
//! (trusted ones as `certificate-authorities`, untrusted ones as
//! `intermediate-certificates`) become `hostnames.toml`. Files are sorted by path, so equal content gives an equal
//! [`Snapshot::content_hash`].

use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::resources as res;
use super::MgmtError;

mod files;

use files::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct File {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub gateway_id: String,
    pub version: u64,
    pub files: Vec<File>,
}

impl Snapshot {
    /// SHA-256 over the files (not the version).
    pub fn content_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for f in &self.files {
            for part in [f.path.as_bytes(), f.content.as_bytes()] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
        }
        h.finalize().into()
    }
}

/// Builds the snapshot for `gateway_id` (which must exist).
pub fn build(c: &Connection, gateway_id: &str) -> Result<Snapshot, MgmtError> {
    res::require(c, "gateways", "gateway", gateway_id)?;
    let version: i64 = c.query_row("SELECT version FROM config_version WHERE id = 1", [], |r| r.get(0))?;
    let assigned = res::assigned_apis(c, gateway_id)?;
    let mut files = Vec::new();
    let mut add = |path: String, content: String| files.push(File { path, content });

    if let Some(xml) = res::get_policy(c, "global")? {
        add("policy.xml".into(), xml);
    }
    for api_id in &assigned {
        let Some(api) = res::get_api(c, api_id)? else { continue };
        let ops = res::list_operations(c, api_id)?;
        let keys = api.subscription_key_parameter_names.unwrap_or_default();
        let toml = ApiToml {
            display_name: api.display_name,
            description: api.description,
            path: api.path,
            service_url: api.service_url,
            hostnames: api.hostnames,
            protocols: api.protocols,
            subscription_required: api.subscription_required,
            subscription_key_header: keys.header,
            subscription_key_query: keys.query,
            revision: api.api_revision,
            is_current: api.is_current,
            version: api.api_version.zip(api.api_version_set).map(|(name, set)| VersionToml {
                name,
                scheme: set.versioning_scheme,
                header: set.version_header_name,
                query: set.version_query_name,
            }),
            operations: ops
                .iter()
                .map(|o| OperationToml {
                    id: o.id.clone(),
                    display_name: o.display_name.clone(),
                    method: o.method.clone(),
                    url_template: o.url_template.clone(),
                })
                .collect(),
        };
        add(format!("apis/{api_id}.toml"), render(&toml)?);
        if let Some(document) = res::get_api_schema(c, api_id)? {
            add(format!("apis/{api_id}/openapi.json"), document);
        }
        if let Some(xml) = res::get_policy(c, &format!("api:{api_id}"))? {
            add(format!("apis/{api_id}.xml"), xml);
        }
        for op in &ops {
            if let Some(xml) = res::get_policy(c, &format!("operation:{api_id}/{}", op.id))? {
                add(format!("apis/{api_id}/{}.xml", op.id), xml);
            }
        }
    }

    let mut products = Vec::new();
    for p in res::list_products(c)? {
        let apis: Vec<String> = p.apis.into_iter().filter(|a| assigned.contains(a)).collect();
        if apis.is_empty() {
            continue;
        }
        products.push(p.id.clone());
        let toml = ProductToml {
            display_name: p.display_name,
            description: p.description,
            apis,
            subscription_required: p.subscription_required,
            approval_required: p.approval_required,
            state: p.state,
        };
        add(format!("products/{}.toml", p.id), render(&toml)?);
        if let Some(xml) = res::get_policy(c, &format!("product:{}", p.id))? {
            add(format!("products/{}.xml", p.id), xml);
        }
    }

    let subscription: Vec<SubscriptionToml> = res::list_subscriptions_with_keys(c)?
        .into_iter()
        .filter(|s| match s.scope.split_once(':') {
            Some(("api", id)) => assigned.iter().any(|a| a == id),
            Some(("product", id)) => products.iter().any(|p| p == id),
            _ => s.scope == "all",
        })
        .map(|s| SubscriptionToml {
            id: s.id,
            display_name: s.display_name,
            scope: s.scope,
            primary_key: s.primary_key.unwrap_or_default(),
            secondary_key: s.secondary_key.unwrap_or_default(),
            state: s.state,
        })
        .collect();
    if !subscription.is_empty() {
        add(
            "subscriptions.toml".into(),
            render(&SubscriptionsToml { subscription })?,
        );
    }

    let named_value: Vec<NamedValueToml> = res::list_named_values(c)?
        .into_iter()
        .map(|n| NamedValueToml {
            name: n.id,
            value: n.value.unwrap_or_default(),
            secret: n.secret,
        })
        .collect();
    if !named_value.is_empty() {
        add("named-values.toml".into(), render(&NamedValuesToml { named_value })?);
    }
    for f in res::list_fragments(c)? {
        add(format!("fragments/{}.xml", f.id), f.value);
    }
    for b in res::list_backends(c)? {
        add(
            format!("backends/{}.toml", b.id),
            render(&BackendToml {
                url: b.url,
                description: b.description,
            })?,
        );
    }

    // Certificates are service-wide (policies may name any of them); the
    // host names are this gateway's own.
    for (id, pem) in res::list_certificates(c)? {
        add(format!("certificates/{id}.pem"), pem);
    }
    let gateway = res::get_gateway(c, gateway_id)?.ok_or_else(|| super::not_found("gateway", gateway_id))?;
    let (trusted, intermediates) = super::gateway_cas::split(&res::list_gateway_cas(c, gateway_id)?);
    if let Some(toml) =
        super::certificates::render_hostnames(&gateway.hostname_configurations, &trusted, &intermediates)?
    {
        add("hostnames.toml".into(), toml);
    }

    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Snapshot {
        gateway_id: gateway_id.to_string(),
        version: version as u64,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mgmt::model::*;
    use crate::mgmt::store::{temp_dir, Store};

    fn api(id: &str) -> Api {
        serde_json::from_value(serde_json::json!({
            "id": id, "displayName": format!("API {id}"), "path": id, "serviceUrl": "echo://"
        }))
        .unwrap()
    }

    fn gw(id: &str) -> Gateway {
        Gateway {
            id: id.into(),
            description: None,
            hostname_configurations: vec![],
            apis: vec![],
            identity: None,
        }
    }

    #[test]
    fn only_assigned_apis_and_reachable_subscriptions() {
        let s = Store::open(&temp_dir("snap")).unwrap();
        s.write_config(|c| {
            res::put_gateway(c, &gw("g1"))?;
            res::put_api(c, &api("a"))?;
            res::put_api(c, &api("b"))?;
            let op = Operation {
                id: "get".into(),
                display_name: "Get".into(),
                method: "GET".into(),
                url_template: "/x/{id}".into(),
            };
            res::put_operation(c, "a", &op)?;
            res::put_policy(c, "operation:a/get", "<policies/>")?;
            res::put_policy(c, "api:b", "<policies/>")?;
            res::assign_api(c, "g1", "a")?;
            let prod = Product {
                id: "p".into(),
                display_name: "P".into(),
                description: None,
                subscription_required: true,
                approval_required: false,
                state: "published".into(),
                apis: vec![],
            };
            res::put_product(c, &prod)?;
            res::link_product_api(c, "p", "a")?;
            res::link_product_api(c, "p", "b")?;
            for (id, scope) in [
                ("s-all", "all"),
                ("s-a", "api:a"),
                ("s-b", "api:b"),
                ("s-p", "product:p"),
            ] {
                let sub = Subscription {
                    id: id.into(),
                    display_name: id.into(),
                    scope: scope.into(),
                    primary_key: None,
                    secondary_key: None,
                    state: "active".into(),
                };
                res::put_subscription(c, &sub)?;
            }
            res::put_named_value(c, "secret", "hunter2", true)?;
            Ok(())
        })
        .unwrap();
        let snap = s.read(|c| build(c, "g1")).unwrap();
        let paths: Vec<&str> = snap.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "apis/a.toml",
                "apis/a/get.xml",
                "named-values.toml",
                "products/p.toml",
                "subscriptions.toml"
            ]
        );
        let content = |p: &str| snap.files.iter().find(|f| f.path == p).unwrap().content.clone();
        let a: toml::Value = toml::from_str(&content("apis/a.toml")).unwrap();
        assert_eq!(a["service-url"].as_str(), Some("echo://"));
        assert_eq!(a["operations"][0]["url-template"].as_str(), Some("/x/{id}"));
        assert!(content("products/p.toml").contains("apis = [\"a\"]"));
        let subs = content("subscriptions.toml");
        assert!(subs.contains("s-all") && subs.contains("s-a") && subs.contains("s-p") && !subs.contains("s-b"));
        assert!(content("named-values.toml").contains("hunter2"));

        // An unrelated change bumps the version but not this gateway's content.
        let before = snap.content_hash();
        s.write_config(|c| res::put_api(c, &api("c"))).unwrap();
        let after = s.read(|c| build(c, "g1")).unwrap();
        assert_eq!(after.version, snap.version + 1);
        assert_eq!(after.content_hash(), before);
        assert!(matches!(s.read(|c| build(c, "nope")), Err(MgmtError::NotFound(_))));
    }

    #[test]
    fn gateway_cas_render_into_that_gateways_hostnames_toml() {
        let s = Store::open(&temp_dir("snap-ca")).unwrap();
        let pem = crate::tls::info::tests::PEM;
        s.write_config(|c| {
            res::put_gateway(c, &gw("g1"))?;
            res::put_gateway(c, &gw("g2"))?;
            res::put_certificate(c, "root", pem)?;
            res::put_certificate(c, "inter", pem)?;
            res::put_gateway_ca(c, "g1", "root", true)?;
            res::put_gateway_ca(c, "g1", "inter", false)?;
            Ok(())
        })
        .unwrap();
        let snap = s.read(|c| build(c, "g1")).unwrap();
        let hn = snap
            .files
            .iter()
            .find(|f| f.path == "hostnames.toml")
            .expect("hostnames.toml");
        let v: toml::Value = toml::from_str(&hn.content).unwrap();
        assert_eq!(
            v["certificate-authorities"].as_array().unwrap(),
            &[toml::Value::from("root")]
        );
        assert_eq!(
            v["intermediate-certificates"].as_array().unwrap(),
            &[toml::Value::from("inter")]
        );
        // The gateway loads it: both lists, disjoint.
        let files: Vec<(String, String)> = snap.files.iter().map(|f| (f.path.clone(), f.content.clone())).collect();
        let cfg = crate::config::load_files(&files).unwrap();
        assert_eq!(
            (cfg.certificate_authorities, cfg.intermediate_certificates),
            (vec!["root".to_string()], vec!["inter".to_string()])
        );
        // Another gateway sees the certificates but not the assignments.
        let other = s.read(|c| build(c, "g2")).unwrap();
        assert!(other.files.iter().all(|f| f.path != "hostnames.toml"));
        // Deleting the gateway removes its assignments.
        s.write_config(|c| res::delete_gateway(c, "g1")).unwrap();
        assert_eq!(s.read(|c| res::gateway_with_ca(c, "root")).unwrap(), None);
    }
}
