//! Whether one event of an issue matches a query of the [`search`](crate::search) language: the
//! subset that applies to a single event, as alert rules filter what fires (and as a live tail of
//! events will). Event attributes — `level:`, `environment:`, `release:`, any tag, free text —
//! are matched against the event; issue attributes — `is:`, `assigned:`, `firstSeen:`,
//! `lastSeen:`, `timesSeen:` — against its issue as the event left it. A value without `*`
//! matches exactly; `*` stands for any run of characters; free text matches the title or the
//! culprit, ignoring case. Only `assigned:me` has no meaning here: no one is searching.

use crate::model::{IssueStatus, Substatus};
use crate::search::{AssignedTo, Comparison, IssueState, Pattern, Query, Seen, Term};
use chrono::{DateTime, Utc};

/// The event a rule is checked against.
#[derive(Clone, Copy, Debug)]
pub struct EventFacts<'a> {
    /// Its tags, which hold `level`, `environment` and `release` too.
    pub tags: &'a [(String, String)],
    pub title: &'a str,
    pub culprit: &'a str,
}

/// Its issue, as the event left it.
#[derive(Clone, Copy, Debug)]
pub struct IssueFacts<'a> {
    pub status: IssueStatus,
    pub substatus: Option<Substatus>,
    /// The assignee's email.
    pub assignee: Option<&'a str>,
    pub event_count: i64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

impl Query {
    /// Why the query cannot filter single events, if it cannot.
    pub fn check_for_events(&self) -> Result<(), String> {
        if self.terms.iter().any(|term| matches!(term, Term::Assigned { to: AssignedTo::Me, .. })) {
            return Err("`assigned:me` means whoever searches: name the teammate's email instead".to_owned());
        }
        Ok(())
    }

    /// Whether some term names an assignee by email (the caller then looks the assignee up).
    pub fn names_assignee(&self) -> bool {
        self.terms.iter().any(|term| matches!(term, Term::Assigned { to: AssignedTo::Email(_), .. }))
    }

    /// Whether some term is matched against the event rather than its issue.
    pub fn reads_event(&self) -> bool {
        self.terms.iter().any(|term| matches!(term, Term::Match { .. } | Term::Text(_)))
    }

    /// Whether every term holds for the event and its issue at `now`.
    pub fn matches(&self, event: &EventFacts<'_>, issue: &IssueFacts<'_>, now: DateTime<Utc>) -> bool {
        self.terms.iter().all(|term| holds(term, event, issue, now))
    }
}

fn holds(term: &Term, event: &EventFacts<'_>, issue: &IssueFacts<'_>, now: DateTime<Utc>) -> bool {
    match term {
        Term::Is { negated, state } => *negated != is(*state, issue),
        Term::Match { negated, field, value } => {
            let found = event.tags.iter().any(|(key, tag)| key == field.key() && glob(value, tag));
            *negated != found
        }
        Term::Assigned { negated, to } => {
            let assigned = match to {
                AssignedTo::Me => false,
                AssignedTo::Email(email) => issue.assignee.is_some_and(|assignee| assignee.eq_ignore_ascii_case(email)),
            };
            *negated != assigned
        }
        Term::Seen { which, bound } => {
            let at = match which {
                Seen::First => issue.first_seen,
                Seen::Last => issue.last_seen,
            };
            let since = now.checked_sub_signed(bound.span).unwrap_or(DateTime::<Utc>::MIN_UTC);
            if bound.within { at >= since } else { at < since }
        }
        Term::TimesSeen { comparison, count } => {
            let seen = issue.event_count;
            match comparison {
                Comparison::Greater => seen > *count,
                Comparison::GreaterOrEqual => seen >= *count,
                Comparison::Less => seen < *count,
                Comparison::LessOrEqual => seen <= *count,
                Comparison::Equal => seen == *count,
            }
        }
        Term::Text(text) => {
            let text = text.to_lowercase();
            event.title.to_lowercase().contains(&text) || event.culprit.to_lowercase().contains(&text)
        }
    }
}

fn is(state: IssueState, issue: &IssueFacts<'_>) -> bool {
    match state {
        IssueState::Unresolved => issue.status == IssueStatus::Unresolved,
        IssueState::Resolved => issue.status == IssueStatus::Resolved,
        IssueState::Ignored => issue.status == IssueStatus::Ignored,
        IssueState::Regressed => issue.substatus == Some(Substatus::Regressed),
        IssueState::Escalating => issue.substatus == Some(Substatus::Escalating),
        IssueState::Assigned => issue.assignee.is_some(),
        IssueState::Unassigned => issue.assignee.is_none(),
    }
}

