//! The single writer. Ingest handlers hand it events through a bounded queue; it stores many
//! in one transaction and answers each handler only after that transaction committed, so an
//! acknowledged event is durable. Alert rules the batch makes fire queue their deliveries in the
//! same transaction. After the commit it publishes what changed through the function it was
//! started with (the live hub's, which the store does not know) and wakes the alert dispatcher.

use super::activity::Actor;
use super::alerts::{channels, deliveries, firing, unattended};
use super::decisions::{self, DecisionError};
use super::entities::issue;
use super::entities::{alert_channel, alert_delivery, personal_notification};
use super::hash_issues::HashIssues;
use super::new_event::{NewAttachment, NewEvent};
use super::record::{self, Touched};
use super::{issues, notifications, retention};
use app::alerts::{Delivery, DeliveryState};
use app::dto::Activity;
use app::live::LiveChange;
use chrono::{DateTime, Utc};
use protocol::ids::ProjectId;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use std::sync::Arc;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("the ingest queue is full")]
    QueueFull,
    #[error("the writer has stopped")]
    Stopped,
    #[error("the transaction holding the event failed")]
    Failed,
    /// A decision that cannot apply, for the reason given.
    #[error("{0}")]
    Refused(&'static str),
}

/// What a job did, for whoever queued it.
#[derive(Debug, Default)]
struct Done {
    /// Events deleted (prunes) or issues changed (wake-ups and decisions).
    count: u64,
    /// The activity entry it recorded (comments).
    activity: Option<Activity>,
    /// The alert delivery it queued (digests).
    delivery: Option<alert_delivery::Model>,
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
    /// A teammate's decision on some issues.
    Decide(Box<decisions::Request>),
    Comment {
        issue_id: i64,
        project_id: i64,
        text: String,
        by: Actor,
    },
    /// How an alert delivery's attempt went: through the writer, so the dispatcher never waits
    /// for SQLite's write lock behind a busy ingest.
    Attempted(Box<(alert_delivery::Model, deliveries::Attempt)>),
    /// How an attempt to send a personal email went.
    Mailed(Box<(personal_notification::Model, deliveries::Attempt)>),
    /// Deliveries the channel's hourly cap holds back, until then.
    Hold {
        ids: Vec<i64>,
        until: DateTime<Utc>,
    },
    /// Gathers what a channel holds back into one digest, queued now.
    Digest(Box<alert_channel::Model>),
    /// Fires the rules waiting for issues left unattended until then.
    Unattended(DateTime<Utc>),
}

struct Job {
    write: Write,
    done: oneshot::Sender<Result<Done, StoreError>>,
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
    /// After each commit it calls `publish` with what changed, and notifies `outbox` when the
    /// batch queued alert deliveries. The queue holds at most `queue_size` jobs and `queue_bytes`
    /// of events and attachments.
    pub fn start(
        db: DatabaseConnection,
        publish: impl Fn(Vec<LiveChange>) + Send + Sync + 'static,
        outbox: Arc<Notify>,
        queue_size: usize,
        queue_bytes: usize,
        batch_size: usize,
    ) -> (Writer, JoinHandle<()>) {
        let (queue, jobs) = mpsc::channel(queue_size.max(1));
        let published = Published { publish, outbox };
        let task = tokio::spawn(run(db, published, jobs, batch_size.max(1)));
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
        Ok(self.submit(Write::Prune(policy)).await?.count)
    }

