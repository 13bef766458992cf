//! Stack trace rules in Sentry's syntax (docs.sentry.io, *Stack Trace Rules*): each line holds
//! matchers, then actions, as in `stack.module:myapp.* +app` or `stack.function:log_* -app -group`;
//! `#` starts a comment and `!` negates a matcher. Every rule is tried on every frame, top to
//! bottom, and for each flag the last rule that matched decides. Faultline's [`BUILTIN`] rules
//! come before a project's own: standard libraries, the SDKs' own frames, dependency folders,
//! browser extensions and CDNs are not the app's code.

mod glob;

use app::event::{Event, Frame};
use glob::Glob;
use std::sync::LazyLock;

/// The rules every project starts from, in the same syntax; shown beside the project's own.
pub const BUILTIN_TEXT: &str = include_str!("builtin.rules");

/// [`BUILTIN_TEXT`], read once.
pub static BUILTIN: LazyLock<StackRules> =
    LazyLock::new(|| StackRules::parse(BUILTIN_TEXT).expect("the built-in stack trace rules parse"));

/// Longest text of a project's rules.
pub const MOST_CHARS: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StackRules {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    matchers: Vec<Matcher>,
    app: Option<bool>,
    group: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Matcher {
    negated: bool,
    field: Field,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    Family(Vec<Family>),
    Function(Glob),
    Module(Glob),
    /// The frame's `abs_path` or `filename`.
    Path(Glob),
    /// The package, or the last part of its path.
    Package(Glob),
    /// Whether the frame is in-app as the rules before left it.
    App(bool),
}

/// Sentry's platform families: rules with `family:` apply to some only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Native,
    Javascript,
    Other,
}

impl Family {
    pub fn of(platform: &str) -> Family {
        match platform {
            "javascript" | "node" => Family::Javascript,
            "native" | "c" | "cocoa" | "objc" | "swift" => Family::Native,
            _ => Family::Other,
        }
    }
}

/// A rule that does not parse: which line, and why.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RuleError {
    pub line: usize,
    pub message: String,
}

