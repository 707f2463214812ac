//! The procedure's steps after acceptance (survey, review, notice, decision ...), and the enrolment an approval makes.

#[allow(unused_imports)]
use super::*;

/// Takes a step of the procedure on a case. The account's role and region, the case's state
/// and what the step needs are checked by the state machine; an approval is computed by the
/// policy engine (the household must be eligible by the rules on the day of the decision) and
/// makes or changes the enrolment in the same transaction. `seen` is the version of the case
/// the account was shown.
pub async fn act(
    store: &dyn Store,
    engine: &Engine,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    id: i64,
    step: Step<'_>,
) -> Result<Case, CaseFailure> {
    let (actor, action) = (cx.actor, step.action);
    let result = act_unaudited(store, engine, catalogue, cx, id, step).await;
    // Refused steps leave a record too (out of scope is recorded where it is found).
    if let Err(e @ (CaseFailure::Procedure(_) | CaseFailure::Stale | CaseFailure::Invalid { .. })) = &result {
        store.audit(actor, &[CaseAudit::StepRefused { case: id, action: action.as_str(), reason: &e.en() }.entry()]).await?;
    }
    result
}

/// 办理一步: a step taken on a case, as the account chose it on the page.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub action: &'a CaseAction,
    /// The handler's opinion (意见), kept with the step.
    pub comment: &'a str,
    /// The version of the case the account was shown (a step on an older one is refused).
    pub seen: Option<i64>,
}

