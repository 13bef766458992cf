//! A project's alerts: its channels (where notifications go — add one, send it a test, see its
//! latest deliveries live, delete it) and its rules (what fires, for which events, how often at
//! most; turn one off or delete it). Members see them; admins change them. Loaded in the browser
//! once the page is hydrated, so the server-rendered page does not wait for them.

use crate::alerts::{
    ChannelInfo, ChannelKind, CreatedChannel, DEFAULT_HOURLY_CAP, DEFAULT_INTERVAL_MINUTES, Delivery, NewChannel,
    NewRule, RuleInfo, RuleUpdate, Trigger,
};
use crate::api::{self, AppError, Method};
use crate::components::forms::{Field, Status, StatusLine, run};
use crate::components::layout::ErrorBox;
use crate::model::{now, time_ago};
use crate::pages::issue::alerts::{describe, upsert};
use leptos::prelude::*;
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
                <NewRuleForm state/>
            </Show>
        </section>
    }
}

#[component]
fn Channel(channel: ChannelInfo, state: AlertsState, is_admin: bool) -> impl IntoView {
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
    let clock = now();
    view! {
        <li class="channel" data-kind=channel.kind.as_str()>
            <div class="channel-head">
                <strong>{channel.name.clone()}</strong>
                <span class="badge">{kind_name(channel.kind)}</span>
                <code class="muted">{channel.url.clone()}</code>
                <span class="muted">{format!("at most {} an hour", channel.hourly_cap)}</span>
                {channel.failing.clone().map(|failing| view! {
                    <span class="badge failing" title=failing.error.clone()>{format!("failing since {}", time_ago(failing.since, clock))}</span>
                })}
                <Show when=move || is_admin>
                    <button type="button" class="send-test" on:click=test>"Send test"</button>
                    <DeleteButton
                        what="channel and its delivery log"
                        path=format!("/api/0/projects/{}/alert-channels/{id}/", state.project)
                        status
                        state
                    />
                </Show>
            </div>
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

fn kind_name(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Slack => "Slack",
        ChannelKind::Mattermost => "Mattermost",
        ChannelKind::Discord => "Discord",
        ChannelKind::Teams => "Microsoft Teams",
        ChannelKind::Webhook => "Webhook",
        ChannelKind::Email => "Email",
    }
}

#[component]
fn NewChannelForm(state: AlertsState) -> impl IntoView {
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
        let channel = NewChannel {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            url: url.get_untracked(),
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
            {move || if kind.get() == ChannelKind::Email {
                view! { <Field label="Email addresses" value=url name="channel-url" placeholder="ops@example.com, dev@example.com"/> }.into_any()
            } else {
                view! { <Field label="Webhook URL" value=url kind="url" name="channel-url"/> }.into_any()
            }}
            <Field label="At most per hour" value=cap kind="number" name="channel-cap"/>
            <button type="submit">"Add channel"</button>
        </form>
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

#[component]
fn Rule(rule: RuleInfo, names: Vec<(i64, String)>, state: AlertsState, is_admin: bool) -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let path = format!("/api/0/projects/{}/alert-rules/{}/", state.project, rule.id);
    let enabled = rule.enabled;
    let toggle = {
        let path = path.clone();
        move |_| {
            let path = path.clone();
            let update = RuleUpdate { enabled: Some(!enabled), ..RuleUpdate::default() };
            run(status, async move { api::send::<_, RuleInfo>(Method::Patch, &path, &update).await }, move |_| {
                state.reload()
            });
        }
    };
    let triggers: Vec<String> = rule.triggers.iter().map(|trigger| trigger.describe()).collect();
    let channels: Vec<String> = rule
        .channels
        .iter()
        .map(|id| {
            names.iter().find(|(known, _)| known == id).map_or_else(|| format!("#{id}"), |(_, name)| name.clone())
        })
        .collect();
    view! {
        <li class="rule" data-enabled=rule.enabled.to_string()>
            <strong>{rule.name.clone()}</strong>
            {(!rule.enabled).then(|| view! { <span class="badge">"off"</span> })}
            <span class="triggers">{format!(" — {}", triggers.join(", "))}</span>
            {(!rule.filter.is_empty()).then(|| view! { <code class="filter">{rule.filter.clone()}</code> })}
            <span class="muted">{format!(" → {} · at most once every {} per issue", channels.join(", "), minutes(rule.interval_minutes))}</span>
            <Show when=move || is_admin>
                <button type="button" class="link toggle" on:click=toggle.clone()>{if enabled { "Turn off" } else { "Turn on" }}</button>
                <DeleteButton what="rule" path=path.clone() status state/>
            </Show>
            <StatusLine status/>
        </li>
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

#[component]
fn NewRuleForm(state: AlertsState) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let new_issue = RwSignal::new(true);
    let regression = RwSignal::new(true);
    let escalation = RwSignal::new(false);
    let events = RwSignal::new(String::new());
    let events_minutes = RwSignal::new("60".to_owned());
    let users = RwSignal::new(String::new());
    let users_minutes = RwSignal::new("60".to_owned());
    let unattended = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let interval = RwSignal::new(DEFAULT_INTERVAL_MINUTES.to_string());
    let picked = RwSignal::new(Vec::<i64>::new());
    let status = RwSignal::new(Status::Idle);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rule = match rule_of(RuleFields {
            name: name.get_untracked(),
            new_issue: new_issue.get_untracked(),
            regression: regression.get_untracked(),
            escalation: escalation.get_untracked(),
            events: (events.get_untracked(), events_minutes.get_untracked()),
            users: (users.get_untracked(), users_minutes.get_untracked()),
            unattended: unattended.get_untracked(),
            filter: filter.get_untracked(),
            interval: interval.get_untracked(),
            channels: picked.get_untracked(),
        }) {
            Ok(rule) => rule,
            Err(why) => {
                status.set(Status::Failed(why));
                return;
            }
        };
        let path = format!("/api/0/projects/{}/alert-rules/", state.project);
        run(status, async move { api::send::<_, RuleInfo>(Method::Post, &path, &rule).await }, move |_| {
            name.set(String::new());
            status.set(Status::Done("Added.".to_owned()));
            state.reload();
        });
    };
    let check = move |label: &'static str, value: RwSignal<bool>, name: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name=name prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>
                {label}
            </label>
        }
    };
    view! {
        <form method="post" class="new-rule" on:submit=add>
            <Field label="Rule name" value=name name="rule-name" placeholder="Production errors"/>
            <fieldset class="triggers">
                <legend>"Fires when"</legend>
                {check("a new issue appears", new_issue, "trigger-new-issue")}
                {check("a resolved issue comes back", regression, "trigger-regression")}
                {check("an ignored issue escalates", escalation, "trigger-escalation")}
                <div class="inline">
                    <Field label="At least … events" value=events kind="number" name="trigger-events"/>
                    <Field label="in … minutes" value=events_minutes kind="number" name="trigger-events-minutes"/>
                </div>
                <div class="inline">
                    <Field label="At least … users" value=users kind="number" name="trigger-users"/>
                    <Field label="in … minutes" value=users_minutes kind="number" name="trigger-users-minutes"/>
                </div>
                <Field label="Unresolved and unassigned for … hours" value=unattended kind="number" name="trigger-unattended"/>
            </fieldset>
            <Field label="For events matching (search language, empty for all)" value=filter name="rule-filter" placeholder="level:error environment:production"/>
            <Field label="At most once per issue every … minutes" value=interval kind="number" name="rule-interval"/>
            <fieldset class="rule-channels">
                <legend>"Notify"</legend>
                {move || state.channel_names().into_iter().map(|(id, channel)| view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            name="rule-channel"
                            value=id.to_string()
                            prop:checked=move || picked.with(|ids| ids.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|ids| {
                                    ids.retain(|known| *known != id);
                                    if on {
                                        ids.push(id);
                                    }
                                });
                            }
                        />
                        {channel}
                    </label>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary">"Add rule"</button>
        </form>
        <StatusLine status/>
    }
}

/// What the rule form holds, as typed.
struct RuleFields {
    name: String,
    new_issue: bool,
    regression: bool,
    escalation: bool,
    /// A count and minutes; an empty count is no such trigger.
    events: (String, String),
    users: (String, String),
    /// Hours; empty for none.
    unattended: String,
    filter: String,
    interval: String,
    channels: Vec<i64>,
}

/// The rule the form describes, or what is wrong with it. The server checks the rest (the
/// filter's syntax, the bounds) and says so.
fn rule_of(fields: RuleFields) -> Result<NewRule, String> {
    let number = |text: &str, what: &str| text.trim().parse::<u32>().map_err(|_| format!("{what} is a whole number."));
    let mut triggers = Vec::new();
    for (on, trigger) in [
        (fields.new_issue, Trigger::NewIssue),
        (fields.regression, Trigger::Regression),
        (fields.escalation, Trigger::Escalation),
    ] {
        if on {
            triggers.push(trigger);
        }
    }
    if !fields.events.0.trim().is_empty() {
        let events = number(&fields.events.0, "The number of events")?;
        triggers.push(Trigger::Frequency { events, minutes: number(&fields.events.1, "The minutes")? });
    }
    if !fields.users.0.trim().is_empty() {
        let users = number(&fields.users.0, "The number of users")?;
        triggers.push(Trigger::Users { users, minutes: number(&fields.users.1, "The minutes")? });
    }
    if !fields.unattended.trim().is_empty() {
        triggers.push(Trigger::Unattended { hours: number(&fields.unattended, "The hours")? });
    }
    if triggers.is_empty() {
        return Err("Pick at least one trigger.".to_owned());
    }
    if fields.channels.is_empty() {
        return Err("Pick at least one channel to notify.".to_owned());
    }
    Ok(NewRule {
        name: fields.name,
        triggers,
        filter: fields.filter.trim().to_owned(),
        interval_minutes: number(&fields.interval, "The interval")?,
        channels: fields.channels,
        enabled: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> RuleFields {
        RuleFields {
            name: "Production".to_owned(),
            new_issue: true,
            regression: false,
            escalation: false,
            events: (String::new(), "60".to_owned()),
            users: (String::new(), "60".to_owned()),
            unattended: String::new(),
            filter: " level:error ".to_owned(),
            interval: "30".to_owned(),
            channels: vec![3],
        }
    }

    #[test]
    fn the_form_becomes_a_rule_with_the_triggers_filled_in() {
        let mut typed = fields();
        typed.events = ("100".to_owned(), "5".to_owned());
        typed.unattended = "4".to_owned();
        let rule = rule_of(typed).expect("a rule");
        assert_eq!(
            rule.triggers,
            [Trigger::NewIssue, Trigger::Frequency { events: 100, minutes: 5 }, Trigger::Unattended { hours: 4 }]
        );
        assert_eq!(rule.filter, "level:error");
        assert_eq!(rule.interval_minutes, 30);
    }

    #[test]
    fn a_rule_without_trigger_channel_or_with_a_bad_number_is_refused_before_sending() {
        let mut typed = fields();
        typed.new_issue = false;
        assert_eq!(rule_of(typed).err().as_deref(), Some("Pick at least one trigger."));
        let mut typed = fields();
        typed.channels.clear();
        assert!(rule_of(typed).is_err());
        let mut typed = fields();
        typed.users = ("many".to_owned(), "60".to_owned());
        assert_eq!(rule_of(typed).err().as_deref(), Some("The number of users is a whole number."));
    }

    #[test]
    fn intervals_read_in_the_largest_whole_unit() {
        assert_eq!(minutes(30), "30 minutes");
        assert_eq!(minutes(60), "1 hour");
        assert_eq!(minutes(2880), "2 days");
    }
}
