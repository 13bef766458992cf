//! A project's stack trace rules (admins): the rules in Sentry's syntax, Faultline's built-in
//! ones to read, and whether events are still also grouped as before the last change.

use crate::api::{self, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::dto::{ProjectSettings, ProjectUpdate};
use crate::model::absolute;
use leptos::prelude::*;

const EXAMPLE: &str = "stack.module:myapp.* +app\nstack.function:log_* -app -group";

#[component]
pub fn StackRules(project: i64, settings: ProjectSettings) -> impl IntoView {
    let rules = RwSignal::new(settings.stack_rules);
    let until = RwSignal::new(settings.grouping_transition_until);
    let status = RwSignal::new(Status::Idle);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = ProjectUpdate { stack_rules: Some(rules.get_untracked()), ..ProjectUpdate::default() };
        run(
            status,
            async move {
                api::send::<_, ProjectSettings>(Method::Patch, &format!("/api/0/projects/{project}/"), &update).await
            },
            move |saved| {
                until.set(saved.grouping_transition_until);
                status.set(Status::Done("Saved: new events are grouped with these rules.".to_owned()));
            },
        );
    };
    view! {
        <section class="card stack-rules">
            <h2>"Stack trace rules"</h2>
            <p class="muted">
                "Which frames are your app's code, and which count for grouping, in Sentry's syntax: one rule per line, "
                "matchers (stack.function, stack.module, stack.abs_path, stack.package, family, app; ! negates) then actions "
                "(+app, -app, +group, -group). The last rule that matches a frame decides. They come after the built-in rules."
            </p>
            <form method="post" on:submit=save>
                <label class="field wide">
                    <span>"Rules"</span>
                    <textarea
                        name="stack-rules"
                        rows="5"
                        spellcheck="false"
                        placeholder=EXAMPLE
                        prop:value=move || rules.get()
                        on:input=move |ev| rules.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button type="submit" class="primary">"Save rules"</button>
            </form>
            <StatusLine status/>
            {move || until.get().filter(|until| *until > crate::model::now()).map(|until| view! {
                <p class="muted transition">
                    {format!(
                        "Until {}, events are also grouped as before the last change and join an issue of either, so no issue splits.",
                        absolute(until),
                    )}
                </p>
            })}
            <details>
                <summary>"Built-in rules"</summary>
                <pre class="builtin-rules">{settings.builtin_stack_rules}</pre>
            </details>
        </section>
    }
}
