//! The triage controls the issue page and the list's bulk bar share: resolve, resolve in the
//! next release, ignore (forever, for a while, until more events or users), unresolve.

use crate::components::layout::me;
use crate::dto::TriageAction;
use crate::model::{Assignee, IgnoreUntil, IssueStatus};
use leptos::prelude::*;

/// The `a` shortcut: assigns the issue to the signed-in user, or unassigns it if it is theirs
/// (`None` before the user is known). Made where the page is built: the user is looked up
/// there, not in the key handler, which runs outside the page's context.
pub fn toggle_mine() -> impl Fn(Option<&Assignee>) -> Option<TriageAction> + Copy + 'static {
    let user = me();
    move |assignee| {
        let Some(Ok(user)) = user.and_then(|me| me.get_untracked()) else { return None };
        let mine = assignee.is_some_and(|assignee| assignee.id == user.id);
        Some(TriageAction::Assign { user_id: (!mine).then_some(user.id) })
    }
}

/// How long the dashboard offers to ignore an issue.
const IGNORE_CHOICES: [IgnoreUntil; 9] = [
    IgnoreUntil::Forever,
    IgnoreUntil::Minutes(30),
    IgnoreUntil::Minutes(60),
    IgnoreUntil::Minutes(24 * 60),
    IgnoreUntil::Minutes(7 * 24 * 60),
    IgnoreUntil::MoreEvents(10),
    IgnoreUntil::MoreEvents(100),
    IgnoreUntil::MoreUsers(10),
    IgnoreUntil::MoreUsers(100),
];

/// Buttons for the decisions that make sense for `status` (all of them when `None`, for a
/// selection of issues of any status).
#[component]
pub fn TriageButtons(
    #[prop(into)] status: Signal<Option<IssueStatus>>,
    on_action: Callback<TriageAction>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let open = move || status.get() != Some(IssueStatus::Unresolved);
    let closed = move || status.get().is_none_or(|status| status == IssueStatus::Unresolved);
    let ignore = move |ev: leptos::ev::Event| {
        let choice = event_target_value(&ev).parse::<usize>().ok().and_then(|i| IGNORE_CHOICES.get(i).copied());
        if let Some(until) = choice {
            on_action.run(TriageAction::Ignore { until });
        }
    };
    view! {
        <div class="triage-buttons">
            <Show when=closed>
                <button type="button" class="resolve" disabled=disabled on:click=move |_| on_action.run(TriageAction::Resolve)>
                    "Resolve"
                </button>
                <button
                    type="button"
                    class="resolve-next"
                    disabled=disabled
                    on:click=move |_| on_action.run(TriageAction::ResolveInNextRelease)
                >
                    "Resolve in next release"
                </button>
                <select class="ignore" aria-label="Ignore" disabled=disabled prop:value="" on:change=ignore>
                    <option value="" selected>"Ignore…"</option>
                    {IGNORE_CHOICES
                        .iter()
                        .enumerate()
                        .map(|(i, until)| view! { <option value=i.to_string()>{until.describe()}</option> })
                        .collect_view()}
                </select>
            </Show>
            <Show when=open>
                <button type="button" class="unresolve" disabled=disabled on:click=move |_| on_action.run(TriageAction::Unresolve)>
                    "Unresolve"
                </button>
            </Show>
        </div>
    }
}
