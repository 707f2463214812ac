//! 养老机构: institutions, their filing (备案), beds and residents, and the indicators computed
//! from them. Pure.
//!
//! Basis: 《养老机构管理办法》(民政部令第66号) 第九条: an institution files with the civil-affairs
//! department of its county within 10 working days of admitting its first resident, with the
//! listed particulars and a pledge; complete → a receipt (备案回执), incomplete → the department
//! says at once everything that is missing (一次性告知). Grades by GB/T 37276-2018 (一级 to 五级).

use chrono::NaiveDate;
use minzheng_domain::{Bilingual, RegionCode};
use serde::{Deserialize, Serialize};

/// 经营性质.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// 公办公营.
    Public,
    /// 公建民营: built by government, run by a private operator.
    PublicBuiltPrivateRun,
    /// 民办.
    Private,
}

impl Ownership {
    pub const ALL: [Ownership; 3] = [Ownership::Public, Ownership::PublicBuiltPrivateRun, Ownership::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Public => "public",
            Ownership::PublicBuiltPrivateRun => "public_built_private_run",
            Ownership::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Ownership> {
        Ownership::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Ownership::Public => "公办",
            Ownership::PublicBuiltPrivateRun => "公建民营",
            Ownership::Private => "民办",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Ownership::Public => "public",
            Ownership::PublicBuiltPrivateRun => "publicly built, privately run",
            Ownership::Private => "private",
        }
    }
}

/// 床位: an institution's beds by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beds {
    /// 床位总数: residential beds (nursing-type included).
    pub total: i64,
    /// 护理型床位: of the total, those for people who need nursing care.
    pub nursing: i64,
    /// 日间照料床位 (not residential; not in the total).
    pub day_care: i64,
    /// 家庭养老床位 run from the institution (not in the total).
    pub home: i64,
}

/// 备案: what an institution files, as the rules list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    /// 机构名称.
    pub name: String,
    /// The county (or street, community) where it is: the county's civil affairs takes the filing.
    pub region: RegionCode,
    /// 住所.
    pub address: String,
    /// 法定代表人（主要负责人）.
    pub legal_representative: String,
    /// 服务场所权属 (owned, leased: with the lease's term).
    pub premises: String,
    pub beds: Beds,
    /// 建筑面积, m².
    pub floor_area: i64,
    /// 联系电话.
    pub contact: String,
    /// 登记证书 (法人登记: 统一社会信用代码).
    pub registration: String,
    /// 承诺书: the pledge to meet the fire, food, building and service rules.
    pub pledge: bool,
    /// 收住第一位老年人的日期.
    pub first_admission: Option<NaiveDate>,
    pub ownership: Ownership,
    /// 特困人员供养服务设施（敬老院）.
    pub tekun_home: bool,
    /// 区域性养老服务中心.
    pub regional_centre: bool,
}

/// A particular of the filing, named when missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Address,
    LegalRepresentative,
    Premises,
    Beds,
    FloorArea,
    Contact,
    Registration,
    Pledge,
    FirstAdmission,
}

impl Field {
    pub fn zh(self) -> &'static str {
        match self {
            Field::Name => "机构名称",
            Field::Address => "住所",
            Field::LegalRepresentative => "法定代表人（主要负责人）",
            Field::Premises => "服务场所权属",
            Field::Beds => "床位数",
            Field::FloorArea => "建筑面积",
            Field::Contact => "联系电话",
            Field::Registration => "登记证书（统一社会信用代码）",
            Field::Pledge => "承诺书",
            Field::FirstAdmission => "收住第一位老年人的日期",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Address => "address",
            Field::LegalRepresentative => "legal representative",
            Field::Premises => "premises (owned or leased)",
            Field::Beds => "number of beds",
            Field::FloorArea => "floor area",
            Field::Contact => "contact telephone",
            Field::Registration => "registration certificate (unified social credit code)",
            Field::Pledge => "signed pledge",
            Field::FirstAdmission => "date the first resident was admitted",
        }
    }
}

