//! 全市通办 · 审核确认 / Cases: an application (or a change, a suspension, an exit) from its
//! acceptance at any community of the city to the decision of the office that owns it.
//!
//! The procedure is the one the regulations set (《最低生活保障审核确认办法》民发〔2021〕57号,
//! 《特困人员认定办法》, 《社会救助暂行办法》): accept (受理) → home survey by two or more staff
//! (入户调查) → household economic check (家庭经济状况核对) → first review at the street (初审) →
//! public notice in the community for 7 days (公示; name, household size and amount only, none
//! for children) with objections leading to a re-survey or a democratic review (民主评议) → the
//! county's decision, or the street's where approval is delegated (审批权限下放) → payment from
//! the next month. A refusal is given in writing with its reason. Each service of the catalogue
//! says which of these steps it has, so one state machine serves every program family.
//!
//! Everything here is pure: who may take a step, in which state, and the time limits in working
//! days ([`crate::calendar::WorkCalendar`]).

use crate::access::{Principal, Role};
use crate::calendar::WorkCalendar;
use crate::{Bilingual, Fen, IdNumber, RegionCode};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

mod catalogue;
mod procedure;
pub use catalogue::*;
pub use procedure::*;

/// 办理状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已受理
    Accepted,
    /// 已入户调查
    Surveyed,
    /// 已核对
    Checked,
    /// 已初审
    Reviewed,
    /// 公示中
    Notice,
    /// 公示有异议
    Objected,
    /// 已批准
    Approved,
    /// 不予批准
    Refused,
    /// 已撤回
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 9] = [
        CaseStatus::Accepted,
        CaseStatus::Surveyed,
        CaseStatus::Checked,
        CaseStatus::Reviewed,
        CaseStatus::Notice,
        CaseStatus::Objected,
        CaseStatus::Approved,
        CaseStatus::Refused,
        CaseStatus::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Accepted => "accepted",
            CaseStatus::Surveyed => "surveyed",
            CaseStatus::Checked => "checked",
            CaseStatus::Reviewed => "reviewed",
            CaseStatus::Notice => "notice",
            CaseStatus::Objected => "objected",
            CaseStatus::Approved => "approved",
            CaseStatus::Refused => "refused",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            CaseStatus::Accepted => "已受理",
            CaseStatus::Surveyed => "已入户调查",
            CaseStatus::Checked => "已核对",
            CaseStatus::Reviewed => "已初审",
            CaseStatus::Notice => "公示中",
            CaseStatus::Objected => "公示有异议",
            CaseStatus::Approved => "已批准",
            CaseStatus::Refused => "不予批准",
            CaseStatus::Withdrawn => "已撤回",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            CaseStatus::Accepted => "accepted",
            CaseStatus::Surveyed => "surveyed",
            CaseStatus::Checked => "economic check done",
            CaseStatus::Reviewed => "passed first review",
            CaseStatus::Notice => "public notice",
            CaseStatus::Objected => "objection raised",
            CaseStatus::Approved => "approved",
            CaseStatus::Refused => "refused",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Approved | CaseStatus::Refused | CaseStatus::Withdrawn)
    }
}

/// 入户调查记录.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub on: NaiveDate,
    /// The staff who went (two or more).
    pub staff: Vec<String>,
    /// Whether they visited the home (always for relatives of staff).
    pub home_visit: bool,
    pub findings: String,
}

/// 核对结果, entered by hand or taken from a stored household check (核对报告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EconomicCheck {
    pub on: NaiveDate,
    /// 家庭月人均收入.
    pub per_capita_income: Fen,
    pub assets_within_limits: bool,
    /// The stored household check it comes from.
    pub report: Option<i64>,
    /// What that report decided for the case's program (符合/不符合 and the unmet conditions).
    #[serde(default)]
    pub report_decision: Option<String>,
}

