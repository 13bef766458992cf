//! The instance's users, for its owner: who has an account, who owns the instance, who is
//! disabled; invite links for teammates, and those not used yet, to revoke. The owner is not
//! offered to take their own ownership away or disable themselves.

use crate::api::{self, Method};
use crate::components::forms::{CopyButton, Status, StatusLine, run};
use crate::components::layout::{ErrorBox, me};
use crate::dto::{InviteLink, NewInvite, PendingInvite, ProjectInfo, UserInfo, UserUpdate};
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let users = Resource::new(move || version.get(), |_| api::get::<Vec<UserInfo>>("/api/0/users/"));
    let invites = Resource::new(move || version.get(), |_| api::get::<Vec<PendingInvite>>("/api/0/invites/"));
    let me = me().expect("the users page is a signed-in page");
    let status = RwSignal::new(Status::Idle);
    view! {
        <Title text="Users · Faultline"/>
        <section class="page">
            <header class="page-header"><h1>"Users"</h1></header>
            <Invite version/>
            <section class="card pending-invites">
                <h2>"Invite links not used yet"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match invites.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"None: every link was used, revoked or has expired."</p> }.into_any(),
                            Ok(list) => view! {
                                <table class="list">
                                    <thead><tr><th>"For"</th><th>"Made by"</th><th>"Expires"</th><th>"Actions"</th></tr></thead>
                                    <tbody>{list.into_iter().map(|invite| view! { <PendingRow invite version status/> }).collect_view()}</tbody>
                                </table>
                            }
                                .into_any(),
                            Err(err) => view! { <ErrorBox err/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="card">
                <h2>"Accounts"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let me = me.await.map(|me| me.id).unwrap_or_default();
                        match users.await {
                            Ok(list) => view! {
                                <table class="list">
                                    <thead><tr><th>"Email"</th><th>"Owner"</th><th>"Status"</th><th>"Actions"</th></tr></thead>
                                    <tbody>{list.into_iter().map(|user| {
                                        let is_me = user.id == me;
                                        view! { <UserRow user is_me version status/> }
                                    }).collect_view()}</tbody>
                                </table>
                            }
                                .into_any(),
                            Err(err) => view! { <ErrorBox err/> }.into_any(),
                        }
                    })}
                </Suspense>
                <StatusLine status/>
            </section>
        </section>
    }
}

/// An invite link not used yet: whom it is for, and its Revoke button.
#[component]
fn PendingRow(invite: PendingInvite, version: RwSignal<u32>, status: RwSignal<Status>) -> impl IntoView {
    let path = format!("/api/0/invites/{}/", invite.id);
    let revoke = move |_| {
        let path = path.clone();
        run(status, async move { api::send::<_, ()>(Method::Delete, &path, &()).await }, move |_| {
            version.update(|v| *v += 1)
        });
    };
    let made_for = match (invite.project_name, invite.role) {
        (Some(project), Some(role)) => format!("{role} of {project}"),
        _ => "an account, no project".to_owned(),
    };
    view! {
        <tr class="invite-row">
            <td>{made_for}</td>
            <td>{invite.created_by}</td>
            <td title=invite.expires_at.to_rfc3339()>{invite.expires_at.format("%b %e, %H:%M UTC").to_string()}</td>
            <td class="actions"><button type="button" class="link" on:click=revoke>"Revoke"</button></td>
        </tr>
    }
}

/// A user; the signed-in owner's own row offers nothing that would lock them out.
#[component]
fn UserRow(user: UserInfo, is_me: bool, version: RwSignal<u32>, status: RwSignal<Status>) -> impl IntoView {
    let path = format!("/api/0/users/{}/", user.id);
    let update = move |change: UserUpdate| {
        let path = path.clone();
        run(status, async move { api::send::<_, UserInfo>(Method::Patch, &path, &change).await }, move |_| {
            version.update(|v| *v += 1)
        });
    };
    let toggle_owner = {
        let update = update.clone();
        move |_| update(UserUpdate { is_owner: Some(!user.is_owner), disabled: None })
    };
    let toggle_disabled = move |_| update(UserUpdate { is_owner: None, disabled: Some(!user.disabled) });
    view! {
        <tr class="user-row">
            <td>{user.email}{is_me.then_some(" (you)")}</td>
            <td>{if user.is_owner { "owner" } else { "" }}</td>
            <td>{if user.disabled { "disabled" } else { "active" }}</td>
            <td class="actions">
                <Show when=move || !is_me fallback=|| view! { <span class="placeholder">"Another owner can change your account"</span> }>
                    <button type="button" class="link" on:click=toggle_owner.clone()>{if user.is_owner { "Remove owner" } else { "Make owner" }}</button>
                    <button type="button" class="link" on:click=toggle_disabled.clone()>{if user.disabled { "Enable" } else { "Disable" }}</button>
                </Show>
            </td>
        </tr>
    }
}

#[component]
fn Invite(version: RwSignal<u32>) -> impl IntoView {
    let projects = Resource::new(|| (), |_| api::get::<Vec<ProjectInfo>>("/api/0/projects/"));
    let project = RwSignal::new(None::<i64>);
    let role = RwSignal::new(Role::Member);
    let link = RwSignal::new(None::<InviteLink>);
    let status = RwSignal::new(Status::Idle);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let invite = NewInvite { project_id: project.get_untracked(), role: Some(role.get_untracked()) };
        run(
            status,
            async move { api::send::<_, InviteLink>(Method::Post, "/api/0/invites/", &invite).await },
            move |answer| {
                link.set(Some(answer));
                version.update(|v| *v += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h2>"Invite a teammate"</h2>
            <p class="muted">"Creates a one-time link, valid for a week. Send it to your teammate yourself."</p>
            <form method="post" class="inline" on:submit=create>
                <label class="field">
                    <span>"Project"</span>
                    <select name="invite-project" on:change=move |ev| project.set(event_target_value(&ev).parse().ok())>
                        <option value="">"No project yet"</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                projects.await.unwrap_or_default().into_iter()
                                    .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
                                    .collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label class="field">
                    <span>"Role"</span>
                    <select name="invite-role" on:change=move |ev| {
                        if let Some(next) = Role::parse(&event_target_value(&ev)) {
                            role.set(next);
                        }
                    }>
                        {Role::ALL.into_iter().map(|option| view! { <option value=option.as_str() selected=option == Role::Member>{option.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">"Create invite link"</button>
            </form>
            {move || link.get().map(|link| view! {
                <div class="secret" role="status">
                    <code class="invite-url">{link.url.clone()}</code>
                    <CopyButton text=link.url/>
                </div>
            })}
            <StatusLine status/>
        </section>
    }
}
