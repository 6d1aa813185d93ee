//! A gateway fed by the management plane can also keep TLS files of its
//! own: `certificates/<id>.pem` and `hostnames.toml` in its configuration
//! directory (e.g. a mounted Kubernetes Secret). This module merges them
//! into each snapshot's configuration.
//!
//! Precedence (documented in docs/tls.md): the local files win. A local
//! certificate replaces the snapshot's certificate with the same id; a
//! local host name replaces the snapshot's entry for the same host name;
//! when a local entry is the default, the snapshot's default is not; the
//! `certificate-authorities` and `intermediate-certificates` of both files
//! apply, and a certificate listed in both files keeps the local file's
//! role (trusted or intermediate). The
//! merged set is one certificate store (`Config::certificates`, by id), so
//! a host name or policy from either source may name a certificate from
//! the other. The merged configuration is validated as a whole.

use std::path::Path;

use super::raw;
use super::tls::{self, CaLists, Certificate, Hostname, RawHostnames, HOSTNAMES_FILE};
use super::{load_files, Config, ConfigError};

/// The TLS files read from a local directory (not yet validated).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LocalTls {
    /// (id, PEM text)
    pub certificates: Vec<Certificate>,
    /// Text of `hostnames.toml`, when present.
    pub hostnames: Option<String>,
}

impl LocalTls {
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.hostnames.is_none()
    }
}

/// Reads `dir/hostnames.toml` and `dir/certificates/*.pem`; missing files
/// and directories are simply absent.
pub fn read_local_tls(dir: &Path) -> Result<LocalTls, ConfigError> {
    let mut out = LocalTls::default();
    let read = |rel: &str, p: &Path| {
        std::fs::read_to_string(p).map_err(|e| ConfigError::new(rel, None, format!("cannot read: {e}")))
    };
    let hn = dir.join(HOSTNAMES_FILE);
    if hn.is_file() {
        out.hostnames = Some(read(HOSTNAMES_FILE, &hn)?);
    }
    let Ok(entries) = std::fs::read_dir(dir.join("certificates")) else {
        return Ok(out);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".pem").filter(|_| !name.starts_with('.')) else {
            continue;
        };
        let rel = format!("certificates/{name}");
        super::syntax::check_id(id).map_err(|m| ConfigError::new(&rel, None, m))?;
        out.certificates.push(Certificate {
            id: id.to_owned(),
            pem: read(&rel, &entry.path())?,
        });
    }
    out.certificates.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The host names and client-certificate CA lists of a `hostnames.toml`.
fn hostnames(file: &str, text: &str) -> Result<(Vec<Hostname>, CaLists), ConfigError> {
    let raw: RawHostnames = raw::parse(file, text)?;
    let cas = tls::ca_lists(file, raw.certificate_authorities, raw.intermediate_certificates)?;
    let names = raw.hostname.into_iter().map(tls::hostname).collect::<Result<_, _>>()?;
    Ok((names, cas))
}

