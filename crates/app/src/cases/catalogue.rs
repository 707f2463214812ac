//! The service catalogue (办事指南) and the working-day calendar it counts time limits in.

#[allow(unused_imports)]
use super::*;

/// 服务事项目录: the services any community accepts, with their steps and documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    /// The programs' names (code → Chinese, English), from the city's policy files, for the
    /// messages that name a program ([`Catalogue::name_programs`]).
    #[serde(skip)]
    pub program_names: std::collections::BTreeMap<String, (String, String)>,
}

impl Catalogue {
    /// Reads a catalogue; a mistake is refused with its line.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let c: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for s in &c.services {
            if !seen.insert(s.code.as_str()) {
                return Err(format!("service {} is listed twice / 服务事项 {} 重复", s.code, s.code));
            }
            let mut docs = std::collections::BTreeSet::new();
            for d in &s.documents {
                if !docs.insert(d.code.as_str()) {
                    return Err(format!("service {}: document {} is listed twice / 要件 {} 重复", s.code, d.code, d.code));
                }
            }
        }
        Ok(c)
    }

    /// The catalogue shipped for 沈阳市 (`policies/2101/services.toml`).
    pub fn shenyang() -> Catalogue {
        // The shipped file is checked by a test; an error here is a build mistake.
        Catalogue::parse(include_str!("../../../../policies/2101/services.toml"))
            .unwrap_or(Catalogue { services: Vec::new(), program_names: Default::default() })
    }

    /// The same catalogue, knowing the programs' names (from the compiled policies).
    pub fn name_programs(mut self, engine: &minzheng_policy::Engine) -> Catalogue {
        self.program_names = engine.policy.programs.iter().map(|p| (p.code.clone(), (p.zh.clone(), p.en.clone()))).collect();
        self
    }

    /// A program's name as staff call it (临时救助 has no policy file); its code when unknown.
    pub fn program_name(&self, code: &str, zh: bool) -> String {
        match (self.program_names.get(code), code) {
            (Some((z, e)), _) => if zh { z } else { e }.clone(),
            (None, "linshi") => if zh { "临时救助" } else { "temporary assistance" }.to_string(),
            (None, _) => code.to_string(),
        }
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
}

#[derive(Deserialize)]
pub(crate) struct CalendarFile {
    pub(crate) year: Vec<CalendarYear>,
}

#[derive(Deserialize)]
pub(crate) struct CalendarYear {
    pub(crate) year: i32,
    pub(crate) notice: String,
    pub(crate) holidays: Vec<DayRange>,
    pub(crate) workdays: Vec<DayRange>,
}

#[derive(Deserialize)]
pub(crate) struct DayRange {
    pub(crate) days: String,
    pub(crate) note: String,
}

/// Reads a calendar file (`policies/calendar.toml`): per year, holidays and exchanged working
/// days, single days or ranges `FIRST..LAST`.
pub fn parse_calendar(text: &str) -> Result<Vec<CalendarDay>, String> {
    let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for y in file.year {
        for (kind, ranges) in [(DayKind::Holiday, &y.holidays), (DayKind::Workday, &y.workdays)] {
            for r in ranges {
                let (a, b) = r.days.split_once("..").unwrap_or((&r.days, &r.days));
                let parse = |t: &str| {
                    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| format!("{}: {t:?} is not a date / 不是日期", y.year))
                };
                let (mut d, last) = (parse(a)?, parse(b)?);
                if d > last || chrono::Datelike::year(&d) != y.year || chrono::Datelike::year(&last) != y.year {
                    return Err(format!("{}: {:?} is not a range of days of that year / 不是该年的日期范围", y.year, r.days));
                }
                while d <= last {
                    out.push(CalendarDay { day: d, kind, note: format!("{}（{}）", r.note, y.notice) });
                    d += chrono::Duration::days(1);
                }
            }
        }
    }
    out.sort_by_key(|d| d.day);
    if let Some(w) = out.windows(2).find(|w| w[0].day == w[1].day) {
        return Err(format!("{} is listed twice / {} 重复列出", w[0].day, w[0].day));
    }
    Ok(out)
}

/// The shipped calendar (2025 and 2026).
pub fn shipped_calendar() -> Vec<CalendarDay> {
    parse_calendar(include_str!("../../../../policies/calendar.toml")).unwrap_or_default()
}

