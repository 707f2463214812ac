//! 社会组织's rules, pure: the three kinds and their minimums (《社会团体登记管理条例》第十条,
//! 《基金会管理条例》第八条, 《民办非企业单位登记管理暂行条例》第八条; the figures are dated
//! parameters), the statutory limits (registration decided within 60 days, changes filed within
//! 30 days, deregistration within 15 days after liquidation), the annual report's two dates,
//! the rating's eligibility and grades, and the credit lists' reasons and removal
//! (《社会组织信用信息管理办法》, 民政部令第60号).

use chrono::{Datelike, Duration, Months, NaiveDate};
use minzheng_domain::calendar::WorkCalendar;
use minzheng_domain::Bilingual;
use serde::{Deserialize, Serialize};

/// 社会组织类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 社会团体
    Group,
    /// 民办非企业单位（社会服务机构）
    Service,
    /// 基金会
    Foundation,
}

impl OrgKind {
    pub const ALL: &'static [OrgKind] = &[OrgKind::Group, OrgKind::Service, OrgKind::Foundation];
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Group => "group",
            OrgKind::Service => "service",
            OrgKind::Foundation => "foundation",
        }
    }
    pub fn parse(s: &str) -> Option<OrgKind> {
        OrgKind::ALL.iter().copied().find(|k| k.as_str() == s.trim() || k.zh() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            OrgKind::Group => "社会团体",
            OrgKind::Service => "民办非企业单位",
            OrgKind::Foundation => "基金会",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            OrgKind::Group => "social group",
            OrgKind::Service => "social service organisation",
            OrgKind::Foundation => "foundation",
        }
    }
    /// The credit code's second character.
    pub fn code_char(self) -> char {
        match self {
            OrgKind::Group => '1',
            OrgKind::Service => '2',
            OrgKind::Foundation => '3',
        }
    }
}

/// 登记状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgStatus {
    /// 申请中: received, not decided.
    Applied,
    /// 不予登记
    Refused,
    /// 正常 (registered)
    Active,
    /// 已注销
    Deregistered,
    /// 已撤销登记
    Revoked,
}

