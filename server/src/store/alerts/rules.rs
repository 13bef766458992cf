//! A project's alert rules and the channels each notifies.

use crate::store::entities::{alert_rule, alert_rule_channel};
use app::alerts::{NewRule, RuleInfo, Trigger};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, TryIntoModel,
};
use std::collections::BTreeMap;

pub async fn list(db: &impl ConnectionTrait, project_id: i64) -> Result<Vec<RuleInfo>, DbErr> {
    let rows = alert_rule::Entity::find()
        .filter(alert_rule::Column::ProjectId.eq(project_id))
        .order_by_asc(alert_rule::Column::Id)
        .all(db)
        .await?;
    let mut channels = channels_of(db, rows.iter().map(|row| row.id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let of = channels.remove(&row.id).unwrap_or_default();
            info(row, of)
        })
        .collect())
}

pub async fn get(db: &impl ConnectionTrait, project_id: i64, id: i64) -> Result<Option<RuleInfo>, DbErr> {
    let Some(row) = alert_rule::Entity::find_by_id(id).one(db).await?.filter(|row| row.project_id == project_id) else {
        return Ok(None);
    };
    let channels = channels_of(db, vec![row.id]).await?.remove(&row.id).unwrap_or_default();
    Ok(Some(info(row, channels)))
}

/// Saves a rule whose settings the caller checked.
pub async fn create(db: &impl ConnectionTrait, project_id: i64, settings: NewRule) -> Result<RuleInfo, DbErr> {
    let row =
        alert_rule::ActiveModel { project_id: Set(project_id), created_at: Set(Utc::now()), ..Default::default() };
    save(db, row, settings).await
}

pub async fn update(db: &impl ConnectionTrait, project_id: i64, id: i64, settings: NewRule) -> Result<RuleInfo, DbErr> {
    let row = alert_rule::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|row| row.project_id == project_id)
        .ok_or(DbErr::RecordNotFound("alert rule".to_owned()))?;
    alert_rule_channel::Entity::delete_many().filter(alert_rule_channel::Column::RuleId.eq(id)).exec(db).await?;
    save(db, row.into_active_model(), settings).await
}

pub async fn delete(db: &impl ConnectionTrait, project_id: i64, id: i64) -> Result<bool, DbErr> {
    let result = alert_rule::Entity::delete_many()
        .filter(alert_rule::Column::Id.eq(id))
        .filter(alert_rule::Column::ProjectId.eq(project_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

async fn save(
    db: &impl ConnectionTrait,
    mut row: alert_rule::ActiveModel,
    settings: NewRule,
) -> Result<RuleInfo, DbErr> {
    let triggers = serde_json::to_string(&settings.triggers).map_err(|err| DbErr::Custom(err.to_string()))?;
    row.name = Set(settings.name);
    row.triggers = Set(triggers);
    row.filter = Set(settings.filter);
    row.interval_minutes = Set(i32::try_from(settings.interval_minutes).unwrap_or(i32::MAX));
    row.enabled = Set(settings.enabled);
    let row = row.save(db).await?.try_into_model()?;
    let links = settings
        .channels
        .iter()
        .map(|channel_id| alert_rule_channel::ActiveModel { rule_id: Set(row.id), channel_id: Set(*channel_id) });
    if !settings.channels.is_empty() {
        alert_rule_channel::Entity::insert_many(links).exec_without_returning(db).await?;
    }
    Ok(info(row, settings.channels))
}

/// The channels of each rule.
pub async fn channels_of(db: &impl ConnectionTrait, rules: Vec<i64>) -> Result<BTreeMap<i64, Vec<i64>>, DbErr> {
    let mut channels: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    if rules.is_empty() {
        return Ok(channels);
    }
    let links = alert_rule_channel::Entity::find()
        .filter(alert_rule_channel::Column::RuleId.is_in(rules))
        .order_by_asc(alert_rule_channel::Column::ChannelId)
        .all(db)
        .await?;
    for link in links {
        channels.entry(link.rule_id).or_default().push(link.channel_id);
    }
    Ok(channels)
}

/// The rule's triggers; a stored list that no longer parses triggers nothing.
pub fn triggers(row: &alert_rule::Model) -> Vec<Trigger> {
    serde_json::from_str(&row.triggers).unwrap_or_else(|err| {
        tracing::warn!(rule = row.id, "an alert rule's triggers do not parse: {err}");
        Vec::new()
    })
}

fn info(row: alert_rule::Model, channels: Vec<i64>) -> RuleInfo {
    RuleInfo {
        id: row.id,
        project_id: row.project_id,
        triggers: triggers(&row),
        name: row.name,
        filter: row.filter,
        interval_minutes: u32::try_from(row.interval_minutes).unwrap_or_default(),
        channels,
        enabled: row.enabled,
        created_at: row.created_at,
    }
}
