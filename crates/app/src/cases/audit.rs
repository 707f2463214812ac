//! What 全市通办 records in the audit log besides the steps the store writes with each change:
//! reads of cases and their documents, and refusals. One type ([`CaseAudit`]), each variant one
//! kind of record, so the action names and their fields are written in one place.

#[allow(unused_imports)]
use super::*;
use minzheng_store::AuditEvent;

/// 办件审计记录: what the case use cases record beside the store's own records of each step.
pub enum CaseAudit<'a> {
    /// A use of a case refused (out of the account's region): what was asked for.
    Refused { case: &'a str, what: &'a str },
    /// A step refused by the procedure, as stale or as invalid, with the reason given.
    StepRefused { case: i64, action: &'a str, reason: &'a str },
    /// A document refused on upload (not one of the service's, wrong content, too large).
    UploadRefused { case: i64, code: &'a str, size: usize, reason: &'a str },
    /// An application refused by the acceptance checks: the real reason where the worker was
    /// told less (`told`), since what a refusal tells is personal data.
    ApplicationRefused { applicant: &'a IdNumber, purpose: &'a str, service: &'a str, reason: &'a str, told: Option<&'a str> },
    /// The documents an applicant still has to bring, looked up (一次性告知).
    DocumentsLookedUp { applicant: &'a IdNumber, service: &'a str, missing: &'a [String] },
    /// A list of cases shown (the account's queue, due, accepted or all), with the ids shown.
    Listed { list: CaseList, ids: &'a [i64] },
    /// A household's cases shown on its page.
    HouseholdListed { household_no: &'a str, ids: &'a [i64] },
    /// The counts of an account's lists (待办, 临期, 超期) read.
    Counted { region: &'a minzheng_domain::RegionCode, counts: &'a WorkCounts },
    /// A case's document read.
    DocumentRead { case: i64, document: i64 },
    /// A case and its steps read.
    CaseRead(i64),
    /// A case's acceptance receipt (受理回执) read.
    ReceiptRead(i64),
    /// The notices (公示) of a community's cases listed.
    NoticesListed(&'a minzheng_domain::RegionCode),
}

impl AuditEvent for CaseAudit<'_> {
    fn entry(&self) -> AuditEntry {
        let record = |action: &str, entity: &str, key: String, after: serde_json::Value| AuditEntry {
            action: action.into(),
            entity: entity.into(),
            entity_key: key,
            before: None,
            after: Some(after),
        };
        let read = |action: &str, key: &str| AuditEntry {
            action: action.into(),
            entity: "case".into(),
            entity_key: key.to_string(),
            before: None,
            after: None,
        };
        match self {
            CaseAudit::Refused { case, what } => record("refused", "case", case.to_string(), serde_json::json!({ "use": what })),
            CaseAudit::StepRefused { case, action, reason } => {
                record("refused", "case", case.to_string(), serde_json::json!({ "use": action, "reason": reason }))
            }
            CaseAudit::UploadRefused { case, code, size, reason } => record(
                "refused",
                "case",
                case.to_string(),
                serde_json::json!({ "use": "upload_document", "code": code, "size": size, "reason": reason }),
            ),
            CaseAudit::ApplicationRefused { applicant, purpose, service, reason, told } => {
                let after = match told {
                    Some(told) => serde_json::json!({ "use": purpose, "service": service, "reason": reason, "told": told }),
                    None => serde_json::json!({ "use": purpose, "service": service, "reason": reason }),
                };
                record("refused", "person", applicant.to_string(), after)
            }
            CaseAudit::DocumentsLookedUp { applicant, service, missing } => {
                record("lookup_documents", "person", applicant.to_string(), serde_json::json!({ "service": service, "missing": missing }))
            }
            CaseAudit::Listed { list, ids } => record("list_cases", "case", format!("{list:?}"), serde_json::json!({ "ids": ids })),
            CaseAudit::HouseholdListed { household_no, ids } => {
                record("list_cases", "household", household_no.to_string(), serde_json::json!({ "ids": ids }))
            }
            CaseAudit::Counted { region, counts } => record("count_cases", "case", region.to_string(), minzheng_store::audit_value(counts)),
            CaseAudit::CaseRead(case) => read("read_case", &case.to_string()),
            CaseAudit::ReceiptRead(case) => read("receipt", &case.to_string()),
            CaseAudit::NoticesListed(community) => read("notice_list", community.as_str()),
            CaseAudit::DocumentRead { case, document } => {
                record("read_document", "case", case.to_string(), serde_json::json!({ "document": document }))
            }
        }
    }
}
