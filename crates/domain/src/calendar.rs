//! 工作日历 / The working-day calendar that statutory time limits are counted in.
//!
//! Time limits of the procedure are working days (《最低生活保障审核确认办法》第二十二条: the
//! county decides within 10 working days ...). A day is a working day when it is Monday to
//! Friday and not a public holiday, or when it is a weekend day declared a working day in
//! exchange (调休上班). Each year's holidays and exchanged days come from the State Council's
//! notice (国务院办公厅关于部分节假日安排的通知) and are data, recorded per year.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 法定节假日 (or a weekday given as rest in exchange, 调休放假).
    Holiday,
    /// 调休上班: a weekend day worked.
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn parse(s: &str) -> Option<DayKind> {
        match s.trim() {
            "holiday" | "放假" | "休" => Some(DayKind::Holiday),
            "workday" | "上班" | "班" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One listed day: a holiday or an exchanged working day, with the notice it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    /// 元旦, 春节 ... and the notice.
    pub note: String,
}

/// The calendar: weekends rest, weekdays work, except the listed days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    listed: BTreeMap<NaiveDate, DayKind>,
}

impl WorkCalendar {
    pub fn new(days: &[CalendarDay]) -> WorkCalendar {
        WorkCalendar { listed: days.iter().map(|d| (d.day, d.kind)).collect() }
    }

    /// Years for which at least one day is listed (a year without any is counted by weekdays alone).
    pub fn years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.listed.keys().map(|d| d.year()).collect();
        y.dedup();
        y
    }

    /// Whether the year's holidays are entered: the State Council's notice is entered as a
    /// whole, and its last holiday is the National Day, so a year counts as entered once its
    /// 1 October is listed as a holiday. A year without it is counted by weekdays alone (元旦
    /// counted as a working day when missing), so a limit running into it is provisional (暂定).
    pub fn has_year(&self, year: i32) -> bool {
        NaiveDate::from_ymd_opt(year, 10, 1).is_some_and(|d| self.listed.get(&d) == Some(&DayKind::Holiday))
    }

    /// Whether a limit counted from `from` to `to` crosses only years whose holidays are listed;
    /// otherwise the due date is provisional until the State Council's notice is entered.
    pub fn settled(&self, from: NaiveDate, to: NaiveDate) -> bool {
        (from.year().min(to.year())..=from.year().max(to.year())).all(|y| self.has_year(y))
    }

    /// The year whose holidays must be entered now, if any: the current year when it is
    /// missing, or from 1 November (the notice is usually published in November) the next one.
    pub fn year_to_enter(&self, today: NaiveDate) -> Option<i32> {
        if !self.has_year(today.year()) {
            Some(today.year())
        } else if today.month() >= 11 && !self.has_year(today.year() + 1) {
            Some(today.year() + 1)
        } else {
            None
        }
    }

    pub fn is_working(&self, day: NaiveDate) -> bool {
        match self.listed.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The day `n` working days after `from` (the day of the event itself is not counted: a
    /// limit of 3 working days from a Friday acceptance ends on the Wednesday after). With
    /// `n = 0`, `from` itself.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// 2026's National Day: 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    fn national_day_2026() -> WorkCalendar {
        let mut days: Vec<CalendarDay> =
            (1..=7).map(|i| CalendarDay { day: d(&format!("2026-10-0{i}")), kind: DayKind::Holiday, note: "国庆节".into() }).collect();
        for w in ["2026-09-20", "2026-10-10"] {
            days.push(CalendarDay { day: d(w), kind: DayKind::Workday, note: "国庆节调休上班".into() });
        }
        WorkCalendar::new(&days)
    }

    #[test]
    fn three_working_days_from_a_friday_end_on_wednesday() {
        let c = WorkCalendar::default();
        assert_eq!(c.add_working_days(d("2026-11-20"), 3), d("2026-11-25"));
        assert_eq!(c.add_working_days(d("2026-11-20"), 0), d("2026-11-20"));
    }

    #[test]
    fn holidays_do_not_count_and_exchanged_weekends_do() {
        let c = national_day_2026();
        assert!(!c.is_working(d("2026-10-05")), "a Monday of the National Day holiday");
        assert!(c.is_working(d("2026-10-10")), "Saturday 10-10 is worked in exchange");
        // Accepted on Wednesday 09-30: the next working days are 10-08, 10-09, 10-10.
        assert_eq!(c.add_working_days(d("2026-09-30"), 3), d("2026-10-10"));
        // 10 working days from Friday 09-18: Sunday 09-20 (worked) counts, 10-01 to 10-07 do not.
        assert_eq!(c.add_working_days(d("2026-09-18"), 10), d("2026-10-08"));
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-10")), 3);
    }

    #[test]
    fn a_limit_into_a_year_without_its_holidays_is_provisional() {
        let c = national_day_2026();
        assert!(c.has_year(2026) && !c.has_year(2027));
        // 元旦 alone is not the year's notice.
        let mut days = vec![CalendarDay { day: d("2027-01-01"), kind: DayKind::Holiday, note: "元旦".into() }];
        assert!(!WorkCalendar::new(&days).has_year(2027));
        days.push(CalendarDay { day: d("2027-10-01"), kind: DayKind::Holiday, note: "国庆节".into() });
        assert!(WorkCalendar::new(&days).has_year(2027));
        assert!(c.settled(d("2026-11-02"), d("2026-12-14")));
        // Accepted in December 2026, due in January 2027: 元旦 2027 is not yet known.
        assert!(!c.settled(d("2026-12-07"), d("2027-01-19")));
        assert_eq!(c.year_to_enter(d("2026-10-15")), None);
        assert_eq!(c.year_to_enter(d("2026-12-07")), Some(2027), "warned before the year starts");
        assert_eq!(c.year_to_enter(d("2027-02-01")), Some(2027));
        assert_eq!(WorkCalendar::default().year_to_enter(d("2026-05-01")), Some(2026));
    }

    #[test]
    fn counting_forward_and_back_agree() {
        let c = national_day_2026();
        let start = d("2026-09-01");
        for n in 0..60 {
            let end = c.add_working_days(start, n);
            assert_eq!(c.working_days_between(start, end), n, "{n} working days from {start} end on {end}");
        }
    }
}

/// 北京时间: the dates and times staff read are China Standard Time (UTC+8, no summer time),
/// whatever the server's own time zone.
pub fn beijing(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    (t + chrono::Duration::hours(8)).naive_utc()
}

/// Today's date in Beijing: the working date of case handling, payments and reports.
pub fn today_in_beijing() -> NaiveDate {
    beijing(chrono::Utc::now()).date()
}

/// A time as staff read it: `2026-12-06 20:15` (Beijing time).
pub fn beijing_minutes(t: chrono::DateTime<chrono::Utc>) -> String {
    beijing(t).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod beijing_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_utc_evening_is_the_next_morning_in_beijing() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 12, 6, 17, 30, 0).single().unwrap_or_default();
        assert_eq!(beijing_minutes(t), "2026-12-07 01:30");
        assert_eq!(beijing(t).date(), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default());
    }
}
