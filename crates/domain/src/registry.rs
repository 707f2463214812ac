//! 基层治理 base data: persons (人口), households (户), and their place in the community
//! (网格 grid, 楼栋 building).

use crate::id::{IdNumber, Sex};
use crate::message::Bilingual;
use crate::region::RegionCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 与户主关系: relation to the head of household (after GB/T 4761, simplified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// 户主
    Head,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 儿媳/女婿
    ChildInLaw,
    /// 孙子女
    Grandchild,
    /// 父母
    Parent,
    /// 公婆/岳父母
    ParentInLaw,
    /// 祖父母/外祖父母
    Grandparent,
    /// 兄弟姐妹
    Sibling,
    /// 其他
    Other,
}

impl Relation {
    pub const ALL: [Relation; 10] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Child,
        Relation::ChildInLaw,
        Relation::Grandchild,
        Relation::Parent,
        Relation::ParentInLaw,
        Relation::Grandparent,
        Relation::Sibling,
        Relation::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::ChildInLaw => "child_in_law",
            Relation::Grandchild => "grandchild",
            Relation::Parent => "parent",
            Relation::ParentInLaw => "parent_in_law",
            Relation::Grandparent => "grandparent",
            Relation::Sibling => "sibling",
            Relation::Other => "other",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Relation::Head => "户主",
            Relation::Spouse => "配偶",
            Relation::Child => "子女",
            Relation::ChildInLaw => "儿媳女婿",
            Relation::Grandchild => "孙子女",
            Relation::Parent => "父母",
            Relation::ParentInLaw => "公婆岳父母",
            Relation::Grandparent => "祖父母",
            Relation::Sibling => "兄弟姐妹",
            Relation::Other => "其他",
        }
    }
    /// Accepts the words on bureaus' sheets (户主, 本人, 妻, 长子, 次女, 儿媳 ...), the codes
    /// of GB/T 4761 (01/02 head, 1x spouse, 2x/3x children ...) and the English names.
    pub fn parse(s: &str) -> Option<Relation> {
        let s = s.trim();
        if let Some(r) = Relation::ALL.iter().find(|r| r.as_str() == s) {
            return Some(*r);
        }
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(match &s[..1] {
                "0" => Relation::Head,
                "1" => Relation::Spouse,
                "2" | "3" => Relation::Child,
                "4" => Relation::Grandchild,
                "5" => Relation::Parent,
                "6" => Relation::Grandparent,
                "7" => Relation::Sibling,
                "8" => Relation::ChildInLaw,
                _ => Relation::Other,
            });
        }
        Some(match s {
            "户主" | "本人" | "户主本人" => Relation::Head,
            "配偶" | "妻" | "妻子" | "夫" | "丈夫" => Relation::Spouse,
            "子" | "女" | "子女" | "儿子" | "女儿" | "长子" | "次子" | "三子" | "长女" | "次女" | "三女" | "独生子" | "独生女" | "养子"
            | "养女" | "继子" | "继女" => Relation::Child,
            "儿媳" | "女婿" | "儿媳女婿" => Relation::ChildInLaw,
            "孙子" | "孙女" | "外孙子" | "外孙女" | "孙子女" | "外孙" => Relation::Grandchild,
            "父亲" | "母亲" | "父母" | "父" | "母" => Relation::Parent,
            "公公" | "婆婆" | "岳父" | "岳母" | "公婆岳父母" => Relation::ParentInLaw,
            "祖父" | "祖母" | "外祖父" | "外祖母" | "祖父母" => Relation::Grandparent,
            "兄" | "弟" | "姐" | "妹" | "哥哥" | "弟弟" | "姐姐" | "妹妹" | "兄弟姐妹" => Relation::Sibling,
            "其他" | "其它" | "other" => Relation::Other,
            _ => return None,
        })
    }
}

/// 人员状态: alive, deceased (死亡) or moved out (迁出), with the date where known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "date", rename_all = "snake_case")]
pub enum PersonStatus {
    Alive,
    Deceased(Option<NaiveDate>),
    MovedOut(Option<NaiveDate>),
}

