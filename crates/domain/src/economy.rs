//! 家庭经济状况 / Household economic data from other departments, reduced to the items the
//! policy features read: monthly income by kind, deposits, and counts of vehicles, real estate
//! and businesses, each with the dataset it came from.

use crate::IdNumber;
use serde::{Deserialize, Serialize};

/// One item of a person's economic situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EconomicItem {
    pub id_number: IdNumber,
    /// `wage`, `pension`, `business`, `property`, `transfer`, `residents_pension`, `assistance`,
    /// `award`, `medical` (monthly income or cost, fen); `deposit` (fen); `car`, `real_estate`,
    /// `enterprise` (counts).
    pub kind: ItemKind,
    pub amount: i64,
    /// The dataset: `income`, `deposits`, `vehicles`, `property`, `business`.
    pub source: String,
}

/// Kinds of economic item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 工资性收入
    Wage,
    /// 养老金（职工基本养老金）
    Pension,
    /// 经营净收入
    BusinessIncome,
    /// 财产净收入
    PropertyIncome,
    /// 转移净收入
    Transfer,
    /// 城乡居民基础养老金 (not counted as income)
    ResidentsPension,
    /// 社会救助金 (not counted)
    Assistance,
    /// 奖励 (not counted)
    Award,
    /// 刚性医疗支出 (deducted)
    Medical,
    /// 存款 (fen)
    Deposit,
    /// 机动车: one item per vehicle, its amount the vehicle's value in fen, or
    /// [`UNKNOWN_VALUE`] when the file gives none.
    Car,
    /// 不动产 (count, the home included)
    RealEstate,
    /// 市场主体 (count)
    Enterprise,
    /// 专用车辆: a vehicle of a type the rules do not count as a household's car (残疾人专用车,
    /// 三轮汽车, 低速货车 ...: the source's `kinds` say which words), valued as [`ItemKind::Car`].
    SpecialVehicle,
}

/// The amount of a vehicle whose value the file does not give.
pub const UNKNOWN_VALUE: i64 = -1;

impl ItemKind {
    pub const ALL: [ItemKind; 14] = [
        ItemKind::Wage,
        ItemKind::Pension,
        ItemKind::BusinessIncome,
        ItemKind::PropertyIncome,
        ItemKind::Transfer,
        ItemKind::ResidentsPension,
        ItemKind::Assistance,
        ItemKind::Award,
        ItemKind::Medical,
        ItemKind::Deposit,
        ItemKind::Car,
        ItemKind::RealEstate,
        ItemKind::Enterprise,
        ItemKind::SpecialVehicle,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Wage => "wage",
            ItemKind::Pension => "pension",
            ItemKind::BusinessIncome => "business_income",
            ItemKind::PropertyIncome => "property_income",
            ItemKind::Transfer => "transfer",
            ItemKind::ResidentsPension => "residents_pension",
            ItemKind::Assistance => "assistance",
            ItemKind::Award => "award",
            ItemKind::Medical => "medical",
            ItemKind::Deposit => "deposit",
            ItemKind::Car => "car",
            ItemKind::RealEstate => "real_estate",
            ItemKind::Enterprise => "enterprise",
            ItemKind::SpecialVehicle => "special_vehicle",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            ItemKind::Wage => "工资",
            ItemKind::Pension => "养老金",
            ItemKind::BusinessIncome => "经营收入",
            ItemKind::PropertyIncome => "财产收入",
            ItemKind::Transfer => "转移性收入",
            ItemKind::ResidentsPension => "城乡居民基础养老金",
            ItemKind::Assistance => "救助金",
            ItemKind::Award => "奖励",
            ItemKind::Medical => "医疗支出",
            ItemKind::Deposit => "存款",
            ItemKind::Car => "机动车",
            ItemKind::RealEstate => "不动产",
            ItemKind::Enterprise => "市场主体",
            ItemKind::SpecialVehicle => "专用车辆",
        }
    }
    /// From the stored code or the words of an income sheet (收入类型).
    pub fn parse(s: &str) -> Option<ItemKind> {
        let s = s.trim();
        ItemKind::ALL.iter().find(|k| k.as_str() == s || k.zh() == s).copied().or(match s {
            "工资性收入" | "工资薪金" => Some(ItemKind::Wage),
            "职工养老金" | "退休金" | "基本养老金" => Some(ItemKind::Pension),
            "居民养老金" | "城乡居民养老金" => Some(ItemKind::ResidentsPension),
            _ => None,
        })
    }
    /// Whether the amount is a sum of money the person has or receives (fen), rather than a
    /// count or the value of one asset.
    pub fn is_money(self) -> bool {
        !matches!(self, ItemKind::Car | ItemKind::RealEstate | ItemKind::Enterprise | ItemKind::SpecialVehicle)
    }
    /// A vehicle, valued one by one.
    pub fn is_vehicle(self) -> bool {
        matches!(self, ItemKind::Car | ItemKind::SpecialVehicle)
    }
}

