//! A project's alert channels: members see them (URLs masked), admins add, change, test and
//! delete them. Every URL passes the outbound guard before it is saved; an email channel's
//! addresses are checked instead, and email channels need a server that sends email.

use super::extract::{Body, Id};
use super::{ApiError, NoContent};
use crate::alerts::guard::GuardError;
use crate::alerts::mail;
use crate::auth::{Principal, access};
use crate::state::AppState;
use crate::store::alerts::{channels, deliveries};
use crate::store::projects;
use app::alerts::{ChannelInfo, ChannelKind, ChannelUpdate, CreatedChannel, Delivery, MAX_HOURLY_CAP, NewChannel};
use app::model::Role;
use axum::extract::State;
use axum::response::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The longest webhook URL.
const MAX_URL_CHARS: usize = 2048;
/// A signing secret's length bounds, in characters.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=200;
/// Deliveries a channel's log shows.
const LOG_LENGTH: u64 = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
        .routes(routes!(test))
        .routes(routes!(log))
}

/// The project's alert channels (member).
#[utoipa::path(get, path = "/api/0/projects/{id}/alert-channels/", tag = "alerts",
    responses((status = 200, body = Vec<ChannelInfo>), (status = 404)))]
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
) -> Result<Json<Vec<ChannelInfo>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    Ok(Json(channels::list(&state.db, id).await?.iter().map(channels::info).collect()))
}

/// Adds a channel (admin). A generic webhook's signing secret is answered this once.
#[utoipa::path(post, path = "/api/0/projects/{id}/alert-channels/", tag = "alerts", request_body = NewChannel,
    responses((status = 200, body = CreatedChannel), (status = 403), (status = 404), (status = 422)))]
async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Id(id): Id<i64>,
    Body(body): Body<NewChannel>,
) -> Result<Json<CreatedChannel>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let name = super::fields::name(&body.name, "channel name")?;
    let url = destination(&state, body.kind, &body.url).await?;
    let secret = match body.kind {
        ChannelKind::Webhook => Some(match body.secret {
            Some(secret) if SECRET_CHARS.contains(&secret.chars().count()) => secret,
            Some(_) => {
                let (min, max) = (SECRET_CHARS.start(), SECRET_CHARS.end());
                return Err(ApiError::Invalid(format!("a signing secret has {min} to {max} characters")));
            }
            None => crate::auth::secrets::generate("whsec_"),
        }),
        _ => None,
    };
    let cap = hourly_cap(body.hourly_cap)?;
    let row = channels::create(&state.db, id, &name, body.kind, &url, secret.clone(), cap).await?;
    Ok(Json(CreatedChannel { channel: channels::info(&row), secret }))
}

/// Renames a channel, gives it a new URL or a new hourly cap (admin). What the old cap held back
/// goes out at once as a digest if the new one has room.
#[utoipa::path(patch, path = "/api/0/projects/{id}/alert-channels/{channel_id}/", tag = "alerts",
    request_body = ChannelUpdate,
    responses((status = 200, body = ChannelInfo), (status = 403), (status = 404), (status = 422)))]
async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, channel_id)): Id<(i64, i64)>,
    Body(body): Body<ChannelUpdate>,
) -> Result<Json<ChannelInfo>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = channels::get(&state.db, id, channel_id).await?.ok_or(ApiError::NotFound("channel"))?;
    let name = body.name.as_deref().map(|name| super::fields::name(name, "channel name")).transpose()?;
    let kind = ChannelKind::parse(&row.kind).unwrap_or(ChannelKind::Webhook);
    let url = match &body.url {
        Some(url) => Some(destination(&state, kind, url).await?),
        None => None,
    };
    let hourly_cap = body.hourly_cap.map(hourly_cap).transpose()?;
    let change = channels::Change { name: name.as_deref(), url: url.as_deref(), hourly_cap };
    let row = channels::update(&state.db, row, change, chrono::Utc::now()).await?;
    if hourly_cap.is_some() {
        state.alerts.outbox.notify_one();
    }
    Ok(Json(channels::info(&row)))
}

