//! 比对疑点 / Findings of the data comparison and their workflow.
//!
//! A finding says that an enrolment may be wrong (应退尽退): a member is dead, paid twice, moved
//! away, owns what the rules exclude. It carries the evidence (both records, each with its
//! source and batch), a confidence, and the owning region whose staff must settle it:
//! new → assigned → verified → resolved as stop, recover the overpayment, correct the data, or a
//! false positive (《社会救助暂行办法》第十三条: the county and street check enrolled households
//! regularly and raise, reduce or stop the payment as their situation changes; 动态管理, 应退尽退).

use crate::{Bilingual, IdNumber, RegionCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 疑点类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// 死亡未停保: a death record (public security, funeral) or the registry says the member died.
    Deceased,
    /// 重复享受: the same person in two active enrolments of one program (two regions or two households).
    EnrolledTwice,
    /// 互斥项目: the same person in two programs that exclude each other (特困 and 低保).
    IncompatiblePrograms,
    /// 户籍迁出: the member's hukou is no longer in the owning county, or the registry marks them moved out.
    MovedOut,
    /// 成员不符: the enrolled members differ from the registry household.
    MembersMismatch,
    /// 不再符合条件: vehicles, property, business or income beyond the rules, as the policy engine finds.
    NoLongerEligible,
    /// 空挂户（户在人不在）: the hukou is held here but the member lives, works or is insured in
    /// another city according to another department's data.
    Absent,
    /// 死亡后仍发放 (资金监督): a payment list pays a month after the payee's death.
    PaidAfterDeath,
    /// 重复发放 (资金监督): one person paid the same month twice, or under programs that exclude each other.
    PaidTwice,
    /// 一号多人 (资金监督): one account receives for persons of different households (cards held by others).
    SharedAccount,
    /// 区域外发放 (资金监督): the payee's household is outside the paying county.
    PaidOutsideRegion,
    /// 工作人员近亲属 (资金监督): the payee is a filed close relative of a member of staff; the
    /// household is always visited (《最低生活保障审核确认办法》: 近亲属申请单独登记备案).
    StaffRelative,
    /// 金额与规则不符 (资金监督): the month's amount differs from what the rules give for it.
    AmountDiffers,
}

impl FindingKind {
    pub const ALL: [FindingKind; 13] = [
        FindingKind::Deceased,
        FindingKind::EnrolledTwice,
        FindingKind::IncompatiblePrograms,
        FindingKind::MovedOut,
        FindingKind::MembersMismatch,
        FindingKind::NoLongerEligible,
        FindingKind::Absent,
        FindingKind::PaidAfterDeath,
        FindingKind::PaidTwice,
        FindingKind::SharedAccount,
        FindingKind::PaidOutsideRegion,
        FindingKind::StaffRelative,
        FindingKind::AmountDiffers,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Deceased => "deceased",
            FindingKind::EnrolledTwice => "enrolled_twice",
            FindingKind::IncompatiblePrograms => "incompatible_programs",
            FindingKind::MovedOut => "moved_out",
            FindingKind::MembersMismatch => "members_mismatch",
            FindingKind::NoLongerEligible => "no_longer_eligible",
            FindingKind::Absent => "absent",
            FindingKind::PaidAfterDeath => "paid_after_death",
            FindingKind::PaidTwice => "paid_twice",
            FindingKind::SharedAccount => "shared_account",
            FindingKind::PaidOutsideRegion => "paid_outside_region",
            FindingKind::StaffRelative => "staff_relative",
            FindingKind::AmountDiffers => "amount_differs",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            FindingKind::Deceased => "死亡未停保",
            FindingKind::EnrolledTwice => "重复享受",
            FindingKind::IncompatiblePrograms => "互斥项目同时享受",
            FindingKind::MovedOut => "户籍迁出",
            FindingKind::MembersMismatch => "家庭成员不符",
            FindingKind::NoLongerEligible => "不再符合条件",
            FindingKind::Absent => "空挂户（户在人不在）",
            FindingKind::PaidAfterDeath => "死亡后仍发放",
            FindingKind::PaidTwice => "重复发放",
            FindingKind::SharedAccount => "一号多人（疑似代领冒领）",
            FindingKind::PaidOutsideRegion => "区域外发放",
            FindingKind::StaffRelative => "工作人员近亲属享受",
            FindingKind::AmountDiffers => "发放金额与规则不符",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            FindingKind::Deceased => "deceased, still enrolled",
            FindingKind::EnrolledTwice => "enrolled twice",
            FindingKind::IncompatiblePrograms => "incompatible programs",
            FindingKind::MovedOut => "hukou moved out",
            FindingKind::MembersMismatch => "members differ from the registry",
            FindingKind::NoLongerEligible => "no longer eligible",
            FindingKind::Absent => "registered but living elsewhere",
            FindingKind::PaidAfterDeath => "paid after death",
            FindingKind::PaidTwice => "paid twice",
            FindingKind::SharedAccount => "one account for several households",
            FindingKind::PaidOutsideRegion => "paid outside the county",
            FindingKind::StaffRelative => "paid to a relative of staff",
            FindingKind::AmountDiffers => "amount differs from the rules",
        }
    }
    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// 处理状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// 新发现
    New,
    /// 已分派: a named worker checks it.
    Assigned,
    /// 已核实: the worker confirmed (or disproved) it on the spot.
    Verified,
    /// 已办结
    Resolved,
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 4] = [FindingStatus::New, FindingStatus::Assigned, FindingStatus::Verified, FindingStatus::Resolved];
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Assigned => "assigned",
            FindingStatus::Verified => "verified",
            FindingStatus::Resolved => "resolved",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            FindingStatus::New => "新发现",
            FindingStatus::Assigned => "已分派",
            FindingStatus::Verified => "已核实",
            FindingStatus::Resolved => "已办结",
        }
    }
    pub fn parse(s: &str) -> Option<FindingStatus> {
        FindingStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// 处理结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// 停保
    Stop,
    /// 追回多发资金
    RecoverOverpayment,
    /// 更正数据
    CorrectData,
    /// 误报: the data was wrong or the rule does not apply.
    FalsePositive,
}