pub(crate) async fn act_unaudited(
    store: &dyn Store,
    engine: &Engine,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    id: i64,
    step: Step<'_>,
) -> Result<Case, CaseFailure> {
    let RequestContext { who, actor, today } = *cx;
    let Step { action, comment, seen } = step;
    if !who.may(Permission::HandleCases) {
        return Err(AccessError::Forbidden.into());
    }
    let case = store.case(id).await?.ok_or(AccessError::NotFound)?;
    if !(who.in_scope(&case.owner) || who.in_scope(&case.community) || who.region == case.accepted_at) {
        store.audit(actor, &[refused_entry(&id.to_string(), action.as_str())]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if seen.is_some_and(|v| v != case.version) {
        return Err(CaseFailure::Stale);
    }
    let service = catalogue.service(&case.service).ok_or_else(|| {
        invalid(format!("服务事项“{}”已不在目录中", case.service), format!("service {:?} is no longer in the catalogue", case.service))
    })?;
    // The state machine first: a step that is not allowed costs no computation.
    procedure::next_status(&case, service, who, action, comment, today)?;
    let calendar = calendar(store).await?;
    let limits = TimeLimits::default();
    let mut action = action.clone();
    let mut enrolment = None;
    // For programs granted to persons: the members of the household's enrolment the step was
    // computed from (another member's step in between makes this one stale).
    let mut seen_members: Option<Vec<IdNumber>> = None;
    let mut explanation = None;
    let mut review_months = 12;
    let mut proposed = None;
    let mut report_decision = None;
    // For a program granted to persons, the applicant's own amount (the enrolment holds the others' too).
    let mut own_amount: Option<Fen> = None;
    let mut temporary_band = None;
    match (&mut action, service.kind) {
        (CaseAction::Approve { amount }, _) if service.amount_given => {
            let given = amount.map(|a| a.0).unwrap_or(0);
            let limits = temporary_limits(store, &case, today).await?;
            let band = check_amount(given, &limits, case.delegated).map_err(|e| invalid(e.zh(), e.en()))?;
            temporary_band = Some(band);
        }
        // 先行救助 is the street's own decision, paid before the file is complete: it is held to
        // the street's ceiling as a decision the street makes (an emergency part-payment may be
        // below the smallest single payment; the decision tops it up).
        (CaseAction::PayFirst { amount }, _) => {
            let limits = TemporaryLimits { minimum: None, ..temporary_limits(store, &case, today).await? };
            check_amount(amount.0, &limits, true).map_err(|e| invalid(e.zh(), e.en()))?;
        }
        (CaseAction::Approve { amount }, ServiceKind::Apply | ServiceKind::Change) => {
            let check = rules_amount(store, engine, &case, today).await?;
            // A program granted to persons is decided on the applicant's own unit.
            let own = check.units.iter().find(|u| u.unit == case.applicant.as_str());
            let eligible = if service.per_person { own.is_some_and(|u| u.eligible) } else { check.eligible() };
            if !eligible {
                return Err(invalid(
                    format!(
                        "按政策规则核算，{}不符合{}条件：{}。应作出不予批准决定并说明理由",
                        if service.per_person { "申请人" } else { "该户" },
                        check.zh,
                        unmet(&check)
                    ),
                    format!(
                        "by the rules the {} is not eligible for {}: refuse it with the reason",
                        if service.per_person { "applicant" } else { "household" },
                        check.en
                    ),
                ));
            }
            // What the survey and the check recorded against granting is answered in writing.
            let against = minzheng_domain::case::contradictions(&case.file);
            if !against.is_empty() && comment.trim().chars().count() < minzheng_domain::case::ANSWER_MIN_CHARS {
                return Err(invalid(
                    format!(
                        "按规则核算符合条件，但办件记录有不一致之处：{}。批准须在意见中逐项书面说明（至少 {} 个字），否则应不予批准",
                        against.iter().map(|(zh, _)| zh.as_str()).collect::<Vec<_>>().join("；"),
                        minzheng_domain::case::ANSWER_MIN_CHARS
                    ),
                    format!(
                        "the rules find the household eligible, but the file records: {}. Approving needs a written answer to each in the comment (at least {} characters); otherwise refuse",
                        against.iter().map(|(_, en)| en.as_str()).collect::<Vec<_>>().join("; "),
                        minzheng_domain::case::ANSWER_MIN_CHARS
                    ),
                ));
            }
            let members = store.household_members(&case.household_no).await?;
            review_months = check.review_months.max(1);
            if case.program == "dibao" {
                let counted: Vec<(u32, bool)> = members
                    .iter()
                    .filter(|m| m.status == PersonStatus::Alive)
                    .map(|m| (m.id_number.age_on(today), m.disability.is_some()))
                    .collect();
                review_months = procedure::review_months(review_months, &counted);
            }
            // A stopped enrolment is not carried on: the applicant starts a new one.
            let existing = if service.per_person {
                current_enrolment(store, &case).await.ok().filter(|e| e.status != EnrolmentStatus::Stopped)
            } else {
                None
            };
            let start = existing.as_ref().map_or_else(|| procedure::first_of_next_month(today), |e| e.start);
            if service.per_person {
                seen_members = Some(existing.as_ref().map(|e| e.members.iter().map(|m| m.id_number).collect()).unwrap_or_default());
            }
            let covered: Vec<EnrolledMember> = if service.per_person {
                // The members already enrolled stay; the applicant joins them.
                let mut c = existing.map(|e| e.members).unwrap_or_default();
                c.retain(|m| {
                    m.id_number != case.applicant && members.iter().any(|p| p.id_number == m.id_number && p.status == PersonStatus::Alive)
                });
                c.push(EnrolledMember { id_number: case.applicant, name: case.applicant_name.clone(), amount: None, end: None });
                // Each member's own amount, as the rules give it today: paid to their own card.
                for m in &mut c {
                    m.amount = check.units.iter().find(|u| u.unit == m.id_number.as_str()).map(|u| Fen(u.amount));
                }
                c
            } else {
                members
                    .iter()
                    .filter(|m| m.status == PersonStatus::Alive)
                    .filter(|m| {
                        check.unit == minzheng_policy::defs::Unit::Household
                            || check.units.iter().any(|u| u.eligible && u.unit == m.id_number.as_str())
                    })
                    .map(|m| EnrolledMember { id_number: m.id_number, name: m.name.clone(), amount: None, end: None })
                    .collect()
            };
            own_amount = own.filter(|_| service.per_person).map(|u| Fen(u.amount));
            let monthly = if service.per_person {
                covered
                    .iter()
                    .filter(|m| m.end.is_none())
                    .filter_map(|m| check.units.iter().find(|u| u.unit == m.id_number.as_str()))
                    .map(|u| u.amount)
                    .sum()
            } else {
                check.amount()
            };
            *amount = Some(Fen(monthly));
            enrolment = Some(Enrolment {
                id: 0,
                program: case.program.clone(),
                household_no: case.household_no.clone(),
                county: case.owner.clone(),
                members: covered,
                monthly_amount: Fen(monthly),
                start,
                status: EnrolmentStatus::Active,
                end: None,
            });
            explanation = serde_json::to_string(&check).ok();
        }
        (CaseAction::Approve { .. }, ServiceKind::Suspend | ServiceKind::Stop | ServiceKind::Exit) => {
            let mut current = current_enrolment(store, &case).await?;
            if service.per_person && service.kind == ServiceKind::Stop && current.members.iter().filter(|m| m.end.is_none()).count() > 1 {
                // A program granted to persons: only the applicant's part stops, from the next
                // month (kept with its end month); the others stay paid.
                seen_members = Some(current.members.iter().map(|m| m.id_number).collect());
                let leaving = current
                    .members
                    .iter()
                    .position(|m| m.id_number == case.applicant && m.end.is_none())
                    .ok_or_else(|| invalid("申请人不是该在保记录的成员", "the applicant is not a member of the enrolment"))?;
                current.members[leaving].end = Some(procedure::first_of_next_month(today));
                // The others' amounts, as the rules give each of them today.
                let check = rules_amount(store, engine, &case, today).await?;
                for m in current.members.iter_mut().filter(|m| m.end.is_none()) {
                    m.amount = check.units.iter().find(|u| u.unit == m.id_number.as_str()).map(|u| Fen(u.amount));
                }
                current.monthly_amount =
                    Fen(current.members.iter().filter(|m| m.end.is_none()).filter_map(|m| m.amount).map(|a| a.0).sum());
                enrolment = Some(current);
            } else {
                let next = procedure::first_of_next_month(today);
                // 停保 from the next month; 渐退 pays on for its six months and then ends by itself.
                let (status, end) = match service.kind {
                    ServiceKind::Suspend => (EnrolmentStatus::Suspended, current.end),
                    ServiceKind::Stop => (EnrolmentStatus::Stopped, Some(current.end.map_or(next, |e| e.min(next)))),
                    _ => (EnrolmentStatus::Active, Some(procedure::add_months(next, 6))),
                };
                enrolment = Some(Enrolment { status, end, ..current });
            }
        }
        (CaseAction::RecordCheck { per_capita_income, report: Some(rid), .. }, _) => {
            // The hand-over of a stored household check (核对报告): it must be this household's,
            // made for this application (its base date from 60 days before acceptance to today);
            // its income figure is taken as the rules counted it, and its decision is kept.
            let rid = *rid;
            let r = store
                .household_check(rid)
                .await?
                .ok_or_else(|| invalid(format!("核对报告 HC-{rid:06} 不存在"), format!("household check HC-{rid:06} does not exist")))?;
            if r.household_no != case.household_no {
                return Err(invalid(
                    format!("核对报告 HC-{rid:06} 不是本户的"),
                    format!("household check HC-{rid:06} is of another household"),
                ));
            }
            if r.on > today || r.on < case.accepted_on - chrono::Duration::days(60) {
                return Err(invalid(
                    format!("核对报告 HC-{rid:06} 的基准日 {} 不在本次申请的核对期内（受理前60天至今）", r.on),
                    format!("household check HC-{rid:06} is as of {}, outside this application (60 days before acceptance to today)", r.on),
                ));
            }
            if let Some(v) = r.figures.iter().find(|f| f.name == "income_per_capita").and_then(|f| f.value.trim().parse::<i64>().ok()) {
                *per_capita_income = Fen(v);
            }
            report_decision = r.programs.iter().find(|p| p.code == case.program).map(|p| {
                if p.eligible {
                    format!("核对报告 HC-{rid:06}：按规则符合{}", p.zh)
                } else {
                    format!("核对报告 HC-{rid:06}：按规则不符合{}（{}）", p.zh, p.unmet.join("；"))
                }
            });
        }
        (CaseAction::PublishNotice, _) if !service.amount_given => {
            // The notice shows the amount the rules give (公示金额).
            proposed = Some(Fen(rules_amount(store, engine, &case, today).await?.amount()));
        }
        _ => {}
    }
    let mut updated = procedure::apply(&case, service, who, &action, comment, today, &calendar, &limits)?;
    if proposed.is_some() {
        updated.file.proposed = proposed;
    }
    if let Some(c) = updated.file.check.as_mut().filter(|_| report_decision.is_some()) {
        c.report_decision = report_decision;
    }
    if let Some(d) = updated.file.decision.as_mut().filter(|d| d.approved) {
        d.explanation = explanation;
        d.band = temporary_band;
        match service.kind {
            ServiceKind::Apply | ServiceKind::Change if !service.amount_given => {
                d.review_on = d.start.map(|s| procedure::add_months(s, review_months))
            }
            // 渐退: paid on for at most 6 months (《最低生活保障审核确认办法》第三十三条), then ended.
            ServiceKind::Exit => d.exit_until = d.start.map(|s| procedure::add_months(s, 6)),
            _ => {}
        }
        if let Some(e) = &enrolment {
            d.amount = Some(own_amount.unwrap_or(e.monthly_amount));
        }
    }
    let event = CaseEvent {
        case_id: case.id,
        action: action.as_str().into(),
        from: case.status.as_str().into(),
        to: updated.status,
        comment: comment.trim().to_string(),
        actor: who.name.clone(),
        role: who.role.as_str().into(),
        at: chrono::Utc::now(),
    };
    let waiting = updated.waiting_for(service).map(Role::as_str);
    let write = enrolment.map(|enrolment| EnrolmentWrite { enrolment, seen_members });
    match store.act_on_case(&updated, waiting, case.version, &event, write.as_ref(), actor).await? {
        Some(stored) => Ok(stored),
        None => Err(CaseFailure::Stale),
    }
}

pub(crate) async fn current_enrolment(store: &dyn Store, case: &Case) -> Result<Enrolment, CaseFailure> {
    let members = store.household_members(&case.household_no).await?;
    let ids: Vec<IdNumber> = members.iter().map(|m| m.id_number).collect();
    store
        .enrolments_of(&ids)
        .await?
        .into_iter()
        .find(|e| e.program == case.program && e.household_no == case.household_no)
        .ok_or_else(|| invalid("该户没有可变更的在保记录", "the household has no enrolment to change"))
}
