//! Bulk reads and the audit writer's statements through SQLite's C API.
//!
//! sqlx runs each SQLite connection on a worker thread and hands every row over to the async
//! side (a channel message, a task wake-up and an owned row per row). For the millions of rows
//! of a policy snapshot that hand-off costs more than SQLite's own reading, so the snapshot scan
//! locks the connection's handle (`LockedSqliteHandle`, sqlx's documented way to call SQLite
//! directly) and steps its statements here, reading columns in place.
//!
//! The audit writer and the checkpointer (`sqlite.rs`) each keep a connection locked for the
//! life of their thread and write through the same handle; [`WalWatch`] tells the writer how
//! long the WAL has grown.
//!
//! All `unsafe` of the store is in this module. The invariants: the handle stays locked (no
//! other use of the connection) for the life of every [`Statement`], which borrows it; a
//! column's bytes are read only while the row that gave them is borrowed, that is before the
//! next step or the statement's end.

use crate::{Result, StoreError};
use libsqlite3_sys as ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, Ordering};

/// A locked connection handle.
pub(crate) struct Handle<'c> {
    db: NonNull<ffi::sqlite3>,
    _locked: PhantomData<&'c mut ()>,
}

impl<'c> Handle<'c> {
    /// Wraps the raw handle of a `LockedSqliteHandle` that lives for `'c`.
    pub(crate) fn new(locked: &'c mut sqlx::sqlite::LockedSqliteHandle<'_>) -> Handle<'c> {
        Handle { db: locked.as_raw_handle(), _locked: PhantomData }
    }

    fn error(&self, what: &str) -> StoreError {
        // SAFETY: the handle is open and locked; errmsg returns a NUL-terminated string owned by SQLite.
        let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db.as_ptr())) }.to_string_lossy().into_owned();
        StoreError::Database(sqlx::Error::Protocol(format!("sqlite {what}: {msg}")))
    }

    /// Runs statements that return no rows (`BEGIN`, `ROLLBACK`).
    pub(crate) fn execute(&mut self, sql: &str) -> Result<()> {
        let mut st = self.prepare(sql)?;
        while st.next()?.is_some() {}
        Ok(())
    }

    /// Counts the frames in the WAL after each commit of this connection (`sqlite3_wal_hook`).
    /// The hook takes the place of SQLite's own checkpoint at the end of a commit
    /// (`wal_autocheckpoint`) on this connection.
    pub(crate) fn watch_wal(&mut self) -> WalWatch<'c> {
        let frames = Box::into_raw(Box::new(AtomicI32::new(0)));
        // SAFETY: the handle is open and locked; `frames` stays allocated until the watch is
        // dropped, which unhooks first, and the watch cannot outlive the locked handle ('c).
        unsafe { ffi::sqlite3_wal_hook(self.db.as_ptr(), Some(on_wal_commit), frames as *mut c_void) };
        WalWatch { db: self.db, frames, _locked: PhantomData }
    }

    /// Whether a transaction is open (`sqlite3_get_autocommit` is 0).
    pub(crate) fn in_transaction(&self) -> bool {
        // SAFETY: the handle is open and locked.
        unsafe { ffi::sqlite3_get_autocommit(self.db.as_ptr()) == 0 }
    }

    pub(crate) fn prepare(&mut self, sql: &str) -> Result<Statement<'_>> {
        let len = c_int::try_from(sql.len()).map_err(|_| StoreError::Corrupt("statement too long".into()))?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes; SQLite writes the statement pointer or null.
        let rc = unsafe { ffi::sqlite3_prepare_v2(self.db.as_ptr(), sql.as_ptr() as *const c_char, len, &mut stmt, std::ptr::null_mut()) };
        match NonNull::new(stmt) {
            Some(stmt) if rc == ffi::SQLITE_OK => Ok(Statement { stmt, handle: self }),
            Some(stmt) => {
                // SAFETY: finalizing the statement just made, not used again.
                unsafe { ffi::sqlite3_finalize(stmt.as_ptr()) };
                Err(self.error("prepare"))
            }
            None => Err(self.error("prepare")),
        }
    }
}

/// Frames in the WAL as of the connection's last commit; unhooked on drop.
pub(crate) struct WalWatch<'c> {
    db: NonNull<ffi::sqlite3>,
    frames: *mut AtomicI32,
    _locked: PhantomData<&'c mut ()>,
}

impl WalWatch<'_> {
    pub(crate) fn frames(&self) -> i32 {
        // SAFETY: `frames` is allocated for the watch's life (see `watch_wal`).
        unsafe { (*self.frames).load(Ordering::Relaxed) }
    }
}

impl Drop for WalWatch<'_> {
    fn drop(&mut self) {
        // SAFETY: the connection is still open ('c); once unhooked, nothing else holds `frames`.
        unsafe {
            ffi::sqlite3_wal_hook(self.db.as_ptr(), None, std::ptr::null_mut());
            drop(Box::from_raw(self.frames));
        }
    }
}

