//! 基层治理 · 网格事件与工单: grid events reported by grid workers, 12345 hotline orders and
//! petitions (信访), pure: their kinds and time limits, the steps from receipt to evaluation and
//! who takes them, on-time judgements and the KPIs of a community or street.
//!
//! The flow (DOMAIN-SUBPLATFORMS, grid governance): collect → file → dispatch (the clock starts)
//! → sign → handle and reply → verify and close (or send back for rework) → evaluate. Time
//! limits: 12345 urgent the same day, enquiries 3 working days, requests 5, complaints 13 (the
//! typical local limits); grid events 5 working days (local practice); petitions (《信访工作
//! 条例》2022 第二十四条、第三十五条): accepted or referred within 15 days of receipt, answered
//! within 60 days of acceptance, extended once by at most 30 days with the reasons.

use chrono::{Duration, NaiveDate};
use minzheng_domain::calendar::WorkCalendar;
use minzheng_domain::Bilingual;
use serde::{Deserialize, Serialize};

/// What an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// 网格事件: reported by a grid worker.
    GridEvent,
    /// 12345 紧急: the same working day.
    HotlineUrgent,
    /// 12345 咨询: 3 working days.
    HotlineEnquiry,
    /// 12345 求助: 5 working days.
    HotlineRequest,
    /// 12345 投诉: 13 working days.
    HotlineComplaint,
    /// 信访事项.
    Petition,
}

impl OrderKind {
    pub const ALL: [OrderKind; 6] = [
        OrderKind::GridEvent,
        OrderKind::HotlineUrgent,
        OrderKind::HotlineEnquiry,
        OrderKind::HotlineRequest,
        OrderKind::HotlineComplaint,
        OrderKind::Petition,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::GridEvent => "grid_event",
            OrderKind::HotlineUrgent => "hotline_urgent",
            OrderKind::HotlineEnquiry => "hotline_enquiry",
            OrderKind::HotlineRequest => "hotline_request",
            OrderKind::HotlineComplaint => "hotline_complaint",
            OrderKind::Petition => "petition",
        }
    }

    pub fn parse(s: &str) -> Option<OrderKind> {
        OrderKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrderKind::GridEvent => "网格事件",
            OrderKind::HotlineUrgent => "12345紧急诉求",
            OrderKind::HotlineEnquiry => "12345咨询",
            OrderKind::HotlineRequest => "12345求助",
            OrderKind::HotlineComplaint => "12345投诉",
            OrderKind::Petition => "信访事项",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OrderKind::GridEvent => "grid event",
            OrderKind::HotlineUrgent => "12345 urgent",
            OrderKind::HotlineEnquiry => "12345 enquiry",
            OrderKind::HotlineRequest => "12345 request for help",
            OrderKind::HotlineComplaint => "12345 complaint",
            OrderKind::Petition => "petition",
        }
    }

    /// The day a dispatched order is due: working days from the dispatch (the same day for an
    /// urgent one); a petition 60 days from its acceptance.
    pub fn due(self, dispatched: NaiveDate, cal: &WorkCalendar) -> NaiveDate {
        match self {
            OrderKind::HotlineUrgent => dispatched,
            OrderKind::HotlineEnquiry => cal.add_working_days(dispatched, 3),
            OrderKind::HotlineRequest | OrderKind::GridEvent => cal.add_working_days(dispatched, 5),
            OrderKind::HotlineComplaint => cal.add_working_days(dispatched, 13),
            OrderKind::Petition => dispatched + Duration::days(PETITION_DECIDE_DAYS),
        }
    }
}

/// 信访: accepted or referred within 15 days of receipt (第二十四条).
pub const PETITION_ACCEPT_DAYS: i64 = 15;
/// 信访: answered within 60 days of acceptance (第三十五条) ...
pub const PETITION_DECIDE_DAYS: i64 = 60;
/// ... extended once by at most 30 days, with the reasons told to the petitioner.
pub const PETITION_EXTEND_DAYS: i64 = 30;

