//! The pipeline: an event payload as received becomes what the store keeps. `normalize` →
//! `scrub` → contexts from the `user_agent` → the inbound `filters` → [`prepare`] (`grouping`
//! by the stack trace rules and the fingerprint; title, culprit, tags, the affected user, the
//! compressed payload). Work on values only: no HTTP, no database, no state but memos of what
//! parsing a user agent or a project's rules gave.

use super::error::IngestError;
use super::{filters, grouping, normalize, scrub, user_agent};
use crate::store::new_event::{self, NewAttachment, NewEvent};
use crate::store::projects::IngestSettings;
use app::event::Event;
use app::tags;
use chrono::{DateTime, Utc};
use protocol::ids::{EventId, ProjectId};

/// What the pipeline made of an event.
#[derive(Debug)]
pub enum Processed {
    /// Ready for the writer.
    Store(Box<NewEvent>),
    /// An inbound filter dropped the event with this id.
    Filtered(String),
}

/// A received event, with what its envelope said about it.
pub struct Received<'a> {
    pub payload: &'a [u8],
    /// The envelope header's event id, which wins over the payload's.
    pub event_id: Option<EventId>,
    /// When the SDK sent it, to correct its clock.
    pub sent_at: Option<DateTime<Utc>>,
    pub received: DateTime<Utc>,
    pub attachments: Vec<NewAttachment>,
}

/// Runs the event through the pipeline for a project with `settings`.
pub fn process(
    project_id: ProjectId,
    settings: &IngestSettings,
    received: Received<'_>,
) -> Result<Processed, IngestError> {
    let mut event = normalize::event(received.payload, received.event_id, received.sent_at, received.received)
        .map_err(|err| IngestError::InvalidEvent(err.to_string()))?;
    scrub::event(&mut event, settings);
    user_agent::fill_contexts(&mut event);
    if settings.filter_browser_extensions
        && let Some(filter) = filters::browser_extension(&event)
    {
        tracing::debug!(filter, event_id = %event.event_id, "event filtered");
        return Ok(Processed::Filtered(event.event_id));
    }
    let new = prepare(project_id, &mut event, settings, received.attachments).map_err(|err| {
        tracing::error!("encoding an event failed: {err}");
        IngestError::StorageUnavailable
    })?;
    Ok(Processed::Store(Box::new(new)))
}

/// What the store keeps of a normalized (and scrubbed) event: its issue's hashes (its frames
/// marked by the project's stack trace rules), the fields the issue and its counters take, and
/// the compressed payload.
pub fn prepare(
    project_id: ProjectId,
    event: &mut Event,
    settings: &IngestSettings,
    attachments: Vec<NewAttachment>,
) -> Result<NewEvent, std::io::Error> {
    let grouping = grouping::apply(event, settings);
    let event = &*event;
    Ok(NewEvent {
        project_id,
        event_id: event.event_id.clone(),
        timestamp: event.timestamp,
        received: event.received,
        level: event.level,
        title: event.title(),
        culprit: event.culprit(),
        hashes: grouping.hashes,
        grouping_version: grouping.version,
        release: event.release.clone(),
        environment: event.environment.clone(),
        message: event.message().map(str::to_owned),
        user_key: tags::user_key(event),
        tags: tags::of(event),
        payload: new_event::encode_payload(event)?,
        attachments,
    })
}
