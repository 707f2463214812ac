//! 人口导入: the registry import from the sheets bureaus have.
//!
//! Every row is parsed into domain types; a row that cannot be is rejected with its row number
//! and its reasons in Chinese and English, and goes to the error file. The accepted rows are
//! written in one transaction (all or nothing), upserted by ID number; households are built
//! from 户号 (or 户主身份证号, or the 户主 row above the members) and 与户主关系.

use crate::sheet::{self, Cell, Row, Sheet, SheetError};
use chrono::{Duration, NaiveDate};
use minzheng_domain::hash::FastMap;
use minzheng_domain::registry::{columns as col, parse_household_no, parse_name};
use minzheng_domain::{
    Bilingual, Disability, Household, HouseholdKind, IdNumber, IdNumberError, Person, PersonStatus, Region, RegionCode, RegionLevel,
    Relation, Sex,
};
use minzheng_store::{Actor, BatchOutcome, Progress, RegistryBatch, Store, StoreError};
use std::collections::HashMap;
use std::path::Path;

/// A reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    pub zh: String,
    pub en: String,
}

impl Reason {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason { zh: zh.into(), en: en.into() }
    }
    fn of(e: &dyn Bilingual) -> Reason {
        Reason { zh: e.zh(), en: e.en() }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rejected {
    /// Row number as Excel shows it.
    pub row: usize,
    pub cells: Vec<String>,
    pub reasons: Vec<Reason>,
}

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub accepted: usize,
    pub rejected: Vec<Rejected>,
    /// Rows stored as written with something staff should check (农村 in a 社区).
    pub questioned: Vec<Rejected>,
    pub headers: Vec<String>,
    pub outcome: BatchOutcome,
    pub checksum: String,
    /// Seconds spent reading the file, checking the rows and storing them.
    pub seconds: Timings,
}

/// Where an import spent its time.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Timings {
    pub read: f64,
    pub check: f64,
    pub store: f64,
}

/// Why an import did not run at all (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error("the sheet lacks the column(s) {0}")]
    MissingColumns(String),
    #[error("mapping file {0}: {1}")]
    Mapping(String, String),
    #[error("the database refused the batch, nothing was imported: {0}")]
    Store(#[from] StoreError),
}

