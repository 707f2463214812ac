//! 申请材料: documents uploaded to a case, kept by checksum, their type sniffed from the content.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// The largest document accepted (a scanned certificate or a few pages of bills).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The type of a document, from its first bytes (the name and the browser's claim are not
/// trusted): PDF, JPEG or PNG; anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

pub(crate) fn document_path(dir: &std::path::Path, sha: &str) -> std::path::PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Uploads a document of a case: by the staff serving the household or the accepting community,
/// while the case is open; one of the service's documents; PDF, JPEG or PNG by content; at most
/// [`MAX_DOCUMENT_BYTES`]. The file is written under `dir` by its SHA-256 (written whole, then
/// renamed into place), and recorded with its checksum (audited).
pub async fn upload(
    store: &dyn Store,
    dir: &std::path::Path,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    case_id: i64,
    file: Upload<'_>,
) -> Result<CaseDocument, CaseFailure> {
    let (actor, Upload { code, bytes, .. }) = (cx.actor, file);
    let result = upload_unaudited(store, dir, catalogue, cx, case_id, file).await;
    if let Err(e @ CaseFailure::Invalid { .. }) = &result {
        let refused = CaseAudit::UploadRefused { case: case_id, code, size: bytes.len(), reason: &e.en() };
        store.audit(actor, &[refused.entry()]).await?;
    }
    result
}

/// 上传材料: a document as it arrives, under the code of the service's document it is.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub code: &'a str,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

pub(crate) async fn upload_unaudited(
    store: &dyn Store,
    dir: &std::path::Path,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    case_id: i64,
    file: Upload<'_>,
) -> Result<CaseDocument, CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    let Upload { code, file_name, bytes } = file;
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden.into());
    }
    let case = store.case(case_id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&case.community) || who.region == case.accepted_at) {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "upload_document")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if !case.status.is_open() {
        return Err(invalid("办件已办结，不能再上传材料", "the case is closed: no more documents"));
    }
    let service = catalogue.service(&case.service).ok_or(AccessError::NotFound)?;
    let doc = service.documents.iter().find(|d| d.code == code.trim()).ok_or_else(|| {
        invalid(format!("“{}”不是本事项的办理要件", code.trim()), format!("{:?} is not a document of this service", code.trim()))
    })?;
    if bytes.is_empty() {
        return Err(invalid("文件为空", "the file is empty"));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(invalid(
            format!("文件 {:.1} MB，超过 {} MB 的上限", bytes.len() as f64 / 1048576.0, MAX_DOCUMENT_BYTES / 1048576),
            format!("the file is {:.1} MB, over the limit of {} MB", bytes.len() as f64 / 1048576.0, MAX_DOCUMENT_BYTES / 1048576),
        ));
    }
    let content_type = sniff(bytes).ok_or_else(|| {
        invalid(
            "只接受 PDF、JPG、PNG 文件（按文件内容判断，不看扩展名）",
            "only PDF, JPEG and PNG files are accepted (judged by the content, not the name)",
        )
    })?;
    let sha = hex::encode(sha2::Sha256::digest(bytes));
    let path = document_path(dir, &sha);
    // Written whole and synced under a unique name, then renamed into place; a file already
    // there is kept only if it still has its checksum.
    let intact = std::fs::read(&path).is_ok_and(|b| hex::encode(sha2::Sha256::digest(&b)) == sha);
    if !intact {
        use std::io::Write;
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let io = |e: std::io::Error| invalid(format!("材料保存失败：{e}"), format!("the document could not be stored: {e}"));
        let parent = path.parent().ok_or_else(|| invalid("材料目录无效", "bad documents directory"))?;
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = parent.join(format!(".{sha}.{}.{}", std::process::id(), SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).and_then(|_| f.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    let name: String = file_name.trim().chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(120).collect();
    let mut d = CaseDocument {
        id: 0,
        case_id,
        code: doc.code.clone(),
        file_name: if name.is_empty() { doc.zh.clone() } else { name },
        content_type: content_type.into(),
        size: bytes.len() as i64,
        sha256: sha,
        uploaded_by: who.name.clone(),
        at: chrono::Utc::now(),
    };
    d.id = store.add_case_document(&d, actor).await?;
    Ok(d)
}

/// A case's documents, for those who see the whole case.
pub async fn documents(store: &dyn Store, who: &Principal, case: &CaseView) -> Result<Vec<CaseDocument>, CaseFailure> {
    if case.limited || !who.may(Permission::ReadRegistry) {
        return Ok(Vec::new());
    }
    Ok(store.case_documents(case.id).await?)
}

/// One document's bytes (audited), checked against its stored checksum.
pub async fn document(
    store: &dyn Store,
    dir: &std::path::Path,
    cx: &RequestContext<'_>,
    case_id: i64,
    id: i64,
) -> Result<(CaseDocument, Vec<u8>), CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    let (view, _) = case(store, cx, case_id).await?;
    if view.limited {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "read_document")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let d = store.case_document(id).await?.filter(|d| d.case_id == case_id).ok_or(AccessError::NotFound)?;
    // Scans of ID cards and household registers: for the roles that see full identities.
    if !who.role.sees_full_identity() {
        store.audit(actor, &[refused_entry(&case_id.to_string(), "read_document")]).await?;
        return Err(AccessError::Forbidden.into());
    }
    let bytes = std::fs::read(document_path(dir, &d.sha256))
        .map_err(|e| invalid(format!("材料文件缺失：{e}"), format!("the document's file is missing: {e}")))?;
    if hex::encode(sha2::Sha256::digest(&bytes)) != d.sha256 {
        return Err(invalid(
            "材料文件与登记的校验值不符（可能被改动）",
            "the document's file does not match its recorded checksum (it may have been altered)",
        ));
    }
    store.audit(actor, &[CaseAudit::DocumentRead { case: case_id, document: id }.entry()]).await?;
    Ok((d, bytes))
}
