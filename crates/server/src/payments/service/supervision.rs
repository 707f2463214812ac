//! 资金监管: overpayments found and recovered, the public list, budget lines and their execution.

use super::*;
#[allow(unused_imports)]
use minzheng_app::RequestContext;

/// Open supervision findings of a list's county, by kind (for the list's page).
pub async fn open_supervision(store: &dyn Store, payroll: &Payroll) -> Result<Vec<(minzheng_domain::FindingKind, u64)>, PaymentFailure> {
    let counts = store.finding_counts(&payroll.county).await?;
    Ok(SUPERVISION_KINDS
        .iter()
        .map(|k| (*k, counts.iter().filter(|c| c.kind == k.as_str() && c.status != "resolved").map(|c| c.count).sum()))
        .filter(|(_, n)| *n > 0)
        .collect())
}

/// Finds what was paid after the end of the county's stopped enrolments and opens a recovery
/// for each payee (one found before is kept as it is). Returns how many were new.
pub async fn find_overpayments(store: &dyn Store, cx: &RequestContext<'_>, county: &RegionCode) -> Result<u64, PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    need(who, Permission::PreparePayroll)?;
    county_of(who, county)?;
    let mut ended = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(county, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        ended.extend(page.into_iter().filter(|e| (e.end.is_some() || e.members.iter().any(|m| m.end.is_some())) && &e.county == county));
    }
    if ended.is_empty() {
        return Ok(0);
    }
    let ledger = crate::payments::recovery_store::recovery_store(store);
    let ids: Vec<i64> = ended.iter().map(|e| e.id).collect();
    let lines = ledger.sent_lines(&ids).await?;
    // Months already in a recovery (of any status) are not owed twice.
    let mut recorded: HashMap<(i64, IdNumber), std::collections::HashSet<NaiveDate>> = HashMap::new();
    for o in ledger.recoveries(county).await? {
        recorded.entry((o.enrolment_id, o.payee)).or_default().extend(o.months);
    }
    let mut found = Vec::new();
    for e in &ended {
        let mine: Vec<(&PayrollLine, bool)> = lines.iter().filter(|(l, _)| l.enrolment_id == e.id).map(|(l, c)| (l, *c)).collect();
        for mut o in crate::payments::recovery::overpayments(e, &mine) {
            if let Some(done) = recorded.get(&(o.enrolment_id, o.payee)) {
                let n = i64::try_from(o.months.len().max(1)).unwrap_or(1);
                let per_month = o.amount.0 / n;
                o.months.retain(|m| !done.contains(m));
                o.amount = Fen(per_month * i64::try_from(o.months.len()).unwrap_or(0));
            }
            if !o.months.is_empty() && o.amount.0 > 0 {
                found.push(o);
            }
        }
    }
    if found.is_empty() {
        return Ok(0);
    }
    Ok(ledger.open_recoveries(&found, actor).await?)
}

/// The recoveries of the account's region (or of a county within it), newest first.
pub async fn recoveries(
    store: &dyn Store,
    who: &Principal,
    county: Option<&RegionCode>,
) -> Result<Vec<crate::payments::recovery::Overpayment>, PaymentFailure> {
    need(who, Permission::ReadPayments)?;
    if let Some(c) = county {
        if !who.in_scope(c) {
            return Err(AccessError::OutOfScope.into());
        }
    }
    Ok(crate::payments::recovery_store::recovery_store(store).recoveries(county.unwrap_or(&who.region)).await?)
}

/// A step on a recovery: a repayment received, or a write-off with its reason.
#[derive(Debug, Clone)]
pub enum RecoveryStep {
    Repay {
        amount: Fen,
        on: NaiveDate,
        comment: String,
    },
    WriteOff {
        reason: String,
    },
    /// 分期扣减: deduct this much from each month's payment of the enrolment until settled (0:
    /// no more deductions).
    Plan {
        instalment: Fen,
    },
}

