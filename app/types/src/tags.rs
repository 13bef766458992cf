//! The tags an event is counted under on its issue, as Sentry derives them: the SDK's own tags,
//! plus environment, release, level, the user (and its id, email and username, to search by),
//! browser, OS, runtime and device from the event's fields and contexts. The issue page shows each key's value distribution.

use crate::event::{Event, Object};
use serde_json::Value;

/// Sentry's limits: longer keys are dropped, longer values cut.
const MAX_KEY_CHARS: usize = 32;
const MAX_VALUE_CHARS: usize = 200;

/// The affected user, as one key: the first of id, email, username and IP address that is set.
pub fn user_key(event: &Event) -> Option<String> {
    let user = event.user.as_ref()?;
    ["id", "email", "username", "ip_address"].iter().find_map(|field| {
        let value = text(user.get(*field)?)?;
        let prefix = if *field == "ip_address" { "ip" } else { field };
        Some(format!("{prefix}:{value}"))
    })
}

/// The event's tags, one value per key; the SDK's own tags win over derived ones.
pub fn of(event: &Event) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut add = |key: &str, value: Option<String>| {
        let Some(value) = value.filter(|value| !value.is_empty()) else { return };
        if key.chars().count() > MAX_KEY_CHARS || tags.iter().any(|(known, _)| known == key) {
            return;
        }
        tags.push((key.to_owned(), value.chars().take(MAX_VALUE_CHARS).collect()));
    };
    for (key, value) in &event.tags {
        add(key, Some(value.clone()));
    }
    add("environment", event.environment.clone());
    add("release", event.release.clone());
    add("level", Some(event.level.as_str().to_owned()));
    add("user", user_key(event));
    for field in ["id", "email", "username"] {
        add(&format!("user.{field}"), event.user.as_ref().and_then(|user| user.get(field)).and_then(text));
    }
    add("server_name", event.server_name.clone());
    add("transaction", event.transaction.clone());
    add("url", event.request.as_ref().and_then(|request| request.get("url")).and_then(text));
    for context in ["browser", "os", "runtime"] {
        let context_of = event.contexts.get(context).and_then(Value::as_object);
        add(context, context_of.and_then(name_and_version));
        add(&format!("{context}.name"), context_of.and_then(|fields| fields.get("name")).and_then(text));
    }
    let device = event.contexts.get("device").and_then(Value::as_object);
    add("device", device.and_then(|fields| fields.get("model").or_else(|| fields.get("family"))).and_then(text));
    let mechanism = event.main_exception().and_then(|exception| exception.mechanism.as_ref());
    add("handled", mechanism.and_then(|m| m.handled).map(|handled| if handled { "yes" } else { "no" }.to_owned()));
    add("mechanism", mechanism.and_then(|m| m.ty.clone()));
    tags
}

/// "Chrome 120.0" from a browser, OS or runtime context.
fn name_and_version(context: &Object) -> Option<String> {
    let name = context.get("name").and_then(text)?;
    Some(match context.get("version").and_then(text) {
        Some(version) => format!("{name} {version}"),
        None => name,
    })
}

/// A string or number as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(body: Value) -> Event {
        let mut base = json!({
            "event_id": "0123456789abcdef0123456789abcdef",
            "timestamp": "2026-11-21T10:00:00Z",
            "received": "2026-11-21T10:00:01Z",
            "level": "error",
            "platform": "python",
        });
        base.as_object_mut().expect("object").extend(body.as_object().expect("object").clone());
        serde_json::from_value(base).expect("event")
    }

    #[test]
    fn the_user_is_keyed_by_the_first_identifier_present() {
        assert_eq!(
            user_key(&event(json!({"user": {"email": "a@b.c", "ip_address": "10.0.0.1"}}))).as_deref(),
            Some("email:a@b.c")
        );
        assert_eq!(user_key(&event(json!({"user": {"id": 42}}))).as_deref(), Some("id:42"));
        assert_eq!(user_key(&event(json!({"user": {"ip_address": "10.0.0.1"}}))).as_deref(), Some("ip:10.0.0.1"));
        assert_eq!(user_key(&event(json!({"user": {"segment": "paid"}}))), None);
    }

    #[test]
    fn tags_come_from_the_sdk_and_from_the_event_and_its_contexts() {
        let tags = of(&event(json!({
            "tags": [["environment", "from-tag"], ["shop", "eu"]],
            "environment": "production",
            "release": "shop@1.2",
            "user": {"id": "7"},
            "contexts": {"browser": {"name": "Chrome", "version": "120.0"}, "os": {"name": "Linux"}},
            "request": {"url": "https://shop.example/cart"},
        })));
        let value = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        assert_eq!(value("environment"), Some("from-tag"), "the SDK's tag wins");
        assert_eq!(value("shop"), Some("eu"));
        assert_eq!(value("release"), Some("shop@1.2"));
        assert_eq!(value("level"), Some("error"));
        assert_eq!(value("user"), Some("id:7"));
        assert_eq!((value("user.id"), value("user.email")), (Some("7"), None));
        assert_eq!(value("browser"), Some("Chrome 120.0"));
        assert_eq!(value("browser.name"), Some("Chrome"));
        assert_eq!(value("os"), Some("Linux"));
        assert_eq!(value("url"), Some("https://shop.example/cart"));
        assert_eq!(value("runtime"), None);
    }

    #[test]
    fn long_keys_are_dropped_and_long_values_cut() {
        let tags = of(&event(json!({"tags": [["k".repeat(33), "v"], ["long", "x".repeat(500)]]})));
        assert!(tags.iter().all(|(key, _)| key.len() <= MAX_KEY_CHARS));
        assert_eq!(tags.iter().find(|(key, _)| key == "long").map(|(_, v)| v.len()), Some(MAX_VALUE_CHARS));
    }
}
