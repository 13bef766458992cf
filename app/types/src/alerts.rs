//! Alerts as the API carries them: a project's channels (where notifications go), its rules (what
//! fires, for which events, how often at most) and the deliveries made (the delivery log).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What makes a rule fire for an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// The first event of a new issue.
    NewIssue,
    /// A resolved issue happened again (for "resolved in the next release": in a later release).
    Regression,
    /// An ignored issue met the condition it was ignored until.
    Escalation,
    /// At least `events` events of the issue arrived within the last `minutes`.
    Frequency { events: u32, minutes: u32 },
    /// At least `users` distinct users had an event of the issue within the last `minutes`.
    Users { users: u32, minutes: u32 },
    /// The issue is still unresolved and unassigned `hours` after it first appeared.
    Unattended { hours: u32 },
}

/// The longest window a frequency trigger counts over: the minute counters are kept a day.
pub const MAX_WINDOW_MINUTES: u32 = 24 * 60;
/// A rule fires at most once per interval for an issue: from a minute to a week.
pub const MIN_INTERVAL_MINUTES: u32 = 1;
pub const MAX_INTERVAL_MINUTES: u32 = 7 * 24 * 60;
pub const DEFAULT_INTERVAL_MINUTES: u32 = 30;
/// The longest an unattended trigger waits: 30 days.
pub const MAX_UNATTENDED_HOURS: u32 = 30 * 24;
/// A channel sends at most this many deliveries in a rolling hour unless set otherwise.
pub const DEFAULT_HOURLY_CAP: u32 = 60;
pub const MAX_HOURLY_CAP: u32 = 10_000;
/// The trigger of a digest: the deliveries a channel's hourly cap held back, in one message.
pub const DIGEST: &str = "digest";
/// The trigger of a channel's test send.
pub const TEST: &str = "test";

impl Trigger {
    /// The name of its kind: `new_issue`, `regression`, `escalation`, `frequency`.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::NewIssue => "new_issue",
            Trigger::Regression => "regression",
            Trigger::Escalation => "escalation",
            Trigger::Frequency { .. } => "frequency",
            Trigger::Users { .. } => "users",
            Trigger::Unattended { .. } => "unattended",
        }
    }

    /// "New issue", "Regression", "120 events in 5 minutes".
    pub fn describe(self) -> String {
        match self {
            Trigger::NewIssue => "New issue".to_owned(),
            Trigger::Regression => "Regression".to_owned(),
            Trigger::Escalation => "Escalation".to_owned(),
            Trigger::Frequency { events, minutes } => {
                format!("{} in {}", crate::model::counted(events.into(), "event"), counted_minutes(minutes))
            }
            Trigger::Users { users, minutes } => {
                format!("{} in {}", crate::model::counted(users.into(), "user"), counted_minutes(minutes))
            }
            Trigger::Unattended { hours } => {
                format!("Unresolved and unassigned for {}", crate::model::counted(hours.into(), "hour"))
            }
        }
    }

    /// Why the trigger cannot be, if it cannot.
    pub fn check(self) -> Result<(), String> {
        match self {
            Trigger::Frequency { events: 0, .. } => Err("a frequency trigger counts at least 1 event".to_owned()),
            Trigger::Users { users: 0, .. } => Err("a users trigger counts at least 1 user".to_owned()),
            Trigger::Frequency { minutes, .. } | Trigger::Users { minutes, .. }
                if !(1..=MAX_WINDOW_MINUTES).contains(&minutes) =>
            {
                Err(format!("a {} trigger counts over 1 to {MAX_WINDOW_MINUTES} minutes", self.name()))
            }
            Trigger::Unattended { hours } if !(1..=MAX_UNATTENDED_HOURS).contains(&hours) => {
                Err(format!("an unattended trigger waits 1 to {MAX_UNATTENDED_HOURS} hours"))
            }
            _ => Ok(()),
        }
    }
}

fn counted_minutes(minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        crate::model::counted((minutes / 60).into(), "hour")
    } else {
        crate::model::counted(minutes.into(), "minute")
    }
}

