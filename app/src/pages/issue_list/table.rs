//! The rows of the issue list, each with its 24-hour sparkline, updated in place. Wide screens
//! see a table; below 700 px the stylesheet lays each row out as a card.

use super::Selection;
use crate::components::charts::Sparkline;
use crate::components::connect::ConnectIfNew;
use crate::model::{IssueSummary, absolute, counted, short_count, time_ago};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What the rows show besides the issue: each row's project name (in *All projects*, when there
/// are several), and whether a Status column is worth its width (not inside a status tab).
#[derive(Clone, Copy)]
pub struct Columns {
    pub projects: Signal<Option<BTreeMap<i64, String>>>,
    pub status: Signal<bool>,
}

#[component]
pub fn IssueTable(
    issues: RwSignal<Vec<IssueSummary>>,
    selection: Selection,
    cursor: RwSignal<Option<i64>>,
    clock: RwSignal<DateTime<Utc>>,
    columns: Columns,
    /// What to say when no issue matches.
    empty: Signal<(&'static str, String)>,
    /// The list's project (all when `None`): while it has never received an event, an empty list
    /// shows how to connect an app.
    scope: Signal<Option<i64>>,
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
            fallback=move || {
                let (heading, text) = empty.get();
                view! {
                    <div class="empty">
                        <h2>{heading}</h2>
                        <p>{text}</p>
                    </div>
                    <ConnectIfNew scope=scope.get_untracked()/>
                }
            }
        >
            <table class="issues">
                <thead>
                    <tr>
                        <th class="select">
                            <input type="checkbox" aria-label="Select all" prop:checked=all_selected on:change=toggle_all/>
                        </th>
                        <th class="issue-col">"Issue"</th>
                        <th class="level-col">"Level"</th>
                        <th class="trend">"Last 24 hours"</th>
                        <th class="num">"Events"</th>
                        <th class="num users">"Users"</th>
                        <th class="age">"Age"</th>
                        <th class="last-seen">"Last seen"</th>
                        <Show when=move || columns.status.get()>
                            <th class="status-col">"Status"</th>
                        </Show>
                        <th class="assignee">"Assignee"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || issues.get() key=|issue| issue.id let(issue)>
                        <IssueRow id=issue.id issues selection cursor clock columns/>
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
    columns: Columns,
) -> impl IntoView {
    let row = Memo::new(move |_| issues.with(|list| list.iter().find(|issue| issue.id == id).cloned()));
    let text = move |read: fn(&IssueSummary) -> String| move || row.with(|r| r.as_ref().map(read).unwrap_or_default());
    let ago = move |at: fn(&IssueSummary) -> DateTime<Utc>| {
        move || row.with(|r| r.as_ref().map(|i| time_ago(at(i), clock.get())).unwrap_or_default())
    };
    let selected = move || selection.all_matching.get() || selection.ids.with(|ids| ids.contains(&id));
    // These also follow signals that outlive the row: read it only while it is there.
    let project = move || {
        let project_id = row.try_with(|r| r.as_ref().map(|i| i.project_id)).flatten()?;
        columns.projects.with(|names| names.as_ref()?.get(&project_id).cloned())
    };
    let issue = Signal::derive(move || row.try_get().flatten());

    view! {
        <tr class="issue-row" class:focused=move || cursor.get() == Some(id) class:selected=selected data-issue-id=id>
            <td class="select">
                <input type="checkbox" aria-label="Select" prop:checked=selected on:change=move |_| selection.toggle(id)/>
            </td>
            <td class="issue-col">
                <a class="title" href=format!("/issues/{id}") title=text(|i| i.title.clone())>{text(|i| i.title.clone())}</a>
                <div class="meta">
                    {move || project().map(|name| view! { <span class="project">{name}</span> })}
                    <Show when=move || !columns.status.get()>
                        <SubstatusBadge issue/>
                    </Show>
                    <span class="culprit" title=text(|i| i.culprit.clone())>{text(|i| i.culprit.clone())}</span>
                </div>
            </td>
            <td class="level-col">
                <span class="level" data-level=text(|i| i.level.to_string())>{text(|i| i.level.to_string())}</span>
            </td>
            <td class="trend">
                <Sparkline counts=Signal::derive(move || row.with(|r| r.as_ref().map(|i| i.last_24h.clone()).unwrap_or_default()))/>
            </td>
            <td class="num count" title=text(|i| counted(i.event_count, "event"))>
                {text(|i| short_count(i.event_count))}
                <span class="unit">{text(|i| if i.event_count == 1 { " event" } else { " events" }.to_owned())}</span>
            </td>
            <td class="num users" title=text(|i| counted(i.user_count, "user"))>
                {text(|i| short_count(i.user_count))}
            </td>
            <td class="age" title=text(|i| format!("First seen {}", absolute(i.first_seen)))>{ago(|i| i.first_seen)}</td>
            <td class="last-seen" title=text(|i| format!("Last seen {}", absolute(i.last_seen)))>{ago(|i| i.last_seen)}</td>
            <Show when=move || columns.status.get()>
                <td class="status-col">
                    <StatusBadge issue/>
                </td>
            </Show>
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

/// Why an issue is unresolved again, where the status itself goes without saying.
#[component]
fn SubstatusBadge(issue: Signal<Option<IssueSummary>>) -> impl IntoView {
    move || {
        issue
            .with(|issue| issue.as_ref().is_some_and(|issue| issue.substatus.is_some()))
            .then(|| view! { <StatusBadge issue/> })
    }
}
