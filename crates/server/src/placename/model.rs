//! 地名's rules, pure (《地名管理条例》, in force 2022-05-01): a standard name is a specific part
//! and a generic part (专名 + 通名); the categories; the names that may not repeat within a county
//! (居民点、街路巷 and buildings named like them, 第十条); the procedure (application with
//! reasons, expert review, public consultation, approval by the competent level) and its limits
//! (filing with the next level up and announcement each within 15 days of the approval,
//! 第十六条、第十七条).

use chrono::{Duration, NaiveDate};
use minzheng_domain::Bilingual;
use serde::{Deserialize, Serialize};

/// 地名类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 居民点 (住宅区、村、屯)
    Settlement,
    /// 街路巷
    Street,
    /// 具有地名意义的建筑物
    Building,
    /// 自然地理实体 (山、河、湖)
    Natural,
    /// 交通运输设施 (桥梁、隧道、站)
    Transport,
    /// 水利、电力设施
    Utility,
    /// 纪念地、旅游胜地
    Memorial,
}

impl Category {
    pub const ALL: &'static [Category] = &[
        Category::Settlement,
        Category::Street,
        Category::Building,
        Category::Natural,
        Category::Transport,
        Category::Utility,
        Category::Memorial,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Settlement => "settlement",
            Category::Street => "street",
            Category::Building => "building",
            Category::Natural => "natural",
            Category::Transport => "transport",
            Category::Utility => "utility",
            Category::Memorial => "memorial",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.as_str() == s.trim() || c.zh() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            Category::Settlement => "居民点",
            Category::Street => "街路巷",
            Category::Building => "建筑物",
            Category::Natural => "自然地理实体",
            Category::Transport => "交通运输设施",
            Category::Utility => "水利电力设施",
            Category::Memorial => "纪念地、旅游胜地",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Category::Settlement => "settlement",
            Category::Street => "street",
            Category::Building => "building",
            Category::Natural => "natural feature",
            Category::Transport => "transport facility",
            Category::Utility => "water or power facility",
            Category::Memorial => "memorial or scenic site",
        }
    }
    /// Whether a name of this category may not repeat another within the county (第十条: 一个
    /// 县级行政区内的居民点、街路巷不应重名; buildings named as places are held to the same).
    pub fn unique_in_county(self) -> bool {
        matches!(self, Category::Settlement | Category::Street | Category::Building)
    }
}

/// 地名申报: what the applicant asks for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Proposal {
    pub category: Category,
    /// 专名
    pub specific: String,
    /// 通名
    pub generic: String,
    /// 位置、起止点
    pub location: String,
    /// 命名、更名理由
    pub reason: String,
    /// The standard name this one renames (更名), if any.
    #[serde(default)]
    pub renames: Option<i64>,
}

/// Where a name is in its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已申报
    Applied,
    /// 专家论证完成
    Reviewed,
    /// 征求社会公众意见中或已完成
    Consulted,
    /// 批准 (a standard name)
    Approved,
    /// 不予批准
    Refused,
    /// 已被更名 (a former name, kept as history)
    Renamed,
}

impl Status {
    pub const ALL: &'static [Status] =
        &[Status::Applied, Status::Reviewed, Status::Consulted, Status::Approved, Status::Refused, Status::Renamed];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Reviewed => "reviewed",
            Status::Consulted => "consulted",
            Status::Approved => "approved",
            Status::Refused => "refused",
            Status::Renamed => "renamed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|c| c.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Status::Applied => "已申报",
            Status::Reviewed => "已专家论证",
            Status::Consulted => "已征求公众意见",
            Status::Approved => "已批准（标准地名）",
            Status::Refused => "不予批准",
            Status::Renamed => "已更名（曾用名）",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Status::Applied => "applied",
            Status::Reviewed => "reviewed by experts",
            Status::Consulted => "publicly consulted",
            Status::Approved => "approved (standard name)",
            Status::Refused => "refused",
            Status::Renamed => "renamed (former name)",
        }
    }
    /// Whether the name is held (applied for or standard): a name held may not be taken again.
    pub fn holds_name(self) -> bool {
        matches!(self, Status::Applied | Status::Reviewed | Status::Consulted | Status::Approved)
    }
}

