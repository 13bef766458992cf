//! The issue search language, as the search box takes it:
//! `is:unresolved level:error browser.name:Chrome !release:1.* firstSeen:-7d timesSeen:>100
//! assigned:me "connection reset"`. Parsed in this shared crate (the server turns it into SQL;
//! the browser can check a query as it is typed); `Display` writes a query back in its
//! canonical form.

use crate::model::{IssueStatus, IssueSummary, Level};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The order of a list of issues, most first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sort {
    #[default]
    LastSeen,
    FirstSeen,
    Events,
    Users,
}

impl Sort {
    pub const ALL: [(Sort, &str); 4] = [
        (Sort::LastSeen, "Last seen"),
        (Sort::FirstSeen, "First seen"),
        (Sort::Events, "Events"),
        (Sort::Users, "Users"),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::LastSeen => "last_seen",
            Sort::FirstSeen => "first_seen",
            Sort::Events => "events",
            Sort::Users => "users",
        }
    }

    pub fn parse(text: &str) -> Option<Sort> {
        Sort::ALL.into_iter().map(|(sort, _)| sort).find(|sort| sort.as_str() == text)
    }

    /// The value the list is ordered by (times in nanoseconds), then the id: what a cursor holds.
    pub fn key(self, issue: &IssueSummary) -> (i64, i64) {
        let nanos = |at: chrono::DateTime<chrono::Utc>| at.timestamp_nanos_opt().unwrap_or(i64::MAX);
        let value = match self {
            Sort::LastSeen => nanos(issue.last_seen),
            Sort::FirstSeen => nanos(issue.first_seen),
            Sort::Events => issue.event_count,
            Sort::Users => issue.user_count,
        };
        (value, issue.id)
    }

    /// The cursor of the page that follows `issue`.
    pub fn cursor_after(self, issue: &IssueSummary) -> Cursor {
        let (value, id) = self.key(issue);
        Cursor { value, id }
    }
}

/// Most issues one page of a list holds.
pub const PAGE: u64 = 100;
/// Most issues a list answers with `until` (every page through a cursor): ten pages.
pub const UNTIL_MOST: u64 = 10 * PAGE;

/// Where the next page of a sorted list starts: after the issue with this sort value and id
/// (`<value>:<id>` in a URL). Stable while issues arrive: a new or busier issue sorts before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub value: i64,
    pub id: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.value, self.id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = String;

    fn from_str(text: &str) -> Result<Cursor, String> {
        let invalid = || format!("`{text}` is not a cursor: it is `<value>:<id>`, as the `Link` header gives it");
        let (value, id) = text.split_once(':').ok_or_else(invalid)?;
        Ok(Cursor { value: value.parse().map_err(|_| invalid())?, id: id.parse().map_err(|_| invalid())? })
    }
}

