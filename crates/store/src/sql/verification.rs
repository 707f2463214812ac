//! SQL and row decoding of departmental rows, enrolments and findings, shared by both backends.

use crate::sql::{push_in, select_in};
use crate::{page_limit, prefix_range, FindingEvent, FindingQuery, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::economy::{DeptRecord, LinkKind};
use minzheng_domain::{
    EnrolledMember, Enrolment, EnrolmentStatus, Fen, Finding, FindingKind, FindingStatus, IdNumber, RegionCode, Resolution,
};
use sqlx::{ColumnIndex, Database, Decode, Encode, QueryBuilder, Row, Type};
use std::collections::HashMap;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

fn id_of(text: &str) -> Result<IdNumber> {
    IdNumber::parse(text).map_err(|_| corrupt("id_number", text))
}

fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|_| corrupt(what, text))
}

// ---- departmental rows ----

pub(crate) const DEPT_COLUMNS: &str =
    "id, batch, source, row_no, recorded_id, recorded_name, id_number, link, probability, event_date, fields";

pub(crate) fn insert_dept_records<DB>(records: &[DeptRecord], batch: &str) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    Option<NaiveDate>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO dept_records (batch, source, row_no, recorded_id, recorded_name, id_number, link, probability, event_date, fields) ",
    );
    let cells = records.iter().map(|r| crate::to_json("departmental row", &r.fields)).collect::<Result<Vec<_>>>()?;
    qb.push_values(records.iter().zip(cells), |mut row, (r, cells)| {
        row.push_bind(batch.to_string())
            .push_bind(r.source.clone())
            .push_bind(r.row_no)
            .push_bind(r.recorded_id.clone())
            .push_bind(r.recorded_name.clone())
            .push_bind(r.id_number.map(|i| i.to_string()))
            .push_bind(r.link.as_str().to_string())
            .push_bind(i64::from(r.probability))
            .push_bind(r.event_date)
            .push_bind(cells);
    });
    Ok(qb)
}

pub(crate) fn scan_dept_records<DB>(source: &str, after: i64, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {DEPT_COLUMNS} FROM dept_records WHERE source = "));
    qb.push_bind(source.to_string())
        .push(" AND id > ")
        .push_bind(after)
        .push(" ORDER BY id LIMIT ")
        .push_bind(i64::from(limit.clamp(1, 100_000)));
    qb
}

/// Which departmental rows to read.
pub(crate) enum DeptFilter {
    /// One row by id.
    Id(i64),
    /// Rows awaiting review, after an id.
    InReview { after: i64 },
}

pub(crate) fn dept_records_where<DB>(filter: DeptFilter, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {DEPT_COLUMNS} FROM dept_records WHERE "));
    match filter {
        DeptFilter::Id(id) => qb.push("id = ").push_bind(id),
        // The literal matches the partial index `dept_records_review`.
        DeptFilter::InReview { after } => qb.push("link = 'review' AND id > ").push_bind(after),
    };
    qb.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit.clamp(1, 10_000)));
    qb
}

/// Sets a reviewed row's link: to its proposed person, or to nobody; only while it is in review.
/// The row keeps who decided (a new linkage run of its file leaves it as decided).
pub(crate) fn decide_link<DB>(id: i64, accept: bool, by: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE dept_records SET decided_by = ");
    qb.push_bind(by.to_string()).push(", link = ");
    if accept {
        qb.push_bind(LinkKind::Matched.as_str().to_string());
    } else {
        qb.push_bind(LinkKind::Unlinked.as_str().to_string()).push(", id_number = NULL");
    }
    qb.push(" WHERE id = ").push_bind(id).push(" AND link = ").push_bind(LinkKind::Review.as_str().to_string());
    qb
}

/// The rows of one file in row order, with who decided each row's link in review (if anyone).
pub(crate) fn dept_records_of_batch<DB>(batch: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {DEPT_COLUMNS}, decided_by FROM dept_records WHERE batch = "));
    qb.push_bind(batch.to_string()).push(" ORDER BY row_no, id");
    qb
}