impl Bilingual for ImportError {
    fn zh(&self) -> String {
        match self {
            ImportError::Sheet(e) => e.zh(),
            ImportError::MissingColumns(c) => format!("表格缺少必需的列：{c}"),
            ImportError::Mapping(f, e) => format!("列映射文件{f}有误：{e}"),
            ImportError::Store(e) => format!("数据库拒绝了本批数据，未导入任何记录：{e}"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// The synonyms of each column found on bureaus' sheets.
const SYNONYMS: &[(&str, &[&str])] = &[
    (col::HOUSEHOLD_NO, &["户号", "户编号", "户籍编号", "家庭编号"]),
    (col::NAME, &["姓名", "人员姓名", "成员姓名"]),
    (col::ID_NUMBER, &["身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"]),
    (col::SEX, &["性别"]),
    (col::BIRTH_DATE, &["出生日期", "出生年月日", "出生年月", "生日"]),
    (col::RELATION, &["与户主关系", "户主关系", "与户主的关系", "家庭关系", "关系"]),
    (col::HUKOU_REGION, &["户籍地区划代码", "户籍区划代码", "户籍地代码"]),
    (col::COMMUNITY_CODE, &["社区代码", "社区编码", "社区区划代码", "所属社区代码", "村社区代码"]),
    (col::COMMUNITY, &["所属社区", "社区", "社区名称", "社区（村）", "村社区", "所属村社区"]),
    ("所属街道", &["所属街道", "街道", "街道乡镇", "乡镇街道", "街道名称"]),
    (col::GRID, &["网格", "所属网格", "网格名称"]),
    (col::BUILDING, &["楼栋", "所属楼栋", "楼号", "楼栋号"]),
    (col::ADDRESS, &["住址", "现住址", "家庭住址", "居住地址", "地址"]),
    (col::KIND, &["城乡属性", "城乡", "城乡类别", "户口性质"]),
    (col::STATUS, &["人员状态", "状态"]),
    (col::STATUS_DATE, &["状态日期", "变动日期", "死亡日期"]),
    (col::DISABILITY_CATEGORY, &["残疾类别", "残疾类型"]),
    (col::DISABILITY_GRADE, &["残疾等级"]),
    (col::PHONE, &["联系电话", "电话", "手机号", "手机号码", "联系方式"]),
    (col::TAGS, &["标签", "人员标签"]),
    (col::HEAD_ID, &["户主身份证号", "户主身份证号码"]),
];

/// A column mapping for other layouts: the file's header → the canonical one, read from a
/// TOML file with a `[columns]` table (`"证件号" = "身份证号"`).
#[derive(Debug, Clone, Default)]
pub struct Mapping(HashMap<String, String>);

impl Mapping {
    pub fn from_toml(name: &str, text: &str) -> Result<Mapping, ImportError> {
        let err = |e: String| ImportError::Mapping(name.to_string(), e);
        let value: toml::Table = text.parse().map_err(|e: toml::de::Error| err(e.to_string()))?;
        let cols = value.get("columns").and_then(|c| c.as_table()).ok_or_else(|| err("no [columns] table".into()))?;
        let mut map = HashMap::new();
        for (from, to) in cols {
            let to = to.as_str().ok_or_else(|| err(format!("{from}: the target must be text")))?;
            let target = canonical(to).ok_or_else(|| err(format!("{to} is not a known column")))?;
            map.insert(sheet::normalise_header(from), target.to_string());
        }
        Ok(Mapping(map))
    }

    pub fn load(path: &Path) -> Result<Mapping, ImportError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ImportError::Mapping(name.clone(), e.to_string()))?;
        Mapping::from_toml(&name, &text)
    }

    fn resolve(&self, header: &str) -> Option<&'static str> {
        match self.0.get(header) {
            Some(target) => canonical(target),
            None => canonical(header),
        }
    }
}

/// The canonical column a header names, if any.
pub fn canonical(header: &str) -> Option<&'static str> {
    SYNONYMS.iter().find(|(_, syn)| syn.contains(&header)).map(|(c, _)| *c)
}

/// Resolves communities by code or by name (with the street to tell same-named ones apart).
pub struct Communities {
    by_code: HashMap<String, Region>,
    by_name: HashMap<String, Vec<RegionCode>>,
    street_names: HashMap<String, String>,
    /// The names of the cities and counties (区县), for pages that name any region.
    upper_names: HashMap<String, String>,
}

impl Communities {
    pub fn new(regions: &[Region]) -> Communities {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<RegionCode>> = HashMap::new();
        let mut street_names = HashMap::new();
        let mut upper_names = HashMap::new();
        for r in regions {
            match r.level {
                RegionLevel::Community => {
                    by_name.entry(r.name.clone()).or_default().push(r.code.clone());
                    by_code.insert(r.code.to_string(), r.clone());
                }
                RegionLevel::Street => {
                    street_names.insert(r.code.to_string(), r.name.clone());
                }
                _ => {
                    upper_names.insert(r.code.to_string(), r.name.clone());
                }
            }
        }
        Communities { by_code, by_name, street_names, upper_names }
    }

    pub async fn load(store: &dyn Store) -> Result<Communities, StoreError> {
        let root = RegionCode::parse("21").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut regions = store.regions_within(&root, RegionLevel::Community).await?;
        regions.extend(store.regions_within(&root, RegionLevel::Street).await?);
        regions.extend(store.regions_within(&root, RegionLevel::County).await?);
        regions.extend(store.regions_within(&root, RegionLevel::City).await?);
        regions.extend(store.region(&root).await?);
        Ok(Communities::new(&regions))
    }

    /// A community's name.
    pub fn name(&self, code: &RegionCode) -> Option<&str> {
        self.by_code.get(code.as_str()).map(|r| r.name.as_str())
    }

