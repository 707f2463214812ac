//! 批量比对: everyone enrolled against departmental rows, by ID number.
//!
//! The enrolled persons are indexed once by ID body (a person may be in several enrolments);
//! departmental rows, already linked to a registry number (exactly, or through
//! [`crate::linkage`] for dirty ones), are probed against it on every core. The same index tells
//! who is enrolled twice in one program or in two programs that exclude each other.

use crate::idmatch::{body_of, Body};
use minzheng_domain::hash::FastMap;
use minzheng_domain::IdNumber;

/// 在保人员索引: enrolled persons by ID body, each with the enrolments they are in.
pub struct Roster {
    /// (body, enrolment), sorted by body.
    entries: Vec<(Body, u32)>,
    /// body → (start, count) in `entries`.
    index: FastMap<Body, (u32, u32)>,
}

/// A departmental row that names an enrolled person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// Index of the row in the rows compared.
    pub row: u32,
    /// Index of the enrolment (as given to [`Roster::new`]).
    pub enrolment: u32,
}

/// A person in two enrolments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap {
    pub body: Body,
    pub first: u32,
    pub second: u32,
}

impl Roster {
    /// Indexes (member ID, enrolment index) pairs.
    pub fn new(members: impl IntoIterator<Item = (IdNumber, u32)>) -> Roster {
        let mut entries: Vec<(Body, u32)> = members.into_iter().map(|(id, e)| (body_of(&id), e)).collect();
        entries.sort_unstable();
        entries.dedup();
        let mut index = FastMap::with_capacity_and_hasher(entries.len(), Default::default());
        let mut i = 0;
        while i < entries.len() {
            let body = entries[i].0;
            let start = i;
            while i < entries.len() && entries[i].0 == body {
                i += 1;
            }
            index.insert(body, (start as u32, (i - start) as u32));
        }
        Roster { entries, index }
    }

    /// Number of distinct persons.
    pub fn persons(&self) -> usize {
        self.index.len()
    }

    /// The enrolments a person is in.
    pub fn enrolments_of(&self, id: &IdNumber) -> impl Iterator<Item = u32> + '_ {
        self.of_body(body_of(id))
    }

    fn of_body(&self, body: Body) -> impl Iterator<Item = u32> + '_ {
        let (start, count) = self.index.get(&body).copied().unwrap_or((0, 0));
        self.entries[start as usize..(start + count) as usize].iter().map(|(_, e)| *e)
    }

    /// Every (row, enrolment) where a row names an enrolled person, in row order. Runs on all
    /// cores; rows are ID numbers as linked to the registry.
    pub fn hits(&self, rows: &[IdNumber]) -> Vec<Hit> {
        crate::on_all_cores(rows, |first, part| {
            let mut out = Vec::new();
            for (k, id) in part.iter().enumerate() {
                if let Some(&(start, count)) = self.index.get(&body_of(id)) {
                    let row = (first + k) as u32;
                    for &(_, enrolment) in &self.entries[start as usize..(start + count) as usize] {
                        out.push(Hit { row, enrolment });
                    }
                }
            }
            out
        })
    }

    /// Every person in more than one enrolment, once per pair of enrolments (first < second).
    pub fn overlaps(&self) -> Vec<Overlap> {
        let mut out = Vec::new();
        for (&body, &(start, count)) in &self.index {
            let list = &self.entries[start as usize..(start + count) as usize];
            for (i, a) in list.iter().enumerate() {
                for b in &list[i + 1..] {
                    out.push(Overlap { body, first: a.1.min(b.1), second: a.1.max(b.1) });
                }
            }
        }
        out.sort_unstable_by_key(|o| (o.first, o.second, o.body));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IdNumber {
        IdNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    const A: &str = "210102195001011239";
    const B: &str = "210102198001010029";
    const C: &str = "210112201001010018";

    #[test]
    fn rows_naming_enrolled_persons_are_hits_and_others_are_not() {
        let roster = Roster::new([(id(A), 0), (id(B), 0), (id(A), 1)]);
        assert_eq!(roster.persons(), 2);
        let hits = roster.hits(&[id(C), id(A), id(B), id(C)]);
        assert_eq!(hits, vec![Hit { row: 1, enrolment: 0 }, Hit { row: 1, enrolment: 1 }, Hit { row: 2, enrolment: 0 }]);
    }

    #[test]
    fn a_person_in_two_enrolments_overlaps_once() {
        let roster = Roster::new([(id(A), 3), (id(B), 3), (id(A), 1), (id(A), 3)]);
        assert_eq!(roster.overlaps(), vec![Overlap { body: body_of(&id(A)), first: 1, second: 3 }]);
        assert_eq!(roster.enrolments_of(&id(A)).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(roster.enrolments_of(&id(C)).count(), 0);
    }
}
