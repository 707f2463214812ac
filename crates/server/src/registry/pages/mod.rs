//! The registry's pages: the residents of a region, a household, numbers shown with a reason.

use crate::auth::Authenticated;
use crate::i18n::{Lang, Text};
use crate::platform::pages::{beijing_time, program_name, refusal, render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use minzheng_app::registry::{self, AccessError, PersonView};
use minzheng_domain::{Bilingual, Household};
use minzheng_store::PersonQuery;
use serde::Deserialize;

mod chain;
use chain::*;
/// A person as a row of the list.
pub(crate) struct Row {
    pub name: String,
    pub id: String,
    pub sex: &'static str,
    pub birth: String,
    pub relation: &'static str,
    pub status: &'static str,
    pub household_no: String,
    pub tags: String,
}

impl Row {
    fn of(p: &PersonView, lang: Lang) -> Row {
        let zh = lang == Lang::Zh;
        Row {
            name: p.name.clone(),
            id: p.id_number.clone(),
            sex: if zh { p.sex.zh() } else { p.sex.as_str() },
            birth: p.birth_date.to_string(),
            relation: if zh { p.relation.zh() } else { p.relation.as_str() },
            status: if zh { p.status.zh() } else { p.status.code() },
            household_no: p.household_no.clone().unwrap_or_default(),
            tags: p.tags.join(if zh { "、" } else { ", " }),
        }
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
pub(crate) struct ResidentsPage {
    t: &'static Text,
    user: Option<UserBar>,
    region: String,
    region_name: String,
    name: String,
    rows: Vec<Row>,
    next: Option<String>,
    /// How many residents the search holds (共 N 条).
    total: Option<u64>,
    error: Option<String>,
    /// The role may export the residents (导出Excel).
    may_export: bool,
}

#[derive(Deserialize)]
pub(crate) struct Params {
    region: Option<String>,
    name: Option<String>,
    after: Option<String>,
}

pub(crate) async fn residents(State(s): State<AppState>, who: Authenticated, Query(p): Query<Params>) -> Result<Response, AppError> {
    let region_text = p.region.unwrap_or_default().trim().to_string();
    let region_text = if region_text.is_empty() { who.principal.region.to_string() } else { region_text };
    let name = p.name.unwrap_or_default().trim().to_string();
    let mut page = ResidentsPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        region: region_text.clone(),
        region_name: String::new(),
        name: name.clone(),
        rows: vec![],
        next: None,
        total: None,
        error: None,
        may_export: who.principal.may(minzheng_domain::Permission::ExportRegistry),
    };
    // An ID number in the search box: that resident, wherever in the account's region.
    if let Ok(id) = minzheng_domain::IdNumber::parse(&name) {
        match registry::person(s.store.as_ref(), &who.cx(s.clock.today()), &id).await {
            Ok(p) => page.rows = vec![Row::of(&p, who.lang)],
            Err(AccessError::NotFound) => {
                page.error = Some(if who.lang == Lang::Zh {
                    "没有该身份证号的居民".into()
                } else {
                    "no resident has this ID number".into()
                });
            }
            Err(e) => {
                page.error = Some(refusal(e, who.lang)?);
                return Ok((axum::http::StatusCode::FORBIDDEN, render(&page)?).into_response());
            }
        }
        return Ok(render(&page)?.into_response());
    }
    // The region by its code or its name (浑南区, 文欣社区).
    let region = match crate::platform::api::region_named(&s, &who.principal, &region_text) {
        Ok(c) => c,
        Err(e) => {
            page.error = Some(if who.lang == Lang::Zh { e.zh } else { e.en });
            return Ok((axum::http::StatusCode::BAD_REQUEST, render(&page)?).into_response());
        }
    };
    page.region = region.to_string();
    match s.store.region(&region).await? {
        Some(r) => page.region_name = r.name,
        None => {
            page.error = Some(if who.lang == Lang::Zh { format!("区划{region}不存在") } else { format!("region {region} not found") });
            return Ok(render(&page)?.into_response());
        }
    }
    let query = PersonQuery { region: Some(region), name: (!name.is_empty()).then_some(name), tag: None, after: p.after, limit: 50 };
    let counted = query.clone();
    match registry::search_persons(s.store.as_ref(), &who.cx(s.clock.today()), query).await {
        Ok(result) => {
            page.total = Some(registry::count_persons(s.store.as_ref(), &who.principal, counted).await?);
            page.rows = result.items.iter().map(|p| Row::of(p, who.lang)).collect();
            page.next = result.next;
            Ok(render(&page)?.into_response())
        }
        Err(e) => {
            // A page link from before a restart asks to start the list again, in the page.
            let status =
                if matches!(e, AccessError::StaleCursor) { axum::http::StatusCode::BAD_REQUEST } else { axum::http::StatusCode::FORBIDDEN };
            page.error = Some(refusal(e, who.lang)?);
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "household.html")]
pub(crate) struct HouseholdPage {
    t: &'static Text,
    user: Option<UserBar>,
    household: Household,
    community_name: String,
    kind: &'static str,
    rows: Vec<Row>,
    changes: Vec<ChangeRow>,
    /// The account sees numbers masked and may ask for them with a reason.
    may_unmask: bool,
    /// The account may check the household against the assistance programs.
    may_check: bool,
    may_verify: bool,
    /// 一户一条救助链: the household's benefits and what was paid.
    hw: &'static ChainWords,
    benefits: Vec<BenefitRow>,
    payments: Option<Vec<PaymentRow>>,
    cases: Vec<ChainRow>,
    findings: Option<Vec<ChainRow>>,
    /// 动态监测预警 and what became of each (for accounts that read them).
    warnings: Option<Vec<ChainRow>>,
    recoveries: Option<Vec<ChainRow>>,
    /// 养老服务: the members' ability assessments and residences (for accounts that read them).
    care: Option<Vec<CareRow>>,
    may_assess: bool,
    /// Deaths recorded of members (殡葬), with their cremations.
    deaths: Vec<DeathRow>,
    /// Marriages and open divorce applications of members (婚姻登记), for accounts that read them.
    marriages: Vec<MarriageLine>,
    /// 法定义务人（不在本户）: members who could be 特困, with what the survey recorded.
    supporters: Vec<SupporterRow>,
    /// The account records the survey's findings (handles cases).
    may_survey: bool,
    /// A supporters form sent back, as typed, with why.
    retry: Option<SupportersRetry>,
}

/// A member who could be 特困 (60 or older, under 18, or disabled) and what the home survey
/// recorded of their legal supporters living elsewhere (《特困人员认定办法》第十条).
pub(crate) struct SupporterRow {
    index: usize,
    name: String,
    recorded: String,
    /// The form's values: as typed when it came back, else empty and today.
    able: String,
    since: String,
    source: String,
}

/// The supporters form as typed, sent back with the reason it was not recorded.
pub(crate) struct SupportersRetry {
    member: usize,
    able: String,
    since: String,
    source: String,
    pub(crate) error: String,
}

#[derive(Deserialize)]
pub(crate) struct SupportersForm {
    csrf: Option<String>,
    member: usize,
    /// The member's name as the page showed it: the record is for that member only.
    #[serde(default)]
    name: String,
    able: String,
    since: String,
    #[serde(default)]
    source: String,
}

/// A member's marriage or divorce application, as one line (with a link when its office is in
/// the account's region).
pub(crate) struct MarriageLine {
    href: Option<String>,
    text: String,
}

/// A member's death as the funeral records know it.
pub(crate) struct DeathRow {
    id: i64,
    name: String,
    died_on: String,
    cremation: Option<String>,
}

/// A member as elderly care knows them.
pub(crate) struct CareRow {
    name: String,
    /// For the assessment link, shown only to the roles that assess (who see numbers in full).
    id_number: String,
    level: String,
    assessment: Option<i64>,
    assessed_on: String,
    self_care: &'static str,
    residence: String,
}

/// A case, finding or recovery of the household, as one line with a link.
pub(crate) struct ChainRow {
    href: String,
    what: String,
    status: String,
    detail: String,
}

/// The words of the household's assistance chain.
pub(crate) struct ChainWords {
    pub benefits: &'static str,
    pub no_benefits: &'static str,
    pub program: &'static str,
    pub status: &'static str,
    pub monthly: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub members: &'static str,
    pub payments: &'static str,
    pub no_payments: &'static str,
    pub month: &'static str,
    pub payee: &'static str,
    pub net: &'static str,
    pub note: &'static str,
    pub result: &'static str,
    pub cases: &'static str,
    pub no_cases: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub recoveries: &'static str,
    pub no_recoveries: &'static str,
}

const CHAIN_ZH: ChainWords = ChainWords {
    benefits: "享受救助",
    no_benefits: "该户没有在保记录",
    program: "保障项目",
    status: "状态",
    monthly: "月保障金额（元）",
    since: "起始月份",
    until: "停发月份",
    members: "保障成员",
    payments: "发放记录",
    no_payments: "暂无发放记录",
    month: "发放月份",
    payee: "收款人",
    net: "实发（元）",
    note: "说明",
    result: "银行结果",
    cases: "办件",
    no_cases: "暂无办件",
    findings: "比对疑点",
    no_findings: "暂无疑点",
    recoveries: "追回",
    no_recoveries: "暂无追回",
};

const CHAIN_EN: ChainWords = ChainWords {
    benefits: "Benefits",
    no_benefits: "The household has no enrolment",
    program: "Program",
    status: "Status",
    monthly: "Monthly (yuan)",
    since: "From",
    until: "Not paid from",
    members: "Members covered",
    payments: "Payments",
    no_payments: "No payments yet",
    month: "Month",
    payee: "Payee",
    net: "Paid (yuan)",
    note: "Explanation",
    result: "Bank result",
    cases: "Cases",
    no_cases: "No cases",
    findings: "Findings",
    no_findings: "No findings",
    recoveries: "Recoveries",
    no_recoveries: "No recoveries",
};

pub(crate) struct BenefitRow {
    program: String,
    status: String,
    stopped: bool,
    monthly: String,
    since: String,
    until: String,
    members: String,
}

pub(crate) struct PaymentRow {
    payroll_id: i64,
    month: String,
    program: String,
    payee: String,
    net: String,
    note: String,
    result: String,
}

pub(crate) struct ChangeRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub fields: String,
}

pub(crate) async fn household(State(s): State<AppState>, who: Authenticated, Path(no): Path<String>) -> Result<Response, AppError> {
    household_page(&s, &who, &no, None).await
}

/// The household page, with a supporters form sent back when there is one.
async fn household_page(s: &AppState, who: &Authenticated, no: &str, retry: Option<SupportersRetry>) -> Result<Response, AppError> {
    let s = s.clone();
    let (household, members) = registry::household(s.store.as_ref(), &who.cx(s.clock.today()), no).await?;
    let community_name = s.communities.name(&household.community).unwrap_or("").to_string();
    let kind = if who.lang == Lang::Zh { household.kind.zh() } else { household.kind.as_str() };
    let changes = registry::household_changes(s.store.as_ref(), &who.principal, &household)
        .await?
        .into_iter()
        .map(|c| ChangeRow {
            at: beijing_time(c.at),
            actor: c.actor,
            // 户 / 人员 王芳 as the registry's history words them; in English, household / person.
            what: match (who.lang, c.what.strip_prefix("人员")) {
                (Lang::En, Some(name)) => format!("person{name}"),
                (Lang::En, None) if c.what == "户" => "household".into(),
                _ => c.what,
            },
            fields: c
                .fields
                .iter()
                .map(|(k, b, a)| {
                    let zh = who.lang == Lang::Zh;
                    let t = who.lang.text();
                    format!("{}{}{} → {}", field_label(k, zh), t.colon, field_value(&s, k, b, zh), field_value(&s, k, a, zh))
                })
                .collect::<Vec<_>>()
                .join(if who.lang == Lang::Zh { "；" } else { "; " }),
        })
        .collect();
    let rows = members.iter().map(|p| Row::of(p, who.lang)).collect();
    let may_unmask = !who.principal.role.sees_full_identity();
    let may_check = who.principal.may(minzheng_domain::Permission::CheckEligibility);
    let may_verify = who.principal.may(minzheng_domain::Permission::VerifyHouseholds);
    let (benefits, payments) = chain(&s, who, &household).await?;
    let (cases, findings, recoveries) = chain_records(&s, who, &household).await?;
    let full = s.store.household_members(&household.household_no).await?;
    let lang = who.lang;
    let care =
        crate::eldercare::service::household_care(s.store.as_ref(), &who.principal, &full, s.clock.today()).await?.map(|lines| {
            use crate::eldercare::assessment::{self_care_en, self_care_zh};
            lines
                .into_iter()
                .map(|c| CareRow {
                    name: c.person.name.clone(),
                    id_number: c.person.id_number.to_string(),
                    level: c
                        .assessment
                        .as_ref()
                        .map(|a| {
                            let l = a.outcome.level;
                            if lang == Lang::En {
                                l.en().to_string()
                            } else {
                                l.zh().to_string()
                            }
                        })
                        .unwrap_or_default(),
                    assessment: c.assessment.as_ref().map(|a| a.id),
                    assessed_on: c.assessment.as_ref().map(|a| a.assessed_on.to_string()).unwrap_or_default(),
                    self_care: c
                        .assessment
                        .as_ref()
                        .map(|a| {
                            if lang == Lang::En {
                                self_care_en(a.outcome.self_care_failed)
                            } else {
                                self_care_zh(a.outcome.self_care_failed)
                            }
                        })
                        .unwrap_or(""),
                    residence: c
                        .residence
                        .map(|(r, name)| {
                            let concentrated = match (r.concentrated, lang) {
                                (false, _) => "",
                                (true, Lang::Zh) => "（特困集中供养）",
                                (true, Lang::En) => " (特困 concentrated support)",
                            };
                            match lang {
                                Lang::Zh => format!("{name}，{}入住{concentrated}", r.admitted_on),
                                Lang::En => format!("{name}, since {}{concentrated}", r.admitted_on),
                            }
                        })
                        .unwrap_or_default(),
                })
                .collect()
        });
    let deaths = crate::funeral::service::household_deaths(s.store.as_ref(), &who.principal, &full)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|(d, c)| DeathRow {
            id: d.id,
            name: d.name,
            died_on: d.died_on.to_string(),
            cremation: c.map(|c| match lang {
                Lang::Zh => format!("{} 火化（{}），{}", c.report.cremated_on, c.certificate_no, c.report.ashes.zh()),
                Lang::En => format!("cremated {} ({}), {}", c.report.cremated_on, c.certificate_no, c.report.ashes.en()),
            }),
        })
        .collect();
    let marriages = marriage_lines(&s, who, &full).await?;
    let warnings = household_warnings(&s, who, &household).await?;
    let today = s.clock.today();
    let ids: Vec<minzheng_domain::IdNumber> = full.iter().map(|p| p.id_number).collect();
    let recorded = s.store.person_facts(minzheng_domain::PersonFact::ABLE_SUPPORTERS_ELSEWHERE, Some(&ids)).await?;
    let supporters = full
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let age = minzheng_domain::id::age_on(p.birth_date, today);
            p.status == minzheng_domain::PersonStatus::Alive && (!(18..60).contains(&age) || p.disability.is_some())
        })
        .map(|(index, p)| SupporterRow {
            index,
            name: members.get(index).map(|m| m.name.clone()).unwrap_or_default(),
            able: retry.as_ref().filter(|r| r.member == index).map(|r| r.able.clone()).unwrap_or_default(),
            since: retry.as_ref().filter(|r| r.member == index).map_or_else(|| today.to_string(), |r| r.since.clone()),
            source: retry.as_ref().filter(|r| r.member == index).map(|r| r.source.clone()).unwrap_or_default(),
            recorded: match (recorded.iter().find(|f| f.id_number == p.id_number), lang) {
                (None, Lang::Zh) => "未记录".into(),
                (None, Lang::En) => "not recorded".into(),
                (Some(f), Lang::Zh) => format!("有履行能力的 {} 人 · {} 起 · {}", f.value, f.since, f.source),
                (Some(f), Lang::En) => format!("{} able · from {} · {}", f.value, f.since, f.source),
            },
        })
        .collect();
    Ok(render(&HouseholdPage {
        t: who.lang.text(),
        user: Some(UserBar::of(who)),
        household,
        community_name,
        kind,
        rows,
        changes,
        may_unmask,
        may_check,
        may_verify,
        hw: if who.lang == Lang::En { &CHAIN_EN } else { &CHAIN_ZH },
        benefits,
        payments,
        cases,
        findings,
        warnings,
        recoveries,
        care,
        may_assess: who.principal.may(minzheng_domain::Permission::AssessAbility),
        deaths,
        marriages,
        supporters,
        may_survey: who.principal.may(minzheng_domain::Permission::HandleCases),
        retry,
    })?
    .into_response())
}

