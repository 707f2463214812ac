//! 婚姻登记's rules, pure: who may marry (《中华人民共和国民法典》第一千零四十六条至第一千零四十九条;
//! 《婚姻登记条例》(2025年修订，2025年5月10日起施行) 第四条至第七条), the prohibited kinship that the
//! registry's relations show, the divorce by agreement's cooling-off period and its window for the
//! certificate (民法典第一千零七十六条、第一千零七十七条; days counted by 第二百零一条、第二百零三条)
//! and the certificates' numbers.

use chrono::{Datelike, Duration, NaiveDate};
use minzheng_domain::calendar::WorkCalendar;
use minzheng_domain::{Bilingual, IdNumber, Relation, Sex};
use serde::{Deserialize, Serialize};

/// 法定婚龄: a man may marry from 22, a woman from 20 (民法典第一千零四十七条).
pub fn minimum_age(sex: Sex) -> u32 {
    match sex {
        Sex::Male => 22,
        Sex::Female => 20,
    }
}

/// 本人声明的婚姻状况: what a party declares in the signed declaration (2025 regulation: the
/// identity card and the declaration, no household register booklet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Declared {
    /// 未婚
    Single,
    /// 离婚
    Divorced,
    /// 丧偶
    Widowed,
}

impl Declared {
    pub const ALL: &'static [Declared] = &[Declared::Single, Declared::Divorced, Declared::Widowed];
    pub fn as_str(self) -> &'static str {
        match self {
            Declared::Single => "single",
            Declared::Divorced => "divorced",
            Declared::Widowed => "widowed",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Declared::Single => "未婚",
            Declared::Divorced => "离婚",
            Declared::Widowed => "丧偶",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Declared::Single => "never married",
            Declared::Divorced => "divorced",
            Declared::Widowed => "widowed",
        }
    }
    pub fn parse(s: &str) -> Option<Declared> {
        Declared::ALL.iter().copied().find(|d| d.as_str() == s.trim() || d.zh() == s.trim())
    }
}

/// Which household the couple agreed the registry should put them in (with their consent;
/// none when they keep their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdChange {
    /// 各自保留原户
    #[default]
    None,
    /// 女方（乙方）迁入甲方户 — the second party joins the first party's household.
    SecondJoinsFirst,
    /// 甲方迁入乙方户 — the first party joins the second party's household.
    FirstJoinsSecond,
}

impl HouseholdChange {
    pub const ALL: &'static [HouseholdChange] =
        &[HouseholdChange::None, HouseholdChange::SecondJoinsFirst, HouseholdChange::FirstJoinsSecond];
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdChange::None => "none",
            HouseholdChange::SecondJoinsFirst => "second_joins_first",
            HouseholdChange::FirstJoinsSecond => "first_joins_second",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            HouseholdChange::None => "各自保留原户",
            HouseholdChange::SecondJoinsFirst => "乙方迁入甲方户",
            HouseholdChange::FirstJoinsSecond => "甲方迁入乙方户",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            HouseholdChange::None => "each keeps their household",
            HouseholdChange::SecondJoinsFirst => "the second party joins the first party's household",
            HouseholdChange::FirstJoinsSecond => "the first party joins the second party's household",
        }
    }
    pub fn parse(s: &str) -> Option<HouseholdChange> {
        HouseholdChange::ALL.iter().copied().find(|d| d.as_str() == s.trim())
    }
}

/// 当事人: a party as the registrar takes them, with what the records say of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: IdNumber,
    pub name: String,
    pub declared: Declared,
    /// In the city's registry: their household and relation to its head, and whether deceased.
    pub registry: Option<RegistryFacts>,
    /// A marriage not dissolved: the spouse's number (masked) and where it is recorded.
    pub spouse: Option<ExistingSpouse>,
    /// A marriage of theirs recorded before (dissolved): the day it was registered.
    pub married_before: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryFacts {
    pub household_no: Option<String>,
    pub relation: Relation,
    pub deceased: bool,
}

/// A spouse the records know of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingSpouse {
    /// Masked number of the spouse.
    pub spouse: String,
    /// 婚姻登记记录 (the certificate number) or 人口库 (the household's head and spouse).
    pub certificate_no: Option<String>,
}

/// 结婚登记申请: what the registrar checked at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MarriageApplication {
    pub first_id: String,
    pub first_name: String,
    pub first_declared: Declared,
    pub second_id: String,
    pub second_name: String,
    pub second_declared: Declared,
    /// 双方亲自到场.
    pub both_present: bool,
    /// 双方签署《申请结婚登记声明书》(自愿、无配偶、无禁止结婚的亲属关系).
    pub declarations_signed: bool,
    /// The appointment the couple came on, marked kept once registered.
    #[serde(default)]
    pub appointment: Option<i64>,
    #[serde(default)]
    pub household_change: HouseholdChange,
    /// Where the registry shows the two as relatives, the registrar's note of the proof that
    /// they are not related by blood (a step-relation): empty when none was shown.
    #[serde(default)]
    pub kinship_note: String,
}