/// Every term must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// `is:resolved`, `!is:assigned`.
    Is { negated: bool, state: IssueState },
    /// `level:error`, `environment:prod*`, `release:1.2.0`, or any tag `browser.name:Chrome`.
    Match { negated: bool, field: Field, value: Pattern },
    /// `assigned:me`, `assigned:dev@example.com`.
    Assigned { negated: bool, to: AssignedTo },
    /// `firstSeen:-7d` (within the last 7 days), `lastSeen:+24h` (longer ago than 24 hours).
    Seen { which: Seen, bound: TimeBound },
    /// `timesSeen:>100`.
    TimesSeen { comparison: Comparison, count: i64 },
    /// A word or a quoted phrase, looked for in the title, culprit and message.
    Text(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueState {
    Unresolved,
    Resolved,
    Ignored,
    Regressed,
    Escalating,
    Assigned,
    Unassigned,
}

const STATES: [(IssueState, &str); 7] = [
    (IssueState::Unresolved, "unresolved"),
    (IssueState::Resolved, "resolved"),
    (IssueState::Ignored, "ignored"),
    (IssueState::Regressed, "regressed"),
    (IssueState::Escalating, "escalating"),
    (IssueState::Assigned, "assigned"),
    (IssueState::Unassigned, "unassigned"),
];

impl From<IssueStatus> for IssueState {
    fn from(status: IssueStatus) -> IssueState {
        match status {
            IssueStatus::Unresolved => IssueState::Unresolved,
            IssueStatus::Resolved => IssueState::Resolved,
            IssueStatus::Ignored => IssueState::Ignored,
        }
    }
}

impl IssueState {
    pub fn as_str(self) -> &'static str {
        STATES.iter().find(|(state, _)| *state == self).map_or("", |(_, name)| name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    Level,
    Environment,
    Release,
    Tag(String),
}

impl Field {
    fn of(key: &str) -> Field {
        match key {
            "level" => Field::Level,
            "environment" => Field::Environment,
            "release" => Field::Release,
            tag => Field::Tag(tag.to_owned()),
        }
    }

    pub fn key(&self) -> &str {
        match self {
            Field::Level => "level",
            Field::Environment => "environment",
            Field::Release => "release",
            Field::Tag(key) => key,
        }
    }
}

/// A value in which `*` stands for any run of characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(pub String);

impl Pattern {
    pub fn has_wildcard(&self) -> bool {
        self.0.contains('*')
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignedTo {
    Me,
    Email(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    First,
    Last,
}

impl Seen {
    fn key(self) -> &'static str {
        match self {
            Seen::First => "firstSeen",
            Seen::Last => "lastSeen",
        }
    }
}

/// `-7d`: within the last 7 days; `+7d`: longer ago than that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeBound {
    pub within: bool,
    pub span: TimeDelta,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
}

impl Comparison {
    fn symbol(self) -> &'static str {
        match self {
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Equal => "",
        }
    }
}

/// Where a query is wrong: `at` counts characters from its start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {})", at + 1)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

/// The longest search, in characters, and the most terms one may hold: far beyond what anyone
/// types, and short of what would make one slow database condition.
pub const MAX_QUERY_CHARS: usize = 2_000;
pub const MAX_TERMS: usize = 50;

impl std::str::FromStr for Query {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Query, ParseError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_QUERY_CHARS {
            let message = format!("a search has at most {MAX_QUERY_CHARS} characters");
            return Err(ParseError { at: MAX_QUERY_CHARS, message });
        }
        let mut terms = Vec::new();
        let mut at = 0;
        while at < chars.len() {
            if chars[at].is_whitespace() {
                at += 1;
                continue;
            }
            if terms.len() == MAX_TERMS {
                return Err(ParseError { at, message: format!("a search has at most {MAX_TERMS} terms") });
            }
            let token = Token::read(&chars, &mut at)?;
            terms.push(token.into_term()?);
        }
        Ok(Query { terms })
    }
}

/// One whitespace-separated piece: `[!]key:value` or free text.
struct Token {
    start: usize,
    negated: bool,
    key: Option<String>,
    value: String,
    value_at: usize,
}

impl Token {
    fn read(chars: &[char], at: &mut usize) -> Result<Token, ParseError> {
        let start = *at;
        let negated = chars[*at] == '!';
        if negated {
            *at += 1;
        }
        let word_start = *at;
        let mut key = None;
        if chars.get(*at) != Some(&'"') {
            while let Some(&c) = chars.get(*at) {
                if c == ':' && *at > word_start {
                    key = Some(chars[word_start..*at].iter().collect());
                    *at += 1;
                    break;
                }
                if c.is_whitespace() || c == '"' {
                    break;
                }
                *at += 1;
            }
            if key.is_none() {
                *at = word_start;
            }
        }
        let value_at = *at;
        let value = read_value(chars, at)?;
        if negated && key.is_none() {
            return Err(ParseError { at: start, message: "`!` negates a `key:value` filter".to_owned() });
        }
        Ok(Token { start, negated, key, value, value_at })
    }

    fn into_term(self) -> Result<Term, ParseError> {
        let Token { start, negated, key, value, value_at } = self;
        let Some(key) = key else { return Ok(Term::Text(value)) };
        let fail = |message: String| Err(ParseError { at: value_at, message });
        if value.is_empty() {
            return Err(ParseError { at: value_at, message: format!("`{key}:` needs a value") });
        }
        match key.as_str() {
            "is" => match STATES.iter().find(|(_, name)| *name == value) {
                Some((state, _)) => Ok(Term::Is { negated, state: *state }),
                None => fail(format!("`is:` takes one of {}", STATES.map(|(_, name)| name).join(", "))),
            },
            "assigned" => {
                let to = if value.eq_ignore_ascii_case("me") {
                    AssignedTo::Me
                } else {
                    AssignedTo::Email(value.to_lowercase())
                };
                Ok(Term::Assigned { negated, to })
            }
            "firstSeen" | "lastSeen" => {
                let which = if key == "firstSeen" { Seen::First } else { Seen::Last };
                if negated {
                    return Err(ParseError { at: start, message: format!("`{key}:` cannot be negated: use + or -") });
                }
                match time_bound(&value) {
                    Some(bound) => Ok(Term::Seen { which, bound }),
                    None => fail(format!(
                        "`{key}:` takes a time like -24h or +7d (units m, h, d, w), up to {MAX_SPAN_DAYS}d"
                    )),
                }
            }
            "timesSeen" => {
                if negated {
                    return Err(ParseError {
                        at: start,
                        message: "`timesSeen:` cannot be negated: use < or >".to_owned(),
                    });
                }
                match count_bound(&value) {
                    Some((comparison, count)) => Ok(Term::TimesSeen { comparison, count }),
                    None => fail("`timesSeen:` takes a count like >100, <=5 or 10".to_owned()),
                }
            }
            "level" if !value.contains('*') && !Level::ALL.iter().any(|level| level.as_str() == value) => {
                fail(format!("`level:` takes one of {}", Level::ALL.map(Level::as_str).join(", ")))
            }
            _ => Ok(Term::Match { negated, field: Field::of(&key), value: Pattern(value) }),
        }
    }
}

/// A quoted value (with `\"` and `\\` escapes) or the characters up to the next space.
fn read_value(chars: &[char], at: &mut usize) -> Result<String, ParseError> {
    let mut value = String::new();
    if chars.get(*at) != Some(&'"') {
        while let Some(&c) = chars.get(*at).filter(|c| !c.is_whitespace()) {
            value.push(c);
            *at += 1;
        }
        return Ok(value);
    }
    let open = *at;
    *at += 1;
    loop {
        match chars.get(*at) {
            None => return Err(ParseError { at: open, message: "this quote is never closed".to_owned() }),
            Some('"') => {
                *at += 1;
                return match chars.get(*at) {
                    Some(c) if !c.is_whitespace() => {
                        Err(ParseError { at: *at, message: "put a space after the closing quote".to_owned() })
                    }
                    _ => Ok(value),
                };
            }
            Some('\\') if matches!(chars.get(*at + 1), Some('"' | '\\')) => {
                value.push(chars[*at + 1]);
                *at += 2;
            }
            Some(&c) => {
                value.push(c);
                *at += 1;
            }
        }
    }
}

/// The longest span a time bound may name: a century is further back than any event.
const MAX_SPAN_DAYS: i64 = 36_500;

fn time_bound(value: &str) -> Option<TimeBound> {
    let (within, rest) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (true, value),
    };
    let unit = rest.chars().last()?;
    let amount: i64 = rest[..rest.len() - unit.len_utf8()].parse().ok().filter(|n| *n > 0)?;
    let span = match unit {
        'm' => TimeDelta::try_minutes(amount),
        'h' => TimeDelta::try_hours(amount),
        'd' => TimeDelta::try_days(amount),
        'w' => TimeDelta::try_weeks(amount),
        _ => None,
    }
    .filter(|span| *span <= TimeDelta::days(MAX_SPAN_DAYS))?;
    Some(TimeBound { within, span })
}

