//! The demo's payments in 浑南区 (210112): a card for every enrolled payee (one in a hundred
//! left without, one card planted on two households), three months of payment lists prepared,
//! approved by a second person, locked, sent and answered by the bank with planted returns,
//! and this month's list prepared, waiting for the county approver's approval.
//! Synthetic and deterministic; what was planted is said in the summary (the answer key).

use super::bank::{self, BankLayout, FileFor};
use super::model::{luhn_ok, AccountKind, PaymentAccount};
use super::service::{self, ListFor, Step};
use minzheng_app::RequestContext;
use minzheng_domain::enrolment::first_of_month;
use minzheng_domain::{IdNumber, Principal, RegionCode, Role};
use minzheng_policy::Engine;
use minzheng_store::{Actor, Store};
use std::collections::{BTreeSet, HashMap};

const BANKS: [&str; 4] = ["盛京银行", "中国邮政储蓄银行", "沈阳农村商业银行", "中国工商银行"];

/// A card number for a person: deterministic, with its Luhn digit.
fn card_for(id: &IdNumber) -> String {
    let digits: String = id.to_string().chars().filter(char::is_ascii_digit).collect();
    let body = format!("621799{}", &digits[digits.len().saturating_sub(12)..]);
    (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_ok(n)).unwrap_or(body)
}

