//! The per-worker cache of verified tokens (next commit).
