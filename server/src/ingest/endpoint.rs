//! The ingest endpoints. They stay thin: authenticate, limit, decompress, parse; then the event
//! goes through the [`super::pipeline`] and waits in the writer's queue until the transaction
//! holding it committed. Every request ends in exactly one counted [`Outcome`]: accepted (200
//! with the event id) or rejected with an [`IngestError`] (filtered events are rejected but still
//! answered 200, as Relay does).

use super::error::IngestError;
use super::outcomes::{Outcome, Reason, UNKNOWN_PROJECT};
use super::pipeline::{self, Processed, Received};
use super::{normalize, origins};
use crate::state::AppState;
use crate::store::new_event::NewAttachment;
use crate::store::projects::{self, IngestKey};
use crate::store::writer::StoreError;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use protocol::auth::{self, AuthError, AuthSources};
use protocol::decompress::{self, Encoding};
use protocol::envelope::{self, Envelope};
use protocol::ids::{EventId, ProjectId, PublicKey};
use serde::Serialize;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// Most bytes of an envelope's first lines decoded before the rest: to find its DSN before the key
/// is known, or its first item's type for a key over its limit.
const MAX_HEADER_LINE_BYTES: usize = 64 * 1024;

/// Limits on what one request may carry.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_envelope_bytes: usize,
    pub max_event_bytes: usize,
    pub max_attachment_bytes: usize,
    /// Events per minute per key when the key sets no limit of its own; 0 for none.
    pub default_rate_limit_per_minute: u32,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/{project_id}/envelope/", post(envelope_endpoint))
        .route("/api/{project_id}/store/", post(store_endpoint))
        .route("/api/store/", post(store_without_project))
        .layer(origins::cors())
        .layer(DefaultBodyLimit::disable())
}

/// How an accepted request ended.
enum Ingested {
    /// The event was stored (or had been before: SDKs retry).
    Stored(String),
    /// No event in the envelope: sessions, client reports, transactions… are not for an
    /// errors-only server, yet accepted. Attachments for an earlier event are stored.
    NoEvent(Option<String>),
    /// An inbound filter dropped the event.
    Filtered(String),
}

