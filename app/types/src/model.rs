//! Types that cross the wire between the server and the dashboard.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Severity of an event or issue, as the Sentry protocol names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Debug,
    Info,
    Warning,
    #[default]
    Error,
    Fatal,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 5] = [Level::Debug, Level::Info, Level::Warning, Level::Error, Level::Fatal];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }

    /// Reads a level the way Relay does: names, their aliases, and Python's numeric levels.
    pub fn parse(raw: &str) -> Option<Level> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "debug" | "trace" | "10" => Some(Level::Debug),
            "info" | "log" | "20" => Some(Level::Info),
            "warning" | "warn" | "30" => Some(Level::Warning),
            "error" | "40" => Some(Level::Error),
            "fatal" | "critical" | "50" => Some(Level::Fatal),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an issue stands in the team's triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    #[default]
    Unresolved,
    Resolved,
    Ignored,
}

impl IssueStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "unresolved",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Ignored => "ignored",
        }
    }
}

impl fmt::Display for IssueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown issue status `{0}`")]
pub struct UnknownStatus(pub String);

impl FromStr for IssueStatus {
    type Err = UnknownStatus;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw {
            "unresolved" => Ok(IssueStatus::Unresolved),
            "resolved" => Ok(IssueStatus::Resolved),
            "ignored" => Ok(IssueStatus::Ignored),
            other => Err(UnknownStatus(other.to_owned())),
        }
    }
}

/// Why an unresolved issue needs a look again: it came back after being resolved, or its
/// ignore condition was met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Substatus {
    Regressed,
    Escalating,
}

impl Substatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Substatus::Regressed => "regressed",
            Substatus::Escalating => "escalating",
        }
    }

    pub fn parse(raw: &str) -> Option<Substatus> {
        [Substatus::Regressed, Substatus::Escalating].into_iter().find(|s| s.as_str() == raw)
    }
}

/// How long an ignored issue stays ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IgnoreUntil {
    Forever,
    /// For this many minutes.
    Minutes(u32),
    /// Until this many more events.
    MoreEvents(u32),
    /// Until this many more users are affected.
    MoreUsers(u32),
}

impl IgnoreUntil {
    /// "forever", "for 30 minutes", "until 10 more events", "until 5 more users".
    pub fn describe(self) -> String {
        match self {
            IgnoreUntil::Forever => "forever".to_owned(),
            IgnoreUntil::Minutes(minutes) if minutes % 1440 == 0 => plural(minutes / 1440, "day", "for"),
            IgnoreUntil::Minutes(minutes) if minutes % 60 == 0 => plural(minutes / 60, "hour", "for"),
            IgnoreUntil::Minutes(minutes) => plural(minutes, "minute", "for"),
            IgnoreUntil::MoreEvents(events) => plural(events, "more event", "until"),
            IgnoreUntil::MoreUsers(users) => plural(users, "more user", "until"),
        }
    }
}

fn plural(count: u32, noun: &str, preposition: &str) -> String {
    format!("{preposition} {}", counted(count.into(), noun))
}

/// "1 event", "1,258 events".
pub fn counted(count: i64, noun: &str) -> String {
    let s = if count == 1 { "" } else { "s" };
    format!("{} {noun}{s}", thousands(count))
}

/// A count with thousands separated: "1,258".
pub fn thousands(count: i64) -> String {
    let digits = count.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if count < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A count in at most five characters, for narrow columns: "1,258", "12.6K", "3.4M"; the exact
/// number goes in the title.
pub fn short_count(count: i64) -> String {
    let (unit, size) = match count.unsigned_abs() {
        0..10_000 => return thousands(count),
        10_000..1_000_000 => ("K", 1_000),
        1_000_000..1_000_000_000 => ("M", 1_000_000),
        _ => ("B", 1_000_000_000),
    };
    // Cut, not rounded: 999,999 is not "1000.0K".
    let (whole, tenth) = (count / size, (count % size).abs() * 10 / size);
    if whole.abs() >= 100 { format!("{whole}{unit}") } else { format!("{whole}.{tenth}{unit}") }
}

/// The teammate an issue is assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignee {
    pub id: i64,
    pub email: String,
}

/// A user's role in a project. Each role may do what the ones before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads issues and events.
    Viewer,
    /// Also triages: resolves, ignores, assigns, comments.
    Member,
    /// Also manages the project: settings, DSN keys, members.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Member, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may do: `read` as a viewer, `write` as a member, `admin` as an admin, and
/// never more than its user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == raw)
    }

    /// The highest project role the scope allows.
    pub fn max_role(self) -> Role {
        match self {
            Scope::Read => Role::Viewer,
            Scope::Write => Role::Member,
            Scope::Admin => Role::Admin,
        }
    }
}

