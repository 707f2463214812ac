//! Snapshots (快照): the records and departmental data as Arrow tables, the input of every rule.
//!
//! Tables: `person`, `household`, `income`, `asset`, `enrolment` (see
//! `policies/*/features.toml`). A snapshot is immutable and shared; features for an evaluation
//! date are computed from it by SQL.

use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use minzheng_domain::economy::ItemKind;
use minzheng_domain::hash::FastMap;
use minzheng_domain::registry::{tags_text, Household, HouseholdKind, Person, PersonView};
use std::sync::Arc;

/// Rows per Arrow batch.
pub const BATCH_ROWS: usize = 64 * 1024;

/// One table of a snapshot: its schema and its batches split into partitions.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub schema: SchemaRef,
    pub partitions: Vec<Vec<RecordBatch>>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.partitions.iter().flatten().map(|b| b.num_rows()).sum()
    }

    /// A table from collected batches, spread over `partitions` partitions.
    pub fn from_batches(name: &str, schema: SchemaRef, batches: Vec<RecordBatch>, partitions: usize) -> Table {
        let n = partitions.max(1);
        let mut parts = vec![Vec::new(); n];
        for (i, b) in batches.into_iter().filter(|b| b.num_rows() > 0).enumerate() {
            parts[i % n].push(b);
        }
        Table { name: name.into(), schema, partitions: parts }
    }
}

/// The records as of a moment, ready for the engine.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub tables: Vec<Table>,
    /// Persons left out (no household in the snapshot), for the report.
    pub persons_without_household: u64,
}

impl Snapshot {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
    pub fn persons(&self) -> usize {
        self.table("person").map(Table::rows).unwrap_or(0)
    }
    pub fn households(&self) -> usize {
        self.table("household").map(Table::rows).unwrap_or(0)
    }

    /// (household numbers by hid, ID numbers by pid): hid and pid are positions in these.
    pub fn keys(&self) -> (Vec<String>, Vec<String>) {
        let read = |table: &str, key: &str, label: &str| {
            let mut out = vec![String::new(); self.table(table).map(Table::rows).unwrap_or(0)];
            for b in self.table(table).map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
                let (Some(k), Some(l)) = (b.column_by_name(key), b.column_by_name(label)) else { continue };
                let (k, l) = (k.as_primitive::<Int64Type>(), l.as_string::<i32>());
                for i in 0..b.num_rows() {
                    if let Some(slot) = out.get_mut(k.value(i) as usize) {
                        *slot = l.value(i).to_string();
                    }
                }
            }
            out
        };
        (read("household", "hid", "household_no"), read("person", "pid", "id_number"))
    }
}

/// A text column built in chunks of [`BATCH_ROWS`] values, each one Arrow array: values are
/// copied into the chunk's buffer, with no allocation per value.
#[derive(Debug, Default)]
struct Texts {
    done: Vec<ArrayRef>,
    current: StringBuilder,
    len: usize,
}

impl Texts {
    fn push(&mut self, value: &str) {
        self.current.append_value(value);
        self.len += 1;
        if self.len.is_multiple_of(BATCH_ROWS) {
            self.done.push(Arc::new(self.current.finish()));
        }
    }
    /// The chunks, one per [`BATCH_ROWS`] rows (as [`chunked`] cuts them).
    fn finish(mut self) -> Vec<ArrayRef> {
        if !self.len.is_multiple_of(BATCH_ROWS) {
            self.done.push(Arc::new(self.current.finish()));
        }
        self.done
    }
}