/// What Relay answers: the event id, or `{}` without one.
#[derive(Serialize)]
struct Answer {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

/// Which body an endpoint expects.
#[derive(Clone, Copy)]
enum Endpoint {
    Envelope,
    /// The legacy store endpoint: one JSON event (or base64, or base64 of zlib), or an envelope
    /// when the Content-Type says so.
    Store,
}

async fn envelope_endpoint(
    State(state): State<AppState>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    with_project(&state, Endpoint::Envelope, project, query, headers, body).await
}

async fn store_endpoint(
    State(state): State<AppState>,
    Path(project): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    with_project(&state, Endpoint::Store, project, query, headers, body).await
}

/// Receives the request for the project in its URL, and counts it against that project if it
/// exists.
async fn with_project(
    state: &AppState,
    endpoint: Endpoint,
    project: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let project_id = ProjectId::parse(&project).ok();
    let result = async {
        let project_id = project_id.ok_or(IngestError::UnknownProject(project))?;
        let key = request_key(state, Some(project_id), query.as_deref(), &headers).await?;
        match endpoint {
            Endpoint::Envelope => receive_envelope(state, project_id, key, &headers, body).await,
            Endpoint::Store => receive_store(state, project_id, key, &headers, body).await,
        }
    };
    let result = caught(result).await;
    let counted = match (&result, project_id) {
        // Accepted: its key belongs to the project, which therefore exists.
        (Ok(_), Some(id)) => id.get(),
        (Err(_), Some(id)) => existing(state, id).await,
        (_, None) => UNKNOWN_PROJECT,
    };
    finish(state, counted, result)
}

/// The project's id if it exists, else the `unknown` counter's.
async fn existing(state: &AppState, project_id: ProjectId) -> i64 {
    match projects::get(&state.db, project_id.get()).await {
        Ok(Some(_)) => project_id.get(),
        Ok(None) => UNKNOWN_PROJECT,
        Err(err) => {
            tracing::warn!("looking up a project for its outcome counter failed: {err}");
            UNKNOWN_PROJECT
        }
    }
}

/// The oldest store URL, without a project: the key decides it.
async fn store_without_project(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let key = request_key(&state, None, query.as_deref(), &headers).await;
    let counted = match &key {
        Ok(Some(key)) => key.project_id.get(),
        _ => UNKNOWN_PROJECT,
    };
    let result = async {
        let key = key?;
        let project_id = key.as_ref().map(|key| key.project_id).ok_or(IngestError::Auth(AuthError::Missing))?;
        receive_store(&state, project_id, key, &headers, body).await
    };
    finish(&state, counted, caught(result).await)
}

/// The request's end, even when processing it panicked: then it is an `internal` rejection, so
/// it is answered and counted like any other.
async fn caught(receive: impl Future<Output = Result<Ingested, IngestError>>) -> Result<Ingested, IngestError> {
    AssertUnwindSafe(receive).catch_unwind().await.unwrap_or_else(|_| {
        tracing::error!("processing an ingest request panicked");
        Err(IngestError::Internal)
    })
}

fn finish(state: &AppState, project_id: i64, result: Result<Ingested, IngestError>) -> Response {
    match result {
        Ok(Ingested::Stored(id)) => {
            state.outcomes.record(project_id, Outcome::Accepted);
            Json(Answer { id: Some(id) }).into_response()
        }
        Ok(Ingested::NoEvent(id)) => {
            state.outcomes.record(project_id, Outcome::Accepted);
            Json(Answer { id }).into_response()
        }
        Ok(Ingested::Filtered(id)) => {
            state.outcomes.record(project_id, Outcome::Rejected(Reason::Filtered));
            Json(Answer { id: Some(id) }).into_response()
        }
        Err(err) => {
            state.outcomes.record(project_id, Outcome::Rejected(err.reason()));
            err.into_response()
        }
    }
}

/// The key the request itself names (query or auth headers), checked against the project and
/// its allowed origins. `None` when the request names no key.
async fn request_key(
    state: &AppState,
    project_id: Option<ProjectId>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Option<IngestKey>, IngestError> {
    let header = |name: header::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    let sources = AuthSources {
        query,
        x_sentry_auth: header(header::HeaderName::from_static("x-sentry-auth")),
        authorization: header(header::AUTHORIZATION),
    };
    match auth::from_request(sources)? {
        Some(key) => authenticate(state, &key, project_id, headers).await.map(Some),
        None => Ok(None),
    }
}

/// The key's events-per-minute limit, when it has one.
fn rate_limit(state: &AppState, key: &IngestKey) -> Option<u32> {
    Some(key.rate_limit_per_minute.unwrap_or(state.limits.default_rate_limit_per_minute)).filter(|limit| *limit > 0)
}

async fn authenticate(
    state: &AppState,
    key: &PublicKey,
    project_id: Option<ProjectId>,
    headers: &HeaderMap,
) -> Result<IngestKey, IngestError> {
    let now = Instant::now();
    let found = match state.ingest_keys.get(key, now) {
        Some(cached) => Some(cached),
        None => {
            let found = projects::ingest_key(&state.db, key).await.map_err(|err| {
                tracing::error!("looking up a DSN key failed: {err}");
                IngestError::StorageUnavailable
            })?;
            if let Some(found) = &found {
                state.ingest_keys.put(key, found.clone(), now);
            }
            found
        }
    };
    let key = found.filter(|key| project_id.is_none_or(|id| key.project_id == id)).ok_or(IngestError::UnknownKey)?;
    origins::check(headers, &key.settings.allowed_origins)?;
    Ok(key)
}

/// Refuses an event for a key already over its limit: checked before the body is decompressed.
fn over_limit(state: &AppState, key: &IngestKey) -> Result<(), IngestError> {
    match rate_limit(state, key) {
        Some(per_minute) => state
            .rate_limiter
            .over(key.key_id, per_minute)
            .map_err(|retry_after| IngestError::RateLimited { retry_after }),
        None => Ok(()),
    }
}

async fn receive_envelope(
    state: &AppState,
    project_id: ProjectId,
    key: Option<IngestKey>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Ingested, IngestError> {
    let received = Utc::now();
    let limit = state.limits.max_envelope_bytes;
    let (encoding, raw) = read_raw(body, headers, limit).await?;
    let key = match key {
        Some(key) => key,
        None => {
            // No key on the request: the envelope header's DSN may name one. Only that first line
            // is decoded before the key is known, so an unauthenticated bomb inflates nothing.
            let line = decompress::decode_first_lines(encoding, &raw, 1, MAX_HEADER_LINE_BYTES)?;
            let dsn = envelope::header(&line)?.dsn.ok_or(AuthError::Missing)?;
            let (key, dsn_project) = auth::from_dsn(&dsn)?;
            if dsn_project != project_id {
                return Err(IngestError::UnknownKey);
            }
            authenticate(state, &key, Some(project_id), headers).await?
        }
    };
    if over_limit(state, &key).is_err() {
        // Over its limit, the key's events are refused after their first item header: only an
        // envelope that starts with something else (a session, a client report) is decoded.
        let head = decompress::decode_first_lines(encoding, &raw, 2, MAX_HEADER_LINE_BYTES)?;
        if envelope::first_item_type(&head).as_deref() == Some("event") {
            over_limit(state, &key)?;
        }
    }
    let envelope = envelope::envelope(decode(encoding, raw, limit).await?)?;
    let event_id = match envelope.headers.event_id.as_deref() {
        Some(raw) => Some(EventId::parse(raw).map_err(|err| IngestError::MalformedEnvelope(err.to_string()))?),
        None => None,
    };
    let sent_at = envelope.headers.sent_at.as_ref().and_then(normalize::timestamp);
    let attachments = attachments(&envelope, state.limits.max_attachment_bytes);
    let Some(item) = envelope.event_item()? else {
        if let (Some(event_id), false) = (&event_id, attachments.is_empty()) {
            stored(state.writer.store_attachments(project_id, event_id.as_str().to_owned(), attachments)).await?;
        }
        return Ok(Ingested::NoEvent(event_id.map(EventId::into_string)));
    };
    if item.payload.len() > state.limits.max_event_bytes {
        return Err(IngestError::TooLarge { limit: state.limits.max_event_bytes });
    }
    process_event(state, &key, &item.payload, event_id, sent_at, received, attachments).await
}

async fn receive_store(
    state: &AppState,
    project_id: ProjectId,
    key: Option<IngestKey>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Ingested, IngestError> {
    let is_envelope = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-sentry-envelope"));
    if is_envelope {
        return receive_envelope(state, project_id, key, headers, body).await;
    }
    let key = key.ok_or(IngestError::Auth(AuthError::Missing))?;
    over_limit(state, &key)?;
    let received = Utc::now();
    let limit = state.limits.max_event_bytes;
    let (encoding, raw) = read_raw(body, headers, limit).await?;
    let body = decode(encoding, raw, limit).await?;
    let payload = protocol::store::event_json(body, limit)?;
    process_event(state, &key, &payload, None, None, received, Vec::new()).await
}

/// Through the pipeline, then into the writer's queue.
async fn process_event(
    state: &AppState,
    key: &IngestKey,
    payload: &[u8],
    event_id: Option<EventId>,
    sent_at: Option<DateTime<Utc>>,
    received: DateTime<Utc>,
    attachments: Vec<NewAttachment>,
) -> Result<Ingested, IngestError> {
    if let Some(per_minute) = rate_limit(state, key) {
        state
            .rate_limiter
            .check(key.key_id, per_minute)
            .map_err(|retry_after| IngestError::RateLimited { retry_after })?;
    }
    let received = Received { payload, event_id, sent_at, received, attachments };
    match pipeline::process(key.project_id, &key.settings, received)? {
        Processed::Store(new) => {
            let event_id = new.event_id.clone();
            stored(state.writer.store(new)).await?;
            Ok(Ingested::Stored(event_id))
        }
        Processed::Filtered(event_id) => Ok(Ingested::Filtered(event_id)),
    }
}

/// Waits for the writer's commit.
async fn stored(write: impl Future<Output = Result<(), StoreError>>) -> Result<(), IngestError> {
    write.await.map_err(|err| match err {
        StoreError::QueueFull => IngestError::QueueFull,
        StoreError::Stopped | StoreError::Failed | StoreError::Refused(_) => IngestError::StorageUnavailable,
    })
}

/// The envelope's attachments, as many as fit in `budget` bytes; the rest are dropped.
fn attachments(envelope: &Envelope, budget: usize) -> Vec<NewAttachment> {
    let mut left = budget;
    let mut kept = Vec::new();
    for item in envelope.items.iter().filter(|item| item.headers.ty == "attachment") {
        if item.payload.len() > left {
            tracing::debug!(size = item.payload.len(), "attachment over the per-event budget dropped");
            continue;
        }
        left -= item.payload.len();
        kept.push(NewAttachment {
            filename: item.header_str("filename").unwrap_or("attachment").chars().take(255).collect(),
            content_type: item
                .header_str("content_type")
                .unwrap_or("application/octet-stream")
                .chars()
                .take(100)
                .collect(),
            attachment_type: item
                .header_str("attachment_type")
                .unwrap_or("event.attachment")
                .chars()
                .take(50)
                .collect(),
            data: item.payload.to_vec(),
        });
    }
    kept
}

/// Reads the body, refusing more than `limit` bytes on the wire, with its Content-Encoding.
async fn read_raw(body: Body, headers: &HeaderMap, limit: usize) -> Result<(Encoding, Bytes), IngestError> {
    let encoding = Encoding::from_header(headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()))?;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(IngestError::TooLarge { limit });
    }
    let raw = axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large =
            std::error::Error::source(&err).is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large { IngestError::TooLarge { limit } } else { IngestError::BodyRead }
    })?;
    Ok((encoding, raw))
}

