use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The SDK platform the project's snippets show: `python`, `javascript`, `node`, `rust`, `other`…
    pub platform: String,
    pub created_at: DateTimeUtc,
    /// Origins browser SDKs may send from: `*`, or one per line (`https://shop.example.com`,
    /// `shop.example.com`, `*.example.com`).
    pub allowed_origins: String,
    /// Extra field names to scrub, one per line.
    pub sensitive_fields: String,
    /// Field names never scrubbed, one per line.
    pub safe_fields: String,
    /// Drop errors raised inside browser extensions.
    pub filter_browser_extensions: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
