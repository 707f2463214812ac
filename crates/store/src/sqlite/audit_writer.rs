//! The SQLite audit writer: a thread of its own that appends the audit records of reads and
//! sign-ins to the chain in groups, and the checkpointer thread that keeps the WAL from growing.

use super::{time_text, AuditValues, AUDIT_INSERT, CHAIN_TAIL};
use crate::sqlite::raw::Handle;
use crate::{chain, Actor, AuditEntry, Result};

/// The audit writer's thread. It has a connection of its own, locked for the thread's life, and
/// writes through SQLite's C API ([`crate::sqlite::raw`]): through sqlx, each of a group's four
/// statements (BEGIN, the chain's tail, INSERT, COMMIT) would be handed to the connection's
/// worker thread and its answer handed back, eight thread switches a group. Checkpoints are
/// asked of `checkpointer`'s thread (see [`Checkpoints`]).
pub(super) fn audit_writer(mut conn: sqlx::SqliteConnection, checkpointer: sqlx::SqliteConnection, jobs: crate::group::Jobs) {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => return jobs.serve(&mut crate::group::Failed(e.to_string())),
    };
    let mut locked = match runtime.block_on(conn.lock_handle()) {
        Ok(locked) => locked,
        Err(e) => return jobs.serve(&mut crate::group::Failed(e.to_string())),
    };
    let mut handle = Handle::new(&mut locked);
    let wal = handle.watch_wal();
    let checkpoints = Checkpoints::start(checkpointer);
    jobs.serve(&mut AuditWriter { handle, wal, checkpoints, last_frames: 0 });
}

struct AuditWriter<'c> {
    handle: Handle<'c>,
    wal: crate::sqlite::raw::WalWatch<'c>,
    checkpoints: Checkpoints,
    last_frames: i32,
}

impl crate::group::ThreadWriter for AuditWriter<'_> {
    fn write(&mut self, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
        append_group(&mut self.handle, jobs)
    }

    fn after(&mut self) -> bool {
        if self.handle.in_transaction() {
            // A failed group whose ROLLBACK failed too: the writer would hold the write lock for
            // ever. It stops; closing its connection ends the transaction.
            eprintln!("audit writer: a transaction could not be ended; the writer stops");
            return false;
        }
        let frames = self.wal.frames();
        if frames < self.last_frames {
            // The WAL started again from its beginning.
            self.checkpoints.next_at = CHECKPOINT_FRAMES;
        }
        self.last_frames = frames;
        self.checkpoints.after_commit(&mut self.handle, frames);
        true
    }
}

/// WAL frames (4 KB pages) after which the audit writer asks for a checkpoint. Lower than the
/// pool's `wal_autocheckpoint`, which stays as the backstop for other writers.
pub(super) const CHECKPOINT_FRAMES: i32 = 8_000;

/// At most this many frames left to copy, the writer copies them itself; more, and the
/// checkpointer makes another pass.
const INLINE_FRAMES: i32 = 1_000;

/// Background passes in one round at most, before the writer copies the rest itself.
const MAX_PASSES: u32 = 3;

/// Checkpoints off the commit path. SQLite copies the WAL back into the database file inside
/// the commit that fills it past `wal_autocheckpoint`: that commit waits for the copy and two
/// fsyncs (30 ms and more here), and so do the reads whose audit records it carries and the
/// ones queued behind it. The audit writer's connection instead asks a thread of its own to
/// checkpoint (`PASSIVE`: commits go on meanwhile), again while more than [`INLINE_FRAMES`]
/// are left and each pass leaves fewer (at most [`MAX_PASSES`] passes). Then the writer copies
/// the rest itself, between two groups, so that the WAL is wholly copied and its next
/// transaction starts the WAL again from the beginning: a background checkpoint alone never
/// catches up with commits that go on, and the WAL would grow for as long as they do. (A reader
/// still on an older snapshot can keep a frame from being copied; the writer then tries again
/// 2,000 frames later.)
struct Checkpoints {
    ask: std::sync::mpsc::SyncSender<()>,
    /// After each pass of the checkpointer, the WAL's frames copied so far (-1: not done).
    done: std::sync::mpsc::Receiver<i32>,
    asked: bool,
    /// Passes asked for in this round, and the frames the last one left.
    passes: u32,
    left: i32,
    next_at: i32,
}

impl Checkpoints {
    fn start(conn: sqlx::SqliteConnection) -> Checkpoints {
        let (ask, asks) = std::sync::mpsc::sync_channel::<()>(1);
        let (finished, done) = std::sync::mpsc::channel::<i32>();
        // A thread that does not start (or stops) closes both channels, and the writer then
        // checkpoints in line.
        if let Err(e) = std::thread::Builder::new().name("minzheng-checkpoint".into()).spawn(move || checkpointer(conn, asks, finished)) {
            eprintln!("audit writer: the checkpointer thread could not start ({e}); checkpoints run in line");
        }
        Checkpoints { ask, done, asked: false, passes: 0, left: i32::MAX, next_at: CHECKPOINT_FRAMES }
    }

