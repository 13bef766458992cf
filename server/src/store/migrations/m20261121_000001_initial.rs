//! Projects and their DSN keys, issues with their grouping hashes, and events.

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
                    .table(Project::Table)
                    .col(big_pk_auto(Project::Id))
                    .col(string(Project::Name))
                    .col(timestamp_with_time_zone(Project::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectKey::Table)
                    .col(big_pk_auto(ProjectKey::Id))
                    .col(big_integer(ProjectKey::ProjectId))
                    .col(string_uniq(ProjectKey::PublicKey))
                    .col(string(ProjectKey::Label))
                    .col(boolean(ProjectKey::Active))
                    .col(timestamp_with_time_zone(ProjectKey::CreatedAt))
                    .foreign_key(&mut cascade_to_project(ProjectKey::Table, ProjectKey::ProjectId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Issue::Table)
                    .col(big_pk_auto(Issue::Id))
                    .col(big_integer(Issue::ProjectId))
                    .col(text(Issue::Title))
                    .col(text(Issue::Culprit))
                    .col(string(Issue::Level))
                    .col(string(Issue::Status))
                    .col(timestamp_with_time_zone(Issue::FirstSeen))
                    .col(timestamp_with_time_zone(Issue::LastSeen))
                    .col(big_integer(Issue::EventCount))
                    .col(string(Issue::GroupingVersion))
                    .foreign_key(&mut cascade_to_project(Issue::Table, Issue::ProjectId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_project_last_seen")
                    .table(Issue::Table)
                    .col(Issue::ProjectId)
                    .col(Issue::LastSeen)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("issue_last_seen").table(Issue::Table).col(Issue::LastSeen).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueHash::Table)
                    .col(big_pk_auto(IssueHash::Id))
                    .col(big_integer(IssueHash::ProjectId))
                    .col(string(IssueHash::Hash))
                    .col(big_integer(IssueHash::IssueId))
                    .foreign_key(&mut cascade_to_project(IssueHash::Table, IssueHash::ProjectId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IssueHash::Table, IssueHash::IssueId)
                            .to(Issue::Table, Issue::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_hash_project_hash")
                    .table(IssueHash::Table)
                    .col(IssueHash::ProjectId)
                    .col(IssueHash::Hash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Event::Table)
                    .col(big_pk_auto(Event::Id))
                    .col(big_integer(Event::ProjectId))
                    .col(big_integer(Event::IssueId))
                    .col(string(Event::EventId))
                    .col(timestamp_with_time_zone(Event::Timestamp))
                    .col(timestamp_with_time_zone(Event::Received))
                    .col(string(Event::Level))
                    .col(text(Event::Title))
                    .col(binary(Event::Payload))
                    .foreign_key(&mut cascade_to_project(Event::Table, Event::ProjectId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Event::Table, Event::IssueId)
                            .to(Issue::Table, Issue::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_project_event_id")
                    .table(Event::Table)
                    .col(Event::ProjectId)
                    .col(Event::EventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("event_issue_timestamp")
                    .table(Event::Table)
                    .col(Event::IssueId)
                    .col(Event::Timestamp)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Event::Table.into_iden(),
            IssueHash::Table.into_iden(),
            Issue::Table.into_iden(),
            ProjectKey::Table.into_iden(),
            Project::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn cascade_to_project(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Project::Table, Project::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProjectKey {
    Table,
    Id,
    ProjectId,
    PublicKey,
    Label,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Issue {
    Table,
    Id,
    ProjectId,
    Title,
    Culprit,
    Level,
    Status,
    FirstSeen,
    LastSeen,
    EventCount,
    GroupingVersion,
}

#[derive(DeriveIden)]
enum IssueHash {
    Table,
    Id,
    ProjectId,
    Hash,
    IssueId,
}

#[derive(DeriveIden)]
#[expect(clippy::enum_variant_names, reason = "the column is named event_id")]
enum Event {
    Table,
    Id,
    ProjectId,
    IssueId,
    EventId,
    Timestamp,
    Received,
    Level,
    Title,
    Payload,
}
