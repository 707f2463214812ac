//! The procedure as a state machine: who may take which step in which state, what each step records, the time limits it sets.

#[allow(unused_imports)]
use super::*;

/// How an account stands to a case.
pub(crate) fn in_household_scope(who: &Principal, case: &Case) -> bool {
    who.in_scope(&case.community)
}

/// Who takes a step: the role, and whether the account is placed to take it.
pub fn actor_for(case: &Case, action: &CaseAction) -> Role {
    match action {
        CaseAction::Survey { .. } => Role::CommunityWorker,
        CaseAction::RecordCheck { .. } => Role::VerificationOfficer,
        CaseAction::Review | CaseAction::Return | CaseAction::DemocraticReview | CaseAction::PayFirst { .. } | CaseAction::Refer => {
            Role::StreetReviewer
        }
        CaseAction::PublishNotice | CaseAction::Object { .. } | CaseAction::Withdraw => Role::CommunityWorker,
        CaseAction::Approve { .. } | CaseAction::Refuse { .. } => decider(case),
        CaseAction::Extend => Role::CountyApprover,
    }
}

/// The role that decides: the county's approver, or the street's reviewer where delegated.
pub fn decider(case: &Case) -> Role {
    if case.delegated {
        Role::StreetReviewer
    } else {
        Role::CountyApprover
    }
}

pub(crate) fn may_take(who: &Principal, case: &Case, action: &CaseAction) -> bool {
    let near = in_household_scope(who, case);
    let owner = who.in_scope(&case.owner);
    match action {
        CaseAction::Survey { .. } => near && matches!(who.role, Role::CommunityWorker | Role::GridWorker | Role::StreetReviewer),
        CaseAction::RecordCheck { .. } => owner && who.role == Role::VerificationOfficer,
        CaseAction::Review | CaseAction::Return | CaseAction::DemocraticReview | CaseAction::PayFirst { .. } | CaseAction::Refer => {
            near && who.role == Role::StreetReviewer
        }
        CaseAction::PublishNotice | CaseAction::Object { .. } => near && matches!(who.role, Role::CommunityWorker | Role::StreetReviewer),
        CaseAction::Approve { .. } | CaseAction::Refuse { .. } => who.role == decider(case) && if case.delegated { near } else { owner },
        CaseAction::Extend => owner && who.role == Role::CountyApprover,
        CaseAction::Withdraw => who.role == Role::CommunityWorker && (near || who.region == case.accepted_at),
    }
}

