//! The issue list as the dashboard holds it, and how a live change folds into it.

use crate::model::{IssueStatus, IssueSummary};

/// Puts `issue` in the list when it has the status the list shows (any when `None`), replacing
/// the row with the same id, or takes it out when it no longer does. Keeps the list ordered by
/// latest activity and at most `limit` long.
pub fn fold_issue(issues: &mut Vec<IssueSummary>, issue: IssueSummary, shown: Option<IssueStatus>, limit: usize) {
    if shown.is_some_and(|status| status != issue.status) {
        issues.retain(|row| row.id != issue.id);
        return;
    }
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
    use crate::model::Level;
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
            substatus: None,
            first_seen: at,
            last_seen: at,
            event_count: count,
            user_count: 0,
            assignee: None,
            last_24h: Vec::new(),
        }
    }

    #[test]
    fn a_new_issue_goes_to_the_top_of_the_list() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        fold_issue(&mut list, issue(3, 200, 1), None, 10);
        let ids: Vec<_> = list.iter().map(|i| i.id).collect();
        assert_eq!(ids, [3, 1, 2]);
    }

    #[test]
    fn an_updated_issue_replaces_its_row_and_moves_up() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        fold_issue(&mut list, issue(2, 300, 2), None, 10);
        let rows: Vec<_> = list.iter().map(|i| (i.id, i.event_count)).collect();
        assert_eq!(rows, [(2, 2), (1, 1)]);
    }

    #[test]
    fn the_list_keeps_at_most_the_limit() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        fold_issue(&mut list, issue(3, 200, 1), None, 2);
        let ids: Vec<_> = list.iter().map(|i| i.id).collect();
        assert_eq!(ids, [3, 1]);
    }

    #[test]
    fn an_issue_leaves_a_list_of_another_status_and_comes_back_when_it_regresses() {
        let mut unresolved = vec![issue(1, 100, 1), issue(2, 50, 1)];
        let mut resolved = issue(2, 60, 1);
        resolved.status = IssueStatus::Resolved;
        fold_issue(&mut unresolved, resolved.clone(), Some(IssueStatus::Unresolved), 10);
        assert_eq!(unresolved.iter().map(|i| i.id).collect::<Vec<_>>(), [1]);

        let regressed = IssueSummary { status: IssueStatus::Unresolved, last_seen: resolved.last_seen, ..resolved };
        fold_issue(&mut unresolved, regressed, Some(IssueStatus::Unresolved), 10);
        assert_eq!(unresolved.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2]);
    }
}