/// A row of a file linked again: its new link, person, probability and cells (the explanation
/// is one of them); never a row a person decided.
pub(crate) fn relink_dept_record<DB>(r: &DeptRecord) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE dept_records SET link = ");
    qb.push_bind(r.link.as_str().to_string())
        .push(", id_number = ")
        .push_bind(r.id_number.map(|i| i.to_string()))
        .push(", probability = ")
        .push_bind(i64::from(r.probability))
        .push(", fields = ")
        .push_bind(crate::to_json("departmental row", &r.fields)?)
        .push(" WHERE id = ")
        .push_bind(r.id)
        .push(" AND batch = ")
        .push_bind(r.batch.clone())
        .push(" AND decided_by IS NULL");
    Ok(qb)
}

pub(crate) fn dept_record_from_row<'r, R>(row: &'r R) -> Result<DeptRecord>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    Option<NaiveDate>: Decode<'r, R::Database> + Type<R::Database>,
{
    let id_number: Option<String> = row.try_get("id_number")?;
    let link: String = row.try_get("link")?;
    let fields: String = row.try_get("fields")?;
    Ok(DeptRecord {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        batch: row.try_get("batch")?,
        row_no: row.try_get("row_no")?,
        recorded_id: row.try_get("recorded_id")?,
        recorded_name: row.try_get("recorded_name")?,
        id_number: id_number.as_deref().map(id_of).transpose()?,
        link: LinkKind::parse(&link).ok_or_else(|| corrupt("link", &link))?,
        probability: u16::try_from(row.try_get::<i64, _>("probability")?).unwrap_or(0),
        event_date: row.try_get("event_date")?,
        fields: json("fields", &fields)?,
    })
}

// ---- enrolments ----

pub(crate) const ENROLMENT_COLUMNS: &str = "id, program, household_no, county, monthly_amount, start_month, status, end_month";

/// Inserts or replaces enrolments (by program and household), returning id, program and household.
pub(crate) fn upsert_enrolments<DB>(enrolments: &[Enrolment], source: &str, now: DateTime<Utc>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    Option<NaiveDate>: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO enrolments (program, household_no, county, monthly_amount, start_month, status, end_month, source, updated_at) ",
    );
    qb.push_values(enrolments, |mut row, e| {
        row.push_bind(e.program.clone())
            .push_bind(e.household_no.clone())
            .push_bind(e.county.to_string())
            .push_bind(e.monthly_amount.0)
            .push_bind(e.start)
            .push_bind(e.status.as_str().to_string())
            .push_bind(e.end)
            .push_bind(source.to_string())
            .push_bind(now);
    });
    qb.push(
        " ON CONFLICT (program, household_no) DO UPDATE SET county = excluded.county, monthly_amount = excluded.monthly_amount, \
         start_month = excluded.start_month, status = excluded.status, end_month = excluded.end_month, source = excluded.source, updated_at = excluded.updated_at \
         RETURNING id, program, household_no",
    );
    qb
}

pub(crate) fn delete_members<DB>(ids: &[i64]) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("DELETE FROM enrolment_members WHERE enrolment_id IN ");
    push_in(&mut qb, ids.iter().copied());
    qb
}

pub(crate) fn insert_members<DB>(members: &[(i64, &EnrolledMember)]) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    Option<i64>: for<'x> Encode<'x, DB> + Type<DB>,
    Option<NaiveDate>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO enrolment_members (enrolment_id, id_number, name, amount, end_month) ");
    qb.push_values(members, |mut row, (id, m)| {
        row.push_bind(*id).push_bind(m.id_number.to_string()).push_bind(m.name.clone()).push_bind(m.amount.map(|a| a.0)).push_bind(m.end);
    });
    qb.push(" ON CONFLICT (enrolment_id, id_number) DO NOTHING");
    qb
}

pub(crate) fn enrolments_by_id<DB>(ids: &[i64]) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = select_in(ENROLMENT_COLUMNS, "enrolments", "id", ids.iter().copied());
    qb.push(" ORDER BY id");
    qb
}

pub(crate) fn members_of<DB>(ids: &[i64]) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = select_in("enrolment_id, id_number, name, amount, end_month", "enrolment_members", "enrolment_id", ids.iter().copied());
    qb.push(" ORDER BY enrolment_id, id_number");
    qb
}