/// Why a filing or a change to an institution is refused. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionError {
    /// 一次性告知: everything missing at once.
    #[error("the filing lacks: {0:?}")]
    Missing(Vec<Field>),
    #[error("{nursing} nursing-type beds of {total}")]
    NursingAboveTotal { nursing: i64, total: i64 },
    #[error("a negative number of beds or floor area")]
    Negative,
    #[error("first admission {0} is after the filing date")]
    AdmissionAfterFiling(NaiveDate),
    #[error("grade {0}: grades are 1 to 5")]
    Grade(u8),
    #[error("the institution is closed")]
    Closed,
    /// Closing on a date (announced): it takes no new residents.
    #[error("the institution is closing on {0:?}")]
    Closing(Option<NaiveDate>),
    #[error("closure on {closes} announced on {announced}: the resettlement plan needs 60 days")]
    ClosureNotice { announced: NaiveDate, closes: NaiveDate },
    #[error("no resettlement plan")]
    NoPlan,
    /// The registration certificate is already filed by an institution not closed.
    #[error("already filed as {0}")]
    AlreadyFiled(String),
}

impl Bilingual for InstitutionError {
    fn zh(&self) -> String {
        match self {
            InstitutionError::Missing(f) => {
                format!("备案材料不齐全，请补正以下内容：{}", f.iter().map(|f| f.zh()).collect::<Vec<_>>().join("、"))
            }
            InstitutionError::NursingAboveTotal { nursing, total } => format!("护理型床位{nursing}张多于床位总数{total}张"),
            InstitutionError::Negative => "床位数和建筑面积不能为负数".into(),
            InstitutionError::AdmissionAfterFiling(d) => format!("收住第一位老年人的日期{d}晚于备案日期"),
            InstitutionError::Grade(g) => format!("等级{g}无效：等级为一级至五级"),
            InstitutionError::Closed => "该机构已停业".into(),
            InstitutionError::Closing(d) => {
                format!("该机构已报告将于{}停业，不再收住新的老年人", d.map(|d| d.to_string()).unwrap_or_default())
            }
            InstitutionError::ClosureNotice { announced, closes } => {
                format!("{announced}提出、{closes}停业不足60日：暂停或终止服务应提前60日提交老年人安置方案")
            }
            InstitutionError::NoPlan => "请填写老年人安置方案".into(),
            InstitutionError::AlreadyFiled(r) => format!("该登记证书的机构已备案（{r}），机构变更请在原备案上办理"),
        }
    }
    fn en(&self) -> String {
        match self {
            InstitutionError::Missing(f) => {
                format!("the filing is incomplete; please supply: {}", f.iter().map(|f| f.en()).collect::<Vec<_>>().join(", "))
            }
            InstitutionError::NursingAboveTotal { nursing, total } => {
                format!("{nursing} nursing-type beds is more than the {total} beds in all")
            }
            InstitutionError::Negative => "beds and floor area cannot be negative".into(),
            InstitutionError::AdmissionAfterFiling(d) => format!("first admission {d} is after the filing date"),
            InstitutionError::Grade(g) => format!("grade {g}: grades run from 1 to 5"),
            InstitutionError::Closed => "the institution is closed".into(),
            InstitutionError::Closing(d) => {
                format!("the institution is closing on {}: it takes no new residents", d.map(|d| d.to_string()).unwrap_or_default())
            }
            InstitutionError::ClosureNotice { announced, closes } => {
                format!("closing on {closes}, announced {announced}: the residents' resettlement plan is due 60 days ahead")
            }
            InstitutionError::NoPlan => "write the residents' resettlement plan".into(),
            InstitutionError::AlreadyFiled(r) => {
                format!("an institution with this registration is already filed ({r}); record changes on that filing")
            }
        }
    }
}

/// The days within which an institution files after its first admission (working days).
pub const FILING_WORKING_DAYS: u32 = 10;

/// The days of notice of a closure, with the resettlement plan (《养老机构管理办法》第四十五条).
pub const CLOSURE_NOTICE_DAYS: i64 = 60;

