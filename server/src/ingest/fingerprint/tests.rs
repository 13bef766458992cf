//! Grouping snapshots over every recorded SDK event (`tests/fixtures/sentry`), and synthetic
//! cases for the rules that matter most: lines do not split issues, call paths do, numbers in
//! messages do not, and custom fingerprints split or merge as asked.

use super::{GROUPING_VERSION, group, variants};
use crate::ingest::normalize;
use app::event::Event;
use chrono::{TimeZone, Utc};
use protocol::decompress::{Encoding, decode};
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sentry")
}

fn received() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 17, 0, 0).single().expect("valid time")
}

/// The event of a recording, as the pipeline normalizes it.
fn recorded_event(name: &str) -> Option<Event> {
    let base = fixtures().join(name);
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(base.with_extension("meta.json")).expect("meta")).expect("json");
    let encoding = meta["headers"]
        .as_array()
        .and_then(|headers| {
            headers.iter().find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case("content-encoding")))
        })
        .and_then(|h| h[1].as_str());
    let raw = std::fs::read(base.with_extension("body.raw")).expect("body");
    let body = decode(Encoding::from_header(encoding).expect("encoding"), raw.into(), 10 << 20).expect("decodes");
    let envelope = protocol::envelope::envelope(body).expect("parses");
    let item = envelope.event_item().expect("one event")?;
    Some(normalize::event(&item.payload, None, None, received()).expect("normalizes"))
}

fn event(body: Value) -> Event {
    normalize::event(body.to_string().as_bytes(), None, None, received()).expect("normalizes")
}

#[test]
fn every_recorded_event_groups_as_its_snapshot_says() {
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("index.json")).expect("index")).expect("json");
    let mut snapshots = 0;
    for entry in index {
        let name = entry["file"].as_str().expect("file");
        let Some(event) = recorded_event(name) else { continue };
        let snapshot = json!({
            "title": event.title(),
            "hashes": group(&event, &[]).hashes,
            "variants": variants(&event, &[]),
        });
        insta::assert_json_snapshot!(name.replace('/', "__"), snapshot);
        snapshots += 1;
    }
    assert!(snapshots >= 25, "only {snapshots} recorded events");
}

#[test]
fn the_same_python_error_recorded_with_and_without_compression_groups_together() {
    let hashes: Vec<_> =
        ["python/default/py-default-01", "python/brotli/py-brotli-01", "python/nocompress/py-nocompress-01"]
            .into_iter()
            .map(|name| group(&recorded_event(name).expect("event"), &[]).hashes)
            .collect();
    assert_eq!(hashes[0], hashes[1]);
    assert_eq!(hashes[0], hashes[2]);
}

fn python_error(line: u64, caller: &str, value: &str) -> Event {
    event(json!({"platform": "python", "exception": {"values": [{"type": "ZeroDivisionError", "value": value,
    "stacktrace": {"frames": [
        {"module": "shop.views", "function": caller, "lineno": 3, "context_line": format!("    {caller}(cart)"), "in_app": true},
        {"module": "shop.checkout", "function": "pay", "lineno": line, "context_line": "    return total / count", "in_app": true},
        {"module": "decimal", "function": "divide", "lineno": 10, "context_line": "return a / b", "in_app": false}
    ]}}]}}))
}

#[test]
fn the_same_error_raised_from_another_line_is_the_same_issue() {
    assert_eq!(
        group(&python_error(10, "checkout", "division by zero"), &[]),
        group(&python_error(99, "checkout", "division by zero"), &[])
    );
}

#[test]
fn different_in_app_call_paths_stay_apart() {
    assert_ne!(
        group(&python_error(10, "checkout", "x"), &[]).hashes,
        group(&python_error(10, "refund", "x"), &[]).hashes
    );
}

#[test]
fn the_exception_value_does_not_count_when_the_stack_does() {
    assert_eq!(
        group(&python_error(10, "checkout", "1 / 0"), &[]),
        group(&python_error(10, "checkout", "other words"), &[])
    );
}

#[test]
fn an_event_has_an_app_hash_and_a_system_hash() {
    let grouping = group(&python_error(10, "checkout", "x"), &[]);
    assert_eq!(grouping.hashes.len(), 2, "app and system differ: the stack has a library frame");
    assert_eq!(grouping.version, GROUPING_VERSION);
}

#[test]
fn a_change_in_library_frames_keeps_the_app_hash() {
    let mut other_library = python_error(10, "checkout", "x");
    if let Some(frame) = other_library.exceptions[0].stacktrace.as_mut().and_then(|s| s.frames.last_mut()) {
        frame.module = Some("fractions".to_owned());
    }
    let (a, b) = (group(&python_error(10, "checkout", "x"), &[]), group(&other_library, &[]));
    assert_eq!(a.hashes[0], b.hashes[0], "the app hash is the same, so the event joins the same issue");
    assert_ne!(a.hashes[1], b.hashes[1], "the system hash differs");
}

