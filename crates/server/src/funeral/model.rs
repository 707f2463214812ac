//! 殡葬's rules, pure: who certifies a death (《医学死亡证明书》), what a cremation record must
//! hold, the basic funeral services free for the listed groups (惠民殡葬) and the eco-burial
//! rewards, the cremation certificate's number and the cremation rate.

use chrono::{Datelike, NaiveDate};
use minzheng_domain::{Bilingual, RegionCode};
use serde::{Deserialize, Serialize};

/// 死亡地点: where the person died (it decides who certifies the death).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathPlace {
    /// 医疗卫生机构内.
    Hospital,
    /// 家中.
    Home,
    /// 养老机构或其他场所.
    Elsewhere,
}

/// 死亡原因类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// 疾病（正常死亡）.
    Disease,
    /// 非正常死亡（意外、伤害、自杀等）or not determined by the health service.
    Unnatural,
}

/// 死亡证明签发单位.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certifier {
    /// 医疗卫生机构（负责救治的执业医师）.
    Hospital,
    /// 社区卫生服务机构或乡镇卫生院（居家等正常死亡）.
    CommunityHealth,
    /// 公安司法部门（非正常死亡）.
    Police,
}

macro_rules! coded {
    ($t:ty { $($v:ident => $code:literal, $zh:literal, $en:literal;)* }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $code),* }
            }
            pub fn parse(s: &str) -> Option<$t> {
                match s { $($code => Some(<$t>::$v),)* _ => None }
            }
            pub fn zh(self) -> &'static str {
                match self { $(<$t>::$v => $zh),* }
            }
            pub fn en(self) -> &'static str {
                match self { $(<$t>::$v => $en),* }
            }
        }
    };
}

coded!(DeathPlace {
    Hospital => "hospital", "医疗卫生机构", "a hospital or clinic";
    Home => "home", "家中", "home";
    Elsewhere => "elsewhere", "养老机构或其他场所", "a care home or elsewhere";
});
coded!(Cause {
    Disease => "disease", "疾病等正常死亡", "natural (illness)";
    Unnatural => "unnatural", "非正常死亡或不能确定", "unnatural or not determined";
});
coded!(Certifier {
    Hospital => "hospital", "医疗卫生机构", "the hospital";
    CommunityHealth => "community_health", "社区卫生服务机构、乡镇卫生院", "the community health centre";
    Police => "police", "公安司法部门", "the police";
});

/// 骨灰去向: where the ashes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ashes {
    /// 公墓安葬.
    Cemetery,
    /// 骨灰堂（馆）寄存.
    Columbarium,
    /// 海葬 (eco burial).
    Sea,
    /// 树葬 (eco burial).
    Tree,
    /// 草坪葬、花坛葬 (eco burial).
    Lawn,
    /// 丧属领回.
    TakenHome,
}

coded!(Ashes {
    Cemetery => "cemetery", "公墓安葬", "buried in a cemetery";
    Columbarium => "columbarium", "骨灰堂寄存", "kept in a columbarium";
    Sea => "sea", "海葬", "scattered at sea";
    Tree => "tree", "树葬", "tree burial";
    Lawn => "lawn", "草坪葬、花坛葬", "lawn or flower-bed burial";
    TakenHome => "taken_home", "丧属领回", "taken home by the family";
});

impl Ashes {
    /// 节地生态安葬: the kinds the eco-burial reward is paid for.
    pub fn eco(self) -> bool {
        matches!(self, Ashes::Sea | Ashes::Tree | Ashes::Lawn)
    }
}

/// A death as reported with its medical death certificate (医学死亡证明书).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeathReport {
    pub id_number: String,
    pub died_on: NaiveDate,
    pub place: DeathPlace,
    pub cause: Cause,
    pub certifier: Certifier,
    /// 签发单位名称.
    pub certifier_org: String,
    /// 死亡证明编号.
    pub certificate_no: String,
}

