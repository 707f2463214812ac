//! The cases' pages: lists and queues, the acceptance form, one case with its steps and documents, the service guide.

#[allow(unused_imports)]
use super::*;
use minzheng_domain::calendar::WorkCalendar;

pub(crate) use crate::platform::pages::program_name;

pub(crate) fn service_name(s: &AppState, code: &str, lang: Lang) -> String {
    s.catalogue.service(code).map(|x| if lang == Lang::Zh { x.zh.clone() } else { x.en.clone() }).unwrap_or_else(|| code.to_string())
}

pub(crate) fn status_label(st: CaseStatus, lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        st.zh()
    } else {
        st.en()
    }
}

pub(crate) struct Row {
    pub(crate) id: i64,
    pub(crate) service: String,
    pub(crate) applicant: String,
    pub(crate) status: String,
    pub(crate) accepted_on: String,
    pub(crate) step_due: String,
    pub(crate) due: String,
    pub(crate) overdue: bool,
    /// The due date runs into a year whose holidays are not entered yet (暂定).
    pub(crate) provisional: bool,
    pub(crate) flags: String,
}

pub(crate) fn row_of(s: &AppState, c: &CaseView, lang: Lang, today: chrono::NaiveDate, cal: &WorkCalendar) -> Row {
    let mut flags = Vec::new();
    if c.staff_relative {
        flags.push(if lang == Lang::Zh { "工作人员近亲属" } else { "staff relative" });
    }
    if c.delegated {
        flags.push(if lang == Lang::Zh { "街道审批" } else { "street decides" });
    }
    if c.extended {
        flags.push(if lang == Lang::Zh { "已延期" } else { "extended" });
    }
    Row {
        id: c.id,
        service: service_name(s, &c.service, lang),
        applicant: format!("{} {}", c.applicant_name, c.applicant_id),
        status: status_label(c.status, lang).to_string(),
        accepted_on: c.accepted_on.to_string(),
        step_due: if c.status.is_open() { c.step_due.to_string() } else { String::new() },
        due: c.due.to_string(),
        overdue: c.status.is_open() && c.step_due < today,
        provisional: c.status.is_open() && !cal.settled(c.accepted_on, c.due.max(c.step_due)),
        flags: flags.join(" · "),
    }
}

pub(crate) struct Tab {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub(crate) struct ListPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) c: &'static CaseText,
    pub(crate) user: Option<UserBar>,
    pub(crate) tabs: Vec<Tab>,
    pub(crate) rows: Vec<Row>,
    pub(crate) pager: crate::platform::list::Pager,
    pub(crate) columns: Vec<crate::platform::list::Column>,
    /// The list and region as a query string (the export's link).
    pub(crate) filters: String,
    pub(crate) can_accept: bool,
    pub(crate) community: String,
    pub(crate) message: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListPageParams {
    pub(crate) list: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) done: Option<String>,
}

