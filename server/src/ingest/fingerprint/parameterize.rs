//! Sentry's message normalization for grouping (`normalize_message_for_grouping`, with the
//! regexes of `grouping/parameterization.py` as Bugsink vendors them): keep the first two
//! non-empty lines, then replace emails, URLs, hostnames, IPs, UUIDs, hashes, dates, durations,
//! hex, floats, integers and `=`-quoted values or booleans with placeholders, so that
//! `Payment 4711 failed for user 42` and `Payment 815 failed for user 7` read the same.

use regex::{Captures, Regex, RegexBuilder};
use std::sync::LazyLock;

/// The patterns in Sentry's order: the first alternative that matches at a position wins.
/// Python's `re.X` leaves `#` and spaces in character classes alone; Rust's `(?x)` does not,
/// so they are escaped here. The lookbehind `(?<==)` of the last two, which Rust's regex
/// lacks, is an `=` that the replacement puts back.
const PATTERNS: [(&str, &str); 14] = [
    ("email", r"[a-zA-Z0-9.!\#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*"),
    ("url", r"\b(?:wss?|https?|ftp)://[^\s/$.?\#].[^\s]*"),
    (
        "hostname",
        r"\b(?:[a-zA-Z0-9\-]{1,63}\.)+?(?:
            (?:COM|NET|ORG|JP|DE|UK|FR|BR|IT|RU|ES|ME|GOV|PL|CA|AU|CN|CO|IN|NL|EDU|INFO|EU|CH|ID|AT|KR|CZ|MX|BE|TV|SE|TR|TW|AL|UA|IR|VN|CL|SK|LY|CC|TO|NO|FI|US|PT|DK|AR|HU|TK|GR|IL|NEWS|RO|MY|BIZ|IE|ZA|NZ|SG|EE|TH|IO|XYZ|PE|BG|HK|RS|LT|LINK|PH|CLUB|SI|SITE|MOBI|BY|CAT|WIKI|LA|GA|XXX|CF|HR|NG|JOBS|ONLINE|KZ|UG|GQ|AE|IS|LV|PRO|FM|TIPS|MS|SA|APP)|
            (?:com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|tips|ms|sa|app)
        )\b",
    ),
    (
        "ip",
        r"(?:
            (?:[0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|
            (?:[0-9a-fA-F]{1,4}:){1,7}:|
            (?:[0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|
            (?:[0-9a-fA-F]{1,4}:){1,5}(?::[0-9a-fA-F]{1,4}){1,2}|
            (?:[0-9a-fA-F]{1,4}:){1,4}(?::[0-9a-fA-F]{1,4}){1,3}|
            (?:[0-9a-fA-F]{1,4}:){1,3}(?::[0-9a-fA-F]{1,4}){1,4}|
            (?:[0-9a-fA-F]{1,4}:){1,2}(?::[0-9a-fA-F]{1,4}){1,5}|
            [0-9a-fA-F]{1,4}:(?:(?::[0-9a-fA-F]{1,4}){1,6})|
            :(?:(?::[0-9a-fA-F]{1,4}){1,7}|:)|
            fe80:(?::[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|
            ::(?:ffff(?::0{1,4}){0,1}:){0,1}
            (?:(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
            (?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])|
            (?:[0-9a-fA-F]{1,4}:){1,4}:
            (?:(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
            (?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\b
        ) | (?:
            \b(?:(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}
            (?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\b
        )",
    ),
    ("uuid", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    ("sha1", r"\b[0-9a-fA-F]{40}\b"),
    ("md5", r"\b[0-9a-fA-F]{32}\b"),
    (
        "date",
        r"(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat),\s\d{1,2}\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s\d{2,4}\s\d{1,2}:\d{1,2}(?::\d{1,2})?\s(?:[-\+][\d]{2}[0-5][\d]|(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z])))
        |
        (?:(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s[0-3]\d,\s\d{2,4})
        |
        (?:(?:Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday),\s\d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2}\s\d{2}:\d{2}:\d{2}\s(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z]))
        |
        (?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?(?:[+-]?\d{2}:\d{2})?)
        |
        (?:\d{4}-?[01]\d-?[0-3]\d\s[0-2]\d:[0-5]\d:[0-5]\d)(?:\.\d+)?
        |
        (?:\d{1,2}:\d{2}(?::\d{2})?(?:\ [aApP][Mm])?)
        |
        (?:\d{4}-[01]\d-[0-3]\d)
        |
        (?:[0-2]\d:[0-5]\d:[0-5]\d)
        |
        (?:
            (?:\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+(?:[+-][0-2]\d:[0-5]\d|Z))|
            (?:\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d(?:[+-][0-2]\d:[0-5]\d|Z))|
            (?:\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?:[+-][0-2]\d:[0-5]\d|Z))
        ) |
        (?:
            \b(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s+)?
            (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+
            (?:[\d]{1,2})\s+
            (?:[\d]{2}:[\d]{2}:[\d]{2})\s+
            [\d]{4}
        ) |
        (?:
            \b(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat),\s+)?
            (?:0[1-9]|[1-2]?[\d]|3[01])\s+
            (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+
            (?:19[\d]{2}|[2-9][\d]{3})\s+
            (?:2[0-3]|[0-1][\d]):(?:[0-5][\d])
            (?::(?:60|[0-5][\d]))?\s+
            (?:[-\+][\d]{2}[0-5][\d]|(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z]))
        ) |
        (?:datetime\.datetime\(.*?\))",
    ),
    ("duration", r"\b(?:\d+ms) | (?:\d(?:\.\d+)?s)\b"),
    ("hex", r"\b0[xX][0-9a-fA-F]+\b"),
    ("float", r"-\d+\.\d+\b | \b\d+\.\d+\b"),
    ("int", r"-\d+\b | \b\d+\b"),
    ("quoted_str", r"=(?:'(?:[^']+)' | \x22(?:[^\x22]+)\x22)"),
    ("bool", r"=(?:True | true | False | false)"),
];

static PARAMETERIZER: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = PATTERNS.iter().map(|(name, pattern)| format!("(?P<{name}>{pattern})")).collect();
    RegexBuilder::new(&format!("(?x){}", alternatives.join("|")))
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .unwrap_or_else(|err| panic!("the grouping regexes are valid: {err}"))
});

/// Sentry's `normalize_message_for_grouping`.
pub fn normalize_message(message: &str) -> String {
    let kept: Vec<&str> = message.lines().filter(|line| !line.trim().is_empty()).take(2).collect();
    let mut trimmed = kept.join("\n");
    if trimmed != message {
        trimmed.push_str("...");
    }
    PARAMETERIZER
        .replace_all(&trimmed, |captures: &Captures<'_>| {
            let name = PATTERNS.iter().map(|(name, _)| *name).find(|name| captures.name(name).is_some()).unwrap_or("");
            match name {
                "quoted_str" | "bool" => format!("=<{name}>"),
                _ => format!("<{name}>"),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::normalize_message;

    #[test]
    fn ids_and_numbers_become_placeholders() {
        assert_eq!(normalize_message("Payment 4711 failed for user 42"), "Payment <int> failed for user <int>");
        assert_eq!(normalize_message("Payment 815 failed for user 7"), "Payment <int> failed for user <int>");
        assert_eq!(normalize_message("took 3.5 seconds at -1.25"), "took <float> seconds at <float>");
    }

    #[test]
    fn emails_urls_hosts_and_ips() {
        assert_eq!(normalize_message("mail to jane@example.com failed"), "mail to <email> failed");
        assert_eq!(normalize_message("GET https://api.example.com/v1/orders?id=9 timed out"), "GET <url> timed out");
        assert_eq!(normalize_message("cannot resolve db.internal.example.com"), "cannot resolve <hostname>");
        assert_eq!(normalize_message("connect to 10.0.12.7 refused"), "connect to <ip> refused");
        assert_eq!(normalize_message("bind [::1] failed"), "bind [<ip>] failed");
    }

    #[test]
    fn uuids_hashes_hex_and_dates() {
        assert_eq!(normalize_message("order 3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d missing"), "order <uuid> missing");
        assert_eq!(normalize_message("blob 0123456789abcdef0123456789abcdef01234567"), "blob <sha1>");
        assert_eq!(normalize_message("etag 0123456789abcdef0123456789abcdef"), "etag <md5>");
        assert_eq!(normalize_message("segfault at 0x7ffe12a0"), "segfault at <hex>");
        assert_eq!(normalize_message("expired 2026-11-21T16:22:24.105982Z"), "expired <date>");
        assert_eq!(normalize_message("expired on 2026-11-21"), "expired on <date>");
        assert_eq!(normalize_message("retry in 250ms"), "retry in <duration>");
    }

    #[test]
    fn quoted_values_and_booleans_after_equals() {
        assert_eq!(normalize_message("lookup name='Jane' cached=true"), "lookup name=<quoted_str> cached=<bool>");
        assert_eq!(normalize_message(r#"where sku="A-1""#), "where sku=<quoted_str>");
    }

    #[test]
    fn only_the_first_two_non_empty_lines_count() {
        assert_eq!(normalize_message("first\n\nsecond\nthird"), "first\nsecond...");
        assert_eq!(normalize_message("one line"), "one line");
    }
}
