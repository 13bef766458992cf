//! Per-key rate limits: at most N events per key and clock minute. Over the limit an SDK gets
//! 429 with `Retry-After` and `X-Sentry-Rate-Limits: <secs>:error:key`, on which the official
//! SDKs stop sending until the window ends.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

const WINDOW_SECS: u64 = 60;

#[derive(Default)]
pub struct RateLimiter {
    /// Key id → (window number, events counted in it).
    windows: Mutex<HashMap<i64, (u64, u32)>>,
}

impl RateLimiter {
    /// Counts one event for `key_id`. `Err(seconds)` when the key is over `per_minute`: how long
    /// until its window ends.
    pub fn check(&self, key_id: i64, per_minute: u32) -> Result<(), u64> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        self.check_at(key_id, per_minute, now)
    }

    /// Whether `key_id` is over `per_minute` already, without counting anything: checked before a
    /// body is read, so a limited key's bodies are never decompressed.
    pub fn over(&self, key_id: i64, per_minute: u32) -> Result<(), u64> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        self.over_at(key_id, per_minute, now)
    }

    fn over_at(&self, key_id: i64, per_minute: u32, now_secs: u64) -> Result<(), u64> {
        let window = now_secs / WINDOW_SECS;
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        match windows.get(&key_id) {
            Some((current, count)) if *current == window && *count >= per_minute => {
                Err((window + 1) * WINDOW_SECS - now_secs)
            }
            _ => Ok(()),
        }
    }

    fn check_at(&self, key_id: i64, per_minute: u32, now_secs: u64) -> Result<(), u64> {
        let window = now_secs / WINDOW_SECS;
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = windows.entry(key_id).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= per_minute {
            return Err((window + 1) * WINDOW_SECS - now_secs);
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_minute_then_waits_for_the_next_minute() {
        let limiter = RateLimiter::default();
        let start = 6000; // the beginning of a minute
        assert_eq!(limiter.check_at(1, 2, start), Ok(()));
        assert_eq!(limiter.check_at(1, 2, start + 10), Ok(()));
        assert_eq!(limiter.check_at(1, 2, start + 15), Err(45));
        assert_eq!(limiter.check_at(2, 2, start + 15), Ok(()), "keys are counted apart");
        assert_eq!(limiter.check_at(1, 2, start + 60), Ok(()), "a new minute starts afresh");
    }

    #[test]
    fn a_key_over_its_limit_is_known_before_its_body_is_read() {
        let limiter = RateLimiter::default();
        let start = 6000;
        assert_eq!(limiter.over_at(1, 1, start), Ok(()));
        assert_eq!(limiter.check_at(1, 1, start), Ok(()));
        assert_eq!(limiter.over_at(1, 1, start + 1), Err(59));
        assert_eq!(limiter.over_at(1, 1, start + 1), Err(59), "looking counts nothing");
        assert_eq!(limiter.over_at(1, 1, start + 60), Ok(()));
    }
}