/// 入户调查: records the legal supporters living elsewhere whom the survey found able, for a
/// member of the household; a value that cannot be read comes back on the page, as typed.
pub(crate) async fn record_supporters(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    axum::Form(f): axum::Form<SupportersForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let today = s.clock.today();
    let able = f.able.trim().parse::<u32>().ok().filter(|n| *n <= 20);
    let since = chrono::NaiveDate::parse_from_str(f.since.trim(), "%Y-%m-%d").ok().filter(|d| *d <= today);
    let error = match (able, since) {
        (None, _) => Some(("人数应为 0 到 20 的整数", "the number must be a whole number from 0 to 20")),
        (_, None) => Some(("日期应为 2026-12-01 这样的格式，且不晚于今天", "the date must look like 2026-12-01 and not be after today")),
        _ => None,
    };
    // The household page again, the form as typed, with why it was not recorded.
    let sent_back = |status: axum::http::StatusCode, (zh, en): (&str, &str), f: SupportersForm| {
        let retry = SupportersRetry {
            member: f.member,
            able: f.able,
            since: f.since,
            source: f.source,
            error: if who.lang == Lang::En { en.to_string() } else { zh.to_string() },
        };
        let (s, who, no) = (&s, &who, &no);
        async move {
            let mut page = household_page(s, who, no, Some(retry)).await?;
            *page.status_mut() = status;
            Ok::<Response, AppError>(page)
        }
    };
    let (Some(able), Some(since), None) = (able, since, error) else {
        return sent_back(axum::http::StatusCode::UNPROCESSABLE_ENTITY, error.unwrap_or_default(), f).await;
    };
    let outcome = registry::record_member_supporters_elsewhere(
        s.store.as_ref(),
        &who.cx(s.clock.today()),
        &no,
        f.member,
        &f.name,
        able,
        since,
        &f.source,
    )
    .await;
    let (zh, en) = match outcome {
        Err(AccessError::NotFound) => return Err(AppError::not_found("成员", "member")),
        Err(e) => return Err(e.into()),
        Ok(registry::SurveyRecorded::Held) => {
            return Ok(axum::response::Redirect::to(&format!("/households/{no}#supporters")).into_response())
        }
        Ok(registry::SurveyRecorded::Older) => (
            "已有日期更晚的入户调查记录，本次结果已记入审计日志，未改变现有记录",
            "a survey finding of a later date is held: this one is in the audit log and changes nothing",
        ),
        Ok(registry::SurveyRecorded::MemberChanged) => (
            "该户成员已有变动，未记录；请按刷新后的页面重新填写",
            "the household's members have changed: nothing recorded; fill in the reloaded page",
        ),
    };
    sent_back(axum::http::StatusCode::CONFLICT, (zh, en), f).await
}

