use sea_orm::entity::prelude::*;

/// A file an SDK sent with an event (`attachment` envelope items).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub event_id: String,
    pub filename: String,
    pub content_type: String,
    pub attachment_type: String,
    pub size: i64,
    pub data: Vec<u8>,
    pub received: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
