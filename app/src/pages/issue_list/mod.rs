//! The issue list: rendered on the server, then kept current by the live socket. What it shows
//! is a search (`is:unresolved` by default) with an order and a project, all in the URL; pages
//! follow by cursor, the last one shown in the URL too, so that Back from an issue finds the
//! same rows (and scrolls back to where the user was). Selection and bulk triage, keyboard
//! shortcuts.

mod filters;
mod table;

use crate::api::{self, AppError, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::components::live_badge::{LiveBadge, LiveStatus};
use crate::components::shortcuts::{ShortcutsHelp, on_key};
use crate::components::triage::{TriageButtons, toggle_mine};
use crate::dto::{BulkTriage, IssueCount, ProjectInfo, TriageAction, Updated};
use crate::model::{IssueStatus, IssueSummary, counted, now};
use crate::search::{Cursor, PAGE, UNTIL_MOST};
use filters::{FilterBar, ISSUES_PATH, ListState, SearchBar, shown_after};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::collections::{BTreeMap, BTreeSet};
pub use table::StatusBadge;
use table::{Columns, IssueTable};

/// How often, at most, changed issues are checked against the search while they keep changing.
#[cfg(feature = "hydrate")]
const RECHECK_MS: u32 = 200;

const SHORTCUTS: &[(&str, &str)] = &[
    ("j", "Next issue"),
    ("k", "Previous issue"),
    ("Enter", "Open the issue"),
    ("x", "Select the issue"),
    ("r", "Resolve"),
    ("i", "Ignore"),
    ("a", "Assign to yourself, or unassign"),
    ("/", "Search"),
    ("?", "Show these shortcuts"),
];

/// Quick links to the usual searches.
const TABS: [(&str, &str); 4] =
    [("is:unresolved", "Unresolved"), ("is:resolved", "Resolved"), ("is:ignored", "Ignored"), ("", "All")];

/// The selection on the list: some issues, or every issue with the status the search is.
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
    let url = use_query_map();
    let state = Memo::new(move |_| url.with(ListState::from_url));
    // The cursor in the URL is read, not followed: "Show more issues" puts it there after
    // showing its page.
    let initial =
        Resource::new(move || (state.get(), url.with_untracked(shown_after)), |(state, after)| shown(state, after));
    let projects = Resource::new(|| (), |_| async move { api::get::<Vec<ProjectInfo>>("/api/0/projects/").await });
    // The total above the list, asked again (at most every RECHECK_MS) when issues change.
    let recount = RwSignal::new(0u32);
    let total = Resource::new(
        move || (state.get(), recount.get()),
        |(state, _)| async move { api::get::<IssueCount>(&state.count_path()).await },
    );
    let issues = RwSignal::new(Vec::<IssueSummary>::new());
    // Whether every matching issue is listed (no page follows).
    let complete = RwSignal::new(true);
    let selection = Selection { ids: RwSignal::new(BTreeSet::new()), all_matching: RwSignal::new(false) };
    let shown_status = Signal::derive(move || state.with(ListState::status_alone));
    let cursor = RwSignal::new(None::<i64>);
    let help = RwSignal::new(false);
    let live = RwSignal::new(LiveStatus::Connecting);
    let clock = RwSignal::new(now());
    let outcome = RwSignal::new(Status::Idle);
    let loading_more = RwSignal::new(false);
    // Made here, not in the suspense below: a view it replaces may still read them.
    let project_names = RwSignal::new(None::<BTreeMap<i64, String>>);
    let columns = Columns {
        projects: Signal::derive(move || project_names.get().filter(|_| state.with(|s| s.project.is_none()))),
        status: Signal::derive(move || shown_status.get().is_none()),
    };
    let empty = Signal::derive(move || state.with(empty_list));
    let scope = Signal::derive(move || state.with(|state| state.project));

    // Local to the browser's one thread: on the server nothing navigates, and a local value
    // must not be dropped on another thread.
    #[cfg(feature = "hydrate")]
    let navigate = StoredValue::new_local(use_navigate());
    let load_more = move |_| {
        let state = state.get_untracked();
        let Some(after) = issues.with_untracked(|list| list.last().map(|last| state.sort.cursor_after(last))) else {
            return;
        };
        loading_more.set(true);
        leptos::task::spawn_local(async move {
            match api::get::<Vec<IssueSummary>>(&state.api_path(Some(after), &[])).await {
                Ok(page) => {
                    complete.try_set(!full(&page));
                    issues.try_update(|list| {
                        for issue in page {
                            crate::board::place(list, issue, state.sort, true);
                        }
                    });
                    #[cfg(feature = "hydrate")]
                    navigate.try_with_value(|navigate| {
                        let shown_here =
                            leptos_router::NavigateOptions { replace: true, scroll: false, ..Default::default() };
                        navigate(&state.href_after(after), shown_here)
                    });
                }
                Err(err) => {
                    outcome.try_set(Status::Failed(err.to_string()));
                }
            }
            loading_more.try_set(false);
        });
    };

    // Issues that changed: asked about with the list's search, so each one is shown, moved or
    // taken out exactly as the server's search decides.
    let changed = StoredValue::new(BTreeSet::<i64>::new());
    #[cfg(feature = "hydrate")]
    let check_changed = crate::live_client::throttled(RECHECK_MS, move || async move {
        let (Some(state), Some(ids)) = (state.try_get_untracked(), changed.try_update_value(std::mem::take)) else {
            return false;
        };
        if ids.is_empty() {
            return true;
        }
        recount.try_update(|n| *n += 1);
        let ids: Vec<i64> = ids.into_iter().collect();
        match api::get::<Vec<IssueSummary>>(&state.api_path(None, &ids)).await {
            Ok(matching) => issues
                .try_update(|list| {
                    let done = complete.get_untracked();
                    list.retain(|row| !ids.contains(&row.id));
                    for issue in matching {
                        crate::board::place(list, issue, state.sort, done);
                    }
                })
                .is_some(),
            Err(err) => {
                leptos::logging::warn!("could not check the changed issues: {err}");
                true
            }
        }
    });
    let recheck = move |ids: &[i64]| {
        changed.update_value(|changed| changed.extend(ids));
        #[cfg(feature = "hydrate")]
        check_changed();
    };
    // After a reconnect or a bulk decision: the pages shown again, without the loading state.
    let reload = move || {
        leptos::task::spawn_local(async move {
            let (Some(state), Some(after)) = (state.try_get_untracked(), url.try_with_untracked(shown_after)) else {
                return;
            };
            recount.try_update(|n| *n += 1);
            match shown(state, after).await {
                Ok((list, done)) => {
                    complete.try_set(done);
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
            ) => recheck(&[issue.id]),
            crate::live_client::Heard::Change(_) => {}
        });
        set_interval(move || clock.set(now()), std::time::Duration::from_secs(1));
    });

    // One issue by its id, or the selection, through the API; the socket tells the other tabs.
    let triage_one = move |id: i64, action: TriageAction| {
        run(
            outcome,
            async move { api::send::<_, IssueSummary>(Method::Patch, &format!("/api/0/issues/{id}/"), &action).await },
            move |issue| recheck(&[issue.id]),
        );
    };
    let triage_selection = Callback::new(move |action: TriageAction| {
        let listed = issues.with_untracked(|list| selection.listed(list));
        let body = match shown_status.get_untracked().filter(|_| selection.all_matching.get_untracked()) {
            Some(status) => BulkTriage { ids: None, all_with_status: Some(status), action },
            None => BulkTriage { ids: Some(listed), all_with_status: None, action },
        };
        run(outcome, async move { api::send::<_, Updated>(Method::Put, ISSUES_PATH, &body).await }, move |done| {
            selection.clear();
            outcome.set(Status::Done(format!("{} changed.", counted(done.updated as i64, "issue"))));
            reload();
        });
    });

    // Another search (or back and forward) shows other issues: what was selected is not there.
    Effect::watch(move || state.get(), move |_, _, _| selection.clear(), false);

    let open = use_navigate();
    let toggle_mine = toggle_mine();
    on_key(move |key| {
        let ids: Vec<i64> = issues.with_untracked(|list| list.iter().map(|issue| issue.id).collect());
        let at = cursor.get_untracked().and_then(|id| ids.iter().position(|other| *other == id));
        let focused = cursor.get_untracked().filter(|_| at.is_some());
        match (key, focused) {
            ("j", _) => cursor.set(ids.get(at.map_or(0, |i| (i + 1).min(ids.len().saturating_sub(1)))).copied()),
            ("k", _) => cursor.set(ids.get(at.map_or(0, |i| i.saturating_sub(1))).copied()),
            ("?", _) => help.update(|open| *open = !*open),
            ("/", _) => focus_search(),
            ("Escape", _) => help.set(false),
            ("Enter", Some(id)) => {
                #[cfg(feature = "hydrate")]
                crate::scroll_memory::leaving();
                open(&format!("/issues/{id}"), Default::default());
            }
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
        // A click that leaves the list (an issue, a project) notes where the user was on it.
        <section class="page" on:click=move |_| {
            #[cfg(feature = "hydrate")]
            crate::scroll_memory::leaving();
        }>
            <header class="page-header list-header">
                <h1>"Issues"</h1>
                <LiveBadge status=live/>
                <SearchBar state/>
                <button type="button" class="link shortcuts-hint" on:click=move |_| help.set(true)>"Shortcuts (?)"</button>
            </header>
            <div class="tab-row">
                <nav class="tabs" aria-label="Status">
                    {TABS
                        .into_iter()
                        .map(|(query, label)| {
                            let href = move || state.with(|state| state.with_query(query.to_owned()).href());
                            view! { <a href=href class:active=move || state.with(|state| state.query == query)>{label}</a> }
                        })
                        .collect_view()}
                </nav>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        total.await.ok().map(|total| view! { <p class="total">{counted(total.count as i64, "issue")}</p> })
                    })}
                </Transition>
            </div>
            <FilterBar state projects/>
            <BulkBar selection shown=shown_status issues on_action=triage_selection/>
            <StatusLine status=outcome/>
            // A new search keeps the rows shown until its own arrive.
            <Transition fallback=|| view! { <p class="placeholder">"Loading issues…"</p> }>
                {move || Suspend::new(async move {
                    match initial.await {
                        Ok((list, done)) => {
                            complete.set(done);
                            issues.set(list);
                            #[cfg(feature = "hydrate")]
                            Effect::new(move |_| crate::scroll_memory::returned());
                            project_names.set(projects.await.ok().filter(|all| all.len() > 1).map(|all| {
                                all.into_iter().map(|project| (project.id, project.name)).collect()
                            }));
                            view! {
                                <IssueTable issues selection cursor clock columns empty scope/>
                                <Show when=move || !complete.get()>
                                    <button type="button" class="load-more" disabled=move || loading_more.get() on:click=load_more>
                                        "Show more issues"
                                    </button>
                                </Show>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Transition>
            <ShortcutsHelp open=help keys=SHORTCUTS/>
        </section>
    }
}

/// Whether a page of issues is full, so that another may follow.
fn full(page: &[IssueSummary]) -> bool {
    page.len() as u64 == PAGE
}

/// The issues the list shows, and whether they are all that match: the first page or, once
/// "Show more issues" has put the cursor of its last page in the URL, every page through that
/// one (at most the API's `until` limit: then "Show more issues" goes on from there).
async fn shown(state: ListState, after: Option<Cursor>) -> Result<(Vec<IssueSummary>, bool), AppError> {
    let Some(after) = after else {
        let first = api::get::<Vec<IssueSummary>>(&state.api_path(None, &[])).await?;
        let complete = !full(&first);
        return Ok((first, complete));
    };
    let mut rows = api::get::<Vec<IssueSummary>>(&state.until_path(after)).await?;
    if rows.len() as u64 == UNTIL_MOST {
        return Ok((rows, false));
    }
    let last = api::get::<Vec<IssueSummary>>(&state.api_path(Some(after), &[])).await?;
    let complete = !full(&last);
    for issue in last {
        crate::board::place(&mut rows, issue, state.sort, true);
    }
    Ok((rows, complete))
}

/// What an empty list says: what is true of this search.
fn empty_list(state: &ListState) -> (&'static str, String) {
    let other_projects = if state.project.is_some() { ", or look in all projects" } else { "" };
    match state.status_alone() {
        Some(IssueStatus::Unresolved) => (
            "No unresolved issues",
            format!(
                "Nothing is failing right now. Errors an SDK sends to a project's DSN show up here the \
                 moment they arrive{}.",
                if state.project.is_some() { "; other projects may have some" } else { "" }
            ),
        ),
        Some(IssueStatus::Resolved) => {
            ("No resolved issues", format!("Issues show up here once someone resolves them{other_projects}."))
        }
        Some(IssueStatus::Ignored) => {
            ("No ignored issues", format!("Issues show up here once someone ignores them{other_projects}."))
        }
        None => ("No issues match", format!("No issue matches this search. Widen it{other_projects}.")),
    }
}

/// Puts the cursor in the search box (the `/` shortcut).
fn focus_search() {
    #[cfg(feature = "hydrate")]
    if let Some(input) = document()
        .query_selector(".search-input")
        .ok()
        .flatten()
        .and_then(|el| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
    {
        input.focus().ok();
    }
}

/// What is selected and what can be done with it.
#[component]
fn BulkBar(
    selection: Selection,
    shown: Signal<Option<IssueStatus>>,
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
