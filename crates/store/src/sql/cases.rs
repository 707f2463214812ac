//! SQL and row decoding of cases (办件), their steps and the working-day calendar, shared by
//! both backends.

use crate::{page_limit, prefix_range, AuditEntry, CaseDocument, CaseEvent, CaseQuery, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use minzheng_domain::calendar::{CalendarDay, DayKind};
use minzheng_domain::case::{Case, CaseStatus};
use sqlx::{ColumnIndex, Database, Decode, Encode, QueryBuilder, Row, Type};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub(crate) const CASE_COLUMNS: &str = "id, status, version, body";

/// Inserts a new case; the unique `active_key` refuses a second open case of the program and household.
pub(crate) fn insert_case<DB>(c: &Case, waiting_for: Option<&str>, now: DateTime<Utc>) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO cases (service, program, household_no, owner, community, accepted_at, status, waiting_for, active_key, step_due, due, version, body, updated_at) VALUES (");
    let mut sep = qb.separated(", ");
    sep.push_bind(c.service.clone())
        .push_bind(c.program.clone())
        .push_bind(c.household_no.clone())
        .push_bind(c.owner.to_string())
        .push_bind(c.community.to_string())
        .push_bind(c.accepted_at.to_string())
        .push_bind(c.status.as_str().to_string())
        .push_bind(waiting_for.map(str::to_string))
        .push_bind(c.active_key())
        .push_bind(c.step_due)
        .push_bind(c.due)
        .push_bind(c.version)
        .push_bind(crate::to_json("case", c)?)
        .push_bind(now);
    qb.push(") RETURNING id");
    Ok(qb)
}

/// Writes a step's result, only if the case is still at the version the step was taken on.
pub(crate) fn update_case<DB>(c: &Case, waiting_for: Option<&str>, seen_version: i64, now: DateTime<Utc>) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE cases SET status = ");
    qb.push_bind(c.status.as_str().to_string())
        .push(", waiting_for = ")
        .push_bind(waiting_for.map(str::to_string))
        .push(", active_key = ")
        .push_bind(c.active_key())
        .push(", step_due = ")
        .push_bind(c.step_due)
        .push(", due = ")
        .push_bind(c.due)
        .push(", version = ")
        .push_bind(c.version)
        .push(", body = ")
        .push_bind(crate::to_json("case", c)?)
        .push(", updated_at = ")
        .push_bind(now)
        .push(" WHERE id = ")
        .push_bind(c.id)
        .push(" AND version = ")
        .push_bind(seen_version);
    Ok(qb)
}

/// Many cases at once (carried over from an earlier system), without events.
pub(crate) fn insert_cases<DB>(cases: &[(Case, Option<String>)], now: DateTime<Utc>) -> Result<QueryBuilder<DB>>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    Option<String>: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO cases (service, program, household_no, owner, community, accepted_at, status, waiting_for, active_key, step_due, due, version, body, updated_at) ");
    let bodies = cases.iter().map(|(c, _)| crate::to_json("case", c)).collect::<Result<Vec<_>>>()?;
    qb.push_values(cases.iter().zip(bodies), |mut row, ((c, waiting_for), body)| {
        row.push_bind(c.service.clone())
            .push_bind(c.program.clone())
            .push_bind(c.household_no.clone())
            .push_bind(c.owner.to_string())
            .push_bind(c.community.to_string())
            .push_bind(c.accepted_at.to_string())
            .push_bind(c.status.as_str().to_string())
            .push_bind(waiting_for.clone())
            .push_bind(c.active_key())
            .push_bind(c.step_due)
            .push_bind(c.due)
            .push_bind(c.version)
            .push_bind(body)
            .push_bind(now);
    });
    Ok(qb)
}

pub(crate) fn case_by_id<DB>(id: i64) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = "));
    qb.push_bind(id);
    qb
}

/// Cases as a query asks: newest first, keyset on the id.
pub(crate) fn search_cases<DB>(q: &CaseQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE 1 = 1"));
    push_filters(&mut qb, q);
    if let Some(b) = q.before {
        qb.push(" AND id < ").push_bind(b);
    }
    crate::push_page(
        &mut qb,
        &q.paging,
        &[
            ("service", "service"),
            ("program", "program"),
            ("household", "household_no"),
            ("community", "community"),
            // Cases are numbered as they are accepted (the column of that name is the community).
            ("accepted_at", "id"),
            ("status", "status"),
            ("step_due", "step_due"),
            ("due", "due"),
        ],
        q.limit,
    );
    qb
}