/// The key of an ID number as stored (17 digits and a check character, a digit or `X`), read as
/// one number; `None` for anything else.
fn id_key(id_number: &str) -> Option<u64> {
    let b: &[u8; 18] = id_number.as_bytes().try_into().ok()?;
    let mut n = 0u64;
    for &c in &b[..17] {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    let check = match b[17] {
        c @ b'0'..=b'9' => u64::from(c - b'0'),
        b'X' => 10,
        _ => return None,
    };
    Some(n * 11 + check)
}

/// Builds a snapshot: households first, then their persons, then income and asset items.
#[derive(Debug, Default)]
pub struct SnapshotBuilder {
    hids: FastMap<String, i64>,
    pids: FastMap<u64, i64>,
    // household
    h_no: Texts,
    h_county: Vec<i32>,
    h_community: Texts,
    h_rural: Vec<bool>,
    // person
    p_hid: Vec<i64>,
    p_id: Texts,
    p_name: Texts,
    p_birth: Vec<i32>,
    p_male: Vec<bool>,
    p_relation: Vec<&'static str>,
    p_alive: Vec<bool>,
    p_disability: Vec<&'static str>,
    p_grade: Vec<i32>,
    p_self_care: Vec<i32>,
    p_supporters_elsewhere: Vec<i32>,
    p_tags: Texts,
    // income and asset items
    i_pid: Vec<i64>,
    i_kind: Vec<&'static str>,
    i_amount: Vec<i64>,
    a_pid: Vec<i64>,
    a_kind: Vec<&'static str>,
    a_amount: Vec<i64>,
    // enrolments, one row per member of the snapshot
    e_pid: Vec<i64>,
    e_paid: Vec<bool>,
    e_program: Texts,
    e_share: Vec<i64>,
    e_from: Vec<i32>,
    e_until: Vec<i32>,
    without_household: u64,
}

/// `supporters_elsewhere` of a person whose supporters outside the household no survey has
/// recorded.
pub const NOT_SURVEYED: i32 = -1;

/// `until_ymd` of an enrolment with no end.
pub const OPEN_END: i32 = 99_991_231;

fn ymd(d: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    d.year() * 10000 + d.month() as i32 * 100 + d.day() as i32
}

impl SnapshotBuilder {
    pub fn new() -> SnapshotBuilder {
        SnapshotBuilder::default()
    }

    pub fn with_capacity(households: usize, persons: usize) -> SnapshotBuilder {
        let mut b = SnapshotBuilder::default();
        b.hids.reserve(households);
        b.pids.reserve(persons);
        b.p_hid.reserve(persons);
        b.p_birth.reserve(persons);
        b
    }

    pub fn household(&mut self, h: &Household) {
        self.household_row(&h.household_no, h.community.as_str(), h.kind == HouseholdKind::Rural);
    }

    /// Adds a household (户号, 社区 code, 农村户) once; a number seen before is ignored.
    pub fn household_row(&mut self, household_no: &str, community: &str, rural: bool) {
        if self.hids.contains_key(household_no) {
            return;
        }
        let hid = self.h_county.len() as i64;
        self.hids.insert(household_no.to_string(), hid);
        self.h_no.push(household_no);
        self.h_county.push(community.get(..6).and_then(|c| c.parse().ok()).unwrap_or(0));
        self.h_community.push(community);
        self.h_rural.push(rural);
    }

    /// Adds a person of a household added before; a person of no known household is counted
    /// and left out.
    pub fn person(&mut self, p: &Person) {
        self.person_view(&p.view(&tags_text(&p.tags)));
    }

    /// [`SnapshotBuilder::person`] from a borrowed view (the records store's bulk read).
    pub fn person_view(&mut self, p: &PersonView<'_>) {
        let Some(hid) = p.household_no.and_then(|h| self.hids.get(h)).copied() else {
            self.without_household += 1;
            return;
        };
        let pid = self.p_hid.len() as i64;
        if let Some(key) = id_key(p.id_number) {
            self.pids.insert(key, pid);
        }
        self.p_hid.push(hid);
        self.p_id.push(p.id_number);
        self.p_name.push(p.name);
        self.p_birth.push(ymd(p.birth_date));
        self.p_male.push(p.male);
        self.p_relation.push(p.relation.as_str());
        self.p_alive.push(p.alive);
        self.p_disability.push(p.disability.map(|d| d.category.as_str()).unwrap_or(""));
        self.p_grade.push(p.disability.map(|d| d.grade as i32).unwrap_or(0));
        self.p_self_care.push(0);
        self.p_supporters_elsewhere.push(NOT_SURVEYED);
        self.p_tags.push(p.tags);
    }

    /// The position of a person added before, by ID number.
    pub fn pid(&self, id_number: &str) -> Option<i64> {
        id_key(id_number).and_then(|k| self.pids.get(&k)).copied()
    }

    /// Sets the number of daily activities a person cannot do (生活自理能力评估), 0-6.
    pub fn self_care(&mut self, id_number: &str, failed: i32) {
        if let Some(pid) = self.pid(id_number) {
            self.p_self_care[pid as usize] = failed.clamp(0, 6);
        }
    }

    /// Sets how many legal supporters (法定义务人: spouse, adult children, parents of a minor)
    /// living outside the household, and so unknown to the registry's household, a survey found
    /// able to support the person (`PersonFact::ABLE_SUPPORTERS_ELSEWHERE`); a person no survey
    /// has recorded keeps [`NOT_SURVEYED`].
    pub fn supporters_elsewhere(&mut self, id_number: &str, able: i32) {
        if let Some(pid) = self.pid(id_number) {
            self.p_supporters_elsewhere[pid as usize] = able.max(0);
        }
    }

    /// An enrolment (在保记录) of persons added before: one row per member in the snapshot, from
    /// its first month to the month it stops (the member's own end first), with the member's
    /// share of the monthly amount (their own amount, or the enrolment's divided among the
    /// members still paid). A stopped enrolment that never said when (a roster's bare 停保) and
    /// members no longer paid are left out; a suspended one counts as enrolled (the person is
    /// still in the program while something is checked) but not as paid.
    pub fn enrolment(&mut self, e: &minzheng_domain::Enrolment) {
        use minzheng_domain::EnrolmentStatus;
        if e.status == EnrolmentStatus::Stopped && e.end.is_none() {
            return;
        }
        // The monthly amount is that of the members still paid.
        let paid = e.members.iter().filter(|m| m.end.is_none()).count().max(1) as i64;
        for m in &e.members {
            let Some(pid) = self.pid(m.id_number.as_str()) else { continue };
            let until = match (e.end, m.end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let until = until.map_or(OPEN_END, ymd);
            let from = ymd(e.start);
            if until <= from {
                continue;
            }
            self.e_pid.push(pid);
            self.e_paid.push(e.status == EnrolmentStatus::Active || e.status == EnrolmentStatus::Stopped);
            self.e_program.push(&e.program);
            self.e_share.push(m.amount.map_or(e.monthly_amount.0 / paid, |a| a.0));
            self.e_from.push(from);
            self.e_until.push(until);
        }
    }

    /// An economic item of a person added before: income kinds go to `income` (monthly fen),
    /// deposits and counts to `asset`. Returns false for a person not in the snapshot.
    pub fn item(&mut self, id_number: &str, kind: ItemKind, amount: i64) -> bool {
        let Some(pid) = self.pid(id_number) else { return false };
        self.item_of(pid, kind, amount);
        true
    }

    /// [`SnapshotBuilder::item`] of a person by position ([`SnapshotBuilder::pid`]).
    pub fn item_of(&mut self, pid: i64, kind: ItemKind, amount: i64) {
        if kind.is_money() && kind != ItemKind::Deposit {
            self.i_pid.push(pid);
            self.i_kind.push(kind.as_str());
            self.i_amount.push(amount);
        } else {
            self.a_pid.push(pid);
            self.a_kind.push(kind.as_str());
            self.a_amount.push(amount);
        }
    }

    pub fn finish(self, partitions: usize) -> Snapshot {
        let n_h = self.h_county.len();
        let (h_no, h_community) = (self.h_no.finish(), self.h_community.finish());
        let household = chunked("household", household_schema(), n_h, partitions, |i, r| {
            vec![
                Arc::new(Int64Array::from_iter_values(r.clone().map(|i| i as i64))) as ArrayRef,
                h_no[i].clone(),
                Arc::new(Int32Array::from(self.h_county[r.clone()].to_vec())),
                h_community[i].clone(),
                Arc::new(BooleanArray::from(self.h_rural[r].to_vec())),
            ]
        });
        let n_p = self.p_hid.len();
        let (p_id, p_name, p_tags) = (self.p_id.finish(), self.p_name.finish(), self.p_tags.finish());
        let person = chunked("person", person_schema(), n_p, partitions, |i, r| {
            vec![
                Arc::new(Int64Array::from_iter_values(r.clone().map(|i| i as i64))) as ArrayRef,
                Arc::new(Int64Array::from(self.p_hid[r.clone()].to_vec())),
                p_id[i].clone(),
                p_name[i].clone(),
                Arc::new(Int32Array::from(self.p_birth[r.clone()].to_vec())),
                Arc::new(BooleanArray::from(self.p_male[r.clone()].to_vec())),
                Arc::new(StringArray::from_iter_values(self.p_relation[r.clone()].iter())),
                Arc::new(BooleanArray::from(self.p_alive[r.clone()].to_vec())),
                Arc::new(StringArray::from_iter_values(self.p_disability[r.clone()].iter())),
                Arc::new(Int32Array::from(self.p_grade[r.clone()].to_vec())),
                Arc::new(Int32Array::from(self.p_self_care[r.clone()].to_vec())),
                Arc::new(Int32Array::from(self.p_supporters_elsewhere[r].to_vec())),
                p_tags[i].clone(),
            ]
        });
        let items = |name: &str, amount: &str, pid: &[i64], kind: &[&'static str], value: &[i64]| {
            let schema = Arc::new(Schema::new(vec![
                Field::new("pid", DataType::Int64, false),
                Field::new("kind", DataType::Utf8, false),
                Field::new(amount, DataType::Int64, false),
            ]));
            chunked(name, schema, pid.len(), partitions, |_, r| {
                vec![
                    Arc::new(Int64Array::from(pid[r.clone()].to_vec())) as ArrayRef,
                    Arc::new(StringArray::from_iter_values(kind[r.clone()].iter())),
                    Arc::new(Int64Array::from(value[r].to_vec())),
                ]
            })
        };
        let income = items("income", "monthly", &self.i_pid, &self.i_kind, &self.i_amount);
        let asset = items("asset", "amount", &self.a_pid, &self.a_kind, &self.a_amount);
        let e_program = self.e_program.finish();
        let enrolment = chunked("enrolment", enrolment_schema(), self.e_pid.len(), partitions, |i, r| {
            vec![
                Arc::new(Int64Array::from(self.e_pid[r.clone()].to_vec())) as ArrayRef,
                e_program[i].clone(),
                Arc::new(BooleanArray::from(self.e_paid[r.clone()].to_vec())),
                Arc::new(Int64Array::from(self.e_share[r.clone()].to_vec())),
                Arc::new(Int32Array::from(self.e_from[r.clone()].to_vec())),
                Arc::new(Int32Array::from(self.e_until[r].to_vec())),
            ]
        });
        Snapshot { tables: vec![person, household, income, asset, enrolment], persons_without_household: self.without_household }
    }
}

fn household_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("hid", DataType::Int64, false),
        Field::new("household_no", DataType::Utf8, false),
        Field::new("county", DataType::Int32, false),
        Field::new("community", DataType::Utf8, false),
        Field::new("rural", DataType::Boolean, false),
    ]))
}

