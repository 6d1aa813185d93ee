#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests and the end-to-end
# tests that start the real binary against real backends on 127.0.0.1.
# Installs nothing beyond the Rust toolchain today; later suites add their
# servers here (nginx, redis) so that a fresh machine needs only this.
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test -- --test-threads 2