/// Records the shipped calendar on a first start (a store without any listed day).
pub async fn ensure_calendar(store: &dyn Store, actor: &Actor) -> Result<usize, StoreError> {
    if !store.calendar_days().await?.is_empty() {
        return Ok(0);
    }
    let days = shipped_calendar();
    store.set_calendar_days(&days, actor).await?;
    Ok(days.len())
}

pub async fn calendar(store: &dyn Store) -> Result<WorkCalendar, StoreError> {
    Ok(WorkCalendar::new(&store.calendar_days().await?))
}

/// A case whose due dates moved when counted again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recounted {
    pub case_id: i64,
    /// The whole case's due date before and after.
    pub due: (NaiveDate, NaiveDate),
    /// The current step's due date before and after.
    pub step_due: (NaiveDate, NaiveDate),
}

/// What counting the open cases' time limits again changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recount {
    /// Open cases looked at.
    pub open: usize,
    /// Cases whose due dates moved.
    pub changed: Vec<Recounted>,
    /// Cases that moved on while being counted (counted again at the next change).
    pub stale: usize,
}

/// 节假日安排录入后重算期限: once a year's holidays are entered (or a day corrected), the open
/// cases' time limits are counted again in working days on the calendar as it now is — the whole
/// case from its acceptance, the step it waits for where its start is certain (a case awaiting
/// its first survey from its acceptance, a notice's decision from the notice's end); other steps
/// keep their date. A due date counted over a year whose holidays were
/// missing (暂定) becomes final.
/// Each case whose dates move gets a line in its history (办理记录) saying from what to what;
/// audited as a step. Called where the calendar is set (the city's administrator).
pub async fn recount_due_dates(store: &dyn Store, catalogue: &Catalogue, actor: &Actor) -> Result<Recount, CaseFailure> {
    let cal = calendar(store).await?;
    let limits = TimeLimits::default();
    let mut out = Recount::default();
    let mut before = None;
    loop {
        let page = store.search_cases(&CaseQuery { open_only: true, before, limit: 500, ..Default::default() }).await?;
        for case in &page.items {
            out.open += 1;
            let Some(service) = catalogue.service(&case.service) else { continue };
            let events = store.case_events(case.id).await?;
            let mut updated = case.clone();
            updated.due = cal.add_working_days(case.accepted_on, case.whole_limit(&limits));
            // The step's own limit is counted again where its start is known for certain: a case
            // still waiting for its first survey counts from its acceptance (no step has moved it
            // on since; a case carried over without history too), a notice's decision from the
            // notice's end. Any other step keeps its date, within the whole case's.
            let untouched = case.status == CaseStatus::Accepted && events.iter().all(|e| e.action == "accept" || e.from == e.to.as_str());
            if untouched || case.status == CaseStatus::Notice {
                updated.set_due(service, case.accepted_on, &cal, &limits);
            } else {
                updated.step_due = case.step_due.min(updated.due);
            }
            if (updated.due, updated.step_due) == (case.due, case.step_due) {
                continue;
            }
            // A page read before the recount is stale after it.
            updated.version += 1;
            let event = CaseEvent {
                case_id: case.id,
                action: RECOUNT.into(),
                from: case.status.as_str().into(),
                to: case.status,
                comment: format!(
                    "节假日安排变更，按工作日重算期限：办结期限 {} → {}，当前环节期限 {} → {} / time limits counted again on the calendar as entered: case due {} → {}, step due {} → {}",
                    case.due, updated.due, case.step_due, updated.step_due, case.due, updated.due, case.step_due, updated.step_due
                ),
                actor: actor.name.clone(),
                role: String::new(),
                at: chrono::Utc::now(),
            };
            let waiting = updated.waiting_for(service).map(Role::as_str);
            match store.act_on_case(&updated, waiting, case.version, &event, None, actor).await? {
                Some(_) => out.changed.push(Recounted {
                    case_id: case.id,
                    due: (case.due, updated.due),
                    step_due: (case.step_due, updated.step_due),
                }),
                None => out.stale += 1,
            }
        }
        match page.next {
            Some(n) => before = n.parse().ok(),
            None => break,
        }
    }
    Ok(out)
}

/// The history line of a recount ([`recount_due_dates`]).
pub const RECOUNT: &str = "recount_due";
