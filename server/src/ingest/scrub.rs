//! Server-side data scrubbing before anything is stored, as Sentry's defaults do it (Relay's
//! `@common:filter`, its sensitive cookies, and replace-only rules on the formatted message):
//! values under sensitive keys (passwords, secrets, tokens, API keys, auth, credentials…) and
//! sensitive cookies become `[Filtered]`, and so do bearer tokens, card numbers, private keys,
//! URL credentials, US social security numbers and user names in home paths found in any
//! string. Projects add sensitive field names and exempt safe ones.

use crate::store::projects::IngestSettings;
use app::event::Event;
use regex::{Captures, Regex, RegexSet};
use serde_json::Value;
use std::sync::LazyLock;

pub const FILTERED: &str = "[Filtered]";

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|err| panic!("scrubbing regex {pattern:?} is valid: {err}"))
}

/// Relay's `PASSWORD_KEY_REGEX`: matched against keys and values, it filters the whole value.
const PASSWORD_PATTERN: &str = r"(?i)(password|secret|passwd|api[-_]key|apikey|auth|credentials|mysql_pwd|privatekey|private[-_]key|token[^\s]*[:=]|^otp$|^two[-_]factor$)";
const BEARER_PATTERN: &str = r"(?i)\b(Bearer\s+)([^\s]+)";
const CREDIT_CARD_PATTERN: &str = r"(?x)\b((?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)([-\s]?\d){12})\b";
const PEM_KEY_PATTERN: &str = r"(?sx)(?:-----BEGIN[A-Z\ ]+(?:PRIVATE|PUBLIC)\ KEY-----[\t\ ]*\r?\n?)(.+?)(?:\r?\n?-----END[A-Z\ ]+(?:PRIVATE|PUBLIC)\ KEY-----)";
const URL_AUTH_PATTERN: &str = r"(?x)\b(?:(?:[a-z0-9+-]+:)?//([a-zA-Z0-9%_.-]+(?::[a-zA-Z0-9%_.-]+)?))@";
const US_SSN_PATTERN: &str = r"\b([0-9]{3}-[0-9]{2}-[0-9]{4})\b";
const USER_PATH_PATTERN: &str = r"(?ix)(?:(?:\b(?:[a-zA-Z]:[\\/])?(?:users|home|documents\ and\ settings|[^/\\]+[/\\]profiles)[\\/])|(?:/(?:home|users)/))([^/\\\r\n\x00]+)";

static PASSWORD: LazyLock<Regex> = LazyLock::new(|| regex(PASSWORD_PATTERN));
/// Relay's `TOKEN_KEY_REGEX`, for keys only.
static TOKEN_KEY: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)token"));
static BEARER: LazyLock<Regex> = LazyLock::new(|| regex(BEARER_PATTERN));
static CREDIT_CARD: LazyLock<Regex> = LazyLock::new(|| regex(CREDIT_CARD_PATTERN));
static PEM_KEY: LazyLock<Regex> = LazyLock::new(|| regex(PEM_KEY_PATTERN));
static URL_AUTH: LazyLock<Regex> = LazyLock::new(|| regex(URL_AUTH_PATTERN));
static US_SSN: LazyLock<Regex> = LazyLock::new(|| regex(US_SSN_PATTERN));
static USER_PATH: LazyLock<Regex> = LazyLock::new(|| regex(USER_PATH_PATTERN));
/// Every value rule at once: most strings match none, and one pass over them says so (seven
/// passes, each copying the string, did before).
static ANY_VALUE_RULE: LazyLock<RegexSet> = LazyLock::new(|| {
    let patterns = [
        PASSWORD_PATTERN,
        BEARER_PATTERN,
        CREDIT_CARD_PATTERN,
        US_SSN_PATTERN,
        PEM_KEY_PATTERN,
        URL_AUTH_PATTERN,
        USER_PATH_PATTERN,
    ];
    RegexSet::new(patterns).unwrap_or_else(|err| panic!("the scrubbing regexes are valid: {err}"))
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?x)\b[a-zA-Z0-9.!\#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}\b")
});