/// The status after `action`, or why it is refused: the role and region of the account, the
/// state of the case and what the step records. Every step carries a comment.
pub fn next_status(
    case: &Case,
    service: &Service,
    who: &Principal,
    action: &CaseAction,
    comment: &str,
    today: NaiveDate,
) -> Result<CaseStatus, CaseError> {
    let illegal = || CaseError::Illegal { from: case.status.as_str(), action: action.as_str() };
    if !case.status.is_open() {
        return Err(illegal());
    }
    if !may_take(who, case, action) {
        return Err(CaseError::NotYours { action: action.as_str(), role: actor_for(case, action).as_str() });
    }
    if comment.trim().chars().count() < 4 {
        return Err(CaseError::NoComment);
    }
    use CaseStatus as S;
    match action {
        CaseAction::Survey { staff, home_visit, .. } => {
            let named = staff.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<std::collections::BTreeSet<_>>().len();
            if !(matches!(case.status, S::Accepted | S::Objected) && case.needs_survey(service)) {
                return Err(illegal());
            }
            if named < 2 {
                return Err(CaseError::TooFewStaff);
            }
            if case.staff_relative && !home_visit {
                return Err(CaseError::HomeVisitRequired);
            }
            Ok(S::Surveyed)
        }
        CaseAction::RecordCheck { .. } => {
            let before = if case.needs_survey(service) { S::Surveyed } else { S::Accepted };
            if !service.economic_check || case.status != before {
                return Err(illegal());
            }
            Ok(S::Checked)
        }
        CaseAction::Review => {
            if case.status != case.ready_for_review(service) {
                return Err(illegal());
            }
            Ok(S::Reviewed)
        }
        CaseAction::Return => {
            if !matches!(case.status, S::Surveyed | S::Checked) {
                return Err(illegal());
            }
            Ok(S::Accepted)
        }
        CaseAction::PublishNotice => {
            if case.status != S::Reviewed || !case.needs_notice(service) {
                return Err(illegal());
            }
            Ok(S::Notice)
        }
        CaseAction::Object { objection } => {
            if case.status != S::Notice {
                return Err(illegal());
            }
            if let Some(until) = case.notice_until.filter(|u| today > *u) {
                return Err(CaseError::NoticeOver(until));
            }
            if objection.trim().chars().count() < 4 {
                return Err(CaseError::NoComment);
            }
            Ok(S::Objected)
        }
        CaseAction::DemocraticReview => {
            if case.status != S::Objected {
                return Err(illegal());
            }
            Ok(S::Reviewed)
        }
        CaseAction::Approve { amount } => {
            match case.status {
                S::Reviewed if !case.needs_notice(service) => {}
                S::Notice => {
                    if let Some(until) = case.notice_until.filter(|u| today <= *u) {
                        return Err(CaseError::NoticeRunning(until));
                    }
                }
                _ => return Err(illegal()),
            }
            if service.amount_given && !amount.is_some_and(|a| a.0 > 0) {
                return Err(CaseError::NoAmount);
            }
            Ok(S::Approved)
        }
        CaseAction::Refuse { reason } => {
            // The county decides on the street's first review (初审) and its papers: it refuses
            // only a case the street has reviewed (《最低生活保障审核确认办法》第二十二条). Before
            // that, a case ends by the applicant's withdrawal; the street that finds the
            // household ineligible says so in its review.
            if !matches!(case.status, S::Reviewed | S::Notice) {
                return Err(illegal());
            }
            if reason.trim().chars().count() < 4 {
                return Err(CaseError::NoReason);
            }
            Ok(S::Refused)
        }
        CaseAction::Withdraw => Ok(S::Withdrawn),
        CaseAction::PayFirst { amount } => {
            if !service.pay_first {
                return Err(illegal());
            }
            if case.file.paid_first.is_some() {
                return Err(CaseError::AlreadyDone);
            }
            if amount.0 <= 0 {
                return Err(CaseError::NoAmount);
            }
            Ok(case.status)
        }
        CaseAction::Extend => {
            if case.extended {
                return Err(CaseError::AlreadyDone);
            }
            Ok(case.status)
        }
        CaseAction::Refer => {
            if !(case.delegated && service.amount_given) {
                return Err(illegal());
            }
            Ok(case.status)
        }
    }
}

/// The steps an account may take on a case now (action codes): those the state machine allows
/// for its role, region and the case's state, whatever the step's own input will be.
pub fn available_steps(case: &Case, service: &Service, who: &Principal, today: NaiveDate) -> Vec<&'static str> {
    let candidates = [
        CaseAction::Survey { staff: vec!["a".into(), "b".into()], home_visit: true, findings: String::new() },
        CaseAction::RecordCheck { per_capita_income: Fen(0), assets_within_limits: true, report: None },
        CaseAction::Review,
        CaseAction::Return,
        CaseAction::PublishNotice,
        CaseAction::Object { objection: "异议内容".into() },
        CaseAction::DemocraticReview,
        CaseAction::Approve { amount: Some(Fen(1)) },
        CaseAction::Refuse { reason: "不符合条件".into() },
        CaseAction::Withdraw,
        CaseAction::PayFirst { amount: Fen(1) },
        CaseAction::Extend,
        CaseAction::Refer,
    ];
    candidates.iter().filter(|a| next_status(case, service, who, a, "按程序办理", today).is_ok()).map(CaseAction::as_str).collect()
}

