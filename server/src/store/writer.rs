//! The single writer. Ingest handlers hand it events through a bounded queue; it stores many
//! in one transaction and answers each handler only after that transaction committed, so an
//! acknowledged event is durable. After the commit it publishes what changed through the
//! function it was started with (the live hub's, which the store does not know).

use super::hash_issues::HashIssues;
use super::new_event::{NewAttachment, NewEvent};
use super::record::{self, Touched};
use super::{issues, retention};
use app::live::LiveChange;
use chrono::{DateTime, Utc};
use protocol::ids::ProjectId;
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

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
    Event(Box<NewEvent>),
    /// Attachments that arrived after their event, in an envelope of their own.
    Attachments {
        project_id: ProjectId,
        event_id: String,
        attachments: Vec<NewAttachment>,
    },
    /// A chunk of retention deletes: through the writer, so they never race the counters.
    Prune(retention::Policy),
    /// Unignores the issues whose ignore period ended by then.
    WakeIgnored(DateTime<Utc>),
}

struct Job {
    write: Write,
    /// How many events the job deleted (prunes) or issues it woke.
    done: oneshot::Sender<Result<u64, StoreError>>,
    /// Its share of the queue's bytes, given back once it is answered.
    _bytes: Option<OwnedSemaphorePermit>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// KiB the queued jobs may hold, events and attachments.
    kib: Arc<Semaphore>,
    /// All of them: a job larger than the queue still gets in, alone.
    queue_kib: u32,
}

impl Writer {
    /// Starts the writer task. It ends once every handle is dropped and the queue is drained.
    /// After each commit it calls `publish` with what changed. The queue holds at most
    /// `queue_size` jobs and `queue_bytes` of events and attachments.
    pub fn start(
        db: DatabaseConnection,
        publish: impl Fn(Vec<LiveChange>) + Send + 'static,
        queue_size: usize,
        queue_bytes: usize,
        batch_size: usize,
    ) -> (Writer, JoinHandle<()>) {
        let (queue, jobs) = mpsc::channel(queue_size.max(1));
        let task = tokio::spawn(run(db, publish, jobs, batch_size.max(1)));
        let queue_kib = u32::try_from(queue_bytes / 1024).unwrap_or(u32::MAX).clamp(1, Semaphore::MAX_PERMITS as u32);
        (Writer { queue, kib: Arc::new(Semaphore::new(queue_kib as usize)), queue_kib }, task)
    }

    /// Queues the event and waits until the transaction holding it committed.
    pub async fn store(&self, event: Box<NewEvent>) -> Result<(), StoreError> {
        let bytes = event.size();
        self.submit_sized(Write::Event(event), bytes).await.map(|_| ())
    }

    /// Deletes one chunk of what is past retention; returns how many events went.
    pub async fn prune(&self, policy: retention::Policy) -> Result<u64, StoreError> {
        self.submit(Write::Prune(policy)).await
    }

    /// Brings back the ignored issues whose ignore period ended by `now`; returns how many.
    pub async fn wake_ignored(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.submit(Write::WakeIgnored(now)).await
    }

    /// Queues attachments of an event sent earlier and waits for their commit.
    pub async fn store_attachments(
        &self,
        project_id: ProjectId,
        event_id: String,
        attachments: Vec<NewAttachment>,
    ) -> Result<(), StoreError> {
        let bytes = attachments.iter().map(|file| file.data.len()).sum();
        self.submit_sized(Write::Attachments { project_id, event_id, attachments }, bytes).await.map(|_| ())
    }

    async fn submit(&self, write: Write) -> Result<u64, StoreError> {
        self.enqueue(write, None).await
    }

    /// Queues a job holding `bytes`, if the queue has room for them.
    async fn submit_sized(&self, write: Write, bytes: usize) -> Result<u64, StoreError> {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX).clamp(1, self.queue_kib);
        let held = self.kib.clone().try_acquire_many_owned(kib).map_err(|_| StoreError::QueueFull)?;
        self.enqueue(write, Some(held)).await
    }

    async fn enqueue(&self, write: Write, bytes: Option<OwnedSemaphorePermit>) -> Result<u64, StoreError> {
        let (done, committed) = oneshot::channel();
        self.queue.try_send(Job { write, done, _bytes: bytes }).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => StoreError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => StoreError::Stopped,
        })?;
        committed.await.map_err(|_| StoreError::Stopped)?
    }
}