/// Why a marriage is not registered (不予登记), with the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("both parties must be present")]
    NotPresent,
    #[error("the declarations are not signed")]
    NotDeclared,
    #[error("the ID number {0:?} is not valid")]
    BadId(String),
    #[error("the name of {0} is missing")]
    NoName(&'static str),
    #[error("the two parties are one person")]
    SamePerson,
    #[error("a marriage is of a man and a woman")]
    SameSex,
    #[error("{name} is {age}, under the minimum age {minimum}")]
    UnderAge { name: String, age: u32, minimum: u32 },
    #[error("{name} is recorded as deceased")]
    Deceased { name: String },
    #[error("{name} has a spouse ({spouse})")]
    HasSpouse { name: String, spouse: String, certificate_no: Option<String> },
    #[error("{name} declared never married but a marriage registered on {on} is recorded")]
    DeclaredSingle { name: String, on: NaiveDate },
    #[error("the registry shows the two as {en}")]
    Kinship { zh: &'static str, en: &'static str },
}

impl Bilingual for Refusal {
    fn zh(&self) -> String {
        match self {
            Refusal::NotPresent => "结婚登记须男女双方亲自到婚姻登记机关办理（《婚姻登记条例》第五条），不予登记".into(),
            Refusal::NotDeclared => {
                "双方须签署《申请结婚登记声明书》，声明本人无配偶、与对方无禁止结婚的亲属关系（《婚姻登记条例》第五条），不予登记".into()
            }
            Refusal::BadId(s) => format!("身份证号“{s}”无效，请核对居民身份证"),
            Refusal::NoName(w) => format!("请填写{w}的姓名"),
            Refusal::SamePerson => "双方身份证号相同，请核对".into(),
            Refusal::SameSex => "结婚须男女双方完全自愿（《民法典》第一千零四十六条），双方性别相同，不予登记".into(),
            Refusal::UnderAge { name, age, minimum } => {
                format!("{name}现年{age}周岁，未到法定婚龄{minimum}周岁（《民法典》第一千零四十七条），不予登记")
            }
            Refusal::Deceased { name } => format!("人口库中{name}登记为已死亡，请核对身份"),
            Refusal::HasSpouse { name, spouse, certificate_no } => format!(
                "{name}有配偶（{spouse}{}），重婚禁止（《民法典》第一千零四十二条），不予登记；如已离婚或丧偶，请提供离婚证、判决书或死亡证明",
                certificate_no.as_ref().map(|c| format!("，结婚证{c}")).unwrap_or_else(|| "，人口库户内记载".into())
            ),
            Refusal::DeclaredSingle { name, on } => format!(
                "{name}声明未婚，但记录显示其于{on}登记结婚；声明与记录不符的，应由本人提供证明（《婚姻登记条例》）"
            ),
            Refusal::Kinship { zh, .. } => format!(
                "人口库显示双方为{zh}，属直系血亲或三代以内旁系血亲的，禁止结婚（《民法典》第一千零四十八条），不予登记；如系继亲等非血亲关系，须查验证明后在“亲属关系核实”一栏写明"
            ),
        }
    }
    fn en(&self) -> String {
        match self {
            Refusal::NotPresent => "both parties must come in person (Marriage Registration Regulations art. 5): not registered".into(),
            Refusal::NotDeclared => "both parties must sign the declaration that they have no spouse and are not related as the law forbids: not registered".into(),
            Refusal::BadId(s) => format!("the ID number {s:?} is not valid"),
            Refusal::NoName(w) => format!("enter the name of {}", if *w == "甲方" { "the first party" } else { "the second party" }),
            Refusal::SamePerson => "the two ID numbers are the same".into(),
            Refusal::SameSex => "a marriage is registered for a man and a woman (Civil Code art. 1046): not registered".into(),
            Refusal::UnderAge { name, age, minimum } => {
                format!("{name} is {age}, under the minimum age of marriage {minimum} (Civil Code art. 1047): not registered")
            }
            Refusal::Deceased { name } => format!("{name} is recorded as deceased in the registry: check the identity"),
            Refusal::HasSpouse { name, spouse, certificate_no } => format!(
                "{name} has a spouse ({spouse}{}): bigamy is prohibited (Civil Code art. 1042), not registered; a divorce or widowhood is shown by its certificate or judgment",
                certificate_no.as_ref().map(|c| format!(", marriage certificate {c}")).unwrap_or_else(|| ", recorded in the household".into())
            ),
            Refusal::DeclaredSingle { name, on } => {
                format!("{name} declared never married but a marriage registered on {on} is recorded: the party must prove the declaration")
            }
            Refusal::Kinship { en, .. } => format!(
                "the registry shows the two as {en}: lineal relatives and collateral relatives within three generations may not marry (Civil Code art. 1048), not registered; a step-relation is noted under the kinship check after its proof is seen"
            ),
        }
    }
}

