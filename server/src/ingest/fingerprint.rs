//! Grouping: which issue an event belongs to. The SDK's `fingerprint` when it sent one (with
//! `{{ default }}` standing for the default grouping), else the exception types and in-app frames,
//! else the message with its numbers taken out. Line numbers never count, so the same error
//! raised from an edited file stays one issue.

use app::event::{Event, Frame, Stacktrace};
use md5::{Digest, Md5};

/// Stored on each issue, so the rules can change without silently splitting old issues.
pub const GROUPING_VERSION: &str = "faultline:1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// Lowercase hex md5 hashes; the event joins the issue that owns any of them.
    pub hashes: Vec<String>,
    pub version: &'static str,
}

pub fn group(event: &Event) -> Grouping {
    let components = match event.fingerprint.as_deref() {
        Some(parts) if !is_default_fingerprint(parts) => parts
            .iter()
            .flat_map(|part| if is_default_variable(part) { default_components(event) } else { vec![part.clone()] })
            .collect(),
        _ => default_components(event),
    };
    Grouping { hashes: vec![hash(&components)], version: GROUPING_VERSION }
}

fn is_default_fingerprint(parts: &[String]) -> bool {
    parts.len() == 1 && is_default_variable(&parts[0])
}

fn is_default_variable(part: &str) -> bool {
    part.strip_prefix("{{").and_then(|rest| rest.strip_suffix("}}")).is_some_and(|name| name.trim() == "default")
}

fn default_components(event: &Event) -> Vec<String> {
    if !event.exceptions.is_empty() {
        let mut components = Vec::new();
        for exception in &event.exceptions {
            let synthetic = exception.mechanism.as_ref().and_then(|m| m.synthetic) == Some(true);
            if let Some(ty) = exception.ty.as_deref().filter(|_| !synthetic) {
                components.push(format!("type:{ty}"));
            }
            let frames = exception.stacktrace.as_ref().map(in_app_frames).unwrap_or_default();
            if frames.is_empty()
                && let Some(value) = exception.value.as_deref()
            {
                components.push(format!("value:{}", strip_numbers(value)));
            }
            components.extend(frames);
        }
        return components;
    }
    if let Some(text) =
        event.logentry.as_ref().and_then(|entry| entry.message.as_deref().or(entry.formatted.as_deref()))
    {
        return vec![format!("message:{}", strip_numbers(text))];
    }
    if let Some(stack) = event.crash_stacktrace() {
        return in_app_frames(stack);
    }
    vec!["fallback".to_owned()]
}

/// `module-or-file:function` of every in-app frame; of every frame when none is in-app.
fn in_app_frames(stack: &Stacktrace) -> Vec<String> {
    let in_app: Vec<&Frame> = stack.frames.iter().filter(|frame| frame.in_app == Some(true)).collect();
    let frames = if in_app.is_empty() { stack.frames.iter().collect() } else { in_app };
    frames
        .into_iter()
        .filter_map(|frame| {
            let place = frame.module.as_deref().or_else(|| frame.filename.as_deref().map(basename));
            let function = frame.function.as_deref();
            (place.is_some() || function.is_some())
                .then(|| format!("frame:{}:{}", place.unwrap_or_default(), function.unwrap_or_default()))
        })
        .collect()
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Replaces every run of digits with `<int>`, so ids in messages do not split issues.
fn strip_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_number = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push_str("<int>");
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

fn hash(components: &[String]) -> String {
    let mut md5 = Md5::new();
    for component in components {
        md5.update(component.as_bytes());
        md5.update([0]);
    }
    format!("{:x}", md5.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The event as the SDK would send it, through the normalize stage.
    fn event(body: Value) -> Event {
        let received = chrono::Utc::now();
        crate::ingest::normalize::event(body.to_string().as_bytes(), None, None, received).expect("normalizes")
    }

    fn error_at(line: u64, value: &str) -> Event {
        event(json!({"exception": [{"type": "ZeroDivisionError", "value": value, "stacktrace": {"frames": [
            {"module": "shop.checkout", "function": "pay", "lineno": line, "in_app": true},
            {"module": "decimal", "function": "divide", "lineno": 10, "in_app": false}
        ]}}]}))
    }

    #[test]
    fn the_same_error_from_another_line_is_the_same_issue() {
        assert_eq!(group(&error_at(10, "division by zero")), group(&error_at(99, "division by zero")));
    }

    #[test]
    fn a_different_in_app_function_is_a_different_issue() {
        let mut other = error_at(10, "division by zero");
        if let Some(frame) = other.exceptions[0].stacktrace.as_mut().map(|s| &mut s.frames[0]) {
            frame.function = Some("refund".into());
        }
        assert_ne!(group(&error_at(10, "division by zero")), group(&other));
    }

    #[test]
    fn messages_that_differ_only_in_numbers_group_together() {
        let a = event(json!({"logentry": {"formatted": "Payment 4711 failed for user 42"}}));
        let b = event(json!({"logentry": {"formatted": "Payment 815 failed for user 7"}}));
        let c = event(json!({"logentry": {"formatted": "Refund 815 failed for user 7"}}));
        assert_eq!(group(&a), group(&b));
        assert_ne!(group(&a), group(&c));
    }

    #[test]
    fn a_custom_fingerprint_overrides_and_default_expands() {
        let custom = |fp: Value| {
            let mut e = error_at(10, "x");
            e.fingerprint = serde_json::from_value(fp).ok();
            group(&e)
        };
        assert_eq!(custom(json!(["{{ default }}"])), group(&error_at(10, "x")));
        assert_ne!(custom(json!(["payments"])), group(&error_at(10, "x")));
        assert_ne!(custom(json!(["{{default}}", "eu"])), custom(json!(["{{default}}", "us"])));
    }
}