/// Takes a step: checks it ([`next_status`]) and records what it carries on a copy of the case.
/// The decision's amount, enrolment and explanation are filled in by the caller, who computes
/// them through the policy engine.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    case: &Case,
    service: &Service,
    who: &Principal,
    action: &CaseAction,
    comment: &str,
    today: NaiveDate,
    cal: &WorkCalendar,
    limits: &TimeLimits,
) -> Result<Case, CaseError> {
    let to = next_status(case, service, who, action, comment, today)?;
    let mut c = case.clone();
    c.status = to;
    c.version += 1;
    match action {
        CaseAction::Survey { staff, home_visit, findings } => {
            c.file.survey = Some(Survey {
                on: today,
                staff: staff.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                home_visit: *home_visit,
                findings: findings.trim().to_string(),
            });
        }
        CaseAction::RecordCheck { per_capita_income, assets_within_limits, report } => {
            c.file.check = Some(EconomicCheck {
                on: today,
                per_capita_income: *per_capita_income,
                assets_within_limits: *assets_within_limits,
                report: *report,
                report_decision: None,
            });
        }
        CaseAction::PublishNotice => {
            // The day of publication is not counted, and a period ending on a rest day runs to
            // the next working day (《民法典》第二百零一条、第二百零三条).
            let mut until = today + Duration::days(i64::from(limits.notice_days));
            while !cal.is_working(until) {
                until += Duration::days(1);
            }
            c.notice_from = Some(today);
            c.notice_until = Some(until);
        }
        CaseAction::Object { objection } => c.file.objections.push(objection.trim().to_string()),
        CaseAction::Approve { amount } => {
            c.file.decision = Some(Decision {
                on: today,
                by: who.name.clone(),
                approved: true,
                reason: String::new(),
                amount: *amount,
                start: Some(first_of_next_month(today)),
                review_on: None,
                enrolment: None,
                explanation: None,
                exit_until: None,
                band: None,
            });
        }
        CaseAction::Refuse { reason } => {
            c.file.decision = Some(Decision {
                on: today,
                by: who.name.clone(),
                approved: false,
                reason: reason.trim().to_string(),
                amount: None,
                start: None,
                review_on: None,
                enrolment: None,
                explanation: None,
                exit_until: None,
                band: None,
            });
        }
        CaseAction::PayFirst { amount } => c.file.paid_first = Some(*amount),
        CaseAction::Extend => c.extended = true,
        CaseAction::Refer => c.delegated = false,
        CaseAction::Review | CaseAction::Return | CaseAction::DemocraticReview | CaseAction::Withdraw => {}
    }
    if c.status != case.status || matches!(action, CaseAction::PublishNotice) {
        c.set_due(service, today, cal, limits);
    } else {
        // A step that leaves the case where it is (先行救助, 延期, 报区县) does not restart the
        // clock of the step it waits for; an extension moves only the whole case's due date.
        c.due = cal.add_working_days(c.accepted_on, c.whole_limit(limits));
        c.step_due = case.step_due.min(c.due);
    }
    Ok(c)
}

/// 复核周期 of a 低保 household (《最低生活保障审核确认办法》第三十一条): every 6 months when a
/// member could work (a working-age member, 16 to 59, without a disability: income may change),
/// otherwise at the program's own cycle (yearly for households of elders, the disabled and
/// children, whose income is stable). `members` are (age, disabled) of the counted members.
pub fn review_months(program_months: u32, members: &[(u32, bool)]) -> u32 {
    let unstable = members.iter().any(|&(age, disabled)| (16..60).contains(&age) && !disabled);
    if unstable {
        program_months.min(6)
    } else {
        program_months
    }
}

/// 次月发放: the first day of the month after `day`.
pub fn first_of_next_month(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(day)
}

/// `months` months after `day` (same day of month, or the month's last day).
pub fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(chrono::Months::new(months)).unwrap_or(day)
}
