//! Who is calling `/mgmt`: the [`Principal`] an authenticated request acts
//! as (the admin token, or an OAuth2/OIDC bearer token's subject) and its
//! [`Role`].
//!
//! Invariants: the admin token is a contributor; a reader may only read
//! (GET/HEAD), every other method is refused with 403 before any handler
//! runs; a principal never holds a credential, only a name fit for the
//! audit log.

use super::MgmtError;

/// What a principal may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// GET only.
    Reader,
    /// Everything.
    Contributor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Contributor => "contributor",
        }
    }
}

/// How the principal authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    /// The static admin bearer token.
    AdminToken,
    /// An OAuth2/OIDC access token of the administrators' authority.
    OAuth,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::AdminToken => "adminToken",
            ActorKind::OAuth => "oauth2",
        }
    }
}

/// An authenticated caller of `/mgmt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub kind: ActorKind,
    /// `admin-token`, or the token's subject (`sub`, else its client id).
    pub id: String,
    pub role: Role,
}

impl Principal {
    /// The admin token's principal.
    pub fn admin_token() -> Principal {
        Principal {
            kind: ActorKind::AdminToken,
            id: "admin-token".into(),
            role: Role::Contributor,
        }
    }

    /// 403 unless this principal's role allows `method`.
    pub fn authorize(&self, method: &str) -> Result<(), MgmtError> {
        match (self.role, method) {
            (Role::Contributor, _) | (Role::Reader, "GET" | "HEAD") => Ok(()),
            (Role::Reader, _) => Err(MgmtError::Forbidden(format!(
                "role reader may only read (GET); {method} needs role contributor"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_only_read() {
        let reader = Principal {
            kind: ActorKind::OAuth,
            id: "alice".into(),
            role: Role::Reader,
        };
        assert!(reader.authorize("GET").is_ok());
        for m in ["PUT", "POST", "DELETE", "PATCH"] {
            let e = reader.authorize(m).unwrap_err();
            assert_eq!(e.status_and_code().0, 403, "{m}");
            assert!(e.to_string().contains("contributor"), "{e}");
        }
        assert!(Principal::admin_token().authorize("DELETE").is_ok());
    }
}
