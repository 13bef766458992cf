//! The single writer. Ingest handlers hand it events through a bounded queue; it stores many
//! in one transaction and answers each handler only after that transaction committed, so an
//! acknowledged event is durable. After the commit it publishes what changed to the live hub.

use super::entities::{attachment, event, issue, issue_hash};
use super::issues::summary;
use super::retention;
use crate::broadcast::LiveHub;
use crate::ingest::fingerprint::Grouping;
use app::event::Event;
use app::live::LiveChange;
use app::model::{IssueStatus, Level};
use chrono::{DateTime, Utc};
use protocol::ids::ProjectId;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use std::collections::BTreeMap;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// zstd level for stored payloads: fast, and about 4× smaller than the JSON.
const PAYLOAD_COMPRESSION_LEVEL: i32 = 3;

/// An event ready to be stored: everything the writer needs, computed before it is queued so
/// the writer only writes.
#[derive(Debug)]
pub struct NewEvent {
    pub project_id: ProjectId,
    pub event_id: String,
    pub timestamp: DateTime<Utc>,
    pub received: DateTime<Utc>,
    pub level: Level,
    pub title: String,
    pub culprit: String,
    pub grouping: Grouping,
    /// The normalized event as zstd-compressed JSON.
    pub payload: Vec<u8>,
    pub attachments: Vec<NewAttachment>,
}

/// A file sent with an event.
#[derive(Debug)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub attachment_type: String,
    pub data: Vec<u8>,
}

impl NewEvent {
    pub fn new(
        project_id: ProjectId,
        event: &Event,
        grouping: Grouping,
        attachments: Vec<NewAttachment>,
    ) -> Result<Self, std::io::Error> {
        let json = serde_json::to_vec(event)?;
        let payload = zstd::encode_all(&json[..], PAYLOAD_COMPRESSION_LEVEL)?;
        Ok(NewEvent {
            project_id,
            event_id: event.event_id.clone(),
            timestamp: event.timestamp,
            received: event.received,
            level: event.level,
            title: event.title(),
            culprit: event.culprit(),
            grouping,
            payload,
            attachments,
        })
    }
}

/// Reads a stored payload back into the event.
pub fn decode_payload(payload: &[u8]) -> Result<Event, std::io::Error> {
    let json = zstd::decode_all(payload)?;
    Ok(serde_json::from_slice(&json)?)
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("the ingest queue is full")]
    QueueFull,
    #[error("the writer has stopped")]
    Stopped,
    #[error("the transaction holding the event failed")]
    Failed,
}

enum Write {
    Event(NewEvent),
    /// Attachments that arrived after their event, in an envelope of their own.
    Attachments {
        project_id: ProjectId,
        event_id: String,
        attachments: Vec<NewAttachment>,
    },
    /// A chunk of retention deletes: through the writer, so they never race the counters.
    Prune(retention::Policy),
}

struct Job {
    write: Write,
    /// How many events the job deleted (for prunes).
    done: oneshot::Sender<Result<u64, StoreError>>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task. It ends once every handle is dropped and the queue is drained.
    pub fn start(
        db: DatabaseConnection,
        hub: LiveHub,
        queue_size: usize,
        batch_size: usize,
    ) -> (Writer, JoinHandle<()>) {
        let (queue, jobs) = mpsc::channel(queue_size.max(1));
        let task = tokio::spawn(run(db, hub, jobs, batch_size.max(1)));
        (Writer { queue }, task)
    }

    /// Queues the event and waits until the transaction holding it committed.
    pub async fn store(&self, event: NewEvent) -> Result<(), StoreError> {
        self.submit(Write::Event(event)).await.map(|_| ())
    }

    /// Deletes one chunk of what is past retention; returns how many events went.
    pub async fn prune(&self, policy: retention::Policy) -> Result<u64, StoreError> {
        self.submit(Write::Prune(policy)).await
    }

    /// Queues attachments of an event sent earlier and waits for their commit.
    pub async fn store_attachments(
        &self,
        project_id: ProjectId,
        event_id: String,
        attachments: Vec<NewAttachment>,
    ) -> Result<(), StoreError> {
        self.submit(Write::Attachments { project_id, event_id, attachments }).await.map(|_| ())
    }

    async fn submit(&self, write: Write) -> Result<u64, StoreError> {
        let (done, committed) = oneshot::channel();
        self.queue.try_send(Job { write, done }).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => StoreError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => StoreError::Stopped,
        })?;
        committed.await.map_err(|_| StoreError::Stopped)?
    }
}

async fn run(db: DatabaseConnection, hub: LiveHub, mut jobs: mpsc::Receiver<Job>, batch_size: usize) {
    let mut batch = Vec::with_capacity(batch_size);
    while jobs.recv_many(&mut batch, batch_size).await > 0 {
        let outcomes = match write_batch(&db, &batch).await {
            Ok((changes, deleted)) => {
                hub.publish(changes);
                deleted.into_iter().map(Ok).collect()
            }
            Err(err) if batch.len() > 1 => {
                // One bad event must not cost the others: store them one by one.
                tracing::warn!(events = batch.len(), "storing a batch failed, retrying one by one: {err}");
                let mut outcomes = Vec::with_capacity(batch.len());
                for job in &batch {
                    outcomes.push(match write_batch(&db, std::slice::from_ref(job)).await {
                        Ok((changes, deleted)) => {
                            hub.publish(changes);
                            Ok(deleted.first().copied().unwrap_or_default())
                        }
                        Err(err) => {
                            tracing::error!("storing an event failed: {err}");
                            Err(StoreError::Failed)
                        }
                    });
                }
                outcomes
            }
            Err(err) => {
                tracing::error!("storing an event failed: {err}");
                vec![Err(StoreError::Failed)]
            }
        };
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            if job.done.send(outcome).is_err() {
                tracing::debug!("a client disconnected before its event was acknowledged");
            }
        }
    }
    tracing::debug!("writer stopped");
}

