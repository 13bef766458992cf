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
}

/// The longest window a frequency trigger counts over: the minute counters are kept a day.
pub const MAX_WINDOW_MINUTES: u32 = 24 * 60;
/// A rule fires at most once per interval for an issue: from a minute to a week.
pub const MIN_INTERVAL_MINUTES: u32 = 1;
pub const MAX_INTERVAL_MINUTES: u32 = 7 * 24 * 60;
pub const DEFAULT_INTERVAL_MINUTES: u32 = 30;

impl Trigger {
    /// The name of its kind: `new_issue`, `regression`, `escalation`, `frequency`.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::NewIssue => "new_issue",
            Trigger::Regression => "regression",
            Trigger::Escalation => "escalation",
            Trigger::Frequency { .. } => "frequency",
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
        }
    }

    /// Why the trigger cannot be, if it cannot.
    pub fn check(self) -> Result<(), String> {
        match self {
            Trigger::Frequency { events: 0, .. } => Err("a frequency trigger counts at least 1 event".to_owned()),
            Trigger::Frequency { minutes, .. } if !(1..=MAX_WINDOW_MINUTES).contains(&minutes) => {
                Err(format!("a frequency trigger counts over 1 to {MAX_WINDOW_MINUTES} minutes"))
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
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 5] =
        [ChannelKind::Slack, ChannelKind::Mattermost, ChannelKind::Discord, ChannelKind::Teams, ChannelKind::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Mattermost => "mattermost",
            ChannelKind::Discord => "discord",
            ChannelKind::Teams => "teams",
            ChannelKind::Webhook => "webhook",
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
    /// `https://hooks.slack.com/…`: the scheme and host, the rest masked.
    pub url: String,
    /// Since when its deliveries fail, and the last reason; `None` while they succeed.
    pub failing: Option<ChannelFailure>,
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
    pub url: String,
    /// The generic webhook's signing secret [default: a new random one, answered once].
    #[serde(default)]
    pub secret: Option<String>,
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

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver accepted it.
    Sent,
    /// Given up: the receiver refused it, or every attempt failed.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<DeliveryState> {
        [DeliveryState::Pending, DeliveryState::Sent, DeliveryState::Failed].into_iter().find(|s| s.as_str() == raw)
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
    /// What fired: `new_issue`, `regression`, `escalation`, `frequency`, or `test`.
    pub trigger: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// When the latest attempt ended.
    pub attempted_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status.
    pub status_code: Option<u16>,
    /// Why the latest attempt failed.
    pub error: Option<String>,
    /// How long the latest attempt took.
    pub latency_ms: Option<u32>,
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
}
