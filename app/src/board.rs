//! The issue list as the dashboard holds it, and how an issue that changed folds into it.

use crate::model::IssueSummary;
use crate::search::Sort;

/// Puts `issue`, which matches the list's search, in its place in `sort` order, replacing the
/// row with the same id. When more pages follow (`complete` is false), an issue that sorts after
/// the last row shown is left for them.
pub fn place(issues: &mut Vec<IssueSummary>, issue: IssueSummary, sort: Sort, complete: bool) {
    issues.retain(|row| row.id != issue.id);
    let after_last = issues.last().is_some_and(|last| sort.key(&issue) < sort.key(last));
    if complete || !after_last {
        issues.push(issue);
        issues.sort_by_key(|row| std::cmp::Reverse(sort.key(row)));
    }
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
            substatus: None,
            first_seen: at,
            last_seen: at,
            event_count: count,
            user_count: 0,
            assignee: None,
            last_24h: Vec::new(),
            snooze: None,
        }
    }

    fn ids(list: &[IssueSummary]) -> Vec<i64> {
        list.iter().map(|i| i.id).collect()
    }

    #[test]
    fn a_new_issue_goes_to_the_top_of_the_list() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        place(&mut list, issue(3, 200, 1), Sort::LastSeen, true);
        assert_eq!(ids(&list), [3, 1, 2]);
    }

    #[test]
    fn an_updated_issue_replaces_its_row_and_moves_up() {
        let mut list = vec![issue(1, 100, 1), issue(2, 50, 1)];
        place(&mut list, issue(2, 300, 2), Sort::LastSeen, true);
        let rows: Vec<_> = list.iter().map(|i| (i.id, i.event_count)).collect();
        assert_eq!(rows, [(2, 2), (1, 1)]);
    }

    #[test]
    fn an_issue_takes_its_place_in_the_list_s_sort() {
        let mut list = vec![issue(1, 100, 9), issue(2, 50, 5), issue(3, 300, 1)];
        place(&mut list, issue(4, 400, 6), Sort::Events, true);
        assert_eq!(ids(&list), [1, 4, 2, 3]);
    }

    #[test]
    fn an_issue_after_the_last_row_waits_for_its_page_when_more_follow() {
        let mut list = vec![issue(1, 100, 9), issue(2, 50, 5)];
        place(&mut list, issue(3, 10, 1), Sort::LastSeen, false);
        assert_eq!(ids(&list), [1, 2], "it comes with the next page");
        place(&mut list, issue(2, 10, 5), Sort::LastSeen, false);
        assert_eq!(ids(&list), [1], "an issue that moved past the last row leaves for its page too");
        place(&mut list, issue(3, 10, 1), Sort::LastSeen, true);
        assert_eq!(ids(&list), [1, 3], "the whole list is shown: it belongs at the end");
    }
}