pub(crate) fn scan_enrolments<DB>(region: &RegionCode, after: i64, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let (lo, hi) = prefix_range(&region.as_str()[..region.as_str().len().min(6)]);
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {ENROLMENT_COLUMNS} FROM enrolments WHERE county >= "));
    qb.push_bind(lo).push(" AND county < ").push_bind(hi).push(" AND id > ").push_bind(after);
    qb.push(" ORDER BY id LIMIT ").push_bind(i64::from(limit.clamp(1, 10_000)));
    qb
}

pub(crate) fn enrolment_ids_of<DB>(ids: &[IdNumber]) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    select_in("DISTINCT enrolment_id", "enrolment_members", "id_number", ids.iter().map(|i| i.to_string()))
}

/// Enrolments from their rows and their members' rows.
pub(crate) fn enrolments_from_rows<'r, R>(rows: &'r [R], members: &'r [R]) -> Result<Vec<Enrolment>>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    Option<NaiveDate>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut by_enrolment: HashMap<i64, Vec<EnrolledMember>> = HashMap::new();
    for m in members {
        let id: String = m.try_get("id_number")?;
        by_enrolment.entry(m.try_get("enrolment_id")?).or_default().push(EnrolledMember {
            id_number: id_of(&id)?,
            name: m.try_get("name")?,
            amount: m.try_get::<Option<i64>, _>("amount")?.map(Fen),
            end: m.try_get::<Option<NaiveDate>, _>("end_month")?,
        });
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let county: String = r.try_get("county")?;
            let status: String = r.try_get("status")?;
            Ok(Enrolment {
                id,
                program: r.try_get("program")?,
                household_no: r.try_get("household_no")?,
                county: RegionCode::parse(&county).map_err(|_| corrupt("county", &county))?,
                members: by_enrolment.remove(&id).unwrap_or_default(),
                monthly_amount: Fen(r.try_get("monthly_amount")?),
                start: r.try_get("start_month")?,
                status: EnrolmentStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                end: r.try_get("end_month")?,
            })
        })
        .collect()
}

// ---- findings ----

pub(crate) const FINDING_COLUMNS: &str = "id, key, kind, enrolment_id, program, household_no, id_number, region, confidence, \
    summary_zh, summary_en, evidence, found_on, status, assigned_to, resolution";

pub(crate) fn insert_findings<DB>(findings: &[Finding], now: DateTime<Utc>) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO findings (key, kind, enrolment_id, program, household_no, id_number, region, confidence, summary_zh, summary_en, \
         evidence, found_on, status, assigned_to, resolution, created_at) ",
    );
    let evidence = findings.iter().map(|f| crate::to_json("finding's evidence", &f.evidence)).collect::<Result<Vec<_>>>()?;
    qb.push_values(findings.iter().zip(evidence), |mut row, (f, evidence)| {
        row.push_bind(f.key.clone())
            .push_bind(f.kind.as_str().to_string())
            .push_bind(f.enrolment_id)
            .push_bind(f.program.clone())
            .push_bind(f.household_no.clone())
            .push_bind(f.id_number.map(|i| i.to_string()))
            .push_bind(f.region.to_string())
            .push_bind(i64::from(f.confidence))
            .push_bind(f.summary_zh.clone())
            .push_bind(f.summary_en.clone())
            .push_bind(evidence)
            .push_bind(f.found_on)
            .push_bind(f.status.as_str().to_string())
            .push_bind(f.assigned_to.clone())
            .push_bind(f.resolution.map(|r| r.as_str().to_string()))
            .push_bind(now);
    });
    qb.push(" ON CONFLICT (key) DO NOTHING");
    Ok(qb)
}

pub(crate) fn finding_by_id<DB>(id: i64) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = "));
    qb.push_bind(id);
    qb
}

/// Newest first; fetches one row more than the limit.
pub(crate) fn search_findings<DB>(q: &FindingQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {FINDING_COLUMNS} FROM findings WHERE 1 = 1"));
    filter_findings(&mut qb, q);
    if let Some(b) = q.before {
        qb.push(" AND id < ").push_bind(b);
    }
    crate::push_page(&mut qb, &q.paging, FINDING_SORT, q.limit);
    qb
}