impl Resolution {
    pub const ALL: [Resolution; 4] = [Resolution::Stop, Resolution::RecoverOverpayment, Resolution::CorrectData, Resolution::FalsePositive];
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Stop => "stop",
            Resolution::RecoverOverpayment => "recover_overpayment",
            Resolution::CorrectData => "correct_data",
            Resolution::FalsePositive => "false_positive",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Resolution::Stop => "停保",
            Resolution::RecoverOverpayment => "追回多发资金",
            Resolution::CorrectData => "更正数据",
            Resolution::FalsePositive => "误报",
        }
    }
    /// The resolution's name on English pages.
    pub fn en(self) -> &'static str {
        match self {
            Resolution::Stop => "stop the benefit",
            Resolution::RecoverOverpayment => "recover the overpayment",
            Resolution::CorrectData => "correct the data",
            Resolution::FalsePositive => "false positive",
        }
    }
    pub fn parse(s: &str) -> Option<Resolution> {
        Resolution::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// Whether resolving so stops the enrolment (停保; 追回 stops it too: money is recovered
    /// only for months that should not have been paid, and those are not paid on).
    pub fn stops_enrolment(self) -> bool {
        matches!(self, Resolution::Stop | Resolution::RecoverOverpayment)
    }
}

/// One record behind a finding, shown side by side with the other: where it is from and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// `registry`, `enrolments`, `policy`, or a departmental source (`deaths`, `vehicles` ...).
    pub source: String,
    /// The departmental batch (file checksum), when the record came in one.
    pub batch: Option<String>,
    /// (label, value) as shown: 姓名, 身份证号, 死亡日期 ...
    pub fields: Vec<(String, String)>,
}

/// 疑点.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub kind: FindingKind,
    pub enrolment_id: i64,
    pub program: String,
    pub household_no: String,
    /// The member concerned, when it is about one person.
    pub id_number: Option<IdNumber>,
    /// The owning county of the enrolment: its staff settle the finding.
    pub region: RegionCode,
    /// 可信度 in per mille: 1000 for an exact ID match, the match probability for a fuzzy one.
    pub confidence: u16,
    /// What was found, in both languages (one line).
    pub summary_zh: String,
    pub summary_en: String,
    pub evidence: Vec<Evidence>,
    /// The same finding found again is not stored twice: kind, enrolment, person and the evidence's key.
    pub key: String,
    pub found_on: NaiveDate,
    pub status: FindingStatus,
    pub assigned_to: Option<String>,
    pub resolution: Option<Resolution>,
}

/// The evidence label under which a departmental record's event date is shown (死亡、迁出 ...).
pub const EVENT_DATE: &str = "事件日期";