/// Where a channel delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A Slack incoming webhook (Block Kit).
    Slack,
    /// A Mattermost incoming webhook (Slack-compatible attachments).
    Mattermost,
    /// A Discord webhook (an embed).
    Discord,
    /// A Microsoft Teams workflow webhook (an Adaptive Card).
    Teams,
    /// Any HTTP receiver: Faultline's own versioned JSON body, signed with HMAC-SHA256.
    Webhook,
    /// Email over the server's SMTP relay, to the addresses of a `mailto:` URL.
    Email,
    /// Email over the server's SMTP relay to each of the project's members who opted in to its
    /// alert emails (as blind copies); it has no URL.
    Members,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 7] = [
        ChannelKind::Slack,
        ChannelKind::Mattermost,
        ChannelKind::Discord,
        ChannelKind::Teams,
        ChannelKind::Webhook,
        ChannelKind::Email,
        ChannelKind::Members,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Mattermost => "mattermost",
            ChannelKind::Discord => "discord",
            ChannelKind::Teams => "teams",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Email => "email",
            ChannelKind::Members => "members",
        }
    }

    pub fn parse(raw: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A channel as its project's members see it: the URL is a secret, shown masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelInfo {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub kind: ChannelKind,
    /// `https://hooks.slack.com/…`: the scheme and host, the rest masked; an email channel's
    /// `mailto:` URL in full; empty for a members channel.
    pub url: String,
    /// Since when its deliveries fail, and the last reason; `None` while they succeed.
    pub failing: Option<ChannelFailure>,
    /// Deliveries sent in a rolling hour at most; the rest go out together as one digest.
    pub hourly_cap: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelFailure {
    pub since: DateTime<Utc>,
    pub error: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    /// The webhook's URL; for email, `mailto:ops@example.com,dev@example.com` (or just the
    /// addresses, separated by commas); none for a members channel.
    #[serde(default)]
    pub url: String,
    /// The generic webhook's signing secret [default: a new random one, answered once].
    #[serde(default)]
    pub secret: Option<String>,
    /// Deliveries sent in a rolling hour at most [default: 60].
    #[serde(default = "default_hourly_cap")]
    pub hourly_cap: u32,
}

fn default_hourly_cap() -> u32 {
    DEFAULT_HOURLY_CAP
}

/// A new channel, with the generic webhook's signing secret: the only time it is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedChannel {
    pub channel: ChannelInfo,
    pub secret: Option<String>,
}

/// Any of a channel's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub hourly_cap: Option<u32>,
}

/// Whether the caller gets the project's alerts by email, through its members channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertSubscription {
    pub subscribed: bool,
}

/// Which personal emails a user wants: an issue someone else assigned them, a comment someone
/// else made on an issue assigned to them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    pub assigned: bool,
    pub comments: bool,
}

/// A rule: when any of its triggers happens to an issue of the project and the event matches the
/// filter, each of its channels is notified — once per interval for that issue at most.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleInfo {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub triggers: Vec<Trigger>,
    /// A query of the search language, e.g. `level:error environment:production`; empty for all.
    pub filter: String,
    pub interval_minutes: u32,
    pub channels: Vec<i64>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRule {
    pub name: String,
    pub triggers: Vec<Trigger>,
    #[serde(default)]
    pub filter: String,
    #[serde(default = "default_interval")]
    pub interval_minutes: u32,
    pub channels: Vec<i64>,
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn default_interval() -> u32 {
    DEFAULT_INTERVAL_MINUTES
}

fn enabled() -> bool {
    true
}

/// Any of a rule's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub triggers: Option<Vec<Trigger>>,
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub interval_minutes: Option<u32>,
    #[serde(default)]
    pub channels: Option<Vec<i64>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// How far back a preview replays a rule.
pub const PREVIEW_DAYS: u32 = 7;

/// What decides when a rule fires: what a preview replays over the stored history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleDraft {
    pub triggers: Vec<Trigger>,
    #[serde(default)]
    pub filter: String,
    #[serde(default = "default_interval")]
    pub interval_minutes: u32,
}

