//! A project's alerts: its [`channels`] (where notifications go — add one, change it, send it a
//! test, see its latest deliveries live, delete it) and its [`rules`] (what fires, for which
//! events, how often at most; add or change one in the [`rule_form`], which previews it, turn one
//! off or delete it). Members see them; admins change them. Loaded in the browser once the page is
//! hydrated, so the server-rendered page does not wait for them.

mod channels;
mod rule_form;
mod rules;

use crate::alerts::{AlertSubscription, ChannelInfo, Delivery, RuleInfo};
use crate::api::{self, AppError, Method};
use crate::components::forms::{Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::pages::issue::alerts::upsert;
use channels::{Channel, NewChannelForm};
use leptos::prelude::*;
use rule_form::RuleForm;
use rules::Rule;
use std::collections::BTreeMap;

/// Deliveries each channel shows.
const SHOWN: usize = 5;

/// What the section holds and the live socket updates.
#[derive(Clone, Copy)]
struct AlertsState {
    project: i64,
    channels: RwSignal<Option<Result<Vec<ChannelInfo>, AppError>>>,
    rules: RwSignal<Option<Result<Vec<RuleInfo>, AppError>>>,
    /// Per channel, its latest deliveries, newest first.
    deliveries: RwSignal<BTreeMap<i64, Vec<Delivery>>>,
}

impl AlertsState {
    /// Loads channels, rules and each channel's deliveries again.
    fn reload(self) {
        leptos::task::spawn_local(async move {
            let project = self.project;
            let channels = api::get::<Vec<ChannelInfo>>(&format!("/api/0/projects/{project}/alert-channels/")).await;
            let mut deliveries = BTreeMap::new();
            for channel in channels.iter().flatten() {
                let path = format!("/api/0/projects/{project}/alert-channels/{}/deliveries/", channel.id);
                if let Ok(mut list) = api::get::<Vec<Delivery>>(&path).await {
                    list.truncate(SHOWN);
                    deliveries.insert(channel.id, list);
                }
            }
            let rules = api::get::<Vec<RuleInfo>>(&format!("/api/0/projects/{project}/alert-rules/")).await;
            self.deliveries.try_set(deliveries);
            self.channels.try_set(Some(channels));
            self.rules.try_set(Some(rules));
        });
    }

    fn delivered(self, delivery: Delivery) {
        self.deliveries.update(|all| {
            let list = all.entry(delivery.channel_id).or_default();
            upsert(list, delivery);
            list.truncate(SHOWN);
        });
    }

    fn channel_names(self) -> Vec<(i64, String)> {
        self.channels.with(|loaded| match loaded {
            Some(Ok(list)) => list.iter().map(|channel| (channel.id, channel.name.clone())).collect(),
            _ => Vec::new(),
        })
    }
}

#[component]
pub fn Alerts(project: i64, is_admin: bool) -> impl IntoView {
    let state = AlertsState {
        project,
        channels: RwSignal::new(None),
        rules: RwSignal::new(None),
        deliveries: RwSignal::new(BTreeMap::new()),
    };
    Effect::new(move |_| {
        state.reload();
        #[cfg(feature = "hydrate")]
        {
            use crate::components::live_badge::LiveStatus;
            use crate::live::LiveChange;
            use crate::live_client::{Heard, follow};
            follow(RwSignal::new(LiveStatus::Connecting), move |heard| match heard {
                Heard::Missed => state.reload(),
                Heard::Change(LiveChange::DeliveryChanged { delivery }) if delivery.project_id == project => {
                    state.delivered(*delivery)
                }
                Heard::Change(_) => {}
            });
        }
    });
    view! {
        <section class="card alerts">
            <h2>"Alerts"</h2>
            <p class="muted">"Rules tell channels when an issue is new, comes back, escalates, gets busy or is left alone."</p>
            <Subscription project/>
            <h3>"Channels"</h3>
            {move || match state.channels.get() {
                None => view! { <p class="placeholder">"Loading alerts…"</p> }.into_any(),
                Some(Err(err)) => view! { <ErrorBox err/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No channel yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="channel-list">
                        {list.into_iter().map(|channel| view! { <Channel channel state is_admin/> }).collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
            <Show when=move || is_admin>
                <NewChannelForm state/>
            </Show>
            <h3>"Rules"</h3>
            {move || match state.rules.get() {
                None => ().into_any(),
                Some(Err(err)) => view! { <ErrorBox err/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No rule yet."</p> }.into_any(),
                Some(Ok(list)) => {
                    let names = state.channel_names();
                    view! {
                        <ul class="rule-list">
                            {list.into_iter().map(|rule| view! { <Rule rule names=names.clone() state is_admin/> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <Show when=move || is_admin>
                <RuleForm state/>
            </Show>
        </section>
    }
}

/// "Email me this project's alerts": the caller's own choice, sent by the members channels.
#[component]
fn Subscription(project: i64) -> impl IntoView {
    let path = format!("/api/0/projects/{project}/alert-subscription/");
    let subscribed = RwSignal::new(None::<bool>);
    let status = RwSignal::new(Status::Idle);
    Effect::new({
        let path = path.clone();
        move |_| {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                if let Ok(answer) = api::get::<AlertSubscription>(&path).await {
                    subscribed.try_set(Some(answer.subscribed));
                }
            });
        }
    });
    let change = move |ev: leptos::ev::Event| {
        let wanted = AlertSubscription { subscribed: event_target_checked(&ev) };
        let path = path.clone();
        run(
            status,
            async move { api::send::<_, AlertSubscription>(Method::Put, &path, &wanted).await },
            move |answer| {
                subscribed.set(Some(answer.subscribed));
                status.set(Status::Done(if answer.subscribed {
                    "You get this project's alerts by email from its members channels.".to_owned()
                } else {
                    "You no longer get this project's alerts by email.".to_owned()
                }));
            },
        );
    };
    view! {
        <label class="check subscription">
            <input
                type="checkbox"
                name="alert-subscription"
                prop:disabled=move || subscribed.get().is_none()
                prop:checked=move || subscribed.get().unwrap_or(false)
                on:change=change
            />
            "Email me this project’s alerts"
        </label>
        <StatusLine status/>
    }
}

/// Deletes on a second click, once it has said what goes; then reloads the section.
#[component]
fn DeleteButton(what: &'static str, path: String, status: RwSignal<Status>, state: AlertsState) -> impl IntoView {
    let armed = RwSignal::new(false);
    let delete = move |_| {
        if !armed.get_untracked() {
            armed.set(true);
            return;
        }
        let path = path.clone();
        run(status, async move { api::send::<_, ()>(Method::Delete, &path, &()).await }, move |_| state.reload());
    };
    view! {
        <button type="button" class="link danger delete" on:click=delete>
            {move || if armed.get() { format!("Delete this {what}?") } else { "Delete".to_owned() }}
        </button>
    }
}

/// "30 minutes", "1 hour", "2 days".
fn minutes(minutes: u32) -> String {
    match minutes {
        m if m % 1440 == 0 => crate::model::counted((m / 1440).into(), "day"),
        m if m % 60 == 0 => crate::model::counted((m / 60).into(), "hour"),
        m => crate::model::counted(m.into(), "minute"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_in_the_largest_whole_unit() {
        assert_eq!(minutes(30), "30 minutes");
        assert_eq!(minutes(60), "1 hour");
        assert_eq!(minutes(2880), "2 days");
    }
}
