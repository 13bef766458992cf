//! *Connect your app*: for a project that has never received an event, pick the platform, copy
//! the command that installs its Sentry SDK and the code that starts it with the project's DSN,
//! and watch for the first event, which turns into a link to its issue the moment it arrives.

use crate::api;
use crate::components::forms::CopyButton;
use crate::dto::{IssueCount, KeyInfo, ProjectInfo};
use crate::model::IssueSummary;
use crate::platform::{self, PLATFORMS};
use leptos::prelude::*;

/// How one platform's SDK is set up: what installs it and the code that starts it.
struct Guide {
    install: &'static str,
    code: String,
}

/// The setup of the platform's SDK (the generic one for a platform without its own) with `dsn`.
fn guide(platform: &str, dsn: &str) -> Guide {
    let python = |install, before: &str, after: &str| Guide {
        install,
        code: format!("import sentry_sdk\n{before}\nsentry_sdk.init(dsn=\"{dsn}\")\n{after}"),
    };
    let javascript = |package: &'static str, install| Guide {
        install,
        code: format!("import * as Sentry from \"{package}\";\n\nSentry.init({{ dsn: \"{dsn}\" }});"),
    };
    match platform {
        "python" => python("pip install sentry-sdk", "", ""),
        "python-django" => Guide {
            install: "pip install \"sentry-sdk[django]\"",
            code: format!("# settings.py\nimport sentry_sdk\n\nsentry_sdk.init(dsn=\"{dsn}\")"),
        },
        "python-flask" => {
            python("pip install \"sentry-sdk[flask]\"", "from flask import Flask\n", "\napp = Flask(__name__)")
        }
        "python-fastapi" => {
            python("pip install \"sentry-sdk[fastapi]\"", "from fastapi import FastAPI\n", "\napp = FastAPI()")
        }
        "node" => Guide {
            install: "npm install @sentry/node",
            code: format!(
                "// instrument.js, loaded before anything else: node --require ./instrument.js app.js\n\
                 const Sentry = require(\"@sentry/node\");\n\nSentry.init({{ dsn: \"{dsn}\" }});\n\n\
                 // With Express, after the last route:\n// Sentry.setupExpressErrorHandler(app);"
            ),
        },
        "javascript" => javascript("@sentry/browser", "npm install @sentry/browser"),
        "javascript-react" => javascript("@sentry/react", "npm install @sentry/react"),
        "rust" => Guide {
            install: "cargo add sentry",
            code: format!(
                "fn main() {{\n    let _guard = sentry::init((\n        \"{dsn}\",\n        \
                 sentry::ClientOptions {{ release: sentry::release_name!(), ..Default::default() }},\n    ));\n    \
                 // Panics and sentry::capture_error reach Faultline while _guard lives.\n}}"
            ),
        },
        "go" => Guide {
            install: "go get github.com/getsentry/sentry-go",
            code: format!(
                "import (\n\t\"log\"\n\t\"time\"\n\n\t\"github.com/getsentry/sentry-go\"\n)\n\nfunc main() {{\n\t\
                 if err := sentry.Init(sentry.ClientOptions{{Dsn: \"{dsn}\"}}); err != nil {{\n\t\t\
                 log.Fatalf(\"sentry.Init: %s\", err)\n\t}}\n\tdefer sentry.Flush(2 * time.Second)\n}}"
            ),
        },
        "java" => Guide {
            install: "// build.gradle\nimplementation 'io.sentry:sentry:8.+'",
            code: format!("import io.sentry.Sentry;\n\nSentry.init(options -> options.setDsn(\"{dsn}\"));"),
        },
        "dotnet" => Guide {
            install: "dotnet add package Sentry",
            code: format!("using Sentry;\n\nusing var sentry = SentrySdk.Init(options => options.Dsn = \"{dsn}\");"),
        },
        "php" => {
            Guide { install: "composer require sentry/sentry", code: format!("\\Sentry\\init(['dsn' => '{dsn}']);") }
        }
        "ruby" => Guide {
            install: "bundle add sentry-ruby",
            code: format!("require \"sentry-ruby\"\n\nSentry.init do |config|\n  config.dsn = \"{dsn}\"\nend"),
        },
        _ => Guide {
            install: "# Every official Sentry SDK works: https://docs.sentry.io/platforms/",
            code: format!(
                "# Most Sentry SDKs read their DSN from the environment:\nexport SENTRY_DSN=\"{dsn}\"{}",
                test_event(dsn)
                    .map(|curl| format!("\n\n# Or send a test event from a shell:\n{curl}"))
                    .unwrap_or_default()
            ),
        },
    }
}

