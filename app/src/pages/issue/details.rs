//! What else an event holds, shown when it has it: the log message's template and parameters,
//! the extra data, the packages the SDK listed, and why the event is in this issue (its grouping
//! hashes and what made them, loaded when opened).

use super::sections::{KeyValues, display};
use crate::api;
use crate::event::{LogEntry, Object};
use crate::model::GroupingInfo;
use leptos::prelude::*;
use serde_json::Value;

/// The message as logged; its template and parameters when they differ from it.
#[component]
pub fn Message(entry: LogEntry) -> impl IntoView {
    let text = entry.text().unwrap_or_default().to_owned();
    let template = entry.message.clone().filter(|template| *template != text);
    let params = entry.params.clone().filter(|params| !params.is_null() && *params != Value::Array(Vec::new()));
    view! {
        <section class="card message">
            <h2>"Message"</h2>
            <pre class="message-text">{text}</pre>
            {(template.is_some() || params.is_some())
                .then(|| {
                    view! {
                        <dl class="facts log-template">
                            {template.map(|template| view! { <dt>"Template"</dt><dd><code>{template}</code></dd> })}
                            {params.map(|params| view! { <dt>"Parameters"</dt><dd><code>{display(&params)}</code></dd> })}
                        </dl>
                    }
                })}
        </section>
    }
}

/// The event's `extra`: whatever the app attached.
#[component]
pub fn Extra(extra: Object) -> impl IntoView {
    view! {
        <section class="card extra">
            <h2>"Additional data"</h2>
            <KeyValues pairs=extra.into_iter().collect()/>
        </section>
    }
}

/// The packages and versions the SDK listed (`modules`), folded away.
#[component]
pub fn Packages(modules: Object) -> impl IntoView {
    let count = modules.len();
    view! {
        <section class="card packages">
            <h2>"Packages"</h2>
            <details>
                <summary>{format!("{count} packages")}</summary>
                <KeyValues pairs=modules.into_iter().collect()/>
            </details>
        </section>
    }
}

/// Why the event is in this issue, loaded when first opened.
#[component]
pub fn Grouping(issue_id: i64, event_id: String) -> impl IntoView {
    let info = RwSignal::new(None::<Result<GroupingInfo, String>>);
    let path = format!("/api/0/issues/{issue_id}/events/{event_id}/grouping/");
    let load = move |_| {
        if info.get_untracked().is_none() {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                let loaded = api::get::<GroupingInfo>(&path).await.map_err(|err| err.to_string());
                info.try_set(Some(loaded));
            });
        }
    };
    view! {
        <section class="card grouping">
            <h2>"Grouping"</h2>
            <details on:toggle=load>
                <summary>"Why this event is in this issue"</summary>
                {move || match info.get() {
                    None => view! { <p class="placeholder">"Loading…"</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="status-line failed" role="alert">{message}</p> }.into_any(),
                    Some(Ok(info)) => view! { <GroupingTable info/> }.into_any(),
                }}
            </details>
        </section>
    }
}

#[component]
fn GroupingTable(info: GroupingInfo) -> impl IntoView {
    view! {
        <p class="muted">
            {format!(
                "The issue was opened by {}. The event's hashes with the stack trace rules as they are now; \
                 an event joins the issue that owns any of its hashes.",
                info.version,
            )}
        </p>
        {info.fingerprint.map(|parts| view! { <p>"Fingerprint set by the SDK: " <code>{parts.join(", ")}</code></p> })}
        <table class="list grouping-variants">
            <thead>
                <tr><th scope="col">"Variant"</th><th scope="col">"Hash"</th><th scope="col">"Made of"</th></tr>
            </thead>
            <tbody>
                {info
                    .variants
                    .into_iter()
                    .map(|variant| {
                        let made_of = match &variant.hint {
                            Some(hint) => hint.clone(),
                            None => variant.values.join(" · "),
                        };
                        let name = variant.name.clone();
                        view! {
                            <tr class:owned=variant.of_this_issue data-variant=name>
                                <th scope="row">{variant.name}</th>
                                <td>
                                    <code>{variant.hash.unwrap_or_else(|| "none".to_owned())}</code>
                                    {variant.of_this_issue.then(|| view! { <span class="badge">"this issue's"</span> })}
                                </td>
                                <td class="made-of">{made_of}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
