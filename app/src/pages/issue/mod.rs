//! The issue page: what the issue is (header, histogram, tag values), one of its events in full
//! or the list of them, the activity log and comments, the alerts it fired, and the triage
//! controls. It follows the live socket: a teammate's decision, a comment, a new event or an alert
//! delivery shows up without reloading.

mod activity;
pub(crate) mod alerts;
mod details;
mod event_view;
mod events;
mod header;
mod sections;
mod stacktrace;
mod tags;

use crate::alerts::Delivery;
use crate::api::{self, AppError, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::components::live_badge::LiveStatus;
use crate::components::shortcuts::{ShortcutsHelp, on_key};
use crate::components::triage::toggle_mine;
use crate::dto::{Activity, IssueDetail, TriageAction};
use crate::model::{EventDetail, EventSummary, IgnoreUntil, IssueSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Which part of the issue the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// One event in full (the latest unless `?event=` names one).
    Details,
    /// The issue's events, a page at a time.
    Events,
}

const SHORTCUTS: &[(&str, &str)] = &[
    ("r", "Resolve"),
    ("i", "Ignore"),
    ("u", "Unresolve"),
    ("a", "Assign to yourself, or unassign"),
    ("j", "Older event"),
    ("k", "Newer event"),
    ("?", "Show these shortcuts"),
];

/// What the page holds and the live socket updates.
#[derive(Clone, Copy)]
pub struct IssueState {
    pub id: Memo<i64>,
    pub detail: RwSignal<Option<IssueDetail>>,
    pub activity: RwSignal<Vec<Activity>>,
    /// The alert deliveries about the issue, newest first.
    pub deliveries: RwSignal<Vec<Delivery>>,
    /// The last events that arrived since the page opened, newest first.
    pub arrived: RwSignal<Vec<EventSummary>>,
    /// How many arrived since the newest event was last shown.
    pub unseen: RwSignal<usize>,
    /// The event shown, once loaded.
    pub shown_event: RwSignal<Option<EventDetail>>,
    /// Asks for the newest event again.
    pub newest_version: RwSignal<u32>,
    pub outcome: RwSignal<Status>,
}

impl IssueState {
    /// Applies a decision and shows the issue as the server answers it.
    pub fn triage(self, action: TriageAction) {
        let id = self.id.get_untracked();
        run(
            self.outcome,
            async move { api::send::<_, IssueSummary>(Method::Patch, &format!("/api/0/issues/{id}/"), &action).await },
            move |issue| self.set_issue(issue),
        );
    }

    pub fn set_issue(self, issue: IssueSummary) {
        self.detail.update(|detail| {
            if let Some(detail) = detail.as_mut().filter(|detail| detail.issue.id == issue.id) {
                detail.issue = issue;
            }
        });
    }

    pub fn add_activity(self, entry: Activity) {
        self.activity.update(|log| {
            if !log.iter().any(|known| known.id == entry.id) {
                log.push(entry);
            }
        });
    }
}

#[component]
pub fn IssuePage(tab: Tab) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default()));
    let event_id = Memo::new(move |_| query.with(|q| q.get("event")));
    let page = Memo::new(move |_| query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1)));
    let state = IssueState {
        id,
        detail: RwSignal::new(None),
        activity: RwSignal::new(Vec::new()),
        deliveries: RwSignal::new(Vec::new()),
        arrived: RwSignal::new(Vec::new()),
        unseen: RwSignal::new(0),
        shown_event: RwSignal::new(None),
        newest_version: RwSignal::new(0),
        outcome: RwSignal::new(Status::Idle),
    };
    let detail = Resource::new(
        move || id.get(),
        |id| async move { api::get::<IssueDetail>(&format!("/api/0/issues/{id}/")).await },
    );
    let activity = Resource::new(
        move || id.get(),
        |id| async move { api::get::<Vec<Activity>>(&format!("/api/0/issues/{id}/activity/")).await },
    );
    let deliveries = Resource::new(
        move || id.get(),
        |id| async move { api::get::<Vec<Delivery>>(&format!("/api/0/issues/{id}/alerts/")).await },
    );
    let event = Resource::new(
        move || (id.get(), event_id.get(), state.newest_version.get()),
        |(id, event, _)| {
            let path = match event {
                Some(event) => format!("/api/0/issues/{id}/events/{event}/"),
                None => format!("/api/0/issues/{id}/events/latest/"),
            };
            async move { api::get::<EventDetail>(&path).await }
        },
    );
    let listed = Resource::new(
        move || (id.get(), page.get(), tab),
        |(id, page, tab)| async move {
            match tab {
                Tab::Events => api::get::<Vec<EventSummary>>(&format!("/api/0/issues/{id}/events/?page={page}")).await,
                Tab::Details => Ok(Vec::new()),
            }
        },
    );
    let live = RwSignal::new(LiveStatus::Connecting);
    let help = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        follow_live(state, live);
    });
    let navigate = use_navigate();
    let toggle_mine = toggle_mine();
    on_key(move |key| {
        let neighbors =
            state.shown_event.with_untracked(|e| e.as_ref().map(|e| e.neighbors.clone())).unwrap_or_default();
        let id = id.get_untracked();
        let step = |to: Option<String>| {
            if let Some(event) = to {
                navigate(&format!("/issues/{id}?event={event}"), Default::default());
            }
        };
        match key {
            "r" => state.triage(TriageAction::Resolve),
            "i" => state.triage(TriageAction::Ignore { until: IgnoreUntil::Forever }),
            "u" => state.triage(TriageAction::Unresolve),
            "a" => {
                let assignee = state.detail.with_untracked(|d| d.as_ref().and_then(|d| d.issue.assignee.clone()));
                if let Some(action) = toggle_mine(assignee.as_ref()) {
                    state.triage(action);
                }
            }
            "j" => step(neighbors.older),
            "k" => step(neighbors.newer),
            "?" => help.update(|open| *open = !*open),
            "Escape" => help.set(false),
            _ => {}
        }
    });

    view! {
        <Title text="Issue · Faultline"/>
        <section class="page issue-page">
            <Suspense fallback=|| view! { <p class="placeholder">"Loading the issue…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(loaded) => {
                            state.detail.set(Some(loaded));
                            view! { <header::IssueHeader state live/> }.into_any()
                        }
                        Err(err) if err.is_not_found("issue") => {
                            api::set_page_status(404);
                            view! { <IssueMissing id=id.get_untracked()/> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
            <StatusLine status=state.outcome/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    detail.await.is_ok().then(|| view! {
                        <nav class="tabs" aria-label="Issue">
                            <a href=move || format!("/issues/{}", id.get()) class:active=tab == Tab::Details>"Details"</a>
                            <a href=move || format!("/issues/{}/events", id.get()) class:active=tab == Tab::Events>"Events"</a>
                        </nav>
                    })
                })}
            </Suspense>
            <div class="issue-body">
                <div class="issue-main">
                    <events::NewEvents state/>
                    {match tab {
                        Tab::Details => view! { <event_view::ShownEvent state detail event/> }.into_any(),
                        Tab::Events => view! { <events::EventList state listed page/> }.into_any(),
                    }}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match activity.await {
                                Ok(log) => {
                                    state.activity.set(log);
                                    view! { <activity::ActivityLog state/> }.into_any()
                                }
                                Err(err) => unless_missing(err).into_any(),
                            }
                        })}
                    </Suspense>
                </div>
                <aside class="issue-side">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            detail.await.ok().map(|loaded| view! { <tags::TagDistribution state initial=loaded.tags/> })
                        })}
                    </Suspense>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match deliveries.await {
                                Ok(list) => {
                                    state.deliveries.set(list);
                                    view! { <alerts::IssueAlerts state/> }.into_any()
                                }
                                Err(err) => unless_missing(err).into_any(),
                            }
                        })}
                    </Suspense>
                </aside>
            </div>
            <ShortcutsHelp open=help keys=SHORTCUTS/>
        </section>
    }
}