/// The findings list's sortable columns.
const FINDING_SORT: &[(&str, &str)] = &[
    ("kind", "kind"),
    ("household", "household_no"),
    ("region", "region"),
    ("confidence", "confidence"),
    ("status", "status"),
    // Unassigned first on both databases (SQLite and PostgreSQL place NULLs differently).
    ("assigned_to", "COALESCE(assigned_to, '')"),
    ("found_on", "found_on"),
];

/// How many findings the query's filters hold (its cursor and limit are not used).
pub(crate) fn count_findings<DB>(q: &FindingQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM findings WHERE 1 = 1");
    filter_findings(&mut qb, q);
    qb
}

fn filter_findings<DB>(qb: &mut QueryBuilder<DB>, q: &FindingQuery)
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    if let Some(r) = &q.region {
        let (lo, hi) = prefix_range(r.as_str());
        qb.push(" AND region >= ").push_bind(lo).push(" AND region < ").push_bind(hi);
    }
    if let Some(k) = q.kind {
        qb.push(" AND kind = ").push_bind(k.as_str().to_string());
    }
    if let Some(s) = q.status {
        qb.push(" AND status = ").push_bind(s.as_str().to_string());
    }
    if let Some(p) = &q.program {
        qb.push(" AND program = ").push_bind(p.clone());
    }
    if let Some(a) = &q.assigned_to {
        qb.push(" AND assigned_to = ").push_bind(a.clone());
    }
    if let Some(h) = &q.household_no {
        qb.push(" AND household_no = ").push_bind(h.clone());
    }
}

pub(crate) fn finding_counts<DB>(region: &RegionCode) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let (lo, hi) = prefix_range(region.as_str());
    let mut qb =
        QueryBuilder::<DB>::new("SELECT kind, substr(region, 1, 6) AS county, status, COUNT(*) AS n FROM findings WHERE region >= ");
    qb.push_bind(lo)
        .push(" AND region < ")
        .push_bind(hi)
        .push(" GROUP BY kind, substr(region, 1, 6), status ORDER BY kind, county, status");
    qb
}

pub(crate) fn update_finding<DB>(f: &Finding, from: FindingStatus) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE findings SET status = ");
    qb.push_bind(f.status.as_str().to_string())
        .push(", assigned_to = ")
        .push_bind(f.assigned_to.clone())
        .push(", resolution = ")
        .push_bind(f.resolution.map(|r| r.as_str().to_string()))
        .push(" WHERE id = ")
        .push_bind(f.id)
        .push(" AND status = ")
        .push_bind(from.as_str().to_string());
    qb
}

pub(crate) fn insert_event<DB>(e: &FindingEvent) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO finding_events (finding_id, action, from_status, to_status, detail, comment, actor, at) VALUES (",
    );
    let mut sep = qb.separated(", ");
    sep.push_bind(e.finding_id)
        .push_bind(e.action.clone())
        .push_bind(e.from.as_str().to_string())
        .push_bind(e.to.as_str().to_string())
        .push_bind(e.detail.clone())
        .push_bind(e.comment.clone())
        .push_bind(e.actor.clone())
        .push_bind(e.at);
    qb.push(")");
    qb
}

pub(crate) fn events_of<DB>(id: i64) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT finding_id, action, from_status, to_status, detail, comment, actor, at FROM finding_events WHERE finding_id = ",
    );
    qb.push_bind(id).push(" ORDER BY id");
    qb
}

pub(crate) fn finding_from_row<'r, R>(row: &'r R) -> Result<Finding>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
{
    let kind: String = row.try_get("kind")?;
    let id_number: Option<String> = row.try_get("id_number")?;
    let region: String = row.try_get("region")?;
    let evidence: String = row.try_get("evidence")?;
    let status: String = row.try_get("status")?;
    let resolution: Option<String> = row.try_get("resolution")?;
    Ok(Finding {
        id: row.try_get("id")?,
        kind: FindingKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        enrolment_id: row.try_get("enrolment_id")?,
        program: row.try_get("program")?,
        household_no: row.try_get("household_no")?,
        id_number: id_number.as_deref().map(id_of).transpose()?,
        region: RegionCode::parse(&region).map_err(|_| corrupt("region", &region))?,
        confidence: u16::try_from(row.try_get::<i64, _>("confidence")?).unwrap_or(0),
        summary_zh: row.try_get("summary_zh")?,
        summary_en: row.try_get("summary_en")?,
        evidence: json("evidence", &evidence)?,
        key: row.try_get("key")?,
        found_on: row.try_get("found_on")?,
        status: FindingStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        assigned_to: row.try_get("assigned_to")?,
        resolution: resolution.as_deref().map(|r| Resolution::parse(r).ok_or_else(|| corrupt("resolution", r))).transpose()?,
    })
}

