//! Bounds password hashing, 19 MiB and tens of milliseconds of a core each: a few dedicated
//! threads hash, a bounded queue waits for them, and whatever finds the queue full is refused at
//! once with [`Busy`]. A burst of sign-ins therefore costs neither memory nor a queue of minutes;
//! and since only those threads ever hash, the allocator keeps at most their few blocks (on the
//! shared blocking pool every thread that once hashed kept one).

use super::passwords::{self, Busy, PasswordError};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

/// Threads that hash (one per core, and some).
const THREADS: usize = 4;
/// Passwords waiting for a thread before further ones are refused.
const WAITING: usize = 32;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashingGate {
    jobs: SyncSender<Job>,
}

impl Default for HashingGate {
    fn default() -> Self {
        Self::new(THREADS, WAITING)
    }
}

impl HashingGate {
    fn new(threads: usize, waiting: usize) -> Self {
        let (jobs, queue) = sync_channel::<Job>(waiting);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("password-hashing-{n}")).spawn(move || work(&queue));
            if let Err(err) = spawned {
                tracing::error!("cannot start a password hashing thread: {err}");
            }
        }
        HashingGate { jobs }
    }

    /// The PHC string of a new password, after checking its length.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        passwords::check_strength(&password)?;
        self.run(move || passwords::hash_now(&password)).await?
    }

    /// Whether `password` matches `stored` (see [`passwords::verify`]).
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        self.run(move || passwords::verify_now(&password, stored)).await
    }

    /// Runs `work` on a hashing thread, if the queue has room.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            if done.send(work()).is_err() {
                tracing::debug!("a password was checked for a request that is gone");
            }
        });
        match self.jobs.try_send(job) {
            Ok(()) => answer.await.map_err(|_| Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

/// A hashing thread: takes jobs until the gate is dropped.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[tokio::test]
    async fn a_few_threads_hash_a_bounded_queue_waits_and_the_rest_is_refused() {
        let gate = HashingGate::new(2, 3);
        let (started, running) = channel::<()>();
        let (release, held) = channel::<()>();
        let held = Arc::new(Mutex::new(held));
        let hold = || {
            let (started, held) = (started.clone(), held.clone());
            move || started.send(()).is_ok() && held.lock().unwrap_or_else(PoisonError::into_inner).recv().is_ok()
        };
        let mut jobs: Vec<_> = (0..2 + 3).map(|_| Box::pin(gate.run(hold()))).collect();
        for (n, job) in jobs.iter_mut().enumerate() {
            assert!(futures::poll!(job).is_pending(), "job {n} runs or waits");
            if n == 1 {
                for _ in 0..2 {
                    running.recv_timeout(std::time::Duration::from_secs(5)).expect("both threads took a job");
                }
            }
        }
        assert_eq!(gate.run(|| true).await, Err(Busy), "beyond the queue: refused at once");
        for _ in 0..5 {
            release.send(()).expect("release one");
        }
        for job in jobs {
            assert_eq!(job.await, Ok(true), "every admitted job finishes");
        }
        assert!(gate.verify("a password".to_owned(), None).await.is_ok_and(|valid| !valid), "room again");
    }
}
