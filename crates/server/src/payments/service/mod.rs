//! The payments' use cases: who may record accounts, prepare, approve, lock and reconcile a
//! month's payment list, in which region; the audit of every change (written by the store in
//! the change's transaction) and of every read of account numbers.

use super::bank::{self, BankLayout, FileFor, Outcome, Refusal};
use super::model::{self, AccountError, PaidBefore, PaymentAccount, Payroll, PayrollError, PayrollInputs, PayrollLine, PayrollStatus};
use super::store::{by_holder, payment_store, PaymentRecord, PaymentResult};
use chrono::NaiveDate;
use minzheng_app::registry::AccessError;
use minzheng_app::RequestContext;
use minzheng_domain::enrolment::{first_of_month, next_month};
use minzheng_domain::{Bilingual, Enrolment, Fen, IdNumber, Permission, Principal, RegionCode, RegionLevel};
use minzheng_policy::Engine;
use minzheng_store::{Actor, AuditEntry, Store, StoreError};
use std::collections::HashMap;

/// Why a payments use case did not go through.
#[derive(Debug, thiserror::Error)]
pub enum PaymentFailure {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Payroll(#[from] PayrollError),
    #[error("account of {0}: {1}")]
    Account(String, AccountError),
    #[error("{0} is not a resident in the registry within your region")]
    NotResident(String),
    #[error("the bank return was refused")]
    Return(Vec<Refusal>),
    #[error("unknown bank layout {0:?}")]
    Layout(String),
    #[error("the page was out of date: the payroll has moved on")]
    Stale,
    #[error(transparent)]
    Recovery(super::recovery::RecoveryError),
    #[error(transparent)]
    FileRefused(super::bank::FileRefused),
    #[error("the rules could not be run: {1}")]
    Rules(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for PaymentFailure {
    fn zh(&self) -> String {
        match self {
            PaymentFailure::Access(e) => e.zh(),
            PaymentFailure::Payroll(e) => e.zh(),
            PaymentFailure::Recovery(e) => e.zh(),
            PaymentFailure::FileRefused(e) => e.zh(),
            PaymentFailure::Account(who, e) => format!("{who} 的账户：{}", e.zh()),
            PaymentFailure::NotResident(id) => format!("{id} 不是本辖区人口库中的居民"),
            PaymentFailure::Return(r) => format!(
                "银行回盘未导入（{} 处问题，未作任何更改）：{}",
                r.len(),
                r.iter().take(20).map(|x| x.zh()).collect::<Vec<_>>().join("；")
            ),
            PaymentFailure::Layout(l) => format!("没有名为“{l}”的银行文件格式"),
            PaymentFailure::Rules(zh, _) => format!("未能按规则核算：{zh}"),
            PaymentFailure::Stale => "页面已过期：花名册状态已变化，请刷新后重试".into(),
            PaymentFailure::Store(StoreError::Conflict(_)) => PayrollError::Locked.zh(),
            PaymentFailure::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            PaymentFailure::Access(e) => e.en(),
            PaymentFailure::Payroll(e) => e.en(),
            PaymentFailure::Recovery(e) => e.en(),
            PaymentFailure::Account(who, e) => format!("account of {who}: {}", e.en()),
            PaymentFailure::Return(r) => format!(
                "the bank return was not applied ({} problems, nothing changed): {}",
                r.len(),
                r.iter().take(20).map(|x| x.en()).collect::<Vec<_>>().join("; ")
            ),
            PaymentFailure::Store(StoreError::Conflict(_)) => PayrollError::Locked.en(),
            PaymentFailure::Store(_) => "database error, please try again later".into(),
            other => other.to_string(),
        }
    }
}

fn need(who: &Principal, p: Permission) -> Result<(), PaymentFailure> {
    if who.may(p) {
        Ok(())
    } else {
        Err(AccessError::Forbidden.into())
    }
}

/// The county a payroll is for: 6 digits, within the account's region.
fn county_of(who: &Principal, county: &RegionCode) -> Result<(), PaymentFailure> {
    if county.level() != RegionLevel::County {
        return Err(AccessError::OutOfScope.into());
    }
    if !who.in_scope(county) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(())
}

/// Records payment accounts of residents of the account's region: every account checked
/// (digits, length, the card's check digit), every holder a registry person whose household is
/// within the region; all or none.
pub async fn save_accounts(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    accounts: Vec<PaymentAccount>,
    source: &str,
) -> Result<u64, PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ManagePaymentAccounts)?;
    // One account a holder: a sheet that names a holder twice keeps the last row.
    let mut accounts = accounts;
    let mut seen = std::collections::HashSet::new();
    accounts.reverse();
    accounts.retain(|a| seen.insert(a.holder));
    accounts.reverse();
    let mut checked = Vec::with_capacity(accounts.len());
    for a in accounts {
        let name = a.holder_name.clone();
        checked.push(a.checked().map_err(|e| PaymentFailure::Account(name, e))?);
    }
    let ids: Vec<IdNumber> = checked.iter().map(|a| a.holder).collect();
    let persons: HashMap<IdNumber, minzheng_domain::Person> =
        store.persons_by_id(&ids).await?.into_iter().map(|p| (p.id_number, p)).collect();
    let nos: Vec<String> = persons.values().filter_map(|p| p.household_no.clone()).collect();
    let households: HashMap<String, RegionCode> =
        store.households(&nos).await?.into_iter().map(|h| (h.household_no, h.community)).collect();
    for a in &mut checked {
        let placed =
            persons.get(&a.holder).and_then(|p| p.household_no.clone()).and_then(|no| households.get(&no).map(|c| (no, c.clone())));
        match placed {
            Some((no, community)) if who.in_scope(&community) => a.household_no = no,
            _ => return Err(PaymentFailure::NotResident(a.holder.masked())),
        }
    }
    Ok(payment_store(store).upsert_accounts(&checked, source, actor).await?)
}

/// The programs' Chinese names and whether each is granted to persons.
fn program_of<'e>(engine: &'e Engine, code: &str) -> Result<&'e minzheng_policy::defs::Program, PaymentFailure> {
    engine.policy.programs.iter().find(|p| p.code == code).ok_or_else(|| PayrollError::Program(code.to_string()).into())
}

