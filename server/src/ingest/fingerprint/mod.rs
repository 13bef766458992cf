//! Grouping: which issue an event belongs to, as Sentry decides it (SENTRY_PROTOCOL.md A4,
//! `newstyle:2023-01-11`). A legacy `checksum` wins; then the SDK's `fingerprint`, whose
//! `{{ default }}` stands for the default grouping; else the first strategy that contributes:
//! chained exceptions, a single thread, a bare stack trace, the message. Stack-based strategies
//! give an *app* hash (in-app frames) and a *system* hash (all frames); an event joins the issue
//! owning any of its hashes. Line numbers never count.

mod component;
mod parameterize;
mod strategies;
#[cfg(test)]
mod tests;

use super::stack_rules::StackRules;
use app::event::Event;
use app::model::GroupingVariant;
use component::{Component, hash_from_values};
use serde::Serialize;
use strategies::{Context, Variants};

/// Stored on each issue, so the rules can change without silently splitting old issues: Sentry's
/// `newstyle:2023-01-11` over frames marked by the built-in stack trace rules (before them,
/// `newstyle:2023-01-11` alone).
pub const GROUPING_VERSION: &str = "faultline:2026-12-07";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// Lowercase hex md5 hashes, the primary first; the event joins the issue owning any.
    pub hashes: Vec<String>,
    pub version: &'static str,
}

/// One way of grouping the event, with the tree that explains it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub name: &'static str,
    /// `None` when nothing contributes.
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// The resolved fingerprint, for fingerprint-based variants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<Vec<String>>,
}