/// Loads the demo's payments; returns the summary line.
pub async fn load(store: &dyn Store, engine: &Engine, today: chrono::NaiveDate) -> Result<String, String> {
    let county = RegionCode::parse("210112").map_err(|e| e.to_string())?;
    let preparer = Principal { name: "demo_payroll_clerk".into(), role: Role::CountyApprover, region: county.clone() };
    let approver = Principal { name: "demo_payroll_head".into(), role: Role::CountyApprover, region: county.clone() };
    let (pa, aa) = (Actor::new(&preparer.name), Actor::new(&approver.name));
    let fail = |e: service::PaymentFailure| minzheng_domain::Bilingual::both(&e);

    // Every payee of the county's enrolments: household heads and members.
    let mut enrolments = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&county, after, 10_000).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.id;
        enrolments.extend(page);
    }
    let nos: Vec<String> = enrolments.iter().map(|e| e.household_no.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut members = Vec::new();
    for chunk in nos.chunks(2000) {
        members.extend(store.members_of(chunk).await.map_err(|e| e.to_string())?);
    }
    let mut accounts = Vec::new();
    let mut planted_shared = None;
    for (i, p) in members.iter().enumerate() {
        let Some(no) = p.household_no.clone() else { continue };
        if i % 100 == 37 {
            continue; // no card yet: held
        }
        accounts.push(PaymentAccount {
            holder: p.id_number,
            holder_name: p.name.clone(),
            household_no: no,
            bank: BANKS[i % BANKS.len()].into(),
            kind: AccountKind::Card,
            account_no: card_for(&p.id_number),
        });
    }
    // One card on two households (a card held by someone else): the first two heads.
    if accounts.len() > 10 {
        let (a, b) = (accounts[3].clone(), accounts.iter().position(|x| x.household_no != accounts[3].household_no));
        if let Some(b) = b {
            accounts[b].account_no = a.account_no.clone();
            planted_shared = Some((a.household_no.clone(), accounts[b].household_no.clone()));
        }
    }
    let saved = service::save_accounts(store, &RequestContext::new(&preparer, &pa, today), accounts, "demo").await.map_err(fail)?;
    // The county's institutions record their accounts: the support of the 特困 persons they house
    // in concentrated support is paid there.
    let mut homes = 0;
    for i in crate::eldercare::store::eldercare_store(store).institutions(&county).await.map_err(|e| e.to_string())? {
        let account = format!("01120100{:012}", i.id);
        super::institution_accounts::save(store, &RequestContext::new(&preparer, &pa, today), i.id, BANKS[0], &account)
            .await
            .map_err(|e| minzheng_domain::Bilingual::both(&e))?;
        homes += 1;
    }
    // A head who is the mother of a street officer, filed: each payment to her is a finding.
    let mut planted_relative = None;
    if let Some(p) = members.iter().find(|p| p.relation == minzheng_domain::Relation::Head && p.household_no.is_some()) {
        let form = super::relatives::FilingForm {
            staff_name: "李梅".into(),
            staff_unit: "浑南区五三街道办事处".into(),
            relative: p.id_number.to_string(),
            relative_name: p.name.clone(),
            relation: "parent".into(),
        };
        super::relatives::file(store, &RequestContext::new(&preparer, &pa, today), &county, &form)
            .await
            .map_err(|e| minzheng_domain::Bilingual::both(&e))?;
        planted_relative = p.household_no.clone();
    }

    // Three months paid, this month waiting for approval.
    let this = first_of_month(today);
    let months: Vec<chrono::NaiveDate> = (1..=3).rev().filter_map(|k| this.checked_sub_months(chrono::Months::new(k))).collect();
    let programs: Vec<String> = enrolments.iter().map(|e| e.program.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let layout = BankLayout::shipped("psbc").ok_or("layout psbc")?;
    let mut returned = 0;
    for month in &months {
        for program in &programs {
            let which = ListFor { program: program.clone(), county: county.clone(), month: *month };
            let (p, _) = service::prepare(store, engine, &RequestContext::new(&preparer, &pa, today), &which).await.map_err(fail)?;
            service::step(store, engine, &RequestContext::new(&approver, &aa, today), p.id, Step::Approve).await.map_err(fail)?;
            service::step(store, engine, &RequestContext::new(&approver, &aa, today), p.id, Step::Lock).await.map_err(fail)?;
            let lines = super::store::payment_store(store).lines(p.id).await.map_err(|e| e.to_string())?;
            let program_zh = engine.policy.programs.iter().find(|x| &x.code == program).map(|x| x.zh.clone()).unwrap_or_default();
            let period = month.format("%Y-%m").to_string();
            let _file = bank::payment_file(&layout.payment, &lines, &FileFor { program_zh: &program_zh, period: &period })
                .map_err(|e| e.to_string())?;
            // The bank returns one payment in 97: a frozen card, or a name that does not match.
            let failed: HashMap<i64, (String, String)> = lines
                .iter()
                .filter(|l| l.held.is_none() && l.line_no % 97 == 5)
                .map(|l| {
                    let why = if l.line_no % 2 == 0 { "账户冻结" } else { "户名与账号不符" };
                    (l.line_no, ("3001".to_string(), why.to_string()))
                })
                .collect();
            returned += failed.len();
            let back = bank::return_file(&layout.returns, &lines, &failed);
            service::bank_return(store, &RequestContext::new(&preparer, &pa, today), p.id, "psbc", &back).await.map_err(fail)?;
        }
    }
    for program in &programs {
        let which = ListFor { program: program.clone(), county: county.clone(), month: this };
        service::prepare(store, engine, &RequestContext::new(&preparer, &pa, today), &which).await.map_err(fail)?;
    }
    Ok(format!(
        "浑南区发放账户 {saved} 个，供养机构账户 {homes} 个，{} 个月花名册已发放（银行退票 {returned} 笔），本月花名册待审核；\
         一号多人：{}；工作人员近亲属：户 {} / \
         {saved} accounts in 浑南区 and {homes} institutions', {} months paid ({returned} returned by the bank), this month's lists \
         waiting for approval; one card on two households: {}; a relative of staff: household {}",
        months.len(),
        planted_shared.as_ref().map(|(a, b)| format!("{a} 与 {b}")).unwrap_or_default(),
        planted_relative.clone().unwrap_or_default(),
        months.len(),
        planted_shared.map(|(a, b)| format!("{a} and {b}")).unwrap_or_default(),
        planted_relative.unwrap_or_default(),
    ))
}
