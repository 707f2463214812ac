//! 工作人员近亲属备案: close relatives of civil-affairs staff (the county bureau, the street
//! office, the residents' committee) who apply for or receive assistance are filed separately,
//! and every payment to them is raised by the supervision checks for a visit
//! (《最低生活保障审核确认办法》: 近亲属申请的，单独登记备案; DOMAIN: relatives of staff must be
//! filed and visited). The filing names the member of staff, their unit, the relative and how
//! they are related; a filing is withdrawn (kept, with the day) when the person leaves the post.
//!
//! Model (pure), its store written once for both databases, and the use cases.

use async_trait::async_trait;
use chrono::NaiveDate;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, Permission, Principal, RegionCode};
use minzheng_store::{Actor, AuditEntry, Handle, Result, Store, StoreError};
use serde::Serialize;

/// 亲属关系: the close relatives (近亲属) a filing names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Spouse,
    Parent,
    Child,
    Sibling,
    Grandparent,
    Grandchild,
    /// 其他近亲属 (a parent-in-law, a child's spouse who supports the member of staff ...).
    Other,
}

impl Relation {
    pub const ALL: [Relation; 7] = [
        Relation::Spouse,
        Relation::Parent,
        Relation::Child,
        Relation::Sibling,
        Relation::Grandparent,
        Relation::Grandchild,
        Relation::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Spouse => "spouse",
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Sibling => "sibling",
            Relation::Grandparent => "grandparent",
            Relation::Grandchild => "grandchild",
            Relation::Other => "other",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Relation::Spouse => "配偶",
            Relation::Parent => "父母",
            Relation::Child => "子女",
            Relation::Sibling => "兄弟姐妹",
            Relation::Grandparent => "祖父母、外祖父母",
            Relation::Grandchild => "孙子女、外孙子女",
            Relation::Other => "其他近亲属",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Relation::Other => "other close relative",
            r => r.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s || r.zh() == s)
    }
}

/// One filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRelative {
    /// Store key; 0 before it is stored.
    pub id: i64,
    /// The county whose register holds it.
    pub county: RegionCode,
    /// The member of staff and their unit (区民政局, 街道办事处, 社区居委会 ...).
    pub staff_name: String,
    pub staff_unit: String,
    pub relative: IdNumber,
    pub relative_name: String,
    pub relation: Relation,
    pub filed_on: NaiveDate,
    pub filed_by: String,
    /// Withdrawn (the member of staff left the post): kept, no longer checked.
    pub removed_on: Option<NaiveDate>,
}

/// Why a filing was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilingError {
    #[error("the member of staff's name and unit are needed")]
    Staff,
    #[error("{0:?} is not a valid ID number")]
    IdNumber(String),
    #[error("the relative's name is needed")]
    Name,
    #[error("{0:?} is not one of the close relations (spouse, parent, child, sibling, grandparent, grandchild, other)")]
    Relation(String),
    #[error("this relative of this member of staff is filed already")]
    Filed,
    #[error("{0} is not a county: filings are kept by the county")]
    County(String),
}