/// Checks a filing: every particular there (all missing ones named at once), beds that add up.
pub fn check_filing(f: &Filing, filed_on: NaiveDate) -> Result<(), InstitutionError> {
    let blank = |s: &str| s.trim().is_empty();
    let mut missing = Vec::new();
    for (empty, field) in [
        (blank(&f.name), Field::Name),
        (blank(&f.address), Field::Address),
        (blank(&f.legal_representative), Field::LegalRepresentative),
        (blank(&f.premises), Field::Premises),
        (f.beds.total <= 0, Field::Beds),
        (f.floor_area <= 0, Field::FloorArea),
        (blank(&f.contact), Field::Contact),
        (blank(&f.registration), Field::Registration),
        (!f.pledge, Field::Pledge),
        (f.first_admission.is_none(), Field::FirstAdmission),
    ] {
        if empty {
            missing.push(field);
        }
    }
    if !missing.is_empty() {
        return Err(InstitutionError::Missing(missing));
    }
    let b = f.beds;
    if b.total < 0 || b.nursing < 0 || b.day_care < 0 || b.home < 0 || f.floor_area < 0 {
        return Err(InstitutionError::Negative);
    }
    if b.nursing > b.total {
        return Err(InstitutionError::NursingAboveTotal { nursing: b.nursing, total: b.total });
    }
    if let Some(d) = f.first_admission.filter(|d| *d > filed_on) {
        return Err(InstitutionError::AdmissionAfterFiling(d));
    }
    Ok(())
}

/// 状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionStatus {
    /// 已备案，在营.
    Open,
    /// 拟停业: closure announced with its resettlement plan.
    Closing,
    /// 已停业.
    Closed,
}

impl InstitutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionStatus::Open => "open",
            InstitutionStatus::Closing => "closing",
            InstitutionStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<InstitutionStatus> {
        [InstitutionStatus::Open, InstitutionStatus::Closing, InstitutionStatus::Closed].into_iter().find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            InstitutionStatus::Open => "在营",
            InstitutionStatus::Closing => "拟停业",
            InstitutionStatus::Closed => "已停业",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            InstitutionStatus::Open => "open",
            InstitutionStatus::Closing => "closing",
            InstitutionStatus::Closed => "closed",
        }
    }
}

/// 养老机构 as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub id: i64,
    #[serde(flatten)]
    pub filing: Filing,
    /// 备案日期.
    pub filed_on: NaiveDate,
    /// 备案回执号 (`备字〔2026〕210112-0003`).
    pub receipt: String,
    /// Filed after the 10 working days.
    pub filed_late: bool,
    /// 等级评定 GB/T 37276-2018: 1 (一级) to 5 (五级).
    pub grade: Option<u8>,
    pub status: InstitutionStatus,
    /// 停业日期 and the resettlement plan, when closing or closed.
    pub closes_on: Option<NaiveDate>,
    pub resettlement_plan: String,
}

impl Institution {
    /// The grade as stars (★★★☆☆), or nothing.
    pub fn stars(&self) -> String {
        self.grade.map(|g| (0..5).map(|i| if i < g { '★' } else { '☆' }).collect()).unwrap_or_default()
    }
}

/// The receipt number of a filing: county, year and the county's sequence.
pub fn receipt_no(region: &RegionCode, filed_on: NaiveDate, seq: i64) -> String {
    let county: String = region.as_str().chars().take(6).collect();
    format!("养老备字〔{}〕{county}-{seq:04}", filed_on.format("%Y"))
}

/// Checks a closure: announced with a plan at least 60 days ahead.
pub fn check_closure(announced: NaiveDate, closes: NaiveDate, plan: &str) -> Result<(), InstitutionError> {
    if plan.trim().is_empty() {
        return Err(InstitutionError::NoPlan);
    }
    if (closes - announced).num_days() < CLOSURE_NOTICE_DAYS {
        return Err(InstitutionError::ClosureNotice { announced, closes });
    }
    Ok(())
}

/// 检查结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    /// 合格.
    Passed,
    /// 限期整改: to be put right by a date.
    Rectify,
    /// 不合格.
    Failed,
}