/// "This rule would have fired N times in the last 7 days", and for which issues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RulePreview {
    /// The start of the replayed history, [`PREVIEW_DAYS`] ago.
    pub since: DateTime<Utc>,
    /// Notifications the rule would have sent per channel.
    pub fired: u32,
    /// Issues it would have fired for.
    pub issues: u32,
    /// The issues it fired for most recently, a few.
    pub examples: Vec<PreviewIssue>,
    /// Where the history is coarser than the rule, what makes the number approximate.
    pub estimated: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewIssue {
    pub issue_id: i64,
    pub title: String,
    /// Times the rule would have fired for it.
    pub fired: u32,
    pub last_fired: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver accepted it.
    Sent,
    /// Given up: the receiver refused it, or every attempt failed.
    Failed,
    /// Held back by the channel's hourly cap, to go out in the next digest.
    Held,
    /// Sent within a digest.
    Digested,
}

impl DeliveryState {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Held => "held",
            DeliveryState::Digested => "digested",
        }
    }

    pub fn parse(raw: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Sent,
            DeliveryState::Failed,
            DeliveryState::Held,
            DeliveryState::Digested,
        ]
        .into_iter()
        .find(|state| state.as_str() == raw)
    }
}

/// One notification to one channel, and how its delivery went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// The idempotency id a receiver sees in `X-Faultline-Delivery`.
    pub id: String,
    pub project_id: i64,
    pub channel_id: i64,
    pub channel: String,
    /// The rule that fired; `None` for a test send.
    pub rule_id: Option<i64>,
    pub rule: Option<String>,
    pub issue_id: Option<i64>,
    /// What fired: a trigger's name, [`DIGEST`] or [`TEST`].
    pub trigger: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// When the latest attempt ended.
    pub attempted_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status, or the SMTP server's reply code.
    pub status_code: Option<u16>,
    /// Why the latest attempt failed.
    pub error: Option<String>,
    /// How long the latest attempt took.
    pub latency_ms: Option<u32>,
    /// The id of the digest it went out in, once the hourly cap held it back.
    pub digest: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_travel_as_tagged_objects() {
        let triggers = vec![Trigger::NewIssue, Trigger::Frequency { events: 100, minutes: 60 }];
        let json = serde_json::to_string(&triggers).expect("json");
        assert_eq!(json, r#"[{"type":"new_issue"},{"type":"frequency","events":100,"minutes":60}]"#);
        assert_eq!(serde_json::from_str::<Vec<Trigger>>(&json).expect("parses"), triggers);
    }

    #[test]
    fn a_frequency_trigger_counts_something_over_a_day_at_most() {
        assert_eq!(Trigger::Frequency { events: 100, minutes: 60 }.describe(), "100 events in 1 hour");
        assert!(Trigger::Frequency { events: 0, minutes: 5 }.check().is_err());
        assert!(Trigger::Frequency { events: 1, minutes: 0 }.check().is_err());
        assert!(Trigger::Frequency { events: 1, minutes: MAX_WINDOW_MINUTES + 1 }.check().is_err());
        assert!(Trigger::Frequency { events: 1, minutes: MAX_WINDOW_MINUTES }.check().is_ok());
    }

    #[test]
    fn users_and_unattended_triggers_say_what_they_wait_for() {
        assert_eq!(Trigger::Users { users: 50, minutes: 30 }.describe(), "50 users in 30 minutes");
        assert_eq!(Trigger::Unattended { hours: 4 }.describe(), "Unresolved and unassigned for 4 hours");
        let json = serde_json::to_string(&Trigger::Unattended { hours: 4 }).expect("json");
        assert_eq!(json, r#"{"type":"unattended","hours":4}"#);
        assert!(Trigger::Users { users: 0, minutes: 5 }.check().is_err());
        assert!(Trigger::Users { users: 5, minutes: MAX_WINDOW_MINUTES + 1 }.check().is_err());
        assert!(Trigger::Unattended { hours: 0 }.check().is_err());
        assert!(Trigger::Unattended { hours: MAX_UNATTENDED_HOURS + 1 }.check().is_err());
        assert!(Trigger::Unattended { hours: MAX_UNATTENDED_HOURS }.check().is_ok());
    }
}
