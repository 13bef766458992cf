//! Email: a subject, a plain-text part and an HTML part saying what the chat formats say. Event
//! text is untrusted: the subject is one line (control characters become spaces, so no header
//! can be smuggled in), and the HTML part escapes everything it did not write itself.

use super::digest::{heading, why};
use super::{Digest, Notification, clipped, facts, link};
use std::fmt::Write;

/// One email, before it is addressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// "[Shop] New issue: TypeError: x is undefined".
pub fn notification(notification: &Notification) -> Mail {
    let issue = &notification.issue;
    let subject = subject(&format!("[{}] {}: {}", notification.project.name, notification.headline, issue.title));
    let because = notification.rule.as_ref().map(|rule| format!(" (rule “{}”)", rule.name)).unwrap_or_default();
    let facts = facts(notification);

    let mut text = format!("{}{because}\n\n{}\n{}\n\n", notification.headline, issue.title, issue.culprit);
    for (label, value) in &facts {
        let _ = writeln!(text, "{label}: {value}");
    }
    let _ = write!(text, "\nOpen in Faultline: {}\n\n-- \nDelivery {}\n", link(notification), notification.delivery);

    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;color:#1f2328\">\
         <p style=\"color:#59636e\">{}{}</p><h2 style=\"margin:0 0 4px\">{}</h2><p><code>{}</code></p><table>",
        escaped(&notification.headline),
        escaped(&because),
        escaped(&issue.title),
        escaped(&issue.culprit),
    );
    for (label, value) in &facts {
        let _ = write!(html, "<tr><th align=\"left\">{}</th><td>{}</td></tr>", escaped(label), escaped(value));
    }
    let _ = write!(
        html,
        "</table><p><a href=\"{}\" style=\"background:#0969da;color:#fff;padding:8px 12px;text-decoration:none\">\
         Open in Faultline</a></p><p style=\"color:#59636e;font-size:12px\">Delivery {}</p></body></html>",
        escaped(link(notification)),
        escaped(&notification.delivery),
    );
    Mail { subject, text, html }
}

/// A personal email: what a teammate did to an issue assigned to the reader.
pub struct Personal<'a> {
    pub project: &'a str,
    /// "Assigned to you", "New comment".
    pub what: &'a str,
    /// "ana@example.com assigned this issue to you."
    pub said: String,
    pub title: &'a str,
    /// A comment's text, quoted.
    pub comment: Option<&'a str>,
    pub link: &'a str,
    pub delivery: &'a str,
}

/// "[Shop] Assigned to you: TypeError: x is undefined".
pub fn personal(personal: &Personal<'_>) -> Mail {
    let subject = subject(&format!("[{}] {}: {}", personal.project, personal.what, personal.title));
    let mut text = format!("{}\n\n{}\n\n", personal.said, personal.title);
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;color:#1f2328\">\
         <p style=\"color:#59636e\">{}</p><h2 style=\"margin:0 0 4px\">{}</h2>",
        escaped(&personal.said),
        escaped(personal.title),
    );
    if let Some(comment) = personal.comment {
        for line in comment.lines() {
            let _ = writeln!(text, "> {line}");
        }
        text.push('\n');
        let _ = write!(html, "<blockquote style=\"white-space:pre-wrap\">{}</blockquote>", escaped(comment));
    }
    let _ = write!(text, "Open in Faultline: {}\n\n-- \nDelivery {}\n", personal.link, personal.delivery);
    let _ = write!(
        html,
        "<p><a href=\"{}\">Open in Faultline</a></p><p style=\"color:#59636e;font-size:12px\">Delivery {}</p>\
         </body></html>",
        escaped(personal.link),
        escaped(personal.delivery),
    );
    Mail { subject, text, html }
}

/// "[Shop] 12 more alerts held back by the hourly cap", listing every alert it names.
pub fn digest(digest: &Digest) -> Mail {
    let subject = subject(&format!("[{}] {} held back by the hourly cap", digest.project.name, digest.headline));
    let mut text = format!("{}\n\n", heading(digest));
    let mut html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;color:#1f2328\"><h2>{}</h2><ul>",
        escaped(&heading(digest))
    );
    for alert in &digest.alerts {
        let _ = writeln!(text, "- {} ({})\n  {}", alert.issue.title, why(alert), alert.issue.url);
        let _ = write!(
            html,
            "<li><a href=\"{}\">{}</a> — {}</li>",
            escaped(&alert.issue.url),
            escaped(&alert.issue.title),
            escaped(&why(alert))
        );
    }
    let unlisted = digest.count.saturating_sub(digest.alerts.len());
    if unlisted > 0 {
        let _ = writeln!(text, "- and {unlisted} more");
        let _ = write!(html, "<li>and {unlisted} more</li>");
    }
    let _ = write!(text, "\nAll issues: {}\n\n-- \nDelivery {}\n", digest.url, digest.delivery);
    let _ = write!(
        html,
        "</ul><p><a href=\"{}\">All issues of {}</a></p><p style=\"color:#59636e;font-size:12px\">Delivery {}</p></body></html>",
        escaped(&digest.url),
        escaped(&digest.project.name),
        escaped(&digest.delivery),
    );
    Mail { subject, text, html }
}