impl PersonStatus {
    pub fn code(&self) -> &'static str {
        match self {
            PersonStatus::Alive => "alive",
            PersonStatus::Deceased(_) => "deceased",
            PersonStatus::MovedOut(_) => "moved_out",
        }
    }
    pub fn zh(&self) -> &'static str {
        match self {
            PersonStatus::Alive => "在册",
            PersonStatus::Deceased(_) => "死亡",
            PersonStatus::MovedOut(_) => "迁出",
        }
    }
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            PersonStatus::Alive => None,
            PersonStatus::Deceased(d) | PersonStatus::MovedOut(d) => *d,
        }
    }
    /// From a stored code and date, or the words on a sheet (正常/在册/死亡/迁出 ...).
    pub fn parse(code: &str, date: Option<NaiveDate>) -> Option<PersonStatus> {
        Some(match code.trim() {
            "" | "alive" | "正常" | "在册" | "健在" | "在世" => PersonStatus::Alive,
            "deceased" | "死亡" | "已故" | "去世" => PersonStatus::Deceased(date),
            "moved_out" | "迁出" | "已迁出" => PersonStatus::MovedOut(date),
            _ => return None,
        })
    }
}

/// 残疾类别 (GB/T 26341-2010).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityCategory {
    /// 视力
    Visual,
    /// 听力
    Hearing,
    /// 言语
    Speech,
    /// 肢体
    Physical,
    /// 智力
    Intellectual,
    /// 精神
    Mental,
    /// 多重
    Multiple,
}

impl DisabilityCategory {
    pub const ALL: [DisabilityCategory; 7] = [
        DisabilityCategory::Visual,
        DisabilityCategory::Hearing,
        DisabilityCategory::Speech,
        DisabilityCategory::Physical,
        DisabilityCategory::Intellectual,
        DisabilityCategory::Mental,
        DisabilityCategory::Multiple,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DisabilityCategory::Visual => "visual",
            DisabilityCategory::Hearing => "hearing",
            DisabilityCategory::Speech => "speech",
            DisabilityCategory::Physical => "physical",
            DisabilityCategory::Intellectual => "intellectual",
            DisabilityCategory::Mental => "mental",
            DisabilityCategory::Multiple => "multiple",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            DisabilityCategory::Visual => "视力",
            DisabilityCategory::Hearing => "听力",
            DisabilityCategory::Speech => "言语",
            DisabilityCategory::Physical => "肢体",
            DisabilityCategory::Intellectual => "智力",
            DisabilityCategory::Mental => "精神",
            DisabilityCategory::Multiple => "多重",
        }
    }
    pub fn parse(s: &str) -> Option<DisabilityCategory> {
        let s = s.trim().trim_end_matches("残疾");
        DisabilityCategory::ALL.iter().find(|c| c.as_str() == s || c.zh() == s).copied()
    }
}

/// 残疾类别和等级: category and grade (一级 most severe … 四级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Disability {
    pub category: DisabilityCategory,
    pub grade: u8,
}

/// Why a disability entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("disability {0:?} is not a category (visual, hearing, speech, physical, intellectual, mental, multiple) with a grade 1-4")]
pub struct DisabilityError(pub String);

impl Bilingual for DisabilityError {
    fn zh(&self) -> String {
        format!("残疾信息“{}”不是有效的类别（视力、听力、言语、肢体、智力、精神、多重）和等级（一至四级）", self.0)
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

impl Disability {
    /// Parses a category and a grade given separately: (`肢体`, `二级`), (`physical`, `2`).
    pub fn parse(category: &str, grade: &str) -> Result<Option<Disability>, DisabilityError> {
        let (c, g) = (category.trim(), grade.trim());
        if c.is_empty() && g.is_empty() || c == "无" {
            return Ok(None);
        }
        let err = || DisabilityError(format!("{c} {g}"));
        let category = DisabilityCategory::parse(c).ok_or_else(err)?;
        let grade = match g.trim_end_matches('级') {
            "1" | "一" => 1,
            "2" | "二" => 2,
            "3" | "三" => 3,
            "4" | "四" => 4,
            _ => return Err(err()),
        };
        Ok(Some(Disability { category, grade }))
    }
}

/// 城乡属性: urban or rural household (standards differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HouseholdKind {
    /// 城镇
    Urban,
    /// 农村
    Rural,
}

impl HouseholdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdKind::Urban => "urban",
            HouseholdKind::Rural => "rural",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            HouseholdKind::Urban => "城镇",
            HouseholdKind::Rural => "农村",
        }
    }
    /// In the page's language.
    pub fn label(self, zh: bool) -> &'static str {
        if zh {
            self.zh()
        } else {
            self.as_str()
        }
    }
    /// The kind a community's name implies: villages (村民委员会, 村委会, 村) are rural,
    /// residents' committees (社区, 居委会) urban. Used where a sheet does not say.
    pub fn of_community_name(name: &str) -> HouseholdKind {
        if name.ends_with("村民委员会") || name.ends_with("村委会") || name.ends_with('村') {
            HouseholdKind::Rural
        } else {
            HouseholdKind::Urban
        }
    }
    pub fn parse(s: &str) -> Option<HouseholdKind> {
        match s.trim() {
            "urban" | "城镇" | "城市" | "城" | "非农业" => Some(HouseholdKind::Urban),
            "rural" | "农村" | "乡村" | "农" | "农业" => Some(HouseholdKind::Rural),
            _ => None,
        }
    }
}

