//! The projects the user is a member of; the owner creates new ones here.

use crate::api::{self, Method};
use crate::components::forms::{Field, Status, StatusLine, run};
use crate::components::layout::{ErrorBox, me};
use crate::dto::{NewProject, ProjectInfo};
use crate::platform::{self, PLATFORMS};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| api::get::<Vec<ProjectInfo>>("/api/0/projects/"));
    let me = me();
    view! {
        <Title text="Projects · Faultline"/>
        <section class="page">
            <header class="page-header">
                <h1>"Projects"</h1>
            </header>
            <Suspense fallback=|| view! { <p class="placeholder">"Loading projects…"</p> }>
                {move || Suspend::new(async move {
                    match projects.await {
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty">
                                <h2>"No projects yet"</h2>
                                <p>"Ask the owner of this instance to add you to a project."</p>
                            </div>
                        }
                            .into_any(),
                        Ok(list) => view! {
                            <table class="list">
                                <thead><tr><th>"Project"</th><th>"Platform"</th><th>"Your role"</th></tr></thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|project| view! {
                                            <tr class="project-row">
                                                <td><a href=format!("/projects/{}", project.id)>{project.name}</a></td>
                                                <td>{platform::name(&project.platform).to_owned()}</td>
                                                <td><span class="role">{project.role.to_string()}</span></td>
                                            </tr>
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any(),
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let is_owner = match me {
                        Some(me) => me.await.is_ok_and(|user| user.is_owner),
                        None => false,
                    };
                    is_owner.then(|| view! { <NewProjectForm/> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewProjectForm() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let platform = RwSignal::new("python".to_owned());
    let status = RwSignal::new(Status::Idle);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let project = NewProject { name: name.get_untracked(), platform: Some(platform.get_untracked()) };
        run(
            status,
            async move { api::send::<_, ProjectInfo>(Method::Post, "/api/0/projects/", &project).await },
            |created| crate::components::forms::go_to(&format!("/projects/{}", created.id)),
        );
    };
    view! {
        <section class="card">
            <h2>"New project"</h2>
            <form method="post" class="inline" on:submit=submit>
                <Field label="Name" value=name name="project-name"/>
                <PlatformSelect value=platform/>
                <button type="submit" class="primary">"Create project"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}

#[component]
pub fn PlatformSelect(value: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Platform"</span>
            <select name="platform" on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
                {PLATFORMS
                    .into_iter()
                    .map(|(id, name)| view! { <option value=id selected=move || value.get() == id>{name}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