/// Cookies that carry sessions or CSRF tokens in popular frameworks (Relay's list).
const SENSITIVE_COOKIES: [&str; 23] = [
    "sentrysid",
    "sudo",
    "su",
    "session",
    "__session",
    "sessionid",
    "user_session",
    "symfony",
    "phpsessid",
    "fasthttpsessionid",
    "mysession",
    "irissessionid",
    "_vercel_jwt",
    "csrf",
    "xsrf",
    "_xsrf",
    "_csrf",
    "csrf-token",
    "csrf_token",
    "xsrf-token",
    "xsrf_token",
    "fastcsrf",
    "_iris_csrf",
];

/// Top-level fields that hold no user data and are never scrubbed.
const UNSCRUBBED_FIELDS: [&str; 13] = [
    "event_id",
    "timestamp",
    "received",
    "level",
    "platform",
    "release",
    "dist",
    "environment",
    "fingerprint",
    "sdk",
    "modules",
    "logger",
    "debug_meta",
];

/// Frame fields that locate code rather than carry data.
const FRAME_LOCATION_FIELDS: [&str; 5] = ["filename", "abs_path", "context_line", "pre_context", "post_context"];

/// Scrubs the event in place with Sentry's defaults and the project's settings.
pub fn event(event: &mut Event, settings: &IngestSettings) {
    let Ok(Value::Object(mut fields)) = serde_json::to_value(&*event) else { return };
    let rules = Rules::new(settings);
    for (key, value) in fields.iter_mut() {
        match key.as_str() {
            field if UNSCRUBBED_FIELDS.contains(&field) => {}
            "logentry" => {
                if let Value::Object(entry) = value {
                    for (name, part) in entry.iter_mut() {
                        if name == "formatted" {
                            if let Value::String(text) = part {
                                *text = replace_in_message(text);
                            }
                        } else {
                            rules.walk(name, part, Place::Data);
                        }
                    }
                }
            }
            "exceptions" => rules.walk_exceptions(value),
            "threads" | "stacktrace" => rules.walk(key, value, Place::Code),
            "request" => rules.walk_request(value),
            _ => rules.walk(key, value, Place::Data),
        }
    }
    match serde_json::from_value::<Event>(Value::Object(fields)) {
        Ok(scrubbed) => *event = scrubbed,
        Err(err) => tracing::error!("a scrubbed event no longer reads as an event: {err}"),
    }
}

/// Where in the event a value sits, which decides which rules apply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Data,
    /// Inside stack traces: file names and source lines are code, not data.
    Code,
}

struct Rules {
    sensitive: Vec<String>,
    safe: Vec<String>,
}

impl Rules {
    fn new(settings: &IngestSettings) -> Self {
        let lower = |list: &[String]| list.iter().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
        Rules { sensitive: lower(&settings.sensitive_fields), safe: lower(&settings.safe_fields) }
    }

    fn is_safe(&self, key: &str) -> bool {
        self.safe.iter().any(|safe| key.eq_ignore_ascii_case(safe))
    }

    fn is_sensitive_key(&self, key: &str) -> bool {
        let lower = key.to_lowercase();
        PASSWORD.is_match(key) || TOKEN_KEY.is_match(key) || self.sensitive.iter().any(|field| lower.contains(field))
    }