/// 人口: a resident in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// 公民身份号码, the key.
    pub id_number: IdNumber,
    /// 姓名
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// 户籍地 (the community of the hukou).
    pub hukou_region: RegionCode,
    /// 户号 of the household the person lives in.
    pub household_no: Option<String>,
    /// 与户主关系
    pub relation: Relation,
    pub status: PersonStatus,
    pub disability: Option<Disability>,
    /// 联系电话
    pub phone: Option<String>,
    /// 标签 (低保户, 独居老人, 空挂户 …)
    pub tags: Vec<String>,
}

/// A person's fields as read in bulk (the policy snapshot), borrowed from where they are held:
/// a [`Person`], or a row as the records store reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonView<'a> {
    pub id_number: &'a str,
    pub name: &'a str,
    pub male: bool,
    pub birth_date: NaiveDate,
    pub household_no: Option<&'a str>,
    pub relation: Relation,
    /// 在册 (neither deceased nor moved out).
    pub alive: bool,
    pub disability: Option<Disability>,
    /// 标签 as one text ([`tags_text`]).
    pub tags: &'a str,
}

/// Tags as one text, comma-separated: how the records store keeps them.
pub fn tags_text(tags: &[String]) -> String {
    tags.join(",")
}

/// The tags of a [`tags_text`], in order.
pub fn tags_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|t| !t.is_empty())
}

impl Person {
    /// This person's [`PersonView`], given the [`tags_text`] of the tags.
    pub fn view<'a>(&'a self, tags: &'a str) -> PersonView<'a> {
        PersonView {
            id_number: self.id_number.as_str(),
            name: &self.name,
            male: self.sex == crate::id::Sex::Male,
            birth_date: self.birth_date,
            household_no: self.household_no.as_deref(),
            relation: self.relation,
            alive: self.status == PersonStatus::Alive,
            disability: self.disability,
            tags,
        }
    }
}

/// 户: a household, where people live together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// 户号, the key.
    pub household_no: String,
    /// 户主 identity number.
    pub head: Option<IdNumber>,
    /// 住址
    pub address: String,
    /// 所属社区 (12-digit community code).
    pub community: RegionCode,
    /// 网格
    pub grid: Option<String>,
    /// 楼栋
    pub building: Option<String>,
    pub kind: HouseholdKind,
}

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is empty")]
    Empty,
    #[error("name {0:?} is longer than 30 characters")]
    TooLong(String),
    #[error("name {0:?} contains digits or symbols")]
    Characters(String),
}

