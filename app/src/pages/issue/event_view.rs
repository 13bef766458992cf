//! One event of the issue in full, with the way to its neighbors.

use super::IssueState;
use super::details::{Extra, Grouping, Message, Packages};
use super::sections::{Attachments, Breadcrumbs, Contexts, EventTags, RawJson, Request, Sdk, User};
use super::stacktrace::StackTraces;
use crate::components::layout::ErrorBox;
use crate::dto::IssueDetail;
use crate::model::{EventDetail, EventNeighbors, absolute};
use leptos::prelude::*;

type Loaded<T> = Resource<Result<T, crate::api::AppError>>;

#[component]
pub fn ShownEvent(state: IssueState, detail: Loaded<IssueDetail>, event: Loaded<EventDetail>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="placeholder">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                let project_id = match detail.await {
                    Ok(detail) => detail.issue.project_id,
                    Err(err) if err.is_not_found("issue") => return ().into_any(),
                    Err(_) => 0,
                };
                match event.await {
                    Ok(shown) => {
                        state.shown_event.set(Some(shown.clone()));
                        view! { <EventView state project_id shown/> }.into_any()
                    }
                    Err(err) if err.status == 404 => {
                        view! { <p class="placeholder">"This issue has no stored event (retention may have removed them)."</p> }
                            .into_any()
                    }
                    Err(err) => view! { <ErrorBox err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EventView(state: IssueState, project_id: i64, shown: EventDetail) -> impl IntoView {
    let EventDetail { event, attachments, neighbors, .. } = shown;
    let title = event.title();
    let entry = event.logentry.clone().filter(|entry| entry.text().is_some());
    let (log_message, message) = if event.exceptions.is_empty() { (entry, None) } else { (None, entry) };
    let modules = event.other.get("modules").and_then(|modules| modules.as_object()).cloned().filter(|m| !m.is_empty());
    let thread_stack = event.crash_stacktrace().cloned();
    let has_stack = !event.exceptions.is_empty() || thread_stack.is_some();
    let facts = [
        ("Release", event.release.clone()),
        ("Environment", event.environment.clone()),
        ("Platform", Some(event.platform.clone())),
        ("Logger", event.logger.clone()),
        ("Server", event.server_name.clone()),
    ];
    view! {
        <section class="card event-header" data-event-id=event.event_id.clone()>
            <div class="event-id">
                <span class="muted">"Event "</span>
                <code>{event.event_id.clone()}</code>
                <span class="muted" title=event.timestamp.to_rfc3339()>
                    {format!(" · {}", absolute(event.timestamp))}
                </span>
            </div>
            <EventNavigation issue_id=state.id.get_untracked() neighbors/>
            <dl class="facts">
                {facts
                    .into_iter()
                    .filter_map(|(label, value)| Some(view! { <dt>{label}</dt><dd>{value?}</dd> }))
                    .collect_view()}
            </dl>
        </section>
        {log_message.map(|entry| view! { <Message entry/> })}
        {has_stack.then(|| view! { <StackTraces exceptions=event.exceptions.clone() thread_stack=thread_stack.clone()/> })}
        {message.map(|entry| view! { <Message entry/> })}
        {(!event.breadcrumbs.is_empty())
            .then(|| view! { <Breadcrumbs crumbs=event.breadcrumbs.clone() at=event.timestamp title/> })}
        {(!event.tags.is_empty()).then(|| view! { <EventTags tags=event.tags.clone()/> })}
        {(!event.contexts.is_empty()).then(|| view! { <Contexts contexts=event.contexts.clone()/> })}
        {event.request.clone().map(|request| view! { <Request request/> })}
        {event.user.clone().map(|user| view! { <User user/> })}
        {(!event.extra.is_empty()).then(|| view! { <Extra extra=event.extra.clone()/> })}
        {event.sdk.clone().map(|sdk| view! { <Sdk sdk/> })}
        {modules.map(|modules| view! { <Packages modules/> })}
        {(!attachments.is_empty())
            .then(|| view! { <Attachments project_id event_id=event.event_id.clone() files=attachments.clone()/> })}
        <Grouping issue_id=state.id.get_untracked() event_id=event.event_id.clone()/>
        <RawJson project_id event/>
    }
}

/// Oldest, older, newer, newest: links to the events around this one.
#[component]
fn EventNavigation(issue_id: i64, neighbors: EventNeighbors) -> impl IntoView {
    let link = move |label: &'static str, class: &'static str, to: Option<String>| match to {
        Some(event) => view! { <a class=class href=format!("/issues/{issue_id}?event={event}")>{label}</a> }.into_any(),
        None => view! { <span class=format!("{class} disabled")>{label}</span> }.into_any(),
    };
    view! {
        <nav class="event-nav" aria-label="Events of this issue">
            {link("« Oldest", "oldest", neighbors.oldest)}
            {link("‹ Older", "older", neighbors.older)}
            {link("Newer ›", "newer", neighbors.newer)}
            {link("Newest »", "newest", neighbors.newest)}
        </nav>
    }
}
