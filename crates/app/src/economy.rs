//! 部门数据导入 / Departmental economic data in: a file of one dataset (`income`, `deposits`,
//! `vehicles`, `property`, `business`) becomes items of the persons it names, stored once per
//! file with its provenance. Rows that cannot be read are listed with their reason and kept out.

use crate::import::Reason;
use crate::sheet::{self, normalise_header};
use chrono::NaiveDate;
use minzheng_domain::economy::{event_column, item_from_row, DeptRecord, EconomicItem, LinkKind, DATASETS};
use minzheng_domain::IdNumber;
use minzheng_domain::Bilingual;
use minzheng_store::{Actor, EconomicBatch, Store, StoreError};
use std::path::Path;

/// The result of one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EconomyReport {
    pub file: String,
    pub dataset: String,
    pub items: usize,
    pub rows: usize,
    /// How the rows were linked to the registry.
    pub linked: LinkCounts,
    /// False when the same file was stored before (nothing changed).
    pub stored: bool,
    /// (row number, reason).
    pub refused: Vec<(usize, Reason)>,
    /// The rows as stored (empty when nothing was stored), for the incremental comparison.
    #[serde(skip)]
    pub records: Vec<DeptRecord>,
}

/// Rows by how they were linked to the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkCounts {
    pub exact: usize,
    pub matched: usize,
    pub review: usize,
    pub unlinked: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EconomyError {
    #[error("{0}: the file name must start with one of deaths, income, deposits, vehicles, property, business, provident_fund")]
    Dataset(String),
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("column mapping {0}: {1}")]
    Mapping(String, String),
}

