//! What alert noise control needs: each channel's hourly cap, the digest a held-back delivery
//! went out in, and when each of an issue's users was last seen (to the minute), so a rule can
//! count the distinct users of the last minutes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = |table: DynIden, column: ColumnDef| Table::alter().table(table).add_column(column).to_owned();
        manager
            .alter_table(alter(
                AlertChannel::Table.into_iden(),
                integer(AlertChannel::HourlyCap).default(60).to_owned(),
            ))
            .await?;
        manager.alter_table(alter(AlertDelivery::Table.into_iden(), string_null(AlertDelivery::Digest))).await?;
        manager
            .alter_table(alter(IssueUser::Table.into_iden(), timestamp_with_time_zone_null(IssueUser::LastSeen)))
            .await?;
        // The cap counts a channel's deliveries sent in the last hour.
        manager.drop_index(Index::drop().name("alert_delivery_channel").table(AlertDelivery::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("alert_delivery_channel_sent")
                    .table(AlertDelivery::Table)
                    .col(AlertDelivery::ChannelId)
                    .col(AlertDelivery::State)
                    .col(AlertDelivery::AttemptedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("alert_delivery_digest")
                    .table(AlertDelivery::Table)
                    .col(AlertDelivery::Digest)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("issue_user_last_seen")
                    .table(IssueUser::Table)
                    .col(IssueUser::IssueId)
                    .col(IssueUser::LastSeen)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("issue_user_last_seen").table(IssueUser::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("alert_delivery_digest").table(AlertDelivery::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("alert_delivery_channel_sent").table(AlertDelivery::Table).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("alert_delivery_channel")
                    .table(AlertDelivery::Table)
                    .col(AlertDelivery::ChannelId)
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            (IssueUser::Table.into_iden(), IssueUser::LastSeen.into_iden()),
            (AlertDelivery::Table.into_iden(), AlertDelivery::Digest.into_iden()),
            (AlertChannel::Table.into_iden(), AlertChannel::HourlyCap.into_iden()),
        ] {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertChannel {
    Table,
    HourlyCap,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertDelivery {
    Table,
    Digest,
    ChannelId,
    State,
    AttemptedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum IssueUser {
    Table,
    IssueId,
    LastSeen,
}