/// 事件类别 of a grid event.
pub const EVENT_CATEGORIES: &[(&str, &str, &str)] = &[
    ("safety", "安全隐患", "safety hazard"),
    ("environment", "环境卫生", "sanitation"),
    ("dispute", "矛盾纠纷", "dispute between neighbours"),
    ("livelihood", "民生诉求", "living difficulty"),
    ("facility", "公共设施", "public facility"),
    ("other", "其他", "other"),
];

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// 待派单 (a petition: 待受理).
    Received,
    /// 信访已受理, to dispatch.
    Accepted,
    /// 已派单, to sign.
    Dispatched,
    /// 处理中 (signed, or sent back for rework).
    Handling,
    /// 已回复, to verify.
    Replied,
    /// 已办结.
    Closed,
    /// 信访转送: referred to the competent body; closed here.
    Referred,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Received => "received",
            OrderStatus::Accepted => "accepted",
            OrderStatus::Dispatched => "dispatched",
            OrderStatus::Handling => "handling",
            OrderStatus::Replied => "replied",
            OrderStatus::Closed => "closed",
            OrderStatus::Referred => "referred",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        [
            OrderStatus::Received,
            OrderStatus::Accepted,
            OrderStatus::Dispatched,
            OrderStatus::Handling,
            OrderStatus::Replied,
            OrderStatus::Closed,
            OrderStatus::Referred,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            OrderStatus::Received => "待派单",
            OrderStatus::Accepted => "已受理待派单",
            OrderStatus::Dispatched => "已派单待签收",
            OrderStatus::Handling => "处理中",
            OrderStatus::Replied => "已回复待核实",
            OrderStatus::Closed => "已办结",
            OrderStatus::Referred => "已转送",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            OrderStatus::Received => "to dispatch",
            OrderStatus::Accepted => "accepted, to dispatch",
            OrderStatus::Dispatched => "dispatched, to sign",
            OrderStatus::Handling => "being handled",
            OrderStatus::Replied => "replied, to verify",
            OrderStatus::Closed => "closed",
            OrderStatus::Referred => "referred",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, OrderStatus::Closed | OrderStatus::Referred)
    }
}

/// 满意度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    Basically,
    Dissatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basically => "basically",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }
    pub fn parse(s: &str) -> Option<Satisfaction> {
        [Satisfaction::Satisfied, Satisfaction::Basically, Satisfaction::Dissatisfied].into_iter().find(|k| k.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::Basically => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basically => "basically satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }
}

/// A work order as the module keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    pub kind: OrderKind,
    /// 事件类别 (grid events) or the hotline's category, free text.
    pub category: String,
    pub title: String,
    pub description: String,
    /// The caller, petitioner or resident concerned, and a phone.
    pub contact: String,
    pub phone: String,
    /// Where: a community of the region tree, a grid of it, a building or address.
    pub community: String,
    pub grid: String,
    pub place: String,
    /// 12345 工单编号 or 信访件编号 given by the source.
    pub source_no: String,
    pub status: OrderStatus,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub dispatched_on: Option<NaiveDate>,
    /// The community the order was dispatched to (may differ from where it happened).
    pub assigned_to: String,
    pub due: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub reply: String,
    pub closed_on: Option<NaiveDate>,
    pub satisfaction: Option<Satisfaction>,
    pub rework: i64,
    pub extended: bool,
    pub escalated: bool,
    pub reported_by: String,
}

impl Order {
    /// Open past its due day on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| today > d)
    }

    /// A petition not yet accepted or referred past the 15 days.
    pub fn acceptance_overdue(&self, today: NaiveDate) -> bool {
        self.kind == OrderKind::Petition
            && self.status == OrderStatus::Received
            && today > self.received_on + Duration::days(PETITION_ACCEPT_DAYS)
    }
}

