//! The triage state machine: what a teammate's decision does to an issue, and what a new event
//! does to a decided issue. A resolved issue that happens again regresses (for "resolved in the
//! next release", only an event from a later release counts); an ignored issue whose condition is
//! met escalates. Pure: the writer and the API apply what it returns.

use app::model::{IgnoreUntil, IssueStatus, Substatus};
use chrono::{DateTime, Duration, Utc};

/// What triage knows about an issue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Triage {
    pub status: IssueStatus,
    pub substatus: Option<Substatus>,
    /// For "resolved in the next release": the release that was current then.
    pub resolved_in_release: Option<String>,
    pub ignored_until: Option<DateTime<Utc>>,
    /// The event count at which an ignored issue comes back.
    pub ignored_until_events: Option<i64>,
    /// The affected-user count at which an ignored issue comes back.
    pub ignored_until_users: Option<i64>,
}

/// A teammate's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Resolve,
    /// Resolved by the release after `current` (the project's latest release now).
    ResolveInNextRelease {
        current: String,
    },
    Ignore(IgnoreUntil),
    Unresolve,
}

/// What the system did on its own, for the activity log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Regressed,
    Escalated,
}

/// Where an issue's counters stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub events: i64,
    pub users: i64,
}

/// The issue after the decision. Any decision clears the substatus.
pub fn decide(decision: &Decision, counts: Counts, now: DateTime<Utc>) -> Triage {
    match decision {
        Decision::Resolve => Triage { status: IssueStatus::Resolved, ..Triage::default() },
        Decision::ResolveInNextRelease { current } => {
            Triage { status: IssueStatus::Resolved, resolved_in_release: Some(current.clone()), ..Triage::default() }
        }
        Decision::Unresolve => Triage::default(),
        Decision::Ignore(until) => {
            let mut triage = Triage { status: IssueStatus::Ignored, ..Triage::default() };
            match *until {
                IgnoreUntil::Forever => {}
                IgnoreUntil::Minutes(minutes) => triage.ignored_until = Some(now + Duration::minutes(minutes.into())),
                IgnoreUntil::MoreEvents(more) => triage.ignored_until_events = Some(counts.events + i64::from(more)),
                IgnoreUntil::MoreUsers(more) => triage.ignored_until_users = Some(counts.users + i64::from(more)),
            }
            triage
        }
    }
}

/// A new event arrived (the counts include it). Returns the changed issue and why, if it changes.
pub fn on_event(
    triage: &Triage,
    counts: Counts,
    now: DateTime<Utc>,
    from_later_release: bool,
) -> Option<(Triage, Transition)> {
    let reopened =
        |substatus| Triage { status: IssueStatus::Unresolved, substatus: Some(substatus), ..Triage::default() };
    match triage.status {
        IssueStatus::Resolved => {
            let regresses = triage.resolved_in_release.is_none() || from_later_release;
            regresses.then(|| (reopened(Substatus::Regressed), Transition::Regressed))
        }
        IssueStatus::Ignored => {
            let met = triage.ignored_until.is_some_and(|until| now >= until)
                || triage.ignored_until_events.is_some_and(|target| counts.events >= target)
                || triage.ignored_until_users.is_some_and(|target| counts.users >= target);
            met.then(|| (reopened(Substatus::Escalating), Transition::Escalated))
        }
        IssueStatus::Unresolved => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("time")
    }

    fn counts(events: i64, users: i64) -> Counts {
        Counts { events, users }
    }

    #[test]
    fn a_resolved_issue_regresses_on_its_next_event() {
        let resolved = decide(&Decision::Resolve, counts(10, 2), now());
        let (after, why) = on_event(&resolved, counts(11, 2), now(), false).expect("regresses");
        assert_eq!(
            (after.status, after.substatus, why),
            (IssueStatus::Unresolved, Some(Substatus::Regressed), Transition::Regressed)
        );
    }

    #[test]
    fn resolved_in_the_next_release_regresses_only_from_a_later_release() {
        let resolved = decide(&Decision::ResolveInNextRelease { current: "shop@1.2".into() }, counts(10, 2), now());
        assert_eq!(resolved.resolved_in_release.as_deref(), Some("shop@1.2"));
        assert_eq!(on_event(&resolved, counts(11, 2), now(), false), None, "the old release still fails: expected");
        let (after, why) = on_event(&resolved, counts(12, 2), now(), true).expect("regresses");
        assert_eq!((after.substatus, why), (Some(Substatus::Regressed), Transition::Regressed));
    }

    #[test]
    fn ignored_forever_stays_ignored() {
        let ignored = decide(&Decision::Ignore(IgnoreUntil::Forever), counts(10, 2), now());
        assert_eq!(on_event(&ignored, counts(1_000_000, 5000), now() + Duration::days(365), true), None);
    }

    #[test]
    fn ignored_for_a_while_escalates_after_the_time() {
        let ignored = decide(&Decision::Ignore(IgnoreUntil::Minutes(60)), counts(10, 2), now());
        assert_eq!(on_event(&ignored, counts(11, 2), now() + Duration::minutes(59), false), None);
        let (after, why) = on_event(&ignored, counts(12, 2), now() + Duration::minutes(60), false).expect("escalates");
        assert_eq!(
            (after.status, after.substatus, why),
            (IssueStatus::Unresolved, Some(Substatus::Escalating), Transition::Escalated)
        );
    }

    #[test]
    fn ignored_until_more_events_or_users_escalates_when_they_come() {
        let by_events = decide(&Decision::Ignore(IgnoreUntil::MoreEvents(5)), counts(10, 2), now());
        assert_eq!(on_event(&by_events, counts(14, 2), now(), false), None);
        assert!(on_event(&by_events, counts(15, 2), now(), false).is_some());

        let by_users = decide(&Decision::Ignore(IgnoreUntil::MoreUsers(3)), counts(10, 2), now());
        assert_eq!(on_event(&by_users, counts(50, 4), now(), false), None);
        assert!(on_event(&by_users, counts(51, 5), now(), false).is_some());
    }

    #[test]
    fn a_decision_clears_the_substatus_and_unresolved_issues_stay_as_they_are() {
        let regressed = Triage { substatus: Some(Substatus::Regressed), ..Triage::default() };
        assert_eq!(on_event(&regressed, counts(3, 1), now(), true), None);
        assert_eq!(decide(&Decision::Unresolve, counts(3, 1), now()), Triage::default());
    }
}