    /// Scrubs `value`, found under `key`.
    fn walk(&self, key: &str, value: &mut Value, place: Place) {
        if self.is_safe(key) {
            return;
        }
        if self.is_sensitive_key(key) && !is_empty(value) {
            *value = Value::from(FILTERED);
            return;
        }
        match value {
            Value::String(text) => {
                let location = place == Place::Code && FRAME_LOCATION_FIELDS.contains(&key);
                if !location {
                    scrub_string(text);
                }
            }
            Value::Array(items) => {
                if items.iter().all(is_pair) {
                    for pair in items.iter_mut() {
                        self.walk_pair(pair, place);
                    }
                } else {
                    for item in items.iter_mut() {
                        self.walk(key, item, place);
                    }
                }
            }
            Value::Object(object) => {
                for (name, child) in object.iter_mut() {
                    self.walk(name, child, place);
                }
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => {}
        }
    }

    /// `[name, value]`: the name is the key of the value.
    fn walk_pair(&self, pair: &mut Value, place: Place) {
        if let Value::Array(kv) = pair
            && let [Value::String(name), value] = kv.as_mut_slice()
        {
            let name = name.clone();
            self.walk(&name, value, place);
        }
    }

    /// Exception values are titles and stay readable; mechanism data and stacks are scrubbed.
    fn walk_exceptions(&self, value: &mut Value) {
        let Value::Array(exceptions) = value else { return };
        for exception in exceptions {
            let Value::Object(fields) = exception else { continue };
            for (name, field) in fields.iter_mut() {
                match name.as_str() {
                    "type" | "value" | "module" => {}
                    "stacktrace" => self.walk(name, field, Place::Code),
                    _ => self.walk(name, field, Place::Data),
                }
            }
        }
    }

    /// Sensitive cookies are filtered by name; the user agent stays readable.
    fn walk_request(&self, value: &mut Value) {
        let Value::Object(request) = value else { return };
        for (name, field) in request.iter_mut() {
            match (name.as_str(), field) {
                ("cookies", Value::Array(cookies)) => {
                    for cookie in cookies.iter_mut() {
                        if let Value::Array(kv) = cookie
                            && let [Value::String(name), value] = kv.as_mut_slice()
                            && SENSITIVE_COOKIES.contains(&name.to_lowercase().as_str())
                            && !self.is_safe(name)
                        {
                            *value = Value::from(FILTERED);
                        }
                        self.walk_pair(cookie, Place::Data);
                    }
                }
                ("headers", Value::Array(headers)) => {
                    for header in headers.iter_mut() {
                        let is_user_agent = header
                            .as_array()
                            .and_then(|kv| kv.first())
                            .and_then(Value::as_str)
                            .is_some_and(|name| name.eq_ignore_ascii_case("user-agent"));
                        if !is_user_agent {
                            self.walk_pair(header, Place::Data);
                        }
                    }
                }
                (name, field) => self.walk(name, field, Place::Data),
            }
        }
    }
}

fn is_pair(value: &Value) -> bool {
    matches!(value, Value::Array(kv) if kv.len() == 2 && kv[0].is_string())
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        _ => false,
    }
}

/// The value rules of `@common:filter`.
fn scrub_string(text: &mut String) {
    if text == FILTERED || !ANY_VALUE_RULE.is_match(text) {
        return;
    }
    if PASSWORD.is_match(text) {
        *text = FILTERED.to_owned();
        return;
    }
    let mut out = BEARER.replace_all(text, FILTERED).into_owned();
    for regex in [&*CREDIT_CARD, &*US_SSN] {
        out = regex.replace_all(&out, FILTERED).into_owned();
    }
    for regex in [&*PEM_KEY, &*URL_AUTH, &*USER_PATH] {
        out = replace_group(regex, &out, FILTERED);
    }
    *text = out;
}

/// The replace-only rules for the formatted message, which must stay readable.
fn replace_in_message(text: &str) -> String {
    let text = EMAIL.replace_all(text, "[email]");
    let text = CREDIT_CARD.replace_all(&text, "[creditcard]");
    let text = US_SSN.replace_all(&text, "[usssn]");
    BEARER.replace_all(&text, "${1}[token]").into_owned()
}