    /// Brings back the ignored issues whose ignore period ended by `now`; returns how many.
    pub async fn wake_ignored(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.submit(Write::WakeIgnored(now)).await?.count)
    }

    /// Applies a teammate's decision after the events queued before it; returns how many issues
    /// it changed, or why it cannot apply (then it changed none).
    pub async fn decide(&self, request: decisions::Request) -> Result<u64, StoreError> {
        Ok(self.submit(Write::Decide(Box::new(request))).await?.count)
    }

    /// Records a comment on an issue; returns its activity entry.
    pub async fn comment(
        &self,
        project_id: i64,
        issue_id: i64,
        text: String,
        by: Actor,
    ) -> Result<Activity, StoreError> {
        self.submit(Write::Comment { issue_id, project_id, text, by }).await?.activity.ok_or(StoreError::Failed)
    }

    /// Records how an attempt to send a personal email went.
    pub async fn record_mail(
        &self,
        notification: personal_notification::Model,
        attempt: deliveries::Attempt,
    ) -> Result<(), StoreError> {
        self.submit(Write::Mailed(Box::new((notification, attempt)))).await.map(|_| ())
    }

    /// Records how an attempt to deliver an alert went (and the channel's failing state).
    pub async fn record_attempt(
        &self,
        delivery: alert_delivery::Model,
        attempt: deliveries::Attempt,
    ) -> Result<(), StoreError> {
        self.submit(Write::Attempted(Box::new((delivery, attempt)))).await.map(|_| ())
    }

    /// Holds the deliveries back, because their channel's hourly cap is reached, until `until`.
    pub async fn hold(&self, deliveries: Vec<i64>, until: DateTime<Utc>) -> Result<(), StoreError> {
        self.submit(Write::Hold { ids: deliveries, until }).await.map(|_| ())
    }

    /// Gathers every delivery the channel holds back into one digest, due now; returns it, or
    /// nothing when nothing is held.
    pub async fn digest(&self, channel: alert_channel::Model) -> Result<Option<alert_delivery::Model>, StoreError> {
        Ok(self.submit(Write::Digest(Box::new(channel))).await?.delivery)
    }

    /// Fires the rules whose issues are still unresolved and unassigned as long as they wait by
    /// `now`; returns how many deliveries it queued.
    pub async fn fire_unattended(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.submit(Write::Unattended(now)).await?.count)
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

    async fn submit(&self, write: Write) -> Result<Done, StoreError> {
        self.enqueue(write, None).await
    }

    /// Queues a job holding `bytes`, if the queue has room for them.
    async fn submit_sized(&self, write: Write, bytes: usize) -> Result<Done, StoreError> {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX).clamp(1, self.queue_kib);
        let held = self.kib.clone().try_acquire_many_owned(kib).map_err(|_| StoreError::QueueFull)?;
        self.enqueue(write, Some(held)).await
    }

    async fn enqueue(&self, write: Write, bytes: Option<OwnedSemaphorePermit>) -> Result<Done, StoreError> {
        let (done, committed) = oneshot::channel();
        self.queue.try_send(Job { write, done, _bytes: bytes }).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => StoreError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => StoreError::Stopped,
        })?;
        committed.await.map_err(|_| StoreError::Stopped)?
    }
}

/// Where the writer tells what it committed.
struct Published<F> {
    /// To the live hub.
    publish: F,
    /// To the alert dispatcher, when there is something to deliver.
    outbox: Arc<Notify>,
}

