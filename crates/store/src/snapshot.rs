//! 核算快照的批量读取 / The bulk read a policy snapshot is built from: a region's households,
//! the persons, and the departmental economic items with their batch, handed row by row to a
//! [`SnapshotSink`] as values borrowed from the row being read (no allocation per row here).
//!
//! Each backend reads with its fastest means: SQLite through its C API on a pooled connection
//! (`sqlite_raw`), PostgreSQL with binary `COPY ... TO STDOUT` (`pg_copy`). Both read the three
//! tables inside one transaction, so the snapshot is of one moment.

use crate::{Result, StoreError};
use chrono::NaiveDate;
use minzheng_domain::economy::ItemKind;
use minzheng_domain::id::Sex;
use minzheng_domain::{Disability, DisabilityCategory, HouseholdKind, PersonStatus, PersonView, RegionCode, Relation};

/// A household as the snapshot reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotHousehold<'a> {
    pub household_no: &'a str,
    /// 社区 code.
    pub community: &'a str,
    /// 农村户 (else 城镇).
    pub rural: bool,
}

/// A departmental economic item and the date its file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotItem<'a> {
    pub id_number: &'a str,
    pub kind: ItemKind,
    pub amount: i64,
    /// The dataset it came from (民政、社保、公积金…).
    pub source: &'a str,
    /// 数据截止日期 of the file (batch) it came from.
    pub as_of: NaiveDate,
}

/// Receives the rows of [`crate::Store::scan_snapshot`]: first every household of the region,
/// then the persons (the store may give persons of other regions too: the sink keeps those whose
/// household it has), then every economic item with the date of its file.
pub trait SnapshotSink: Send {
    fn household(&mut self, h: &SnapshotHousehold<'_>);
    fn person(&mut self, p: &PersonView<'_>);
    fn item(&mut self, i: &SnapshotItem<'_>);
}

/// How many rows of each kind a scan handed over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnapshotCounts {
    pub households: u64,
    pub persons: u64,
    pub items: u64,
}

/// The three reads of a snapshot of `region`, in order: households, persons, items. The
/// region's code (digits only, checked by [`RegionCode`]) is written into the text, as `COPY`
/// takes no parameters. The persons are read whole, in key order (a full scan is faster than
/// reaching them through the households; the sink drops those of other regions).
pub(crate) fn queries(region: &RegionCode) -> [String; 3] {
    let code = region.as_str();
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "a region code is digits");
    [
        format!("SELECT household_no, community_code, kind FROM households WHERE community_code >= '{code}' AND community_code < '{code}:'"),
        "SELECT id_number, name, sex, birth_date, household_no, relation, status, disability_category, disability_grade, tags FROM persons".to_string(),
        // CROSS JOIN: SQLite then reads the items in storage order, finding each one's file by
        // its key (PostgreSQL plans the join its own way).
        "SELECT i.id_number, i.kind, i.amount, i.source, b.as_of FROM economic_items i CROSS JOIN economic_batches b WHERE b.checksum = i.batch".to_string(),
    ]
}

/// Economic items read ahead of the sink (on PostgreSQL, on a second connection while the
/// first reads the persons), kept compactly: the ID numbers of a chunk in one string, the
/// datasets' names once.
#[derive(Debug, Default)]
pub(crate) struct HeldItems {
    sources: Vec<String>,
    chunks: Vec<HeldChunk>,
}

#[derive(Debug, Default)]
struct HeldChunk {
    ids: String,
    rows: Vec<HeldItem>,
}

#[derive(Debug)]
struct HeldItem {
    /// Where the row's ID number ends in its chunk's `ids` (it starts where the last one ended).
    id_end: u32,
    source: u16,
    kind: ItemKind,
    as_of: NaiveDate,
    amount: i64,
}

impl HeldItems {
    const CHUNK: usize = 1 << 16;

    pub(crate) fn push(&mut self, i: &SnapshotItem<'_>) -> Result<()> {
        // Items come grouped by dataset more often than not: the last one's first.
        let last = self.chunks.last().and_then(|c| c.rows.last()).map(|r| r.source as usize);
        let source = match last.filter(|&n| self.sources[n] == i.source).or_else(|| self.sources.iter().position(|s| s == i.source)) {
            Some(n) => n,
            None => {
                self.sources.push(i.source.to_string());
                self.sources.len() - 1
            }
        };
        let source = u16::try_from(source).map_err(|_| StoreError::Corrupt("more than 65,536 datasets of economic items".into()))?;
        let full = |c: &HeldChunk| c.rows.len() == Self::CHUNK || c.ids.len() + i.id_number.len() > u32::MAX as usize;
        if self.chunks.last().is_none_or(full) {
            self.chunks.push(HeldChunk { ids: String::with_capacity(Self::CHUNK * 18), rows: Vec::with_capacity(Self::CHUNK) });
        }
        let Some(chunk) = self.chunks.last_mut() else { return Err(StoreError::Corrupt("no chunk to hold an item".into())) };
        chunk.ids.push_str(i.id_number);
        chunk.rows.push(HeldItem { id_end: chunk.ids.len() as u32, source, kind: i.kind, as_of: i.as_of, amount: i.amount });
        Ok(())
    }

