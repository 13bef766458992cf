//! The issue list: rendered on the server, then kept current by the live socket.

use crate::api;
use crate::components::layout::ErrorBox;
use crate::model::{IssueSummary, now, time_ago};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

/// The issues of every project the user may see.
pub const ISSUES_PATH: &str = "/api/0/issues/";

/// Most issues the list shows.
pub const ISSUE_LIST_LIMIT: usize = 100;

/// State of the live connection, shown in the page header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    Reconnecting,
}

impl LiveStatus {
    fn label(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "Connecting…",
            LiveStatus::Live => "Live",
            LiveStatus::Reconnecting => "Reconnecting…",
        }
    }

    fn key(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "connecting",
            LiveStatus::Live => "live",
            LiveStatus::Reconnecting => "reconnecting",
        }
    }
}

#[component]
pub fn IssueListPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| api::get::<Vec<IssueSummary>>(ISSUES_PATH));
    let issues = RwSignal::new(Vec::<IssueSummary>::new());
    let status = RwSignal::new(LiveStatus::Connecting);
    let clock = RwSignal::new(now());

    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::live_client::follow(issues, status);
        set_interval(move || clock.set(now()), std::time::Duration::from_secs(1));
    });

    view! {
        <Title text="Issues · Faultline"/>
        <section class="page">
            <header class="page-header">
                <h1>"Issues"</h1>
                <span class="live-badge" data-state=move || status.get().key()>
                    <span class="dot"></span>
                    {move || status.get().label()}
                </span>
            </header>
            <Suspense fallback=|| view! { <p class="placeholder">"Loading issues…"</p> }>
                {move || Suspend::new(async move {
                    match initial.await {
                        Ok(list) => {
                            issues.set(list);
                            view! { <IssueTable issues clock/> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn IssueTable(issues: RwSignal<Vec<IssueSummary>>, clock: RwSignal<DateTime<Utc>>) -> impl IntoView {
    view! {
        <Show
            when=move || issues.with(|list| !list.is_empty())
            fallback=|| view! {
                <div class="empty">
                    <h2>"No issues yet"</h2>
                    <p>
                        "Point a Sentry SDK at the DSN the server printed when it started. "
                        "Errors show up here the moment they arrive."
                    </p>
                </div>
            }
        >
            <table class="issues">
                <thead>
                    <tr>
                        <th class="issue-col">"Issue"</th>
                        <th>"Level"</th>
                        <th class="num">"Events"</th>
                        <th>"Last seen"</th>
                        <th>"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || issues.get() key=|issue| issue.id let(issue)>
                        <IssueRow id=issue.id issues clock/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

/// One row, updated in place when its issue changes.
#[component]
fn IssueRow(id: i64, issues: RwSignal<Vec<IssueSummary>>, clock: RwSignal<DateTime<Utc>>) -> impl IntoView {
    let row = Memo::new(move |_| issues.with(|list| list.iter().find(|issue| issue.id == id).cloned()));
    let text = move |read: fn(&IssueSummary) -> String| move || row.with(|r| r.as_ref().map(read).unwrap_or_default());

    view! {
        <tr class="issue-row" data-issue-id=id>
            <td class="issue-col">
                <div class="title">{text(|i| i.title.clone())}</div>
                <div class="culprit">{text(|i| i.culprit.clone())}</div>
            </td>
            <td>
                <span class="level" data-level=text(|i| i.level.to_string())>{text(|i| i.level.to_string())}</span>
            </td>
            <td class="num count">{text(|i| i.event_count.to_string())}</td>
            <td class="last-seen" title=text(|i| i.last_seen.to_rfc3339())>
                {move || row.with(|r| r.as_ref().map(|i| time_ago(i.last_seen, clock.get())).unwrap_or_default())}
            </td>
            <td>
                <span class="status" data-status=text(|i| i.status.to_string())>{text(|i| i.status.to_string())}</span>
            </td>
        </tr>
    }
    .into_any()
}