/// The event's hashes; `rules` say which frames group (`-group`), the frames' in-app flags
/// are as they already set them.
pub fn group(event: &Event, rules: &[&StackRules]) -> Grouping {
    let mut hashes: Vec<String> = Vec::new();
    for hash in variants(event, rules).into_iter().filter_map(|variant| variant.hash) {
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    Grouping { hashes, version: GROUPING_VERSION }
}

/// Every variant of the event, in hash order: app, default, system last.
pub fn variants(event: &Event, rules: &[&StackRules]) -> Vec<Variant> {
    if let Some(checksum) = event.other.get("checksum").and_then(|v| v.as_str()).filter(|c| !c.is_empty()) {
        let is_md5 = checksum.len() == 32 && checksum.bytes().all(|b| b.is_ascii_hexdigit());
        let hash = if is_md5 { checksum.to_lowercase() } else { hash_from_values([checksum]) };
        return vec![Variant { name: "checksum", hash: Some(hash), component: None, fingerprint: None }];
    }
    let fingerprint = event.fingerprint.as_deref().unwrap_or(&[]);
    let defaults = || default_variants(event, Context { platform: &event.platform, rules });
    match fingerprint {
        [] => defaults(),
        [only] if is_default(only) => defaults(),
        parts if parts.iter().any(|part| is_default(part)) => {
            let resolved: Vec<String> = parts.iter().map(|part| resolve(part, event)).collect();
            defaults()
                .into_iter()
                .map(|variant| {
                    let hash = variant.component.as_ref().filter(|c| c.contributes).map(|component| {
                        let values = component.contributing_values();
                        let salted = resolved
                            .iter()
                            .flat_map(|part| if is_default(part) { values.clone() } else { vec![part.as_str()] });
                        hash_from_values(salted)
                    });
                    Variant { hash, fingerprint: Some(resolved.clone()), ..variant }
                })
                .collect()
        }
        parts => {
            let resolved: Vec<String> = parts.iter().map(|part| resolve(part, event)).collect();
            let hash = hash_from_values(resolved.iter().map(String::as_str));
            vec![Variant { name: "custom-fingerprint", hash: Some(hash), component: None, fingerprint: Some(resolved) }]
        }
    }
}

/// Each variant as the issue page explains it: its hash and the values hashed (whether the
/// issue owns the hash is the caller's to fill in).
pub fn explained(event: &Event, rules: &[&StackRules]) -> Vec<GroupingVariant> {
    variants(event, rules)
        .into_iter()
        .map(|variant| {
            let values = match (&variant.component, &variant.fingerprint) {
                (Some(component), _) => component.contributing_values().into_iter().map(str::to_owned).collect(),
                (None, Some(fingerprint)) => fingerprint.clone(),
                (None, None) => Vec::new(),
            };
            let hint = variant
                .component
                .as_ref()
                .filter(|component| !component.contributes)
                .map(|component| component.hint.unwrap_or("nothing in it contributes").to_owned());
            GroupingVariant { name: variant.name.to_owned(), hash: variant.hash, of_this_issue: false, values, hint }
        })
        .collect()
}

/// The first strategy that contributes decides: chained exceptions, threads, stack trace,
/// message; with none, a constant fallback.
fn default_variants(event: &Event, context: Context<'_>) -> Vec<Variant> {
    let stack_based = [
        (!event.exceptions.is_empty()).then(|| strategies::chained_exception(&event.exceptions, context)),
        strategies::threads(event, context),
        event.stacktrace.as_ref().map(|stack| strategies::stacktrace(stack, context)),
    ];
    for variants in stack_based.into_iter().flatten() {
        if variants.values().any(|component| component.contributes) {
            return ordered(strategies::remove_non_stacktrace_variants(variants));
        }
    }
    if let Some(message) = strategies::message(event).filter(|component| component.contributes) {
        return vec![variant("default", message)];
    }
    vec![Variant { name: "fallback", hash: Some(hash_from_values([])), component: None, fingerprint: None }]
}

fn ordered(mut variants: Variants) -> Vec<Variant> {
    let mut out = Vec::new();
    for name in ["app", "system"] {
        if let Some(component) = variants.remove(name) {
            out.push(variant(name, component));
        }
    }
    out
}

fn variant(name: &'static str, component: Component) -> Variant {
    let hash = component.contributes.then(|| hash_from_values(component.contributing_values()));
    Variant { name, hash, component: Some(component), fingerprint: None }
}

/// `{{ name }}`, the variable of a whole fingerprint entry.
fn variable(part: &str) -> Option<&str> {
    let inner = part.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    (!inner.is_empty() && !inner.contains(char::is_whitespace)).then_some(inner)
}

fn is_default(part: &str) -> bool {
    variable(part) == Some("default")
}

/// Resolves a fingerprint entry's variable; `{{ default }}` and plain text stay as they are.
fn resolve(part: &str, event: &Event) -> String {
    let Some(name) = variable(part) else { return part.to_owned() };
    let crash_frame = || event.crash_stacktrace().and_then(|stack| stack.frames.last());
    let main = event.main_exception();
    let value = match name {
        "default" => return part.to_owned(),
        "transaction" => event.transaction.clone(),
        "message" => event
            .logentry
            .as_ref()
            .and_then(|entry| entry.formatted.clone().or_else(|| entry.message.clone()))
            .or_else(|| main.and_then(|e| e.value.clone())),
        "type" | "error.type" => main.and_then(|e| e.ty.clone()),
        "value" | "error.value" => main.and_then(|e| e.value.clone()),
        "function" | "stack.function" => crash_frame().and_then(|f| f.function.clone()),
        "path" | "stack.abs_path" => crash_frame().and_then(|f| f.abs_path.clone()),
        "stack.filename" => crash_frame().and_then(|f| f.filename.clone()),
        "module" | "stack.module" => crash_frame().and_then(|f| f.module.clone()),
        "package" | "stack.package" => crash_frame().and_then(|f| f.package.clone()),
        "level" => Some(event.level.as_str().to_owned()),
        "logger" => event.logger.clone(),
        tag if tag.starts_with("tags.") => {
            let key = &tag["tags.".len()..];
            return event
                .tags
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| format!("<no-value-for-tag-{key}>"));
        }
        _ => return part.to_owned(),
    };
    let placeholder = match name {
        "stack.abs_path" | "path" => "abs-path",
        other => other.rsplit('.').next().unwrap_or(other),
    };
    value.unwrap_or_else(|| format!("<no-{placeholder}>"))
}
