//! What a notification says, and how each kind of channel wants it said: Slack's Block Kit,
//! Mattermost's Slack-compatible attachments, a Discord embed, a Teams Adaptive Card, or
//! Faultline's own versioned JSON body for generic webhooks. Pure: the dispatcher gathers the
//! [`Notification`] and sends the [`Message`].

mod chat;
pub mod webhook;

use app::alerts::ChannelKind;
use app::model::{IssueStatus, Level};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One alert, as every channel tells it.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    /// The idempotency id.
    pub delivery: String,
    /// `new_issue`, `regression`, `escalation`, `frequency` or `test`.
    pub trigger: String,
    /// "New issue", "Regression", "120 events in 5 minutes", "Test alert".
    pub headline: String,
    pub rule: Option<NamedRef>,
    pub project: NamedRef,
    pub issue: IssueFacts,
    pub event: Option<EventFacts>,
    pub sent_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct IssueFacts {
    pub id: i64,
    pub title: String,
    pub culprit: String,
    pub level: Level,
    pub status: IssueStatus,
    pub events: i64,
    pub users: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// The issue page, under `--public-url`.
    pub url: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventFacts {
    pub id: String,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// The event on its issue page.
    pub url: String,
}

/// A request body and the headers that go with it.
#[derive(Clone, Debug)]
pub struct Message {
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

/// The message for a channel of this kind; `secret` signs generic webhooks.
pub fn message(kind: ChannelKind, notification: &Notification, secret: Option<&str>) -> Message {
    let json = |value: serde_json::Value| Message { body: value.to_string().into_bytes(), headers: Vec::new() };
    match kind {
        ChannelKind::Slack => json(chat::slack(notification)),
        ChannelKind::Mattermost => json(chat::mattermost(notification)),
        ChannelKind::Discord => json(chat::discord(notification)),
        ChannelKind::Teams => json(chat::teams(notification)),
        ChannelKind::Webhook => webhook::message(notification, secret.unwrap_or_default()),
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn clipped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The facts every chat message lists, as (label, value).
fn facts(notification: &Notification) -> Vec<(&'static str, String)> {
    let issue = &notification.issue;
    let mut facts = vec![
        ("Project", notification.project.name.clone()),
        ("Level", issue.level.as_str().to_owned()),
        ("Events", issue.events.to_string()),
        ("Users", issue.users.to_string()),
    ];
    if let Some(event) = &notification.event {
        facts.push(("Environment", event.environment.clone().unwrap_or_else(|| "–".to_owned())));
        facts.push(("Release", event.release.clone().unwrap_or_else(|| "–".to_owned())));
    }
    facts.push(("First seen", issue.first_seen.format("%Y-%m-%d %H:%M UTC").to_string()));
    facts.push(("Last seen", issue.last_seen.format("%Y-%m-%d %H:%M UTC").to_string()));
    facts
}

/// The link to follow: the event when there is one, else the issue.
fn link(notification: &Notification) -> &str {
    notification.event.as_ref().map_or(&notification.issue.url, |event| &event.url)
}

#[cfg(test)]
pub(crate) mod sample {
    use super::*;

    /// A notification whose text tries every trick a chat format has.
    pub fn notification() -> Notification {
        let at = DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z").expect("time").to_utc();
        Notification {
            delivery: "7b0e9a52-1f9c-4c59-9a8e-2d6b1c0f3a11".to_owned(),
            trigger: "new_issue".to_owned(),
            headline: "New issue".to_owned(),
            rule: Some(NamedRef { id: 3, name: "Production errors".to_owned() }),
            project: NamedRef { id: 1, name: "Shop".to_owned() },
            issue: IssueFacts {
                id: 12,
                title: "TypeError: <b>x</b> & *y* @here <!channel> [link](http://evil)".to_owned(),
                culprit: "app/cart.js in total".to_owned(),
                level: Level::Error,
                status: IssueStatus::Unresolved,
                events: 1258,
                users: 31,
                first_seen: at,
                last_seen: at,
                url: "https://errors.example.com/issues/12".to_owned(),
            },
            event: Some(EventFacts {
                id: "0123456789abcdef0123456789abcdef".to_owned(),
                environment: Some("production".to_owned()),
                release: Some("shop@2.4.1".to_owned()),
                url: "https://errors.example.com/issues/12?event=0123456789abcdef0123456789abcdef".to_owned(),
            }),
            sent_at: at,
        }
    }
}
