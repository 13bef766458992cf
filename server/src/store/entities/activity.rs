use sea_orm::entity::prelude::*;

/// An entry of an issue's activity log; `data` is the JSON of `app::dto::ActivityKind`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: i64,
    /// `None` when the system acted.
    pub user_id: Option<i64>,
    pub kind: String,
    pub data: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
