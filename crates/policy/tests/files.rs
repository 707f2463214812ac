//! Policy files: the shipped ones load; a malformed one is refused with its file, line and reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_policy::defs::SHENYANG;
use minzheng_policy::{Engine, PolicySet};

fn files_with(name: &str, text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = SHENYANG.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    match files.iter_mut().find(|(f, _)| f == name) {
        Some(f) => f.1 = text.to_string(),
        None => files.push((name.to_string(), text.to_string())),
    }
    files
}

fn replaced(name: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let text = SHENYANG.iter().find(|(f, _)| *f == name).map(|(_, t)| t.to_string()).unwrap_or_default();
    assert!(text.contains(from), "{name} contains {from:?}");
    files_with(name, &text.replacen(from, to, 1))
}

async fn refused(files: Vec<(String, String)>) -> minzheng_policy::PolicyError {
    match PolicySet::from_files("2101", files) {
        Err(e) => e,
        Ok(set) => match Engine::new(set, 1).await {
            Err(e) => e,
            Ok(_) => panic!("accepted"),
        },
    }
}

#[tokio::test]
async fn the_shipped_policies_compile() {
    let set = PolicySet::shenyang();
    let codes: Vec<&str> = set.programs.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        ["tekun", "dibao", "dibao_single", "dibao_edge", "gaoling", "disability_living", "disability_care", "orphan", "unsupported_child"]
    );
    let engine = Engine::new(set, 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(engine.query("dibao").is_some_and(|q| q.contains("hh_income < p.dibao_standard * members")));
}

#[tokio::test]
async fn a_toml_mistake_is_refused_with_its_line() {
    let e = refused(replaced("dibao.toml", "unit = \"household\"", "unit = \"family\"")).await;
    assert_eq!((e.file.as_str(), e.line), ("dibao.toml", 5));
    assert!(e.reason.contains("family"), "{e}");
}

#[tokio::test]
async fn an_unknown_feature_or_parameter_is_refused_at_the_rule() {
    let e = refused(replaced("dibao.toml", "hh_deposits <=", "hh_savings <=")).await;
    assert_eq!(e.file, "dibao.toml");
    assert_eq!(e.line, 28);
    assert!(e.reason.contains("hh_savings") && e.reason.contains("deposits_within_limit"), "{e}");
    let e = refused(replaced("gaoling.toml", "p.gaoling_90", "p.gaoling_95")).await;
    assert!(e.reason.contains("p.gaoling_95"), "{e}");
    assert!(e.reason_zh.contains("未定义的参数"), "{}", e.reason_zh);
}

#[tokio::test]
async fn sql_that_does_not_parse_or_is_not_a_condition_is_refused() {
    let e = refused(replaced("dibao.toml", "hh_properties = 0", "hh_properties = = 0")).await;
    assert_eq!((e.file.as_str(), e.line), ("dibao.toml", 42));
    assert!(e.reason.starts_with("no_extra_property"), "{e}");
    let e = refused(replaced("dibao.toml", "hh_properties = 0", "hh_properties + 1")).await;
    assert!(e.reason.contains("not a condition"), "{e}");
}

#[tokio::test]
async fn a_program_may_only_depend_on_programs_evaluated_before_it() {
    let e = refused(replaced("disability_living.toml", "priority = 60", "priority = 5")).await;
    assert!(e.reason.contains("evaluated after"), "{e}");
    // A link to who is enrolled reads the enrolment records: any order will do, but the
    // program must exist.
    let set = PolicySet::from_files("2101", replaced("dibao.toml", "priority = 20", "priority = 5")).expect("enrolled links in any order");
    Engine::new(set, 1).await.expect("compiles");
    let e =
        refused(replaced("dibao.toml", "{ program = \"tekun\", when = \"enrolled\"", "{ program = \"tekunn\", when = \"enrolled\"")).await;
    assert!(e.reason.contains("no program \"tekunn\""), "{e}");
    let e = refused(replaced("disability_living.toml", "requires = [\"dibao\"]", "requires = [\"dibaoo\"]")).await;
    assert!(e.reason.contains("no program \"dibaoo\""), "{e}");
}

#[tokio::test]
async fn missing_files_and_duplicate_codes_are_refused() {
    let files: Vec<(String, String)> =
        SHENYANG.iter().filter(|(f, _)| *f != "parameters.toml").map(|(f, t)| (f.to_string(), t.to_string())).collect();
    assert_eq!(refused(files).await.file, "parameters.toml");
    let dibao = SHENYANG.iter().find(|(f, _)| *f == "dibao.toml").map(|(_, t)| t.to_string()).unwrap_or_default();
    let e = refused(files_with("dibao_copy.toml", &dibao)).await;
    assert!(e.reason.contains("two files"), "{e}");
}

/// A feature view with a subquery is accepted, but its checks plan anew each time: DataFusion
/// shares a subquery's results between copies of a plan, so plans made once could mix two
/// households. (A program's rules cannot hold one: SELECT is not a feature.)
#[tokio::test]
async fn a_view_with_a_subquery_makes_each_check_plan_anew() {
    let shipped = Engine::new(PolicySet::shenyang(), 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(shipped.checks_reuse_plans());
    let files = replaced("features.toml", "CAST((e.eval_ymd - p.birth)", "CAST(((SELECT MAX(eval_ymd) FROM evaluation) - p.birth)");
    let set = PolicySet::from_files("2101", files).unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(set, 1).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!engine.checks_reuse_plans());
}

#[tokio::test]
async fn a_name_staff_write_names_one_program_only() {
    let e = refused(replaced("tekun.toml", "aliases = [\"特困\"", "aliases = [\"低保\", \"特困\"")).await;
    assert_eq!((e.file.as_str(), e.line), ("tekun.toml", 4));
    assert!(e.reason.contains("低保") && e.reason.contains("dibao"), "{e}");
}

#[tokio::test]
async fn a_link_between_programs_says_whether_enrolment_or_eligibility_counts() {
    let text = SHENYANG.iter().find(|(f, _)| *f == "dibao.toml").map(|(_, t)| t.to_string()).unwrap_or_default();
    let start = text.find("excluded_by = [").expect("dibao has excluded_by");
    let end = start + text[start..].find("\n]").expect("closing bracket") + 2;
    let bare = format!("{}excluded_by = [\"tekun\"]{}", &text[..start], &text[end..]);
    let e = refused(files_with("dibao.toml", &bare)).await;
    assert_eq!(e.file, "dibao.toml");
    assert!(e.reason.contains("when = \"enrolled\"") && e.reason.contains("eligible"), "{e}");
    let e = refused(replaced("dibao.toml", "when = \"enrolled\"", "when = \"granted\"")).await;
    assert!(e.reason.contains("granted") && e.reason.contains("已纳入"), "said in both languages: {e}");
}