fn person_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("pid", DataType::Int64, false),
        Field::new("hid", DataType::Int64, false),
        Field::new("id_number", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("birth", DataType::Int32, false),
        Field::new("male", DataType::Boolean, false),
        Field::new("relation", DataType::Utf8, false),
        Field::new("alive", DataType::Boolean, false),
        Field::new("disability", DataType::Utf8, false),
        Field::new("disability_grade", DataType::Int32, false),
        Field::new("self_care_failed", DataType::Int32, false),
        Field::new("supporters_elsewhere", DataType::Int32, false),
        Field::new("tags", DataType::Utf8, false),
    ]))
}

/// 在保记录 as the rules read them: a member of an enrolment, its program, whether it is paid
/// (not suspended), the member's monthly share in fen, and the days it holds (from_ymd
/// inclusive, until_ymd exclusive).
fn enrolment_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("pid", DataType::Int64, false),
        Field::new("program", DataType::Utf8, false),
        Field::new("paid", DataType::Boolean, false),
        Field::new("share", DataType::Int64, false),
        Field::new("from_ymd", DataType::Int32, false),
        Field::new("until_ymd", DataType::Int32, false),
    ]))
}

/// The table's batches of [`BATCH_ROWS`] rows: `columns(i, range)` gives the columns of the
/// `i`th, which holds the rows in `range`.
fn chunked(
    name: &str,
    schema: SchemaRef,
    rows: usize,
    partitions: usize,
    columns: impl Fn(usize, std::ops::Range<usize>) -> Vec<ArrayRef>,
) -> Table {
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows {
        let end = (start + BATCH_ROWS).min(rows);
        match RecordBatch::try_new(schema.clone(), columns(start / BATCH_ROWS, start..end)) {
            Ok(b) => batches.push(b),
            // The columns are built to the schema above; a mismatch is a bug in this file.
            #[allow(clippy::panic, reason = "the columns are built to the schema; a mismatch is a bug here")]
            Err(e) => panic!("snapshot table {name}: {e}"),
        }
        start = end;
    }
    Table::from_batches(name, schema, batches, partitions)
}

