//! Chat formats. Event text is untrusted: it goes into plain-text fields where the format has
//! them, and is escaped where the format reads markup (so `<!channel>`, `@here` or a markdown
//! link in an error message stays text).

use super::{Notification, clipped, facts, link};
use app::model::Level;
use serde_json::{Value, json};

/// Slack's Block Kit: the headline and title, the culprit, the facts, and a button to the issue.
pub fn slack(notification: &Notification) -> Value {
    let issue = &notification.issue;
    let fields: Vec<Value> = facts(notification)
        .into_iter()
        .map(|(label, value)| json!({"type": "mrkdwn", "text": format!("*{label}*\n{}", slack_escaped(&value))}))
        .collect();
    json!({
        "text": clipped(&format!("{}: {}", notification.headline, issue.title), 3000),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": clipped(&format!("{}: {}", notification.headline, issue.title), 150), "emoji": false}},
            {"type": "section", "text": {"type": "mrkdwn", "text": clipped(&format!("`{}`", slack_escaped(&issue.culprit).replace('`', "'")), 3000)}},
            {"type": "section", "fields": fields.into_iter().take(10).collect::<Vec<_>>()},
            {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open in Faultline"}, "url": link(notification), "style": "primary"}]},
        ],
    })
}

/// Mattermost: Slack-compatible attachments (it does not read blocks).
pub fn mattermost(notification: &Notification) -> Value {
    let issue = &notification.issue;
    let fields: Vec<Value> = facts(notification)
        .into_iter()
        .map(|(label, value)| json!({"short": true, "title": label, "value": markdown_escaped(&value)}))
        .collect();
    json!({
        "text": markdown_escaped(&notification.headline),
        "attachments": [{
            "fallback": clipped(&format!("{}: {}", notification.headline, issue.title), 3000),
            "color": colour(issue.level),
            "title": clipped(&issue.title, 250),
            "title_link": link(notification),
            "text": markdown_escaped(&issue.culprit),
            "fields": fields,
        }],
    })
}

/// Discord: one embed.
pub fn discord(notification: &Notification) -> Value {
    let issue = &notification.issue;
    let fields: Vec<Value> = facts(notification)
        .into_iter()
        .map(|(name, value)| json!({"name": name, "value": clipped(&markdown_escaped(&value), 1024), "inline": true}))
        .collect();
    json!({
        "allowed_mentions": {"parse": []},
        "embeds": [{
            "title": clipped(&format!("{}: {}", notification.headline, issue.title), 256),
            "url": link(notification),
            "description": clipped(&markdown_escaped(&issue.culprit), 4096),
            "color": u32::from_str_radix(colour(issue.level).trim_start_matches('#'), 16).unwrap_or_default(),
            "fields": fields,
            "timestamp": issue.last_seen.to_rfc3339(),
        }],
    })
}

/// Microsoft Teams (a workflow's "post to a channel when a webhook request is received"): an
/// Adaptive Card in a message.
pub fn teams(notification: &Notification) -> Value {
    let issue = &notification.issue;
    let facts: Vec<Value> = facts(notification)
        .into_iter()
        .map(|(title, value)| json!({"title": title, "value": markdown_escaped(&value)}))
        .collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "text": markdown_escaped(&notification.headline), "weight": "Bolder", "color": "Attention"},
                    {"type": "TextBlock", "text": clipped(&markdown_escaped(&issue.title), 500), "size": "Medium", "weight": "Bolder", "wrap": true},
                    {"type": "TextBlock", "text": clipped(&markdown_escaped(&issue.culprit), 500), "isSubtle": true, "wrap": true},
                    {"type": "FactSet", "facts": facts},
                ],
                "actions": [{"type": "Action.OpenUrl", "title": "Open in Faultline", "url": link(notification)}],
            },
        }],
    })
}

/// Slack's three control characters; `<` and `>` make links and mentions.
pub(super) fn slack_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The characters that make markdown emphasis, code, links, headings and tables, backslash-escaped;
/// `@` gets a zero-width joiner so no one is
/// mentioned.
pub(super) fn markdown_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push('\u{2060}');
        }
    }
    out
}

fn colour(level: Level) -> &'static str {
    match level {
        Level::Fatal => "#7f1d1d",
        Level::Error => "#dc2626",
        Level::Warning => "#d97706",
        Level::Info => "#2563eb",
        Level::Debug => "#6b7280",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::format::sample::notification;

    #[test]
    fn slack_gets_blocks_with_the_title_as_plain_text_and_a_button_to_the_event() {
        let body = slack(&notification());
        let header = &body["blocks"][0]["text"];
        assert_eq!(header["type"], "plain_text", "no markup read from event text in the header");
        assert!(header["text"].as_str().expect("text").starts_with("New issue: TypeError: <b>x</b>"));
        let fields = body["blocks"][2]["fields"].to_string();
        assert!(fields.contains("*Environment*\\nproduction") && fields.contains("shop@2.4.1"), "{fields}");
        assert_eq!(
            body["blocks"][3]["elements"][0]["url"],
            "https://errors.example.com/issues/12?event=0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn slack_markup_in_event_text_is_escaped() {
        let mut sample = notification();
        sample.issue.culprit = "<!channel> & <http://evil|click>".to_owned();
        let culprit = slack(&sample)["blocks"][1]["text"]["text"].as_str().expect("text").to_owned();
        assert_eq!(culprit, "`&lt;!channel&gt; &amp; &lt;http://evil|click&gt;`");
    }

    #[test]
    fn discord_mentions_nobody_and_escapes_markdown() {
        let mut sample = notification();
        sample.issue.culprit = "@everyone [x](http://evil)".to_owned();
        let body = discord(&sample);
        assert_eq!(body["allowed_mentions"]["parse"], json!([]));
        let description = body["embeds"][0]["description"].as_str().expect("description");
        assert_eq!(description, "@\u{2060}everyone \\[x\\](http://evil)");
        assert_eq!(body["embeds"][0]["color"], 0xdc2626);
    }

    #[test]
    fn teams_gets_an_adaptive_card_with_the_facts_and_a_link() {
        let body = teams(&notification());
        let card = &body["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert!(card["body"][3]["facts"].to_string().contains("\"title\":\"Users\",\"value\":\"31\""));
        assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    }

    #[test]
    fn mattermost_gets_a_slack_attachment() {
        let body = mattermost(&notification());
        assert_eq!(body["attachments"][0]["title_link"], notification().event.expect("event").url);
        assert_eq!(body["attachments"][0]["color"], "#dc2626");
    }

    #[test]
    fn long_titles_are_clipped_to_what_the_format_takes() {
        let mut sample = notification();
        sample.issue.title = "x".repeat(5000);
        let header = slack(&sample)["blocks"][0]["text"]["text"].as_str().expect("text").chars().count();
        assert_eq!(header, 150);
        assert_eq!(discord(&sample)["embeds"][0]["title"].as_str().expect("title").chars().count(), 256);
    }
}
