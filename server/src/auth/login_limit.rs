//! Slows password guessing: each sign-in attempt counts against its account and its address
//! before the password is checked, so attempts still in flight count too; after too many within
//! a window, further attempts are refused, whatever the password. The map forgets windows that
//! ended and never holds more than a bounded number of entries.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Attempts allowed per account and per address within a window.
const MAX_ATTEMPTS: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Ended windows are swept out at most this often.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Most accounts and addresses remembered at once.
const CAPACITY: usize = 100_000;

pub struct LoginLimiter {
    state: Mutex<State>,
    capacity: usize,
}

struct State {
    /// `account:<email>` or `address:<ip>` → when its window started, attempts in it.
    windows: HashMap<String, (Instant, u32)>,
    swept: Instant,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl LoginLimiter {
    fn with_capacity(capacity: usize) -> Self {
        let state = State { windows: HashMap::new(), swept: Instant::now() };
        LoginLimiter { state: Mutex::new(state), capacity }
    }

    /// Counts an attempt for the (normalized) account from the address. `Err(seconds)` while
    /// either is locked out: then nothing is counted and the password must not be checked.
    pub fn attempt(&self, account: &str, address: IpAddr) -> Result<(), u64> {
        self.attempt_at(account, address, Instant::now())
    }

    /// The attempt's password was right: the account's attempts are forgiven, and this attempt
    /// of the address's (its earlier failures stay).
    pub fn succeeded(&self, account: &str, address: IpAddr) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.windows.remove(&account_key(account));
        if let Some((_, attempts)) = state.windows.get_mut(&address_key(address)) {
            *attempts = attempts.saturating_sub(1);
        }
    }

    /// The password was not checked after all (the server was too busy): the attempt does not
    /// count.
    pub fn abandoned(&self, account: &str, address: IpAddr) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        for key in [account_key(account), address_key(address)] {
            if let Some((_, attempts)) = state.windows.get_mut(&key) {
                *attempts = attempts.saturating_sub(1);
            }
        }
    }

    fn attempt_at(&self, account: &str, address: IpAddr, now: Instant) -> Result<(), u64> {
        let keys = [account_key(account), address_key(address)];
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let live = |(start, _): &(Instant, u32)| now.duration_since(*start) < WINDOW;
        let wait = keys
            .iter()
            .filter_map(|key| state.windows.get(key))
            .filter(|window| live(window) && window.1 >= MAX_ATTEMPTS)
            .map(|(start, _)| (WINDOW - now.duration_since(*start)).as_secs().max(1))
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        state.make_room(now, self.capacity);
        for key in keys {
            let window = state.windows.entry(key).or_insert((now, 0));
            if !live(window) {
                *window = (now, 0);
            }
            window.1 += 1;
        }
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).windows.len()
    }
}

impl State {
    /// Forgets ended windows once a minute, and whenever the map is full; if it is still full,
    /// the windows that lock nobody out go, and failing that all of them.
    fn make_room(&mut self, now: Instant, capacity: usize) {
        let full = self.windows.len() + 2 > capacity;
        if full || now.duration_since(self.swept) >= SWEEP_EVERY {
            self.windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            self.swept = now;
        }
        if self.windows.len() + 2 > capacity {
            self.windows.retain(|_, (_, attempts)| *attempts >= MAX_ATTEMPTS);
        }
        if self.windows.len() + 2 > capacity {
            tracing::warn!(capacity, "the sign-in limiter is full of locked-out addresses; forgetting them");
            self.windows.clear();
        }
    }
}

fn account_key(account: &str) -> String {
    format!("account:{account}")
}

fn address_key(address: IpAddr) -> String {
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn ten_attempts_lock_the_account_and_the_address() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_ATTEMPTS {
            assert!(limiter.attempt("jane@example.com", ip(1)).is_ok());
        }
        assert!(limiter.attempt("jane@example.com", ip(9)).is_err(), "the account is locked from anywhere");
        assert!(limiter.attempt("joe@example.com", ip(1)).is_err(), "the address is locked for any account");
        assert!(limiter.attempt("joe@example.com", ip(9)).is_ok());
    }

    #[test]
    fn a_right_password_forgives_the_account_but_not_the_addresss_failures() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_ATTEMPTS - 1 {
            limiter.attempt("jane@example.com", ip(1)).expect("allowed");
        }
        limiter.attempt("jane@example.com", ip(1)).expect("the tenth");
        limiter.succeeded("jane@example.com", ip(1));
        assert!(limiter.attempt("jane@example.com", ip(2)).is_ok(), "the account starts afresh");
        assert!(limiter.attempt("joe@example.com", ip(1)).is_ok(), "the address kept its nine failures");
        assert!(limiter.attempt("joe@example.com", ip(1)).is_err(), "and now has ten");
    }

    #[test]
    fn an_abandoned_attempt_does_not_count() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_ATTEMPTS {
            limiter.attempt("jane@example.com", ip(1)).expect("allowed");
            limiter.abandoned("jane@example.com", ip(1));
        }
        assert!(limiter.attempt("jane@example.com", ip(1)).is_ok());
    }

    #[test]
    fn a_window_ends_after_fifteen_minutes_and_is_swept_out() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        for n in 0..50 {
            limiter.attempt_at(&format!("user{n}@example.com"), ip(n), start).expect("allowed");
        }
        assert_eq!(limiter.len(), 100);
        let later = start + WINDOW + SWEEP_EVERY;
        limiter.attempt_at("late@example.com", ip(200), later).expect("allowed");
        assert_eq!(limiter.len(), 2, "only the new attempt's windows are left");
    }

    #[test]
    fn the_map_stays_within_its_capacity_and_keeps_lockouts_longest() {
        let limiter = LoginLimiter::with_capacity(40);
        let now = Instant::now();
        for _ in 0..MAX_ATTEMPTS {
            limiter.attempt_at("target@example.com", ip(1), now).expect("allowed");
        }
        for n in 0..100u8 {
            let address = IpAddr::from([10, 1, 0, n]);
            limiter.attempt_at(&format!("spray{n}@example.com"), address, now).expect("allowed");
            assert!(limiter.len() <= 40, "{} entries", limiter.len());
        }
        assert!(limiter.attempt_at("target@example.com", ip(7), now).is_err(), "the lockout survived the spray");
    }
}