#[cfg(feature = "synth")]
/// A snapshot of a generated city, with its economy as income and asset items.
pub fn from_city(city: &minzheng_synth::City, partitions: usize) -> Snapshot {
    from_city_where(city, partitions, |_| true)
}

#[cfg(feature = "synth")]
/// A snapshot of the households of a generated city that `keep` accepts (by household number).
pub fn from_city_where(city: &minzheng_synth::City, partitions: usize, keep: impl Fn(&str) -> bool) -> Snapshot {
    let mut b = SnapshotBuilder::with_capacity(city.households.len(), city.persons.len());
    for h in city.households.iter().filter(|h| keep(&h.household_no)) {
        b.household(h);
    }
    let kept = |p: &Person| p.household_no.as_deref().is_some_and(&keep);
    for p in city.persons.iter().filter(|p| kept(p)) {
        b.person(p);
    }
    // Rows whose ID number fails its check, or passes it and names nobody registered, are
    // attributed to their true person (the answer key): the city as a perfect linkage would see
    // it; the store's path links them with crates/verify. A registered number is taken as it is.
    let mut valid_of_nobody: std::collections::HashSet<&str> = city
        .anomalies
        .iter()
        .filter(|a| a.recorded_id != a.true_id.as_str() && minzheng_domain::IdNumber::parse(&a.recorded_id).is_ok())
        .map(|a| a.recorded_id.as_str())
        .collect();
    if !valid_of_nobody.is_empty() {
        for p in &city.persons {
            valid_of_nobody.remove(p.id_number.as_str());
        }
    }
    let truth: std::collections::HashMap<(&str, &str), String> =
        city.anomalies.iter().map(|a| ((a.dataset, a.recorded_id.as_str()), a.true_id.to_string())).collect();
    let catalogue = minzheng_domain::source::SourceCatalogue::shipped();
    for table in &city.datasets {
        let Some(source) = catalogue.get(table.name) else { continue };
        let columns: Vec<(&'static str, usize)> = table.headers.iter().enumerate().map(|(i, h)| (*h, i)).collect();
        for row in &table.rows {
            let cell = |name: &str| {
                let text = columns.iter().find(|(h, _)| *h == name).and_then(|(_, i)| row.get(*i)).cloned();
                match (name, text) {
                    ("身份证号", Some(t)) if minzheng_domain::IdNumber::parse(&t).is_err() || valid_of_nobody.contains(t.as_str()) => {
                        Some(truth.get(&(table.name, t.as_str())).cloned().unwrap_or(t))
                    }
                    (_, t) => t,
                }
            };
            if let Ok(Some(item)) = source.item(cell) {
                b.item(item.id_number.as_str(), item.kind, item.amount);
            }
        }
    }
    b.finish(partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_numbers_key_is_one_to_one_and_refuses_anything_else() {
        let ids = [
            "11010519491231002X",
            "110105194912310020",
            "110105194912310021",
            "999999999999999999",
            "000000000000000000",
            "99999999999999999X",
        ];
        let keys: Vec<u64> = ids.iter().map(|i| id_key(i).expect(i)).collect();
        let distinct: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        for bad in ["11010519491231002x", "1101051949123100X2", "11010519491231002", "11010519491231002X0", "", "１10105194912310020"] {
            assert_eq!(id_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn items_reach_the_person_by_id_number() {
        let mut b = SnapshotBuilder::new();
        b.household_row("H1", "210102001001", false);
        let person = |id: &'static str| PersonView {
            id_number: id,
            name: "王",
            male: true,
            birth_date: chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap(),
            household_no: Some("H1"),
            relation: minzheng_domain::Relation::Head,
            alive: true,
            disability: None,
            tags: "",
        };
        b.person_view(&person("11010519491231002X"));
        b.person_view(&person("110105194912310020"));
        assert_eq!((b.pid("11010519491231002X"), b.pid("110105194912310020"), b.pid("110105194912310021")), (Some(0), Some(1), None));
        assert!(b.item("110105194912310020", ItemKind::Pension, 100));
        assert!(!b.item("110105194912310021", ItemKind::Pension, 100));
        let s = b.finish(1);
        assert_eq!(s.table("income").map(Table::rows), Some(1));
    }
}