/// Records a repayment (staff who prepare payments) or a write-off (the approver), checked
/// against what is owed; refused as stale if another step got in first.
pub async fn recovery_step(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    id: i64,
    step: RecoveryStep,
) -> Result<crate::payments::recovery::Overpayment, PaymentFailure> {
    let RequestContext { who, actor, today } = *cx;
    use crate::payments::recovery::{check_repayment, RecoveryError, RecoveryStatus};
    use crate::payments::recovery_store::RecoveryEvent;
    need(
        who,
        match step {
            RecoveryStep::Repay { .. } | RecoveryStep::Plan { .. } => Permission::PreparePayroll,
            RecoveryStep::WriteOff { .. } => Permission::ApprovePayroll,
        },
    )?;
    let ledger = crate::payments::recovery_store::recovery_store(store);
    let o = ledger.recovery(id).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&o.county) {
        return Err(AccessError::OutOfScope.into());
    }
    let seen = o.repaid;
    let (updated, event) = match step {
        RecoveryStep::Repay { amount, on, comment } => {
            let status = check_repayment(&o, amount).map_err(PaymentFailure::Recovery)?;
            let updated = crate::payments::recovery::Overpayment { repaid: o.repaid + amount, status, ..o.clone() };
            let on = on.min(today);
            (
                updated,
                RecoveryEvent {
                    recovery_id: id,
                    action: "repay".into(),
                    amount,
                    on,
                    comment: comment.trim().to_string(),
                    actor: who.name.clone(),
                },
            )
        }
        RecoveryStep::Plan { instalment } => {
            // Deducted only from an enrolment still paid (active or held, without an end month).
            let still_paid = store
                .enrolment(o.enrolment_id)
                .await?
                .is_some_and(|e| e.status != minzheng_domain::EnrolmentStatus::Stopped && e.end.is_none_or(|end| end > today));
            crate::payments::recovery::check_instalment(&o, instalment, still_paid).map_err(PaymentFailure::Recovery)?;
            let updated = crate::payments::recovery::Overpayment { instalment, ..o.clone() };
            (
                updated,
                RecoveryEvent {
                    recovery_id: id,
                    action: "plan".into(),
                    amount: instalment,
                    on: today,
                    comment: if instalment.0 > 0 {
                        format!("每月从发放中扣减 {instalment} 元")
                    } else {
                        "取消分期扣减".into()
                    },
                    actor: who.name.clone(),
                },
            )
        }
        RecoveryStep::WriteOff { reason } => {
            if matches!(o.status, RecoveryStatus::Settled | RecoveryStatus::WrittenOff) {
                return Err(PaymentFailure::Recovery(RecoveryError::Closed(o.status.zh())));
            }
            if reason.trim().chars().count() < 4 {
                return Err(PaymentFailure::Recovery(RecoveryError::NoReason));
            }
            let left = o.amount - o.repaid;
            let updated = crate::payments::recovery::Overpayment { status: RecoveryStatus::WrittenOff, ..o.clone() };
            (
                updated,
                RecoveryEvent {
                    recovery_id: id,
                    action: "write_off".into(),
                    amount: left,
                    on: today,
                    comment: reason.trim().to_string(),
                    actor: who.name.clone(),
                },
            )
        }
    };
    if !ledger.record_recovery_step(&updated, seen, &event, actor).await? {
        return Err(PaymentFailure::Stale);
    }
    Ok(updated)
}

/// Programs whose recipients are not published: the program itself is a health detail.
pub(in crate::payments) const NOT_PUBLISHED: [&str; 2] = ["disability_care", "disability_living"];

