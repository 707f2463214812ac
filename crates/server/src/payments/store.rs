//! The payments' own tables (`migrations/<backend>/4001_payments.sql`) and their store trait,
//! written once for both databases through the store's [`Dialect`]. Each change writes its audit
//! record in its own transaction; the database itself refuses changes to an approved or locked
//! payroll's lines and to a locked payroll (triggers), whatever path tries.

use super::model::{AccountKind, Held, PaidBefore, PaymentAccount, Payroll, PayrollLine, PayrollStatus, Returned};
use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_domain::{Fen, IdNumber, RegionCode};
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};
use std::collections::{HashMap, HashSet};

/// The module's migrations (versions 4001 ...).
pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "payments",
    sqlite: &[
        Migration { version: 4001, name: "payments", sql: include_str!("migrations/sqlite/4001_payments.sql") },
        Migration { version: 4002, name: "recoveries", sql: include_str!("migrations/sqlite/4002_recoveries.sql") },
        Migration { version: 4003, name: "budgets", sql: include_str!("migrations/sqlite/4003_budgets.sql") },
        Migration { version: 4004, name: "recovery_instalments", sql: include_str!("migrations/sqlite/4004_recovery_instalments.sql") },
        Migration { version: 4005, name: "staff_relatives", sql: include_str!("migrations/sqlite/4005_staff_relatives.sql") },
        Migration { version: 4006, name: "institution_accounts", sql: include_str!("migrations/sqlite/4006_institution_accounts.sql") },
        Migration {
            version: 4007,
            name: "results_checked_by_statement",
            sql: include_str!("migrations/sqlite/4007_results_checked_by_statement.sql"),
        },
        Migration { version: 4008, name: "account_name", sql: include_str!("migrations/sqlite/4008_account_name.sql") },
    ],
    postgres: &[
        Migration { version: 4001, name: "payments", sql: include_str!("migrations/postgres/4001_payments.sql") },
        Migration { version: 4002, name: "recoveries", sql: include_str!("migrations/postgres/4002_recoveries.sql") },
        Migration { version: 4003, name: "budgets", sql: include_str!("migrations/postgres/4003_budgets.sql") },
        Migration { version: 4004, name: "recovery_instalments", sql: include_str!("migrations/postgres/4004_recovery_instalments.sql") },
        Migration { version: 4005, name: "staff_relatives", sql: include_str!("migrations/postgres/4005_staff_relatives.sql") },
        Migration { version: 4006, name: "institution_accounts", sql: include_str!("migrations/postgres/4006_institution_accounts.sql") },
        Migration {
            version: 4007,
            name: "results_checked_by_statement",
            sql: include_str!("migrations/postgres/4007_results_checked_by_statement.sql"),
        },
        Migration { version: 4008, name: "account_name", sql: include_str!("migrations/postgres/4008_account_name.sql") },
    ],
};

/// A bank result as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentResult {
    pub line_no: i64,
    pub paid: bool,
    pub reason: String,
}

/// A payment as the household page shows it: the line with its payroll's month and program and
/// the bank's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentRecord {
    pub payroll_id: i64,
    pub program: String,
    pub month: NaiveDate,
    pub status: PayrollStatus,
    pub line: PayrollLine,
    pub result: Option<PaymentResult>,
}

