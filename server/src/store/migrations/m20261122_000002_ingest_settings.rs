//! Per-project ingest settings (allowed origins, data scrubbing, inbound filters), per-key rate
//! limits, and event attachments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let project_columns = [
            text(Project::AllowedOrigins).default("*").to_owned(),
            text(Project::SensitiveFields).default("").to_owned(),
            text(Project::SafeFields).default("").to_owned(),
            boolean(Project::FilterBrowserExtensions).default(true).to_owned(),
        ];
        for column in project_columns {
            manager.alter_table(Table::alter().table(Project::Table).add_column(column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ProjectKey::Table)
                    .add_column(integer_null(ProjectKey::RateLimitPerMinute))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attachment::Table)
                    .col(big_pk_auto(Attachment::Id))
                    .col(big_integer(Attachment::ProjectId))
                    .col(string(Attachment::EventId))
                    .col(text(Attachment::Filename))
                    .col(string(Attachment::ContentType))
                    .col(string(Attachment::AttachmentType))
                    .col(big_integer(Attachment::Size))
                    .col(binary(Attachment::Data))
                    .col(timestamp_with_time_zone(Attachment::Received))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attachment::Table, Attachment::ProjectId)
                            .to(Project::Table, Project::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("attachment_project_event")
                    .table(Attachment::Table)
                    .col(Attachment::ProjectId)
                    .col(Attachment::EventId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Attachment::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(ProjectKey::Table).drop_column(ProjectKey::RateLimitPerMinute).to_owned())
            .await?;
        for column in
            [Project::AllowedOrigins, Project::SensitiveFields, Project::SafeFields, Project::FilterBrowserExtensions]
        {
            manager.alter_table(Table::alter().table(Project::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Project {
    Table,
    Id,
    AllowedOrigins,
    SensitiveFields,
    SafeFields,
    FilterBrowserExtensions,
}

#[derive(DeriveIden)]
enum ProjectKey {
    Table,
    RateLimitPerMinute,
}

#[derive(DeriveIden)]
#[expect(clippy::enum_variant_names, reason = "the column is named attachment_type")]
enum Attachment {
    Table,
    Id,
    ProjectId,
    EventId,
    Filename,
    ContentType,
    AttachmentType,
    Size,
    Data,
    Received,
}
