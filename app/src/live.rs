//! Messages the server pushes to every open dashboard over `/api/0/live`.

use crate::alerts::Delivery;
use crate::dto::Activity;
use crate::model::{EventSummary, IssueSummary};
use serde::{Deserialize, Serialize};

/// Path of the dashboard's WebSocket.
pub const LIVE_PATH: &str = "/api/0/live";

/// One message on the live socket. `seq` increases by one per message the server publishes, so a
/// client that sees a gap knows it missed something and refetches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveUpdate {
    pub seq: u64,
    #[serde(flatten)]
    pub change: LiveChange,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveChange {
    /// Sent once when the socket opens; `seq` is the last message published before it.
    Connected,
    /// The first event of a new issue was stored.
    IssueCreated { issue: IssueSummary },
    /// An existing issue changed: more events, a new last-seen time, a new status.
    IssueUpdated { issue: IssueSummary },
    /// New events of an issue were stored (the issue page's live tail).
    EventsAdded { project_id: i64, issue_id: i64, events: Vec<EventSummary> },
    /// A teammate (or the system) triaged or commented on an issue.
    ActivityAdded { project_id: i64, activity: Activity },
    /// An alert delivery was queued, attempted, sent or given up (the issue page and the channel's
    /// log show it).
    DeliveryChanged { delivery: Box<Delivery> },
    /// The server dropped messages for this client (it read too slowly), or the user's projects
    /// changed: refetch everything.
    Resync,
    /// The user was signed out, disabled or lost their session: the socket closes after this.
    SignedOut,
}

impl LiveChange {
    /// The project the change belongs to; `None` for messages about the connection.
    pub fn project_id(&self) -> Option<i64> {
        match self {
            LiveChange::IssueCreated { issue } | LiveChange::IssueUpdated { issue } => Some(issue.project_id),
            LiveChange::EventsAdded { project_id, .. } | LiveChange::ActivityAdded { project_id, .. } => {
                Some(*project_id)
            }
            LiveChange::DeliveryChanged { delivery } => Some(delivery.project_id),
            LiveChange::Connected | LiveChange::Resync | LiveChange::SignedOut => None,
        }
    }
}
