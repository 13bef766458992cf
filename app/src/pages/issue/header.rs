//! The top of the issue page: what the issue is, how often and where it happens, who has it,
//! and the triage controls.

use super::IssueState;
use crate::api;
use crate::components::layout::window_title;
use crate::components::live_badge::{LiveBadge, LiveStatus};
use crate::components::triage::TriageButtons;
use crate::dto::{HourCount, IssueDetail, TriageAction};
use crate::model::{Assignee, counted, now, time_ago};
use crate::pages::issue_list::StatusBadge;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

/// Days the histogram spans.
const HISTOGRAM_DAYS: i64 = 14;

#[component]
pub fn IssueHeader(state: IssueState, live: RwSignal<LiveStatus>) -> impl IntoView {
    let read =
        move |f: fn(&IssueDetail) -> String| move || state.detail.with(|d| d.as_ref().map(f).unwrap_or_default());
    let issue = Signal::derive(move || state.detail.with(|d| d.as_ref().map(|d| d.issue.clone())));
    let status = Signal::derive(move || issue.with(|i| i.as_ref().map(|i| i.status)));
    let clock = now();
    let seen = move |at: fn(&IssueDetail) -> (DateTime<Utc>, Option<String>)| {
        move || {
            state.detail.with(|d| {
                d.as_ref()
                    .map(|d| {
                        let (at, release) = at(d);
                        match release {
                            Some(release) => format!("{} · {release}", time_ago(at, clock)),
                            None => time_ago(at, clock),
                        }
                    })
                    .unwrap_or_default()
            })
        }
    };
    view! {
        <Title text=move || window_title(&read(|d| d.issue.title.clone())())/>
        <header class="issue-header">
            <div class="issue-heading">
                <p class="project-name">{read(|d| d.project_name.clone())}</p>
                <h1 class="issue-title">{read(|d| d.issue.title.clone())}</h1>
                <p class="culprit">{read(|d| d.issue.culprit.clone())}</p>
                <p class="badges">
                    <span class="level" data-level=read(|d| d.issue.level.to_string())>{read(|d| d.issue.level.to_string())}</span>
                    <StatusBadge issue/>
                    <LiveBadge status=live/>
                </p>
            </div>
            <div class="issue-actions">
                <TriageButtons status on_action=Callback::new(move |action| state.triage(action))/>
                <AssignSelect state/>
            </div>
            <dl class="facts issue-facts">
                <dt>"Events"</dt>
                <dd class="event-count">{read(|d| d.issue.event_count.to_string())}</dd>
                <dt>"Users"</dt>
                <dd class="user-count">{read(|d| d.issue.user_count.to_string())}</dd>
                <dt>"First seen"</dt>
                <dd title=read(|d| d.issue.first_seen.to_rfc3339())>{seen(|d| (d.issue.first_seen, d.first_release.clone()))}</dd>
                <dt>"Last seen"</dt>
                <dd title=read(|d| d.issue.last_seen.to_rfc3339())>{seen(|d| (d.issue.last_seen, d.last_release.clone()))}</dd>
                <dt>"Environments"</dt>
                <dd>{read(|d| if d.environments.is_empty() { "—".to_owned() } else { d.environments.join(", ") })}</dd>
            </dl>
            <Histogram state/>
        </header>
    }
}

