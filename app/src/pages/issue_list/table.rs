//! The rows of the issue list, each with its 24-hour sparkline, updated in place.

use super::Selection;
use crate::components::charts::Sparkline;
use crate::model::{IssueSummary, time_ago};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn IssueTable(
    issues: RwSignal<Vec<IssueSummary>>,
    selection: Selection,
    cursor: RwSignal<Option<i64>>,
    clock: RwSignal<DateTime<Utc>>,
) -> impl IntoView {
    let all_selected = move || issues.with(|list| selection.covers(list));
    let toggle_all = move |_| {
        if all_selected() {
            selection.clear();
        } else {
            selection.ids.set(issues.with_untracked(|list| list.iter().map(|issue| issue.id).collect()));
        }
    };
    view! {
        <Show
            when=move || issues.with(|list| !list.is_empty())
            fallback=|| view! {
                <div class="empty">
                    <h2>"No issues match"</h2>
                    <p>
                        "Point a Sentry SDK at a project's DSN and its errors show up here the moment they "
                        "arrive. Widen the search to see resolved and ignored issues, or other projects."
                    </p>
                </div>
            }
        >
            <table class="issues">
                <thead>
                    <tr>
                        <th class="select">
                            <input type="checkbox" aria-label="Select all" prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        <th class="issue-col">"Issue"</th>
                        <th>"Level"</th>
                        <th class="trend">"Last 24 hours"</th>
                        <th class="num">"Events"</th>
                        <th class="num">"Users"</th>
                        <th>"Last seen"</th>
                        <th>"Status"</th>
                        <th>"Assignee"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || issues.get() key=|issue| issue.id let(issue)>
                        <IssueRow id=issue.id issues selection cursor clock/>
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

/// One row, updated in place when its issue changes.
#[component]
fn IssueRow(
    id: i64,
    issues: RwSignal<Vec<IssueSummary>>,
    selection: Selection,
    cursor: RwSignal<Option<i64>>,
    clock: RwSignal<DateTime<Utc>>,
) -> impl IntoView {
    let row = Memo::new(move |_| issues.with(|list| list.iter().find(|issue| issue.id == id).cloned()));
    let text = move |read: fn(&IssueSummary) -> String| move || row.with(|r| r.as_ref().map(read).unwrap_or_default());
    let selected = move || selection.all_matching.get() || selection.ids.with(|ids| ids.contains(&id));

    view! {
        <tr class="issue-row" class:focused=move || cursor.get() == Some(id) class:selected=selected data-issue-id=id>
            <td class="select">
                <input type="checkbox" aria-label="Select" prop:checked=selected on:change=move |_| selection.toggle(id)/>
            </td>
            <td class="issue-col">
                <a class="title" href=format!("/issues/{id}")>{text(|i| i.title.clone())}</a>
                <div class="culprit">{text(|i| i.culprit.clone())}</div>
            </td>
            <td>
                <span class="level" data-level=text(|i| i.level.to_string())>{text(|i| i.level.to_string())}</span>
            </td>
            <td class="trend">
                <Sparkline counts=Signal::derive(move || row.with(|r| r.as_ref().map(|i| i.last_24h.clone()).unwrap_or_default()))/>
            </td>
            <td class="num count">{text(|i| i.event_count.to_string())}</td>
            <td class="num users">{text(|i| i.user_count.to_string())}</td>
            <td class="last-seen" title=text(|i| i.last_seen.to_rfc3339())>
                {move || row.with(|r| r.as_ref().map(|i| time_ago(i.last_seen, clock.get())).unwrap_or_default())}
            </td>
            <td>
                <StatusBadge issue=Signal::derive(move || row.get())/>
            </td>
            <td class="assignee">{text(|i| i.assignee.as_ref().map(|a| a.email.clone()).unwrap_or_default())}</td>
        </tr>
    }
    .into_any()
}

/// The issue's status, and why it is unresolved again (regressed, escalating).
#[component]
pub fn StatusBadge(#[prop(into)] issue: Signal<Option<IssueSummary>>) -> impl IntoView {
    let label = move || {
        issue.with(|issue| match issue {
            Some(IssueSummary { substatus: Some(substatus), .. }) => substatus.as_str().to_owned(),
            Some(issue) => issue.status.as_str().to_owned(),
            None => String::new(),
        })
    };
    view! { <span class="status" data-status=label>{label}</span> }
}