/// Why a step is refused, with the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("{0} missing")]
    Missing(&'static str),
    #[error("the specific part has characters that are not Chinese: {0}")]
    NotChinese(String),
    #[error("the name {name} repeats {existing} in the county")]
    Duplicate { name: String, existing: String, status: Status },
    #[error("step {step} not possible at {status:?}")]
    OutOfOrder { step: &'static str, status: Status },
    #[error("the consultation runs until {0}")]
    ConsultationOpen(NaiveDate),
    #[error("date {0} after today")]
    Future(NaiveDate),
    #[error("date {0} before the approval {1}")]
    BeforeApproval(NaiveDate, NaiveDate),
    #[error("the renamed name is not a standard name")]
    NotRenamable,
    #[error("the consultation's period {0} to {1} is not a period")]
    ConsultationPeriod(NaiveDate, NaiveDate),
    #[error("a rename of this name is in procedure")]
    RenameOpen(String),
}

impl Bilingual for NameError {
    fn zh(&self) -> String {
        match self {
            NameError::Missing(w) => format!("请填写{w}"),
            NameError::NotChinese(s) => {
                format!("地名“{s}”含有非汉字字符；地名用字应当规范，不以外国人名、地名命名（《地名管理条例》第十条）")
            }
            NameError::Duplicate { name, existing, status } => {
                format!("“{name}”与本县级行政区内的{}“{existing}”重名，居民点、街路巷不应重名（《地名管理条例》第十条）", status.zh())
            }
            NameError::OutOfOrder { step, status } => format!("该地名目前{}，不能{step}", status.zh()),
            NameError::ConsultationOpen(d) => format!("征求社会公众意见至{d}，期满后方可批准"),
            NameError::Future(d) => format!("日期{d}晚于今天"),
            NameError::BeforeApproval(d, a) => format!("日期{d}早于批准日期{a}"),
            NameError::NotRenamable => "被更名的须是已批准的标准地名".into(),
            NameError::ConsultationPeriod(from, to) => format!("征求意见截止日{to}早于起始日{from}"),
            NameError::RenameOpen(n) => format!("该地名已有一件更名申报正在办理（“{n}”），办结前不能再申报更名"),
        }
    }
    fn en(&self) -> String {
        match self {
            NameError::Missing(w) => format!("enter {}", missing_en(w)),
            NameError::NotChinese(s) => format!("the name {s:?} has characters that are not Chinese"),
            NameError::Duplicate { name, existing, status } => {
                format!("{name:?} repeats {existing:?} ({}) in the county: settlements and streets may not repeat (art. 10)", status.en())
            }
            NameError::OutOfOrder { step, status } => format!("the name is {}: cannot {}", status.en(), step_en(step)),
            NameError::ConsultationOpen(d) => format!("the public consultation runs until {d}: approve after it"),
            NameError::Future(d) => format!("date {d} is after today"),
            NameError::BeforeApproval(d, a) => format!("date {d} is before the approval {a}"),
            NameError::NotRenamable => "only a standard name can be renamed".into(),
            NameError::ConsultationPeriod(from, to) => format!("the consultation ends {to}, before it starts {from}"),
            NameError::RenameOpen(n) => format!("a rename of this name ({n:?}) is in procedure: finish it first"),
        }
    }
}

fn missing_en(w: &str) -> &'static str {
    match w {
        "专名" => "the specific part",
        "通名" => "the generic part",
        "位置" => "the location",
        "命名理由" => "the reasons",
        "专家论证意见" => "the experts' opinion",
        "批准机关" => "the approving authority",
        "批准文号" => "the approval's number",
        "不予批准的理由" => "the reason for refusing",
        _ => "the missing field",
    }
}

fn step_en(step: &str) -> &'static str {
    match step {
        "专家论证" => "record the expert review",
        "征求意见" => "record the consultation",
        "批准" => "approve",
        "不予批准" => "refuse",
        "备案" => "record the filing",
        "公告" => "record the announcement",
        _ => "take this step",
    }
}

/// Checks a proposal on its own (the county's register is the service's).
pub fn check_proposal(p: &Proposal) -> Result<String, NameError> {
    let specific = p.specific.trim();
    let generic = p.generic.trim();
    if specific.is_empty() {
        return Err(NameError::Missing("专名"));
    }
    if generic.is_empty() {
        return Err(NameError::Missing("通名"));
    }
    if p.location.trim().is_empty() {
        return Err(NameError::Missing("位置"));
    }
    if p.reason.trim().is_empty() {
        return Err(NameError::Missing("命名理由"));
    }
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) || c.is_ascii_digit();
    if !specific.chars().all(cjk) || !generic.chars().all(cjk) {
        return Err(NameError::NotChinese(format!("{specific}{generic}")));
    }
    Ok(format!("{specific}{generic}"))
}

/// The last days to file the approved name with the next level up and to announce it: 15 days
/// from the approval each (第十六条、第十七条).
pub fn filing_due(approved_on: NaiveDate) -> NaiveDate {
    approved_on + Duration::days(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(specific: &str, generic: &str) -> Proposal {
        Proposal {
            category: Category::Street,
            specific: specific.into(),
            generic: generic.into(),
            location: "东起浑河大街，西至白塔河路".into(),
            reason: "新建道路".into(),
            renames: None,
        }
    }

    #[test]
    fn a_name_is_its_specific_and_generic_parts_in_chinese() {
        assert_eq!(check_proposal(&proposal("智慧", "四街")), Ok("智慧四街".into()));
        assert_eq!(check_proposal(&proposal("", "路")), Err(NameError::Missing("专名")));
        assert_eq!(check_proposal(&proposal("白塔", " ")), Err(NameError::Missing("通名")));
        let e = check_proposal(&proposal("Manhattan", "大街")).unwrap_err();
        assert!(e.zh().contains("第十条"), "{}", e.zh());
        let mut p = proposal("浑南", "路");
        p.reason = String::new();
        assert_eq!(check_proposal(&p), Err(NameError::Missing("命名理由")));
    }

    #[test]
    fn settlements_and_streets_may_not_repeat_in_a_county_and_filing_is_due_in_15_days() {
        assert!(Category::Street.unique_in_county() && Category::Settlement.unique_in_county());
        assert!(!Category::Natural.unique_in_county());
        assert!(Status::Approved.holds_name() && !Status::Refused.holds_name() && !Status::Renamed.holds_name());
        let d = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(filing_due(d), NaiveDate::from_ymd_opt(2026, 5, 16).unwrap());
    }
}
