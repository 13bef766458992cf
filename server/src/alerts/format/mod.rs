//! What a notification says, and how each kind of channel wants it said: Slack's Block Kit,
//! Mattermost's Slack-compatible attachments, a Discord embed, a Teams Adaptive Card,
//! Faultline's own versioned JSON body for generic webhooks, or an email. Pure: the dispatcher
//! gathers the [`Notification`] and sends the [`Outgoing`] message.

mod chat;
mod digest;
pub mod email;
pub mod webhook;

pub use email::Mail;

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

/// What a channel's hourly cap held back, told in one message once the channel has room.
#[derive(Clone, Debug, Serialize)]
pub struct Digest {
    /// The digest's own idempotency id.
    pub delivery: String,
    /// Always `digest`.
    pub trigger: &'static str,
    /// "12 more alerts".
    pub headline: String,
    pub project: NamedRef,
    /// How many alerts it carries; `alerts` lists the first [`DIGEST_LISTED`] whose issues remain.
    pub count: usize,
    pub alerts: Vec<HeldAlert>,
    /// The project's issues, under `--public-url`.
    pub url: String,
    pub sent_at: DateTime<Utc>,
}

/// Alerts a digest lists one by one.
pub const DIGEST_LISTED: usize = 50;
/// Of those, what a chat message shows before "and N more".
const CHAT_LISTED: usize = 10;

/// One alert within a digest.
#[derive(Clone, Debug, Serialize)]
pub struct HeldAlert {
    /// The id it had while held: a receiver that saw it alone already may drop it.
    pub delivery: String,
    pub trigger: String,
    pub headline: String,
    pub rule: Option<NamedRef>,
    pub issue: IssueLink,
}

#[derive(Clone, Debug, Serialize)]
pub struct IssueLink {
    pub id: i64,
    pub title: String,
    pub url: String,
}

/// A request body and the headers that go with it.
#[derive(Clone, Debug)]
pub struct Message {
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

/// What a channel sends: an HTTP request or an email.
#[derive(Clone, Debug)]
pub enum Outgoing {
    Http(Message),
    Mail(Mail),
}

fn json(value: serde_json::Value) -> Outgoing {
    Outgoing::Http(Message { body: value.to_string().into_bytes(), headers: Vec::new() })
}

/// The message for a channel of this kind; `secret` signs generic webhooks.
pub fn message(kind: ChannelKind, notification: &Notification, secret: Option<&str>) -> Outgoing {
    match kind {
        ChannelKind::Slack => json(chat::slack(notification)),
        ChannelKind::Mattermost => json(chat::mattermost(notification)),
        ChannelKind::Discord => json(chat::discord(notification)),
        ChannelKind::Teams => json(chat::teams(notification)),
        ChannelKind::Webhook => Outgoing::Http(webhook::message(
            notification,
            &notification.delivery,
            notification.sent_at,
            secret.unwrap_or_default(),
        )),
        ChannelKind::Email | ChannelKind::Members => Outgoing::Mail(email::notification(notification)),
    }
}

/// The digest for a channel of this kind.
pub fn digest(kind: ChannelKind, digest: &Digest, secret: Option<&str>) -> Outgoing {
    match kind {
        ChannelKind::Slack => json(digest::slack(digest)),
        ChannelKind::Mattermost => json(digest::mattermost(digest)),
        ChannelKind::Discord => json(digest::discord(digest)),
        ChannelKind::Teams => json(digest::teams(digest)),
        ChannelKind::Webhook => {
            Outgoing::Http(webhook::message(digest, &digest.delivery, digest.sent_at, secret.unwrap_or_default()))
        }
        ChannelKind::Email | ChannelKind::Members => Outgoing::Mail(email::digest(digest)),
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

    /// A digest of three alerts, one with a title that tries every trick.
    pub fn digest() -> Digest {
        let at = DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z").expect("time").to_utc();
        let alert = |id: i64, title: &str| HeldAlert {
            delivery: format!("held-{id}"),
            trigger: "new_issue".to_owned(),
            headline: "New issue".to_owned(),
            rule: Some(NamedRef { id: 3, name: "Production errors".to_owned() }),
            issue: IssueLink { id, title: title.to_owned(), url: format!("https://errors.example.com/issues/{id}") },
        };
        Digest {
            delivery: "5d1c9a52-1f9c-4c59-9a8e-2d6b1c0f3a11".to_owned(),
            trigger: app::alerts::DIGEST,
            headline: "12 more alerts".to_owned(),
            project: NamedRef { id: 1, name: "Shop".to_owned() },
            count: 12,
            alerts: vec![
                alert(21, "TypeError: <!channel> @here [x](http://evil) *y*"),
                alert(22, "KeyError: 'cart'"),
                alert(23, "ZeroDivisionError"),
            ],
            url: "https://errors.example.com/?project=1".to_owned(),
            sent_at: at,
        }
    }

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
