//! Triage and the issue page: an issue's substatus (regressed, escalating), what it waits for
//! when resolved or ignored, its assignee, releases and affected users; per-issue tag values,
//! hourly event counts and distinct users; releases in the order they were first seen; and the
//! activity log (status changes, assignments, comments).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let issue_columns = [
            string_null(Issue::Substatus),
            string_null(Issue::ResolvedInRelease),
            timestamp_with_time_zone_null(Issue::IgnoredUntil),
            big_integer_null(Issue::IgnoredUntilEvents),
            big_integer_null(Issue::IgnoredUntilUsers),
            big_integer_null(Issue::AssigneeId),
            text_null(Issue::FirstRelease),
            text_null(Issue::LastRelease),
            big_integer(Issue::UserCount).default(0).to_owned(),
        ];
        for column in issue_columns {
            manager.alter_table(Table::alter().table(Issue::Table).add_column(column).to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(IssueTag::Table)
                    .col(big_pk_auto(IssueTag::Id))
                    .col(big_integer(IssueTag::IssueId))
                    .col(string(IssueTag::Key))
                    .col(string(IssueTag::Value))
                    .col(big_integer(IssueTag::Count))
                    .col(timestamp_with_time_zone(IssueTag::LastSeen))
                    .foreign_key(&mut cascade_to_issue(IssueTag::Table, IssueTag::IssueId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_tag_issue_key_value")
                    .table(IssueTag::Table)
                    .col(IssueTag::IssueId)
                    .col(IssueTag::Key)
                    .col(IssueTag::Value)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueHour::Table)
                    .col(big_pk_auto(IssueHour::Id))
                    .col(big_integer(IssueHour::IssueId))
                    .col(timestamp_with_time_zone(IssueHour::Hour))
                    .col(big_integer(IssueHour::Count))
                    .foreign_key(&mut cascade_to_issue(IssueHour::Table, IssueHour::IssueId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_hour_issue_hour")
                    .table(IssueHour::Table)
                    .col(IssueHour::IssueId)
                    .col(IssueHour::Hour)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueUser::Table)
                    .col(big_pk_auto(IssueUser::Id))
                    .col(big_integer(IssueUser::IssueId))
                    .col(string(IssueUser::UserKey))
                    .foreign_key(&mut cascade_to_issue(IssueUser::Table, IssueUser::IssueId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_user_issue_key")
                    .table(IssueUser::Table)
                    .col(IssueUser::IssueId)
                    .col(IssueUser::UserKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Release::Table)
                    .col(big_pk_auto(Release::Id))
                    .col(big_integer(Release::ProjectId))
                    .col(text(Release::Version))
                    .col(timestamp_with_time_zone(Release::FirstSeen))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Release::Table, Release::ProjectId)
                            .to(Project::Table, Project::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("release_project_version")
                    .table(Release::Table)
                    .col(Release::ProjectId)
                    .col(Release::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(big_pk_auto(Activity::Id))
                    .col(big_integer(Activity::IssueId))
                    .col(big_integer_null(Activity::UserId))
                    .col(string(Activity::Kind))
                    .col(text(Activity::Data))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .foreign_key(&mut cascade_to_issue(Activity::Table, Activity::IssueId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("activity_issue").table(Activity::Table).col(Activity::IssueId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Activity::Table.into_iden(),
            Release::Table.into_iden(),
            IssueUser::Table.into_iden(),
            IssueHour::Table.into_iden(),
            IssueTag::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for column in [
            Issue::Substatus,
            Issue::ResolvedInRelease,
            Issue::IgnoredUntil,
            Issue::IgnoredUntilEvents,
            Issue::IgnoredUntilUsers,
            Issue::AssigneeId,
            Issue::FirstRelease,
            Issue::LastRelease,
            Issue::UserCount,
        ] {
            manager.alter_table(Table::alter().table(Issue::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

fn cascade_to_issue(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Issue::Table, Issue::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[derive(DeriveIden, Clone, Copy)]
enum Issue {
    Table,
    Id,
    Substatus,
    ResolvedInRelease,
    IgnoredUntil,
    IgnoredUntilEvents,
    IgnoredUntilUsers,
    AssigneeId,
    FirstRelease,
    LastRelease,
    UserCount,
}

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum IssueTag {
    Table,
    Id,
    IssueId,
    Key,
    Value,
    Count,
    LastSeen,
}

#[derive(DeriveIden)]
enum IssueHour {
    Table,
    Id,
    IssueId,
    Hour,
    Count,
}

#[derive(DeriveIden)]
enum IssueUser {
    Table,
    Id,
    IssueId,
    UserKey,
}

#[derive(DeriveIden)]
enum Release {
    Table,
    Id,
    ProjectId,
    Version,
    FirstSeen,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    IssueId,
    UserId,
    Kind,
    Data,
    CreatedAt,
}