/// How many cases a query matches (its cursor and limit aside).
pub(crate) fn count_cases<DB>(q: &CaseQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM cases WHERE 1 = 1");
    push_filters(&mut qb, q);
    qb
}

fn push_filters<DB>(qb: &mut QueryBuilder<DB>, q: &CaseQuery)
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
{
    if let Some(role) = &q.waiting_for {
        qb.push(" AND waiting_for = ").push_bind(role.clone());
    } else if q.open_only {
        qb.push(" AND waiting_for IS NOT NULL");
    }
    // A region at the column's own level is an equality (the index then yields ids in order);
    // a wider one a prefix range.
    for (col, region, digits) in [("community", &q.community, 12), ("owner", &q.owner, 6)] {
        match region {
            Some(r) if r.as_str().len() == digits => {
                qb.push(format!(" AND {col} = ")).push_bind(r.to_string());
            }
            // The whole city (or province): nearly every case matches, so the cases are read in
            // id order and filtered (an index range would sort them all for one page).
            Some(r) if r.as_str().len() <= 4 => {
                qb.push(format!(" AND substr({col}, 1, {}) = ", r.as_str().len())).push_bind(r.to_string());
            }
            Some(r) => {
                let (lo, hi) = prefix_range(r.as_str());
                qb.push(format!(" AND {col} >= ")).push_bind(lo).push(format!(" AND {col} < ")).push_bind(hi);
            }
            None => {}
        }
    }
    if let Some(a) = &q.accepted_at {
        qb.push(" AND accepted_at = ").push_bind(a.to_string());
    }
    if let Some(h) = &q.household_no {
        qb.push(" AND household_no = ").push_bind(h.clone());
    }
    if let Some(s) = q.status {
        // Written out (a code of the enum, not user text) so that the partial index of the notice list applies.
        qb.push(format!(" AND status = '{}'", s.as_str()));
    }
    if let Some(d) = q.due_by {
        qb.push(" AND waiting_for IS NOT NULL AND step_due <= ").push_bind(d);
    }
}

pub(crate) fn case_from_row<'r, R>(row: &'r R) -> Result<Case>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let body: String = row.try_get("body")?;
    let mut c: Case = serde_json::from_str(&body).map_err(|_| corrupt("case", &body))?;
    c.id = row.try_get("id")?;
    c.version = row.try_get("version")?;
    let status: String = row.try_get("status")?;
    c.status = CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
    Ok(c)
}

pub(crate) fn paginate_cases(mut items: Vec<Case>, limit: u32) -> crate::Page<Case> {
    let limit = page_limit(limit) as usize;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|c| c.id.to_string()).unwrap_or_default()
    });
    crate::Page { items, next }
}

pub(crate) fn insert_event<DB>(e: &CaseEvent) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb =
        QueryBuilder::<DB>::new("INSERT INTO case_events (case_id, action, from_status, to_status, comment, actor, role, at) VALUES (");
    let mut sep = qb.separated(", ");
    sep.push_bind(e.case_id)
        .push_bind(e.action.clone())
        .push_bind(e.from.clone())
        .push_bind(e.to.as_str().to_string())
        .push_bind(e.comment.clone())
        .push_bind(e.actor.clone())
        .push_bind(e.role.clone())
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
        "SELECT case_id, action, from_status, to_status, comment, actor, role, at FROM case_events WHERE case_id = ",
    );
    qb.push_bind(id).push(" ORDER BY id");
    qb
}

pub(crate) fn event_from_row<'r, R>(row: &'r R) -> Result<CaseEvent>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let to: String = row.try_get("to_status")?;
    Ok(CaseEvent {
        case_id: row.try_get("case_id")?,
        action: row.try_get("action")?,
        from: row.try_get("from_status")?,
        to: CaseStatus::parse(&to).ok_or_else(|| corrupt("to_status", &to))?,
        comment: row.try_get("comment")?,
        actor: row.try_get("actor")?,
        role: row.try_get("role")?,
        at: row.try_get("at")?,
    })
}

/// The audit record of a step (accepting is the first).
pub(crate) fn case_audit(c: &Case, e: &CaseEvent) -> AuditEntry {
    AuditEntry {
        action: format!("case_{}", e.action),
        entity: "case".into(),
        entity_key: c.id.to_string(),
        before: Some(serde_json::json!({ "status": e.from })),
        after: Some(
            serde_json::json!({ "status": c.status.as_str(), "version": c.version, "household_no": c.household_no, "service": c.service, "comment": e.comment }),
        ),
    }
}

