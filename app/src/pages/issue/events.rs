//! The issue's events: a page at a time, and the ones arriving while the page is open.

use super::IssueState;
use crate::model::{EventSummary, absolute, counted, now, time_ago};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Events per page, as the API pages them.
const PAGE_SIZE: usize = 50;

type Loaded<T> = Resource<Result<T, crate::api::AppError>>;

/// "3 new events": shows the newest one when clicked; below it, the live tail of arrivals.
#[component]
pub fn NewEvents(state: IssueState) -> impl IntoView {
    let navigate = use_navigate();
    let show_newest = move |_| {
        state.unseen.set(0);
        state.newest_version.update(|v| *v += 1);
        navigate(&format!("/issues/{}", state.id.get_untracked()), Default::default());
    };
    view! {
        <Show when=move || { state.unseen.get() > 0 }>
            <button type="button" class="new-events" on:click=show_newest.clone()>
                {move || format!("{}: show the newest", counted(state.unseen.get() as i64, "new event"))}
            </button>
        </Show>
        <Show when=move || state.arrived.with(|arrived| !arrived.is_empty())>
            <section class="card live-tail">
                <h2>"Arriving now"</h2>
                <EventRows state events=Signal::derive(move || state.arrived.get())/>
            </section>
        </Show>
    }
}

/// A page of the issue's events, newest first.
#[component]
pub fn EventList(state: IssueState, listed: Loaded<Vec<EventSummary>>, page: Memo<u64>) -> impl IntoView {
    view! {
        <section class="card event-list">
            <h2>"Events"</h2>
            <Suspense fallback=|| view! { <p class="placeholder">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match listed.await {
                        Ok(events) => {
                            let full = events.len() == PAGE_SIZE;
                            view! {
                                <EventRows state events=Signal::stored(events)/>
                                <Pager state page full/>
                            }
                                .into_any()
                        }
                        Err(err) => super::unless_missing(err).into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn EventRows(state: IssueState, #[prop(into)] events: Signal<Vec<EventSummary>>) -> impl IntoView {
    let clock = now();
    view! {
        <table class="events">
            <thead>
                <tr>
                    <th>"Event"</th>
                    <th>"Time"</th>
                    <th>"Level"</th>
                    <th>"Environment"</th>
                    <th>"Release"</th>
                    <th>"User"</th>
                    <th>"Message"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || events.get() key=|event| event.event_id.clone() let(event)>
                    <tr class="event-row">
                        <td>
                            <a href=format!("/issues/{}?event={}", state.id.get_untracked(), event.event_id)>
                                <code>{event.event_id.chars().take(8).collect::<String>()}</code>
                            </a>
                        </td>
                        <td title=absolute(event.timestamp)>{time_ago(event.timestamp, clock)}</td>
                        <td><span class="level" data-level=event.level.to_string()>{event.level.to_string()}</span></td>
                        <td class="environment">{event.environment.clone().unwrap_or_else(|| "—".to_owned())}</td>
                        <td class="release">{event.release.clone().unwrap_or_else(|| "—".to_owned())}</td>
                        <td class="user">{event.user.as_deref().map_or("—".to_owned(), user_label)}</td>
                        <td class="message">{event.message.clone().unwrap_or_else(|| event.title.clone())}</td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}

/// A user as a teammate reads them: the email or username alone, an id or address with its kind.
fn user_label(key: &str) -> String {
    key.strip_prefix("email:").or_else(|| key.strip_prefix("username:")).unwrap_or(key).to_owned()
}

#[component]
fn Pager(state: IssueState, page: Memo<u64>, full: bool) -> impl IntoView {
    let href = move |to: u64| format!("/issues/{}/events?page={to}", state.id.get_untracked());
    view! {
        <nav class="pager" aria-label="Pages">
            <Show when=move || { page.get() > 1 }>
                <a href=move || href(page.get() - 1) class="newer-page">"Newer"</a>
            </Show>
            <span>{move || format!("Page {}", page.get())}</span>
            <Show when=move || full>
                <a href=move || href(page.get() + 1) class="older-page">"Older"</a>
            </Show>
        </nav>
    }
}