#[derive(Deserialize)]
pub(crate) struct UnmaskForm {
    csrf: Option<String>,
    member: usize,
    reason: String,
}

#[derive(Template)]
#[template(path = "unmasked.html")]
pub(crate) struct UnmaskedPage {
    t: &'static Text,
    user: Option<UserBar>,
    household_no: String,
    name: String,
    id_number: String,
    phone: String,
}

/// The household page's "show full numbers" form: one member, with a reason (audited).
pub(crate) async fn unmask_member(
    State(s): State<AppState>,
    who: Authenticated,
    Path(no): Path<String>,
    axum::Form(f): axum::Form<UnmaskForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let shown = match registry::unmask_member(s.store.as_ref(), &who.cx(s.clock.today()), &no, f.member, &f.reason).await {
        Err(AccessError::NotFound) => return Err(AppError::not_found("成员", "member")),
        other => other?,
    };
    let page = UnmaskedPage {
        t: who.lang.text(),
        user: Some(UserBar::of(&who)),
        household_no: no,
        name: shown.name,
        id_number: shown.id_number,
        phone: shown.phone.unwrap_or_default(),
    };
    Ok(render(&page)?.into_response())
}

/// A registry field as the change history names it.
fn field_label(key: &str, zh: bool) -> String {
    let (z, e) = match key {
        "name" => ("姓名", "name"),
        "sex" => ("性别", "sex"),
        "birth_date" => ("出生日期", "date of birth"),
        "status" => ("人员状态", "status"),
        "disability" => ("残疾情况", "disability"),
        "hukou_region" => ("户籍地", "hukou"),
        "relation" => ("与户主关系", "relation to the head"),
        "phone" => ("联系电话", "phone"),
        "household_no" => ("户编号", "household"),
        "tags" => ("标签", "tags"),
        "address" => ("地址", "address"),
        "community" | "community_code" => ("所属社区", "community"),
        "grid" => ("网格", "grid"),
        "building" => ("楼栋", "building"),
        "kind" => ("户别", "kind"),
        "head" => ("户主", "head"),
        _ => return key.to_string(),
    };
    if zh { z } else { e }.to_string()
}