/// Loads the snapshot `files` with the local TLS files on top. Returns the
/// configuration and one note per snapshot entry a local one replaced.
pub fn load_with_local(files: &[(String, String)], local: &LocalTls) -> Result<(Config, Vec<String>), ConfigError> {
    if local.is_empty() {
        return Ok((load_files(files)?, Vec::new()));
    }
    let mut notes = Vec::new();
    let mut remote_hostnames = None;
    let mut merged: Vec<(String, String)> = Vec::with_capacity(files.len() + local.certificates.len());
    for (path, text) in files {
        if path == HOSTNAMES_FILE {
            remote_hostnames = Some(text.as_str());
            continue;
        }
        if let Some(id) = path.strip_prefix("certificates/").and_then(|f| f.strip_suffix(".pem")) {
            if local.certificates.iter().any(|c| c.id == id) {
                notes.push(format!(
                    "certificate {id:?}: the local file replaces the management plane's"
                ));
                continue;
            }
        }
        merged.push((path.clone(), text.clone()));
    }
    for c in &local.certificates {
        merged.push((format!("certificates/{}.pem", c.id), c.pem.clone()));
    }
    // Without hostnames.toml, the files' own checks cannot fail on names
    // that only the other source's certificates satisfy.
    let mut cfg = load_files(&merged)?;
    let (mut names, mut cas) = match &local.hostnames {
        Some(text) => hostnames(&format!("{HOSTNAMES_FILE} (local)"), text)?,
        None => (Vec::new(), CaLists::default()),
    };
    let local_default = names.iter().any(|h| h.default);
    if let Some(text) = remote_hostnames {
        let (remote, remote_cas) = hostnames(HOSTNAMES_FILE, text)?;
        // Client-certificate CAs: both files' ids; an id keeps the role
        // (trusted or intermediate) the local file gives it.
        cas = cas.over(remote_cas);
        for mut h in remote {
            if names.iter().any(|l| l.hostname == h.hostname) {
                notes.push(format!(
                    "host name {:?}: the local hostnames.toml replaces the management plane's",
                    h.hostname
                ));
                continue;
            }
            h.default &= !local_default;
            names.push(h);
        }
    }
    names.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    cfg.hostnames = names;
    cfg.certificate_authorities = cas.trusted;
    cfg.intermediate_certificates = cas.intermediates;
    tls::validate(&cfg)?;
    Ok((cfg, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, text: &str) -> (String, String) {
        (path.to_owned(), text.to_owned())
    }

    #[test]
    fn local_files_win_and_sources_share_one_store() {
        let snapshot = [
            f("certificates/shared.pem", "remote"),
            f("certificates/remote.pem", "remote-only"),
            f(
                "hostnames.toml",
                "certificate-authorities = [\"remote\"]\n\n[[hostname]]\nhostname = \"a.test\"\ncertificate = \"shared\"\ndefault = true\n\n\
                 [[hostname]]\nhostname = \"b.test\"\ncertificate = \"remote\"\n",
            ),
        ];
        let local = LocalTls {
            certificates: vec![
                Certificate {
                    id: "local".into(),
                    pem: "local-only".into(),
                },
                Certificate {
                    id: "shared".into(),
                    pem: "local".into(),
                },
            ],
            hostnames: Some(
                "certificate-authorities = [\"local\"]\nintermediate-certificates = [\"remote\"]\n\n[[hostname]]\nhostname = \"B.test\"\ncertificate = \"local\"\n\n\
                 [[hostname]]\nhostname = \"c.test\"\ncertificate = \"remote\"\ndefault = true\n"
                    .into(),
            ),
        };
        let (cfg, notes) = load_with_local(&snapshot, &local).unwrap();
        let certs: Vec<(&str, &str)> = cfg
            .certificates
            .iter()
            .map(|c| (c.id.as_str(), c.pem.as_str()))
            .collect();
        assert_eq!(
            certs,
            [("local", "local-only"), ("remote", "remote-only"), ("shared", "local")]
        );
        let names: Vec<(&str, &str, bool)> = cfg
            .hostnames
            .iter()
            .map(|h| (h.hostname.as_str(), h.certificate.as_str(), h.default))
            .collect();
        // b.test is the local entry; the local default (c.test, naming a
        // management-plane certificate) wins over the remote default.
        assert_eq!(
            names,
            [
                ("a.test", "shared", false),
                ("b.test", "local", false),
                ("c.test", "remote", true)
            ]
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        // "remote" is a trusted CA in the snapshot but an intermediate
        // locally: the local role wins.
        assert_eq!(cfg.certificate_authorities, ["local"]);
        assert_eq!(cfg.intermediate_certificates, ["remote"]);
    }

    #[test]
    fn merged_result_is_validated_and_empty_local_is_plain() {
        let snapshot = [f("certificates/x.pem", "p")];
        let local = LocalTls {
            certificates: vec![],
            hostnames: Some("[[hostname]]\nhostname = \"a.test\"\ncertificate = \"missing\"\n".into()),
        };
        let e = load_with_local(&snapshot, &local).unwrap_err();
        assert!(e.message.contains("missing"), "{e}");
        let local = LocalTls {
            certificates: vec![],
            hostnames: Some("intermediate-certificates = [\"gone\"]\n".into()),
        };
        let e = load_with_local(&snapshot, &local).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("intermediate-certificates"), "{e}");
        let (cfg, notes) = load_with_local(&snapshot, &LocalTls::default()).unwrap();
        assert_eq!((cfg.certificates.len(), notes.len()), (1, 0));
    }
}
