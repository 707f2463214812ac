//! *Check* one household (资格核算): every program, eligible or not, the amount, and why: each
//! condition with its result, the feature values and parameters it used (with their effective
//! date, region and reason), the data sources and the legal basis.

use crate::defs::{Area, LinkWhen, PolicySet, Program, ProgramLink, Unit};
use crate::engine::{column, Engine, EngineError, Features, ParamSet, Run};
use crate::params::ParameterRecord;
use crate::snapshot::Snapshot;
use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int32Type, Int64Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::array_value_to_string;
use serde::Serialize;

/// A feature's value as used by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureValue {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub unit: Option<String>,
    pub source: String,
    pub value: String,
}

/// A parameter as used by a rule: its value and the record it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParamUse {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub unit: String,
    pub basis: String,
    /// None when no value is in force (the rule is then not met).
    pub record: Option<ParameterRecord>,
}

/// What a step of the decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Condition,
    /// Eligible for another program first (e.g. a 低保 household).
    Requires,
    /// Not in a program that excludes this one: not enrolled in it, or not qualifying by its
    /// rules, as the link says.
    NotExcludedBy,
    /// The other program's amount per member is subtracted (只发差额): the amount granted, or
    /// the amount its rules give, as the link says.
    OffsetBy,
}

/// One step of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    pub name: String,
    pub zh: String,
    pub en: String,
    pub sql: String,
    pub basis: String,
    pub met: bool,
    /// For offsets: the amount subtracted, fen.
    pub value: Option<i64>,
    pub features: Vec<FeatureValue>,
    pub parameters: Vec<ParamUse>,
}

/// The decision for one unit (the household, or one member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitCheck {
    /// Household number, or the member's ID number.
    pub unit: String,
    pub name: Option<String>,
    pub eligible: bool,
    /// Monthly amount, fen (0 unless eligible).
    pub amount: i64,
    /// The formula's value before offsets, fen.
    pub formula_amount: i64,
    pub steps: Vec<Step>,
    /// How the amount is computed.
    pub amount_rule: Step,
}

/// One program's decision for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramCheck {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub unit: Unit,
    pub basis: String,
    pub review_months: u32,
    /// Why nobody is considered, when the population rule leaves everyone out.
    pub population: String,
    pub units: Vec<UnitCheck>,
}

impl ProgramCheck {
    pub fn eligible(&self) -> bool {
        self.units.iter().any(|u| u.eligible)
    }
    pub fn amount(&self) -> i64 {
        self.units.iter().map(|u| u.amount).sum()
    }
}

/// The check of one household on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub household_no: String,
    pub on: NaiveDate,
    pub county: String,
    pub area: Area,
    pub programs: Vec<ProgramCheck>,
}

impl Engine {
    /// Checks one household, given a snapshot holding it (and only it, for speed), the parameter
    /// history and the date.
    pub async fn check(&self, snapshot: &Snapshot, records: &[ParameterRecord], on: NaiveDate) -> Result<Option<Check>, EngineError> {
        // One household: one partition, nothing to spread over threads, plans made once.
        let (features, params, run) = self.evaluate_small(snapshot, records, on).await?;
        let household_no = snapshot
            .table("household")
            .and_then(|t| t.partitions.iter().flatten().find(|b| b.num_rows() > 0).map(|b| text(b, "household_no", 0)))
            .unwrap_or_default();
        let hh = features.view("household_features");
        let first = hh.and_then(|hh| hh.partitions.iter().flatten().find(|b| b.num_rows() > 0));
        let Some(hid) = first.and_then(|b| column::<Int64Type>(b, "hid")).map(|c| c.value(0)) else { return Ok(None) };
        Ok(Explainer::new(&self.policy, &features, &params, &run).named(snapshot).check(hid, household_no))
    }
}

