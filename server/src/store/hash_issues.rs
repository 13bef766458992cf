//! Which issue owns a fingerprint hash, for the hashes the writer saw lately: most events of a
//! batch belong to issues seen before, and this answers for them without a query. The writer is
//! the only one that adds hashes, and it adds what a batch learned only after that batch
//! committed, so on one instance the map is always right; it forgets everything when retention
//! deleted something (issues may go, and their hashes with them), and when it is full.

use std::collections::HashMap;

/// Hashes remembered before the map starts over (about 100 bytes each).
const CAPACITY: usize = 50_000;

#[derive(Debug, Default)]
pub struct HashIssues {
    /// project → hash → issue.
    projects: HashMap<i64, HashMap<String, i64>>,
    len: usize,
}

impl HashIssues {
    pub fn get(&self, project_id: i64, hash: &str) -> Option<i64> {
        self.projects.get(&project_id)?.get(hash).copied()
    }

    /// Remembers what a committed batch learned.
    pub fn learn(&mut self, learned: impl IntoIterator<Item = (i64, String, i64)>) {
        for (project_id, hash, issue_id) in learned {
            if self.len >= CAPACITY {
                self.forget();
            }
            if self.projects.entry(project_id).or_default().insert(hash, issue_id).is_none() {
                self.len += 1;
            }
        }
    }

    pub fn forget(&mut self) {
        self.projects.clear();
        self.len = 0;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_per_project_bounded_and_forgotten() {
        let mut map = HashIssues::default();
        map.learn([(1, "a".to_owned(), 10), (2, "a".to_owned(), 20), (1, "a".to_owned(), 10)]);
        assert_eq!((map.get(1, "a"), map.get(2, "a"), map.get(3, "a")), (Some(10), Some(20), None));
        assert_eq!(map.len(), 2);
        map.learn((0..CAPACITY as i64).map(|n| (1, n.to_string(), n)));
        assert!(map.len() <= CAPACITY, "bounded");
        assert_eq!(map.get(1, &(CAPACITY as i64 - 1).to_string()), Some(CAPACITY as i64 - 1), "keeps the latest");
        map.forget();
        assert_eq!((map.get(1, "0"), map.len()), (None, 0));
    }
}