pub(crate) async fn list_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ListPageParams>,
    Query(pp): Query<crate::platform::list::PageParams>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let list = list_of(p.list.as_deref())?;
    let today = s.clock.today();
    let region = region_of(p.region.as_deref())?;
    let cal = use_case::calendar(s.store.as_ref()).await?;
    // The list's columns, sortable ones by the store's keys.
    let cols = [
        ("", "#"),
        ("service", c.service),
        ("", c.applicant),
        ("status", c.status),
        ("accepted_at", c.accepted_on),
        ("step_due", c.step_due),
        ("due", c.due),
        ("", c.flags),
    ];
    let listing = crate::platform::list::Listing::of(&pp, &cols);
    let page = use_case::cases(s.store.as_ref(), &who.cx(today), list, region.as_ref(), None, listing.size, &listing.paging()).await?;
    let total = use_case::count_list(s.store.as_ref(), &who.principal, list, region.as_ref(), today).await?;
    let code = |l: CaseList| match l {
        CaseList::Queue => "queue",
        CaseList::Accepted => "accepted",
        CaseList::Due => "due",
        CaseList::All => "all",
    };
    let filters = crate::platform::list::filters(&[("list", Some(code(list))), ("region", region.as_ref().map(|r| r.as_str()))]);
    let columns = listing.columns("/cases", &filters, &cols);
    let page = ListPage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        tabs: [(CaseList::Queue, c.queue), (CaseList::Due, c.due_list), (CaseList::Accepted, c.accepted_here), (CaseList::All, c.all)]
            .into_iter()
            .map(|(l, label)| Tab { code: code(l), label, selected: l == list })
            .collect(),
        rows: page.items.iter().map(|x| row_of(&s, x, lang, today, &cal)).collect(),
        pager: listing.pager("/cases", &filters, total, lang),
        columns,
        filters,
        can_accept: who.principal.may(Permission::AcceptApplications),
        community: if who.principal.region.as_str().len() == 12 { who.principal.region.to_string() } else { String::new() },
        message: p.done.filter(|d| d.len() <= 200),
    };
    Ok(render(&page)?.into_response())
}

/// 导出Excel: one of the account's case lists as a workbook, up to `sheet::MAX_ROWS` rows; each
/// page read is audited as the list is.
pub(crate) async fn export_list(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ListPageParams>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let list = list_of(p.list.as_deref())?;
    let today = s.clock.today();
    let region = region_of(p.region.as_deref())?;
    let cal = use_case::calendar(s.store.as_ref()).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut before = None;
    loop {
        let page = use_case::cases(s.store.as_ref(), &who.cx(today), list, region.as_ref(), before, 1000, &Default::default()).await?;
        rows.extend(page.items.iter().map(|x| {
            let r = row_of(&s, x, lang, today, &cal);
            let due = if r.provisional { format!("{} ({})", r.due, c.provisional) } else { r.due };
            vec![r.id.to_string(), r.service, r.applicant, r.status, r.accepted_on, r.step_due, due, r.flags]
        }));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) if rows.len() < crate::platform::sheet::MAX_ROWS => before = Some(n),
            _ => break,
        }
    }
    rows.truncate(crate::platform::sheet::MAX_ROWS);
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.first().and_then(|id| id.parse().ok())).collect();
    let filters = serde_json::json!({ "list": p.list, "region": p.region });
    minzheng_app::export::record_list_export(s.store.as_ref(), &who.cx(s.clock.today()), "case", filters, &ids).await?;
    let headers = ["#", c.service, c.applicant, c.status, c.accepted_on, c.step_due, c.due, c.flags];
    let bytes = crate::platform::sheet::workbook(if lang == Lang::Zh { "办件" } else { "Cases" }, &headers, &rows)?;
    Ok(crate::platform::sheet::download(bytes, "cases.xlsx"))
}

pub(crate) struct DocChoice {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) replaced: String,
}

pub(crate) struct ServiceChoice {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "case_new.html")]
pub(crate) struct NewPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) c: &'static CaseText,
    pub(crate) user: Option<UserBar>,
    pub(crate) csrf: String,
    pub(crate) services: Vec<ServiceChoice>,
    pub(crate) service: String,
    pub(crate) documents: Vec<DocChoice>,
    pub(crate) applicant: String,
    /// The applicant found by the number: name, masked number, owning county.
    pub(crate) found: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct NewParams {
    pub(crate) service: Option<String>,
    pub(crate) applicant: Option<String>,
}

