//! The signed-in user's own settings: their password, the emails they want and their API tokens.

use crate::alerts::NotificationSettings;
use crate::api::{self, Method};
use crate::components::forms::{CopyButton, Field, Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::dto::{CreatedToken, NewToken, PasswordChange, TokenInfo};
use crate::model::Scope;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account · Faultline"/>
        <section class="page">
            <header class="page-header"><h1>"Your account"</h1></header>
            <PasswordForm/>
            <Notifications/>
            <Tokens/>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let next = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = PasswordChange { current_password: current.get_untracked(), new_password: next.get_untracked() };
        run(
            status,
            async move { api::send::<_, ()>(Method::Post, "/api/0/auth/password", &change).await },
            move |_| {
                current.set(String::new());
                next.set(String::new());
                status.set(Status::Done("Password changed; your other sessions were signed out.".to_owned()));
            },
        );
    };
    view! {
        <section class="card">
            <h2>"Password"</h2>
            <form method="post" on:submit=submit>
                <Field label="Current password" value=current kind="password" name="current-password"/>
                <Field label="New password (8 characters or more)" value=next kind="password" name="new-password"/>
                <button type="submit" class="primary">"Change password"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}

/// Which personal emails the user gets: issues assigned to them, comments on those.
#[component]
fn Notifications() -> impl IntoView {
    const PATH: &str = "/api/0/auth/notifications";
    let settings = RwSignal::new(None::<NotificationSettings>);
    let status = RwSignal::new(Status::Idle);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(loaded) = api::get::<NotificationSettings>(PATH).await {
                settings.try_set(Some(loaded));
            }
        });
    });
    let choose = move |change: fn(&mut NotificationSettings, bool), on: bool| {
        let Some(mut wanted) = settings.get_untracked() else { return };
        change(&mut wanted, on);
        run(
            status,
            async move { api::send::<_, NotificationSettings>(Method::Put, PATH, &wanted).await },
            move |saved| {
                settings.set(Some(saved));
                status.set(Status::Done("Saved.".to_owned()));
            },
        );
    };
    let check = move |label: &'static str, name: &'static str, read: fn(&NotificationSettings) -> bool, change| {
        view! {
            <label class="check">
                <input
                    type="checkbox"
                    name=name
                    prop:disabled=move || settings.get().is_none()
                    prop:checked=move || settings.get().as_ref().is_some_and(read)
                    on:change=move |ev| choose(change, event_target_checked(&ev))
                />
                {label}
            </label>
        }
    };
    view! {
        <section class="card notifications">
            <h2>"Email me"</h2>
            {check("when someone assigns an issue to me", "notify-assigned", |s| s.assigned, |s, on| s.assigned = on)}
            {check("when someone comments on an issue assigned to me", "notify-comments", |s| s.comments, |s, on| s.comments = on)}
            <p class="muted">"A project's alerts: tick “Email me this project’s alerts” on its page."</p>
            <StatusLine status/>
        </section>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let tokens = Resource::new(move || version.get(), |_| api::get::<Vec<TokenInfo>>("/api/0/tokens/"));
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(Scope::Read);
    let created = RwSignal::new(None::<String>);
    let status = RwSignal::new(Status::Idle);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = NewToken { name: name.get_untracked(), scope: scope.get_untracked() };
        run(
            status,
            async move { api::send::<_, CreatedToken>(Method::Post, "/api/0/tokens/", &token).await },
            move |answer| {
                created.set(Some(answer.token));
                name.set(String::new());
                version.update(|v| *v += 1);
            },
        );
    };
    view! {
        <section class="card">
            <h2>"API tokens"</h2>
            <p class="muted">"For scripts and CI: send `Authorization: Bearer <token>`. A token acts as you, never beyond its scope: read, write (triage) or admin."</p>
            {move || created.get().map(|token| view! {
                <div class="secret" role="status">
                    <p>"Your new token. Copy it now: it is not shown again."</p>
                    <code class="token-value">{token.clone()}</code>
                    <CopyButton text=token/>
                </div>
            })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) => view! {
                            <table class="list">
                                <tbody>
                                    {list.into_iter().map(|token| view! { <TokenRow token version status/> }).collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any(),
                        Err(err) => view! { <ErrorBox err/> }.into_any(),
                    }
                })}
            </Suspense>
            <form method="post" class="inline" on:submit=create>
                <Field label="Token name" value=name name="token-name"/>
                <label class="field">
                    <span>"Scope"</span>
                    <select name="scope" on:change=move |ev| {
                        if let Some(next) = Scope::parse(&event_target_value(&ev)) {
                            scope.set(next);
                        }
                    }>
                        {Scope::ALL.into_iter().map(|option| view! { <option value=option.as_str()>{option.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Create token"</button>
            </form>
            <StatusLine status/>
        </section>
    }
}

#[component]
fn TokenRow(token: TokenInfo, version: RwSignal<u32>, status: RwSignal<Status>) -> impl IntoView {
    let path = format!("/api/0/tokens/{}/", token.id);
    let revoke = move |_| {
        let path = path.clone();
        run(status, async move { api::send::<_, ()>(Method::Delete, &path, &()).await }, move |_| {
            version.update(|v| *v += 1)
        });
    };
    view! {
        <tr class="token-row">
            <td>{token.name}</td>
            <td><code>{format!("{}…", token.prefix)}</code></td>
            <td><span class="role">{token.scope.as_str()}</span></td>
            <td><button type="button" class="link" on:click=revoke>"Revoke"</button></td>
        </tr>
    }
}