/// Payment accounts, payrolls, their lines and the bank's results.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Stores accounts, each new or replacing the holder's account; returns how many changed.
    async fn upsert_accounts(&self, accounts: &[PaymentAccount], source: &str, actor: &Actor) -> Result<u64>;
    async fn accounts_of(&self, holders: &[IdNumber]) -> Result<Vec<PaymentAccount>>;
    /// Accounts whose number is also another household's.
    async fn shared_accounts(&self) -> Result<Vec<PaymentAccount>>;

    async fn payroll(&self, id: i64) -> Result<Option<Payroll>>;
    async fn payroll_for(&self, program: &str, county: &RegionCode, month: NaiveDate) -> Result<Option<Payroll>>;
    /// The payrolls of counties within `region`, newest month first.
    async fn payrolls(&self, region: &RegionCode) -> Result<Vec<Payroll>>;
    /// Stores a prepared payroll with its lines, replacing the month's if that one is still
    /// prepared (`Conflict` if it is approved or locked); returns its id.
    async fn save_payroll(&self, payroll: &Payroll, lines: &[PayrollLine], actor: &Actor) -> Result<i64>;
    async fn lines(&self, payroll_id: i64) -> Result<Vec<PayrollLine>>;
    /// Moves a payroll from `from` to `to` (approving records who); `false` if it was not in `from`.
    async fn move_payroll(&self, id: i64, from: PayrollStatus, to: PayrollStatus, actor: &Actor) -> Result<bool>;
    /// What locked payrolls of the program and county paid before `month`.
    async fn paid_before(&self, program: &str, county: &RegionCode, month: NaiveDate) -> Result<PaidBefore>;
    /// Records the bank's results of a locked payroll, all or none (`Conflict` if recorded already).
    async fn record_results(&self, payroll_id: i64, results: &[PaymentResult], file_sha256: &str, actor: &Actor) -> Result<()>;
    async fn results(&self, payroll_id: i64) -> Result<Vec<PaymentResult>>;
    /// Every payment to a household's members or under its enrolments, newest month first.
    async fn payments_of(&self, household_no: &str) -> Result<Vec<PaymentRecord>>;
    /// (account number, household) of every stored account with one of these numbers.
    async fn households_by_account(&self, account_nos: &[String]) -> Result<Vec<(String, String)>>;
    /// (payee, program, household) of the lines of other lists of `month` that pay these persons.
    async fn paid_in_month(&self, month: NaiveDate, payees: &[IdNumber], except_payroll: i64) -> Result<Vec<(IdNumber, String, String)>>;
}

/// The module's store on whichever database the platform's store runs.
pub fn payment_store(store: &dyn Store) -> &dyn PaymentStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

pub(super) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// Whether a database error is one of the payroll triggers' refusals.
pub fn is_frozen(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(sqlx::Error::Database(d)) if ["payroll_frozen", "payroll_locked", "payroll_not_locked", "payment_result_kept"].iter().any(|k| d.message().contains(k)))
}

fn frozen_to_conflict(e: sqlx::Error) -> StoreError {
    let e = StoreError::Database(e);
    if is_frozen(&e) {
        StoreError::Conflict("payroll".into())
    } else {
        e
    }
}

/// What the payments record in the audit log.
pub enum PaymentEvent<'a> {
    AccountsSaved { source: &'a str, offered: usize, changed: u64 },
    PayrollPrepared { payroll: &'a Payroll },
    PayrollMoved { id: i64, from: PayrollStatus, to: PayrollStatus },
    ResultsRecorded { payroll_id: i64, file_sha256: &'a str, paid: usize, failed: usize },
}

impl AuditEvent for PaymentEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            PaymentEvent::AccountsSaved { source, offered, changed } => AuditEntry {
                action: "save_accounts".into(),
                entity: "payment_accounts".into(),
                entity_key: source.to_string(),
                before: None,
                after: Some(serde_json::json!({ "offered": offered, "changed": changed })),
            },
            PaymentEvent::PayrollPrepared { payroll: p } => AuditEntry {
                action: "prepare".into(),
                entity: "payroll".into(),
                entity_key: format!("{}:{}:{}", p.program, p.county, p.month.format("%Y-%m")),
                before: None,
                after: Some(serde_json::json!({ "lines": p.lines, "total": p.total.0 })),
            },
            PaymentEvent::PayrollMoved { id, from, to } => AuditEntry {
                action: match to {
                    PayrollStatus::Approved => "approve",
                    PayrollStatus::Locked => "lock",
                    PayrollStatus::Prepared => "send_back",
                }
                .into(),
                entity: "payroll".into(),
                entity_key: id.to_string(),
                before: Some(serde_json::json!({ "status": from.as_str() })),
                after: Some(serde_json::json!({ "status": to.as_str() })),
            },
            PaymentEvent::ResultsRecorded { payroll_id, file_sha256, paid, failed } => AuditEntry {
                action: "bank_return".into(),
                entity: "payroll".into(),
                entity_key: payroll_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "file_sha256": file_sha256, "paid": paid, "failed": failed })),
            },
        }
    }
}

pub(super) fn months_text(months: &[NaiveDate]) -> String {
    months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join(",")
}

pub(super) fn months_of(text: &str) -> Result<Vec<NaiveDate>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| corrupt("months", text)))
        .collect()
}