/// Assign to a teammate who may triage, or unassign. The list of teammates loads on first use.
#[component]
fn AssignSelect(state: IssueState) -> impl IntoView {
    let candidates = RwSignal::new(Vec::<Assignee>::new());
    let loaded = StoredValue::new(false);
    let current = move || state.detail.with(|d| d.as_ref().and_then(|d| d.issue.assignee.clone()));
    let load = move || {
        if loaded.get_value() {
            return;
        }
        loaded.set_value(true);
        let Some(project) = state.detail.with_untracked(|d| d.as_ref().map(|d| d.issue.project_id)) else { return };
        leptos::task::spawn_local(async move {
            match api::get::<Vec<Assignee>>(&format!("/api/0/projects/{project}/assignees/")).await {
                Ok(list) => {
                    candidates.try_set(list);
                }
                Err(err) => leptos::logging::warn!("could not list assignees: {err}"),
            }
        });
    };
    let options = move || {
        let mut list = candidates.get();
        if let Some(assignee) = current()
            && !list.iter().any(|known| known.id == assignee.id)
        {
            list.insert(0, assignee);
        }
        list
    };
    let change = move |ev: leptos::ev::Event| {
        let user_id = event_target_value(&ev).parse::<i64>().ok();
        state.triage(TriageAction::Assign { user_id });
    };
    view! {
        <label class="assign">
            <span>"Assignee"</span>
            <select
                class="assignee"
                on:focus=move |_| load()
                on:mousedown=move |_| load()
                on:change=change
                prop:value=move || current().map(|a| a.id.to_string()).unwrap_or_default()
            >
                <option value="">"Unassigned"</option>
                {move || {
                    let selected = current().map(|a| a.id);
                    options()
                        .into_iter()
                        .map(|a| view! { <option value=a.id.to_string() selected=selected == Some(a.id)>{a.email}</option> })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// Events per hour over the 14 days up to the last one, as bars.
#[component]
fn Histogram(state: IssueState) -> impl IntoView {
    let bars = Memo::new(move |_| {
        state.detail.with(|d| d.as_ref().map(|d| hourly_bars(&d.histogram, d.issue.last_seen)).unwrap_or_default())
    });
    let total = move || bars.with(|bars| bars.iter().map(|(_, count)| count).sum::<i64>());
    view! {
        <figure class="histogram">
            <svg viewBox=format!("0 0 {} 40", HISTOGRAM_DAYS * 24) preserveAspectRatio="none" role="img" aria-label="Events per hour">
                {move || {
                    let bars = bars.get();
                    let max = bars.iter().map(|(_, count)| *count).max().unwrap_or(1).max(1) as f64;
                    bars.into_iter()
                        .enumerate()
                        .filter(|(_, (_, count))| *count > 0)
                        .map(|(x, (hour, count))| {
                            let height = (count as f64 / max * 38.0).max(2.0);
                            view! {
                                <rect x=x.to_string() y=format!("{:.1}", 40.0 - height) width="0.8" height=format!("{height:.1}")>
                                    <title>{format!("{count} at {}", hour.format("%Y-%m-%d %H:00 UTC"))}</title>
                                </rect>
                            }
                        })
                        .collect_view()
                }}
            </svg>
            <figcaption class="muted">{move || format!("{} in the {HISTOGRAM_DAYS} days up to the last one", counted(total(), "event"))}</figcaption>
        </figure>
    }
}

/// One bar per hour of the 14 days ending with the hour of `last_seen`, oldest first.
fn hourly_bars(hours: &[HourCount], last_seen: DateTime<Utc>) -> Vec<(DateTime<Utc>, i64)> {
    let end = last_seen.duration_trunc(TimeDelta::hours(1)).unwrap_or(last_seen);
    let start = end - TimeDelta::hours(HISTOGRAM_DAYS * 24 - 1);
    let mut bars: Vec<(DateTime<Utc>, i64)> =
        (0..HISTOGRAM_DAYS * 24).map(|i| (start + TimeDelta::hours(i), 0)).collect();
    for hour in hours {
        let offset = usize::try_from((hour.hour - start).num_hours()).ok();
        if let Some(bar) = offset.and_then(|offset| bars.get_mut(offset)).filter(|bar| bar.0 == hour.hour) {
            bar.1 += hour.count;
        }
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_ends_at_the_last_seen_hour_and_fills_empty_hours() {
        let last = DateTime::parse_from_rfc3339("2026-11-21T10:42:00Z").expect("time").to_utc();
        let hour = |h: i64| last.duration_trunc(TimeDelta::hours(1)).expect("hour") - TimeDelta::hours(h);
        let counts = [HourCount { hour: hour(0), count: 3 }, HourCount { hour: hour(5), count: 1 }];
        let bars = hourly_bars(&counts, last);
        assert_eq!(bars.len(), 14 * 24);
        assert_eq!(bars.last(), Some(&(hour(0), 3)));
        assert_eq!(bars[bars.len() - 6], (hour(5), 1));
        assert_eq!(bars.iter().map(|(_, c)| c).sum::<i64>(), 4, "hours older than 14 days are left out");
    }
}
