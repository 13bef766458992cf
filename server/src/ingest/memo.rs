//! What ingestion computed from a string it sees again and again (a user agent, a project's
//! stack trace rules), kept for every thread: a string seen before costs one lookup. Bounded:
//! when full it starts over.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

pub struct Memo<V> {
    seen: Mutex<Option<HashMap<String, V>>>,
    capacity: usize,
}

impl<V: Clone> Memo<V> {
    pub const fn new(capacity: usize) -> Self {
        Memo { seen: Mutex::new(None), capacity }
    }

    /// The value kept for `key`, or `make`'s, kept from now on.
    pub fn get_or(&self, key: &str, make: impl FnOnce() -> V) -> V {
        if let Some(known) = self.seen.lock().unwrap_or_else(PoisonError::into_inner).as_ref().and_then(|m| m.get(key))
        {
            return known.clone();
        }
        let made = make();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = seen.get_or_insert_with(HashMap::new);
        if seen.len() >= self.capacity {
            seen.clear();
        }
        seen.insert(key.to_owned(), made.clone());
        made
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn a_key_is_made_once_and_the_memo_starts_over_when_full() {
        let memo = Memo::new(2);
        let mut made = 0;
        for key in ["a", "a", "b", "a"] {
            memo.get_or(key, || {
                made += 1;
                key.len()
            });
        }
        assert_eq!(made, 2, "a and b, once each");
        memo.get_or("c", || 1);
        memo.get_or("a", || {
            made += 1;
            1
        });
        assert_eq!(made, 3, "forgotten once full");
    }
}
