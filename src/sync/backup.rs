//! The configuration backup: the last applied snapshot, written so that a
//! gateway can restart while the management plane is unreachable.
//!
//! File `<dir>/snapshot.lock.json` (APIM's name): a first line
//! `outpost-backup 1 sha256=<hex>` followed by the snapshot JSON exactly as
//! received. Invariants: a write is atomic and durable (temp file, fsync,
//! rename, fsync of the directory) and readable only by the gateway's user
//! (0600); a read verifies the checksum and the JSON, so a missing,
//! truncated or corrupt backup is reported and never served. Several
//! gateways may share one directory (the replicas of a Deployment on one
//! ReadWriteMany volume): each write goes through its own randomly named
//! temp file, so writers never interleave and the last rename wins.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "snapshot.lock.json";
const MAGIC: &str = "outpost-backup 1 sha256=";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot write the configuration backup {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read the configuration backup {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration backup {path} is corrupt ({reason}); refusing to serve it")]
    Corrupt { path: PathBuf, reason: &'static str },
}

#[derive(Debug, Clone)]
pub struct Backup {
    dir: PathBuf,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Backup {
    pub fn new(dir: impl Into<PathBuf>) -> Backup {
        Backup { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Atomically replaces the backup with `snapshot_json`.
    pub fn write(&self, snapshot_json: &[u8]) -> Result<(), BackupError> {
        let path = self.path();
        let err = |source| BackupError::Write {
            path: path.clone(),
            source,
        };
        fs::create_dir_all(&self.dir).map_err(err)?;
        let tmp = self
            .dir
            .join(format!(".{FILE_NAME}.{:016x}.tmp", rand::random::<u64>()));
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(err)?;
        let digest = hex(&Sha256::digest(snapshot_json));
        f.write_all(format!("{MAGIC}{digest}\n").as_bytes()).map_err(err)?;
        f.write_all(snapshot_json).map_err(err)?;
        f.sync_all().map_err(err)?;
        drop(f);
        fs::rename(&tmp, &path).map_err(err)?;
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(err)?;
        Ok(())
    }

    /// The verified snapshot JSON, `Ok(None)` when there is no backup.
    pub fn read(&self) -> Result<Option<Vec<u8>>, BackupError> {
        let path = self.path();
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(BackupError::Read { path, source }),
        };
        verify(&path, &bytes).map(|body| Some(body.to_vec()))
    }
}

fn verify<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a [u8], BackupError> {
    let corrupt = |reason| BackupError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let nl = bytes
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(corrupt("no header line"))?;
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| corrupt("header is not text"))?;
    let want = header.strip_prefix(MAGIC).ok_or(corrupt("unknown format"))?;
    let body = &bytes[nl + 1..];
    if hex(&Sha256::digest(body)) != want {
        return Err(corrupt("checksum mismatch (truncated or modified)"));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("outpost-backup-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn round_trip_private_and_atomic() {
        let b = Backup::new(dir("rt"));
        assert!(b.read().unwrap().is_none());
        b.write(b"{\"v\":1}").unwrap();
        b.write(b"{\"v\":2}").unwrap();
        assert_eq!(b.read().unwrap().unwrap(), b"{\"v\":2}");
        let mode = fs::metadata(b.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::remove_dir_all(b.dir).unwrap();
    }

    #[test]
    fn gateways_sharing_a_directory_never_leave_a_mixed_backup() {
        // Two replicas on one ReadWriteMany volume write different sizes at once.
        let d = dir("shared");
        let writers: Vec<_> = [&b"{\"v\":1}"[..], &b"{\"v\":22222222222222222222}"[..]]
            .into_iter()
            .map(|body| {
                let b = Backup::new(&d);
                std::thread::spawn(move || (0..50).for_each(|_| b.write(body).unwrap()))
            })
            .collect();
        writers.into_iter().for_each(|w| w.join().unwrap());
        let got = Backup::new(&d).read().unwrap().unwrap();
        assert!(got == b"{\"v\":1}" || got == b"{\"v\":22222222222222222222}");
        let left: Vec<_> = fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, [FILE_NAME], "no temp files left behind");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn truncated_or_modified_backups_are_refused() {
        let b = Backup::new(dir("bad"));
        b.write(b"{\"version\":1,\"files\":[]}").unwrap();
        let full = fs::read(b.path()).unwrap();
        fs::write(b.path(), &full[..full.len() - 3]).unwrap();
        assert!(matches!(b.read(), Err(BackupError::Corrupt { .. })));
        let mut flipped = full.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        fs::write(b.path(), &flipped).unwrap();
        assert!(matches!(b.read(), Err(BackupError::Corrupt { .. })));
        fs::write(b.path(), b"garbage").unwrap();
        assert!(matches!(b.read(), Err(BackupError::Corrupt { .. })));
        fs::remove_dir_all(b.dir).unwrap();
    }
}
