//! 审计日志查询: auditors search the log within their region and export it to .xlsx. Reading
//! the log is itself recorded.

use crate::registry::AccessError;
use minzheng_domain::{Permission, Principal, RegionCode, RegionLevel};
use minzheng_store::{Actor, AuditEntry, AuditQuery, AuditRecord, Page, Store};

/// Searches the log: only records of accounts bound within the auditor's region (and, for
/// auditors of a whole city, those of the system and the command line).
pub async fn search(store: &dyn Store, who: &Principal, actor: &Actor, mut q: AuditQuery) -> Result<Page<AuditRecord>, AccessError> {
    if !who.may(Permission::ReadAudit) {
        return Err(AccessError::Forbidden);
    }
    let region = match q.region.take() {
        None => who.region.clone(),
        Some(r) if who.in_scope(&r) => r,
        Some(_) => return Err(AccessError::OutOfScope),
    };
    q.include_unbound = region.level() <= RegionLevel::City;
    q.region = Some(region.clone());
    let page = store.audit_search(&q).await?;
    let detail = serde_json::json!({ "region": region, "actor": q.actor, "entity": q.entity, "shown": page.items.len() });
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "read".into(),
                entity: "audit_log".into(),
                entity_key: region.to_string(),
                before: None,
                after: Some(detail),
            }],
        )
        .await?;
    Ok(page)
}

/// The records as an .xlsx workbook.
pub fn to_xlsx(records: &[AuditRecord]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = ["序号", "时间", "账号", "角色", "区划", "操作", "对象", "对象标识", "修改前", "修改后", "请求号", "客户端", "哈希"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|j| j.to_string()).unwrap_or_default();
    for (i, r) in records.iter().enumerate() {
        let row = i as u32 + 1;
        let cells = [
            r.id.to_string(),
            r.at.to_rfc3339(),
            r.actor.clone(),
            text(&r.role),
            text(&r.region),
            r.action.clone(),
            r.entity.clone(),
            r.entity_key.clone(),
            json(&r.before),
            json(&r.after),
            text(&r.request_id),
            text(&r.client),
            text(&r.hash),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v)?;
        }
    }
    book.save_to_buffer()
}

/// A region given as text, parsed for the query.
pub fn region_param(text: Option<&str>) -> Result<Option<RegionCode>, minzheng_domain::RegionCodeError> {
    text.filter(|t| !t.is_empty()).map(RegionCode::parse).transpose()
}