/// Prepares (or prepares again) the month's payment list of a program in a county from the
/// enrolments in force: lines, arrears, returned payments paid again, held lines.
/// Which list: a program's, in a county, for a month.
#[derive(Debug, Clone)]
pub struct ListFor {
    pub program: String,
    pub county: RegionCode,
    /// Any day of the month.
    pub month: NaiveDate,
}

pub async fn prepare(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    which: &ListFor,
) -> Result<(Payroll, Vec<PayrollLine>), PaymentFailure> {
    let RequestContext { who, actor, today } = *cx;
    let (program, county, month) = (which.program.trim(), &which.county, which.month);
    need(who, Permission::PreparePayroll)?;
    county_of(who, county)?;
    let p = program_of(engine, program)?;
    let month = first_of_month(month);
    if month > next_month(today) {
        return Err(PayrollError::TooEarly(month.format("%Y-%m").to_string()).into());
    }
    let payments = payment_store(store);
    if let Some(existing) = payments.payroll_for(program, county, month).await? {
        if existing.status != PayrollStatus::Prepared {
            return Err(PayrollError::NotPrepared(existing.status.zh()).into());
        }
    }
    earlier_locked(store, program, county, month).await?;
    let mut enrolments: Vec<Enrolment> = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(county, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        enrolments.extend(page.into_iter().filter(|e| e.program == program && &e.county == county));
    }
    let before = payments.paid_before(program, county, month).await?;
    // 分期扣减: the instalments agreed on the county's recoveries.
    let deductions = super::recovery::deductions(&super::recovery_store::recovery_store(store).recoveries(county).await?);
    let (lines, payroll) = work_out(store, who, &enrolments, p, (county, month), &before, &deductions).await?;
    let id = payments.save_payroll(&payroll, &lines, actor).await.map_err(|e| match e {
        StoreError::Conflict(_) => PaymentFailure::Payroll(PayrollError::NotPrepared(PayrollStatus::Approved.zh())),
        other => other.into(),
    })?;
    let payroll = Payroll { id, ..payroll };
    supervise(store, engine, &payroll, &lines, actor, today).await?;
    find_overpayments(store, cx, county).await?;
    Ok((payroll, lines))
}

