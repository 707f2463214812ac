//! 部门数据导入 / Departmental data in: a file of one registered source (`policies/sources.toml`:
//! deaths, hukou moves, vehicles, income, tax ...) is kept row by row with its provenance, linked
//! to the registry, and the rows of linked persons become the economic items the policy features
//! read. Stored once per file. Rows that cannot be read are listed with their reason.

use crate::import::Reason;
use crate::sheet::{self, normalise_header};
use crate::verify::RecordedRow;
use chrono::NaiveDate;
use minzheng_domain::economy::{DeptRecord, EconomicItem, LinkKind};
use minzheng_domain::source::Source;
use minzheng_domain::Bilingual;
use minzheng_domain::IdNumber;
use minzheng_store::{Actor, EconomicBatch, Store, StoreError};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

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
    /// The rows as stored (empty when nothing was stored), for the incremental comparison; of a
    /// file linked again, the rows whose link changed.
    #[serde(skip)]
    pub records: Vec<DeptRecord>,
    /// A file stored before and linked again ([`Run::Again`]).
    pub relinked: Option<Relinked>,
    /// Seconds each phase took: reading the file, the linkage's own phases, building the rows
    /// and items, storing them.
    #[serde(skip)]
    pub phases: Vec<(&'static str, f64)>,
}

/// A stored file's rows by row number, each with who decided its link in review (if anyone).
type StoredRows = HashMap<i64, (DeptRecord, Option<String>)>;

/// Which run of the linkage an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Run {
    /// A file stored once: the same file again changes nothing.
    #[default]
    First,
    /// 重新关联: a file stored before is linked again against the registry as it is now (after
    /// the registry gained or corrected persons, or to measure the linkage again): its rows take
    /// their new links and its items follow, except the rows a person decided in review. A file
    /// not stored before is stored as on a first run.
    Again,
}

/// What a new run of the linkage changed in a file stored before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Relinked {
    /// Rows whose link, person or probability changed.
    pub changed: usize,
    /// Rows a person decided in review, kept as decided.
    pub kept_decisions: usize,
    /// Changed rows that no longer name the person they named: the findings and warnings that
    /// person's rows raised are not withdrawn by the new run (staff review them).
    pub moved_away: usize,
    /// The date the file describes, as stored with it the first time.
    pub as_of: NaiveDate,
}

/// Rows by how they were linked to the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkCounts {
    /// A valid number of a registered person.
    pub exact: usize,
    /// A valid number of nobody registered here.
    pub unregistered: usize,
    pub matched: usize,
    pub review: usize,
    pub unlinked: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EconomyError {
    #[error("{0}: the file name must start with the code of a registered source ({1})")]
    Dataset(String, String),
    #[error("{0}: no column 身份证号")]
    NoIdColumn(String),
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("column mapping {0}: {1}")]
    Mapping(String, String),
    #[error("{0}: no column {1}, the month each row's amount is for (rows of several months are averaged per month)")]
    MissingMonth(String, String),
    #[error("{0}: not stored before, so there is no date to keep: give the day the data describes (--as-of)")]
    NoDate(String),
    #[error("storing a file stopped: {0}")]
    Stopped(String),
}

