//! Recording a batch of events inside the writer's transaction, with a few statements for the
//! whole batch instead of a dozen per event: the ids already stored (SDKs retry) in one query per
//! project, the releases in one insert, the fingerprint hashes from the writer's [`HashIssues`]
//! and one query for those it does not know, the issues in one query; then, event by event in
//! memory, each joins or opens its issue, counts there (events, affected users, the issue's
//! latest title, culprit, level and release) and lets triage reopen a resolved or ignored issue;
//! last, one update per issue touched and multi-row inserts of the events, new hashes, users and
//! [`Counters`].

use super::activity;
use super::counters::{Counters, rows_per_statement};
use super::entities::{attachment, event, issue, issue_hash, issue_user, release};
use super::hash_issues::HashIssues;
use super::new_event::{NewAttachment, NewEvent};
use crate::triage::{self, Counts, Transition, Triage};
use app::alerts::Trigger;
use app::dto::{Activity, ActivityKind};
use app::model::{EventSummary, IssueStatus, Substatus};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use protocol::ids::ProjectId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What recording a batch changed.
#[derive(Default)]
pub struct Recorded<'a> {
    /// Per issue touched, by id.
    pub issues: BTreeMap<i64, Touched>,
    /// Issues the batch reopened, with their activity entries: (project, entry).
    pub activity: Vec<(i64, Activity)>,
    /// Hashes the batch gave an issue, for the writer's [`HashIssues`] once it committed:
    /// (project, hash, issue).
    pub learned: Vec<(i64, String, i64)>,
    /// What happened to issues that alert rules fire on, in order, with the event that made it.
    pub happened: Vec<(i64, Trigger, &'a NewEvent)>,
    /// Per issue touched, its latest event in the batch.
    pub latest: BTreeMap<i64, &'a NewEvent>,
}

/// An issue the batch recorded events for.
pub struct Touched {
    pub issue: issue::Model,
    pub created: bool,
    pub events: Vec<EventSummary>,
}

/// Records the batch's events, skipping those whose project already has an event with that id
/// (an SDK retry: recording it again would count it twice).
pub async fn events<'a>(
    db: &impl ConnectionTrait,
    batch: &[&'a NewEvent],
    known: &HashIssues,
) -> Result<Recorded<'a>, DbErr> {
    let fresh = fresh(db, batch).await?;
    if fresh.is_empty() {
        return Ok(Recorded::default());
    }
    remember_releases(db, &fresh).await?;
    let (mut issues, owners, learned) = issues_of(db, &fresh, known).await?;
    let new_users = remember_users(db, &fresh, &owners).await?;

    let mut recorded = Recorded { learned, ..Recorded::default() };
    let mut counters = Counters::default();
    let mut counted_users: HashSet<(i64, &str)> = HashSet::new();
    for (new, &issue_id) in fresh.iter().zip(&owners) {
        let Some(state) = issues.get_mut(&issue_id) else { continue };
        let new_user = new.user_key.as_deref().is_some_and(|key| {
            new_users.contains(&(issue_id, key.to_owned())) && counted_users.insert((issue_id, key))
        });
        let opened = state.created && state.events.is_empty();
        if opened {
            recorded.happened.push((issue_id, Trigger::NewIssue, *new));
        } else if let Some(entry) = count_another_event(db, &mut state.issue, new, new_user).await? {
            let trigger = match entry.kind {
                ActivityKind::Escalated => Trigger::Escalation,
                _ => Trigger::Regression,
            };
            recorded.happened.push((issue_id, trigger, *new));
            recorded.activity.push((state.issue.project_id, entry));
        }
        recorded.latest.insert(issue_id, *new);
        counters.add(issue_id, new, opened);
        state.events.push(EventSummary {
            event_id: new.event_id.clone(),
            issue_id,
            timestamp: new.timestamp,
            received: new.received,
            level: new.level,
            title: new.title.clone(),
            environment: new.environment.clone(),
            release: new.release.clone(),
            user: new.user_key.clone(),
            message: new.message.clone(),
        });
    }

    for state in issues.values_mut() {
        if state.issue != state.before {
            state.issue = changes(&state.before, &state.issue).update(db).await?;
        }
    }
    insert_events(db, &fresh, &owners).await?;
    insert_hashes(db, &recorded.learned).await?;
    counters.write(db).await?;
    for new in &fresh {
        store_attachments(db, new.project_id, &new.event_id, &new.attachments, new.received).await?;
    }
    recorded.issues = issues
        .into_iter()
        .filter(|(_, state)| !state.events.is_empty())
        .map(|(id, state)| (id, Touched { issue: state.issue, created: state.created, events: state.events }))
        .collect();
    Ok(recorded)
}

