//! The top of a project's page: its events over time stacked by level (1h, 24h, 7d or 30d, from
//! `?range=`), new issues per day and the busiest issues, ticking live as events arrive.

use crate::api::{self, AppError};
use crate::chart::{ChartRange, ProjectChart};
use crate::components::charts::{BarChart, StackedBar};
use crate::components::layout::ErrorBox;
use crate::components::live_badge::{LiveBadge, LiveStatus};
use crate::model::{Level, counted};
use leptos::prelude::*;

pub fn chart_path(project: i64, range: ChartRange) -> String {
    format!("/api/0/projects/{project}/chart/?range={}", range.as_str())
}

/// Loads the chart; created with the page's other resources.
pub fn chart_resource(
    project: impl Fn() -> i64 + Send + Sync + 'static,
    range: Memo<ChartRange>,
) -> Resource<Result<ProjectChart, AppError>> {
    Resource::new(
        move || (project(), range.get()),
        |(project, range)| async move { api::get::<ProjectChart>(&chart_path(project, range)).await },
    )
}

fn time_format(range: ChartRange) -> &'static str {
    match range {
        ChartRange::Hour => "%H:%M UTC",
        ChartRange::Day | ChartRange::Week => "%b %e, %H:00 UTC",
        ChartRange::Month => "%b %e",
    }
}

#[component]
pub fn ProjectOverview(
    project: i64,
    chart: Resource<Result<ProjectChart, AppError>>,
    range: Memo<ChartRange>,
) -> impl IntoView {
    view! {
        <section class="card overview" aria-label="Overview">
            <nav class="ranges" aria-label="Range">
                {ChartRange::ALL
                    .into_iter()
                    .map(|choice| {
                        let current = move || range.get() == choice;
                        view! {
                            <a
                                href=format!("?range={}", choice.as_str())
                                class:active=current
                                aria-current=move || current().then_some("true")
                            >
                                {choice.as_str()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <Transition fallback=|| view! { <p class="placeholder">"Loading the chart…"</p> }>
                {move || Suspend::new(async move {
                    match chart.await {
                        Ok(loaded) => view! { <Charts project initial=loaded/> }.into_any(),
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Charts(project: i64, initial: ProjectChart) -> impl IntoView {
    let shown = RwSignal::new(initial);
    let live = RwSignal::new(LiveStatus::Connecting);
    #[cfg(feature = "hydrate")]
    {
        use crate::live::LiveChange;
        use crate::live_client::{Heard, follow, throttled};
        let refresh = throttled(1000, move || async move {
            let Some(range) = shown.try_with_untracked(|chart| chart.range) else { return false };
            match api::get::<ProjectChart>(&chart_path(project, range)).await {
                Ok(chart) => shown.try_set(chart).is_none(),
                Err(err) => {
                    leptos::logging::warn!("could not refresh the chart: {err}");
                    true
                }
            }
        });
        follow(live, move |heard| match heard {
            Heard::Missed => refresh(),
            Heard::Change(change @ (LiveChange::EventsAdded { .. } | LiveChange::IssueCreated { .. })) => {
                if change.project_id() == Some(project) {
                    refresh();
                }
            }
            Heard::Change(_) => {}
        });
    }
    let range = move || shown.with(|chart| chart.range);
    let events = Signal::derive(move || {
        shown.with(|chart| {
            chart
                .events
                .iter()
                .map(|bar| StackedBar {
                    start: bar.start,
                    parts: Level::ALL
                        .into_iter()
                        .rev()
                        .map(|level| (level.as_str(), bar.levels.get(&level).copied().unwrap_or(0)))
                        .collect(),
                })
                .collect::<Vec<_>>()
        })
    });
    let total = move || shown.with(|chart| chart.events.iter().map(|bar| bar.total()).sum::<i64>());
    let new_issues = Signal::derive(move || {
        shown.with(|chart| {
            chart
                .new_issues
                .iter()
                .map(|bar| StackedBar { start: bar.start, parts: vec![("new", bar.count)] })
                .collect()
        })
    });
    let new_total = move || shown.with(|chart| chart.new_issues.iter().map(|bar| bar.count).sum::<i64>());
    view! {
        <div class="overview-grid" data-project=project>
            <figure class="events-chart">
                <figcaption>
                    <strong class="events-total" data-total=total>{move || counted(total(), "event")}</strong>
                    {move || format!(" in the last {}", range().as_str())}
                    <span class="legend">
                        {Level::ALL.into_iter().rev().map(|level| view! { <span class="swatch" data-level=level.as_str()>{level.as_str()}</span> }).collect_view()}
                    </span>
                </figcaption>
                {move || view! { <BarChart bars=events time_format=time_format(range()) noun="event" label="Events over time by level"/> }}
            </figure>
            <figure class="new-issues-chart">
                <figcaption>
                    <strong class="new-issues-total" data-total=new_total>{move || counted(new_total(), "new issue")}</strong>
                    " in the last 30 days"
                    <LiveBadge status=live/>
                </figcaption>
                <BarChart bars=new_issues time_format="%b %e" noun="new issue" label="New issues per day"/>
            </figure>
            <div class="top-issues">
                <h2>"Most events"</h2>
                <ol>
                    {move || shown.with(|chart| chart.top_issues.iter().map(|issue| {
                        view! {
                            <li>
                                <a href=format!("/issues/{}", issue.id) title=issue.title.clone()>{issue.title.clone()}</a>
                                <span class="count">{counted(issue.event_count, "event")}</span>
                            </li>
                        }
                    }).collect_view())}
                </ol>
            </div>
        </div>
    }
}
