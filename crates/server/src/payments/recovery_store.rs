//! The recovery ledger's tables (`migrations/<backend>/4002_recoveries.sql`) and store trait,
//! written once for both databases; each change with its audit record in its transaction.

use super::model::PayrollLine;
use super::recovery::{Overpayment, RecoveryStatus};
use super::store::{corrupt, months_of, months_text, range};
use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_domain::{Fen, IdNumber, RegionCode};
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store};

/// A step in a recovery's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecoveryEvent {
    pub recovery_id: i64,
    /// `repay`, `write_off`, `plan` (a monthly instalment agreed; amount the instalment) or
    /// `deduct` (deducted from a locked list's payment).
    pub action: String,
    pub amount: Fen,
    pub on: NaiveDate,
    pub comment: String,
    pub actor: String,
}

/// The recovery ledger.
#[async_trait]
pub trait RecoveryStore: Send + Sync {
    /// Stores newly found overpayments (one found again is kept as it was); returns how many were new.
    async fn open_recoveries(&self, found: &[Overpayment], actor: &Actor) -> Result<u64>;
    async fn recovery(&self, id: i64) -> Result<Option<Overpayment>>;
    /// The recoveries of counties within `region`, newest first.
    async fn recoveries(&self, region: &RegionCode) -> Result<Vec<Overpayment>>;
    async fn recoveries_of(&self, household_no: &str) -> Result<Vec<Overpayment>>;
    /// Records a step if the recovery still has `seen_repaid` repaid (else `false`).
    async fn record_recovery_step(&self, o: &Overpayment, seen_repaid: Fen, event: &RecoveryEvent, actor: &Actor) -> Result<bool>;
    async fn recovery_events(&self, id: i64) -> Result<Vec<RecoveryEvent>>;
    /// The lines of locked lists paying these enrolments, each with whether the bank credited it
    /// (a line without a result yet counts as credited: it was sent).
    async fn sent_lines(&self, enrolment_ids: &[i64]) -> Result<Vec<(PayrollLine, bool)>>;
}

/// The ledger on whichever database the platform's store runs.
pub fn recovery_store(store: &dyn Store) -> &dyn RecoveryStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

const COLUMNS: &str =
    "id, enrolment_id, program, county, household_no, payee, payee_name, months, amount, repaid, status, reason, instalment";