pub(crate) async fn new_page(State(s): State<AppState>, who: Authenticated, Query(p): Query<NewParams>) -> Result<Response, AppError> {
    if !who.principal.may(Permission::AcceptApplications) {
        return Err(minzheng_app::registry::AccessError::Forbidden.into());
    }
    let lang = who.lang;
    // The applicant, looked up by the full number (全市通办: any resident of the city; audited).
    let applicant_text: String = p.applicant.unwrap_or_default().trim().chars().take(18).collect();
    let found = match applicant_text.is_empty() {
        true => None,
        false => {
            let id = parse_id(&applicant_text)?;
            let v = minzheng_app::registry::find_for_acceptance(s.store.as_ref(), &who.cx(s.clock.today()), &id).await?;
            Some(format!(
                "{} {} · {} {}",
                v.name,
                v.id_number,
                CaseText::of(lang).owner,
                crate::pages::region_label(&s, &v.owning_county, lang)
            ))
        }
    };
    let chosen = p.service.as_deref().and_then(|c| s.catalogue.service(c)).or_else(|| s.catalogue.services.first());
    let today = s.clock.today();
    let documents = chosen
        .map(|svc| {
            svc.documents
                .iter()
                .map(|d| DocChoice {
                    code: d.code.clone(),
                    label: if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() },
                    replaced: match d.replaced_by.as_deref() {
                        Some(by) if d.replaced(today) => minzheng_domain::case::shared_data_name(by, lang == Lang::Zh).to_string(),
                        _ => String::new(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let page = NewPage {
        t: lang.text(),
        c: CaseText::of(lang),
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        services: s
            .catalogue
            .services
            .iter()
            .map(|x| ServiceChoice {
                code: x.code.clone(),
                label: if lang == Lang::Zh { x.zh.clone() } else { x.en.clone() },
                selected: chosen.is_some_and(|c| c.code == x.code),
            })
            .collect(),
        service: chosen.map(|c| c.code.clone()).unwrap_or_default(),
        documents,
        applicant: applicant_text,
        found,
    };
    Ok(render(&page)?.into_response())
}

/// The acceptance form as sent (its CSRF token checked): the application it describes. Read by
/// the acceptance and by the one-time notice, the form's two buttons.
pub(crate) async fn application_of(s: &AppState, who: &Authenticated, body: &str) -> Result<Application, AppError> {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|_| bad("bad_form", "表单无法读取".into(), "the form cannot be read".into()))?;
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    who.require_csrf(s, get("csrf").as_deref()).await?;
    Ok(Application {
        service: get("service").unwrap_or_default(),
        applicant: parse_id(&get("applicant").unwrap_or_default())?,
        documents: fields.iter().filter(|(n, _)| n == "documents").map(|(_, v)| v.clone()).collect(),
        staff_relative: get("staff_relative").is_some_and(|v| v == "on" || v == "true"),
        comment: get("comment").unwrap_or_default(),
    })
}

pub(crate) async fn form_accept(State(s): State<AppState>, who: Authenticated, body: String) -> Result<Response, AppError> {
    let app = application_of(&s, &who, &body).await?;
    let c = use_case::accept(s.store.as_ref(), &s.catalogue, &who.cx(s.clock.today()), &app).await?;
    Ok(Redirect::to(&format!("/cases/{}", c.id)).into_response())
}

pub(crate) struct EventView {
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) step: String,
    pub(crate) status: String,
    pub(crate) comment: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) c: &'static CaseText,
    pub(crate) user: Option<UserBar>,
    pub(crate) csrf: String,
    pub(crate) row: Row,
    pub(crate) version: i64,
    pub(crate) program: String,
    pub(crate) limited: bool,
    pub(crate) household_no: String,
    pub(crate) household_size: String,
    pub(crate) owner: String,
    pub(crate) accepted_at: String,
    pub(crate) waiting: String,
    pub(crate) notice: String,
    pub(crate) facts: Vec<(String, String)>,
    pub(crate) events: Vec<EventView>,
    /// The step forms the account may use, by action code.
    pub(crate) steps: Vec<&'static str>,
    pub(crate) amount_given: bool,
    pub(crate) letter: bool,
    pub(crate) documents: Vec<DocRow>,
    /// The service's documents, for the upload form (empty when the account may not upload).
    pub(crate) uploadable: Vec<(String, String)>,
    /// Each document the service asks for, with its state: received at the window, uploaded,
    /// replaced by shared data, or missing (the full view only).
    pub(crate) checklist: Vec<(String, String, &'static str)>,
    /// What the survey and the check recorded against granting, to be answered in writing.
    pub(crate) against: Vec<String>,
}

pub(crate) struct DocRow {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) file_name: String,
    pub(crate) size: String,
    pub(crate) uploaded: String,
}

impl CasePage {
    fn can(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }
}

pub(crate) async fn case_page(State(s): State<AppState>, who: Authenticated, Path(id): Path<i64>) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let today = s.clock.today();
    // The steps this account may take now are asked of the state machine itself, on the case
    // as stored (given only to an account that may see it whole).
    let (view, events, full) = use_case::case_whole(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let cal = use_case::calendar(s.store.as_ref()).await?;
    let service = s.catalogue.service(&view.service);
    let steps: Vec<&'static str> = match (service, &full) {
        (Some(svc), Some(full)) => minzheng_domain::case::available_steps(full, svc, &who.principal, today),
        _ if view.limited && view.status.is_open() && who.principal.role == Role::CommunityWorker => vec!["withdraw"],
        _ => Vec::new(),
    };
    let mut facts = Vec::new();
    if let Some(f) = &view.file {
        if let Some(sv) = &f.survey {
            facts.push((
                c.survey.to_string(),
                format!(
                    "{} · {} · {}{}",
                    sv.on,
                    sv.staff.join("、"),
                    if sv.home_visit { c.home_visit } else { "" },
                    if sv.findings.is_empty() { String::new() } else { format!(" · {}", sv.findings) }
                ),
            ));
        }
        if let Some(ch) = &f.check {
            facts.push((
                c.check.to_string(),
                format!(
                    "{} · {} {} · {}{}{}",
                    ch.on,
                    c.per_capita,
                    ch.per_capita_income,
                    if ch.assets_within_limits { c.assets_ok } else { c.assets_over },
                    ch.report.map(|r| format!(" · HC-{r:06}")).unwrap_or_default(),
                    ch.report_decision
                        .as_deref()
                        .map(|t| format!(" · {}", report_decision(&s, t, &view.program, lang)))
                        .unwrap_or_default()
                ),
            ));
        }
        for o in &f.objections {
            facts.push((c.objection.to_string(), o.clone()));
        }
        if let Some(p) = f.paid_first {
            facts.push((c.pay_first.to_string(), format!("{p}")));
        }
        if let Some(p) = f.proposed {
            facts.push((c.proposed.to_string(), format!("{p}")));
        }
        if let Some(d) = &f.decision {
            let text = if d.approved {
                let mut parts = vec![format!("{} · {}", d.on, d.by)];
                if let Some(a) = d.amount {
                    parts.push(format!("{} {a}", c.amount));
                }
                if let Some(st) = d.start {
                    parts.push(format!("{} {}", c.start, st.format("%Y-%m")));
                }
                if let Some(r) = d.review_on {
                    parts.push(format!("{} {r}", c.review_on));
                }
                if let Some(e) = d.enrolment {
                    parts.push(format!("{} #{e}", c.enrolment));
                }
                if let Some(x) = d.exit_until {
                    parts.push(format!("{} {}", c.exit_until, x.format("%Y-%m")));
                }
                if let Some(b) = d.band {
                    parts.push(if lang == Lang::Zh { b.zh() } else { b.en() }.to_string());
                }
                parts.join(" · ")
            } else {
                format!("{} · {} · {}", d.on, d.by, d.reason)
            };
            facts.push((c.decision.to_string(), text));
        }
    }
    let docs = use_case::documents(s.store.as_ref(), &who.principal, &view).await?;
    let label_of = |code: &str| {
        service
            .and_then(|x| x.documents.iter().find(|d| d.code == code))
            .map(|d| if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() })
            .unwrap_or_else(|| code.to_string())
    };
    let documents = docs
        .iter()
        .map(|d| DocRow {
            id: d.id,
            label: label_of(&d.code),
            file_name: d.file_name.clone(),
            size: if d.size < 1024 { format!("{} B", d.size) } else { format!("{:.0} KB", d.size as f64 / 1024.0) },
            uploaded: format!("{} {}", crate::pages::person(&s, &d.uploaded_by), minzheng_domain::calendar::beijing_minutes(d.at)),
        })
        .collect();
    let zh = lang == Lang::Zh;
    let checklist: Vec<(String, String, &'static str)> = match (service, &full) {
        (Some(svc), Some(case)) => svc
            .documents
            .iter()
            .map(|d| {
                let label = if zh { d.zh.clone() } else { d.en.clone() };
                let uploaded = docs.iter().filter(|x| x.code == d.code).count();
                let received = case.file.documents.contains(&d.code);
                let (state, class) = match (received, uploaded, d.replaced_by.as_deref().filter(|_| d.replaced(case.accepted_on))) {
                    (_, n, _) if n > 0 => (if zh { format!("已上传 {n} 份") } else { format!("{n} uploaded") }, "ok"),
                    (true, _, _) => ((if zh { "窗口已收取" } else { "received at the window" }).to_string(), "ok"),
                    (false, _, Some(by)) => (
                        if zh {
                            format!("由共享数据替代（{}）", minzheng_domain::case::shared_data_name(by, true))
                        } else {
                            format!("replaced by {}", minzheng_domain::case::shared_data_name(by, false))
                        },
                        "ok",
                    ),
                    _ => ((if zh { "未收取" } else { "missing" }).to_string(), "missing"),
                };
                (label, state, class)
            })
            .collect(),
        _ => Vec::new(),
    };
    let may_upload = view.status.is_open()
        && who.principal.may(Permission::HandleCases)
        && (view.community.as_ref().is_some_and(|c| who.principal.in_scope(c)) || who.principal.region == view.accepted_at);
    let uploadable = match (may_upload, service) {
        (true, Some(svc)) => {
            svc.documents.iter().map(|d| (d.code.clone(), if lang == Lang::Zh { d.zh.clone() } else { d.en.clone() })).collect()
        }
        _ => Vec::new(),
    };
    let waiting = match (service, &full) {
        (Some(svc), Some(full)) => {
            full.waiting_for(svc).map(|r| if lang == Lang::Zh { r.zh() } else { r.en() }).unwrap_or_default().to_string()
        }
        _ => String::new(),
    };
    let page = CasePage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        csrf: who.session.csrf_token.clone(),
        row: row_of(&s, &view, lang, today, &cal),
        version: view.version,
        program: program_name(&s, &view.program, lang),
        limited: view.limited,
        household_no: view.household_no.clone().unwrap_or_default(),
        household_size: view.household_size.map(|n| n.to_string()).unwrap_or_default(),
        owner: crate::pages::region_label(&s, &view.owner, who.lang),
        accepted_at: crate::pages::region_label(&s, &view.accepted_at, who.lang),
        waiting,
        notice: match (view.notice_from, view.notice_until) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => String::new(),
        },
        facts,
        events: events
            .iter()
            .map(|e| EventView {
                at: crate::pages::beijing_time(e.at),
                actor: {
                    let role = match Role::parse(&e.role) {
                        Some(r) => {
                            if lang == Lang::Zh {
                                r.zh()
                            } else {
                                r.en()
                            }
                        }
                        // A step the system took (a change case after a death in the registry).
                        None if e.role == "system" => {
                            if lang == Lang::Zh {
                                "系统自动"
                            } else {
                                "automatic"
                            }
                        }
                        None => "",
                    };
                    let t = lang.text();
                    let who = crate::pages::person(&s, &e.actor);
                    if role.is_empty() {
                        who
                    } else {
                        format!("{who}{}{role}{}", t.lp, t.rp)
                    }
                },
                step: if lang == Lang::Zh { CaseAction::zh_of(&e.action).to_string() } else { e.action.replace('_', " ") },
                status: status_label(e.to, lang).to_string(),
                comment: e.comment.clone(),
            })
            .collect(),
        steps,
        amount_given: service.is_some_and(|x| x.amount_given),
        letter: matches!(view.status, CaseStatus::Approved | CaseStatus::Refused) && !view.limited,
        documents,
        uploadable,
        checklist,
        against: view
            .file
            .as_ref()
            .map(minzheng_domain::case::contradictions)
            .unwrap_or_default()
            .into_iter()
            .map(|(zh, en)| if lang == Lang::Zh { zh } else { en })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    pub(crate) csrf: Option<String>,
    pub(crate) action: String,
    pub(crate) comment: String,
    pub(crate) seen: Option<i64>,
    pub(crate) staff: Option<String>,
    pub(crate) home_visit: Option<String>,
    pub(crate) findings: Option<String>,
    pub(crate) per_capita_income: Option<String>,
    pub(crate) assets_within_limits: Option<String>,
    pub(crate) report: Option<String>,
    pub(crate) objection: Option<String>,
    pub(crate) amount: Option<String>,
    pub(crate) reason: Option<String>,
}