fn count_bound(value: &str) -> Option<(Comparison, i64)> {
    let (comparison, number) = [
        (">=", Comparison::GreaterOrEqual),
        ("<=", Comparison::LessOrEqual),
        (">", Comparison::Greater),
        ("<", Comparison::Less),
        ("=", Comparison::Equal),
    ]
    .into_iter()
    .find_map(|(symbol, comparison)| value.strip_prefix(symbol).map(|number| (comparison, number)))
    .unwrap_or((Comparison::Equal, value));
    Some((comparison, number.parse().ok().filter(|n: &i64| *n >= 0)?))
}

/// What the filter bar sets: each is one plain (not negated) term of its kind in the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    /// `is:unresolved`, `is:resolved` or `is:ignored`.
    Status,
    Level,
    Environment,
    Release,
    /// `lastSeen:-24h`.
    LastSeen,
}

impl Facet {
    fn key(self) -> &'static str {
        match self {
            Facet::Status => "is",
            Facet::Level => "level",
            Facet::Environment => "environment",
            Facet::Release => "release",
            Facet::LastSeen => "lastSeen",
        }
    }

    /// The term's value as written after its key when the term is of this facet.
    fn value_of(self, term: &Term) -> Option<String> {
        use IssueState::{Ignored, Resolved, Unresolved};
        match (self, term) {
            (Facet::Status, Term::Is { negated: false, state: state @ (Unresolved | Resolved | Ignored) }) => {
                Some(state.as_str().to_owned())
            }
            (Facet::Level, Term::Match { negated: false, field: Field::Level, value })
            | (Facet::Environment, Term::Match { negated: false, field: Field::Environment, value })
            | (Facet::Release, Term::Match { negated: false, field: Field::Release, value }) => Some(value.0.clone()),
            (Facet::LastSeen, Term::Seen { which: Seen::Last, bound }) if bound.within => {
                Some(format!("-{}", span(bound.span)))
            }
            _ => None,
        }
    }
}

