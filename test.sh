#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests and the end-to-end
# tests that start the real binary against real backends on 127.0.0.1.
# Installs what the end-to-end tests drive beyond the Rust toolchain (the
# TLS tests use the `openssl` and `curl` command-line clients), so that a
# fresh machine needs only this.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
    apt-get update -qq && apt-get install -y -qq openssl curl >/dev/null
fi
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test -- --test-threads 2