pub(crate) async fn form_act(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<StepForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, f.csrf.as_deref()).await?;
    let ticked = |v: &Option<String>| v.as_deref().is_some_and(|x| x == "on" || x == "true");
    let report = match f.report.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(t.trim_start_matches("HC-").parse::<i64>().map_err(|_| {
            bad("bad_report", format!("核对报告编号“{t}”无法识别"), format!("household check {t:?} is not a report number"))
        })?),
        None => None,
    };
    let r = StepRequest {
        action: f.action.clone(),
        comment: f.comment.clone(),
        seen: f.seen,
        staff: f.staff.clone(),
        home_visit: Some(ticked(&f.home_visit)),
        findings: f.findings.clone(),
        per_capita_income: f.per_capita_income.clone(),
        // Never a default: the worker says which (财产未超标 or 财产超标).
        assets_within_limits: match f.assets_within_limits.as_deref() {
            Some("true" | "on") => Some(true),
            Some("false") => Some(false),
            _ if f.action == "record_check" => {
                return Err(bad(
                    "no_assets_decision",
                    "请选择核对结果：财产未超标或财产超标".into(),
                    "say whether the assets are within the limits or over them".into(),
                ))
            }
            _ => None,
        },
        report,
        objection: f.objection.clone(),
        amount: f.amount.clone(),
        reason: f.reason.clone(),
    };
    let action = action_of(&r)?;
    if f.seen.is_none() {
        return Err(bad(
            "no_seen",
            "页面缺少办件版本号，请刷新后重试".into(),
            "the page gave no case version: reload it and try again".into(),
        ));
    }
    use_case::act(
        s.store.as_ref(),
        &s.engine,
        &s.catalogue,
        &who.cx(s.clock.today()),
        id,
        Step { action: &action, comment: &f.comment, seen: f.seen },
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// A document uploaded from the case page (multipart: csrf, code, file).
pub(crate) async fn form_upload(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut code, mut file) = (None, None, None);
    let unreadable = |_| {
        bad("bad_form", "上传的表单无法读取（文件是否超过上限？）".into(), "the upload cannot be read (is the file over the limit?)".into())
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("code") => code = Some(field.text().await.map_err(unreadable)?),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let (name, bytes) = file.ok_or_else(|| bad("no_file", "请选择要上传的文件".into(), "choose a file to upload".into()))?;
    let d = use_case::upload(
        s.store.as_ref(),
        &s.documents,
        &s.catalogue,
        &who.cx(s.clock.today()),
        id,
        Upload { code: code.as_deref().unwrap_or_default(), file_name: &name, bytes: &bytes },
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{id}#document-{}", d.id)).into_response())
}

pub(crate) async fn download(
    State(s): State<AppState>,
    who: Authenticated,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (d, bytes) = use_case::document(s.store.as_ref(), &s.documents, &who.cx(s.clock.today()), id, doc).await?;
    let ascii: String = d.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    // RFC 6266: the ASCII fallback and the name itself, UTF-8 percent-encoded.
    let encoded: String = d
        .file_name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, d.content_type.clone()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) struct ServiceRow {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) steps: String,
    pub(crate) total: usize,
    pub(crate) required: String,
    pub(crate) replaced: String,
    pub(crate) required_then: usize,
}

#[derive(Template)]
#[template(path = "services.html")]
pub(crate) struct ServicesPage {
    pub(crate) t: &'static crate::i18n::Text,
    pub(crate) c: &'static CaseText,
    pub(crate) user: Option<UserBar>,
    pub(crate) since: String,
    pub(crate) on: String,
    pub(crate) rows: Vec<ServiceRow>,
    pub(crate) total_then: usize,
    pub(crate) total_now: usize,
    pub(crate) cut: usize,
    pub(crate) share: String,
}

pub(crate) async fn services_page(
    State(s): State<AppState>,
    who: Authenticated,
    Query(p): Query<ReportParams>,
) -> Result<Response, AppError> {
    let lang = who.lang;
    let c = CaseText::of(lang);
    let (since, on, report) = report_of(&s, &p)?;
    let rows: Vec<ServiceRow> = report
        .iter()
        .filter_map(|l| {
            let svc = s.catalogue.service(&l.service)?;
            let mut steps = vec![c.accept];
            if svc.survey {
                steps.push(c.survey);
            }
            if svc.economic_check {
                steps.push(c.check);
            }
            steps.push(c.review);
            if svc.notice {
                steps.push(c.notice);
            }
            steps.push(c.decision);
            Some(ServiceRow {
                code: l.service.clone(),
                name: if lang == Lang::Zh { svc.zh.clone() } else { svc.en.clone() },
                kind: if lang == Lang::Zh { svc.kind.zh().to_string() } else { svc.kind.en().to_string() },
                steps: steps.join(" → "),
                total: l.total,
                required: l.required.join("、"),
                replaced: l
                    .replaced
                    .iter()
                    .map(|(d, by)| format!("{d}（{}）", minzheng_domain::case::shared_data_name(by, lang == Lang::Zh)))
                    .collect::<Vec<_>>()
                    .join("、"),
                required_then: l.required_then,
            })
        })
        .collect();
    let total_then: usize = report.iter().map(|l| l.required_then).sum();
    let total_now: usize = report.iter().map(|l| l.required.len()).sum();
    let cut = total_then.saturating_sub(total_now);
    let share = if total_then == 0 { "0.0%".into() } else { format!("{:.1}%", cut as f64 * 100.0 / total_then as f64) };
    let page = ServicesPage {
        t: lang.text(),
        c,
        user: Some(UserBar::of(&who)),
        since: since.to_string(),
        on: on.to_string(),
        rows,
        total_then,
        total_now,
        cut,
        share,
    };
    Ok(render(&page)?.into_response())
}

/// What a check report gave for the case's program, in the page's language: written when the
/// report was handed over as 核对报告 HC-000012：按规则符合… or …不符合…（unmet conditions）; in
/// English the conditions are left to the report itself.
fn report_decision(s: &AppState, text: &str, program: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        return text.to_string();
    }
    let report = text.split('：').next().unwrap_or_default().replace("核对报告 ", "check report ");
    let program = program_name(s, program, lang);
    if text.contains("：按规则不符合") {
        format!("{report}: not eligible for {program} by the rules (the report lists the conditions unmet)")
    } else {
        format!("{report}: eligible for {program} by the rules")
    }
}