/// One row of the issue list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueSummary {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub culprit: String,
    pub level: Level,
    pub status: IssueStatus,
    #[serde(default)]
    pub substatus: Option<Substatus>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub event_count: i64,
    /// Distinct users who met it.
    #[serde(default)]
    pub user_count: i64,
    #[serde(default)]
    pub assignee: Option<Assignee>,
    /// Events in each of the last 24 hours, oldest first, the last one the current hour; given in
    /// lists of issues (the sparklines), empty elsewhere.
    #[serde(default)]
    pub last_24h: Vec<i64>,
    /// When an ignored issue comes back by itself; absent when it is not ignored or ignored
    /// forever. Boxed: most issues have none, and summaries travel in every live message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snooze: Option<Box<Snooze>>,
}

/// What brings an ignored issue back: a time, or the event or user count it reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snooze {
    pub until: Option<DateTime<Utc>>,
    pub until_events: Option<i64>,
    pub until_users: Option<i64>,
}

impl IssueSummary {
    /// "until Dec 8, 14:00 UTC", "until 7 more events", "until 3 more users", or several joined
    /// by "or"; nothing when the issue is not waiting for anything.
    pub fn snoozed_until(&self) -> Option<String> {
        let snooze = self.snooze.as_deref()?;
        let more = |target: i64, now: i64, noun: &str| {
            let more = (target - now).max(1);
            format!("{} more {noun}{}", thousands(more), if more == 1 { "" } else { "s" })
        };
        let parts: Vec<String> = [
            snooze.until.map(|at| at.format("%b %-d, %H:%M UTC").to_string()),
            snooze.until_events.map(|target| more(target, self.event_count, "event")),
            snooze.until_users.map(|target| more(target, self.user_count, "user")),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| format!("until {}", parts.join(" or ")))
    }
}

