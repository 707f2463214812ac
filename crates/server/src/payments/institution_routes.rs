//! 供养机构账户: the county's elderly-care institutions with the account their residents'
//! 特困 support is paid to, and the form that records one.

use super::institution_accounts::{self, InstitutionAccountFailure, InstitutionWithAccount};
use super::routes::{county_param, CountyParam};
use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minzheng_domain::{Bilingual, Permission, RegionCode};
use serde::Deserialize;

impl From<InstitutionAccountFailure> for AppError {
    fn from(e: InstitutionAccountFailure) -> AppError {
        match e {
            InstitutionAccountFailure::Access(a) => a.into(),
            InstitutionAccountFailure::Store(s) => s.into(),
            other => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", other.zh(), other.en()),
        }
    }
}

pub(super) struct Words {
    title: &'static str,
    hint: &'static str,
    name: &'static str,
    tekun_home: &'static str,
    bank: &'static str,
    account_no: &'static str,
    save: &'static str,
    none: &'static str,
    missing: &'static str,
    back: &'static str,
}

const ZH: Words = Words {
    title: "供养机构账户",
    hint: "集中供养的特困人员，其供养金发至所在供养机构的对公账户（花名册仍列明是谁的供养金）。机构未登记账户的，该笔暂缓发放。",
    name: "机构名称",
    tekun_home: "特困供养机构",
    bank: "开户银行",
    account_no: "对公账号",
    save: "保存账户",
    none: "本辖区暂无已备案的养老机构",
    missing: "未登记",
    back: "返回花名册列表",
};

const EN: Words = Words {
    title: "Institution accounts",
    hint: "The support of 特困 persons in concentrated support is paid to the corporate account of the institution housing them (the list still names whose support it is). Without an account, the payment is held.",
    name: "Institution",
    tekun_home: "特困 support home",
    bank: "Bank",
    account_no: "Corporate account",
    save: "Save the account",
    none: "No institution filed in this region",
    missing: "not recorded",
    back: "Back to the payment lists",
};

pub(super) struct Row {
    id: i64,
    name: String,
    tekun_home: bool,
    bank: String,
    account_no: String,
    recorded: bool,
}

#[derive(Template)]
#[template(path = "institution_accounts.html")]
pub(super) struct InstitutionsPage {
    t: &'static Text,
    w: &'static Words,
    user: Option<UserBar>,
    rows: Vec<Row>,
    csrf: String,
    may_save: bool,
    error: Option<String>,
}

fn rows(list: Vec<InstitutionWithAccount>, kept: Option<(i64, &AccountForm)>) -> Vec<Row> {
    list.into_iter()
        .map(|i| {
            let typed = kept.filter(|(id, _)| *id == i.id).map(|(_, f)| (f.bank.clone(), f.account_no.clone()));
            let recorded = i.account.is_some();
            let (bank, account_no) = typed.unwrap_or_else(|| i.account.map(|a| (a.bank, a.account_no)).unwrap_or_default());
            Row { id: i.id, name: i.name, tekun_home: i.tekun_home, bank, account_no, recorded }
        })
        .collect()
}

async fn page(
    s: &AppState,
    who: &Authenticated,
    county: Option<RegionCode>,
    kept: Option<(i64, &AccountForm)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let list = institution_accounts::list(s.store.as_ref(), &who.principal, county.as_ref()).await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = InstitutionsPage {
        t: who.lang.text(),
        w: if who.lang == Lang::En { &EN } else { &ZH },
        user: Some(UserBar::of(who)),
        rows: rows(list, kept),
        csrf: who.session.csrf_token.clone(),
        may_save: who.principal.may(Permission::PreparePayroll),
        error,
    };
    Ok((status, render(&p)?).into_response())
}

/// `GET /payments/institutions?county=`.
pub(super) async fn institutions_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<CountyParam>,
) -> Result<Response, AppError> {
    page(&s, &who, county_param(&q)?, None, None).await
}

#[derive(Deserialize, Default)]
pub(super) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    account_no: String,
}

/// `POST /payments/institutions/{id}`: records the account; a refusal comes back on the page with
/// what was typed.
pub(super) async fn form_account(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    match institution_accounts::save(s.store.as_ref(), &who.cx(s.clock.today()), id, &f.bank, &f.account_no).await {
        Ok(a) => Ok(Redirect::to(&format!("/payments/institutions?county={}", a.county)).into_response()),
        Err(e @ InstitutionAccountFailure::Invalid(_)) => {
            let msg = if who.lang == Lang::En { e.en() } else { e.zh() };
            page(&s, &who, None, Some((id, &f)), Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}
