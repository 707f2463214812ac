//! Query builders shared by both backends: the SQL text is the same, only the placeholders
//! differ, and `QueryBuilder` writes those for each database.

pub(crate) mod cases;
pub(crate) mod rows;
pub(crate) mod verification;

use crate::sql::rows::{HOUSEHOLD_COLUMNS, PERSON_COLUMNS};
use crate::{page_limit, prefix_range, text_prefix_range, HouseholdQuery, PersonQuery};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Appends `(k1, k2, ...)`, each key bound.
pub(crate) fn push_in<DB, K>(qb: &mut QueryBuilder<DB>, keys: impl IntoIterator<Item = K>)
where
    DB: Database,
    K: for<'a> Encode<'a, DB> + Type<DB>,
{
    qb.push("(");
    let mut sep = qb.separated(", ");
    for k in keys {
        sep.push_bind(k);
    }
    qb.push(")");
}

/// `SELECT <columns> FROM <table> WHERE <key> IN (...)`.
pub(crate) fn select_in<DB, K>(columns: &str, table: &str, key: &str, keys: impl IntoIterator<Item = K>) -> QueryBuilder<DB>
where
    DB: Database,
    K: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {columns} FROM {table} WHERE {key} IN "));
    push_in(&mut qb, keys);
    qb
}

pub(crate) fn persons_in<DB>(ids: impl IntoIterator<Item = String>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_in(PERSON_COLUMNS, "persons", "id_number", ids)
}

pub(crate) fn households_in<DB>(nos: impl IntoIterator<Item = String>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_in(HOUSEHOLD_COLUMNS, "households", "household_no", nos)
}

/// Keyset-paginated person search; fetches one row more than the limit.
pub(crate) fn search_persons<DB>(q: &PersonQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + Type<DB>,
{
    let by_name = q.name.is_some();
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {PERSON_COLUMNS} FROM persons p WHERE 1 = 1"));
    filter_persons(&mut qb, q);
    if let Some(after) = &q.after {
        if by_name {
            let (name, id) = after.split_once('|').unwrap_or(("", after.as_str()));
            qb.push(" AND (name, id_number) > (").push_bind(name.to_string()).push(", ").push_bind(id.to_string()).push(")");
        } else {
            qb.push(" AND id_number > ").push_bind(after.clone());
        }
    }
    qb.push(if by_name { " ORDER BY name, id_number" } else { " ORDER BY id_number" });
    qb.push(" LIMIT ").push_bind(i64::from(page_limit(q.limit)) + 1);
    qb
}

/// How many persons a search's filters hold (its cursor and limit aside).
pub(crate) fn count_persons<DB>(q: &PersonQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("SELECT COUNT(*) AS n FROM persons p WHERE 1 = 1");
    filter_persons(&mut qb, q);
    qb
}

fn filter_persons<DB>(qb: &mut QueryBuilder<DB>, q: &PersonQuery)
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    if let Some(region) = &q.region {
        let (lo, hi) = prefix_range(region.as_str());
        qb.push(" AND community_code >= ").push_bind(lo).push(" AND community_code < ").push_bind(hi);
    }
    if let Some(name) = &q.name {
        let (lo, hi) = text_prefix_range(name);
        qb.push(" AND name >= ").push_bind(lo).push(" AND name < ").push_bind(hi);
    }
    if let Some(tag) = &q.tag {
        qb.push(" AND EXISTS (SELECT 1 FROM person_tags t WHERE t.id_number = p.id_number AND t.tag = ").push_bind(tag.clone()).push(")");
    }
}

/// Keyset-paginated household listing; fetches one row more than the limit.
pub(crate) fn search_households<DB>(q: &HouseholdQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE 1 = 1"));
    if let Some(region) = &q.region {
        let (lo, hi) = prefix_range(region.as_str());
        qb.push(" AND community_code >= ").push_bind(lo).push(" AND community_code < ").push_bind(hi);
    }
    if let Some(after) = &q.after {
        qb.push(" AND household_no > ").push_bind(after.clone());
    }
    qb.push(" ORDER BY household_no LIMIT ").push_bind(i64::from(page_limit(q.limit)) + 1);
    qb
}

/// Persons in ID number order after a number (the primary key's range).
pub(crate) fn scan_persons<DB>(after: Option<&minzheng_domain::IdNumber>, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {PERSON_COLUMNS} FROM persons"));
    if let Some(after) = after {
        qb.push(" WHERE id_number > ").push_bind(after.to_string());
    }
    qb.push(" ORDER BY id_number LIMIT ").push_bind(i64::from(limit.clamp(1, 100_000)));
    qb
}

