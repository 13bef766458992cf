//! One alert rule as the project page lists it: what fires it, for which events, which channels
//! and how often; for admins, turning it off or on, changing it in the rule form, deleting it.

use super::rule_form::RuleForm;
use super::{AlertsState, DeleteButton, minutes};
use crate::alerts::{RuleInfo, RuleUpdate};
use crate::api::{self, Method};
use crate::components::forms::{Status, StatusLine, run};
use leptos::prelude::*;

#[component]
pub(super) fn Rule(rule: RuleInfo, names: Vec<(i64, String)>, state: AlertsState, is_admin: bool) -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let editing = RwSignal::new(false);
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
    let edited = rule.clone();
    view! {
        <li class="rule" data-enabled=rule.enabled.to_string()>
            <strong>{rule.name.clone()}</strong>
            {(!rule.enabled).then(|| view! { <span class="badge">"off"</span> })}
            <span class="triggers">{format!(" — {}", triggers.join(", "))}</span>
            {(!rule.filter.is_empty()).then(|| view! { <code class="filter">{rule.filter.clone()}</code> })}
            <span class="muted">{format!(" → {} · at most once every {} per issue", channels.join(", "), minutes(rule.interval_minutes))}</span>
            <Show when=move || is_admin>
                <button type="button" class="link edit" on:click=move |_| editing.update(|on| *on = !*on)>"Edit"</button>
                <button type="button" class="link toggle" on:click=toggle.clone()>{if enabled { "Turn off" } else { "Turn on" }}</button>
                <DeleteButton what="rule" path=path.clone() status state/>
            </Show>
            <StatusLine status/>
            <Show when=move || editing.get()>
                <RuleForm state editing=edited.clone() done=Callback::new(move |()| editing.set(false))/>
            </Show>
        </li>
    }
}
