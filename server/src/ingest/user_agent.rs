//! The browser, OS and device of the request's `User-Agent`, as contexts, when the SDK sent none
//! (browser SDKs never do), so `browser.name:Firefox` finds browser events. As in Relay, the OS
//! and device are the event's own only for JavaScript; a server's event gets the browser and a
//! `client_os`, since its `os` is the server's. Parsed by woothee; one service sees few distinct
//! agents, so each is parsed once and kept.

use super::memo::Memo;
use app::event::Event;
use serde_json::{Map, Value, json};

/// Agents remembered before the cache starts over.
const CAPACITY: usize = 2_000;
/// Longer agents are not parsed (nor kept).
const MOST_CHARS: usize = 512;

/// What an agent string says, as contexts.
#[derive(Clone, Debug, Default, PartialEq)]
struct Parsed {
    browser: Option<Value>,
    os: Option<Value>,
    device: Option<Value>,
}

static SEEN: Memo<Parsed> = Memo::new(CAPACITY);

/// Adds the `browser`, `os` and `device` contexts the event lacks, from its request's agent.
pub fn fill_contexts(event: &mut Event) {
    let missing = ["browser", "os", "device"].iter().any(|context| !event.contexts.contains_key(*context));
    if !missing {
        return;
    }
    let Some(agent) = event.request.as_ref().and_then(user_agent).filter(|agent| agent.len() <= MOST_CHARS) else {
        return;
    };
    let parsed = SEEN.get_or(&agent, || parse(&agent));
    let from_a_browser = event.platform == "javascript";
    let (os, device) = if from_a_browser { ("os", parsed.device) } else { ("client_os", None) };
    for (name, context) in [("browser", parsed.browser), (os, parsed.os), ("device", device)] {
        if let Some(context) = context {
            event.contexts.entry(name).or_insert(context);
        }
    }
}

/// The `User-Agent` header, from headers sent as `[name, value]` pairs or as an object.
fn user_agent(request: &Map<String, Value>) -> Option<String> {
    let is_agent = |name: &str| name.eq_ignore_ascii_case("user-agent");
    match request.get("headers")? {
        Value::Array(pairs) => pairs.iter().find_map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(name), Value::String(value)]) if is_agent(name) => Some(value.clone()),
            _ => None,
        }),
        Value::Object(headers) => {
            headers.iter().find(|(name, _)| is_agent(name)).and_then(|(_, value)| value.as_str()).map(str::to_owned)
        }
        _ => None,
    }
}

fn known(value: &str) -> Option<&str> {
    (!value.is_empty() && value != "UNKNOWN").then_some(value)
}

fn parse(agent: &str) -> Parsed {
    let Some(found) = woothee::parser::Parser::new().parse(agent) else { return Parsed::default() };
    let browser = known(found.name).map(|name| {
        let mut context = json!({"type": "browser", "name": name});
        if let Some(version) = known(found.version) {
            context["version"] = version.into();
        }
        context
    });
    let (os_name, os_version) = os_of(found.os, &found.os_version);
    let os = os_name.map(|name| {
        let mut context = json!({"type": "os", "name": name});
        if let Some(version) = os_version {
            context["version"] = version.into();
        }
        context
    });
    let device = device_of(found.category, found.os).map(|family| json!({"type": "device", "family": family}));
    Parsed { browser, os, device }
}

/// Woothee's OS names as Sentry names them: `Windows 10` is Windows 10, `Mac OSX` is macOS,
/// `iPhone` runs iOS.
fn os_of<'a>(os: &'a str, version: &'a str) -> (Option<&'a str>, Option<&'a str>) {
    let version = known(version);
    match os {
        "Windows Phone OS" => (Some("Windows Phone"), version),
        "Windows CE" => (Some("Windows CE"), None),
        windows if windows.starts_with("Windows ") => {
            (Some("Windows"), windows.strip_prefix("Windows ").filter(|v| !v.contains("UNKNOWN")))
        }
        "Mac OSX" => (Some("macOS"), version),
        "iPhone" | "iPad" | "iPod" => (Some("iOS"), version),
        "ChromeOS" => (Some("Chrome OS"), version),
        other => (known(other), version),
    }
}