impl Bilingual for EconomyError {
    fn zh(&self) -> String {
        match self {
            EconomyError::Dataset(f) => format!("{f}：文件名应以 deaths、income、deposits、vehicles、property、business、provident_fund 之一开头，以确定数据类别"),
            EconomyError::Sheet(e) => format!("文件无法读取：{e}"),
            EconomyError::Store(_) => "数据库错误，请稍后重试".into(),
            EconomyError::Mapping(f, why) => format!("列映射文件 {f}：{why}"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// The dataset a file holds, from its name (`income.csv`, `deposits-2026-06.xlsx`).
pub fn dataset_of(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem()?.to_str()?.to_lowercase();
    DATASETS.iter().map(|(d, _)| *d).find(|d| stem == *d || stem.starts_with(&format!("{d}-")) || stem.starts_with(&format!("{d}_")))
}

/// 数据来源: the departmental datasets taken in, with the department and what it holds, and the
/// headers their rows are read by.
pub const SOURCES: &[(&str, &str, &[&str])] = &[
    ("deaths", "公安户籍、殡葬 · 死亡人员信息 / deaths", &["身份证号", "姓名", "死亡日期", "数据来源"]),
    ("vehicles", "公安交管 · 机动车登记 / vehicles", &["身份证号", "姓名", "号牌号码", "车辆类型", "初次登记日期"]),
    ("property", "自然资源 · 不动产登记 / real estate", &["身份证号", "姓名", "不动产坐落", "建筑面积", "登记日期"]),
    ("business", "市场监管 · 市场主体登记 / business registrations", &["身份证号", "姓名", "企业名称", "统一社会信用代码", "注册资本", "成立日期"]),
    ("income", "人社 · 工资和养老金 / wages and pensions", &["身份证号", "姓名", "收入类型", "所属月份", "金额"]),
    ("provident_fund", "住房公积金 · 缴存 / housing provident fund", &["身份证号", "姓名", "月缴存额", "账户余额"]),
    ("deposits", "银行 · 存款 / bank deposits", &["身份证号", "姓名", "开户银行", "余额"]),
];

/// A department's own headers → the headers a dataset is read by, from a TOML file with a
/// `[columns]` table (`"公民身份号码" = "身份证号"`).
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(std::collections::HashMap<String, String>);

impl ColumnMap {
    /// Reads a mapping for `dataset`; every target must be one of the dataset's headers.
    pub fn load(path: &Path, dataset: &str) -> Result<ColumnMap, EconomyError> {
        let name = path.display().to_string();
        let bad = |why: String| EconomyError::Mapping(name.clone(), why);
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(e.to_string()))?;
        let columns = table.get("columns").and_then(|c| c.as_table()).ok_or_else(|| bad("no [columns] table / 缺少 [columns] 表".into()))?;
        let known = SOURCES.iter().find(|(d, _, _)| *d == dataset).map(|(_, _, h)| *h).unwrap_or(&[]);
        let mut map = std::collections::HashMap::new();
        for (from, to) in columns {
            let to = to.as_str().ok_or_else(|| bad(format!("{from}: the target must be text / 目标列名应为文本")))?;
            if !known.contains(&to) {
                return Err(bad(format!("{to} is not a column of {dataset} ({}) / “{to}”不是该类数据的列", known.join(", "))));
            }
            map.insert(normalise_header(from), to.to_string());
        }
        Ok(ColumnMap(map))
    }

    fn apply(&self, header: &str) -> String {
        let h = normalise_header(header);
        self.0.get(&h).cloned().unwrap_or(h)
    }
}

/// Reads and stores one departmental file describing the situation as of `as_of`.
pub async fn import_file(store: &dyn Store, path: &Path, as_of: NaiveDate, actor: &Actor) -> Result<EconomyReport, EconomyError> {
    import_file_mapped(store, path, as_of, &ColumnMap::default(), actor).await
}

/// The same, with the department's headers mapped to the dataset's.
pub async fn import_file_mapped(store: &dyn Store, path: &Path, as_of: NaiveDate, map: &ColumnMap, actor: &Actor) -> Result<EconomyReport, EconomyError> {
    let file = path.display().to_string();
    let dataset = dataset_of(path).ok_or_else(|| EconomyError::Dataset(file.clone()))?;
    let sheet = sheet::read(path, |h| matches!(map.apply(h).as_str(), "身份证号" | "姓名" | "金额" | "余额" | "收入类型"))?;
    let headers: Vec<String> = sheet.headers.iter().map(|h| map.apply(h)).collect();
    let rows: Vec<(usize, Vec<String>)> = sheet.rows.iter().map(|r| (r.number, r.cells.iter().map(|c| c.text()).collect())).collect();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let mut report = ingest(store, dataset, &name, &sheet.checksum, &headers, &rows, as_of, actor).await?;
    report.file = file;
    Ok(report)
}

/// Stores one file of a dataset given as headers and rows (row number, cells): every row is
/// kept as a departmental record linked to the registry (a valid number as it is, a dirty one
/// through the fuzzy linkage), and the rows of linked persons become economic items. Rows in
/// the review band or linked to nobody give no item and are listed with their reason.
#[allow(clippy::too_many_arguments)]
pub async fn ingest(
    store: &dyn Store,
    dataset: &str,
    file_name: &str,
    checksum: &str,
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    as_of: NaiveDate,
    actor: &Actor,
) -> Result<EconomyReport, EconomyError> {
    let col = |name: &str| headers.iter().position(|c| c == name);
    let id_col = col("身份证号").ok_or_else(|| EconomyError::Dataset(format!("{file_name}: 缺少“身份证号”列 / no column 身份证号")))?;
    let name_col = col("姓名");
    let date_col = event_column(dataset).and_then(col);
    let text = |cells: &Vec<String>, i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    let recorded: Vec<(String, String)> = rows.iter().map(|(_, cells)| (text(cells, Some(id_col)), text(cells, name_col))).collect();
    let links = crate::verify::link_rows(store, &recorded).await?;
    let mut items: Vec<EconomicItem> = Vec::with_capacity(rows.len());
    let mut records: Vec<DeptRecord> = Vec::with_capacity(rows.len());
    let mut refused = Vec::new();
    let mut linked = LinkCounts::default();
    for (((number, cells), (rid, rname)), l) in rows.iter().zip(recorded).zip(links) {
        let event_date = date_col.and_then(|i| cells.get(i)).and_then(|c| event_date_of(c));
        records.push(DeptRecord {
            id: 0,
            source: dataset.to_string(),
            batch: checksum.to_string(),
            row_no: *number as i64,
            recorded_id: rid.clone(),
            recorded_name: rname,
            id_number: l.id_number,
            link: l.link,
            probability: l.probability,
            event_date,
            fields: {
                let mut f: Vec<(String, String)> = headers.iter().cloned().zip(cells.iter().cloned()).collect();
                if let Some(x) = &l.explanation {
                    f.push(("关联评分说明".into(), x.clone()));
                }
                f
            },
        });
        match l.link {
            LinkKind::Exact => linked.exact += 1,
            LinkKind::Matched => linked.matched += 1,
            LinkKind::Review => {
                linked.review += 1;
                refused.push((*number, Reason::new(format!("身份证号“{rid}”有误，疑似 {}（匹配概率 {:.1}%），待人工复核", l.id_number.map(|i| i.masked()).unwrap_or_default(), f64::from(l.probability) / 10.0), format!("ID number {rid:?} is wrong; maybe {} (match probability {:.1}%), awaiting review", l.id_number.map(|i| i.masked()).unwrap_or_default(), f64::from(l.probability) / 10.0))));
                continue;
            }
            LinkKind::Unlinked => {
                linked.unlinked += 1;
                let why = IdNumber::parse(&rid).err().map(|e| e.to_string()).unwrap_or_default();
                refused.push((*number, Reason::new(format!("身份证号“{rid}”有误（{why}），且人口库中找不到对应人员", ), format!("ID number {rid:?} is wrong ({why}) and matches nobody in the registry"))));
                continue;
            }
        }
        let Some(id) = l.id_number else { continue };
        let cell = |name: &'static str| {
            if name == "身份证号" {
                Some(id.to_string())
            } else {
                headers.iter().position(|c| c == name).and_then(|i| cells.get(i)).cloned()
            }
        };
        match item_from_row(dataset, cell) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(e) => refused.push((*number, Reason::new(e.zh(), e.en()))),
        }
    }
    refused.sort_by_key(|(n, _)| *n);
    let batch = EconomicBatch {
        checksum: checksum.to_string(),
        source: dataset.to_string(),
        file_name: file_name.to_string(),
        as_of,
        items: items.len() as i64,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    let stored = store.add_economic_batch(&batch, &items, &records, actor).await?;
    Ok(EconomyReport { file: file_name.to_string(), dataset: dataset.to_string(), items: items.len(), rows: rows.len(), linked, stored, refused, records: if stored { records } else { Vec::new() } })
}

/// A date as a departmental sheet gives it: text, or an Excel serial number.
fn event_date_of(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let cell = match t.parse::<f64>() {
        Ok(f) if t.len() <= 5 => crate::sheet::Cell::Number(f),
        _ => crate::sheet::Cell::Text(t.to_string()),
    };
    crate::import::parse_date(&cell).ok().flatten()
}

/// Imports every departmental file of a folder (as written by `minzheng generate`).
pub async fn import_dir(store: &dyn Store, dir: &Path, as_of: NaiveDate, actor: &Actor) -> Result<Vec<EconomyReport>, EconomyError> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| sheet::SheetError::Io(dir.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| dataset_of(p).is_some() && p.extension().is_some_and(|e| e == "csv" || e == "xlsx"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        out.push(import_file(store, &p, as_of, actor).await?);
    }
    Ok(out)
}