impl Bilingual for NameError {
    fn zh(&self) -> String {
        match self {
            NameError::Empty => "姓名为空".into(),
            NameError::TooLong(s) => format!("姓名“{s}”超过30个字"),
            NameError::Characters(s) => format!("姓名“{s}”含有数字或符号"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Parses a person's name: trims spaces (also the full-width ones Chinese input inserts),
/// allows the middle dot of minority and foreign names (·, •), refuses digits and symbols.
pub fn parse_name(input: &str) -> Result<String, NameError> {
    let name: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| if c == '•' || c == '.' || c == '．' { '·' } else { c })
        .collect();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 30 {
        return Err(NameError::TooLong(name));
    }
    if name.chars().any(|c| !(c.is_alphabetic() || c == '·')) {
        return Err(NameError::Characters(name));
    }
    Ok(name)
}

/// 户号 as written on sheets: trimmed, at most 32 visible ASCII letters or digits or '-'.
pub fn parse_household_no(input: &str) -> Option<String> {
    let s = input.trim().trim_start_matches('\'');
    (!s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_kept_as_one_comma_separated_text() {
        let tags = vec!["独居老人".to_string(), "党员".to_string()];
        assert_eq!(tags_text(&tags), "独居老人,党员");
        assert_eq!(tags_of(&tags_text(&tags)).collect::<Vec<_>>(), tags);
        assert_eq!(tags_of("").count(), 0);
        assert_eq!(tags_of(",a,,b,").collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn relations_are_read_from_the_words_on_sheets() {
        assert_eq!(Relation::parse("户主"), Some(Relation::Head));
        assert_eq!(Relation::parse("长子"), Some(Relation::Child));
        assert_eq!(Relation::parse("妻"), Some(Relation::Spouse));
        assert_eq!(Relation::parse("02"), Some(Relation::Head));
        assert_eq!(Relation::parse("10"), Some(Relation::Spouse));
        assert_eq!(Relation::parse("邻居"), None);
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
            assert_eq!(Relation::parse(r.zh()), Some(r));
        }
    }

    #[test]
    fn disability_needs_a_category_and_a_grade() {
        assert_eq!(Disability::parse("肢体", "二级"), Ok(Some(Disability { category: DisabilityCategory::Physical, grade: 2 })));
        assert_eq!(Disability::parse("", ""), Ok(None));
        assert!(Disability::parse("肢体", "五级").is_err());
        assert!(Disability::parse("头疼", "1").is_err());
    }

    #[test]
    fn names_are_cleaned_and_checked() {
        assert_eq!(parse_name(" 张 三 "), Ok("张三".to_string()));
        assert_eq!(parse_name("买买提•艾力"), Ok("买买提·艾力".to_string()));
        assert!(parse_name("").is_err());
        assert!(parse_name("张3").is_err());
    }

    #[test]
    fn statuses_from_words_and_codes() {
        assert_eq!(PersonStatus::parse("正常", None), Some(PersonStatus::Alive));
        let d = NaiveDate::from_ymd_opt(2026, 5, 1);
        assert_eq!(PersonStatus::parse("死亡", d), Some(PersonStatus::Deceased(d)));
        assert_eq!(PersonStatus::parse("moved_out", d).map(|s| s.code()), Some("moved_out"));
        assert_eq!(PersonStatus::parse("失踪", None), None);
    }
}

/// The column headers of the registry sheets as bureaus write them; the importer also
/// accepts the synonyms listed in `minzheng_app::import`.
pub mod columns {
    pub const HOUSEHOLD_NO: &str = "户号";
    pub const NAME: &str = "姓名";
    pub const ID_NUMBER: &str = "身份证号";
    pub const SEX: &str = "性别";
    pub const BIRTH_DATE: &str = "出生日期";
    pub const RELATION: &str = "与户主关系";
    pub const HUKOU_REGION: &str = "户籍地区划代码";
    pub const COMMUNITY_CODE: &str = "社区代码";
    pub const COMMUNITY: &str = "所属社区";
    pub const GRID: &str = "网格";
    pub const BUILDING: &str = "楼栋";
    pub const ADDRESS: &str = "住址";
    pub const KIND: &str = "城乡属性";
    pub const STATUS: &str = "人员状态";
    pub const STATUS_DATE: &str = "状态日期";
    pub const DISABILITY_CATEGORY: &str = "残疾类别";
    pub const DISABILITY_GRADE: &str = "残疾等级";
    pub const PHONE: &str = "联系电话";
    pub const TAGS: &str = "标签";
    pub const MEMBERS: &str = "人数";
    pub const HEAD_NAME: &str = "户主姓名";
    pub const HEAD_ID: &str = "户主身份证号";

    /// The persons sheet, in order: one row per person with the household's place.
    pub const PERSONS: &[&str] = &[
        HOUSEHOLD_NO,
        NAME,
        ID_NUMBER,
        SEX,
        BIRTH_DATE,
        RELATION,
        HUKOU_REGION,
        COMMUNITY_CODE,
        COMMUNITY,
        GRID,
        BUILDING,
        ADDRESS,
        KIND,
        STATUS,
        STATUS_DATE,
        DISABILITY_CATEGORY,
        DISABILITY_GRADE,
        PHONE,
        TAGS,
    ];
    /// The households sheet.
    pub const HOUSEHOLDS: &[&str] = &[HOUSEHOLD_NO, HEAD_NAME, HEAD_ID, COMMUNITY_CODE, COMMUNITY, GRID, BUILDING, ADDRESS, KIND, MEMBERS];
}

/// `YYYY-MM-DD`, written directly (chrono's formatter is slow on bulk paths).
pub fn date_text(d: NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    let mut s = String::with_capacity(10);
    s.push_str(&y.to_string());
    s.push('-');
    s.push(char::from(b'0' + (m / 10) as u8));
    s.push(char::from(b'0' + (m % 10) as u8));
    s.push('-');
    s.push(char::from(b'0' + (day / 10) as u8));
    s.push(char::from(b'0' + (day % 10) as u8));
    s
}

/// The cells of a person's row in the persons sheet ([`columns::PERSONS`] order).
pub fn person_row(p: &Person, h: Option<&Household>, community_name: &str) -> Vec<String> {
    let date = |d: Option<NaiveDate>| d.map(date_text).unwrap_or_default();
    vec![
        p.household_no.clone().unwrap_or_default(),
        p.name.clone(),
        p.id_number.to_string(),
        p.sex.zh().to_string(),
        date(Some(p.birth_date)),
        p.relation.zh().to_string(),
        p.hukou_region.padded(),
        h.map(|h| h.community.padded()).unwrap_or_default(),
        community_name.to_string(),
        h.and_then(|h| h.grid.clone()).unwrap_or_default(),
        h.and_then(|h| h.building.clone()).unwrap_or_default(),
        h.map(|h| h.address.clone()).unwrap_or_default(),
        h.map(|h| h.kind.zh().to_string()).unwrap_or_default(),
        p.status.zh().to_string(),
        date(p.status.date()),
        p.disability.map(|d| d.category.zh().to_string()).unwrap_or_default(),
        p.disability.map(|d| format!("{}级", ["一", "二", "三", "四"][usize::from(d.grade.clamp(1, 4) - 1)])).unwrap_or_default(),
        p.phone.clone().unwrap_or_default(),
        tags_text(&p.tags),
    ]
}

/// Each household's head name and member count, by 户号, for the households sheet.
pub fn heads_and_sizes(persons: &[Person]) -> std::collections::HashMap<&str, (&str, usize)> {
    let mut out: std::collections::HashMap<&str, (&str, usize)> = std::collections::HashMap::new();
    for p in persons {
        if let Some(no) = p.household_no.as_deref() {
            let e = out.entry(no).or_insert(("", 0));
            e.1 += 1;
            if p.relation == Relation::Head {
                e.0 = &p.name;
            }
        }
    }
    out
}

/// The cells of a household's row in the households sheet ([`columns::HOUSEHOLDS`] order).
pub fn household_row(h: &Household, head_name: &str, members: usize, community_name: &str) -> Vec<String> {
    vec![
        h.household_no.clone(),
        head_name.to_string(),
        h.head.map(|i| i.to_string()).unwrap_or_default(),
        h.community.padded(),
        community_name.to_string(),
        h.grid.clone().unwrap_or_default(),
        h.building.clone().unwrap_or_default(),
        h.address.clone(),
        h.kind.zh().to_string(),
        members.to_string(),
    ]
}

/// 人员事实: a fact about a person that a sub-platform establishes and the rules read, with the
/// date it holds from and where it came from; the registry keeps the newest of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFact {
    pub id_number: IdNumber,
    /// One of [`PersonFact::SELF_CARE_FAILED`] ...
    pub fact: String,
    pub value: i64,
    /// The date the value holds from (the assessment's date).
    pub since: NaiveDate,
    /// Where it came from (`能力评估 #12`).
    pub source: String,
}

impl PersonFact {
    /// 生活自理能力: how many of the six daily activities of 《特困人员认定办法》 (eating, dressing,
    /// getting in and out of bed, using the toilet, walking indoors, bathing) the person cannot do
    /// on their own, 0-6; 0 self-caring, 1-3 partly, 4-6 wholly unable to care for themselves.
    /// Set by the ability assessment (养老服务); read by the rules as `self_care_failed`.
    pub const SELF_CARE_FAILED: &'static str = "self_care_failed";
    /// 不在本户的法定义务人: how many legal supporters (spouse, adult children, parents of a
    /// minor) living outside the person's household, so unknown to the registry's household,
    /// the home survey (入户调查) found able to support them (《特困人员认定办法》第十条: none
    /// of the listed incapacities); 0 when it found none able. Recorded by street or county
    /// staff; read by the rules as part of `able_supporters`.
    pub const ABLE_SUPPORTERS_ELSEWHERE: &'static str = "able_supporters_elsewhere";
}
