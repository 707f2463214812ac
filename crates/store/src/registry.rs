//! 人口、户: the registry of households and residents, read one by one, by page, or in bulk.

use crate::{Actor, AuditEntry, Page, Result, SnapshotCounts, SnapshotSink};
use async_trait::async_trait;
use minzheng_domain::{Household, IdNumber, Person, RegionCode};
use serde::Serialize;

/// How persons are searched. All filters combine; results are ordered by ID number (or by
/// name then ID number when searching by name) and paginated by `after`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    /// Only residents of households in this region (any level: city, county, street, community).
    pub region: Option<RegionCode>,
    /// Names starting with this text.
    pub name: Option<String>,
    /// Persons carrying this tag.
    pub tag: Option<String>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

/// How households are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdQuery {
    pub region: Option<RegionCode>,
    pub after: Option<String>,
    pub limit: u32,
}

/// Numbers of things stored, for status pages and checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub regions: u64,
    pub households: u64,
    pub persons: u64,
    pub grids: u64,
    pub buildings: u64,
    pub audit_records: u64,
}

/// A batch of registry rows to upsert together (one import): all stored or none.
#[derive(Debug, Clone, Default)]
pub struct RegistryBatch {
    pub households: Vec<Household>,
    pub persons: Vec<Person>,
    /// What the batch came from (file name), for the audit record.
    pub source: String,
    /// SHA-256 of the source file.
    pub checksum: String,
}

/// What a batch changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchOutcome {
    pub households_inserted: u64,
    pub households_updated: u64,
    pub persons_inserted: u64,
    pub persons_updated: u64,
    pub persons_unchanged: u64,
}

/// Progress of long work: called with the number of rows done so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// The audit record of a whole batch: its source, checksum and what it changed.
pub(crate) fn batch_audit(batch: &RegistryBatch, out: &BatchOutcome) -> AuditEntry {
    AuditEntry {
        action: "import".into(),
        entity: "registry".into(),
        entity_key: batch.source.clone(),
        before: None,
        after: Some(serde_json::json!({
            "source": batch.source,
            "sha256": batch.checksum,
            "households": batch.households.len(),
            "persons": batch.persons.len(),
            "outcome": out,
        })),
    }
}

/// Community of each household in the batch, by 户号.
pub(crate) fn batch_communities(batch: &RegistryBatch) -> std::collections::HashMap<String, RegionCode> {
    batch.households.iter().map(|h| (h.household_no.clone(), h.community.clone())).collect()
}

/// 户号 of stored households that the batch moves to another community: their members' copy of
/// the community (kept on each person for searches by region) must follow.
pub(crate) fn moved_households(new: &[&Household], existing: &[Household]) -> Vec<String> {
    let before: std::collections::HashMap<&str, &RegionCode> = existing.iter().map(|h| (h.household_no.as_str(), &h.community)).collect();
    new.iter().filter(|h| before.get(h.household_no.as_str()).is_some_and(|c| **c != h.community)).map(|h| h.household_no.clone()).collect()
}

/// 户号 that persons of the batch name but the batch does not carry (already stored).
pub(crate) fn households_not_in_batch(batch: &RegistryBatch, known: &std::collections::HashMap<String, RegionCode>) -> Vec<String> {
    let mut v: Vec<String> = batch.persons.iter().filter_map(|p| p.household_no.clone()).filter(|h| !known.contains_key(h)).collect();
    v.sort();
    v.dedup();
    v
}

/// Cuts the extra row fetched to know whether another page follows, and makes the cursor
/// (`name|id` when ordered by name).
pub(crate) fn paginate_persons(items: &mut Vec<Person>, limit: u32, by_name: bool) -> Page<Person> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|p| if by_name { format!("{}|{}", p.name, p.id_number) } else { p.id_number.to_string() }).unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}

pub(crate) fn paginate_households(items: &mut Vec<Household>, limit: u32) -> Page<Household> {
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|h| h.household_no.clone()).unwrap_or_default()
    });
    Page { items: std::mem::take(items), next }
}

/// The batch's rows in key order: B-tree inserts then walk forward instead of jumping about,
/// several times faster on a large table.
pub(crate) fn sorted(batch: &RegistryBatch) -> (Vec<&Household>, Vec<&Person>) {
    let mut households: Vec<&Household> = batch.households.iter().collect();
    households.sort_unstable_by(|a, b| a.household_no.cmp(&b.household_no));
    let mut persons: Vec<&Person> = batch.persons.iter().collect();
    persons.sort_unstable_by_key(|p| p.id_number);
    (households, persons)
}