    /// Hands the items to `sink` in the order they were read, letting go of each chunk once it
    /// is handed; returns how many.
    pub(crate) fn hand_over(&mut self, sink: &mut dyn SnapshotSink) -> u64 {
        let mut n = 0;
        for chunk in std::mem::take(&mut self.chunks) {
            let mut start = 0;
            for r in &chunk.rows {
                let end = r.id_end as usize;
                sink.item(&SnapshotItem {
                    id_number: &chunk.ids[start..end],
                    kind: r.kind,
                    amount: r.amount,
                    source: &self.sources[r.source as usize],
                    as_of: r.as_of,
                });
                start = end;
                n += 1;
            }
        }
        n
    }
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// The text columns of a person row, decoded into a [`PersonView`] the same way on both
/// backends (the date is decoded by each backend from its own format).
pub(crate) struct PersonText<'a> {
    pub id_number: &'a str,
    pub name: &'a str,
    pub sex: &'a str,
    pub birth_date: NaiveDate,
    pub household_no: Option<&'a str>,
    pub relation: &'a str,
    pub status: &'a str,
    pub disability_category: Option<&'a str>,
    pub disability_grade: Option<i64>,
    pub tags: &'a str,
}

impl<'a> PersonText<'a> {
    pub(crate) fn decode(self) -> Result<PersonView<'a>> {
        let male = Sex::parse(self.sex).ok_or_else(|| corrupt("sex", self.sex))? == Sex::Male;
        let alive = PersonStatus::parse(self.status, None).ok_or_else(|| corrupt("status", self.status))? == PersonStatus::Alive;
        let disability = match (self.disability_category, self.disability_grade) {
            (Some(c), Some(g)) => Some(Disability {
                category: DisabilityCategory::parse(c).ok_or_else(|| corrupt("disability", c))?,
                grade: u8::try_from(g).map_err(|_| corrupt("grade", &g.to_string()))?,
            }),
            _ => None,
        };
        Ok(PersonView {
            id_number: self.id_number,
            name: self.name,
            male,
            birth_date: self.birth_date,
            household_no: self.household_no,
            relation: Relation::parse(self.relation).ok_or_else(|| corrupt("relation", self.relation))?,
            alive,
            disability,
            tags: self.tags,
        })
    }
}

pub(crate) fn household_kind(kind: &str) -> Result<bool> {
    Ok(HouseholdKind::parse(kind).ok_or_else(|| corrupt("household kind", kind))? == HouseholdKind::Rural)
}

pub(crate) fn item_kind(kind: &str) -> Result<ItemKind> {
    ItemKind::parse(kind).ok_or_else(|| corrupt("kind", kind))
}

/// `YYYY-MM-DD` (as SQLite stores dates), read without the general date parser.
pub(crate) fn parse_iso_date(s: &str) -> Result<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let date = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?))
        .flatten();
    date.ok_or_else(|| corrupt("date", s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Items(Vec<(String, ItemKind, i64, String, NaiveDate)>);

    impl SnapshotSink for Items {
        fn household(&mut self, _: &SnapshotHousehold<'_>) {}
        fn person(&mut self, _: &PersonView<'_>) {}
        fn item(&mut self, i: &SnapshotItem<'_>) {
            self.0.push((i.id_number.to_string(), i.kind, i.amount, i.source.to_string(), i.as_of));
        }
    }

    #[test]
    fn held_items_are_handed_over_as_they_were_read_across_chunks() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 8, d).unwrap();
        let sources = ["工商", "银行存款", "公积金"];
        let rows: Vec<_> = (0..HeldItems::CHUNK * 2 + 3)
            .map(|n| {
                // ID numbers of several lengths (the store does not promise 18 characters).
                let id = format!("{:0width$}", n, width = 15 + n % 4);
                (id, ItemKind::ALL[n % ItemKind::ALL.len()], n as i64 * 7 - 50_000, sources[n % 3].to_string(), day(1 + (n % 28) as u32))
            })
            .collect();
        let mut held = HeldItems::default();
        for (id, kind, amount, source, as_of) in &rows {
            held.push(&SnapshotItem { id_number: id, kind: *kind, amount: *amount, source, as_of: *as_of }).unwrap();
        }
        assert_eq!(held.sources.len(), 3, "each dataset's name kept once");
        let mut sink = Items::default();
        assert_eq!(held.hand_over(&mut sink), rows.len() as u64);
        assert_eq!(sink.0, rows);
        assert_eq!(held.hand_over(&mut sink), 0, "handed over once");
    }

    #[test]
    fn iso_dates_are_read_as_chrono_reads_them() {
        for s in ["2026-08-01", "1900-02-28", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(parse_iso_date(s).unwrap(), s.parse::<NaiveDate>().unwrap(), "{s}");
        }
        for bad in ["2023-02-29", "2026-8-01", "2026-08-01 ", "2026/08/01", "", "20260801", "2026-13-01", "２０２６-08-01"] {
            assert!(parse_iso_date(bad).is_err(), "{bad}");
        }
    }
}