/// 审批结果.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub on: NaiveDate,
    pub by: String,
    pub approved: bool,
    /// For a refusal: the written reason.
    pub reason: String,
    /// Monthly amount of the enrolment made (fen).
    pub amount: Option<Fen>,
    /// First month paid.
    pub start: Option<NaiveDate>,
    /// Next review (复核) date.
    pub review_on: Option<NaiveDate>,
    pub enrolment: Option<i64>,
    /// The policy engine's explanation of the amount (JSON), stored with the decision.
    pub explanation: Option<String>,
    /// 渐退: paid until this month, then stopped.
    pub exit_until: Option<NaiveDate>,
    /// 临时救助: the band of the amount (who may approve it), as the standard put it that day.
    #[serde(default)]
    pub band: Option<crate::temporary::Band>,
}

/// What the case has gathered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    /// Documents received at acceptance (codes of the catalogue).
    pub documents: Vec<String>,
    pub survey: Option<Survey>,
    pub check: Option<EconomicCheck>,
    pub objections: Vec<String>,
    /// 先行救助: paid before the file was complete.
    pub paid_first: Option<Fen>,
    /// The monthly amount the rules give, as published in the notice (公示金额).
    pub proposed: Option<Fen>,
    pub decision: Option<Decision>,
}

/// 办件.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub service: String,
    pub program: String,
    pub household_no: String,
    pub applicant: IdNumber,
    pub applicant_name: String,
    pub household_size: u32,
    /// The community that accepted the application (any in the city).
    pub accepted_at: RegionCode,
    /// The county that owns it: the applicant's hukou county.
    pub owner: RegionCode,
    /// The household's community, whose street and community staff survey and review.
    pub community: RegionCode,
    pub status: CaseStatus,
    /// Bumped by every step; a step on a stale version is refused.
    pub version: i64,
    /// 工作人员近亲属: registered apart and always visited at home.
    pub staff_relative: bool,
    /// The street decides (审批权限下放).
    pub delegated: bool,
    /// Extended to 45 working days (特殊情况).
    pub extended: bool,
    /// Whether the applicant is a child (no public notice).
    pub child: bool,
    /// The program is granted per person (see [`Service::per_person`]).
    #[serde(default)]
    pub per_person: bool,
    pub accepted_on: NaiveDate,
    /// Due date of the step the case waits for.
    pub step_due: NaiveDate,
    /// Due date of the whole case.
    pub due: NaiveDate,
    pub notice_from: Option<NaiveDate>,
    pub notice_until: Option<NaiveDate>,
    pub file: CaseFile,
}

/// A step of the procedure, with what it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    /// 入户调查 (also the re-survey after an objection).
    Survey { staff: Vec<String>, home_visit: bool, findings: String },
    /// 核对结果.
    RecordCheck { per_capita_income: Fen, assets_within_limits: bool, report: Option<i64> },
    /// 初审通过.
    Review,
    /// 初审退回重新调查.
    Return,
    /// 张榜公示.
    PublishNotice,
    /// 公示异议.
    Object { objection: String },
    /// 民主评议 after an objection: the review stands; the notice is published again.
    DemocraticReview,
    /// 批准. The amount is the rules' (or, for 临时救助, the decider's).
    Approve { amount: Option<Fen> },
    /// 不予批准, with the written reason.
    Refuse { reason: String },
    /// 撤回申请.
    Withdraw,
    /// 先行救助.
    PayFirst { amount: Fen },
    /// 延长办理时限 (45 working days).
    Extend,
    /// 报区县审批: an amount above what the street may approve goes to the county.
    Refer,
}

impl CaseAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseAction::Survey { .. } => "survey",
            CaseAction::RecordCheck { .. } => "record_check",
            CaseAction::Review => "review",
            CaseAction::Return => "return",
            CaseAction::PublishNotice => "publish_notice",
            CaseAction::Object { .. } => "object",
            CaseAction::DemocraticReview => "democratic_review",
            CaseAction::Approve { .. } => "approve",
            CaseAction::Refuse { .. } => "refuse",
            CaseAction::Withdraw => "withdraw",
            CaseAction::PayFirst { .. } => "pay_first",
            CaseAction::Extend => "extend",
            CaseAction::Refer => "refer",
        }
    }
    pub fn zh_of(code: &str) -> &'static str {
        match code {
            "accept" => "受理",
            "survey" => "入户调查",
            "record_check" => "录入核对结果",
            "review" => "初审通过",
            "return" => "退回重新调查",
            "publish_notice" => "张榜公示",
            "object" => "公示异议",
            "democratic_review" => "民主评议",
            "approve" => "批准",
            "refuse" => "不予批准",
            "withdraw" => "撤回",
            "pay_first" => "先行救助",
            "extend" => "延长时限",
            "refer" => "报区县审批",
            "recount_due" => "重算期限（节假日安排变更）",
            _ => "办理",
        }
    }
}

