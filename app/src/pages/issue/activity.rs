//! The issue's activity log, and the comment box. Comments are plain text.

use super::IssueState;
use crate::api::{self, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::dto::{Activity, ActivityKind, NewComment};
use crate::model::{absolute, now, time_ago};
use leptos::prelude::*;

#[component]
pub fn ActivityLog(state: IssueState) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let clock = now();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = state.id.get_untracked();
        let comment = NewComment { text: text.get_untracked() };
        run(
            status,
            async move { api::send::<_, Activity>(Method::Post, &format!("/api/0/issues/{id}/comments/"), &comment).await },
            move |entry| {
                text.set(String::new());
                state.add_activity(entry);
            },
        );
    };
    view! {
        <section class="card activity">
            <h2>"Activity"</h2>
            <ol class="activity-log">
                <For each=move || state.activity.get() key=|entry| entry.id let(entry)>
                    <li class="activity-entry" data-kind=entry.kind.name()>
                        <span class="who">{entry.user.clone().unwrap_or_else(|| "Faultline".to_owned())}</span>
                        " "
                        <span class="what">{describe(&entry.kind)}</span>
                        <span class="when muted" title=absolute(entry.created_at)>{format!(" · {}", time_ago(entry.created_at, clock))}</span>
                        {match &entry.kind {
                            ActivityKind::Commented { text } => Some(view! { <p class="comment-text">{text.clone()}</p> }),
                            _ => None,
                        }}
                    </li>
                </For>
            </ol>
            <form method="post" class="comment-form" on:submit=submit>
                <label class="field">
                    <span>"Comment"</span>
                    <textarea
                        name="comment"
                        rows="3"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button type="submit">"Comment"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}

/// What happened, after who did it.
fn describe(kind: &ActivityKind) -> String {
    match kind {
        ActivityKind::Resolved => "resolved the issue".to_owned(),
        ActivityKind::ResolvedInRelease { release } => format!("resolved the issue in the release after {release}"),
        ActivityKind::Ignored { until } => format!("ignored the issue {}", until.describe()),
        ActivityKind::Unresolved => "unresolved the issue".to_owned(),
        ActivityKind::Assigned { to } => format!("assigned the issue to {to}"),
        ActivityKind::Unassigned => "unassigned the issue".to_owned(),
        ActivityKind::Commented { .. } => "commented".to_owned(),
        ActivityKind::Regressed { release: Some(release) } => {
            format!("marked the issue regressed: it happened again in {release}")
        }
        ActivityKind::Regressed { release: None } => {
            "marked the issue regressed: it happened again after it was resolved".to_owned()
        }
        ActivityKind::Escalated => "marked the issue escalating: what it was ignored until happened".to_owned(),
        ActivityKind::IgnoreExpired => "brought the issue back: the time it was ignored for is over".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IgnoreUntil;

    #[test]
    fn entries_read_as_sentences() {
        assert_eq!(
            describe(&ActivityKind::Ignored { until: IgnoreUntil::MoreEvents(10) }),
            "ignored the issue until 10 more events"
        );
        assert_eq!(ActivityKind::ResolvedInRelease { release: "1.0".into() }.name(), "resolved_in_release");
        assert!(describe(&ActivityKind::Regressed { release: Some("2.0".into()) }).contains("2.0"));
    }
}
