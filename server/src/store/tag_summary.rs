//! Each issue's tag keys with their totals and most frequent values, the issue page's tag panel,
//! kept by the writer as it adds tag counts, so the page reads one row per key instead of every
//! value (the busiest issues have tens of thousands of `user` values). Counts only grow, so a
//! key's new top values are among its old top values and the values the batch counted: no other
//! value can have passed them.

use super::entities::issue_tag_key;
use super::statements::rows_per_statement;
use app::dto::TagValue;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};

/// Values kept per key; the page shows them all.
pub const TOP: usize = 5;

/// What a batch counted for one key of one issue.
#[derive(Debug, Default)]
pub struct Counted {
    /// Events that carried the key.
    pub events: i64,
    /// The values the batch counted, with their counts after it.
    pub values: Vec<TagValue>,
}

/// Adds what the batch counted to the summaries of its (issue, key) pairs.
pub async fn add(db: &impl ConnectionTrait, counted: HashMap<(i64, String), Counted>) -> Result<(), DbErr> {
    let issues: Vec<i64> = counted.keys().map(|(issue_id, _)| *issue_id).collect::<BTreeSet<_>>().into_iter().collect();
    let mut stored = HashMap::new();
    for chunk in issues.chunks(rows_per_statement(1)) {
        let rows = issue_tag_key::Entity::find()
            .filter(issue_tag_key::Column::IssueId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        stored.extend(rows.into_iter().map(|row| ((row.issue_id, row.key), (row.total, row.top))));
    }
    let summaries: Vec<issue_tag_key::ActiveModel> = counted
        .into_iter()
        .map(|((issue_id, key), counted)| {
            let (total, top) = stored.remove(&(issue_id, key.clone())).unwrap_or_default();
            let top: Vec<TagValue> = serde_json::from_str(&top).unwrap_or_default();
            let top = merge(top, counted.values);
            issue_tag_key::ActiveModel {
                issue_id: Set(issue_id),
                key: Set(key),
                total: Set(total + counted.events),
                top: Set(serde_json::to_string(&top).unwrap_or_else(|_| "[]".to_owned())),
            }
        })
        .collect();
    for chunk in summaries.chunks(rows_per_statement(4)) {
        issue_tag_key::Entity::insert_many(chunk.iter().cloned())
            .on_conflict(
                OnConflict::columns([issue_tag_key::Column::IssueId, issue_tag_key::Column::Key])
                    .update_columns([issue_tag_key::Column::Total, issue_tag_key::Column::Top])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The top values after a batch: `counted` holds the new counts of the values it counted.
/// Most frequent first, ties by value, as the page lists them.
fn merge(top: Vec<TagValue>, counted: Vec<TagValue>) -> Vec<TagValue> {
    let mut values: HashMap<String, i64> = top.into_iter().map(|tag| (tag.value, tag.count)).collect();
    values.extend(counted.into_iter().map(|tag| (tag.value, tag.count)));
    let mut merged: Vec<TagValue> = values.into_iter().map(|(value, count)| TagValue { value, count }).collect();
    merged.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    merged.truncate(TOP);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(values: &[(&str, i64)]) -> Vec<TagValue> {
        values.iter().map(|(value, count)| TagValue { value: (*value).to_owned(), count: *count }).collect()
    }

    #[test]
    fn a_value_outside_the_top_that_passes_one_in_it_takes_its_place() {
        let top = tags(&[("a", 9), ("b", 8), ("c", 7), ("d", 6), ("e", 5)]);
        let merged = merge(top, tags(&[("f", 6), ("b", 10)]));
        assert_eq!(merged, tags(&[("b", 10), ("a", 9), ("c", 7), ("d", 6), ("f", 6)]), "ties go by value");
    }

    #[test]
    fn a_key_with_few_values_keeps_them_all() {
        assert_eq!(merge(tags(&[("prod", 3)]), tags(&[("staging", 1)])), tags(&[("prod", 3), ("staging", 1)]));
        assert_eq!(merge(Vec::new(), tags(&[("x", 1)])), tags(&[("x", 1)]));
    }
}