/// Why a death report is refused (nothing is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeathError {
    #[error("date of death {0} is after today")]
    Future(NaiveDate),
    #[error("date of death {died} before the birth {born}")]
    BeforeBirth { died: NaiveDate, born: NaiveDate },
    #[error("no certificate number")]
    NoCertificate,
    #[error("no certifying body")]
    NoCertifierOrg,
    #[error("{place:?} {cause:?}: certified by {needed:?}, not {given:?}")]
    WrongCertifier { place: DeathPlace, cause: Cause, needed: Certifier, given: Certifier },
    /// The person's death is already recorded (its certificate number).
    #[error("the death is already recorded (certificate {0})")]
    AlreadyRecorded(String),
    /// The person is recorded as moved out of the city (name).
    #[error("{0} is recorded as moved out")]
    MovedOut(String),
}

impl Bilingual for DeathError {
    fn zh(&self) -> String {
        match self {
            DeathError::Future(d) => format!("死亡日期{d}晚于今天"),
            DeathError::BeforeBirth { died, born } => format!("死亡日期{died}早于出生日期{born}，请核对"),
            DeathError::NoCertificate => "请填写死亡证明编号".into(),
            DeathError::NoCertifierOrg => "请填写死亡证明签发单位".into(),
            DeathError::WrongCertifier { place, cause, needed, .. } => format!(
                "在{}{}的，死亡证明应由{}签发（国卫规划发〔2013〕57号）",
                place.zh(),
                if *cause == Cause::Disease { "正常死亡" } else { "非正常死亡或不能确定死因" },
                needed.zh()
            ),
            DeathError::AlreadyRecorded(no) => format!("该居民的死亡已登记（死亡证明编号{no}），不能重复登记"),
            DeathError::MovedOut(n) => format!("{n}在人口库中登记为已迁出，请由现户籍地登记"),
        }
    }
    fn en(&self) -> String {
        match self {
            DeathError::Future(d) => format!("date of death {d} is after today"),
            DeathError::BeforeBirth { died, born } => format!("date of death {died} is before the birth {born}"),
            DeathError::NoCertificate => "enter the death certificate's number".into(),
            DeathError::NoCertifierOrg => "enter the body that issued the death certificate".into(),
            DeathError::WrongCertifier { place, cause, needed, .. } => {
                format!("a death at {} that is {} is certified by {}", place.en(), cause.en(), needed.en())
            }
            DeathError::AlreadyRecorded(no) => format!("this death is already recorded (certificate {no})"),
            DeathError::MovedOut(n) => format!("{n} is recorded as moved out: the death is recorded where they now live"),
        }
    }
}

/// Who must certify a death (国卫规划发〔2013〕57号《关于进一步规范人口死亡医学证明和信息
/// 登记管理工作的通知》): the hospital for a natural death in it; the community health centre
/// (乡镇卫生院) for a natural death at home or elsewhere; the police for an unnatural death or
/// one whose cause the health service cannot determine. The police may certify any death.
pub fn certifier_for(place: DeathPlace, cause: Cause) -> Certifier {
    match (cause, place) {
        (Cause::Unnatural, _) => Certifier::Police,
        (Cause::Disease, DeathPlace::Hospital) => Certifier::Hospital,
        (Cause::Disease, DeathPlace::Home | DeathPlace::Elsewhere) => Certifier::CommunityHealth,
    }
}

/// Checks a death report on its own (the registry's part is the service's).
pub fn check_death(r: &DeathReport, today: NaiveDate) -> Result<(), DeathError> {
    if r.died_on > today {
        return Err(DeathError::Future(r.died_on));
    }
    if r.certificate_no.trim().is_empty() {
        return Err(DeathError::NoCertificate);
    }
    if r.certifier_org.trim().is_empty() {
        return Err(DeathError::NoCertifierOrg);
    }
    let needed = certifier_for(r.place, r.cause);
    if r.certifier != needed && r.certifier != Certifier::Police {
        return Err(DeathError::WrongCertifier { place: r.place, cause: r.cause, needed, given: r.certifier });
    }
    Ok(())
}

/// 死亡登记: a death as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeathRecord {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    /// The community of the person's household at death: region scope and the county's counts.
    pub community: String,
    pub died_on: NaiveDate,
    pub place: DeathPlace,
    pub cause: Cause,
    pub certifier: Certifier,
    pub certifier_org: String,
    pub certificate_no: String,
    /// The programs the person was paid under in the month of death (the relief groups are
    /// found from these, whatever the household's change case later decides).
    pub programs: Vec<String>,
    pub recorded_by: String,
    pub recorded_on: NaiveDate,
}

