//! The shipped default configuration, compiled into the binary from the
//! repository's `config/` directory.
//!
//! Invariant: [`EMBEDDED_FILES`] lists exactly the files under `config/`
//! except `settings.conf` and `*.md` (a test walks the directory to enforce
//! this), so the embedded copy cannot drift from what is shipped on disk.

use super::{load_files, Config, ConfigError};

/// (path relative to `config/`, contents).
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    ("apis/echo.toml", include_str!("../../config/apis/echo.toml")),
    ("apis/echo.xml", include_str!("../../config/apis/echo.xml")),
    ("policy.xml", include_str!("../../config/policy.xml")),
    (
        "products/starter.toml",
        include_str!("../../config/products/starter.toml"),
    ),
    (
        "products/starter.xml",
        include_str!("../../config/products/starter.xml"),
    ),
    ("subscriptions.toml", include_str!("../../config/subscriptions.toml")),
];

/// Loads [`EMBEDDED_FILES`] through [`load_files`].
pub fn load_embedded() -> Result<Config, ConfigError> {
    let files: Vec<(String, String)> = EMBEDDED_FILES
        .iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect();
    load_files(&files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read config dir") {
            let entry = entry.expect("dir entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            if entry.path().is_dir() {
                walk(&entry.path(), &rel, out);
            } else if rel != "settings.conf" && !name.ends_with(".md") {
                let text = std::fs::read_to_string(entry.path()).expect("read file");
                out.insert(rel, text);
            }
        }
    }

    #[test]
    fn embedded_files_match_config_dir() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let mut on_disk = BTreeMap::new();
        walk(&dir, "", &mut on_disk);
        let embedded: BTreeMap<String, String> = EMBEDDED_FILES
            .iter()
            .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
            .collect();
        assert_eq!(
            on_disk.keys().collect::<Vec<_>>(),
            embedded.keys().collect::<Vec<_>>(),
            "update EMBEDDED_FILES in src/config/embedded.rs"
        );
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn embedded_config_loads_and_matches_dir() {
        let cfg = load_embedded().expect("embedded config is valid");
        assert_eq!(cfg.apis.len(), 1);
        let echo = &cfg.apis[0];
        assert_eq!((echo.id.as_str(), echo.path.as_str()), ("echo", "echo"));
        assert_eq!(echo.operations.len(), 8);
        assert!(echo.policy.is_some() && cfg.global_policy.is_some());
        assert!(!echo.subscription_required, "the demo echo API answers without a key");
        assert_eq!(cfg.products.len(), 1);
        assert_eq!(cfg.products[0].apis, ["echo"]);
        assert_eq!(cfg.subscriptions.len(), 1);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        assert_eq!(super::super::load_dir(&dir).expect("dir loads"), cfg);
    }
}
