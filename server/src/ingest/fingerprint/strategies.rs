//! Sentry's `newstyle:2023-01-11` grouping strategies (`grouping/strategies/newstyle.py`): frames,
//! stack traces in an *app* and a *system* variant, single and chained exceptions (with
//! exception groups filtered per RFC 0079), threads, and messages.

use super::component::{Component, hash_from_values};
use super::parameterize::normalize_message;
use crate::ingest::stack_rules::{self, StackRules};
use app::event::{Event, Exception, Frame, Stacktrace};
use std::collections::BTreeMap;

/// What every frame is grouped with: the event's platform and the stack trace rules.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub platform: &'a str,
    pub rules: &'a [&'a StackRules],
}

/// A stack-based strategy's result: variant name (`app`, `system`) → component.
pub type Variants = BTreeMap<&'static str, Component>;

/// Platforms whose context lines are trusted for grouping.
const CONTEXT_LINE_PLATFORMS: [&str; 5] = ["javascript", "node", "python", "php", "ruby"];

fn is_javascript(platform: &str) -> bool {
    matches!(platform, "javascript" | "node")
}

fn is_native(platform: &str) -> bool {
    matches!(platform, "native" | "c" | "cocoa" | "objc" | "swift")
}

/// `has_url_origin`: the frame points to a URL rather than a file of the app.
fn has_url_origin(path: Option<&str>, allow_file_origin: bool) -> bool {
    match path {
        Some(path) if ["http:", "https:", "applewebdata:", "blob:"].iter().any(|p| path.starts_with(p)) => true,
        Some(path) if path.starts_with("file:") => allow_file_origin,
        _ => false,
    }
}

fn filename_component(frame: &Frame, platform: &str) -> Component {
    let Some(filename) = frame.filename.as_deref() else { return Component::leaf("filename", None) };
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename).to_lowercase();
    let mut component = Component::leaf("filename", Some(base.clone()));
    if has_url_origin(frame.abs_path.as_deref(), true) {
        component.ignore("ignored because frame points to a URL");
    } else if base == "<anonymous>" {
        component.ignore("anonymous filename discarded");
    } else if base == "[native code]" {
        component.ignore("native code indicated by filename");
    } else if platform == "java"
        && let Some(cleaned) = java_assist_cleaned(&base)
    {
        component.values = vec![super::component::Part::Text(cleaned)];
    }
    component
}

/// `Foo_$$_javassist_74` → `Foo_$$_javassist<auto>`.
fn java_assist_cleaned(name: &str) -> Option<String> {
    let at = name.find("$$_javassist")?;
    let rest = &name[at + "$$_javassist".len()..];
    let rest = rest.strip_prefix("_seam").unwrap_or(rest);
    let digits = rest.strip_prefix('_').map_or(0, |r| 1 + r.chars().take_while(char::is_ascii_digit).count());
    Some(format!("{}$$_javassist<auto>{}", &name[..at], &rest[digits.min(rest.len())..]))
}

fn module_component(frame: &Frame, platform: &str) -> Component {
    let Some(module) = frame.module.as_deref() else { return Component::leaf("module", None) };
    let mut component = Component::leaf("module", Some(module.to_owned()));
    if platform == "javascript"
        && module.contains('/')
        && frame.abs_path.as_deref().is_some_and(|p| p.ends_with(module))
    {
        component.ignore("ignored bad javascript module");
    } else if platform == "java" {
        if module.contains("$$Lambda$") {
            component.ignore("ignored java lambda");
        }
        for marker in ["sun.reflect.GeneratedMethodAccessor", "jdk.internal.reflect.GeneratedMethodAccessor"] {
            if module.starts_with(marker) {
                component.values = vec![super::component::Part::Text(marker.to_owned())];
            }
        }
    }
    component
}