impl StackRules {
    pub fn parse(text: &str) -> Result<StackRules, RuleError> {
        if text.chars().count() > MOST_CHARS {
            return Err(RuleError { line: 1, message: format!("the rules are longer than {MOST_CHARS} characters") });
        }
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            rules.push(rule(line).map_err(|message| RuleError { line: index + 1, message })?);
        }
        Ok(StackRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Sets the in-app flag of every frame of the event as the rules decide, layer after layer.
pub fn mark_in_app(event: &mut Event, layers: &[&StackRules]) {
    let event_family = Family::of(&event.platform);
    let stacks = event
        .exceptions
        .iter_mut()
        .filter_map(|exception| exception.stacktrace.as_mut())
        .chain(event.threads.iter_mut().filter_map(|thread| thread.stacktrace.as_mut()))
        .chain(event.stacktrace.as_mut());
    for stack in stacks {
        for frame in &mut stack.frames {
            let family = frame.platform.as_deref().map_or(event_family, Family::of);
            for rule in layers.iter().flat_map(|rules| &rules.rules) {
                if let Some(app) = rule.app
                    && rule.matches(frame, family)
                {
                    frame.in_app = Some(app);
                }
            }
        }
    }
}

/// Whether the rules take the frame out of grouping (`-group`) or put it back (`+group`).
pub fn grouped(frame: &Frame, platform: &str, layers: &[&StackRules]) -> Option<bool> {
    let family = Family::of(frame.platform.as_deref().unwrap_or(platform));
    let mut decided = None;
    for rule in layers.iter().flat_map(|rules| &rules.rules) {
        if let Some(group) = rule.group
            && rule.matches(frame, family)
        {
            decided = Some(group);
        }
    }
    decided
}

impl Rule {
    fn matches(&self, frame: &Frame, family: Family) -> bool {
        self.matchers.iter().all(|matcher| matcher.matches(frame, family) != matcher.negated)
    }
}

impl Matcher {
    fn matches(&self, frame: &Frame, family: Family) -> bool {
        let glob = |glob: &Glob, value: &Option<String>| value.as_deref().is_some_and(|value| glob.matches(value));
        match &self.field {
            Field::Family(families) => families.contains(&family),
            Field::Function(pattern) => glob(pattern, &frame.function) || glob(pattern, &frame.raw_function),
            Field::Module(pattern) => glob(pattern, &frame.module),
            Field::Path(pattern) => [&frame.abs_path, &frame.filename]
                .into_iter()
                .any(|value| value.as_deref().is_some_and(|value| path_matches(pattern, value))),
            Field::Package(pattern) => frame.package.as_deref().is_some_and(|package| {
                path_matches(pattern, package) || pattern.matches(package.rsplit(['/', '\\']).next().unwrap_or(package))
            }),
            Field::App(app) => frame.in_app.unwrap_or(false) == *app,
        }
    }
}

/// A relative path (`node_modules/x.js`) is also tried as if it began with `/`, as Sentry does,
/// so that `**/node_modules/**` finds it.
fn path_matches(pattern: &Glob, path: &str) -> bool {
    pattern.matches(path) || (!path.starts_with(['/', '\\']) && pattern.matches_after(Some('/'), path))
}

fn rule(line: &str) -> Result<Rule, String> {
    let mut rule = Rule { matchers: Vec::new(), app: None, group: None };
    for token in tokens(line)? {
        match token.as_str() {
            "+app" | "-app" => rule.app = Some(token.starts_with('+')),
            "+group" | "-group" => rule.group = Some(token.starts_with('+')),
            action if action.starts_with(['+', '-', '^', 'v']) && !action.contains(':') => {
                return Err(format!(
                    "`{action}` is not an action Faultline knows; it knows +app, -app, +group and -group"
                ));
            }
            matcher => rule.matchers.push(self::matcher(matcher)?),
        }
    }
    if rule.matchers.is_empty() {
        return Err("a rule needs a matcher, such as stack.module:myapp.*".to_owned());
    }
    if rule.app.is_none() && rule.group.is_none() {
        return Err("a rule needs an action: +app, -app, +group or -group".to_owned());
    }
    Ok(rule)
}

/// Splits a line at spaces, keeping `"quoted values"` whole.
fn tokens(line: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".to_owned());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Ok(tokens)
}

fn matcher(token: &str) -> Result<Matcher, String> {
    let (negated, token) = match token.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let Some((key, value)) = token.split_once(':') else {
        return Err(format!("`{token}` is neither a matcher (key:value) nor an action"));
    };
    if value.is_empty() {
        return Err(format!("`{key}:` needs a value"));
    }
    let field = match key {
        "family" => Field::Family(
            value
                .split(',')
                .map(|family| match family {
                    "native" => Ok(vec![Family::Native]),
                    "javascript" => Ok(vec![Family::Javascript]),
                    "other" => Ok(vec![Family::Other]),
                    "all" => Ok(vec![Family::Native, Family::Javascript, Family::Other]),
                    other => Err(format!("`{other}` is not a family: native, javascript, other or all")),
                })
                .collect::<Result<Vec<_>, _>>()?
                .concat(),
        ),
        "stack.function" | "function" => Field::Function(Glob::name(value)?),
        "stack.module" | "module" => Field::Module(Glob::name(value)?),
        "stack.abs_path" | "path" => Field::Path(Glob::path(value)?),
        "stack.package" | "package" => Field::Package(Glob::path(value)?),
        "app" => Field::App(match value {
            "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            other => return Err(format!("`app:{other}` should be app:yes or app:no")),
        }),
        other => {
            return Err(format!(
                "`{other}` is not a matcher Faultline knows; it knows family, stack.function, stack.module, \
                 stack.abs_path, stack.package and app"
            ));
        }
    };
    Ok(Matcher { negated, field })
}

#[cfg(test)]
mod tests;