/// The kinship between two members of one household that their relations to its head show
/// (直系血亲或三代以内旁系血亲), or none. The registry records each member's relation to the head
/// only, so a step-relation looks like a blood one: the registrar confirms it from proof.
pub fn kinship(a: Relation, b: Relation) -> Option<(&'static str, &'static str)> {
    use Relation::*;
    let parent_child = Some(("父母子女", "parent and child"));
    let grand = Some(("祖孙（直系血亲）", "grandparent and grandchild"));
    let great = Some(("曾祖孙（直系血亲）", "great-grandparent and great-grandchild"));
    let siblings = Some(("兄弟姐妹", "siblings"));
    let uncle = Some(("叔伯姑舅姨与侄甥", "uncle or aunt and nephew or niece"));
    let pair = |x, y| (a == x && b == y) || (a == y && b == x);
    if pair(Head, Child)
        || pair(Head, Parent)
        || pair(Spouse, Child)
        || pair(Sibling, Parent)
        || pair(ChildInLaw, Grandchild)
        || pair(Spouse, ParentInLaw)
        || pair(Parent, Grandparent)
    {
        return parent_child;
    }
    if pair(Head, Grandchild)
        || pair(Head, Grandparent)
        || pair(Spouse, Grandchild)
        || pair(Child, Parent)
        || pair(Sibling, Grandparent)
        || pair(ParentInLaw, Child)
    {
        return grand;
    }
    if pair(Child, Grandparent) || pair(Parent, Grandchild) || pair(ParentInLaw, Grandchild) {
        return great;
    }
    if pair(Grandparent, Grandchild) {
        return Some(("直系血亲（相隔四代）", "lineal relatives four generations apart"));
    }
    if pair(Head, Sibling) || (a == Child && b == Child) || (a == Sibling && b == Sibling) {
        return siblings;
    }
    if pair(Child, Sibling) || pair(Child, Grandchild) {
        return uncle;
    }
    if a == Grandchild && b == Grandchild {
        return Some(("兄弟姐妹或堂、表兄弟姐妹", "siblings or cousins"));
    }
    None
}

/// Checks a marriage application against the law and the records (`first`, `second` as the
/// service found them), on the day of registration.
pub fn check_marriage(app: &MarriageApplication, first: &Party, second: &Party, on: NaiveDate) -> Result<(), Refusal> {
    if !app.both_present {
        return Err(Refusal::NotPresent);
    }
    if !app.declarations_signed {
        return Err(Refusal::NotDeclared);
    }
    if first.id == second.id {
        return Err(Refusal::SamePerson);
    }
    if first.id.sex() == second.id.sex() {
        return Err(Refusal::SameSex);
    }
    for p in [first, second] {
        if p.registry.as_ref().is_some_and(|r| r.deceased) {
            return Err(Refusal::Deceased { name: p.name.clone() });
        }
        let age = p.id.age_on(on);
        let minimum = minimum_age(p.id.sex());
        if age < minimum {
            return Err(Refusal::UnderAge { name: p.name.clone(), age, minimum });
        }
        if let Some(s) = &p.spouse {
            return Err(Refusal::HasSpouse { name: p.name.clone(), spouse: s.spouse.clone(), certificate_no: s.certificate_no.clone() });
        }
        if let (Declared::Single, Some(on)) = (p.declared, p.married_before) {
            return Err(Refusal::DeclaredSingle { name: p.name.clone(), on });
        }
    }
    if let (Some(a), Some(b)) = (&first.registry, &second.registry) {
        if a.household_no.is_some() && a.household_no == b.household_no {
            if let Some((zh, en)) = kinship(a.relation, b.relation) {
                if app.kinship_note.trim().is_empty() {
                    return Err(Refusal::Kinship { zh, en });
                }
            }
        }
    }
    Ok(())
}

/// The relation to the head the joining spouse takes in the other's household: the head's
/// spouse, or a child-in-law when the other is the head's child.
pub fn joining_relation(other: Relation) -> Relation {
    match other {
        Relation::Head => Relation::Spouse,
        Relation::Child => Relation::ChildInLaw,
        _ => Relation::Other,
    }
}

/// Which certificate: 结婚证 (J) or 离婚证 (L).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Certificate {
    Marriage,
    Divorce,
}

/// The certificate's number: J or L, the registering county's six digits, the year and a
/// six-digit serial within them (J210112-2026-000001).
pub fn certificate_no(kind: Certificate, county: &str, on: NaiveDate, serial: i64) -> String {
    let letter = match kind {
        Certificate::Marriage => "J",
        Certificate::Divorce => "L",
    };
    format!("{letter}{county}-{}-{serial:06}", on.year())
}

/// The prefix every number of a county's year shares (to find the next serial).
pub fn certificate_prefix(kind: Certificate, county: &str, on: NaiveDate) -> String {
    let no = certificate_no(kind, county, on, 0);
    no[..no.len() - 6].to_string()
}