async fn run(
    db: DatabaseConnection,
    publish: impl Fn(Vec<LiveChange>),
    mut jobs: mpsc::Receiver<Job>,
    batch_size: usize,
) {
    let mut batch = Vec::with_capacity(batch_size);
    let mut known = HashIssues::default();
    while jobs.recv_many(&mut batch, batch_size).await > 0 {
        let outcomes = match write_batch(&db, &batch, &mut known).await {
            Ok((changes, counts)) => {
                publish(changes);
                counts.into_iter().map(Ok).collect()
            }
            Err(err) if batch.len() > 1 => {
                // One bad event must not cost the others: store them one by one.
                tracing::warn!(events = batch.len(), "storing a batch failed, retrying one by one: {err}");
                let mut outcomes = Vec::with_capacity(batch.len());
                for job in &batch {
                    outcomes.push(match write_batch(&db, std::slice::from_ref(job), &mut known).await {
                        Ok((changes, counts)) => {
                            publish(changes);
                            Ok(counts.first().copied().unwrap_or_default())
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

/// Stores the batch in one transaction: its events together, then its other jobs in order.
/// Returns what changed (per issue touched: the issue, its new events and activity), and per
/// job the number of events or issues it changed. `known` learns the batch's hashes once it
/// committed, and forgets all when retention deleted something.
async fn write_batch(
    db: &DatabaseConnection,
    batch: &[Job],
    known: &mut HashIssues,
) -> Result<(Vec<LiveChange>, Vec<u64>), DbErr> {
    let txn = super::begin_write(db).await?;
    let events: Vec<&NewEvent> = batch
        .iter()
        .filter_map(|job| match &job.write {
            Write::Event(new) => Some(&**new),
            _ => None,
        })
        .collect();
    let recorded = record::events(&txn, &events, known).await?;
    let mut activity = recorded.activity;
    // Issues changed by something else than a new event.
    let mut changed_otherwise = Vec::new();
    let mut pruned = false;
    let mut counts = Vec::with_capacity(batch.len());
    for job in batch {
        counts.push(match &job.write {
            Write::Event(_) => 0,
            Write::Attachments { project_id, event_id, attachments } => {
                record::store_attachments(&txn, *project_id, event_id, attachments, Utc::now()).await?;
                0
            }
            Write::Prune(policy) => {
                let (count, changed) = retention::prune(&txn, *policy).await?;
                pruned |= count > 0;
                changed_otherwise.extend(changed);
                count
            }
            Write::WakeIgnored(now) => {
                let woken = record::wake_ignored(&txn, *now).await?;
                let count = woken.len() as u64;
                for (issue, entry) in woken {
                    activity.push((issue.project_id, entry));
                    changed_otherwise.push(issue);
                }
                count
            }
        });
    }
    txn.commit().await?;
    if pruned {
        known.forget();
    } else {
        known.learn(recorded.learned);
    }

    let mut changes = Vec::new();
    let touched: Vec<Touched> = recorded.issues.into_values().collect();
    let summaries = issues::summaries(db, touched.iter().map(|t| t.issue.clone()).collect()).await?;
    for (touched, issue) in touched.into_iter().zip(summaries) {
        let (project_id, issue_id) = (issue.project_id, issue.id);
        changes.push(if touched.created {
            LiveChange::IssueCreated { issue }
        } else {
            LiveChange::IssueUpdated { issue }
        });
        changes.push(LiveChange::EventsAdded { project_id, issue_id, events: touched.events });
    }
    changes
        .extend(activity.into_iter().map(|(project_id, activity)| LiveChange::ActivityAdded { project_id, activity }));
    let changed_otherwise = issues::summaries(db, changed_otherwise).await?;
    changes.extend(changed_otherwise.into_iter().map(|issue| LiveChange::IssueUpdated { issue }));
    Ok((changes, counts))
}
