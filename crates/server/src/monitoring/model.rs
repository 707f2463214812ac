//! 预警处置: a warning of the low-income monitoring as a task to people, and the rules of its
//! handling: assigned to the household's grid worker or community → 入户核实 (a home visit
//! with its findings) → 处置 (an application taken, a referral to another department, or no
//! assistance needed, with the reason) → 反馈 (reported back, closed). The time limit runs from
//! the warning on the working-day calendar; an open warning past it is 超期 and the street is
//! told (督办). Pure: no storage, no clock.

use chrono::NaiveDate;
use minzheng_domain::{Bilingual, WorkCalendar};
use minzheng_policy::warnings::{Responder, Severity};
use serde::{Deserialize, Serialize};

/// Where a warning stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    /// 待核实: raised and assigned, nobody has visited yet.
    Open,
    /// 已核实: the household was visited.
    Visited,
    /// 已处置: decided (applied, referred, no need ...), to be reported back.
    Handled,
    /// 已办结: reported back.
    Closed,
}

impl WarningStatus {
    pub const ALL: [WarningStatus; 4] = [WarningStatus::Open, WarningStatus::Visited, WarningStatus::Handled, WarningStatus::Closed];
    pub fn as_str(self) -> &'static str {
        match self {
            WarningStatus::Open => "open",
            WarningStatus::Visited => "visited",
            WarningStatus::Handled => "handled",
            WarningStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<WarningStatus> {
        WarningStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            WarningStatus::Open => "待核实",
            WarningStatus::Visited => "已入户核实",
            WarningStatus::Handled => "已处置待反馈",
            WarningStatus::Closed => "已办结",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            WarningStatus::Open => "to visit",
            WarningStatus::Visited => "visited",
            WarningStatus::Handled => "handled, to report back",
            WarningStatus::Closed => "closed",
        }
    }
    /// Before the decision: the time limit still runs.
    pub fn undecided(self) -> bool {
        matches!(self, WarningStatus::Open | WarningStatus::Visited)
    }
}

/// What was decided for the household (处置结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 已受理申请: an application for a program was taken (a case opened).
    Applied,
    /// 转介: passed to another department (medical, education, housing, employment).
    Referred,
    /// 本人拒绝: the household declined.
    Declined,
    /// 联系不上: not reachable after visits.
    Unreachable,
    /// 核实不符合: the visit found it not eligible.
    NotEligible,
    /// 无需救助: the situation needs no assistance (reason given).
    NoNeed,
}

impl Outcome {
    pub const ALL: [Outcome; 6] =
        [Outcome::Applied, Outcome::Referred, Outcome::Declined, Outcome::Unreachable, Outcome::NotEligible, Outcome::NoNeed];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Referred => "referred",
            Outcome::Declined => "declined",
            Outcome::Unreachable => "unreachable",
            Outcome::NotEligible => "not_eligible",
            Outcome::NoNeed => "no_need",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|x| x.as_str() == s || x.zh() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Outcome::Applied => "已受理救助申请",
            Outcome::Referred => "已转介相关部门",
            Outcome::Declined => "本人拒绝申请",
            Outcome::Unreachable => "多次联系不上",
            Outcome::NotEligible => "核实不符合条件",
            Outcome::NoNeed => "无需救助",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Outcome::Applied => "application taken",
            Outcome::Referred => "referred to a department",
            Outcome::Declined => "declined",
            Outcome::Unreachable => "not reachable",
            Outcome::NotEligible => "not eligible after the visit",
            Outcome::NoNeed => "no assistance needed",
        }
    }
}

/// The departments a need is referred to (转介).
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("medical", "医疗保障部门（医疗救助）"),
    ("education", "教育部门（教育救助）"),
    ("housing", "住房城乡建设部门（住房救助）"),
    ("employment", "人力资源社会保障部门（就业救助）"),
    ("disability", "残联"),
    ("charity", "慈善组织、社会力量"),
];

/// The department's name by its code.
pub fn department_zh(code: &str) -> Option<&'static str> {
    DEPARTMENTS.iter().find(|(c, _)| *c == code).map(|(_, zh)| *zh)
}

/// A warning and its task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub id: i64,
    /// The rule's code in `warnings.toml`.
    pub rule: String,
    pub severity: Severity,
    pub responder: Responder,
    /// The person the warning is about (for a household rule: a member).
    pub id_number: String,
    pub name: String,
    pub household_no: String,
    /// The household's community (12 digits) and grid.
    pub community: String,
    pub grid: String,
    /// What tells this occurrence from the next (see the rule).
    pub occurrence: i64,
    /// For a household rule the household number, else the ID number: with the rule and the
    /// occurrence, what is raised only once.
    pub subject: String,
    /// What the data said, in words (the explanation shown on the task).
    pub detail: String,
    pub raised_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The grid worker's account it is assigned to, when the grid has one (the community's
    /// desk otherwise).
    pub assignee: String,
    pub status: WarningStatus,
    pub escalated: bool,
    pub visited_on: Option<NaiveDate>,
    pub findings: String,
    pub outcome: Option<Outcome>,
    /// The program applied for, or the department referred to.
    pub target: String,
    pub decided_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub report: String,
    /// The run that raised it.
    pub run_id: i64,
}

