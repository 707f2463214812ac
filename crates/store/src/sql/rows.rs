//! Row ↔ domain conversions and batch diffing shared by both backends, so that each backend
//! only says how to talk to its database.

use crate::{AuditEntry, Result, StoreError};
use chrono::NaiveDate;
use minzheng_domain::registry::parse_household_no;
use minzheng_domain::{
    Disability, DisabilityCategory, Household, HouseholdKind, IdNumber, Person, PersonStatus, Region, RegionCode, RegionLevel, Relation,
    Sex,
};
use sqlx::{ColumnIndex, Decode, Row, Type};
use std::collections::HashMap;

pub(crate) const PERSON_COLUMNS: &str = "id_number, name, sex, birth_date, hukou_region, \
    household_no, community_code, relation, status, status_date, disability_category, \
    disability_grade, phone, tags";

pub(crate) const HOUSEHOLD_COLUMNS: &str = "household_no, head_id_number, address, community_code, grid_name, building_name, kind";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// Reads a column that both backends decode the same way.
fn get<'r, R, T>(row: &'r R, col: &str) -> Result<T>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(row.try_get::<T, _>(col)?)
}

/// A row of [`crate::sql::person_placed`]: the person (read with [`person_from_row`]) and their
/// household's community.
pub(crate) fn placed_person<'r, R>(row: &'r R, person: Person) -> Result<(Person, Option<RegionCode>)>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    let placed: Option<String> = get(row, "placed")?;
    let placed = placed.map(|c| RegionCode::parse(&c).map_err(|_| corrupt("community_code", &c))).transpose()?;
    Ok((person, placed))
}

pub(crate) fn person_from_row<'r, R>(row: &'r R) -> Result<Person>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    Option<NaiveDate>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i32>: Decode<'r, R::Database> + Type<R::Database>,
{
    let id: String = get(row, "id_number")?;
    let sex: String = get(row, "sex")?;
    let hukou: String = get(row, "hukou_region")?;
    let relation: String = get(row, "relation")?;
    let status: String = get(row, "status")?;
    let status_date: Option<NaiveDate> = get(row, "status_date")?;
    let category: Option<String> = get(row, "disability_category")?;
    let grade: Option<i32> = get(row, "disability_grade")?;
    let tags: String = get(row, "tags")?;
    let disability = match (category, grade) {
        (Some(c), Some(g)) => Some(Disability {
            category: DisabilityCategory::parse(&c).ok_or_else(|| corrupt("disability", &c))?,
            grade: u8::try_from(g).map_err(|_| corrupt("grade", &g.to_string()))?,
        }),
        _ => None,
    };
    Ok(Person {
        id_number: IdNumber::parse(&id).map_err(|_| corrupt("id_number", &id))?,
        name: get(row, "name")?,
        sex: Sex::parse(&sex).ok_or_else(|| corrupt("sex", &sex))?,
        birth_date: get(row, "birth_date")?,
        hukou_region: RegionCode::parse(&hukou).map_err(|_| corrupt("hukou_region", &hukou))?,
        household_no: get(row, "household_no")?,
        relation: Relation::parse(&relation).ok_or_else(|| corrupt("relation", &relation))?,
        status: PersonStatus::parse(&status, status_date).ok_or_else(|| corrupt("status", &status))?,
        disability,
        phone: get(row, "phone")?,
        tags: split_tags(&tags),
    })
}

pub(crate) fn household_from_row<'r, R>(row: &'r R) -> Result<Household>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    let no: String = get(row, "household_no")?;
    let head: Option<String> = get(row, "head_id_number")?;
    let community: String = get(row, "community_code")?;
    let kind: String = get(row, "kind")?;
    Ok(Household {
        household_no: parse_household_no(&no).ok_or_else(|| corrupt("household_no", &no))?,
        head: match head {
            Some(h) => Some(IdNumber::parse(&h).map_err(|_| corrupt("head_id_number", &h))?),
            None => None,
        },
        address: get(row, "address")?,
        community: RegionCode::parse(&community).map_err(|_| corrupt("community", &community))?,
        grid: get(row, "grid_name")?,
        building: get(row, "building_name")?,
        kind: HouseholdKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
    })
}

