//! Values with their units as staff read them: 3 人, 24 个月, 15.0%, 是, 1,041.00 元, 肢体残疾.
//! Parameters, features and check figures carry a unit code (`persons`, `months`, `permille`,
//! `flag`, `fen` ...) from the policy files; pages and reports show it here, never the code.

use crate::{DisabilityCategory, Fen};

/// `value` (as recorded: a number, `true`/`false`, a category code) with its unit, in Chinese
/// (`zh`) or English. An unknown unit is shown as it is.
pub fn with_unit(value: &str, unit: &str, zh: bool) -> String {
    let v = value.trim();
    let pick = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    if let Some(c) = DisabilityCategory::parse(v) {
        return if zh { format!("{}残疾", c.zh()) } else { format!("{} disability", c.as_str()) };
    }
    match v {
        "true" => return pick("是", "yes"),
        "false" => return pick("否", "no"),
        _ => {}
    }
    let number = v.parse::<i64>();
    match (unit, number) {
        (u, Ok(n)) if u.starts_with("fen") => format!("{} {}{}", Fen(n), if zh { "元" } else { "yuan" }, per(u, zh)),
        ("permille", Ok(n)) => format!("{}{}.{}%", if n < 0 { "-" } else { "" }, n.abs() / 10, n.abs() % 10),
        ("flag", Ok(0)) => pick("否", "no"),
        ("flag", Ok(_)) => pick("是", "yes"),
        (_, _) => {
            let (z, e) = match unit {
                "" => return v.to_string(),
                "months" => (" 个月", " months"),
                "years" => (" 岁", " years"),
                "days" => (" 天", " days"),
                "day_of_month" => (" 日", " (day of the month)"),
                "person" | "persons" => (" 人", " persons"),
                "household" | "households" => (" 户", " households"),
                "vehicles" => (" 辆", " vehicles"),
                "properties" => (" 套", " properties"),
                "businesses" => (" 家", " businesses"),
                "units" => (" 个", " units"),
                "points" => (" 分", " points"),
                other => return format!("{v} {other}"),
            };
            format!("{v}{}", if zh { z } else { e })
        }
    }
}

/// What a money unit is per (`fen/person/month` → `/人/月`).
fn per(unit: &str, zh: bool) -> String {
    unit.split(['/', '_'])
        .skip(1)
        .map(|p| {
            let word = match (p, zh) {
                ("person", true) => "人",
                ("household", true) => "户",
                ("month", true) => "月",
                ("year", true) => "年",
                ("day", true) => "天",
                (other, _) => other,
            };
            format!("/{word}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shown_with_the_units_staff_use() {
        assert_eq!(with_unit("24", "months", true), "24 个月");
        assert_eq!(with_unit("1500", "permille", true), "150.0%");
        assert_eq!(with_unit("155", "permille", false), "15.5%");
        assert_eq!(with_unit("-5", "permille", true), "-0.5%");
        assert_eq!(with_unit("0", "flag", true), "否");
        assert_eq!(with_unit("1", "flag", false), "yes");
        assert_eq!(with_unit("3", "persons", true), "3 人");
        assert_eq!(with_unit("1", "vehicles", true), "1 辆");
        assert_eq!(with_unit("104100", "fen", true), "1041.00 元");
        assert_eq!(with_unit("104100", "fen/person/month", true), "1041.00 元/人/月");
        assert_eq!(with_unit("3000", "fen/person/month", false), "30.00 yuan/person/month");
        assert_eq!(with_unit("true", "", true), "是");
        assert_eq!(with_unit("physical", "", true), "肢体残疾");
        assert_eq!(with_unit("70", "years", true), "70 岁");
        assert_eq!(with_unit("7", "parsecs", true), "7 parsecs", "an unknown unit as it is");
    }
}
