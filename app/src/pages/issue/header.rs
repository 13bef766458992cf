//! The top of the issue page: what the issue is, how often and where it happens, who has it,
//! and the triage controls.

use super::IssueState;
use crate::api;
use crate::chart::ChartRange;
use crate::components::charts::{BarChart, StackedBar};
use crate::components::layout::window_title;
use crate::components::live_badge::{LiveBadge, LiveStatus};
use crate::components::triage::TriageButtons;
use crate::dto::{IssueDetail, TriageAction};
use crate::model::{Assignee, IssueSummary, absolute, counted, now, thousands, time_ago};
use crate::pages::issue_list::StatusBadge;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

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
                <p class="project-name">
                    <a href=read(|d| format!("/projects/{}", d.issue.project_id))>{read(|d| d.project_name.clone())}</a>
                </p>
                <h1 class="issue-title" title=read(|d| d.issue.title.clone())>{read(|d| d.issue.title.clone())}</h1>
                <p class="culprit">{read(|d| d.issue.culprit.clone())}</p>
                <p class="badges">
                    <span class="level" data-level=read(|d| d.issue.level.to_string())>{read(|d| d.issue.level.to_string())}</span>
                    <StatusBadge issue/>
                    <span class="snooze">{move || issue.with(|i| i.as_ref().and_then(IssueSummary::snoozed_until))}</span>
                    <LiveBadge status=live/>
                </p>
            </div>
            <div class="issue-actions">
                <TriageButtons status on_action=Callback::new(move |action| state.triage(action))/>
                <AssignSelect state/>
            </div>
            <dl class="facts issue-facts">
                <dt>"Events"</dt>
                <dd class="event-count">{read(|d| thousands(d.issue.event_count))}</dd>
                <dt>"Users"</dt>
                <dd class="user-count">{read(|d| thousands(d.issue.user_count))}</dd>
                <dt>"First seen"</dt>
                <dd title=read(|d| absolute(d.issue.first_seen))>{seen(|d| (d.issue.first_seen, d.first_release.clone()))}</dd>
                <dt>"Last seen"</dt>
                <dd title=read(|d| absolute(d.issue.last_seen))>{seen(|d| (d.issue.last_seen, d.last_release.clone()))}</dd>
                <dt>"Environments"</dt>
                <dd class="environments">
                    {read(|d| if d.environments.is_empty() { "—".to_owned() } else { d.environments.join(", ") })}
                </dd>
            </dl>
            <Histogram state/>
        </header>
    }
}

/// Assign to a teammate who may triage, or unassign. The teammates load with the page.
#[component]
fn AssignSelect(state: IssueState) -> impl IntoView {
    let candidates = RwSignal::new(Vec::<Assignee>::new());
    let current = move || state.detail.with(|d| d.as_ref().and_then(|d| d.issue.assignee.clone()));
    // Loaded once the issue (and so its project) is known; live updates leave the project as it is.
    let project = Memo::new(move |_| state.detail.with(|d| d.as_ref().map(|d| d.issue.project_id)));
    Effect::new(move |_| {
        let Some(project) = project.get() else { return };
        leptos::task::spawn_local(async move {
            match api::get::<Vec<Assignee>>(&format!("/api/0/projects/{project}/assignees/")).await {
                Ok(list) => {
                    candidates.try_set(list);
                }
                Err(err) => leptos::logging::warn!("could not list assignees: {err}"),
            }
        });
    });
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

/// The issue's events over the last 24 hours, 7 or 30 days (from its hourly counts), as bars.
#[component]
fn Histogram(state: IssueState) -> impl IntoView {
    let range = RwSignal::new(ChartRange::Day);
    let bars = Memo::new(move |_| {
        let range = range.get();
        state.detail.with(|d| {
            let hours = d.as_ref().map(|d| d.histogram.as_slice()).unwrap_or_default();
            range
                .bars(now(), hours.iter().map(|hour| (hour.hour, hour.count)))
                .into_iter()
                .map(|bar| StackedBar { start: bar.start, parts: vec![("events", bar.count)] })
                .collect::<Vec<_>>()
        })
    });
    let total = move || bars.with(|bars| bars.iter().map(StackedBar::total).sum::<i64>());
    let format = move || if range.get() == ChartRange::Month { "%b %e" } else { "%b %e, %H:00 UTC" };
    view! {
        <figure class="histogram">
            {move || view! { <BarChart bars=bars time_format=format() noun="event" label="Events over time"/> }}
            <figcaption class="muted">
                <span class="histogram-total" data-total=total>{move || format!("{} in the last {}", counted(total(), "event"), range.get().as_str())}</span>
                <span class="ranges" role="group" aria-label="Range">
                    {[ChartRange::Day, ChartRange::Week, ChartRange::Month].into_iter().map(|choice| view! {
                        <button type="button" class="link" class:active=move || range.get() == choice on:click=move |_| range.set(choice)>
                            {choice.as_str()}
                        </button>
                    }).collect_view()}
                </span>
            </figcaption>
        </figure>
    }
}