/// Builds the explanation of the first household in a run (person units without names: see
/// [`Explainer::named`]).
pub fn explain(policy: &PolicySet, features: &Features, params: &ParamSet, run: &Run, household_no: String) -> Option<Check> {
    let hh = features.view("household_features")?;
    let first = hh.partitions.iter().flatten().find(|b| b.num_rows() > 0)?;
    let hid = column::<Int64Type>(first, "hid")?.value(0);
    Explainer::new(policy, features, params, run).check(hid, household_no)
}

/// Explanations of any household of a run over many: the feature and result rows indexed once
/// by household, so that explaining the households a sweep selected costs no new evaluation.
pub struct Explainer<'a> {
    policy: &'a PolicySet,
    params: &'a ParamSet,
    on: NaiveDate,
    /// hid → its row of `household_features`.
    households: std::collections::HashMap<i64, (&'a RecordBatch, usize)>,
    /// pid → its row of `person_features`.
    persons: std::collections::HashMap<i64, (&'a RecordBatch, usize)>,
    /// Per program (in policy order): hid → the program's result rows of that household's units.
    results: Vec<std::collections::HashMap<i64, Vec<(&'a RecordBatch, usize)>>>,
    /// ID number → name, for person units (from the snapshot, when given).
    names: std::collections::HashMap<String, String>,
}

impl<'a> Explainer<'a> {
    pub fn new(policy: &'a PolicySet, features: &'a Features, params: &'a ParamSet, run: &'a Run) -> Explainer<'a> {
        let rows_of = |view: &str, key: &str| -> std::collections::HashMap<i64, (&'a RecordBatch, usize)> {
            let mut out = std::collections::HashMap::new();
            for b in features.view(view).map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
                if let Some(c) = column::<Int64Type>(b, key) {
                    for i in 0..b.num_rows() {
                        out.insert(c.value(i), (b, i));
                    }
                }
            }
            out
        };
        let households = rows_of("household_features", "hid");
        let persons = rows_of("person_features", "pid");
        let hid_of_person = |pid: i64| persons.get(&pid).and_then(|(b, r)| column::<Int64Type>(b, "hid").map(|c| c.value(*r)));
        let mut results = Vec::with_capacity(policy.programs.len());
        for p in &policy.programs {
            let mut by_household: std::collections::HashMap<i64, Vec<(&'a RecordBatch, usize)>> = std::collections::HashMap::new();
            for b in run.program(&p.code).map(|r| r.batches.iter().collect::<Vec<_>>()).unwrap_or_default() {
                let Some(units) = column::<Int64Type>(b, "unit") else { continue };
                for row in 0..b.num_rows() {
                    let unit = units.value(row);
                    let hid = match p.unit {
                        Unit::Household => Some(unit),
                        Unit::Person => hid_of_person(unit),
                    };
                    if let Some(hid) = hid {
                        by_household.entry(hid).or_default().push((b, row));
                    }
                }
            }
            // Members in the order the snapshot lists them (a join may hand them back in any).
            for rows in by_household.values_mut() {
                rows.sort_by_key(|(b, row)| column::<Int64Type>(b, "unit").map(|c| c.value(*row)));
            }
            results.push(by_household);
        }
        Explainer { policy, params, on: features.on, households, persons, results, names: std::collections::HashMap::new() }
    }

    /// Person units explained under their names, read from the snapshot the run was made from.
    pub fn named(mut self, snapshot: &Snapshot) -> Explainer<'a> {
        for b in snapshot.table("person").map(|t| t.partitions.iter().flatten().collect::<Vec<_>>()).unwrap_or_default() {
            for row in 0..b.num_rows() {
                let name = text(b, "name", row);
                if !name.is_empty() {
                    self.names.insert(text(b, "id_number", row), name);
                }
            }
        }
        self
    }

    /// The check of household `hid` (its number given for the label), if the run has it.
    pub fn check(&self, hid: i64, household_no: String) -> Option<Check> {
        let &(hh_batch, hh_row) = self.households.get(&hid)?;
        let county = column::<Int32Type>(hh_batch, "county")?.value(hh_row).to_string();
        let area = if hh_batch.column_by_name("rural")?.as_boolean().value(hh_row) { Area::Rural } else { Area::Urban };
        let used = self.params.used.get(&(county.clone(), area)).cloned().unwrap_or_default();
        let mut programs = Vec::new();
        for (p, by_household) in self.policy.programs.iter().zip(&self.results) {
            let mut units = Vec::new();
            for &(b, row) in by_household.get(&hid).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(unit) = column::<Int64Type>(b, "unit").map(|c| c.value(row)) else { continue };
                let (frow, label, name) = match p.unit {
                    Unit::Household => ((hh_batch, hh_row), household_no.clone(), None),
                    Unit::Person => match self.persons.get(&unit) {
                        Some(&(pb, pr)) => {
                            let label = text(pb, "id_number", pr);
                            let name = self.names.get(&label).cloned();
                            ((pb, pr), label, name)
                        }
                        None => continue,
                    },
                };
                units.push(unit_check(self.policy, p, b, row, frow, &used, label, name));
            }
            programs.push(ProgramCheck {
                code: p.code.clone(),
                zh: p.zh.clone(),
                en: p.en.clone(),
                unit: p.unit,
                basis: p.basis.clone(),
                review_months: p.review_months,
                population: p.population.clone(),
                units,
            });
        }
        Some(Check { household_no, on: self.on, county, area, programs })
    }
}