pub(crate) fn cases_import_audit(source: &str, count: usize) -> AuditEntry {
    AuditEntry {
        action: "import_cases".into(),
        entity: "case".into(),
        entity_key: source.to_string(),
        before: None,
        after: Some(serde_json::json!({ "cases": count })),
    }
}

/// The members of the program's current enrolment of a household (`FOR UPDATE` on PostgreSQL
/// locks the enrolment row until the step commits).
pub(crate) fn current_members<DB>(program: &str, household_no: &str, lock: bool) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT m.id_number FROM enrolments e JOIN enrolment_members m ON m.enrolment_id = e.id WHERE e.program = ",
    );
    qb.push_bind(program.to_string())
        .push(" AND e.household_no = ")
        .push_bind(household_no.to_string())
        .push(" AND e.status <> 'stopped' ORDER BY m.id_number");
    if lock {
        qb.push(" FOR UPDATE OF e");
    }
    qb
}

/// Whether the members found are the ones the step saw.
pub(crate) fn same_members(found: &[String], seen: &[minzheng_domain::IdNumber]) -> bool {
    let mut seen: Vec<String> = seen.iter().map(|i| i.to_string()).collect();
    seen.sort();
    found == seen.as_slice()
}

// ---- documents ----

pub(crate) fn insert_document<DB>(d: &CaseDocument) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO case_documents (case_id, code, file_name, content_type, size, sha256, uploaded_by, at) VALUES (",
    );
    let mut sep = qb.separated(", ");
    sep.push_bind(d.case_id)
        .push_bind(d.code.clone())
        .push_bind(d.file_name.clone())
        .push_bind(d.content_type.clone())
        .push_bind(d.size)
        .push_bind(d.sha256.clone())
        .push_bind(d.uploaded_by.clone())
        .push_bind(d.at);
    qb.push(") RETURNING id");
    qb
}

pub(crate) fn documents<DB>(case_id: Option<i64>, id: Option<i64>) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT id, case_id, code, file_name, content_type, size, sha256, uploaded_by, at FROM case_documents WHERE 1 = 1",
    );
    if let Some(c) = case_id {
        qb.push(" AND case_id = ").push_bind(c);
    }
    if let Some(i) = id {
        qb.push(" AND id = ").push_bind(i);
    }
    qb.push(" ORDER BY id");
    qb
}

pub(crate) fn document_from_row<'r, R>(row: &'r R) -> Result<CaseDocument>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(CaseDocument {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        code: row.try_get("code")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        at: row.try_get("at")?,
    })
}

pub(crate) fn document_audit(id: i64, d: &CaseDocument) -> AuditEntry {
    AuditEntry {
        action: "upload_document".into(),
        entity: "case".into(),
        entity_key: d.case_id.to_string(),
        before: None,
        after: Some(
            serde_json::json!({ "document": id, "code": d.code, "file_name": d.file_name, "content_type": d.content_type, "size": d.size, "sha256": d.sha256 }),
        ),
    }
}

// ---- the working-day calendar ----

pub(crate) fn upsert_days<DB>(days: &[CalendarDay], by: &str, now: DateTime<Utc>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    DateTime<Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO calendar_days (day, kind, note, recorded_by, recorded_at) ");
    qb.push_values(days, |mut row, d| {
        row.push_bind(d.day).push_bind(d.kind.as_str().to_string()).push_bind(d.note.clone()).push_bind(by.to_string()).push_bind(now);
    });
    qb.push(" ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at");
    qb
}

pub(crate) fn day_from_row<'r, R>(row: &'r R) -> Result<CalendarDay>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
{
    let kind: String = row.try_get("kind")?;
    Ok(CalendarDay {
        day: row.try_get("day")?,
        kind: DayKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        note: row.try_get("note")?,
    })
}

pub(crate) fn calendar_audit(days: &[CalendarDay]) -> AuditEntry {
    AuditEntry {
        action: "set_calendar".into(),
        entity: "calendar".into(),
        entity_key: days.first().map(|d| d.day.to_string()).unwrap_or_default(),
        before: None,
        after: Some(serde_json::json!({ "days": days.len(), "first": days.first().map(|d| d.day), "last": days.last().map(|d| d.day) })),
    }
}
