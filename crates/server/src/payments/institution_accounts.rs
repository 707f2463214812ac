//! 供养机构账户: the support of 特困 persons in concentrated support (集中供养) is paid to the
//! institution that houses them, not to the person (DOMAIN: residents of 特困 care homes are
//! paid to the institution; 《特困人员认定办法》: 集中供养的，供养资金拨付给供养服务机构).
//! The county records each institution's account (a corporate account: no card check digit);
//! a payment list of 特困 sends the share of each person living in an institution in
//! concentrated support on the month's first day to that institution's account, the line still
//! naming the person it is for.
//!
//! Model (pure), its store written once for both databases, and the use cases.

use super::model::InstitutionPayee;
use crate::eldercare::store::eldercare_store;
use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, Permission, Principal, RegionCode};
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;

/// The program whose concentrated support is paid to the institution.
pub const CONCENTRATED_PROGRAM: &str = "tekun";

/// An institution's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstitutionAccount {
    pub institution_id: i64,
    pub county: RegionCode,
    /// The account's name as the bank holds it: the institution's name.
    pub institution_name: String,
    pub bank: String,
    pub account_no: String,
}

/// Why an account was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstitutionAccountError {
    #[error("the bank's name is needed")]
    Bank,
    #[error("{0:?}: a corporate account number is 8 to 32 digits")]
    AccountNo(String),
    #[error("{0} is recorded as a person's payment account, not an institution's")]
    Personal(String),
}

