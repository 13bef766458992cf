//! A project's alert channels: each with its latest deliveries (live), a test send, and for
//! admins a form to change its name, URL or hourly cap; and the form that adds one.

use super::{AlertsState, DeleteButton};
use crate::alerts::{
    ChannelInfo, ChannelKind, ChannelUpdate, CreatedChannel, DEFAULT_HOURLY_CAP, Delivery, NewChannel,
};
use crate::api::{self, Method};
use crate::components::forms::{Field, Status, StatusLine, run};
use crate::model::{now, time_ago};
use crate::pages::issue::alerts::describe;
use leptos::prelude::*;

#[component]
pub(super) fn Channel(channel: ChannelInfo, state: AlertsState, is_admin: bool) -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let id = channel.id;
    let test = move |_| {
        let path = format!("/api/0/projects/{}/alert-channels/{id}/test/", state.project);
        run(status, async move { api::send::<_, Delivery>(Method::Post, &path, &()).await }, move |delivery| {
            let outcome = match (&delivery.error, delivery.status_code) {
                (None, code) => {
                    format!("Sent: the receiver answered {}.", code.map_or("".to_owned(), |c| c.to_string()))
                }
                (Some(error), _) => format!("Not sent: {error}."),
            };
            status.set(if delivery.error.is_none() { Status::Done(outcome) } else { Status::Failed(outcome) });
            state.delivered(delivery);
        });
    };
    let editing = RwSignal::new(false);
    let clock = now();
    let edited = channel.clone();
    view! {
        <li class="channel" data-kind=channel.kind.as_str()>
            <div class="channel-head">
                <strong>{channel.name.clone()}</strong>
                <span class="badge">{kind_name(channel.kind)}</span>
                {(!channel.url.is_empty()).then(|| view! { <code class="muted">{channel.url.clone()}</code> })}
                <span class="muted">{format!("at most {} an hour", channel.hourly_cap)}</span>
                {channel.failing.clone().map(|failing| view! {
                    <span class="badge failing" title=failing.error.clone()>{format!("failing since {}", time_ago(failing.since, clock))}</span>
                })}
                <Show when=move || is_admin>
                    <button type="button" class="send-test" on:click=test>"Send test"</button>
                    <button type="button" class="link edit" on:click=move |_| editing.update(|on| *on = !*on)>"Edit"</button>
                    <DeleteButton
                        what="channel and its delivery log"
                        path=format!("/api/0/projects/{}/alert-channels/{id}/", state.project)
                        status
                        state
                    />
                </Show>
            </div>
            <Show when=move || editing.get()>
                <EditChannel channel=edited.clone() state editing/>
            </Show>
            <StatusLine status/>
            <ul class="delivery-list">
                {move || state.deliveries.with(|all| all.get(&id).cloned().unwrap_or_default()).into_iter().map(|delivery| {
                    let what = match &delivery.rule {
                        Some(rule) => format!("{rule} · {}", delivery.trigger),
                        None => delivery.trigger.clone(),
                    };
                    view! {
                        <li class="delivery-row" data-state=delivery.state.as_str() data-trigger=delivery.trigger.clone()>
                            <span class="what">{what}</span>
                            " "
                            <span class="outcome">{describe(&delivery)}</span>
                            {delivery.latency_ms.map(|ms| view! { <span class="muted">{format!(" in {ms} ms")}</span> })}
                            <span class="when muted">{format!(" · {}", time_ago(delivery.attempted_at.unwrap_or(delivery.created_at), clock))}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

/// Changes a channel's name, URL or hourly cap. A webhook's saved URL is a secret and shown
/// masked: left empty, it stays.
#[component]
fn EditChannel(channel: ChannelInfo, state: AlertsState, editing: RwSignal<bool>) -> impl IntoView {
    let email = channel.kind == ChannelKind::Email;
    let name = RwSignal::new(channel.name.clone());
    let url = RwSignal::new(if email { channel.url.clone() } else { String::new() });
    let cap = RwSignal::new(channel.hourly_cap.to_string());
    let status = RwSignal::new(Status::Idle);
    let path = format!("/api/0/projects/{}/alert-channels/{}/", state.project, channel.id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(hourly_cap) = cap.get_untracked().trim().parse::<u32>() else {
            status.set(Status::Failed("The hourly cap is a number of deliveries.".to_owned()));
            return;
        };
        let url = url.get_untracked();
        let update = ChannelUpdate {
            name: Some(name.get_untracked()),
            url: (!url.trim().is_empty()).then_some(url),
            hourly_cap: Some(hourly_cap),
        };
        let path = path.clone();
        run(status, async move { api::send::<_, ChannelInfo>(Method::Patch, &path, &update).await }, move |_| {
            editing.set(false);
            state.reload();
        });
    };
    view! {
        <form method="post" class="inline edit-channel" on:submit=save>
            <Field label="Channel name" value=name name="channel-name"/>
            {match channel.kind {
                ChannelKind::Members => ().into_any(),
                ChannelKind::Email => view! { <Field label="Email addresses" value=url name="channel-url"/> }.into_any(),
                _ => view! { <Field label="New webhook URL (empty keeps it)" value=url kind="url" name="channel-url"/> }.into_any(),
            }}
            <Field label="At most per hour" value=cap kind="number" name="channel-cap"/>
            <button type="submit">"Save"</button>
            <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
        </form>
        <StatusLine status/>
    }
}

fn kind_name(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Slack => "Slack",
        ChannelKind::Mattermost => "Mattermost",
        ChannelKind::Discord => "Discord",
        ChannelKind::Teams => "Microsoft Teams",
        ChannelKind::Webhook => "Webhook",
        ChannelKind::Email => "Email",
        ChannelKind::Members => "Members who opted in",
    }
}

#[component]
pub(super) fn NewChannelForm(state: AlertsState) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(ChannelKind::Slack);
    let url = RwSignal::new(String::new());
    let cap = RwSignal::new(DEFAULT_HOURLY_CAP.to_string());
    let status = RwSignal::new(Status::Idle);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(hourly_cap) = cap.get_untracked().trim().parse::<u32>() else {
            status.set(Status::Failed("The hourly cap is a number of deliveries.".to_owned()));
            return;
        };
        let kind = kind.get_untracked();
        let channel = NewChannel {
            name: name.get_untracked(),
            kind,
            url: if kind == ChannelKind::Members { String::new() } else { url.get_untracked() },
            secret: None,
            hourly_cap,
        };
        let path = format!("/api/0/projects/{}/alert-channels/", state.project);
        run(
            status,
            async move { api::send::<_, CreatedChannel>(Method::Post, &path, &channel).await },
            move |created| {
                name.set(String::new());
                url.set(String::new());
                status.set(Status::Done(match created.secret {
                    Some(secret) => format!("Added. Its signing secret, shown this once: {secret}"),
                    None => "Added.".to_owned(),
                }));
                state.reload();
            },
        );
    };
    view! {
        <form method="post" class="inline new-channel" on:submit=add>
            <Field label="Channel name" value=name name="channel-name" placeholder="#payments"/>
            <label class="field">
                <span>"Kind"</span>
                <select name="channel-kind" on:change=move |ev| {
                    if let Some(picked) = ChannelKind::parse(&event_target_value(&ev)) {
                        kind.set(picked);
                    }
                }>
                    {ChannelKind::ALL
                        .into_iter()
                        .map(|option| view! { <option value=option.as_str() selected=move || kind.get() == option>{kind_name(option)}</option> })
                        .collect_view()}
                </select>
            </label>
            {move || match kind.get() {
                ChannelKind::Members => view! {
                    <p class="muted members-note">"Emails each member who chose “Email me this project’s alerts”."</p>
                }
                    .into_any(),
                ChannelKind::Email => view! {
                    <Field label="Email addresses" value=url name="channel-url" placeholder="ops@example.com, dev@example.com"/>
                }
                    .into_any(),
                _ => view! { <Field label="Webhook URL" value=url kind="url" name="channel-url"/> }.into_any(),
            }}
            <Field label="At most per hour" value=cap kind="number" name="channel-cap"/>
            <button type="submit">"Add channel"</button>
        </form>
        <StatusLine status/>
    }
}
