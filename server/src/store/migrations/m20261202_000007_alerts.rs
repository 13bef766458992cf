//! Alerts: each project's channels and rules (a rule notifies some of the project's channels),
//! when each rule last fired for each issue (its interval), the deliveries — the outbox the
//! writer fills in the transaction that made a rule fire, and the delivery log the dispatcher
//! keeps — and per-issue minute counters for frequency triggers, kept a day.

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
                    .table(AlertChannel::Table)
                    .col(big_pk_auto(AlertChannel::Id))
                    .col(big_integer(AlertChannel::ProjectId))
                    .col(string(AlertChannel::Name))
                    .col(string(AlertChannel::Kind))
                    .col(text(AlertChannel::Url))
                    .col(text_null(AlertChannel::Secret))
                    .col(timestamp_with_time_zone(AlertChannel::CreatedAt))
                    .col(timestamp_with_time_zone_null(AlertChannel::FailingSince))
                    .col(text_null(AlertChannel::LastError))
                    .foreign_key(&mut cascade(
                        AlertChannel::Table,
                        AlertChannel::ProjectId,
                        Project::Table,
                        Project::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(manager, "alert_channel_project", AlertChannel::Table, [AlertChannel::ProjectId], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertRule::Table)
                    .col(big_pk_auto(AlertRule::Id))
                    .col(big_integer(AlertRule::ProjectId))
                    .col(string(AlertRule::Name))
                    .col(text(AlertRule::Triggers))
                    .col(text(AlertRule::Filter))
                    .col(integer(AlertRule::IntervalMinutes))
                    .col(boolean(AlertRule::Enabled))
                    .col(timestamp_with_time_zone(AlertRule::CreatedAt))
                    .foreign_key(&mut cascade(AlertRule::Table, AlertRule::ProjectId, Project::Table, Project::Id))
                    .to_owned(),
            )
            .await?;
        index(manager, "alert_rule_project", AlertRule::Table, [AlertRule::ProjectId], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertRuleChannel::Table)
                    .col(big_integer(AlertRuleChannel::RuleId))
                    .col(big_integer(AlertRuleChannel::ChannelId))
                    .primary_key(Index::create().col(AlertRuleChannel::RuleId).col(AlertRuleChannel::ChannelId))
                    .foreign_key(&mut cascade(
                        AlertRuleChannel::Table,
                        AlertRuleChannel::RuleId,
                        AlertRule::Table,
                        AlertRule::Id,
                    ))
                    .foreign_key(&mut cascade(
                        AlertRuleChannel::Table,
                        AlertRuleChannel::ChannelId,
                        AlertChannel::Table,
                        AlertChannel::Id,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertFired::Table)
                    .col(big_integer(AlertFired::RuleId))
                    .col(big_integer(AlertFired::IssueId))
                    .col(timestamp_with_time_zone(AlertFired::FiredAt))
                    .primary_key(Index::create().col(AlertFired::RuleId).col(AlertFired::IssueId))
                    .foreign_key(&mut cascade(AlertFired::Table, AlertFired::RuleId, AlertRule::Table, AlertRule::Id))
                    .foreign_key(&mut cascade(AlertFired::Table, AlertFired::IssueId, Issue::Table, Issue::Id))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertDelivery::Table)
                    .col(big_pk_auto(AlertDelivery::Id))
                    .col(string_uniq(AlertDelivery::DeliveryId))
                    .col(big_integer(AlertDelivery::ProjectId))
                    .col(big_integer(AlertDelivery::ChannelId))
                    .col(big_integer_null(AlertDelivery::RuleId))
                    .col(big_integer_null(AlertDelivery::IssueId))
                    .col(string(AlertDelivery::Trigger))
                    .col(string_null(AlertDelivery::EventId))
                    .col(string(AlertDelivery::State))
                    .col(integer(AlertDelivery::Attempts))
                    .col(timestamp_with_time_zone(AlertDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone(AlertDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(AlertDelivery::AttemptedAt))
                    .col(integer_null(AlertDelivery::StatusCode))
                    .col(text_null(AlertDelivery::Error))
                    .col(integer_null(AlertDelivery::LatencyMs))
                    .foreign_key(&mut cascade(
                        AlertDelivery::Table,
                        AlertDelivery::ProjectId,
                        Project::Table,
                        Project::Id,
                    ))
                    .foreign_key(&mut cascade(
                        AlertDelivery::Table,
                        AlertDelivery::ChannelId,
                        AlertChannel::Table,
                        AlertChannel::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDelivery::Table, AlertDelivery::RuleId)
                            .to(AlertRule::Table, AlertRule::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(&mut cascade(AlertDelivery::Table, AlertDelivery::IssueId, Issue::Table, Issue::Id))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "alert_delivery_due",
            AlertDelivery::Table,
            [AlertDelivery::State, AlertDelivery::NextAttemptAt],
            false,
        )
        .await?;
        index(manager, "alert_delivery_issue", AlertDelivery::Table, [AlertDelivery::IssueId], false).await?;
        index(manager, "alert_delivery_channel", AlertDelivery::Table, [AlertDelivery::ChannelId], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueMinute::Table)
                    .col(big_pk_auto(IssueMinute::Id))
                    .col(big_integer(IssueMinute::IssueId))
                    .col(timestamp_with_time_zone(IssueMinute::Minute))
                    .col(big_integer(IssueMinute::Count))
                    .foreign_key(&mut cascade(IssueMinute::Table, IssueMinute::IssueId, Issue::Table, Issue::Id))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "issue_minute_issue_minute",
            IssueMinute::Table,
            [IssueMinute::IssueId, IssueMinute::Minute],
            true,
        )
        .await?;
        index(manager, "issue_minute_minute", IssueMinute::Table, [IssueMinute::Minute], false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IssueMinute::Table.into_iden(),
            AlertDelivery::Table.into_iden(),
            AlertFired::Table.into_iden(),
            AlertRuleChannel::Table.into_iden(),
            AlertRule::Table.into_iden(),
            AlertChannel::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn cascade(
    table: impl IntoIden,
    column: impl IntoIden,
    to: impl IntoIden,
    to_column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(to, to_column).on_delete(ForeignKeyAction::Cascade).to_owned()
}

async fn index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static, const N: usize>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: [C; N],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[derive(DeriveIden, Clone, Copy)]
enum Project {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Issue {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertChannel {
    Table,
    Id,
    ProjectId,
    Name,
    Kind,
    Url,
    Secret,
    CreatedAt,
    FailingSince,
    LastError,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertRule {
    Table,
    Id,
    ProjectId,
    Name,
    Triggers,
    Filter,
    IntervalMinutes,
    Enabled,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertRuleChannel {
    Table,
    RuleId,
    ChannelId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertFired {
    Table,
    RuleId,
    IssueId,
    FiredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertDelivery {
    Table,
    Id,
    DeliveryId,
    ProjectId,
    ChannelId,
    RuleId,
    IssueId,
    Trigger,
    EventId,
    State,
    Attempts,
    NextAttemptAt,
    CreatedAt,
    AttemptedAt,
    StatusCode,
    Error,
    LatencyMs,
}

#[derive(DeriveIden, Clone, Copy)]
enum IssueMinute {
    Table,
    Id,
    IssueId,
    Minute,
    Count,
}