/// A stored value of a registry field (JSON) in words: 在册, 肢体残疾二级, 浑南区, 子女.
fn field_value(s: &AppState, key: &str, json: &str, zh: bool) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(json) else { return json.to_string() };
    match (key, &v) {
        (_, serde_json::Value::Null) => "—".into(),
        ("status", serde_json::Value::Object(o)) => {
            let code = o.get("status").and_then(|x| x.as_str()).unwrap_or_default();
            let date = o.get("date").and_then(|x| x.as_str()).map(|d| format!("（{d}）")).unwrap_or_default();
            let name = match (code, zh) {
                ("alive", true) => "在册",
                ("deceased", true) => "死亡",
                ("moved_out", true) => "迁出",
                (other, _) => other,
            };
            format!("{name}{date}")
        }
        ("disability", serde_json::Value::Object(o)) => {
            let category = o.get("category").and_then(|x| x.as_str()).unwrap_or_default();
            let grade = o.get("grade").map(|g| g.to_string()).unwrap_or_default();
            match minzheng_domain::DisabilityCategory::parse(category) {
                Some(c) if zh => format!("{}残疾{grade}级", c.zh()),
                _ => format!("{category} grade {grade}"),
            }
        }
        ("relation", serde_json::Value::String(r)) if zh => {
            minzheng_domain::Relation::parse(r).map_or_else(|| r.clone(), |x| x.zh().to_string())
        }
        ("sex", serde_json::Value::String(x)) if zh => match x.as_str() {
            "male" => "男".into(),
            "female" => "女".into(),
            other => other.to_string(),
        },
        (_, serde_json::Value::String(t)) => match minzheng_domain::RegionCode::parse(t) {
            Ok(c) if matches!(key, "hukou_region" | "community" | "community_code") => {
                crate::pages::region_label(s, &c, if zh { Lang::Zh } else { Lang::En })
            }
            _ => t.clone(),
        },
        (_, other) => other.to_string(),
    }
}