fn context_line_component(frame: &Frame, platform: &str) -> Option<Component> {
    if !CONTEXT_LINE_PLATFORMS.contains(&platform) {
        return None;
    }
    let raw = frame.context_line.as_deref().unwrap_or_default();
    let line = raw.replace('\t', "  ").split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return Some(Component::leaf("context-line", None));
    }
    let mut component = Component::leaf("context-line", Some(line));
    if raw.chars().count() > 120 {
        component.ignore("discarded because line too long");
    } else if is_javascript(platform) && frame.function.is_none() && has_url_origin(frame.abs_path.as_deref(), false) {
        component.ignore("discarded because from URL origin and no function");
    }
    Some(component)
}

fn function_component(frame: &Frame, platform: &str, context_line_contributes: bool) -> Component {
    let name = if platform == "csharp" {
        frame.raw_function.as_deref().or(frame.function.as_deref())
    } else {
        frame.function.as_deref().or(frame.raw_function.as_deref())
    };
    let Some(name) = name.filter(|name| !name.is_empty()) else { return Component::leaf("function", None) };
    let mut component = Component::leaf("function", Some(name.to_owned()));
    let set = |component: &mut Component, value: String| component.values = vec![super::component::Part::Text(value)];
    if platform == "ruby" {
        if name.starts_with("block ") {
            set(&mut component, "block".to_owned());
        } else if let Some(trimmed) = ruby_erb_trimmed(name) {
            set(&mut component, trimmed);
        }
    } else if platform == "php" {
        if name.starts_with("[Anonymous") || name.starts_with("class@anonymous\0") {
            component.ignore("ignored anonymous function");
        }
    } else if platform == "java" {
        if name.starts_with("lambda$") {
            component.ignore("ignored lambda function");
        }
    } else if is_native(platform) {
        if name == "<redacted>" || name == "<unknown>" {
            component.ignore("ignored unknown function");
        }
    } else if is_javascript(platform) {
        if let Some((_, last)) = name.rsplit_once('.') {
            set(&mut component, last.to_owned());
        }
        let sourcemap_used =
            frame.other.get("data").and_then(|data| data.get("sourcemap")).is_some_and(|v| !v.is_null());
        if sourcemap_used && context_line_contributes {
            component.ignore("ignored because sourcemap used and context line available");
        }
    }
    component
}

/// Ruby ERB template methods end in `__1234_5678`.
fn ruby_erb_trimmed(name: &str) -> Option<String> {
    let (head, tail) = name.rsplit_once("__")?;
    let (a, b) = tail.split_once('_')?;
    let numeric = |s: &str| s.len() >= 4 && s.bytes().all(|c| c.is_ascii_digit());
    (numeric(a) && numeric(b)).then(|| head.to_owned())
}

/// `frame:v1`.
fn frame_component(frame: &Frame, event_platform: &str, is_recursion: bool) -> Component {
    let platform = frame.platform.as_deref().unwrap_or(event_platform);
    let mut filename = filename_component(frame, platform);
    let module = module_component(frame, platform);
    if module.contributes && filename.contributes {
        filename.ignore("module takes precedence");
    }
    let context_line = context_line_component(frame, platform);
    let mut function = function_component(frame, platform, context_line.as_ref().is_some_and(|c| c.contributes));

    let mut ignore_frame = None;
    if is_javascript(platform) {
        let name =
            frame.raw_function.as_deref().or(frame.function.as_deref()).map(|f| f.rsplit('.').next().unwrap_or(f));
        match name {
            None | Some("") => function.contributes = false,
            Some(name)
                if ["?", "<anonymous function>", "<anonymous>", "Anonymous function"].contains(&name)
                    || name.ends_with("/<") =>
            {
                function.ignore("ignored unknown function name");
            }
            Some(_) => {}
        }
        let low_quality_path = frame
            .abs_path
            .as_deref()
            .is_some_and(|p| ["[native code]", "native code", "eval code", "<anonymous>"].contains(&p));
        if name == Some("eval") || low_quality_path {
            ignore_frame = Some("ignored low quality javascript frame");
        }
    }

    let mut children = vec![module, filename, function];
    children.extend(context_line);
    let mut component = Component::node("frame", children);
    if let Some(hint) = ignore_frame {
        component.ignore(hint);
    }
    if is_recursion {
        component.ignore("ignored due to recursion");
    }
    component
}