/// Time limits in working days (《最低生活保障审核确认办法》第十六条、第二十二条; *example*
/// values, the same across the city unless a county records its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// The home survey starts within this many working days of acceptance.
    pub survey: u32,
    /// The county starts the economic check within this many working days of the survey.
    pub check: u32,
    /// The decision within this many working days of the notice's end (or of the review).
    pub decision: u32,
    /// 公示 length, days.
    pub notice_days: u32,
    /// The whole case.
    pub whole: u32,
    pub whole_delegated: u32,
    pub whole_extended: u32,
}

impl Default for TimeLimits {
    fn default() -> TimeLimits {
        TimeLimits { survey: 3, check: 3, decision: 10, notice_days: 7, whole: 30, whole_delegated: 20, whole_extended: 45 }
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case that is {from} cannot take the step {action}")]
    Illegal { from: &'static str, action: &'static str },
    #[error("the step {action} is for a {role}, within the case's region")]
    NotYours { action: &'static str, role: &'static str },
    #[error("give a comment of at least 4 characters")]
    NoComment,
    #[error("a home survey is made by two or more staff: name them")]
    TooFewStaff,
    #[error("the applicant is a relative of staff: the survey must be a home visit")]
    HomeVisitRequired,
    #[error("the public notice runs until {0}: decide after it")]
    NoticeRunning(NaiveDate),
    #[error("the public notice ended on {0}: objections are no longer taken")]
    NoticeOver(NaiveDate),
    #[error("give the reason of the refusal in writing (at least 4 characters)")]
    NoReason,
    #[error("give the amount (positive, in yuan)")]
    NoAmount,
    #[error("this was already done on this case")]
    AlreadyDone,
}

impl Bilingual for CaseError {
    fn zh(&self) -> String {
        match self {
            CaseError::Illegal { from, action } => {
                format!("处于“{}”状态的办件不能“{}”", CaseStatus::parse(from).map_or(*from, CaseStatus::zh), CaseAction::zh_of(action))
            }
            CaseError::NotYours { action, role } => {
                format!("“{}”应由案件所属区划的{}办理", CaseAction::zh_of(action), Role::parse(role).map_or(*role, Role::zh))
            }
            CaseError::NoComment => "请填写办理意见（至少4个字）".into(),
            CaseError::TooFewStaff => "入户调查应由两名以上工作人员进行，请填写调查人员".into(),
            CaseError::HomeVisitRequired => "申请人为工作人员近亲属，必须入户调查".into(),
            CaseError::NoticeRunning(d) => format!("公示期至{d}，公示期满后方可审批"),
            CaseError::NoticeOver(d) => format!("公示已于{d}结束，不再受理异议"),
            CaseError::NoReason => "不予批准应书面说明理由（至少4个字）".into(),
            CaseError::NoAmount => "请填写救助金额（元，大于零）".into(),
            CaseError::AlreadyDone => "该办件已办理过此事项".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Who applies, for which household, where: what a new case is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub id_number: IdNumber,
    pub name: String,
    pub household_no: String,
    /// Living members of the household.
    pub household_size: u32,
    /// The household's community.
    pub community: RegionCode,
    /// The hukou county, which owns the case.
    pub owner: RegionCode,
}

impl Case {
    /// A case just accepted at `accepted_at` on `on` for a service, with its due dates; the
    /// flags (staff relative, delegated, child) are set by the caller before storing.
    pub fn accepted(
        service: &Service,
        applicant: Applicant,
        accepted_at: RegionCode,
        on: NaiveDate,
        cal: &WorkCalendar,
        limits: &TimeLimits,
    ) -> Case {
        let mut c = Case {
            id: 0,
            service: service.code.clone(),
            program: service.program.clone(),
            household_no: applicant.household_no,
            applicant: applicant.id_number,
            applicant_name: applicant.name,
            household_size: applicant.household_size,
            accepted_at,
            owner: applicant.owner,
            community: applicant.community,
            status: CaseStatus::Accepted,
            version: 1,
            staff_relative: false,
            delegated: false,
            extended: false,
            child: false,
            per_person: service.per_person,
            accepted_on: on,
            step_due: on,
            due: on,
            notice_from: None,
            notice_until: None,
            file: CaseFile::default(),
        };
        c.set_due(service, on, cal, limits);
        c
    }

    /// Whether the case has a home survey (the service's, or always for relatives of staff).
    pub fn needs_survey(&self, service: &Service) -> bool {
        service.survey || self.staff_relative
    }

    /// Whether a public notice is held (never for children).
    pub fn needs_notice(&self, service: &Service) -> bool {
        service.notice && !self.child
    }

    /// The status after which the first review comes.
    fn ready_for_review(&self, service: &Service) -> CaseStatus {
        if service.economic_check {
            CaseStatus::Checked
        } else if self.needs_survey(service) {
            CaseStatus::Surveyed
        } else {
            CaseStatus::Accepted
        }
    }

    /// The role the case waits for now (None when closed).
    pub fn waiting_for(&self, service: &Service) -> Option<Role> {
        match self.status {
            CaseStatus::Accepted if self.needs_survey(service) => Some(Role::CommunityWorker),
            CaseStatus::Accepted if service.economic_check => Some(Role::VerificationOfficer),
            CaseStatus::Accepted => Some(Role::StreetReviewer),
            CaseStatus::Surveyed if service.economic_check => Some(Role::VerificationOfficer),
            CaseStatus::Surveyed | CaseStatus::Checked | CaseStatus::Objected => Some(Role::StreetReviewer),
            CaseStatus::Reviewed if self.needs_notice(service) => Some(Role::CommunityWorker),
            CaseStatus::Reviewed | CaseStatus::Notice => Some(decider(self)),
            CaseStatus::Approved | CaseStatus::Refused | CaseStatus::Withdrawn => None,
        }
    }

    /// The whole case's limit in working days.
    pub fn whole_limit(&self, limits: &TimeLimits) -> u32 {
        if self.extended {
            limits.whole_extended
        } else if self.delegated {
            limits.whole_delegated
        } else {
            limits.whole
        }
    }

    /// Due dates after a step on `today`: the whole case from its acceptance, and the step the
    /// case now waits for (never later than the whole case).
    pub fn set_due(&mut self, service: &Service, today: NaiveDate, cal: &WorkCalendar, limits: &TimeLimits) {
        self.due = cal.add_working_days(self.accepted_on, self.whole_limit(limits));
        let step = match (self.status, self.waiting_for(service)) {
            (CaseStatus::Accepted, Some(Role::CommunityWorker)) => Some(cal.add_working_days(today, limits.survey)),
            (_, Some(Role::VerificationOfficer)) => Some(cal.add_working_days(today, limits.check)),
            (CaseStatus::Notice, _) => self.notice_until.map(|u| cal.add_working_days(u, limits.decision)),
            (CaseStatus::Reviewed, Some(r)) if r == decider(self) => Some(cal.add_working_days(today, limits.decision)),
            _ => None,
        };
        self.step_due = step.map_or(self.due, |s| s.min(self.due));
    }

    /// The key that lets one household have only one open case per program (or, for a program
    /// granted to persons, one per applicant).
    pub fn active_key(&self) -> Option<String> {
        self.status.is_open().then(|| {
            if self.per_person {
                format!("{}|{}|{}", self.program, self.household_no, self.applicant)
            } else {
                format!("{}|{}", self.program, self.household_no)
            }
        })
    }

    /// Working days left on the whole case on `today` (negative when overdue).
    pub fn days_left(&self, today: NaiveDate, cal: &WorkCalendar) -> i64 {
        if today <= self.due {
            i64::from(cal.working_days_between(today, self.due))
        } else {
            -i64::from(cal.working_days_between(self.due, today))
        }
    }
}

/// Words of a survey that record a motor vehicle in the home (入户调查发现车辆).
const VEHICLE_WORDS: [&str; 7] = ["轿车", "小汽车", "汽车", "机动车", "面包车", "货车", "摩托车"];
/// Words before them that say there is none (无轿车, 没有汽车, 未发现机动车).
const NONE_WORDS: [&str; 5] = ["无", "没有", "未发现", "未见", "不拥有"];

/// Whether a survey's findings record a vehicle (and do not say there is none).
pub fn survey_records_vehicle(findings: &str) -> bool {
    VEHICLE_WORDS.iter().any(|w| {
        findings.match_indices(w).any(|(at, _)| {
            let before: String = findings[..at].chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            !NONE_WORDS.iter().any(|n| before.ends_with(n) || before.ends_with(&format!("{n}一辆")) || before.contains(n))
        })
    })
}

/// What the case file records against granting when the rules say the household is eligible:
/// the approver is shown each and must answer them in writing (《最低生活保障审核确认办法》
/// 第十八条、第二十条: the survey and the check are the basis of the decision). In Chinese and
/// English.
pub fn contradictions(file: &CaseFile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(c) = &file.check {
        if !c.assets_within_limits {
            out.push(("核对结果为财产超标".to_string(), "the household check recorded assets over the limits".to_string()));
        }
        if let Some(d) = c.report_decision.as_deref().filter(|d| d.contains("不符合")) {
            out.push((d.to_string(), format!("the household check report found the household not eligible: {d}")));
        }
    }
    if let Some(s) = file.survey.as_ref().filter(|s| survey_records_vehicle(&s.findings)) {
        out.push((format!("入户调查记录有车辆：“{}”", s.findings), format!("the survey recorded a vehicle: {:?}", s.findings)));
    }
    out
}

/// The least an approver writes to answer what the file records against granting.
pub const ANSWER_MIN_CHARS: usize = 15;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }
    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("code")
    }
    fn who(name: &str, role: Role, region: &str) -> Principal {
        Principal { name: name.into(), role, region: code(region) }
    }