impl Finding {
    /// The date of the event that ended eligibility, as the evidence gives it: a departmental
    /// record's event date (死亡日期, 迁出日期 ...), or the registry's status (`死亡 2026-05-03`).
    pub fn event_date(&self) -> Option<NaiveDate> {
        let fields = || self.evidence.iter().flat_map(|e| e.fields.iter());
        let date = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        fields().find(|(label, _)| label == EVENT_DATE).and_then(|(_, v)| date(v)).or_else(|| {
            fields()
                .filter(|(label, _)| label == "人口库状态" || label == "状态")
                .find_map(|(_, v)| v.strip_prefix("死亡").or_else(|| v.strip_prefix("迁出")).and_then(date))
        })
    }

    /// The stop a resolution 停保 or 追回 makes: from the month after the event (a person who
    /// died in May is paid for May; 《社会救助暂行办法》第十三条: 停止发放 once the conditions
    /// are no longer met), or from the month after the decision when the evidence gives no date.
    /// A finding about one member of a program granted to persons stops that member's part.
    pub fn stop(&self, decided_on: NaiveDate) -> crate::EnrolmentStop {
        let from = self.event_date().filter(|d| *d <= decided_on).unwrap_or(decided_on);
        crate::EnrolmentStop {
            end: crate::enrolment::next_month(from),
            leaving: self.id_number,
            decided_by: format!("finding:{}", self.id),
        }
    }
}

/// A step of the workflow, with the worker's comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FindingAction {
    /// 分派 (or re-assign) to a named worker.
    Assign { to: String },
    /// 核实: the worker checked on the spot.
    Verify,
    /// 办结.
    Resolve { resolution: Resolution },
}

impl FindingAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingAction::Assign { .. } => "assign",
            FindingAction::Verify => "verify",
            FindingAction::Resolve { .. } => "resolve",
        }
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("a finding that is {from} cannot be {action}")]
    Illegal { from: &'static str, action: &'static str },
    #[error("give a comment of at least 4 characters")]
    NoComment,
    #[error("name the worker it is assigned to")]
    NoAssignee,
}

