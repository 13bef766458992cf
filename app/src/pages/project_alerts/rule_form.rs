//! The form that adds an alert rule or changes one, with its preview: as the triggers, filter and
//! interval are typed, how often the rule would have fired over the last 7 days, and for which
//! issues, replayed by the server over the stored history.

use super::AlertsState;
use crate::alerts::{
    DEFAULT_INTERVAL_MINUTES, NewRule, PREVIEW_DAYS, RuleDraft, RuleInfo, RulePreview, RuleUpdate, Trigger,
};
use crate::api::{self, Method};
use crate::components::forms::{Field, Status, StatusLine, run};
use crate::model::{counted, now, time_ago};
use leptos::prelude::*;

/// How long typing pauses before the preview asks the server.
const PREVIEW_DELAY_MS: u64 = 400;

/// Adds a rule, or with `editing` changes that one and calls `done` once saved or cancelled.
#[component]
pub(super) fn RuleForm(
    state: AlertsState,
    #[prop(optional)] editing: Option<RuleInfo>,
    #[prop(optional)] done: Option<Callback<()>>,
) -> impl IntoView {
    let form = FormSignals::new(editing.as_ref().map(fields_of).unwrap_or_default());
    let status = RwSignal::new(Status::Idle);
    let preview = RwSignal::new(None::<Result<RulePreview, String>>);
    watch_preview(state, form, preview);
    let editing_id = editing.as_ref().map(|rule| rule.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rule = match rule_of(untrack(|| form.read())) {
            Ok(rule) => rule,
            Err(why) => {
                status.set(Status::Failed(why));
                return;
            }
        };
        let project = state.project;
        match editing_id {
            Some(id) => {
                let update = RuleUpdate {
                    name: Some(rule.name),
                    triggers: Some(rule.triggers),
                    filter: Some(rule.filter),
                    interval_minutes: Some(rule.interval_minutes),
                    channels: Some(rule.channels),
                    enabled: None,
                };
                let path = format!("/api/0/projects/{project}/alert-rules/{id}/");
                run(status, async move { api::send::<_, RuleInfo>(Method::Patch, &path, &update).await }, move |_| {
                    if let Some(done) = done {
                        done.run(());
                    }
                    state.reload();
                });
            }
            None => {
                let path = format!("/api/0/projects/{project}/alert-rules/");
                run(status, async move { api::send::<_, RuleInfo>(Method::Post, &path, &rule).await }, move |_| {
                    form.name.set(String::new());
                    status.set(Status::Done("Added.".to_owned()));
                    state.reload();
                });
            }
        }
    };
    let check = move |label: &'static str, value: RwSignal<bool>, name: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name=name prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>
                {label}
            </label>
        }
    };
    let picked = form.channels;
    view! {
        <form method="post" class=if editing_id.is_some() { "edit-rule" } else { "new-rule" } on:submit=submit>
            <Field label="Rule name" value=form.name name="rule-name" placeholder="Production errors"/>
            <fieldset class="triggers">
                <legend>"Fires when"</legend>
                {check("a new issue appears", form.new_issue, "trigger-new-issue")}
                {check("a resolved issue comes back", form.regression, "trigger-regression")}
                {check("an ignored issue escalates", form.escalation, "trigger-escalation")}
                <div class="inline">
                    <Field label="At least … events" value=form.events kind="number" name="trigger-events"/>
                    <Field label="in … minutes" value=form.events_minutes kind="number" name="trigger-events-minutes"/>
                </div>
                <div class="inline">
                    <Field label="At least … users" value=form.users kind="number" name="trigger-users"/>
                    <Field label="in … minutes" value=form.users_minutes kind="number" name="trigger-users-minutes"/>
                </div>
                <Field label="Unresolved and unassigned for … hours" value=form.unattended kind="number" name="trigger-unattended"/>
            </fieldset>
            <Field label="For events matching (search language, empty for all)" value=form.filter name="rule-filter" placeholder="level:error environment:production"/>
            <Field label="At most once per issue every … minutes" value=form.interval kind="number" name="rule-interval"/>
            <Preview preview/>
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
            {match done {
                Some(done) => view! {
                    <button type="submit" class="primary">"Save rule"</button>
                    <button type="button" class="link" on:click=move |_| done.run(())>"Cancel"</button>
                }
                    .into_any(),
                None => view! { <button type="submit" class="primary">"Add rule"</button> }.into_any(),
            }}
        </form>
        <StatusLine status/>
    }
}

