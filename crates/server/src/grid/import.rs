//! 12345 工单导入: the hotline platform's export of the orders handed to the district (or the
//! petition office's list) read from .xlsx or .csv, each row filed as an order as if entered at
//! the desk: the same checks, the same permission and region, each audited. A row already
//! imported (its 工单编号 is on record) is left as it is, so the same export can be read again;
//! a row that cannot be filed is named with its reason in Chinese and English and the others are
//! filed.
//!
//! The columns, found by their titles in the first rows (a title row above is skipped):
//! 工单编号, 受理时间, 诉求类型 (紧急, 咨询, 求助, 投诉, 举报, 建议, 信访), 诉求标题, 诉求内容,
//! 来电人, 来电号码, 社区代码 (12 digits), 事发地址, 问题分类.

use super::model::OrderKind;
use super::service::{self, NewOrder, OrderFailure};
use super::store::grid_store;
use chrono::NaiveDate;
use minzheng_app::sheet::{Cell, Sheet};
use minzheng_app::RequestContext;
use minzheng_domain::Bilingual;
use minzheng_store::Store;
use serde::Serialize;

/// Each column: its field and the titles it goes by.
const COLUMNS: &[(&str, &[&str])] = &[
    ("source_no", &["工单编号", "工单号", "信访件编号"]),
    ("received_on", &["受理时间", "来电时间", "登记时间", "受理日期"]),
    ("kind", &["诉求类型", "工单类型", "类型"]),
    ("title", &["诉求标题", "标题", "诉求摘要"]),
    ("description", &["诉求内容", "内容", "来电内容"]),
    ("contact", &["来电人", "诉求人", "信访人", "姓名"]),
    ("phone", &["来电号码", "联系电话", "电话"]),
    ("community", &["社区代码", "所属社区代码", "社区"]),
    ("place", &["事发地址", "地址"]),
    ("category", &["问题分类", "分类"]),
];

fn field_of(header: &str) -> Option<&'static str> {
    COLUMNS.iter().find(|(_, titles)| titles.contains(&header)).map(|(f, _)| *f)
}

/// The hotline's words for the kinds of order.
pub fn kind_of(text: &str) -> Option<OrderKind> {
    match text.trim() {
        "紧急" | "紧急类" | "urgent" => Some(OrderKind::HotlineUrgent),
        "咨询" | "咨询类" | "建议" | "enquiry" => Some(OrderKind::HotlineEnquiry),
        "求助" | "求助类" | "request" => Some(OrderKind::HotlineRequest),
        "投诉" | "投诉类" | "举报" | "complaint" => Some(OrderKind::HotlineComplaint),
        "信访" | "信访事项" | "petition" => Some(OrderKind::Petition),
        _ => None,
    }
}

/// A row as read: its number in the sheet and the order it gives, or why it gives none.
#[derive(Debug, Clone)]
pub enum RowRead {
    Order(usize, NewOrder),
    Refused(usize, String, String),
}

/// The day of a 受理时间 as exports write it: a date cell, or `2026-11-30 09:12`, `2026/1/5 9:15`,
/// `2026.11.30`, `2026年11月30日 9时` (the time after the day is left aside).
fn date_of(c: &Cell) -> Option<NaiveDate> {
    match c {
        Cell::Date(d) => Some(*d),
        other => {
            let t = other.text();
            let day = t.split(|ch: char| ch.is_whitespace() || ch == 'T').next().unwrap_or_default();
            let day = day.split_inclusive('日').next().unwrap_or(day);
            ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"].iter().find_map(|f| NaiveDate::parse_from_str(day, f).ok())
        }
    }
}