/// The one message of the page of an issue that does not exist (it answers 404).
#[component]
fn IssueMissing(id: i64) -> impl IntoView {
    view! {
        <div class="empty" role="alert">
            <h1>"Issue not found"</h1>
            <p>
                {format!("There is no issue {id}: it was deleted, or it belongs to a project you are not a member of. ")}
                <a href="/">"Back to the issues"</a>
            </p>
        </div>
    }
}

/// A part of the issue page that could not load: nothing when the issue itself is missing (the
/// page says so once), else the error.
pub(crate) fn unless_missing(err: AppError) -> Option<impl IntoView> {
    (!err.is_not_found("issue")).then(|| view! { <ErrorBox err/> })
}

/// Folds what the socket says about this issue into the page.
#[cfg(feature = "hydrate")]
fn follow_live(state: IssueState, live: RwSignal<LiveStatus>) {
    use crate::live::LiveChange;
    use crate::live_client::{Heard, follow};
    /// Most arrivals the live tail keeps.
    const TAIL: usize = 20;
    // New events change the counts, tags and histogram: fetch them again at once, then at most
    // once a second while events keep coming, until the page is gone.
    let refresh = crate::live_client::throttled(1000, move || async move {
        let Some(id) = state.id.try_get_untracked() else { return false };
        match api::get::<IssueDetail>(&format!("/api/0/issues/{id}/")).await {
            Ok(detail) => state.detail.try_set(Some(detail)).is_none(),
            Err(err) => {
                leptos::logging::warn!("could not refresh the issue: {err}");
                true
            }
        }
    });
    follow(live, move |heard| {
        let id = state.id.get_untracked();
        match heard {
            Heard::Missed => {
                refresh();
                leptos::task::spawn_local(async move {
                    if let Ok(log) = api::get::<Vec<Activity>>(&format!("/api/0/issues/{id}/activity/")).await {
                        state.activity.try_set(log);
                    }
                    if let Ok(list) = api::get::<Vec<Delivery>>(&format!("/api/0/issues/{id}/alerts/")).await {
                        state.deliveries.try_set(list);
                    }
                });
            }
            Heard::Change(LiveChange::IssueUpdated { issue }) if issue.id == id => state.set_issue(issue),
            Heard::Change(LiveChange::EventsAdded { issue_id, events, .. }) if issue_id == id => {
                state.unseen.update(|unseen| *unseen += events.len());
                state.arrived.update(|arrived| {
                    for event in events {
                        arrived.insert(0, event);
                    }
                    arrived.truncate(TAIL);
                });
                refresh();
            }
            Heard::Change(LiveChange::ActivityAdded { activity, .. }) if activity.issue_id == id => {
                state.add_activity(activity);
            }
            Heard::Change(LiveChange::DeliveryChanged { delivery }) if delivery.issue_id == Some(id) => {
                state.deliveries.update(|list| alerts::upsert(list, *delivery));
            }
            Heard::Change(_) => {}
        }
    });
}