    fn after_commit(&mut self, h: &mut Handle<'_>, frames: i32) {
        use std::sync::mpsc::TryRecvError;
        if !self.asked {
            if frames >= self.next_at {
                self.ask(h, frames);
            }
            return;
        }
        match self.done.try_recv() {
            Err(TryRecvError::Empty) => {
                // A checkpointer far behind (or stuck): the WAL's size comes first.
                if frames >= self.next_at + 3 * CHECKPOINT_FRAMES {
                    self.in_line(h, frames);
                }
            }
            Ok(copied) if copied > frames => {
                // The WAL started again since the pass began: the round is over.
                self.asked = false;
                self.end_round();
            }
            Ok(copied) => {
                self.asked = false;
                let left = frames - copied;
                if copied >= 0 && left > INLINE_FRAMES && left < self.left && self.passes < MAX_PASSES {
                    self.left = left;
                    self.ask(h, frames);
                } else {
                    self.in_line(h, frames);
                }
            }
            Err(TryRecvError::Disconnected) => {
                self.asked = false;
                self.in_line(h, frames);
            }
        }
    }

    fn ask(&mut self, h: &mut Handle<'_>, frames: i32) {
        match self.ask.try_send(()) {
            Ok(()) | Err(std::sync::mpsc::TrySendError::Full(())) => {
                self.asked = true;
                self.passes += 1;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(())) => self.in_line(h, frames),
        }
    }

    fn in_line(&mut self, h: &mut Handle<'_>, frames: i32) {
        if let Err(e) = h.execute("PRAGMA wal_checkpoint(PASSIVE)") {
            // The WAL stays as it was; the next checkpoint copies it.
            eprintln!("audit writer: checkpoint failed: {e}");
        }
        // Should a reader have kept the WAL from starting again, try once it has grown by a
        // quarter of the threshold more.
        self.next_at = frames + CHECKPOINT_FRAMES / 4;
        self.end_round();
    }

    fn end_round(&mut self) {
        self.passes = 0;
        self.left = i32::MAX;
    }
}

/// The checkpointer's thread: a `PASSIVE` checkpoint each time the writer asks, on a
/// connection of its own; ends with the writer.
fn checkpointer(mut conn: sqlx::SqliteConnection, asks: std::sync::mpsc::Receiver<()>, done: std::sync::mpsc::Sender<i32>) {
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => return eprintln!("audit writer: the checkpointer could not start ({e}); checkpoints run in line"),
    };
    let mut locked = match runtime.block_on(conn.lock_handle()) {
        Ok(locked) => locked,
        Err(e) => return eprintln!("audit writer: the checkpointer could not start ({e}); checkpoints run in line"),
    };
    let mut handle = Handle::new(&mut locked);
    for () in asks {
        let copied = checkpoint(&mut handle).unwrap_or_else(|e| {
            eprintln!("audit writer: checkpoint failed: {e}");
            -1
        });
        if done.send(copied).is_err() {
            return;
        }
    }
}

/// A `PASSIVE` checkpoint; the frames of the WAL copied into the database file so far (-1 when
/// the checkpoint could not run, for instance another connection's was running).
fn checkpoint(h: &mut Handle<'_>) -> Result<i32> {
    let mut st = h.prepare("PRAGMA wal_checkpoint(PASSIVE)")?;
    // One row: busy, frames in the WAL, frames of it copied so far.
    let copied = match st.next()? {
        Some(row) => row.int(2)?,
        None => -1,
    };
    Ok(i32::try_from(copied).unwrap_or(-1))
}

/// Appends a group of jobs' records to the chain in one transaction.
fn append_group(h: &mut Handle<'_>, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
    // IMMEDIATE: the write lock first, so that the tail read is still the tail when appended to.
    h.execute("BEGIN IMMEDIATE")?;
    let written = append_records(h, jobs).and_then(|()| h.execute("COMMIT"));
    if written.is_err() {
        let _ = h.execute("ROLLBACK");
    }
    written
}

fn append_records(h: &mut Handle<'_>, jobs: &[(Actor, Vec<AuditEntry>)]) -> Result<()> {
    let mut tail = {
        let mut st = h.prepare(CHAIN_TAIL)?;
        match st.next()? {
            Some(row) => row.text(0)?.to_owned(),
            None => chain::GENESIS.to_owned(),
        }
    };
    let now = chain::now();
    let at = time_text(&now);
    let mut insert = h.prepare(&format!("{AUDIT_INSERT}VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"))?;
    for (actor, entries) in jobs {
        for e in entries {
            let hash = chain::link(&tail, &now, actor, e);
            for (i, value) in AuditValues::of(e).row(&at, actor, e, &tail, &hash).into_iter().enumerate() {
                insert.bind_text(i + 1, value)?;
            }
            insert.run()?;
            tail = hash;
        }
    }
    Ok(())
}