/// Replaces the first capture group of each match, keeping the rest of the match.
fn replace_group(regex: &Regex, text: &str, with: &str) -> String {
    regex
        .replace_all(text, |captures: &Captures<'_>| {
            let (Some(whole), Some(group)) = (captures.get(0), captures.get(1)) else {
                return captures.get(0).map_or(String::new(), |m| m.as_str().to_owned());
            };
            let start = group.start() - whole.start();
            let end = group.end() - whole.start();
            format!("{}{with}{}", &whole.as_str()[..start], &whole.as_str()[end..])
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scrubbed(raw: Value, settings: &IngestSettings) -> Value {
        let mut e =
            crate::ingest::normalize::event(raw.to_string().as_bytes(), None, None, chrono::Utc::now()).expect("event");
        event(&mut e, settings);
        serde_json::to_value(&e).expect("json")
    }

    #[test]
    fn values_under_sensitive_keys_are_filtered_everywhere() {
        let out = scrubbed(
            json!({"extra": {"password": "hunter2", "the_secret": "s", "apiKey": "k", "access_token": "t", "user_id": 7},
                   "contexts": {"db": {"credentials": {"user": "u"}, "host": "db1"}}}),
            &IngestSettings::default(),
        );
        assert_eq!(
            out["extra"],
            json!({"password": FILTERED, "the_secret": FILTERED, "apiKey": FILTERED, "access_token": FILTERED, "user_id": 7})
        );
        assert_eq!(out["contexts"]["db"], json!({"credentials": FILTERED, "host": "db1"}));
    }

    #[test]
    fn tokens_cards_keys_and_url_credentials_inside_strings_are_filtered() {
        let mut text = "curl -H 'Authorization: Bearer abc.def' https://bob:pw@host/x".to_owned();
        scrub_string(&mut text);
        assert_eq!(text, FILTERED, "mentions auth, so the whole value goes, as in Sentry");
        let mut text =
            "call with Bearer abc.def to https://bob:pw@host/x card 4111 1111 1111 1111 ssn 078-05-1120".to_owned();
        scrub_string(&mut text);
        assert_eq!(text, "call with [Filtered] to https://[Filtered]@host/x card [Filtered] ssn [Filtered]");
        let mut path = "/home/jane/project/app.py".to_owned();
        scrub_string(&mut path);
        assert_eq!(path, "/home/[Filtered]/project/app.py");
    }

    #[test]
    fn request_headers_cookies_and_query_are_scrubbed_but_the_user_agent_stays() {
        let out = scrubbed(
            json!({"request": {
                "headers": {"Authorization": "Basic Ym9iOnB3", "User-Agent": "Mozilla/5.0 (auth test)", "X-Api-Key": "k1", "Accept": "*/*"},
                "cookies": "sessionid=abc; theme=dark; csrftoken=xyz",
                "query_string": "order=4711&token=zzz"
            }}),
            &IngestSettings::default(),
        );
        let request = &out["request"];
        assert_eq!(
            request["headers"],
            json!([
                ["Accept", "*/*"],
                ["Authorization", FILTERED],
                ["User-Agent", "Mozilla/5.0 (auth test)"],
                ["X-Api-Key", FILTERED]
            ])
        );
        assert_eq!(request["cookies"], json!([["sessionid", FILTERED], ["theme", "dark"], ["csrftoken", FILTERED]]));
        assert_eq!(request["query_string"], json!([["order", "4711"], ["token", FILTERED]]));
    }

    #[test]
    fn the_formatted_message_stays_readable_and_exception_values_and_code_are_kept() {
        let out = scrubbed(
            json!({"logentry": {"formatted": "Login for jane@example.com with Bearer abc123 failed"},
            "exception": [{"type": "AuthError", "value": "bad password", "stacktrace": {"frames": [
                {"filename": "/home/jane/app/auth.py", "context_line": "token = request.token", "vars": {"token": "t0p", "n": "1"}}
            ]}}]}),
            &IngestSettings::default(),
        );
        assert_eq!(out["logentry"]["formatted"], "Login for [email] with Bearer [token] failed");
        assert_eq!(out["exceptions"][0]["value"], "bad password");
        let frame = &out["exceptions"][0]["stacktrace"]["frames"][0];
        assert_eq!(frame["filename"], "/home/jane/app/auth.py");
        assert_eq!(frame["context_line"], "token = request.token");
        assert_eq!(frame["vars"], json!({"token": FILTERED, "n": "1"}));
    }

    #[test]
    fn projects_add_sensitive_fields_and_exempt_safe_ones() {
        let settings = IngestSettings {
            sensitive_fields: vec!["iban".to_owned()],
            safe_fields: vec!["public_token".to_owned()],
            ..IngestSettings::default()
        };
        let out =
            scrubbed(json!({"extra": {"customer_iban": "DE89", "public_token": "pk_live", "token": "t"}}), &settings);
        assert_eq!(out["extra"], json!({"customer_iban": FILTERED, "public_token": "pk_live", "token": FILTERED}));
    }
}