impl Bilingual for FilingError {
    fn zh(&self) -> String {
        match self {
            FilingError::Staff => "请填写工作人员姓名和所在单位".into(),
            FilingError::IdNumber(s) => format!("“{s}”不是有效的身份证号码"),
            FilingError::Name => "请填写近亲属姓名".into(),
            FilingError::Relation(s) => {
                format!("“{s}”不是近亲属关系（配偶、父母、子女、兄弟姐妹、祖父母外祖父母、孙子女外孙子女、其他近亲属）")
            }
            FilingError::Filed => "该工作人员的这位近亲属已经备案".into(),
            FilingError::County(c) => format!("{c} 不是区县：近亲属备案由区县登记，请选择区县"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// A filing as written on the form.
#[derive(Debug, Clone, Default)]
pub struct FilingForm {
    pub staff_name: String,
    pub staff_unit: String,
    pub relative: String,
    pub relative_name: String,
    pub relation: String,
}

impl FilingForm {
    /// Checks the form: every reason at once, in the form's order.
    pub fn checked(
        &self,
        county: &RegionCode,
        filed_on: NaiveDate,
        filed_by: &str,
    ) -> std::result::Result<StaffRelative, Vec<FilingError>> {
        let mut errors = Vec::new();
        let (staff_name, staff_unit) = (self.staff_name.trim(), self.staff_unit.trim());
        if staff_name.is_empty() || staff_unit.is_empty() {
            errors.push(FilingError::Staff);
        }
        let relative = IdNumber::parse(self.relative.trim()).map_err(|_| FilingError::IdNumber(self.relative.trim().to_string()));
        if let Err(e) = &relative {
            errors.push(e.clone());
        }
        if self.relative_name.trim().is_empty() {
            errors.push(FilingError::Name);
        }
        let relation = Relation::parse(self.relation.trim()).ok_or_else(|| FilingError::Relation(self.relation.trim().to_string()));
        if let Err(e) = &relation {
            errors.push(e.clone());
        }
        match (relative, relation) {
            (Ok(relative), Ok(relation)) if errors.is_empty() => Ok(StaffRelative {
                id: 0,
                county: county.clone(),
                staff_name: staff_name.to_string(),
                staff_unit: staff_unit.to_string(),
                relative,
                relative_name: self.relative_name.trim().to_string(),
                relation,
                filed_on,
                filed_by: filed_by.to_string(),
                removed_on: None,
            }),
            _ => Err(errors),
        }
    }
}

// ---- store ----

/// The register.
#[async_trait]
pub trait RelativeStore: Send + Sync {
    /// Files one (refused as a conflict when the same staff and relative are filed in the county).
    async fn file_relative(&self, r: &StaffRelative, actor: &Actor) -> Result<i64>;
    /// Withdraws a filing on `on`; `false` when there is none in force with that id.
    async fn withdraw_relative(&self, id: i64, on: NaiveDate, actor: &Actor) -> Result<bool>;
    async fn staff_relative(&self, id: i64) -> Result<Option<StaffRelative>>;
    /// The filings of counties within `region`, newest first (withdrawn ones included).
    async fn staff_relatives(&self, region: &RegionCode) -> Result<Vec<StaffRelative>>;
    /// The filings in force naming any of these persons (of any county).
    async fn relatives_among(&self, ids: &[IdNumber]) -> Result<Vec<StaffRelative>>;
}

/// The register on whichever database the platform's store runs.
pub fn relative_store(store: &dyn Store) -> &dyn RelativeStore {
    match store.handle() {
        Handle::Sqlite(s) => s,
        Handle::Postgres(p) => p,
    }
}

const COLUMNS: &str = "id, county, staff_name, staff_unit, relative, relative_name, relation, filed_on, filed_by, removed_on";

macro_rules! impl_relative_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use minzheng_store::Dialect as _;
            use sqlx::{QueryBuilder, Row};

            fn from_row(r: &<$db as sqlx::Database>::Row) -> Result<StaffRelative> {
                let county: String = r.try_get("county")?;
                let relative: String = r.try_get("relative")?;
                let relation: String = r.try_get("relation")?;
                Ok(StaffRelative {
                    id: r.try_get("id")?,
                    county: RegionCode::parse(&county).map_err(|_| super::store::corrupt("county", &county))?,
                    staff_name: r.try_get("staff_name")?,
                    staff_unit: r.try_get("staff_unit")?,
                    relative: IdNumber::parse(&relative).map_err(|_| super::store::corrupt("relative", &relative))?,
                    relative_name: r.try_get("relative_name")?,
                    relation: Relation::parse(&relation).ok_or_else(|| super::store::corrupt("relation", &relation))?,
                    filed_on: r.try_get("filed_on")?,
                    filed_by: r.try_get("filed_by")?,
                    removed_on: r.try_get("removed_on")?,
                })
            }

            #[async_trait]
            impl RelativeStore for $store {
                async fn file_relative(&self, f: &StaffRelative, actor: &Actor) -> Result<i64> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new(
                        "INSERT INTO staff_relatives (county, staff_name, staff_unit, relative, relative_name, relation, filed_on, filed_by) ",
                    );
                    qb.push_values([f], |mut b, f| {
                        b.push_bind(f.county.to_string())
                            .push_bind(f.staff_name.clone())
                            .push_bind(f.staff_unit.clone())
                            .push_bind(f.relative.to_string())
                            .push_bind(f.relative_name.clone())
                            .push_bind(f.relation.as_str())
                            .push_bind(f.filed_on)
                            .push_bind(f.filed_by.clone());
                    });
                    qb.push(" ON CONFLICT (county, staff_name, relative) WHERE removed_on IS NULL DO NOTHING RETURNING id");
                    let Some(row) = qb.build().fetch_optional(&mut *tx).await? else {
                        return Err(StoreError::Conflict("staff relative".into()));
                    };
                    let id: i64 = row.try_get("id")?;
                    let entry = AuditEntry {
                        action: "file_staff_relative".into(),
                        entity: "staff_relative".into(),
                        entity_key: id.to_string(),
                        before: None,
                        after: Some(serde_json::json!({
                            "county": f.county.to_string(),
                            "staff_name": f.staff_name,
                            "staff_unit": f.staff_unit,
                            "relative": f.relative.masked(),
                            "relation": f.relation.as_str(),
                        })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn withdraw_relative(&self, id: i64, on: NaiveDate, actor: &Actor) -> Result<bool> {
                    let mut tx = self.begin_write().await?;
                    let mut qb = QueryBuilder::<$db>::new("UPDATE staff_relatives SET removed_on = ");
                    qb.push_bind(on).push(" WHERE id = ").push_bind(id).push(" AND removed_on IS NULL");
                    if qb.build().execute(&mut *tx).await?.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let entry = AuditEntry {
                        action: "withdraw_staff_relative".into(),
                        entity: "staff_relative".into(),
                        entity_key: id.to_string(),
                        before: None,
                        after: Some(serde_json::json!({ "removed_on": on })),
                    };
                    <$store>::write_audit(&mut tx, actor, &[entry]).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn staff_relative(&self, id: i64) -> Result<Option<StaffRelative>> {
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM staff_relatives WHERE id = "));
                    qb.push_bind(id);
                    qb.build().fetch_optional(self.pool()).await?.as_ref().map(from_row).transpose()
                }

                async fn staff_relatives(&self, region: &RegionCode) -> Result<Vec<StaffRelative>> {
                    let (lo, hi) = super::store::range(region);
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM staff_relatives WHERE county >= "));
                    qb.push_bind(lo).push(" AND county < ").push_bind(hi).push(" ORDER BY id DESC");
                    qb.build().fetch_all(self.pool()).await?.iter().map(from_row).collect()
                }

                async fn relatives_among(&self, ids: &[IdNumber]) -> Result<Vec<StaffRelative>> {
                    let mut out = Vec::new();
                    for chunk in ids.chunks(5000) {
                        let mut qb = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM staff_relatives WHERE removed_on IS NULL AND relative IN ("));
                        let mut sep = qb.separated(", ");
                        for id in chunk {
                            sep.push_bind(id.to_string());
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

impl_relative_store!(minzheng_store::SqliteStore, sqlx::Sqlite);
impl_relative_store!(minzheng_store::PgStore, sqlx::Postgres);

// ---- use cases ----

/// Why a filing step was refused.
#[derive(Debug, thiserror::Error)]
pub enum RelativeFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("the filing was refused")]
    Invalid(Vec<FilingError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for RelativeFailure {
    fn zh(&self) -> String {
        match self {
            RelativeFailure::Access(e) => e.zh(),
            RelativeFailure::Invalid(v) => v.iter().map(Bilingual::zh).collect::<Vec<_>>().join("；"),
            RelativeFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            RelativeFailure::Invalid(v) => v.iter().map(Bilingual::en).collect::<Vec<_>>().join("; "),
            other => other.to_string(),
        }
    }
}

/// Filings are kept by a county: those who prepare payments, for a county within their region.
fn may_file(who: &Principal, county: &RegionCode) -> std::result::Result<(), RelativeFailure> {
    if !who.may(Permission::PreparePayroll) {
        return Err(AccessError::Forbidden.into());
    }
    if !who.in_scope(county) {
        return Err(AccessError::OutOfScope.into());
    }
    if county.level() != minzheng_domain::RegionLevel::County {
        return Err(RelativeFailure::Invalid(vec![FilingError::County(county.to_string())]));
    }
    Ok(())
}

/// Files a relative of a member of staff in the county's register (those who prepare payments).
pub async fn file(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    county: &RegionCode,
    form: &FilingForm,
) -> std::result::Result<StaffRelative, RelativeFailure> {
    let RequestContext { who, actor, today } = *cx;
    may_file(who, county)?;
    let r = form.checked(county, today, &who.name).map_err(RelativeFailure::Invalid)?;
    let id = relative_store(store).file_relative(&r, actor).await.map_err(|e| match e {
        StoreError::Conflict(_) => RelativeFailure::Invalid(vec![FilingError::Filed]),
        other => other.into(),
    })?;
    Ok(StaffRelative { id, ..r })
}

/// Withdraws a filing of the account's region.
pub async fn withdraw(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> std::result::Result<StaffRelative, RelativeFailure> {
    let RequestContext { who, actor, today } = *cx;
    let r = relative_store(store).staff_relative(id).await?.ok_or(AccessError::NotFound)?;
    may_file(who, &r.county)?;
    relative_store(store).withdraw_relative(id, today, actor).await?;
    Ok(StaffRelative { removed_on: r.removed_on.or(Some(today)), ..r })
}

/// The register of the account's region (or a county within it), read by those who read
/// payments; the read is audited (it names persons).
pub async fn list(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    county: Option<&RegionCode>,
) -> std::result::Result<Vec<StaffRelative>, RelativeFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadPayments) {
        return Err(AccessError::Forbidden.into());
    }
    let region = county.unwrap_or(&who.region);
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope.into());
    }
    let list = relative_store(store).staff_relatives(region).await?;
    let entry = AuditEntry {
        action: "read".into(),
        entity: "staff_relatives".into(),
        entity_key: region.to_string(),
        before: None,
        after: Some(serde_json::json!({ "rows": list.len() })),
    };
    store.audit(actor, &[entry]).await?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filing_names_every_missing_particular_at_once() {
        let county = RegionCode::parse("210112").expect("county");
        let on = NaiveDate::from_ymd_opt(2026, 12, 7).expect("day");
        let empty = FilingForm { relation: "表兄".into(), relative: "210112".into(), ..FilingForm::default() };
        let e = empty.checked(&county, on, "clerk").expect_err("refused");
        assert_eq!(
            e,
            vec![FilingError::Staff, FilingError::IdNumber("210112".into()), FilingError::Name, FilingError::Relation("表兄".into())]
        );
        let good = FilingForm {
            staff_name: "李梅".into(),
            staff_unit: "浑南区五三街道办事处".into(),
            relative: "11010519491231002X".into(),
            relative_name: "李秀兰".into(),
            relation: "父母".into(),
        };
        let r = good.checked(&county, on, "clerk").expect("filed");
        assert_eq!((r.relation, r.relative_name.as_str(), r.removed_on), (Relation::Parent, "李秀兰", None));
        assert_eq!(Relation::parse("spouse"), Some(Relation::Spouse), "by code or by the Chinese word");
    }
}