impl Query {
    /// The value of the facet's term (`unresolved`, `error`, `-24h`), when the query has one.
    pub fn facet(&self, facet: Facet) -> Option<String> {
        self.terms.iter().find_map(|term| facet.value_of(term))
    }

    /// The query with the facet's terms replaced by `facet:value`, or removed for an empty value.
    /// The new term takes the place of the first one it replaces (else it comes first).
    pub fn with_facet(&self, facet: Facet, value: &str) -> Result<Query, ParseError> {
        let at = self.terms.iter().position(|term| facet.value_of(term).is_some()).unwrap_or(0);
        let mut terms: Vec<Term> = self.terms.iter().filter(|term| facet.value_of(term).is_none()).cloned().collect();
        if !value.is_empty() {
            let term = format!("{}:{}", facet.key(), quoted(value)).parse::<Query>()?.terms;
            terms.splice(at.min(terms.len())..at.min(terms.len()), term);
        }
        Ok(Query { terms })
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, term) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = |negated: bool| if negated { "!" } else { "" };
        match self {
            Term::Is { negated, state } => write!(f, "{}is:{}", not(*negated), state.as_str()),
            Term::Match { negated, field, value } => write!(f, "{}{}:{}", not(*negated), field.key(), quoted(&value.0)),
            Term::Assigned { negated, to: AssignedTo::Me } => write!(f, "{}assigned:me", not(*negated)),
            Term::Assigned { negated, to: AssignedTo::Email(email) } => {
                write!(f, "{}assigned:{}", not(*negated), quoted(email))
            }
            Term::Seen { which, bound } => {
                write!(f, "{}:{}{}", which.key(), if bound.within { "-" } else { "+" }, span(bound.span))
            }
            Term::TimesSeen { comparison, count } => write!(f, "timesSeen:{}{count}", comparison.symbol()),
            Term::Text(text) => f.write_str(&quoted(text)),
        }
    }
}

