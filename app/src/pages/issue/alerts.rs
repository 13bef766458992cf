//! Which alerts told the team of this issue, and how each delivery went: "Slack #payments
//! notified 2 min ago", held back by a channel's hourly cap, retrying, or given up and why.
//! Follows the live socket like the rest of the page.

use super::IssueState;
use crate::alerts::{Delivery, DeliveryState};
use crate::model::{absolute, now, time_ago};
use leptos::prelude::*;

#[component]
pub fn IssueAlerts(state: IssueState) -> impl IntoView {
    let clock = now();
    view! {
        <section class="card issue-alerts">
            <h2>"Alerts"</h2>
            <Show
                when=move || state.deliveries.with(|list| !list.is_empty())
                fallback=|| view! { <p class="muted">"No alert has fired for this issue."</p> }
            >
                <ul class="delivery-list">
                    <For each=move || state.deliveries.get() key=|delivery| (delivery.id.clone(), delivery.state, delivery.attempts) let(delivery)>
                        <li class="delivery-row" data-state=delivery.state.as_str() title=delivery.error.clone().unwrap_or_default()>
                            <strong class="channel">{delivery.channel.clone()}</strong>
                            " "
                            <span class="what">{describe(&delivery)}</span>
                            <span class="when muted" title=absolute(delivery.created_at)>
                                {format!(" · {}", time_ago(delivery.attempted_at.unwrap_or(delivery.created_at), clock))}
                            </span>
                            {delivery.rule.clone().map(|rule| view! { <span class="rule muted">{format!(" · {rule}")}</span> })}
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// "notified", "held back by the hourly cap", "retrying after HTTP 500", "failed: HTTP 404".
pub fn describe(delivery: &Delivery) -> String {
    let error = delivery.error.clone().unwrap_or_else(|| "no answer".to_owned());
    match delivery.state {
        DeliveryState::Sent => "notified".to_owned(),
        DeliveryState::Digested => "notified in a digest".to_owned(),
        DeliveryState::Held => "held back by the hourly cap, for the next digest".to_owned(),
        DeliveryState::Pending if delivery.attempts == 0 => "sending…".to_owned(),
        DeliveryState::Pending => format!("retrying after {error}"),
        DeliveryState::Failed => format!("failed: {error}"),
    }
}

/// Puts a delivery that changed in its place: newest first, replacing its earlier state.
pub fn upsert(list: &mut Vec<Delivery>, delivery: Delivery) {
    match list.iter_mut().find(|known| known.id == delivery.id) {
        Some(known) => *known = delivery,
        None => list.insert(0, delivery),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn delivery(id: &str, state: DeliveryState, attempts: u32) -> Delivery {
        Delivery {
            id: id.to_owned(),
            project_id: 1,
            channel_id: 1,
            channel: "#payments".to_owned(),
            rule_id: Some(1),
            rule: Some("Production".to_owned()),
            issue_id: Some(1),
            trigger: "new_issue".to_owned(),
            state,
            attempts,
            created_at: Utc::now(),
            attempted_at: None,
            status_code: None,
            error: Some("HTTP 500".to_owned()),
            latency_ms: None,
            digest: None,
        }
    }

    #[test]
    fn a_delivery_says_how_it_went() {
        assert_eq!(describe(&delivery("a", DeliveryState::Sent, 1)), "notified");
        assert_eq!(describe(&delivery("a", DeliveryState::Pending, 0)), "sending…");
        assert_eq!(describe(&delivery("a", DeliveryState::Pending, 2)), "retrying after HTTP 500");
        assert_eq!(describe(&delivery("a", DeliveryState::Failed, 6)), "failed: HTTP 500");
    }

    #[test]
    fn a_changed_delivery_replaces_its_row_and_a_new_one_goes_first() {
        let mut list = vec![delivery("a", DeliveryState::Pending, 0)];
        upsert(&mut list, delivery("b", DeliveryState::Pending, 0));
        upsert(&mut list, delivery("a", DeliveryState::Sent, 1));
        let rows: Vec<_> = list.iter().map(|d| (d.id.as_str(), d.state)).collect();
        assert_eq!(rows, [("b", DeliveryState::Pending), ("a", DeliveryState::Sent)]);
    }
}