pub(crate) fn region_from_row<'r, R>(row: &'r R) -> Result<Region>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    let code: String = get(row, "code")?;
    let level: String = get(row, "level")?;
    let parent: Option<String> = get(row, "parent_code")?;
    Ok(Region {
        code: RegionCode::parse(&code).map_err(|_| corrupt("region code", &code))?,
        name: get(row, "name")?,
        level: RegionLevel::parse(&level).ok_or_else(|| corrupt("level", &level))?,
        parent: match parent {
            Some(p) if !p.is_empty() => Some(RegionCode::parse(&p).map_err(|_| corrupt("parent", &p))?),
            _ => None,
        },
    })
}

/// Tags are kept in a column as `a,b,c` (for reading) and in `person_tags` (for searching).
pub(crate) fn join_tags(tags: &[String]) -> String {
    minzheng_domain::registry::tags_text(tags)
}

fn split_tags(s: &str) -> Vec<String> {
    minzheng_domain::registry::tags_of(s).map(str::to_string).collect()
}

/// The columns of one person, in the order of [`PERSON_COLUMNS`].
pub(crate) struct PersonValues {
    pub id_number: String,
    pub name: String,
    pub sex: &'static str,
    pub birth_date: NaiveDate,
    pub hukou_region: String,
    pub household_no: Option<String>,
    pub community_code: Option<String>,
    pub relation: &'static str,
    pub status: &'static str,
    pub status_date: Option<NaiveDate>,
    pub disability_category: Option<&'static str>,
    pub disability_grade: Option<i32>,
    pub phone: Option<String>,
    pub tags: String,
}

impl PersonValues {
    pub(crate) fn of(p: &Person, community: Option<&RegionCode>) -> PersonValues {
        PersonValues {
            id_number: p.id_number.to_string(),
            name: p.name.clone(),
            sex: p.sex.as_str(),
            birth_date: p.birth_date,
            hukou_region: p.hukou_region.to_string(),
            household_no: p.household_no.clone(),
            community_code: community.map(|c| c.to_string()),
            relation: p.relation.as_str(),
            status: p.status.code(),
            status_date: p.status.date(),
            disability_category: p.disability.map(|d| d.category.as_str()),
            disability_grade: p.disability.map(|d| i32::from(d.grade)),
            phone: p.phone.clone(),
            tags: join_tags(&p.tags),
        }
    }
}

/// What to write for one chunk of a batch, after comparing it with what is stored.
pub(crate) struct Diff<'a, T> {
    pub write: Vec<&'a T>,
    pub audit: Vec<AuditEntry>,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Keys of the rows that existed and changed.
    pub updated_keys: Vec<String>,
}

/// Compares new rows with the stored ones (by key): new rows are inserted, changed rows are
/// updated with an audit record holding before and after, identical rows are left alone.
pub(crate) fn diff<'a, T, K>(entity: &str, new: &[&'a T], existing: Vec<T>, key: impl Fn(&T) -> K) -> Diff<'a, T>
where
    T: PartialEq + serde::Serialize,
    K: std::hash::Hash + Eq + ToString,
{
    let mut old: HashMap<K, T> = existing.into_iter().map(|t| (key(&t), t)).collect();
    let mut d =
        Diff { write: Vec::with_capacity(new.len()), audit: Vec::new(), inserted: 0, updated: 0, unchanged: 0, updated_keys: Vec::new() };
    for &row in new {
        let k = key(row);
        match old.remove(&k) {
            None => {
                d.inserted += 1;
                d.write.push(row);
            }
            Some(before) if before == *row => d.unchanged += 1,
            Some(before) => {
                d.updated += 1;
                d.updated_keys.push(k.to_string());
                d.audit.push(AuditEntry {
                    action: "update".into(),
                    entity: entity.into(),
                    entity_key: k.to_string(),
                    before: Some(crate::audit_value(&before)),
                    after: Some(crate::audit_value(row)),
                });
                d.write.push(row);
            }
        }
    }
    d
}