/// A period of days counted from the day after `from` (民法典第二百零一条), its last day moved
/// past rest days and holidays to the next working day (第二百零三条).
pub fn period_end(from: NaiveDate, days: i64, cal: &WorkCalendar) -> NaiveDate {
    let mut d = from + Duration::days(days);
    while !cal.is_working(d) {
        d += Duration::days(1);
    }
    d
}

/// 离婚冷静期 and the window after it (民法典第一千零七十七条): within 30 days of receipt either
/// party may withdraw; within the 30 days after that both apply in person for the certificate,
/// or the application counts as withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DivorceTimeline {
    pub received_on: NaiveDate,
    /// The cooling-off period's last day.
    pub cooling_ends: NaiveDate,
    /// The first day both may apply for the certificate.
    pub window_opens: NaiveDate,
    /// The last day they may.
    pub window_ends: NaiveDate,
}

impl DivorceTimeline {
    pub fn of(received_on: NaiveDate, cal: &WorkCalendar) -> DivorceTimeline {
        let cooling_ends = period_end(received_on, 30, cal);
        let window_ends = period_end(cooling_ends, 30, cal);
        DivorceTimeline { received_on, cooling_ends, window_opens: cooling_ends + Duration::days(1), window_ends }
    }

    pub fn stage(&self, today: NaiveDate) -> Stage {
        if today <= self.cooling_ends {
            Stage::CoolingOff
        } else if today <= self.window_ends {
            Stage::Window
        } else {
            Stage::Lapsed
        }
    }
}

/// Where an open divorce application stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 冷静期内: either may withdraw.
    CoolingOff,
    /// 可申请发证: both may apply in person for the certificate.
    Window,
    /// 期满未申请，视为撤回.
    Lapsed,
}

/// 离婚登记申请's state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivorceStatus {
    /// 已受理 (cooling off or waiting for both to apply for the certificate).
    Received,
    /// 撤回 by one party within the cooling-off period.
    Withdrawn,
    /// 视为撤回: neither applied for the certificate in time.
    Lapsed,
    /// 准予离婚, certificate issued.
    Certified,
}

impl DivorceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DivorceStatus::Received => "received",
            DivorceStatus::Withdrawn => "withdrawn",
            DivorceStatus::Lapsed => "lapsed",
            DivorceStatus::Certified => "certified",
        }
    }
    pub fn parse(s: &str) -> Option<DivorceStatus> {
        [DivorceStatus::Received, DivorceStatus::Withdrawn, DivorceStatus::Lapsed, DivorceStatus::Certified]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            DivorceStatus::Received => "已受理",
            DivorceStatus::Withdrawn => "已撤回",
            DivorceStatus::Lapsed => "期满未申请，视为撤回",
            DivorceStatus::Certified => "已发离婚证",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            DivorceStatus::Received => "received",
            DivorceStatus::Withdrawn => "withdrawn",
            DivorceStatus::Lapsed => "lapsed (not applied for in time)",
            DivorceStatus::Certified => "divorce certificate issued",
        }
    }
}

/// 离婚登记申请: what the registrar checked when receiving it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DivorceApplication {
    pub first_id: String,
    pub first_name: String,
    pub second_id: String,
    pub second_name: String,
    /// 结婚证字号: the marriage's certificate (registered here or anywhere in the country).
    pub marriage_certificate_no: String,
    pub both_present: bool,
    /// 离婚协议书: the agreement on divorcing and on the children, property and debts, signed by both.
    pub agreement_signed: bool,
}

/// Why a divorce step is refused, with the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivorceError {
    #[error("both parties must be present")]
    NotPresent,
    #[error("no signed agreement")]
    NoAgreement,
    #[error("the ID number {0:?} is not valid")]
    BadId(String),
    #[error("no marriage certificate number")]
    NoMarriageCertificate,
    #[error("marriage certificate {0} does not name these two")]
    NotTheirMarriage(String),
    #[error("marriage certificate {0} is dissolved")]
    Dissolved(String),
    #[error("an application of theirs is open ({0})")]
    AlreadyOpen(i64),
    #[error("the cooling-off period runs until {0}")]
    CoolingOff(NaiveDate),
    #[error("the window ended on {0}")]
    Lapsed(NaiveDate),
    #[error("the cooling-off period ended on {0}")]
    WithdrawAfterCooling(NaiveDate),
    #[error("the application is {0:?}")]
    Closed(DivorceStatus),
    #[error("the withdrawing party is not a party")]
    NotAParty,
}