/// Months are prepared and locked in order: a later month waits until every earlier list of the
/// program and county is locked (else a month still open could be paid by both lists).
async fn earlier_locked(store: &dyn Store, program: &str, county: &RegionCode, month: NaiveDate) -> Result<(), PaymentFailure> {
    let open = payment_store(store)
        .payrolls(county)
        .await?
        .into_iter()
        .filter(|p| p.program == program && &p.county == county && p.month < month && p.status != PayrollStatus::Locked)
        .map(|p| p.month)
        .min();
    match open {
        Some(m) => Err(PayrollError::EarlierOpen(m.format("%Y-%m").to_string()).into()),
        None => Ok(()),
    }
}

/// What the supervision checks look up about a list's lines: the registry, the accounts, the
/// other lists of the month, the filed relatives of staff.
#[derive(Default)]
struct Gathered {
    persons: super::supervision::Map<IdNumber, minzheng_domain::Person>,
    communities: super::supervision::Map<String, RegionCode>,
    account_households: super::supervision::Map<String, Vec<String>>,
    paid_elsewhere: super::supervision::Map<IdNumber, Vec<(String, String)>>,
    relatives: super::supervision::Map<IdNumber, Vec<super::relatives::StaffRelative>>,
}

impl Gathered {
    /// The checks' facts over what was gathered.
    fn facts<'a>(
        &'a self,
        payroll: &'a Payroll,
        program_zh: &'a str,
        on: NaiveDate,
        excludes: &'a (dyn Fn(&str, &str) -> bool + Sync),
        name_of: &'a (dyn Fn(&str) -> String + Sync),
    ) -> super::supervision::Facts<'a> {
        super::supervision::Facts {
            payroll_id: payroll.id,
            program: &payroll.program,
            program_zh,
            county: &payroll.county,
            on,
            persons: &self.persons,
            communities: &self.communities,
            account_households: &self.account_households,
            paid_elsewhere: &self.paid_elsewhere,
            excludes,
            name_of,
            relatives: &self.relatives,
        }
    }

    /// Only the households' communities (where a finding is settled): all the amount check needs.
    async fn communities(store: &dyn Store, sent: &[&PayrollLine]) -> Result<Gathered, PaymentFailure> {
        let mut nos: Vec<String> = sent.iter().map(|l| l.household_no.clone()).collect();
        nos.sort_unstable();
        nos.dedup();
        let mut g = Gathered::default();
        for chunk in nos.chunks(5000) {
            g.communities.extend(store.households(chunk).await?.into_iter().map(|h| (h.household_no, h.community)));
        }
        Ok(g)
    }

    async fn of(store: &dyn Store, payroll: &Payroll, sent: &[&PayrollLine]) -> Result<Gathered, PaymentFailure> {
        use super::supervision::Map;
        let mut payees: Vec<IdNumber> = sent.iter().map(|l| l.payee).collect();
        payees.sort_unstable();
        payees.dedup();
        let mut persons: Map<IdNumber, minzheng_domain::Person> = Map::default();
        for chunk in payees.chunks(5000) {
            persons.extend(store.persons_by_id(chunk).await?.into_iter().map(|p| (p.id_number, p)));
        }
        let communities = Gathered::communities(store, sent).await?.communities;
        let payments = payment_store(store);
        let mut account_nos: Vec<String> = sent.iter().map(|l| l.account_no.clone()).collect();
        account_nos.sort_unstable();
        account_nos.dedup();
        let mut account_households: Map<String, Vec<String>> = Map::default();
        for (a, h) in payments.households_by_account(&account_nos).await? {
            let v = account_households.entry(a).or_default();
            if !v.contains(&h) {
                v.push(h);
            }
        }
        let mut paid_elsewhere: Map<IdNumber, Vec<(String, String)>> = Map::default();
        for (id, program, household) in payments.paid_in_month(payroll.month, &payees, payroll.id).await? {
            paid_elsewhere.entry(id).or_default().push((program, household));
        }
        let mut relatives: Map<IdNumber, Vec<super::relatives::StaffRelative>> = Map::default();
        for r in super::relatives::relative_store(store).relatives_among(&payees).await? {
            relatives.entry(r.relative).or_default().push(r);
        }
        Ok(Gathered { persons, communities, account_households, paid_elsewhere, relatives })
    }
}