/// A `curl` command that sends one message to the DSN's project through the store endpoint.
fn test_event(dsn: &str) -> Option<String> {
    let (scheme, rest) = dsn.split_once("://")?;
    let (key, rest) = rest.split_once('@')?;
    let (host, project) = rest.rsplit_once('/')?;
    Some(format!(
        "curl -H 'content-type: application/json' -d '{{\"message\": \"Hello from curl\"}}' \\\n  \
         '{scheme}://{host}/api/{project}/store/?sentry_version=7&sentry_key={key}'"
    ))
}

/// Shown instead of an empty list while none of `scope`'s projects (the list's one, or every
/// one the user sees when it is `None`) has received an event. Asked in the browser only: the
/// page around it renders without waiting for it.
#[component]
pub fn ConnectIfNew(scope: Option<i64>) -> impl IntoView {
    // Filled by an effect, which runs in the browser only.
    let waiting = RwSignal::new(Vec::<ProjectInfo>::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            match new_projects(scope).await {
                Ok(projects) => _ = waiting.try_set(projects),
                Err(err) => leptos::logging::warn!("could not tell whether events arrived: {err}"),
            }
        });
    });
    move || {
        let projects = waiting.get();
        (!projects.is_empty()).then(|| view! { <ConnectPanel projects/> })
    }
}

/// The projects of `scope` when none of them has an issue yet; none otherwise.
async fn new_projects(scope: Option<i64>) -> Result<Vec<ProjectInfo>, api::AppError> {
    let scope_query = scope.map(|id| format!("&project={id}")).unwrap_or_default();
    if api::get::<IssueCount>(&format!("/api/0/issues/count/?query={scope_query}")).await?.count > 0 {
        return Ok(Vec::new());
    }
    let projects = api::get::<Vec<ProjectInfo>>("/api/0/projects/").await?;
    Ok(projects.into_iter().filter(|project| scope.is_none_or(|id| id == project.id)).collect())
}