async fn run(
    db: DatabaseConnection,
    publish: Published<impl Fn(Vec<LiveChange>) + Sync>,
    mut jobs: mpsc::Receiver<Job>,
    batch_size: usize,
) {
    let mut batch = Vec::with_capacity(batch_size);
    let mut known = HashIssues::default();
    while jobs.recv_many(&mut batch, batch_size).await > 0 {
        let outcomes = match write_batch(&db, &batch, &mut known).await {
            Ok(committed) => committed.publish(&db, &publish).await,
            Err(err) if batch.len() > 1 => {
                // One bad event must not cost the others: store them one by one.
                tracing::warn!(events = batch.len(), "storing a batch failed, retrying one by one: {err}");
                let mut outcomes = Vec::with_capacity(batch.len());
                for job in &batch {
                    outcomes.push(match write_batch(&db, std::slice::from_ref(job), &mut known).await {
                        Ok(committed) => {
                            let outcomes = committed.publish(&db, &publish).await;
                            outcomes.into_iter().next().unwrap_or_else(|| Ok(Done::default()))
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

/// What a committed batch did.
struct Committed {
    /// Per issue an event touched: the issue, whether it is new, and its new events.
    touched: Vec<Touched>,
    /// Issues changed by something else than a new event.
    changed_otherwise: Vec<issue::Model>,
    /// The activity entries recorded, with their projects.
    activity: Vec<(i64, Activity)>,
    /// The alert deliveries queued.
    deliveries: Vec<Delivery>,
    /// Whether a personal email was queued.
    mailed: bool,
    /// Per job, what it did.
    outcomes: Vec<Result<Done, StoreError>>,
}

impl Committed {
    /// Tells every open dashboard what changed, as the database has it now; returns the outcomes.
    /// It is committed already: a failure here costs the dashboards an update, not the jobs.
    async fn publish(
        self,
        db: &DatabaseConnection,
        published: &Published<impl Fn(Vec<LiveChange>) + Sync>,
    ) -> Vec<Result<Done, StoreError>> {
        let Committed { touched, changed_otherwise, activity, deliveries, mailed, outcomes } = self;
        if !deliveries.is_empty() || mailed {
            published.outbox.notify_one();
        }
        match changes(db, touched, changed_otherwise, activity).await {
            Ok(mut changes) => {
                changes.extend(
                    deliveries.into_iter().map(|delivery| LiveChange::DeliveryChanged { delivery: Box::new(delivery) }),
                );
                (published.publish)(changes);
            }
            Err(err) => tracing::warn!("reading what a batch changed for the dashboards failed: {err}"),
        }
        outcomes
    }
}

/// Issues first, then their new events and activity.
async fn changes(
    db: &DatabaseConnection,
    touched: Vec<Touched>,
    changed_otherwise: Vec<issue::Model>,
    activity: Vec<(i64, Activity)>,
) -> Result<Vec<LiveChange>, DbErr> {
    let mut changes = Vec::new();
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
    let changed_otherwise = issues::summaries(db, changed_otherwise).await?;
    changes.extend(changed_otherwise.into_iter().map(|issue| LiveChange::IssueUpdated { issue }));
    changes
        .extend(activity.into_iter().map(|(project_id, activity)| LiveChange::ActivityAdded { project_id, activity }));
    Ok(changes)
}

/// Stores the batch in one transaction: its events together, then its other jobs in order.
/// `known` learns the batch's hashes once it committed, and forgets all when retention deleted
/// something.
async fn write_batch(db: &DatabaseConnection, batch: &[Job], known: &mut HashIssues) -> Result<Committed, DbErr> {
    let txn = super::begin_write(db).await?;
    let events: Vec<&NewEvent> = batch
        .iter()
        .filter_map(|job| match &job.write {
            Write::Event(new) => Some(&**new),
            _ => None,
        })
        .collect();
    let recorded = record::events(&txn, &events, known).await?;
    let mut queued = firing::fire(&txn, &recorded, Utc::now()).await?;
    // Deliveries attempted, held back or gathered into a digest.
    let mut updated = Vec::new();
    let mut activity = recorded.activity;
    // Issues changed by something else than a new event.
    let mut changed_otherwise = Vec::new();
    let mut pruned = false;
    let mut mailed = false;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        outcomes.push(match &job.write {
            Write::Event(_) => Ok(Done::default()),
            Write::Attachments { project_id, event_id, attachments } => {
                record::store_attachments(&txn, *project_id, event_id, attachments, Utc::now()).await?;
                Ok(Done::default())
            }
            Write::Prune(policy) => {
                let (count, changed) = retention::prune(&txn, *policy).await?;
                pruned |= count > 0;
                changed_otherwise.extend(changed);
                Ok(Done { count, ..Done::default() })
            }
            Write::WakeIgnored(now) => {
                let woken = record::wake_ignored(&txn, *now).await?;
                let count = woken.len() as u64;
                for (issue, entry) in woken {
                    activity.push((issue.project_id, entry));
                    changed_otherwise.push(issue);
                }
                Ok(Done { count, ..Done::default() })
            }
            Write::Decide(request) => match decisions::decide(&txn, request, Utc::now()).await {
                Ok(changed) => {
                    let count = changed.len() as u64;
                    for (issue, entry) in changed {
                        mailed |= notifications::queue(&txn, &issue, &entry, &request.by, Utc::now()).await?;
                        activity.push((issue.project_id, entry));
                        changed_otherwise.push(issue);
                    }
                    Ok(Done { count, ..Done::default() })
                }
                Err(DecisionError::Refused(why)) => Err(StoreError::Refused(why)),
                Err(DecisionError::Database(err)) => return Err(err),
            },
            Write::Comment { issue_id, project_id, text, by } => {
                let entry = decisions::comment(&txn, *issue_id, text, by, Utc::now()).await?;
                if let Some(issue) = issue::Entity::find_by_id(*issue_id).one(&txn).await? {
                    mailed |= notifications::queue(&txn, &issue, &entry, by, Utc::now()).await?;
                }
                activity.push((*project_id, entry.clone()));
                Ok(Done { activity: Some(entry), ..Done::default() })
            }
            Write::Attempted(attempt) => {
                let (delivery, attempt) = &**attempt;
                let row = deliveries::record(&txn, delivery.clone(), attempt).await?;
                let failure = attempt.error.as_deref().filter(|_| attempt.state != DeliveryState::Sent);
                channels::record_result(&txn, row.channel_id, failure, attempt.at).await?;
                updated.push(row);
                Ok(Done::default())
            }
            Write::Mailed(attempt) => {
                let (notification, attempt) = &**attempt;
                notifications::record(&txn, notification.clone(), attempt).await?;
                Ok(Done::default())
            }
            Write::Hold { ids, until } => {
                updated.extend(deliveries::hold(&txn, ids.clone(), *until).await?);
                Ok(Done::default())
            }
            Write::Digest(channel) => match deliveries::digest(&txn, channel, Utc::now()).await? {
                Some((digest, carried)) => {
                    updated.extend(carried);
                    updated.push(digest.clone());
                    Ok(Done { delivery: Some(digest), ..Done::default() })
                }
                None => Ok(Done::default()),
            },
            Write::Unattended(now) => {
                let fired = unattended::fire(&txn, *now).await?;
                let count = fired.len() as u64;
                queued.extend(fired);
                Ok(Done { count, ..Done::default() })
            }
        });
    }
    queued.extend(deliveries::infos(&txn, updated).await?);
    txn.commit().await?;
    if pruned {
        known.forget();
    } else {
        known.learn(recorded.learned);
    }

    Ok(Committed {
        touched: recorded.issues.into_values().collect(),
        changed_otherwise,
        activity,
        deliveries: queued,
        mailed,
        outcomes,
    })
}