/// The supervision checks (资金监督) on a list's lines: each hit a finding in the findings'
/// workflow, stored once per kind, enrolment and person. Returns the findings that were new.
pub async fn supervise(
    store: &dyn Store,
    engine: &Engine,
    payroll: &Payroll,
    lines: &[PayrollLine],
    actor: &Actor,
    today: NaiveDate,
) -> Result<u64, PaymentFailure> {
    let sent: Vec<&PayrollLine> = lines.iter().filter(|l| l.held.is_none()).collect();
    if sent.is_empty() {
        return Ok(0);
    }
    let g = Gathered::of(store, payroll, &sent).await?;
    let program_zh = program_of(engine, &payroll.program).map(|p| p.zh.clone()).unwrap_or_else(|_| payroll.program.clone());
    let ex = |a: &str, b: &str| engine.policy.excludes(a, b);
    let name_of = |code: &str| program_of(engine, code).map(|p| p.zh.clone()).unwrap_or_else(|_| code.to_string());
    let facts = g.facts(payroll, &program_zh, today, &ex, &name_of);
    let owned: Vec<PayrollLine> = sent.into_iter().cloned().collect();
    let found = super::supervision::check(&owned, &facts);
    if found.is_empty() {
        return Ok(0);
    }
    Ok(store.add_findings(&found, actor).await?)
}

/// 金额与规则不符, on demand: the rules are run for the list's county and month (the registry
/// and the departmental data as they are now, the parameters in force on the month's first day)
/// and every line whose month's amount differs becomes a finding. Returns how many were new.
pub async fn check_amounts(store: &dyn Store, engine: &Engine, cx: &RequestContext<'_>, id: i64) -> Result<(u64, usize), PaymentFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::PreparePayroll)?;
    let payroll = payroll_in_scope(store, who, id).await?;
    amounts_against_rules(store, engine, actor, &payroll, today).await
}

