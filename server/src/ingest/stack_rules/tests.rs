use super::*;
use serde_json::json;

fn frame(value: serde_json::Value) -> Frame {
    serde_json::from_value(value).expect("a frame")
}

fn event(platform: &str, frames: serde_json::Value) -> Event {
    let payload = json!({
        "event_id": "0123456789abcdef0123456789abcdef",
        "platform": platform,
        "exception": {"values": [{"type": "E", "stacktrace": {"frames": frames}}]},
    });
    protocol::normalize::event(payload.to_string().as_bytes(), None, None, chrono::Utc::now()).expect("an event")
}

fn in_app(event: &Event) -> Vec<Option<bool>> {
    event.exceptions[0].stacktrace.as_ref().expect("a stack").frames.iter().map(|f| f.in_app).collect()
}

#[test]
fn the_built_in_rules_parse_and_change_only_with_the_grouping_version() {
    assert!(BUILTIN.rules.len() > 40);
    // Other built-in rules group differently: a change here needs a new GROUPING_VERSION, and
    // projects a transition from the old one, or their issues split.
    use md5::Digest;
    let digest = format!("{:x}", md5::Md5::digest(BUILTIN_TEXT.as_bytes()));
    assert_eq!(
        (crate::ingest::fingerprint::GROUPING_VERSION, digest.as_str()),
        ("faultline:2026-12-07", "ed83774f810074dcc26b2080c1488a69"),
        "builtin.rules changed"
    );
}

#[test]
fn a_rust_panic_keeps_only_its_own_frames_in_the_app() {
    let mut event = event(
        "native",
        json!([
            {"function": "std::rt::lang_start_internal", "abs_path": "/rustc/abc/library/std/src/rt.rs"},
            {"function": "shop::checkout::total", "abs_path": "/srv/shop/src/checkout.rs"},
            {"function": "core::panicking::panic_fmt"},
            {"function": "__rustc::rust_begin_unwind"},
            {"function": "<alloc::boxed::Box<F,A> as core::ops::function::Fn<Args>>::call"},
            {"function": "sentry_panic::PanicIntegration::event_from_panic_info", "filename": "lib.rs"},
            {"function": "serde_json::de::from_str", "abs_path": "/home/u/.cargo/registry/src/index/serde_json-1/src/de.rs"},
            {"function": "tower::util::call", "abs_path": "/usr/local/cargo/registry/src/index/tower-0.5/src/util.rs"},
        ]),
    );
    mark_in_app(&mut event, &[&*BUILTIN]);
    let library = Some(false);
    assert_eq!(in_app(&event), [library, None, library, library, library, library, library, library]);
    assert_eq!(event.culprit(), "/srv/shop/src/checkout.rs in shop::checkout::total");
}

#[test]
fn dependencies_node_internals_extensions_and_cdns_are_not_the_app() {
    let mut node = event(
        "node",
        json!([
            {"function": "processTicksAndRejections", "abs_path": "node:internal/process/task_queues", "in_app": true},
            {"function": "handle", "abs_path": "/srv/app/node_modules/express/lib/router/layer.js", "in_app": true},
            {"function": "checkout", "abs_path": "/srv/app/routes.js", "in_app": true},
        ]),
    );
    mark_in_app(&mut node, &[&*BUILTIN]);
    assert_eq!(in_app(&node), [Some(false), Some(false), Some(true)]);
    let mut relative =
        event("node", json!([{"function": "handle", "filename": "node_modules/express/index.js", "in_app": true}]));
    mark_in_app(&mut relative, &[&*BUILTIN]);
    assert_eq!(in_app(&relative), [Some(false)], "a relative path as if it began with /");

    let mut browser = event(
        "javascript",
        json!([
            {"function": "send", "abs_path": "https://cdn.jsdelivr.net/npm/axios@1/dist/axios.min.js", "in_app": true},
            {"function": "inject", "abs_path": "chrome-extension://abcdef/content.js", "in_app": true},
            {"function": "onClick", "abs_path": "https://shop.example/assets/app.js", "in_app": true},
        ]),
    );
    mark_in_app(&mut browser, &[&*BUILTIN]);
    assert_eq!(in_app(&browser), [Some(false), Some(false), Some(true)]);

    let mut python = event(
        "python",
        json!([
            {"function": "view", "abs_path": "/srv/shop/views.py", "module": "shop.views", "in_app": true},
            {"function": "get", "abs_path": "/srv/venv/lib/python3.11/site-packages/requests/api.py", "in_app": true},
        ]),
    );
    mark_in_app(&mut python, &[&*BUILTIN]);
    assert_eq!(in_app(&python), [Some(true), Some(false)]);
}