impl OrgStatus {
    pub const ALL: &'static [OrgStatus] =
        &[OrgStatus::Applied, OrgStatus::Refused, OrgStatus::Active, OrgStatus::Deregistered, OrgStatus::Revoked];
    pub fn as_str(self) -> &'static str {
        match self {
            OrgStatus::Applied => "applied",
            OrgStatus::Refused => "refused",
            OrgStatus::Active => "active",
            OrgStatus::Deregistered => "deregistered",
            OrgStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<OrgStatus> {
        OrgStatus::ALL.iter().copied().find(|k| k.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            OrgStatus::Applied => "申请中",
            OrgStatus::Refused => "不予登记",
            OrgStatus::Active => "正常",
            OrgStatus::Deregistered => "已注销",
            OrgStatus::Revoked => "已撤销登记",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            OrgStatus::Applied => "applied",
            OrgStatus::Refused => "refused",
            OrgStatus::Active => "registered",
            OrgStatus::Deregistered => "deregistered",
            OrgStatus::Revoked => "registration revoked",
        }
    }
}

/// The body's nine characters in a credit code of civil affairs: `MJ`, a six-digit serial of the
/// region, and the check character of the organisation code (GB 11714-1997: weights 3, 7, 9, 10,
/// 5, 8, 4, 2 over the character values, 0-9 and A=10 ... Z=35; check 11 − Σ mod 11, 10 as X,
/// 11 as 0).
pub fn body_code(serial: i64) -> String {
    let first = format!("MJ{:06}", serial.rem_euclid(1_000_000));
    let weights = [3u32, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first.chars().zip(weights).map(|(c, w)| c.to_digit(36).unwrap_or(0) * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    format!("{first}{check}")
}

/// The minimums in force (dated parameters `socialorg_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Minimums {
    pub individual_members: u32,
    pub unit_members: u32,
    pub group_capital_fen: i64,
    pub service_capital_fen: i64,
    pub foundation_public_fen: i64,
    pub foundation_private_fen: i64,
}

/// 成立登记申请 as the registry received it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Application {
    pub name: String,
    pub kind: OrgKind,
    pub legal_rep_id: String,
    pub legal_rep_name: String,
    /// 业务主管单位 (empty for the kinds registered directly: trade associations, science,
    /// charity, community services).
    #[serde(default)]
    pub supervisor: String,
    /// 注册资金 / 开办资金 / 原始基金, in fen.
    pub capital_fen: i64,
    #[serde(default)]
    pub individual_members: u32,
    #[serde(default)]
    pub unit_members: u32,
    /// A foundation that may raise funds from the public (公募).
    #[serde(default)]
    pub public_raising: bool,
    pub address: String,
    pub scope: String,
}

/// Why an application, a step or a list entry is refused, with the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{individual} individual and {unit} unit members")]
    TooFewMembers { individual: u32, unit: u32, min_individual: u32, min_unit: u32 },
    #[error("capital {capital} below {minimum}")]
    TooLittleCapital { capital: i64, minimum: i64, kind: OrgKind, public_raising: bool },
    #[error("the name {0} is taken")]
    NameTaken(String),
    #[error("the registration was decided on {0}")]
    AlreadyDecided(String),
    #[error("not registered")]
    NotActive,
    #[error("report for {0} already recorded")]
    ReportTwice(i32),
    #[error("a report for {year} cannot be filed before the year ends")]
    ReportTooEarly { year: i32 },
    #[error("score {0} outside 0..=1000")]
    BadScore(u32),
    #[error("score {score} below the lowest grade's {lowest}")]
    BelowCutoff { score: u32, lowest: u32 },
    #[error("not eligible for rating: {0}")]
    NotEligible(RatingBar),
    #[error("already on the list since {0}")]
    AlreadyListed(NaiveDate),
    #[error("the entry is removed")]
    AlreadyRemoved,
    #[error("not removable before {0}")]
    NotYetRemovable(NaiveDate),
    #[error("removed only after the rectification is verified")]
    NeedsRectification,
    #[error("not removed by time")]
    NotRemovable,
    #[error("a violation since it was listed")]
    ViolationSinceListed,
    #[error("date {0} after today")]
    Future(NaiveDate),
}