impl Bilingual for DivorceError {
    fn zh(&self) -> String {
        match self {
            DivorceError::NotPresent => "离婚登记须双方亲自到婚姻登记机关申请（《民法典》第一千零七十六条）".into(),
            DivorceError::NoAgreement => {
                "须有双方签名的离婚协议书，写明自愿离婚及子女抚养、财产和债务处理意见（《民法典》第一千零七十六条）".into()
            }
            DivorceError::BadId(s) => format!("身份证号“{s}”无效，请核对居民身份证"),
            DivorceError::NoMarriageCertificate => "请填写结婚证字号".into(),
            DivorceError::NotTheirMarriage(c) => format!("结婚证{c}登记的不是这两位当事人，请核对"),
            DivorceError::Dissolved(c) => format!("结婚证{c}所载婚姻已解除"),
            DivorceError::AlreadyOpen(id) => format!("双方已有一件离婚登记申请正在办理（第{id}号），不能重复受理"),
            DivorceError::CoolingOff(d) => {
                format!("离婚冷静期至{d}届满，期满前不能发给离婚证；期满后三十日内双方可亲自申请发给离婚证（《民法典》第一千零七十七条）")
            }
            DivorceError::Lapsed(d) => {
                format!("申请发给离婚证的期限已于{d}届满，双方未申请的，视为撤回离婚登记申请（《民法典》第一千零七十七条）")
            }
            DivorceError::WithdrawAfterCooling(d) => {
                format!("离婚冷静期已于{d}届满，不再受理撤回；一方不愿离婚的，不到场申请发证，期满即视为撤回")
            }
            DivorceError::Closed(s) => format!("该申请{}，不能再办理", s.zh()),
            DivorceError::NotAParty => "撤回须由申请离婚的一方提出".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            DivorceError::NotPresent => "both parties must apply in person (Civil Code art. 1076)".into(),
            DivorceError::NoAgreement => {
                "a divorce agreement signed by both, on the divorce, the children, the property and the debts, is needed (Civil Code art. 1076)".into()
            }
            DivorceError::BadId(s) => format!("the ID number {s:?} is not valid"),
            DivorceError::NoMarriageCertificate => "enter the marriage certificate's number".into(),
            DivorceError::NotTheirMarriage(c) => format!("marriage certificate {c} was not issued to these two"),
            DivorceError::Dissolved(c) => format!("the marriage of certificate {c} is already dissolved"),
            DivorceError::AlreadyOpen(id) => format!("an application of theirs is already open (no. {id})"),
            DivorceError::CoolingOff(d) => format!(
                "the cooling-off period runs until {d}: the certificate is issued only after it, when both apply in person within the next 30 days (Civil Code art. 1077)"
            ),
            DivorceError::Lapsed(d) => {
                format!("the period to apply for the certificate ended on {d}: the application counts as withdrawn (Civil Code art. 1077)")
            }
            DivorceError::WithdrawAfterCooling(d) => format!(
                "the cooling-off period ended on {d}: a party who no longer wishes to divorce simply does not apply, and the application lapses"
            ),
            DivorceError::Closed(s) => format!("the application is {}", s.en()),
            DivorceError::NotAParty => "only one of the two parties may withdraw".into(),
        }
    }
}

/// Checks a divorce application on its own (the records' part is the service's).
pub fn check_divorce(app: &DivorceApplication) -> Result<(IdNumber, IdNumber), DivorceError> {
    if !app.both_present {
        return Err(DivorceError::NotPresent);
    }
    if !app.agreement_signed {
        return Err(DivorceError::NoAgreement);
    }
    let first = IdNumber::parse(app.first_id.trim()).map_err(|_| DivorceError::BadId(app.first_id.clone()))?;
    let second = IdNumber::parse(app.second_id.trim()).map_err(|_| DivorceError::BadId(app.second_id.clone()))?;
    if app.marriage_certificate_no.trim().is_empty() {
        return Err(DivorceError::NoMarriageCertificate);
    }
    Ok((first, second))
}

/// Whether the certificate may be issued on `today` to an application in `status`.
pub fn may_certify(t: &DivorceTimeline, status: DivorceStatus, today: NaiveDate) -> Result<(), DivorceError> {
    if status != DivorceStatus::Received {
        return Err(DivorceError::Closed(status));
    }
    match t.stage(today) {
        Stage::CoolingOff => Err(DivorceError::CoolingOff(t.cooling_ends)),
        Stage::Lapsed => Err(DivorceError::Lapsed(t.window_ends)),
        Stage::Window => Ok(()),
    }
}

/// Whether a party may withdraw on `today`.
pub fn may_withdraw(t: &DivorceTimeline, status: DivorceStatus, today: NaiveDate) -> Result<(), DivorceError> {
    if status != DivorceStatus::Received {
        return Err(DivorceError::Closed(status));
    }
    match t.stage(today) {
        Stage::CoolingOff => Ok(()),
        Stage::Window => Err(DivorceError::WithdrawAfterCooling(t.cooling_ends)),
        Stage::Lapsed => Err(DivorceError::Lapsed(t.window_ends)),
    }
}

/// 预约事项.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    /// 结婚登记
    Marriage,
    /// 离婚登记申请
    Divorce,
    /// 申请发给离婚证 (within the application's window)
    Certificate,
}