/// Reads the rows of the sheet (pure: the checks that need the store come when filing).
pub fn rows_of(sheet: &Sheet) -> Vec<RowRead> {
    let at: Vec<Option<&'static str>> = sheet.headers.iter().map(|h| field_of(h)).collect();
    let cell = |cells: &[Cell], f: &str| at.iter().position(|x| *x == Some(f)).and_then(|i| cells.get(i)).cloned().unwrap_or(Cell::Empty);
    sheet
        .rows
        .iter()
        .map(|r| {
            let text = |f: &str| cell(&r.cells, f).text();
            let kind_text = text("kind");
            let Some(kind) = kind_of(&kind_text) else {
                return RowRead::Refused(
                    r.number,
                    format!("诉求类型“{kind_text}”无法识别（应为紧急、咨询、求助、投诉、举报、建议或信访）"),
                    format!("kind {kind_text:?} not understood (urgent, enquiry, request, complaint or petition)"),
                );
            };
            let received = cell(&r.cells, "received_on");
            let received_on = if received.is_empty() { None } else { date_of(&received) };
            if !received.is_empty() && received_on.is_none() {
                let t = received.text();
                return RowRead::Refused(
                    r.number,
                    format!("受理时间“{t}”无法识别，请写成 2026-11-30"),
                    format!("date {t:?} not understood; write it as 2026-11-30"),
                );
            }
            let title = {
                let t = text("title");
                if t.is_empty() {
                    text("description").chars().take(30).collect()
                } else {
                    t
                }
            };
            RowRead::Order(
                r.number,
                NewOrder {
                    kind: kind.as_str().into(),
                    category: text("category"),
                    title,
                    description: text("description"),
                    contact: text("contact"),
                    phone: text("phone"),
                    community: text("community"),
                    grid: String::new(),
                    place: text("place"),
                    source_no: text("source_no"),
                    received_on,
                },
            )
        })
        .collect()
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub filed: usize,
    /// Rows whose 工单编号 was on record already.
    pub already: usize,
    /// (row, reason zh, reason en).
    pub refused: Vec<(usize, String, String)>,
}

/// Why an import did not start.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Sheet(#[from] minzheng_app::sheet::SheetError),
    #[error(transparent)]
    Order(#[from] OrderFailure),
}

impl Bilingual for ImportFailure {
    fn zh(&self) -> String {
        match self {
            ImportFailure::Sheet(e) => e.zh(),
            ImportFailure::Order(e) => e.zh(),
        }
    }
    fn en(&self) -> String {
        match self {
            ImportFailure::Sheet(e) => e.en(),
            ImportFailure::Order(e) => e.en(),
        }
    }
}

