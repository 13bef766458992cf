//! What the list shows, kept in the URL (`?query=…&sort=…&project=…`) so it can be shared,
//! reloaded and walked with back and forward; the search box and the filter bar that edit it.

use crate::dto::ProjectInfo;
use crate::model::{IssueStatus, Level};
use crate::search::{Cursor, Facet, ParseError, Query, Sort};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;

/// The issues of every project the user may see.
pub const ISSUES_PATH: &str = "/api/0/issues/";

/// The search of a list opened without one.
pub const DEFAULT_QUERY: &str = "is:unresolved";

/// The list's search, order and project. The URL may also carry the `cursor` of the last page
/// "Show more issues" added ([`shown_after`]), which is not part of what is searched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListState {
    pub query: String,
    pub sort: Sort,
    pub project: Option<i64>,
}

impl ListState {
    pub fn from_url(params: &ParamsMap) -> ListState {
        ListState {
            query: params.get("query").unwrap_or_else(|| DEFAULT_QUERY.to_owned()),
            sort: params.get("sort").as_deref().and_then(Sort::parse).unwrap_or_default(),
            project: params.get("project").and_then(|id| id.parse().ok()),
        }
    }

    fn params(&self) -> ParamsMap {
        let mut params = ParamsMap::new();
        params.insert("query", self.query.clone());
        if self.sort != Sort::default() {
            params.insert("sort", self.sort.as_str().to_owned());
        }
        if let Some(project) = self.project {
            params.insert("project", project.to_string());
        }
        params
    }

    /// The dashboard URL showing this list.
    pub fn href(&self) -> String {
        format!("/{}", self.params().to_query_string())
    }

    /// The dashboard URL showing this list through the page after `cursor`.
    #[cfg(feature = "hydrate")]
    pub fn href_after(&self, cursor: Cursor) -> String {
        let mut params = self.params();
        params.insert("cursor", cursor.to_string());
        format!("/{}", params.to_query_string())
    }

    /// The API path of the list's page after `cursor`, or of those of `ids` that match.
    pub fn api_path(&self, cursor: Option<Cursor>, ids: &[i64]) -> String {
        let mut params = self.params();
        if let Some(cursor) = cursor {
            params.insert("cursor", cursor.to_string());
        }
        if !ids.is_empty() {
            params.insert("ids", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
        }
        format!("{ISSUES_PATH}{}", params.to_query_string())
    }

    /// The API path of every issue of the list from the first through the one `until` names.
    pub fn until_path(&self, until: Cursor) -> String {
        let mut params = self.params();
        params.insert("until", until.to_string());
        format!("{ISSUES_PATH}{}", params.to_query_string())
    }

    /// The API path of how many issues the list has, all pages together.
    pub fn count_path(&self) -> String {
        format!("{ISSUES_PATH}count/{}", self.params().to_query_string())
    }

    pub fn parsed(&self) -> Result<Query, ParseError> {
        self.query.parse()
    }

    /// The status every listed issue has, when the search is that status alone (`is:resolved`):
    /// then "every such issue" can be selected.
    pub fn status_alone(&self) -> Option<IssueStatus> {
        let query = self.parsed().ok().filter(|query| query.terms.len() == 1)?;
        query.facet(Facet::Status)?.parse().ok()
    }

    pub fn with_query(&self, query: String) -> ListState {
        ListState { query, ..self.clone() }
    }

    /// The list with the facet set to `value` (removed when empty); unchanged when the current
    /// search does not parse (its error is shown under the search box).
    fn with_facet(&self, facet: Facet, value: &str) -> ListState {
        match self.parsed().and_then(|query| query.with_facet(facet, value)) {
            Ok(query) => self.with_query(query.to_string()),
            Err(_) => self.clone(),
        }
    }

    fn facet(&self, facet: Facet) -> String {
        self.parsed().ok().and_then(|query| query.facet(facet)).unwrap_or_default()
    }
}

/// Where the last page "Show more issues" added starts, from the list's URL.
pub fn shown_after(params: &ParamsMap) -> Option<Cursor> {
    params.get("cursor")?.parse().ok()
}

/// Goes to a list, as a new history entry.
fn navigator() -> impl Fn(&ListState) + Clone + 'static {
    let navigate = use_navigate();
    move |state: &ListState| navigate(&state.href(), Default::default())
}

/// The search box: checked as it is typed, applied on Enter, with the syntax one click away.
#[component]
pub fn SearchBar(state: Memo<ListState>) -> impl IntoView {
    let draft = RwSignal::new(state.get_untracked().query);
    // Back, forward and the filter bar change the search: the box follows.
    Effect::watch(move || state.get().query, move |query, _, _| draft.set(query.clone()), false);
    let error = Memo::new(move |_| draft.with(|text| text.parse::<Query>().err()));
    let help = RwSignal::new(false);
    let show = navigator();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if error.with_untracked(Option::is_none) {
            show(&state.get_untracked().with_query(draft.get_untracked().trim().to_owned()));
        }
    };
    view! {
        <form class="search-bar" role="search" on:submit=submit>
            <input
                type="search"
                name="query"
                class="search-input"
                aria-label="Search issues"
                placeholder="is:unresolved level:error browser.name:Chrome timeout"
                autocomplete="off"
                spellcheck="false"
                class:invalid=move || error.with(Option::is_some)
                value=state.get_untracked().query
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            />
            <button type="submit" class="primary">"Search"</button>
            <button type="button" class="link search-help-toggle" aria-expanded=move || help.get().to_string() on:click=move |_| help.update(|open| *open = !*open)>
                "Syntax"
            </button>
        </form>
        {move || error.get().map(|err| {
            let caret = format!("{}^", " ".repeat(err.at));
            view! {
                <div class="query-error" role="alert">
                    <pre><code>{draft.get()}"\n"{caret}</code></pre>
                    <p>{err.to_string()}</p>
                </div>
            }
        })}
        <Show when=move || help.get()>
            <SearchHelp/>
        </Show>
    }
}

