//! From whatever shape an SDK sent to one [`Event`] (SENTRY_PROTOCOL.md A3). Lenient: a field
//! with an unexpected shape is dropped, not the event; fields not modelled are kept in `other`.

use crate::ids::EventId;
use app_types::event::{Breadcrumb, Event, Exception, LogEntry, Object, Stacktrace, Thread};
use app_types::model::Level;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Longest tag key or value kept (Sentry's limit).
const MAX_TAG_CHARS: usize = 200;
/// Longest message kept (Sentry's limit).
const MAX_MESSAGE_CHARS: usize = 8192;
/// A timestamp this far in the future is the client's clock, not the event's time (Relay).
const MAX_FUTURE: Duration = Duration::minutes(1);
/// Events older than this are stamped with their arrival time instead (Relay's default).
const MAX_PAST: Duration = Duration::days(30);
/// A client whose clock is off by more than this has its timestamps shifted (Relay's
/// `MINIMUM_CLOCK_DRIFT`).
const MINIMUM_CLOCK_DRIFT: Duration = Duration::minutes(55);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NormalizeError {
    #[error("the event is not valid JSON: {0}")]
    NotJson(String),
    #[error("the event is not a JSON object")]
    NotAnObject,
}

/// Builds the event. `envelope_event_id` wins over the payload's own id, as the protocol says.
/// `sent_at` is when the SDK sent it by its own clock: when that clock is more than 55 minutes
/// off, every timestamp of the event is shifted by the difference, as Relay does.
pub fn event(
    payload: &[u8],
    envelope_event_id: Option<EventId>,
    sent_at: Option<DateTime<Utc>>,
    received: DateTime<Utc>,
) -> Result<Event, NormalizeError> {
    let value: Value = serde_json::from_slice(payload).map_err(|err| NormalizeError::NotJson(err.to_string()))?;
    let Value::Object(mut raw) = value else { return Err(NormalizeError::NotAnObject) };

    let payload_id = raw.remove("event_id").and_then(|id| id.as_str().and_then(|id| EventId::parse(id).ok()));
    let event_id = envelope_event_id.or(payload_id).unwrap_or_else(EventId::generate);
    let drift = sent_at.map(|sent| received - sent).filter(|drift| drift.abs() > MINIMUM_CLOCK_DRIFT);
    // A time the drift would carry past the calendar's ends was never a real one: it is dropped.
    let correct = |at: DateTime<Utc>| at.checked_add_signed(drift.unwrap_or_default());
    let timestamp = raw
        .remove("timestamp")
        .as_ref()
        .and_then(timestamp)
        .and_then(correct)
        .map_or(received, |at| clamp(at, received));
    let mut breadcrumbs: Vec<Breadcrumb> =
        values::<Value>(raw.remove("breadcrumbs")).into_iter().filter_map(breadcrumb).collect();
    for crumb in &mut breadcrumbs {
        crumb.timestamp = crumb.timestamp.and_then(correct);
    }

    Ok(Event {
        event_id: event_id.into_string(),
        timestamp,
        received,
        level: raw.remove("level").as_ref().and_then(level).unwrap_or_default(),
        platform: take_string(&mut raw, "platform").unwrap_or_else(|| "other".to_owned()),
        logger: take_string(&mut raw, "logger"),
        logentry: log_entry(raw.remove("logentry"), raw.remove("message")),
        exceptions: values::<Exception>(raw.remove("exception"))
            .into_iter()
            .filter(|exception| exception.ty.is_some() || exception.value.is_some())
            .collect(),
        threads: values::<Thread>(raw.remove("threads")),
        stacktrace: raw.remove("stacktrace").and_then(|stack| serde_json::from_value::<Stacktrace>(stack).ok()),
        breadcrumbs,
        tags: tags(raw.remove("tags")),
        fingerprint: raw.remove("fingerprint").and_then(fingerprint),
        environment: take_string(&mut raw, "environment"),
        release: take_string(&mut raw, "release"),
        dist: take_string(&mut raw, "dist"),
        server_name: take_string(&mut raw, "server_name"),
        transaction: take_string(&mut raw, "transaction"),
        culprit: take_string(&mut raw, "culprit"),
        contexts: take_object(&mut raw, "contexts").unwrap_or_default(),
        user: take_object(&mut raw, "user"),
        request: take_object(&mut raw, "request").map(request),
        sdk: take_object(&mut raw, "sdk"),
        extra: take_object(&mut raw, "extra").unwrap_or_default(),
        other: raw,
    })
}

/// Headers, cookies and the query string as lists of `[name, value]` pairs, whatever shape they
/// came in, as Relay stores them; a `Cookie` header becomes the cookies. Scrubbing then sees
/// every name.
fn request(mut request: Object) -> Object {
    let mut headers = request.remove("headers").map(pairs).unwrap_or_default();
    let cookie_header = headers.iter().position(|(name, _)| name.eq_ignore_ascii_case("cookie"));
    let cookies = match request.remove("cookies") {
        Some(Value::String(text)) => cookie_pairs(&text),
        Some(other) => pairs(other),
        None => cookie_header.map(|at| cookie_pairs(&headers[at].1)).unwrap_or_default(),
    };
    if let Some(at) = cookie_header {
        headers.remove(at);
    }
    let query = match request.remove("query_string") {
        Some(Value::String(text)) => form_urlencoded::parse(text.trim_start_matches('?').as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        Some(other) => pairs(other),
        None => Vec::new(),
    };
    for (key, list) in [("headers", headers), ("cookies", cookies), ("query_string", query)] {
        if !list.is_empty() {
            let list = list.into_iter().map(|(name, value)| Value::from(vec![Value::from(name), Value::from(value)]));
            request.insert(key.to_owned(), Value::Array(list.collect()));
        }
    }
    request
}

/// `{name: value}` or `[[name, value], …]`; list values (PHP sends them) are joined.
fn pairs(value: Value) -> Vec<(String, String)> {
    let entries: Vec<(String, Value)> = match value {
        Value::Object(object) => object.into_iter().collect(),
        Value::Array(list) => list
            .into_iter()
            .filter_map(|pair| match pair {
                Value::Array(mut kv) if kv.len() == 2 => {
                    let value = kv.pop()?;
                    Some((kv.pop()?.as_str()?.to_owned(), value))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|(name, value)| {
            let value = match value {
                Value::Array(parts) => parts.into_iter().filter_map(scalar_string).collect::<Vec<_>>().join(", "),
                other => scalar_string(other)?,
            };
            Some((name, value))
        })
        .collect()
}

fn cookie_pairs(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|part| part.split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// Unix seconds as a number, or an RFC 3339 string; a string without a zone is UTC.
pub fn timestamp(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(number) => {
            let seconds = number.as_f64()?;
            if !seconds.is_finite() {
                return None;
            }
            let millis = (seconds * 1000.0).round();
            Utc.timestamp_millis_opt(millis as i64).single()
        }
        Value::String(text) => DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|at| at.and_utc())),
        _ => None,
    }
}

fn clamp(at: DateTime<Utc>, received: DateTime<Utc>) -> DateTime<Utc> {
    if at > received + MAX_FUTURE || at < received - MAX_PAST { received } else { at }
}

fn level(value: &Value) -> Option<Level> {
    match value {
        Value::String(name) => Level::parse(name),
        Value::Number(number) => Level::parse(&number.to_string()),
        _ => None,
    }
}

/// `logentry`, else the legacy `message`: a string becomes `formatted`, an object is a log entry.
fn log_entry(logentry: Option<Value>, message: Option<Value>) -> Option<LogEntry> {
    let mut entry = match (logentry, message) {
        (Some(Value::Object(entry)), _) | (_, Some(Value::Object(entry))) => {
            serde_json::from_value::<LogEntry>(Value::Object(entry)).ok()?
        }
        (_, Some(Value::String(text))) => LogEntry { formatted: Some(text), ..LogEntry::default() },
        _ => return None,
    };
    if entry.formatted.is_none() {
        entry.formatted = entry.message.as_deref().map(|template| format_params(template, entry.params.as_ref()));
    }
    entry.message = entry.message.map(|text| truncate(text, MAX_MESSAGE_CHARS));
    entry.formatted = entry.formatted.map(|text| truncate(text, MAX_MESSAGE_CHARS));
    entry.text().is_some().then_some(entry)
}

/// Fills `%s`-style placeholders from a list of parameters, as GlitchTip backfills `formatted`.
fn format_params(template: &str, params: Option<&Value>) -> String {
    let Some(Value::Array(params)) = params else { return template.to_owned() };
    let mut params = params.iter();
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('%') => {
                out.push('%');
                chars.next();
            }
            Some(spec) if spec.is_ascii_alphabetic() => {
                chars.next();
                match params.next() {
                    Some(Value::String(text)) => out.push_str(text),
                    Some(other) => out.push_str(&other.to_string()),
                    None => out.push('%'),
                }
            }
            _ => out.push('%'),
        }
    }
    out
}

/// `{"values": [...]}`, a bare list, or a single object (Relay's `Values<T>`); bad entries dropped.
fn values<T: DeserializeOwned>(value: Option<Value>) -> Vec<T> {
    let list = match value {
        Some(Value::Object(mut object)) if object.contains_key("values") => match object.remove("values") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        },
        Some(Value::Object(object)) if object.is_empty() => Vec::new(),
        Some(Value::Object(object)) => vec![Value::Object(object)],
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    list.into_iter().filter_map(|item| serde_json::from_value(item).ok()).collect()
}

fn breadcrumb(value: Value) -> Option<Breadcrumb> {
    let Value::Object(mut object) = value else { return None };
    let at = object.remove("timestamp").as_ref().and_then(timestamp);
    let level = object.remove("level").as_ref().and_then(level);
    let mut crumb = serde_json::from_value::<Breadcrumb>(Value::Object(object)).ok()?;
    crumb.timestamp = at;
    crumb.level = level;
    Some(crumb)
}

/// An object `{k: v}` or a list of `[k, v]` pairs; values become strings, both sides are cut to
/// 200 characters.
fn tags(value: Option<Value>) -> Vec<(String, String)> {
    let pairs: Vec<(String, Value)> = match value {
        Some(Value::Object(object)) => object.into_iter().collect(),
        Some(Value::Array(list)) => list
            .into_iter()
            .filter_map(|pair| match pair {
                Value::Array(mut kv) if kv.len() == 2 => {
                    let value = kv.pop()?;
                    let key = kv.pop()?.as_str()?.to_owned();
                    Some((key, value))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(key, value)| Some((truncate(key, MAX_TAG_CHARS), truncate(scalar_string(value)?, MAX_TAG_CHARS))))
        .filter(|(key, _)| !key.is_empty())
        .collect()
}

fn fingerprint(value: Value) -> Option<Vec<String>> {
    let Value::Array(parts) = value else { return None };
    let parts: Vec<String> = parts.into_iter().filter_map(scalar_string).collect();
    (!parts.is_empty()).then_some(parts)
}

fn scalar_string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn take_string(raw: &mut Object, key: &str) -> Option<String> {
    raw.remove(key).and_then(scalar_string).filter(|text| !text.is_empty())
}

fn take_object(raw: &mut Object, key: &str) -> Option<Object> {
    match raw.remove(key) {
        Some(Value::Object(object)) => Some(object),
        _ => None,
    }
}

fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn received() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("valid")
    }

    fn normalize(value: Value) -> Event {
        event(value.to_string().as_bytes(), None, None, received()).expect("normalizes")
    }

    #[test]
    fn timestamps_are_read_as_unix_seconds_or_rfc3339() {
        let float = normalize(json!({"timestamp": received().timestamp() as f64 - 1.5}));
        assert_eq!(float.timestamp, received() - Duration::milliseconds(1500));
        let text = normalize(json!({"timestamp": "2026-11-21T11:59:00.5Z"}));
        assert_eq!(text.timestamp, received() - Duration::milliseconds(59_500));
        let naive = normalize(json!({"timestamp": "2026-11-21T11:00:00"}));
        assert_eq!(naive.timestamp, received() - Duration::hours(1));
    }

    #[test]
    fn a_timestamp_from_a_clock_in_the_future_becomes_the_arrival_time() {
        assert_eq!(normalize(json!({"timestamp": "2027-01-01T00:00:00Z"})).timestamp, received());
        assert_eq!(normalize(json!({"timestamp": "garbage"})).timestamp, received());
    }

    #[test]
    fn times_a_drift_would_carry_off_the_calendar_are_dropped_not_a_panic() {
        let sent_at = timestamp(&serde_json::json!(-8_000_000_000_000i64));
        let payload = r#"{"timestamp": 8000000000000, "breadcrumbs": [{"timestamp": -8e12}, {"timestamp": 8e12}]}"#;
        let event = event(payload.as_bytes(), None, sent_at, received()).expect("normalizes");
        assert_eq!(event.timestamp, received(), "stamped with its arrival");
        assert_eq!(event.breadcrumbs[0].timestamp, Some(received()), "as long before sending as it was sent: now");
        assert_eq!(event.breadcrumbs[1].timestamp, None, "past the calendar's end: no time");
    }

    #[test]
    fn a_client_clock_hours_off_is_corrected_by_the_drift_and_a_small_skew_is_kept() {
        let payload = json!({
            "timestamp": "2026-11-21T09:00:00Z",
            "breadcrumbs": [{"timestamp": "2026-11-21T08:59:00Z", "message": "clicked"}]
        })
        .to_string();
        let sent_at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 5).single();
        let corrected = event(payload.as_bytes(), None, sent_at, received()).expect("normalizes");
        assert_eq!(corrected.timestamp, received() - Duration::seconds(5));
        assert_eq!(corrected.breadcrumbs[0].timestamp, Some(received() - Duration::seconds(65)));

        let payload = json!({"timestamp": "2026-11-21T11:30:00Z"}).to_string();
        let skewed = Utc.with_ymd_and_hms(2026, 11, 21, 11, 30, 0).single();
        let kept = event(payload.as_bytes(), None, skewed, received()).expect("normalizes");
        assert_eq!(kept.timestamp, received() - Duration::minutes(30), "30 minutes is not drift");
    }

    #[test]
    fn request_headers_cookies_and_query_become_pairs() {
        let event = normalize(json!({"request": {
            "url": "https://shop.example.com/pay",
            "headers": {"Cookie": "sessionid=abc; theme=dark", "Accept": ["text/html", "application/json"]},
            "query_string": "?order=4711&token=xyz"
        }}));
        let request = event.request.expect("request");
        assert_eq!(request["headers"], json!([["Accept", "text/html, application/json"]]));
        assert_eq!(request["cookies"], json!([["sessionid", "abc"], ["theme", "dark"]]));
        assert_eq!(request["query_string"], json!([["order", "4711"], ["token", "xyz"]]));
        assert_eq!(request["url"], json!("https://shop.example.com/pay"));
    }

    #[test]
    fn the_envelope_event_id_wins_over_the_payload_id() {
        let header = EventId::parse("11111111111111111111111111111111").ok();
        let payload = json!({"event_id": "22222222222222222222222222222222"}).to_string();
        let event = event(payload.as_bytes(), header, None, received()).expect("normalizes");
        assert_eq!(event.event_id, "11111111111111111111111111111111");
    }

    #[test]
    fn exception_values_may_be_wrapped_a_list_or_a_single_object() {
        let wrapped = normalize(json!({"exception": {"values": [{"type": "A"}, {"type": "B"}]}}));
        let list = normalize(json!({"exception": [{"type": "A"}, {"type": "B"}]}));
        let single = normalize(json!({"exception": {"type": "B", "value": "boom"}}));
        let names = |e: &Event| e.exceptions.iter().filter_map(|x| x.ty.clone()).collect::<Vec<_>>();
        assert_eq!(names(&wrapped), ["A", "B"]);
        assert_eq!(names(&list), ["A", "B"]);
        assert_eq!(names(&single), ["B"]);
        assert!(normalize(json!({"exception": {}})).exceptions.is_empty());
        assert!(normalize(json!({"exception": [{"module": "x"}]})).exceptions.is_empty());
    }

    #[test]
    fn a_message_string_becomes_the_formatted_log_entry() {
        let event = normalize(json!({"message": "Something happened"}));
        assert_eq!(event.logentry.and_then(|e| e.formatted).as_deref(), Some("Something happened"));
    }

    #[test]
    fn a_log_entry_without_formatted_text_is_filled_from_its_params() {
        let event =
            normalize(json!({"logentry": {"message": "Payment %s failed for user %d", "params": ["4711", 42]}}));
        let entry = event.logentry.expect("log entry");
        assert_eq!(entry.message.as_deref(), Some("Payment %s failed for user %d"));
        assert_eq!(entry.formatted.as_deref(), Some("Payment 4711 failed for user 42"));
    }

    #[test]
    fn tags_may_be_an_object_or_pairs_and_values_become_strings() {
        let object = normalize(json!({"tags": {"region": "eu", "retries": 3, "bad": {"x": 1}}}));
        assert_eq!(object.tags, [("region".to_owned(), "eu".to_owned()), ("retries".to_owned(), "3".to_owned())]);
        let pairs = normalize(json!({"tags": [["region", "eu"], ["lonely"], ["flag", true]]}));
        assert_eq!(pairs.tags, [("region".to_owned(), "eu".to_owned()), ("flag".to_owned(), "true".to_owned())]);
        let long = normalize(json!({"tags": {"k": "v".repeat(500)}}));
        assert_eq!(long.tags[0].1.len(), 200);
    }

    #[test]
    fn levels_accept_aliases_and_default_to_error() {
        assert_eq!(normalize(json!({"level": "critical"})).level, Level::Fatal);
        assert_eq!(normalize(json!({"level": 30})).level, Level::Warning);
        assert_eq!(normalize(json!({"level": "nonsense"})).level, Level::Error);
    }

    #[test]
    fn breadcrumbs_take_float_timestamps_and_unknown_fields_survive() {
        let event = normalize(json!({
            "breadcrumbs": [{"timestamp": 1795278194.5, "category": "ui.click", "message": "Pay"}],
            "modules": {"django": "5.0"},
            "debug_meta": {"images": []}
        }));
        assert_eq!(event.breadcrumbs.len(), 1);
        assert!(event.breadcrumbs[0].timestamp.is_some());
        assert_eq!(event.other.get("modules"), Some(&json!({"django": "5.0"})));
        assert!(event.other.contains_key("debug_meta"));
    }

    #[test]
    fn non_json_and_non_objects_are_rejected() {
        assert!(matches!(event(b"{not json", None, None, received()), Err(NormalizeError::NotJson(_))));
        assert_eq!(event(b"[1,2]", None, None, received()).err(), Some(NormalizeError::NotAnObject));
    }
}