/// 发放公示: a locked list's payments to the households of one community, as posted: the payee's
/// name, the months and the amount, never an ID number, phone, account or health detail, and no
/// child. The read is audited; the PDF is for the community's notice board.
pub async fn public_list(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    id: i64,
    community: &RegionCode,
) -> Result<Vec<u8>, PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    use minzheng_app::pdf::Block;
    need(who, Permission::ReadPayments)?;
    let p = payroll_in_scope(store, who, id).await?;
    if !p.county.contains(community) || community.level() != RegionLevel::Community {
        return Err(AccessError::OutOfScope.into());
    }
    if p.status != PayrollStatus::Locked {
        return Err(PayrollError::NotLocked.into());
    }
    let program = program_of(engine, &p.program)?;
    let lines = payment_store(store).lines(id).await?;
    let mut nos: Vec<String> = lines.iter().map(|l| l.household_no.clone()).collect();
    nos.sort_unstable();
    nos.dedup();
    let mut here = std::collections::HashSet::new();
    for chunk in nos.chunks(5000) {
        here.extend(store.households(chunk).await?.into_iter().filter(|h| &h.community == community).map(|h| h.household_no));
    }
    let name = store.region(community).await?.map(|r| r.name).unwrap_or_else(|| community.to_string());
    let published = !NOT_PUBLISHED.contains(&p.program.as_str());
    let rows: Vec<Vec<String>> = lines
        .iter()
        .filter(|l| published && l.held.is_none() && here.contains(&l.household_no))
        .filter(|l| l.payee.age_on(p.month) >= 18)
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.payee_name.clone(),
                l.months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join("、"),
                l.net.to_string(),
            ]
        })
        .collect();
    store.audit(actor, &[read_entry("public_list", &format!("{id}:{community}"), rows.len())]).await?;
    let mut blocks = vec![
        Block::Title(format!("{name}{}{}发放公示", program.zh, p.month.format("%Y年%m月"))),
        Block::Paragraph(
            "根据《社会救助暂行办法》，现将本社区本月社会救助资金发放情况予以公示。公示内容不含身份证号、电话、银行账号和健康信息，未成年人不予公示。如有异议，请向社区（村）或街道（乡镇）反映。".into(),
        ),
    ];
    if published {
        blocks.push(Block::Table {
            widths: vec![1.0, 2.4, 3.4, 2.0],
            header: vec!["序号".into(), "姓名".into(), "发放月份".into(), "金额（元）".into()],
            rows: rows.clone(),
        });
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph(if published {
            "本社区本月没有需公示的发放记录。".into()
        } else {
            "该项目涉及健康信息，不予公示。".into()
        }));
    }
    Ok(minzheng_app::pdf::render(&format!("{}发放公示", program.zh), &blocks))
}

/// The year's budget lines and their execution for the account's region (or a county within it).
pub async fn budget_table(
    store: &dyn Store,
    who: &Principal,
    county: Option<&RegionCode>,
    year: i32,
) -> Result<Vec<crate::payments::budget::Execution>, PaymentFailure> {
    need(who, Permission::ReadPayments)?;
    if let Some(c) = county {
        if !who.in_scope(c) {
            return Err(AccessError::OutOfScope.into());
        }
    }
    let region = county.unwrap_or(&who.region);
    let b = crate::payments::budget::budget_store(store);
    Ok(crate::payments::budget::execution(year, &b.budgets(region, year).await?, &b.spending(region, year).await?))
}

/// Sets a county's budget line of a program for a year (the approver of the county).
pub async fn set_budget(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    which: &ListFor,
    amount: Fen,
) -> Result<(), PaymentFailure> {
    let (who, actor) = (cx.who, cx.actor);
    use chrono::Datelike;
    need(who, Permission::ApprovePayroll)?;
    county_of(who, &which.county)?;
    program_of(engine, &which.program)?;
    if amount.0 < 0 {
        return Err(PaymentFailure::Recovery(crate::payments::recovery::RecoveryError::Amount(Fen(0))));
    }
    Ok(crate::payments::budget::budget_store(store).set_budget(&which.program, &which.county, which.month.year(), amount, actor).await?)
}

/// The day of the month a county's list must be locked by (`payroll_due_day` in force on `on`
/// for the county; the 10th when the city has not set it).
pub fn due_day(records: &[minzheng_domain::parameter::ParameterRecord], county: &RegionCode, on: NaiveDate) -> u32 {
    minzheng_policy::params::in_force(records, "payroll_due_day", county.as_str(), minzheng_policy::Area::Urban, on)
        .and_then(|r| u32::try_from(r.value).ok())
        .unwrap_or(10)
}
