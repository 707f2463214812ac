//! A record-linkage case from a generated city, with its answer key: the registry side, the
//! departmental records as written (planted errors included) and, for each record, its true
//! person. Used by the linkage tests and `minzheng bench link`.

use crate::City;
use minzheng_domain::IdNumber;
use std::collections::HashMap;

pub struct LinkageCase {
    /// Registry persons: ID number and name.
    pub persons: Vec<(IdNumber, String)>,
    /// Departmental records: ID number and name as recorded.
    pub records: Vec<(String, String)>,
    /// Each record's true person, as an index into `persons`, when that person is registered.
    pub truth: Vec<Option<u32>>,
    /// Records whose ID number or name differs from the truth (a planted error).
    pub dirty: Vec<bool>,
}

impl City {
    /// The case: persons for whom `registered(index)` holds form the registry; every departmental
    /// row, up to `max_records` (taken evenly across the datasets), is a record.
    pub fn linkage_case(&self, registered: impl Fn(usize) -> bool, max_records: usize) -> LinkageCase {
        let persons: Vec<(IdNumber, String)> =
            self.persons.iter().enumerate().filter(|(i, _)| registered(*i)).map(|(_, p)| (p.id_number, p.name.clone())).collect();
        let index: HashMap<IdNumber, u32> = persons.iter().enumerate().map(|(i, p)| (p.0, i as u32)).collect();
        let planted: HashMap<(&str, &str, &str), (IdNumber, &str)> = self
            .anomalies
            .iter()
            .map(|a| ((a.dataset, a.recorded_id.as_str(), a.recorded_name.as_str()), (a.true_id, a.true_name.as_str())))
            .collect();
        let total: usize = self.datasets.iter().map(|t| t.rows.len()).sum();
        let wanted = max_records.min(total);
        let mut case = LinkageCase { persons: Vec::new(), records: Vec::new(), truth: Vec::new(), dirty: Vec::new() };
        // Row k is taken when it crosses the next multiple of total / wanted: evenly spread.
        let taken = |k: usize| (k + 1) * wanted / total.max(1) > k * wanted / total.max(1);
        let rows = self
            .datasets
            .iter()
            .flat_map(|t| t.rows.iter().map(move |r| (t.name, r)))
            .enumerate()
            .filter(|(k, _)| taken(*k))
            .map(|(_, r)| r);
        for (dataset, row) in rows {
            let (Some(id), Some(name)) = (row.first(), row.get(1)) else { continue };
            let planted_true = planted.get(&(dataset, id.as_str(), name.as_str())).copied();
            let Some(true_id) = planted_true.map(|t| t.0).or_else(|| IdNumber::parse(id).ok()) else { continue };
            case.dirty.push(planted_true.is_some_and(|(tid, tname)| tid.as_str() != id || tname != name));
            case.truth.push(index.get(&true_id).copied());
            case.records.push((id.clone(), name.clone()));
        }
        case.persons = persons;
        case
    }
}