/// Stores the batch in one transaction. Returns one change per issue it touched, and per job
/// the number of events it deleted.
async fn write_batch(db: &DatabaseConnection, batch: &[Job]) -> Result<(Vec<LiveChange>, Vec<u64>), DbErr> {
    // IMMEDIATE takes SQLite's write lock up front, waiting for it if another connection holds
    // it; a deferred transaction would fail instead when it upgrades from reading to writing.
    let immediate = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let txn = db.begin_with_options(immediate).await?;
    let mut touched: BTreeMap<i64, (bool, issue::Model)> = BTreeMap::new();
    let mut pruned = Vec::new();
    let mut deleted = Vec::with_capacity(batch.len());
    for job in batch {
        deleted.push(match &job.write {
            Write::Event(new) => {
                if let Some((issue, created)) = store_event(&txn, new).await? {
                    let was_created = touched.get(&issue.id).is_some_and(|(created, _)| *created);
                    touched.insert(issue.id, (created || was_created, issue));
                }
                0
            }
            Write::Attachments { project_id, event_id, attachments } => {
                store_attachments(&txn, *project_id, event_id, attachments, Utc::now()).await?;
                0
            }
            Write::Prune(policy) => {
                let (count, changed) = retention::prune(&txn, *policy).await?;
                pruned.extend(changed);
                count
            }
        });
    }
    txn.commit().await?;
    let mut changes: Vec<LiveChange> = touched
        .into_values()
        .map(|(created, row)| {
            let issue = summary(row);
            if created { LiveChange::IssueCreated { issue } } else { LiveChange::IssueUpdated { issue } }
        })
        .collect();
    changes.extend(pruned.into_iter().map(|issue| LiveChange::IssueUpdated { issue }));
    Ok((changes, deleted))
}

/// Groups and inserts one event. Returns its issue and whether the issue is new, or `None` when
/// the project already has an event with this id (an SDK retry): storing it again would count it
/// twice.
async fn store_event(db: &impl ConnectionTrait, new: &NewEvent) -> Result<Option<(issue::Model, bool)>, DbErr> {
    let project_id = new.project_id.get();
    let duplicate = event::Entity::find()
        .filter(event::Column::ProjectId.eq(project_id))
        .filter(event::Column::EventId.eq(&new.event_id))
        .one(db)
        .await?;
    if duplicate.is_some() {
        return Ok(None);
    }

    let known = issue_hash::Entity::find()
        .filter(issue_hash::Column::ProjectId.eq(project_id))
        .filter(issue_hash::Column::Hash.is_in(new.grouping.hashes.iter().cloned()))
        .all(db)
        .await?;
    // The first of the event's hashes that is known decides the issue.
    let existing = new.grouping.hashes.iter().find_map(|hash| known.iter().find(|row| &row.hash == hash));
    let existing_issue = match existing {
        Some(row) => issue::Entity::find_by_id(row.issue_id).one(db).await?,
        None => None,
    };

    let (issue, created) = match existing_issue {
        Some(issue) => (record_another_event(db, issue, new).await?, false),
        None => (open_issue(db, new).await?, true),
    };
    for hash in new.grouping.hashes.iter().filter(|hash| !known.iter().any(|row| &row.hash == *hash)) {
        issue_hash::ActiveModel {
            project_id: Set(project_id),
            hash: Set(hash.clone()),
            issue_id: Set(issue.id),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }

    event::ActiveModel {
        project_id: Set(project_id),
        issue_id: Set(issue.id),
        event_id: Set(new.event_id.clone()),
        timestamp: Set(new.timestamp),
        received: Set(new.received),
        level: Set(new.level.as_str().to_owned()),
        title: Set(new.title.clone()),
        payload: Set(new.payload.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    store_attachments(db, new.project_id, &new.event_id, &new.attachments, new.received).await?;
    Ok(Some((issue, created)))
}

async fn store_attachments(
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
        grouping_version: Set(new.grouping.version.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Counts the event on its issue; the issue takes the latest event's title, culprit and level.
async fn record_another_event(
    db: &impl ConnectionTrait,
    issue: issue::Model,
    new: &NewEvent,
) -> Result<issue::Model, DbErr> {
    let is_latest = new.timestamp >= issue.last_seen;
    let first_seen = issue.first_seen.min(new.timestamp);
    let last_seen = issue.last_seen.max(new.timestamp);
    let event_count = issue.event_count + 1;
    let mut row = issue.into_active_model();
    row.event_count = Set(event_count);
    row.first_seen = Set(first_seen);
    row.last_seen = Set(last_seen);
    if is_latest {
        row.title = Set(new.title.clone());
        row.culprit = Set(new.culprit.clone());
        row.level = Set(new.level.as_str().to_owned());
    }
    row.update(db).await
}