impl Bilingual for OrgError {
    fn zh(&self) -> String {
        match self {
            OrgError::Missing(what) => format!("请填写{what}"),
            OrgError::TooFewMembers { individual, unit, min_individual, min_unit } => format!(
                "社会团体应有{min_individual}个以上的个人会员或者{min_unit}个以上的单位会员，混合组成的会员总数不得少于{min_individual}个（《社会团体登记管理条例》第十条），现个人会员{individual}个、单位会员{unit}个"
            ),
            OrgError::TooLittleCapital { capital, minimum, kind, public_raising } => format!(
                "{}的{}不得低于{}元（{}），现为{}元",
                kind.zh(),
                match kind {
                    OrgKind::Group => "活动资金",
                    OrgKind::Service => "开办资金",
                    OrgKind::Foundation => "原始基金",
                },
                minimum / 100,
                match (kind, public_raising) {
                    (OrgKind::Group, _) => "《社会团体登记管理条例》第十条",
                    (OrgKind::Foundation, true) => "《基金会管理条例》第八条，地方性公募基金会",
                    (OrgKind::Foundation, false) => "《基金会管理条例》第八条，非公募基金会",
                    (OrgKind::Service, _) => "《民办非企业单位登记管理暂行条例》第八条及本地规定",
                },
                capital / 100
            ),
            OrgError::NameTaken(n) => format!("名称“{n}”已被登记或正在申请，同一登记管理机关管辖范围内不得重名"),
            OrgError::AlreadyDecided(s) => format!("该申请已{s}，不能再次决定"),
            OrgError::NotActive => "该组织不在正常登记状态".into(),
            OrgError::ReportTwice(y) => format!("{y}年度的年度报告已登记"),
            OrgError::ReportTooEarly { year } => format!("{year}年度尚未结束，次年1月1日起报送年度报告"),
            OrgError::BadScore(s) => format!("评估得分{s}超出0至1000分"),
            OrgError::BelowCutoff { score, lowest } => format!("评估得分{score}分，低于1A级分数线{lowest}分，不授予等级"),
            OrgError::NotEligible(bar) => format!("不能参加评估：{}（《社会组织评估管理办法》）", bar.zh()),
            OrgError::AlreadyListed(d) => format!("该组织已于{d}列入该名录，尚未移出"),
            OrgError::AlreadyRemoved => "该记录已移出".into(),
            OrgError::NotYetRemovable(d) => format!("{d}起方可移出（《社会组织信用信息管理办法》）"),
            OrgError::NeedsRectification => "因未报送年度报告、住所无法联系或未按时整改列入的，须填写整改核实日期，经核实整改后方可移出（《社会组织信用信息管理办法》）".into(),
            OrgError::NotRemovable => "因被撤销登记、吊销登记证书等列入的，不因期满移出".into(),
            OrgError::ViolationSinceListed => "列入后又有违法失信行为，满2年且期间无新的违法失信行为方可移出".into(),
            OrgError::Future(d) => format!("日期{d}晚于今天"),
        }
    }
    fn en(&self) -> String {
        match self {
            OrgError::Missing(what) => format!("enter {}", missing_en(what)),
            OrgError::TooFewMembers { individual, unit, min_individual, min_unit } => format!(
                "a social group needs {min_individual} individual or {min_unit} unit members, or {min_individual} in all when mixed (Regulations on Social Groups art. 10); it has {individual} individual and {unit} unit members"
            ),
            OrgError::TooLittleCapital { capital, minimum, kind, .. } => {
                format!("a {}'s capital must be at least {} yuan; it is {} yuan", kind.en(), minimum / 100, capital / 100)
            }
            OrgError::NameTaken(n) => format!("the name {n:?} is registered or applied for already"),
            OrgError::AlreadyDecided(s) => format!("the application was {s} already"),
            OrgError::NotActive => "the organisation is not registered".into(),
            OrgError::ReportTwice(y) => format!("the report for {y} is recorded already"),
            OrgError::ReportTooEarly { year } => format!("{year} is not over: its report is filed from 1 January"),
            OrgError::BadScore(s) => format!("score {s} is outside 0 to 1,000"),
            OrgError::BelowCutoff { score, lowest } => format!("score {score} is below the 1A cut-off {lowest}: no grade"),
            OrgError::NotEligible(bar) => format!("not eligible for rating: {}", bar.en()),
            OrgError::AlreadyListed(d) => format!("on the list since {d} and not removed"),
            OrgError::AlreadyRemoved => "the entry is removed already".into(),
            OrgError::NotYetRemovable(d) => format!("it may be removed from {d}"),
            OrgError::NeedsRectification => "listed for a missing report, an unreachable address or a rectification not made: removed once the rectification is verified (enter its date)".into(),
            OrgError::NotRemovable => "listed for a revoked registration or certificate: not removed by time".into(),
            OrgError::ViolationSinceListed => "a further violation since it was listed: removed after 2 clean years".into(),
            OrgError::Future(d) => format!("date {d} is after today"),
        }
    }
}

fn missing_en(zh: &str) -> &'static str {
    match zh {
        "名称" => "the name",
        "法定代表人" => "the legal representative",
        "住所" => "the address",
        "业务范围" => "the scope of activities",
        _ => "the missing field",
    }
}