/// 金额与规则不符 on a list whose access was checked: before each approval, and on demand.
async fn amounts_against_rules(
    store: &dyn Store,
    engine: &Engine,
    actor: &Actor,
    payroll: &Payroll,
    today: NaiveDate,
) -> Result<(u64, usize), PaymentFailure> {
    let id = payroll.id;
    let p = program_of(engine, &payroll.program)?;
    let lines = payment_store(store).lines(id).await?;
    let sent: Vec<&PayrollLine> = lines.iter().filter(|l| l.held.is_none()).collect();
    let by_rules: super::supervision::Map<String, i64> =
        minzheng_app::rule_amounts::rule_amounts(store, engine, &payroll.county, &payroll.program, payroll.month)
            .await
            .map_err(|e| PaymentFailure::Rules(e.zh(), e.en()))?
            .into_iter()
            .collect();
    // Enrolments ending (a gradual exit, a stop from a later month) are paid by a decision.
    let mut ending = std::collections::HashSet::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&payroll.county, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        ending.extend(page.into_iter().filter(|e| e.program == payroll.program && e.end.is_some()).map(|e| e.id));
    }
    let g = Gathered::communities(store, &sent).await?;
    let ex = |a: &str, b: &str| engine.policy.excludes(a, b);
    let name_of = |code: &str| program_of(engine, code).map(|p| p.zh.clone()).unwrap_or_else(|_| code.to_string());
    let facts = g.facts(payroll, &p.zh, today, &ex, &name_of);
    let per_person = p.unit == minzheng_policy::defs::Unit::Person;
    let owned: Vec<PayrollLine> = sent.into_iter().cloned().collect();
    let found = super::supervision::amounts(&owned, &facts, per_person, &by_rules, &|e| ending.contains(&e));
    let differ = found.len();
    // The rules read the whole county's registry and data: the run is on record whatever it finds.
    let entry = AuditEntry {
        action: "check_amounts".into(),
        entity: "payroll".into(),
        entity_key: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "lines": owned.len(), "units_by_rules": by_rules.len(), "differ": differ })),
    };
    store.audit(actor, &[entry]).await?;
    if found.is_empty() {
        return Ok((0, 0));
    }
    Ok((store.add_findings(&found, actor).await?, differ))
}

async fn work_out(
    store: &dyn Store,
    who: &Principal,
    enrolments: &[Enrolment],
    p: &minzheng_policy::defs::Program,
    (county, month): (&RegionCode, NaiveDate),
    before: &PaidBefore,
    deductions: &HashMap<i64, Fen>,
) -> Result<(Vec<PayrollLine>, Payroll), PaymentFailure> {
    let per_person = p.unit == minzheng_policy::defs::Unit::Person;
    let mut heads: HashMap<String, (IdNumber, String)> = HashMap::new();
    if !per_person {
        let nos: Vec<String> = enrolments.iter().map(|e| e.household_no.clone()).collect();
        let by_household: HashMap<&str, &Enrolment> = enrolments.iter().map(|e| (e.household_no.as_str(), e)).collect();
        let mut unnamed = Vec::new();
        for chunk in nos.chunks(5000) {
            for h in store.households(chunk).await? {
                if let Some(head) = h.head {
                    let e = by_household.get(h.household_no.as_str());
                    match e.and_then(|e| e.members.iter().find(|m| m.id_number == head)) {
                        Some(m) => {
                            heads.insert(h.household_no, (head, m.name.clone()));
                        }
                        None => unnamed.push((h.household_no, head)),
                    }
                }
            }
        }
        let ids: Vec<IdNumber> = unnamed.iter().map(|(_, id)| *id).collect();
        let names: HashMap<IdNumber, String> = store.persons_by_id(&ids).await?.into_iter().map(|p| (p.id_number, p.name)).collect();
        for (no, id) in unnamed {
            if let Some(name) = names.get(&id) {
                heads.insert(no, (id, name.clone()));
            }
        }
    }
    let mut payees: Vec<IdNumber> = enrolments.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect();
    payees.extend(heads.values().map(|(id, _)| *id));
    payees.extend(before.returned.iter().map(|r| r.payee));
    payees.sort_unstable();
    payees.dedup();
    let accounts = by_holder(payment_store(store).accounts_of(&payees).await?);
    // 集中供养: the support of 特困 persons living in an institution goes to its account.
    let institutions = if p.code == super::institution_accounts::CONCENTRATED_PROGRAM {
        super::institution_accounts::concentrated_payees(store, &payees, month).await?
    } else {
        HashMap::new()
    };
    let inputs = PayrollInputs { month, per_person, heads: &heads, accounts: &accounts, before, deductions, institutions: &institutions };
    let lines = model::prepare(enrolments, &inputs);
    let payroll = Payroll {
        id: 0,
        program: p.code.clone(),
        county: county.clone(),
        month,
        status: PayrollStatus::Prepared,
        prepared_by: who.name.clone(),
        approved_by: None,
        lines: i64::try_from(lines.len()).unwrap_or(i64::MAX),
        total: model::bank_total(&lines),
    };
    Ok((lines, payroll))
}

