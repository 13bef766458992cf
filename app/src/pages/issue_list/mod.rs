//! The issue list: rendered on the server, then kept current by the live socket. Filtered by
//! status (unresolved by default), with selection and bulk triage, and keyboard shortcuts.

use crate::api::{self, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::components::live_badge::{LiveBadge, LiveStatus};
use crate::components::shortcuts::{ShortcutsHelp, on_key};
use crate::components::triage::{TriageButtons, toggle_mine};
use crate::dto::{BulkTriage, TriageAction, Updated};
use crate::model::{IssueStatus, IssueSummary, counted, now, time_ago};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use std::collections::BTreeSet;

/// The issues of every project the user may see.
pub const ISSUES_PATH: &str = "/api/0/issues/";

/// Most issues the list shows.
pub const ISSUE_LIST_LIMIT: usize = 100;

const SHORTCUTS: &[(&str, &str)] = &[
    ("j", "Next issue"),
    ("k", "Previous issue"),
    ("Enter", "Open the issue"),
    ("x", "Select the issue"),
    ("r", "Resolve"),
    ("i", "Ignore"),
    ("a", "Assign to yourself, or unassign"),
    ("?", "Show these shortcuts"),
];

/// The tabs of the list: `?status=` and their labels.
const TABS: [(Option<IssueStatus>, &str); 4] = [
    (Some(IssueStatus::Unresolved), "Unresolved"),
    (Some(IssueStatus::Resolved), "Resolved"),
    (Some(IssueStatus::Ignored), "Ignored"),
    (None, "All"),
];

/// The status the list shows, from `?status=`: unresolved by default, every one for `all`.
fn shown_status(query: &ParamsMap) -> Option<IssueStatus> {
    match query.get("status").as_deref() {
        Some("all") => None,
        Some(other) => Some(other.parse().unwrap_or_default()),
        None => Some(IssueStatus::Unresolved),
    }
}

/// The API lists every status when not given one.
fn list_path(status: Option<IssueStatus>) -> String {
    match status {
        Some(status) => format!("{ISSUES_PATH}?status={}", status.as_str()),
        None => ISSUES_PATH.to_owned(),
    }
}

/// The selection on the list: some issues, or every issue with the shown status.
#[derive(Clone, Copy)]
struct Selection {
    ids: RwSignal<BTreeSet<i64>>,
    all_matching: RwSignal<bool>,
}

impl Selection {
    /// The selected issues among those listed: one that left the list is not acted on.
    fn listed(self, issues: &[IssueSummary]) -> Vec<i64> {
        self.ids.with(|ids| issues.iter().map(|issue| issue.id).filter(|id| ids.contains(id)).collect())
    }

    /// Whether every listed issue is selected.
    fn covers(self, issues: &[IssueSummary]) -> bool {
        !issues.is_empty() && self.listed(issues).len() == issues.len()
    }

    fn clear(self) {
        self.ids.set(BTreeSet::new());
        self.all_matching.set(false);
    }

    fn toggle(self, id: i64) {
        self.all_matching.set(false);
        self.ids.update(|ids| {
            if !ids.remove(&id) {
                ids.insert(id);
            }
        });
    }
}

#[component]
pub fn IssueListPage() -> impl IntoView {
    let query = use_query_map();
    let shown = Memo::new(move |_| query.with(shown_status));
    let initial = Resource::new(
        move || shown.get(),
        |status| async move { api::get::<Vec<IssueSummary>>(&list_path(status)).await },
    );
    let issues = RwSignal::new(Vec::<IssueSummary>::new());
    let selection = Selection { ids: RwSignal::new(BTreeSet::new()), all_matching: RwSignal::new(false) };
    let cursor = RwSignal::new(None::<i64>);
    let help = RwSignal::new(false);
    let live = RwSignal::new(LiveStatus::Connecting);
    let clock = RwSignal::new(now());
    let outcome = RwSignal::new(Status::Idle);

    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<IssueSummary>>(&list_path(shown.get_untracked())).await {
                Ok(list) => {
                    issues.try_set(list);
                }
                Err(err) => leptos::logging::warn!("could not refresh the issue list: {err}"),
            }
        });
    };
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        crate::live_client::follow(live, move |heard| match heard {
            crate::live_client::Heard::Missed => reload(),
            crate::live_client::Heard::Change(
                crate::live::LiveChange::IssueCreated { issue } | crate::live::LiveChange::IssueUpdated { issue },
            ) => issues.update(|list| crate::board::fold_issue(list, issue, shown.get_untracked(), ISSUE_LIST_LIMIT)),
            crate::live_client::Heard::Change(_) => {}
        });
        set_interval(move || clock.set(now()), std::time::Duration::from_secs(1));
    });

    // One issue by its id, or the selection, through the API; the socket tells the other tabs.
    let triage_one = move |id: i64, action: TriageAction| {
        run(
            outcome,
            async move { api::send::<_, IssueSummary>(Method::Patch, &format!("/api/0/issues/{id}/"), &action).await },
            move |issue| {
                issues.update(|list| crate::board::fold_issue(list, issue, shown.get_untracked(), ISSUE_LIST_LIMIT))
            },
        );
    };
    let triage_selection = Callback::new(move |action: TriageAction| {
        let body = if selection.all_matching.get_untracked() {
            BulkTriage { ids: None, all_with_status: shown.get_untracked(), action }
        } else {
            BulkTriage {
                ids: Some(issues.with_untracked(|list| selection.listed(list))),
                all_with_status: None,
                action,
            }
        };
        run(outcome, async move { api::send::<_, Updated>(Method::Put, ISSUES_PATH, &body).await }, move |done| {
            selection.clear();
            outcome.set(Status::Done(format!("{} changed.", counted(done.updated as i64, "issue"))));
            reload();
        });
    });

    // Another tab (or back and forward) shows other issues: what was selected is not there.
    Effect::watch(move || shown.get(), move |_, _, _| selection.clear(), false);

    let navigate = use_navigate();
    on_key(move |key| {
        let ids: Vec<i64> = issues.with_untracked(|list| list.iter().map(|issue| issue.id).collect());
        let at = cursor.get_untracked().and_then(|id| ids.iter().position(|other| *other == id));
        let focused = cursor.get_untracked().filter(|_| at.is_some());
        match (key, focused) {
            ("j", _) => cursor.set(ids.get(at.map_or(0, |i| (i + 1).min(ids.len().saturating_sub(1)))).copied()),
            ("k", _) => cursor.set(ids.get(at.map_or(0, |i| i.saturating_sub(1))).copied()),
            ("?", _) => help.update(|open| *open = !*open),
            ("Escape", _) => help.set(false),
            ("Enter", Some(id)) => navigate(&format!("/issues/{id}"), Default::default()),
            ("x", Some(id)) => selection.toggle(id),
            ("r", Some(id)) => triage_one(id, TriageAction::Resolve),
            ("i", Some(id)) => triage_one(id, TriageAction::Ignore { until: crate::model::IgnoreUntil::Forever }),
            ("a", Some(id)) => {
                let assignee = issues.with_untracked(|list| {
                    list.iter().find(|issue| issue.id == id).and_then(|issue| issue.assignee.clone())
                });
                if let Some(action) = toggle_mine(assignee.as_ref()) {
                    triage_one(id, action);
                }
            }
            _ => {}
        }
    });

    view! {
        <Title text="Issues · Faultline"/>
        <section class="page">
            <header class="page-header">
                <h1>"Issues"</h1>
                <LiveBadge status=live/>
                <button type="button" class="link shortcuts-hint" on:click=move |_| help.set(true)>"Shortcuts (?)"</button>
            </header>
            <nav class="tabs" aria-label="Status">
                {TABS
                    .into_iter()
                    .map(|(status, label)| {
                        let href = format!("/?status={}", status.map_or("all", IssueStatus::as_str));
                        view! {
                            <a href=href class:active=move || shown.get() == status>
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <BulkBar selection shown issues on_action=triage_selection/>
            <StatusLine status=outcome/>
            <Suspense fallback=|| view! { <p class="placeholder">"Loading issues…"</p> }>
                {move || Suspend::new(async move {
                    match initial.await {
                        Ok(list) => {
                            issues.set(list);
                            view! { <IssueTable issues selection cursor clock/> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
            <ShortcutsHelp open=help keys=SHORTCUTS/>
        </section>
    }
}

/// What is selected and what can be done with it.
#[component]
fn BulkBar(
    selection: Selection,
    shown: Memo<Option<IssueStatus>>,
    issues: RwSignal<Vec<IssueSummary>>,
    on_action: Callback<TriageAction>,
) -> impl IntoView {
    let count = move || issues.with(|list| selection.listed(list).len());
    let all_on_page = move || issues.with(|list| selection.covers(list));
    let label = move || match (selection.all_matching.get(), shown.get()) {
        (true, Some(status)) => format!("Every {status} issue is selected."),
        _ => format!("{} selected.", count()),
    };
    view! {
        <Show when=move || { count() > 0 || selection.all_matching.get() }>
            <div class="bulk-bar" role="toolbar" aria-label="Selected issues">
                <span class="bulk-count">{label}</span>
                <Show when=move || all_on_page() && !selection.all_matching.get() && shown.get().is_some()>
                    <button type="button" class="link select-all-matching" on:click=move |_| selection.all_matching.set(true)>
                        {move || format!("Select every {} issue", shown.get().map_or("", IssueStatus::as_str))}
                    </button>
                </Show>
                <TriageButtons status=Signal::derive(move || shown.get()) on_action/>
                <button type="button" class="link" on:click=move |_| selection.clear()>"Clear"</button>
            </div>
        </Show>
    }
}

#[component]
fn IssueTable(
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
                    <h2>"No issues here"</h2>
                    <p>
                        "Point a Sentry SDK at a project's DSN and its errors show up here the moment they "
                        "arrive. Resolved and ignored issues are under their tabs."
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