#[test]
fn messages_that_differ_only_in_ids_group_together() {
    let message = |text: &str| event(json!({"logentry": {"formatted": text}}));
    assert_eq!(
        group(&message("Payment 4711 failed for user 42"), &[]),
        group(&message("Payment 815 failed for user 7"), &[])
    );
    assert_eq!(
        group(&message("Timeout talking to 10.0.0.7 after 250ms for jane@example.com"), &[]),
        group(&message("Timeout talking to 10.0.3.9 after 30ms for joe@example.org"), &[])
    );
    assert_ne!(group(&message("Payment 4711 failed"), &[]), group(&message("Refund 4711 failed"), &[]));
}

#[test]
fn a_logging_template_groups_whatever_its_parameters() {
    let logged =
        |params: Value| event(json!({"logentry": {"message": "Payment %s failed for user %d", "params": params}}));
    assert_eq!(group(&logged(json!(["pay_A", 42])), &[]), group(&logged(json!(["pay_B", 7])), &[]));
}

#[test]
fn exceptions_without_a_stack_group_by_type_and_normalized_value() {
    let bare = |value: &str| event(json!({"exception": [{"type": "ConnectionError", "value": value}]}));
    assert_eq!(group(&bare("refused by 10.0.0.1:5432"), &[]), group(&bare("refused by 10.0.0.2:5432"), &[]));
    assert_ne!(group(&bare("refused"), &[]), group(&bare("reset by peer"), &[]));
}

#[test]
fn a_custom_fingerprint_merges_and_splits_as_asked() {
    let with = |fingerprint: Value, caller: &str| {
        let mut e = python_error(10, caller, "x");
        e.fingerprint = serde_json::from_value(fingerprint).ok();
        group(&e, &[])
    };
    assert_eq!(with(json!(["{{ default }}"]), "checkout"), group(&python_error(10, "checkout", "x"), &[]));
    assert_eq!(with(json!(["payments"]), "checkout"), with(json!(["payments"]), "refund"), "merged across call paths");
    assert_ne!(
        with(json!(["{{default}}", "eu"]), "checkout"),
        with(json!(["{{default}}", "us"]), "checkout"),
        "split by region"
    );
    assert_eq!(
        with(json!(["{{ type }}"]), "checkout"),
        with(json!(["ZeroDivisionError"]), "refund"),
        "variables resolve"
    );
}

#[test]
fn recursion_collapses_and_synthetic_types_do_not_count() {
    let frames = |depth: usize| {
        let frame = json!({"function": "walk", "module": "tree", "lineno": 5, "in_app": true});
        json!({"exception": [{"type": "RecursionError", "value": "deep", "stacktrace": {"frames": vec![frame; depth]}}]})
    };
    assert_eq!(group(&event(frames(3)), &[]), group(&event(frames(300)), &[]));

    let synthetic = |ty: &str| {
        event(json!({"platform": "javascript", "exception": [{"type": ty, "value": "boom",
            "mechanism": {"type": "generic", "synthetic": true},
            "stacktrace": {"frames": [{"filename": "app.js", "function": "main", "in_app": true}]}}]}))
    };
    assert_eq!(group(&synthetic("Error"), &[]), group(&synthetic("Exception"), &[]));
}

#[test]
fn javascript_method_receivers_and_url_filenames_do_not_split_issues() {
    let js = |function: &str, url: &str| {
        event(json!({"platform": "javascript", "exception": [{"type": "TypeError", "value": "x",
            "stacktrace": {"frames": [{"abs_path": url, "filename": url, "function": function, "lineno": 1, "in_app": true}]}}]}))
    };
    assert_eq!(
        group(&js("Object.handleClick", "https://shop.example.com/app.4f2a.js"), &[]),
        group(&js("HTMLButtonElement.handleClick", "https://cdn.example.com/app.9c1b.js"), &[])
    );
}

#[test]
fn a_legacy_checksum_wins() {
    let mut e = python_error(10, "checkout", "x");
    e.other.insert("checksum".into(), json!("0123456789ABCDEF0123456789ABCDEF"));
    assert_eq!(group(&e, &[]).hashes, ["0123456789abcdef0123456789abcdef"]);
}

#[test]
fn an_exception_group_with_one_distinct_cause_groups_like_that_cause() {
    let group_event = event(json!({"exception": [
        {"type": "ValueError", "value": "a", "mechanism": {"type": "chained", "exception_id": 1, "parent_id": 0}},
        {"type": "ValueError", "value": "a", "mechanism": {"type": "chained", "exception_id": 2, "parent_id": 0}},
        {"type": "ExceptionGroup", "value": "2 errors", "mechanism": {"type": "generic", "exception_id": 0, "is_exception_group": true}}
    ]}));
    let single = event(json!({"exception": [{"type": "ValueError", "value": "a"}]}));
    assert_eq!(group(&group_event, &[]), group(&single, &[]));
}
