//! What an evaluation produces: the features of a date, the parameters in force, and each program's units and totals.

#[allow(unused_imports)]
use super::*;

/// Features materialised for one evaluation date: the warm snapshot the programs read.
#[derive(Debug, Clone)]
pub struct Features {
    pub on: NaiveDate,
    pub views: Vec<Table>,
    /// Every (county, area) present, for the parameter table.
    pub counties: Vec<(String, Area)>,
}

impl Features {
    pub fn view(&self, name: &str) -> Option<&Table> {
        self.views.iter().find(|t| t.name == name)
    }
}

/// Parameters resolved for every county and area on a date: one row each.
#[derive(Debug, Clone)]
pub struct ParamSet {
    pub on: NaiveDate,
    pub table: Table,
    /// (county, area) → parameter name → the record in force.
    pub used: BTreeMap<(String, Area), BTreeMap<String, ParameterRecord>>,
}

/// The result of one program over its population.
#[derive(Debug, Clone)]
pub struct ProgramRun {
    pub code: String,
    pub unit: Unit,
    pub batches: Vec<RecordBatch>,
}

impl ProgramRun {
    /// Each unit's result, batch by batch.
    pub fn units(&self) -> impl Iterator<Item = UnitResult<'_>> + '_ {
        let code = self.code.as_str();
        self.batches.iter().flat_map(move |b| {
            let cols = match (
                column::<Int64Type>(b, "unit"),
                column::<Int32Type>(b, "county"),
                b.column_by_name("rural").map(|c| c.as_boolean()),
                b.column_by_name("eligible").map(|c| c.as_boolean()),
                column::<Int64Type>(b, "amount"),
            ) {
                (Some(u), Some(c), Some(r), Some(e), Some(a)) => Some((u, c, r, e, a)),
                _ => None,
            };
            let rows = if cols.is_some() { b.num_rows() } else { 0 };
            (0..rows).filter_map(move |i| {
                let (unit, county, rural, eligible, amount) = cols?;
                Some(UnitResult {
                    program: code,
                    unit: unit.value(i),
                    county: county.value(i),
                    rural: rural.value(i),
                    eligible: eligible.value(i),
                    amount: amount.value(i),
                })
            })
        })
    }

    /// For each unit not eligible, what it failed, in the program's words: its unmet conditions
    /// (中文), a program it requires and is not in, a program it is excluded by.
    pub fn unmet(&self, policy: &PolicySet, program: &Program) -> Vec<(i64, Vec<String>)> {
        use datafusion::arrow::array::Array;
        let name_of = |code: &str| policy.program(code).map_or_else(|| code.to_string(), |p| p.zh.clone());
        // As the explanation says it: enrolled in the other program, or qualifying by its rules;
        // for a household program excluded by a person program, every member so.
        let excluded_as = |link: &crate::ProgramLink| crate::explain::excluded_words(policy, program, link).0;
        let mut out = Vec::new();
        for b in &self.batches {
            let (Some(units), Some(eligible)) = (column::<Int64Type>(b, "unit"), b.column_by_name("eligible").map(|c| c.as_boolean()))
            else {
                continue;
            };
            let flag = |col: String| b.column_by_name(&col).map(|c| c.as_boolean().clone());
            let conditions: Vec<_> = (0..program.conditions.len()).map(|i| flag(format!("c_{i}"))).collect();
            let requires: Vec<_> = (0..program.requires.len()).map(|i| flag(format!("rq_{i}"))).collect();
            let excluded: Vec<_> = (0..program.excluded_by.len()).map(|i| flag(format!("ex_{i}"))).collect();
            for row in (0..b.num_rows()).filter(|&r| !eligible.value(r)) {
                let failed = |c: &Option<BooleanArray>| c.as_ref().is_some_and(|c| c.is_valid(row) && !c.value(row));
                let mut why: Vec<String> =
                    program.conditions.iter().zip(&conditions).filter(|(_, c)| failed(c)).map(|(c, _)| c.zh.clone()).collect();
                why.extend(
                    program.requires.iter().zip(&requires).filter(|(_, c)| failed(c)).map(|(code, _)| format!("须先符合{}", name_of(code))),
                );
                why.extend(program.excluded_by.iter().zip(&excluded).filter(|(_, c)| failed(c)).map(|(link, _)| excluded_as(link)));
                out.push((units.value(row), why));
            }
        }
        out
    }

    /// Which units are eligible, indexed by unit (pid or hid are positions in the snapshot).
    pub fn eligible_by_unit(&self) -> Vec<bool> {
        let mut out = Vec::new();
        for u in self.units() {
            let i = u.unit.max(0) as usize;
            if out.len() <= i {
                out.resize(i + 1, false);
            }
            out[i] = u.eligible;
        }
        out
    }
}

/// Every program's result for one snapshot, date and parameter set.
#[derive(Debug, Clone)]
pub struct Run {
    pub on: NaiveDate,
    pub programs: Vec<ProgramRun>,
}

/// Totals of one program in one county and area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Units considered (the population).
    pub considered: u64,
    pub eligible: u64,
    /// Monthly amount, fen.
    pub amount: i64,
}

/// One unit's result in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitResult<'a> {
    pub program: &'a str,
    /// pid or hid in the snapshot.
    pub unit: i64,
    pub county: i32,
    pub rural: bool,
    pub eligible: bool,
    pub amount: i64,
}

impl Run {
    /// Every unit considered by every program.
    pub fn units(&self) -> Vec<UnitResult<'_>> {
        self.programs.iter().flat_map(ProgramRun::units).collect()
    }

    pub fn program(&self, code: &str) -> Option<&ProgramRun> {
        self.programs.iter().find(|p| p.code == code)
    }

    /// Totals per program, county and area.
    pub fn totals(&self) -> BTreeMap<(String, i32, bool), Totals> {
        let mut out: BTreeMap<(String, i32, bool), Totals> = BTreeMap::new();
        for p in &self.programs {
            // Per (county, area) in a small map; the program's code is copied once per group.
            let mut groups: BTreeMap<(i32, bool), Totals> = BTreeMap::new();
            for u in p.units() {
                let t = groups.entry((u.county, u.rural)).or_default();
                t.considered += 1;
                if u.eligible {
                    t.eligible += 1;
                    t.amount += u.amount;
                }
            }
            out.extend(groups.into_iter().map(|((county, rural), t)| ((p.code.clone(), county, rural), t)));
        }
        out
    }

    /// Totals per program over everything.
    pub fn program_totals(&self) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for ((code, _, _), t) in self.totals() {
            let e = out.entry(code).or_default();
            e.considered += t.considered;
            e.eligible += t.eligible;
            e.amount += t.amount;
        }
        out
    }

    /// Each eligible unit's amount: (program, unit) → amount in fen.
    pub fn eligible_units(&self) -> BTreeMap<(String, i64), i64> {
        self.units().into_iter().filter(|u| u.eligible).map(|u| ((u.program.to_string(), u.unit), u.amount)).collect()
    }
}

pub(crate) fn column<'a, T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    b: &'a RecordBatch,
    name: &str,
) -> Option<&'a datafusion::arrow::array::PrimitiveArray<T>> {
    b.column_by_name(name).and_then(|c| c.as_primitive_opt::<T>())
}

/// `2026-07-01` → 20260701.
pub fn ymd(d: NaiveDate) -> i32 {
    d.year() * 10000 + d.month() as i32 * 100 + d.day() as i32
}