/// A step asked for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// 信访受理.
    Accept,
    /// 信访转送: to the competent body, named.
    Refer { to: String },
    /// 派单 to a community.
    Dispatch { to: String },
    /// 签收.
    Sign,
    /// 办结回复.
    Reply { text: String },
    /// 退回重办, with the reason.
    SendBack { reason: String },
    /// 核实办结.
    Close,
    /// 回访评价.
    Evaluate { satisfaction: String },
    /// 信访延期 (once, +30 days), with the reasons.
    Extend { reason: String },
    /// 督办: an overdue order raised to the county.
    Escalate { note: String },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Refer { .. } => "refer",
            Step::Dispatch { .. } => "dispatch",
            Step::Sign => "sign",
            Step::Reply { .. } => "reply",
            Step::SendBack { .. } => "send_back",
            Step::Close => "close",
            Step::Evaluate { .. } => "evaluate",
            Step::Extend { .. } => "extend",
            Step::Escalate { .. } => "escalate",
        }
    }

    /// Steps of the handling community (签收, 回复); the others are the dispatcher's.
    pub fn by_handler(&self) -> bool {
        matches!(self, Step::Sign | Step::Reply { .. })
    }

    pub fn zh(&self) -> &'static str {
        match self {
            Step::Accept => "受理",
            Step::Refer { .. } => "转送",
            Step::Dispatch { .. } => "派单",
            Step::Sign => "签收",
            Step::Reply { .. } => "办结回复",
            Step::SendBack { .. } => "退回重办",
            Step::Close => "核实办结",
            Step::Evaluate { .. } => "回访评价",
            Step::Extend { .. } => "延期",
            Step::Escalate { .. } => "督办",
        }
    }
}

/// Why an order or a step is refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("{0:?} is not a kind of order")]
    Kind(String),
    #[error("say what happened (a title of at least 4 characters)")]
    NoTitle,
    #[error("the place is not in the grid tree: {0}")]
    Place(String),
    #[error("the grid {0:?} is not a grid of this community")]
    Grid(String),
    #[error("{step} cannot be taken on an order that is {status}")]
    NotNow { step: &'static str, status: &'static str },
    #[error("give the text (at least 4 characters)")]
    NoText,
    #[error("{0:?} is not a satisfaction (satisfied, basically, dissatisfied)")]
    Satisfaction(String),
    #[error("a petition is extended once only")]
    ExtendedAlready,
    #[error("only petitions are accepted, referred or extended")]
    NotPetition,
    #[error("only an overdue order is escalated")]
    NotOverdue,
    #[error("the day {0} is before the order was received")]
    Before(NaiveDate),
    #[error("the day received {0} is after today")]
    Future(NaiveDate),
    #[error("the answer was due on {0}: a petition is extended before its time runs out")]
    PastDue(NaiveDate),
    #[error("the order is already escalated")]
    EscalatedAlready,
    #[error("name the body the petition is referred to")]
    NoBody,
    #[error("the period runs from a day to a later one, a year at most")]
    Period,
}

