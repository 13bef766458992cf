//! Digests in each chat format: the count, the first alerts each as a link to its issue with what
//! fired, "and N more", and a link to the project's issues. Titles are escaped as in single
//! alerts.

use super::chat::{markdown_escaped, slack_escaped};
use super::{CHAT_LISTED, Digest, HeldAlert, clipped};
use serde_json::{Value, json};

/// "Shop: 12 more alerts held back by the hourly cap".
pub(super) fn heading(digest: &Digest) -> String {
    format!("{}: {} held back by the hourly cap", digest.project.name, digest.headline)
}

/// "and 2 more", for what the list leaves out.
fn rest(digest: &Digest) -> Option<String> {
    let shown = digest.alerts.len().min(CHAT_LISTED);
    (digest.count > shown).then(|| format!("and {} more", digest.count - shown))
}

fn listed(digest: &Digest) -> impl Iterator<Item = &HeldAlert> {
    digest.alerts.iter().take(CHAT_LISTED)
}

/// "New issue · Production errors".
pub(super) fn why(alert: &HeldAlert) -> String {
    match &alert.rule {
        Some(rule) => format!("{} · {}", alert.headline, rule.name),
        None => alert.headline.clone(),
    }
}

/// A markdown list item: the title as a link, then why it fired.
fn markdown_line(alert: &HeldAlert) -> String {
    format!(
        "- [{}]({}) — {}",
        clipped(&markdown_escaped(&alert.issue.title), 200),
        alert.issue.url,
        markdown_escaped(&why(alert))
    )
}

fn markdown_list(digest: &Digest) -> String {
    let mut lines: Vec<String> = listed(digest).map(markdown_line).collect();
    lines.extend(rest(digest));
    lines.join("\n")
}

pub fn slack(digest: &Digest) -> Value {
    let mut lines: Vec<String> = listed(digest)
        .map(|alert| {
            let title = slack_escaped(&clipped(&alert.issue.title, 200));
            format!("• <{}|{}> — {}", alert.issue.url, title, slack_escaped(&why(alert)))
        })
        .collect();
    lines.extend(rest(digest));
    json!({
        "text": clipped(&heading(digest), 3000),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": clipped(&heading(digest), 150), "emoji": false}},
            {"type": "section", "text": {"type": "mrkdwn", "text": clipped(&lines.join("\n"), 3000)}},
            {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open the project's issues"}, "url": digest.url}]},
        ],
    })
}

pub fn mattermost(digest: &Digest) -> Value {
    json!({
        "text": markdown_escaped(&heading(digest)),
        "attachments": [{
            "fallback": clipped(&heading(digest), 3000),
            "color": "#d97706",
            "title": "Open the project's issues",
            "title_link": digest.url,
            "text": markdown_list(digest),
        }],
    })
}

pub fn discord(digest: &Digest) -> Value {
    json!({
        "allowed_mentions": {"parse": []},
        "embeds": [{
            "title": clipped(&heading(digest), 256),
            "url": digest.url,
            "description": clipped(&markdown_list(digest), 4096),
            "color": 0xd97706,
            "timestamp": digest.sent_at.to_rfc3339(),
        }],
    })
}

pub fn teams(digest: &Digest) -> Value {
    let mut body = vec![
        json!({"type": "TextBlock", "text": markdown_escaped(&heading(digest)), "weight": "Bolder", "wrap": true}),
    ];
    body.extend(listed(digest).map(|alert| json!({"type": "TextBlock", "text": markdown_line(alert), "wrap": true})));
    body.extend(rest(digest).map(|rest| json!({"type": "TextBlock", "text": rest, "isSubtle": true})));
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": [{"type": "Action.OpenUrl", "title": "Open the project's issues", "url": digest.url}],
            },
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::format::sample::digest;

    #[test]
    fn slack_lists_each_held_alert_as_an_escaped_link_and_counts_the_rest() {
        let body = slack(&digest());
        assert_eq!(body["blocks"][0]["text"]["text"], "Shop: 12 more alerts held back by the hourly cap");
        let list = body["blocks"][1]["text"]["text"].as_str().expect("list");
        let first = list.lines().next().expect("a line");
        assert_eq!(
            first,
            "• <https://errors.example.com/issues/21|TypeError: &lt;!channel&gt; @here [x](http://evil) *y*> — New issue · Production errors"
        );
        assert_eq!(list.lines().last(), Some("and 9 more"));
        assert_eq!(body["blocks"][2]["elements"][0]["url"], "https://errors.example.com/?project=1");
    }

    #[test]
    fn markdown_formats_escape_titles_inside_their_links() {
        let description = discord(&digest())["embeds"][0]["description"].as_str().expect("text").to_owned();
        assert!(
            description.starts_with(
                "- [TypeError: \\<!channel\\> @\u{2060}here \\[x\\](http://evil) \\*y\\*](https://errors.example.com/issues/21)"
            ),
            "{description}"
        );
        assert_eq!(discord(&digest())["allowed_mentions"]["parse"], json!([]));
        let mattermost = mattermost(&digest())["attachments"][0]["text"].as_str().expect("text").to_owned();
        assert!(mattermost.contains("- [KeyError: 'cart'](https://errors.example.com/issues/22) — New issue"));
        let card = &teams(&digest())["attachments"][0]["content"];
        assert_eq!(card["body"].as_array().map(Vec::len), Some(5), "heading, three alerts, the rest");
    }

    #[test]
    fn a_digest_that_lists_all_it_holds_has_no_rest() {
        let mut sample = digest();
        sample.count = 3;
        assert!(rest(&sample).is_none());
    }
}