/// 导出Excel: the residents of a street or community as a workbook (the registry's export, with
/// its permission and audit record); a county or more is exported from the command line
/// (`minzheng export`), which shows its progress.
pub(crate) async fn export_residents(State(s): State<AppState>, who: Authenticated, Query(p): Query<Params>) -> Result<Response, AppError> {
    let text = p.region.unwrap_or_default();
    let region =
        if text.trim().is_empty() { who.principal.region.clone() } else { crate::platform::api::region_named(&s, &who.principal, &text)? };
    if region.level() < minzheng_domain::RegionLevel::Street {
        return Err(AppError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "too_large",
            "页面上可导出一个街道或社区的居民；区县及以上请使用命令 minzheng export（显示进度）",
            "a street's or a community's residents export from the page; a county or more with `minzheng export`, which shows its progress",
        )
        .on_field("region"));
    }
    let path =
        std::env::temp_dir().join(format!("minzheng-residents-{}-{}.xlsx", std::process::id(), chrono::Utc::now().timestamp_micros()));
    let written = minzheng_app::export::export(
        s.store.as_ref(),
        &who.cx(s.clock.today()),
        minzheng_app::export::What::Persons,
        Some(region.clone()),
        &path,
        minzheng_app::export::Format::Xlsx,
        &|_| {},
    )
    .await;
    let bytes = std::fs::read(&path);
    let _ = std::fs::remove_file(&path);
    match written {
        Ok(_) => {}
        Err(minzheng_app::export::ExportError::Access(e)) => return Err(e.into()),
        Err(e) => return Err(AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "export", e.zh(), e.en())),
    }
    let bytes = bytes
        .map_err(|e| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败", format!("export failed: {e}")))?;
    Ok(crate::platform::sheet::download(bytes, &format!("residents-{region}.xlsx")))
}