impl InspectionResult {
    pub const ALL: [InspectionResult; 3] = [InspectionResult::Passed, InspectionResult::Rectify, InspectionResult::Failed];
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionResult::Passed => "passed",
            InspectionResult::Rectify => "rectify",
            InspectionResult::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<InspectionResult> {
        InspectionResult::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            InspectionResult::Passed => "合格",
            InspectionResult::Rectify => "限期整改",
            InspectionResult::Failed => "不合格",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            InspectionResult::Passed => "passed",
            InspectionResult::Rectify => "to put right by a date",
            InspectionResult::Failed => "failed",
        }
    }
}

/// 监督检查: an inspection of an institution by the civil-affairs department (at least once a
/// year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: i64,
    pub institution_id: i64,
    pub inspected_on: NaiveDate,
    pub result: InspectionResult,
    /// 检查发现的问题.
    pub findings: String,
    /// 检查人员.
    pub inspector: String,
    /// 整改期限 (限期整改 only).
    pub rectify_by: Option<NaiveDate>,
}

/// Why an inspection record is refused. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    #[error("no inspector named")]
    NoInspector,
    #[error("the problems found are not written")]
    NoFindings,
    #[error("no date to put it right by, or one not after the inspection")]
    RectifyBy,
    #[error("inspection dated {0}, after today")]
    Future(NaiveDate),
}

impl Bilingual for InspectionError {
    fn zh(&self) -> String {
        match self {
            InspectionError::NoInspector => "请填写检查人员".into(),
            InspectionError::NoFindings => "结果为限期整改或不合格时，请写明检查发现的问题".into(),
            InspectionError::RectifyBy => "限期整改须填写晚于检查日期的整改期限".into(),
            InspectionError::Future(d) => format!("检查日期{d}晚于今天"),
        }
    }
    fn en(&self) -> String {
        match self {
            InspectionError::NoInspector => "name the inspectors".into(),
            InspectionError::NoFindings => "write the problems found when the result is not a pass".into(),
            InspectionError::RectifyBy => "give a date after the inspection to put it right by".into(),
            InspectionError::Future(d) => format!("inspection date {d} is after today"),
        }
    }
}

/// Checks an inspection record.
pub fn check_inspection(i: &Inspection, today: NaiveDate) -> Result<(), InspectionError> {
    if i.inspector.trim().is_empty() {
        return Err(InspectionError::NoInspector);
    }
    if i.inspected_on > today {
        return Err(InspectionError::Future(i.inspected_on));
    }
    if i.result != InspectionResult::Passed && i.findings.trim().is_empty() {
        return Err(InspectionError::NoFindings);
    }
    if i.result == InspectionResult::Rectify && i.rectify_by.is_none_or(|d| d <= i.inspected_on) {
        return Err(InspectionError::RectifyBy);
    }
    Ok(())
}

/// Whether an institution is due an inspection on `today`: none in the 12 months before (counted
/// from its filing when it has had none). A closed institution is not.
pub fn inspection_overdue(i: &Institution, last: Option<NaiveDate>, today: NaiveDate) -> bool {
    if i.status == InstitutionStatus::Closed {
        return false;
    }
    let since = last.unwrap_or(i.filed_on);
    since.checked_add_months(chrono::Months::new(12)).is_some_and(|due| today > due)
}

/// 入住: a registry person living in an institution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residency {
    pub id: i64,
    pub institution_id: i64,
    pub id_number: String,
    pub name: String,
    pub admitted_on: NaiveDate,
    pub discharged_on: Option<NaiveDate>,
    /// 特困人员集中供养: a 特困 person supported in the institution.
    pub concentrated: bool,
}

impl Residency {
    /// Whether the person lived there at the end of `day`.
    pub fn on(&self, day: NaiveDate) -> bool {
        self.admitted_on <= day && self.discharged_on.is_none_or(|d| d > day)
    }
}