/// The guide for one of `projects` (a choice when there are several), waiting for their first
/// event.
#[component]
pub fn ConnectPanel(projects: Vec<ProjectInfo>) -> impl IntoView {
    let first = projects.first().cloned();
    let project = RwSignal::new(first.as_ref().map(|project| project.id).unwrap_or_default());
    let chosen = RwSignal::new(first.map(|project| project.platform).unwrap_or_else(|| "python".to_owned()));
    let keys = LocalResource::new(move || {
        let id = project.get();
        async move { api::get::<Vec<KeyInfo>>(&format!("/api/0/projects/{id}/keys/")).await }
    });
    let arrived = RwSignal::new(None::<IssueSummary>);
    let ids: Vec<i64> = projects.iter().map(|project| project.id).collect();
    follow_first_event(ids, arrived);
    let choose_project = {
        let projects = projects.clone();
        move |ev: leptos::ev::Event| {
            let id = event_target_value(&ev).parse().unwrap_or_default();
            if let Some(picked) = projects.iter().find(|project| project.id == id) {
                project.set(id);
                chosen.set(picked.platform.clone());
            }
        }
    };
    view! {
        <section class="card connect" aria-labelledby="connect-heading">
            <h2 id="connect-heading">"Connect your app"</h2>
            {(projects.len() > 1).then(|| view! {
                <label class="field">
                    <span>"Project"</span>
                    <select name="connect-project" on:change=choose_project>
                        {projects.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
            })}
            <div class="platforms" role="group" aria-label="Platform">
                {PLATFORMS.into_iter().map(|(id, name)| view! {
                    <button type="button" class="platform" aria-pressed=move || (chosen.get() == id).to_string()
                        on:click=move |_| chosen.set(id.to_owned())>
                        {name}
                    </button>
                }).collect_view()}
            </div>
            {move || {
                let dsn = keys.with(|loaded| {
                    loaded.as_ref()?.as_ref().ok().map(|keys| keys.iter().find(|key| key.active).map(|key| key.dsn.clone()))
                })?;
                Some(match dsn {
                    Some(dsn) => view! { <Steps platform=chosen.into() dsn/> }.into_any(),
                    None => view! {
                        <p class="muted">"This project has no active DSN key: an admin adds one under DSN keys on its page."</p>
                    }.into_any(),
                })
            }}
            <FirstEvent arrived/>
        </section>
    }
}

/// Install, then start: the platform's two steps with this DSN, each with a copy button (also
/// under each DSN key of a project's page).
#[component]
pub fn Steps(platform: Signal<String>, dsn: String) -> impl IntoView {
    let shown = Memo::new(move |_| {
        let Guide { install, code } = platform.with(|platform| guide(platform, &dsn));
        (install.to_owned(), code)
    });
    let install = Signal::derive(move || shown.with(|(install, _)| install.clone()));
    let code = Signal::derive(move || shown.with(|(_, code)| code.clone()));
    view! {
        <ol class="steps">
            <li>
                <h3>{move || format!("Install the {} SDK", platform.with(|id| platform::name(id).to_owned()))}</h3>
                <pre class="install"><code>{install}</code></pre>
                <CopyButton text=install/>
            </li>
            <li>
                <h3>"Start it with this project's DSN"</h3>
                <pre class="init"><code>{code}</code></pre>
                <CopyButton text=code/>
            </li>
        </ol>
    }
}

/// "Waiting for your first event…", then a link to its issue.
#[component]
fn FirstEvent(arrived: RwSignal<Option<IssueSummary>>) -> impl IntoView {
    move || match arrived.get() {
        None => view! {
            <p class="first-event waiting" role="status">
                <span class="pulse" aria-hidden="true"></span>
                "Waiting for your first event…"
            </p>
        }
        .into_any(),
        Some(issue) => view! {
            <p class="first-event arrived" role="status">
                "Your first event arrived: "
                <a href=format!("/issues/{}", issue.id)>{issue.title}</a>
            </p>
        }
        .into_any(),
    }
}

/// Sets `arrived` to the first issue of one of `projects`, heard over the live socket; after
/// every (re)connection it asks, in case the event came while the socket was down.
#[cfg_attr(not(feature = "hydrate"), expect(unused_variables, reason = "only the browser listens"))]
fn follow_first_event(projects: Vec<i64>, arrived: RwSignal<Option<IssueSummary>>) {
    #[cfg(feature = "hydrate")]
    {
        use crate::components::live_badge::LiveStatus;
        use crate::live::LiveChange;
        use crate::live_client::Heard;
        let status = RwSignal::new(LiveStatus::Connecting);
        let scope = match projects.as_slice() {
            [only] => format!("&project={only}"),
            _ => String::new(),
        };
        let watched = projects.clone();
        crate::live_client::follow(status, move |heard| match heard {
            Heard::Change(LiveChange::IssueCreated { issue }) if watched.contains(&issue.project_id) => {
                first_of(arrived, issue);
            }
            Heard::Missed => {
                let path = format!("/api/0/issues/?query={scope}");
                let projects = projects.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(list) = api::get::<Vec<IssueSummary>>(&path).await
                        && let Some(issue) = list.into_iter().find(|issue| projects.contains(&issue.project_id))
                    {
                        first_of(arrived, issue);
                    }
                });
            }
            Heard::Change(_) => {}
        });
    }
}

/// Keeps the first issue that arrived: a later one does not replace its link.
#[cfg(feature = "hydrate")]
fn first_of(arrived: RwSignal<Option<IssueSummary>>, issue: IssueSummary) {
    arrived.try_update(|first| _ = first.get_or_insert(issue));
}
