//! The issue page's tag panel reads a summary per (issue, key) that the writer keeps, instead of
//! an index on `issue_tag (issue, key, count, value)`: with `count` in an index, every count the
//! writer adds rewrote all of `issue_tag`'s indexes (PostgreSQL cannot update such a row in
//! place). Existing issues get their summaries from their tag counts.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Values in each key's summary; the page shows five.
const TOP: i64 = 5;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IssueTagKey::Table)
                    .col(big_integer(IssueTagKey::IssueId))
                    .col(string(IssueTagKey::Key))
                    .col(big_integer(IssueTagKey::Total))
                    .col(text(IssueTagKey::Top))
                    .primary_key(Index::create().col(IssueTagKey::IssueId).col(IssueTagKey::Key))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IssueTagKey::Table, IssueTagKey::IssueId)
                            .to(Issue::Table, Issue::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let ranked = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT issue_id, key, value, count, total FROM (SELECT issue_id, key, value, count, \
                     SUM(count) OVER (PARTITION BY issue_id, key) AS total, ROW_NUMBER() OVER (PARTITION BY \
                     issue_id, key ORDER BY count DESC, value ASC) AS rank FROM issue_tag) ranked WHERE rank <= \
                     {TOP} ORDER BY issue_id, key, rank"
                ),
            ))
            .await?;
        let mut summaries: Vec<(i64, String, i64, Vec<serde_json::Value>)> = Vec::new();
        for row in ranked {
            let (issue_id, key): (i64, String) = (row.try_get("", "issue_id")?, row.try_get("", "key")?);
            let (value, count, total): (String, i64, i64) =
                (row.try_get("", "value")?, row.try_get("", "count")?, row.try_get("", "total")?);
            let top = serde_json::json!({"value": value, "count": count});
            match summaries.last_mut() {
                Some(last) if last.0 == issue_id && last.1 == key => last.3.push(top),
                _ => summaries.push((issue_id, key, total, vec![top])),
            }
        }
        for chunk in summaries.chunks(1_000) {
            let mut insert = Query::insert()
                .into_table(IssueTagKey::Table)
                .columns([IssueTagKey::IssueId, IssueTagKey::Key, IssueTagKey::Total, IssueTagKey::Top])
                .to_owned();
            for (issue_id, key, total, top) in chunk {
                let top = serde_json::Value::from(top.clone()).to_string();
                insert
                    .values([(*issue_id).into(), key.clone().into(), (*total).into(), top.into()])
                    .map_err(|err| DbErr::Custom(err.to_string()))?;
            }
            manager.exec_stmt(insert).await?;
        }
        manager.drop_index(Index::drop().name("issue_tag_issue_key_count").table(IssueTag::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("issue_tag_issue_key_count")
                    .table(IssueTag::Table)
                    .col(IssueTag::IssueId)
                    .col(IssueTag::Key)
                    .col(IssueTag::Count)
                    .col(IssueTag::Value)
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(IssueTagKey::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum IssueTagKey {
    Table,
    IssueId,
    Key,
    Total,
    Top,
}

#[derive(DeriveIden)]
enum IssueTag {
    Table,
    IssueId,
    Key,
    Count,
    Value,
}

#[derive(DeriveIden)]
enum Issue {
    Table,
    Id,
}

#[cfg(test)]
mod tests {
    use super::super::Migrator;
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, Statement};
    use sea_orm_migration::MigratorTrait;

    #[tokio::test]
    async fn existing_tag_counts_become_each_keys_total_and_top_five() {
        let mut options = ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.expect("database");
        Migrator::up(&db, Some(6)).await.expect("the migrations before this one");
        db.execute_unprepared("PRAGMA foreign_keys = OFF").await.expect("no issue rows needed");
        let mut values = vec![("environment", "production".to_owned(), 7), ("environment", "staging".to_owned(), 2)];
        values.extend((1..=8).map(|n| ("user", format!("id:{n}"), n)));
        for (key, value, count) in &values {
            db.execute_unprepared(&format!(
                "INSERT INTO issue_tag (issue_id, key, value, count, last_seen) VALUES (1, '{key}', '{value}', \
                 {count}, '2026-12-01T00:00:00Z')"
            ))
            .await
            .expect("tag");
        }
        Migrator::up(&db, None).await.expect("this migration");

        let sql = "SELECT key, total, top FROM issue_tag_key WHERE issue_id = 1 ORDER BY key";
        let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("read");
        let summaries: Vec<(String, i64, serde_json::Value)> = rows
            .iter()
            .map(|row| {
                let top: String = row.try_get("", "top").expect("top");
                (
                    row.try_get("", "key").expect("key"),
                    row.try_get("", "total").expect("total"),
                    top.parse().expect("JSON"),
                )
            })
            .collect();
        let top = |values: &[(&str, i64)]| {
            serde_json::Value::from_iter(values.iter().map(|(v, c)| serde_json::json!({"value": v, "count": c})))
        };
        assert_eq!(
            summaries,
            [
                ("environment".to_owned(), 9, top(&[("production", 7), ("staging", 2)])),
                ("user".to_owned(), 36, top(&[("id:8", 8), ("id:7", 7), ("id:6", 6), ("id:5", 5), ("id:4", 4)])),
            ]
        );
    }
}
