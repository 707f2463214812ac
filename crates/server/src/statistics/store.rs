//! What the monthly report reads (enrolments paid for the month with their households, the
//! month's payment lists, 临时救助 decisions, 特困 residents in concentrated support) and its
//! own tables (`migrations/<backend>/8001_statistics.sql`: closed months and corrections),
//! written once for both databases. Reading is in numbers, and in lists of the units behind a
//! figure for the use case to show as the account may see them.

use super::model::{ClosedMonth, Correction, Coverage, Figures, Support};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::{RegionCode, RegionLevel};
use minzheng_store::{Actor, AuditEntry, AuditEvent, Handle, Migration, ModuleMigrations, Result, Store, StoreError};

pub const MIGRATIONS: ModuleMigrations = ModuleMigrations {
    module: "statistics",
    sqlite: &[Migration { version: 8001, name: "statistics", sql: include_str!("migrations/sqlite/8001_statistics.sql") }],
    postgres: &[Migration { version: 8001, name: "statistics", sql: include_str!("migrations/postgres/8001_statistics.sql") }],
};

/// A household behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdUnit {
    pub household_no: String,
    pub community: String,
    pub address: String,
    pub head_name: String,
    pub program: String,
    pub area: String,
    pub persons: i64,
    pub monthly: i64,
}

/// A person behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonUnit {
    pub id_number: String,
    pub name: String,
    pub household_no: String,
    pub community: String,
    pub program: String,
    pub area: String,
    /// The member's own amount (programs granted to persons), fen.
    pub amount: Option<i64>,
    /// 集中供养 on the month's last day.
    pub concentrated: bool,
}

/// Coverage of one owning county in one of the months asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyCoverage {
    pub county: String,
    /// The index of the month in the months asked for.
    pub month: usize,
    pub coverage: Coverage,
}

/// Which units a list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitQuery<'a> {
    pub region: &'a RegionCode,
    pub month: NaiveDate,
    pub programs: &'a [&'a str],
    pub area: Option<&'a str>,
    pub offset: u32,
    pub limit: u32,
}

#[async_trait]
pub trait StatisticsStore: Send + Sync {
    /// Enrolments of counties within `region` (and households within it, below a county), for
    /// each of `months` (first days): per owning county, program and area, the households paid
    /// for the month, their members paid, the monthly amounts; one pass over the enrolments.
    async fn coverage_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<CountyCoverage>>;

    /// 特困 members paid for each of `months` who live in an institution in concentrated support
    /// on the month's last day, per owning county: (county, month index, persons).
    async fn concentrated_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<(String, usize, i64)>>;

    /// What the approved and locked payment lists of `months` pay, per county and program:
    /// (county, month index, program, fen).
    async fn spending_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<(String, usize, String, i64)>>;

    /// The stored bodies of the 临时救助 cases within `region` approved with a decision dated
    /// from `first` to `last` (the decision's day read from the stored case, indexed).
    async fn temporary_bodies(&self, region: &RegionCode, first: NaiveDate, last: NaiveDate) -> Result<Vec<String>>;