impl AppointmentKind {
    pub const ALL: &'static [AppointmentKind] = &[AppointmentKind::Marriage, AppointmentKind::Divorce, AppointmentKind::Certificate];
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentKind::Marriage => "marriage",
            AppointmentKind::Divorce => "divorce",
            AppointmentKind::Certificate => "certificate",
        }
    }
    pub fn parse(s: &str) -> Option<AppointmentKind> {
        AppointmentKind::ALL.iter().copied().find(|k| k.as_str() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            AppointmentKind::Marriage => "结婚登记",
            AppointmentKind::Divorce => "离婚登记申请",
            AppointmentKind::Certificate => "申请发给离婚证",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            AppointmentKind::Marriage => "marriage",
            AppointmentKind::Divorce => "divorce application",
            AppointmentKind::Certificate => "divorce certificate",
        }
    }
}

/// 上午 or 下午.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    Am,
    Pm,
}

impl Slot {
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Am => "am",
            Slot::Pm => "pm",
        }
    }
    pub fn parse(s: &str) -> Option<Slot> {
        [Slot::Am, Slot::Pm].into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn zh(self) -> &'static str {
        match self {
            Slot::Am => "上午",
            Slot::Pm => "下午",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Slot::Am => "morning",
            Slot::Pm => "afternoon",
        }
    }
}

/// How far ahead a day may be booked (local practice).
pub const BOOKING_DAYS: i64 = 30;

/// Why a booking is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("{0} is past")]
    Past(NaiveDate),
    #[error("{0} is not a working day")]
    NotWorking(NaiveDate),
    #[error("{0} is more than {BOOKING_DAYS} days ahead")]
    TooFar(NaiveDate),
    #[error("{day} {slot:?} is full ({capacity})")]
    Full { day: NaiveDate, slot: Slot, capacity: i64 },
    #[error("the certificate may be applied for from {opens} to {ends}")]
    OutsideWindow { opens: NaiveDate, ends: NaiveDate },
    #[error("the application is not open")]
    NotOpen,
    #[error("{0} missing")]
    Missing(&'static str),
}

impl Bilingual for BookingError {
    fn zh(&self) -> String {
        match self {
            BookingError::Past(d) => format!("{d}已过，请预约今天以后的日期"),
            BookingError::NotWorking(d) => format!("{d}为休息日或法定节假日，婚姻登记处不办公"),
            BookingError::TooFar(d) => format!("{d}超出可预约范围（{BOOKING_DAYS}天内）"),
            BookingError::Full { day, slot, capacity } => format!("{day}{}已约满（每半天{capacity}对），请另选时间", slot.zh()),
            BookingError::OutsideWindow { opens, ends } => {
                format!("申请发给离婚证须在冷静期届满后三十日内，即{opens}至{ends}（《民法典》第一千零七十七条）")
            }
            BookingError::NotOpen => "该离婚登记申请已办结或撤回".into(),
            BookingError::Missing(w) => format!("请填写{w}"),
        }
    }
    fn en(&self) -> String {
        match self {
            BookingError::Past(d) => format!("{d} is past: book a later day"),
            BookingError::NotWorking(d) => format!("{d} is a rest day or holiday: the office is closed"),
            BookingError::TooFar(d) => format!("{d} is more than {BOOKING_DAYS} days ahead"),
            BookingError::Full { day, slot, capacity } => {
                format!("{day} {} is full ({capacity} couples a half-day): choose another time", slot.en())
            }
            BookingError::OutsideWindow { opens, ends } => {
                format!(
                    "the certificate is applied for within 30 days after the cooling-off period: {opens} to {ends} (Civil Code art. 1077)"
                )
            }
            BookingError::NotOpen => "the divorce application is closed or withdrawn".into(),
            BookingError::Missing(w) => format!("enter {}", if *w == "联系电话" { "a phone number" } else { "both parties" }),
        }
    }
}

