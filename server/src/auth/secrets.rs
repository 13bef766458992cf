//! Random secrets (session ids, API tokens, invite links) and how they are kept: only their
//! sha256 is stored, so a copy of the database lets nobody in.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new secret: `prefix` and 32 random bytes, base64url.
pub fn generate(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a secret.
pub fn digest(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_stored_only_as_digests() {
        let (a, b) = (generate("flt_"), generate("flt_"));
        assert_ne!(a, b);
        assert!(a.starts_with("flt_") && a.len() == 4 + 43);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a);
        assert_eq!(digest(&a).len(), 64);
    }
}
