//! The route table, walked: every route with every role, on a target inside the account's
//! region and one outside it, and without signing in. Each answer must be what
//! `minzheng_server::route_table()` (every module's routes) says. A route in the table without a case here fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use minzheng_domain::Role;
use minzheng_server::{route_table, Access, Route};

/// Where a request goes: inside or outside the account's region.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Inside,
    Outside,
}

/// A request: method, URI and body (content type and text).
type Request = (Method, String, Option<(&'static str, String)>);

/// The request for a route, aimed at a target.
fn request(f: &Fixture, method: &str, path: &str, target: Target) -> Option<Request> {
    let task = if target == Target::Inside { f.inside_task } else { f.outside_task };
    let payroll = if target == Target::Inside { f.inside_payroll } else { f.outside_payroll };
    let recovery = if target == Target::Inside { f.inside_recovery } else { f.outside_recovery };
    let institution = if target == Target::Inside { f.inside_institution } else { f.outside_institution };
    let assessment = if target == Target::Inside { f.inside_assessment } else { f.outside_assessment };
    let death = if target == Target::Inside { f.inside_death } else { f.outside_death };
    let marriage = if target == Target::Inside { f.inside_marriage } else { f.outside_marriage };
    let divorce = if target == Target::Inside { f.inside_divorce } else { f.outside_divorce };
    let org = if target == Target::Inside { f.inside_org } else { f.outside_org };
    let place = if target == Target::Inside { f.inside_name } else { f.outside_name };
    let order = if target == Target::Inside { f.inside_order } else { f.outside_order };
    let warning = if target == Target::Inside { f.inside_warning } else { f.outside_warning };
    let (household, person_id, community, run, finding, verification, case) = match target {
        Target::Inside => {
            let p = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
            (
                f.inside.household_no.clone(),
                p.id_number.to_string(),
                f.inside.community.to_string(),
                f.inside_run,
                f.inside_finding,
                f.inside_verification,
                f.inside_case,
            )
        }
        Target::Outside => (
            f.outside.household_no.clone(),
            f.outside_person.id_number.to_string(),
            f.outside.community.to_string(),
            f.outside_run,
            f.outside_finding,
            f.outside_verification,
            f.outside_case,
        ),
    };
    Some(match (method, path) {
        ("GET", "/") => (Method::GET, "/".into(), None),
        ("GET", "/login") => (Method::GET, "/login".into(), None),
        ("POST", "/login") => (Method::POST, "/login".into(), Some(("application/x-www-form-urlencoded", "name=nobody&password=x".into()))),
        ("POST", "/logout") => (Method::POST, "/logout".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong".into()))),
        ("GET", "/residents") => (Method::GET, format!("/residents?region={community}"), None),
        ("POST", "/households/{no}/unmask") => (Method::POST, format!("/households/{household}/unmask"), Some(("application/x-www-form-urlencoded", "csrf=wrong&member=0&reason=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD".into()))),
        ("POST", "/households/{no}/supporters") => (Method::POST, format!("/households/{household}/supporters"), Some(("application/x-www-form-urlencoded", "csrf=wrong&member=0&able=1&since=2026-08-01&source=x".into()))),
        ("GET", "/households/{no}") => (Method::GET, format!("/households/{household}"), None),
        ("GET", "/lang/{code}") => (Method::GET, "/lang/en".into(), None),
        ("GET", "/static/{*file}") => (Method::GET, "/static/vendor/htmx.min.js".into(), None),
        ("GET", "/api/stats/residents") => (Method::GET, format!("/api/stats/residents?region={community}"), None),
        ("GET", "/api/health") => (Method::GET, "/api/health".into(), None),
        ("GET", "/metrics") => (Method::GET, "/metrics".into(), None),
        ("GET", "/api/openapi.json") => (Method::GET, "/api/openapi.json".into(), None),
        ("POST", "/api/session") => (Method::POST, "/api/session".into(), Some(("application/json", r#"{"name":"nobody","password":"x"}"#.into()))),
        ("DELETE", "/api/session") => (Method::DELETE, "/api/session".into(), None),
        ("GET", "/api/regions/{code}") => (Method::GET, format!("/api/regions/{community}"), None),
        ("GET", "/api/persons") => (Method::GET, format!("/api/persons?region={community}"), None),
        ("GET", "/api/persons/{id}") => (Method::GET, format!("/api/persons/{person_id}"), None),
        ("GET", "/api/acceptance/{id}") => (Method::GET, format!("/api/acceptance/{person_id}"), None),
        ("POST", "/api/password") => (Method::POST, "/api/password".into(), Some(("application/json", r#"{"old":"x","new":"y"}"#.into()))),
        ("POST", "/api/persons/{id}/unmask") => (Method::POST, format!("/api/persons/{person_id}/unmask"), Some(("application/json", r#"{"reason":"核实低保申请"}"#.into()))),
        ("GET", "/api/households") => (Method::GET, format!("/api/households?region={community}"), None),
        ("GET", "/api/audit") => (Method::GET, format!("/api/audit?region={community}"), None),
        ("GET", "/audit") => (Method::GET, format!("/audit?region={community}"), None),
        ("GET", "/audit/export.xlsx") => (Method::GET, format!("/audit/export.xlsx?region={community}"), None),
        ("GET", "/api/households/{no}") => (Method::GET, format!("/api/households/{household}"), None),
        ("GET", "/api/households/{no}/check") => (Method::GET, format!("/api/households/{household}/check?on=2026-08-01"), None),
        ("GET", "/households/{no}/check") => (Method::GET, format!("/households/{household}/check?on=2026-08-01"), None),
        ("POST", "/api/policy/sweeps") => (Method::POST, "/api/policy/sweeps".into(), Some(("application/json", format!(r#"{{"region":"{community}"}}"#)))),
        ("POST", "/api/policy/whatif") => (Method::POST, "/api/policy/whatif".into(), Some(("application/json", format!(r#"{{"region":"{community}","from":"2026-08-01","changes":["dibao_standard+7%"]}}"#)))),
        ("GET", "/api/policy/runs/{id}") => (Method::GET, format!("/api/policy/runs/{run}"), None),
        ("GET", "/api/policy/parameters") => (Method::GET, format!("/api/policy/parameters?region={community}"), None),
        ("POST", "/api/policy/parameters") => (Method::POST, "/api/policy/parameters".into(), Some(("application/json", format!(r#"{{"name":"gaoling_80","region":"{community}","from":"2027-01-01","value":3000,"reason":"测试文件"}}"#)))),
        ("GET", "/policy") => (Method::GET, format!("/policy?region={community}"), None),
        ("POST", "/policy/sweep") => (Method::POST, "/policy/sweep".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&on=2026-08-01")))),
        ("POST", "/policy/whatif") => (Method::POST, "/policy/whatif".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&from=2026-08-01&changes=dibao_standard%2B7%25")))),
        ("GET", "/policy/runs/{id}") => (Method::GET, format!("/policy/runs/{run}"), None),
        ("GET", "/policy/runs/{id}/export.xlsx") => (Method::GET, format!("/policy/runs/{run}/export.xlsx"), None),
        ("GET", "/api/findings") => (Method::GET, format!("/api/findings?region={community}"), None),
        ("GET", "/api/findings/{id}") => (Method::GET, format!("/api/findings/{finding}"), None),
        ("POST", "/api/findings/{id}/actions") => (Method::POST, format!("/api/findings/{finding}/actions"), Some(("application/json", r#"{"action":"assign","to":"wang","comment":"请入户核实"}"#.into()))),
        ("POST", "/api/comparisons") => (Method::POST, "/api/comparisons".into(), Some(("application/json", format!(r#"{{"region":"{community}","on":"2026-07-01"}}"#)))),
        ("GET", "/findings") => (Method::GET, format!("/findings?region={community}"), None),
        ("POST", "/findings/assign") => (Method::POST, "/findings/assign".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&ids={finding}&to=wang&comment=%E8%AF%B7%E5%85%A5%E6%88%B7%E6%A0%B8%E5%AE%9E")))),
        ("POST", "/findings/compare") => (Method::POST, "/findings/compare".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&on=2026-07-01")))),
        ("GET", "/findings/{id}") => (Method::GET, format!("/findings/{finding}"), None),
        ("POST", "/findings/{id}/act") => (Method::POST, format!("/findings/{finding}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=verify&comment=%E5%85%A5%E6%88%B7%E6%A0%B8%E5%AE%9E".into()))),
        ("POST", "/api/households/{no}/verifications") => (Method::POST, format!("/api/households/{household}/verifications"), Some(("application/json", r#"{"reference":"核字1号","signed_on":"2026-06-01","signed_by":[],"on":"2026-07-01"}"#.into()))),
        ("GET", "/api/verifications/{id}") => (Method::GET, format!("/api/verifications/{verification}"), None),
        ("GET", "/households/{no}/verification") => (Method::GET, format!("/households/{household}/verification"), None),
        ("POST", "/households/{no}/verification") => (Method::POST, format!("/households/{household}/verification"), Some(("application/x-www-form-urlencoded", "csrf=wrong&reference=x&signed_on=2026-06-01&on=2026-07-01".into()))),
        ("GET", "/verifications/{id}") => (Method::GET, format!("/verifications/{verification}"), None),
        ("GET", "/verifications/{id}/report.pdf") => (Method::GET, format!("/verifications/{verification}/report.pdf"), None),
        ("GET", "/linkage/review") => (Method::GET, format!("/linkage/review?region={community}"), None),
        ("POST", "/linkage/review/{id}") => (Method::POST, "/linkage/review/1".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&decision=reject".into()))),
        ("GET", "/api/services") => (Method::GET, "/api/services".into(), None),
        ("GET", "/services") => (Method::GET, "/services".into(), None),
        ("GET", "/api/cases") => (Method::GET, format!("/api/cases?list=all&region={community}"), None),
        ("POST", "/api/cases") => (Method::POST, "/api/cases".into(), Some(("application/json", format!(r#"{{"service":"apply_gaoling","applicant":"{person_id}","comment":"受理申请"}}"#)))),
        ("GET", "/api/cases/{id}") => (Method::GET, format!("/api/cases/{case}"), None),
        ("POST", "/api/cases/{id}/actions") => (Method::POST, format!("/api/cases/{case}/actions"), Some(("application/json", r#"{"action":"review","comment":"初审通过"}"#.into()))),
        ("GET", "/cases") => (Method::GET, format!("/cases?list=all&region={community}"), None),
        ("POST", "/cases") => (Method::POST, "/cases".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&service=apply_gaoling&applicant={person_id}&comment=%E5%8F%97%E7%90%86%E7%94%B3%E8%AF%B7")))),
        ("GET", "/cases/new") => (Method::GET, format!("/cases/new?applicant={person_id}"), None),
        ("GET", "/cases/{id}") => (Method::GET, format!("/cases/{case}"), None),
        ("POST", "/cases/{id}/act") => (Method::POST, format!("/cases/{case}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=review&comment=%E5%88%9D%E5%AE%A1%E9%80%9A%E8%BF%87".into()))),
        ("GET", "/cases/{id}/letter.pdf") => (Method::GET, format!("/cases/{case}/letter.pdf"), None),
        ("GET", "/cases/{id}/receipt.pdf") => (Method::GET, format!("/cases/{case}/receipt.pdf"), None),
        ("POST", "/cases/missing-documents") => (Method::POST, "/cases/missing-documents".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&service=apply_dibao&applicant={person_id}")))),
        ("GET", "/notices/{community}") => (Method::GET, format!("/notices/{community}"), None),
        ("POST", "/cases/{id}/documents") => (Method::POST, format!("/cases/{case}/documents"), Some(("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\napplication\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n--XyZ--\r\n".into()))),
        ("GET", "/cases/{id}/documents/{doc}") => (Method::GET, format!("/cases/{case}/documents/999999"), None),
        ("GET", "/tasks") => (Method::GET, format!("/tasks?region={community}"), None),
        ("POST", "/tasks") => (Method::POST, "/tasks".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&number=1&title=x&work=y&unit=z&region={community}")))),
        ("GET", "/tasks/{id}") => (Method::GET, format!("/tasks/{task}"), None),
        ("POST", "/tasks/{id}/progress") => (Method::POST, format!("/tasks/{task}/progress"), Some(("application/x-www-form-urlencoded", "csrf=wrong&month=2026-05&judgement=on_track&progress=%E6%AD%A3%E5%9C%A8%E6%8E%A8%E8%BF%9B".into()))),
        ("GET", "/api/tasks") => (Method::GET, format!("/api/tasks?region={community}"), None),
        ("POST", "/api/tasks") => (Method::POST, "/api/tasks".into(), Some(("application/json", format!(r#"{{"number":1,"title":"x","work":"y","unit":"z","region":"{community}"}}"#)))),
        ("GET", "/api/tasks/{id}") => (Method::GET, format!("/api/tasks/{task}"), None),
        ("POST", "/api/tasks/{id}/progress") => (Method::POST, format!("/api/tasks/{task}/progress"), Some(("application/json", r#"{"month":"2026-05","judgement":"on_track","progress":"正在推进"}"#.into()))),
        ("GET", "/payments") => (Method::GET, format!("/payments?county={}", &community[..6]), None),
        ("POST", "/payments") => (Method::POST, "/payments".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&program=dibao&county={}&month=2026-08", &community[..6])))),
        ("GET", "/payments/{id}") => (Method::GET, format!("/payments/{payroll}"), None),
        ("POST", "/payments/{id}/step") => (Method::POST, format!("/payments/{payroll}/step"), Some(("application/x-www-form-urlencoded", "csrf=wrong&step=approve".into()))),
        ("GET", "/payments/{id}/public.pdf") => (Method::GET, format!("/payments/{payroll}/public.pdf?community={community}"), None),
        ("GET", "/payments/{id}/bank-file") => (Method::GET, format!("/payments/{payroll}/bank-file?layout=psbc"), None),
        ("GET", "/payments/{id}/roster.xlsx") => (Method::GET, format!("/payments/{payroll}/roster.xlsx"), None),
        ("POST", "/payments/{id}/return") => (Method::POST, format!("/payments/{payroll}/return"), Some(("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--XyZ\r\nContent-Disposition: form-data; name=\"layout\"\r\n\r\npsbc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.txt\"\r\nContent-Type: text/plain\r\n\r\nT|0|0.00\r\n--XyZ--\r\n".into()))),
        ("GET", "/api/payrolls") => (Method::GET, format!("/api/payrolls?county={}", &community[..6]), None),
        ("POST", "/api/payrolls") => (Method::POST, "/api/payrolls".into(), Some(("application/json", format!(r#"{{"program":"dibao","county":"{}","month":"2026-08"}}"#, &community[..6])))),
        ("GET", "/api/payrolls/{id}") => (Method::GET, format!("/api/payrolls/{payroll}"), None),
        ("POST", "/api/payrolls/{id}/step") => (Method::POST, format!("/api/payrolls/{payroll}/step"), Some(("application/json", r#"{"step":"approve"}"#.into()))),
        ("GET", "/payments/recoveries") => (Method::GET, format!("/payments/recoveries?county={}", &community[..6]), None),
        ("GET", "/payments/recoveries.xlsx") => (Method::GET, format!("/payments/recoveries.xlsx?county={}", &community[..6]), None),
        ("POST", "/payments/recoveries") => (Method::POST, "/payments/recoveries".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&county={}", &community[..6])))),
        ("POST", "/payments/recoveries/{id}") => (Method::POST, format!("/payments/recoveries/{recovery}"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=repay&amount=1.00".into()))),
        ("POST", "/payments/{id}/amounts") => (Method::POST, format!("/payments/{payroll}/amounts"), Some(("application/x-www-form-urlencoded", "csrf=wrong".into()))),
        ("GET", "/payments/relatives") => (Method::GET, format!("/payments/relatives?county={}", &community[..6]), None),
        ("POST", "/payments/relatives") => (Method::POST, "/payments/relatives".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&county={}&staff_name=x", &community[..6])))),
        ("POST", "/payments/relatives/{id}/withdraw") => (Method::POST, "/payments/relatives/1/withdraw".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong".into()))),
        ("GET", "/payments/supervision") => (Method::GET, format!("/payments/supervision?county={}", &community[..6]), None),
        ("GET", "/api/supervision") => (Method::GET, format!("/api/supervision?county={}", &community[..6]), None),
        ("GET", "/payments/institutions") => (Method::GET, format!("/payments/institutions?county={}", &community[..6]), None),
        ("POST", "/payments/institutions/{id}") => (Method::POST, "/payments/institutions/1".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&bank=x&account_no=12345678".into()))),
        ("GET", "/api/staff-relatives") => (Method::GET, format!("/api/staff-relatives?county={}", &community[..6]), None),
        ("GET", "/payments/budget") => (Method::GET, format!("/payments/budget?county={}&year=2026", &community[..6]), None),
        ("POST", "/payments/budget") => (Method::POST, "/payments/budget".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&county={}&program=dibao&year=2026&amount=1000", &community[..6])))),
        ("GET", "/payments/budget.xlsx") => (Method::GET, format!("/payments/budget.xlsx?county={}&year=2026", &community[..6]), None),
        ("GET", "/api/budget") => (Method::GET, format!("/api/budget?county={}&year=2026", &community[..6]), None),
        ("GET", "/api/recoveries") => (Method::GET, format!("/api/recoveries?county={}", &community[..6]), None),
        ("POST", "/api/payment-accounts") => (Method::POST, "/api/payment-accounts".into(), Some(("application/json", format!(r#"[{{"id_number":"{person_id}","name":"x","bank":"盛京银行","kind":"card","account_no":"6222020000000000000"}}]"#)))),
        ("GET", "/findings/export.xlsx") => (Method::GET, format!("/findings/export.xlsx?region={community}"), None),
        ("GET", "/cases/export.xlsx") => (Method::GET, format!("/cases/export.xlsx?list=all&region={community}"), None),
        ("GET", "/policy/runs/{id}/contacts") => (Method::GET, format!("/policy/runs/{run}/contacts?community={community}"), None),
        ("GET", "/policy/runs/{id}/contacts.xlsx") => (Method::GET, format!("/policy/runs/{run}/contacts.xlsx?community={community}"), None),
        ("GET", "/residents/export.xlsx") => (Method::GET, format!("/residents/export.xlsx?region={community}"), None),
        ("GET", "/verifications") => (Method::GET, format!("/verifications?region={community}"), None),
        ("GET", "/verifications/export.xlsx") => (Method::GET, format!("/verifications/export.xlsx?region={community}"), None),
        ("GET", "/eldercare") => (Method::GET, format!("/eldercare?region={community}"), None),
        ("GET", "/eldercare/indicators.xlsx") => (Method::GET, format!("/eldercare/indicators.xlsx?region={community}"), None),
        ("GET", "/eldercare/institutions.xlsx") => (Method::GET, format!("/eldercare/institutions.xlsx?region={community}"), None),
        ("GET", "/eldercare/institutions/new") => (Method::GET, format!("/eldercare/institutions/new?region={community}"), None),
        ("POST", "/eldercare/institutions") => (Method::POST, "/eldercare/institutions".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&name=x&region={community}")))),
        ("GET", "/eldercare/institutions/{id}") => (Method::GET, format!("/eldercare/institutions/{institution}"), None),
        ("POST", "/eldercare/institutions/{id}/{action}") => (Method::POST, format!("/eldercare/institutions/{institution}/admit"), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&id_number={person_id}")))),
        ("GET", "/eldercare/assessments") => (Method::GET, format!("/eldercare/assessments?person={person_id}"), None),
        ("GET", "/eldercare/assessments/new") => (Method::GET, format!("/eldercare/assessments/new?person={person_id}"), None),
        ("POST", "/eldercare/assessments") => (Method::POST, "/eldercare/assessments".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&id_number={person_id}")))),
        ("GET", "/eldercare/assessments/{id}") => (Method::GET, format!("/eldercare/assessments/{assessment}"), None),
        ("GET", "/api/eldercare/indicators") => (Method::GET, format!("/api/eldercare/indicators?region={community}"), None),
        ("GET", "/api/eldercare/institutions") => (Method::GET, format!("/api/eldercare/institutions?region={community}"), None),
        ("POST", "/api/eldercare/institutions") => (Method::POST, "/api/eldercare/institutions".into(), Some(("application/json", format!(r#"{{"name":"x","region":"{community}","address":"a","legal_representative":"b","premises":"c","beds":{{"total":1,"nursing":0,"day_care":0,"home":0}},"floor_area":1,"contact":"d","registration":"e","pledge":true,"first_admission":"2026-06-01","ownership":"private","tekun_home":false,"regional_centre":false}}"#)))),
        ("GET", "/api/eldercare/institutions/{id}") => (Method::GET, format!("/api/eldercare/institutions/{institution}"), None),
        ("POST", "/api/eldercare/assessments") => (Method::POST, "/api/eldercare/assessments".into(), Some(("application/json", format!(r#"{{"id_number":"{person_id}","assessed_on":"2026-06-01","reason":"first","assessor":"x","scores":[4,4,4,4,4,4,4,4,4,4,4,3,4,4,4,4,4,4,1,1,2,2,2,4,3,4]}}"#)))),
        ("GET", "/api/eldercare/assessments/{id}") => (Method::GET, format!("/api/eldercare/assessments/{assessment}"), None),
        ("GET", "/eldercare/homecare") => (Method::GET, format!("/eldercare/homecare?region={community}"), None),
        ("POST", "/eldercare/homecare/{action}") => (Method::POST, "/eldercare/homecare/providers".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&name=x&county={}", &community[..6])))),
        ("POST", "/eldercare/homecare/import") => (Method::POST, "/eldercare/homecare/import".into(), Some(("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\nContent-Type: text/csv\r\n\r\n工单号,服务日期\r\n--XyZ--\r\n".into()))),
        ("GET", "/eldercare/homecare/samples") => (Method::GET, format!("/eldercare/homecare/samples?region={community}"), None),
        ("POST", "/eldercare/homecare/samples/{id}") => (Method::POST, "/eldercare/homecare/samples/1".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&result=confirmed".into()))),
        ("GET", "/eldercare/homecare/settlement.xlsx") => (Method::GET, format!("/eldercare/homecare/settlement.xlsx?region={community}"), None),
        ("POST", "/api/eldercare/homecare/visits") => (Method::POST, "/api/eldercare/homecare/visits".into(), Some(("application/json", "[]".into()))),
        ("GET", "/api/eldercare/homecare/settlements") => (Method::GET, format!("/api/eldercare/homecare/settlements?region={community}"), None),
        ("GET", "/funeral") => (Method::GET, format!("/funeral?region={community}"), None),
        ("POST", "/funeral/check") => (Method::POST, "/funeral/check".into(), Some(("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n身份证号,火化日期\r\n--XyZ--\r\n".into()))),
        ("GET", "/funeral/figures.xlsx") => (Method::GET, format!("/funeral/figures.xlsx?region={community}"), None),
        ("GET", "/funeral/deaths/new") => (Method::GET, format!("/funeral/deaths/new?person={person_id}"), None),
        ("POST", "/funeral/deaths") => (Method::POST, "/funeral/deaths".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&id_number={person_id}")))),
        ("GET", "/funeral/deaths/{id}") => (Method::GET, format!("/funeral/deaths/{death}"), None),
        ("POST", "/funeral/deaths/{id}/cremation") => (Method::POST, format!("/funeral/deaths/{death}/cremation"), Some(("application/x-www-form-urlencoded", "csrf=wrong&funeral_home=x".into()))),
        ("GET", "/api/funeral/figures") => (Method::GET, format!("/api/funeral/figures?region={community}"), None),
        ("POST", "/api/funeral/deaths") => (Method::POST, "/api/funeral/deaths".into(), Some(("application/json", format!(r#"{{"id_number":"{person_id}","died_on":"2026-06-01","place":"home","cause":"disease","certifier":"community_health","certifier_org":"x","certificate_no":"y"}}"#)))),
        ("GET", "/api/funeral/deaths/{id}") => (Method::GET, format!("/api/funeral/deaths/{death}"), None),
        ("POST", "/api/funeral/deaths/{id}/cremation") => (Method::POST, format!("/api/funeral/deaths/{death}/cremation"), Some(("application/json", r#"{"funeral_home":"x","received_on":"2026-06-01","transport_km":0,"cremated_on":"2026-06-02","ashes":"cemetery"}"#.into()))),
        ("GET", "/marriage") => (Method::GET, format!("/marriage?region={community}"), None),
        ("GET", "/marriage/figures.xlsx") => (Method::GET, format!("/marriage/figures.xlsx?region={community}"), None),
        ("GET", "/marriage/new") => (Method::GET, format!("/marriage/new?region={community}"), None),
        ("POST", "/marriage/registrations") => (Method::POST, "/marriage/registrations".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&first_id=x".into()))),
        ("GET", "/marriage/registrations/{id}") => (Method::GET, format!("/marriage/registrations/{marriage}"), None),
        ("GET", "/marriage/divorces/new") => (Method::GET, format!("/marriage/divorces/new?region={community}"), None),
        ("POST", "/marriage/divorces") => (Method::POST, "/marriage/divorces".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&first_id=x".into()))),
        ("GET", "/marriage/divorces/{id}") => (Method::GET, format!("/marriage/divorces/{divorce}"), None),
        ("POST", "/marriage/divorces/{id}/withdraw") => (Method::POST, format!("/marriage/divorces/{divorce}/withdraw"), Some(("application/x-www-form-urlencoded", "csrf=wrong&party=first".into()))),
        ("POST", "/marriage/divorces/{id}/certificate") => (Method::POST, format!("/marriage/divorces/{divorce}/certificate"), Some(("application/x-www-form-urlencoded", "csrf=wrong&both_present=1".into()))),
        ("GET", "/marriage/appointments") => (Method::GET, format!("/marriage/appointments?region={community}"), None),
        ("POST", "/marriage/appointments") => (Method::POST, "/marriage/appointments".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&kind=marriage".into()))),
        ("POST", "/marriage/appointments/{id}/cancel") => (Method::POST, "/marriage/appointments/1/cancel".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong".into()))),
        ("POST", "/api/marriage/appointments") => (Method::POST, "/api/marriage/appointments".into(), Some(("application/json", r#"{"kind":"marriage","phone":"1","day":"2026-06-01","slot":"am"}"#.into()))),
        ("GET", "/api/marriage/figures") => (Method::GET, format!("/api/marriage/figures?region={community}"), None),
        ("POST", "/api/marriage/registrations") => (Method::POST, "/api/marriage/registrations".into(), Some(("application/json", r#"{"first_id":"x","first_name":"x","first_declared":"single","second_id":"y","second_name":"y","second_declared":"single","both_present":true,"declarations_signed":true}"#.into()))),
        ("GET", "/api/marriage/registrations/{id}") => (Method::GET, format!("/api/marriage/registrations/{marriage}"), None),
        ("POST", "/api/marriage/divorces") => (Method::POST, "/api/marriage/divorces".into(), Some(("application/json", r#"{"first_id":"x","first_name":"x","second_id":"y","second_name":"y","marriage_certificate_no":"J1","both_present":true,"agreement_signed":true}"#.into()))),
        ("GET", "/api/marriage/divorces/{id}") => (Method::GET, format!("/api/marriage/divorces/{divorce}"), None),
        ("POST", "/api/marriage/divorces/{id}/withdraw") => (Method::POST, format!("/api/marriage/divorces/{divorce}/withdraw"), Some(("application/json", r#"{"party":"first"}"#.into()))),
        ("POST", "/api/marriage/divorces/{id}/certificate") => (Method::POST, format!("/api/marriage/divorces/{divorce}/certificate"), Some(("application/json", r#"{"both_present":true}"#.into()))),
        ("GET", "/socialorgs") => (Method::GET, format!("/socialorgs?region={community}"), None),
        ("GET", "/socialorgs/new") => (Method::GET, format!("/socialorgs/new?region={community}"), None),
        ("POST", "/socialorgs") => (Method::POST, "/socialorgs".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&name=x".into()))),
        ("GET", "/socialorgs/{id}") => (Method::GET, format!("/socialorgs/{org}"), None),
        ("POST", "/socialorgs/{id}/act") => (Method::POST, format!("/socialorgs/{org}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=rate&score=900".into()))),
        ("GET", "/public/socialorgs") => (Method::GET, "/public/socialorgs?q=%E4%B9%A6%E6%B3%95".into(), None),
        ("POST", "/api/socialorgs") => (Method::POST, "/api/socialorgs".into(), Some(("application/json", r#"{"name":"x","kind":"group","legal_rep_id":"x","legal_rep_name":"x","capital_fen":0,"address":"x","scope":"x"}"#.into()))),
        ("GET", "/api/socialorgs/{id}") => (Method::GET, format!("/api/socialorgs/{org}"), None),
        ("POST", "/api/socialorgs/{id}/actions") => (Method::POST, format!("/api/socialorgs/{org}/actions"), Some(("application/json", r#"{"action":"rate","score":900}"#.into()))),
        ("GET", "/api/public/socialorgs") => (Method::GET, "/api/public/socialorgs?q=%E4%B9%A6%E6%B3%95".into(), None),
        ("GET", "/grid") => (Method::GET, format!("/grid?region={community}"), None),
        ("GET", "/grid/report") => (Method::GET, format!("/grid/report?region={community}"), None),
        ("POST", "/grid/report") => (Method::POST, "/grid/report".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&community={community}&title=x")))),
        ("POST", "/grid/orders") => (Method::POST, "/grid/orders".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&kind=petition&community={community}&title=x")))),
        ("POST", "/grid/import") => (Method::POST, "/grid/import".into(), Some(("multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"o.csv\"\r\nContent-Type: text/csv\r\n\r\n工单编号,诉求类型\r\n--XyZ--\r\n".into()))),
        ("GET", "/grid/orders/{id}") => (Method::GET, format!("/grid/orders/{order}"), None),
        ("POST", "/grid/orders/{id}/act") => (Method::POST, format!("/grid/orders/{order}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=sign".into()))),
        ("GET", "/grid/kpi") => (Method::GET, format!("/grid/kpi?region={community}"), None),
        ("GET", "/api/grid/orders") => (Method::GET, format!("/api/grid/orders?region={community}"), None),
        ("POST", "/api/grid/orders") => (Method::POST, "/api/grid/orders".into(), Some(("application/json", format!(r#"{{"kind":"grid_event","title":"井盖缺失","community":"{community}"}}"#)))),
        ("GET", "/api/grid/orders/{id}") => (Method::GET, format!("/api/grid/orders/{order}"), None),
        ("POST", "/api/grid/orders/{id}/actions") => (Method::POST, format!("/api/grid/orders/{order}/actions"), Some(("application/json", r#"{"action":"sign"}"#.into()))),
        ("GET", "/grid/base") => (Method::GET, format!("/grid/base?region={community}"), None),
        ("POST", "/grid/base/assign") => (Method::POST, "/grid/base/assign".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&community={community}&grid=x&account=y")))),
        ("POST", "/grid/base/unassign") => (Method::POST, "/grid/base/unassign".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&community={community}&grid=x&account=y")))),
        ("GET", "/api/grid/base") => (Method::GET, format!("/api/grid/base?region={community}"), None),
        ("GET", "/api/grid/kpi") => (Method::GET, format!("/api/grid/kpi?region={community}"), None),
        ("GET", "/statistics") => (Method::GET, format!("/statistics?region={community}&month=2026-10"), None),
        ("GET", "/statistics/units") => (Method::GET, format!("/statistics/units?region={community}&month=2026-10&line=dibao_urban_persons"), None),
        ("GET", "/statistics/report.xlsx") => (Method::GET, format!("/statistics/report.xlsx?region={community}&month=2026-10"), None),
        ("POST", "/statistics/close") => (Method::POST, "/statistics/close".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&month=2026-10")))),
        ("POST", "/statistics/corrections") => (Method::POST, "/statistics/corrections".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}&month=2026-10&line=orphans&value=1&reason=x")))),
        ("GET", "/api/statistics") => (Method::GET, format!("/api/statistics?region={community}&month=2026-10"), None),
        ("GET", "/api/statistics/units") => (Method::GET, format!("/api/statistics/units?region={community}&month=2026-10&line=orphans"), None),
        ("POST", "/api/statistics/close") => (Method::POST, "/api/statistics/close".into(), Some(("application/json", format!(r#"{{"region":"{community}","month":"2026-10"}}"#)))),
        ("POST", "/api/statistics/corrections") => (Method::POST, "/api/statistics/corrections".into(), Some(("application/json", format!(r#"{{"region":"{community}","month":"2026-10","line":"orphans","value":1,"reason":"漏报一人"}}"#)))),
        ("GET", "/placenames") => (Method::GET, format!("/placenames?region={community}"), None),
        ("POST", "/placenames") => (Method::POST, "/placenames".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&specific=x".into()))),
        ("GET", "/placenames/new") => (Method::GET, format!("/placenames/new?region={community}"), None),
        ("GET", "/placenames/plates") => (Method::GET, format!("/placenames/plates?region={community}"), None),
        ("POST", "/placenames/plates") => (Method::POST, "/placenames/plates".into(), Some(("application/x-www-form-urlencoded", "csrf=wrong&number=1".into()))),
        ("GET", "/placenames/{id}") => (Method::GET, format!("/placenames/{place}"), None),
        ("POST", "/placenames/{id}/act") => (Method::POST, format!("/placenames/{place}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=review&text=x".into()))),
        ("POST", "/api/placenames") => (Method::POST, "/api/placenames".into(), Some(("application/json", r#"{"category":"street","specific":"x","generic":"y","location":"z","reason":"w"}"#.into()))),
        ("GET", "/api/placenames/{id}") => (Method::GET, format!("/api/placenames/{place}"), None),
        ("POST", "/api/placenames/{id}/actions") => (Method::POST, format!("/api/placenames/{place}/actions"), Some(("application/json", r#"{"action":"review","opinion":"x"}"#.into()))),
        ("GET", "/monitoring") => (Method::GET, format!("/monitoring?region={community}"), None),
        ("POST", "/monitoring/run") => (Method::POST, "/monitoring/run".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}")))),
        ("POST", "/monitoring/escalate") => (Method::POST, "/monitoring/escalate".into(), Some(("application/x-www-form-urlencoded", format!("csrf=wrong&region={community}")))),
        ("GET", "/monitoring/population") => (Method::GET, format!("/monitoring/population?region={community}"), None),
        ("GET", "/monitoring/warnings/{id}") => (Method::GET, format!("/monitoring/warnings/{warning}"), None),
        ("POST", "/monitoring/warnings/{id}/act") => (Method::POST, format!("/monitoring/warnings/{warning}/act"), Some(("application/x-www-form-urlencoded", "csrf=wrong&action=visit&findings=xxxx".into()))),
        ("GET", "/api/monitoring/warnings") => (Method::GET, format!("/api/monitoring/warnings?region={community}"), None),
        ("GET", "/api/monitoring/warnings/{id}") => (Method::GET, format!("/api/monitoring/warnings/{warning}"), None),
        ("POST", "/api/monitoring/warnings/{id}/actions") => (Method::POST, format!("/api/monitoring/warnings/{warning}/actions"), Some(("application/json", r#"{"action":"visit","findings":"入户核实情况"}"#.into()))),
        ("POST", "/api/monitoring/runs") => (Method::POST, "/api/monitoring/runs".into(), Some(("application/json", format!(r#"{{"region":"{community}"}}"#)))),
        ("GET", "/api/monitoring/population") => (Method::GET, format!("/api/monitoring/population?region={community}"), None),
        ("GET", "/dashboard") => (Method::GET, format!("/dashboard?region={community}"), None),
        ("GET", "/api/dashboard") => (Method::GET, format!("/api/dashboard?region={community}"), None),
        _ => return None,
    })
}

fn refused_for_lack_of_sign_in(path: &str, r: &Reply) -> bool {
    if path.starts_with("/api/") {
        r.status == StatusCode::UNAUTHORIZED && r.json()["error"]["code"] == "unauthenticated"
    } else {
        r.status == StatusCode::SEE_OTHER
            && r.headers.get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/login"))
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_route_table_says() {
    let f = fixture("access").await;
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((role, sign_in(&f.app, role.as_str(), PASSWORD).await.map_err(|r| r.body).expect("signed in")));
    }
    for Route { method, path, access } in route_table() {
        let (method, path, access) = (&method, &path, &access);
        assert!(request(&f, method, path, Target::Inside).is_some(), "no test case for {method} {path}: add one to tests/access.rs");
        // Without signing in.
        let (m, uri, body) = request(&f, method, path, Target::Inside).expect("case");
        let r = send(&f.app, m, &uri, None, &[], body).await;
        match access {
            Access::Public => assert!(!refused_for_lack_of_sign_in(path, &r), "{method} {path} is public, got {}", r.status),
            _ => assert!(refused_for_lack_of_sign_in(path, &r), "{method} {path} must need a sign-in, got {}", r.status),
        }
        // Each role, inside and outside its region.
        for (role, s) in &sessions {
            for target in [Target::Inside, Target::Outside] {
                let (m, uri, body) = request(&f, method, path, target).expect("case");
                let r = send(&f.app, m, &uri, Some(&s.cookie), &[], body).await;
                let expect_allowed = match access {
                    Access::Public | Access::SignedIn => true,
                    Access::Needs(p) => role.allows(*p) && target == Target::Inside,
                };
                let refused = r.status == StatusCode::FORBIDDEN || refused_for_lack_of_sign_in(path, &r);
                // Changes without a CSRF token are refused whoever asks; that is checked elsewhere.
                let changes = *path == "/login"
                    || *path == "/logout"
                    || *path == "/api/password"
                    || path.ends_with("/unmask")
                    || path.ends_with("/supporters")
                    || path.starts_with("/api/policy/")
                    || path.starts_with("/policy/")
                    || path.starts_with("/api/findings/")
                    || path.starts_with("/findings/")
                    || *path == "/api/comparisons"
                    || path.ends_with("/verifications")
                    || path.ends_with("/verification")
                    || path.starts_with("/linkage/")
                    || path.starts_with("/api/cases")
                    || path.starts_with("/cases")
                    || path.starts_with("/api/tasks")
                    || path.starts_with("/tasks")
                    || path.starts_with("/payments")
                    || (path.starts_with("/eldercare") || path.starts_with("/api/eldercare"))
                    || (path.starts_with("/funeral") || path.starts_with("/api/funeral"))
                    || (path.starts_with("/marriage") || path.starts_with("/api/marriage"))
                    || (path.starts_with("/socialorgs") || path.starts_with("/api/socialorgs"))
                    || (path.starts_with("/placenames") || path.starts_with("/api/placenames"))
                    || (path.starts_with("/statistics") || path.starts_with("/api/statistics"))
                    || (path.starts_with("/grid") || path.starts_with("/api/grid"))
                    || (path.starts_with("/monitoring") || path.starts_with("/api/monitoring"))
                    || path.starts_with("/api/payrolls")
                    || *path == "/api/payment-accounts";
                if (*method == "POST" && changes) || (*method == "DELETE" && *path == "/api/session") {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} without a CSRF token");
                    // The route table is enforced before the handler: a role without the route's
                    // permission is refused for its role (`forbidden`), whatever it sends; a role
                    // with it gets as far as the handler, which refuses the missing token.
                    if let Access::Needs(p) = access {
                        let code = r.error_code();
                        if role.allows(*p) {
                            assert_ne!(code, "forbidden", "{role:?} {method} {uri} ({target:?}) may use the route: {}", r.body);
                        } else {
                            assert_eq!(code, "forbidden", "{role:?} {method} {uri} ({target:?}) must be refused for its role: {}", r.body);
                        }
                    }
                    continue;
                }
                assert_eq!(
                    !refused,
                    expect_allowed,
                    "{role:?} {method} {uri} ({target:?}): got {} {}",
                    r.status,
                    r.body.chars().take(200).collect::<String>()
                );
            }
        }
    }
}

/// A role refused by the route table is refused before the handler runs, and the refusal is in
/// the audit log with the route and the permission it lacked.
#[tokio::test]
async fn a_refusal_by_the_route_table_is_audited() {
    let f = fixture("refused").await;
    let s = sign_in(&f.app, Role::GridWorker.as_str(), PASSWORD).await.map_err(|r| r.body).expect("signed in");
    let r = get(&f.app, "/policy", Some(&s.cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.error_code(), "forbidden", "the refusal page says why");
    let log = f.store.audit_of("route", "GET /policy").await.expect("audit");
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0].action.as_str(), log[0].actor.as_str()), ("access_refused", Role::GridWorker.as_str()));
    assert_eq!(log[0].after.as_ref().map(|a| a["needs"].clone()), Some(serde_json::json!("run_sweeps")));
}
