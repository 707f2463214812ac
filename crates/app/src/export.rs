//! 导出: persons and households of a region to .xlsx or .csv, page by page. Like every read of
//! personal data it has a principal (who may export, within their region) and an audit record
//! (what was exported, how many rows, to which file), written before the file.

use crate::import::Communities;
use crate::registry::AccessError;
use crate::RequestContext;
use minzheng_domain::registry::{columns, household_row, person_row};
use minzheng_domain::Permission;
use minzheng_domain::{Household, RegionCode};
/// The file format of an export (.xlsx or .csv).
pub use minzheng_sheet::Format;
use minzheng_sheet::{write_table, WriteError};
use minzheng_store::AuditEntry;
use minzheng_store::{HouseholdQuery, Progress, Store, StoreError};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Access(#[from] AccessError),
}

impl minzheng_domain::Bilingual for ExportError {
    fn zh(&self) -> String {
        match self {
            ExportError::Store(e) => format!("数据库错误：{e}"),
            ExportError::Write(e) => format!("无法写出文件：{e}"),
            ExportError::Access(e) => e.zh(),
        }
    }
    fn en(&self) -> String {
        match self {
            ExportError::Store(e) => format!("database error: {e}"),
            ExportError::Write(e) => format!("cannot write the file: {e}"),
            ExportError::Access(e) => e.en(),
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Persons,
    Households,
}

/// Exports persons or households living in `region` (the account's whole region if none) for
/// an account that may export the registry there; returns the rows written.
pub async fn export(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    what: What,
    region: Option<RegionCode>,
    path: &Path,
    format: Format,
    progress: Progress<'_>,
) -> Result<usize, ExportError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ExportRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    let region = region.unwrap_or_else(|| who.region.clone());
    let entry = |action: &str, after: serde_json::Value| AuditEntry {
        action: action.into(),
        entity: "registry".into(),
        entity_key: region.to_string(),
        before: None,
        after: Some(after),
    };
    if !who.in_scope(&region) {
        store.audit(actor, &[entry("refused", serde_json::json!({ "use": "export" }))]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let region = Some(region.clone());
    let communities = Communities::load(store).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut after = None;
    loop {
        let page = store.search_households(&HouseholdQuery { region: region.clone(), after: after.clone(), limit: 1000 }).await?;
        let nos: Vec<String> = page.items.iter().map(|h| h.household_no.clone()).collect();
        let members = store.members_of(&nos).await?;
        let by_no: HashMap<&str, &Household> = page.items.iter().map(|h| (h.household_no.as_str(), h)).collect();
        match what {
            What::Persons => {
                for p in &members {
                    let h = p.household_no.as_deref().and_then(|n| by_no.get(n).copied());
                    let name = h.and_then(|h| communities.name(&h.community)).unwrap_or("");
                    rows.push(person_row(p, h, name));
                }
            }
            What::Households => {
                let heads = minzheng_domain::registry::heads_and_sizes(&members);
                for h in &page.items {
                    let (head, n) = heads.get(h.household_no.as_str()).copied().unwrap_or(("", 0));
                    rows.push(household_row(h, head, n, communities.name(&h.community).unwrap_or("")));
                }
            }
        }
        progress(rows.len() as u64);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let headers = match what {
        What::Persons => columns::PERSONS,
        What::Households => columns::HOUSEHOLDS,
    };
    let what_text = match what {
        What::Persons => "persons",
        What::Households => "households",
    };
    let file = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    store.audit(actor, &[entry("export", serde_json::json!({ "what": what_text, "rows": rows.len(), "file": file }))]).await?;
    write_table(path, headers, &rows, format)?;
    Ok(rows.len())
}

/// Records the export of a list as a workbook (cases, findings ...): only for the roles that may
/// export personal data; the filters, the rows and their ids are kept in the audit log.
pub async fn record_list_export(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    what: &str,
    filters: serde_json::Value,
    ids: &[i64],
) -> Result<(), crate::registry::AccessError> {
    let who = cx.who;
    if !who.may(minzheng_domain::Permission::ExportRegistry) {
        return Err(crate::registry::AccessError::Forbidden);
    }
    record_export(store, cx, what, filters, ids).await
}

/// Records the export of a list whose use case already decided who may have it in a file (the
/// contact list of a sweep, for those who run sweeps): the filters, the rows and their ids.
pub async fn record_export(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    what: &str,
    filters: serde_json::Value,
    ids: &[i64],
) -> Result<(), crate::registry::AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    let entry = AuditEntry {
        action: "export".into(),
        entity: what.into(),
        entity_key: who.region.to_string(),
        before: None,
        after: Some(serde_json::json!({ "filters": filters, "rows": ids.len(), "ids": ids })),
    };
    store.audit(actor, &[entry]).await?;
    Ok(())
}
