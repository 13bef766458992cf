//! The first-run setup token: only its sha256 is kept, so whichever instance the setup request
//! reaches can check it, and a copy of the database does not hold it. Setup spends every token.

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
                    .table(SetupToken::Table)
                    .col(string(SetupToken::TokenHash).primary_key())
                    .col(timestamp_with_time_zone(SetupToken::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SetupToken::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SetupToken {
    Table,
    TokenHash,
    CreatedAt,
}