/// Checks an application against the kind's minimums.
pub fn check_application(a: &Application, m: &Minimums) -> Result<(), OrgError> {
    if a.name.trim().is_empty() {
        return Err(OrgError::Missing("名称"));
    }
    if a.legal_rep_name.trim().is_empty() || a.legal_rep_id.trim().is_empty() {
        return Err(OrgError::Missing("法定代表人"));
    }
    if a.address.trim().is_empty() {
        return Err(OrgError::Missing("住所"));
    }
    if a.scope.trim().is_empty() {
        return Err(OrgError::Missing("业务范围"));
    }
    let minimum = match a.kind {
        OrgKind::Group => {
            let enough = a.individual_members >= m.individual_members
                || a.unit_members >= m.unit_members
                || (a.individual_members > 0 && a.unit_members > 0 && a.individual_members + a.unit_members >= m.individual_members);
            if !enough {
                return Err(OrgError::TooFewMembers {
                    individual: a.individual_members,
                    unit: a.unit_members,
                    min_individual: m.individual_members,
                    min_unit: m.unit_members,
                });
            }
            m.group_capital_fen
        }
        OrgKind::Service => m.service_capital_fen,
        OrgKind::Foundation if a.public_raising => m.foundation_public_fen,
        OrgKind::Foundation => m.foundation_private_fen,
    };
    if a.capital_fen < minimum {
        return Err(OrgError::TooLittleCapital { capital: a.capital_fen, minimum, kind: a.kind, public_raising: a.public_raising });
    }
    Ok(())
}

/// 准予或者不予登记的期限: 60 days from the day the complete application is received
/// (《社会团体登记管理条例》第十二条; 《基金会管理条例》第十一条).
pub fn decision_due(received_on: NaiveDate) -> NaiveDate {
    received_on + Duration::days(60)
}

/// 变更登记的期限: 30 days from the change (approved by the supervising unit).
pub fn change_due(changed_on: NaiveDate) -> NaiveDate {
    changed_on + Duration::days(30)
}

/// 注销登记的期限: 15 days from the end of the liquidation.
pub fn deregistration_due(liquidated_on: NaiveDate) -> NaiveDate {
    liquidated_on + Duration::days(15)
}

/// The annual report's dates for a year: to the supervising unit by 31 March and to the
/// registry by 31 May of the next year.
pub fn report_due(year: i32) -> (NaiveDate, NaiveDate) {
    let d = |m, day| NaiveDate::from_ymd_opt(year + 1, m, day).unwrap_or(NaiveDate::MIN);
    (d(3, 31), d(5, 31))
}

/// 年检结论.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inspection {
    /// 合格
    Pass,
    /// 基本合格
    Basic,
    /// 不合格
    Fail,
}

impl Inspection {
    pub const ALL: &'static [Inspection] = &[Inspection::Pass, Inspection::Basic, Inspection::Fail];
    pub fn as_str(self) -> &'static str {
        match self {
            Inspection::Pass => "pass",
            Inspection::Basic => "basic",
            Inspection::Fail => "fail",
        }
    }
    pub fn parse(s: &str) -> Option<Inspection> {
        Inspection::ALL.iter().copied().find(|k| k.as_str() == s.trim() || k.zh() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            Inspection::Pass => "合格",
            Inspection::Basic => "基本合格",
            Inspection::Fail => "不合格",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Inspection::Pass => "passed",
            Inspection::Basic => "basically passed",
            Inspection::Fail => "failed",
        }
    }
}

/// Why an organisation may not be rated now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RatingBar {
    /// Registered less than two full years.
    TooNew(NaiveDate),
    /// No inspection result for last year.
    NoInspection(i32),
    /// Last year's inspection failed.
    Failed(i32),
    /// Two consecutive 基本合格.
    TwoBasic(i32),
    /// On a credit list.
    Listed,
    /// Penalised last year or this year.
    Penalised,
    /// Rated, the grade valid until the day.
    StillRated(NaiveDate),
}

