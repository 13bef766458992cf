//! Each channel's hourly cap: at most so many deliveries sent in a rolling hour. Pure: given when
//! the channel's recent deliveries were sent and what is due now, it decides what goes out, what
//! waits held (until a send leaves the window), and whether what was held goes out now as one
//! digest. A digest takes one place in the hour like any delivery; nothing is ever dropped.

use crate::store::entities::alert_delivery;
use app::alerts::{DIGEST, DeliveryState};
use chrono::{DateTime, TimeDelta, Utc};

/// The cap counts over this long.
pub const WINDOW: TimeDelta = TimeDelta::hours(1);

/// What a channel does with its due deliveries now.
#[derive(Debug, Default)]
pub struct Plan {
    /// To send now, oldest first (digests queued earlier among them).
    pub send: Vec<alert_delivery::Model>,
    /// To gather what the channel holds back into a digest, and send it now.
    pub digest: bool,
    /// To hold back (again) until `until`.
    pub hold: Vec<i64>,
    pub until: DateTime<Utc>,
}

/// `sent`: when the channel's deliveries of the last hour were sent, oldest first. `due`: its
/// pending and held deliveries due now, oldest first.
pub fn plan(cap: u32, sent: &[DateTime<Utc>], due: Vec<alert_delivery::Model>, now: DateTime<Utc>) -> Plan {
    let mut times: Vec<DateTime<Utc>> = sent.iter().copied().filter(|at| *at > now - WINDOW).collect();
    let cap = usize::try_from(cap.max(1)).unwrap_or(usize::MAX);
    let (held, pending): (Vec<_>, Vec<_>) = due.into_iter().partition(|row| row.state == DeliveryState::Held.as_str());
    let (digests, fresh): (Vec<_>, Vec<_>) = pending.into_iter().partition(|row| row.trigger == DIGEST);
    let mut plan = Plan::default();
    // A digest was given its place when it was gathered.
    for row in digests {
        times.push(now);
        plan.send.push(row);
    }
    if !held.is_empty() && times.len() < cap {
        times.push(now);
        plan.digest = true;
    } else {
        plan.hold.extend(held.iter().map(|row| row.id));
    }
    for row in fresh {
        if times.len() < cap {
            times.push(now);
            plan.send.push(row);
        } else {
            plan.hold.push(row.id);
        }
    }
    // One more fits once the send `len - cap` (oldest first) has left the window.
    plan.until = times.get(times.len().saturating_sub(cap)).map_or(now, |oldest| *oldest + WINDOW).max(now);
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, state: DeliveryState, trigger: &str) -> alert_delivery::Model {
        let at = Utc::now();
        alert_delivery::Model {
            id,
            delivery_id: format!("d{id}"),
            project_id: 1,
            channel_id: 1,
            rule_id: Some(1),
            issue_id: Some(id),
            trigger: trigger.to_owned(),
            event_id: None,
            state: state.as_str().to_owned(),
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
            attempted_at: None,
            status_code: None,
            error: None,
            latency_ms: None,
            digest: None,
        }
    }

    fn pending(ids: std::ops::RangeInclusive<i64>) -> Vec<alert_delivery::Model> {
        ids.map(|id| row(id, DeliveryState::Pending, "new_issue")).collect()
    }

    fn ids(rows: &[alert_delivery::Model]) -> Vec<i64> {
        rows.iter().map(|row| row.id).collect()
    }

    #[test]
    fn under_the_cap_everything_goes_out() {
        let now = Utc::now();
        let plan = plan(60, &[now - TimeDelta::minutes(5)], pending(1..=3), now);
        assert_eq!(ids(&plan.send), [1, 2, 3]);
        assert!(plan.hold.is_empty() && !plan.digest);
    }

    #[test]
    fn past_the_cap_the_rest_is_held_until_the_oldest_send_leaves_the_hour() {
        let now = Utc::now();
        let sent = [now - TimeDelta::minutes(50), now - TimeDelta::minutes(20)];
        let plan = plan(3, &sent, pending(1..=4), now);
        assert_eq!(ids(&plan.send), [1]);
        assert_eq!(plan.hold, [2, 3, 4]);
        assert_eq!(plan.until, sent[0] + WINDOW, "in 10 minutes");
    }

    #[test]
    fn sends_older_than_an_hour_do_not_count() {
        let now = Utc::now();
        let plan = plan(1, &[now - TimeDelta::minutes(61)], pending(1..=1), now);
        assert_eq!(ids(&plan.send), [1]);
    }

    #[test]
    fn once_there_is_room_what_was_held_goes_out_as_one_digest_before_new_deliveries() {
        let now = Utc::now();
        let mut due = vec![row(1, DeliveryState::Held, "new_issue"), row(2, DeliveryState::Held, "regression")];
        due.extend(pending(3..=4));
        let plan = plan(2, &[now - TimeDelta::minutes(59)], due, now);
        assert!(plan.digest, "the digest takes the free place");
        assert!(plan.send.is_empty());
        assert_eq!(plan.hold, [3, 4], "the new ones wait for the next digest");
        assert_eq!(plan.until, now - TimeDelta::minutes(59) + WINDOW);
    }

    #[test]
    fn without_room_held_deliveries_wait_again() {
        let now = Utc::now();
        let sent = [now - TimeDelta::minutes(30)];
        let plan = plan(1, &sent, vec![row(1, DeliveryState::Held, "new_issue")], now);
        assert!(!plan.digest);
        assert_eq!(plan.hold, [1]);
        assert_eq!(plan.until, sent[0] + WINDOW);
    }

    #[test]
    fn a_queued_digest_is_sent_even_when_the_hour_is_full() {
        let now = Utc::now();
        let sent = [now - TimeDelta::minutes(10)];
        let plan = plan(1, &sent, vec![row(7, DeliveryState::Pending, DIGEST)], now);
        assert_eq!(ids(&plan.send), [7]);
    }

    #[test]
    fn sends_made_now_count_when_the_next_place_frees() {
        let now = Utc::now();
        let plan = plan(2, &[], pending(1..=3), now);
        assert_eq!(ids(&plan.send), [1, 2]);
        assert_eq!(plan.hold, [3]);
        assert_eq!(plan.until, now + WINDOW);
    }
}