pub(crate) fn event_from_row<'r, R>(row: &'r R) -> Result<FindingEvent>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let status = |col: &str| -> Result<FindingStatus> {
        let s: String = row.try_get(col)?;
        FindingStatus::parse(&s).ok_or_else(|| corrupt(col, &s))
    };
    Ok(FindingEvent {
        finding_id: row.try_get("finding_id")?,
        action: row.try_get("action")?,
        from: status("from_status")?,
        to: status("to_status")?,
        detail: row.try_get("detail")?,
        comment: row.try_get("comment")?,
        actor: row.try_get("actor")?,
        at: row.try_get("at")?,
    })
}

pub(crate) fn count_from_row<'r, R>(row: &'r R) -> Result<crate::FindingCount>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(crate::FindingCount {
        kind: row.try_get("kind")?,
        county: row.try_get("county")?,
        status: row.try_get("status")?,
        count: u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0),
    })
}

/// Keyset page of findings fetched with one extra row.
pub(crate) fn paginate_findings(mut items: Vec<Finding>, limit: u32) -> crate::Page<Finding> {
    let limit = page_limit(limit) as usize;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|f| f.id.to_string()).unwrap_or_default()
    });
    crate::Page { items, next }
}

// ---- household checks ----

pub(crate) fn insert_household_check<DB>(r: &minzheng_domain::verification::VerificationReport) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb =
        QueryBuilder::<DB>::new("INSERT INTO household_checks (household_no, community, on_date, report, made_by, made_at) VALUES (");
    let mut sep = qb.separated(", ");
    sep.push_bind(r.household_no.clone())
        .push_bind(r.community.to_string())
        .push_bind(r.on)
        .push_bind(crate::to_json("household check report", r)?)
        .push_bind(r.made_by.clone())
        .push_bind(r.made_at);
    qb.push(") RETURNING id");
    Ok(qb)
}

pub(crate) fn household_checks<DB>(id: Option<i64>, household_no: Option<&str>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("SELECT id, report FROM household_checks WHERE 1 = 1");
    if let Some(id) = id {
        qb.push(" AND id = ").push_bind(id);
    }
    if let Some(no) = household_no {
        qb.push(" AND household_no = ").push_bind(no.to_string());
    }
    qb.push(" ORDER BY id DESC LIMIT 100");
    qb
}

/// The reports of households within a region, newest first, one more than the page.
pub(crate) fn household_checks_in<DB>(region: &RegionCode, before: Option<i64>, limit: u32, paging: &crate::Paging) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let (lo, hi) = prefix_range(region.as_str());
    let mut qb = QueryBuilder::<DB>::new("SELECT id, report FROM household_checks WHERE community >= ");
    qb.push_bind(lo).push(" AND community < ").push_bind(hi);
    if let Some(b) = before {
        qb.push(" AND id < ").push_bind(b);
    }
    crate::push_page(
        &mut qb,
        paging,
        &[("household", "household_no"), ("community", "community"), ("on", "on_date"), ("made", "made_at")],
        limit,
    );
    qb
}

/// Keyset page of check reports fetched with one extra row.
pub(crate) fn paginate_checks(
    mut items: Vec<minzheng_domain::verification::VerificationReport>,
    limit: u32,
) -> crate::Page<minzheng_domain::verification::VerificationReport> {
    let limit = page_limit(limit) as usize;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    crate::Page { items, next }
}

pub(crate) fn household_check_from_row<'r, R>(row: &'r R) -> Result<minzheng_domain::verification::VerificationReport>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let text: String = row.try_get("report")?;
    let mut r: minzheng_domain::verification::VerificationReport = json("report", &text)?;
    r.id = row.try_get("id")?;
    Ok(r)
}