unsafe extern "C" fn on_wal_commit(frames: *mut c_void, _db: *mut ffi::sqlite3, _name: *const c_char, count: c_int) -> c_int {
    // SAFETY: SQLite passes back the pointer given in `watch_wal`, live while hooked.
    unsafe { (*(frames as *const AtomicI32)).store(count, Ordering::Relaxed) };
    ffi::SQLITE_OK
}

/// A prepared statement, finalized on drop.
pub(crate) struct Statement<'h> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    handle: &'h Handle<'h>,
}

impl Statement<'_> {
    /// The next row, or `None` when done.
    pub(crate) fn next(&mut self) -> Result<Option<Row<'_>>> {
        // SAFETY: the statement is live; stepping invalidates the previous row's column
        // pointers, and no `Row` borrowing this statement can still exist here.
        match unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(Some(Row { stmt: self.stmt, _borrow: PhantomData })),
            ffi::SQLITE_DONE => Ok(None),
            _ => Err(self.handle.error("step")),
        }
    }

    /// Binds text (or NULL) to the parameter at `index` (from 1); SQLite keeps its own copy.
    pub(crate) fn bind_text(&mut self, index: usize, value: Option<&str>) -> Result<()> {
        let index = c_int::try_from(index).map_err(|_| StoreError::Corrupt("parameter index too large".into()))?;
        let rc = match value {
            // SAFETY: the statement is live and not stepping (bindings are set between runs).
            None => unsafe { ffi::sqlite3_bind_null(self.stmt.as_ptr(), index) },
            Some(text) => {
                let len = c_int::try_from(text.len()).map_err(|_| StoreError::Corrupt("value too long".into()))?;
                // SAFETY: `text` is valid for `len` bytes, and SQLITE_TRANSIENT makes SQLite copy
                // it before this call returns.
                unsafe { ffi::sqlite3_bind_text(self.stmt.as_ptr(), index, text.as_ptr() as *const c_char, len, ffi::SQLITE_TRANSIENT()) }
            }
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.handle.error("bind"))
        }
    }

    /// Runs a statement that returns no rows to its end, and readies it to run again with new
    /// bindings.
    pub(crate) fn run(&mut self) -> Result<()> {
        // SAFETY: the statement is live; no `Row` of it exists (`next` borrows it mutably).
        let rc = unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) };
        let outcome = if rc == ffi::SQLITE_DONE { Ok(()) } else { Err(self.handle.error("step")) };
        // SAFETY: as above; resetting keeps the bindings, which the next run replaces.
        unsafe { ffi::sqlite3_reset(self.stmt.as_ptr()) };
        outcome
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement is live and not used after this.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The current row of a statement; its texts borrow the row.
pub(crate) struct Row<'s> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    _borrow: PhantomData<&'s mut ()>,
}

impl<'s> Row<'s> {
    fn is_null(&self, col: usize) -> bool {
        // SAFETY: the statement is on a row (this borrow), `col` is checked by SQLite.
        unsafe { ffi::sqlite3_column_type(self.stmt.as_ptr(), col as c_int) == ffi::SQLITE_NULL }
    }

    /// A text column (NULL is an error).
    pub(crate) fn text(&self, col: usize) -> Result<&'s str> {
        self.opt_text(col)?.ok_or_else(|| StoreError::Corrupt(format!("column {col} is NULL")))
    }

    /// A text column that may be NULL.
    pub(crate) fn opt_text(&self, col: usize) -> Result<Option<&'s str>> {
        if self.is_null(col) {
            return Ok(None);
        }
        // SAFETY: column_text then column_bytes is SQLite's documented order; the pointer stays
        // valid until the statement steps or ends, which the `'s` borrow rules out.
        let bytes = unsafe {
            let p = ffi::sqlite3_column_text(self.stmt.as_ptr(), col as c_int);
            let n = ffi::sqlite3_column_bytes(self.stmt.as_ptr(), col as c_int);
            if p.is_null() {
                return Err(StoreError::Corrupt(format!("column {col} could not be read")));
            }
            std::slice::from_raw_parts(p, n as usize)
        };
        std::str::from_utf8(bytes).map(Some).map_err(|_| StoreError::Corrupt(format!("column {col} is not UTF-8")))
    }

    /// An integer column (NULL reads as `None`).
    pub(crate) fn opt_int(&self, col: usize) -> Option<i64> {
        // SAFETY: as in `is_null`.
        (!self.is_null(col)).then(|| unsafe { ffi::sqlite3_column_int64(self.stmt.as_ptr(), col as c_int) })
    }

    pub(crate) fn int(&self, col: usize) -> Result<i64> {
        self.opt_int(col).ok_or_else(|| StoreError::Corrupt(format!("column {col} is NULL")))
    }
}
