//! Inbound filters: events a project chose not to keep. Dropped events are acknowledged with 200
//! (so SDKs do not retry) and counted as `filtered`.

use app::event::Event;

/// URL schemes of browser extensions (Relay's `browser_extensions` filter).
const EXTENSION_SCHEMES: [&str; 6] = [
    "chrome-extension://",
    "moz-extension://",
    "safari-extension://",
    "safari-web-extension://",
    "ms-browser-extension://",
    "chrome://",
];

/// Error messages of well-known extensions and injected scripts (from Relay's list).
const EXTENSION_MESSAGES: [&str; 8] = [
    "top.GLOBALS",
    "originalCreateNotification",
    "canvas.contentDocument",
    "MyApp_RemoveAllHighlights",
    "atomicFindClose",
    "fb_xd_fragment",
    "bmi_SafeAddOnload",
    "EBCallBackMessageReceived",
];

/// Why an event is dropped, if it is.
pub fn browser_extension(event: &Event) -> Option<&'static str> {
    let frame_from_extension = event.crash_stacktrace().and_then(|stack| stack.frames.last()).is_some_and(|frame| {
        [frame.abs_path.as_deref(), frame.filename.as_deref()]
            .into_iter()
            .flatten()
            .any(|path| EXTENSION_SCHEMES.iter().any(|scheme| path.starts_with(scheme)))
    });
    let known_message = event
        .main_exception()
        .and_then(|exception| exception.value.as_deref())
        .is_some_and(|value| EXTENSION_MESSAGES.iter().any(|known| value.contains(known)));
    (frame_from_extension || known_message).then_some("browser-extensions")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(exception: serde_json::Value) -> Event {
        let raw = json!({"platform": "javascript", "exception": {"values": [exception]}});
        crate::ingest::normalize::event(raw.to_string().as_bytes(), None, None, chrono::Utc::now()).expect("event")
    }

    #[test]
    fn errors_thrown_inside_an_extension_are_filtered() {
        let from_extension = event(json!({"type": "TypeError", "value": "x is undefined", "stacktrace": {"frames": [
            {"abs_path": "https://shop.example.com/app.js", "function": "init"},
            {"abs_path": "chrome-extension://abcdefgh/content.js", "function": "inject"}
        ]}}));
        assert_eq!(browser_extension(&from_extension), Some("browser-extensions"));
        let known = event(json!({"type": "Error", "value": "Can't find variable: top.GLOBALS"}));
        assert_eq!(browser_extension(&known), Some("browser-extensions"));
    }

    #[test]
    fn the_apps_own_errors_are_kept() {
        let own = event(json!({"type": "TypeError", "value": "x is undefined", "stacktrace": {"frames": [
            {"abs_path": "chrome-extension://abcdefgh/content.js", "function": "inject"},
            {"abs_path": "https://shop.example.com/app.js", "function": "init"}
        ]}}));
        assert_eq!(browser_extension(&own), None);
    }
}
