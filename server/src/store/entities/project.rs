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
    /// The project's own stack trace rules, in Sentry's syntax, as written.
    pub stack_rules: String,
    /// The grouping before the rules last changed (`newstyle:2023-01-11` had no built-in rules)
    /// and the project's rules then: until the transition ends, events are also hashed that way
    /// and join an issue of either.
    pub previous_grouping_version: Option<String>,
    pub previous_stack_rules: Option<String>,
    pub grouping_transition_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