/// Deletes a channel and its delivery log (admin); rules stop notifying it.
#[utoipa::path(delete, path = "/api/0/projects/{id}/alert-channels/{channel_id}/", tag = "alerts",
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, channel_id)): Id<(i64, i64)>,
) -> Result<NoContent, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = channels::get(&state.db, id, channel_id).await?.ok_or(ApiError::NotFound("channel"))?;
    channels::delete(&state.db, row).await?;
    Ok(NoContent)
}

/// Sends a sample alert through the channel's real formatter now, and answers how the receiver
/// took it (admin).
#[utoipa::path(post, path = "/api/0/projects/{id}/alert-channels/{channel_id}/test/", tag = "alerts",
    responses((status = 200, body = Delivery), (status = 403), (status = 404)))]
async fn test(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, channel_id)): Id<(i64, i64)>,
) -> Result<Json<Delivery>, ApiError> {
    access::require(&state.db, &principal, id, Role::Admin, "project").await?;
    let row = channels::get(&state.db, id, channel_id).await?.ok_or(ApiError::NotFound("channel"))?;
    let project = projects::get(&state.db, id).await?.ok_or(ApiError::NotFound("project"))?;
    Ok(Json(state.alerts.test_send(&row, project.name).await?))
}

/// The channel's latest deliveries, newest first (member).
#[utoipa::path(get, path = "/api/0/projects/{id}/alert-channels/{channel_id}/deliveries/", tag = "alerts",
    responses((status = 200, body = Vec<Delivery>), (status = 404)))]
async fn log(
    State(state): State<AppState>,
    principal: Principal,
    Id((id, channel_id)): Id<(i64, i64)>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    access::require(&state.db, &principal, id, Role::Member, "project").await?;
    let row = channels::get(&state.db, id, channel_id).await?.ok_or(ApiError::NotFound("channel"))?;
    Ok(Json(deliveries::of_channel(&state.db, row.id, LOG_LENGTH).await?))
}

fn hourly_cap(cap: u32) -> Result<u32, ApiError> {
    if (1..=MAX_HOURLY_CAP).contains(&cap) {
        Ok(cap)
    } else {
        Err(ApiError::Invalid(format!("a channel's hourly cap is 1 to {MAX_HOURLY_CAP} deliveries")))
    }
}

/// Where the channel sends, as stored: a webhook URL the outbound guard lets through, an email
/// channel's `mailto:` addresses, or nothing for a members channel.
async fn destination(state: &AppState, kind: ChannelKind, raw: &str) -> Result<String, ApiError> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(ApiError::Invalid(format!("a channel's URL has at most {MAX_URL_CHARS} characters")));
    }
    if !matches!(kind, ChannelKind::Email | ChannelKind::Members) {
        return checked_url(state, raw).await;
    }
    if state.alerts.mailer.is_none() {
        return Err(ApiError::Invalid(format!("{} to add email channels", mail::NOT_CONFIGURED)));
    }
    if kind == ChannelKind::Members {
        if !raw.trim().is_empty() {
            return Err(ApiError::Invalid(
                "a members channel has no URL: it emails the members who opted in to the project's alerts".to_owned(),
            ));
        }
        return Ok(String::new());
    }
    let addresses = mail::recipients(raw)
        .map_err(|why| ApiError::Invalid(format!("the email channel's addresses are not valid: {why}")))?;
    Ok(mail::mailto(&addresses))
}

/// The URL, trimmed, if the outbound guard lets it through.
async fn checked_url(state: &AppState, raw: &str) -> Result<String, ApiError> {
    let guard = state.alerts.outbound.guard();
    guard.check_url(raw).await.map(|url| url.to_string()).map_err(|err| match err {
        GuardError::Invalid(why) => ApiError::Invalid(format!("the webhook URL is not valid: {why}")),
        refused => ApiError::Invalid(format!("the webhook URL is refused: {refused}")),
    })
}
