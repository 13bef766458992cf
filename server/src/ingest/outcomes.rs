//! Every ingest request ends in exactly one outcome, counted per project: accepted, or rejected
//! with a reason. Only projects that exist get counters of their own; requests for any other id
//! (or naming none) are counted together as `unknown`, so random ids cannot grow the counters.
//! Served as Prometheus text at `/metrics` and as JSON at `/api/0/outcomes/`. Counters live in
//! memory and start at zero with the server, as Prometheus counters do.

use app::model::ProjectOutcomes;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// No key, a malformed or unknown key, or an origin the project does not allow.
    Unauthorized,
    /// A body that is not a valid envelope, event or encoding.
    Invalid,
    TooLarge,
    RateLimited,
    /// Dropped by an inbound filter (errors from browser extensions).
    Filtered,
    QueueFull,
    /// The server could not store it.
    Internal,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Unauthorized => "unauthorized",
            Reason::Invalid => "invalid",
            Reason::TooLarge => "too_large",
            Reason::RateLimited => "rate_limited",
            Reason::Filtered => "filtered",
            Reason::QueueFull => "queue_full",
            Reason::Internal => "internal",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Rejected(Reason),
}

#[derive(Default)]
pub struct Outcomes {
    by_project: Mutex<BTreeMap<i64, ProjectOutcomes>>,
}

/// The project id that counts requests for no existing project.
pub const UNKNOWN_PROJECT: i64 = 0;

impl Outcomes {
    /// Counts a request as received and how it ended, in one step, under an existing project
    /// (or [`UNKNOWN_PROJECT`]). Call exactly once per request.
    pub fn record(&self, project_id: i64, outcome: Outcome) {
        let mut by_project = self.by_project.lock().unwrap_or_else(PoisonError::into_inner);
        let counts =
            by_project.entry(project_id).or_insert_with(|| ProjectOutcomes { project_id, ..Default::default() });
        counts.received += 1;
        match outcome {
            Outcome::Accepted => counts.accepted += 1,
            Outcome::Rejected(reason) => *counts.rejected.entry(reason.as_str().to_owned()).or_default() += 1,
        }
    }

    pub fn snapshot(&self) -> Vec<ProjectOutcomes> {
        self.by_project.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }

    /// The counters in the Prometheus text exposition format.
    pub fn prometheus(&self) -> String {
        let snapshot = self.snapshot();
        let mut out = String::new();
        out.push_str("# HELP faultline_ingest_requests_total Ingest requests received.\n");
        out.push_str("# TYPE faultline_ingest_requests_total counter\n");
        for counts in &snapshot {
            let project = label(counts.project_id);
            out.push_str(&format!("faultline_ingest_requests_total{{project=\"{project}\"}} {}\n", counts.received));
        }
        out.push_str("# HELP faultline_ingest_outcomes_total Ingest requests by how they ended.\n");
        out.push_str("# TYPE faultline_ingest_outcomes_total counter\n");
        for counts in &snapshot {
            let project = label(counts.project_id);
            out.push_str(&format!(
                "faultline_ingest_outcomes_total{{project=\"{project}\",outcome=\"accepted\",reason=\"\"}} {}\n",
                counts.accepted
            ));
            for (reason, count) in &counts.rejected {
                out.push_str(&format!("faultline_ingest_outcomes_total{{project=\"{project}\",outcome=\"rejected\",reason=\"{reason}\"}} {count}\n"
                ));
            }
        }
        out
    }
}

fn label(project_id: i64) -> String {
    if project_id == UNKNOWN_PROJECT { "unknown".to_owned() } else { project_id.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_render_as_prometheus_text() {
        let outcomes = Outcomes::default();
        for outcome in [Outcome::Accepted, Outcome::Accepted, Outcome::Rejected(Reason::Invalid)] {
            outcomes.record(42, outcome);
        }
        outcomes.record(UNKNOWN_PROJECT, Outcome::Rejected(Reason::Unauthorized));
        let snapshot = outcomes.snapshot();
        let project = snapshot.iter().find(|counts| counts.project_id == 42).expect("project 42");
        assert_eq!(project.received, 3);
        assert_eq!(project.accepted + project.rejected.values().sum::<u64>(), 3);
        let text = outcomes.prometheus();
        assert!(text.contains("faultline_ingest_requests_total{project=\"42\"} 3\n"), "{text}");
        assert!(text.contains("outcome=\"rejected\",reason=\"invalid\"} 1\n"), "{text}");
        assert!(text.contains("faultline_ingest_requests_total{project=\"unknown\"} 1\n"), "{text}");
    }
}
