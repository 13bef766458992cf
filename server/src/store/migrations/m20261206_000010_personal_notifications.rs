//! Personal notifications: what each user wants by email (issues assigned to them, comments on
//! those), and the outbox of those emails, written in the transaction of the assignment or
//! comment and sent after it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Users::NotifyAssigned, Users::NotifyComments] {
            manager
                .alter_table(
                    Table::alter().table(Users::Table).add_column(boolean(column).default(false).to_owned()).to_owned(),
                )
                .await?;
        }
        let cascade = |column: PersonalNotification, to: &str| {
            ForeignKey::create()
                .from(PersonalNotification::Table, column)
                .to(Alias::new(to), Alias::new("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(PersonalNotification::Table)
                    .col(big_pk_auto(PersonalNotification::Id))
                    .col(string_uniq(PersonalNotification::DeliveryId))
                    .col(big_integer(PersonalNotification::UserId))
                    .col(big_integer(PersonalNotification::IssueId))
                    .col(big_integer(PersonalNotification::ActivityId))
                    .col(string(PersonalNotification::State))
                    .col(integer(PersonalNotification::Attempts).default(0))
                    .col(timestamp_with_time_zone(PersonalNotification::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(PersonalNotification::AttemptedAt))
                    .col(integer_null(PersonalNotification::StatusCode))
                    .col(text_null(PersonalNotification::Error))
                    .col(timestamp_with_time_zone(PersonalNotification::CreatedAt))
                    .foreign_key(&mut cascade(PersonalNotification::UserId, "users"))
                    .foreign_key(&mut cascade(PersonalNotification::IssueId, "issue"))
                    .foreign_key(&mut cascade(PersonalNotification::ActivityId, "activity"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("personal_notification_due")
                    .table(PersonalNotification::Table)
                    .col(PersonalNotification::State)
                    .col(PersonalNotification::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PersonalNotification::Table).to_owned()).await?;
        for column in [Users::NotifyComments, Users::NotifyAssigned] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    NotifyAssigned,
    NotifyComments,
}

#[derive(DeriveIden, Clone, Copy)]
enum PersonalNotification {
    Table,
    Id,
    DeliveryId,
    UserId,
    IssueId,
    ActivityId,
    State,
    Attempts,
    NextAttemptAt,
    AttemptedAt,
    StatusCode,
    Error,
    CreatedAt,
}
