//! CA certificates mounted in a local directory (APIM's
//! `certificates.local.ca.enabled`; the directory is
//! `certificates.local.ca.path`): trusted, besides the system roots, for
//! client certificates (`validate-client-certificate`,
//! `context.Request.Certificate.Verify()`), for backend TLS and for the
//! management plane's HTTPS endpoint (`super::client::mgmt_client_config`).
//!
//! Every file of the directory whose name does not start with `.` must be
//! CA certificates: PEM (`CERTIFICATE` blocks), DER, or a PKCS#12 file
//! without password (`.pfx`/`.p12`, as .NET's X509Store keeps them).
//! Symbolic links are followed (Kubernetes Secret and ConfigMap mounts);
//! sub-directories are skipped. A missing directory holds no certificates
//! (with a warning); an unreadable or invalid file is a configuration error
//! naming the file, so at start-up the gateway refuses to start and on a
//! reload the last good configuration stays.
//!
//! The directory is read by the control thread each time it compiles a
//! configuration ([`with_local_cas`]); the certificates become part of the
//! `Config` (and so of its hash) as normalised PEM text.

use crate::config::{Certificate, Config, ConfigError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The default directory: where the APIM self-hosted gateway (a .NET
/// program running as user 1001 with home `/`) keeps the CA certificates it
/// trusts with `certificates.local.ca.enabled`, .NET's X509Store
/// `CurrentUser\Root` directory.
pub const DEFAULT_DIR: &str = "/.dotnet/corefx/cryptography/x509stores/root";

/// Largest accepted file (far above any CA bundle).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Sets the process's local CA directory (`None` = the feature is off).
/// Called once at start-up; later calls change nothing.
pub fn set_dir(dir: Option<PathBuf>) {
    let _ = DIR.set(dir);
}

/// The local CA directory, when `certificates.local.ca.enabled` is on.
pub fn dir() -> Option<&'static Path> {
    DIR.get().and_then(|d| d.as_deref())
}

/// `cfg` with the local CA certificates filled in (a copy, unchanged when
/// the feature is off).
pub fn with_local_cas(cfg: &Config) -> Result<std::borrow::Cow<'_, Config>, ConfigError> {
    match dir() {
        None => Ok(std::borrow::Cow::Borrowed(cfg)),
        Some(d) => {
            let mut c = cfg.clone();
            c.local_cas = read(d)?;
            Ok(std::borrow::Cow::Owned(c))
        }
    }
}

/// The certificates of one file (DER), decoded by content: PEM when it
/// holds a `-----BEGIN`, PKCS#12 by extension, DER otherwise.
fn decode(name: &str, bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let certs: Vec<Vec<u8>> = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        CertificateDer::pem_slice_iter(bytes)
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("bad PEM: {e}"))?
    } else if matches!(ext.as_deref(), Some("pfx" | "p12")) {
        crate::tls::pkcs12::certificates(bytes, "").map_err(|e| e.to_string())?
    } else {
        vec![bytes.to_vec()]
    };
    if certs.is_empty() {
        return Err("no CERTIFICATE in the file".into());
    }
    for (i, der) in certs.iter().enumerate() {
        if crate::tls::info::CertificateInfo::parse(der).is_none() {
            return Err(format!(
                "certificate {} is not a valid X.509 certificate (PEM, DER or PFX expected)",
                i + 1
            ));
        }
        rustls::RootCertStore::empty()
            .add(CertificateDer::from(der.as_slice()))
            .map_err(|e| format!("certificate {} is not a usable CA certificate: {e}", i + 1))?;
    }
    Ok(certs)
}

/// Reads every CA file of `dir` (sorted by file name; the id is the name).
pub fn read(dir: &Path) -> Result<Vec<Certificate>, ConfigError> {
    let setting = "certificates.local.ca.path";
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(dir = %dir.display(), "certificates.local.ca.enabled is on but the local CA directory does not exist: no local CA certificates");
            return Ok(Vec::new());
        }
        Err(e) => {
            return Err(ConfigError::new(
                &dir.display().to_string(),
                Some(setting),
                format!("cannot read the local CA directory: {e}"),
            ))
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| ConfigError::new(&dir.display().to_string(), Some(setting), format!("cannot list: {e}")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        let file = path.display().to_string();
        let err = |m: String| ConfigError::new(&file, None, format!("local CA certificate: {m}"));
        let len = std::fs::metadata(&path)
            .map_err(|e| err(format!("cannot read: {e}")))?
            .len();
        if len > MAX_FILE_BYTES {
            return Err(err(format!("larger than {MAX_FILE_BYTES} bytes")));
        }
        let bytes = std::fs::read(&path).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut pem = String::new();
        for der in decode(&name, &bytes).map_err(err)? {
            crate::tls::pkcs12::block("CERTIFICATE", &der, &mut pem);
        }
        out.push(Certificate { id: name, pem });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// A root store of the local CA certificates (validated when read).
pub fn roots(cas: &[Certificate]) -> rustls::RootCertStore {
    let mut store = rustls::RootCertStore::empty();
    for c in cas {
        let ders = CertificateDer::pem_slice_iter(c.pem.as_bytes()).flatten();
        store.add_parsable_certificates(ders);
    }
    store
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pem_and_der_names_bad_files_and_skips_dotfiles() {
        let dir = std::env::temp_dir().join(format!("outpost-local-ca-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let pem = crate::tls::info::tests::PEM.to_string();
        std::fs::write(dir.join("a.crt"), &pem).unwrap();
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        std::fs::write(dir.join("b.cer"), der.as_ref()).unwrap();
        std::fs::write(dir.join(".hidden"), "junk").unwrap();
        let got = read(&dir).unwrap();
        assert_eq!(
            got.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["a.crt", "b.cer"]
        );
        assert_eq!(got[0].pem, got[1].pem, "PEM and DER normalise to the same text");
        assert_eq!(roots(&got).len(), 2);

        std::fs::write(dir.join("c.pem"), "not a certificate").unwrap();
        let e = read(&dir).unwrap_err();
        assert!(
            e.file.ends_with("c.pem") && e.message.contains("not a valid X.509"),
            "{e}"
        );
        std::fs::write(
            dir.join("c.pem"),
            "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(read(&dir).unwrap_err().message.contains("bad PEM"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read(&dir).unwrap().is_empty(), "a missing directory holds nothing");
    }
}