    fn dibao() -> Service {
        Service {
            code: "apply_dibao".into(),
            zh: "申请最低生活保障".into(),
            en: "Apply for 低保".into(),
            kind: ServiceKind::Apply,
            program: "dibao".into(),
            basis: "《最低生活保障审核确认办法》".into(),
            survey: true,
            economic_check: true,
            notice: true,
            pay_first: false,
            amount_given: false,
            per_person: false,
            documents: vec![
                Document {
                    code: "id_card".into(),
                    zh: "居民身份证".into(),
                    en: "ID card".into(),
                    replaced_by: Some("identity".into()),
                    replaced_on: Some(d("2022-06-01")),
                },
                Document {
                    code: "application".into(),
                    zh: "申请书".into(),
                    en: "application form".into(),
                    replaced_by: None,
                    replaced_on: None,
                },
            ],
        }
    }

    /// A 浑南区 household's application accepted in 和平区 on Monday 2026-11-02.
    fn accepted() -> Case {
        let applicant = Applicant {
            id_number: IdNumber::parse("11010519491231002X").expect("id"),
            name: "张秀英".into(),
            household_no: "H1".into(),
            household_size: 2,
            community: code("210112009001"),
            owner: code("210112"),
        };
        let mut c =
            Case::accepted(&dibao(), applicant, code("210102001001"), d("2026-11-02"), &WorkCalendar::default(), &TimeLimits::default());
        c.id = 1;
        c
    }