fn is_recursion(frame: &Frame, previous: Option<&Frame>) -> bool {
    previous.is_some_and(|prev| {
        prev.abs_path == frame.abs_path
            && prev.package == frame.package
            && prev.module == frame.module
            && prev.filename == frame.filename
            && prev.function == frame.function
            && prev.lineno == frame.lineno
            && prev.colno == frame.colno
    })
}

/// `stacktrace:v1`: one component per variant; in `app` only in-app frames contribute.
pub fn stacktrace(stack: &Stacktrace, context: Context<'_>) -> Variants {
    let event_platform = context.platform;
    // `+group` only undoes an earlier `-group`: the last rule that matched decides.
    let grouped_out: Vec<bool> = stack
        .frames
        .iter()
        .map(|frame| stack_rules::grouped(frame, event_platform, context.rules) == Some(false))
        .collect();
    ["system", "app"]
        .into_iter()
        .map(|variant| {
            let mut previous = None;
            let mut frames = Vec::with_capacity(stack.frames.len());
            for (frame, grouped_out) in stack.frames.iter().zip(&grouped_out) {
                let mut component = frame_component(frame, event_platform, is_recursion(frame, previous));
                if *grouped_out {
                    component.ignore("ignored by a stack trace rule");
                }
                // Frames the SDK did not mark are not in-app.
                if variant == "app" && frame.in_app != Some(true) {
                    component.ignore("non app frame");
                }
                frames.push(component);
                previous = Some(frame);
            }
            if let [only] = stack.frames.as_slice() {
                let platform = only.platform.as_deref().unwrap_or(event_platform);
                if frames[0].contributes
                    && is_javascript(platform)
                    && only.function.is_none()
                    && has_url_origin(only.abs_path.as_deref(), false)
                {
                    frames[0].ignore("ignored single non-URL JavaScript frame");
                }
            }
            (variant, Component::node("stacktrace", frames))
        })
        .collect()
}

/// `single-exception:v1`, components in the 2023-01-11 order: stack trace, type, value.
fn single_exception(exception: &Exception, context: Context<'_>) -> Variants {
    let mut ty = Component::leaf("type", exception.ty.clone().filter(|ty| !ty.is_empty()));
    if exception.mechanism.as_ref().and_then(|m| m.synthetic) == Some(true) {
        ty.ignore("ignored because exception is synthetic");
    }
    let ns_error = exception
        .mechanism
        .as_ref()
        .and_then(|m| m.other.get("meta"))
        .and_then(|meta| meta.get("ns_error"))
        .map(|ns| {
            let part = |key: &str| {
                ns.get(key).filter(|v| !v.is_null()).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            };
            let values: Vec<Component> =
                [part("domain"), part("code")].into_iter().map(|v| Component::leaf("ns-error-part", v)).collect();
            Component::node("ns-error", values)
        });
    let stacks = match &exception.stacktrace {
        Some(stack) => stacktrace(stack, context),
        None => Variants::from([("app", Component::node("stacktrace", Vec::new()))]),
    };
    stacks
        .into_iter()
        .map(|(variant, stack)| {
            let mut value =
                Component::leaf("value", exception.value.as_deref().map(normalize_message).filter(|v| !v.is_empty()));
            if stack.contributes {
                value.ignore("ignored because stacktrace takes precedence");
            }
            if ns_error.as_ref().is_some_and(|ns| ns.contributes) {
                value.ignore("ignored because ns-error info takes precedence");
            }
            let mut children = vec![stack, ty.clone()];
            children.extend(ns_error.clone());
            children.push(value);
            (variant, Component::node("exception", children))
        })
        .collect()
}

/// `chained-exception:v1`: every exception of the chain, after exception groups are filtered.
pub fn chained_exception(exceptions: &[Exception], context: Context<'_>) -> Variants {
    let components: Vec<Variants> = exceptions.iter().map(|exception| single_exception(exception, context)).collect();
    let kept = filter_exception_groups(exceptions, &components);
    if let [only] = kept.as_slice() {
        return components[*only].clone();
    }
    let mut by_variant: BTreeMap<&'static str, Vec<Component>> = BTreeMap::new();
    for index in kept {
        for (variant, component) in &components[index] {
            by_variant.entry(variant).or_default().push(component.clone());
        }
    }
    by_variant.into_iter().map(|(variant, list)| (variant, Component::node("chained-exception", list))).collect()
}

