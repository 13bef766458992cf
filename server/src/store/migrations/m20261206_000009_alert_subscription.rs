//! Who gets a project's alerts by email: a user who opted in to them, sent by the project's
//! members channels.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let cascade = |column: AlertSubscription, to: DynIden| {
            ForeignKey::create()
                .from(AlertSubscription::Table, column)
                .to(to, Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(AlertSubscription::Table)
                    .col(big_integer(AlertSubscription::ProjectId))
                    .col(big_integer(AlertSubscription::UserId))
                    .col(timestamp_with_time_zone(AlertSubscription::CreatedAt))
                    .primary_key(Index::create().col(AlertSubscription::ProjectId).col(AlertSubscription::UserId))
                    .foreign_key(&mut cascade(AlertSubscription::ProjectId, Alias::new("project").into_iden()))
                    .foreign_key(&mut cascade(AlertSubscription::UserId, Alias::new("users").into_iden()))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AlertSubscription::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertSubscription {
    Table,
    ProjectId,
    UserId,
    CreatedAt,
}