async fn payroll_in_scope(store: &dyn Store, who: &Principal, id: i64) -> Result<Payroll, PaymentFailure> {
    let p = payment_store(store).payroll(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&p.county) {
        return Err(AccessError::OutOfScope.into());
    }
    Ok(p)
}

/// A payroll step: approve (by a second person), send back, lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Approve,
    SendBack,
    Lock,
}

impl Step {
    pub fn parse(s: &str) -> Option<Step> {
        match s {
            "approve" => Some(Step::Approve),
            "send_back" => Some(Step::SendBack),
            "lock" => Some(Step::Lock),
            _ => None,
        }
    }
}

/// Takes a step on a payroll of the account's county. Approving runs the amounts against the
/// rules first (the other supervision checks ran when the list was prepared).
pub async fn step(store: &dyn Store, engine: &Engine, cx: &RequestContext<'_>, id: i64, step: Step) -> Result<Payroll, PaymentFailure> {
    let RequestContext { who, actor, today } = *cx;
    need(who, Permission::ApprovePayroll)?;
    let p = payroll_in_scope(store, who, id).await?;
    let (from, to) = match step {
        Step::Approve => (PayrollStatus::Prepared, PayrollStatus::Approved),
        Step::SendBack => (PayrollStatus::Approved, PayrollStatus::Prepared),
        Step::Lock => (PayrollStatus::Approved, PayrollStatus::Locked),
    };
    if p.status == PayrollStatus::Locked {
        return Err(PayrollError::Locked.into());
    }
    if step == Step::Approve && p.prepared_by == who.name {
        return Err(PayrollError::SamePerson(p.prepared_by).into());
    }
    if step == Step::Lock {
        earlier_locked(store, &p.program, &p.county, p.month).await?;
    }
    if p.status != from {
        return Err(match step {
            Step::Lock => PayrollError::NotApproved(p.status.zh()).into(),
            _ => PaymentFailure::Stale,
        });
    }
    if step == Step::Lock {
        deductions_still_owed(store, &p).await?;
        residences_unchanged(store, &p).await?;
    }
    if step == Step::Approve {
        amounts_against_rules(store, engine, actor, &p, today).await?;
    }
    let moved = payment_store(store).move_payroll(id, from, to, actor).await.map_err(|e| match e {
        // The lock books the list's deductions; a recovery repaid in between refuses it.
        StoreError::Conflict(_) if step == Step::Lock => PaymentFailure::Payroll(PayrollError::DeductionsChanged),
        other => other.into(),
    })?;
    if !moved {
        return Err(PaymentFailure::Stale);
    }
    Ok(Payroll { status: to, approved_by: if to == PayrollStatus::Approved { Some(who.name.clone()) } else { p.approved_by }, ..p })
}

/// Before a lock: every deduction of the list can still be booked to a recovery's plan (none was
/// repaid by hand or written off since the list was prepared).
async fn deductions_still_owed(store: &dyn Store, p: &Payroll) -> Result<(), PaymentFailure> {
    let lines = payment_store(store).lines(p.id).await?;
    let mut taken: HashMap<i64, Fen> = HashMap::new();
    for l in lines.iter().filter(|l| l.deduction.0 > 0 && l.held.is_none()) {
        *taken.entry(l.enrolment_id).or_insert(Fen(0)) += l.deduction;
    }
    if taken.is_empty() {
        return Ok(());
    }
    let mut plans: HashMap<i64, Vec<super::recovery::Plan>> = HashMap::new();
    for o in super::recovery_store::recovery_store(store).recoveries(&p.county).await? {
        if let Some(plan) = o.plan() {
            plans.entry(o.enrolment_id).or_default().push(plan);
        }
    }
    for (enrolment, amount) in taken {
        let (_, rest) = super::recovery::book_deduction(plans.get(&enrolment).map_or(&[], Vec::as_slice), amount);
        if rest.0 > 0 {
            return Err(PayrollError::DeductionsChanged.into());
        }
    }
    Ok(())
}