/// RFC 0079: with exception ids, keep the distinct top-level non-group exceptions (and the
/// root group), or a single one with its first-child path. Returns indices into `exceptions`.
fn filter_exception_groups(exceptions: &[Exception], components: &[Variants]) -> Vec<usize> {
    let all: Vec<usize> = (0..exceptions.len()).collect();
    if exceptions.len() <= 1 {
        return all;
    }
    let mut by_id: BTreeMap<u64, usize> = BTreeMap::new();
    let mut children: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (index, exception) in exceptions.iter().enumerate().rev() {
        let Some(id) = exception.mechanism.as_ref().and_then(|m| m.exception_id) else { return all };
        by_id.insert(id, index);
        if let Some(parent) = exception.mechanism.as_ref().and_then(|m| m.parent_id) {
            children.entry(parent).or_default().push(index);
        }
    }
    let Some(&root) = by_id.get(&0) else { return all };
    let id_of = |index: usize| exceptions[index].mechanism.as_ref().and_then(|m| m.exception_id).unwrap_or_default();
    let kids = |index: usize| children.get(&id_of(index)).cloned().unwrap_or_default();
    let is_group = |index: usize| {
        exceptions[index].mechanism.as_ref().and_then(|m| m.other.get("is_exception_group")).and_then(|v| v.as_bool())
            == Some(true)
    };

    fn top_level(
        index: usize,
        is_group: &dyn Fn(usize) -> bool,
        kids: &dyn Fn(usize) -> Vec<usize>,
        out: &mut Vec<usize>,
    ) {
        if is_group(index) {
            for child in kids(index) {
                top_level(child, is_group, kids, out);
            }
        } else {
            out.push(index);
        }
    }
    let mut top = Vec::new();
    top_level(root, &is_group, &kids, &mut top);
    top.sort_by(|a, b| {
        exceptions[*b].ty.clone().unwrap_or_default().cmp(&exceptions[*a].ty.clone().unwrap_or_default())
    });
    let fingerprint = |index: usize| {
        let variants = &components[index];
        let component = variants.get("app").or_else(|| variants.values().next());
        component.map(|c| hash_from_values(c.contributing_values())).unwrap_or_default()
    };
    let mut distinct: Vec<usize> = Vec::new();
    for index in top {
        if distinct.last().is_none_or(|last| fingerprint(*last) != fingerprint(index)) {
            distinct.push(index);
        }
    }
    if let [only] = distinct.as_slice() {
        let mut path = vec![*only];
        let mut current = *only;
        while let Some(first) = kids(current).first().copied() {
            path.push(first);
            current = first;
        }
        return path;
    }
    distinct.push(root);
    distinct
}

/// `threads:v1`: only an event with exactly one thread groups by it.
pub fn threads(event: &Event, context: Context<'_>) -> Option<Variants> {
    let [thread] = event.threads.as_slice() else { return None };
    let stack = thread.stacktrace.as_ref()?;
    Some(stacktrace(stack, context).into_iter().map(|(v, c)| (v, Component::node("threads", vec![c]))).collect())
}

/// `message:v1`: the log template (or the formatted message), normalized.
pub fn message(event: &Event) -> Option<Component> {
    let entry = event.logentry.as_ref()?;
    let text = entry.message.as_deref().or(entry.formatted.as_deref())?;
    let normalized = normalize_message(text);
    let mut component = Component::leaf("message", Some(normalized.clone()));
    if normalized.is_empty() {
        component.contributes = false;
    }
    Some(component)
}

/// When any variant groups by a stack trace, the variants without one are dropped.
pub fn remove_non_stacktrace_variants(mut variants: Variants) -> Variants {
    if variants.values().any(Component::has_contributing_stacktrace) {
        variants.retain(|_, component| component.has_contributing_stacktrace());
    }
    variants
}
