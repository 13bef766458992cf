use sea_orm::entity::prelude::*;

/// A bearer token for the REST API, acting as its user within its scope.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// sha256 of the token, hex; the token itself is shown once.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first characters of the token, to recognize it in lists.
    pub prefix: String,
    /// `read`, `write` or `admin`.
    pub scope: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