macro_rules! impl_recovery_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn from_row(r: &<$db as sqlx::Database>::Row) -> Result<Overpayment> {
                let county: String = r.try_get("county")?;
                let payee: String = r.try_get("payee")?;
                let months: String = r.try_get("months")?;
                let status: String = r.try_get("status")?;
                Ok(Overpayment {
                    id: r.try_get("id")?,
                    enrolment_id: r.try_get("enrolment_id")?,
                    program: r.try_get("program")?,
                    county: RegionCode::parse(&county).map_err(|_| corrupt("county", &county))?,
                    household_no: r.try_get("household_no")?,
                    payee: IdNumber::parse(&payee).map_err(|_| corrupt("payee", &payee))?,
                    payee_name: r.try_get("payee_name")?,
                    months: months_of(&months)?,
                    amount: Fen(r.try_get("amount")?),
                    repaid: Fen(r.try_get("repaid")?),
                    status: RecoveryStatus::parse(&status).ok_or_else(|| corrupt("recovery status", &status))?,
                    reason: r.try_get("reason")?,
                    instalment: Fen(r.try_get("instalment")?),
                })
            }

            #[async_trait]
            impl RecoveryStore for $store {
                async fn open_recoveries(&self, found: &[Overpayment], actor: &Actor) -> Result<u64> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    let mut added = 0;
                    for chunk in found.chunks(1000) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO recoveries (enrolment_id, program, county, household_no, payee, payee_name, months, amount, repaid, status, reason, opened_at) ",
                        );
                        qb.push_values(chunk, |mut b, o| {
                            b.push_bind(o.enrolment_id)
                                .push_bind(o.program.clone())
                                .push_bind(o.county.to_string())
                                .push_bind(o.household_no.clone())
                                .push_bind(o.payee.to_string())
                                .push_bind(o.payee_name.clone())
                                .push_bind(months_text(&o.months))
                                .push_bind(o.amount.0)
                                .push_bind(0i64)
                                .push_bind("open")
                                .push_bind(o.reason.clone())
                                .push_bind(now);
                        });
                        qb.push(" ON CONFLICT (enrolment_id, payee, months) DO NOTHING");
                        added += qb.build().execute(&mut *tx).await?.rows_affected();
                    }
                    if added > 0 {
                        let total: i64 = found.iter().map(|o| o.amount.0).sum();
                        let entry = AuditEntry {
                            action: "open_recoveries".into(),
                            entity: "recoveries".into(),
                            entity_key: found.first().map(|o| o.county.to_string()).unwrap_or_default(),
                            before: None,
                            after: Some(serde_json::json!({ "found": found.len(), "new": added, "amount_found": total })),
                        };
                        <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    }
                    tx.commit().await?;
                    Ok(added)
                }

                async fn recovery(&self, id: i64) -> Result<Option<Overpayment>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM recoveries WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(from_row).transpose()
                }

                async fn recoveries(&self, region: &RegionCode) -> Result<Vec<Overpayment>> {
                    let (lo, hi) = range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM recoveries WHERE county >= "));
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi).push(" ORDER BY id DESC");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(from_row).collect()
                }

                async fn recoveries_of(&self, household_no: &str) -> Result<Vec<Overpayment>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM recoveries WHERE household_no = "));
                    qb.push_bind(household_no.to_string()).push(" ORDER BY id DESC");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    rows.iter().map(from_row).collect()
                }

                async fn record_recovery_step(&self, o: &Overpayment, seen_repaid: Fen, event: &RecoveryEvent, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE recoveries SET repaid = ");
                    qb.push_bind(o.repaid.0)
                        .push(", status = ")
                        .push_bind(o.status.as_str())
                        .push(", instalment = ")
                        .push_bind(o.instalment.0)
                        .push(" WHERE id = ")
                        .push_bind(o.id)
                        .push(" AND repaid = ")
                        .push_bind(seen_repaid.0)
                        .push(" AND status NOT IN ('settled', 'written_off')");
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let mut ev = QueryBuilder::<$db>::new("INSERT INTO recovery_events (recovery_id, action, amount, on_date, comment, actor, at) ");
                    ev.push_values([event], |mut b, e| {
                        b.push_bind(e.recovery_id)
                            .push_bind(e.action.clone())
                            .push_bind(e.amount.0)
                            .push_bind(e.on)
                            .push_bind(e.comment.clone())
                            .push_bind(e.actor.clone())
                            .push_bind(chrono::Utc::now());
                    });
                    ev.build().execute(&mut *tx).await?;
                    let entry = AuditEntry {
                        action: event.action.clone(),
                        entity: "recovery".into(),
                        entity_key: o.id.to_string(),
                        before: Some(serde_json::json!({ "repaid": seen_repaid.0 })),
                        after: Some(serde_json::json!({
                            "repaid": o.repaid.0,
                            "status": o.status.as_str(),
                            "instalment": o.instalment.0,
                            "amount": event.amount.0,
                            "comment": event.comment
                        })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn recovery_events(&self, id: i64) -> Result<Vec<RecoveryEvent>> {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT recovery_id, action, amount, on_date, comment, actor FROM recovery_events WHERE recovery_id = ",
                    );
                    qb.push_bind(id).push(" ORDER BY at");
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        out.push(RecoveryEvent {
                            recovery_id: r.try_get("recovery_id")?,
                            action: r.try_get("action")?,
                            amount: Fen(r.try_get("amount")?),
                            on: r.try_get("on_date")?,
                            comment: r.try_get("comment")?,
                            actor: r.try_get("actor")?,
                        });
                    }
                    Ok(out)
                }

                async fn sent_lines(&self, enrolment_ids: &[i64]) -> Result<Vec<(PayrollLine, bool)>> {
                    let mut out = Vec::new();
                    for chunk in enrolment_ids.chunks(2000) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "SELECT l.payroll_id, l.line_no, r.outcome FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id \
                             LEFT JOIN payment_results r ON r.payroll_id = l.payroll_id AND r.line_no = l.line_no \
                             WHERE p.status = 'locked' AND l.held IS NULL AND l.enrolment_id IN (",
                        );
                        let mut sep = qb.separated(", ");
                        for id in chunk {
                            sep.push_bind(*id);
                        }
                        qb.push(")");
                        let mut keys = Vec::new();
                        for r in qb.build().fetch_all(self.pool()).await? {
                            let outcome: Option<String> = r.try_get("outcome")?;
                            keys.push((r.try_get::<i64, _>("payroll_id")?, r.try_get::<i64, _>("line_no")?, outcome.as_deref() != Some("failed")));
                        }
                        let mut by_payroll: std::collections::BTreeMap<i64, Vec<(i64, bool)>> = std::collections::BTreeMap::new();
                        for (p, l, c) in keys {
                            by_payroll.entry(p).or_default().push((l, c));
                        }
                        for (p, wanted) in by_payroll {
                            let lines = super::store::PaymentStore::lines(self, p).await?;
                            for (no, credited) in wanted {
                                if let Some(l) = lines.iter().find(|l| l.line_no == no) {
                                    out.push((l.clone(), credited));
                                }
                            }
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_recovery_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_recovery_store!(minzheng_store::PgStore, sqlx::Postgres);
