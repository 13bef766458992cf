//! What the writer stores for a new event, prepared before it is queued (by the ingest
//! pipeline) so the writer only writes; and the stored payload's format.

use app::event::Event;
use app::model::Level;
use chrono::{DateTime, Utc};
use protocol::ids::ProjectId;

/// zstd level for stored payloads: fast, and about 4× smaller than the JSON.
const PAYLOAD_COMPRESSION_LEVEL: i32 = 3;

/// An event ready to be stored: everything the writer needs, computed before it is queued (by
/// the ingest pipeline) so the writer only writes.
#[derive(Debug)]
pub struct NewEvent {
    pub project_id: ProjectId,
    pub event_id: String,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: Level,
    pub title: String,
    pub culprit: String,
    /// The fingerprint hashes, the primary first: the event joins the issue owning any.
    pub hashes: Vec<String>,
    /// The grouping rules that made them, kept on a new issue.
    pub grouping_version: &'static str,
    pub release: Option<String>,
    /// The affected user (`id:…`, `email:…`, `username:…` or `ip:…`).
    pub user_key: Option<String>,
    /// What the issue counts the event under.
    pub tags: Vec<(String, String)>,
    /// The normalized event as zstd-compressed JSON.
    pub payload: Vec<u8>,
    pub attachments: Vec<NewAttachment>,
}

/// A file sent with an event.
#[derive(Debug)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub attachment_type: String,
    pub data: Vec<u8>,
}

/// The normalized event as it is stored: zstd-compressed JSON.
pub fn encode_payload(event: &Event) -> Result<Vec<u8>, std::io::Error> {
    let json = serde_json::to_vec(event)?;
    zstd::encode_all(&json[..], PAYLOAD_COMPRESSION_LEVEL)
}

/// Reads a stored payload back into the event.
pub fn decode_payload(payload: &[u8]) -> Result<Event, std::io::Error> {
    let json = zstd::decode_all(payload)?;
    Ok(serde_json::from_slice(&json)?)
}