impl Warning {
    /// Past its time limit without a decision.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.undecided() && today > self.due_on
    }
    /// Decided on time (None while undecided).
    pub fn on_time(&self) -> Option<bool> {
        self.decided_on.map(|d| d <= self.due_on)
    }
}

/// The due date of a warning raised on `raised` with a limit of `days` working days.
pub fn due(raised: NaiveDate, days: u32, cal: &WorkCalendar) -> NaiveDate {
    cal.add_working_days(raised, days)
}

/// A step of the handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 入户核实: the home visit and what was found.
    Visit { findings: String },
    /// 处置: the decision, with the program applied for or the department referred to, and why.
    Handle { outcome: Outcome, target: String, note: String },
    /// 反馈: reported back to whoever raised it; closes it.
    Report { note: String },
    /// 督办: told to the street as overdue.
    Escalate { note: String },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Visit { .. } => "visit",
            Step::Handle { .. } => "handle",
            Step::Report { .. } => "report",
            Step::Escalate { .. } => "escalate",
        }
    }
    pub fn zh(&self) -> &'static str {
        match self {
            Step::Visit { .. } => "入户核实",
            Step::Handle { .. } => "处置",
            Step::Report { .. } => "反馈办结",
            Step::Escalate { .. } => "超期督办",
        }
    }
    /// The words the step records.
    pub fn note(&self) -> String {
        match self {
            Step::Visit { findings } => findings.clone(),
            Step::Handle { outcome, target, note } => {
                let target = department_zh(target).map(str::to_string).unwrap_or_else(|| target.clone());
                [outcome.zh().to_string(), target, note.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("；")
            }
            Step::Report { note } | Step::Escalate { note } => note.clone(),
        }
    }
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningError {
    #[error("the step {step} cannot be taken on a warning that is {status}")]
    Order { step: &'static str, status: &'static str },
    #[error("write down what the visit found (at least 4 characters)")]
    NoFindings,
    #[error("name the program applied for")]
    NoProgram,
    #[error("choose the department referred to")]
    NoDepartment,
    #[error("give the reason (at least 4 characters)")]
    NoReason,
    #[error("the warning is escalated already")]
    EscalatedAlready,
    #[error("the warning is not past its time limit")]
    NotOverdue,
}

impl Bilingual for WarningError {
    fn zh(&self) -> String {
        match self {
            WarningError::Order { step, status } => format!("预警当前为“{status}”，不能办理“{step}”"),
            WarningError::NoFindings => "请填写入户核实情况（至少4个字）".into(),
            WarningError::NoProgram => "请选择受理申请的救助项目".into(),
            WarningError::NoDepartment => "请选择转介的部门".into(),
            WarningError::NoReason => "请填写理由（至少4个字）".into(),
            WarningError::EscalatedAlready => "该预警已督办".into(),
            WarningError::NotOverdue => "该预警尚未超期".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn enough(text: &str) -> bool {
    text.trim().chars().count() >= 4
}

/// The warning after a step taken on `today`, or why it cannot be taken. A visit may be
/// recorded again (a second visit) until the decision; the decision needs a visit first, except
/// 联系不上 (the visits found nobody).
pub fn apply(w: &Warning, step: &Step, today: NaiveDate, programs: &[String]) -> Result<Warning, WarningError> {
    let refuse = || WarningError::Order { step: step.zh(), status: w.status.zh() };
    let mut after = w.clone();
    match step {
        Step::Visit { findings } => {
            if !w.status.undecided() {
                return Err(refuse());
            }
            if !enough(findings) {
                return Err(WarningError::NoFindings);
            }
            after.status = WarningStatus::Visited;
            after.visited_on = Some(today);
            after.findings = findings.trim().to_string();
        }
        Step::Handle { outcome, target, note } => {
            let allowed = w.status == WarningStatus::Visited || (w.status == WarningStatus::Open && *outcome == Outcome::Unreachable);
            if !allowed {
                return Err(refuse());
            }
            match outcome {
                Outcome::Applied if !programs.iter().any(|p| p == target.trim()) => return Err(WarningError::NoProgram),
                Outcome::Referred if department_zh(target.trim()).is_none() => return Err(WarningError::NoDepartment),
                Outcome::Declined | Outcome::Unreachable | Outcome::NotEligible | Outcome::NoNeed if !enough(note) => {
                    return Err(WarningError::NoReason)
                }
                _ => {}
            }
            after.status = WarningStatus::Handled;
            after.outcome = Some(*outcome);
            after.target = if matches!(outcome, Outcome::Applied | Outcome::Referred) { target.trim().to_string() } else { String::new() };
            after.report = note.trim().to_string();
            after.decided_on = Some(today);
        }
        Step::Report { note } => {
            if w.status != WarningStatus::Handled {
                return Err(refuse());
            }
            after.status = WarningStatus::Closed;
            after.closed_on = Some(today);
            if !note.trim().is_empty() {
                after.report = if w.report.is_empty() { note.trim().to_string() } else { format!("{}；{}", w.report, note.trim()) };
            }
        }
        Step::Escalate { .. } => {
            if w.escalated {
                return Err(WarningError::EscalatedAlready);
            }
            if !w.overdue(today) {
                return Err(WarningError::NotOverdue);
            }
            after.escalated = true;
        }
    }
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn warning() -> Warning {
        Warning {
            id: 1,
            rule: "death_in_household".into(),
            severity: Severity::High,
            responder: Responder::Grid,
            id_number: "210112195001011234".into(),
            name: "王建国".into(),
            household_no: "H1".into(),
            community: "210112009001".into(),
            grid: "第一网格".into(),
            occurrence: 20261120,
            subject: "H1".into(),
            detail: String::new(),
            raised_on: d("2026-12-01"),
            due_on: d("2026-12-08"),
            assignee: String::new(),
            status: WarningStatus::Open,
            escalated: false,
            visited_on: None,
            findings: String::new(),
            outcome: None,
            target: String::new(),
            decided_on: None,
            closed_on: None,
            report: String::new(),
            run_id: 1,
        }
    }

    fn programs() -> Vec<String> {
        vec!["dibao".into(), "linshi".into()]
    }

    #[test]
    fn a_warning_is_visited_handled_and_reported_back() {
        let w = warning();
        let w = apply(&w, &Step::Visit { findings: "户主去世，配偶独居，无收入".into() }, d("2026-12-02"), &programs()).unwrap();
        assert_eq!(w.status, WarningStatus::Visited);
        let w = apply(
            &w,
            &Step::Handle { outcome: Outcome::Applied, target: "dibao".into(), note: String::new() },
            d("2026-12-03"),
            &programs(),
        )
        .unwrap();
        assert_eq!((w.status, w.on_time()), (WarningStatus::Handled, Some(true)));
        let w = apply(&w, &Step::Report { note: "已受理，转入审核".into() }, d("2026-12-04"), &programs()).unwrap();
        assert_eq!(w.status, WarningStatus::Closed);
        assert!(!w.overdue(d("2027-01-01")), "a closed warning is never overdue");
    }

    #[test]
    fn a_decision_needs_a_visit_unless_nobody_could_be_reached() {
        let w = warning();
        let e = apply(
            &w,
            &Step::Handle { outcome: Outcome::NoNeed, target: String::new(), note: "收入稳定".into() },
            d("2026-12-02"),
            &programs(),
        );
        assert!(matches!(e, Err(WarningError::Order { .. })));
        let w = apply(
            &w,
            &Step::Handle { outcome: Outcome::Unreachable, target: String::new(), note: "三次上门无人".into() },
            d("2026-12-02"),
            &programs(),
        )
        .unwrap();
        assert_eq!(w.outcome, Some(Outcome::Unreachable));
    }

    #[test]
    fn a_decision_names_what_it_decides() {
        let w = apply(&warning(), &Step::Visit { findings: "住院治疗中，自付费用高".into() }, d("2026-12-02"), &programs()).unwrap();
        let step = |outcome, target: &str, note: &str| Step::Handle { outcome, target: target.into(), note: note.into() };
        assert_eq!(apply(&w, &step(Outcome::Applied, "nothing", ""), d("2026-12-02"), &programs()), Err(WarningError::NoProgram));
        assert_eq!(apply(&w, &step(Outcome::Referred, "", ""), d("2026-12-02"), &programs()), Err(WarningError::NoDepartment));
        assert_eq!(apply(&w, &step(Outcome::NoNeed, "", "好"), d("2026-12-02"), &programs()), Err(WarningError::NoReason));
        let referred = apply(&w, &step(Outcome::Referred, "medical", "申请医疗救助"), d("2026-12-02"), &programs()).unwrap();
        assert_eq!(referred.target, "medical");
        assert_eq!(step(Outcome::Referred, "medical", "申请医疗救助").note(), "已转介相关部门；医疗保障部门（医疗救助）；申请医疗救助");
    }

    #[test]
    fn only_an_undecided_warning_past_its_limit_is_escalated_and_only_once() {
        let w = warning();
        let esc = Step::Escalate { note: "超期".into() };
        assert_eq!(apply(&w, &esc, d("2026-12-08"), &programs()), Err(WarningError::NotOverdue));
        let w = apply(&w, &esc, d("2026-12-09"), &programs()).unwrap();
        assert!(w.escalated);
        assert_eq!(apply(&w, &esc, d("2026-12-10"), &programs()), Err(WarningError::EscalatedAlready));
    }
}