/// Asks the server for the preview whenever the triggers, filter or interval change and typing
/// has paused; an answer to an older question is dropped.
fn watch_preview(state: AlertsState, form: FormSignals, preview: RwSignal<Option<Result<RulePreview, String>>>) {
    let asked = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let draft = draft_of(&form.read());
        let ticket = asked.get_value() + 1;
        asked.set_value(ticket);
        let Ok(draft) = draft else {
            preview.set(None);
            return;
        };
        let path = format!("/api/0/projects/{}/alert-rules/preview/", state.project);
        // By then the form may be gone (saved, or cancelled): then there is nothing to ask.
        let ask = move || {
            if asked.try_get_value() != Some(ticket) {
                return;
            }
            leptos::task::spawn_local(async move {
                let answer = api::send::<_, RulePreview>(Method::Post, &path, &draft).await;
                if asked.try_get_value() == Some(ticket) {
                    preview.try_set(Some(answer.map_err(|err| err.to_string())));
                }
            });
        };
        set_timeout(ask, std::time::Duration::from_millis(PREVIEW_DELAY_MS));
    });
}

/// "Would have fired 3 times in the last 7 days, for 2 issues", the latest of them, and what
/// makes the number an estimate.
#[component]
fn Preview(preview: RwSignal<Option<Result<RulePreview, String>>>) -> impl IntoView {
    move || {
        let answer = preview.get()?;
        let view = match answer {
            Err(why) => view! { <p class="rule-preview muted">{format!("No preview: {why}")}</p> }.into_any(),
            Ok(preview) => {
                let clock = now();
                view! {
                    <div class="rule-preview" aria-live="polite">
                        <p class="preview-count">{headline(&preview)}</p>
                        <ul class="preview-issues">
                            {preview.examples.into_iter().map(|issue| view! {
                                <li>
                                    <a href=format!("/issues/{}", issue.issue_id)>{issue.title}</a>
                                    <span class="muted">{format!(" · {}, last {}", counted(issue.fired.into(), "time"), time_ago(issue.last_fired, clock))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        {preview.estimated.into_iter().map(|note| view! { <p class="muted note">{note}</p> }).collect_view()}
                    </div>
                }
                    .into_any()
            }
        };
        Some(view)
    }
}

fn headline(preview: &RulePreview) -> String {
    if preview.fired == 0 {
        return format!("Would not have fired in the last {PREVIEW_DAYS} days.");
    }
    format!(
        "Would have fired {} in the last {PREVIEW_DAYS} days, for {}.",
        counted(preview.fired.into(), "time"),
        counted(preview.issues.into(), "issue")
    )
}

/// The form's fields, one signal each.
#[derive(Clone, Copy)]
struct FormSignals {
    name: RwSignal<String>,
    new_issue: RwSignal<bool>,
    regression: RwSignal<bool>,
    escalation: RwSignal<bool>,
    events: RwSignal<String>,
    events_minutes: RwSignal<String>,
    users: RwSignal<String>,
    users_minutes: RwSignal<String>,
    unattended: RwSignal<String>,
    filter: RwSignal<String>,
    interval: RwSignal<String>,
    channels: RwSignal<Vec<i64>>,
}

impl FormSignals {
    fn new(fields: RuleFields) -> Self {
        FormSignals {
            name: RwSignal::new(fields.name),
            new_issue: RwSignal::new(fields.new_issue),
            regression: RwSignal::new(fields.regression),
            escalation: RwSignal::new(fields.escalation),
            events: RwSignal::new(fields.events.0),
            events_minutes: RwSignal::new(fields.events.1),
            users: RwSignal::new(fields.users.0),
            users_minutes: RwSignal::new(fields.users.1),
            unattended: RwSignal::new(fields.unattended),
            filter: RwSignal::new(fields.filter),
            interval: RwSignal::new(fields.interval),
            channels: RwSignal::new(fields.channels),
        }
    }

    /// What the form holds now (tracked where it is read in an effect).
    fn read(self) -> RuleFields {
        RuleFields {
            name: self.name.get(),
            new_issue: self.new_issue.get(),
            regression: self.regression.get(),
            escalation: self.escalation.get(),
            events: (self.events.get(), self.events_minutes.get()),
            users: (self.users.get(), self.users_minutes.get()),
            unattended: self.unattended.get(),
            filter: self.filter.get(),
            interval: self.interval.get(),
            channels: self.channels.get(),
        }
    }
}

/// What the rule form holds, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// A new rule's form: new issues and regressions, every 30 minutes at most.
impl Default for RuleFields {
    fn default() -> Self {
        RuleFields {
            name: String::new(),
            new_issue: true,
            regression: true,
            escalation: false,
            events: (String::new(), "60".to_owned()),
            users: (String::new(), "60".to_owned()),
            unattended: String::new(),
            filter: String::new(),
            interval: DEFAULT_INTERVAL_MINUTES.to_string(),
            channels: Vec::new(),
        }
    }
}

/// The form of a saved rule.
fn fields_of(rule: &RuleInfo) -> RuleFields {
    let mut fields = RuleFields {
        name: rule.name.clone(),
        new_issue: false,
        regression: false,
        filter: rule.filter.clone(),
        interval: rule.interval_minutes.to_string(),
        channels: rule.channels.clone(),
        ..RuleFields::default()
    };
    for &trigger in &rule.triggers {
        match trigger {
            Trigger::NewIssue => fields.new_issue = true,
            Trigger::Regression => fields.regression = true,
            Trigger::Escalation => fields.escalation = true,
            Trigger::Frequency { events, minutes } => fields.events = (events.to_string(), minutes.to_string()),
            Trigger::Users { users, minutes } => fields.users = (users.to_string(), minutes.to_string()),
            Trigger::Unattended { hours } => fields.unattended = hours.to_string(),
        }
    }
    fields
}

/// What the form says fires, or what is wrong with it. The server checks the rest (the filter's
/// syntax, the bounds) and says so.
fn draft_of(fields: &RuleFields) -> Result<RuleDraft, String> {
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
    Ok(RuleDraft {
        triggers,
        filter: fields.filter.trim().to_owned(),
        interval_minutes: number(&fields.interval, "The interval")?,
    })
}

/// The rule the form describes, or what is wrong with it.
fn rule_of(fields: RuleFields) -> Result<NewRule, String> {
    let draft = draft_of(&fields)?;
    if fields.channels.is_empty() {
        return Err("Pick at least one channel to notify.".to_owned());
    }
    Ok(NewRule {
        name: fields.name,
        triggers: draft.triggers,
        filter: draft.filter,
        interval_minutes: draft.interval_minutes,
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
            regression: false,
            filter: " level:error ".to_owned(),
            channels: vec![3],
            ..RuleFields::default()
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
        assert!(rule_of(typed.clone()).is_err());
        assert!(draft_of(&typed).is_ok(), "a preview needs no channel");
        let mut typed = fields();
        typed.users = ("many".to_owned(), "60".to_owned());
        assert_eq!(rule_of(typed).err().as_deref(), Some("The number of users is a whole number."));
    }

    #[test]
    fn a_saved_rule_fills_the_form_it_came_from() {
        let mut typed = fields();
        typed.escalation = true;
        typed.users = ("50".to_owned(), "30".to_owned());
        typed.unattended = "4".to_owned();
        typed.filter = "level:error".to_owned();
        typed.interval = "120".to_owned();
        let rule = rule_of(typed.clone()).expect("a rule");
        let saved = RuleInfo {
            id: 1,
            project_id: 2,
            name: rule.name,
            triggers: rule.triggers,
            filter: rule.filter,
            interval_minutes: rule.interval_minutes,
            channels: rule.channels,
            enabled: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(fields_of(&saved), typed);
    }

    #[test]
    fn the_preview_says_how_often_and_for_how_many_issues() {
        let preview = |fired, issues| RulePreview {
            since: chrono::DateTime::UNIX_EPOCH,
            fired,
            issues,
            examples: Vec::new(),
            estimated: Vec::new(),
        };
        assert_eq!(headline(&preview(0, 0)), "Would not have fired in the last 7 days.");
        assert_eq!(headline(&preview(3, 1)), "Would have fired 3 times in the last 7 days, for 1 issue.");
    }
}