/// A cremation as the funeral home hands it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CremationReport {
    /// 殡仪馆.
    pub funeral_home: String,
    /// 接运入馆日期.
    pub received_on: NaiveDate,
    /// 接运里程（公里）; 0 when the family brought the body.
    pub transport_km: u32,
    pub cremated_on: NaiveDate,
    /// 使用卫生棺.
    #[serde(default)]
    pub coffin: bool,
    /// 使用骨灰盒.
    #[serde(default)]
    pub urn: bool,
    pub ashes: Ashes,
    /// Years of ash storage (寄存) paid for; 0 unless kept in a columbarium.
    #[serde(default)]
    pub storage_years: u32,
    /// Groups declared with their proof (见义勇为, donors: the group codes of `declared` groups).
    #[serde(default)]
    pub declared: Vec<String>,
    /// The proof of what is declared (决定文号、捐献证明).
    #[serde(default)]
    pub declared_proof: String,
}

/// Why a cremation is refused (nothing is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CremationError {
    #[error("no funeral home")]
    NoFuneralHome,
    #[error("cremation {cremated} before the death {died}")]
    BeforeDeath { died: NaiveDate, cremated: NaiveDate },
    #[error("received {received} before the death {died}")]
    ReceivedBeforeDeath { died: NaiveDate, received: NaiveDate },
    #[error("received {received} after the cremation {cremated}")]
    ReceivedAfterCremation { received: NaiveDate, cremated: NaiveDate },
    #[error("date {0} is after today")]
    Future(NaiveDate),
    #[error("transport of {0} km")]
    TooFar(u32),
    #[error("storage of {0} years")]
    StorageYears(u32),
    #[error("unknown group {0:?} declared")]
    UnknownGroup(String),
    #[error("a group is declared without its proof")]
    NoProof,
    /// The person is not recorded as deceased in the registry (name).
    #[error("{0} is not recorded as deceased")]
    NotDeceased(String),
    /// Already cremated (the certificate's number).
    #[error("already cremated (certificate {0})")]
    AlreadyCremated(String),
}

/// The longest transport a record may show (farther is a typing error).
pub const MAX_TRANSPORT_KM: u32 = 2_000;

impl Bilingual for CremationError {
    fn zh(&self) -> String {
        match self {
            CremationError::NoFuneralHome => "请填写殡仪馆".into(),
            CremationError::BeforeDeath { died, cremated } => format!("火化日期{cremated}早于死亡日期{died}"),
            CremationError::ReceivedBeforeDeath { died, received } => format!("接运入馆日期{received}早于死亡日期{died}"),
            CremationError::ReceivedAfterCremation { received, cremated } => format!("接运入馆日期{received}晚于火化日期{cremated}"),
            CremationError::Future(d) => format!("日期{d}晚于今天"),
            CremationError::TooFar(km) => format!("接运里程{km}公里超出合理范围（不超过{MAX_TRANSPORT_KM}公里）"),
            CremationError::StorageYears(y) => format!("骨灰寄存年限{y}年不合理：寄存的填1至99年，其他去向填0"),
            CremationError::UnknownGroup(g) => format!("未知的减免对象类别“{g}”"),
            CremationError::NoProof => "申报见义勇为牺牲人员、遗体捐献者等类别的，请填写证明文件（决定文号或捐献证明）".into(),
            CremationError::NotDeceased(n) => format!("{n}在人口库中未登记死亡：请先登记死亡（凭医学死亡证明）再办理火化"),
            CremationError::AlreadyCremated(no) => format!("该逝者已火化（火化证明{no}），不能重复登记"),
        }
    }
    fn en(&self) -> String {
        match self {
            CremationError::NoFuneralHome => "enter the funeral home".into(),
            CremationError::BeforeDeath { died, cremated } => format!("cremation {cremated} is before the death {died}"),
            CremationError::ReceivedBeforeDeath { died, received } => format!("received {received}, before the death {died}"),
            CremationError::ReceivedAfterCremation { received, cremated } => {
                format!("received {received}, after the cremation {cremated}")
            }
            CremationError::Future(d) => format!("date {d} is after today"),
            CremationError::TooFar(km) => format!("a transport of {km} km is not plausible (at most {MAX_TRANSPORT_KM})"),
            CremationError::StorageYears(y) => {
                format!("{y} years of ash storage: 1 to 99 for a columbarium, 0 for anything else")
            }
            CremationError::UnknownGroup(g) => format!("unknown relief group {g:?}"),
            CremationError::NoProof => "a declared group (acting bravely, donor) needs its proof (decision or donation certificate)".into(),
            CremationError::NotDeceased(n) => format!("{n} is not recorded as deceased: record the death (with its certificate) first"),
            CremationError::AlreadyCremated(no) => format!("already cremated (certificate {no})"),
        }
    }
}

