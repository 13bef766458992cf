//! Charts and search at scale: per-project event counts in 5-minute and hourly buckets by level,
//! with the issues each bucket opened (kept by the writer, so a chart never scans events); an
//! index that finds the issues with a tag value without reading the rows, one that gives an
//! issue's top values per tag key without sorting them all (a `user` key has thousands), and one
//! that orders an issue's events by time then id, as the event navigation steps through them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectBucket::Table)
                    .col(big_pk_auto(ProjectBucket::Id))
                    .col(big_integer(ProjectBucket::ProjectId))
                    .col(integer(ProjectBucket::Minutes))
                    .col(timestamp_with_time_zone(ProjectBucket::Start))
                    .col(string(ProjectBucket::Level))
                    .col(big_integer(ProjectBucket::Events))
                    .col(big_integer(ProjectBucket::NewIssues))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProjectBucket::Table, ProjectBucket::ProjectId)
                            .to(Project::Table, Project::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_bucket_project_minutes_start_level")
                    .table(ProjectBucket::Table)
                    .col(ProjectBucket::ProjectId)
                    .col(ProjectBucket::Minutes)
                    .col(ProjectBucket::Start)
                    .col(ProjectBucket::Level)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_tag_key_value")
                    .table(IssueTag::Table)
                    .col(IssueTag::Key)
                    .col(IssueTag::Value)
                    .col(IssueTag::IssueId)
                    .to_owned(),
            )
            .await?;
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
        manager
            .create_index(
                Index::create()
                    .name("event_issue_timestamp_id")
                    .table(Event::Table)
                    .col(Event::IssueId)
                    .col(Event::Timestamp)
                    .col(Event::Id)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name("event_issue_timestamp").table(Event::Table).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("event_issue_timestamp")
                    .table(Event::Table)
                    .col(Event::IssueId)
                    .col(Event::Timestamp)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name("event_issue_timestamp_id").table(Event::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("issue_tag_issue_key_count").table(IssueTag::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("issue_tag_key_value").table(IssueTag::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ProjectBucket::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
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
enum Event {
    Table,
    Id,
    IssueId,
    Timestamp,
}

#[derive(DeriveIden)]
enum ProjectBucket {
    Table,
    Id,
    ProjectId,
    Minutes,
    Start,
    Level,
    Events,
    NewIssues,
}
