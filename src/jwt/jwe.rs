//! JWE (RFC 7516) decryption for validate-jwt's `decryption-keys`.
//! Stub: decryption lands in the next commit.

use super::token::Header;

/// A key that may decrypt a token.
#[derive(Clone, Debug)]
pub enum DecryptionKey {
    /// A symmetric key (`dir` content key or AES key-wrap key).
    Symmetric { kid: Option<String>, key: Vec<u8> },
}

/// Decrypts a compact JWE; the error is the message of a `JwtInvalid`.
pub fn decrypt(
    _header: &Header,
    _protected: &str,
    _key: &str,
    _iv: &str,
    _ciphertext: &str,
    _tag: &str,
    _keys: &[DecryptionKey],
) -> Result<Vec<u8>, &'static str> {
    Err("IDX10609: Decryption failed.")
}