const SYNTAX: &[(&str, &str)] = &[
    ("is:unresolved", "Status: unresolved, resolved, ignored; also regressed, escalating, assigned, unassigned"),
    ("level:error", "Level: debug, info, warning, error, fatal"),
    ("environment:production", "Environment"),
    ("release:shop@1.2.*", "Release; * matches any run of characters"),
    ("browser.name:Chrome", "Any tag the issue's events carry"),
    ("assigned:me", "Assigned to you, or assigned:<email>"),
    ("!level:debug", "! in front of a term excludes what it matches"),
    ("url:\"/checkout?step=2\"", "Quotes keep spaces and colons; \\\" is a quote"),
    ("firstSeen:-7d", "First seen in the last 7 days; +7d: longer ago. Units m, h, d, w"),
    ("lastSeen:-24h", "Last seen in the last 24 hours"),
    ("timesSeen:>100", "Event count: >, >=, <, <=, or an exact number"),
    ("timeout", "Other words look in the title and culprit (message)"),
];

#[component]
fn SearchHelp() -> impl IntoView {
    view! {
        <div class="search-help card" role="note" aria-label="Search syntax">
            <p>"Every term must hold. For example: "<code>"is:unresolved level:error !environment:staging timeout"</code></p>
            <dl>
                {SYNTAX.iter().map(|(term, what)| view! { <dt><code>{*term}</code></dt><dd>{*what}</dd> }).collect_view()}
            </dl>
        </div>
    }
}

const TIME_RANGES: [(&str, &str); 5] = [
    ("", "Any time"),
    ("-1h", "Last hour"),
    ("-1d", "Last 24 hours"),
    ("-7d", "Last 7 days"),
    ("-30d", "Last 30 days"),
];

/// Status, level, environment, release, time range, project and order: each edits its term of
/// the search (or the URL), so the box and the bar always say the same.
#[component]
pub fn FilterBar(
    state: Memo<ListState>,
    projects: Resource<Result<Vec<ProjectInfo>, crate::api::AppError>>,
) -> impl IntoView {
    let show = navigator();
    let facet = move |facet: Facet| move || state.with(|state| state.facet(facet));
    let set = {
        let show = show.clone();
        move |facet: Facet| {
            let show = show.clone();
            move |ev: leptos::ev::Event| show(&state.get_untracked().with_facet(facet, &event_target_value(&ev)))
        }
    };
    let choice = move |facet: Facet, value: &'static str, label: &'static str| {
        view! { <option value=value selected=move || state.with(|state| state.facet(facet) == value)>{label}</option> }
    };
    let set_sort = {
        let show = show.clone();
        move |ev: leptos::ev::Event| {
            let sort = Sort::parse(&event_target_value(&ev)).unwrap_or_default();
            show(&ListState { sort, ..state.get_untracked() });
        }
    };
    let set_project = move |ev: leptos::ev::Event| {
        show(&ListState { project: event_target_value(&ev).parse().ok(), ..state.get_untracked() });
    };
    view! {
        <div class="filter-bar" role="group" aria-label="Filters">
            <select aria-label="Project" class="project-filter" on:change=set_project>
                <option value="" selected=move || state.with(|state| state.project.is_none())>"All projects"</option>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        projects.await.unwrap_or_default().into_iter().map(|project| {
                            let id = project.id;
                            view! { <option value=id.to_string() selected=move || state.with(|state| state.project == Some(id))>{project.name}</option> }
                        }).collect_view()
                    })}
                </Transition>
            </select>
            <select aria-label="Status" class="status-filter" on:change=set(Facet::Status)>
                {choice(Facet::Status, "", "Any status")}
                {choice(Facet::Status, "unresolved", "Unresolved")}
                {choice(Facet::Status, "resolved", "Resolved")}
                {choice(Facet::Status, "ignored", "Ignored")}
            </select>
            <select aria-label="Level" class="level-filter" on:change=set(Facet::Level)>
                {choice(Facet::Level, "", "Any level")}
                {Level::ALL.into_iter().rev().map(|level| choice(Facet::Level, level.as_str(), level.as_str())).collect_view()}
            </select>
            <input type="text" aria-label="Environment" placeholder="Environment" class="environment-filter"
                prop:value=facet(Facet::Environment) on:change=set(Facet::Environment)/>
            <input type="text" aria-label="Release" placeholder="Release" class="release-filter"
                prop:value=facet(Facet::Release) on:change=set(Facet::Release)/>
            <select aria-label="Last seen" class="time-filter" on:change=set(Facet::LastSeen)>
                {TIME_RANGES.into_iter().map(|(value, label)| choice(Facet::LastSeen, value, label)).collect_view()}
            </select>
            <label class="sort">
                "Sort by "
                <select aria-label="Sort by" class="sort-select" on:change=set_sort>
                    {Sort::ALL.into_iter().map(|(sort, label)| view! {
                        <option value=sort.as_str() selected=move || state.with(|state| state.sort == sort)>{label}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
    }
}