    /// The regions of any level whose name is `name` (浑南区, 文欣社区 ...), by code.
    pub fn codes_named(&self, name: &str) -> Vec<RegionCode> {
        let name = name.trim();
        let mut out: Vec<RegionCode> = self.by_name.get(name).cloned().unwrap_or_default();
        for map in [&self.street_names, &self.upper_names] {
            out.extend(map.iter().filter(|(_, n)| n.as_str() == name).filter_map(|(c, _)| RegionCode::parse(c).ok()));
        }
        out.sort();
        out
    }

    /// The name of a region of any level (province, city, county, street or community).
    pub fn region_name(&self, code: &RegionCode) -> Option<&str> {
        let c = code.as_str();
        self.by_code
            .get(c)
            .map(|r| r.name.as_str())
            .or_else(|| self.street_names.get(c).map(String::as_str))
            .or_else(|| self.upper_names.get(c).map(String::as_str))
    }

    fn resolve(&self, code: &str, name: &str, street: &str) -> Result<Option<&Region>, Reason> {
        let by_code = if code.is_empty() {
            None
        } else {
            let c = RegionCode::parse(code).map_err(|e| Reason::of(&e))?;
            match self.by_code.get(c.as_str()) {
                Some(r) => Some(r),
                None => {
                    return Err(Reason::new(
                        format!("社区代码{code}不是已知的社区或村"),
                        format!("community code {code} is not a known community or village"),
                    ))
                }
            }
        };
        if name.is_empty() {
            return Ok(by_code);
        }
        if let Some(r) = by_code {
            if r.name != name {
                return Err(Reason::new(
                    format!("社区代码{code}对应“{}”，与所属社区“{name}”不一致", r.name),
                    format!("community code {code} is {}, not {name}", r.name),
                ));
            }
            return Ok(Some(r));
        }
        let candidates: Vec<&RegionCode> = match self.by_name.get(name) {
            Some(v) => v.iter().collect(),
            None => return Err(Reason::new(format!("未知的社区“{name}”"), format!("unknown community {name:?}"))),
        };
        let matching: Vec<&RegionCode> = if street.is_empty() {
            candidates
        } else {
            candidates
                .into_iter()
                .filter(|c| c.parent().and_then(|p| self.street_names.get(p.as_str())).is_some_and(|s| s == street))
                .collect()
        };
        match matching.as_slice() {
            [one] => Ok(self.by_code.get(one.as_str())),
            [] => Err(Reason::new(format!("街道“{street}”下没有社区“{name}”"), format!("no community {name:?} in street {street:?}"))),
            many => Err(Reason::new(
                format!("社区名称“{name}”对应{}个社区，请填写社区代码或所属街道", many.len()),
                format!("{} communities are named {name:?}: give the community code or the street", many.len()),
            )),
        }
    }
}

/// Where a household lives, as one row gives it.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    community: RegionCode,
    grid: Option<String>,
    building: Option<String>,
    address: String,
    kind: HouseholdKind,
}

struct Parsed {
    person: Person,
    place: Option<Place>,
    /// Household key as the sheet gives it (户号 or 户主身份证号), if it does.
    key: Option<String>,
    /// A value stored as written that staff should look at again (农村 in a 社区).
    question: Option<Reason>,
}

/// Column positions of one sheet.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn cell<'a>(&self, row: &'a Row, name: &str) -> Option<&'a Cell> {
        self.0.get(name).and_then(|&i| row.cells.get(i))
    }
    /// The trimmed text of a cell, borrowed where the cell is text (the common case).
    fn text<'a>(&self, row: &'a Row, name: &str) -> std::borrow::Cow<'a, str> {
        match self.cell(row, name) {
            Some(Cell::Text(s)) => std::borrow::Cow::Borrowed(s.trim()),
            Some(c) => std::borrow::Cow::Owned(c.text()),
            None => std::borrow::Cow::Borrowed(""),
        }
    }
    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// Parses a date as sheets write it: a date cell, an Excel serial number, `1970-03-01`,
