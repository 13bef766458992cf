//! A project's alert channels. Their URLs and secrets never leave the server unmasked.

use crate::store::entities::{alert_channel, alert_delivery};
use app::alerts::{ChannelFailure, ChannelInfo, ChannelKind, DeliveryState};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, sea_query::Expr,
};

pub async fn list(db: &impl ConnectionTrait, project_id: i64) -> Result<Vec<alert_channel::Model>, DbErr> {
    alert_channel::Entity::find()
        .filter(alert_channel::Column::ProjectId.eq(project_id))
        .order_by_asc(alert_channel::Column::Id)
        .all(db)
        .await
}

pub async fn get(db: &impl ConnectionTrait, project_id: i64, id: i64) -> Result<Option<alert_channel::Model>, DbErr> {
    Ok(alert_channel::Entity::find_by_id(id).one(db).await?.filter(|row| row.project_id == project_id))
}

pub async fn create(
    db: &impl ConnectionTrait,
    project_id: i64,
    name: &str,
    kind: ChannelKind,
    url: &str,
    secret: Option<String>,
    hourly_cap: u32,
) -> Result<alert_channel::Model, DbErr> {
    alert_channel::ActiveModel {
        project_id: Set(project_id),
        name: Set(name.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        url: Set(url.to_owned()),
        secret: Set(secret),
        hourly_cap: Set(i32::try_from(hourly_cap).unwrap_or(i32::MAX)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// A channel's new settings.
#[derive(Default)]
pub struct Change<'a> {
    pub name: Option<&'a str>,
    pub url: Option<&'a str>,
    pub hourly_cap: Option<u32>,
}

/// Renames the channel, points it elsewhere (a new URL starts with a clean record) or changes
/// its cap (what the old one held back is due at once, to go out if the new one has room).
pub async fn update(
    db: &impl ConnectionTrait,
    row: alert_channel::Model,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<alert_channel::Model, DbErr> {
    let Change { name, url, hourly_cap } = change;
    let id = row.id;
    let mut active = row.into_active_model();
    if let Some(cap) = hourly_cap {
        active.hourly_cap = Set(i32::try_from(cap).unwrap_or(i32::MAX));
        alert_delivery::Entity::update_many()
            .col_expr(alert_delivery::Column::NextAttemptAt, Expr::value(now))
            .filter(alert_delivery::Column::ChannelId.eq(id))
            .filter(alert_delivery::Column::State.eq(DeliveryState::Held.as_str()))
            .exec(db)
            .await?;
    }
    if let Some(name) = name {
        active.name = Set(name.to_owned());
    }
    if let Some(url) = url {
        active.url = Set(url.to_owned());
        active.failing_since = Set(None);
        active.last_error = Set(None);
    }
    active.update(db).await
}

pub async fn delete(db: &impl ConnectionTrait, row: alert_channel::Model) -> Result<(), DbErr> {
    alert_channel::Entity::delete_by_id(row.id).exec(db).await.map(|_| ())
}

/// Remembers how the channel's latest delivery went: failing since its first failure in a row.
pub async fn record_result(
    db: &impl ConnectionTrait,
    channel_id: i64,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(row) = alert_channel::Entity::find_by_id(channel_id).one(db).await? else { return Ok(()) };
    let failing_since = error.map(|_| row.failing_since.unwrap_or(at));
    if row.failing_since == failing_since && row.last_error.as_deref() == error {
        return Ok(());
    }
    let mut active = row.into_active_model();
    active.failing_since = Set(failing_since);
    active.last_error = Set(error.map(str::to_owned));
    active.update(db).await.map(|_| ())
}

/// The channel as members see it: a webhook's URL masked, an email channel's addresses shown.
pub fn info(row: &alert_channel::Model) -> ChannelInfo {
    let kind = ChannelKind::parse(&row.kind).unwrap_or(ChannelKind::Webhook);
    ChannelInfo {
        id: row.id,
        project_id: row.project_id,
        name: row.name.clone(),
        kind,
        url: match kind {
            ChannelKind::Email | ChannelKind::Members => row.url.clone(),
            _ => masked(&row.url),
        },
        failing: row
            .failing_since
            .map(|since| ChannelFailure { since, error: row.last_error.clone().unwrap_or_default() }),
        hourly_cap: u32::try_from(row.hourly_cap).unwrap_or_default(),
        created_at: row.created_at,
    }
}

/// `https://hooks.slack.com/…`: the scheme and host, without credentials, path or query.
pub fn masked(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}/…")
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_masked_url_keeps_only_the_scheme_and_host() {
        assert_eq!(masked("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/…");
        assert_eq!(masked("https://user:pass@chat.example.com:8065/hooks/x?y=1"), "https://chat.example.com:8065/…");
        assert_eq!(masked("http://[::1]:9/x"), "http://[::1]:9/…");
    }
}