impl Bilingual for OrderError {
    fn zh(&self) -> String {
        match self {
            OrderError::Kind(k) => format!("“{k}”不是工单类别"),
            OrderError::NoTitle => "请简要说明事项（至少四个字）".into(),
            OrderError::Place(p) => format!("发生地点不在网格体系内：{p}"),
            OrderError::Grid(g) => format!("“{g}”不是该社区的网格"),
            OrderError::NotNow { step, status } => format!("工单当前为“{status}”，不能{step}"),
            OrderError::NoText => "请填写内容（至少四个字）".into(),
            OrderError::Satisfaction(s) => format!("“{s}”不是评价结果（满意、基本满意、不满意）"),
            OrderError::ExtendedAlready => "信访事项只能延期一次".into(),
            OrderError::NotPetition => "只有信访事项才有受理、转送、延期".into(),
            OrderError::NotOverdue => "只有超期工单才能督办".into(),
            OrderError::Before(d) => format!("日期 {d} 早于登记日期"),
            OrderError::Future(d) => format!("收到日期 {d} 晚于今天"),
            OrderError::PastDue(d) => format!("办理期限 {d} 已过：信访事项须在期限届满前延期"),
            OrderError::EscalatedAlready => "该工单已督办".into(),
            OrderError::NoBody => "请填写转送的有权处理机关".into(),
            OrderError::Period => "统计期间应从早到晚，且不超过一年".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

fn text(s: &str) -> Result<String, OrderError> {
    let t = s.trim();
    if t.chars().count() < 4 {
        return Err(OrderError::NoText);
    }
    Ok(t.to_string())
}

/// What a step changes, worked out on the order as it is (pure). `kind_zh` of the status for
/// the refusal.
pub fn apply(order: &Order, step: &Step, today: NaiveDate, cal: &WorkCalendar) -> Result<Order, OrderError> {
    use OrderStatus::*;
    let mut o = order.clone();
    let not_now = || OrderError::NotNow { step: step.zh(), status: order.status.zh() };
    if today < order.received_on {
        return Err(OrderError::Before(today));
    }
    match step {
        Step::Accept | Step::Refer { .. } | Step::Extend { .. } if order.kind != OrderKind::Petition => {
            return Err(OrderError::NotPetition);
        }
        Step::Accept => {
            if order.status != Received {
                return Err(not_now());
            }
            o.status = Accepted;
            o.accepted_on = Some(today);
            o.due = Some(OrderKind::Petition.due(today, cal));
        }
        Step::Refer { to } => {
            if order.status != Received {
                return Err(not_now());
            }
            if to.trim().chars().count() < 2 {
                return Err(OrderError::NoBody);
            }
            o.status = Referred;
            o.reply = to.trim().to_string();
            o.closed_on = Some(today);
        }
        Step::Dispatch { to } => {
            let ready = if order.kind == OrderKind::Petition { Accepted } else { Received };
            if order.status != ready {
                return Err(not_now());
            }
            o.status = Dispatched;
            o.assigned_to = to.trim().to_string();
            o.dispatched_on = Some(today);
            if order.kind != OrderKind::Petition {
                o.due = Some(order.kind.due(today, cal));
            }
        }
        Step::Sign => {
            if order.status != Dispatched {
                return Err(not_now());
            }
            o.status = Handling;
            o.signed_on = Some(today);
        }
        Step::Reply { text: t } => {
            if order.status != Handling {
                return Err(not_now());
            }
            o.reply = text(t)?;
            o.status = Replied;
            o.replied_on = Some(today);
        }
        Step::SendBack { reason } => {
            if order.status != Replied {
                return Err(not_now());
            }
            text(reason)?;
            o.status = Handling;
            o.rework += 1;
        }
        Step::Close => {
            if order.status != Replied {
                return Err(not_now());
            }
            o.status = Closed;
            o.closed_on = Some(today);
        }
        Step::Evaluate { satisfaction } => {
            if order.status != Closed || order.satisfaction.is_some() {
                return Err(not_now());
            }
            o.satisfaction = Some(Satisfaction::parse(satisfaction).ok_or_else(|| OrderError::Satisfaction(satisfaction.clone()))?);
        }
        Step::Extend { reason } => {
            if !matches!(order.status, Accepted | Dispatched | Handling) {
                return Err(not_now());
            }
            if order.extended {
                return Err(OrderError::ExtendedAlready);
            }
            if let Some(due) = order.due.filter(|d| today > *d) {
                return Err(OrderError::PastDue(due));
            }
            text(reason)?;
            o.extended = true;
            o.due = order.due.map(|d| d + Duration::days(PETITION_EXTEND_DAYS));
        }
        Step::Escalate { note } => {
            if order.escalated {
                return Err(OrderError::EscalatedAlready);
            }
            if !(order.overdue(today) || order.acceptance_overdue(today)) {
                return Err(OrderError::NotOverdue);
            }
            text(note)?;
            o.escalated = true;
        }
    }
    Ok(o)
}

/// The KPIs of a community's (or street's) orders dispatched in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Kpi {
    pub area: String,
    pub dispatched: i64,
    /// Signed within one working day of the dispatch.
    pub signed_on_time: i64,
    pub closed: i64,
    /// Closed on or before the due day.
    pub closed_on_time: i64,
    pub evaluated: i64,
    /// 满意 or 基本满意.
    pub satisfied: i64,
    /// Sent back at least once.
    pub reworked: i64,
    /// Open past the due day.
    pub overdue: i64,
}

impl Kpi {
    /// A share in per mille (‰), none without a base.
    pub fn permille(part: i64, of: i64) -> Option<i64> {
        (of > 0).then(|| (part * 1000 + of / 2) / of)
    }

    /// Adds an order dispatched in the period to the figures.
    pub fn add(&mut self, o: &Order, today: NaiveDate, cal: &WorkCalendar) {
        let Some(dispatched) = o.dispatched_on else { return };
        self.dispatched += 1;
        if o.signed_on.is_some_and(|s| s <= cal.add_working_days(dispatched, 1)) {
            self.signed_on_time += 1;
        }
        if o.status == OrderStatus::Closed {
            self.closed += 1;
            if let (Some(c), Some(d)) = (o.closed_on, o.due) {
                if c <= d {
                    self.closed_on_time += 1;
                }
            }
        }
        if let Some(s) = o.satisfaction {
            self.evaluated += 1;
            if s != Satisfaction::Dissatisfied {
                self.satisfied += 1;
            }
        }
        if o.rework > 0 {
            self.reworked += 1;
        }
        if o.overdue(today) {
            self.overdue += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn order(kind: OrderKind) -> Order {
        Order {
            id: 1,
            kind,
            category: "environment".into(),
            title: "楼道堆放杂物".into(),
            description: String::new(),
            contact: String::new(),
            phone: String::new(),
            community: "210112009001".into(),
            grid: String::new(),
            place: String::new(),
            source_no: String::new(),
            status: OrderStatus::Received,
            received_on: d("2026-12-01"),
            accepted_on: None,
            dispatched_on: None,
            assigned_to: String::new(),
            due: None,
            signed_on: None,
            replied_on: None,
            reply: String::new(),
            closed_on: None,
            satisfaction: None,
            rework: 0,
            extended: false,
            escalated: false,
            reported_by: "grid_worker".into(),
        }
    }

    #[test]
    fn time_limits_count_working_days_from_the_dispatch() {
        let cal = WorkCalendar::default();
        // Tuesday 1 December 2026.
        let tue = d("2026-12-01");
        assert_eq!(OrderKind::HotlineUrgent.due(tue, &cal), tue);
        assert_eq!(OrderKind::HotlineEnquiry.due(tue, &cal), d("2026-12-04"));
        assert_eq!(OrderKind::HotlineComplaint.due(tue, &cal), d("2026-12-18"), "13 working days over two weekends");
        assert_eq!(OrderKind::GridEvent.due(tue, &cal), d("2026-12-08"));
        assert_eq!(OrderKind::Petition.due(tue, &cal), d("2027-01-30"), "60 days, not working days");
    }

    #[test]
    fn an_event_goes_from_dispatch_to_evaluation_with_a_rework() {
        let cal = WorkCalendar::default();
        let o = order(OrderKind::GridEvent);
        assert!(matches!(apply(&o, &Step::Sign, d("2026-12-01"), &cal), Err(OrderError::NotNow { .. })));
        let o = apply(&o, &Step::Dispatch { to: "210112009001".into() }, d("2026-12-01"), &cal).unwrap();
        assert_eq!((o.status, o.due), (OrderStatus::Dispatched, Some(d("2026-12-08"))));
        let o = apply(&o, &Step::Sign, d("2026-12-02"), &cal).unwrap();
        assert_eq!(apply(&o, &Step::Reply { text: "好".into() }, d("2026-12-03"), &cal), Err(OrderError::NoText));
        let o = apply(&o, &Step::Reply { text: "已清理楼道杂物".into() }, d("2026-12-03"), &cal).unwrap();
        let o = apply(&o, &Step::SendBack { reason: "现场仍有杂物".into() }, d("2026-12-04"), &cal).unwrap();
        assert_eq!((o.status, o.rework), (OrderStatus::Handling, 1));
        let o = apply(&o, &Step::Reply { text: "已全部清理并拍照".into() }, d("2026-12-07"), &cal).unwrap();
        let o = apply(&o, &Step::Close, d("2026-12-08"), &cal).unwrap();
        assert_eq!(
            apply(&o, &Step::Evaluate { satisfaction: "good".into() }, d("2026-12-08"), &cal),
            Err(OrderError::Satisfaction("good".into()))
        );
        let o = apply(&o, &Step::Evaluate { satisfaction: "basically".into() }, d("2026-12-09"), &cal).unwrap();
        let mut k = Kpi::default();
        k.add(&o, d("2026-12-10"), &cal);
        assert_eq!((k.dispatched, k.signed_on_time, k.closed_on_time, k.satisfied, k.reworked), (1, 1, 1, 1, 1));
        assert_eq!(Kpi::permille(2, 3), Some(667));
    }

    #[test]
    fn a_petition_is_accepted_answered_within_sixty_days_and_extended_once() {
        let cal = WorkCalendar::default();
        let p = order(OrderKind::Petition);
        assert!(!p.acceptance_overdue(d("2026-12-16")));
        assert!(p.acceptance_overdue(d("2026-12-17")), "15 days from receipt");
        assert_eq!(apply(&order(OrderKind::GridEvent), &Step::Accept, d("2026-12-02"), &cal), Err(OrderError::NotPetition));
        assert!(matches!(apply(&p, &Step::Dispatch { to: "x".into() }, d("2026-12-02"), &cal), Err(OrderError::NotNow { .. })));
        let p = apply(&p, &Step::Accept, d("2026-12-10"), &cal).unwrap();
        assert_eq!(p.due, Some(d("2027-02-08")));
        let p = apply(&p, &Step::Dispatch { to: "210112009001".into() }, d("2026-12-11"), &cal).unwrap();
        assert_eq!(p.due, Some(d("2027-02-08")), "the dispatch does not restart a petition's clock");
        let p = apply(&p, &Step::Extend { reason: "需调取多部门材料".into() }, d("2027-02-01"), &cal).unwrap();
        assert_eq!(p.due, Some(d("2027-03-10")));
        assert_eq!(apply(&p, &Step::Extend { reason: "再次延期理由".into() }, d("2027-02-02"), &cal), Err(OrderError::ExtendedAlready));
        assert_eq!(apply(&p, &Step::Escalate { note: "督促办理".into() }, d("2027-03-10"), &cal), Err(OrderError::NotOverdue));
        assert_eq!(apply(&p, &Step::Extend { reason: "需调取多部门材料".into() }, d("2027-03-11"), &cal), Err(OrderError::ExtendedAlready));
        let p = apply(&p, &Step::Escalate { note: "督促办理".into() }, d("2027-03-11"), &cal).unwrap();
        assert!(p.escalated);
        assert_eq!(apply(&p, &Step::Escalate { note: "再次督促办理".into() }, d("2027-03-12"), &cal), Err(OrderError::EscalatedAlready));
        let late = Order { extended: false, ..p.clone() };
        assert_eq!(
            apply(&late, &Step::Extend { reason: "需调取多部门材料".into() }, d("2027-03-11"), &cal),
            Err(OrderError::PastDue(d("2027-03-10")))
        );
        let fresh = order(OrderKind::Petition);
        assert_eq!(apply(&fresh, &Step::Refer { to: "区".into() }, d("2026-12-02"), &cal), Err(OrderError::NoBody));
        assert_eq!(apply(&fresh, &Step::Refer { to: "公安局".into() }, d("2026-12-02"), &cal).map(|o| o.status), Ok(OrderStatus::Referred));
    }
}