impl std::fmt::Display for RatingBar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl RatingBar {
    pub fn zh(&self) -> String {
        match self {
            RatingBar::TooNew(d) => format!("登记未满两个年度（{d}起可申请）"),
            RatingBar::NoInspection(y) => format!("{y}年度未参加年检（年度报告）"),
            RatingBar::Failed(y) => format!("{y}年度年检不合格"),
            RatingBar::TwoBasic(y) => format!("{}、{y}年度连续两年基本合格", y - 1),
            RatingBar::Listed => "列入活动异常名录或严重违法失信名单".into(),
            RatingBar::Penalised => "上一年度或本年度受过行政处罚".into(),
            RatingBar::StillRated(d) => format!("评估等级有效期至{d}，有效期内不重复评估"),
        }
    }
    pub fn en(&self) -> String {
        match self {
            RatingBar::TooNew(d) => format!("registered less than two full years (may apply from {d})"),
            RatingBar::NoInspection(y) => format!("no inspection for {y}"),
            RatingBar::Failed(y) => format!("failed the inspection of {y}"),
            RatingBar::TwoBasic(y) => format!("basically passed both {} and {y}", y - 1),
            RatingBar::Listed => "on a credit list".into(),
            RatingBar::Penalised => "penalised last year or this year".into(),
            RatingBar::StillRated(d) => format!("its grade is valid until {d}: not rated again before"),
        }
    }
}

/// Whether an organisation may be rated on `today` (《社会组织评估管理办法》): registered two full
/// years; not holding a valid grade; inspected last year, not failed, not 基本合格 two years
/// running; not listed; not penalised last year or this year.
pub fn rating_bar(
    registered_on: NaiveDate,
    rated_until: Option<NaiveDate>,
    inspections: &[(i32, Inspection)],
    listed: bool,
    penalised: bool,
    today: NaiveDate,
) -> Option<RatingBar> {
    if let Some(until) = rated_until.filter(|u| *u >= today) {
        return Some(RatingBar::StillRated(until));
    }
    let from = registered_on.checked_add_months(Months::new(24)).unwrap_or(NaiveDate::MAX);
    if today < from {
        return Some(RatingBar::TooNew(from));
    }
    let last = today.year() - 1;
    let of = |y: i32| inspections.iter().find(|(year, _)| *year == y).map(|(_, r)| *r);
    match (of(last - 1), of(last)) {
        (_, None) => return Some(RatingBar::NoInspection(last)),
        (_, Some(Inspection::Fail)) => return Some(RatingBar::Failed(last)),
        (Some(Inspection::Basic), Some(Inspection::Basic)) => return Some(RatingBar::TwoBasic(last)),
        _ => {}
    }
    if listed {
        return Some(RatingBar::Listed);
    }
    if penalised {
        return Some(RatingBar::Penalised);
    }
    None
}

/// The grade (1 to 5 A) a score out of 1,000 earns under the local cut-offs (5A first), or none.
pub fn grade(score: u32, cutoffs: &[u32; 5]) -> Option<u8> {
    cutoffs.iter().position(|&c| c > 0 && score >= c).and_then(|i| u8::try_from(5 - i).ok())
}

/// A rating is valid five years (《社会组织评估管理办法》).
pub fn rating_valid_until(rated_on: NaiveDate) -> NaiveDate {
    rated_on.checked_add_months(Months::new(60)).map_or(NaiveDate::MAX, |d| d - Duration::days(1))
}

/// The two credit lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditList {
    /// 活动异常名录
    Abnormal,
    /// 严重违法失信名单
    Serious,
}

impl CreditList {
    pub fn as_str(self) -> &'static str {
        match self {
            CreditList::Abnormal => "abnormal",
            CreditList::Serious => "serious",
        }
    }
    pub fn parse(s: &str) -> Option<CreditList> {
        [CreditList::Abnormal, CreditList::Serious].into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            CreditList::Abnormal => "活动异常名录",
            CreditList::Serious => "严重违法失信名单",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            CreditList::Abnormal => "list of abnormal activities",
            CreditList::Serious => "list of serious violations",
        }
    }
}