/// `SELECT household_no, community_code FROM households WHERE household_no IN (...)`.
pub(crate) fn household_communities<DB>(nos: impl IntoIterator<Item = String>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_in("household_no, community_code", "households", "household_no", nos)
}

/// The statement counting everything, for `Store::counts`.
pub(crate) const COUNTS: &str = "SELECT (SELECT count(*) FROM regions), (SELECT count(*) FROM households), \
     (SELECT count(*) FROM persons), (SELECT count(*) FROM grids), \
     (SELECT count(*) FROM buildings), (SELECT count(*) FROM audit_log)";

const REGION_COLUMNS: &str = "code, level, name, parent_code";

/// `... WHERE <key> = <value>` on one table, with an optional order.
fn select_where<DB>(columns: &str, table: &str, key: &str, value: &str, order: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {columns} FROM {table} WHERE {key} = "));
    qb.push_bind(value.to_string());
    qb.push(order);
    qb
}

pub(crate) fn region<DB>(code: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where(REGION_COLUMNS, "regions", "code", code, "")
}

pub(crate) fn region_children<DB>(code: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where(REGION_COLUMNS, "regions", "parent_code", code, " ORDER BY code")
}

/// Divisions at `level` whose code starts with `within`.
pub(crate) fn regions_within<DB>(within: &str, level: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let (lo, hi) = prefix_range(within);
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {REGION_COLUMNS} FROM regions WHERE code >= "));
    qb.push_bind(lo).push(" AND code < ").push_bind(hi).push(" AND level = ").push_bind(level.to_string());
    qb.push(" ORDER BY code");
    qb
}

pub(crate) fn person<DB>(id: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where(PERSON_COLUMNS, "persons", "id_number", id, "")
}

/// A person with the community of the household they live in, as `placed` (one read for an
/// access check; the household's row decides, not the copy kept on the person).
pub(crate) fn person_placed<DB>(id: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let columns = format!("{PERSON_COLUMNS}, (SELECT h.community_code FROM households h WHERE h.household_no = p.household_no) AS placed");
    select_where(&columns, "persons p", "p.id_number", id, "")
}

/// Sets the members' copy of the community to their household's, for the households named.
pub(crate) fn follow_households<DB>(nos: impl IntoIterator<Item = String>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "UPDATE persons SET community_code = (SELECT h.community_code FROM households h WHERE h.household_no = persons.household_no) \
         WHERE household_no IN ",
    );
    push_in(&mut qb, nos);
    qb
}

pub(crate) fn household<DB>(no: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where(HOUSEHOLD_COLUMNS, "households", "household_no", no, "")
}

/// Members of a household, the head first, then by age.
pub(crate) fn household_members<DB>(no: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where(PERSON_COLUMNS, "persons", "household_no", no, " ORDER BY relation <> 'head', birth_date, id_number")
}

pub(crate) fn grids<DB>(community: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    select_where("name", "grids", "community_code", community, " ORDER BY name")
}

// ---- accounts and sessions ----

pub(crate) const ACCOUNT_COLUMNS: &str = "name, password_hash, role, region_code, failed_logins, locked_until";
pub(crate) const SESSION_COLUMNS: &str = "token_hash, user_name, csrf_token, created_at, expires_at";

pub(crate) fn insert_account<DB>(a: &crate::Account, now: chrono::DateTime<chrono::Utc>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i32: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("INSERT INTO users ({ACCOUNT_COLUMNS}, created_at) VALUES ("));
    let mut sep = qb.separated(", ");
    sep.push_bind(a.name.clone())
        .push_bind(a.password_hash.clone())
        .push_bind(a.role.clone())
        .push_bind(a.region.to_string())
        .push_bind(a.failed_logins);
    match a.locked_until {
        Some(t) => sep.push_bind(t),
        None => sep.push("NULL"),
    };
    sep.push_bind(now);
    qb.push(")");
    qb
}

pub(crate) fn account<DB>(name: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    select_where(ACCOUNT_COLUMNS, "users", "name", name, "")
}

/// An account read to be changed in the same transaction (its row locked where rows lock).
pub(crate) fn account_for_update<DB>(name: &str, lock: bool) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    select_where(ACCOUNT_COLUMNS, "users", "name", name, if lock { " FOR UPDATE" } else { "" })
}

pub(crate) fn clear_login_failures<DB>(name: &str, claimed: i32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i32: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ");
    qb.push_bind(name.to_string()).push(" AND failed_logins <= ").push_bind(claimed);
    qb
}