pub(crate) fn account_from_row<'r, R>(row: &'r R) -> Result<crate::Account>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i32: Decode<'r, R::Database> + Type<R::Database>,
    Option<chrono::DateTime<chrono::Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    let region: String = get(row, "region_code")?;
    Ok(crate::Account {
        name: get(row, "name")?,
        password_hash: get(row, "password_hash")?,
        role: get(row, "role")?,
        region: RegionCode::parse(&region).map_err(|_| corrupt("region_code", &region))?,
        failed_logins: get(row, "failed_logins")?,
        locked_until: get(row, "locked_until")?,
    })
}

pub(crate) fn session_from_row<'r, R>(row: &'r R) -> Result<crate::Session>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    chrono::DateTime<chrono::Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(crate::Session {
        token_hash: get(row, "token_hash")?,
        user_name: get(row, "user_name")?,
        csrf_token: get(row, "csrf_token")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn parameter_from_row<'r, R>(row: &'r R) -> Result<minzheng_domain::parameter::ParameterRecord>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    chrono::DateTime<chrono::Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let area: String = get(row, "area")?;
    Ok(minzheng_domain::parameter::ParameterRecord {
        name: get(row, "name")?,
        region: get(row, "region")?,
        area: match area.as_str() {
            "" => None,
            a => Some(HouseholdKind::parse(a).ok_or_else(|| corrupt("area", a))?),
        },
        effective_from: get(row, "effective_from")?,
        value: get(row, "value")?,
        reason: get(row, "reason")?,
        recorded_by: get(row, "recorded_by")?,
        recorded_at: get(row, "recorded_at")?,
        seq: get(row, "seq")?,
    })
}

pub(crate) fn economic_batch_from_row<'r, R>(row: &'r R) -> Result<crate::EconomicBatch>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    chrono::DateTime<chrono::Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(crate::EconomicBatch {
        checksum: get(row, "checksum")?,
        source: get(row, "source")?,
        file_name: get(row, "file_name")?,
        as_of: get(row, "as_of")?,
        items: get(row, "items")?,
        recorded_by: get(row, "recorded_by")?,
        recorded_at: get(row, "recorded_at")?,
        months: get::<_, String>(row, "months")?.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect(),
    })
}

/// (id, item, batch checksum).
pub(crate) fn economic_item_from_row<'r, R>(row: &'r R) -> Result<(i64, crate::EconomicItem, String)>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let id: String = get(row, "id_number")?;
    let kind: String = get(row, "kind")?;
    Ok((
        get(row, "id")?,
        crate::EconomicItem {
            id_number: IdNumber::parse(&id).map_err(|_| corrupt("id_number", &id))?,
            kind: minzheng_domain::economy::ItemKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            amount: get(row, "amount")?,
            source: get(row, "source")?,
        },
        get(row, "batch")?,
    ))
}

pub(crate) fn policy_run_from_row<'r, R>(row: &'r R) -> Result<crate::PolicyRun>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    chrono::DateTime<chrono::Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let summary: String = get(row, "summary")?;
    Ok(crate::PolicyRun {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        region: get(row, "region")?,
        on: get(row, "on_date")?,
        summary: serde_json::from_str(&summary).map_err(|_| corrupt("summary", &summary))?,
        created_by: get(row, "created_by")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn run_unit_from_row<'r, R>(row: &'r R) -> Result<crate::RunUnit>
where
    R: Row,
    for<'a> &'a str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(crate::RunUnit {
        program: get(row, "program")?,
        unit_key: get(row, "unit_key")?,
        county: get(row, "county")?,
        amount: get(row, "amount")?,
    })
}