/// An issue as the batch found it and as it is now.
struct IssueState {
    before: issue::Model,
    issue: issue::Model,
    created: bool,
    events: Vec<EventSummary>,
}

/// The batch without the events stored before, nor the repeats within it.
async fn fresh<'a>(db: &impl ConnectionTrait, batch: &[&'a NewEvent]) -> Result<Vec<&'a NewEvent>, DbErr> {
    let mut ids: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for new in batch {
        ids.entry(new.project_id.get()).or_default().insert(&new.event_id);
    }
    let mut stored: HashSet<(i64, String)> = HashSet::new();
    for (project_id, ids) in ids {
        let ids: Vec<&str> = ids.into_iter().collect();
        for chunk in ids.chunks(rows_per_statement(1)) {
            let found: Vec<String> = event::Entity::find()
                .select_only()
                .column(event::Column::EventId)
                .filter(event::Column::ProjectId.eq(project_id))
                .filter(event::Column::EventId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            stored.extend(found.into_iter().map(|id| (project_id, id)));
        }
    }
    let mut fresh = Vec::with_capacity(batch.len());
    for new in batch {
        if stored.insert((new.project_id.get(), new.event_id.clone())) {
            fresh.push(*new);
        }
    }
    Ok(fresh)
}

/// Each release the batch names, first seen when the batch received it (unless seen before).
async fn remember_releases(db: &impl ConnectionTrait, fresh: &[&NewEvent]) -> Result<(), DbErr> {
    let mut releases: Vec<(i64, &str, DateTime<Utc>)> = Vec::new();
    let mut named: HashSet<(i64, &str)> = HashSet::new();
    for new in fresh {
        if let Some(version) = new.release.as_deref()
            && named.insert((new.project_id.get(), version))
        {
            releases.push((new.project_id.get(), version, new.received));
        }
    }
    for chunk in releases.chunks(rows_per_statement(3)) {
        let rows = chunk.iter().map(|(project_id, version, at)| release::ActiveModel {
            project_id: Set(*project_id),
            version: Set((*version).to_owned()),
            first_seen: Set(*at),
            ..Default::default()
        });
        release::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([release::Column::ProjectId, release::Column::Version])
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The issue of each fresh event (opening those no hash of theirs names yet), the issues as the
/// batch finds them, and the hashes it gives an issue.
async fn issues_of(
    db: &impl ConnectionTrait,
    fresh: &[&NewEvent],
    known: &HashIssues,
) -> Result<(BTreeMap<i64, IssueState>, Vec<i64>, Vec<(i64, String, i64)>), DbErr> {
    let mut owners_of = owners_of_hashes(db, fresh, Some(known)).await?;
    let mut issues = load_issues(db, owners_of.values().copied().collect()).await?;
    if owners_of.values().any(|id| !issues.contains_key(id)) {
        // The map named an issue that is gone: ask the database alone.
        tracing::debug!("the hash map named an issue that is gone; reading the hashes again");
        owners_of = owners_of_hashes(db, fresh, None).await?;
        issues = load_issues(db, owners_of.values().copied().collect()).await?;
    }

    let mut owners = Vec::with_capacity(fresh.len());
    let mut learned = Vec::new();
    for new in fresh {
        let project_id = new.project_id.get();
        // The first of the event's hashes that is known decides the issue.
        let decided = new.hashes.iter().find_map(|hash| owners_of.get(&(project_id, hash.clone())).copied());
        let issue_id = match decided.filter(|id| issues.contains_key(id)) {
            Some(id) => id,
            None => {
                let opened = open_issue(db, new).await?;
                let id = opened.id;
                issues.insert(
                    id,
                    IssueState { before: opened.clone(), issue: opened, created: true, events: Vec::new() },
                );
                id
            }
        };
        for hash in &new.hashes {
            if let std::collections::hash_map::Entry::Vacant(slot) = owners_of.entry((project_id, hash.clone())) {
                slot.insert(issue_id);
                learned.push((project_id, hash.clone(), issue_id));
            }
        }
        owners.push(issue_id);
    }
    Ok((issues, owners, learned))
}

/// The issue owning each of the batch's hashes that has one: from the writer's map when given,
/// else (and for the rest) from the database.
async fn owners_of_hashes(
    db: &impl ConnectionTrait,
    fresh: &[&NewEvent],
    known: Option<&HashIssues>,
) -> Result<HashMap<(i64, String), i64>, DbErr> {
    let mut owners = HashMap::new();
    let mut unknown: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for new in fresh {
        let project_id = new.project_id.get();
        for hash in &new.hashes {
            match known.and_then(|known| known.get(project_id, hash)) {
                Some(issue_id) => {
                    owners.insert((project_id, hash.clone()), issue_id);
                }
                None => {
                    unknown.entry(project_id).or_default().insert(hash);
                }
            }
        }
    }
    for (project_id, hashes) in unknown {
        let hashes: Vec<&str> = hashes.into_iter().collect();
        for chunk in hashes.chunks(rows_per_statement(1)) {
            let rows: Vec<(String, i64)> = issue_hash::Entity::find()
                .select_only()
                .columns([issue_hash::Column::Hash, issue_hash::Column::IssueId])
                .filter(issue_hash::Column::ProjectId.eq(project_id))
                .filter(issue_hash::Column::Hash.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            owners.extend(rows.into_iter().map(|(hash, issue_id)| ((project_id, hash), issue_id)));
        }
    }
    Ok(owners)
}

async fn load_issues(db: &impl ConnectionTrait, ids: BTreeSet<i64>) -> Result<BTreeMap<i64, IssueState>, DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut issues = BTreeMap::new();
    for chunk in ids.chunks(rows_per_statement(1)) {
        for row in issue::Entity::find().filter(issue::Column::Id.is_in(chunk.iter().copied())).all(db).await? {
            issues.insert(row.id, IssueState { before: row.clone(), issue: row, created: false, events: Vec::new() });
        }
    }
    Ok(issues)
}

/// Which of the batch's (issue, user) pairs are new: those the insert did not find stored. Each
/// user's last-seen minute moves to the batch's (at most one update per user and minute), so
/// alert rules can count distinct users over a window.
async fn remember_users(
    db: &impl ConnectionTrait,
    fresh: &[&NewEvent],
    owners: &[i64],
) -> Result<HashSet<(i64, String)>, DbErr> {
    let pairs: BTreeSet<(i64, &str)> =
        fresh.iter().zip(owners).filter_map(|(new, &issue_id)| Some((issue_id, new.user_key.as_deref()?))).collect();
    let pairs: Vec<_> = pairs.into_iter().collect();
    let received = fresh.iter().map(|new| new.received).max().unwrap_or_else(Utc::now);
    let minute = received.duration_trunc(TimeDelta::minutes(1)).unwrap_or(received);
    let mut inserted = HashSet::new();
    for chunk in pairs.chunks(rows_per_statement(3)) {
        let rows = chunk.iter().map(|(issue_id, key)| issue_user::ActiveModel {
            issue_id: Set(*issue_id),
            user_key: Set((*key).to_owned()),
            last_seen: Set(Some(minute)),
            ..Default::default()
        });
        let result = issue_user::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([issue_user::Column::IssueId, issue_user::Column::UserKey])
            .exec_with_returning_many(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(rows) = result {
            inserted.extend(rows.into_iter().map(|row| (row.issue_id, row.user_key)));
        }
    }
    let mut seen_again: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (issue_id, key) in pairs.iter().filter(|(issue_id, key)| !inserted.contains(&(*issue_id, (*key).to_owned()))) {
        seen_again.entry(*issue_id).or_default().push(key);
    }
    for (issue_id, keys) in seen_again {
        for chunk in keys.chunks(rows_per_statement(1)) {
            issue_user::Entity::update_many()
                .col_expr(issue_user::Column::LastSeen, Expr::value(minute))
                .filter(issue_user::Column::IssueId.eq(issue_id))
                .filter(issue_user::Column::UserKey.is_in(chunk.iter().copied()))
                .filter(
                    Condition::any()
                        .add(issue_user::Column::LastSeen.is_null())
                        .add(issue_user::Column::LastSeen.lt(minute)),
                )
                .exec(db)
                .await?;
        }
    }
    Ok(inserted)
}

async fn open_issue(db: &impl ConnectionTrait, new: &NewEvent) -> Result<issue::Model, DbErr> {
    issue::ActiveModel {
        project_id: Set(new.project_id.get()),
        title: Set(new.title.clone()),
        culprit: Set(new.culprit.clone()),
        level: Set(new.level.as_str().to_owned()),
        status: Set(IssueStatus::Unresolved.as_str().to_owned()),
        first_seen: Set(new.timestamp),
        last_seen: Set(new.timestamp),
        event_count: Set(1),
        grouping_version: Set(new.grouping_version.to_owned()),
        first_release: Set(new.release.clone()),
        last_release: Set(new.release.clone()),
        user_count: Set(i64::from(new.user_key.is_some())),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Counts the event on its issue (the issue takes the latest event's title, culprit, level and
/// release) and lets triage reopen it; returns the activity entry when it did.
async fn count_another_event(
    db: &impl ConnectionTrait,
    issue: &mut issue::Model,
    new: &NewEvent,
    new_user: bool,
) -> Result<Option<Activity>, DbErr> {
    let counts = Counts { events: issue.event_count + 1, users: issue.user_count + i64::from(new_user) };
    let later_release = match (&issue.resolved_in_release, &new.release) {
        (Some(resolved_in), Some(release)) => is_later_release(db, issue.project_id, release, resolved_in).await?,
        _ => false,
    };
    let reopen = triage::on_event(&triage_of(issue), counts, new.received, later_release);
    let is_latest = new.timestamp >= issue.last_seen;
    issue.event_count = counts.events;
    issue.user_count = counts.users;
    issue.first_seen = Ord::min(issue.first_seen, new.timestamp);
    issue.last_seen = Ord::max(issue.last_seen, new.timestamp);
    if is_latest {
        issue.title.clone_from(&new.title);
        issue.culprit.clone_from(&new.culprit);
        issue.level = new.level.as_str().to_owned();
        if new.release.is_some() {
            issue.last_release.clone_from(&new.release);
        }
    }
    let Some((triage, transition)) = reopen else { return Ok(None) };
    put_triage(issue, &triage);
    let kind = match transition {
        Transition::Regressed => ActivityKind::Regressed { release: new.release.clone() },
        Transition::Escalated => ActivityKind::Escalated,
    };
    Ok(Some(activity::record(db, issue.id, None, kind, new.received).await?))
}

/// The update of what the batch changed on the issue, and only that: a teammate's decision on
/// another column is left alone.
fn changes(before: &issue::Model, after: &issue::Model) -> issue::ActiveModel {
    let mut row = before.clone().into_active_model();
    macro_rules! changed {
        ($($field:ident),*) => {$(
            if before.$field != after.$field {
                row.$field = Set(after.$field.clone());
            }
        )*};
    }
    changed!(
        event_count,
        user_count,
        first_seen,
        last_seen,
        title,
        culprit,
        level,
        last_release,
        status,
        substatus,
        resolved_in_release,
        ignored_until,
        ignored_until_events,
        ignored_until_users
    );
    row
}

async fn insert_events(db: &impl ConnectionTrait, fresh: &[&NewEvent], owners: &[i64]) -> Result<(), DbErr> {
    let events: Vec<(&NewEvent, i64)> = fresh.iter().copied().zip(owners.iter().copied()).collect();
    for chunk in events.chunks(rows_per_statement(8)) {
        let rows = chunk.iter().map(|(new, issue_id)| event::ActiveModel {
            project_id: Set(new.project_id.get()),
            issue_id: Set(*issue_id),
            event_id: Set(new.event_id.clone()),
            timestamp: Set(new.timestamp),
            received: Set(new.received),
            level: Set(new.level.as_str().to_owned()),
            title: Set(new.title.clone()),
            payload: Set(new.payload.clone()),
            ..Default::default()
        });
        event::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

async fn insert_hashes(db: &impl ConnectionTrait, learned: &[(i64, String, i64)]) -> Result<(), DbErr> {
    for chunk in learned.chunks(rows_per_statement(3)) {
        let rows = chunk.iter().map(|(project_id, hash, issue_id)| issue_hash::ActiveModel {
            project_id: Set(*project_id),
            hash: Set(hash.clone()),
            issue_id: Set(*issue_id),
            ..Default::default()
        });
        issue_hash::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

pub async fn store_attachments(
    db: &impl ConnectionTrait,
    project_id: ProjectId,
    event_id: &str,
    attachments: &[NewAttachment],
    received: DateTime<Utc>,
) -> Result<(), DbErr> {
    for file in attachments {
        attachment::ActiveModel {
            project_id: Set(project_id.get()),
            event_id: Set(event_id.to_owned()),
            filename: Set(file.filename.clone()),
            content_type: Set(file.content_type.clone()),
            attachment_type: Set(file.attachment_type.clone()),
            size: Set(i64::try_from(file.data.len()).unwrap_or(i64::MAX)),
            data: Set(file.data.clone()),
            received: Set(received),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Ignored issues whose ignore period ended by `now` become unresolved again.
pub async fn wake_ignored(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(issue::Model, Activity)>, DbErr> {
    let expired = super::issues::ignore_over(now).all(db).await?;
    let mut woken = Vec::with_capacity(expired.len());
    for issue in expired {
        let issue_id = issue.id;
        let mut row = issue.into_active_model();
        set_triage(&mut row, &Triage::default());
        let issue = row.update(db).await?;
        let entry = activity::record(db, issue_id, None, ActivityKind::IgnoreExpired, now).await?;
        woken.push((issue, entry));
    }
    Ok(woken)
}

/// The triage fields of an issue row.
pub fn triage_of(issue: &issue::Model) -> Triage {
    Triage {
        status: issue.status.parse().unwrap_or_default(),
        substatus: issue.substatus.as_deref().and_then(Substatus::parse),
        resolved_in_release: issue.resolved_in_release.clone(),
        ignored_until: issue.ignored_until,
        ignored_until_events: issue.ignored_until_events,
        ignored_until_users: issue.ignored_until_users,
    }
}

/// Puts the triage fields on an issue being changed in memory.
fn put_triage(issue: &mut issue::Model, triage: &Triage) {
    issue.status = triage.status.as_str().to_owned();
    issue.substatus = triage.substatus.map(|s| s.as_str().to_owned());
    issue.resolved_in_release.clone_from(&triage.resolved_in_release);
    issue.ignored_until = triage.ignored_until;
    issue.ignored_until_events = triage.ignored_until_events;
    issue.ignored_until_users = triage.ignored_until_users;
}

pub fn set_triage(row: &mut issue::ActiveModel, triage: &Triage) {
    row.status = Set(triage.status.as_str().to_owned());
    row.substatus = Set(triage.substatus.map(|s| s.as_str().to_owned()));
    row.resolved_in_release = Set(triage.resolved_in_release.clone());
    row.ignored_until = Set(triage.ignored_until);
    row.ignored_until_events = Set(triage.ignored_until_events);
    row.ignored_until_users = Set(triage.ignored_until_users);
}

/// Whether `release` was first seen after `than`.
async fn is_later_release(
    db: &impl ConnectionTrait,
    project_id: i64,
    release: &str,
    than: &str,
) -> Result<bool, DbErr> {
    let first_seen = |version: &str| {
        release::Entity::find()
            .filter(release::Column::ProjectId.eq(project_id))
            .filter(release::Column::Version.eq(version.to_owned()))
            .one(db)
    };
    Ok(match (first_seen(release).await?, first_seen(than).await?) {
        (Some(event), Some(resolved)) => event.first_seen > resolved.first_seen,
        _ => false,
    })
}