impl Bilingual for WorkflowError {
    fn zh(&self) -> String {
        match self {
            WorkflowError::Illegal { from, action } => {
                let f = FindingStatus::parse(from).map_or(*from, FindingStatus::zh);
                let a = match *action {
                    "assign" => "分派",
                    "verify" => "核实",
                    _ => "办结",
                };
                format!("处于“{f}”状态的疑点不能{a}")
            }
            WorkflowError::NoComment => "请填写处理意见（至少4个字）".into(),
            WorkflowError::NoAssignee => "请填写承办人".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// The workflow: the status after `action`, or why it is refused. Assigning is allowed while
/// new or assigned (re-assignment); verifying needs an assignee; resolving needs a verification,
/// except a false positive, which the assigned worker may close directly. Every step carries a
/// comment; a resolved finding is closed.
pub fn next_status(from: FindingStatus, action: &FindingAction, comment: &str) -> Result<FindingStatus, WorkflowError> {
    if comment.trim().chars().count() < 4 {
        return Err(WorkflowError::NoComment);
    }
    let illegal = || WorkflowError::Illegal { from: from.as_str(), action: action.as_str() };
    match (from, action) {
        (_, FindingAction::Assign { to }) if to.trim().is_empty() => Err(WorkflowError::NoAssignee),
        (FindingStatus::New | FindingStatus::Assigned, FindingAction::Assign { .. }) => Ok(FindingStatus::Assigned),
        (FindingStatus::Assigned, FindingAction::Verify) => Ok(FindingStatus::Verified),
        (FindingStatus::Verified, FindingAction::Resolve { .. }) => Ok(FindingStatus::Resolved),
        (FindingStatus::Assigned, FindingAction::Resolve { resolution: Resolution::FalsePositive }) => Ok(FindingStatus::Resolved),
        _ => Err(illegal()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: &str = "入户核实，情况属实";

    fn assign() -> FindingAction {
        FindingAction::Assign { to: "hunnan_worker".into() }
    }

    #[test]
    fn a_finding_goes_from_new_to_resolved_in_order() {
        let s = next_status(FindingStatus::New, &assign(), NOTE).unwrap_or(FindingStatus::New);
        assert_eq!(s, FindingStatus::Assigned);
        let s = next_status(s, &FindingAction::Verify, NOTE).unwrap_or(s);
        assert_eq!(s, FindingStatus::Verified);
        let s = next_status(s, &FindingAction::Resolve { resolution: Resolution::Stop }, NOTE).unwrap_or(s);
        assert_eq!(s, FindingStatus::Resolved);
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let stop = FindingAction::Resolve { resolution: Resolution::Stop };
        assert!(matches!(next_status(FindingStatus::New, &FindingAction::Verify, NOTE), Err(WorkflowError::Illegal { .. })));
        assert!(matches!(next_status(FindingStatus::New, &stop, NOTE), Err(WorkflowError::Illegal { .. })));
        assert!(matches!(next_status(FindingStatus::Assigned, &stop, NOTE), Err(WorkflowError::Illegal { .. })));
        assert!(matches!(next_status(FindingStatus::Verified, &assign(), NOTE), Err(WorkflowError::Illegal { .. })));
        for a in [assign(), FindingAction::Verify, stop] {
            assert!(next_status(FindingStatus::Resolved, &a, NOTE).is_err(), "a resolved finding stays closed");
        }
    }

    #[test]
    fn a_false_positive_can_be_closed_by_the_assigned_worker() {
        let fp = FindingAction::Resolve { resolution: Resolution::FalsePositive };
        assert_eq!(next_status(FindingStatus::Assigned, &fp, NOTE), Ok(FindingStatus::Resolved));
    }

    #[test]
    fn every_step_needs_a_comment_and_an_assignment_a_name() {
        assert_eq!(next_status(FindingStatus::New, &assign(), " 好 "), Err(WorkflowError::NoComment));
        assert_eq!(next_status(FindingStatus::New, &FindingAction::Assign { to: " ".into() }, NOTE), Err(WorkflowError::NoAssignee));
        let e = next_status(FindingStatus::New, &FindingAction::Verify, NOTE).err();
        assert_eq!(e.map(|e| e.zh()), Some("处于“新发现”状态的疑点不能核实".to_string()));
    }

    #[test]
    fn codes_round_trip() {
        for k in FindingKind::ALL {
            assert_eq!(FindingKind::parse(k.as_str()), Some(k));
        }
        for s in FindingStatus::ALL {
            assert_eq!(FindingStatus::parse(s.as_str()), Some(s));
        }
        for r in Resolution::ALL {
            assert_eq!(Resolution::parse(r.as_str()), Some(r));
        }
    }

    fn deceased(fields: Vec<(&str, &str)>) -> Finding {
        Finding {
            id: 7,
            kind: FindingKind::Deceased,
            enrolment_id: 1,
            program: "dibao".into(),
            household_no: "H1".into(),
            id_number: IdNumber::parse("11010519491231002X").ok(),
            region: RegionCode::parse("210112").expect("county"),
            confidence: 1000,
            summary_zh: String::new(),
            summary_en: String::new(),
            evidence: vec![Evidence {
                source: "deaths".into(),
                batch: None,
                fields: fields.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            }],
            key: "k".into(),
            found_on: NaiveDate::from_ymd_opt(2026, 9, 20).expect("date"),
            status: FindingStatus::Verified,
            assigned_to: None,
            resolution: None,
        }
    }

    #[test]
    fn a_death_stops_payment_from_the_next_month_and_overpayment_counts_from_there() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 5).expect("date");
        let f = deceased(vec![("姓名", "张三"), (EVENT_DATE, "2026-05-03")]);
        let stop = f.stop(on);
        assert_eq!(stop.end, NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"), "paid for May, not from June");
        assert_eq!(stop.decided_by, "finding:7");
        assert_eq!(stop.leaving, f.id_number);
        let registry = deceased(vec![("人口库状态", "死亡 2026-02-28")]);
        assert_eq!(registry.stop(on).end, NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"));
        let undated = deceased(vec![("人口库状态", "死亡 ")]);
        assert_eq!(undated.stop(on).end, NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"), "no date: from the month after the decision");
        let future = deceased(vec![(EVENT_DATE, "2027-01-01")]);
        assert_eq!(future.stop(on).end, NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"), "a date after the decision is not believed");
        assert!(Resolution::Stop.stops_enrolment() && Resolution::RecoverOverpayment.stops_enrolment());
        assert!(!Resolution::FalsePositive.stops_enrolment() && !Resolution::CorrectData.stops_enrolment());
    }
}
