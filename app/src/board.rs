//! The issue list as the dashboard holds it, and how a live change folds into it.

use crate::model::IssueSummary;

/// Puts `issue` in the list, replacing the row with the same id, keeps the list ordered by
/// latest activity and at most `limit` long.
pub fn upsert_issue(issues: &mut Vec<IssueSummary>, issue: IssueSummary, limit: usize) {
    match issues.iter_mut().find(|row| row.id == issue.id) {
        Some(row) => *row = issue,
        None => issues.push(issue),
    }
    issues.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(b.id.cmp(&a.id)));
    issues.truncate(limit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IssueStatus, Level};
    use chrono::{DateTime, Utc};

    fn issue(id: i64, last_seen_secs: i64, count: i64) -> IssueSummary {
        let at = DateTime::<Utc>::from_timestamp(last_seen_secs, 0).expect("valid time");
        IssueSummary {
            id,
            project_id: 1,
            title: format!("Error {id}"),
            culprit: String::new(),
            level: Level::Error,
            status: IssueStatus::Unresolved,
            first_seen: at,
            last_seen: at,
            event_count: count,
        }
    }

    #[test]
    fn a_new_issue_goes_to_the_top_of_the_list() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        upsert_issue(&mut list, issue(3, 200, 1), 10);
        let ids: Vec<_> = list.iter().map(|i| i.id).collect();
        assert_eq!(ids, [3, 1, 2]);
    }

    #[test]
    fn an_updated_issue_replaces_its_row_and_moves_up() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        upsert_issue(&mut list, issue(2, 300, 2), 10);
        let rows: Vec<_> = list.iter().map(|i| (i.id, i.event_count)).collect();
        assert_eq!(rows, [(2, 2), (1, 1)]);
    }

    #[test]
    fn the_list_keeps_at_most_the_limit() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        upsert_issue(&mut list, issue(3, 200, 1), 2);
        let ids: Vec<_> = list.iter().map(|i| i.id).collect();
        assert_eq!(ids, [3, 1]);
    }
}