/// The members' marriages and open divorce applications as the marriage records know them.
async fn marriage_lines(s: &AppState, who: &Authenticated, members: &[minzheng_domain::Person]) -> Result<Vec<MarriageLine>, AppError> {
    use crate::marriage::model::DivorceStatus;
    let lang = who.lang;
    let Some((marriages, divorces)) = crate::marriage::service::household_marriages(s.store.as_ref(), &who.principal, members).await?
    else {
        return Ok(Vec::new());
    };
    let in_scope = |office: &str| minzheng_domain::RegionCode::parse(office).is_ok_and(|c| who.principal.in_scope(&c));
    let mut lines: Vec<MarriageLine> = marriages
        .iter()
        .map(|m| {
            let dissolved = match (&m.dissolved_on, lang) {
                (Some(d), Lang::Zh) => format!("，{d}离婚"),
                (Some(d), Lang::En) => format!("; divorced {d}"),
                (None, _) => String::new(),
            };
            MarriageLine {
                href: in_scope(&m.office).then(|| format!("/marriage/registrations/{}", m.id)),
                text: match lang {
                    Lang::Zh => {
                        format!("{}与{}于{}登记结婚（结婚证{}）{dissolved}", m.first.name, m.second.name, m.registered_on, m.certificate_no)
                    }
                    Lang::En => format!(
                        "{} and {} married on {} (certificate {}){dissolved}",
                        m.first.name, m.second.name, m.registered_on, m.certificate_no
                    ),
                },
            }
        })
        .collect();
    for d in divorces.iter().filter(|d| d.status == DivorceStatus::Received) {
        lines.push(MarriageLine {
            href: in_scope(&d.office).then(|| format!("/marriage/divorces/{}", d.id)),
            text: match lang {
                Lang::Zh => format!(
                    "{}与{}的离婚登记申请{}受理，冷静期至{}，{}前可申请发证",
                    d.first_name, d.second_name, d.timeline.received_on, d.timeline.cooling_ends, d.timeline.window_ends
                ),
                Lang::En => format!(
                    "divorce application of {} and {} received {}: cooling off until {}, certificate by {}",
                    d.first_name, d.second_name, d.timeline.received_on, d.timeline.cooling_ends, d.timeline.window_ends
                ),
            },
        });
    }
    Ok(lines)
}