fn id_of(s: &str) -> Result<IdNumber> {
    IdNumber::parse(s).map_err(|_| corrupt("id number", s))
}

const ACCOUNT_COLUMNS: &str = "holder, holder_name, household_no, bank, kind, account_no";
const PAYROLL_COLUMNS: &str = "id, program, county, month, status, prepared_by, approved_by, lines, total";
const LINE_COLUMNS: &str = "line_no, enrolment_id, household_no, payee, payee_name, bank, account_no, months, amount, arrears, \
                            deduction, net, note, held, reissue_of_payroll, reissue_of_line, account_name";

/// The county's prefix range: `county >= lo AND county < hi`.
/// The counties within `region` (a street or community contains none): `county >= lo AND county < hi`.
pub(super) fn range(region: &RegionCode) -> (String, String) {
    let p = region.as_str();
    (p.to_string(), format!("{p}:"))
}

macro_rules! impl_payment_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn account_from(r: &<$db as sqlx::Database>::Row) -> Result<PaymentAccount> {
                let holder: String = r.try_get("holder")?;
                let kind: String = r.try_get("kind")?;
                Ok(PaymentAccount {
                    holder: id_of(&holder)?,
                    holder_name: r.try_get("holder_name")?,
                    household_no: r.try_get("household_no")?,
                    bank: r.try_get("bank")?,
                    kind: AccountKind::parse(&kind).ok_or_else(|| corrupt("account kind", &kind))?,
                    account_no: r.try_get("account_no")?,
                })
            }

            fn payroll_from(r: &<$db as sqlx::Database>::Row) -> Result<Payroll> {
                let county: String = r.try_get("county")?;
                let status: String = r.try_get("status")?;
                Ok(Payroll {
                    id: r.try_get("id")?,
                    program: r.try_get("program")?,
                    county: RegionCode::parse(&county).map_err(|_| corrupt("county", &county))?,
                    month: r.try_get("month")?,
                    status: PayrollStatus::parse(&status).ok_or_else(|| corrupt("payroll status", &status))?,
                    prepared_by: r.try_get("prepared_by")?,
                    approved_by: r.try_get("approved_by")?,
                    lines: r.try_get("lines")?,
                    total: Fen(r.try_get("total")?),
                })
            }

            fn line_from(r: &<$db as sqlx::Database>::Row) -> Result<PayrollLine> {
                let payee: String = r.try_get("payee")?;
                let months: String = r.try_get("months")?;
                let held: Option<String> = r.try_get("held")?;
                let rp: Option<i64> = r.try_get("reissue_of_payroll")?;
                let rl: Option<i64> = r.try_get("reissue_of_line")?;
                Ok(PayrollLine {
                    line_no: r.try_get("line_no")?,
                    enrolment_id: r.try_get("enrolment_id")?,
                    household_no: r.try_get("household_no")?,
                    payee: id_of(&payee)?,
                    payee_name: r.try_get("payee_name")?,
                    account_name: r.try_get("account_name")?,
                    bank: r.try_get("bank")?,
                    account_no: r.try_get("account_no")?,
                    months: months_of(&months)?,
                    amount: Fen(r.try_get("amount")?),
                    arrears: Fen(r.try_get("arrears")?),
                    deduction: Fen(r.try_get("deduction")?),
                    net: Fen(r.try_get("net")?),
                    note: r.try_get("note")?,
                    held: held.map(|h| Held::parse(&h).ok_or_else(|| corrupt("held", &h))).transpose()?,
                    reissue_of: rp.zip(rl),
                })
            }

            fn result_from(r: &<$db as sqlx::Database>::Row) -> Result<PaymentResult> {
                let outcome: String = r.try_get("outcome")?;
                Ok(PaymentResult { line_no: r.try_get("line_no")?, paid: outcome == "paid", reason: r.try_get("reason")? })
            }

            #[async_trait]
            impl PaymentStore for $store {
                async fn upsert_accounts(&self, accounts: &[PaymentAccount], source: &str, actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    let mut changed = 0;
                    for chunk in accounts.chunks(1000) {
                        let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO payment_accounts ({ACCOUNT_COLUMNS}, updated_by, updated_at) "));
                        qb.push_values(chunk, |mut b, a| {
                            b.push_bind(a.holder.to_string())
                                .push_bind(a.holder_name.clone())
                                .push_bind(a.household_no.clone())
                                .push_bind(a.bank.clone())
                                .push_bind(a.kind.as_str())
                                .push_bind(a.account_no.clone())
                                .push_bind(actor.name.clone())
                                .push_bind(now);
                        });
                        qb.push(
                            " ON CONFLICT (holder) DO UPDATE SET holder_name = excluded.holder_name, household_no = excluded.household_no, \
                             bank = excluded.bank, kind = excluded.kind, account_no = excluded.account_no, updated_by = excluded.updated_by, \
                             updated_at = excluded.updated_at WHERE payment_accounts.account_no <> excluded.account_no \
                             OR payment_accounts.bank <> excluded.bank OR payment_accounts.holder_name <> excluded.holder_name \
                             OR payment_accounts.household_no <> excluded.household_no OR payment_accounts.kind <> excluded.kind",
                        );
                        changed += qb.build().execute(&mut *tx).await?.rows_affected();
                    }
                    let event = PaymentEvent::AccountsSaved { source, offered: accounts.len(), changed };
                    <$store>::write_audit(&mut tx, actor, &[event.entry()]).await?;
                    tx.commit().await?;
                    Ok(changed)
                }

                async fn accounts_of(&self, holders: &[IdNumber]) -> Result<Vec<PaymentAccount>> {
                    let mut out = Vec::with_capacity(holders.len());
                    for chunk in holders.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new(format!("SELECT {ACCOUNT_COLUMNS} FROM payment_accounts WHERE holder IN ("));
                        let mut sep = qb.separated(", ");
                        for h in chunk {
                            sep.push_bind(h.to_string());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push(account_from(&r)?);
                        }
                    }
                    Ok(out)
                }

                async fn shared_accounts(&self) -> Result<Vec<PaymentAccount>> {
                    let rows = QueryBuilder::<$db>::new(format!(
                        "SELECT {ACCOUNT_COLUMNS} FROM payment_accounts WHERE account_no IN (SELECT account_no FROM payment_accounts \
                         GROUP BY account_no HAVING count(DISTINCT household_no) > 1) ORDER BY account_no, holder"
                    ))
                    .build()
                    .fetch_all(self.pool())
                    .await?;
                    rows.iter().map(account_from).collect()
                }

                async fn payroll(&self, id: i64) -> Result<Option<Payroll>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {PAYROLL_COLUMNS} FROM payrolls WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(payroll_from).transpose()
                }

                async fn payroll_for(&self, program: &str, county: &RegionCode, month: NaiveDate) -> Result<Option<Payroll>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {PAYROLL_COLUMNS} FROM payrolls WHERE program = "));
                    qb.push_bind(program.to_string()).push(" AND county = ").push_bind(county.to_string()).push(" AND month = ").push_bind(month);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(payroll_from).transpose()
                }

                async fn payrolls(&self, region: &RegionCode) -> Result<Vec<Payroll>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {PAYROLL_COLUMNS} FROM payrolls WHERE county >= "));
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi).push(" ORDER BY month DESC, county, program");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(payroll_from).collect()
                }

                async fn save_payroll(&self, p: &Payroll, lines: &[PayrollLine], actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    let mut find = QueryBuilder::<$db>::new("SELECT id, status FROM payrolls WHERE program = ");
                    find.push_bind(p.program.clone())
                        .push(" AND county = ")
                        .push_bind(p.county.to_string())
                        .push(" AND month = ")
                        .push_bind(p.month);
                    if <$store>::LOCKS_ROWS {
                        find.push(" FOR UPDATE");
                    }
                    let id = match find.build().fetch_optional(&mut *tx).await? {
                        Some(r) => {
                            let id: i64 = r.try_get("id")?;
                            let status: String = r.try_get("status")?;
                            if status != "prepared" {
                                return Err(StoreError::Conflict("payroll".into()));
                            }
                            let mut del = QueryBuilder::<$db>::new("DELETE FROM payroll_lines WHERE payroll_id = ");
                            del.push_bind(id);
                            del.build().execute(&mut *tx).await.map_err(frozen_to_conflict)?;
                            let mut up = QueryBuilder::<$db>::new("UPDATE payrolls SET prepared_by = ");
                            up.push_bind(actor.name.clone())
                                .push(", prepared_at = ")
                                .push_bind(now)
                                .push(", lines = ")
                                .push_bind(p.lines)
                                .push(", total = ")
                                .push_bind(p.total.0)
                                .push(" WHERE id = ")
                                .push_bind(id);
                            up.build().execute(&mut *tx).await.map_err(frozen_to_conflict)?;
                            id
                        }
                        None => {
                            let mut ins = QueryBuilder::<$db>::new(
                                "INSERT INTO payrolls (program, county, month, status, prepared_by, prepared_at, lines, total) VALUES (",
                            );
                            ins.push_bind(p.program.clone())
                                .push(", ")
                                .push_bind(p.county.to_string())
                                .push(", ")
                                .push_bind(p.month)
                                .push(", 'prepared', ")
                                .push_bind(actor.name.clone())
                                .push(", ")
                                .push_bind(now)
                                .push(", ")
                                .push_bind(p.lines)
                                .push(", ")
                                .push_bind(p.total.0)
                                .push(") RETURNING id");
                            ins.build().fetch_one(&mut *tx).await.map_err(|e| minzheng_store::conflict_of(e, "payroll"))?.try_get("id")?
                        }
                    };
                    // One stream where the database has one (COPY on PostgreSQL), else INSERTs of
                    // 17 values a line: 1,000 lines stay under SQLite's 32,766 variables.
                    let rows = lines.iter().map(|l| {
                        vec![
                            Some(id.to_string()),
                            Some(l.line_no.to_string()),
                            Some(l.enrolment_id.to_string()),
                            Some(l.household_no.clone()),
                            Some(l.payee.to_string()),
                            Some(l.payee_name.clone()),
                            Some(l.bank.clone()),
                            Some(l.account_no.clone()),
                            Some(months_text(&l.months)),
                            Some(l.amount.0.to_string()),
                            Some(l.arrears.0.to_string()),
                            Some(l.deduction.0.to_string()),
                            Some(l.net.0.to_string()),
                            Some(l.note.clone()),
                            l.held.map(|h| h.as_str().to_string()),
                            l.reissue_of.map(|r| r.0.to_string()),
                            l.reissue_of.map(|r| r.1.to_string()),
                            Some(l.account_name.clone()),
                        ]
                    });
                    let copied = <$store>::copy_rows(&mut tx, "payroll_lines", &format!("payroll_id, {LINE_COLUMNS}"), rows).await.map_err(|e| match e {
                        StoreError::Database(e) => frozen_to_conflict(e),
                        other => other,
                    })?;
                    for chunk in lines.chunks(1000).filter(|_| copied.is_none()) {
                        let mut qb = QueryBuilder::<$db>::new(format!("INSERT INTO payroll_lines (payroll_id, {LINE_COLUMNS}) "));
                        qb.push_values(chunk, |mut b, l| {
                            b.push_bind(id)
                                .push_bind(l.line_no)
                                .push_bind(l.enrolment_id)
                                .push_bind(l.household_no.clone())
                                .push_bind(l.payee.to_string())
                                .push_bind(l.payee_name.clone())
                                .push_bind(l.bank.clone())
                                .push_bind(l.account_no.clone())
                                .push_bind(months_text(&l.months))
                                .push_bind(l.amount.0)
                                .push_bind(l.arrears.0)
                                .push_bind(l.deduction.0)
                                .push_bind(l.net.0)
                                .push_bind(l.note.clone())
                                .push_bind(l.held.map(|h| h.as_str()))
                                .push_bind(l.reissue_of.map(|r| r.0))
                                .push_bind(l.reissue_of.map(|r| r.1))
                                .push_bind(l.account_name.clone());
                        });
                        qb.build().execute(&mut *tx).await.map_err(frozen_to_conflict)?;
                    }
                    let stored = Payroll { id, ..p.clone() };
                    <$store>::write_audit(&mut tx, actor, &[PaymentEvent::PayrollPrepared { payroll: &stored }.entry()]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn lines(&self, payroll_id: i64) -> Result<Vec<PayrollLine>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {LINE_COLUMNS} FROM payroll_lines WHERE payroll_id = "));
                    qb.push_bind(payroll_id).push(" ORDER BY line_no");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(line_from).collect()
                }

                async fn move_payroll(&self, id: i64, from: PayrollStatus, to: PayrollStatus, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE payrolls SET status = ");
                    qb.push_bind(to.as_str());
                    match to {
                        PayrollStatus::Approved => {
                            qb.push(", approved_by = ").push_bind(actor.name.clone());
                        }
                        PayrollStatus::Locked => {
                            qb.push(", locked_at = ").push_bind(chrono::Utc::now());
                        }
                        PayrollStatus::Prepared => {
                            qb.push(", approved_by = NULL");
                        }
                    }
                    qb.push(" WHERE id = ").push_bind(id).push(" AND status = ").push_bind(from.as_str());
                    if to == PayrollStatus::Approved {
                        // A second person, checked in the same statement as the change.
                        qb.push(" AND prepared_by <> ").push_bind(actor.name.clone());
                    }
                    let changed = qb.build().execute(&mut *tx).await.map_err(frozen_to_conflict)?.rows_affected();
                    if changed == 0 {
                        return Ok(false);
                    }
                    let mut entries = vec![PaymentEvent::PayrollMoved { id, from, to }.entry()];
                    if to == PayrollStatus::Locked {
                        // 分期扣减: what the list deducted is booked to the recoveries' plans in
                        // the lock's transaction: locked and booked, or neither.
                        let mut q = QueryBuilder::<$db>::new("SELECT enrolment_id, deduction FROM payroll_lines WHERE payroll_id = ");
                        q.push_bind(id).push(" AND deduction > 0 AND held IS NULL");
                        let mut taken: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
                        for r in q.build().fetch_all(&mut *tx).await? {
                            *taken.entry(r.try_get("enrolment_id")?).or_default() += r.try_get::<i64, _>("deduction")?;
                        }
                        if !taken.is_empty() {
                            let mut q = QueryBuilder::<$db>::new(
                                "SELECT id, enrolment_id, amount - repaid AS owed, instalment FROM recoveries \
                                 WHERE instalment > 0 AND status IN ('open', 'repaying') AND enrolment_id IN (",
                            );
                            let mut sep = q.separated(", ");
                            for e in taken.keys() {
                                sep.push_bind(*e);
                            }
                            q.push(")");
                            let mut plans: HashMap<i64, Vec<super::recovery::Plan>> = HashMap::new();
                            for r in q.build().fetch_all(&mut *tx).await? {
                                plans.entry(r.try_get("enrolment_id")?).or_default().push(super::recovery::Plan {
                                    id: r.try_get("id")?,
                                    owed: Fen(r.try_get("owed")?),
                                    instalment: Fen(r.try_get("instalment")?),
                                });
                            }
                            let now = chrono::Utc::now();
                            for (enrolment, amount) in taken {
                                let (booked, rest) = super::recovery::book_deduction(plans.get(&enrolment).map_or(&[], Vec::as_slice), Fen(amount));
                                if rest.0 > 0 {
                                    return Err(StoreError::Conflict(format!("deductions of enrolment {enrolment}")));
                                }
                                for (recovery, x) in booked {
                                    // Checked again in the statement: a write-off or a repayment
                                    // committed since the plans were read refuses the lock.
                                    let mut u = QueryBuilder::<$db>::new("UPDATE recoveries SET status = CASE WHEN repaid + ");
                                    u.push_bind(x.0)
                                        .push(" >= amount THEN 'settled' ELSE 'repaying' END, repaid = repaid + ")
                                        .push_bind(x.0)
                                        .push(" WHERE id = ")
                                        .push_bind(recovery)
                                        .push(" AND status IN ('open', 'repaying') AND repaid + ")
                                        .push_bind(x.0)
                                        .push(" <= amount");
                                    if u.build().execute(&mut *tx).await?.rows_affected() != 1 {
                                        return Err(StoreError::Conflict(format!("recovery {recovery} changed")));
                                    }
                                    let comment = format!("从花名册 #{id} 扣减");
                                    let mut ev = QueryBuilder::<$db>::new(
                                        "INSERT INTO recovery_events (recovery_id, action, amount, on_date, comment, actor, at) ",
                                    );
                                    ev.push_values([()], |mut b, ()| {
                                        b.push_bind(recovery)
                                            .push_bind("deduct")
                                            .push_bind(x.0)
                                            .push_bind(now.date_naive())
                                            .push_bind(comment.clone())
                                            .push_bind(actor.name.clone())
                                            .push_bind(now);
                                    });
                                    ev.build().execute(&mut *tx).await?;
                                    entries.push(AuditEntry {
                                        action: "deduct".into(),
                                        entity: "recovery".into(),
                                        entity_key: recovery.to_string(),
                                        before: None,
                                        after: Some(serde_json::json!({ "amount": x.0, "payroll": id })),
                                    });
                                }
                            }
                        }
                    }
                    <$store>::write_audit(&mut tx, actor, &entries).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn paid_before(&self, program: &str, county: &RegionCode, month: NaiveDate) -> Result<PaidBefore> {
                    let mut first = QueryBuilder::<$db>::new("SELECT month FROM payrolls WHERE status = 'locked' AND program = ");
                    first.push_bind(program.to_string()).push(" AND county = ").push_bind(county.to_string()).push(" ORDER BY month LIMIT 1");
                    let first_month: Option<NaiveDate> =
                        first.build().fetch_optional(self.pool()).await?.map(|r| r.try_get("month")).transpose()?;
                    let mut out = PaidBefore { first_month, ..Default::default() };
                    // Lines of locked payrolls: the months they covered, and the returned ones.
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT p.id AS payroll_id, l.line_no, l.enrolment_id, l.household_no, l.payee, l.payee_name, l.account_no, \
                         l.months, l.net, r.outcome, r.reason FROM payrolls p JOIN payroll_lines l ON l.payroll_id = p.id \
                         LEFT JOIN payment_results r ON r.payroll_id = l.payroll_id AND r.line_no = l.line_no \
                         WHERE p.status = 'locked' AND l.held IS NULL AND p.program = ",
                    );
                    qb.push_bind(program.to_string()).push(" AND p.county = ").push_bind(county.to_string());
                    let mut returned = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let payee = id_of(&r.try_get::<String, _>("payee")?)?;
                        let enrolment_id: i64 = r.try_get("enrolment_id")?;
                        let months = months_of(&r.try_get::<String, _>("months")?)?;
                        out.covered.entry((enrolment_id, payee)).or_default().extend(months.iter().copied());
                        out.covered_enrolment.entry(enrolment_id).or_default().extend(months.iter().copied());
                        if r.try_get::<Option<String>, _>("outcome")?.as_deref() == Some("failed") {
                            returned.push(Returned {
                                payroll_id: r.try_get("payroll_id")?,
                                line_no: r.try_get("line_no")?,
                                enrolment_id,
                                household_no: r.try_get("household_no")?,
                                payee,
                                payee_name: r.try_get("payee_name")?,
                                months,
                                net: Fen(r.try_get("net")?),
                                reason: r.try_get::<Option<String>, _>("reason")?.unwrap_or_default(),
                                account_no: r.try_get("account_no")?,
                            });
                        }
                    }
                    // Returned lines already paid again by a payroll of another month.
                    let mut again = QueryBuilder::<$db>::new(
                        "SELECT l.reissue_of_payroll, l.reissue_of_line FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id \
                         WHERE l.reissue_of_payroll IS NOT NULL AND l.held IS NULL AND p.status = 'locked' AND p.program = ",
                    );
                    again.push_bind(program.to_string()).push(" AND p.county = ").push_bind(county.to_string()).push(" AND p.month <> ").push_bind(month);
                    let mut done = HashSet::new();
                    for r in again.build().fetch_all(self.pool()).await? {
                        done.insert((r.try_get::<i64, _>("reissue_of_payroll")?, r.try_get::<i64, _>("reissue_of_line")?));
                    }
                    out.returned = returned.into_iter().filter(|r| !done.contains(&(r.payroll_id, r.line_no))).collect();
                    Ok(out)
                }

                async fn record_results(&self, payroll_id: i64, results: &[PaymentResult], file_sha256: &str, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    // One stream where the database has one (COPY on PostgreSQL), else INSERTs.
                    let rows = results.iter().map(|r| {
                        vec![
                            Some(payroll_id.to_string()),
                            Some(r.line_no.to_string()),
                            Some(if r.paid { "paid" } else { "failed" }.to_string()),
                            Some(r.reason.clone()),
                            Some(file_sha256.to_string()),
                            Some(now.to_rfc3339()),
                        ]
                    });
                    let copied = <$store>::copy_rows(&mut tx, "payment_results", "payroll_id, line_no, outcome, reason, return_file, recorded_at", rows)
                        .await
                        .map_err(|e| match e {
                            StoreError::Database(e) => match minzheng_store::conflict_of(e, "bank return") {
                                StoreError::Database(e) => frozen_to_conflict(e),
                                other => other,
                            },
                            other => other,
                        })?;
                    for chunk in results.chunks(2000).filter(|_| copied.is_none()) {
                        let mut qb = QueryBuilder::<$db>::new("INSERT INTO payment_results (payroll_id, line_no, outcome, reason, return_file, recorded_at) ");
                        qb.push_values(chunk, |mut b, r| {
                            b.push_bind(payroll_id)
                                .push_bind(r.line_no)
                                .push_bind(if r.paid { "paid" } else { "failed" })
                                .push_bind(r.reason.clone())
                                .push_bind(file_sha256.to_string())
                                .push_bind(now);
                        });
                        qb.build().execute(&mut *tx).await.map_err(|e| match minzheng_store::conflict_of(e, "bank return") {
                            StoreError::Database(e) => frozen_to_conflict(e),
                            other => other,
                        })?;
                    }
                    let paid = results.iter().filter(|r| r.paid).count();
                    let event = PaymentEvent::ResultsRecorded { payroll_id, file_sha256, paid, failed: results.len() - paid };
                    <$store>::write_audit(&mut tx, actor, &[event.entry()]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn results(&self, payroll_id: i64) -> Result<Vec<PaymentResult>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT line_no, outcome, reason FROM payment_results WHERE payroll_id = ");
                    qb.push_bind(payroll_id).push(" ORDER BY line_no");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(result_from).collect()
                }

                async fn payments_of(&self, household_no: &str) -> Result<Vec<PaymentRecord>> {
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT p.id AS payroll_id, p.program, p.month, p.status, r.outcome, r.reason AS result_reason, {} \
                         FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id \
                         LEFT JOIN payment_results r ON r.payroll_id = l.payroll_id AND r.line_no = l.line_no WHERE l.household_no = ",
                        LINE_COLUMNS.split(", ").map(|c| format!("l.{}", c.trim())).collect::<Vec<_>>().join(", ")
                    ));
                    qb.push_bind(household_no.to_string()).push(" ORDER BY p.month DESC, p.program, l.line_no");
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let status: String = r.try_get("status")?;
                        let line = line_from(&r)?;
                        let outcome: Option<String> = r.try_get("outcome")?;
                        out.push(PaymentRecord {
                            payroll_id: r.try_get("payroll_id")?,
                            program: r.try_get("program")?,
                            month: r.try_get("month")?,
                            status: PayrollStatus::parse(&status).ok_or_else(|| corrupt("payroll status", &status))?,
                            result: outcome.map(|o| -> Result<PaymentResult> {
                                Ok(PaymentResult { line_no: line.line_no, paid: o == "paid", reason: r.try_get("result_reason")? })
                            }).transpose()?,
                            line,
                        });
                    }
                    Ok(out)
                }

                async fn households_by_account(&self, account_nos: &[String]) -> Result<Vec<(String, String)>> {
                    let mut out = Vec::new();
                    for chunk in account_nos.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new("SELECT account_no, household_no FROM payment_accounts WHERE account_no IN (");
                        let mut sep = qb.separated(", ");
                        for a in chunk {
                            sep.push_bind(a.clone());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push((r.try_get("account_no")?, r.try_get("household_no")?));
                        }
                    }
                    Ok(out)
                }

                async fn paid_in_month(&self, month: NaiveDate, payees: &[IdNumber], except_payroll: i64) -> Result<Vec<(IdNumber, String, String)>> {
                    let mut out = Vec::new();
                    for chunk in payees.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "SELECT l.payee, p.program, l.household_no FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id \
                             WHERE l.held IS NULL AND p.month = ",
                        );
                        qb.push_bind(month).push(" AND p.id <> ").push_bind(except_payroll).push(" AND l.payee IN (");
                        let mut sep = qb.separated(", ");
                        for id in chunk {
                            sep.push_bind(id.to_string());
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push((id_of(&r.try_get::<String, _>("payee")?)?, r.try_get("program")?, r.try_get("household_no")?));
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_payment_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_payment_store!(minzheng_store::PgStore, sqlx::Postgres);

/// Accounts by holder.
pub fn by_holder(accounts: Vec<PaymentAccount>) -> HashMap<IdNumber, PaymentAccount> {
    accounts.into_iter().map(|a| (a.holder, a)).collect()
}