impl Bilingual for InstitutionAccountError {
    fn zh(&self) -> String {
        match self {
            InstitutionAccountError::Bank => "请填写开户银行".into(),
            InstitutionAccountError::AccountNo(s) => format!("账号“{s}”应为 8 至 32 位数字（对公账户）"),
            InstitutionAccountError::Personal(s) => format!("账号 {s} 已登记为个人的发放账户，不能作为供养机构的对公账户"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Checks what was typed: a bank, and an account of 8–32 digits (spaces allowed between groups).
pub fn checked(bank: &str, account_no: &str) -> std::result::Result<(String, String), Vec<InstitutionAccountError>> {
    let mut errors = Vec::new();
    if bank.trim().is_empty() {
        errors.push(InstitutionAccountError::Bank);
    }
    let digits: String = account_no.chars().filter(|c| !c.is_whitespace()).collect();
    if !(8..=32).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(InstitutionAccountError::AccountNo(account_no.trim().to_string()));
    }
    if errors.is_empty() {
        Ok((bank.trim().to_string(), digits))
    } else {
        Err(errors)
    }
}

/// Who of `payees` lives in an institution in concentrated support on `day`, and where their
/// support goes (the institution's account, or none recorded yet).
pub fn payees_in_institutions(
    residencies: &[crate::eldercare::model::Residency],
    accounts: &HashMap<i64, InstitutionAccount>,
    names: &HashMap<i64, String>,
    day: NaiveDate,
) -> HashMap<IdNumber, InstitutionPayee> {
    let mut out = HashMap::new();
    for r in residencies.iter().filter(|r| r.concentrated && r.on(day)) {
        let Ok(id) = IdNumber::parse(&r.id_number) else { continue };
        let account = accounts.get(&r.institution_id);
        let name = account.map(|a| a.institution_name.clone()).or_else(|| names.get(&r.institution_id).cloned()).unwrap_or_default();
        out.insert(
            id,
            InstitutionPayee {
                institution_id: r.institution_id,
                name,
                bank: account.map(|a| a.bank.clone()),
                account_no: account.map(|a| a.account_no.clone()),
            },
        );
    }
    out
}

// ---- store ----

#[async_trait]
pub trait InstitutionAccountStore: Send + Sync {
    /// Records (or replaces) an institution's account, audited with the old one.
    async fn save_institution_account(&self, a: &InstitutionAccount, actor: &Actor) -> Result<()>;
    async fn institution_accounts(&self, ids: &[i64]) -> Result<Vec<InstitutionAccount>>;
}

pub fn institution_account_store(store: &dyn Store) -> &dyn InstitutionAccountStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

macro_rules! impl_institution_accounts {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn from_row(r: &<$db as sqlx::Database>::Row) -> Result<InstitutionAccount> {
                let county: String = r.try_get("county")?;
                Ok(InstitutionAccount {
                    institution_id: r.try_get("institution_id")?,
                    county: RegionCode::parse(&county).map_err(|_| super::store::corrupt("county", &county))?,
                    institution_name: r.try_get("institution_name")?,
                    bank: r.try_get("bank")?,
                    account_no: r.try_get("account_no")?,
                })
            }

            #[async_trait]
            impl InstitutionAccountStore for $store {
                async fn save_institution_account(&self, a: &InstitutionAccount, actor: &Actor) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let mut q = QueryBuilder::<$db>::new("SELECT account_no FROM institution_accounts WHERE institution_id = ");
                    q.push_bind(a.institution_id);
                    let before: Option<String> = match q.build().fetch_optional(&mut *tx).await? {
                        Some(r) => Some(r.try_get("account_no")?),
                        None => None,
                    };
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO institution_accounts (institution_id, county, institution_name, bank, account_no, recorded_by, recorded_at) ",
                    );
                    qb.push_values([a], |mut b, a| {
                        b.push_bind(a.institution_id)
                            .push_bind(a.county.to_string())
                            .push_bind(a.institution_name.clone())
                            .push_bind(a.bank.clone())
                            .push_bind(a.account_no.clone())
                            .push_bind(actor.name.clone())
                            .push_bind(chrono::Utc::now());
                    });
                    qb.push(
                        " ON CONFLICT (institution_id) DO UPDATE SET county = excluded.county, institution_name = excluded.institution_name, \
                         bank = excluded.bank, account_no = excluded.account_no, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
                    );
                    qb.build().execute(&mut *tx).await?;
                    let entry = AuditEntry {
                        action: "save_institution_account".into(),
                        entity: "institution_account".into(),
                        entity_key: a.institution_id.to_string(),
                        before: before.map(|b| serde_json::json!({ "account_no": b })),
                        after: Some(serde_json::json!({ "bank": a.bank, "account_no": a.account_no, "name": a.institution_name })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn institution_accounts(&self, ids: &[i64]) -> Result<Vec<InstitutionAccount>> {
                    let mut out = Vec::new();
                    for chunk in ids.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new(
                            "SELECT institution_id, county, institution_name, bank, account_no FROM institution_accounts WHERE institution_id IN (",
                        );
                        let mut sep = qb.separated(", ");
                        for id in chunk {
                            sep.push_bind(*id);
                        }
                        qb.push(")");
                        for r in qb.build().fetch_all(self.pool()).await? {
                            out.push(from_row(&r)?);
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}

impl_institution_accounts!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_institution_accounts!(minzheng_store::PgStore, sqlx::Postgres);

// ---- use cases ----

/// Why a step was refused.
#[derive(Debug, thiserror::Error)]
pub enum InstitutionAccountFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("the account was refused")]
    Invalid(Vec<InstitutionAccountError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for InstitutionAccountFailure {
    fn zh(&self) -> String {
        match self {
            InstitutionAccountFailure::Access(e) => e.zh(),
            InstitutionAccountFailure::Invalid(v) => v.iter().map(Bilingual::zh).collect::<Vec<_>>().join("；"),
            InstitutionAccountFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            InstitutionAccountFailure::Invalid(v) => v.iter().map(Bilingual::en).collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        }
    }
}

/// An institution of the account's region with its account (if recorded).
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionWithAccount {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
    pub tekun_home: bool,
    pub account: Option<InstitutionAccount>,
}

/// The institutions of a region (the account's, or a county within it) and their accounts, for
/// those who read payments.
pub async fn list(
    store: &dyn Store,
    who: &Principal,
    county: Option<&RegionCode>,
) -> std::result::Result<Vec<InstitutionWithAccount>, InstitutionAccountFailure> {
    if !who.may(Permission::ReadPayments) {
        return Err(AccessError::Forbidden.into());
    }
    let region = county.unwrap_or(&who.region);
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope.into());
    }
    let institutions = eldercare_store(store).institutions(region).await?;
    let ids: Vec<i64> = institutions.iter().map(|i| i.id).collect();
    let accounts: HashMap<i64, InstitutionAccount> =
        institution_account_store(store).institution_accounts(&ids).await?.into_iter().map(|a| (a.institution_id, a)).collect();
    Ok(institutions
        .into_iter()
        .map(|i| InstitutionWithAccount {
            id: i.id,
            name: i.filing.name.clone(),
            region: i.filing.region.clone(),
            tekun_home: i.filing.tekun_home,
            account: accounts.get(&i.id).cloned(),
        })
        .collect())
}

/// Records an institution's account (those who prepare payments, within their region).
pub async fn save(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    institution_id: i64,
    bank: &str,
    account_no: &str,
) -> std::result::Result<InstitutionAccount, InstitutionAccountFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::PreparePayroll) {
        return Err(AccessError::Forbidden.into());
    }
    let i = eldercare_store(store).institution(institution_id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&i.filing.region) {
        return Err(AccessError::OutOfScope.into());
    }
    let (bank, account_no) = checked(bank, account_no).map_err(InstitutionAccountFailure::Invalid)?;
    // A person's card is not an institution's account (the money of the persons it houses would
    // go to whoever holds the card).
    if !super::store::payment_store(store).households_by_account(std::slice::from_ref(&account_no)).await?.is_empty() {
        return Err(InstitutionAccountFailure::Invalid(vec![InstitutionAccountError::Personal(account_no)]));
    }
    let county = i.filing.region.ancestor(minzheng_domain::RegionLevel::County).unwrap_or_else(|| i.filing.region.clone());
    let a = InstitutionAccount { institution_id, county, institution_name: i.filing.name.clone(), bank, account_no };
    institution_account_store(store).save_institution_account(&a, actor).await?;
    Ok(a)
}

/// For a list of 特困: the payees living in an institution in concentrated support on the
/// month's first day, with where their support goes.
pub async fn concentrated_payees(
    store: &dyn Store,
    payees: &[IdNumber],
    month: NaiveDate,
) -> std::result::Result<HashMap<IdNumber, InstitutionPayee>, StoreError> {
    let ids: Vec<String> = payees.iter().map(ToString::to_string).collect();
    let residencies = eldercare_store(store).concentrated_residencies(&ids).await?;
    if residencies.is_empty() {
        return Ok(HashMap::new());
    }
    let mut institution_ids: Vec<i64> = residencies.iter().map(|r| r.institution_id).collect();
    institution_ids.sort_unstable();
    institution_ids.dedup();
    let accounts: HashMap<i64, InstitutionAccount> =
        institution_account_store(store).institution_accounts(&institution_ids).await?.into_iter().map(|a| (a.institution_id, a)).collect();
    let mut names = HashMap::new();
    for id in institution_ids.iter().filter(|id| !accounts.contains_key(id)) {
        if let Some(i) = eldercare_store(store).institution(*id).await? {
            names.insert(*id, i.filing.name);
        }
    }
    Ok(payees_in_institutions(&residencies, &accounts, &names, month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eldercare::model::Residency;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("day")
    }

    #[test]
    fn an_account_is_a_bank_and_eight_to_thirty_two_digits() {
        assert_eq!(checked("盛京银行", "0112 0100 0000 1234"), Ok(("盛京银行".into(), "0112010000001234".into())));
        assert_eq!(checked(" ", "12-34"), Err(vec![InstitutionAccountError::Bank, InstitutionAccountError::AccountNo("12-34".into())]));
    }

    #[test]
    fn only_persons_in_concentrated_support_on_the_day_are_paid_to_the_institution() {
        let id = |n: u16| IdNumber::from_parts(210112, d(1950, 1, 1), n * 2, minzheng_domain::Sex::Female);
        let r = |n: u16, inst: i64, admitted: NaiveDate, discharged: Option<NaiveDate>, concentrated: bool| Residency {
            id: i64::from(n),
            institution_id: inst,
            id_number: id(n).to_string(),
            name: "王秀英".into(),
            admitted_on: admitted,
            discharged_on: discharged,
            concentrated,
        };
        let residencies = [
            r(1, 7, d(2026, 3, 1), None, true),                 // lives there
            r(2, 7, d(2026, 9, 15), None, true),                // admitted mid-month: next month
            r(3, 8, d(2026, 1, 1), Some(d(2026, 8, 31)), true), // left before the month
            r(4, 9, d(2026, 1, 1), None, true),                 // an institution without an account
        ];
        let accounts = HashMap::from([(
            7,
            InstitutionAccount {
                institution_id: 7,
                county: RegionCode::parse("210112").expect("c"),
                institution_name: "浑南区中心敬老院".into(),
                bank: "盛京银行".into(),
                account_no: "0112010000001234".into(),
            },
        )]);
        let names = HashMap::from([(9, "五三街道敬老院".to_string())]);
        let got = payees_in_institutions(&residencies, &accounts, &names, d(2026, 9, 1));
        assert_eq!(got.len(), 2);
        assert_eq!(got[&id(1)].account_no.as_deref(), Some("0112010000001234"));
        assert_eq!((got[&id(4)].name.as_str(), got[&id(4)].account_no.as_deref()), ("五三街道敬老院", None));
    }
}
