//! 能力评估 pages and forms: the 26 items, the level and its adjustments, recorded by an assessor.

#[allow(unused_imports)]
use super::*;

pub(in crate::eldercare) struct ItemField {
    index: usize,
    code: &'static str,
    name: &'static str,
    options: Vec<(u8, &'static str, bool)>,
}

pub(in crate::eldercare) struct DimensionFields {
    name: &'static str,
    items: Vec<ItemField>,
}

#[derive(Template)]
#[template(path = "eldercare_assess.html")]
pub(in crate::eldercare) struct AssessPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    id_number: String,
    person: String,
    assessed_on: String,
    assessor: String,
    organisation: String,
    reasons: Vec<Choice>,
    dimensions: Vec<DimensionFields>,
    coma: bool,
    dementia: bool,
    mental_disorder: bool,
    risk_events: String,
    error: Option<String>,
}

fn assess_page(who: &Authenticated, form: &HashMap<String, String>, person: String, error: Option<String>) -> Result<Response, AppError> {
    let lang = who.lang;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| DimensionFields {
            name: pick(lang, d.zh(), d.en()),
            items: ITEMS
                .iter()
                .enumerate()
                .filter(|(_, i)| i.dimension == *d)
                .map(|(n, item)| {
                    let chosen = form.get(&format!("s{n}")).and_then(|v| v.parse::<u8>().ok());
                    ItemField {
                        index: n,
                        code: item.code,
                        name: pick(lang, item.zh, item.en),
                        options: item
                            .scale
                            .iter()
                            .zip(item.scale_en)
                            .enumerate()
                            .map(|(k, (zh, en))| {
                                let score = item.max() - k as u8;
                                (score, pick(lang, zh, en), chosen == Some(score))
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let reason = get("reason");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = AssessPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        id_number: get("id_number"),
        person,
        assessed_on: get("assessed_on"),
        assessor: get("assessor"),
        organisation: get("organisation"),
        reasons: Reason::ALL
            .iter()
            .map(|r| Choice { code: r.as_str(), label: pick(lang, r.zh(), r.en()), selected: r.as_str() == reason })
            .collect(),
        dimensions,
        coma: form.contains_key("coma"),
        dementia: form.contains_key("dementia"),
        mental_disorder: form.contains_key("mental_disorder"),
        risk_events: get("risk_events"),
        error,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
pub(in crate::eldercare) struct PersonParam {
    person: Option<String>,
}

pub(in crate::eldercare) async fn assess_form(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<PersonParam>,
) -> Result<Response, AppError> {
    let mut form = HashMap::new();
    form.insert("assessed_on".to_string(), s.clock.today().to_string());
    form.insert("reason".to_string(), "first".to_string());
    let mut person = String::new();
    if let Some(id) = q.person.filter(|p| !p.trim().is_empty()) {
        // Earlier assessments decide the reason (first or routine) and name the person.
        let earlier = service::assessments_of(s.store.as_ref(), &who.principal, &id).await?;
        if let Some(a) = earlier.first() {
            person = a.name.clone();
            form.insert("reason".to_string(), "routine".to_string());
        } else if let Ok(idn) = minzheng_domain::IdNumber::parse(id.trim()) {
            person = s.store.person(&idn).await.ok().flatten().map(|p| p.name).unwrap_or_default();
        }
        form.insert("id_number".to_string(), id.trim().to_string());
    }
    assess_page(&who, &form, person, None)
}

/// The name of the resident an ID number names, when they live within the account's region (to
/// head the form again).
async fn name_of(s: &AppState, who: &Authenticated, id_number: &str) -> String {
    let Ok(id) = minzheng_domain::IdNumber::parse(id_number.trim()) else { return String::new() };
    match s.store.person_placed(&id).await {
        Ok(Some((p, Some(c)))) if who.principal.in_scope(&c) => p.name,
        _ => String::new(),
    }
}

pub(in crate::eldercare) async fn form_assess(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.get("csrf").map(String::as_str)).await?;
    let lang = who.lang;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let name = name_of(&s, &who, &get("id_number")).await;
    let Some(assessed_on) = day_of(&get("assessed_on")) else {
        return assess_page(&who, &f, name.clone(), Some(bad_date(lang, "评估日期", "assessment date", &get("assessed_on"))));
    };
    let mut scores = Vec::with_capacity(ITEMS.len());
    for (n, item) in ITEMS.iter().enumerate() {
        match get(&format!("s{n}")).trim().parse::<u8>() {
            Ok(v) => scores.push(v),
            Err(_) => {
                let msg = match lang {
                    Lang::Zh => format!("请为{}“{}”选择评分", item.code, item.zh),
                    Lang::En => format!("choose a score for {} ({})", item.code, item.en),
                };
                return assess_page(&who, &f, name.clone(), Some(msg));
            }
        }
    }
    let risk_events = match get("risk_events").trim() {
        "" => 0,
        n => match n.parse::<u8>() {
            Ok(n) => n,
            Err(_) => {
                let msg = pick(lang, "近30天照护风险事件次数应为整数", "care-risk events: a whole number").to_string();
                return assess_page(&who, &f, name.clone(), Some(msg));
            }
        },
    };
    let new = NewAssessment {
        id_number: get("id_number"),
        assessed_on,
        reason: Reason::parse(&get("reason")).unwrap_or(Reason::First),
        assessor: get("assessor"),
        organisation: get("organisation"),
        answers: Answers {
            scores,
            coma: f.contains_key("coma"),
            dementia: f.contains_key("dementia"),
            mental_disorder: f.contains_key("mental_disorder"),
            risk_events,
        },
    };
    match service::record_assessment(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), new).await {
        Ok(r) => {
            let mut to = format!("/eldercare/assessments/{}", r.assessment.id);
            match (&r.change, &r.change_failed) {
                (Some(ChangeOpened::Opened { case_id }), _) => to.push_str(&format!("?case={case_id}")),
                (Some(ChangeOpened::AlreadyOpen), _) => to.push_str("?case_open=1"),
                // No change service to open, or it failed: staff open it by hand.
                (Some(ChangeOpened::NoChangeService), _) | (None, Some(_)) => to.push_str("?case_failed=1"),
                (None, None) => {}
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if e.is_input() => assess_page(&who, &f, name.clone(), Some(both(lang, &e))),
        Err(e) => Err(e.into()),
    }
}

pub(in crate::eldercare) struct ScoreRow {
    code: &'static str,
    name: &'static str,
    score: u8,
    max: u8,
    meaning: &'static str,
}

pub(in crate::eldercare) struct SubtotalRow {
    name: &'static str,
    score: u8,
    max: u8,
    items: Vec<ScoreRow>,
}

pub(in crate::eldercare) struct HistoryRow {
    id: i64,
    assessed_on: String,
    reason: &'static str,
    total: u8,
    level: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "eldercare_assessment.html")]
pub(in crate::eldercare) struct AssessmentPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    a: AssessmentRecord,
    reason: &'static str,
    subtotals: Vec<SubtotalRow>,
    preliminary: &'static str,
    level: &'static str,
    adjustments: Vec<String>,
    activities: Vec<(&'static str, bool)>,
    self_care: &'static str,
    next_routine: String,
    recorded_by: String,
    history: Vec<HistoryRow>,
    case: Option<i64>,
    case_failed: bool,
    already_open: bool,
    may_assess: bool,
}

#[derive(Deserialize, Default)]
pub(in crate::eldercare) struct CaseParam {
    case: Option<i64>,
    /// The care band changed but the change case could not be opened.
    case_failed: Option<String>,
    /// The care band changed and a change case of the household was already open.
    case_open: Option<String>,
}

pub(in crate::eldercare) async fn assessment_page(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Query(q): Query<CaseParam>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let (a, history) = service::assessment(s.store.as_ref(), &who.principal, id).await?;
    let subtotals = Dimension::ALL
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let items: Vec<ScoreRow> = ITEMS
                .iter()
                .zip(&a.answers.scores)
                .filter(|(i, _)| i.dimension == *dim)
                .map(|(i, &score)| ScoreRow {
                    code: i.code,
                    name: pick(lang, i.zh, i.en),
                    score,
                    max: i.max(),
                    meaning: {
                        let k = usize::from(i.max() - score.min(i.max()));
                        pick(lang, i.scale.get(k).copied().unwrap_or(""), i.scale_en.get(k).copied().unwrap_or(""))
                    },
                })
                .collect();
            SubtotalRow {
                name: pick(lang, dim.zh(), dim.en()),
                score: a.outcome.subtotals[d],
                max: items.iter().map(|i| i.max).sum(),
                items,
            }
        })
        .collect();
    let failed_activity = |items: &[usize]| items.iter().any(|&i| a.answers.scores.get(i).is_some_and(|&s| s <= 1));
    let page = AssessmentPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(&who)),
        reason: pick(lang, a.reason.zh(), a.reason.en()),
        subtotals,
        preliminary: pick(lang, a.outcome.preliminary.zh(), a.outcome.preliminary.en()),
        level: pick(lang, a.outcome.level.zh(), a.outcome.level.en()),
        adjustments: a.outcome.adjustments.iter().map(|x| if lang == Lang::En { x.en() } else { x.zh() }).collect(),
        activities: TEKUN_ACTIVITIES.iter().map(|(zh, en, items)| (pick(lang, zh, en), failed_activity(items))).collect(),
        self_care: pick(
            lang,
            crate::eldercare::assessment::self_care_zh(a.outcome.self_care_failed),
            crate::eldercare::assessment::self_care_en(a.outcome.self_care_failed),
        ),
        next_routine: service::next_routine(&a).to_string(),
        recorded_by: crate::pages::person(&s, &a.recorded_by),
        history: history
            .iter()
            .map(|h| HistoryRow {
                id: h.id,
                assessed_on: h.assessed_on.to_string(),
                reason: pick(lang, h.reason.zh(), h.reason.en()),
                total: h.outcome.total,
                level: pick(lang, h.outcome.level.zh(), h.outcome.level.en()),
                current: h.id == a.id,
            })
            .collect(),
        case: q.case,
        case_failed: q.case_failed.is_some(),
        already_open: q.case_open.is_some(),
        may_assess: who.principal.may(Permission::AssessAbility),
        a,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /eldercare/assessments?person=`: a person's assessments (the newest shown), or the form
/// to find one.
pub(in crate::eldercare) async fn assessments(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<PersonParam>,
) -> Result<Response, AppError> {
    match q.person.filter(|p| !p.trim().is_empty()) {
        Some(id) => match service::assessments_of(s.store.as_ref(), &who.principal, &id).await?.first() {
            Some(a) => Ok(Redirect::to(&format!("/eldercare/assessments/{}", a.id)).into_response()),
            None if who.principal.may(Permission::AssessAbility) => {
                Ok(Redirect::to(&format!("/eldercare/assessments/new?person={}", id.trim())).into_response())
            }
            None => {
                Err(AppError::new(StatusCode::NOT_FOUND, "not_found", "此人尚无能力评估记录", "no ability assessment of this person yet"))
            }
        },
        None => Ok(Redirect::to("/eldercare").into_response()),
    }
}
