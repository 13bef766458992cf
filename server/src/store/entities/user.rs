use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lowercase.
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The instance owner may do everything, in every project.
    pub is_owner: bool,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    /// Emails them when someone else assigns them an issue.
    pub notify_assigned: bool,
    /// Emails them when someone else comments on an issue assigned to them.
    pub notify_comments: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
