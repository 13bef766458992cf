//! Passwords, hashed with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane), off the async
//! threads; requests hash through the [`super::hashing::HashingGate`], which bounds how many run
//! at once, the command line directly.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::LazyLock;

/// Too many passwords are being checked right now: retry in a second.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too many sign-ins at once; retry in a second")]
pub struct Busy;

pub const MIN_LENGTH: usize = 8;
const MAX_LENGTH: usize = 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("passwords have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("passwords have at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("hashing the password failed")]
    Hashing,
    #[error(transparent)]
    Busy(#[from] Busy),
}

fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

thread_local! {
    /// The thread's argon2 memory, allocated once and reused: a fresh 19 MiB for every hash was
    /// each kept by the allocator, so a burst of sign-ins grew the server by 19 MiB a password.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2 with these parameters over `password` and `salt` into `out`, in the thread's memory.
fn argon2_into(argon2: &Argon2<'_>, params: &Params, password: &str, salt: &[u8], out: &mut [u8]) -> bool {
    MEMORY.with_borrow_mut(|blocks| {
        blocks.resize(params.block_count(), Block::default());
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut blocks[..]).is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a wrong email takes as long
/// as a wrong password.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| hash_now("not a real password").ok());

pub fn check_strength(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err(PasswordError::TooShort)
    } else if length > MAX_LENGTH {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes on the calling thread (which the caller keeps off the async workers): the PHC string
/// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
pub(super) fn hash_now(password: &str) -> Result<String, PasswordError> {
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(|_| PasswordError::Hashing)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    if !argon2_into(&argon2, &params, password, raw_salt, &mut out) {
        return Err(PasswordError::Hashing);
    }
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|_| PasswordError::Hashing)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|_| PasswordError::Hashing)?),
    };
    Ok(hash.to_string())
}

/// The PHC string of a new password, after checking its length.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    check_strength(&password)?;
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|_| PasswordError::Hashing)?
}

/// Whether `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_now(&password, stored)).await.unwrap_or(false)
}

/// [`verify`] on the calling thread, with the stored hash's own parameters.
pub(super) fn verify_now(password: &str, stored: Option<String>) -> bool {
    let Some(stored) = stored.or_else(|| DUMMY_HASH.clone()) else { return false };
    let Ok(parsed) = PasswordHash::new(&stored) else { return false };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) =
        (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = parsed.version.map_or(Ok(Version::default()), Version::try_from);
    let mut salt_bytes = [0u8; 64];
    let (Ok(version), Ok(raw_salt)) = (version, salt.decode_b64(&mut salt_bytes)) else { return false };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    // `Output` compares in constant time.
    argon2_into(&argon2, &params, password, raw_salt, &mut out)
        && Output::new(&out).is_ok_and(|computed| computed == expected)
        && !password.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_argon2id_hash_only() {
        let stored = hash("correct horse".to_owned()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse".to_owned(), Some(stored.clone())).await);
        assert!(!verify("wrong horse".to_owned(), Some(stored)).await);
        assert!(!verify("correct horse".to_owned(), None).await);
    }

    #[test]
    fn hashes_made_by_the_argon2_crate_itself_still_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let stored = argon2.hash_password(b"an older password", &salt).expect("hash").to_string();
        assert!(verify_now("an older password", Some(stored.clone())));
        assert!(!verify_now("another password", Some(stored)));
        assert!(!verify_now("anything", Some("$argon2id$v=19$m=19456,t=2,p=1$bm90$bm90".to_owned())), "malformed");
        let ours = hash_now("a new password").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(argon2.verify_password(b"a new password", &parsed).is_ok());
    }

    #[tokio::test]
    async fn short_passwords_are_refused() {
        assert_eq!(hash("short".to_owned()).await, Err(PasswordError::TooShort));
    }
}
