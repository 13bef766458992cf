use sea_orm::entity::prelude::*;

/// One tag key of an issue: how many of its events carried it and its most frequent values,
/// kept by the writer so that the issue page reads one row per key, not every value.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_tag_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub issue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub total: i64,
    /// The top values as JSON, `[{"value": …, "count": …}, …]`, most frequent first.
    pub top: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