    /// Households behind a figure, by household number.
    async fn households(&self, q: UnitQuery<'_>) -> Result<Vec<HouseholdUnit>>;

    /// Persons behind a figure, by household and ID number.
    async fn persons(&self, q: UnitQuery<'_>, support: Support, last: NaiveDate) -> Result<Vec<PersonUnit>>;

    /// The closed month of a county, with its corrections.
    async fn closed_month(&self, county: &str, month: NaiveDate) -> Result<Option<ClosedMonth>>;

    /// The counties within `region` that closed `month`.
    async fn closed_in(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<ClosedMonth>>;

    /// Closes a county's month with its figures, audited; `Conflict` when it is already closed.
    async fn close_month(&self, county: &str, month: NaiveDate, figures: &Figures, at: DateTime<Utc>, actor: &Actor)
        -> Result<ClosedMonth>;

    /// Notes a correction beside a closed month's figure, audited; `NotFound` when the month is
    /// not closed.
    async fn add_correction(&self, c: &Correction, actor: &Actor) -> Result<Correction>;
}

/// The module's store on whichever database the platform's store runs.
pub fn statistics_store(store: &dyn Store) -> &dyn StatisticsStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

/// What the statistics module records in the audit log.
pub enum StatEvent<'a> {
    Closed(&'a ClosedMonth),
    Corrected(&'a Correction),
}

impl AuditEvent for StatEvent<'_> {
    fn entry(&self) -> AuditEntry {
        match self {
            StatEvent::Closed(m) => AuditEntry {
                action: "close_statistics_month".into(),
                entity: "statistics_month".into(),
                entity_key: format!("{}/{}", m.county, m.month.format("%Y-%m")),
                before: None,
                after: Some(serde_json::json!({ "figures": m.figures })),
            },
            StatEvent::Corrected(c) => AuditEntry {
                action: "correct_statistics_figure".into(),
                entity: "statistics_month".into(),
                entity_key: format!("{}/{}", c.county, c.month.format("%Y-%m")),
                before: None,
                after: Some(serde_json::json!({ "line": c.line, "value": c.value, "reason": c.reason })),
            },
        }
    }
}

/// The enrolments' side of a region: the `[lo, hi)` range of owning counties, and below a county
/// the `[lo, hi)` range of the households' communities.
fn ranges(region: &RegionCode) -> ((String, String), Option<(String, String)>) {
    let code = region.as_str();
    if code.len() <= RegionLevel::County.digits() {
        ((code.to_string(), format!("{code}~")), None)
    } else {
        let county: String = code.chars().take(RegionLevel::County.digits()).collect();
        ((county.clone(), format!("{county}~")), Some((code.to_string(), format!("{code}~"))))
    }
}

/// The condition of an enrolment (`e`) paid for a month, as `Enrolment::paid_for` says: active,
/// or stopped from a later month; started; not yet ended. Followed by the month bound three times.
const PAID: &str = " AND (e.status = 'active' OR (e.status = 'stopped' AND e.end_month IS NOT NULL)) AND e.start_month <= ";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

macro_rules! impl_statistics_store {
    ($store:ty, $db:ty, $decided:expr) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            /// `FROM enrolments e JOIN households h … WHERE` the region and the month.
            /// With `members`, each member (`m`) of the enrolments is a row.
            fn enrolments_in(qb: &mut QueryBuilder<$db>, region: &RegionCode, month: NaiveDate, members: bool) {
                let ((lo, hi), below) = ranges(region);
                qb.push(" FROM enrolments e JOIN households h ON h.household_no = e.household_no");
                if members {
                    qb.push(" JOIN enrolment_members m ON m.enrolment_id = e.id");
                }
                qb.push(" WHERE e.county >= ")
                    .push_bind(lo)
                    .push(" AND e.county < ")
                    .push_bind(hi);
                if let Some((lo, hi)) = below {
                    qb.push(" AND h.community_code >= ").push_bind(lo).push(" AND h.community_code < ").push_bind(hi);
                }
                qb.push(PAID).push_bind(month).push(" AND (e.end_month IS NULL OR e.end_month > ").push_bind(month).push(")");
            }

            /// An enrolment (`e`) paid for `month` among those `enrolments_during` selects (their
            /// status already checked), and with `member` the member (`m`) too.
            fn paid_in(qb: &mut QueryBuilder<$db>, month: NaiveDate, member: bool) {
                qb.push("e.start_month <= ").push_bind(month).push(" AND (e.end_month IS NULL OR e.end_month > ").push_bind(month).push(")");
                if member {
                    qb.push(" AND (m.end_month IS NULL OR m.end_month > ").push_bind(month).push(")");
                }
            }

            /// `FROM enrolments e JOIN households h …` (and the members `m`) `WHERE` the region and
            /// enrolments paid for any of the months.
            fn enrolments_during(qb: &mut QueryBuilder<$db>, region: &RegionCode, months: &[NaiveDate], members: bool) {
                let ((lo, hi), below) = ranges(region);
                qb.push(" FROM enrolments e JOIN households h ON h.household_no = e.household_no");
                if members {
                    qb.push(" JOIN enrolment_members m ON m.enrolment_id = e.id");
                }
                qb.push(" WHERE e.county >= ").push_bind(lo).push(" AND e.county < ").push_bind(hi);
                if let Some((lo, hi)) = below {
                    qb.push(" AND h.community_code >= ").push_bind(lo).push(" AND h.community_code < ").push_bind(hi);
                }
                let first = months.iter().min().copied().unwrap_or_default();
                let last = months.iter().max().copied().unwrap_or_default();
                qb.push(PAID).push_bind(last).push(" AND (e.end_month IS NULL OR e.end_month > ").push_bind(first).push(")");
            }

            fn programs_in(qb: &mut QueryBuilder<$db>, programs: &[&str], area: Option<&str>) {
                qb.push(" AND e.program IN (");
                let mut sep = qb.separated(", ");
                for p in programs {
                    sep.push_bind(p.to_string());
                }
                qb.push(")");
                if let Some(a) = area {
                    qb.push(" AND h.kind = ").push_bind(a.to_string());
                }
            }

            /// A member (`m`) paid for the month, and (`concentrated`) in concentrated support on
            /// the month's last day.
            fn member_paid(qb: &mut QueryBuilder<$db>, month: NaiveDate) {
                qb.push(" AND (m.end_month IS NULL OR m.end_month > ").push_bind(month).push(")");
            }

            fn in_concentrated_support(qb: &mut QueryBuilder<$db>, last: NaiveDate) {
                qb.push(
                    "EXISTS (SELECT 1 FROM care_residents r WHERE r.id_number = m.id_number AND r.concentrated = TRUE AND r.admitted_on <= ",
                )
                .push_bind(last)
                .push(" AND (r.discharged_on IS NULL OR r.discharged_on > ")
                .push_bind(last)
                .push("))");
            }

            fn closed_from(r: &<$db as sqlx::Database>::Row) -> Result<ClosedMonth> {
                let figures: String = r.try_get("figures")?;
                Ok(ClosedMonth {
                    county: r.try_get("county")?,
                    month: r.try_get("month")?,
                    figures: serde_json::from_str(&figures).map_err(|_| corrupt("statistics figures", &figures))?,
                    closed_by: r.try_get("closed_by")?,
                    closed_at: r.try_get("closed_at")?,
                    corrections: Vec::new(),
                })
            }

            fn correction_from(r: &<$db as sqlx::Database>::Row) -> Result<Correction> {
                Ok(Correction {
                    id: r.try_get("id")?,
                    county: r.try_get("county")?,
                    month: r.try_get("month")?,
                    line: r.try_get("line")?,
                    value: r.try_get("value")?,
                    reason: r.try_get("reason")?,
                    corrected_by: r.try_get("corrected_by")?,
                    corrected_at: r.try_get("corrected_at")?,
                })
            }

            const CORRECTION_COLUMNS: &str = "id, county, month, line, value, reason, corrected_by, corrected_at";

            async fn corrections_of<'e, E>(ex: E, county: &str, month: NaiveDate) -> Result<Vec<Correction>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {CORRECTION_COLUMNS} FROM stat_corrections WHERE county = "));
                qb.push_bind(county.to_string()).push(" AND month = ").push_bind(month).push(" ORDER BY id");
                qb.build().fetch_all(ex).await?.iter().map(correction_from).collect()
            }

            #[async_trait]
            impl StatisticsStore for $store {
                async fn coverage_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<CountyCoverage>> {
                    let mut out = Vec::new();
                    if months.is_empty() {
                        return Ok(out);
                    }
                    // The enrolments: households and amounts per month.
                    let mut qb = QueryBuilder::<$db>::new("SELECT e.county AS county, e.program AS program, h.kind AS area");
                    for (i, m) in months.iter().enumerate() {
                        qb.push(", CAST(SUM(CASE WHEN ");
                        paid_in(&mut qb, *m, false);
                        qb.push(format!(" THEN 1 ELSE 0 END) AS BIGINT) AS h{i}, CAST(SUM(CASE WHEN "));
                        paid_in(&mut qb, *m, false);
                        qb.push(format!(" THEN e.monthly_amount ELSE 0 END) AS BIGINT) AS a{i}"));
                    }
                    enrolments_during(&mut qb, region, months, false);
                    qb.push(" GROUP BY e.county, e.program, h.kind");
                    let rows = qb.build().fetch_all(self.pool()).await?;
                    let mut at: std::collections::HashMap<(String, usize, String, String), usize> = std::collections::HashMap::new();
                    for r in &rows {
                        let county: String = r.try_get("county")?;
                        let program: String = r.try_get("program")?;
                        let area: String = r.try_get("area")?;
                        for i in 0..months.len() {
                            let households = r.try_get::<Option<i64>, _>(format!("h{i}").as_str())?.unwrap_or(0);
                            let monthly = r.try_get::<Option<i64>, _>(format!("a{i}").as_str())?.unwrap_or(0);
                            at.insert((county.clone(), i, program.clone(), area.clone()), out.len());
                            out.push(CountyCoverage {
                                county: county.clone(),
                                month: i,
                                coverage: Coverage { program: program.clone(), area: area.clone(), households, persons: 0, monthly },
                            });
                        }
                    }
                    // Their members paid per month.
                    let mut qb = QueryBuilder::<$db>::new("SELECT e.county AS county, e.program AS program, h.kind AS area");
                    for (i, m) in months.iter().enumerate() {
                        qb.push(", CAST(SUM(CASE WHEN ");
                        paid_in(&mut qb, *m, true);
                        qb.push(format!(" THEN 1 ELSE 0 END) AS BIGINT) AS p{i}"));
                    }
                    enrolments_during(&mut qb, region, months, true);
                    qb.push(" GROUP BY e.county, e.program, h.kind");
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let county: String = r.try_get("county")?;
                        let program: String = r.try_get("program")?;
                        let area: String = r.try_get("area")?;
                        for i in 0..months.len() {
                            let persons = r.try_get::<Option<i64>, _>(format!("p{i}").as_str())?.unwrap_or(0);
                            if let Some(k) = at.get(&(county.clone(), i, program.clone(), area.clone())) {
                                out[*k].coverage.persons = persons;
                            }
                        }
                    }
                    Ok(out)
                }

                async fn concentrated_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<(String, usize, i64)>> {
                    if months.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<$db>::new("SELECT e.county AS county");
                    for (i, m) in months.iter().enumerate() {
                        qb.push(", CAST(SUM(CASE WHEN ");
                        paid_in(&mut qb, *m, true);
                        qb.push(" AND ");
                        in_concentrated_support(&mut qb, super::model::last_day(*m));
                        qb.push(format!(" THEN 1 ELSE 0 END) AS BIGINT) AS c{i}"));
                    }
                    enrolments_during(&mut qb, region, months, true);
                    qb.push(" AND e.program = 'tekun' GROUP BY e.county");
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let county: String = r.try_get("county")?;
                        for i in 0..months.len() {
                            out.push((county.clone(), i, r.try_get::<Option<i64>, _>(format!("c{i}").as_str())?.unwrap_or(0)));
                        }
                    }
                    Ok(out)
                }

                async fn spending_months(&self, region: &RegionCode, months: &[NaiveDate]) -> Result<Vec<(String, usize, String, i64)>> {
                    if months.is_empty() {
                        return Ok(Vec::new());
                    }
                    let ((lo, hi), below) = ranges(region);
                    let mut qb = match &below {
                        // A county or above: the lists' totals (what went to the bank).
                        None => QueryBuilder::<$db>::new(
                            "SELECT p.county AS county, p.month AS month, p.program AS program, CAST(SUM(p.total) AS BIGINT) AS paid \
                             FROM payrolls p WHERE p.county >= ",
                        ),
                        // Below a county: the lines of its households.
                        Some(_) => QueryBuilder::<$db>::new(
                            "SELECT p.county AS county, p.month AS month, p.program AS program, CAST(SUM(l.net) AS BIGINT) AS paid FROM payrolls p \
                             JOIN payroll_lines l ON l.payroll_id = p.id JOIN households h ON h.household_no = l.household_no \
                             WHERE l.held IS NULL AND p.county >= ",
                        ),
                    };
                    qb.push_bind(lo).push(" AND p.county < ").push_bind(hi);
                    if let Some((lo, hi)) = below {
                        qb.push(" AND h.community_code >= ").push_bind(lo).push(" AND h.community_code < ").push_bind(hi);
                    }
                    qb.push(" AND p.month IN (");
                    let mut sep = qb.separated(", ");
                    for m in months {
                        sep.push_bind(*m);
                    }
                    qb.push(") AND p.status IN ('approved', 'locked') GROUP BY p.county, p.month, p.program");
                    let mut out = Vec::new();
                    for r in qb.build().fetch_all(self.pool()).await? {
                        let month: NaiveDate = r.try_get("month")?;
                        for (i, m) in months.iter().enumerate().filter(|(_, m)| **m == month) {
                            let _ = m;
                            out.push((r.try_get("county")?, i, r.try_get("program")?, r.try_get::<Option<i64>, _>("paid")?.unwrap_or(0)));
                        }
                    }
                    Ok(out)
                }

                async fn temporary_bodies(&self, region: &RegionCode, first: NaiveDate, last: NaiveDate) -> Result<Vec<String>> {
                    let ((lo, hi), below) = ranges(region);
                    let mut qb = QueryBuilder::<$db>::new("SELECT body FROM cases WHERE program = 'linshi' AND status = 'approved' AND owner >= ");
                    qb.push_bind(lo).push(" AND owner < ").push_bind(hi);
                    if let Some((lo, hi)) = below {
                        qb.push(" AND community >= ").push_bind(lo).push(" AND community < ").push_bind(hi);
                    }
                    qb.push(format!(" AND {} >= ", $decided)).push_bind(first.to_string());
                    qb.push(format!(" AND {} <= ", $decided)).push_bind(last.to_string()).push(" ORDER BY id");
                    qb.build().fetch_all(self.pool()).await?.iter().map(|r| Ok(r.try_get("body")?)).collect()
                }

                async fn households(&self, q: UnitQuery<'_>) -> Result<Vec<HouseholdUnit>> {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT h.household_no AS household_no, h.community_code AS community, h.address AS address, \
                         COALESCE((SELECT p.name FROM persons p WHERE p.id_number = h.head_id_number), '') AS head_name, \
                         e.program AS program, h.kind AS area, e.monthly_amount AS monthly, \
                         (SELECT COUNT(*) FROM enrolment_members m WHERE m.enrolment_id = e.id",
                    );
                    member_paid(&mut qb, q.month);
                    qb.push(") AS persons");
                    enrolments_in(&mut qb, q.region, q.month, false);
                    programs_in(&mut qb, q.programs, q.area);
                    qb.push(" ORDER BY h.household_no, e.program LIMIT ").push_bind(i64::from(q.limit)).push(" OFFSET ").push_bind(i64::from(q.offset));
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| {
                            Ok(HouseholdUnit {
                                household_no: r.try_get("household_no")?,
                                community: r.try_get("community")?,
                                address: r.try_get("address")?,
                                head_name: r.try_get("head_name")?,
                                program: r.try_get("program")?,
                                area: r.try_get("area")?,
                                persons: r.try_get("persons")?,
                                monthly: r.try_get("monthly")?,
                            })
                        })
                        .collect()
                }

                async fn persons(&self, q: UnitQuery<'_>, support: Support, last: NaiveDate) -> Result<Vec<PersonUnit>> {
                    let mut qb = QueryBuilder::<$db>::new(
                        "SELECT m.id_number AS id_number, m.name AS name, h.household_no AS household_no, h.community_code AS community, \
                         e.program AS program, h.kind AS area, m.amount AS amount, ",
                    );
                    qb.push("CASE WHEN ");
                    in_concentrated_support(&mut qb, last);
                    qb.push(" THEN 1 ELSE 0 END AS concentrated");
                    enrolments_in(&mut qb, q.region, q.month, true);
                    programs_in(&mut qb, q.programs, q.area);
                    member_paid(&mut qb, q.month);
                    match support {
                        Support::Any => {}
                        Support::Concentrated => {
                            qb.push(" AND ");
                            in_concentrated_support(&mut qb, last);
                        }
                        Support::Dispersed => {
                            qb.push(" AND NOT ");
                            in_concentrated_support(&mut qb, last);
                        }
                    }
                    qb.push(" ORDER BY h.household_no, m.id_number LIMIT ").push_bind(i64::from(q.limit)).push(" OFFSET ").push_bind(i64::from(q.offset));
                    qb.build()
                        .fetch_all(self.pool())
                        .await?
                        .iter()
                        .map(|r| {
                            Ok(PersonUnit {
                                id_number: r.try_get("id_number")?,
                                name: r.try_get("name")?,
                                household_no: r.try_get("household_no")?,
                                community: r.try_get("community")?,
                                program: r.try_get("program")?,
                                area: r.try_get("area")?,
                                amount: r.try_get("amount")?,
                                concentrated: r.try_get::<i32, _>("concentrated")? != 0,
                            })
                        })
                        .collect()
                }

                async fn closed_month(&self, county: &str, month: NaiveDate) -> Result<Option<ClosedMonth>> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT county, month, figures, closed_by, closed_at FROM stat_months WHERE county = ");
                    qb.push_bind(county.to_string()).push(" AND month = ").push_bind(month);
                    let Some(mut m) = qb.build().fetch_optional(self.pool()).await?.as_ref().map(closed_from).transpose()? else {
                        return Ok(None);
                    };
                    m.corrections = corrections_of(self.pool(), county, month).await?;
                    Ok(Some(m))
                }

                async fn closed_in(&self, region: &RegionCode, month: NaiveDate) -> Result<Vec<ClosedMonth>> {
                    let county: String = region.as_str().chars().take(RegionLevel::County.digits()).collect();
                    let mut qb = QueryBuilder::<$db>::new("SELECT county, month, figures, closed_by, closed_at FROM stat_months WHERE county >= ");
                    qb.push_bind(county.clone()).push(" AND county < ").push_bind(format!("{county}~"));
                    qb.push(" AND month = ").push_bind(month).push(" ORDER BY county");
                    let mut out: Vec<ClosedMonth> = qb.build().fetch_all(self.pool()).await?.iter().map(closed_from).collect::<Result<_>>()?;
                    for m in &mut out {
                        m.corrections = corrections_of(self.pool(), &m.county, month).await?;
                    }
                    Ok(out)
                }

                async fn close_month(&self, county: &str, month: NaiveDate, figures: &Figures, at: DateTime<Utc>, actor: &Actor) -> Result<ClosedMonth> {
                    let text = serde_json::to_string(figures).map_err(|e| StoreError::Corrupt(format!("statistics figures: {e}")))?;
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("INSERT INTO stat_months (county, month, figures, closed_by, closed_at) VALUES (");
                    let mut sep = qb.separated(", ");
                    sep.push_bind(county.to_string()).push_bind(month).push_bind(text).push_bind(actor.name.clone()).push_bind(at);
                    qb.push(") ON CONFLICT (county, month) DO NOTHING");
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("statistics month {county} {month}")));
                    }
                    let closed = ClosedMonth {
                        county: county.to_string(),
                        month,
                        figures: figures.clone(),
                        closed_by: actor.name.clone(),
                        closed_at: at,
                        corrections: Vec::new(),
                    };
                    <$store>::write_audit(&mut tx, actor, &[StatEvent::Closed(&closed).entry()]).await?;
                    tx.commit().await?;
                    Ok(closed)
                }

                async fn add_correction(&self, c: &Correction, actor: &Actor) -> Result<Correction> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("SELECT county FROM stat_months WHERE county = ");
                    qb.push_bind(c.county.clone()).push(" AND month = ").push_bind(c.month);
                    if qb.build().fetch_optional(&mut *tx).await?.is_none() {
                        return Err(StoreError::NotFound(format!("closed statistics month {} {}", c.county, c.month)));
                    }
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO stat_corrections (county, month, line, value, reason, corrected_by, corrected_at) VALUES (",
                    );
                    let mut sep = qb.separated(", ");
                    sep.push_bind(c.county.clone())
                        .push_bind(c.month)
                        .push_bind(c.line.clone())
                        .push_bind(c.value)
                        .push_bind(c.reason.clone())
                        .push_bind(c.corrected_by.clone())
                        .push_bind(c.corrected_at);
                    qb.push(") RETURNING id");
                    let id: i64 = qb.build().fetch_one(&mut *tx).await?.try_get("id")?;
                    let stored = Correction { id, ..c.clone() };
                    <$store>::write_audit(&mut tx, actor, &[StatEvent::Corrected(&stored).entry()]).await?;
                    tx.commit().await?;
                    Ok(stored)
                }
            }
        };
    };
}

// The decision's day of a stored case, as each database reads it from the JSON (the same
// expression as the index `cases_temporary_decided`).
impl_statistics_store!(minzheng_store::SqliteStore, sqlx::Sqlite, "json_extract(body, '$.file.decision.on')");
impl_statistics_store!(minzheng_store::PgStore, sqlx::Postgres, "(body::jsonb #>> '{file,decision,on}')");