/// An Apple device by its name; otherwise the kind of device.
fn device_of<'a>(category: &'a str, os: &'a str) -> Option<&'a str> {
    match (category, os) {
        (_, "iPhone" | "iPad" | "iPod") => Some(os),
        ("smartphone", _) => Some("Smartphone"),
        ("mobilephone", _) => Some("Mobile phone"),
        ("pc", _) => Some("Desktop"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(request: Value, contexts: Value) -> Event {
        event_of("javascript", request, contexts)
    }

    fn event_of(platform: &str, request: Value, contexts: Value) -> Event {
        let payload = json!({
            "event_id": "0123456789abcdef0123456789abcdef",
            "platform": platform,
            "request": request,
            "contexts": contexts,
        });
        protocol::normalize::event(payload.to_string().as_bytes(), None, None, chrono::Utc::now()).expect("an event")
    }

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 \
        (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
        Chrome/131.0.0.0 Safari/537.36";

    #[test]
    fn a_browser_event_gets_browser_os_and_device_from_its_agent() {
        let mut firefox = event(json!({"headers": {"User-Agent": FIREFOX}}), json!({}));
        fill_contexts(&mut firefox);
        assert_eq!(firefox.contexts["browser"], json!({"type": "browser", "name": "Firefox", "version": "133.0"}));
        assert_eq!(firefox.contexts["os"]["name"], "Linux");
        assert_eq!(firefox.contexts["device"]["family"], "Desktop");
        let tags = app::tags::of(&firefox);
        assert!(tags.contains(&("browser.name".to_owned(), "Firefox".to_owned())), "{tags:?}");
        assert!(tags.contains(&("browser".to_owned(), "Firefox 133.0".to_owned())), "{tags:?}");
        assert!(tags.contains(&("device".to_owned(), "Desktop".to_owned())), "{tags:?}");

        let mut iphone = event(json!({"headers": [["user-agent", IPHONE]]}), json!({}));
        fill_contexts(&mut iphone);
        assert_eq!(iphone.contexts["os"], json!({"type": "os", "name": "iOS", "version": "17.1"}));
        assert_eq!(iphone.contexts["device"]["family"], "iPhone");

        let mut windows = event(json!({"headers": {"user-agent": CHROME_WINDOWS}}), json!({}));
        fill_contexts(&mut windows);
        assert_eq!(windows.contexts["os"], json!({"type": "os", "name": "Windows", "version": "10"}));
        assert_eq!(windows.contexts["browser"]["name"], "Chrome");
    }

    #[test]
    fn a_servers_event_gets_its_clients_browser_and_os_but_keeps_its_own_os() {
        let mut django = event_of("python", json!({"headers": [["User-Agent", IPHONE]]}), json!({}));
        fill_contexts(&mut django);
        assert_eq!(django.contexts["browser"]["name"], "Safari");
        assert_eq!(django.contexts["client_os"]["name"], "iOS");
        assert!(!django.contexts.contains_key("os") && !django.contexts.contains_key("device"));
        assert_eq!(os_of("Windows Phone OS", "8.0"), (Some("Windows Phone"), Some("8.0")));
    }

    #[test]
    fn the_sdks_own_contexts_win_and_no_agent_adds_nothing() {
        let mut described = event(json!({"headers": {"User-Agent": FIREFOX}}), json!({"browser": {"name": "Own"}}));
        fill_contexts(&mut described);
        assert_eq!(described.contexts["browser"], json!({"name": "Own"}));
        assert_eq!(described.contexts["os"]["name"], "Linux", "only what is missing");
        let mut none = event(json!({"url": "https://shop.example/"}), json!({}));
        fill_contexts(&mut none);
        assert!(none.contexts.is_empty());
        let mut garbage = event(json!({"headers": {"User-Agent": "x".repeat(MOST_CHARS + 1)}}), json!({}));
        fill_contexts(&mut garbage);
        assert!(garbage.contexts.is_empty());
    }
}
