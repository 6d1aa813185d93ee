//! The keys' backup: the last good discovery results and JWKS of every
//! provider, written beside the configuration backup
//! (`<config.backup.path>/openid-keys.json`) after every successful fetch
//! and read at start, so a gateway restarted while its identity provider
//! is down keeps validating tokens.
//!
//! Invariants: a write is atomic (own temp file, fsync, rename) and 0600;
//! a read re-checks every entry as a fresh fetch would (a bad entry is
//! skipped and logged, never served); tokens are never written (they are
//! secrets and cheap to fetch again).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::openid::parse_keys;
use super::OpenIdKeys;

pub const FILE_NAME: &str = "openid-keys.json";
/// Largest file read.
const FILE_MAX: u64 = 64 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    providers: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    url: String,
    issuer: String,
    #[serde(rename = "tokenEndpoint")]
    token_endpoint: Option<String>,
    /// The JWKS as received.
    jwks: String,
    /// Seconds since the epoch.
    fetched: u64,
}

/// One provider's persisted state.
pub struct Saved {
    pub keys: OpenIdKeys,
    pub jwks: Vec<u8>,
}

/// The file in `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Writes every provider's keys (atomic).
pub fn write(dir: &Path, providers: &[(&OpenIdKeys, &[u8])]) -> std::io::Result<()> {
    let file = File {
        version: 1,
        providers: providers
            .iter()
            .map(|(k, jwks)| Entry {
                url: k.url.clone(),
                issuer: k.issuer.clone(),
                token_endpoint: k.token_endpoint.clone(),
                jwks: String::from_utf8_lossy(jwks).into_owned(),
                fetched: k.fetched.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default(),
            })
            .collect(),
    };
    let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{FILE_NAME}.{:016x}.tmp", rand::random::<u64>()));
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path(dir))
}

/// The providers' keys of the file in `dir` (none when absent); bad
/// entries are skipped with a warning.
pub fn read(dir: &Path) -> Vec<Saved> {
    let p = path(dir);
    let bytes = match fs::metadata(&p) {
        Ok(m) if m.len() > FILE_MAX => {
            tracing::warn!(path = %p.display(), "the OpenID keys backup is too large; ignored");
            return Vec::new();
        }
        Ok(_) => match fs::read(&p) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(path = %p.display(), error = %e, "cannot read the OpenID keys backup");
                return Vec::new();
            }
        },
        Err(_) => return Vec::new(),
    };
    let Ok(file) = serde_json::from_slice::<File>(&bytes) else {
        tracing::warn!(path = %p.display(), "the OpenID keys backup is corrupt; ignored");
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in file.providers {
        match parse_keys(e.jwks.as_bytes()) {
            Ok(keys) => {
                out.push(Saved {
                    keys: OpenIdKeys {
                        url: e.url,
                        issuer: e.issuer,
                        token_endpoint: e.token_endpoint,
                        keys,
                        fetched: UNIX_EPOCH + Duration::from_secs(e.fetched),
                    },
                    jwks: e.jwks.into_bytes(),
                })
            }
            Err(err) => tracing::warn!(url = %e.url, error = %err, "a provider's saved keys are unusable; skipped"),
        }
    }
    out
}

/// When saved keys count as fetched (for refresh scheduling): never in
/// the future.
pub fn age(keys: &OpenIdKeys) -> Duration {
    SystemTime::now().duration_since(keys.fetched).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_a_write_and_read_and_corruption_is_ignored() {
        let dir = std::env::temp_dir().join(format!("outpost-keys-{:016x}", rand::random::<u64>()));
        let jwks = br#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k"}]}"#.to_vec();
        let k = OpenIdKeys {
            url: "https://idp/.well-known/openid-configuration".into(),
            issuer: "https://idp".into(),
            token_endpoint: None,
            keys: parse_keys(&jwks).unwrap(),
            fetched: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        };
        write(&dir, &[(&k, &jwks)]).unwrap();
        let back = read(&dir);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].keys.issuer, "https://idp");
        assert_eq!(back[0].jwks, jwks);
        assert_eq!(back[0].keys.fetched, k.fetched);
        fs::write(path(&dir), b"{not json").unwrap();
        assert!(read(&dir).is_empty());
        let _ = fs::remove_dir_all(&dir);
        assert!(read(&dir).is_empty());
    }
}