/// Before a lock of a 特困 list: each line still goes where the person lives on the month's first
/// day (an admission or a discharge recorded since the list was prepared changes the account).
async fn residences_unchanged(store: &dyn Store, p: &Payroll) -> Result<(), PaymentFailure> {
    if p.program != super::institution_accounts::CONCENTRATED_PROGRAM {
        return Ok(());
    }
    let lines = payment_store(store).lines(p.id).await?;
    let mut payees: Vec<IdNumber> = lines.iter().map(|l| l.payee).collect();
    payees.sort_unstable();
    payees.dedup();
    let now = super::institution_accounts::concentrated_payees(store, &payees, p.month).await?;
    for l in &lines {
        let routed = !l.account_name.is_empty();
        let due = now.get(&l.payee);
        let same = match due {
            Some(i) => routed && i.name == l.account_name && i.account_no.as_deref().unwrap_or_default() == l.account_no,
            None => !routed,
        };
        if !same {
            return Err(PayrollError::ResidenceChanged.into());
        }
    }
    Ok(())
}

/// A payroll with its lines and the bank's results, as the account may see it (ID and account
/// numbers masked for roles that see them masked). The read is audited.
pub async fn one(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
) -> Result<(Payroll, Vec<PayrollLine>, Vec<PaymentResult>), PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ReadPayments)?;
    let p = payroll_in_scope(store, who, id).await?;
    let payments = payment_store(store);
    let mut lines = payments.lines(id).await?;
    if !who.role.sees_full_identity() {
        for l in &mut lines {
            mask_line(l);
        }
    }
    let results = payments.results(id).await?;
    store.audit(actor, &[read_entry("read", &id.to_string(), lines.len())]).await?;
    Ok((p, lines, results))
}

fn mask_line(l: &mut PayrollLine) {
    let n = l.account_no.len();
    if n > 4 {
        l.account_no = format!("**** {}", &l.account_no[n - 4..]);
    }
}

/// Masked ID number of a line, for roles that see numbers masked.
pub fn shown_payee(who: &Principal, id: &IdNumber) -> String {
    if who.role.sees_full_identity() {
        id.to_string()
    } else {
        id.masked()
    }
}

fn read_entry(action: &str, key: &str, rows: usize) -> AuditEntry {
    AuditEntry {
        action: action.into(),
        entity: "payroll".into(),
        entity_key: key.into(),
        before: None,
        after: Some(serde_json::json!({ "rows": rows })),
    }
}

/// The payrolls of the account's region (counties within it), newest first.
/// `county`, when named, must be within the account's region.
pub async fn list(store: &dyn Store, who: &Principal, county: Option<&RegionCode>) -> Result<Vec<Payroll>, PaymentFailure> {
    need(who, Permission::ReadPayments)?;
    if let Some(c) = county {
        if !who.in_scope(c) {
            return Err(AccessError::OutOfScope.into());
        }
    }
    Ok(payment_store(store).payrolls(county.unwrap_or(&who.region)).await?)
}

