//! The parts of an event below its stack traces: breadcrumbs, tags, contexts, request, user,
//! SDK, attachments and the raw JSON (the rest is in `details`). Everything an SDK sent is shown as text, never as HTML.

use crate::event::{Breadcrumb, Event, Object};
use crate::model::{AttachmentInfo, absolute};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde_json::Value;

/// A two-column table of names and values; a value holding others reads as an indented outline.
#[component]
pub fn KeyValues(pairs: Vec<(String, Value)>, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <table class=format!("kv {class}")>
            <tbody>
                {pairs
                    .into_iter()
                    .map(|(key, value)| {
                        let shown = if is_inline(&value) {
                            view! { <code>{display(&value)}</code> }.into_any()
                        } else {
                            view! { <pre class="value">{outline(&value)}</pre> }.into_any()
                        };
                        view! { <tr><th>{key}</th><td>{shown}</td></tr> }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A value as a person reads it: text as is (a Python SDK's `'repr'` included), a short list
/// of plain values on one line, anything else as an outline.
pub fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "null".to_owned(),
        Value::Array(items) if is_inline(value) => {
            format!("[{}]", items.iter().map(display).collect::<Vec<_>>().join(", "))
        }
        Value::Object(object) if object.is_empty() => "{}".to_owned(),
        other if is_inline(other) => other.to_string(),
        other => outline(other),
    }
}

/// Longest list shown on one line.
const INLINE_CHARS: usize = 80;

fn is_inline(value: &Value) -> bool {
    match value {
        Value::Array(items) => {
            items.iter().all(|item| !item.is_array() && !item.is_object())
                && items.iter().map(|item| display(item).len() + 2).sum::<usize>() <= INLINE_CHARS
        }
        Value::Object(object) => object.is_empty(),
        _ => true,
    }
}

/// `key: value` lines, nested values indented below their key, list items after `- `.
fn outline(value: &Value) -> String {
    let mut lines = Vec::new();
    outline_into(value, 0, &mut lines);
    lines.join("\n")
}

fn outline_into(value: &Value, depth: usize, lines: &mut Vec<String>) {
    let indent = "  ".repeat(depth);
    let mut entry = |label: String, item: &Value| {
        if is_inline(item) {
            lines.push(format!("{indent}{label}{}", display(item)));
        } else {
            lines.push(format!("{indent}{}", label.trim_end()));
            outline_into(item, depth + 1, lines);
        }
    };
    match value {
        Value::Object(object) => object.iter().for_each(|(key, item)| entry(format!("{key}: "), item)),
        Value::Array(items) => items.iter().for_each(|item| entry("- ".to_owned(), item)),
        scalar => lines.push(format!("{indent}{}", display(scalar))),
    }
}

fn pairs(object: &Object) -> Vec<(String, Value)> {
    object.iter().map(|(key, value)| (key.clone(), value.clone())).collect()
}

/// Breadcrumbs as a timeline, in the order they happened, ending with the error itself.
#[component]
pub fn Breadcrumbs(crumbs: Vec<Breadcrumb>, at: DateTime<Utc>, title: String) -> impl IntoView {
    view! {
        <section class="card breadcrumbs">
            <h2>"Breadcrumbs"</h2>
            <table class="timeline">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Level"</th>
                        <th scope="col">"Message"</th>
                        <th scope="col">"Data"</th>
                    </tr>
                </thead>
                <tbody>
                    {crumbs
                        .into_iter()
                        .map(|crumb| {
                            let level = crumb.level.map(|level| level.to_string()).unwrap_or_else(|| "info".to_owned());
                            let level_key = level.clone();
                            view! {
                                <tr class="crumb">
                                    <td class="offset" title=crumb.timestamp.map(absolute).unwrap_or_default()>
                                        {crumb.timestamp.map(|t| offset(t - at)).unwrap_or_default()}
                                    </td>
                                    <td>{crumb.category.or(crumb.ty).unwrap_or_default()}</td>
                                    <td><span class="level" data-level=level_key>{level}</span></td>
                                    <td class="crumb-message">{crumb.message.unwrap_or_default()}</td>
                                    <td class="crumb-data">{crumb.data.as_ref().map(|data| view! { <code>{display(data)}</code> })}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                    <tr class="crumb error-crumb">
                        <td class="offset">"at the error"</td>
                        <td>"error"</td>
                        <td><span class="level" data-level="error">"error"</span></td>
                        <td class="crumb-message">{title}</td>
                        <td></td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
}

/// "at the error", "-340 ms", "-2.3 s", "-3 min 5 s": how long before (or after) the error.
fn offset(delta: chrono::TimeDelta) -> String {
    let millis = delta.num_milliseconds();
    let sign = if millis < 0 { "-" } else { "+" };
    let millis = millis.unsigned_abs();
    match millis {
        0..5 => "at the error".to_owned(),
        5..1_000 => format!("{sign}{millis} ms"),
        1_000..60_000 => format!("{sign}{:.1} s", millis as f64 / 1000.0),
        60_000..3_600_000 => format!("{sign}{} min {} s", millis / 60_000, millis % 60_000 / 1000),
        _ => format!("{sign}{} h {} min", millis / 3_600_000, millis % 3_600_000 / 60_000),
    }
}

#[component]
pub fn EventTags(tags: Vec<(String, String)>) -> impl IntoView {
    view! {
        <section class="card event-tags">
            <h2>"Tags"</h2>
            <ul class="chips">
                {tags
                    .into_iter()
                    .map(|(key, value)| view! { <li class="chip"><span class="chip-key">{key}</span><span class="chip-value">{value}</span></li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// Browser, OS, runtime, device, trace and whatever else the SDK described.
#[component]
pub fn Contexts(contexts: Object) -> impl IntoView {
    view! {
        <section class="card contexts">
            <h2>"Contexts"</h2>
            <div class="context-grid">
                {contexts
                    .into_iter()
                    .map(|(name, value)| {
                        let fields = match value {
                            Value::Object(fields) => pairs(&fields),
                            other => vec![("value".to_owned(), other)],
                        };
                        let key = name.clone();
                        view! {
                            <div class="context" data-context=key>
                                <h3>{name}</h3>
                                <KeyValues pairs=fields/>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}

/// The HTTP request the error happened in: method and URL, then query, headers, body, cookies.
#[component]
pub fn Request(request: Object) -> impl IntoView {
    let text = |key: &str| request.get(key).map(display).unwrap_or_default();
    let line = format!("{} {}", text("method"), text("url")).trim().to_owned();
    let parts: Vec<(&'static str, Vec<(String, Value)>)> = [
        ("Query", "query_string"),
        ("Headers", "headers"),
        ("Body", "data"),
        ("Cookies", "cookies"),
        ("Environment", "env"),
    ]
    .into_iter()
    .filter_map(|(label, key)| Some((label, entries(request.get(key)?))))
    .filter(|(_, entries)| !entries.is_empty())
    .collect();
    view! {
        <section class="card request">
            <h2>"Request"</h2>
            <p class="request-line"><code>{line}</code></p>
            {parts
                .into_iter()
                .map(|(label, pairs)| view! { <h3>{label}</h3><KeyValues pairs/> })
                .collect_view()}
        </section>
    }
}

/// Name/value pairs from an object, a list of `[name, value]` pairs, or a plain value.
fn entries(value: &Value) -> Vec<(String, Value)> {
    match value {
        Value::Object(object) => pairs(object),
        Value::Array(items) => items
            .iter()
            .map(|item| match item.as_array().map(Vec::as_slice) {
                Some([name, value]) => (display(name), value.clone()),
                _ => (String::new(), item.clone()),
            })
            .collect(),
        Value::Null => Vec::new(),
        Value::String(text) if text.is_empty() => Vec::new(),
        other => vec![(String::new(), other.clone())],
    }
}

#[component]
pub fn User(user: Object) -> impl IntoView {
    view! {
        <section class="card user">
            <h2>"User"</h2>
            <KeyValues pairs=pairs(&user)/>
        </section>
    }
}

/// The SDK's name and version, and the integrations and packages it reported.
#[component]
pub fn Sdk(sdk: Object) -> impl IntoView {
    let mut fields = Vec::new();
    for key in ["name", "version"] {
        if let Some(value) = sdk.get(key) {
            fields.push((key.to_owned(), value.clone()));
        }
    }
    if let Some(Value::Array(integrations)) = sdk.get("integrations") {
        let names: Vec<String> = integrations.iter().map(display).collect();
        fields.push(("integrations".to_owned(), Value::String(names.join(", "))));
    }
    if let Some(Value::Array(packages)) = sdk.get("packages") {
        let names: Vec<String> = packages
            .iter()
            .map(|package| format!("{}@{}", display(&package["name"]), display(&package["version"])))
            .collect();
        fields.push(("packages".to_owned(), Value::String(names.join(", "))));
    }
    view! {
        <section class="card sdk">
            <h2>"SDK"</h2>
            <KeyValues pairs=fields/>
        </section>
    }
}

#[component]
pub fn Attachments(project_id: i64, event_id: String, files: Vec<AttachmentInfo>) -> impl IntoView {
    view! {
        <section class="card attachments">
            <h2>"Attachments"</h2>
            <ul>
                {files
                    .into_iter()
                    .map(|file| {
                        let href = format!("/api/0/projects/{project_id}/events/{event_id}/attachments/{}/", file.id);
                        view! {
                            <li>
                                <a href=href download=file.filename.clone()>{file.filename.clone()}</a>
                                <span class="muted">{format!(" {} · {} bytes", file.content_type, file.size)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// The event as stored (scrubbed), folded away, with a download link.
#[component]
pub fn RawJson(project_id: i64, event: Event) -> impl IntoView {
    let href = format!("/api/0/projects/{project_id}/events/{}/json/", event.event_id);
    let json = serde_json::to_string_pretty(&event).unwrap_or_default();
    view! {
        <section class="card raw-json">
            <header class="section-header">
                <h2>"Raw JSON"</h2>
                <a class="download" href=href download=format!("{}.json", event.event_id)>"Download JSON"</a>
            </header>
            <details>
                <summary>"Show the stored event"</summary>
                <pre>{json}</pre>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use serde_json::json;

    #[test]
    fn breadcrumb_times_read_relative_to_the_error() {
        assert_eq!(offset(TimeDelta::milliseconds(-2310)), "-2.3 s");
        assert_eq!(offset(TimeDelta::milliseconds(-340)), "-340 ms");
        assert_eq!(offset(TimeDelta::seconds(-185)), "-3 min 5 s");
        assert_eq!(offset(TimeDelta::minutes(-125)), "-2 h 5 min");
        assert_eq!(offset(TimeDelta::milliseconds(-3)), "at the error");
        assert_eq!(offset(TimeDelta::milliseconds(1500)), "+1.5 s");
    }

    #[test]
    fn local_variables_read_as_values_not_as_json() {
        assert_eq!(display(&json!("'jane@example.com'")), "'jane@example.com'");
        assert_eq!(display(&json!([1, 2, "three"])), "[1, 2, three]");
        let cart = json!({"items": [{"qty": 2, "sku": "A-1"}], "tags": ["x", "y"], "total": "Decimal('12.50')"});
        assert!(!is_inline(&cart));
        assert_eq!(outline(&cart), "items:\n  -\n    qty: 2\n    sku: A-1\ntags: [x, y]\ntotal: Decimal('12.50')");
        assert_eq!(display(&json!({})), "{}");
    }

    #[test]
    fn headers_read_from_pairs_or_an_object() {
        let from_pairs = entries(&json!([["Accept", "text/html"], ["X-Id", "7"]]));
        assert_eq!(from_pairs, [("Accept".to_owned(), json!("text/html")), ("X-Id".to_owned(), json!("7"))]);
        assert_eq!(entries(&json!({"a": 1})), [("a".to_owned(), json!(1))]);
        assert!(entries(&json!("")).is_empty());
    }
}