fn text(b: &RecordBatch, col: &str, row: usize) -> String {
    b.column_by_name(col).and_then(|c| array_value_to_string(c, row).ok()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn unit_check(
    policy: &PolicySet,
    p: &Program,
    result: &RecordBatch,
    row: usize,
    (fb, fr): (&RecordBatch, usize),
    used: &std::collections::BTreeMap<String, ParameterRecord>,
    label: String,
    name: Option<String>,
) -> UnitCheck {
    let flag = |col: &str| result.column_by_name(col).map(|c| c.as_boolean()).is_some_and(|c| c.is_valid(row) && c.value(row));
    let int = |col: &str| column::<Int64Type>(result, col).map(|c| c.value(row)).unwrap_or(0);
    let step = |kind, name: &str, zh: &str, en: &str, sql: &str, basis: &str, met: bool, value: Option<i64>| {
        let (ps, ids) = PolicySet::references(sql);
        Step {
            kind,
            name: name.into(),
            zh: zh.into(),
            en: en.into(),
            sql: sql.into(),
            basis: basis.into(),
            met,
            value,
            features: ids
                .iter()
                .filter_map(|id| policy.feature(id))
                .map(|f| FeatureValue {
                    name: f.name.clone(),
                    zh: f.zh.clone(),
                    en: f.en.clone(),
                    unit: f.unit.clone(),
                    source: f.source.clone(),
                    value: text(fb, &f.name, fr),
                })
                .collect(),
            parameters: ps
                .iter()
                .filter_map(|n| policy.parameter(n))
                .map(|d| ParamUse {
                    name: d.name.clone(),
                    zh: d.zh.clone(),
                    en: d.en.clone(),
                    unit: d.unit.clone(),
                    basis: d.basis.clone(),
                    record: used.get(&d.name).cloned(),
                })
                .collect(),
        }
    };
    let mut steps = Vec::new();
    for (i, c) in p.conditions.iter().enumerate() {
        steps.push(step(StepKind::Condition, &c.name, &c.zh, &c.en, &c.sql, &c.basis, flag(&format!("c_{i}")), None));
    }
    let other = |code: &str| policy.program(code).map(|o| (o.zh.clone(), o.en.clone(), o.basis.clone())).unwrap_or_default();
    for (i, code) in p.requires.iter().enumerate() {
        let (zh, en, basis) = other(code);
        steps.push(step(
            StepKind::Requires,
            code,
            &format!("属于{zh}对象"),
            &format!("Eligible for {en}"),
            "",
            &basis,
            flag(&format!("rq_{i}")),
            None,
        ));
    }
    let basis_of = |link: &ProgramLink, other: String| if link.basis.is_empty() { other } else { link.basis.clone() };
    for (i, link) in p.excluded_by.iter().enumerate() {
        let (_, _, basis) = other(&link.program);
        // Said as it is decided: by who is enrolled, or by the other program's rules.
        let (_, _, z, e) = excluded_words(policy, p, link);
        let basis = basis_of(link, basis);
        steps.push(step(StepKind::NotExcludedBy, &link.program, &z, &e, "", &basis, flag(&format!("ex_{i}")), None));
    }
    for (i, link) in p.offset_by.iter().enumerate() {
        let (zh, en, basis) = other(&link.program);
        let v = int(&format!("off_{i}"));
        let (z, e) = match link.when {
            LinkWhen::Enrolled => {
                (format!("已纳入{zh}的（看在保记录），只发差额"), format!("Only the difference to the {en} granted (by enrolment)"))
            }
            LinkWhen::Eligible => (
                format!("符合{zh}条件的（按规则判断，不看在保记录），只发差额"),
                format!("Only the difference to {en}, as its rules give (not by enrolment)"),
            ),
        };
        let basis = basis_of(link, basis);
        steps.push(step(StepKind::OffsetBy, &link.program, &z, &e, "", &basis, v > 0, Some(v)));
    }
    let amount = int("amount");
    let amount_rule = step(
        StepKind::Condition,
        "amount",
        &p.amount.zh,
        &p.amount.en,
        &p.amount.sql,
        &p.amount.basis,
        amount > 0,
        Some(int("raw_amount")),
    );
    UnitCheck { unit: label, name, eligible: flag("eligible"), amount, formula_amount: int("raw_amount"), steps, amount_rule }
}

/// How an exclusion reads, as (failed zh, failed en, met zh, met en): enrolled in the other
/// program or qualifying by its rules, as the link says; for a household program excluded by a
/// person program, every counted member so.
pub(crate) fn excluded_words(policy: &PolicySet, p: &Program, link: &ProgramLink) -> (String, String, String, String) {
    let (zh, en) =
        policy.program(&link.program).map(|o| (o.zh.clone(), o.en.clone())).unwrap_or_else(|| (link.program.clone(), link.program.clone()));
    let every_member = p.unit == Unit::Household && policy.program(&link.program).is_some_and(|o| o.unit == Unit::Person);
    match (link.when, every_member) {
        (LinkWhen::Enrolled, true) => (
            format!("全部成员已纳入{zh}（看在保记录；不得重复享受）"),
            format!("Every member is enrolled in {en} (by enrolment; not both)"),
            format!("并非全部成员已纳入{zh}（看在保记录；两者不得重复享受）"),
            format!("Not every member is enrolled in {en} (by enrolment; not both)"),
        ),
        (LinkWhen::Enrolled, false) => (
            format!("已纳入{zh}（看在保记录；不得重复享受）"),
            format!("Enrolled in {en} (by enrolment; not both)"),
            format!("未纳入{zh}（看在保记录；两者不得重复享受）"),
            format!("Not enrolled in {en} (by enrolment; not both)"),
        ),
        (LinkWhen::Eligible, true) => (
            format!("全部成员符合{zh}的条件（按规则判断；不得重复享受）"),
            format!("Every member qualifies for {en} by its rules (not both)"),
            format!("并非全部成员符合{zh}的条件（按规则判断，不看在保记录；两者不得重复享受）"),
            format!("Not every member qualifies for {en} by its rules (not by enrolment; not both)"),
        ),
        (LinkWhen::Eligible, false) => (
            format!("符合{zh}的条件（按规则判断；不得重复享受）"),
            format!("Qualifies for {en} by its rules (not both)"),
            format!("不符合{zh}的条件（按规则判断，不看在保记录；两者不得重复享受）"),
            format!("Does not qualify for {en} by its rules (not by enrolment; not both)"),
        ),
    }
}
