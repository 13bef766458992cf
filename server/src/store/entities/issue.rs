use sea_orm::entity::prelude::*;

/// A group of events that share a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub culprit: String,
    pub level: String,
    pub status: String,
    pub first_seen: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    pub event_count: i64,
    /// The grouping rules that produced this hashes.
    pub grouping_version: String,
    /// `regressed` or `escalating` while unresolved after coming back.
    pub substatus: Option<String>,
    /// When resolved in the next release: the release that was current then.
    pub resolved_in_release: Option<String>,
    pub ignored_until: Option<DateTimeUtc>,
    pub ignored_until_events: Option<i64>,
    pub ignored_until_users: Option<i64>,
    pub assignee_id: Option<i64>,
    pub first_release: Option<String>,
    pub last_release: Option<String>,
    /// Distinct users affected.
    pub user_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