/// Checks a cremation against the death it follows.
pub fn check_cremation(c: &CremationReport, died_on: NaiveDate, today: NaiveDate) -> Result<(), CremationError> {
    if c.funeral_home.trim().is_empty() {
        return Err(CremationError::NoFuneralHome);
    }
    for d in [c.received_on, c.cremated_on] {
        if d > today {
            return Err(CremationError::Future(d));
        }
    }
    if c.cremated_on < died_on {
        return Err(CremationError::BeforeDeath { died: died_on, cremated: c.cremated_on });
    }
    if c.received_on < died_on {
        return Err(CremationError::ReceivedBeforeDeath { died: died_on, received: c.received_on });
    }
    if c.received_on > c.cremated_on {
        return Err(CremationError::ReceivedAfterCremation { received: c.received_on, cremated: c.cremated_on });
    }
    if c.transport_km > MAX_TRANSPORT_KM {
        return Err(CremationError::TooFar(c.transport_km));
    }
    let columbarium = c.ashes == Ashes::Columbarium;
    if (columbarium && !(1..=99).contains(&c.storage_years)) || (!columbarium && c.storage_years != 0) {
        return Err(CremationError::StorageYears(c.storage_years));
    }
    Ok(())
}

/// The standards of the basic services and rewards in force for a death (parameters
/// `funeral_*`, in fen; limits in km, days and years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Standards {
    pub universal: bool,
    pub transport_fen: i64,
    pub transport_km: u32,
    pub storage_fen_per_day: i64,
    pub storage_days: u32,
    pub cremation_fen: i64,
    pub ash_storage_fen_per_year: i64,
    pub ash_storage_years: u32,
    pub coffin_fen: i64,
    pub urn_fen: i64,
    pub eco_sea_fen: i64,
    pub eco_tree_fen: i64,
    pub eco_lawn_fen: i64,
}

impl Standards {
    /// The reward for an eco burial of this kind (0 for the others).
    pub fn eco_reward(&self, ashes: Ashes) -> i64 {
        match ashes {
            Ashes::Sea => self.eco_sea_fen,
            Ashes::Tree => self.eco_tree_fen,
            Ashes::Lawn => self.eco_lawn_fen,
            _ => 0,
        }
    }
}

/// 基本殡葬服务项目.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Transport,
    Storage,
    Cremation,
    AshStorage,
    Coffin,
    Urn,
}

coded!(Service {
    Transport => "transport", "遗体接运", "body transport";
    Storage => "storage", "遗体冷藏", "cold storage";
    Cremation => "cremation", "遗体火化", "cremation";
    AshStorage => "ash_storage", "骨灰寄存", "ash storage";
    Coffin => "coffin", "卫生棺", "sanitary coffin";
    Urn => "urn", "骨灰盒", "urn";
});

/// One service relieved: how much was used, how much of it is free, the amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReliefLine {
    pub service: Service,
    /// What was used (km, days, years; 1 for a single service).
    pub used: u32,
    /// Of it within the limit.
    pub covered: u32,
    pub fen: i64,
}

/// 惠民殡葬减免 and 生态安葬奖补 of one cremation: the services free for the deceased's groups
/// (settled to the funeral home) and the eco-burial reward (paid to the family).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Relief {
    /// The groups the deceased belonged to (codes), empty when none; `universal` when every
    /// resident is covered.
    pub groups: Vec<String>,
    pub universal: bool,
    pub lines: Vec<ReliefLine>,
    /// 减免金额（与殡仪馆结算）.
    pub funeral_home_fen: i64,
    /// 生态安葬奖补（发给丧属）.
    pub family_fen: i64,
}