impl Bilingual for EconomyError {
    fn zh(&self) -> String {
        match self {
            EconomyError::NoIdColumn(f) => format!("{f}：缺少“身份证号”列"),
            EconomyError::Dataset(f, codes) => format!("{f}：文件名应以已登记数据来源的代码开头（{codes}），以确定数据类别"),
            EconomyError::Sheet(e) => format!("文件无法读取：{e}"),
            EconomyError::Store(_) => "数据库错误，请稍后重试".into(),
            EconomyError::Mapping(f, why) => format!("列映射文件 {f}：{why}"),
            EconomyError::MissingMonth(f, m) => format!("{f}：缺少“{m}”列（每行金额所属的月份；多个月的数据按月平均）"),
            EconomyError::NoDate(f) => format!("{f}：此文件未导入过，没有可沿用的数据截止日期，请给出 --as-of"),
            EconomyError::Stopped(e) => format!("存储文件时中断：{e}"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

pub use crate::sources::{catalogue, use_catalogue};

/// The cell a row's link explanation is kept under (关联评分说明).
pub const EXPLANATION: &str = "关联评分说明";

/// The source a file holds, from its name (`income.csv`, `deposits-2026-06.xlsx`).
pub fn dataset_of(path: &Path) -> Option<&'static Source> {
    catalogue().of_file_stem(path.file_stem()?.to_str()?)
}

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
        let columns =
            table.get("columns").and_then(|c| c.as_table()).ok_or_else(|| bad("no [columns] table / 缺少 [columns] 表".into()))?;
        let known: Vec<&str> = catalogue().get(dataset).map(|s| s.headers.iter().map(String::as_str).collect()).unwrap_or_default();
        let mut map = std::collections::HashMap::new();
        for (from, to) in columns {
            let to = to.as_str().ok_or_else(|| bad(format!("{from}: the target must be text / 目标列名应为文本")))?;
            // Birth date and sex are read where a file has them (the key of a row without a number).
            if !known.contains(&to) && !matches!(to, "出生日期" | "性别") {
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
pub async fn import_file_mapped(
    store: &dyn Store,
    path: &Path,
    as_of: NaiveDate,
    map: &ColumnMap,
    actor: &Actor,
) -> Result<EconomyReport, EconomyError> {
    import_file_run(store, path, as_of, map, Run::First, actor).await
}

/// The same, as a given run of the linkage ([`Run::Again`]: a file stored before is linked again).
pub async fn import_file_run(
    store: &dyn Store,
    path: &Path,
    as_of: NaiveDate,
    map: &ColumnMap,
    run: Run,
    actor: &Actor,
) -> Result<EconomyReport, EconomyError> {
    import_file_on(store, path, Some(as_of), map, run, actor).await
}

/// [`import_file_run`] where the date may be left to the file's stored one (a file linked again).
pub async fn import_file_on(
    store: &dyn Store,
    path: &Path,
    as_of: Option<NaiveDate>,
    map: &ColumnMap,
    run: Run,
    actor: &Actor,
) -> Result<EconomyReport, EconomyError> {
    let (file, prepared) = read_and_prepare(store, path, as_of, map, run).await?;
    let mut report = commit(store, prepared, actor).await?;
    report.file = file;
    Ok(report)
}

/// Reads a file and links its rows (reads only): its name as given, and what [`commit`] stores.
async fn read_and_prepare(
    store: &dyn Store,
    path: &Path,
    as_of: Option<NaiveDate>,
    map: &ColumnMap,
    run: Run,
) -> Result<(String, Prepared), EconomyError> {
    let file = path.display().to_string();
    let started = std::time::Instant::now();
    let source = dataset_of(path).ok_or_else(|| EconomyError::Dataset(file.clone(), catalogue().codes()))?;
    let sheet = sheet::read(path, |h| {
        let h = map.apply(h);
        h == "身份证号"
            || h == "姓名"
            || matches!(&source.item, Some(minzheng_domain::source::ItemRule::Amount { amount, .. } | minzheng_domain::source::ItemRule::ByColumn { amount, .. } | minzheng_domain::source::ItemRule::Valued { value: amount, .. }) if *amount == h)
    })?;
    let headers: Vec<String> = sheet.headers.iter().map(|h| map.apply(h)).collect();
    let rows: Vec<(usize, Vec<String>)> = sheet.rows.iter().map(|r| (r.number, r.cells.iter().map(|c| c.text()).collect())).collect();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let read = started.elapsed().as_secs_f64();
    let read_file = DeptFile { source, file_name: &name, checksum: &sheet.checksum, headers: &headers, rows: &rows };
    let mut prepared = prepare(store, read_file, as_of, run).await?;
    prepared.phases.insert(0, ("read", read));
    Ok((file, prepared))
}

/// 部门数据文件: a departmental file as read, of a source of the catalogue: its name, its
/// SHA-256 (the same file is recognised by it), its headers (mapped to the source's columns)
/// and its rows (the row number in the file, the cells as text).
#[derive(Debug, Clone, Copy)]
pub struct DeptFile<'a> {
    pub source: &'a Source,
    pub file_name: &'a str,
    pub checksum: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [(usize, Vec<String>)],
}

/// Stores one file of a dataset given as headers and rows (row number, cells): every row is
/// kept as a departmental record linked to the registry (a valid number as it is, a dirty one
/// through the fuzzy linkage), and the rows of linked persons become economic items. Rows in
/// the review band or linked to nobody give no item and are listed with their reason.
pub async fn ingest(store: &dyn Store, file: DeptFile<'_>, as_of: NaiveDate, actor: &Actor) -> Result<EconomyReport, EconomyError> {
    ingest_run(store, file, Some(as_of), Run::First, actor).await
}

/// [`ingest`] as a given run of the linkage.
pub async fn ingest_run(
    store: &dyn Store,
    file: DeptFile<'_>,
    as_of: Option<NaiveDate>,
    run: Run,
    actor: &Actor,
) -> Result<EconomyReport, EconomyError> {
    let prepared = prepare(store, file, as_of, run).await?;
    commit(store, prepared, actor).await
}

/// A file read and linked, not yet stored: what [`commit`] writes.
struct Prepared {
    file_name: String,
    dataset: String,
    checksum: String,
    as_of: NaiveDate,
    months: std::collections::BTreeSet<NaiveDate>,
    rows: usize,
    items: Vec<EconomicItem>,
    records: Vec<DeptRecord>,
    refused: Vec<(usize, Reason)>,
    linked: LinkCounts,
    /// A new run of a file stored before: its stored rows.
    previous: Option<StoredRows>,
    kept_decisions: usize,
    phases: Vec<(&'static str, f64)>,
}

/// Links a file's rows and builds its records and items (reads only).
async fn prepare(store: &dyn Store, file: DeptFile<'_>, as_of: Option<NaiveDate>, run: Run) -> Result<Prepared, EconomyError> {
    let DeptFile { source, file_name, checksum, headers, rows } = file;
    // A new run of a file stored before: its rows as stored (by row number), and the date it
    // was stored for.
    let previous: Option<(NaiveDate, StoredRows)> = match run {
        Run::First => None,
        Run::Again => match store.economic_batches().await?.into_iter().find(|b| b.checksum == checksum) {
            None => None,
            Some(b) => {
                Some((b.as_of, store.dept_records_of_batch(checksum).await?.into_iter().map(|(r, by)| (r.row_no, (r, by))).collect()))
            }
        },
    };
    let as_of = match (&previous, as_of) {
        (Some((on, _)), _) => *on,
        (None, Some(on)) => on,
        (None, None) => return Err(EconomyError::NoDate(file_name.to_string())),
    };
    let col = |name: &str| headers.iter().position(|c| c == name);
    let dataset = source.code.as_str();
    let date_col = source.date.as_deref().and_then(col);
    let month_col = source.month.as_deref().and_then(col);
    if let (Some(m), None) = (&source.month, month_col) {
        return Err(EconomyError::MissingMonth(file_name.to_string(), m.clone()));
    }
    // The months the file covers: those of every row whose month reads, whoever it is about and
    // whatever it counts (a tax file's wage rows, rows in review, rows of nobody included).
    let months: std::collections::BTreeSet<NaiveDate> = month_col.map_or_else(Default::default, |i| {
        rows.iter().filter_map(|(_, cells)| cells.get(i).and_then(|m| minzheng_domain::enrolment::parse_month(m).ok())).collect()
    });
    let covered = months.len().max(1);
    let text = |cells: &Vec<String>, i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    let recorded = recorded_rows(headers, rows).ok_or_else(|| EconomyError::NoIdColumn(file_name.to_string()))?;
    let linkage = crate::verify::link_rows_in(&crate::verify::Population::Registry(store), &recorded).await?;
    let mut phases = linkage.phases;
    let mut links = linkage.links;
    let clock = std::time::Instant::now();
    // A row a person decided in review keeps the decision.
    let mut kept_decisions = 0;
    if let Some((_, stored)) = &previous {
        for ((number, _), l) in rows.iter().zip(links.iter_mut()) {
            if let Some((r, Some(_))) = stored.get(&(*number as i64)) {
                kept_decisions += 1;
                *l = crate::verify::RowLink {
                    id_number: r.id_number,
                    link: r.link,
                    probability: r.probability,
                    explanation: r.field(EXPLANATION).map(str::to_string),
                };
            }
        }
    }
    let mut items: Vec<EconomicItem> = Vec::with_capacity(rows.len());
    let mut records: Vec<DeptRecord> = Vec::with_capacity(rows.len());
    let mut refused = Vec::new();
    let mut linked = LinkCounts::default();
    for (((number, cells), RecordedRow { id: rid, name: rname, .. }), l) in rows.iter().zip(recorded).zip(links) {
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
                    f.push((EXPLANATION.into(), x.clone()));
                }
                f
            },
        });
        match l.link {
            LinkKind::Exact => linked.exact += 1,
            LinkKind::Unregistered => linked.unregistered += 1,
            LinkKind::Matched => linked.matched += 1,
            LinkKind::Review => {
                linked.review += 1;
                let (maybe, p) = (l.id_number.map(|i| i.masked()).unwrap_or_default(), f64::from(l.probability) / 10.0);
                refused.push((
                    *number,
                    if rid.is_empty() {
                        Reason::new(
                            format!("无身份证号，按姓名和出生日期疑似 {maybe}（匹配概率 {p:.1}%），待人工复核"),
                            format!("no ID number; by name and birth date maybe {maybe} (match probability {p:.1}%), awaiting review"),
                        )
                    } else {
                        Reason::new(
                            format!("身份证号“{rid}”有误，疑似 {maybe}（匹配概率 {p:.1}%），待人工复核"),
                            format!("ID number {rid:?} is wrong; maybe {maybe} (match probability {p:.1}%), awaiting review"),
                        )
                    },
                ));
                continue;
            }
            LinkKind::Unlinked => {
                linked.unlinked += 1;
                refused.push((
                    *number,
                    match IdNumber::parse(&rid) {
                        _ if rid.is_empty() => Reason::new(
                            "无身份证号，按姓名和出生日期（如有）也找不到对应人员",
                            "no ID number, and nobody found by name and birth date (where given)",
                        ),
                        Ok(_) => Reason::new(
                            format!("身份证号“{rid}”与人口库中的人员不符"),
                            format!("ID number {rid:?} matches nobody in the registry"),
                        ),
                        Err(e) => Reason::new(
                            format!("身份证号“{rid}”有误（{}），且人口库中找不到对应人员", e.zh()),
                            format!("ID number {rid:?} is wrong ({e}) and matches nobody in the registry"),
                        ),
                    },
                ));
                continue;
            }
        }
        let Some(id) = l.id_number else { continue };
        let cell = |name: &str| {
            if name == "身份证号" {
                Some(id.to_string())
            } else {
                headers.iter().position(|c| c == name).and_then(|i| cells.get(i)).cloned()
            }
        };
        match source.item(cell) {
            Ok(Some(item)) => match month_col.map(|i| text(cells, Some(i))) {
                None => items.push(item),
                Some(m) => match minzheng_domain::enrolment::parse_month(&m) {
                    Ok(_) => items.push(item),
                    Err(_) => refused.push((
                        *number,
                        Reason::new(
                            format!("所属月份“{m}”无法识别（如 2026-07 或 2026年7月）"),
                            format!("the month {m:?} is not a month (2026-07 or 2026年7月)"),
                        ),
                    )),
                },
            },
            Ok(None) => {}
            Err(e) => refused.push((*number, Reason::new(e.zh(), e.en()))),
        }
    }
    if month_col.is_some() {
        items = monthly_average(items, covered);
    }
    refused.sort_by_key(|(n, _)| *n);
    phases.push(("rows and items", clock.elapsed().as_secs_f64()));
    Ok(Prepared {
        file_name: file_name.to_string(),
        dataset: dataset.to_string(),
        checksum: checksum.to_string(),
        as_of,
        months,
        rows: rows.len(),
        items,
        records,
        refused,
        linked,
        previous: previous.map(|(_, stored)| stored),
        kept_decisions,
        phases,
    })
}

/// Stores a prepared file (or, for a new run of a stored one, its changed rows and new items).
async fn commit(store: &dyn Store, p: Prepared, actor: &Actor) -> Result<EconomyReport, EconomyError> {
    let clock = std::time::Instant::now();
    let Prepared {
        file_name,
        dataset,
        checksum,
        as_of,
        months,
        rows,
        items,
        records,
        refused,
        linked,
        previous,
        kept_decisions,
        mut phases,
    } = p;
    let (stored, records, relinked) = match previous {
        Some(stored) => {
            // The rows whose link changed, under their stored ids; those that named someone
            // else before are counted.
            let mut moved_away = 0;
            let changed: Vec<DeptRecord> = records
                .into_iter()
                .filter_map(|mut r| {
                    let (old, decided) = stored.get(&r.row_no)?;
                    if decided.is_some() || (old.link, old.id_number, old.probability) == (r.link, r.id_number, r.probability) {
                        return None;
                    }
                    moved_away += usize::from(old.id_number.is_some() && old.id_number != r.id_number);
                    r.id = old.id;
                    Some(r)
                })
                .collect();
            let n = store.relink_economic_batch(&checksum, &items, &changed, kept_decisions, actor).await?;
            (true, changed, Some(Relinked { changed: n, kept_decisions, moved_away, as_of }))
        }
        None => {
            let batch = EconomicBatch {
                checksum,
                source: dataset.clone(),
                file_name: file_name.clone(),
                as_of,
                items: items.len() as i64,
                recorded_by: actor.name.clone(),
                recorded_at: chrono::Utc::now(),
                months: months.iter().map(|m| m.format("%Y-%m").to_string()).collect(),
            };
            let stored = store.add_economic_batch(&batch, &items, &records, actor).await?;
            (stored, if stored { records } else { Vec::new() }, None)
        }
    };
    phases.push(("store", clock.elapsed().as_secs_f64()));
    Ok(EconomyReport { file: file_name, dataset, items: items.len(), rows, linked, stored, refused, records, relinked, phases })
}

/// Keeps, of each person's records from one dataset, those of the newest file: what the rules
/// read (a later file of a dataset replaces an earlier one, person by person). `key` gives an
/// item's (person, dataset) and its file's date.
pub(crate) fn keep_newest<T>(items: &mut Vec<T>, key: impl Fn(&T) -> ((IdNumber, String), NaiveDate)) {
    let mut newest: HashMap<(IdNumber, String), NaiveDate> = HashMap::new();
    for i in items.iter() {
        let (k, d) = key(i);
        let e = newest.entry(k).or_insert(d);
        if d > *e {
            *e = d;
        }
    }
    items.retain(|i| {
        let (k, d) = key(i);
        newest.get(&k) == Some(&d)
    });
}

/// A file of monthly rows (所属月份) as each person's monthly amount per kind: the rows added up
/// and divided by the number of months the file covers (`covered`: the distinct months of all
/// its rows), rounded to the fen. Three rows of 300 yuan for three months are 300 yuan a month,
/// not 900; a person paid in one month of a six-month file has a sixth of it a month. A file of
/// one month is unchanged.
pub fn monthly_average(items: Vec<EconomicItem>, covered: usize) -> Vec<EconomicItem> {
    let covered = covered.max(1) as i64;
    if covered == 1 {
        return items;
    }
    let mut sums: Vec<EconomicItem> = Vec::new();
    let mut at: HashMap<(IdNumber, minzheng_domain::economy::ItemKind), usize> = HashMap::new();
    for item in items {
        match at.get(&(item.id_number, item.kind)) {
            Some(&i) => sums[i].amount += item.amount,
            None => {
                at.insert((item.id_number, item.kind), sums.len());
                sums.push(item);
            }
        }
    }
    for s in &mut sums {
        // Half a fen and more rounds up, as money does.
        s.amount = (2 * s.amount + covered).div_euclid(2 * covered);
    }
    sums
}

/// The rows of a departmental file as the linkage reads them (身份证号, 姓名, and 出生日期 and 性别
/// where the file has them); `None` when it has no 身份证号 column.
pub fn recorded_rows(headers: &[String], rows: &[(usize, Vec<String>)]) -> Option<Vec<RecordedRow>> {
    let col = |name: &str| headers.iter().position(|c| c == name);
    let id_col = col("身份证号")?;
    let (name_col, birth_col, sex_col) = (col("姓名"), col("出生日期"), col("性别"));
    let text = |cells: &Vec<String>, i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim().to_string()).unwrap_or_default();
    Some(
        rows.iter()
            .map(|(_, cells)| RecordedRow {
                id: text(cells, Some(id_col)),
                name: text(cells, name_col),
                birth: birth_col.and_then(|i| cells.get(i)).and_then(|c| event_date_of(c)),
                sex: minzheng_domain::Sex::parse(&text(cells, sex_col)),
            })
            .collect(),
    )
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
pub async fn import_dir(store: &Arc<dyn Store>, dir: &Path, as_of: NaiveDate, actor: &Actor) -> Result<Vec<EconomyReport>, EconomyError> {
    import_dir_run(store, dir, Some(as_of), Run::First, actor).await
}

/// [`import_dir`] as a given run of the linkage.
pub async fn import_dir_run(
    store: &Arc<dyn Store>,
    dir: &Path,
    as_of: Option<NaiveDate>,
    run: Run,
    actor: &Actor,
) -> Result<Vec<EconomyReport>, EconomyError> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| sheet::SheetError::Io(dir.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| dataset_of(p).is_some() && p.extension().is_some_and(|e| e == "csv" || e == "xlsx"))
        .collect();
    paths.sort();
    // A pipeline on both cores: the next file is read and linked (reads, on this task) while
    // the one before is stored (the writer, on a task of its own).
    let mut out = Vec::new();
    let mut storing: Option<tokio::task::JoinHandle<Result<EconomyReport, EconomyError>>> = None;
    let store_one = |(file, prepared): (String, Prepared)| {
        let (store, actor) = (store.clone(), actor.clone());
        tokio::spawn(async move {
            let mut r = commit(store.as_ref(), prepared, &actor).await?;
            r.file = file;
            Ok(r)
        })
    };
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let mut next = read_and_prepare(store.as_ref(), &p, as_of, &ColumnMap::default(), run).await;
        let again = next.as_ref().is_ok_and(|(_, prepared)| !seen.insert(prepared.checksum.clone()));
        if let Some(task) = storing.take() {
            out.push(task.await.map_err(|e| EconomyError::Stopped(e.to_string()))??);
        }
        if again {
            // A copy of a file earlier in the folder: read now that the earlier one is stored.
            next = read_and_prepare(store.as_ref(), &p, as_of, &ColumnMap::default(), run).await;
        }
        storing = Some(store_one(next?));
    }
    if let Some(task) = storing {
        out.push(task.await.map_err(|e| EconomyError::Stopped(e.to_string()))??);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::economy::ItemKind;

    fn item(id: &str, kind: ItemKind, yuan: i64) -> EconomicItem {
        EconomicItem { id_number: IdNumber::parse(id).unwrap_or_else(|e| panic!("{e}")), kind, amount: yuan * 100, source: "income".into() }
    }

    /// Three monthly rows of 300 yuan are 300 yuan a month, not one month of 900; someone paid
    /// in one month of the three has a third of it a month; a one-month file is unchanged.
    #[test]
    fn monthly_rows_are_a_monthly_average_over_the_months_the_file_covers() {
        let a = "11010519491231002X";
        let b = "210102198003150017";
        let items = vec![
            item(a, ItemKind::Wage, 300),
            item(a, ItemKind::Wage, 300),
            item(a, ItemKind::Wage, 300),
            item(a, ItemKind::Pension, 100),
            item(b, ItemKind::Wage, 1000),
        ];
        let out = monthly_average(items.clone(), 3);
        let of = |id: &str, kind| out.iter().find(|i| i.id_number.as_str() == id && i.kind == kind).map(|i| i.amount);
        assert_eq!(out.len(), 3);
        assert_eq!(of(a, ItemKind::Wage), Some(30_000));
        assert_eq!(of(a, ItemKind::Pension), Some(3_333), "100 yuan over three months, to the fen");
        assert_eq!(of(b, ItemKind::Wage), Some(33_333));
        assert_eq!(monthly_average(items.clone(), 1), items, "a file of one month adds its rows as before");
    }
}