/// Secondary indexes of the registry tables, as the migrations create them. A batch larger than
/// what is stored drops them and builds them again at the end (one sort instead of a million
/// random B-tree inserts); `sqlite::tests::bulk_indexes_match_the_migrations` keeps this list true.
pub(crate) const BULK_INDEXES: &[(&str, &str)] = &[
    ("households_community", "CREATE INDEX households_community ON households (community_code, household_no)"),
    ("persons_household", "CREATE INDEX persons_household ON persons (household_no)"),
    ("persons_community", "CREATE INDEX persons_community ON persons (community_code, id_number)"),
    ("persons_name", "CREATE INDEX persons_name ON persons (name, id_number)"),
    ("person_tags_tag", "CREATE INDEX person_tags_tag ON person_tags (tag, id_number)"),
];

/// Below this many persons a batch keeps the indexes.
pub(crate) const BULK_THRESHOLD: usize = 50_000;

/// The registry's bulk paths, written for each database on its own because that is what
/// measures fastest: an import (multi-row statements pipelined with the comparison on SQLite,
/// COPY into empty tables on PostgreSQL) and the policy snapshot's scan (SQLite's C API, binary
/// COPY). The contract suite runs the same stories on both.
#[async_trait]
pub trait BulkStore: Send + Sync {
    /// The bulk read of a policy snapshot of `region` (any level), in one read transaction: its
    /// households, then persons, then every economic item with its file's date (see [`SnapshotSink`]).
    async fn scan_snapshot(&self, region: &RegionCode, sink: &mut dyn SnapshotSink) -> Result<SnapshotCounts>;

    /// Upserts households then persons in one transaction, with audit records: one for the
    /// batch, and one per existing row whose values changed (before and after).
    async fn apply_batch(&self, batch: &RegistryBatch, actor: &Actor, progress: Progress<'_>) -> Result<BatchOutcome>;
}

/// The registry read one record, one page or one region at a time.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    async fn counts(&self) -> Result<Counts>;

    async fn person(&self, id: &IdNumber) -> Result<Option<Person>>;

    /// A person with the community of the household they live in (none without a household):
    /// what an access check needs, in one read.
    async fn person_placed(&self, id: &IdNumber) -> Result<Option<(Person, Option<RegionCode>)>>;

    async fn persons_by_id(&self, ids: &[IdNumber]) -> Result<Vec<Person>>;

    /// The names of the persons with these numbers (those registered), in no particular order:
    /// the linkage's read, two columns instead of a whole person.
    async fn person_names(&self, ids: &[IdNumber]) -> Result<Vec<(IdNumber, String)>>;

    async fn search_persons(&self, q: &PersonQuery) -> Result<Page<Person>>;

    /// How many persons a search's filters hold (共 N 人; its cursor and limit aside).
    async fn count_persons(&self, q: &PersonQuery) -> Result<u64>;

    async fn household(&self, household_no: &str) -> Result<Option<Household>>;

    async fn household_members(&self, household_no: &str) -> Result<Vec<Person>>;

    /// Several households by number (those that exist), in no particular order.
    async fn households(&self, household_nos: &[String]) -> Result<Vec<Household>>;

    /// Members of many households at once (for exports), ordered by 户号 then ID number.
    async fn members_of(&self, household_nos: &[String]) -> Result<Vec<Person>>;

    async fn search_households(&self, q: &HouseholdQuery) -> Result<Page<Household>>;

    /// Every person in ID number order after `after` (from the start when `None`), at most
    /// `limit` (up to 100,000): the bulk read of the policy snapshot, one index range per page.
    async fn scan_persons(&self, after: Option<&IdNumber>, limit: u32) -> Result<Vec<Person>>;

    /// Residents within `within`, counted by the region `digits` long above their community
    /// (for a city: per county with 6), ordered by code.
    async fn count_persons_by(&self, within: &RegionCode, digits: usize) -> Result<Vec<(String, u64)>>;

    /// Grid names of a community, ordered.
    async fn grids(&self, community: &RegionCode) -> Result<Vec<String>>;

    /// The newest value of a fact about persons (`PersonFact::SELF_CARE_FAILED` ...), of the
    /// persons named or of everyone (`None`), in ID number order. Sub-platforms write them in
    /// the transaction of the record they come from (`upsert_person_fact`).
    async fn person_facts(&self, fact: &str, ids: Option<&[IdNumber]>) -> Result<Vec<minzheng_domain::PersonFact>>;

    /// Records a fact about a person that staff establish themselves (the supporters elsewhere
    /// a home survey found ...), as the newest value when dated on or after the one held, with
    /// its audit record, in one transaction. Returns whether it became the value held.
    async fn record_person_fact(&self, fact: &minzheng_domain::PersonFact, actor: &Actor) -> Result<bool>;
}

/// The statement that keeps the newest value of a person's fact: a value dated before the one
/// held changes nothing. Bind, in order: ID number, fact, value, since, source, recorded at.
pub const UPSERT_PERSON_FACT: &str = "INSERT INTO person_facts (id_number, fact, value, since, source, recorded_at) \
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id_number, fact) DO UPDATE SET value = excluded.value, \
     since = excluded.since, source = excluded.source, recorded_at = excluded.recorded_at \
     WHERE excluded.since >= person_facts.since";