pub(crate) fn set_login_state<DB>(name: &str, failed: i32, locked_until: Option<chrono::DateTime<chrono::Utc>>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i32: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE users SET failed_logins = ");
    qb.push_bind(failed).push(", locked_until = ");
    match locked_until {
        Some(t) => qb.push_bind(t),
        None => qb.push("NULL"),
    };
    qb.push(" WHERE name = ").push_bind(name.to_string());
    qb
}

pub(crate) fn set_password<DB>(name: &str, hash: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("UPDATE users SET password_hash = ");
    qb.push_bind(hash.to_string()).push(", failed_logins = 0, locked_until = NULL WHERE name = ").push_bind(name.to_string());
    qb
}

pub(crate) fn insert_session<DB>(s: &crate::Session) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ("));
    let mut sep = qb.separated(", ");
    sep.push_bind(s.token_hash.clone())
        .push_bind(s.user_name.clone())
        .push_bind(s.csrf_token.clone())
        .push_bind(s.created_at)
        .push_bind(s.expires_at);
    qb.push(")");
    qb
}

pub(crate) fn session<DB>(token_hash: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    select_where(SESSION_COLUMNS, "sessions", "token_hash", token_hash, "")
}

pub(crate) fn delete_sessions<DB>(column: &str, value: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("DELETE FROM sessions WHERE {column} = "));
    qb.push_bind(value.to_string());
    qb
}

/// The audit search; fetches one row more than the limit.
pub(crate) fn audit_search<DB>(q: &crate::AuditQuery) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'a> Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {} FROM audit_log WHERE 1 = 1", crate::AUDIT_COLUMNS));
    for (column, value) in [("actor", &q.actor), ("entity", &q.entity), ("entity_key", &q.entity_key), ("action", &q.action)] {
        match value.as_deref().map(|v| v.split(',').map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>()) {
            // Operations and objects may be given as several codes (`update,change`): any of them.
            Some(codes) if codes.len() > 1 && column != "entity_key" && column != "actor" => {
                qb.push(format!(" AND {column} IN ("));
                let mut sep = qb.separated(", ");
                for c in codes {
                    sep.push_bind(c.to_string());
                }
                sep.push_unseparated(")");
            }
            _ => {
                if let Some(v) = value {
                    qb.push(format!(" AND {column} = ")).push_bind(v.clone());
                }
            }
        }
    }
    if let Some(region) = &q.region {
        let (lo, hi) = prefix_range(region.as_str());
        qb.push(" AND ((region >= ").push_bind(lo).push(" AND region < ").push_bind(hi).push(")");
        if q.include_unbound {
            qb.push(" OR region IS NULL");
        }
        qb.push(")");
    }
    if let Some(from) = q.from {
        qb.push(" AND at >= ").push_bind(from);
    }
    if let Some(until) = q.until {
        qb.push(" AND at < ").push_bind(until);
    }
    if let Some(before) = q.before {
        qb.push(" AND id < ").push_bind(before);
    }
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page_limit(q.limit)) + 1);
    qb
}

pub(crate) fn count_persons_by<DB>(within: &str, digits: usize) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'a> Encode<'a, DB> + Type<DB>,
{
    let (lo, hi) = prefix_range(within);
    // `digits` comes from a region level (2 to 12), never from input.
    let digits = digits.clamp(2, 12);
    let mut qb = QueryBuilder::<DB>::new(format!(
        "SELECT substr(community_code, 1, {digits}) AS c, count(*) AS n FROM persons WHERE community_code >= "
    ));
    qb.push_bind(lo).push(" AND community_code < ").push_bind(hi);
    qb.push(format!(" GROUP BY substr(community_code, 1, {digits}) ORDER BY c"));
    qb
}

// ---- policy parameters ----

pub(crate) const PARAMETER_COLUMNS: &str = "seq, name, region, area, effective_from, value, reason, recorded_by, recorded_at";

pub(crate) fn insert_parameter<DB>(
    r: &minzheng_domain::parameter::ParameterRecord,
    by: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(
        "INSERT INTO policy_parameters (name, region, area, effective_from, value, reason, recorded_by, recorded_at) VALUES (",
    );
    let mut sep = qb.separated(", ");
    sep.push_bind(r.name.clone())
        .push_bind(r.region.clone())
        .push_bind(r.area.map(|a| a.as_str().to_string()).unwrap_or_default())
        .push_bind(r.effective_from)
        .push_bind(r.value)
        .push_bind(r.reason.clone())
        .push_bind(by.to_string())
        .push_bind(now);
    qb.push(") RETURNING seq");
    qb
}