/// The value equals the pattern, where each `*` stands for any run of characters.
fn glob(pattern: &Pattern, value: &str) -> bool {
    if !pattern.has_wildcard() {
        return pattern.0 == value;
    }
    let mut pieces = pattern.0.split('*');
    let first = pieces.next().unwrap_or_default();
    let Some(mut rest) = value.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else { return true };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn tags() -> Vec<(String, String)> {
        [("level", "error"), ("environment", "production"), ("release", "shop@2.4.1"), ("browser.name", "Chrome")]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z").expect("time").to_utc()
    }

    fn issue() -> IssueFacts<'static> {
        IssueFacts {
            status: IssueStatus::Unresolved,
            substatus: None,
            assignee: Some("dev@example.com"),
            event_count: 12,
            first_seen: now() - TimeDelta::hours(2),
            last_seen: now(),
        }
    }

    fn matches(query: &str) -> bool {
        let tags = tags();
        let event = EventFacts { tags: &tags, title: "TypeError: Cannot read 'id'", culprit: "app/cart.js in total" };
        query.parse::<Query>().expect(query).matches(&event, &issue(), now())
    }

    #[test]
    fn an_empty_query_matches_every_event() {
        assert!(matches(""));
    }

    #[test]
    fn event_fields_and_tags_match_exactly_or_by_pattern() {
        assert!(matches("level:error environment:production release:shop@2.*"));
        assert!(matches("browser.name:Chrome release:*2.4.1 release:shop*4*1"));
        assert!(!matches("level:warning"));
        assert!(!matches("environment:prod"), "no prefix match without a star");
        assert!(!matches("release:shop@3.*"));
        assert!(!matches("os.name:Linux"), "a tag the event lacks");
        assert!(!matches("release:shop@2.4.1*x"));
    }

    #[test]
    fn a_negated_term_matches_what_the_term_does_not() {
        assert!(matches("!environment:staging !os.name:Linux"));
        assert!(!matches("!level:error"));
    }

    #[test]
    fn issue_attributes_are_matched_against_the_issue() {
        assert!(matches("is:unresolved !is:resolved is:assigned assigned:Dev@Example.com timesSeen:>10"));
        assert!(matches("firstSeen:-3h lastSeen:-1m !is:regressed"));
        assert!(!matches("firstSeen:-1h"));
        assert!(!matches("timesSeen:<5"));
        assert!(!matches("is:unassigned"));
        assert!(!matches("assigned:ops@example.com"));
    }

    #[test]
    fn free_text_is_looked_for_in_the_title_and_culprit_ignoring_case() {
        assert!(matches("typeerror \"cart.js in\""));
        assert!(!matches("timeout"));
    }

    #[test]
    fn assigned_me_cannot_filter_events() {
        let query: Query = "level:error assigned:me".parse().expect("parses");
        assert!(query.check_for_events().is_err());
        assert!("assigned:a@b.c".parse::<Query>().expect("parses").check_for_events().is_ok());
        assert!("assigned:a@b.c".parse::<Query>().expect("parses").names_assignee());
        assert!(!"level:error".parse::<Query>().expect("parses").names_assignee());
    }

    #[test]
    fn a_query_reads_the_event_when_it_names_an_event_attribute_or_text() {
        let reads = |query: &str| query.parse::<Query>().expect(query).reads_event();
        assert!(reads("level:error"));
        assert!(reads("!release:1.*"));
        assert!(reads("is:unresolved timeout"));
        assert!(!reads(""));
        assert!(!reads("is:unresolved !is:assigned timesSeen:>10 firstSeen:-1h"));
    }

    #[test]
    fn a_pattern_is_anchored_at_both_ends() {
        let glob = |pattern: &str, value: &str| glob(&Pattern(pattern.to_owned()), value);
        assert!(glob("*", ""));
        assert!(glob("a*", "a"));
        assert!(glob("*a", "ba"));
        assert!(glob("a*a", "aa"));
        assert!(!glob("a*a", "a"), "the two ends may not overlap");
        assert!(glob("a**b", "ab"));
        assert!(glob("*b*", "abc"));
        assert!(!glob("*b*", "ac"));
    }
}