/// Why a departmental row gave no item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    #[error("ID number: {0}")]
    Id(String),
    #[error("amount {0:?} is not a sum of money in yuan")]
    Amount(String),
    #[error("income type {0:?} is not known")]
    Kind(String),
    #[error("no column {0}")]
    Column(String),
}

impl crate::Bilingual for ItemError {
    fn zh(&self) -> String {
        match self {
            ItemError::Id(e) => format!("身份证号：{e}"),
            ItemError::Amount(s) => format!("金额“{s}”不是以元计的金额"),
            ItemError::Kind(s) => format!("收入类型“{s}”无法识别"),
            ItemError::Column(c) => format!("缺少列“{c}”"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// How a departmental row was tied to a registry person (关联方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The recorded ID number is valid and names a registered person (证号一致，在册).
    Exact,
    /// Linked by the fuzzy linkage at or above the match threshold.
    Matched,
    /// A candidate between the review and match thresholds: a person decides.
    Review,
    /// No registry person: the row is kept, linked to nobody.
    Unlinked,
    /// The recorded number is valid but names nobody registered here and no registered person
    /// is likely behind it (a resident of elsewhere): the row keeps its number, and joins the
    /// person's records should they register.
    Unregistered,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Exact => "exact",
            LinkKind::Matched => "matched",
            LinkKind::Review => "review",
            LinkKind::Unlinked => "unlinked",
            LinkKind::Unregistered => "unregistered",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            LinkKind::Exact => "证号一致",
            LinkKind::Matched => "模糊匹配",
            LinkKind::Review => "待人工复核",
            LinkKind::Unlinked => "未匹配",
            LinkKind::Unregistered => "证号有效，人口库无此人",
        }
    }
    pub fn parse(s: &str) -> Option<LinkKind> {
        [LinkKind::Exact, LinkKind::Matched, LinkKind::Review, LinkKind::Unlinked, LinkKind::Unregistered]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    /// Whether the row's number is taken as its person's: registered, repaired by the linkage,
    /// or valid but of someone not registered here. Rows in review or linked to nobody are not.
    pub fn carries_number(self) -> bool {
        matches!(self, LinkKind::Exact | LinkKind::Matched | LinkKind::Unregistered)
    }
}

/// 部门数据记录: one row of a departmental file as delivered, with the registry person it was
/// linked to. Kept as the evidence of findings and of household checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeptRecord {
    /// Store key; 0 before it is stored.
    pub id: i64,
    /// The dataset (`deaths`, `vehicles` ...).
    pub source: String,
    /// Checksum of the file it came in.
    pub batch: String,
    /// Row number in the file (as a spreadsheet shows it).
    pub row_no: i64,
    pub recorded_id: String,
    pub recorded_name: String,
    /// The registry person: the recorded number itself, or the linked one (the best candidate
    /// for a row in review).
    pub id_number: Option<IdNumber>,
    pub link: LinkKind,
    /// Match probability in per mille (1000 for an exact number).
    pub probability: u16,
    /// The date the row is about: 死亡日期, 登记日期 ...
    pub event_date: Option<chrono::NaiveDate>,
    /// Every cell of the row by its header, in the file's order.
    pub fields: Vec<(String, String)>,
}

impl DeptRecord {
    /// The cell under a header, trimmed.
    pub fn field(&self, header: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == header).map(|(_, v)| v.trim())
    }
}
