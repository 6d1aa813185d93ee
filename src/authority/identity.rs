//! OAuth2 client-credentials identities configured on the gateway: the
//! named token sources of `authentication-managed-identity`
//! (`authority.identity.<name>.*`) and the gateway's own identity towards
//! its management plane (`config.service.auth=azureAdApp`,
//! `config.service.auth.azureAd.*`).
//!
//! An identity is a client id, a way to reach the token endpoint and a
//! credential:
//! - token endpoint: `tokenEndpoint` as given; else `tenantId` (Microsoft
//!   Entra form: `{authority}/{tenantId}/oauth2/v2.0/token`, authority
//!   default `https://login.microsoftonline.com`, the resource asked as
//!   `scope={resource}/.default`); else `authority` alone, an OpenID
//!   issuer whose discovery document gives the `token_endpoint` (the
//!   resource asked as RFC 8707 `resource={resource}`);
//! - credential: `clientSecret`, or `certificatePath` (PEM with the
//!   certificate and its RSA private key, or PFX/PKCS#12 with
//!   `certificatePassword`): a `private_key_jwt` client assertion, or
//!   `federatedTokenFile` (Entra Workload ID: the projected service
//!   account token is the assertion, read afresh every time).
//!
//! Invariant: a draft is checked whole ([`Identity::from_draft`]) when the
//! settings are loaded, so a running gateway never meets a half-configured
//! identity; secrets are [`Secret`]s (redacted in `Debug`).

use std::path::PathBuf;

use crate::settings::Secret;

/// The Microsoft Entra authority (APIM's default).
pub const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";

/// The identity fields as read from the settings (any may be missing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub token_endpoint: Option<String>,
    pub authority: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub certificate_path: Option<PathBuf>,
    pub certificate_password: Option<Secret>,
    pub federated_token_file: Option<PathBuf>,
    /// `scope` sent with every request, `{resource}` replaced.
    pub scope: Option<String>,
    /// `post` (default) or `basic` for client secrets.
    pub client_auth: Option<String>,
}

impl Draft {
    /// Applies one field (`tokenEndpoint`, `clientId`…); `Ok(false)` when
    /// `field` is not an identity field.
    pub fn apply(&mut self, field: &str, v: &str) -> Result<bool, String> {
        let url = |v: &str| -> Result<String, String> {
            if v.starts_with("https://") || v.starts_with("http://") {
                Ok(v.trim_end_matches('/').to_owned())
            } else {
                Err(format!("expected an http:// or https:// URL, got {v:?}"))
            }
        };
        match field {
            "tokenEndpoint" => self.token_endpoint = Some(url(v)?),
            "authority" => self.authority = Some(url(v)?),
            "tenantId" => self.tenant_id = Some(v.to_owned()),
            "clientId" => self.client_id = Some(v.to_owned()),
            "clientSecret" => self.client_secret = Some(Secret(v.to_owned())),
            "certificatePath" => self.certificate_path = Some(PathBuf::from(v)),
            "certificatePassword" => self.certificate_password = Some(Secret(v.to_owned())),
            "federatedTokenFile" => self.federated_token_file = Some(PathBuf::from(v)),
            "scope" => self.scope = Some(v.to_owned()),
            "clientAuth" => {
                if !matches!(v, "post" | "basic") {
                    return Err(format!("expected post or basic, got {v:?}"));
                }
                self.client_auth = Some(v.to_owned())
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Where the token endpoint is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Given as is; the resource goes as `resource=`.
    Url(String),
    /// Microsoft Entra (`tenantId`): the resource goes as `scope=…/.default`.
    Entra { token_url: String },
    /// An OpenID issuer: the token endpoint comes from its discovery document.
    Issuer(String),
}

/// How the client proves itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    Secret { secret: Secret, basic: bool },
    Certificate { path: PathBuf, password: Option<Secret> },
    FederatedTokenFile(PathBuf),
}

/// A checked identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The settings name (`default`, …; `gateway` for the gateway's own).
    pub name: String,
    pub client_id: String,
    pub endpoint: Endpoint,
    pub credential: Credential,
    pub scope: Option<String>,
}

impl Identity {
    /// Checks a draft: a client id, exactly one credential, a way to the
    /// token endpoint.
    pub fn from_draft(name: &str, d: &Draft) -> Result<Identity, String> {
        let client_id = d
            .client_id
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or("clientId is required")?;
        let credential = match (&d.client_secret, &d.certificate_path, &d.federated_token_file) {
            (Some(s), None, None) => Credential::Secret {
                secret: s.clone(),
                basic: d.client_auth.as_deref() == Some("basic"),
            },
            (None, Some(p), None) => Credential::Certificate {
                path: p.clone(),
                password: d.certificate_password.clone(),
            },
            (None, None, Some(p)) => Credential::FederatedTokenFile(p.clone()),
            (None, None, None) => return Err("one of clientSecret, certificatePath, federatedTokenFile is required".into()),
            _ => return Err("only one of clientSecret, certificatePath, federatedTokenFile may be set".into()),
        };
        let endpoint = match (&d.token_endpoint, &d.tenant_id, &d.authority) {
            (Some(url), _, _) => Endpoint::Url(url.clone()),
            (None, Some(tenant), authority) => {
                if tenant.is_empty() || !tenant.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')) {
                    return Err(format!("tenantId {tenant:?} is not a tenant id or domain"));
                }
                let base = authority.as_deref().unwrap_or(ENTRA_AUTHORITY);
                Endpoint::Entra {
                    token_url: format!("{base}/{tenant}/oauth2/v2.0/token"),
                }
            }
            (None, None, Some(issuer)) => Endpoint::Issuer(issuer.clone()),
            (None, None, None) => return Err("one of tokenEndpoint, tenantId or authority is required".into()),
        };
        Ok(Identity {
            name: name.to_owned(),
            client_id,
            endpoint,
            credential,
            scope: d.scope.clone(),
        })
    }