/// The statutory reasons for entering a list (民政部令第60号 第十条、第十二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListReason {
    /// 未按规定参加年检或报送年度工作报告
    NoAnnualReport,
    /// 通过登记的住所无法与其取得联系
    Unreachable,
    /// 未按规定时限和要求向登记管理机关报送整改报告
    RectificationOverdue,
    /// 受到警告或者不满5万元罚款处罚
    MinorPenalty,
    /// 被列入活动异常名录满2年
    AbnormalTwoYears,
    /// 受到5万元以上罚款处罚
    MajorFine,
    /// 三年内两次以上受到警告或者不满5万元罚款处罚
    RepeatedPenalties,
    /// 受到限期停止活动、撤销登记、吊销登记证书处罚
    LicenceRevoked,
}

impl ListReason {
    pub const ALL: &'static [ListReason] = &[
        ListReason::NoAnnualReport,
        ListReason::Unreachable,
        ListReason::RectificationOverdue,
        ListReason::MinorPenalty,
        ListReason::AbnormalTwoYears,
        ListReason::MajorFine,
        ListReason::RepeatedPenalties,
        ListReason::LicenceRevoked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ListReason::NoAnnualReport => "no_annual_report",
            ListReason::Unreachable => "unreachable",
            ListReason::RectificationOverdue => "rectification_overdue",
            ListReason::MinorPenalty => "minor_penalty",
            ListReason::AbnormalTwoYears => "abnormal_two_years",
            ListReason::MajorFine => "major_fine",
            ListReason::RepeatedPenalties => "repeated_penalties",
            ListReason::LicenceRevoked => "licence_revoked",
        }
    }
    pub fn parse(s: &str) -> Option<ListReason> {
        ListReason::ALL.iter().copied().find(|k| k.as_str() == s.trim())
    }
    /// The list the reason puts an organisation on.
    pub fn list(self) -> CreditList {
        match self {
            ListReason::NoAnnualReport | ListReason::Unreachable | ListReason::RectificationOverdue | ListReason::MinorPenalty => {
                CreditList::Abnormal
            }
            _ => CreditList::Serious,
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ListReason::NoAnnualReport => "未按规定参加年检或报送年度工作报告",
            ListReason::Unreachable => "通过登记的住所无法与其取得联系",
            ListReason::RectificationOverdue => "未按规定时限和要求报送整改报告",
            ListReason::MinorPenalty => "受到警告或者不满5万元罚款处罚",
            ListReason::AbnormalTwoYears => "被列入活动异常名录满2年",
            ListReason::MajorFine => "受到5万元以上罚款处罚",
            ListReason::RepeatedPenalties => "三年内两次以上受到警告或者不满5万元罚款处罚",
            ListReason::LicenceRevoked => "受到限期停止活动、撤销登记、吊销登记证书处罚",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            ListReason::NoAnnualReport => "no annual inspection or report",
            ListReason::Unreachable => "not reachable at the registered address",
            ListReason::RectificationOverdue => "rectification report not filed in time",
            ListReason::MinorPenalty => "a warning or a fine under 50,000 yuan",
            ListReason::AbnormalTwoYears => "two years on the list of abnormal activities",
            ListReason::MajorFine => "a fine of 50,000 yuan or more",
            ListReason::RepeatedPenalties => "two or more warnings or small fines within three years",
            ListReason::LicenceRevoked => "activities suspended, registration revoked or certificate withdrawn",
        }
    }
}

/// When an entry may be removed (民政部令第60号): an abnormal entry for a missing report, an
/// unreachable address or an overdue rectification comes off once the rectification is verified
/// (within 5 working days); one for a warning or small fine once the penalty is carried out, or
/// after 6 months on the list; a serious
/// entry after 2 years on it with no further violation (`clean`); one for a revoked registration
/// is not removed by time. `Err` says why not yet, `Ok` from which day.
pub fn removable_from(
    reason: ListReason,
    listed_on: NaiveDate,
    rectified_on: Option<NaiveDate>,
    clean: bool,
) -> Result<NaiveDate, OrgError> {
    match reason {
        ListReason::NoAnnualReport | ListReason::Unreachable | ListReason::RectificationOverdue => {
            rectified_on.ok_or(OrgError::NeedsRectification)
        }
        ListReason::MinorPenalty => {
            let six_months = listed_on.checked_add_months(Months::new(6)).unwrap_or(NaiveDate::MAX);
            Ok(rectified_on.map_or(six_months, |r| r.min(six_months)))
        }
        ListReason::LicenceRevoked => Err(OrgError::NotRemovable),
        ListReason::AbnormalTwoYears | ListReason::MajorFine | ListReason::RepeatedPenalties => {
            if clean {
                Ok(listed_on.checked_add_months(Months::new(24)).unwrap_or(NaiveDate::MAX))
            } else {
                Err(OrgError::ViolationSinceListed)
            }
        }
    }
}

