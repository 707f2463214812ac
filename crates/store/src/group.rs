//! Group commit of stand-alone audit records (reads of personal data, sign-ins, refusals).
//!
//! Every read is recorded before its answer leaves, but one transaction per read would make all
//! readers queue for the database's write lock (SQLite has one writer; the audit chain has one
//! tail on both backends). Requests hand their records to one writer task, which appends
//! everything waiting in one transaction and then tells each request that its record is
//! stored. Nothing is answered before its record is committed.

use crate::{Actor, AuditEntry, Result, StoreError};
use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

type Job = (Actor, Vec<AuditEntry>, oneshot::Sender<std::result::Result<(), String>>);

/// Appends many jobs' records in one transaction.
#[async_trait]
pub(crate) trait JobWriter: Send + Sync + 'static {
    async fn write_jobs(&self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()>;
}

/// The queue in front of the writer task.
#[derive(Clone)]
pub(crate) struct AuditQueue {
    tx: mpsc::UnboundedSender<Job>,
}

/// Most jobs in one transaction.
const MAX_BATCH: usize = 1000;

impl AuditQueue {
    pub(crate) fn spawn<W: JobWriter>(writer: W) -> AuditQueue {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                // Let the requests that are about to hand in their records (ready on this
                // worker's queue) do so first: larger groups, fewer commits.
                tokio::task::yield_now().await;
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let (jobs, replies): (Vec<(Actor, Vec<AuditEntry>)>, Vec<_>) =
                    batch.into_iter().map(|(a, e, reply)| ((a, e), reply)).unzip();
                let outcome = writer.write_jobs(&jobs).await.map_err(|e| e.to_string());
                for reply in replies {
                    let _ = reply.send(outcome.clone());
                }
            }
        });
        AuditQueue { tx }
    }

    /// Hands records to the writer and waits until they are committed.
    pub(crate) async fn submit(&self, actor: &Actor, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let (reply, done) = oneshot::channel();
        self.tx
            .send((actor.clone(), entries.to_vec(), reply))
            .map_err(|_| StoreError::Audit("the audit writer has stopped".into()))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Audit(e)),
            Err(_) => Err(StoreError::Audit("the audit writer has stopped".into())),
        }
    }
}