/// One event in a list of an issue's events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventSummary {
    pub event_id: String,
    pub issue_id: i64,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: Level,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Who met it: `id:…`, `email:…`, `username:…` or `ip:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The log message, formatted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A file an SDK sent with an event; the bytes are downloaded separately.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentInfo {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub attachment_type: String,
    pub size: i64,
}

/// A whole stored event with what belongs to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventDetail {
    pub issue_id: i64,
    pub event: crate::event::Event,
    pub attachments: Vec<AttachmentInfo>,
    /// The issue's events around this one, by time.
    #[serde(default)]
    pub neighbors: EventNeighbors,
}

/// Why an event is in its issue: each way of grouping it, its hash and what made that hash,
/// and whether the issue owns the hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupingInfo {
    /// The grouping the issue was opened with.
    pub version: String,
    /// The fingerprint the SDK set, if any.
    pub fingerprint: Option<Vec<String>>,
    pub variants: Vec<GroupingVariant>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupingVariant {
    /// `app` (in-app frames), `system` (all frames), `default` (the message),
    /// `custom-fingerprint`, `checksum`, `fallback`.
    pub name: String,
    /// `None` when nothing contributes.
    pub hash: Option<String>,
    /// Whether this issue owns the hash.
    pub of_this_issue: bool,
    /// The values hashed, in order: modules, functions, context lines, types, messages.
    pub values: Vec<String>,
    /// Why the variant does not contribute, when it does not.
    pub hint: Option<String>,
}

/// Ids of the events to step to from one event of an issue; `None` at either end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventNeighbors {
    pub oldest: Option<String>,
    pub older: Option<String>,
    pub newer: Option<String>,
    pub newest: Option<String>,
}

/// How the ingest requests of one project ended since the server started:
/// `received == accepted + rejected.values().sum()`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectOutcomes {
    /// 0 for requests whose URL named no valid project.
    pub project_id: i64,
    pub received: u64,
    pub accepted: u64,
    /// Rejected requests by reason: `unauthorized`, `invalid`, `too_large`, `rate_limited`,
    /// `filtered`, `queue_full`, `internal`.
    pub rejected: std::collections::BTreeMap<String, u64>,
}

/// The current time, from the browser's clock in wasm and the system clock elsewhere.
pub fn now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    {
        let millis = js_sys::Date::now() as i64;
        DateTime::from_timestamp_millis(millis).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Utc::now()
    }
}

/// "just now", "42s ago", "5 min ago", "3 h ago", "12 d ago", "4 mo ago", "2 y ago": the one
/// relative form of every time the dashboard shows; [`absolute`] goes in its title.
pub fn time_ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    const DAY: i64 = 86_400;
    const TWO_MONTHS: i64 = 60 * DAY;
    const TWO_YEARS: i64 = 730 * DAY;
    let seconds = (now - then).num_seconds().max(0);
    match seconds {
        0..=4 => "just now".to_owned(),
        5..=59 => format!("{seconds}s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..DAY => format!("{} h ago", seconds / 3600),
        DAY..TWO_MONTHS => format!("{} d ago", seconds / DAY),
        TWO_MONTHS..TWO_YEARS => format!("{} mo ago", seconds / (30 * DAY)),
        _ => format!("{} y ago", seconds / (365 * DAY)),
    }
}

/// The exact time, as the title of a relative one: "2026-12-07 01:35:23 UTC".
pub fn absolute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ignored_issue_says_what_brings_it_back() {
        let at = DateTime::<Utc>::from_timestamp(1_765_202_400, 0).expect("time");
        let mut issue = IssueSummary {
            id: 1,
            project_id: 1,
            title: String::new(),
            culprit: String::new(),
            level: Level::Error,
            status: IssueStatus::Ignored,
            substatus: None,
            first_seen: at,
            last_seen: at,
            event_count: 3,
            user_count: 2,
            assignee: None,
            last_24h: Vec::new(),
            snooze: None,
        };
        assert_eq!(issue.snoozed_until(), None, "ignored forever");
        issue.snooze = Some(Box::new(Snooze { until: None, until_events: Some(13), until_users: None }));
        assert_eq!(issue.snoozed_until().as_deref(), Some("until 10 more events"));
        issue.snooze = Some(Box::new(Snooze { until: Some(at), until_events: Some(4), until_users: Some(3) }));
        assert_eq!(issue.snoozed_until().as_deref(), Some("until Dec 8, 14:00 UTC or 1 more event or 1 more user"));
    }

    #[test]
    fn level_accepts_relay_aliases_and_python_numbers() {
        assert_eq!(Level::parse("critical"), Some(Level::Fatal));
        assert_eq!(Level::parse("log"), Some(Level::Info));
        assert_eq!(Level::parse("WARNING"), Some(Level::Warning));
        assert_eq!(Level::parse("40"), Some(Level::Error));
        assert_eq!(Level::parse("loud"), None);
    }

    #[test]
    fn time_ago_reads_like_a_person_would_say_it() {
        let now = Utc::now();
        assert_eq!(time_ago(now, now), "just now");
        assert_eq!(time_ago(now - chrono::Duration::seconds(42), now), "42s ago");
        assert_eq!(time_ago(now - chrono::Duration::minutes(5), now), "5 min ago");
        assert_eq!(time_ago(now - chrono::Duration::hours(3), now), "3 h ago");
        assert_eq!(time_ago(now - chrono::Duration::days(12), now), "12 d ago");
        assert_eq!(time_ago(now + chrono::Duration::seconds(30), now), "just now");
        assert_eq!(time_ago(now - chrono::Duration::days(59), now), "59 d ago");
        assert_eq!(time_ago(now - chrono::Duration::days(130), now), "4 mo ago");
        assert_eq!(time_ago(now - chrono::Duration::days(800), now), "2 y ago");
    }

    #[test]
    fn counts_read_at_a_glance() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1258), "1,258");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1258), "-1,258");
        assert_eq!(counted(2341, "issue"), "2,341 issues");
        assert_eq!(short_count(9_999), "9,999");
        assert_eq!(short_count(12_600), "12.6K");
        assert_eq!(short_count(999_999), "999K");
        assert_eq!(short_count(3_456_789), "3.4M");
        assert_eq!(short_count(120_000_000), "120M");
    }

    #[test]
    fn ignore_periods_read_like_a_sentence() {
        assert_eq!(IgnoreUntil::Forever.describe(), "forever");
        assert_eq!(IgnoreUntil::Minutes(30).describe(), "for 30 minutes");
        assert_eq!(IgnoreUntil::Minutes(60).describe(), "for 1 hour");
        assert_eq!(IgnoreUntil::Minutes(2880).describe(), "for 2 days");
        assert_eq!(IgnoreUntil::MoreEvents(1).describe(), "until 1 more event");
        assert_eq!(IgnoreUntil::MoreUsers(10).describe(), "until 10 more users");
    }

    #[test]
    fn issue_status_round_trips_through_its_name() {
        for status in [IssueStatus::Unresolved, IssueStatus::Resolved, IssueStatus::Ignored] {
            assert_eq!(status.as_str().parse::<IssueStatus>(), Ok(status));
        }
        assert!("gone".parse::<IssueStatus>().is_err());
    }
}
