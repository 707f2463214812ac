//! 一户一档的链条: what the household receives, what was paid, and the warnings raised, as the household page shows them.

#[allow(unused_imports)]
use super::*;

/// The household's enrolments, each with its status and months, and (for roles that read
/// payments) what was paid: the assistance chain shown on the household page.
pub(in crate::registry) async fn chain(
    s: &AppState,
    who: &Authenticated,
    household: &Household,
) -> Result<(Vec<BenefitRow>, Option<Vec<PaymentRow>>), AppError> {
    let lang = who.lang;
    // The members' full numbers (the page may show them masked); the household's read, scope
    // check and audit record were made by `registry::household`.
    let ids: Vec<minzheng_domain::IdNumber> =
        s.store.household_members(&household.household_no).await?.iter().map(|p| p.id_number).collect();
    let mut enrolments = s.store.enrolments_of(&ids).await?;
    enrolments.retain(|e| e.household_no == household.household_no);
    let benefits = enrolments
        .iter()
        .map(|e| BenefitRow {
            program: program_name(s, &e.program, lang),
            status: if lang == Lang::En { e.status.as_str().to_string() } else { e.status.zh().to_string() },
            stopped: e.status != minzheng_domain::EnrolmentStatus::Active,
            monthly: e.monthly_amount.to_string(),
            since: e.start.format("%Y-%m").to_string(),
            until: e.end.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default(),
            // A member whose own part stopped is named with the month it stopped.
            members: e
                .members
                .iter()
                .map(|m| match (m.end, lang) {
                    (Some(end), Lang::En) => format!("{} (stopped from {})", m.name, end.format("%Y-%m")),
                    (Some(end), _) => format!("{}（{}起停发）", m.name, end.format("%Y年%-m月")),
                    (None, _) => m.name.clone(),
                })
                .collect::<Vec<_>>()
                .join(if lang == Lang::En { ", " } else { "、" }),
        })
        .collect();
    let payments = if who.principal.may(minzheng_domain::Permission::ReadPayments) {
        let w = if lang == Lang::En { ("credited", "returned") } else { ("已入账", "退票") };
        let records = crate::payments::service::household_payments(
            s.store.as_ref(),
            &who.cx(s.clock.today()),
            &household.household_no,
            &household.community,
        )
        .await?;
        Some(
            records
                .into_iter()
                .map(|r| PaymentRow {
                    payroll_id: r.payroll_id,
                    month: r.month.format("%Y-%m").to_string(),
                    program: program_name(s, &r.program, lang),
                    payee: r.line.payee_name.clone(),
                    net: r.line.net.to_string(),
                    note: if lang == Lang::En { crate::payments::model::note_en(&r.line.note) } else { r.line.note.clone() },
                    result: r.result.map(|x| if x.paid { w.0.to_string() } else { format!("{}：{}", w.1, x.reason) }).unwrap_or_default(),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok((benefits, payments))
}

/// The household's cases, findings (for roles that read them) and recoveries (for roles that
/// read payments): the rest of its assistance chain, each read audited by its use case.
pub(in crate::registry) async fn chain_records(
    s: &AppState,
    who: &Authenticated,
    household: &Household,
) -> Result<(Vec<ChainRow>, Option<Vec<ChainRow>>, Option<Vec<ChainRow>>), AppError> {
    use minzheng_domain::Permission;
    let en = who.lang == Lang::En;
    let cases = minzheng_app::cases::household_cases(s.store.as_ref(), &who.cx(s.clock.today()), household)
        .await
        .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "cases", e.zh(), e.en()))?
        .into_iter()
        .map(|c| ChainRow {
            href: format!("/cases/{}", c.id),
            what: s
                .catalogue
                .service(&c.service)
                .map(|x| if en { x.en.clone() } else { x.zh.clone() })
                .unwrap_or_else(|| c.service.clone()),
            status: if en { c.status.en().to_string() } else { c.status.zh().to_string() },
            detail: format!("{} {}", if en { "accepted" } else { "受理" }, c.accepted_on),
        })
        .collect();
    let findings = if who.principal.may(Permission::ReadFindings) {
        Some(
            minzheng_app::verify::household_findings(s.store.as_ref(), &who.cx(s.clock.today()), household)
                .await?
                .into_iter()
                .map(|f| ChainRow {
                    href: format!("/findings/{}", f.id),
                    what: if en { f.kind.en().to_string() } else { f.kind.zh().to_string() },
                    status: if en { f.status.as_str().replace('_', " ") } else { f.status.zh().to_string() },
                    detail: if en { f.summary_en.clone() } else { f.summary_zh.clone() },
                })
                .collect(),
        )
    } else {
        None
    };
    let recoveries = if who.principal.may(Permission::ReadPayments) && who.principal.in_scope(&household.community) {
        use crate::payments::recovery_store::recovery_store;
        Some(
            recovery_store(s.store.as_ref())
                .recoveries_of(&household.household_no)
                .await?
                .into_iter()
                .filter(|o| who.principal.in_scope(&o.county))
                .map(|o| ChainRow {
                    href: format!("/payments/recoveries?county={}#recovery-{}", o.county, o.id),
                    what: format!(
                        "{} {}",
                        o.payee_name,
                        o.months.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join(if en { ", " } else { "、" })
                    ),
                    status: if en { o.status.as_str().to_string() } else { o.status.zh().to_string() },
                    detail: if en {
                        format!("{} yuan, {} recovered", o.amount, o.repaid)
                    } else {
                        format!("多发 {} 元，已追回 {} 元", o.amount, o.repaid)
                    },
                })
                .collect(),
        )
    } else {
        None
    };
    Ok((cases, findings, recoveries))
}

/// The household's monitoring warnings with their status and outcome, for the accounts that
/// read them.
pub(in crate::registry) async fn household_warnings(
    s: &AppState,
    who: &Authenticated,
    household: &Household,
) -> Result<Option<Vec<ChainRow>>, AppError> {
    if !who.principal.may(minzheng_domain::Permission::ReadMonitoring) {
        return Ok(None);
    }
    let lang = who.lang;
    let pick = |zh: &str, en: &str| if lang == Lang::Zh { zh.to_string() } else { en.to_string() };
    let warnings =
        crate::monitoring::service::of_household(s.store.as_ref(), &who.principal, &household.household_no, household.community.as_str())
            .await
            .map_err(AppError::from)?;
    Ok(Some(
        warnings
            .into_iter()
            .map(|w| {
                let rule = s.engine.policy.warnings.iter().find(|r| r.code == w.rule);
                ChainRow {
                    href: format!("/monitoring/warnings/{}", w.id),
                    what: format!("{} {}", w.raised_on, rule.map(|r| pick(&r.zh, &r.en)).unwrap_or_else(|| w.rule.clone())),
                    status: pick(w.status.zh(), w.status.en()),
                    detail: w.outcome.map(|o| pick(o.zh(), o.en())).unwrap_or_else(|| w.detail.clone()),
                }
            })
            .collect(),
    ))
}
