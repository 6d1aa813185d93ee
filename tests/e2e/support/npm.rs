//! The Node.js packages some tests drive (tests/console, tests/oidc):
//! installed with `npm ci` from their lock files when missing.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `npm ci` in `dir` unless `node_modules/<package>` is there already;
/// `what` names the tests that need it, for the failure message.
pub fn ci_unless_installed(dir: &Path, package: &str, what: &str) {
    if dir.join("node_modules").join(package).join("package.json").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("npm (Node.js) is needed for {what}; ./test.sh installs it: {e}"));
    assert!(status.success(), "npm ci in {} failed", dir.display());
}