    /// Whether `who` (a policy's `client-id`, or "" for the default)
    /// names this identity.
    pub fn answers_to(&self, who: &str) -> bool {
        if who.is_empty() {
            self.name == "default"
        } else {
            self.name == who || self.client_id == who
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(fields: &[(&str, &str)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in fields {
            assert!(d.apply(k, v).unwrap(), "{k}");
        }
        d
    }

    #[test]
    fn drafts_are_checked_whole() {
        let e = Identity::from_draft("default", &draft(&[("clientId", "app"), ("clientSecret", "s"), ("tenantId", "contoso.onmicrosoft.com")])).unwrap();
        assert_eq!(
            e.endpoint,
            Endpoint::Entra {
                token_url: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token".into()
            }
        );
        assert!(e.answers_to("") && e.answers_to("app") && !e.answers_to("other"));
        let g = Identity::from_draft("x", &draft(&[("clientId", "app"), ("certificatePath", "/c.pem"), ("authority", "https://idp.example/")])).unwrap();
        assert_eq!(g.endpoint, Endpoint::Issuer("https://idp.example".into()));
        assert!(Identity::from_draft("x", &draft(&[("clientSecret", "s"), ("tokenEndpoint", "http://t")])).is_err());
        assert!(Identity::from_draft("x", &draft(&[("clientId", "a"), ("tokenEndpoint", "http://t")])).is_err());
        assert!(Identity::from_draft(
            "x",
            &draft(&[("clientId", "a"), ("clientSecret", "s"), ("certificatePath", "/c"), ("tokenEndpoint", "http://t")])
        )
        .is_err());
        assert!(Identity::from_draft("x", &draft(&[("clientId", "a"), ("clientSecret", "s")])).is_err());
        assert!(Identity::from_draft("x", &draft(&[("clientId", "a"), ("clientSecret", "s"), ("tenantId", "a/b")])).is_err());
        assert!(Draft::default().apply("tokenEndpoint", "ftp://x").is_err());
        assert!(!Draft::default().apply("nope", "x").unwrap());
        assert!(!format!("{:?}", draft(&[("clientSecret", "hunter2")])).contains("hunter2"));
    }
}
