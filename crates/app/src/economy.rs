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
}

impl Bilingual for EconomyError {
    fn zh(&self) -> String {
        match self {
            EconomyError::Dataset(f) => format!("{f}：文件名应以 deaths、income、deposits、vehicles、property、business、provident_fund 之一开头，以确定数据类别"),
            EconomyError::Sheet(e) => format!("文件无法读取：{e}"),
            EconomyError::Store(_) => "数据库错误，请稍后重试".into(),
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

/// Reads and stores one departmental file describing the situation as of `as_of`.
pub async fn import_file(store: &dyn Store, path: &Path, as_of: NaiveDate, actor: &Actor) -> Result<EconomyReport, EconomyError> {
    let file = path.display().to_string();
    let dataset = dataset_of(path).ok_or_else(|| EconomyError::Dataset(file.clone()))?;
    let sheet = sheet::read(path, |h| matches!(h, "身份证号" | "姓名" | "金额" | "余额" | "收入类型"))?;
    let headers: Vec<String> = sheet.headers.iter().map(|h| normalise_header(h)).collect();
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
            fields: headers.iter().cloned().zip(cells.iter().cloned()).collect(),
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
