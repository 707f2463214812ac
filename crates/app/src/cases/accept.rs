//! 受理: an application accepted at any community of the city, with its documents and the amount the rules give.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// An application as the accepting worker takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub service: String,
    pub applicant: IdNumber,
    /// Codes of the documents handed in.
    #[serde(default)]
    pub documents: Vec<String>,
    /// 工作人员近亲属 (declared by the applicant or known to the worker).
    #[serde(default)]
    pub staff_relative: bool,
    pub comment: String,
}

/// The documents an applicant must still bring: those the catalogue requires on the day, and
/// those whose shared data has nothing for this household (for the disability subsidies, a
/// disability certificate is replaced only where the registry records the disability; a 低保
/// certificate only where the household is enrolled).
pub fn documents_due(service: &Service, day: NaiveDate, has_disability: bool, has_dibao: bool) -> Vec<&minzheng_domain::case::Document> {
    service
        .documents
        .iter()
        .filter(|d| {
            !d.replaced(day)
                || match d.replaced_by.as_deref() {
                    // For the disability subsidies the certificate is the ground of the claim;
                    // elsewhere it is asked only of members who have one.
                    Some("disability") => !has_disability && service.program.starts_with("disability"),
                    Some("enrolment") => !has_dibao,
                    _ => false,
                }
        })
        .collect()
}

/// Accepts an application at the worker's community for any resident of the city (全市通办):
/// the case is owned by the applicant's hukou county and surveyed where the household lives.
/// Refused: a service that does not exist, documents missing, a second open case of the program
/// for the household, a new application for an enrolled household (or a change for one that
/// is not enrolled).
pub async fn accept(store: &dyn Store, catalogue: &Catalogue, cx: &RequestContext<'_>, app: &Application) -> Result<Case, CaseFailure> {
    let actor = cx.actor;
    // The reason a refusal withheld from a worker outside the owning county, for the record.
    let attempt = Attempt { withheld_reason: std::sync::Mutex::new(None), documents_only: false };
    let result = accept_unaudited(store, catalogue, cx, app, &attempt)
        .await
        .and_then(|c| c.ok_or_else(|| invalid("受理未完成", "the application was not accepted")));
    // Every refusal is recorded with its reason: what a refusal tells (enrolled, documents)
    // is personal data, and trying one number against each service must leave a trace.
    if let Err(e) = &result {
        record_refusal(store, actor, app, "accept", &attempt, e).await?;
    }
    result
}

/// Records a refusal of the acceptance checks with its reason (the real one where the worker was
/// told less): what a refusal tells (enrolled, documents) is personal data, and trying one number
/// against each service must leave a trace. A storage failure is not a refusal.
async fn record_refusal(
    store: &dyn Store,
    actor: &Actor,
    app: &Application,
    purpose: &str,
    attempt: &Attempt,
    e: &CaseFailure,
) -> Result<(), CaseFailure> {
    if matches!(e, CaseFailure::Access(AccessError::Store(_))) {
        return Ok(());
    }
    let real = attempt.withheld_reason.lock().unwrap_or_else(|p| p.into_inner()).take();
    let told = e.en();
    let entry = match &real {
        Some(real) => {
            CaseAudit::ApplicationRefused { applicant: &app.applicant, purpose, service: &app.service, reason: real, told: Some(&told) }
        }
        None => CaseAudit::ApplicationRefused { applicant: &app.applicant, purpose, service: &app.service, reason: &told, told: None },
    };
    store.audit(actor, &[entry.entry()]).await?;
    Ok(())
}

/// One run of the acceptance checks: the reason a refusal withheld from the worker (for the
/// record), and whether only the documents are asked about (the one-time notice), nothing stored.
pub(crate) struct Attempt {
    pub(crate) withheld_reason: std::sync::Mutex<Option<String>>,
    pub(crate) documents_only: bool,
}