/// The one implementation of [`RegistryStore`], for both databases: expanded once per backend with its
/// store type and its sqlx database (see [`crate::dialect`]).
macro_rules! impl_registry {
    ($store:ty, $db:ty) => {
        const _: () = {
            #[allow(unused_imports)]
            use crate::dialect::Dialect as _;
            #[allow(unused_imports)]
            use crate::sql::{self, cases, rows, verification as verify};
            #[allow(unused_imports)]
            use crate::*;
            #[allow(unused_imports)]
            use chrono::{DateTime, Utc};
            #[allow(unused_imports)]
            use minzheng_domain::{Household, IdNumber, Person, Region, RegionCode, RegionLevel};
            #[allow(unused_imports)]
            use sqlx::{AssertSqlSafe, QueryBuilder, Row};

            #[async_trait::async_trait]
            impl crate::RegistryStore for $store {
                async fn counts(&self) -> Result<Counts> {
                    let row = sqlx::query(sql::COUNTS).fetch_one(&self.pool).await?;
                    let n = |i: usize| -> Result<u64> { Ok(row.try_get::<i64, _>(i)? as u64) };
                    Ok(Counts { regions: n(0)?, households: n(1)?, persons: n(2)?, grids: n(3)?, buildings: n(4)?, audit_records: n(5)? })
                }

                async fn person(&self, id: &IdNumber) -> Result<Option<Person>> {
                    let row = sql::person::<$db>(id.as_str()).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::person_from_row).transpose()
                }

                async fn person_placed(&self, id: &IdNumber) -> Result<Option<(Person, Option<RegionCode>)>> {
                    let row = sql::person_placed::<$db>(id.as_str()).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(|r| rows::placed_person(r, rows::person_from_row(r)?)).transpose()
                }

                async fn persons_by_id(&self, ids: &[IdNumber]) -> Result<Vec<Person>> {
                    let mut out = Vec::with_capacity(ids.len());
                    for chunk in ids.chunks(CHUNK) {
                        let mut qb = sql::persons_in::<$db>(chunk.iter().map(|i| i.to_string()));
                        qb.push(" ORDER BY id_number");
                        for row in qb.build().fetch_all(&self.pool).await? {
                            out.push(rows::person_from_row(&row)?);
                        }
                    }
                    Ok(out)
                }

                async fn person_names(&self, ids: &[IdNumber]) -> Result<Vec<(IdNumber, String)>> {
                    let mut out = Vec::with_capacity(ids.len());
                    for chunk in ids.chunks(CHUNK) {
                        let mut qb =
                            sql::select_in::<$db, _>("id_number, name", "persons", "id_number", chunk.iter().map(|i| i.to_string()));
                        for row in qb.build().fetch_all(&self.pool).await? {
                            let id: String = row.try_get("id_number")?;
                            let id = IdNumber::parse(&id).map_err(|_| StoreError::Corrupt(format!("id_number {id:?}")))?;
                            out.push((id, row.try_get("name")?));
                        }
                    }
                    Ok(out)
                }

                async fn search_persons(&self, q: &PersonQuery) -> Result<Page<Person>> {
                    let limit = page_limit(q.limit);
                    let by_name = q.name.is_some();
                    let mut qb = sql::search_persons::<$db>(q);
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    let mut items: Vec<Person> = rows.iter().map(rows::person_from_row).collect::<Result<_>>()?;
                    Ok(crate::paginate_persons(&mut items, limit, by_name))
                }

                async fn count_persons(&self, q: &PersonQuery) -> Result<u64> {
                    let n: i64 = sql::count_persons::<$db>(q).build().fetch_one(&self.pool).await?.try_get("n")?;
                    Ok(u64::try_from(n).unwrap_or(0))
                }

                async fn household(&self, household_no: &str) -> Result<Option<Household>> {
                    let row = sql::household::<$db>(household_no).build().fetch_optional(&self.pool).await?;
                    row.as_ref().map(rows::household_from_row).transpose()
                }

                async fn household_members(&self, household_no: &str) -> Result<Vec<Person>> {
                    let rows = sql::household_members::<$db>(household_no).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::person_from_row).collect()
                }

                async fn households(&self, household_nos: &[String]) -> Result<Vec<Household>> {
                    let mut out = Vec::with_capacity(household_nos.len());
                    for chunk in household_nos.chunks(2000) {
                        for row in sql::households_in::<$db>(chunk.iter().cloned()).build().fetch_all(&self.pool).await? {
                            out.push(rows::household_from_row(&row)?);
                        }
                    }
                    Ok(out)
                }

                async fn members_of(&self, household_nos: &[String]) -> Result<Vec<Person>> {
                    let mut out = Vec::new();
                    for chunk in household_nos.chunks(CHUNK) {
                        let mut qb = sql::select_in::<$db, _>(PERSON_COLUMNS, "persons", "household_no", chunk.iter().cloned());
                        qb.push(" ORDER BY household_no, id_number");
                        for row in qb.build().fetch_all(&self.pool).await? {
                            out.push(rows::person_from_row(&row)?);
                        }
                    }
                    Ok(out)
                }

                async fn search_households(&self, q: &HouseholdQuery) -> Result<Page<Household>> {
                    let limit = page_limit(q.limit);
                    let mut qb = sql::search_households::<$db>(q);
                    let rows = qb.build().fetch_all(&self.pool).await?;
                    let mut items: Vec<Household> = rows.iter().map(rows::household_from_row).collect::<Result<_>>()?;
                    Ok(crate::paginate_households(&mut items, limit))
                }

                async fn scan_persons(&self, after: Option<&IdNumber>, limit: u32) -> Result<Vec<Person>> {
                    let rows = sql::scan_persons::<$db>(after, limit).build().fetch_all(&self.pool).await?;
                    rows.iter().map(rows::person_from_row).collect()
                }

                async fn count_persons_by(&self, within: &RegionCode, digits: usize) -> Result<Vec<(String, u64)>> {
                    let rows = sql::count_persons_by::<$db>(within.as_str(), digits).build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)? as u64))).collect()
                }

                async fn grids(&self, community: &RegionCode) -> Result<Vec<String>> {
                    let rows = sql::grids::<$db>(community.as_str()).build().fetch_all(&self.pool).await?;
                    rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
                }

                async fn record_person_fact(&self, fact: &minzheng_domain::PersonFact, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    // The value held before, for the audit record.
                    let mut qb = QueryBuilder::<$db>::new("SELECT value, since, source FROM person_facts WHERE id_number = ");
                    qb.push_bind(fact.id_number.to_string()).push(" AND fact = ").push_bind(fact.fact.clone());
                    let before = match qb.build().fetch_optional(&mut *tx).await? {
                        Some(r) => Some(serde_json::json!({
                            "fact": fact.fact,
                            "value": r.try_get::<i64, _>("value")?,
                            "since": r.try_get::<chrono::NaiveDate, _>("since")?,
                            "source": r.try_get::<String, _>("source")?,
                        })),
                        None => None,
                    };
                    let done = sqlx::query::<$db>(UPSERT_PERSON_FACT)
                        .bind(fact.id_number.to_string())
                        .bind(fact.fact.clone())
                        .bind(fact.value)
                        .bind(fact.since)
                        .bind(fact.source.clone())
                        .bind(Utc::now())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        > 0;
                    let entry = AuditEntry {
                        action: if done { "fact".into() } else { "fact_older".into() },
                        entity: "person".into(),
                        entity_key: fact.id_number.to_string(),
                        before,
                        after: Some(
                            serde_json::json!({ "fact": fact.fact, "value": fact.value, "since": fact.since, "source": fact.source }),
                        ),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(done)
                }

                async fn person_facts(&self, fact: &str, ids: Option<&[IdNumber]>) -> Result<Vec<minzheng_domain::PersonFact>> {
                    let read = |r: &<$db as sqlx::Database>::Row| -> Result<minzheng_domain::PersonFact> {
                        let id: String = r.try_get("id_number")?;
                        Ok(minzheng_domain::PersonFact {
                            id_number: IdNumber::parse(&id).map_err(|_| StoreError::Corrupt(format!("person fact of {id:?}")))?,
                            fact: r.try_get("fact")?,
                            value: r.try_get("value")?,
                            since: r.try_get("since")?,
                            source: r.try_get("source")?,
                        })
                    };
                    let columns = "id_number, fact, value, since, source";
                    let mut out = Vec::new();
                    match ids {
                        None => {
                            let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} FROM person_facts WHERE fact = "));
                            qb.push_bind(fact.to_string()).push(" ORDER BY id_number");
                            for r in qb.build().fetch_all(&self.pool).await? {
                                out.push(read(&r)?);
                            }
                        }
                        Some(ids) => {
                            for chunk in ids.chunks(CHUNK) {
                                let mut qb = QueryBuilder::<$db>::new(format!("SELECT {columns} FROM person_facts WHERE fact = "));
                                qb.push_bind(fact.to_string()).push(" AND id_number IN (");
                                let mut sep = qb.separated(", ");
                                for id in chunk {
                                    sep.push_bind(id.to_string());
                                }
                                qb.push(") ORDER BY id_number");
                                for r in qb.build().fetch_all(&self.pool).await? {
                                    out.push(read(&r)?);
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
pub(crate) use impl_registry;
