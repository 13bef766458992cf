//! The DSN keys ingestion looked up lately, so that most events cost no query for their key.
//! Changing, rotating, disabling or deleting a key (or its project's settings) through the API
//! empties it at once; anything else that changes a key (another instance, the command line)
//! is seen within [`FRESH`]. Keys that were not found are not kept: a new key works at once.

use crate::store::projects::IngestKey;
use protocol::ids::PublicKey;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a key is trusted without asking the database again.
const FRESH: Duration = Duration::from_secs(1);
/// Keys kept before the cache starts over.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, (IngestKey, Instant)>>,
}

impl KeyCache {
    /// The key as it was found less than [`FRESH`] ago.
    pub fn get(&self, key: &PublicKey, now: Instant) -> Option<IngestKey> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let (found, at) = keys.get(key.as_str())?;
        (now.duration_since(*at) < FRESH).then(|| found.clone())
    }

    pub fn put(&self, key: &PublicKey, found: IngestKey, now: Instant) {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.len() >= CAPACITY {
            keys.retain(|_, (_, at)| now.duration_since(*at) < FRESH);
            if keys.len() >= CAPACITY {
                keys.clear();
            }
        }
        keys.insert(key.as_str().to_owned(), (found, now));
    }

    /// A key or a project's settings changed: look every key up again.
    pub fn forget(&self) {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::projects::IngestSettings;
    use protocol::ids::ProjectId;

    #[test]
    fn a_key_is_kept_for_a_second_and_forgotten_on_any_change() {
        let cache = KeyCache::default();
        let key = PublicKey::parse("abc123publickey").expect("a key");
        let project_id = ProjectId::parse("42").expect("an id");
        let found =
            IngestKey { key_id: 1, project_id, rate_limit_per_minute: None, settings: IngestSettings::default() };
        let now = Instant::now();
        assert_eq!(cache.get(&key, now), None);
        cache.put(&key, found.clone(), now);
        assert_eq!(cache.get(&key, now + Duration::from_millis(900)), Some(found.clone()));
        assert_eq!(cache.get(&key, now + FRESH), None, "stale after a second");
        cache.forget();
        assert_eq!(cache.get(&key, now), None, "gone once anything changed");
    }
}