pub(crate) async fn accept_unaudited(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    app: &Application,
    attempt: &Attempt,
) -> Result<Option<Case>, CaseFailure> {
    let RequestContext { who, actor, today } = *cx;
    let (withheld_reason, documents_only) = (&attempt.withheld_reason, attempt.documents_only);
    if !who.may(Permission::AcceptApplications) || who.region.level() != RegionLevel::Community {
        return Err(AccessError::Forbidden.into());
    }
    let service = catalogue
        .service(app.service.trim())
        .ok_or_else(|| invalid(format!("服务事项“{}”不存在", app.service.trim()), format!("no service {:?}", app.service.trim())))?;
    if app.comment.trim().chars().count() < 4 && !documents_only {
        return Err(CaseError::NoComment.into());
    }
    let person = store.person(&app.applicant).await?.ok_or(AccessError::NotFound)?;
    let city = who.region.ancestor(RegionLevel::City).ok_or(AccessError::Forbidden)?;
    if !city.contains(&person.hukou_region) {
        return Err(invalid(
            "申请人户籍不在本市，不能通办受理",
            "the applicant's hukou is not in this city: the application cannot be accepted here",
        ));
    }
    // A worker outside the owning county and the household's community learns of the applicant only what the
    // acceptance lookup shows (name, masked number, owning county): a refusal that would tell
    // more (deceased, enrolled or not, an open case, a disability through the documents asked)
    // says instead that the owning county must look at it. The audit record keeps the reason.
    let placed = match &person.household_no {
        Some(no) => store.household(no).await?,
        None => None,
    };
    let county = person.hukou_region.ancestor(RegionLevel::County).unwrap_or_else(|| person.hukou_region.clone());
    let outsider = !county.contains(&who.region) && !placed.as_ref().is_some_and(|h| who.in_scope(&h.community));
    let county_name = store.region(&county).await?.map(|r| r.name).unwrap_or_else(|| county.to_string());
    let withheld = |zh: String, en: String| -> CaseFailure {
        if outsider {
            *withheld_reason.lock().unwrap_or_else(|p| p.into_inner()) = Some(en);
            invalid(
                format!("本社区不能受理该申请：申请人的情况须由户籍地{county_name}民政部门核实，请申请人到户籍地或居住地社区办理，或联系{county_name}民政部门"),
                format!("this community cannot accept the application: the applicant's situation must be looked at by {county_name} ({county}), where the hukou is; the applicant may apply at the community of the hukou or of residence"),
            )
        } else {
            invalid(zh, en)
        }
    };
    if person.status != PersonStatus::Alive {
        return Err(withheld(
            "申请人在人口库中不是在册状态（死亡或迁出）".into(),
            "the applicant is not living in the registry (deceased or moved out)".into(),
        ));
    }
    let household_no = person
        .household_no
        .clone()
        .ok_or_else(|| invalid("申请人没有所属家庭户，请先在人口库登记", "the applicant belongs to no household: register it first"))?;
    let household = placed.ok_or(AccessError::NotFound)?;
    let owner = person
        .hukou_region
        .ancestor(RegionLevel::County)
        .or_else(|| household.community.ancestor(RegionLevel::County))
        .ok_or(AccessError::NotFound)?;
    let members = store.household_members(&household_no).await?;
    let living: Vec<_> = members.iter().filter(|m| m.status == PersonStatus::Alive).collect();
    let enrolments = store.enrolments_of(&living.iter().map(|m| m.id_number).collect::<Vec<_>>()).await?;
    let enrolled = |program: &str| {
        enrolments.iter().any(|e| e.program == program && e.household_no == household_no && e.status != EnrolmentStatus::Stopped)
    };
    // A program granted to persons: is the applicant one of the enrolled members?
    let enrolled_self = |program: &str| {
        enrolments.iter().any(|e| {
            e.program == program
                && e.status != EnrolmentStatus::Stopped
                && e.members.iter().any(|m| m.id_number == app.applicant && m.end.is_none())
        })
    };
    let is_enrolled = |program: &str| if service.per_person { enrolled_self(program) } else { enrolled(program) };
    match service.kind {
        ServiceKind::Apply if is_enrolled(&service.program) => {
            return Err(withheld(
                format!("该户已享受{}，请办理变更而不是新申请", catalogue.program_name(&service.program, true)),
                format!("the household already receives {}: apply for a change instead", catalogue.program_name(&service.program, false)),
            ));
        }
        ServiceKind::Change | ServiceKind::Suspend | ServiceKind::Stop | ServiceKind::Exit if !is_enrolled(&service.program) => {
            return Err(withheld(
                format!("该户没有在保的{}，不能办理{}", catalogue.program_name(&service.program, true), service.kind.zh()),
                format!("the household has no {} enrolment for a {}", catalogue.program_name(&service.program, false), service.kind.en()),
            ));
        }
        _ => {}
    }
    // Outside the owning county the documents are those asked of anyone: what the household's
    // data would replace (a disability certificate, proof of 低保) would tell, by the answer,
    // whether the household has a disability or an enrolment.
    let has_disability = !outsider && (person.disability.is_some() || living.iter().any(|m| m.disability.is_some()));
    let missing: Vec<_> = documents_due(service, today, has_disability, !outsider && enrolled("dibao"))
        .into_iter()
        .filter(|d| !app.documents.iter().any(|c| c.trim() == d.code))
        .collect();
    if !missing.is_empty() {
        let names = |f: fn(&minzheng_domain::case::Document) -> &str, sep: &str| missing.iter().map(|d| f(d)).collect::<Vec<_>>().join(sep);
        return Err(CaseFailure::Missing {
            codes: missing.iter().map(|d| d.code.clone()).collect(),
            zh: format!("缺少办理要件：{}（可打印一次性告知书交申请人）", names(|d| &d.zh, "、")),
            en: format!("documents missing: {} (print the one-time notice for the applicant)", names(|d| &d.en, ", ")),
        });
    }
    if documents_only {
        return Ok(None);
    }
    let records = store.parameter_records().await?;
    let area = household.kind;
    let flag =
        minzheng_policy::params::in_force(&records, "case_approval_delegated", owner.as_str(), area, today).map(|r| r.value).unwrap_or(0);
    let calendar = calendar(store).await?;
    let child = app.applicant.age_on(today) < 18 || matches!(service.program.as_str(), "orphan" | "unsupported_child");
    let applicant = procedure::Applicant {
        id_number: app.applicant,
        name: person.name.clone(),
        household_no: household_no.clone(),
        household_size: u32::try_from(living.len()).unwrap_or(u32::MAX),
        community: household.community.clone(),
        owner,
    };
    let mut case = Case::accepted(service, applicant, who.region.clone(), today, &calendar, &TimeLimits::default());
    case.staff_relative = app.staff_relative;
    // 临时救助: the street approves directly up to its ceiling (seed 002).
    case.delegated = flag == 1 || service.amount_given;
    case.child = child;
    case.file.documents = app.documents.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
    // The whole case's limit is shorter where the street decides.
    case.set_due(service, today, &calendar, &TimeLimits::default());
    let event = CaseEvent {
        case_id: 0,
        action: "accept".into(),
        from: String::new(),
        to: CaseStatus::Accepted,
        comment: app.comment.trim().to_string(),
        actor: who.name.clone(),
        role: who.role.as_str().into(),
        at: chrono::Utc::now(),
    };
    let waiting = case.waiting_for(service).map(Role::as_str);
    case.id = match store.add_case(&case, waiting, &event, actor).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(withheld(
                format!("该户已有办理中的{}申请，不能重复申请", service.zh),
                format!("the household already has an open case of {}", service.en),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Some(case))
}

/// 一次性告知书: what the application still lacks, worked out as acceptance would (the
/// catalogue on the day, what shared data replaces for this household, what was brought), with
/// the applicant's name; refused as acceptance would be for anything else. Audited as a look-up.
pub async fn missing_documents(
    store: &dyn Store,
    catalogue: &Catalogue,
    cx: &RequestContext<'_>,
    app: &Application,
) -> Result<(Vec<String>, String), CaseFailure> {
    let actor = cx.actor;
    let attempt = Attempt { withheld_reason: std::sync::Mutex::new(None), documents_only: true };
    let missing = match accept_unaudited(store, catalogue, cx, app, &attempt).await {
        Ok(_) => Vec::new(),
        Err(CaseFailure::Missing { codes, .. }) => codes,
        Err(e) => {
            // Refused as acceptance would be, and recorded as acceptance records it: asking about
            // one number after another leaves a trace.
            record_refusal(store, actor, app, "one_time_notice", &attempt, &e).await?;
            return Err(e);
        }
    };
    let name = store.person(&app.applicant).await?.map(|p| p.name).unwrap_or_default();
    store
        .audit(actor, &[CaseAudit::DocumentsLookedUp { applicant: &app.applicant, service: &app.service, missing: &missing }.entry()])
        .await?;
    Ok((missing, name))
}

/// What the policy engine says of the case's program for the household on a day.
pub(crate) async fn rules_amount(store: &dyn Store, engine: &Engine, case: &Case, on: NaiveDate) -> Result<ProgramCheck, CaseFailure> {
    let household = store.household(&case.household_no).await?.ok_or(AccessError::NotFound)?;
    let snapshot = crate::policy::household_snapshot(store, &household).await?;
    let records = store.parameter_records().await?;
    let check = engine
        .check(&snapshot, &records, on)
        .await
        .map_err(|e| invalid(format!("核算引擎错误：{e}"), format!("policy engine error: {e}")))?
        .ok_or_else(|| invalid("该户没有在册成员，无法核算", "the household has no living members to check"))?;
    check.programs.into_iter().find(|p| p.code == case.program).ok_or_else(|| {
        invalid(format!("政策文件中没有项目“{}”", case.program), format!("no program {:?} in the policy files", case.program))
    })
}

pub(crate) fn unmet(check: &ProgramCheck) -> String {
    let mut out: Vec<String> = check.units.iter().flat_map(|u| u.steps.iter().filter(|s| !s.met).map(|s| s.zh.clone())).collect();
    out.dedup();
    out.join("；")
}

/// The limits of 临时救助 for a case on a day: the household's 低保 standard, the smallest single
/// payment and the street's and county's ceilings (`minzheng_domain::temporary`).
pub(crate) async fn temporary_limits(store: &dyn Store, case: &Case, on: NaiveDate) -> Result<TemporaryLimits, CaseFailure> {
    let records = store.parameter_records().await?;
    let area: Area = store.household(&case.household_no).await?.map(|h| h.kind).unwrap_or(Area::Urban);
    let county = case.owner.as_str();
    let value = |name: &str| minzheng_policy::params::in_force(&records, name, county, area, on).map(|r| r.value);
    // The bands are multiples of the standard: without one in force nothing can be placed.
    let standard = value("dibao_standard").filter(|s| *s > 0).ok_or_else(|| {
        invalid(
            format!("{} 在 {on} 没有生效的低保标准，无法确定临时救助的审批档次", case.owner),
            format!("no 低保 standard is in force in {} on {on}: the bands of temporary assistance cannot be placed", case.owner),
        )
    })?;
    Ok(TemporaryLimits {
        standard,
        minimum: value("linshi_minimum"),
        street_permille: value("linshi_street_ceiling_permille"),
        county_permille: value("linshi_county_ceiling_permille"),
    })
}
