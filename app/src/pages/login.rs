//! Signing in, the first-run setup, and accepting an invite: the pages one sees signed out.

use crate::api::{self, Method};
use crate::components::forms::{Field, Status, StatusLine, go_to, run};
use crate::components::layout::ErrorBox;
use crate::dto::{Credentials, CurrentUser, InviteInfo, OwnerSetup, SetupState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// An email-and-password form that posts to `endpoint` and then opens `next`; with
/// `setup_token`, it asks for the server's setup token too and sends an [`OwnerSetup`].
#[component]
fn CredentialsForm(
    endpoint: String,
    button: &'static str,
    #[prop(into)] next: String,
    #[prop(default = "Password")] password_label: &'static str,
    #[prop(optional)] setup_token: bool,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = RwSignal::new(Status::Idle);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let credentials = Credentials { email: email.get_untracked(), password: password.get_untracked() };
        let endpoint = endpoint.clone();
        let request = async move {
            if setup_token {
                let Credentials { email, password } = credentials;
                let owner = OwnerSetup { setup_token: token.get_untracked(), email, password };
                api::send::<_, CurrentUser>(Method::Post, &endpoint, &owner).await
            } else {
                api::send::<_, CurrentUser>(Method::Post, &endpoint, &credentials).await
            }
        };
        let next = next.clone();
        run(status, request, move |_| go_to(&next));
    };
    view! {
        <form method="post" on:submit=submit>
            {setup_token.then(|| view! { <Field label="Setup token" value=token name="setup-token"/> })}
            <Field label="Email" value=email kind="email" name="email"/>
            <Field label=password_label value=password kind="password" name="password"/>
            <button type="submit" class="primary">{button}</button>
            <StatusLine status/>
        </form>
    }
}

/// Where signing in goes on: the `next` the sign-in link carries when it is a path of this
/// site, else the issue list. `//host`, `/\host` and absolute URLs would leave the site.
fn safe_next(next: Option<&str>) -> String {
    next.filter(|next| {
        next.starts_with('/')
            && !next.starts_with("//")
            && !next.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    })
    .unwrap_or("/")
    .to_owned()
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| api::get::<SetupState>("/api/0/auth/setup"));
    let next = StoredValue::new(use_query_map().with_untracked(|query| safe_next(query.get_str("next"))));
    view! {
        <Title text="Sign in · Faultline"/>
        <main>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(SetupState { needs_setup: true }) => view! { <Redirect path="/setup"/> }.into_any(),
                    _ => view! {
                        <section class="card narrow">
                            <h1>"Sign in to Faultline"</h1>
                            <CredentialsForm endpoint="/api/0/auth/login".to_owned() button="Sign in" next=next.get_value()/>
                        </section>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
        </main>
    }
}

/// The first run: creates the instance owner.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| api::get::<SetupState>("/api/0/auth/setup"));
    view! {
        <Title text="Set up · Faultline"/>
        <main>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(SetupState { needs_setup: false }) => view! { <Redirect path="/login"/> }.into_any(),
                    _ => view! {
                        <section class="card narrow">
                            <h1>"Welcome to Faultline"</h1>
                            <p class="muted">
                                "Create the owner account of this instance. You can invite your team next. "
                                "The setup token is in the server's output, printed when it started."
                            </p>
                            <CredentialsForm
                                setup_token=true
                                endpoint="/api/0/auth/setup".to_owned()
                                button="Create owner account"
                                next="/projects"
                                password_label="Password (8 characters or more)"
                            />
                        </section>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
        </main>
    }
}

/// A teammate's invite link: creates their account.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let invite =
        Resource::new(token, |token| async move { api::get::<InviteInfo>(&format!("/api/0/invites/{token}")).await });
    view! {
        <Title text="Join · Faultline"/>
        <main>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match invite.await {
                    Ok(info) => view! {
                        <section class="card narrow">
                            <h1>"Join Faultline"</h1>
                            <p class="muted">
                                {match (info.project_name, info.role) {
                                    (Some(project), Some(role)) => format!("You are invited to {project} as {role}."),
                                    _ => "You are invited to this Faultline instance.".to_owned(),
                                }}
                            </p>
                            <CredentialsForm
                                endpoint=format!("/api/0/invites/{}/accept", token())
                                button="Create account"
                                next="/"
                                password_label="Password (8 characters or more)"
                            />
                        </section>
                    }
                        .into_any(),
                    Err(err) => view! {
                        <section class="card narrow">
                            <h1>"Join Faultline"</h1>
                            <ErrorBox err/>
                            <p><a href="/login">"Sign in"</a></p>
                        </section>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn signing_in_goes_on_only_to_paths_of_this_site() {
        assert_eq!(safe_next(Some("/issues/12?event=abc")), "/issues/12?event=abc");
        assert_eq!(safe_next(Some("/projects")), "/projects");
        for away in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\t/evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(away)), "/", "{away:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