/// Imports a sheet of hotline orders or petitions for the dispatch desk.
pub async fn import(store: &dyn Store, cx: &RequestContext<'_>, name: &str, bytes: Vec<u8>) -> Result<ImportReport, ImportFailure> {
    let who = cx.who;
    if !who.may(minzheng_domain::Permission::DispatchWorkOrders) {
        return Err(OrderFailure::Access(minzheng_app::registry::AccessError::Forbidden).into());
    }
    let sheet = minzheng_app::sheet::read_bytes(name, bytes, |h| field_of(h).is_some())?;
    let rows = rows_of(&sheet);
    let nos: Vec<String> = rows
        .iter()
        .filter_map(|r| match r {
            RowRead::Order(_, o) if !o.source_no.is_empty() => Some(o.source_no.clone()),
            _ => None,
        })
        .collect();
    let mut known: std::collections::HashSet<String> =
        grid_store(store).known_sources(&nos).await.map_err(OrderFailure::from)?.into_iter().collect();
    let mut report = ImportReport::default();
    for r in rows {
        match r {
            RowRead::Refused(n, zh, en) => report.refused.push((n, zh, en)),
            RowRead::Order(n, o) => {
                if !o.source_no.is_empty() && known.contains(&o.source_no) {
                    report.already += 1;
                    continue;
                }
                let no = o.source_no.clone();
                match service::file(store, cx, o).await {
                    Ok(_) => {
                        report.filed += 1;
                        known.insert(no);
                    }
                    Err(e) if e.is_input() || matches!(e, OrderFailure::Access(_)) => report.refused.push((n, e.zh(), e.en())),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_app::sheet::Row;

    #[test]
    fn a_hotline_export_gives_its_orders_and_names_the_rows_it_cannot() {
        let sheet = Sheet {
            headers: ["工单编号", "受理时间", "诉求类型", "诉求标题", "诉求内容", "来电人", "来电号码", "社区代码"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                Row {
                    number: 3,
                    cells: vec![
                        Cell::Text("SY12345-0001".into()),
                        Cell::Date(NaiveDate::from_ymd_opt(2026, 11, 30).expect("day")),
                        Cell::Text("投诉".into()),
                        Cell::Text("楼道堆物影响通行".into()),
                        Cell::Text("三单元楼道长期堆放杂物".into()),
                        Cell::Text("王女士".into()),
                        Cell::Number(13_800_000_000.0),
                        Cell::Text("210112009001".into()),
                    ],
                },
                Row { number: 4, cells: vec![Cell::Text("SY12345-0002".into()), Cell::Text("昨天".into()), Cell::Text("咨询".into())] },
                Row { number: 5, cells: vec![Cell::Text("SY12345-0003".into()), Cell::Empty, Cell::Text("表扬".into())] },
            ],
            checksum: String::new(),
        };
        let rows = rows_of(&sheet);
        let RowRead::Order(3, o) = &rows[0] else { panic!("{rows:?}") };
        assert_eq!(
            (o.kind.as_str(), o.phone.as_str(), o.received_on),
            ("hotline_complaint", "13800000000", NaiveDate::from_ymd_opt(2026, 11, 30))
        );
        assert!(matches!(&rows[1], RowRead::Refused(4, zh, _) if zh.contains("受理时间“昨天”")), "{rows:?}");
        assert!(matches!(&rows[2], RowRead::Refused(5, zh, _) if zh.contains("诉求类型“表扬”")), "{rows:?}");
        let day = |t: &str| date_of(&Cell::Text(t.into()));
        let nov30 = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!([day("2026-11-30 09:12"), day("2026/11/30 9:15"), day("2026.11.30"), day("2026年11月30日9时")], [nov30; 4]);
        assert_eq!(day("2026/1/5 9:15"), NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(day("昨天"), None);
    }
}

// ---- page ----

use crate::auth::Authenticated;
use crate::i18n::Text;
use crate::pages::{render, UserBar};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "grid_import.html")]
pub(super) struct ImportPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    file: String,
    report: Option<ImportReport>,
    error: Option<String>,
}

/// `POST /grid/import` (multipart: csrf, file): the desk's import of a 12345 or petition export;
/// the page says what was filed, what was on record already and every row refused.
pub(super) async fn form_import(
    State(s): State<AppState>,
    who: Authenticated,
    mut form: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut file) = (None, None);
    let unreadable = |_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_form",
            "上传的表单无法读取（文件是否超过上限？）",
            "the upload cannot be read (is the file over the limit?)",
        )
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("file") => {
                let name = field.file_name().unwrap_or("工单.xlsx").to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    who.require_csrf(&s, csrf.as_deref()).await?;
    let zh = who.lang != crate::i18n::Lang::En;
    let page = |file: String, report: Option<ImportReport>, error: Option<String>| ImportPage {
        t: who.lang.text(),
        zh,
        user: Some(UserBar::of(&who)),
        file,
        report,
        error,
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let msg = if zh { "请选择要导入的工单表格（.xlsx 或 .csv）" } else { "choose the export to import (.xlsx or .csv)" };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page(String::new(), None, Some(msg.into())))?).into_response());
    };
    match import(s.store.as_ref(), &who.cx(s.clock.today()), &name, bytes.to_vec()).await {
        Ok(r) => Ok(render(&page(name, Some(r), None))?.into_response()),
        Err(ImportFailure::Sheet(e)) => {
            let msg = if zh { e.zh() } else { e.en() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page(name, None, Some(msg)))?).into_response())
        }
        Err(ImportFailure::Order(OrderFailure::Access(a))) => Err(a.into()),
        Err(ImportFailure::Order(e)) => Err(AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "import", e.zh(), e.en())),
    }
}