/// `1970/3/1`, `1970.3.1`, `19700301`, `1970年3月1日`.
pub fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, Reason> {
    let bad = |s: &str| Reason::new(format!("日期“{s}”无法识别"), format!("date {s:?} is not recognised"));
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(f) if f.fract() == 0.0 && (1.0..=80000.0).contains(f) => {
            // Excel's 1900 date system, counting its phantom 1900-02-29.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or_else(|| bad("1899-12-30"))?;
            Ok(Some(base + Duration::days(*f as i64)))
        }
        Cell::Number(f) if f.fract() == 0.0 && (18000101.0..=21001231.0).contains(f) => parse_date(&Cell::Text(format!("{}", *f as i64))),
        Cell::Error(e) => Err(Reason::new(format!("单元格是公式错误{e}"), format!("the cell holds the formula error {e}"))),
        other => {
            let s = other.text();
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let t = t.split([' ', 'T']).next().unwrap_or(t);
            if let Some(d) = iso_date(t) {
                return Ok(Some(d));
            }
            let cleaned: String = t.replace(['年', '月', '/', '.'], "-").trim_end_matches('日').to_string();
            if let Ok(d) = NaiveDate::parse_from_str(&cleaned, "%Y-%m-%d") {
                return Ok(Some(d));
            }
            if cleaned.len() == 8 && cleaned.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(d) = NaiveDate::parse_from_str(&cleaned, "%Y%m%d") {
                    return Ok(Some(d));
                }
            }
            Err(bad(t))
        }
    }
}

/// `YYYY-MM-DD` without going through a format parser (the bulk path's common case).
fn iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

fn parse_id(cell: Option<&Cell>) -> Result<IdNumber, Reason> {
    match cell {
        None | Some(Cell::Empty) => Err(Reason::of(&IdNumberError::Empty)),
        // Excel keeps 15 significant digits: an 18-digit number stored as a number is lost.
        Some(Cell::Number(f)) if *f >= 1e15 => Err(Reason::of(&IdNumberError::Scientific(format!("{f:E}")))),
        Some(Cell::Error(e)) => {
            Err(Reason::new(format!("身份证号单元格是公式错误{e}"), format!("the ID number cell holds the formula error {e}")))
        }
        Some(c) => IdNumber::parse(&c.text()).map_err(|e| Reason::of(&e)),
    }
}

