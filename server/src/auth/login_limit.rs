//! Slows password guessing: after too many failed sign-ins for one account, or from one address,
//! further attempts are refused for the rest of the window, whatever the password.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures allowed per account and per address within a window.
const MAX_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    /// `Err(seconds)` while the account or the address is locked out.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let wait = [Self::account_key(account), Self::address_key(address)]
            .iter()
            .filter_map(|key| failures.get(key))
            .filter(|(start, count)| *count >= MAX_FAILURES && now.duration_since(*start) < WINDOW)
            .map(|(start, _)| (WINDOW - now.duration_since(*start)).as_secs().max(1))
            .max();
        wait.map_or(Ok(()), Err)
    }

    pub fn failed(&self, account: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        for key in [Self::account_key(account), Self::address_key(address)] {
            let entry = failures.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner).remove(&Self::account_key(account));
    }

    fn account_key(account: &str) -> String {
        format!("account:{}", account.to_lowercase())
    }

    fn address_key(address: &str) -> String {
        format!("address:{address}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_the_account_and_the_address() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(limiter.check("jane@example.com", "10.0.0.1").is_ok());
            limiter.failed("jane@example.com", "10.0.0.1");
        }
        assert!(limiter.check("JANE@example.com", "10.0.0.9").is_err(), "the account is locked from anywhere");
        assert!(limiter.check("joe@example.com", "10.0.0.1").is_err(), "the address is locked for any account");
        assert!(limiter.check("joe@example.com", "10.0.0.9").is_ok());
    }
}