    const NOTE: &str = "按程序办理，情况属实";

    fn step(c: &Case, p: &Principal, a: CaseAction, on: &str) -> Result<Case, CaseError> {
        apply(c, &dibao(), p, &a, NOTE, d(on), &WorkCalendar::default(), &TimeLimits::default())
    }

    fn survey() -> CaseAction {
        CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "家中无劳动力".into() }
    }

    #[test]
    fn a_case_goes_through_the_statutory_procedure_to_approval() -> Result<(), CaseError> {
        let worker = who("hn_worker", Role::CommunityWorker, "210112009001");
        let officer = who("hn_check", Role::VerificationOfficer, "210112");
        let street = who("hn_street", Role::StreetReviewer, "210112009");
        let county = who("hn_county", Role::CountyApprover, "210112");
        let c = accepted();
        assert_eq!(c.waiting_for(&dibao()), Some(Role::CommunityWorker));
        assert_eq!(c.step_due, d("2026-11-05"), "the survey starts within 3 working days");
        assert_eq!(c.due, d("2026-12-14"), "the whole case within 30 working days");
        let c = step(&c, &worker, survey(), "2026-11-03")?;
        assert_eq!(c.waiting_for(&dibao()), Some(Role::VerificationOfficer));
        let c = step(
            &c,
            &officer,
            CaseAction::RecordCheck { per_capita_income: Fen(30000), assets_within_limits: true, report: None },
            "2026-11-04",
        )?;
        let c = step(&c, &street, CaseAction::Review, "2026-11-05")?;
        let c = step(&c, &worker, CaseAction::PublishNotice, "2026-11-06")?;
        assert_eq!(c.notice_until, Some(d("2026-11-13")), "7 days of notice, not counting the day of publication");
        assert_eq!(c.step_due, d("2026-11-27"), "the county decides within 10 working days of the notice's end");
        assert_eq!(step(&c, &county, CaseAction::Approve { amount: None }, "2026-11-13"), Err(CaseError::NoticeRunning(d("2026-11-13"))));
        let c = step(&c, &county, CaseAction::Approve { amount: None }, "2026-11-16")?;
        assert_eq!(c.status, CaseStatus::Approved);
        assert_eq!(c.file.decision.as_ref().and_then(|x| x.start), Some(d("2026-12-01")), "paid from the next month");
        assert_eq!(c.active_key(), None, "a closed case no longer blocks a new application");
        assert_eq!(c.version, 6);
        Ok(())
    }

    #[test]
    fn the_accepting_community_of_another_county_cannot_work_the_case() {
        let heping = who("hp_worker", Role::CommunityWorker, "210102001001");
        let c = accepted();
        let e = step(&c, &heping, survey(), "2026-11-03");
        assert_eq!(e, Err(CaseError::NotYours { action: "survey", role: "community_worker" }));
        // ... but it may withdraw the application it accepted.
        assert_eq!(step(&c, &heping, CaseAction::Withdraw, "2026-11-03").map(|c| c.status), Ok(CaseStatus::Withdrawn));
        let other_county = who("sj", Role::CountyApprover, "210102");
        let mut reviewed = c.clone();
        reviewed.status = CaseStatus::Reviewed;
        assert!(matches!(
            step(&reviewed, &other_county, CaseAction::Refuse { reason: "不符合条件".into() }, "2026-11-03"),
            Err(CaseError::NotYours { .. })
        ));
    }

    #[test]
    fn a_survey_needs_two_staff_and_a_relative_of_staff_a_home_visit() {
        let worker = who("w", Role::CommunityWorker, "210112009001");
        let one = CaseAction::Survey { staff: vec!["李明".into(), "李明 ".into()], home_visit: true, findings: String::new() };
        assert_eq!(step(&accepted(), &worker, one, "2026-11-03"), Err(CaseError::TooFewStaff));
        let mut c = accepted();
        c.staff_relative = true;
        let phone = CaseAction::Survey { staff: vec!["李明".into(), "王芳".into()], home_visit: false, findings: String::new() };
        assert_eq!(step(&c, &worker, phone, "2026-11-03"), Err(CaseError::HomeVisitRequired));
    }

    #[test]
    fn steps_out_of_order_and_without_comment_are_refused() {
        let street = who("s", Role::StreetReviewer, "210112009");
        let c = accepted();
        assert!(matches!(step(&c, &street, CaseAction::Review, "2026-11-03"), Err(CaseError::Illegal { .. })));
        let e = apply(&c, &dibao(), &street, &survey(), "好", d("2026-11-03"), &WorkCalendar::default(), &TimeLimits::default());
        assert_eq!(e, Err(CaseError::NoComment));
        let mut reviewed = c.clone();
        reviewed.status = CaseStatus::Reviewed;
        let refused = step(&reviewed, &who("c", Role::CountyApprover, "210112"), CaseAction::Refuse { reason: "  ".into() }, "2026-11-03");
        assert_eq!(refused, Err(CaseError::NoReason));
    }

    /// 《最低生活保障审核确认办法》第二十二条: the county decides on the street's first review.
    /// A case just accepted, surveyed or checked is not the county's to refuse; once the street
    /// has reviewed it (or while its notice runs) it is.
    #[test]
    fn the_county_refuses_only_what_the_street_has_reviewed() {
        let county = who("c", Role::CountyApprover, "210112");
        let refuse = || CaseAction::Refuse { reason: "家庭人均收入高于标准".into() };
        for before in [CaseStatus::Accepted, CaseStatus::Surveyed, CaseStatus::Checked, CaseStatus::Objected] {
            let mut c = accepted();
            c.status = before;
            assert!(matches!(step(&c, &county, refuse(), "2026-11-03"), Err(CaseError::Illegal { .. })), "{before:?}");
        }
        for after in [CaseStatus::Reviewed, CaseStatus::Notice] {
            let mut c = accepted();
            c.status = after;
            assert_eq!(step(&c, &county, refuse(), "2026-11-03").map(|c| c.status), Ok(CaseStatus::Refused), "{after:?}");
        }
    }

    #[test]
    fn an_objection_leads_to_a_resurvey_or_a_democratic_review_and_a_new_notice() -> Result<(), CaseError> {
        let worker = who("w", Role::CommunityWorker, "210112009001");
        let street = who("s", Role::StreetReviewer, "210112009");
        let mut c = accepted();
        c.status = CaseStatus::Notice;
        c.notice_from = Some(d("2026-11-06"));
        c.notice_until = Some(d("2026-11-12"));
        assert_eq!(
            step(&c, &worker, CaseAction::Object { objection: "邻居反映其有营运车辆".into() }, "2026-11-13"),
            Err(CaseError::NoticeOver(d("2026-11-12")))
        );
        let o = step(&c, &worker, CaseAction::Object { objection: "邻居反映其有营运车辆".into() }, "2026-11-09")?;
        assert_eq!(o.waiting_for(&dibao()), Some(Role::StreetReviewer));
        let r = step(&o, &street, CaseAction::DemocraticReview, "2026-11-10")?;
        assert_eq!(r.status, CaseStatus::Reviewed);
        let n = step(&r, &worker, CaseAction::PublishNotice, "2026-11-11")?;
        assert_eq!(n.notice_until, Some(d("2026-11-18")), "the notice runs again in full");
        let s = step(&r, &worker, CaseAction::PublishNotice, "2026-11-07")?;
        assert_eq!(s.notice_until, Some(d("2026-11-16")), "a notice ending on a Saturday runs to Monday");
        let s = step(&o, &worker, survey(), "2026-11-10")?;
        assert_eq!(s.status, CaseStatus::Surveyed);
        Ok(())
    }

    #[test]
    fn where_approval_is_delegated_the_street_decides_within_20_working_days() -> Result<(), CaseError> {
        let mut c = accepted();
        c.delegated = true;
        c.set_due(&dibao(), c.accepted_on, &WorkCalendar::default(), &TimeLimits::default());
        assert_eq!(c.due, d("2026-11-30"));
        c.status = CaseStatus::Notice;
        c.notice_until = Some(d("2026-11-12"));
        assert_eq!(c.waiting_for(&dibao()), Some(Role::StreetReviewer));
        assert!(matches!(
            step(&c, &who("c", Role::CountyApprover, "210112"), CaseAction::Approve { amount: None }, "2026-11-13"),
            Err(CaseError::NotYours { .. })
        ));
        let a = step(&c, &who("s", Role::StreetReviewer, "210112009"), CaseAction::Approve { amount: None }, "2026-11-13")?;
        assert_eq!(a.status, CaseStatus::Approved);
        let mut e = accepted();
        e = step(&e, &who("c", Role::CountyApprover, "210112"), CaseAction::Extend, "2026-11-03")?;
        assert_eq!(e.due, d("2027-01-04"), "45 working days when extended");
        assert_eq!(e.step_due, d("2026-11-05"), "an extension does not restart the survey's clock");
        assert_eq!(step(&e, &who("c", Role::CountyApprover, "210112"), CaseAction::Extend, "2026-11-03"), Err(CaseError::AlreadyDone));
        Ok(())
    }

    #[test]
    fn children_have_no_public_notice() {
        let mut c = accepted();
        c.child = true;
        c.status = CaseStatus::Reviewed;
        assert_eq!(c.waiting_for(&dibao()), Some(Role::CountyApprover));
        assert!(matches!(
            step(&c, &who("w", Role::CommunityWorker, "210112009001"), CaseAction::PublishNotice, "2026-11-03"),
            Err(CaseError::Illegal { .. })
        ));
        assert!(step(&c, &who("c", Role::CountyApprover, "210112"), CaseAction::Approve { amount: None }, "2026-11-03").is_ok());
    }

    #[test]
    fn the_documents_report_counts_what_shared_data_replaced() {
        let lines = documents_report(&[dibao()], d("2022-01-01"), d("2026-11-02"));
        assert_eq!(lines[0].required_then, 2);
        assert_eq!(lines[0].required, vec!["申请书".to_string()]);
        assert_eq!(lines[0].replaced, vec![("居民身份证".to_string(), "identity".to_string())]);
    }

    #[test]
    fn a_household_that_could_earn_is_reviewed_every_six_months() {
        assert_eq!(review_months(12, &[(40, false), (10, false)]), 6, "a mother of working age");
        assert_eq!(review_months(12, &[(40, true), (72, false)]), 12, "a disabled adult and an elder");
        assert_eq!(review_months(12, &[(15, false)]), 12, "a child alone");
    }

    #[test]
    fn each_account_is_offered_the_steps_of_its_role() {
        let c = accepted();
        assert_eq!(
            available_steps(&c, &dibao(), &who("w", Role::CommunityWorker, "210112009001"), d("2026-11-03")),
            vec!["survey", "withdraw"]
        );
        assert_eq!(available_steps(&c, &dibao(), &who("c", Role::CountyApprover, "210112"), d("2026-11-03")), vec!["extend"]);
        assert!(available_steps(&c, &dibao(), &who("x", Role::CountyApprover, "210102"), d("2026-11-03")).is_empty());
    }

    #[test]
    fn closed_cases_take_no_step_and_codes_round_trip() {
        let mut c = accepted();
        c.status = CaseStatus::Refused;
        assert!(matches!(
            step(&c, &who("w", Role::CommunityWorker, "210112009001"), CaseAction::Withdraw, "2026-11-03"),
            Err(CaseError::Illegal { .. })
        ));
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(first_of_next_month(d("2026-12-15")), d("2027-01-01"));
        assert_eq!(add_months(d("2026-08-31"), 6), d("2027-02-28"));
    }

    #[test]
    fn a_vehicle_in_the_survey_and_assets_over_the_limits_are_contradictions() {
        assert!(survey_records_vehicle("家中有轿车一辆，母亲无业"));
        assert!(survey_records_vehicle("院内停放面包车"));
        for none in ["家中无轿车", "没有汽车", "未发现机动车", "母子二人，母亲无业", ""] {
            assert!(!survey_records_vehicle(none), "{none}");
        }
        let on = NaiveDate::from_ymd_opt(2026, 9, 1).expect("date");
        let file = CaseFile {
            survey: Some(Survey {
                on, staff: vec!["李明".into(), "王芳".into()], home_visit: true, findings: "家中有轿车一辆".into()
            }),
            check: Some(EconomicCheck { on, per_capita_income: Fen(0), assets_within_limits: false, report: None, report_decision: None }),
            ..CaseFile::default()
        };
        let c = contradictions(&file);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].0, "核对结果为财产超标");
        assert!(c[1].0.contains("家中有轿车一辆"));
        assert!(contradictions(&CaseFile::default()).is_empty());
    }
}
