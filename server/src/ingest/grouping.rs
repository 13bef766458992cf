//! Which rules group an event: the built-in and the project's stack trace rules mark its frames
//! in-app or not, then [`fingerprint`] hashes it. While a project's grouping is in transition
//! (its rules changed, or it was made before the built-in rules), the event is also hashed as
//! before, and those hashes follow the new ones: it joins the issue owning any, and that issue
//! learns the new hashes, so a change of rules splits no issue (Sentry does the same on
//! grouping upgrades).

use super::fingerprint::{self, GROUPING_VERSION, Grouping};
use super::memo::Memo;
use super::stack_rules::{self, BUILTIN, StackRules};
use crate::store::projects::{IngestSettings, PreviousGrouping};
use app::event::Event;
use app::model::GroupingVariant;
use std::sync::Arc;

/// How long events are also hashed as before a change of rules.
pub const TRANSITION: chrono::TimeDelta = chrono::TimeDelta::days(90);

/// Marks the event's frames with the project's rules and hashes it, the previous way too while
/// the transition lasts.
pub fn apply(event: &mut Event, settings: &IngestSettings) -> Grouping {
    let before = settings
        .previous_grouping
        .as_ref()
        .filter(|previous| previous.until > event.received)
        .map(|previous| (previous, event.clone()));
    let own = rules(&settings.stack_rules);
    let layers = [&*BUILTIN, &*own];
    stack_rules::mark_in_app(event, &layers);
    let mut grouping = fingerprint::group(event, &layers);
    if let Some((previous, mut event)) = before {
        for hash in previous_hashes(previous, &mut event) {
            if !grouping.hashes.contains(&hash) {
                grouping.hashes.push(hash);
            }
        }
    }
    grouping
}

fn previous_hashes(previous: &PreviousGrouping, event: &mut Event) -> Vec<String> {
    let own = rules(&previous.stack_rules);
    let with_builtin = [&*BUILTIN, &*own];
    // Before the built-in rules, only the SDK's flags counted.
    let layers: &[&StackRules] = if previous.version == GROUPING_VERSION { &with_builtin } else { &with_builtin[1..] };
    stack_rules::mark_in_app(event, layers);
    fingerprint::group(event, layers).hashes
}

/// The event's grouping variants as the project's rules now make them (its frames marked
/// again), for the issue page's explanation.
pub fn explain(event: &mut Event, stack_rules: &str) -> Vec<GroupingVariant> {
    let own = rules(stack_rules);
    let layers = [&*BUILTIN, &*own];
    stack_rules::mark_in_app(event, &layers);
    fingerprint::explained(event, &layers)
}

/// Rule texts remembered, parsed: a project's rules are read once, not for every event.
static PARSED: Memo<Arc<StackRules>> = Memo::new(1_000);

/// The project's rules; rules that no longer parse (written to the database by hand) count
/// as none, loudly.
fn rules(text: &str) -> Arc<StackRules> {
    if text.trim().is_empty() {
        return Arc::default();
    }
    PARSED.get_or(text, || {
        Arc::new(StackRules::parse(text).unwrap_or_else(|err| {
            tracing::warn!("the project's stack trace rules do not parse ({err}); grouping without them");
            StackRules::default()
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    /// A browser error through a CDN script the SDK called the app's own, from a dispatcher the
    /// SDK knew was not.
    fn browser_error(helper: &str) -> Event {
        let payload = json!({
            "event_id": "0123456789abcdef0123456789abcdef",
            "platform": "javascript",
            "exception": {"values": [{"type": "TypeError", "value": "x is undefined", "stacktrace": {"frames": [
                {"function": "dispatch", "abs_path": "https://shop.example/vendor.js", "in_app": false},
                {"function": "onClick", "abs_path": "https://shop.example/app.js", "in_app": true},
                {"function": helper, "abs_path": "https://shop.example/app.js", "in_app": true},
                {"function": "ajax", "abs_path": "https://code.jquery.com/jquery-3.7.1.min.js", "in_app": true},
            ]}}]},
        });
        protocol::normalize::event(payload.to_string().as_bytes(), None, None, Utc::now()).expect("an event")
    }

    fn settings(rules: &str, previous: Option<(&str, &str)>) -> IngestSettings {
        IngestSettings {
            stack_rules: rules.to_owned(),
            previous_grouping: previous.map(|(version, rules)| PreviousGrouping {
                version: version.to_owned(),
                stack_rules: rules.to_owned(),
                until: Utc::now() + TRANSITION,
            }),
            ..IngestSettings::default()
        }
    }

    #[test]
    fn a_project_from_before_the_built_in_rules_also_hashes_as_the_sdk_marked_frames() {
        let sdk_only = fingerprint::group(&browser_error("validate"), &[]).hashes;
        let now = apply(&mut browser_error("validate"), &settings("", None)).hashes;
        assert_ne!(now[0], sdk_only[0], "the CDN frame left the app hash");
        let during = apply(&mut browser_error("validate"), &settings("", Some(("newstyle:2023-01-11", "")))).hashes;
        assert_eq!(during[..now.len()], now[..], "the new hashes first");
        assert!(sdk_only.iter().all(|hash| during.contains(hash)), "then the old ones: {during:?}");
    }

    #[test]
    fn new_rules_keep_the_old_hashes_until_the_transition_ends() {
        let rules = "stack.function:validate -group";
        let before = apply(&mut browser_error("validate"), &settings("", None)).hashes;
        let after = apply(&mut browser_error("validate"), &settings(rules, None)).hashes;
        assert_ne!(before, after);
        let mut during = settings(rules, Some((GROUPING_VERSION, "")));
        assert!(before.iter().all(|hash| apply(&mut browser_error("validate"), &during).hashes.contains(hash)));
        during.previous_grouping.as_mut().expect("previous").until = Utc::now() - chrono::TimeDelta::seconds(1);
        assert_eq!(apply(&mut browser_error("validate"), &during).hashes, after, "over");
        assert_eq!(
            apply(&mut browser_error("check"), &settings(rules, None)).hashes,
            apply(&mut browser_error("check"), &settings("", None)).hashes,
            "a frame no rule matches groups as before"
        );
    }

    #[test]
    fn a_grouped_out_frame_no_longer_tells_events_apart() {
        let rules = settings("stack.function:validate -group\nstack.function:check -group", None);
        assert_eq!(apply(&mut browser_error("validate"), &rules), apply(&mut browser_error("check"), &rules));
        let none = settings("", None);
        assert_ne!(apply(&mut browser_error("validate"), &none), apply(&mut browser_error("check"), &none));
    }
}
