//! The SQLite store: `<data>/outpost.db` in WAL mode with `synchronous=FULL`,
//! so a write acknowledged to a client has reached the disk.
//!
//! Invariants:
//! - Every configuration write goes through [`Store::write_config`]: one
//!   `BEGIN IMMEDIATE` transaction (writers queue on SQLite's lock with a busy
//!   timeout instead of failing or losing each other) that also bumps the
//!   single global configuration version; after commit, waiters on
//!   [`Store::wait_for_version_change`] are woken.
//! - A handle made by [`Store::audited`] records every configuration write
//!   in the audit log, in the write's transaction.
//! - Status writes (heartbeats, settings) use [`Store::write_status`] and do
//!   not bump the version, so they never wake long polls.
//! - Reads use one deferred transaction, so a snapshot is consistent.
//! - The database holds gateway keys, subscription keys and secret named
//!   values: its files (and SQLite's `-wal`/`-shm`, which inherit the
//!   database file's mode) are readable by the owner only (0600), and a data
//!   directory created here is 0700.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::audit::{self, AuditContext};
use super::{migrations, MgmtError};

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_POOLED: usize = 8;

/// A cheap-to-clone handle; all clones share the pool and the version signal.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    /// When set, every [`Store::write_config`] also records an audit entry
    /// in its transaction (see [`Store::audited`]).
    audit: Option<Arc<AuditContext>>,
}

struct Inner {
    path: PathBuf,
    pool: Mutex<Vec<Connection>>,
    /// Highest committed configuration version seen by this process.
    version: Mutex<u64>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// Opens (creating when needed) `<data_dir>/outpost.db` and applies migrations.
    pub fn open(data_dir: &Path) -> Result<Store, MgmtError> {
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700).create(data_dir)?;
        let path = data_dir.join("outpost.db");
        make_private(&path)?;
        let mut conn = open_connection(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrations::apply(&mut conn)?;
        let version = read_version(&conn)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                pool: Mutex::new(vec![conn]),
                version: Mutex::new(version),
                changed: Condvar::new(),
            }),
            audit: None,
        })
    }

    /// A handle whose configuration writes are recorded in the audit log
    /// as `ctx` (one entry per committed write, in the same transaction).
    pub fn audited(&self, ctx: AuditContext) -> Store {
        Store {
            inner: self.inner.clone(),
            audit: Some(Arc::new(ctx)),
        }
    }

    fn take(&self) -> Result<Connection, MgmtError> {
        if let Some(c) = lock(&self.inner.pool).pop() {
            return Ok(c);
        }
        open_connection(&self.inner.path)
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = lock(&self.inner.pool);
        if pool.len() < MAX_POOLED {
            pool.push(conn);
        }
    }

    fn with_tx<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Transaction) -> Result<T, MgmtError>,
    ) -> Result<T, MgmtError> {
        let mut conn = self.take()?;
        let result = (|| {
            let tx = conn.transaction_with_behavior(behavior)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        self.give_back(conn);
        result
    }

    /// Runs `f` in a read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Transaction) -> Result<T, MgmtError>) -> Result<T, MgmtError> {
        self.with_tx(TransactionBehavior::Deferred, f)
    }

    /// Runs a configuration change; on success the global version is bumped in
    /// the same transaction. Returns `f`'s value and the new version.
    pub fn write_config<T>(&self, f: impl FnOnce(&Transaction) -> Result<T, MgmtError>) -> Result<(T, u64), MgmtError> {
        let (out, version) = self.with_tx(TransactionBehavior::Immediate, |tx| {
            let out = f(tx)?;
            let v: i64 = tx.query_row(
                "UPDATE config_version SET version = version + 1 WHERE id = 1 RETURNING version",
                [],
                |r| r.get(0),
            )?;
            if let Some(ctx) = &self.audit {
                audit::record(tx, ctx, v as u64)?;
            }
            Ok((out, v as u64))
        })?;
        let mut current = lock(&self.inner.version);
        if version > *current {
            *current = version;
        }
        self.inner.changed.notify_all();
        Ok((out, version))
    }

    /// Runs a status write (no version bump, no wake-up).
    pub fn write_status<T>(&self, f: impl FnOnce(&Transaction) -> Result<T, MgmtError>) -> Result<T, MgmtError> {
        self.with_tx(TransactionBehavior::Immediate, f)
    }

    /// The committed configuration version (read from the database, so writes
    /// by another process are seen).
    pub fn version(&self) -> Result<u64, MgmtError> {
        self.read(|tx| read_version(tx))
    }

    /// Blocks until a write in this process commits a version above `seen` or
    /// `deadline` passes; returns the highest version known in-process.
    pub fn wait_for_version_change(&self, seen: u64, deadline: Instant) -> u64 {
        let mut current = lock(&self.inner.version);
        while *current <= seen {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            current = match self.inner.changed.wait_timeout(current, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        *current
    }

    /// A value from the `settings` table.
    pub fn setting(&self, key: &str) -> Result<Option<String>, MgmtError> {
        self.read(|tx| {
            let mut stmt = tx.prepare("SELECT value FROM settings WHERE key = ?1")?;
            let mut rows = stmt.query([key])?;
            Ok(match rows.next()? {
                Some(r) => Some(r.get(0)?),
                None => None,
            })
        })
    }

    /// Stores `value` under `key` unless a value is already there; returns whether it was stored.
    pub fn set_setting_if_absent(&self, key: &str, value: &str) -> Result<bool, MgmtError> {
        self.write_status(|tx| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
                [key, value],
            )?;
            Ok(n == 1)
        })
    }
}

