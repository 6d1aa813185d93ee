//! The configuration snapshot a gateway receives from the management plane:
//! the same declarative files a standalone gateway reads from disk, so a
//! snapshot goes through exactly the same validation (`config::load_files`)
//! and compilation as a local directory.
//!
//! Wire form (JSON): `{"gatewayId": "...", "version": N,
//! "files": [{"path": "apis/echo.toml", "content": "..."}]}`.

use crate::config::{self, Config, ConfigError, LocalTls};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotFile {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Snapshot {
    #[serde(rename = "gatewayId")]
    pub gateway_id: String,
    pub version: u64,
    pub files: Vec<SnapshotFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot is not valid JSON of the expected shape: {0}")]
    Json(String),
    #[error("snapshot configuration is invalid: {0}")]
    Config(#[from] ConfigError),
}

impl Snapshot {
    /// Parses the JSON bytes of a snapshot.
    pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        let mut owned = bytes.to_vec();
        simd_json::serde::from_slice(&mut owned).map_err(|e| SnapshotError::Json(e.to_string()))
    }

    /// Validates the files as one configuration (all or nothing).
    pub fn to_config(&self) -> Result<Config, SnapshotError> {
        Ok(self.to_config_with(&LocalTls::default())?.0)
    }

    /// Like [`Snapshot::to_config`], with the gateway's local TLS files on
    /// top (see `config::overlay`); also returns what the local files replaced.
    pub fn to_config_with(&self, local: &LocalTls) -> Result<(Config, Vec<String>), SnapshotError> {
        let files: Vec<(String, String)> = self.files.iter().map(|f| (f.path.clone(), f.content.clone())).collect();
        Ok(config::load_with_local(&files, local)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let json = br#"{"gatewayId":"gw1","version":7,"files":[{"path":"apis/e.toml","content":"display-name = \"E\"\npath = \"e\"\nservice-url = \"echo://\"\n"}]}"#;
        let s = Snapshot::parse(json).unwrap();
        assert_eq!((s.gateway_id.as_str(), s.version), ("gw1", 7));
        assert_eq!(s.to_config().unwrap().apis.len(), 1);
        assert!(matches!(
            Snapshot::parse(b"{\"version\":1}"),
            Err(SnapshotError::Json(_))
        ));
        let bad = Snapshot {
            files: vec![SnapshotFile {
                path: "apis/x.toml".into(),
                content: "nope".into(),
            }],
            ..s
        };
        assert!(matches!(bad.to_config(), Err(SnapshotError::Config(_))));
    }
}
