//! Passwords, hashed with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane), off the async
//! threads; requests hash through a [`HashingGate`], which bounds how many run at once.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

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

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
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

fn hash_now(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|_| PasswordError::Hashing)
}

/// The PHC string of a new password, after checking its length.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    check_strength(&password)?;
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|_| PasswordError::Hashing)?
}

/// Whether `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let Some(stored) = stored.or_else(|| DUMMY_HASH.clone()) else { return false };
        let Ok(parsed) = PasswordHash::new(&stored) else { return false };
        argon2().verify_password(password.as_bytes(), &parsed).is_ok() && !password.is_empty()
    })
    .await
    .unwrap_or(false)
}

/// Bounds password hashing, 19 MiB and tens of milliseconds of a core each: a few run at once, a
/// bounded number wait (for a while), and the rest are refused at once with [`Busy`], so a burst of
/// sign-ins costs neither memory nor a queue of minutes.
pub struct HashingGate {
    running: Semaphore,
    waiting: AtomicUsize,
}

/// Too many passwords are being checked right now: retry in a second.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too many sign-ins at once; retry in a second")]
pub struct Busy;

/// Hashes at once (one per core, and some).
const RUNNING: usize = 4;
/// Hashes waiting for their turn before further ones are refused.
const WAITING: usize = 32;
/// How long one waits for its turn.
const WAIT: Duration = Duration::from_secs(5);

impl Default for HashingGate {
    fn default() -> Self {
        HashingGate { running: Semaphore::new(RUNNING), waiting: AtomicUsize::new(0) }
    }
}

impl HashingGate {
    /// The PHC string of a new password, after checking its length.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        check_strength(&password)?;
        let _turn = self.turn().await.map_err(PasswordError::Busy)?;
        hash(password).await
    }

    /// Whether `password` matches `stored` (see [`verify`]).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let _turn = self.turn().await?;
        Ok(verify(password, stored).await)
    }

    async fn turn(&self) -> Result<SemaphorePermit<'_>, Busy> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= WAITING {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = tokio::time::timeout(WAIT, self.running.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        match permit {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }
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

    #[tokio::test]
    async fn the_gate_lets_a_few_hash_at_once_queues_some_and_refuses_the_rest() {
        let gate = HashingGate::default();
        let turns: Vec<_> = (0..RUNNING).map(|_| gate.running.try_acquire().expect("a free turn")).collect();
        let queued: Vec<_> = (0..WAITING).map(|_| Box::pin(async { gate.turn().await.map(drop) })).collect();
        let mut queued = futures::future::join_all(queued);
        assert!(futures::poll!(&mut queued).is_pending(), "the queue waits while every turn is taken");
        assert_eq!(gate.turn().await.err(), Some(Busy), "beyond the queue: refused at once");
        drop(turns);
        assert!(queued.await.iter().all(Result::is_ok), "the queue gets its turns as they free up");
    }

    #[tokio::test]
    async fn short_passwords_are_refused() {
        assert_eq!(hash("short".to_owned()).await, Err(PasswordError::TooShort));
    }
}