/// What the indicators of a county are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountyFacts {
    pub county: String,
    /// Residents aged 60 and over.
    pub elders: u64,
    /// Beds of the open institutions.
    pub beds: Beds,
    pub institutions: u64,
    /// Residents at the month's end.
    pub residents: u64,
    /// 特困 persons supported (enrolments in force).
    pub tekun: u64,
    /// Of them, those partly or wholly unable to care for themselves (失能、半失能: the assessment's
    /// six activities, one or more failed) ...
    pub tekun_dependent: u64,
    /// ... and of those, the ones living in an institution (集中供养).
    pub tekun_dependent_concentrated: u64,
    /// Assessed elders by final level ([`crate::eldercare::assessment::AbilityLevel::ALL`] order).
    pub assessed: [u64; 5],
}

/// 养老服务指标 of a county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    pub county: String,
    pub elders: u64,
    pub institutions: u64,
    pub beds: Beds,
    pub residents: u64,
    /// 每千名老年人拥有养老床位数 (residential and home beds, as the plans count them).
    pub beds_per_thousand: Option<f64>,
    /// 入住率 = residents ÷ beds.
    pub occupancy: Option<f64>,
    /// 护理型床位占比 = nursing ÷ beds.
    pub nursing_share: Option<f64>,
    pub tekun: u64,
    pub tekun_dependent: u64,
    pub tekun_dependent_concentrated: u64,
    /// 失能、半失能特困人员集中供养率 (the plans' target: 生活不能自理特困人员集中供养率 60% by
    /// 2025, seed 001).
    pub concentrated_share: Option<f64>,
    pub assessed: [u64; 5],
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The indicators of a county.
pub fn indicators(f: &CountyFacts) -> Indicators {
    let beds = u64::try_from(f.beds.total).unwrap_or(0);
    let counted = beds + u64::try_from(f.beds.home).unwrap_or(0);
    Indicators {
        county: f.county.clone(),
        elders: f.elders,
        institutions: f.institutions,
        beds: f.beds,
        residents: f.residents,
        beds_per_thousand: ratio(counted * 1000, f.elders),
        occupancy: ratio(f.residents, beds),
        nursing_share: ratio(u64::try_from(f.beds.nursing).unwrap_or(0), beds),
        tekun: f.tekun,
        tekun_dependent: f.tekun_dependent,
        tekun_dependent_concentrated: f.tekun_dependent_concentrated,
        concentrated_share: ratio(f.tekun_dependent_concentrated, f.tekun_dependent),
        assessed: f.assessed,
    }
}