fn parse_row(row: &Row, cols: &Columns, communities: &Communities, keyed_by_no: bool) -> Result<Parsed, Vec<Reason>> {
    let mut reasons = Vec::new();
    if let Some(Cell::Error(e)) = row.cells.iter().find(|c| matches!(c, Cell::Error(_))) {
        reasons.push(Reason::new(format!("本行含有无法读取的单元格：{e}"), format!("the row holds an unreadable cell: {e}")));
    }
    let id = parse_id(cols.cell(row, col::ID_NUMBER)).map_err(|r| reasons.push(r)).ok();
    let name = parse_name(&cols.text(row, col::NAME)).map_err(|e| reasons.push(Reason::of(&e))).ok();
    let relation_text = cols.text(row, col::RELATION);
    let relation = if relation_text.is_empty() && !cols.has(col::RELATION) {
        Some(Relation::Head)
    } else {
        Relation::parse(&relation_text).or_else(|| {
            reasons.push(Reason::new(
                format!("与户主关系“{relation_text}”无法识别"),
                format!("relation to the head {relation_text:?} is not recognised"),
            ));
            None
        })
    };
    if let Some(id) = id {
        let sex_text = cols.text(row, col::SEX);
        if !sex_text.is_empty() {
            match Sex::parse(&sex_text) {
                Some(s) if s != id.sex() => reasons.push(Reason::new(
                    format!("性别“{sex_text}”与身份证号（{}）不一致", id.sex().zh()),
                    format!("sex {sex_text:?} contradicts the ID number ({})", id.sex().as_str()),
                )),
                Some(_) => {}
                None => reasons.push(Reason::new(format!("性别“{sex_text}”无法识别"), format!("sex {sex_text:?} is not recognised"))),
            }
        }
        match cols.cell(row, col::BIRTH_DATE).map(parse_date).transpose() {
            Ok(Some(Some(d))) if d != id.birth_date() => reasons.push(Reason::new(
                format!("出生日期{d}与身份证号中的{}不一致", id.birth_date()),
                format!("birth date {d} contradicts {} in the ID number", id.birth_date()),
            )),
            Ok(_) => {}
            Err(r) => reasons.push(r),
        }
    }
    let status_date = cols.cell(row, col::STATUS_DATE).map(parse_date).transpose().map_err(|r| reasons.push(r)).ok().flatten().flatten();
    let status_text = cols.text(row, col::STATUS);
    let status = PersonStatus::parse(&status_text, status_date).or_else(|| {
        reasons.push(Reason::new(format!("人员状态“{status_text}”无法识别"), format!("status {status_text:?} is not recognised")));
        None
    });
    let disability = Disability::parse(&cols.text(row, col::DISABILITY_CATEGORY), &cols.text(row, col::DISABILITY_GRADE))
        .map_err(|e| reasons.push(Reason::of(&e)))
        .ok()
        .flatten();
    let phone_text: String = cols.text(row, col::PHONE).chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let phone = if phone_text.is_empty() {
        None
    } else if (7..=12).contains(&phone_text.len()) && phone_text.bytes().all(|b| b.is_ascii_digit()) {
        Some(phone_text)
    } else {
        reasons.push(Reason::new(format!("联系电话“{phone_text}”不是7到12位数字"), format!("phone {phone_text:?} is not 7 to 12 digits")));
        None
    };
    let tags: Vec<String> = cols
        .text(row, col::TAGS)
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let mut question = None;
    let place = match communities.resolve(
        &cols.text(row, col::COMMUNITY_CODE),
        &cols.text(row, col::COMMUNITY),
        &cols.text(row, "所属街道"),
    ) {
        Ok(Some(c)) => {
            let kind_text = cols.text(row, col::KIND);
            let by_name = HouseholdKind::of_community_name(&c.name);
            if HouseholdKind::parse(&kind_text).is_some_and(|k| k != by_name) {
                question = Some(Reason::new(
                        format!("城乡属性为“{kind_text}”，而所属{}按名称属{}：已按所填导入，请核对（决定适用的低保标准）", c.name, by_name.zh()),
                        format!("urban/rural given as {kind_text:?} while {} reads as {} by its name: imported as given, please check (it decides the 低保 standard)", c.name, by_name.as_str()),
                    ));
            }
            let kind = if kind_text.is_empty() {
                Some(by_name)
            } else {
                HouseholdKind::parse(&kind_text).or_else(|| {
                    reasons.push(Reason::new(
                        format!("城乡属性“{kind_text}”无法识别"),
                        format!("urban/rural {kind_text:?} is not recognised"),
                    ));
                    None
                })
            };
            let opt = |s: std::borrow::Cow<str>| (!s.is_empty()).then(|| s.into_owned());
            kind.map(|kind| Place {
                community: c.code.clone(),
                grid: opt(cols.text(row, col::GRID)),
                building: opt(cols.text(row, col::BUILDING)),
                address: cols.text(row, col::ADDRESS).into_owned(),
                kind,
            })
        }
        Ok(None) => None,
        Err(r) => {
            reasons.push(r);
            None
        }
    };
    let hukou_text = cols.text(row, col::HUKOU_REGION);
    let hukou = if hukou_text.is_empty() {
        place.as_ref().map(|p| p.community.clone())
    } else {
        RegionCode::parse(&hukou_text).map_err(|e| reasons.push(Reason::of(&e))).ok()
    };
    let key = if keyed_by_no {
        let text = cols.text(row, col::HOUSEHOLD_NO);
        match parse_household_no(&text) {
            Some(no) => Some(no),
            None => {
                reasons.push(Reason::new(
                    format!("户号“{text}”为空或含有字母数字以外的字符"),
                    format!("household number {text:?} is empty or not letters and digits"),
                ));
                None
            }
        }
    } else if cols.has(col::HEAD_ID) {
        match IdNumber::parse(&cols.text(row, col::HEAD_ID)) {
            Ok(h) => Some(format!("H{h}")),
            Err(e) => {
                reasons.push(Reason::new(format!("户主身份证号有误：{}", e.zh()), format!("head's ID number: {e}")));
                None
            }
        }
    } else {
        None
    };
    if hukou.is_none() && reasons.is_empty() {
        reasons.push(Reason::new("缺少户籍地区划代码或所属社区", "neither the hukou region nor the community is given"));
    }
    match (id, name, relation, status, hukou) {
        (Some(id), Some(name), Some(relation), Some(status), Some(hukou)) if reasons.is_empty() => Ok(Parsed {
            person: Person {
                id_number: id,
                name,
                sex: id.sex(),
                birth_date: id.birth_date(),
                hukou_region: hukou,
                household_no: None,
                relation,
                status,
                disability,
                phone,
                tags,
            },
            place,
            key,
            question,
        }),
        _ => Err(reasons),
    }
}