/// Days the body was kept (cold storage): from reception to cremation, the day of cremation
/// not counted, at least one day when received and cremated the same day is not charged.
pub fn storage_days(c: &CremationReport) -> u32 {
    u32::try_from((c.cremated_on - c.received_on).num_days()).unwrap_or(0)
}

/// The relief of a cremation under `s`, for a deceased in `groups` (empty: none).
/// Each service is free up to its limit (transport: one transport, when within the limit's
/// kilometres the whole of it, beyond it the family pays the rest of the distance; storage per
/// day up to the days; ash storage per year up to the years); the eco-burial reward is paid
/// for every resident who chooses it.
pub fn relief(s: &Standards, c: &CremationReport, groups: Vec<String>) -> Relief {
    let covered = s.universal || !groups.is_empty();
    let mut lines = Vec::new();
    if covered {
        if c.transport_km > 0 {
            let within = c.transport_km.min(s.transport_km);
            // The standard covers a transport within the limit; beyond it, the share of the
            // limit (the family pays the extra distance).
            let fen = if c.transport_km <= s.transport_km {
                s.transport_fen
            } else {
                s.transport_fen * i64::from(s.transport_km) / i64::from(c.transport_km.max(1))
            };
            lines.push(ReliefLine { service: Service::Transport, used: c.transport_km, covered: within, fen });
        }
        let days = storage_days(c);
        if days > 0 {
            let within = days.min(s.storage_days);
            lines.push(ReliefLine {
                service: Service::Storage,
                used: days,
                covered: within,
                fen: s.storage_fen_per_day * i64::from(within),
            });
        }
        lines.push(ReliefLine { service: Service::Cremation, used: 1, covered: 1, fen: s.cremation_fen });
        if c.storage_years > 0 {
            let within = c.storage_years.min(s.ash_storage_years);
            lines.push(ReliefLine {
                service: Service::AshStorage,
                used: c.storage_years,
                covered: within,
                fen: s.ash_storage_fen_per_year * i64::from(within),
            });
        }
        if c.coffin {
            lines.push(ReliefLine { service: Service::Coffin, used: 1, covered: 1, fen: s.coffin_fen });
        }
        if c.urn {
            lines.push(ReliefLine { service: Service::Urn, used: 1, covered: 1, fen: s.urn_fen });
        }
    }
    let funeral_home_fen = lines.iter().map(|l| l.fen).sum();
    Relief { universal: s.universal && groups.is_empty(), groups, lines, funeral_home_fen, family_fen: s.eco_reward(c.ashes) }
}

/// 惠民殡葬减免对象: a group whose basic funeral services are free (`policies/funeral.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Group {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// Programs the person was supported under in the month of death.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Registry tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Declared on the cremation with its proof.
    #[serde(default)]
    pub declared: bool,
}

#[derive(Deserialize)]
struct GroupsFile {
    group: Vec<Group>,
}

/// The shipped groups' file.
pub const GROUPS_FILE: &str = include_str!("../../../../policies/funeral.toml");

/// Parses a groups file; codes are unique and every group says how it is found.
pub fn parse_groups(text: &str) -> Result<Vec<Group>, String> {
    let f: GroupsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for g in &f.group {
        if !seen.insert(g.code.as_str()) {
            return Err(format!("group code {:?} is used twice", g.code));
        }
        if g.programs.is_empty() && g.tags.is_empty() && !g.declared {
            return Err(format!("group {:?} names no program, tag or declaration", g.code));
        }
    }
    Ok(f.group)
}

/// The shipped groups.
pub fn groups() -> &'static [Group] {
    static GROUPS: std::sync::OnceLock<Vec<Group>> = std::sync::OnceLock::new();
    GROUPS.get_or_init(|| parse_groups(GROUPS_FILE).unwrap_or_default())
}

/// The groups a deceased belongs to: by the programs they were paid under in the month of death,
/// their registry tags, and what is declared (only `declared` groups may be).
pub fn groups_of(groups: &[Group], programs: &[String], tags: &[String], declared: &[String]) -> Result<Vec<String>, CremationError> {
    for d in declared {
        if !groups.iter().any(|g| g.declared && &g.code == d) {
            return Err(CremationError::UnknownGroup(d.clone()));
        }
    }
    Ok(groups
        .iter()
        .filter(|g| {
            g.programs.iter().any(|p| programs.contains(p))
                || g.tags.iter().any(|t| tags.contains(t))
                || (g.declared && declared.contains(&g.code))
        })
        .map(|g| g.code.clone())
        .collect())
}