pub(crate) fn parameters<DB: Database>() -> QueryBuilder<DB> {
    QueryBuilder::<DB>::new(format!("SELECT {PARAMETER_COLUMNS} FROM policy_parameters ORDER BY seq"))
}

// ---- departmental economic data ----

pub(crate) const BATCH_COLUMNS: &str = "checksum, source, file_name, as_of, items, recorded_by, recorded_at, months";
pub(crate) const ITEM_COLUMNS: &str = "id, id_number, kind, amount, source, batch";

pub(crate) fn insert_economic_batch<DB>(b: &crate::EconomicBatch) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("INSERT INTO economic_batches ({BATCH_COLUMNS}) VALUES ("));
    let mut sep = qb.separated(", ");
    sep.push_bind(b.checksum.clone())
        .push_bind(b.source.clone())
        .push_bind(b.file_name.clone())
        .push_bind(b.as_of)
        .push_bind(b.items)
        .push_bind(b.recorded_by.clone())
        .push_bind(b.recorded_at)
        .push_bind(b.months.join(","));
    qb.push(") ON CONFLICT (checksum) DO NOTHING");
    qb
}

/// A multi-row insert of items (at most a few thousand per statement).
pub(crate) fn insert_economic_items<DB>(items: &[crate::EconomicItem], batch: &str) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO economic_items (id_number, kind, amount, source, batch) ");
    qb.push_values(items, |mut row, item| {
        row.push_bind(item.id_number.to_string())
            .push_bind(item.kind.as_str().to_string())
            .push_bind(item.amount)
            .push_bind(item.source.clone())
            .push_bind(batch.to_string());
    });
    qb
}

pub(crate) fn economic_batches<DB: Database>() -> QueryBuilder<DB> {
    QueryBuilder::<DB>::new(format!("SELECT {BATCH_COLUMNS} FROM economic_batches ORDER BY as_of, recorded_at"))
}

pub(crate) fn scan_economic_items<DB>(after: i64, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {ITEM_COLUMNS} FROM economic_items WHERE id > "));
    qb.push_bind(after).push(" ORDER BY id LIMIT ").push_bind(i64::from(limit.max(1)));
    qb
}

// ---- policy runs ----

pub(crate) const RUN_COLUMNS: &str = "id, kind, region, on_date, summary, created_by, created_at";

pub(crate) fn insert_policy_run<DB>(r: &crate::PolicyRun, by: &str, now: chrono::DateTime<chrono::Utc>) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::NaiveDate: for<'x> Encode<'x, DB> + Type<DB>,
    chrono::DateTime<chrono::Utc>: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO policy_runs (kind, region, on_date, summary, created_by, created_at) VALUES (");
    let mut sep = qb.separated(", ");
    sep.push_bind(r.kind.clone())
        .push_bind(r.region.clone())
        .push_bind(r.on)
        .push_bind(r.summary.to_string())
        .push_bind(by.to_string())
        .push_bind(now);
    qb.push(") RETURNING id");
    qb
}

pub(crate) fn insert_run_units<DB>(run: i64, units: &[crate::RunUnit]) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("INSERT INTO policy_run_units (run_id, program, unit_key, county, amount) ");
    qb.push_values(units, |mut row, u| {
        row.push_bind(run).push_bind(u.program.clone()).push_bind(u.unit_key.clone()).push_bind(u.county.clone()).push_bind(u.amount);
    });
    qb
}

pub(crate) fn policy_run<DB>(id: Option<i64>, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new(format!("SELECT {RUN_COLUMNS} FROM policy_runs"));
    if let Some(id) = id {
        qb.push(" WHERE id = ").push_bind(id);
    }
    qb.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page_limit(limit)));
    qb
}

pub(crate) fn policy_run_units<DB>(id: i64, program: &str, after: Option<&str>, limit: u32) -> QueryBuilder<DB>
where
    DB: Database,
    String: for<'x> Encode<'x, DB> + Type<DB>,
    i64: for<'x> Encode<'x, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::<DB>::new("SELECT program, unit_key, county, amount FROM policy_run_units WHERE run_id = ");
    qb.push_bind(id).push(" AND program = ").push_bind(program.to_string());
    if let Some(a) = after {
        qb.push(" AND unit_key > ").push_bind(a.to_string());
    }
    qb.push(" ORDER BY unit_key LIMIT ").push_bind(i64::from(page_limit(limit)));
    qb
}
