//! A project's own stack trace rules, and the grouping its issues had before the rules last
//! changed, which events are still hashed with until the transition ends. Projects made before
//! the built-in rules begin such a transition from the grouping they had: the SDK's in-app
//! flags alone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The grouping every project had before this migration.
const BEFORE: &str = "newstyle:2023-01-11";
/// How long their events are also hashed the old way.
const TRANSITION_DAYS: i64 = 90;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            text(Project::StackRules).default("").to_owned(),
            text_null(Project::PreviousGroupingVersion).to_owned(),
            text_null(Project::PreviousStackRules).to_owned(),
            timestamp_with_time_zone_null(Project::GroupingTransitionUntil).to_owned(),
        ];
        for column in columns {
            manager.alter_table(Table::alter().table(Project::Table).add_column(column).to_owned()).await?;
        }
        let until = chrono::Utc::now() + chrono::Duration::days(TRANSITION_DAYS);
        manager
            .exec_stmt(
                Query::update()
                    .table(Project::Table)
                    .values([
                        (Project::PreviousGroupingVersion, BEFORE.into()),
                        (Project::PreviousStackRules, "".into()),
                        (Project::GroupingTransitionUntil, until.into()),
                    ])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Project::StackRules,
            Project::PreviousGroupingVersion,
            Project::PreviousStackRules,
            Project::GroupingTransitionUntil,
        ] {
            manager.alter_table(Table::alter().table(Project::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Project {
    Table,
    StackRules,
    PreviousGroupingVersion,
    PreviousStackRules,
    GroupingTransitionUntil,
}
