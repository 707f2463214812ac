//! The key tasks' own tables (`migrations/<backend>/3001_key_tasks.sql`) and their store trait,
//! written once for both databases through the store's [`Dialect`]: the pattern every module
//! that keeps tables of its own follows.

use super::model::{Judgement, KeyTask, Progress};
use async_trait::async_trait;
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store};

/// The module's migrations, applied after the store's own (versions 3001 ...).
pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "tasks",
    sqlite: &[Migration { version: 3001, name: "key_tasks", sql: include_str!("migrations/sqlite/3001_key_tasks.sql") }],
    postgres: &[Migration { version: 3001, name: "key_tasks", sql: include_str!("migrations/postgres/3001_key_tasks.sql") }],
};

/// The key tasks and their progress as stored. Every change writes its audit record in its
/// own transaction.
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Stores tasks (new ones; a task of the same region, number and work is kept as it was);
    /// returns how many were new.
    async fn add_tasks(&self, tasks: &[KeyTask], source: &str, actor: &Actor) -> Result<u64>;
    async fn task(&self, id: i64) -> Result<Option<KeyTask>>;
    /// Every task, by region and number.
    async fn tasks(&self) -> Result<Vec<KeyTask>>;
    /// Records a month's report, all or nothing, with its audit record.
    async fn add_progress(&self, p: &Progress, actor: &Actor) -> Result<()>;
    /// A task's reports, oldest month first.
    async fn progress_of(&self, task_id: i64) -> Result<Vec<Progress>>;
    /// The newest report of every task that has one.
    async fn latest_progress(&self) -> Result<Vec<Progress>>;
}

/// The module's store on whichever database the platform's store runs.
pub fn task_store(store: &dyn Store) -> &dyn TaskStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

fn corrupt(what: &str, value: &str) -> minzheng_store::StoreError {
    minzheng_store::StoreError::Corrupt(format!("{what} {value:?}"))
}

/// What the key tasks record in the audit log.
pub enum TaskEvent<'a> {
    /// Tasks entered or imported (`add_tasks`), from a source (a file, the form, the API).
    TasksAdded { source: &'a str, offered: usize, added: u64 },
    /// A month's progress reported.
    ProgressReported(&'a Progress),
}

impl AuditEvent for TaskEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            TaskEvent::TasksAdded { source, offered, added } => AuditEntry {
                action: "add_tasks".into(),
                entity: "key_tasks".into(),
                entity_key: source.to_string(),
                before: None,
                after: Some(serde_json::json!({ "offered": offered, "added": added })),
            },
            TaskEvent::ProgressReported(p) => AuditEntry {
                action: "report_progress".into(),
                entity: "key_task".into(),
                entity_key: p.task_id.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "month": p.month, "judgement": p.judgement, "progress": p.progress, "problems": p.problems }),
                ),
            },
        }
    }
}

const TASK_COLUMNS: &str = "id, number, title, work, unit, responsible, region, deadline";
const PROGRESS_COLUMNS: &str = "task_id, month, progress, judgement, problems, recorded_by, recorded_at";

macro_rules! impl_task_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn task_from(r: &<$db as sqlx::Database>::Row) -> Result<KeyTask> {
                let region: String = r.try_get("region")?;
                Ok(KeyTask {
                    id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    title: r.try_get("title")?,
                    work: r.try_get("work")?,
                    unit: r.try_get("unit")?,
                    responsible: r.try_get("responsible")?,
                    region: minzheng_domain::RegionCode::parse(&region).map_err(|_| corrupt("region", &region))?,
                    deadline: r.try_get("deadline")?,
                })
            }

            fn progress_from(r: &<$db as sqlx::Database>::Row) -> Result<Progress> {
                let judgement: String = r.try_get("judgement")?;
                Ok(Progress {
                    task_id: r.try_get("task_id")?,
                    month: r.try_get("month")?,
                    progress: r.try_get("progress")?,
                    judgement: Judgement::parse(&judgement).ok_or_else(|| corrupt("judgement", &judgement))?,
                    problems: r.try_get("problems")?,
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            }

            #[async_trait]
            impl TaskStore for $store {
                async fn add_tasks(&self, tasks: &[KeyTask], source: &str, actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    let mut added = 0;
                    for chunk in tasks.chunks(500) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO key_tasks (number, title, work, unit, responsible, region, deadline, created_by, created_at) ",
                        );
                        qb.push_values(chunk, |mut b, t| {
                            b.push_bind(t.number)
                                .push_bind(t.title.clone())
                                .push_bind(t.work.clone())
                                .push_bind(t.unit.clone())
                                .push_bind(t.responsible.clone())
                                .push_bind(t.region.to_string())
                                .push_bind(t.deadline)
                                .push_bind(actor.name.clone())
                                .push_bind(now);
                        });
                        qb.push(" ON CONFLICT (region, number, work) DO NOTHING");
                        added += qb.build().execute(&mut *tx).await?.rows_affected();
                    }
                    let event = TaskEvent::TasksAdded { source, offered: tasks.len(), added };
                    <$store>::write_audit(&mut tx, actor, &[event.entry()]).await?;
                    tx.commit().await?;
                    Ok(added)
                }

                async fn task(&self, id: i64) -> Result<Option<KeyTask>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {TASK_COLUMNS} FROM key_tasks WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(task_from).transpose()
                }

                async fn tasks(&self) -> Result<Vec<KeyTask>> {
                    let rows = QueryBuilder::<$db>::new(format!("SELECT {TASK_COLUMNS} FROM key_tasks ORDER BY region, number, id"))
                        .build()
                        .fetch_all(self.pool())
                        .await?;
                    rows.iter().map(task_from).collect()
                }

                async fn add_progress(&self, p: &Progress, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO key_task_progress ({PROGRESS_COLUMNS}) "));
                    qb.push_values([p], |mut b, p| {
                        b.push_bind(p.task_id)
                            .push_bind(p.month)
                            .push_bind(p.progress.clone())
                            .push_bind(p.judgement.as_str())
                            .push_bind(p.problems.clone())
                            .push_bind(p.recorded_by.clone())
                            .push_bind(p.recorded_at);
                    });
                    qb.build().execute(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "the month's progress"))?;
                    <$store>::write_audit(&mut tx, actor, &[TaskEvent::ProgressReported(p).entry()]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn progress_of(&self, task_id: i64) -> Result<Vec<Progress>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {PROGRESS_COLUMNS} FROM key_task_progress WHERE task_id = "));
                    qb.push_bind(task_id).push(" ORDER BY month");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(progress_from).collect()
                }

                async fn latest_progress(&self) -> Result<Vec<Progress>> {
                    let rows = QueryBuilder::<$db>::new(format!(
                        "SELECT {PROGRESS_COLUMNS} FROM key_task_progress p WHERE month = \
                         (SELECT max(month) FROM key_task_progress q WHERE q.task_id = p.task_id) ORDER BY task_id"
                    ))
                    .build()
                    .fetch_all(self.pool())
                    .await?;
                    rows.iter().map(progress_from).collect()
                }
            }
        };
    };
}

impl_task_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_task_store!(minzheng_store::PgStore, sqlx::Postgres);
