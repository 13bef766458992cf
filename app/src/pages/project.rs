//! A project: its overview charts, its DSN keys with SDK snippets, its members, its alerts, and
//! (for admins) its settings, stack trace rules and deletion.

use crate::api::{self, Method};
use crate::chart::{ChartRange, ProjectChart};
use crate::components::connect::{ConnectIfNew, Steps};
use crate::components::forms::{CopyButton, Field, Status, StatusLine, go_to, run};
use crate::components::layout::{ErrorBox, window_title};
use crate::dto::{
    DeleteConfirmation, KeyInfo, KeyUpdate, MemberInfo, NewKey, NewMember, ProjectInfo, ProjectSettings, ProjectUpdate,
    RoleUpdate,
};
use crate::model::Role;
use crate::pages::project_alerts::Alerts;
use crate::pages::project_overview::{ProjectOverview, chart_resource};
use crate::pages::projects::PlatformSelect;
use crate::pages::stack_rules::StackRules;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

type Loaded<T> = Resource<Result<T, crate::api::AppError>>;

/// Every resource of the page is created here, outside any suspense, so that server and browser
/// create them in the same order.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default());
    let keys_version = RwSignal::new(0u32);
    let members_version = RwSignal::new(0u32);
    let project =
        Resource::new(id, |id| async move { api::get::<ProjectInfo>(&format!("/api/0/projects/{id}/")).await });
    let keys = Resource::new(
        move || (id(), keys_version.get()),
        |(id, _)| async move { api::get::<Vec<KeyInfo>>(&format!("/api/0/projects/{id}/keys/")).await },
    );
    let members = Resource::new(
        move || (id(), members_version.get()),
        |(id, _)| async move { api::get::<Vec<MemberInfo>>(&format!("/api/0/projects/{id}/members/")).await },
    );
    let query = use_query_map();
    let range =
        Memo::new(move |_| query.with(|q| q.get("range").and_then(|r| ChartRange::parse(&r)).unwrap_or_default()));
    let chart = chart_resource(id, range);
    let settings =
        Resource::new(
            id,
            |id| async move { api::get::<ProjectSettings>(&format!("/api/0/projects/{id}/settings/")).await },
        );
    view! {
        <Suspense fallback=|| view! { <p class="placeholder">"Loading project…"</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(project) => view! {
                        <Project project chart range keys keys_version members members_version settings/>
                    }
                        .into_any(),
                    Err(err) => view! { <section class="page"><ErrorBox err/></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Project(
    project: ProjectInfo,
    chart: Loaded<ProjectChart>,
    range: Memo<ChartRange>,
    keys: Loaded<Vec<KeyInfo>>,
    keys_version: RwSignal<u32>,
    members: Loaded<Vec<MemberInfo>>,
    members_version: RwSignal<u32>,
    settings: Loaded<ProjectSettings>,
) -> impl IntoView {
    let is_admin = project.role >= Role::Admin;
    let id = project.id;
    view! {
        <Title text=window_title(&project.name)/>
        <section class="page">
            <header class="page-header">
                <h1>{project.name.clone()}</h1>
                <span class="role">{format!("You are {}", project.role)}</span>
            </header>
            <ConnectIfNew scope=Some(id)/>
            <ProjectOverview project=id chart range/>
            <Keys project=id platform=project.platform.clone() is_admin keys version=keys_version/>
            <Members project=id is_admin members version=members_version/>
            <Alerts project=id is_admin/>
            <Show when=move || is_admin>
                <Settings project=id settings/>
                <DangerZone project=id name=project.name.clone()/>
            </Show>
        </section>
    }
    .into_any()
}

#[component]
fn Keys(
    project: i64,
    platform: String,
    is_admin: bool,
    keys: Loaded<Vec<KeyInfo>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = NewKey { label: label.get_untracked() };
        run(
            status,
            async move { api::send::<_, KeyInfo>(Method::Post, &format!("/api/0/projects/{project}/keys/"), &key).await },
            move |_| {
                label.set(String::new());
                version.update(|v| *v += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h2>"DSN keys"</h2>
            <p class="muted">"Give an SDK a DSN and its errors arrive here."</p>
            <Suspense fallback=|| ()>
                {move || {
                    let platform = platform.clone();
                    Suspend::new(async move {
                        match keys.await {
                            Ok(list) => list
                                .into_iter()
                                .map(|key| view! { <Key key platform=platform.clone() project is_admin version status/> })
                                .collect_view()
                                .into_any(),
                            Err(err) => view! { <ErrorBox err/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <Show when=move || is_admin>
                <form method="post" class="inline" on:submit=add>
                    <Field label="New key label" value=label name="key-label"/>
                    <button type="submit">"Add key"</button>
                </form>
            </Show>
            <StatusLine status/>
        </section>
    }
    .into_any()
}

#[component]
fn Key(
    key: KeyInfo,
    platform: String,
    project: i64,
    is_admin: bool,
    version: RwSignal<u32>,
    status: RwSignal<Status>,
) -> impl IntoView {
    let path = format!("/api/0/projects/{project}/keys/{}/", key.id);
    let toggle = {
        let path = path.clone();
        let active = key.active;
        move |_| {
            let update = KeyUpdate { active: Some(!active), ..KeyUpdate::default() };
            let path = path.clone();
            run(status, async move { api::send::<_, KeyInfo>(Method::Patch, &path, &update).await }, move |_| {
                version.update(|v| *v += 1)
            });
        }
    };
    let rotate = {
        let path = format!("{path}rotate/");
        move |_| {
            let path = path.clone();
            run(status, async move { api::send::<_, KeyInfo>(Method::Post, &path, &()).await }, move |_| {
                version.update(|v| *v += 1)
            });
        }
    };
    view! {
        <div class="key" data-active=key.active.to_string()>
            <div class="key-head">
                <strong>{key.label.clone()}</strong>
                {(!key.active).then(|| view! { <span class="badge">"disabled"</span> })}
            </div>
            <div class="dsn">
                <code class="dsn-value">{key.dsn.clone()}</code>
                <CopyButton text=key.dsn.clone()/>
            </div>
            <details class="snippet">
                <summary>{format!("Set up the {} SDK", crate::platform::name(&platform))}</summary>
                <Steps platform=Signal::stored(platform.clone()) dsn=key.dsn.clone()/>
            </details>
            <Show when=move || is_admin>
                <div class="actions">
                    <button type="button" on:click=toggle.clone()>{if key.active { "Disable" } else { "Enable" }}</button>
                    <button type="button" on:click=rotate.clone()>"Rotate"</button>
                </div>
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn Members(project: i64, is_admin: bool, members: Loaded<Vec<MemberInfo>>, version: RwSignal<u32>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Member);
    let status = RwSignal::new(Status::Idle);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let member = NewMember { email: email.get_untracked(), role: role.get_untracked() };
        run(
            status,
            async move {
                api::send::<_, MemberInfo>(Method::Post, &format!("/api/0/projects/{project}/members/"), &member).await
            },
            move |_| {
                email.set(String::new());
                version.update(|v| *v += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h2>"Members"</h2>
            <p class="muted">"Viewers read, members also triage, admins also manage keys, members and settings. The instance owner is an admin everywhere."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match members.await {
                        Ok(list) => view! {
                            <table class="list">
                                <tbody>
                                    {list.into_iter().map(|member| view! { <Member member project is_admin version status/> }).collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any(),
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
            <Show when=move || is_admin>
                <form method="post" class="inline" on:submit=add>
                    <Field label="Email of a user" value=email kind="email" name="member-email"/>
                    <RoleSelect value=role/>
                    <button type="submit">"Add member"</button>
                </form>
            </Show>
            <StatusLine status/>
        </section>
    }
    .into_any()
}

#[component]
fn Member(
    member: MemberInfo,
    project: i64,
    is_admin: bool,
    version: RwSignal<u32>,
    status: RwSignal<Status>,
) -> impl IntoView {
    let path = format!("/api/0/projects/{project}/members/{}/", member.user_id);
    let role = RwSignal::new(member.role);
    let change = {
        let path = path.clone();
        move |next: Role| {
            let path = path.clone();
            run(
                status,
                async move { api::send::<_, MemberInfo>(Method::Patch, &path, &RoleUpdate { role: next }).await },
                move |_| version.update(|v| *v += 1),
            );
        }
    };
    let remove = move |_| {
        let path = path.clone();
        run(status, async move { api::send::<_, ()>(Method::Delete, &path, &()).await }, move |_| {
            version.update(|v| *v += 1)
        });
    };
    view! {
        <tr class="member-row">
            <td>{member.email}</td>
            <td>
                {if is_admin {
                    view! { <RoleSelect value=role on_change=Callback::new(change)/> }.into_any()
                } else {
                    view! { <span class="role">{member.role.to_string()}</span> }.into_any()
                }}
            </td>
            <td>
                <Show when=move || is_admin>
                    <button type="button" class="link" on:click=remove.clone()>"Remove"</button>
                </Show>
            </td>
        </tr>
    }
}

#[component]
fn RoleSelect(value: RwSignal<Role>, #[prop(optional)] on_change: Option<Callback<Role>>) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Role"</span>
            <select
                name="role"
                on:change=move |ev| {
                    if let Some(role) = Role::parse(&event_target_value(&ev)) {
                        value.set(role);
                        if let Some(callback) = on_change {
                            callback.run(role);
                        }
                    }
                }
            >
                {Role::ALL
                    .into_iter()
                    .map(|role| view! { <option value=role.as_str() selected=move || value.get() == role>{role.as_str()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Settings(project: i64, settings: Loaded<ProjectSettings>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! {
                        <SettingsForm project settings=settings.clone()/>
                        <StackRules project settings/>
                    }
                    .into_any(),
                    Err(err) => view! { <ErrorBox err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(project: i64, settings: ProjectSettings) -> impl IntoView {
    let name = RwSignal::new(settings.name);
    let platform = RwSignal::new(settings.platform);
    let origins = RwSignal::new(settings.allowed_origins.join("\n"));
    let sensitive = RwSignal::new(settings.sensitive_fields.join("\n"));
    let safe = RwSignal::new(settings.safe_fields.join("\n"));
    let filter = RwSignal::new(settings.filter_browser_extensions);
    let status = RwSignal::new(Status::Idle);
    let lines = |text: String| {
        text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect::<Vec<_>>()
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = ProjectUpdate {
            name: Some(name.get_untracked()),
            platform: Some(platform.get_untracked()),
            allowed_origins: Some(lines(origins.get_untracked())),
            sensitive_fields: Some(lines(sensitive.get_untracked())),
            safe_fields: Some(lines(safe.get_untracked())),
            filter_browser_extensions: Some(filter.get_untracked()),
            stack_rules: None,
        };
        run(
            status,
            async move {
                api::send::<_, ProjectSettings>(Method::Patch, &format!("/api/0/projects/{project}/"), &update).await
            },
            move |_| status.set(Status::Done("Saved.".to_owned())),
        );
    };
    let area = move |label: &'static str, value: RwSignal<String>, name: &'static str| {
        view! {
            <label class="field wide">
                <span>{label}</span>
                <textarea name=name rows="3" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </label>
        }
    };
    view! {
        <section class="card">
            <h2>"Settings"</h2>
            <form method="post" on:submit=save>
                <Field label="Name" value=name name="settings-name"/>
                <PlatformSelect value=platform/>
                {area("Allowed origins, one per line (* for any)", origins, "allowed-origins")}
                {area("Extra sensitive fields to scrub, one per line", sensitive, "sensitive-fields")}
                {area("Safe fields never scrubbed, one per line", safe, "safe-fields")}
                <label class="check">
                    <input type="checkbox" prop:checked=move || filter.get() on:change=move |ev| filter.set(event_target_checked(&ev))/>
                    "Drop errors raised in browser extensions"
                </label>
                <button type="submit" class="primary">"Save settings"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}

#[component]
fn DangerZone(project: i64, name: String) -> impl IntoView {
    let confirm = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let confirmation = DeleteConfirmation { confirm: confirm.get_untracked() };
        run(
            status,
            async move { api::send::<_, ()>(Method::Delete, &format!("/api/0/projects/{project}/"), &confirmation).await },
            |_| go_to("/projects"),
        );
    };
    view! {
        <section class="card danger">
            <h2>"Delete project"</h2>
            <p class="muted">{format!("This deletes {name} with all its keys, issues and events. Type its name to confirm.")}</p>
            <form method="post" class="inline" on:submit=delete>
                <Field label="Project name" value=confirm name="confirm-name"/>
                <button type="submit" class="danger">"Delete project"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}
