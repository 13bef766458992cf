//! Accounts: users, their server-side sessions, project memberships with roles, one-time invites
//! and API tokens; and a platform for each project.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Project::Table).add_column(string(Project::Platform).default("other")).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(string_uniq(Users::Email))
                    .col(text(Users::PasswordHash))
                    .col(boolean(Users::IsOwner))
                    .col(boolean(Users::Disabled).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .col(string(Session::Id).primary_key())
                    .col(big_integer(Session::UserId))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone(Session::LastSeenAt))
                    .col(timestamp_with_time_zone(Session::ExpiresAt))
                    .foreign_key(&mut cascade(Session::Table, Session::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("session_user").table(Session::Table).col(Session::UserId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProjectMember::Table)
                    .col(big_pk_auto(ProjectMember::Id))
                    .col(big_integer(ProjectMember::ProjectId))
                    .col(big_integer(ProjectMember::UserId))
                    .col(string(ProjectMember::Role))
                    .foreign_key(&mut cascade(
                        ProjectMember::Table,
                        ProjectMember::ProjectId,
                        Project::Table,
                        Project::Id,
                    ))
                    .foreign_key(&mut cascade(ProjectMember::Table, ProjectMember::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("project_member_project_user")
                    .table(ProjectMember::Table)
                    .col(ProjectMember::ProjectId)
                    .col(ProjectMember::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invite::Table)
                    .col(big_pk_auto(Invite::Id))
                    .col(string_uniq(Invite::TokenHash))
                    .col(big_integer_null(Invite::ProjectId))
                    .col(string_null(Invite::Role))
                    .col(big_integer(Invite::CreatedBy))
                    .col(timestamp_with_time_zone(Invite::CreatedAt))
                    .col(timestamp_with_time_zone(Invite::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invite::AcceptedAt))
                    .foreign_key(&mut cascade(Invite::Table, Invite::ProjectId, Project::Table, Project::Id))
                    .foreign_key(&mut cascade(Invite::Table, Invite::CreatedBy, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(big_pk_auto(ApiToken::Id))
                    .col(big_integer(ApiToken::UserId))
                    .col(string(ApiToken::Name))
                    .col(string_uniq(ApiToken::TokenHash))
                    .col(string(ApiToken::Prefix))
                    .col(string(ApiToken::Scope))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .foreign_key(&mut cascade(ApiToken::Table, ApiToken::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiToken::Table.into_iden(),
            Invite::Table.into_iden(),
            ProjectMember::Table.into_iden(),
            Session::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Project::Table).drop_column(Project::Platform).to_owned()).await
    }
}

fn cascade(
    table: impl IntoIden,
    column: impl IntoIden,
    target: impl IntoIden,
    target_column: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(target, target_column).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[derive(DeriveIden)]
enum Project {
    Table,
    Id,
    Platform,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    IsOwner,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ProjectMember {
    Table,
    Id,
    ProjectId,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Invite {
    Table,
    Id,
    TokenHash,
    ProjectId,
    Role,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Prefix,
    Scope,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