/// The last day to remove an abnormal entry whose rectification was verified on `rectified_on`.
pub fn removal_due(rectified_on: NaiveDate, cal: &WorkCalendar) -> NaiveDate {
    cal.add_working_days(rectified_on, 5)
}

/// The day an abnormal entry not removed goes on the serious list (2 years on it).
pub fn promotion_due(listed_on: NaiveDate) -> NaiveDate {
    listed_on.checked_add_months(Months::new(24)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn minimums() -> Minimums {
        Minimums {
            individual_members: 50,
            unit_members: 30,
            group_capital_fen: 3_000_000,
            service_capital_fen: 3_000_000,
            foundation_public_fen: 400_000_000,
            foundation_private_fen: 200_000_000,
        }
    }

    fn group(individual: u32, unit: u32, capital_fen: i64) -> Application {
        Application {
            name: "沈阳市浑南区书法家协会".into(),
            kind: OrgKind::Group,
            legal_rep_id: "x".into(),
            legal_rep_name: "王".into(),
            supervisor: String::new(),
            capital_fen,
            individual_members: individual,
            unit_members: unit,
            public_raising: false,
            address: "浑南区".into(),
            scope: "书法交流".into(),
        }
    }

    #[test]
    fn a_group_needs_fifty_persons_or_thirty_units_and_its_capital() {
        let m = minimums();
        assert_eq!(check_application(&group(50, 0, 3_000_000), &m), Ok(()));
        assert_eq!(check_application(&group(0, 30, 3_000_000), &m), Ok(()));
        assert_eq!(check_application(&group(30, 20, 3_000_000), &m), Ok(()), "mixed, 50 in all");
        let e = check_application(&group(30, 19, 3_000_000), &m).unwrap_err();
        assert!(matches!(e, OrgError::TooFewMembers { .. }) && e.zh().contains("第十条"), "{e:?}");
        let e = check_application(&group(60, 0, 2_999_999), &m).unwrap_err();
        assert!(e.zh().contains("活动资金不得低于30000元"), "{}", e.zh());
    }

    #[test]
    fn a_foundations_fund_depends_on_whether_it_raises_from_the_public() {
        let m = minimums();
        let f = Application { kind: OrgKind::Foundation, capital_fen: 300_000_000, ..group(0, 0, 0) };
        assert_eq!(check_application(&f, &m), Ok(()), "非公募 2,000,000 yuan");
        let public = Application { public_raising: true, ..f };
        assert!(matches!(check_application(&public, &m), Err(OrgError::TooLittleCapital { minimum: 400_000_000, .. })));
    }

    #[test]
    fn a_body_code_is_nine_characters_of_the_alphabet() {
        let b = body_code(1);
        assert_eq!(b.len(), 9);
        assert!(b.starts_with("MJ000001"));
        let code = minzheng_domain::CreditCode::from_parts('1', "210112", &b).expect("a valid credit code");
        assert_eq!(code.region(), "210112");
        // GB 11714: M=22, J=19: 66 + 133 + 1×2 = 201, 201 mod 11 = 3, check 8.
        assert_eq!(b, "MJ0000018");
    }

    #[test]
    fn the_statutory_limits() {
        assert_eq!(decision_due(day("2026-03-02")), day("2026-05-01"));
        assert_eq!(change_due(day("2026-03-02")), day("2026-04-01"));
        assert_eq!(deregistration_due(day("2026-03-02")), day("2026-03-17"));
        assert_eq!(report_due(2025), (day("2026-03-31"), day("2026-05-31")));
    }

    #[test]
    fn rating_needs_two_years_an_inspection_and_a_clean_record() {
        let today = day("2026-06-01");
        let ok = [(2024, Inspection::Pass), (2025, Inspection::Basic)];
        assert_eq!(rating_bar(day("2024-05-31"), None, &ok, false, false, today), None);
        assert_eq!(rating_bar(day("2024-06-02"), None, &ok, false, false, today), Some(RatingBar::TooNew(day("2026-06-02"))));
        assert_eq!(
            rating_bar(day("2020-01-01"), None, &[(2024, Inspection::Pass)], false, false, today),
            Some(RatingBar::NoInspection(2025))
        );
        assert_eq!(rating_bar(day("2020-01-01"), None, &[(2025, Inspection::Fail)], false, false, today), Some(RatingBar::Failed(2025)));
        let two = [(2024, Inspection::Basic), (2025, Inspection::Basic)];
        assert_eq!(rating_bar(day("2020-01-01"), None, &two, false, false, today), Some(RatingBar::TwoBasic(2025)));
        assert_eq!(rating_bar(day("2020-01-01"), None, &ok, true, false, today), Some(RatingBar::Listed));
        assert_eq!(rating_bar(day("2020-01-01"), None, &ok, false, true, today), Some(RatingBar::Penalised));
        // A valid grade is not rated again; an expired one is.
        let until = rating_valid_until(day("2022-03-01"));
        assert_eq!(rating_bar(day("2020-01-01"), Some(until), &ok, false, false, today), Some(RatingBar::StillRated(until)));
        assert_eq!(rating_bar(day("2020-01-01"), Some(rating_valid_until(day("2021-05-01"))), &ok, false, false, today), None);
    }

    #[test]
    fn grades_by_the_local_cutoffs_and_five_years_valid() {
        let cut = [900, 800, 700, 600, 500];
        assert_eq!(grade(1000, &cut), Some(5));
        assert_eq!(grade(900, &cut), Some(5));
        assert_eq!(grade(899, &cut), Some(4));
        assert_eq!(grade(500, &cut), Some(1));
        assert_eq!(grade(499, &cut), None);
        assert_eq!(rating_valid_until(day("2026-06-01")), day("2031-05-31"));
    }

    #[test]
    fn list_entries_come_off_on_rectification_or_with_time() {
        let listed = day("2026-01-10");
        assert_eq!(removable_from(ListReason::MinorPenalty, listed, None, true), Ok(day("2026-07-10")));
        assert_eq!(removable_from(ListReason::MinorPenalty, listed, Some(day("2026-03-01")), true), Ok(day("2026-03-01")));
        assert_eq!(removable_from(ListReason::NoAnnualReport, listed, None, true), Err(OrgError::NeedsRectification), "not by time");
        assert_eq!(removable_from(ListReason::Unreachable, listed, Some(day("2026-02-01")), true), Ok(day("2026-02-01")));
        assert_eq!(removable_from(ListReason::MajorFine, listed, None, true), Ok(day("2028-01-10")));
        assert_eq!(removable_from(ListReason::RepeatedPenalties, listed, None, false), Err(OrgError::ViolationSinceListed));
        assert_eq!(removable_from(ListReason::LicenceRevoked, listed, None, true), Err(OrgError::NotRemovable));
        assert_eq!(promotion_due(listed), day("2028-01-10"));
        // Verified on a Friday: five working days end the next Friday.
        assert_eq!(removal_due(day("2026-02-06"), &WorkCalendar::new(&[])), day("2026-02-13"));
        assert_eq!(ListReason::MajorFine.list(), CreditList::Serious);
        assert_eq!(ListReason::Unreachable.list(), CreditList::Abnormal);
    }
}