/// 火化证明编号: `火化〔year〕county-seq`, numbered per county and year.
pub fn certificate_no(county: &RegionCode, on: NaiveDate, seq: i64) -> String {
    let county: String = county.as_str().chars().take(6).collect();
    format!("火化〔{}〕{county}-{seq:05}", on.year())
}

/// 火化率: cremations over deaths, in per mille (None without deaths).
pub fn rate_permille(cremations: u64, deaths: u64) -> Option<u64> {
    (deaths > 0).then(|| (cremations * 1000 + deaths / 2) / deaths)
}

/// A per-mille figure as a percentage with one decimal ("—" without one).
pub fn percent(permille: Option<u64>) -> String {
    permille.map_or_else(|| "—".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn report() -> DeathReport {
        DeathReport {
            id_number: "x".into(),
            died_on: d(2026, 11, 20),
            place: DeathPlace::Home,
            cause: Cause::Disease,
            certifier: Certifier::CommunityHealth,
            certifier_org: "浑南区社区卫生服务中心".into(),
            certificate_no: "N210112-2026-0001".into(),
        }
    }

    fn cremation() -> CremationReport {
        CremationReport {
            funeral_home: "沈阳市殡仪馆".into(),
            received_on: d(2026, 11, 20),
            transport_km: 12,
            cremated_on: d(2026, 11, 23),
            coffin: true,
            urn: true,
            ashes: Ashes::Columbarium,
            storage_years: 5,
            declared: vec![],
            declared_proof: String::new(),
        }
    }

    fn shenyang() -> Standards {
        Standards {
            universal: false,
            transport_fen: 30000,
            transport_km: 20,
            storage_fen_per_day: 10000,
            storage_days: 3,
            cremation_fen: 48000,
            ash_storage_fen_per_year: 10000,
            ash_storage_years: 3,
            coffin_fen: 15000,
            urn_fen: 20000,
            eco_sea_fen: 300000,
            eco_tree_fen: 200000,
            eco_lawn_fen: 200000,
        }
    }

    #[test]
    fn a_home_death_is_certified_by_the_community_health_centre_and_an_unnatural_one_by_the_police() {
        let today = d(2026, 12, 6);
        assert_eq!(check_death(&report(), today), Ok(()));
        let by_hospital = DeathReport { certifier: Certifier::Hospital, ..report() };
        assert_eq!(
            check_death(&by_hospital, today),
            Err(DeathError::WrongCertifier {
                place: DeathPlace::Home,
                cause: Cause::Disease,
                needed: Certifier::CommunityHealth,
                given: Certifier::Hospital
            })
        );
        let unnatural = DeathReport { cause: Cause::Unnatural, ..report() };
        assert!(matches!(check_death(&unnatural, today), Err(DeathError::WrongCertifier { needed: Certifier::Police, .. })));
        // The police may certify any death.
        let police = DeathReport { certifier: Certifier::Police, place: DeathPlace::Hospital, ..report() };
        assert_eq!(check_death(&police, today), Ok(()));
        assert_eq!(check_death(&DeathReport { died_on: d(2026, 12, 7), ..report() }, today), Err(DeathError::Future(d(2026, 12, 7))));
        assert_eq!(check_death(&DeathReport { certificate_no: " ".into(), ..report() }, today), Err(DeathError::NoCertificate));
        assert!(DeathError::NoCertifierOrg.zh().contains("签发单位"));
    }

    #[test]
    fn a_cremation_follows_the_death_and_its_dates_are_in_order() {
        let died = d(2026, 11, 20);
        let today = d(2026, 12, 6);
        assert_eq!(check_cremation(&cremation(), died, today), Ok(()));
        let early = CremationReport { cremated_on: d(2026, 11, 19), received_on: d(2026, 11, 19), ..cremation() };
        assert_eq!(check_cremation(&early, died, today), Err(CremationError::BeforeDeath { died, cremated: d(2026, 11, 19) }));
        let late_in = CremationReport { received_on: d(2026, 11, 24), ..cremation() };
        assert!(matches!(check_cremation(&late_in, died, today), Err(CremationError::ReceivedAfterCremation { .. })));
        let far = CremationReport { transport_km: 5000, ..cremation() };
        assert_eq!(check_cremation(&far, died, today), Err(CremationError::TooFar(5000)));
        let sea_kept = CremationReport { ashes: Ashes::Sea, ..cremation() };
        assert_eq!(check_cremation(&sea_kept, died, today), Err(CremationError::StorageYears(5)));
        let none_kept = CremationReport { storage_years: 0, ..cremation() };
        assert_eq!(check_cremation(&none_kept, died, today), Err(CremationError::StorageYears(0)));
        assert!(CremationError::NotDeceased("张三".into()).zh().contains("请先登记死亡"));
    }

    #[test]
    fn a_dibao_recipient_has_the_six_basic_services_free_within_the_limits() {
        // 12 km, 3 days kept, cremated, 5 years in a columbarium (3 free), coffin, urn.
        let r = relief(&shenyang(), &cremation(), vec!["dibao".into()]);
        let fen: Vec<(Service, u32, i64)> = r.lines.iter().map(|l| (l.service, l.covered, l.fen)).collect();
        assert_eq!(
            fen,
            vec![
                (Service::Transport, 12, 30000),
                (Service::Storage, 3, 30000),
                (Service::Cremation, 1, 48000),
                (Service::AshStorage, 3, 30000),
                (Service::Coffin, 1, 15000),
                (Service::Urn, 1, 20000),
            ]
        );
        assert_eq!(r.funeral_home_fen, 173000);
        assert_eq!(r.family_fen, 0);
        // Kept 6 days: 3 free.
        let long = CremationReport { cremated_on: d(2026, 11, 26), ..cremation() };
        assert_eq!(
            relief(&shenyang(), &long, vec!["tekun".into()]).lines[1],
            ReliefLine { service: Service::Storage, used: 6, covered: 3, fen: 30000 }
        );
        // 40 km: half the standard (the family pays the distance beyond 20 km).
        let far = CremationReport { transport_km: 40, ..cremation() };
        assert_eq!(relief(&shenyang(), &far, vec!["tekun".into()]).lines[0].fen, 15000);
    }

    #[test]
    fn nobody_outside_the_groups_is_relieved_unless_the_relief_is_universal_but_eco_burial_is_rewarded_for_all() {
        let sea = CremationReport { ashes: Ashes::Sea, storage_years: 0, ..cremation() };
        let r = relief(&shenyang(), &sea, vec![]);
        assert!(r.lines.is_empty());
        assert_eq!((r.funeral_home_fen, r.family_fen), (0, 300000));
        let everyone = Standards { universal: true, ..shenyang() };
        let r = relief(&everyone, &sea, vec![]);
        assert!(r.universal);
        assert_eq!(r.funeral_home_fen, 30000 + 30000 + 48000 + 15000 + 20000);
    }

    #[test]
    fn the_shipped_groups_are_found_by_program_tag_or_declaration() {
        let g = parse_groups(GROUPS_FILE).expect("shipped groups");
        assert_eq!(groups().len(), g.len());
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(groups_of(&g, &s(&["dibao_single", "gaoling"]), &[], &[]), Ok(s(&["dibao"])));
        assert_eq!(groups_of(&g, &s(&["tekun"]), &s(&["重点优抚对象"]), &s(&["donor"])), Ok(s(&["tekun", "youfu", "donor"])));
        assert_eq!(groups_of(&g, &s(&["gaoling"]), &s(&["独居老人"]), &[]), Ok(vec![]));
        // Only a declared group may be declared.
        assert_eq!(groups_of(&g, &[], &[], &s(&["dibao"])), Err(CremationError::UnknownGroup("dibao".into())));
        assert!(parse_groups("[[group]]\ncode = \"a\"\nzh = \"甲\"\nen = \"A\"\n").is_err());
    }

    #[test]
    fn certificates_are_numbered_per_county_and_year_and_the_rate_is_rounded() {
        let county = RegionCode::parse("210112").expect("code");
        assert_eq!(certificate_no(&county, d(2026, 11, 23), 7), "火化〔2026〕210112-00007");
        assert_eq!(rate_permille(263, 419), Some(628));
        assert_eq!(percent(rate_permille(263, 419)), "62.8%");
        assert_eq!(rate_permille(0, 0), None);
    }
}