/// Parses every row, on as many threads as there are cores (rows are independent).
fn parse_rows(rows: &[Row], cols: &Columns, communities: &Communities, keyed_by_no: bool) -> Vec<Result<Parsed, Vec<Reason>>> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads < 2 || rows.len() < 10_000 {
        return rows.iter().map(|r| parse_row(r, cols, communities, keyed_by_no)).collect();
    }
    let per = rows.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(per)
            .map(|chunk| s.spawn(move || chunk.iter().map(|r| parse_row(r, cols, communities, keyed_by_no)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// The batch made from a sheet, and the rows left out.
pub struct Prepared {
    pub batch: RegistryBatch,
    pub rejected: Vec<Rejected>,
    /// Rows stored as written that staff should look at again, with the reason.
    pub questioned: Vec<Rejected>,
    pub rows: usize,
    /// Households the sheet names without giving their place: they must already be stored.
    pub needs_stored: Vec<String>,
}

/// Turns a sheet into a batch: parses every row, groups households, checks the file against
/// itself (duplicates, two heads, a member living elsewhere than the head). Pure: no I/O.
pub fn prepare(sheet: &Sheet, mapping: &Mapping, communities: &Communities, source: &str) -> Result<Prepared, ImportError> {
    let mut positions = HashMap::new();
    for (i, h) in sheet.headers.iter().enumerate() {
        if let Some(c) = mapping.resolve(h) {
            positions.entry(c).or_insert(i);
        }
    }
    let cols = Columns(positions);
    let missing: Vec<&str> = [col::NAME, col::ID_NUMBER].into_iter().filter(|c| !cols.has(c)).collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }
    let keyed_by_no = cols.has(col::HOUSEHOLD_NO);
    let mut rejected: Vec<Rejected> = Vec::new();
    let mut questioned: Vec<Rejected> = Vec::new();
    let reject = |row: &Row, reasons: Vec<Reason>, rejected: &mut Vec<Rejected>| {
        rejected.push(Rejected { row: row.number, cells: row.cells.iter().map(Cell::text).collect(), reasons });
    };
    let mut seen: FastMap<IdNumber, usize> = FastMap::with_capacity_and_hasher(sheet.rows.len(), Default::default());
    // Household key → (row index of the head, rows).
    let mut groups: FastMap<String, (Option<usize>, Vec<usize>)> = FastMap::default();
    let results = parse_rows(&sheet.rows, &cols, communities, keyed_by_no);
    let mut order: Vec<String> = Vec::new();
    let mut parsed: Vec<Option<Parsed>> = Vec::with_capacity(sheet.rows.len());
    let mut current_head_key: Option<String> = None;
    for ((i, row), result) in sheet.rows.iter().enumerate().zip(results) {
        let mut p = match result {
            Ok(mut p) => {
                if let Some(q) = p.question.take() {
                    questioned.push(Rejected { row: row.number, cells: row.cells.iter().map(Cell::text).collect(), reasons: vec![q] });
                }
                p
            }
            Err(reasons) => {
                if !keyed_by_no && !cols.has(col::HEAD_ID) {
                    // A broken head row must not let its members join the household above.
                    let says_head = Relation::parse(&cols.text(row, col::RELATION)) == Some(Relation::Head);
                    if says_head {
                        current_head_key = None;
                    }
                }
                reject(row, reasons, &mut rejected);
                parsed.push(None);
                continue;
            }
        };
        if let Some(&first) = seen.get(&p.person.id_number) {
            reject(
                row,
                vec![Reason::new(format!("身份证号与第{first}行重复"), format!("the ID number repeats row {first}"))],
                &mut rejected,
            );
            parsed.push(None);
            continue;
        }
        seen.insert(p.person.id_number, row.number);
        let key = match p.key.clone() {
            Some(k) => Some(k),
            None if p.person.relation == Relation::Head => {
                let k = format!("H{}", p.person.id_number);
                current_head_key = Some(k.clone());
                Some(k)
            }
            None => current_head_key.clone(),
        };
        let Some(key) = key else {
            reject(
                row,
                vec![Reason::new(
                    "找不到所属的户：本行上方没有户主行，也没有户号",
                    "no household: no 户主 row above and no household number",
                )],
                &mut rejected,
            );
            parsed.push(None);
            continue;
        };
        p.person.household_no = Some(key.clone());
        let entry = groups.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            (None, Vec::new())
        });
        if p.person.relation == Relation::Head {
            if let Some(h) = entry.0 {
                let head_row = sheet.rows[h].number;
                reject(
                    row,
                    vec![Reason::new(
                        format!("户号{key}已有户主（第{head_row}行）"),
                        format!("household {key} already has a head (row {head_row})"),
                    )],
                    &mut rejected,
                );
                seen.remove(&p.person.id_number);
                parsed.push(None);
                continue;
            }
            entry.0 = Some(i);
        }
        entry.1.push(i);
        parsed.push(Some(p));
    }
    let mut batch = RegistryBatch { source: source.to_string(), checksum: sheet.checksum.clone(), ..Default::default() };
    let mut needs_stored = Vec::new();
    for key in order {
        let Some((head, members)) = groups.remove(&key) else { continue };
        let place_row = head.or_else(|| members.iter().copied().find(|&i| parsed[i].as_ref().is_some_and(|p| p.place.is_some())));
        let place = place_row.and_then(|i| parsed[i].as_ref().and_then(|p| p.place.clone()));
        match &place {
            Some(place) => {
                batch.households.push(Household {
                    household_no: key.clone(),
                    head: head.and_then(|h| parsed[h].as_ref().map(|p| p.person.id_number)),
                    address: place.address.clone(),
                    community: place.community.clone(),
                    grid: place.grid.clone(),
                    building: place.building.clone(),
                    kind: place.kind,
                });
            }
            None => needs_stored.push(key.clone()),
        }
        for i in members {
            let conflict = match (&place, parsed[i].as_ref().and_then(|p| p.place.as_ref())) {
                (Some(a), Some(b)) => a.community != b.community,
                _ => false,
            };
            if conflict {
                let row = &sheet.rows[i];
                let first = place_row.map(|r| sheet.rows[r].number).unwrap_or(0);
                reject(
                    row,
                    vec![Reason::new(
                        format!("与同户第{first}行的所属社区不一致"),
                        format!("the community differs from row {first} of the same household"),
                    )],
                    &mut rejected,
                );
                continue;
            }
            if let Some(p) = parsed[i].take() {
                batch.persons.push(p.person);
            }
        }
    }
    rejected.sort_by_key(|r| r.row);
    Ok(Prepared { batch, rejected, questioned, rows: sheet.rows.len(), needs_stored })
}