/// Decodes the body, refusing more than `limit` decoded bytes.
async fn decode(encoding: Encoding, raw: Bytes, limit: usize) -> Result<Bytes, IngestError> {
    if encoding == Encoding::Identity {
        return Ok(decompress::decode(encoding, raw, limit)?);
    }
    // Inflating is CPU work: keep it off the async workers.
    let decoded = tokio::task::spawn_blocking(move || decompress::decode(encoding, raw, limit))
        .await
        .map_err(|_| IngestError::CorruptBody(encoding.name()))?;
    Ok(decoded?)
}

/// Maps the ingest URLs SDKs produce onto the routes: a DSN with a path prefix
/// (`/prefix/sub/api/7/envelope/`) and a missing trailing slash. `None` when `uri` needs no change.
pub fn canonical_path(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let (rest, endpoint) = trimmed.rsplit_once('/')?;
    if endpoint != "envelope" && endpoint != "store" {
        return None;
    }
    let (before_id, id) = rest.rsplit_once('/')?;
    let canonical = if id == "api" && endpoint == "store" {
        "/api/store/".to_owned()
    } else if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && before_id.ends_with("/api") {
        format!("/api/{id}/{endpoint}/")
    } else {
        return None;
    };
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

    #[tokio::test]
    async fn a_panic_while_receiving_is_an_internal_rejection() {
        let panics = async { panic!("a bug") };
        let ended = caught(panics).await;
        assert!(matches!(ended, Err(IngestError::Internal)));
        assert_eq!(IngestError::Internal.reason(), Reason::Internal);
        assert_eq!(IngestError::Internal.into_response().status(), 500);
    }

    fn canonical(raw: &str) -> Option<String> {
        canonical_path(&raw.parse().expect("uri")).map(|uri| uri.to_string())
    }

    #[test]
    fn prefixed_and_slashless_ingest_paths_map_to_the_routes() {
        assert_eq!(canonical("/prefix/sub/api/7/envelope/").as_deref(), Some("/api/7/envelope/"));
        assert_eq!(canonical("/api/7/envelope?sentry_key=k").as_deref(), Some("/api/7/envelope/?sentry_key=k"));
        assert_eq!(canonical("/p/api/42/store").as_deref(), Some("/api/42/store/"));
        assert_eq!(canonical("/p/api/store").as_deref(), Some("/api/store/"));
    }

    #[test]
    fn other_paths_are_left_alone() {
        assert_eq!(canonical("/api/7/envelope/"), None);
        assert_eq!(canonical("/api/store/"), None);
        assert_eq!(canonical("/api/x/envelope/"), None);
        assert_eq!(canonical("/issues/7/envelope"), None);
        assert_eq!(canonical("/api/0/issues/"), None);
        assert_eq!(canonical("/"), None);
    }
}
