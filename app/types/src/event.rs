//! The normalized event: what Faultline stores for every accepted Sentry event and what the
//! dashboard reads back. The server's `normalize` stage builds it from whatever shape an SDK sent;
//! fields Faultline does not model survive in `other`.

use crate::model::Level;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub type Object = Map<String, Value>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// 32 lowercase hex characters.
    pub event_id: String,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: Level,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logentry: Option<LogEntry>,
    /// Oldest first: the last entry is the exception that was raised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<Thread>,
    /// The deprecated top-level stack trace of events without an exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacktrace: Option<Stacktrace>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breadcrumbs: Vec<Breadcrumb>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub culprit: Option<String>,
    #[serde(default, skip_serializing_if = "Object::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub contexts: Object,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub user: Option<Object>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: Option<Object>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub sdk: Option<Object>,
    #[serde(default, skip_serializing_if = "Object::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: Object,
    /// Every field of the original payload that is not modelled above.
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

/// Longest title or culprit shown for an issue.
const MAX_LABEL_CHARS: usize = 200;

impl Event {
    /// The exception that was raised: the last of the chain.
    pub fn main_exception(&self) -> Option<&Exception> {
        self.exceptions.last()
    }

    /// The stack trace that led to the error: the raised exception's, else that of the thread
    /// that crashed or was current, else the event's own.
    pub fn crash_stacktrace(&self) -> Option<&Stacktrace> {
        let thread_stack = || {
            self.threads
                .iter()
                .find(|thread| thread.crashed == Some(true))
                .or_else(|| self.threads.iter().find(|thread| thread.current == Some(true)))
                .and_then(|thread| thread.stacktrace.as_ref())
        };
        self.main_exception()
            .and_then(|exception| exception.stacktrace.as_ref())
            .filter(|stack| !stack.frames.is_empty())
            .or_else(thread_stack)
            .or(self.stacktrace.as_ref())
    }

    /// What the issue list shows: `Type: value` for errors, the first line of the message otherwise.
    pub fn title(&self) -> String {
        let title = match self.main_exception() {
            Some(exception) => {
                let ty = exception.ty.as_deref().filter(|ty| !ty.is_empty());
                let value = exception.value.as_deref().map(first_line).filter(|value| !value.is_empty());
                match (ty, value) {
                    (Some(ty), Some(value)) => format!("{ty}: {value}"),
                    (Some(label), None) | (None, Some(label)) => label.to_owned(),
                    (None, None) => String::new(),
                }
            }
            None => self.logentry.as_ref().and_then(LogEntry::text).map(first_line).unwrap_or_default().to_owned(),
        };
        if title.is_empty() { "<unlabeled event>".to_owned() } else { cut(title, MAX_LABEL_CHARS) }
    }

    /// Where it happened: the SDK's culprit or transaction, else `module in function` of the
    /// innermost of the app's frames ([`app_frames`]) of the crash stack trace, else of the
    /// innermost frame.
    pub fn culprit(&self) -> String {
        let from_stack = || {
            let frames = &self.crash_stacktrace()?.frames;
            let innermost_app = app_frames(frames).iter().rposition(|app| *app);
            let frame = innermost_app.map_or(frames.last(), |index| frames.get(index))?;
            let place = frame.module.as_deref().or(frame.filename.as_deref()).or(frame.abs_path.as_deref());
            Some(match (place, frame.function.as_deref()) {
                (Some(place), Some(function)) => format!("{place} in {function}"),
                (Some(label), None) | (None, Some(label)) => label.to_owned(),
                (None, None) => return None,
            })
        };
        let culprit = self.culprit.clone().or_else(|| self.transaction.clone()).or_else(from_stack).unwrap_or_default();
        cut(culprit, MAX_LABEL_CHARS)
    }
}

/// Which frames are the app's: those marked in-app; when none is, those not marked as a
/// library's (the Rust SDK marks only the libraries it knows).
pub fn app_frames(frames: &[Frame]) -> Vec<bool> {
    let marked = frames.iter().any(|frame| frame.in_app == Some(true));
    frames.iter().map(|frame| if marked { frame.in_app == Some(true) } else { frame.in_app.is_none() }).collect()
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or_default().trim()
}

fn cut(mut text: String, max_chars: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max_chars) {
        text.truncate(at);
        text.push('…');
    }
    text
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    /// The template, e.g. `Payment %s failed for user %d`.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message with its parameters filled in.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub params: Option<Value>,
}

impl Event {
    /// The log message a person reads, if the event has one.
    pub fn message(&self) -> Option<&str> {
        self.logentry.as_ref()?.text()
    }
}

