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
                fetched: k
                    .fetched
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default(),
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

/// What [`load`] found.
#[derive(Default)]
pub struct Loaded {
    pub saved: Vec<Saved>,
    /// Why the file or some entries were refused (reported by [`read`]).
    pub problems: Vec<String>,
}

/// The providers' keys of the file in `dir` (none when absent); a file
/// or entries refused are logged as warnings, never served.
pub fn read(dir: &Path) -> Vec<Saved> {
    let loaded = load(dir);
    for problem in &loaded.problems {
        tracing::warn!(path = %path(dir).display(), problem = %problem, "OpenID keys backup refused (in part or whole)");
    }
    loaded.saved
}

/// The providers' keys of the file in `dir`, and what was refused.
pub fn load(dir: &Path) -> Loaded {
    let p = path(dir);
    let refused = |problem: String| Loaded {
        saved: Vec::new(),
        problems: vec![problem],
    };
    let bytes = match fs::metadata(&p) {
        Ok(m) if m.len() > FILE_MAX => return refused(format!("the file is larger than {FILE_MAX} bytes")),
        Ok(_) => match fs::read(&p) {
            Ok(b) => b,
            Err(e) => return refused(format!("cannot read the file: {e}")),
        },
        Err(_) => return Loaded::default(),
    };
    let file = match serde_json::from_slice::<File>(&bytes) {
        Ok(f) => f,
        Err(e) => return refused(format!("the file is corrupt: {e}")),
    };
    if file.version != 1 {
        return refused(format!("unknown version {}", file.version));
    }
    let mut out = Loaded::default();
    for e in file.providers {
        let Some(fetched) = UNIX_EPOCH.checked_add(Duration::from_secs(e.fetched)) else {
            out.problems
                .push(format!("the saved keys of {} have an impossible fetch time", e.url));
            continue;
        };
        match parse_keys(e.jwks.as_bytes()) {
            Ok(keys) => out.saved.push(Saved {
                keys: OpenIdKeys {
                    url: e.url,
                    issuer: e.issuer,
                    token_endpoint: e.token_endpoint,
                    keys,
                    fetched,
                },
                jwks: e.jwks.into_bytes(),
            }),
            Err(err) => out
                .problems
                .push(format!("the saved keys of {} are unusable: {err}", e.url)),
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
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path(&dir)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is private");
        let back = read(&dir);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].keys.issuer, "https://idp");
        assert!(back[0].keys.keys.has_kid("k"));
        assert_eq!(back[0].jwks, jwks);
        assert_eq!(back[0].keys.fetched, k.fetched);
        assert!(load(&dir).problems.is_empty());
        // Corrupt: refused and reported, never served.
        fs::write(path(&dir), b"{not json").unwrap();
        let l = load(&dir);
        assert!(l.saved.is_empty());
        assert!(l.problems[0].contains("corrupt"), "{:?}", l.problems);
        assert!(read(&dir).is_empty());
        // One bad entry among good ones: only it is refused.
        let mut bad = k.clone();
        bad.url = "https://bad/.well-known/openid-configuration".into();
        write(&dir, &[(&k, &jwks), (&bad, br#"{"keys":[{"kty":"RSA""#)]).unwrap();
        let l = load(&dir);
        assert_eq!(l.saved.len(), 1);
        assert!(l.problems[0].contains("https://bad/"), "{:?}", l.problems);
        // Truncated (a crash mid-write of another tool), another version.
        let text = fs::read(path(&dir)).unwrap();
        fs::write(path(&dir), &text[..text.len() / 2]).unwrap();
        assert!(load(&dir).saved.is_empty());
        fs::write(path(&dir), br#"{"version":2,"providers":[]}"#).unwrap();
        assert!(load(&dir).problems[0].contains("version"));
        // A fetch time past what a clock can hold: refused, not a panic.
        let far = format!(
            r#"{{"version":1,"providers":[{{"url":"https://far/","issuer":"i","tokenEndpoint":null,"jwks":{:?},"fetched":{}}}]}}"#,
            String::from_utf8_lossy(&jwks),
            u64::MAX
        );
        fs::write(path(&dir), far).unwrap();
        let l = load(&dir);
        assert!(
            l.saved.is_empty() && l.problems[0].contains("impossible"),
            "{:?}",
            l.problems
        );
        let _ = fs::remove_dir_all(&dir);
        let l = load(&dir);
        assert!(
            l.saved.is_empty() && l.problems.is_empty(),
            "no file: nothing to report"
        );
    }
}