/// One line of at most 200 characters: a line break or any other control character in event
/// text becomes a space.
fn subject(raw: &str) -> String {
    let line: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clipped(line.trim(), 200)
}

/// Text safe inside HTML elements and quoted attributes.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    #[test]
    fn an_alert_email_says_what_fired_with_every_fact_and_the_link_in_both_parts() {
        let mail = notification(&sample::notification());
        assert_eq!(mail.subject, "[Shop] New issue: TypeError: <b>x</b> & *y* @here <!channel> [link](http://evil)");
        assert!(mail.text.starts_with("New issue (rule “Production errors”)\n\nTypeError: <b>x</b>"), "{}", mail.text);
        for expected in ["Environment: production", "Release: shop@2.4.1", "Events: 1258", "Users: 31"] {
            assert!(mail.text.contains(expected), "{expected} in {}", mail.text);
        }
        let link = "https://errors.example.com/issues/12?event=0123456789abcdef0123456789abcdef";
        assert!(mail.text.contains(&format!("Open in Faultline: {link}")));
        assert!(mail.html.contains(&format!("<a href=\"{link}\"")));
        assert!(mail.html.contains("<td>shop@2.4.1</td>"));
    }

    #[test]
    fn event_text_is_escaped_in_html_and_kept_to_one_line_in_the_subject() {
        let mut alert = sample::notification();
        alert.issue.title = "Boom\r\nBcc: victim@example.com\n<script>alert(1)</script>\"'".to_owned();
        alert.issue.culprit = "<img src=x onerror=alert(1)>".to_owned();
        let mail = notification(&alert);
        assert!(!mail.subject.contains(['\r', '\n']), "{:?}", mail.subject);
        assert!(mail.subject.starts_with("[Shop] New issue: Boom  Bcc: victim@example.com <script>"));
        assert!(!mail.html.contains("<script>") && !mail.html.contains("<img"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"), "{}", mail.html);
        assert!(mail.html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn a_personal_email_quotes_the_comment_and_escapes_it_in_html() {
        let mail = personal(&Personal {
            project: "Shop",
            what: "New comment",
            said: "ana@example.com commented on an issue assigned to you:".to_owned(),
            title: "TypeError: <x>",
            comment: Some("Is this <b>ours</b>?\nLooks like it."),
            link: "https://errors.example.com/issues/12",
            delivery: "d-1",
        });
        assert_eq!(mail.subject, "[Shop] New comment: TypeError: <x>");
        assert!(mail.text.contains("> Is this <b>ours</b>?\n> Looks like it.\n"), "{}", mail.text);
        assert!(mail.text.contains("Open in Faultline: https://errors.example.com/issues/12"));
        assert!(mail.html.contains("Is this &lt;b&gt;ours&lt;/b&gt;?"), "{}", mail.html);
        assert!(mail.html.contains("TypeError: &lt;x&gt;"));
        assert!(!mail.html.contains("<b>ours</b>"));
    }

    #[test]
    fn a_long_title_makes_a_clipped_subject() {
        let mut alert = sample::notification();
        alert.issue.title = "x".repeat(1000);
        let subject = notification(&alert).subject;
        assert_eq!(subject.chars().count(), 200);
        assert!(subject.ends_with('…'));
    }

    #[test]
    fn a_digest_email_lists_each_alert_with_its_link_and_counts_the_rest() {
        let mail = digest(&sample::digest());
        assert_eq!(mail.subject, "[Shop] 12 more alerts held back by the hourly cap");
        assert!(
            mail.text
                .contains("- KeyError: 'cart' (New issue · Production errors)\n  https://errors.example.com/issues/22")
        );
        assert!(mail.text.contains("- and 9 more"), "{}", mail.text);
        assert!(mail.html.contains("<a href=\"https://errors.example.com/issues/22\">KeyError: &#39;cart&#39;</a>"));
        assert!(mail.html.contains("TypeError: &lt;!channel&gt; @here"));
        assert!(mail.text.contains("All issues: https://errors.example.com/?project=1"));
    }
}