/// A share as staff read it: `62.8%`, or `—`.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{:.1}%", x * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    pub(crate) fn filing() -> Filing {
        Filing {
            name: "浑南区颐养园".into(),
            region: RegionCode::parse("210112").expect("region"),
            address: "浑南区创新路100号".into(),
            legal_representative: "王敏".into(),
            premises: "自有产权".into(),
            beds: Beds { total: 120, nursing: 80, day_care: 10, home: 0 },
            floor_area: 5600,
            contact: "024-12345678".into(),
            registration: "52210112MJY123456X".into(),
            pledge: true,
            first_admission: Some(day("2026-11-20")),
            ownership: Ownership::Private,
            tekun_home: false,
            regional_centre: false,
        }
    }

    #[test]
    fn a_filing_lacking_particulars_names_every_one_at_once() {
        let mut f = filing();
        f.legal_representative = " ".into();
        f.pledge = false;
        f.beds.total = 0;
        f.beds.nursing = 0;
        let err = check_filing(&f, day("2026-12-01")).expect_err("refused");
        assert_eq!(err, InstitutionError::Missing(vec![Field::LegalRepresentative, Field::Beds, Field::Pledge]));
        assert_eq!(err.zh(), "备案材料不齐全，请补正以下内容：法定代表人（主要负责人）、床位数、承诺书");
        assert!(err.en().contains("signed pledge"));
        assert_eq!(check_filing(&filing(), day("2026-12-01")), Ok(()));
    }

    #[test]
    fn nursing_beds_are_part_of_the_total() {
        let mut f = filing();
        f.beds.nursing = 121;
        assert_eq!(check_filing(&f, day("2026-12-01")), Err(InstitutionError::NursingAboveTotal { nursing: 121, total: 120 }));
    }

    #[test]
    fn a_closure_needs_a_plan_sixty_days_ahead() {
        assert_eq!(
            check_closure(day("2026-12-01"), day("2027-01-29"), "安置到区福利中心"),
            Err(InstitutionError::ClosureNotice { announced: day("2026-12-01"), closes: day("2027-01-29") })
        );
        assert_eq!(check_closure(day("2026-12-01"), day("2027-01-30"), "安置到区福利中心"), Ok(()));
        assert_eq!(check_closure(day("2026-12-01"), day("2027-03-01"), ""), Err(InstitutionError::NoPlan));
    }

    #[test]
    fn the_seeds_ningguo_figures_come_out_of_their_counts() {
        // Seed 002 (宁国市 2020): of 2,158 特困 persons, 419 partly or wholly dependent, 263 of
        // them in concentrated support (62.8%); 1,565 of 3,842 beds nursing-type (40.7%); 44 beds
        // per 1,000 elders (the seed gives no count of elders: 87,300 is what 44 implies).
        let f = CountyFacts {
            county: "341881".into(),
            elders: 87_300,
            beds: Beds { total: 3842, nursing: 1565, day_care: 0, home: 0 },
            institutions: 31,
            residents: 2100,
            tekun: 2158,
            tekun_dependent: 419,
            tekun_dependent_concentrated: 263,
            ..Default::default()
        };
        let i = indicators(&f);
        assert_eq!(percent(i.concentrated_share), "62.8%");
        assert_eq!(percent(i.nursing_share), "40.7%");
        assert_eq!(percent(i.occupancy), "54.7%");
        assert_eq!(format!("{:.1}", i.beds_per_thousand.expect("elders")), "44.0");
        assert_eq!(percent(indicators(&CountyFacts::default()).occupancy), "—");
    }

    #[test]
    fn an_inspection_names_its_problems_and_a_date_to_put_them_right_by() {
        let mut i = Inspection {
            id: 0,
            institution_id: 1,
            inspected_on: day("2026-11-10"),
            result: InspectionResult::Rectify,
            findings: String::new(),
            inspector: "周科长、吴科员".into(),
            rectify_by: None,
        };
        assert_eq!(check_inspection(&i, day("2026-12-01")), Err(InspectionError::NoFindings));
        i.findings = "消防通道堆放杂物".into();
        assert_eq!(check_inspection(&i, day("2026-12-01")), Err(InspectionError::RectifyBy));
        i.rectify_by = Some(day("2026-12-10"));
        assert_eq!(check_inspection(&i, day("2026-12-01")), Ok(()));
        assert_eq!(check_inspection(&i, day("2026-11-09")), Err(InspectionError::Future(day("2026-11-10"))));
    }

    #[test]
    fn an_institution_not_inspected_for_twelve_months_is_overdue() {
        let i = Institution {
            id: 1,
            filing: filing(),
            filed_on: day("2025-06-01"),
            receipt: String::new(),
            filed_late: false,
            grade: None,
            status: InstitutionStatus::Open,
            closes_on: None,
            resettlement_plan: String::new(),
        };
        assert!(!inspection_overdue(&i, None, day("2026-06-01")));
        assert!(inspection_overdue(&i, None, day("2026-06-02")));
        assert!(!inspection_overdue(&i, Some(day("2026-03-01")), day("2026-12-01")));
        assert!(!inspection_overdue(&Institution { status: InstitutionStatus::Closed, ..i }, None, day("2027-06-02")));
    }

    #[test]
    fn grades_show_as_stars_and_receipts_carry_the_county() {
        let mut i = Institution {
            id: 1,
            filing: filing(),
            filed_on: day("2026-12-01"),
            receipt: String::new(),
            filed_late: false,
            grade: Some(3),
            status: InstitutionStatus::Open,
            closes_on: None,
            resettlement_plan: String::new(),
        };
        assert_eq!(i.stars(), "★★★☆☆");
        i.grade = None;
        assert_eq!(i.stars(), "");
        assert_eq!(receipt_no(&i.filing.region, i.filed_on, 3), "养老备字〔2026〕210112-0003");
    }
}