impl LogEntry {
    /// What a person reads: the formatted message, else the template.
    pub fn text(&self) -> Option<&str> {
        self.formatted.as_deref().or(self.message.as_deref())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    #[serde(rename = "type", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<Mechanism>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub stacktrace: Option<Stacktrace>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mechanism {
    #[serde(rename = "type", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub handled: Option<bool>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<bool>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub exception_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<u64>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stacktrace {
    /// Oldest first: the frame that raised is last.
    #[serde(default, deserialize_with = "lenient_list")]
    pub frames: Vec<Frame>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Frame {
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub abs_path: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub raw_function: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub lineno: Option<u64>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub colno: Option<u64>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub in_app: Option<bool>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub context_line: Option<String>,
    #[serde(default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub pre_context: Vec<String>,
    #[serde(default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub post_context: Vec<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub vars: Option<Object>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thread {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub id: Option<Value>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub crashed: Option<bool>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub current: Option<bool>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub stacktrace: Option<Stacktrace>,
    #[cfg_attr(feature = "openapi", schema(ignore))]
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub other: Object,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breadcrumb {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime<Utc>>,
    #[serde(rename = "type", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Option<Value>,
}

/// A field that does not have the expected shape is dropped instead of failing the whole event.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).ok())
}

/// A list whose malformed entries are dropped one by one.
pub fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(match value {
        Value::Array(items) => items.into_iter().filter_map(|item| T::deserialize(item).ok()).collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(body: Value) -> Event {
        let mut base = json!({
            "event_id": "0123456789abcdef0123456789abcdef",
            "timestamp": "2026-11-21T12:00:00Z",
            "received": "2026-11-21T12:00:00Z",
            "level": "error",
            "platform": "python"
        });
        if let (Value::Object(base), Value::Object(body)) = (&mut base, body) {
            base.extend(body);
        }
        serde_json::from_value(base).expect("event")
    }

    #[test]
    fn an_error_is_titled_type_and_first_line_of_value() {
        let e = event(
            json!({"exceptions": [{"type": "KeyError", "value": "a"}, {"type": "ValueError", "value": "bad input\nmore"}]}),
        );
        assert_eq!(e.title(), "ValueError: bad input");
    }

    #[test]
    fn a_message_event_is_titled_by_its_message_and_an_empty_one_is_unlabeled() {
        let e = event(json!({"logentry": {"formatted": "Payment 4711 failed"}}));
        assert_eq!(e.title(), "Payment 4711 failed");
        assert_eq!(event(json!({})).title(), "<unlabeled event>");
        assert_eq!(event(json!({"exceptions": [{"value": "synthetic message"}]})).title(), "synthetic message");
    }

    #[test]
    fn the_culprit_is_the_innermost_in_app_frame() {
        let e = event(json!({"exceptions": [{"type": "E", "stacktrace": {"frames": [
            {"module": "app.views", "function": "checkout", "in_app": true},
            {"module": "app.payments", "function": "charge", "in_app": true},
            {"module": "requests.api", "function": "post", "in_app": false}
        ]}}]}));
        assert_eq!(e.culprit(), "app.payments in charge");
        let unmarked = event(json!({"exceptions": [{"type": "E", "stacktrace": {"frames": [
            {"module": "shop", "function": "total"},
            {"module": "core::panicking", "function": "panic_fmt", "in_app": false}
        ]}}]}));
        assert_eq!(unmarked.culprit(), "shop in total", "not a library's frame");
        let libraries = event(json!({"exceptions": [{"type": "E", "stacktrace": {"frames": [
            {"function": "a", "in_app": false}, {"function": "b", "in_app": false}
        ]}}]}));
        assert_eq!(libraries.culprit(), "b");
        let with_transaction = event(json!({"transaction": "/checkout"}));
        assert_eq!(with_transaction.culprit(), "/checkout");
    }

    #[test]
    fn the_crash_stack_falls_back_to_the_current_thread() {
        let e = event(json!({
            "exceptions": [{"type": "panic", "value": "boom"}],
            "threads": [{"id": 1, "current": true, "stacktrace": {"frames": [{"function": "main"}]}}]
        }));
        assert_eq!(e.crash_stacktrace().map(|s| s.frames.len()), Some(1));
        assert_eq!(e.culprit(), "main");
    }

    #[test]
    fn a_frame_with_a_malformed_field_keeps_its_other_fields() {
        let frame: Frame = serde_json::from_value(json!({
            "function": "charge",
            "lineno": "not a number",
            "in_app": true,
            "colno": 7,
            "instruction_addr": "0x1f"
        }))
        .expect("lenient frame");
        assert_eq!(frame.function.as_deref(), Some("charge"));
        assert_eq!(frame.lineno, None);
        assert_eq!(frame.colno, Some(7));
        assert_eq!(frame.other.get("instruction_addr"), Some(&json!("0x1f")));
    }

    #[test]
    fn malformed_frames_are_dropped_from_the_list_and_the_rest_kept() {
        let stack: Stacktrace =
            serde_json::from_value(json!({"frames": [{"function": "a"}, 3, {"function": "b"}]})).expect("stack");
        let names: Vec<_> = stack.frames.iter().filter_map(|f| f.function.as_deref()).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
