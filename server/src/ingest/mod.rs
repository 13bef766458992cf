//! The ingest endpoint. It stays thin: authenticate, limit, decompress, parse; then the event
//! goes through `normalize` and `fingerprint` and waits in the writer's queue until the
//! transaction holding it committed. Every request ends accepted (200 with the event id) or
//! rejected with an [`IngestError`].

pub mod auth;
mod decompress;
pub mod error;
pub mod fingerprint;
pub mod normalize;
pub mod parse;

use crate::domain::{EventId, ProjectId};
use crate::startup::AppState;
use crate::store::{projects, writer::NewEvent, writer::StoreError};
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, Uri, header};
use axum::routing::post;
use chrono::Utc;
use decompress::Encoding;
use error::IngestError;
use serde::Serialize;

/// The canonical envelope route; [`canonical_path`] maps the variants SDKs use onto it.
const ENVELOPE_ROUTE: &str = "/api/{project_id}/envelope/";

/// Limits on what one request may carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_envelope_bytes: usize,
    pub max_event_bytes: usize,
}

pub fn router() -> Router<AppState> {
    Router::new().route(ENVELOPE_ROUTE, post(envelope)).layer(DefaultBodyLimit::disable())
}

/// What Relay answers for an accepted envelope: the event id, or `{}` without one.
#[derive(Debug, Serialize)]
struct Accepted {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

async fn envelope(
    State(state): State<AppState>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Accepted>, IngestError> {
    let received = Utc::now();
    let project_id = ProjectId::parse(&project).map_err(|_| IngestError::UnknownProject(project.clone()))?;
    let key = auth::public_key(&headers, query.as_deref())?;
    let owner = projects::project_for_key(&state.db, &key).await.map_err(|err| {
        tracing::error!("looking up a DSN key failed: {err}");
        IngestError::StorageUnavailable
    })?;
    if owner != Some(project_id) {
        return Err(IngestError::UnknownKey);
    }

    let limit = state.limits.max_envelope_bytes;
    let encoding = Encoding::from_header(headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()))?;
    let raw = read_body(body, &headers, limit).await?;
    let body = if encoding == Encoding::Identity {
        decompress::decode(encoding, raw, limit)?
    } else {
        tokio::task::spawn_blocking(move || decompress::decode(encoding, raw, limit))
            .await
            .map_err(|_| IngestError::CorruptBody("compressed"))??
    };

    let envelope = parse::envelope(body).map_err(|err| IngestError::MalformedEnvelope(err.to_string()))?;
    let header_event_id = match envelope.headers.event_id.as_deref() {
        Some(raw) => Some(EventId::parse(raw).map_err(|err| IngestError::MalformedEnvelope(err.to_string()))?),
        None => None,
    };
    let Some(item) = envelope.event_item().map_err(|err| IngestError::MalformedEnvelope(err.to_string()))? else {
        // Sessions, client reports, transactions…: not for an errors-only server, yet accepted.
        return Ok(Json(Accepted { id: header_event_id.map(EventId::into_string) }));
    };
    if item.payload.len() > state.limits.max_event_bytes {
        return Err(IngestError::TooLarge { limit: state.limits.max_event_bytes });
    }

    let event = normalize::event(&item.payload, header_event_id, received)
        .map_err(|err| IngestError::InvalidEvent(err.to_string()))?;
    let grouping = fingerprint::group(&event);
    let new_event = NewEvent::new(project_id, &event, grouping).map_err(|err| {
        tracing::error!("encoding an event failed: {err}");
        IngestError::StorageUnavailable
    })?;
    state.writer.store(new_event).await.map_err(|err| match err {
        StoreError::QueueFull => IngestError::QueueFull,
        StoreError::Stopped | StoreError::Failed => IngestError::StorageUnavailable,
    })?;
    Ok(Json(Accepted { id: Some(event.event_id) }))
}

/// Reads the whole body, refusing more than `limit` bytes before reading them.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, IngestError> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(IngestError::TooLarge { limit });
    }
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large =
            std::error::Error::source(&err).is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large { IngestError::TooLarge { limit } } else { IngestError::BodyRead }
    })
}

/// Maps the envelope URLs SDKs produce onto the route: a DSN with a path prefix
/// (`/prefix/sub/api/7/envelope/`) and a missing trailing slash. Returns `None` when `uri`
/// needs no change.
pub fn canonical_path(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let rest = trimmed.strip_suffix("/envelope")?;
    let (before_id, id) = rest.rsplit_once('/')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || !before_id.ends_with("/api") {
        return None;
    }
    let canonical = format!("/api/{id}/envelope/");
    if canonical == path {
        return None;
    }
    let with_query = match uri.query() {
        Some(query) => format!("{canonical}?{query}"),
        None => canonical,
    };
    with_query.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str) -> Option<String> {
        canonical_path(&raw.parse().expect("uri")).map(|uri| uri.to_string())
    }

    #[test]
    fn prefixed_and_slashless_envelope_paths_map_to_the_route() {
        assert_eq!(canonical("/prefix/sub/api/7/envelope/").as_deref(), Some("/api/7/envelope/"));
        assert_eq!(canonical("/api/7/envelope?sentry_key=k").as_deref(), Some("/api/7/envelope/?sentry_key=k"));
        assert_eq!(canonical("/p/api/42/envelope").as_deref(), Some("/api/42/envelope/"));
    }

    #[test]
    fn other_paths_are_left_alone() {
        assert_eq!(canonical("/api/7/envelope/"), None);
        assert_eq!(canonical("/api/x/envelope/"), None);
        assert_eq!(canonical("/issues/7/envelope"), None);
        assert_eq!(canonical("/"), None);
    }
}
