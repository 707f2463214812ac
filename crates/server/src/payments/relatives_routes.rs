//! The register of staff's close relatives (工作人员近亲属备案): the county's list with its
//! filing form, withdrawing a filing, and the list as JSON.

use super::relatives::{self, FilingForm, Relation, RelativeFailure, StaffRelative};
use super::routes::{county_or_own, county_param, CountyParam};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

impl From<RelativeFailure> for AppError {
    fn from(e: RelativeFailure) -> AppError {
        match e {
            RelativeFailure::Access(a) => a.into(),
            RelativeFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

pub(super) struct Words {
    title: &'static str,
    hint: &'static str,
    staff_name: &'static str,
    staff_unit: &'static str,
    relative: &'static str,
    relative_name: &'static str,
    relation: &'static str,
    filed_on: &'static str,
    removed_on: &'static str,
    file: &'static str,
    withdraw: &'static str,
    none: &'static str,
    back: &'static str,
}

const ZH: Words = Words {
    title: "工作人员近亲属备案",
    hint: "民政工作人员（区县民政局、街道办事处、社区居委会）的近亲属申请或享受救助的，单独登记备案；编制花名册时，向备案近亲属的发放列为监督疑点（每项在保记录一条，处理后不再重复），须入户核查。工作人员离岗的，撤销备案（记录保留）。",
    staff_name: "工作人员姓名",
    staff_unit: "所在单位",
    relative: "近亲属身份证号",
    relative_name: "近亲属姓名",
    relation: "亲属关系",
    filed_on: "备案日期",
    removed_on: "撤销日期",
    file: "登记备案",
    withdraw: "撤销备案",
    none: "暂无备案",
    back: "返回花名册列表",
};

const EN: Words = Words {
    title: "Register of staff's close relatives",
    hint: "Close relatives of civil-affairs staff (the county bureau, street offices, residents' committees) who apply for or receive assistance are filed here; a list paying a filed relative raises a supervision finding (one per enrolment, not raised again once settled), and the household is visited. A filing is withdrawn (and kept) when the member of staff leaves the post.",
    staff_name: "Member of staff",
    staff_unit: "Unit",
    relative: "Relative's ID number",
    relative_name: "Relative's name",
    relation: "Relation",
    filed_on: "Filed on",
    removed_on: "Withdrawn on",
    file: "File",
    withdraw: "Withdraw",
    none: "Nothing filed",
    back: "Back to the payment lists",
};

pub(super) struct Row {
    id: i64,
    staff_name: String,
    staff_unit: String,
    relative: String,
    relative_name: String,
    relation: &'static str,
    filed_on: String,
    removed_on: String,
    in_force: bool,
}

#[derive(Template)]
#[template(path = "staff_relatives.html")]
pub(super) struct RelativesPage {
    t: &'static Text,
    w: &'static Words,
    user: Option<UserBar>,
    rows: Vec<Row>,
    relations: Vec<(&'static str, &'static str)>,
    form: FilingFields,
    csrf: String,
    county: String,
    may_file: bool,
    error: Option<String>,
}

/// The filing form as sent (kept on a refusal).
#[derive(Deserialize, Default, Clone)]
pub(super) struct FilingFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    staff_name: String,
    #[serde(default)]
    staff_unit: String,
    #[serde(default)]
    relative: String,
    #[serde(default)]
    relative_name: String,
    #[serde(default)]
    relation: String,
}

fn rows(who: &Authenticated, list: &[StaffRelative]) -> Vec<Row> {
    let en = who.lang == Lang::En;
    list.iter()
        .map(|r| Row {
            id: r.id,
            staff_name: r.staff_name.clone(),
            staff_unit: r.staff_unit.clone(),
            relative: super::service::shown_payee(&who.principal, &r.relative),
            relative_name: r.relative_name.clone(),
            relation: if en { r.relation.en() } else { r.relation.zh() },
            filed_on: r.filed_on.to_string(),
            removed_on: r.removed_on.map(|d| d.to_string()).unwrap_or_default(),
            in_force: r.removed_on.is_none(),
        })
        .collect()
}

async fn page(
    s: &AppState,
    who: &Authenticated,
    county: Option<RegionCode>,
    form: FilingFields,
    error: Option<String>,
) -> Result<Response, AppError> {
    let list = relatives::list(s.store.as_ref(), &who.cx(s.clock.today()), county.as_ref()).await?;
    let en = who.lang == Lang::En;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = RelativesPage {
        t: who.lang.text(),
        w: if en { &EN } else { &ZH },
        user: Some(UserBar::of(who)),
        rows: rows(who, &list),
        relations: Relation::ALL.iter().map(|r| (r.as_str(), if en { r.en() } else { r.zh() })).collect(),
        form,
        csrf: who.session.csrf_token.clone(),
        county: county.as_ref().unwrap_or(&who.principal.region).to_string(),
        may_file: who.principal.may(Permission::PreparePayroll),
        error,
    };
    Ok((status, render(&p)?).into_response())
}

/// `GET /payments/relatives?county=`.
pub(super) async fn relatives_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Response, AppError> {
    page(&s, &who, county_param(&q)?, FilingFields::default(), None).await
}

/// `POST /payments/relatives`: files one; a refusal comes back on the page with the form kept.
pub(super) async fn form_file(State(s): State<AppState>, who: Authenticated, Form(f): Form<FilingFields>) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let county = county_or_own(&who, Some(&f.county))?;
    let form = FilingForm {
        staff_name: f.staff_name.clone(),
        staff_unit: f.staff_unit.clone(),
        relative: f.relative.clone(),
        relative_name: f.relative_name.clone(),
        relation: f.relation.clone(),
    };
    match relatives::file(s.store.as_ref(), &who.cx(s.clock.today()), &county, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/payments/relatives?county={county}")).into_response()),
        Err(e @ RelativeFailure::Invalid(_)) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            page(&s, &who, Some(county), f, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /payments/relatives/{id}/withdraw`.
pub(super) async fn form_withdraw(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let r = relatives::withdraw(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    Ok(Redirect::to(&format!("/payments/relatives?county={}", r.county)).into_response())
}

/// `GET /api/staff-relatives?county=`: the register, ID numbers masked for the roles that see
/// them masked.
pub(super) async fn api_relatives(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Json<Vec<serde_json::Value>>, AppError> {
    let list = relatives::list(s.store.as_ref(), &who.cx(s.clock.today()), county_param(&q)?.as_ref()).await?;
    Ok(Json(
        super::routes::shown(&who, &list, |r| r.relative)?
            .into_iter()
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("payee").map(|p| o.insert("relative".into(), p));
                }
                v
            })
            .collect(),
    ))
}