#[test]
fn a_projects_rules_come_after_the_built_in_ones_and_the_last_match_decides() {
    let own = StackRules::parse(
        "# ours\nstack.module:shop.* +app\nstack.function:log_* -app -group\n\nstack.module:shop.vendor.* -app",
    )
    .expect("rules");
    let mut event = event(
        "python",
        json!([
            {"function": "run", "module": "shop.jobs", "abs_path": "/srv/venv/lib/python3.11/site-packages/shop/jobs.py"},
            {"function": "log_error", "module": "shop.util"},
            {"function": "pay", "module": "shop.vendor.stripe", "in_app": true},
        ]),
    );
    mark_in_app(&mut event, &[&*BUILTIN, &own]);
    assert_eq!(in_app(&event), [Some(true), Some(false), Some(false)]);
    let frames = &event.exceptions[0].stacktrace.as_ref().expect("a stack").frames;
    assert_eq!(grouped(&frames[1], "python", &[&*BUILTIN, &own]), Some(false));
    assert_eq!(grouped(&frames[0], "python", &[&*BUILTIN, &own]), None);
}

#[test]
fn negation_families_app_and_packages_match_as_in_sentry() {
    let rules = StackRules::parse(
        "family:javascript,native !stack.function:keep* -group\napp:no stack.package:**/libfoo.so +group",
    )
    .expect("rules");
    let js = frame(json!({"function": "drop"}));
    assert_eq!(grouped(&js, "node", &[&rules]), Some(false));
    assert_eq!(grouped(&frame(json!({"function": "keepMe"})), "node", &[&rules]), None);
    assert_eq!(grouped(&js, "python", &[&rules]), None, "other family");
    let native = frame(json!({"function": "f", "package": "/usr/lib/libfoo.so", "in_app": false}));
    assert_eq!(grouped(&native, "native", &[&rules]), Some(true), "the last rule wins");
    let libc = frame(json!({"function": "abort", "package": "/lib/x86_64-linux-gnu/libc.so.6"}));
    let mut event = event("native", json!([libc]));
    mark_in_app(&mut event, &[&*BUILTIN]);
    assert_eq!(in_app(&event), [Some(false)], "the package's last part");
}

#[test]
fn a_rule_that_does_not_parse_says_which_line_and_why() {
    let error = |text: &str| StackRules::parse(text).expect_err("an error");
    assert_eq!(error("stack.module:a +app\nstack.modul:b -app").line, 2);
    assert!(error("stack.modul:b -app").message.contains("not a matcher"));
    assert!(error("stack.function:x ^-group").message.contains("not an action"));
    assert!(error("stack.function:x").message.contains("needs an action"));
    assert!(error("+app").message.contains("needs a matcher"));
    assert!(error("family:rust -app").message.contains("not a family"));
    assert!(error("app:maybe -app").message.contains("app:yes"));
    assert!(error("stack.function:\"a b -app").message.contains("quote"));
    assert!(error(&"# x\n".repeat(MOST_CHARS)).message.contains("longer"));
    let quoted = StackRules::parse("stack.function:\"a b\" -app").expect("a quoted value");
    let mut spaced = event("native", json!([{"function": "a b"}]));
    mark_in_app(&mut spaced, &[&quoted]);
    assert_eq!(in_app(&spaced), [Some(false)]);
}
