//! Group commit of stand-alone audit records (reads of personal data, sign-ins, refusals).
//!
//! Every read is recorded before its answer leaves, but one transaction per read would make all
//! readers queue for the database's write lock (SQLite has one writer; the audit chain has one
//! tail on both backends). Requests hand their records to one writer, which appends everything
//! waiting in one transaction and then tells each request that its record is stored. Nothing is
//! answered before its record is committed.
//!
//! The writer is a task for PostgreSQL ([`AuditQueue::spawn`]) and a thread of its own for
//! SQLite ([`AuditQueue::spawn_thread`]), which writes through SQLite's C API without handing
//! each statement to a connection's worker thread.

use crate::{Actor, AuditEntry, Result, StoreError};
use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<std::result::Result<(), String>>;
type Job = (Actor, Vec<AuditEntry>, Reply);

/// Appends many jobs' records in one transaction.
#[async_trait]
pub(crate) trait JobWriter: Send + Sync + 'static {
    async fn write_jobs(&self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()>;
}

/// The queue in front of the writer.
#[derive(Clone)]
pub(crate) struct AuditQueue {
    tx: mpsc::UnboundedSender<Job>,
}

/// Most jobs in one transaction.
const MAX_BATCH: usize = 1000;

/// The jobs waiting after `first` (up to [`MAX_BATCH`] in all), split from their replies.
fn take_group(first: Job, rx: &mut mpsc::UnboundedReceiver<Job>) -> (Vec<(Actor, Vec<AuditEntry>)>, Vec<Reply>) {
    let mut group = vec![first];
    while group.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    group.into_iter().map(|(a, e, reply)| ((a, e), reply)).unzip()
}

/// Whether writing a failed group's jobs one at a time is still worth it: it is while one of
/// them has gone through. When the first two alone fail too, the cause is not one job's data
/// (the database is unreachable or busy): the rest are answered with the group's error at once
/// instead of each waiting out its own failure.
#[derive(Default)]
struct Retry {
    tried: u32,
    succeeded: bool,
}

impl Retry {
    fn worth_it(&self) -> bool {
        self.succeeded || self.tried < 2
    }
    fn saw(&mut self, outcome: &std::result::Result<(), String>) {
        self.tried += 1;
        self.succeeded |= outcome.is_ok();
    }
}

fn answer(replies: Vec<Reply>, outcome: &std::result::Result<(), String>) {
    for reply in replies {
        let _ = reply.send(outcome.clone());
    }
}

/// A writer that runs on a thread of its own.
pub(crate) trait ThreadWriter {
    /// Appends a group of jobs' records in one transaction.
    fn write(&mut self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()>;
    /// Work for after the group's requests have their answer; `false` when the writer cannot go
    /// on (the requests still queued are then told that it has stopped).
    fn after(&mut self) -> bool {
        true
    }
}

/// A writer that could not start: every job gets the reason.
pub(crate) struct Failed(pub(crate) String);

impl ThreadWriter for Failed {
    fn write(&mut self, _: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
        Err(StoreError::Audit(format!("the audit writer could not start: {}", self.0)))
    }
}

/// The jobs handed to a writer thread.
pub(crate) struct Jobs {
    rx: mpsc::UnboundedReceiver<Job>,
}

impl Jobs {
    /// Writes the jobs as they come, a group at a time, until every queue handle is gone.
    pub(crate) fn serve(mut self, writer: &mut impl ThreadWriter) {
        while let Some(first) = self.rx.blocking_recv() {
            let (jobs, replies) = take_group(first, &mut self.rx);
            match writer.write(&jobs) {
                Ok(()) => answer(replies, &Ok(())),
                Err(e) if jobs.len() == 1 => answer(replies, &Err(e.to_string())),
                // As for the task writer: each job again on its own.
                Err(group_error) => {
                    let mut retry = Retry::default();
                    for (job, reply) in jobs.into_iter().zip(replies) {
                        let alone = if retry.worth_it() {
                            writer.write(std::slice::from_ref(&job)).map_err(|e| e.to_string())
                        } else {
                            Err(group_error.to_string())
                        };
                        retry.saw(&alone);
                        answer(vec![reply], &alone);
                    }
                }
            }
            if !writer.after() {
                return;
            }
        }
    }
}

impl AuditQueue {
    pub(crate) fn spawn<W: JobWriter>(writer: W) -> AuditQueue {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                // Let the requests that are about to hand in their records (ready on this
                // worker's queue) do so first: larger groups, fewer commits.
                tokio::task::yield_now().await;
                let (jobs, replies) = take_group(first, &mut rx);
                match writer.write_jobs(&jobs).await {
                    Ok(()) => answer(replies, &Ok(())),
                    // One job's record may have failed the whole group: each is written again
                    // on its own, so that only that job's request fails.
                    Err(e) if jobs.len() == 1 => answer(replies, &Err(e.to_string())),
                    Err(group_error) => {
                        let mut retry = Retry::default();
                        for (job, reply) in jobs.into_iter().zip(replies) {
                            let alone = if retry.worth_it() {
                                writer.write_jobs(std::slice::from_ref(&job)).await.map_err(|e| e.to_string())
                            } else {
                                Err(group_error.to_string())
                            };
                            retry.saw(&alone);
                            answer(vec![reply], &alone);
                        }
                    }
                }
            }
        });
        AuditQueue { tx }
    }

    /// Runs `writer` on a thread of its own; it serves the [`Jobs`] it is given and returns when
    /// the store is dropped.
    pub(crate) fn spawn_thread(name: &str, writer: impl FnOnce(Jobs) + Send + 'static) -> Result<AuditQueue> {
        let (tx, rx) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || writer(Jobs { rx }))
            .map_err(|e| StoreError::Audit(format!("the audit writer could not start: {e}")))?;
        Ok(AuditQueue { tx })
    }

    /// Hands records to the writer and waits until they are committed.
    pub(crate) async fn submit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let (actor, entries) = crate::audit::storable_records(actor, entries).unwrap_or_else(|| (actor.clone(), entries.to_vec()));
        let (reply, done) = oneshot::channel();
        self.tx.send((actor, entries, reply)).map_err(|_| StoreError::Audit("the audit writer has stopped".into()))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Audit(e)),
            Err(_) => Err(StoreError::Audit("the audit writer has stopped".into())),
        }
    }
}
