//! 预约 pages: the registration office's appointment slots, booked and kept.

#[allow(unused_imports)]
use super::*;

pub(in crate::marriage) struct AppointmentRow {
    id: i64,
    kind: &'static str,
    couple: String,
    phone: String,
    slot: &'static str,
    status: &'static str,
    open: bool,
    /// Where the registrar goes on: the marriage form filled in, the divorce form, the application.
    href: String,
}

#[derive(Deserialize, Default, Clone)]
pub(in crate::marriage) struct BookingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    divorce_id: String,
    #[serde(default)]
    first_id: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    second_id: String,
    #[serde(default)]
    second_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    slot: String,
}

#[derive(Template)]
#[template(path = "marriage_appointments.html")]
pub(in crate::marriage) struct AppointmentsPage {
    t: &'static Text,
    zh: bool,
    user: Option<UserBar>,
    csrf: String,
    day: String,
    rows: Vec<AppointmentRow>,
    am: usize,
    pm: usize,
    capacity: i64,
    kinds: Vec<Choice>,
    form: BookingForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(in crate::marriage) struct DayParam {
    day: Option<String>,
    region: Option<String>,
}

async fn appointments_page(
    s: &AppState,
    who: &Authenticated,
    day: NaiveDate,
    form: BookingForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    use crate::marriage::model::{AppointmentKind, Slot};
    let lang = who.lang;
    let list = service::day_book(s.store.as_ref(), &who.principal, day).await?;
    let capacity = service::capacity(s.store.as_ref(), who.principal.region.as_str(), day).await?;
    let count = |slot: Slot| list.iter().filter(|a| a.slot == slot && a.status != "cancelled").count();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = AppointmentsPage {
        t: lang.text(),
        zh: lang == Lang::Zh,
        user: Some(UserBar::of(who)),
        csrf: who.session.csrf_token.clone(),
        day: day.to_string(),
        am: count(Slot::Am),
        pm: count(Slot::Pm),
        capacity,
        rows: list
            .iter()
            .map(|a| AppointmentRow {
                id: a.id,
                kind: pick(lang, a.kind.zh(), a.kind.en()),
                couple: match lang {
                    Lang::Zh => format!("{}（{}）· {}（{}）", a.first_name, a.first_id, a.second_name, a.second_id),
                    Lang::En => format!("{} ({}) · {} ({})", a.first_name, a.first_id, a.second_name, a.second_id),
                },
                phone: a.phone.clone(),
                slot: pick(lang, a.slot.zh(), a.slot.en()),
                status: match (a.status.as_str(), lang) {
                    ("kept", Lang::Zh) => "已办理",
                    ("cancelled", Lang::Zh) => "已取消",
                    (_, Lang::Zh) => "已预约",
                    ("kept", Lang::En) => "kept",
                    ("cancelled", Lang::En) => "cancelled",
                    (_, Lang::En) => "booked",
                },
                open: a.status == "booked",
                href: match (a.kind, a.divorce_id) {
                    (AppointmentKind::Marriage, _) => format!("/marriage/new?appointment={}", a.id),
                    (AppointmentKind::Certificate, Some(d)) => format!("/marriage/divorces/{d}"),
                    _ => "/marriage/divorces/new".into(),
                },
            })
            .collect(),
        kinds: choices(AppointmentKind::ALL, AppointmentKind::as_str, |k| pick(lang, k.zh(), k.en()), &form.kind),
        form,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /marriage/appointments?day=`: the office's bookings of a day and the booking form.
pub(in crate::marriage) async fn appointments(
    State(s): State<AppState>,
    who: Authenticated,
    Query(q): Query<DayParam>,
) -> Result<Response, AppError> {
    if let Some(r) = q.region.as_deref().filter(|r| !r.trim().is_empty()) {
        let r = crate::platform::api::parse_region(r)?;
        crate::platform::scope::within(&who.principal, Some(&r)).map_err(MarriageFailure::from)?;
    }
    let day = match q.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => s.clock.today(),
        Some(d) => day_of(d).ok_or_else(|| {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_date",
                crate::platform::pages::bad_date(Lang::Zh, "日期", "date", d),
                crate::platform::pages::bad_date(Lang::En, "日期", "date", d),
            )
        })?,
    };
    let form = BookingForm { kind: "marriage".into(), day: day.to_string(), slot: "am".into(), ..Default::default() };
    appointments_page(&s, &who, day, form, None).await
}

fn booking_of(f: &BookingForm, lang: Lang) -> Result<service::BookingRequest, String> {
    use crate::marriage::model::{AppointmentKind, Slot};
    let kind = AppointmentKind::parse(&f.kind).ok_or_else(|| pick(lang, "请选择预约事项", "choose what is booked").to_string())?;
    let day = day_of(&f.day).ok_or_else(|| crate::platform::pages::bad_date(lang, "预约日期", "day", &f.day))?;
    let slot = Slot::parse(&f.slot).ok_or_else(|| pick(lang, "请选择上午或下午", "choose morning or afternoon").to_string())?;
    let divorce_id = match f.divorce_id.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .map_err(|_| pick(lang, "离婚登记申请编号应为数字", "the divorce application's number is a number").to_string())?,
        ),
    };
    Ok(service::BookingRequest {
        kind,
        divorce_id,
        first_id: f.first_id.clone(),
        first_name: f.first_name.clone(),
        second_id: f.second_id.clone(),
        second_name: f.second_name.clone(),
        phone: f.phone.clone(),
        day,
        slot,
    })
}

pub(in crate::marriage) async fn form_book(
    State(s): State<AppState>,
    who: Authenticated,
    Form(f): Form<BookingForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    let lang = who.lang;
    let today = s.clock.today();
    let shown_day = day_of(&f.day).unwrap_or(today);
    let r = match booking_of(&f, lang) {
        Ok(r) => r,
        Err(msg) => return appointments_page(&s, &who, shown_day, f, Some(msg)).await,
    };
    match service::book(s.store.as_ref(), &who.cx(today), r).await {
        Ok(a) => Ok(Redirect::to(&format!("/marriage/appointments?day={}", a.day)).into_response()),
        Err(service::BookingFailure::Store(e)) => Err(e.into()),
        Err(service::BookingFailure::Access(e)) => Err(e.into()),
        Err(e) => appointments_page(&s, &who, shown_day, f, Some(both(lang, &e))).await,
    }
}

#[derive(Deserialize, Default)]
pub(in crate::marriage) struct CancelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    day: String,
}

pub(in crate::marriage) async fn form_cancel(
    State(s): State<AppState>,
    who: Authenticated,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> Result<Response, AppError> {
    who.require_csrf(&s, Some(&f.csrf)).await?;
    service::cancel(s.store.as_ref(), &who.cx(s.clock.today()), id).await?;
    let day = day_of(&f.day).unwrap_or_else(|| s.clock.today());
    Ok(Redirect::to(&format!("/marriage/appointments?day={day}")).into_response())
}

/// `POST /api/marriage/appointments` (needs `x-csrf-token`): a booking; 201.
pub(in crate::marriage) async fn api_book(
    State(s): State<AppState>,
    who: Authenticated,
    headers: axum::http::HeaderMap,
    Json(r): Json<service::BookingRequest>,
) -> Result<(StatusCode, Json<crate::marriage::store::Appointment>), AppError> {
    who.require_csrf_header(&s, &headers).await?;
    match service::book(s.store.as_ref(), &who.cx(s.clock.today()), r).await {
        Ok(a) => Ok((StatusCode::CREATED, Json(a))),
        Err(service::BookingFailure::Store(e)) => Err(e.into()),
        Err(service::BookingFailure::Access(e)) => Err(e.into()),
        Err(service::BookingFailure::Marriage(e)) => Err(e.into()),
        Err(e) => Err(AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", e.zh(), e.en())),
    }
}
