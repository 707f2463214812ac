//! 部门数据导入 / Departmental economic data in: a file of one dataset (`income`, `deposits`,
//! `vehicles`, `property`, `business`) becomes items of the persons it names, stored once per
//! file with its provenance. Rows that cannot be read are listed with their reason and kept out.

use crate::import::Reason;
use crate::sheet::{self, normalise_header};
use chrono::NaiveDate;
use minzheng_domain::economy::{item_from_row, EconomicItem, DATASETS};
use minzheng_domain::Bilingual;
use minzheng_store::{Actor, EconomicBatch, Store, StoreError};
use std::path::Path;

/// The result of one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EconomyReport {
    pub file: String,
    pub dataset: String,
    pub items: usize,
    /// False when the same file was stored before (nothing changed).
    pub stored: bool,
    /// (row number, reason).
    pub refused: Vec<(usize, Reason)>,
}

#[derive(Debug, thiserror::Error)]
pub enum EconomyError {
    #[error("{0}: the file name must start with one of income, deposits, vehicles, property, business")]
    Dataset(String),
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for EconomyError {
    fn zh(&self) -> String {
        match self {
            EconomyError::Dataset(f) => format!("{f}：文件名应以 income、deposits、vehicles、property、business 之一开头，以确定数据类别"),
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
    let columns: Vec<String> = sheet.headers.iter().map(|h| normalise_header(h)).collect();
    let mut items: Vec<EconomicItem> = Vec::with_capacity(sheet.rows.len());
    let mut refused = Vec::new();
    for row in &sheet.rows {
        let cell = |name: &'static str| columns.iter().position(|c| c == name).and_then(|i| row.cells.get(i)).map(|c| c.text());
        match item_from_row(dataset, cell) {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(e) => refused.push((row.number, Reason::new(e.zh(), e.en()))),
        }
    }
    let batch = EconomicBatch {
        checksum: sheet.checksum.clone(),
        source: dataset.to_string(),
        file_name: path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string(),
        as_of,
        items: items.len() as i64,
        recorded_by: actor.name.clone(),
        recorded_at: chrono::Utc::now(),
    };
    let stored = store.add_economic_batch(&batch, &items, actor).await?;
    Ok(EconomyReport { file, dataset: dataset.to_string(), items: items.len(), stored, refused })
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