fn is_known_header(h: &str, mapping: &Mapping) -> bool {
    mapping.resolve(h).is_some()
}

/// Imports a persons sheet into the store: all accepted rows in one transaction, or none.
pub async fn import_persons(
    store: &dyn Store,
    path: &Path,
    mapping: &Mapping,
    actor: &Actor,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let t0 = std::time::Instant::now();
    let sheet = sheet::read(path, |h| is_known_header(h, mapping))?;
    let t1 = std::time::Instant::now();
    let communities = Communities::load(store).await?;
    let source = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut prepared = prepare(&sheet, mapping, &communities, &source)?;
    // Members of households that the sheet names without a place must join stored ones.
    if !prepared.needs_stored.is_empty() {
        let mut unknown = std::collections::HashSet::new();
        for no in &prepared.needs_stored {
            if store.household(no).await?.is_none() {
                unknown.insert(no.clone());
            }
        }
        if !unknown.is_empty() {
            let (keep, drop): (Vec<Person>, Vec<Person>) = std::mem::take(&mut prepared.batch.persons)
                .into_iter()
                .partition(|p| p.household_no.as_ref().is_none_or(|h| !unknown.contains(h)));
            prepared.batch.persons = keep;
            // The rows of the persons left out, found in one pass over the sheet.
            let dropped: std::collections::HashSet<IdNumber> = drop.iter().map(|p| p.id_number).collect();
            let id_col = sheet.headers.iter().position(|h| mapping.resolve(h) == Some(col::ID_NUMBER));
            let rows_of: HashMap<IdNumber, &Row> = sheet
                .rows
                .iter()
                .filter_map(|r| {
                    let id = id_col.and_then(|c| r.cells.get(c)).and_then(|c| IdNumber::parse(&c.text()).ok())?;
                    dropped.contains(&id).then_some((id, r))
                })
                .collect();
            for p in drop {
                let row = rows_of.get(&p.id_number).copied();
                let no = p.household_no.clone().unwrap_or_default();
                prepared.rejected.push(Rejected {
                    row: row.map(|r| r.number).unwrap_or(0),
                    cells: row.map(|r| r.cells.iter().map(Cell::text).collect()).unwrap_or_default(),
                    reasons: vec![Reason::new(
                        format!("户{no}尚未登记，且本表未给出其所属社区"),
                        format!("household {no} is not registered and the sheet gives no community for it"),
                    )],
                });
            }
            prepared.rejected.sort_by_key(|r| r.row);
        }
    }
    let t2 = std::time::Instant::now();
    let outcome = store.apply_batch(&prepared.batch, actor, progress).await?;
    let seconds = Timings { read: (t1 - t0).as_secs_f64(), check: (t2 - t1).as_secs_f64(), store: t2.elapsed().as_secs_f64() };
    Ok(ImportReport {
        seconds,
        rows: prepared.rows,
        accepted: prepared.batch.persons.len(),
        rejected: prepared.rejected,
        questioned: prepared.questioned,
        headers: sheet.headers,
        outcome,
        checksum: sheet.checksum,
    })
}

/// Writes the rejected rows with their reasons (.xlsx, or .csv by the file's extension).
pub fn write_errors(path: &Path, report: &ImportReport) -> Result<(), minzheng_sheet::WriteError> {
    let mut headers: Vec<&str> = vec!["行号"];
    headers.extend(report.headers.iter().map(String::as_str));
    headers.extend(["错误原因", "Reason"]);
    let rows: Vec<Vec<String>> = report
        .rejected
        .iter()
        .map(|r| {
            let mut cells = vec![r.row.to_string()];
            let mut original = r.cells.clone();
            original.resize(report.headers.len(), String::new());
            cells.extend(original);
            cells.push(r.reasons.iter().map(|x| x.zh.as_str()).collect::<Vec<_>>().join("；"));
            cells.push(r.reasons.iter().map(|x| x.en.as_str()).collect::<Vec<_>>().join("; "));
            cells
        })
        .collect();
    let format = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        minzheng_sheet::Format::Csv
    } else {
        minzheng_sheet::Format::Xlsx
    };
    minzheng_sheet::write_table(path, &headers, &rows, format)
}
