//! Requests and answers of the REST API (`/api/0/`), which the dashboard uses too.

use crate::model::{IgnoreUntil, IssueStatus, Role, Scope};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub is_owner: bool,
}

/// Email and password, to sign in or to create the first (owner) account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The first (owner) account of an instance, with the setup token the server printed at start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OwnerSetup {
    pub setup_token: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Whether the instance still waits for its first user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetupState {
    pub needs_setup: bool,
}

/// A project as its member sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectInfo {
    pub id: i64,
    pub name: String,
    pub platform: String,
    /// The caller's role; the instance owner is an admin everywhere.
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// A project's settings, as its admins edit them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSettings {
    pub name: String,
    pub platform: String,
    /// `*`, or origins such as `https://shop.example.com`, `shop.example.com`, `*.example.com`.
    pub allowed_origins: Vec<String>,
    pub sensitive_fields: Vec<String>,
    pub safe_fields: Vec<String>,
    pub filter_browser_extensions: bool,
    /// The project's own stack trace rules in Sentry's syntax, one per line, applied after the
    /// built-in ones.
    pub stack_rules: String,
    /// Faultline's built-in rules, in the same syntax (read only).
    #[serde(default)]
    pub builtin_stack_rules: String,
    /// Until when events are also grouped as before the rules last changed, so that no issue
    /// splits: an event joins an issue of either grouping.
    pub grouping_transition_until: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewProject {
    pub name: String,
    #[serde(default)]
    pub platform: Option<String>,
}

/// Any subset of a project's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectUpdate {
    pub name: Option<String>,
    pub platform: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub sensitive_fields: Option<Vec<String>>,
    pub safe_fields: Option<Vec<String>>,
    pub filter_browser_extensions: Option<bool>,
    pub stack_rules: Option<String>,
}

/// Deleting a project asks for its name, to be sure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeleteConfirmation {
    pub confirm: String,
}

/// A DSN key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KeyInfo {
    pub id: i64,
    pub label: String,
    pub public_key: String,
    pub dsn: String,
    pub active: bool,
    pub rate_limit_per_minute: Option<u32>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewKey {
    pub label: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KeyUpdate {
    pub label: Option<String>,
    pub active: Option<bool>,
    /// Events per minute; `Some(None)` removes the key's own limit.
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<u32>))]
    pub rate_limit_per_minute: Option<Option<u32>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberInfo {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewMember {
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleUpdate {
    pub role: Role,
}

/// A user, as the owner administers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: i64,
    pub email: String,
    pub is_owner: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    pub is_owner: Option<bool>,
    pub disabled: Option<bool>,
}

/// An invitation to create an account, optionally with a role in one project.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewInvite {
    pub project_id: Option<i64>,
    pub role: Option<Role>,
}

/// The one-time link; it is shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// What the invite page shows before the teammate signs up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteInfo {
    pub project_name: Option<String>,
    pub role: Option<Role>,
    pub expires_at: DateTime<Utc>,
}

/// An invite link not used yet, for the owner's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PendingInvite {
    pub id: i64,
    pub project_name: Option<String>,
    pub role: Option<Role>,
    /// The email of the owner who made it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to recognize it.
    pub prefix: String,
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewToken {
    pub name: String,
    pub scope: Scope,
}

/// A new token, with its secret shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: String,
    pub info: TokenInfo,
}

/// A triage decision on an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TriageAction {
    Resolve,
    /// Resolved by the next release: events of the current release do not reopen it.
    ResolveInNextRelease,
    Ignore {
        until: IgnoreUntil,
    },
    Unresolve,
    /// Assign to a user, or unassign with `null`.
    Assign {
        user_id: Option<i64>,
    },
}

/// The same decision for many issues: the listed ones, or every issue of the project with the
/// given status (the list's current filter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkTriage {
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all_with_status: Option<IssueStatus>,
    #[serde(flatten)]
    pub action: TriageAction,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewComment {
    pub text: String,
}

/// One entry of an issue's activity log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: i64,
    pub issue_id: i64,
    /// `None` when the system did it (a regression, an escalation).
    pub user: Option<String>,
    pub kind: ActivityKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActivityKind {
    Resolved,
    ResolvedInRelease {
        release: String,
    },
    Ignored {
        until: IgnoreUntil,
    },
    Unresolved,
    Assigned {
        to: String,
    },
    Unassigned,
    Commented {
        text: String,
    },
    Regressed {
        release: Option<String>,
    },
    Escalated,
    /// The time it was ignored for passed.
    IgnoreExpired,
}

impl ActivityKind {
    /// The kind's JSON tag: `resolved`, `resolved_in_release`, ….
    pub fn name(&self) -> &'static str {
        match self {
            ActivityKind::Resolved => "resolved",
            ActivityKind::ResolvedInRelease { .. } => "resolved_in_release",
            ActivityKind::Ignored { .. } => "ignored",
            ActivityKind::Unresolved => "unresolved",
            ActivityKind::Assigned { .. } => "assigned",
            ActivityKind::Unassigned => "unassigned",
            ActivityKind::Commented { .. } => "commented",
            ActivityKind::Regressed { .. } => "regressed",
            ActivityKind::Escalated => "escalated",
            ActivityKind::IgnoreExpired => "ignore_expired",
        }
    }
}

/// How often a tag value appears among an issue's events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TagValues {
    pub key: String,
    /// Events with the tag.
    pub total: i64,
    /// The most frequent values, most frequent first.
    pub top: Vec<TagValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TagValue {
    pub value: String,
    pub count: i64,
}

/// Events of an issue in one hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HourCount {
    pub hour: DateTime<Utc>,
    pub count: i64,
}

/// Everything the issue page shows above its events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssueDetail {
    pub issue: crate::model::IssueSummary,
    pub project_name: String,
    pub first_release: Option<String>,
    pub last_release: Option<String>,
    pub environments: Vec<String>,
    pub tags: Vec<TagValues>,
    /// The last 14 days, hour by hour (hours without events left out).
    pub histogram: Vec<HourCount>,
}

/// How many issues match a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssueCount {
    pub count: u64,
}

/// How many issues a bulk update changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Updated {
    pub updated: u64,
}

/// `Option<Option<T>>` in JSON: a missing field is `None`, `null` is `Some(None)`.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_kinds_name_is_its_json_tag() {
        let kinds = [
            ActivityKind::Resolved,
            ActivityKind::ResolvedInRelease { release: "1.0".into() },
            ActivityKind::Ignored { until: IgnoreUntil::Forever },
            ActivityKind::Unresolved,
            ActivityKind::Assigned { to: "dev@example.com".into() },
            ActivityKind::Unassigned,
            ActivityKind::Commented { text: "hi".into() },
            ActivityKind::Regressed { release: None },
            ActivityKind::Escalated,
            ActivityKind::IgnoreExpired,
        ];
        for kind in kinds {
            assert_eq!(serde_json::to_value(&kind).expect("json")["kind"], kind.name());
        }
    }
}