/// Creates the database file as 0600 before SQLite does (SQLite would use
/// 0644 less the umask), and tightens the modes of existing files.
fn make_private(db: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(db)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::metadata(&name) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&name, std::fs::Permissions::from_mode(0o600))?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn open_connection(path: &Path) -> Result<Connection, MgmtError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn read_version(conn: &Connection) -> Result<u64, MgmtError> {
    let v: i64 = conn.query_row("SELECT version FROM config_version WHERE id = 1", [], |r| r.get(0))?;
    Ok(v as u64)
}

/// A fresh, unique temporary directory for tests.
#[cfg(test)]
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("outpost-mgmt-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_nv(tx: &Transaction, name: &str) -> Result<(), MgmtError> {
        tx.execute(
            "INSERT INTO named_values (name, value, secret) VALUES (?1, 'v', 0)",
            [name],
        )?;
        Ok(())
    }

    #[test]
    fn open_twice_keeps_data_and_schema() {
        let dir = temp_dir("reopen");
        let s = Store::open(&dir).unwrap();
        s.write_config(|tx| put_nv(tx, "a")).unwrap();
        drop(s);
        let s = Store::open(&dir).unwrap();
        assert_eq!(s.version().unwrap(), 1);
        let mode: String = s
            .read(|tx| Ok(tx.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
    }

    #[test]
    fn database_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let parent = temp_dir("private");
        let dir = parent.join("data");
        let s = Store::open(&dir).unwrap();
        s.write_config(|tx| put_nv(tx, "a")).unwrap();
        assert_eq!(mode(&dir), 0o700, "a data directory created by the store");
        for f in ["outpost.db", "outpost.db-wal", "outpost.db-shm"] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
        }
        drop(s);
        // Files left readable by an older version are tightened on open.
        std::fs::set_permissions(dir.join("outpost.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = Store::open(&dir).unwrap();
        assert_eq!(mode(&dir.join("outpost.db")), 0o600);
        assert_eq!(s.version().unwrap(), 1, "the data survived");
    }

    #[test]
    fn every_write_bumps_version_and_failed_writes_do_not() {
        let s = Store::open(&temp_dir("bump")).unwrap();
        assert_eq!(s.version().unwrap(), 0);
        assert_eq!(s.write_config(|tx| put_nv(tx, "a")).unwrap().1, 1);
        assert_eq!(s.write_config(|tx| put_nv(tx, "b")).unwrap().1, 2);
        // Duplicate key: the transaction rolls back, version unchanged.
        assert!(s.write_config(|tx| put_nv(tx, "a")).is_err());
        assert_eq!(s.version().unwrap(), 2);
        s.write_status(|_| Ok(())).unwrap();
        assert_eq!(s.version().unwrap(), 2);
        assert_eq!(s.wait_for_version_change(1, Instant::now()), 2);
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = temp_dir("concurrent");
        let shared = Store::open(&dir).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                // Half the threads share a handle, half open their own (like another process).
                let s = if t % 2 == 0 {
                    shared.clone()
                } else {
                    Store::open(&dir).unwrap()
                };
                std::thread::spawn(move || {
                    for i in 0..25 {
                        s.write_config(|tx| put_nv(tx, &format!("t{t}-{i}"))).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n: i64 = shared
            .read(|tx| Ok(tx.query_row("SELECT COUNT(*) FROM named_values", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 100);
        assert_eq!(shared.version().unwrap(), 100);
    }
}