/// The value as typed: bare when it can be, else in quotes with `"` and `\` escaped.
fn quoted(value: &str) -> String {
    let bare =
        !value.is_empty() && !value.starts_with('"') && !value.starts_with('!') && !value.contains(char::is_whitespace);
    if bare && !value.contains(':') {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// `90m`, `24h`, `14d`: the largest unit that divides the span (weeks are written in days).
fn span(span: TimeDelta) -> String {
    let minutes = span.num_minutes();
    [(24 * 60, 'd'), (60, 'h'), (1, 'm')]
        .into_iter()
        .find(|(size, _)| minutes % size == 0)
        .map_or_else(|| format!("{minutes}m"), |(size, unit)| format!("{}{unit}", minutes / size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Term> {
        text.parse::<Query>().unwrap_or_else(|err| panic!("{text}: {err}")).terms
    }

    fn error(text: &str) -> (usize, String) {
        let err = text.parse::<Query>().expect_err(text);
        (err.at, err.message)
    }

    fn tag(key: &str, value: &str) -> Term {
        Term::Match { negated: false, field: Field::Tag(key.to_owned()), value: Pattern(value.to_owned()) }
    }

    #[test]
    fn an_empty_query_has_no_terms() {
        assert_eq!(parse("   "), []);
    }

    #[test]
    fn every_is_state_parses_and_can_be_negated() {
        for (state, name) in STATES {
            assert_eq!(parse(&format!("is:{name}")), [Term::Is { negated: false, state }]);
        }
        assert_eq!(parse("!is:assigned"), [Term::Is { negated: true, state: IssueState::Assigned }]);
    }

    #[test]
    fn level_environment_and_release_are_fields() {
        let term = |field, value: &str| Term::Match { negated: false, field, value: Pattern(value.to_owned()) };
        assert_eq!(
            parse("level:error environment:production release:shop@1.2"),
            [term(Field::Level, "error"), term(Field::Environment, "production"), term(Field::Release, "shop@1.2")]
        );
    }

    #[test]
    fn assigned_takes_me_or_an_email() {
        assert_eq!(parse("assigned:me"), [Term::Assigned { negated: false, to: AssignedTo::Me }]);
        assert_eq!(parse("assigned:mE"), [Term::Assigned { negated: false, to: AssignedTo::Me }], "found by fuzzing");
        assert_eq!(
            parse("!assigned:Dev@Example.com"),
            [Term::Assigned { negated: true, to: AssignedTo::Email("dev@example.com".to_owned()) }]
        );
    }

    #[test]
    fn any_other_key_is_a_tag_and_may_be_negated() {
        assert_eq!(parse("browser.name:Chrome"), [tag("browser.name", "Chrome")]);
        assert_eq!(
            parse("!os:Windows"),
            [Term::Match { negated: true, field: Field::Tag("os".to_owned()), value: Pattern("Windows".to_owned()) }]
        );
    }

    #[test]
    fn quoted_values_keep_their_spaces_colons_and_escaped_quotes() {
        assert_eq!(parse(r#"device:"Pixel 7 Pro""#), [tag("device", "Pixel 7 Pro")]);
        assert_eq!(parse(r#"url:"https://a.example/x""#), [tag("url", "https://a.example/x")]);
        assert_eq!(parse(r#"note:"say \"hi\" \\ bye""#), [tag("note", r#"say "hi" \ bye"#)]);
    }

    #[test]
    fn a_star_makes_a_value_a_pattern() {
        assert_eq!(
            parse("release:shop@1.*"),
            [Term::Match { negated: false, field: Field::Release, value: Pattern("shop@1.*".to_owned()) }]
        );
        assert!(Pattern("shop@1.*".to_owned()).has_wildcard() && !Pattern("shop@1.2".to_owned()).has_wildcard());
    }

    #[test]
    fn time_bounds_take_minutes_hours_days_and_weeks_before_or_after() {
        let seen = |which, within, span| Term::Seen { which, bound: TimeBound { within, span } };
        assert_eq!(parse("firstSeen:-7d"), [seen(Seen::First, true, TimeDelta::days(7))]);
        assert_eq!(parse("lastSeen:-24h"), [seen(Seen::Last, true, TimeDelta::hours(24))]);
        assert_eq!(parse("lastSeen:+30m"), [seen(Seen::Last, false, TimeDelta::minutes(30))]);
        assert_eq!(parse("firstSeen:2w"), [seen(Seen::First, true, TimeDelta::weeks(2))]);
    }

    #[test]
    fn counts_take_every_comparison() {
        let times = |comparison, count| Term::TimesSeen { comparison, count };
        assert_eq!(parse("timesSeen:>100"), [times(Comparison::Greater, 100)]);
        assert_eq!(parse("timesSeen:>=100"), [times(Comparison::GreaterOrEqual, 100)]);
        assert_eq!(parse("timesSeen:<5"), [times(Comparison::Less, 5)]);
        assert_eq!(parse("timesSeen:<=5"), [times(Comparison::LessOrEqual, 5)]);
        assert_eq!(parse("timesSeen:10"), [times(Comparison::Equal, 10)]);
        assert_eq!(parse("timesSeen:=10"), [times(Comparison::Equal, 10)]);
    }

    #[test]
    fn other_words_and_quoted_phrases_are_free_text() {
        assert_eq!(
            parse(r#"is:unresolved timeout "connection reset" level:error"#),
            [
                Term::Is { negated: false, state: IssueState::Unresolved },
                Term::Text("timeout".to_owned()),
                Term::Text("connection reset".to_owned()),
                Term::Match { negated: false, field: Field::Level, value: Pattern("error".to_owned()) },
            ]
        );
        assert_eq!(parse(":leading"), [Term::Text(":leading".to_owned())]);
    }

    #[test]
    fn the_filter_bar_reads_and_replaces_its_terms_in_place() {
        let query: Query = "is:unresolved level:error timeout lastSeen:-24h".parse().expect("query");
        assert_eq!(query.facet(Facet::Status).as_deref(), Some("unresolved"));
        assert_eq!(query.facet(Facet::Level).as_deref(), Some("error"));
        assert_eq!(query.facet(Facet::LastSeen).as_deref(), Some("-1d"), "in its canonical form");
        assert_eq!(query.facet(Facet::Environment), None);

        let resolved = query.with_facet(Facet::Status, "resolved").expect("status");
        assert_eq!(resolved.to_string(), "is:resolved level:error timeout lastSeen:-1d");
        let any_level = resolved.with_facet(Facet::Level, "").expect("level");
        assert_eq!(any_level.to_string(), "is:resolved timeout lastSeen:-1d");
        let env = any_level.with_facet(Facet::Environment, "staging eu").expect("environment");
        assert_eq!(env.to_string(), "environment:\"staging eu\" is:resolved timeout lastSeen:-1d");
        assert_eq!(env.facet(Facet::Environment).as_deref(), Some("staging eu"));
        assert!(query.with_facet(Facet::LastSeen, "soon").is_err(), "a value the language refuses is an error");
    }

    #[test]
    fn a_negated_term_is_not_the_filter_bar_s_and_stays() {
        let query: Query = "!is:resolved !level:debug".parse().expect("query");
        assert_eq!(query.facet(Facet::Status), None);
        let filtered = query.with_facet(Facet::Level, "error").expect("level");
        assert_eq!(filtered.to_string(), "level:error !is:resolved !level:debug");
    }

    #[test]
    fn a_cursor_is_the_sort_value_and_id_of_the_last_issue_shown() {
        let cursor: Cursor = "1700000000000000000:42".parse().expect("cursor");
        assert_eq!(cursor, Cursor { value: 1_700_000_000_000_000_000, id: 42 });
        assert_eq!(cursor.to_string(), "1700000000000000000:42");
        assert!("42".parse::<Cursor>().is_err());
        assert!("a:b".parse::<Cursor>().is_err());
    }

    #[test]
    fn errors_say_what_is_wrong_and_where() {
        assert_eq!(
            error("is:open"),
            (
                3,
                "`is:` takes one of unresolved, resolved, ignored, regressed, escalating, assigned, unassigned"
                    .to_owned()
            )
        );
        assert_eq!(error("level:error browser:"), (20, "`browser:` needs a value".to_owned()));
        assert_eq!(error("level:critical"), (6, "`level:` takes one of debug, info, warning, error, fatal".to_owned()));
        assert_eq!(error("firstSeen:-7y").0, 10);
        assert_eq!(error("firstSeen:-0d").0, 10);
        assert_eq!(error("lastSeen:-99999999d").0, 9, "longer ago than the calendar reaches");
        assert_eq!(error("lastSeen:-20000000w").0, 9);
        assert_eq!(error("lastSeen:-5300w").0, 9, "more than a century");
        assert!(error("lastSeen:-36501d").1.ends_with("up to 36500d"));
        assert_eq!(
            "lastSeen:-36500d".parse::<Query>().map(|query| query.to_string()).as_deref(),
            Ok("lastSeen:-36500d")
        );
        assert_eq!(error("timesSeen:>lots").0, 10);
        assert_eq!(error("!timesSeen:>1").0, 0);
        assert_eq!(error(r#"a "unclosed"#), (2, "this quote is never closed".to_owned()));
        assert_eq!(error(r#"tag:"x"y"#), (7, "put a space after the closing quote".to_owned()));
        assert_eq!(error("!timeout"), (0, "`!` negates a `key:value` filter".to_owned()));
        assert_eq!(error("é is:x").0, 5, "positions count characters, not bytes");
        let many = vec!["level:error"; MAX_TERMS + 1].join(" ");
        assert_eq!(error(&many), (MAX_TERMS * 12, format!("a search has at most {MAX_TERMS} terms")));
        assert!(vec!["a"; MAX_TERMS].join(" ").parse::<Query>().is_ok(), "as many as allowed");
        assert_eq!(error(&"x".repeat(MAX_QUERY_CHARS + 1)).0, MAX_QUERY_CHARS);
    }

    #[test]
    fn a_query_is_written_back_in_its_canonical_form() {
        let text = r#"is:unresolved !level:debug release:"1.0 beta" assigned:me firstSeen:-7d lastSeen:+90m timesSeen:>=3 "a \"b\"" url:"https://x""#;
        let query: Query = text.parse().expect("parses");
        assert_eq!(query.to_string(), text);
        assert_eq!(query.to_string().parse::<Query>(), Ok(query));
        assert_eq!(
            "lastSeen:-60m  timesSeen:=2".parse::<Query>().expect("parses").to_string(),
            "lastSeen:-1h timesSeen:2"
        );
    }
}