/// The bank's payment file of a locked payroll, in the bank's layout. Holds every payee's ID
/// and account number: for the staff who send it, and audited.
pub async fn bank_file(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    id: i64,
    layout: &str,
) -> Result<(String, Vec<u8>), PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::PreparePayroll)?;
    let p = payroll_in_scope(store, who, id).await?;
    if p.status != PayrollStatus::Locked {
        return Err(PayrollError::NotLocked.into());
    }
    let l = BankLayout::shipped(layout).ok_or_else(|| PaymentFailure::Layout(layout.to_string()))?;
    let lines = payment_store(store).lines(id).await?;
    let program = program_of(engine, &p.program)?;
    let period = p.month.format("%Y-%m").to_string();
    let bytes = bank::payment_file(&l.payment, &lines, &FileFor { program_zh: &program.zh, period: &period })
        .map_err(PaymentFailure::FileRefused)?;
    store.audit(actor, &[read_entry("bank_file", &id.to_string(), lines.iter().filter(|l| l.held.is_none()).count())]).await?;
    let name = format!("{}-{}-{}-{}.{}", p.county, p.program, period, l.code, bank::extension(&l.payment));
    Ok((name, bytes))
}

/// What a bank return did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReturnSummary {
    pub paid: usize,
    pub failed: usize,
    pub paid_amount: Fen,
    pub failed_amount: Fen,
}

/// Imports the bank's return file of a locked payroll: every line checked against what was
/// sent; one refusal and nothing is applied.
pub async fn bank_return(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
    layout: &str,
    bytes: &[u8],
) -> Result<ReturnSummary, PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::PreparePayroll)?;
    let p = payroll_in_scope(store, who, id).await?;
    if p.status != PayrollStatus::Locked {
        return Err(PayrollError::NotLocked.into());
    }
    let l = BankLayout::shipped(layout).ok_or_else(|| PaymentFailure::Layout(layout.to_string()))?;
    let payments = payment_store(store);
    let lines = payments.lines(id).await?;
    let r = bank::reconcile(&l.returns, bytes, &lines).map_err(PaymentFailure::Return)?;
    let results: Vec<PaymentResult> = r
        .outcomes
        .iter()
        .map(|(n, o)| match o {
            Outcome::Paid => PaymentResult { line_no: *n, paid: true, reason: String::new() },
            Outcome::Failed(why) => PaymentResult { line_no: *n, paid: false, reason: why.clone() },
        })
        .collect();
    let sha = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(bytes))
    };
    payments.record_results(id, &results, &sha, actor).await.map_err(|e| match e {
        StoreError::Conflict(_) => PaymentFailure::Return(vec![Refusal {
            line: 0,
            zh: "本花名册的银行回盘已经导入过".into(),
            en: "this payroll's bank return was imported already".into(),
        }]),
        other => other.into(),
    })?;
    let failed = results.iter().filter(|r| !r.paid).count();
    Ok(ReturnSummary { paid: results.len() - failed, failed, paid_amount: r.paid, failed_amount: r.failed })
}

/// A household's payments (一户一条救助链: the money side), for the household page.
/// `community` is the household's, which the caller has read; it must be within the account's region.
pub async fn household_payments(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    household_no: &str,
    community: &RegionCode,
) -> Result<Vec<PaymentRecord>, PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::ReadPayments)?;
    if !who.in_scope(community) {
        return Err(AccessError::OutOfScope.into());
    }
    let mut out = payment_store(store).payments_of(household_no).await?;
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "read_payments".into(),
                entity: "household".into(),
                entity_key: household_no.to_string(),
                before: None,
                after: Some(serde_json::json!({ "rows": out.len() })),
            }],
        )
        .await?;
    if !who.role.sees_full_identity() {
        for r in &mut out {
            mask_line(&mut r.line);
        }
    }
    Ok(out)
}

/// The kinds of finding the supervision checks raise.
pub const SUPERVISION_KINDS: [minzheng_domain::FindingKind; 6] = [
    minzheng_domain::FindingKind::PaidAfterDeath,
    minzheng_domain::FindingKind::PaidTwice,
    minzheng_domain::FindingKind::SharedAccount,
    minzheng_domain::FindingKind::PaidOutsideRegion,
    minzheng_domain::FindingKind::StaffRelative,
    minzheng_domain::FindingKind::AmountDiffers,
];

mod supervision;
pub use supervision::*;
