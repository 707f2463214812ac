//! 审计日志查询: auditors search the log within their region and export it to .xlsx. Reading
//! the log is itself recorded.

use crate::registry::AccessError;
use crate::RequestContext;
use minzheng_domain::{Permission, RegionCode, RegionLevel};
use minzheng_store::{AuditEntry, AuditQuery, AuditRecord, Page, Store};

/// Searches the log: only records of accounts bound within the auditor's region (and, for
/// auditors of a whole city, those of the system and the command line).
pub async fn search(store: &dyn Store, cx: &RequestContext<'_>, mut q: AuditQuery) -> Result<Page<AuditRecord>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadAudit) {
        return Err(AccessError::Forbidden);
    }
    // An auditor may look a person's records up by full number (who read this person?); the
    // number searched for is recorded, so trying candidates against the mask leaves its trace.
    let region = match q.region.take() {
        None => who.region.clone(),
        Some(r) if who.in_scope(&r) => r,
        Some(_) => return Err(AccessError::OutOfScope),
    };
    q.include_unbound = region.level() <= RegionLevel::City;
    q.region = Some(region.clone());
    let mut page = store.audit_search(&q).await?;
    if !who.role.sees_full_identity() {
        page.items.iter_mut().for_each(mask_record);
    }
    let detail = serde_json::json!({ "region": region, "actor": q.actor, "entity": q.entity, "key": q.entity_key, "action": q.action, "shown": page.items.len() });
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

/// A record as a role that sees numbers masked reads it: ID numbers masked wherever they are
/// (the key of a person's record, a household's head in an import's before and after), phone
/// numbers masked in the fields that hold them. The hashes stay as stored: the chain is
/// verified on the stored records (`minzheng audit verify`), not on what a reader is shown.
pub fn mask_record(r: &mut AuditRecord) {
    // An anonymous sign-in's actor is the name typed, which may be an ID number.
    r.actor = mask_text(&r.actor);
    r.entity_key = mask_text(&r.entity_key);
    for v in [r.before.as_mut(), r.after.as_mut()].into_iter().flatten() {
        mask_json(v, false);
    }
}

fn mask_text(s: &str) -> String {
    minzheng_domain::id::mask_ids_in(s).into_owned()
}

fn mask_json(v: &mut serde_json::Value, phone_field: bool) {
    match v {
        serde_json::Value::String(s) if phone_field => *s = crate::registry::mask_phone(s),
        serde_json::Value::String(s) => *s = mask_text(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| mask_json(x, phone_field)),
        serde_json::Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                mask_json(x, phone_field || k.contains("phone") || k.contains("电话"));
            }
        }
        _ => {}
    }
}

/// The records as an .xlsx workbook.
pub fn to_xlsx(records: &[AuditRecord]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers =
        ["序号", "时间（北京时间）", "账号", "角色", "区划", "操作", "对象", "对象标识", "修改前", "修改后", "请求号", "客户端", "哈希"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|j| j.to_string()).unwrap_or_default();
    for (i, r) in records.iter().enumerate() {
        let row = i as u32 + 1;
        // The number as a number, the time in Beijing time as staff read it.
        sheet.write_number(row, 0, r.id as f64)?;
        let cells = [
            String::new(),
            minzheng_domain::calendar::beijing(r.at).format("%Y-%m-%d %H:%M:%S").to_string(),
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
        for (c, v) in cells.iter().enumerate().skip(1) {
            sheet.write_string(row, c as u16, cell_text(v))?;
        }
    }
    book.save_to_buffer()
}

/// The most characters Excel holds in a cell.
const EXCEL_CELL_CHARS: usize = 32_767;

/// A value as a cell can hold it: a longer one (the before and after of a large import) is cut,
/// saying so, instead of failing the whole export.
fn cell_text(v: &str) -> std::borrow::Cow<'_, str> {
    if v.len() <= EXCEL_CELL_CHARS || v.chars().count() <= EXCEL_CELL_CHARS {
        return std::borrow::Cow::Borrowed(v);
    }
    let total = v.chars().count();
    let mut cut: String = v.chars().take(EXCEL_CELL_CHARS - 64).collect();
    cut.push_str(&format!("…（已截断，共{total}字 / cut, {total} characters in all）"));
    std::borrow::Cow::Owned(cut)
}

/// A region given as text, parsed for the query.
pub fn region_param(text: Option<&str>) -> Result<Option<RegionCode>, minzheng_domain::RegionCodeError> {
    text.filter(|t| !t.is_empty()).map(RegionCode::parse).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, key: &str, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: chrono::Utc::now(),
            actor: "system".into(),
            role: None,
            region: None,
            request_id: None,
            client: None,
            action: action.into(),
            entity: "person".into(),
            entity_key: key.into(),
            before,
            after,
            prev_hash: None,
            hash: None,
        }
    }

    #[test]
    fn an_auditor_reads_records_with_numbers_masked() {
        let mut r = record(
            "update",
            "11010519491231002X",
            Some(serde_json::json!({ "phone": "13912345678", "head": "11010519491231002X" })),
            Some(serde_json::json!({ "phone": "13912345679", "members": ["11010519491231002X"] })),
        );
        mask_record(&mut r);
        let text = serde_json::to_string(&(&r.entity_key, &r.before, &r.after)).unwrap_or_default();
        assert!(!text.contains("19491231") && !text.contains("12345678") && !text.contains("2345679"), "{text}");
        assert!(text.contains("110105************") && text.contains("139****5678"));
    }

    #[test]
    fn a_record_longer_than_an_excel_cell_is_cut_and_the_export_succeeds() {
        let record = record("import", "batch", None, Some(serde_json::json!({ "names": "张".repeat(40_000) })));
        assert!(to_xlsx(&[record]).is_ok());
        let cut = cell_text(&"x".repeat(40_000)).into_owned();
        assert!(cut.chars().count() <= EXCEL_CELL_CHARS && cut.contains("已截断"));
    }
}