/// Checks the day of a booking: a working day from today to [`BOOKING_DAYS`] ahead; for the
/// divorce certificate, within the application's window.
pub fn check_booking_day(
    day: NaiveDate,
    today: NaiveDate,
    cal: &WorkCalendar,
    window: Option<&DivorceTimeline>,
) -> Result<(), BookingError> {
    if day < today {
        return Err(BookingError::Past(day));
    }
    if day > today + Duration::days(BOOKING_DAYS) {
        return Err(BookingError::TooFar(day));
    }
    if !cal.is_working(day) {
        return Err(BookingError::NotWorking(day));
    }
    if let Some(t) = window {
        if day < t.window_opens || day > t.window_ends {
            return Err(BookingError::OutsideWindow { opens: t.window_opens, ends: t.window_ends });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::calendar::{CalendarDay, DayKind};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn party(serial: u16, birth: NaiveDate, sex: Sex) -> Party {
        Party {
            id: IdNumber::from_parts(210112, birth, serial, sex),
            name: format!("当事人{serial}"),
            declared: Declared::Single,
            registry: None,
            spouse: None,
            married_before: None,
        }
    }

    fn application() -> MarriageApplication {
        MarriageApplication {
            first_id: String::new(),
            first_name: "甲".into(),
            first_declared: Declared::Single,
            second_id: String::new(),
            second_name: "乙".into(),
            second_declared: Declared::Single,
            both_present: true,
            declarations_signed: true,
            household_change: HouseholdChange::None,
            kinship_note: String::new(),
            appointment: None,
        }
    }

    #[test]
    fn a_man_marries_from_twenty_two_and_a_woman_from_twenty() {
        let on = day(2026, 12, 7);
        let woman = party(960, day(2006, 12, 7), Sex::Female);
        let man = party(950, day(2004, 12, 7), Sex::Male);
        assert_eq!(check_marriage(&application(), &man, &woman, on), Ok(()));
        let young_man = party(950, day(2004, 12, 8), Sex::Male);
        let e = check_marriage(&application(), &young_man, &woman, on).unwrap_err();
        assert!(matches!(e, Refusal::UnderAge { age: 21, minimum: 22, .. }), "{e:?}");
        assert!(e.zh().contains("第一千零四十七条"));
        let young_woman = party(960, day(2006, 12, 8), Sex::Female);
        assert!(matches!(check_marriage(&application(), &man, &young_woman, on), Err(Refusal::UnderAge { age: 19, minimum: 20, .. })));
    }

    #[test]
    fn a_spouse_recorded_or_a_false_declaration_refuses() {
        let on = day(2026, 12, 7);
        let woman = party(960, day(1990, 1, 1), Sex::Female);
        let mut man = party(950, day(1988, 1, 1), Sex::Male);
        man.spouse = Some(ExistingSpouse { spouse: "2101**********123X".into(), certificate_no: Some("J210112-2020-000003".into()) });
        let e = check_marriage(&application(), &man, &woman, on).unwrap_err();
        assert!(e.zh().contains("J210112-2020-000003") && e.zh().contains("重婚"), "{}", e.zh());
        man.spouse = None;
        man.married_before = Some(day(2015, 5, 20));
        assert!(matches!(check_marriage(&application(), &man, &woman, on), Err(Refusal::DeclaredSingle { .. })));
        man.declared = Declared::Divorced;
        assert_eq!(check_marriage(&application(), &man, &woman, on), Ok(()));
    }

    #[test]
    fn the_same_sex_the_same_person_absence_or_no_declaration_refuse() {
        let on = day(2026, 12, 7);
        let a = party(950, day(1990, 1, 1), Sex::Male);
        let b = party(970, day(1991, 1, 1), Sex::Male);
        assert_eq!(check_marriage(&application(), &a, &b, on), Err(Refusal::SameSex));
        assert_eq!(check_marriage(&application(), &a, &a.clone(), on), Err(Refusal::SamePerson));
        let w = party(960, day(1991, 1, 1), Sex::Female);
        let absent = MarriageApplication { both_present: false, ..application() };
        assert_eq!(check_marriage(&absent, &a, &w, on), Err(Refusal::NotPresent));
        let unsigned = MarriageApplication { declarations_signed: false, ..application() };
        assert_eq!(check_marriage(&unsigned, &a, &w, on), Err(Refusal::NotDeclared));
    }

    #[test]
    fn relatives_the_household_shows_may_not_marry_unless_the_proof_of_a_step_relation_is_noted() {
        let on = day(2026, 12, 7);
        let mut a = party(950, day(1990, 1, 1), Sex::Male);
        let mut b = party(960, day(1992, 1, 1), Sex::Female);
        a.registry = Some(RegistryFacts { household_no: Some("H1".into()), relation: Relation::Child, deceased: false });
        b.registry = Some(RegistryFacts { household_no: Some("H1".into()), relation: Relation::Child, deceased: false });
        let e = check_marriage(&application(), &a, &b, on).unwrap_err();
        assert!(matches!(e, Refusal::Kinship { zh: "兄弟姐妹", .. }), "{e:?}");
        assert!(e.zh().contains("第一千零四十八条"));
        let noted = MarriageApplication { kinship_note: "继兄妹，查验公证书".into(), ..application() };
        assert_eq!(check_marriage(&noted, &a, &b, on), Ok(()));
        // Other households: the registry shows nothing.
        b.registry = Some(RegistryFacts { household_no: Some("H2".into()), relation: Relation::Child, deceased: false });
        assert_eq!(check_marriage(&application(), &a, &b, on), Ok(()));
    }

    #[test]
    fn kinship_is_symmetric_and_stops_at_three_generations() {
        for a in Relation::ALL {
            for b in Relation::ALL {
                assert_eq!(kinship(a, b), kinship(b, a), "{a:?} {b:?}");
            }
        }
        assert!(kinship(Relation::Grandchild, Relation::Grandchild).is_some(), "cousins");
        assert!(kinship(Relation::Sibling, Relation::Grandchild).is_none(), "a great-uncle is the fourth generation");
        assert!(kinship(Relation::Head, Relation::Spouse).is_none());
        assert!(kinship(Relation::Head, Relation::ChildInLaw).is_none());
        assert!(kinship(Relation::Head, Relation::Other).is_none());
        // The head's parent and grandparent; the spouse's parent and the couple's child or grandchild.
        assert_eq!(kinship(Relation::Parent, Relation::Grandparent).map(|k| k.0), Some("父母子女"));
        assert_eq!(kinship(Relation::ParentInLaw, Relation::Child).map(|k| k.0), Some("祖孙（直系血亲）"));
        assert_eq!(kinship(Relation::ParentInLaw, Relation::Grandchild).map(|k| k.0), Some("曾祖孙（直系血亲）"));
        assert!(kinship(Relation::Grandparent, Relation::Grandchild).is_some_and(|k| k.0.contains("直系血亲")));
    }

    #[test]
    fn the_cooling_off_counts_from_the_next_day_and_a_last_day_on_a_holiday_moves_on() {
        let cal = WorkCalendar::new(&[]);
        // Received Monday 2026-03-02: day 30 is Wednesday 2026-04-01.
        let t = DivorceTimeline::of(day(2026, 3, 2), &cal);
        assert_eq!(t.cooling_ends, day(2026, 4, 1));
        assert_eq!(t.window_opens, day(2026, 4, 2));
        assert_eq!(t.window_ends, day(2026, 5, 1));
        // 2026-05-01..05 is the Labour Day holiday: the window's last day moves to 05-06.
        let days: Vec<CalendarDay> =
            (1..=5).map(|d| CalendarDay { day: day(2026, 5, d), kind: DayKind::Holiday, note: "劳动节".into() }).collect();
        let cal = WorkCalendar::new(&days);
        let t = DivorceTimeline::of(day(2026, 3, 2), &cal);
        assert_eq!(t.window_ends, day(2026, 5, 6));
        // A cooling-off ending on a Saturday ends on the Monday; the window counts from it.
        let t = DivorceTimeline::of(day(2026, 10, 15), &WorkCalendar::new(&[]));
        assert_eq!(t.cooling_ends, day(2026, 11, 16), "2026-11-14 is a Saturday");
        assert_eq!(t.window_ends, day(2026, 12, 16));
    }

    #[test]
    fn the_certificate_only_in_the_window_and_withdrawal_only_in_the_cooling_off() {
        let t = DivorceTimeline::of(day(2026, 3, 2), &WorkCalendar::new(&[]));
        assert_eq!(may_certify(&t, DivorceStatus::Received, day(2026, 4, 1)), Err(DivorceError::CoolingOff(day(2026, 4, 1))));
        assert_eq!(may_certify(&t, DivorceStatus::Received, day(2026, 4, 2)), Ok(()));
        assert_eq!(may_certify(&t, DivorceStatus::Received, day(2026, 5, 1)), Ok(()));
        assert_eq!(may_certify(&t, DivorceStatus::Received, day(2026, 5, 4)), Err(DivorceError::Lapsed(day(2026, 5, 1))));
        assert_eq!(may_certify(&t, DivorceStatus::Withdrawn, day(2026, 4, 10)), Err(DivorceError::Closed(DivorceStatus::Withdrawn)));
        assert_eq!(may_withdraw(&t, DivorceStatus::Received, day(2026, 4, 1)), Ok(()));
        assert_eq!(may_withdraw(&t, DivorceStatus::Received, day(2026, 4, 2)), Err(DivorceError::WithdrawAfterCooling(day(2026, 4, 1))));
    }

    #[test]
    fn a_booking_is_a_working_day_within_thirty_days_and_a_certificate_within_its_window() {
        let cal = WorkCalendar::new(&[]);
        let today = day(2026, 3, 2);
        assert_eq!(check_booking_day(day(2026, 3, 3), today, &cal, None), Ok(()));
        assert_eq!(check_booking_day(day(2026, 3, 1), today, &cal, None), Err(BookingError::Past(day(2026, 3, 1))));
        assert_eq!(check_booking_day(day(2026, 3, 7), today, &cal, None), Err(BookingError::NotWorking(day(2026, 3, 7))), "a Saturday");
        assert_eq!(check_booking_day(day(2026, 4, 6), today, &cal, None), Err(BookingError::TooFar(day(2026, 4, 6))));
        let t = DivorceTimeline::of(day(2026, 2, 20), &cal);
        assert!(
            matches!(check_booking_day(day(2026, 3, 20), today, &cal, Some(&t)), Err(BookingError::OutsideWindow { .. })),
            "still cooling off"
        );
        assert_eq!(check_booking_day(t.window_opens, today, &cal, Some(&t)), Ok(()));
    }

    #[test]
    fn certificate_numbers_name_the_county_year_and_serial() {
        assert_eq!(certificate_no(Certificate::Marriage, "210112", day(2026, 12, 7), 1), "J210112-2026-000001");
        assert_eq!(certificate_no(Certificate::Divorce, "210102", day(2027, 1, 4), 42), "L210102-2027-000042");
        assert_eq!(certificate_prefix(Certificate::Marriage, "210112", day(2026, 12, 7)), "J210112-2026-");
    }
}
