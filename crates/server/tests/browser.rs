//! Browser tests: Debian's Chromium, driven through chromedriver (W3C WebDriver), against the
//! real server on a loopback port. `scripts/test` installs both and sets
//! `MINZHENG_BROWSER_TESTS=1`, which makes a missing browser a failure instead of a skip.
//! `MINZHENG_SCREENSHOTS=1` also writes the pages to `docs/screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

mod common;

use common::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    base: String,
    session: String,
    child: Child,
    _profile: tempdir::Dir,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn post(url: &str, body: Value) -> Value {
    let mut res = ureq::post(url).send_json(&body).unwrap_or_else(|e| panic!("POST {url}: {e}"));
    res.body_mut().read_json::<Value>().expect("json")
}

fn get_json(url: &str) -> Value {
    let mut res = ureq::get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    res.body_mut().read_json::<Value>().expect("json")
}

impl Driver {
    fn start() -> Option<Driver> {
        let chromedriver = std::env::var("MINZHENG_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("MINZHENG_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        if !std::path::Path::new(&chromedriver).exists() || !std::path::Path::new(&chromium).exists() {
            assert!(std::env::var("MINZHENG_BROWSER_TESTS").is_err(), "browser tests required but {chromedriver} or {chromium} is missing");
            eprintln!("skipping browser test: no chromium/chromedriver (scripts/test installs them)");
            return None;
        }
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("minzheng-chromium-{}-{port}", std::process::id()));
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", format!("--user-data-dir={}", profile.display())]
        } } } });
        let session = post(&format!("{base}/session"), caps)["value"]["sessionId"].as_str().expect("a session").to_string();
        Some(Driver { base: format!("{base}/session/{session}"), session, child, _profile: tempdir::Dir(profile) })
    }

    /// Opens `url` once no form of the page is still being sent (`data-sending`, set by
    /// app.js until the answer has come: the page it then loads would replace the one asked
    /// for here), and opens it again while the browser stays on the page it was on.
    fn goto(&self, url: &str) {
        self.settle();
        let started = Instant::now();
        let before = self.url();
        loop {
            post(&format!("{}/url", self.base), json!({ "url": url }));
            // Opened (or redirected elsewhere), or the same page was asked for.
            if before == url || self.url() != before {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{url} did not open; the browser stays at {before}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until no form of the page is being sent (app.js marks one `data-sending` until its
    /// answer has come, and the page that answer loads replaces this one).
    fn settle(&self) {
        let started = Instant::now();
        while self.source().contains("data-sending=") {
            assert!(started.elapsed() < Duration::from_secs(30), "a form of {} is still being sent", self.url());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        get_json(&format!("{}/url", self.base))["value"].as_str().unwrap_or_default().to_string()
    }

    fn source(&self) -> String {
        get_json(&format!("{}/source", self.base))["value"].as_str().unwrap_or_default().to_string()
    }

    fn find(&self, css: &str) -> String {
        let v = post(&format!("{}/element", self.base), json!({ "using": "css selector", "value": css }));
        v["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        post(&format!("{}/element/{el}/value", self.base), json!({ "text": text }));
    }

    /// What a field holds now (its value property, which the page source does not show).
    fn value(&self, css: &str) -> String {
        let el = self.find(css);
        get_json(&format!("{}/element/{el}/property/value", self.base))["value"].as_str().unwrap_or_default().to_string()
    }

    /// Sets the window's size (a phone's 390 px, a desk's 1366 px).
    fn resize(&self, width: u32, height: u32) {
        post(&format!("{}/window/rect", self.base), json!({ "width": width, "height": height }));
    }

    /// How much wider the page is than the window (0: no sideways scrolling).
    fn overflow_x(&self) -> i64 {
        let v = post(
            &format!("{}/execute/sync", self.base),
            json!({ "script": "return document.documentElement.scrollWidth - window.innerWidth;", "args": [] }),
        );
        v["value"].as_i64().unwrap_or(i64::MAX)
    }

    /// The elements reaching past the window's right edge (tag, id, class, right edge), for the
    /// message of a page that scrolls sideways.
    fn wide_elements(&self) -> String {
        let v = post(
            &format!("{}/execute/sync", self.base),
            json!({ "script": "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ');", "args": [] }),
        );
        v["value"].as_str().unwrap_or_default().to_string()
    }

    /// Whether a checkbox is ticked now.
    fn ticked(&self, css: &str) -> bool {
        let el = self.find(css);
        get_json(&format!("{}/element/{el}/selected", self.base))["value"].as_bool().unwrap_or(false)
    }

    /// Empties a field (WebDriver's Element Clear), then types into it.
    fn replace_text(&self, css: &str, text: &str) {
        let el = self.find(css);
        post(&format!("{}/element/{el}/clear", self.base), json!({}));
        post(&format!("{}/element/{el}/value", self.base), json!({ "text": text }));
    }

    /// Clicks the element `css` names. A page that htmx or a navigation replaces between the
    /// find and the click leaves a stale element (WebDriver answers 404): it is found again.
    fn click(&self, css: &str) {
        let started = Instant::now();
        loop {
            let el = self.find(css);
            let url = format!("{}/element/{el}/click", self.base);
            match ureq::post(&url).send_json(json!({})) {
                Ok(_) => return,
                Err(ureq::Error::StatusCode(404)) if started.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => panic!("POST {url}: {e}"),
            }
        }
    }

    /// The page source once `ready` holds (a click that submits a form returns before the next
    /// page has loaded); panics after thirty seconds (twenty browsers share two cores in CI) with
    /// what the page shows.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let page = self.source();
            if ready(&page) {
                return page;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited for {what} at {}; the page shows: {}",
                self.url(),
                page.chars().take(1500).collect::<String>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&self, name: &str) {
        if std::env::var("MINZHENG_SCREENSHOTS").is_err() {
            return;
        }
        use base64::Engine;
        let data = get_json(&format!("{}/screenshot", self.base))["value"].as_str().unwrap_or_default().to_string();
        let png = base64::engine::general_purpose::STANDARD.decode(data).expect("png");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).call();
        let _ = self.session.len();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The generated city's departmental files imported as the verification centre does.
fn import_departments(rt: &tokio::runtime::Runtime, f: &Fixture, tag: &str) {
    let files = std::env::temp_dir().join(format!("minzheng-browser-{tag}-files-{}", std::process::id()));
    minzheng_synth::files::write_city(&f.city, &files, minzheng_synth::files::Format::Csv).expect("files");
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
    rt.block_on(minzheng_app::economy::import_dir(&f.store, &files, as_of, &minzheng_store::Actor::new("test"))).expect("economy");
    let _ = std::fs::remove_dir_all(&files);
}

/// The real server over the fixture's store on a loopback port; its address.
fn serve(rt: &tokio::runtime::Runtime, f: &Fixture) -> String {
    serve_with_clock(rt, f).0
}

/// The server, and the clock its case handling works by.
fn serve_with_clock(rt: &tokio::runtime::Runtime, f: &Fixture) -> (String, std::sync::Arc<minzheng_server::Clock>) {
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let server = format!("http://{}", listener.local_addr().expect("addr"));
    let mut state = rt.block_on(minzheng_server::AppState::new(f.store.clone(), &minzheng_app::config::Config::default())).expect("state");
    state.login_limiter = std::sync::Arc::new(minzheng_server::auth::LoginLimiter::new(1000));
    state.documents = f.documents.clone();
    let clock = state.clock.clone();
    rt.spawn(minzheng_server::serve(state, listener));
    (server, clock)
}

fn sign_in_with_the_form(d: &Driver, server: &str, name: &str) {
    d.goto(&format!("{server}/login"));
    d.type_into("input[name=name]", name);
    d.type_into("input[name=password]", PASSWORD);
    d.click("form.login button");
    d.wait_for("a signed-in page", |p| p.contains("form method=\"post\" action=\"/logout\""));
}

#[test]
fn a_community_worker_signs_in_searches_opens_a_household_is_refused_outside_and_signs_out() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser"));
    let server = serve(&rt, &f);

    // Unsigned, the residents page sends the browser to the sign-in page.
    d.goto(&format!("{server}/residents"));
    assert!(d.url().contains("/login"), "{}", d.url());
    d.screenshot("login");

    d.type_into("input[name=name]", "community_worker");
    d.type_into("input[name=password]", PASSWORD);
    d.click("form.login button");
    let page = d.wait_for("the residents page", |p| p.contains("居民查询") && p.contains("community_worker"));
    let member = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    assert!(page.contains(&member.name), "the account's community is listed");
    d.screenshot("residents");

    d.click(&format!("a[href='/households/{}']", f.inside.household_no));
    d.wait_for("the household page", |p| p.contains("家庭成员"));
    d.screenshot("household");

    d.goto(&format!("{server}/residents?region={}", f.outside.community));
    assert!(d.source().contains("不在您的管辖区域内"), "another city's community is refused");

    d.click("form.userbar button");
    d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
    d.goto(&format!("{server}/residents"));
    assert!(d.url().contains("/login"), "the session is over");

    // The auditor finds the worker's reads in the log.
    sign_in_with_the_form(&d, &server, "auditor");
    d.goto(&format!("{server}/audit"));
    d.type_into("input[name=actor]", "community_worker");
    d.click("form.search button");
    // The unfiltered log may already show such reads: wait until the search has answered.
    d.wait_for("the worker's reads in the audit log", |p| {
        p.contains("审计日志") && p.contains("person_search") && p.contains("社区工作者") && p.contains("value=\"community_worker\"")
    });
    d.screenshot("audit");

    // A grid worker sees masked numbers and asks for one member's, with a reason.
    d.click("form.userbar button");
    d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
    sign_in_with_the_form(&d, &server, "grid_worker");
    d.goto(&format!("{server}/households/{}", f.inside.household_no));
    let first = rt.block_on(f.store.household_members(&f.inside.household_no)).expect("members").remove(0);
    assert!(!d.source().contains(first.id_number.as_str()), "masked at first");
    d.type_into("form.unmask input[name=reason]", "入户走访核实");
    d.click("form.unmask button");
    d.wait_for("the full number", |p| p.contains(first.id_number.as_str()));

    // A county approver's home page draws the residents of each street with ECharts.
    d.click("form.userbar button");
    d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
    sign_in_with_the_form(&d, &server, "county_approver");
    d.goto(&format!("{server}/"));
    d.wait_for("the chart", |p| p.contains("data-rendered") && p.contains("<canvas"));
    d.screenshot("home");

    // Every role signs in to its home page, sees its role and region, and signs out.
    for role in minzheng_domain::Role::ALL {
        d.click("form.userbar button");
        d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
        sign_in_with_the_form(&d, &server, role.as_str());
        d.goto(&format!("{server}/"));
        let region = region_for(role, &f.inside.community);
        let region_name = rt.block_on(f.store.region(&region)).expect("region").expect("known").name;
        d.wait_for("the role's home page", |p| p.contains("工作台") && p.contains(role.zh()) && p.contains(&region_name));
        let audit_link = d.source().contains("href=\"/audit\"");
        assert_eq!(audit_link, role == minzheng_domain::Role::Auditor, "{role:?}: only auditors are offered the audit log");
    }

    // Still signed in as the auditor (the last role): the grid worker's unmasking is in the log,
    // with its reason.
    d.goto(&format!("{server}/audit?action=unmask"));
    d.wait_for("the unmask record", |p| p.contains("grid_worker") && p.contains("unmask") && p.contains("入户走访核实"));
}

#[test]
fn a_household_is_checked_with_its_explanation_and_the_city_costs_a_standard_rise() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-policy"));
    // The departments' files of the generated city, as the verification centre imports them.
    import_departments(&rt, &f, "policy");
    let server = serve(&rt, &f);

    // A community worker opens a household and checks it against every program.
    sign_in_with_the_form(&d, &server, "community_worker");
    d.goto(&format!("{server}/households/{}", f.inside.household_no));
    d.click("#check-link");
    let page = d.wait_for("the check", |p| p.contains("资格核算") && p.contains("data-program=\"dibao\""));
    for program in ["最低生活保障", "特困人员救助供养", "高龄补贴", "重度残疾人护理补贴", "孤儿基本生活费"]
    {
        assert!(page.contains(program), "{program} is listed");
    }
    assert!(page.contains("社会救助暂行办法"), "with its legal basis");
    d.screenshot("check");

    // The city administrator costs a 7% rise of the urban 低保 standard from the policy desk.
    d.click("form.userbar button");
    d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
    sign_in_with_the_form(&d, &server, "city_admin");
    d.goto(&format!("{server}/policy"));
    d.wait_for("the policy desk", |p| p.contains("提标测算") && p.contains("dibao_standard"));
    // The parameter from the list with its value in force; the rise typed in words first.
    d.click("#whatif select[name=parameter] option[value='dibao_standard:urban']");
    d.type_into("#whatif input[name=amount]", "七");
    d.click("#whatif button");
    d.wait_for("the message beside the amount", |p| p.contains("form-error") && p.contains("不是百分比"));
    assert_eq!(d.value("#whatif select[name=parameter]"), "dibao_standard:urban", "the choice is kept");
    d.replace_text("#whatif input[name=amount]", "7");
    d.click("#whatif button");
    let page = d.wait_for("the what-if run with its two charts", |p| {
        p.contains("新增") && p.matches("data-rendered").count() == 2 && p.contains("<canvas")
    });
    assert!(page.contains("最低生活保障标准（沈阳市 城镇）+7.0%"), "the change is named on the page");
    assert!(page.contains("合计"), "with the total row");
    d.screenshot("whatif");
}

#[test]
fn a_county_officer_assigns_verifies_and_resolves_a_finding_seen_side_by_side() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-findings"));
    let server = serve(&rt, &f);

    // The county's verification officer sees the county's findings, charted, and not Dalian's.
    sign_in_with_the_form(&d, &server, "verification_officer");
    d.click("nav a[href='/findings']");
    let page = d.wait_for("the findings and their charts", |p| p.contains("死亡未停保") && p.matches("data-rendered").count() == 2);
    assert!(page.contains(&format!("/findings/{}", f.inside_finding)));
    assert!(!page.contains(&format!("/findings/{}\"", f.outside_finding)), "another city's finding is not listed");

    // Bulk assignment of the ticked finding.
    d.click(&format!("input[name=ids][value='{}']", f.inside_finding));
    d.click("#bulk select[name=to] option[value='verification_officer']");
    d.type_into("#bulk input[name=comment]", "请入户核实");
    d.click("#bulk button");
    d.wait_for("the assignment", |p| p.contains("已分派 1 条"));
    d.screenshot("findings");

    // The finding: both records side by side; verified on the spot by the assignee, then resolved as stopped.
    d.click(&format!("a[href='/findings/{}']", f.inside_finding));
    let page = d.wait_for("the finding", |p| p.contains("id=\"evidence\"") && p.contains("已分派"));
    assert_eq!(page.matches("class=\"evidence\"").count(), 2, "the roster and the death record");
    assert!(page.contains("在保名册") && page.contains("死亡人员信息"));
    d.type_into("#verify input[name=comment]", "入户核实，情况属实");
    d.click("#verify button");
    d.wait_for("the verification", |p| p.contains("已核实") && p.contains("id=\"resolve\""));
    d.type_into("#resolve input[name=comment]", "经区民政局审批停保");
    d.click("#resolve button");
    let page = d.wait_for("the resolution", |p| p.contains("已办结"));
    assert!(page.contains("停保") && page.contains("verification_officer"), "the resolution and the assignee are shown");
    assert!(page.matches("<tr><td>").count() >= 3, "three steps on the timeline");
    d.screenshot("finding");
}

#[test]
fn a_verification_officer_checks_a_household_with_its_authorisation_and_gets_the_report_as_pdf() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-check"));
    import_departments(&rt, &f, "check");
    let server = serve(&rt, &f);

    sign_in_with_the_form(&d, &server, "verification_officer");
    d.goto(&format!("{server}/households/{}", f.inside.household_no));
    d.click("#verify-link");
    d.wait_for("the check form", |p| p.contains("授权书编号") && p.contains("name=\"signed\""));
    // Each adult who signed is ticked by the officer (nothing is ticked in advance).
    post(
        &format!("{}/execute/sync", d.base),
        json!({ "script": "document.querySelectorAll('input.adult').forEach(c => c.click()); return true;", "args": [] }),
    );
    d.type_into("#verification input[name=reference]", "浑南核字〔2026〕18号");
    d.click("#verification button");
    let page = d.wait_for("the report", |p| p.contains("居民家庭经济状况核对报告") && p.contains("id=\"programs\""));
    assert!(page.contains("浑南核字〔2026〕18号"), "the authorisation is named");
    assert!(page.contains("最低生活保障"), "each program's decision");
    d.screenshot("verification");
    // The PDF of the same report, fetched by the page with its session (content type, status, first bytes).
    let href = page.split("id=\"pdf\" href=\"").nth(1).and_then(|t| t.split('"').next()).expect("a PDF link").to_string();
    let v = post(
        &format!("{}/execute/async", d.base),
        json!({ "script": format!("const done = arguments[0]; (async () => {{ const r = await fetch('{href}'); const b = new Uint8Array(await r.arrayBuffer()); done(r.headers.get('content-type') + ' ' + r.status + ' ' + String.fromCharCode(...b.slice(0, 8))); }})();"), "args": [] }),
    );
    let answer = v["value"].as_str().unwrap_or_default().to_string();
    assert!(answer.starts_with("application/pdf 200 %PDF-1.7"), "{v}");
}

/// Two households of 浑南区 文欣社区 without income (a mother and her son; a single man), and
/// the staff of 和平区 and 浑南区 who handle their applications.
fn hunnan_households_and_staff(rt: &tokio::runtime::Runtime, f: &Fixture) -> (String, String) {
    use minzheng_domain::{Household, HouseholdKind, IdNumber, Person, PersonStatus, Relation, Role, Sex};
    let person = |seq: u16, name: &str, birth: (i32, u32, u32), sex: Sex, household: &str, relation: Relation| {
        let birth = chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("date");
        Person {
            id_number: IdNumber::from_parts(210112, birth, seq, sex),
            name: name.into(),
            sex,
            birth_date: birth,
            hukou_region: code("210112009001"),
            household_no: Some(household.into()),
            relation,
            status: PersonStatus::Alive,
            disability: None,
            phone: None,
            tags: vec![],
        }
    };
    let mother = person(12, "刘秀梅", (1986, 3, 4), Sex::Female, "HN-0001", Relation::Head);
    let son = person(21, "刘子涵", (2016, 9, 10), Sex::Male, "HN-0001", Relation::Child);
    let single = person(33, "孙海军", (1979, 6, 1), Sex::Male, "HN-0002", Relation::Head);
    let household = |no: &str, head: &Person| Household {
        household_no: no.into(),
        head: Some(head.id_number),
        address: "浑南区文欣社区".into(),
        community: code("210112009001"),
        grid: None,
        building: None,
        kind: HouseholdKind::Urban,
    };
    let batch = minzheng_store::RegistryBatch {
        households: vec![household("HN-0001", &mother), household("HN-0002", &single)],
        persons: vec![mother.clone(), son, single.clone()],
        source: "test".into(),
        checksum: String::new(),
    };
    rt.block_on(f.store.apply_batch(&batch, &minzheng_store::Actor::system(), &|_| {})).expect("households");
    for (name, role, region) in [
        ("hp_worker", Role::CommunityWorker, "210102001002"),
        ("hn_worker", Role::CommunityWorker, "210112009001"),
        ("hn_check", Role::VerificationOfficer, "210112"),
        ("hn_street", Role::StreetReviewer, "210112009"),
        ("hn_county", Role::CountyApprover, "210112"),
    ] {
        rt.block_on(minzheng_app::auth::create_account(
            f.store.as_ref(),
            None,
            &minzheng_store::Actor::new("test"),
            name,
            role,
            &code(region),
            PASSWORD,
        ))
        .expect("account");
    }
    (mother.id_number.to_string(), single.id_number.to_string())
}

fn sign_out(d: &Driver) {
    d.settle();
    d.click("form.userbar button");
    d.wait_for("the sign-in page", |p| p.contains("form method=\"post\" action=\"/login\""));
}

/// Takes the step whose form has this id on the case page, with these fields.
fn take_step(d: &Driver, form: &str, fields: &[(&str, &str)], then: &str) -> String {
    for (name, value) in fields {
        d.type_into(&format!("#{form} input[name={name}]"), value);
    }
    d.click(&format!("#{form} button"));
    d.wait_for(then, |p| p.contains(then))
}

#[test]
fn an_application_accepted_in_heping_is_handled_and_approved_in_hunnan_and_another_is_refused() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-cases"));
    let (mother, single) = hunnan_households_and_staff(&rt, &f);
    let (server, clock) = serve_with_clock(&rt, &f);

    // 和平区: a community worker finds the applicant by the full number and accepts.
    sign_in_with_the_form(&d, &server, "hp_worker");
    d.goto(&format!("{server}/cases/new?service=apply_dibao&applicant={mother}"));
    let page = d.wait_for("the acceptance form", |p| p.contains("id=\"found\"") && p.contains("210112"));
    assert!(page.contains("由共享数据替代"), "documents replaced by shared data are not asked for");
    for doc in ["application", "asset_statement", "authorisation"] {
        d.click(&format!("#accept input[value={doc}]"));
    }
    d.type_into("#accept input[name=comment]", "申请人到和平区社区窗口申请");
    d.screenshot("case_accept");
    d.click("#accept button");
    let page = d.wait_for("the accepted case", |p| p.contains("id=\"limited\""));
    assert!(page.contains("已受理") && page.contains("210112"), "owned by 浑南区; the accepting community follows its status");
    assert!(!page.contains("HN-0001"), "and sees nothing more of the household");
    let id: i64 = d.url().rsplit('/').next().and_then(|t| t.parse().ok()).expect("case id");
    // The accepting community uploads the signed application form it received (a PDF).
    let scan = std::env::temp_dir().join(format!("minzheng-scan-{}.pdf", std::process::id()));
    std::fs::write(&scan, b"%PDF-1.4\n% the signed application form\n%%EOF\n").expect("scan");
    d.type_into("#upload input[name=file]", &scan.display().to_string());
    d.click("#upload button");
    let started = Instant::now();
    while !d.url().contains("#document-") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the upload did not come back: {}",
            d.source().chars().take(800).collect::<String>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(&scan);

    // 浑南区: the community surveys, the verification centre records the check, the street reviews,
    // the community publishes the notice.
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_worker");
    d.goto(&format!("{server}/cases"));
    d.wait_for("the community's queue", |p| p.contains(&format!("/cases/{id}\"")));
    d.click(&format!("a[href='/cases/{id}']"));
    let page = d.wait_for("the survey form", |p| p.contains("id=\"survey\""));
    assert!(page.contains("id=\"documents\"") && page.contains("minzheng-scan-"), "the document uploaded in 和平区 is on the case");
    take_step(&d, "survey", &[("staff", "李明,王芳"), ("findings", "母子二人，母亲无业"), ("comment", "入户调查属实")], "已入户调查");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_check");
    d.goto(&format!("{server}/cases/{id}"));
    // The check's result is chosen, never preset: submitting without it is stopped by the form.
    let page = d.source();
    assert!(!page.contains("name=\"assets_within_limits\" value=\"true\" required checked"), "no preset 财产未超标");
    d.click("#record-check input[name=assets_within_limits][value=true]");
    take_step(&d, "record-check", &[("per_capita_income", "0"), ("comment", "核对无收入和财产")], "已核对");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_street");
    d.goto(&format!("{server}/cases/{id}"));
    take_step(&d, "review", &[("comment", "初审同意")], "已初审");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_worker");
    d.goto(&format!("{server}/cases/{id}"));
    let page = take_step(&d, "publish-notice", &[("comment", "在社区公示栏张榜公示")], "公示中");
    assert!(page.contains("id=\"notice\""), "the notice period is shown");
    d.screenshot("case_notice");

    // Three weeks later the notice is over (7 days, longer over holidays): the county approves
    // and the rules give the amount.
    clock.advance(21);
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_county");
    d.goto(&format!("{server}/cases"));
    d.wait_for("the county's queue", |p| p.contains(&format!("/cases/{id}\"")));
    d.goto(&format!("{server}/cases/{id}"));
    let page = take_step(&d, "approve", &[("comment", "经审核符合条件，予以批准")], "已批准");
    assert!(page.contains("在保记录") && page.contains("发放起始月"), "the enrolment and the first month paid");
    assert!(page.matches("<tr><td>").count() >= 6, "six steps on the timeline");
    d.screenshot("case_approved");
    let v = post(
        &format!("{}/execute/async", d.base),
        json!({ "script": format!("const done = arguments[0]; (async () => {{ const r = await fetch('/cases/{id}/letter.pdf'); const b = new Uint8Array(await r.arrayBuffer()); done(r.headers.get('content-type') + ' ' + r.status + ' ' + String.fromCharCode(...b.slice(0, 5))); }})();"), "args": [] }),
    );
    assert!(v["value"].as_str().unwrap_or_default().starts_with("application/pdf 200 %PDF-"), "{v}");

    // A second application, refused by the county with its written reason.
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_worker");
    d.goto(&format!("{server}/cases/new?service=apply_dibao&applicant={single}"));
    d.wait_for("the acceptance form", |p| p.contains("id=\"found\""));
    for doc in ["application", "asset_statement", "authorisation"] {
        d.click(&format!("#accept input[value={doc}]"));
    }
    d.type_into("#accept input[name=comment]", "申请人到社区申请");
    d.click("#accept button");
    d.wait_for("the accepted case", |p| p.contains("已受理") && p.contains("id=\"survey\""));
    let second: i64 = d.url().rsplit('/').next().and_then(|t| t.parse().ok()).expect("case id");
    // The county decides on the street's first review: before it, the county has no refusal form.
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_county");
    d.goto(&format!("{server}/cases/{second}"));
    let page = d.wait_for("the accepted case", |p| p.contains("已受理"));
    assert!(!page.contains("id=\"refuse\""), "no refusal before the street's review");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_worker");
    d.goto(&format!("{server}/cases/{second}"));
    take_step(&d, "survey", &[("staff", "李明,王芳"), ("findings", "申请人有劳动能力"), ("comment", "入户调查属实")], "已入户调查");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_check");
    d.goto(&format!("{server}/cases/{second}"));
    d.click("#record-check input[name=assets_within_limits][value=true]");
    take_step(&d, "record-check", &[("per_capita_income", "0"), ("comment", "核对无收入和财产")], "已核对");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_street");
    d.goto(&format!("{server}/cases/{second}"));
    take_step(&d, "review", &[("comment", "初审：申请人有劳动能力且拒绝就业推荐")], "已初审");
    sign_out(&d);
    sign_in_with_the_form(&d, &server, "hn_county");
    d.goto(&format!("{server}/cases/{second}"));
    let page = take_step(&d, "refuse", &[("reason", "申请人有劳动能力且拒绝就业推荐"), ("comment", "不予批准")], "id=\"letter\"");
    assert!(
        page.contains("申请人有劳动能力且拒绝就业推荐") && page.contains("<strong id=\"status\">不予批准</strong>"),
        "the reason and the status"
    );
    d.screenshot("case_refused");
}

/// 重点工作推进表 in Chromium: the county approver opens the table from the menu, opens a task,
/// reports a month with too short a text and sees the message with the form as typed, then
/// reports it properly and sees it in the history; a grid worker has no such menu entry.
#[test]
fn a_county_approver_reports_a_key_tasks_month_and_a_mistake_keeps_the_form() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-tasks"));
    let server = serve(&rt, &f);

    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/tasks']");
    let page = d.wait_for("the key-task table", |p| p.contains("id=\"tasks\""));
    assert!(page.contains(&format!("/tasks/{}", f.inside_task)), "the district's task is listed");
    assert!(!page.contains(&format!("/tasks/{}\"", f.outside_task)), "another city's task is not");
    d.click(&format!("a[href='/tasks/{}']", f.inside_task));
    d.wait_for("the task with its report form", |p| p.contains("id=\"report\""));

    // Too short: refused, with the words as typed and the message beside the form.
    d.type_into("#report textarea[name=progress]", "推进");
    d.type_into("#report textarea[name=problems]", "人手不足");
    d.click("#report button");
    let page = d.wait_for("the refusal", |p| p.contains("进展情况至少写 4 个字"));
    assert!(page.contains(">人手不足</textarea>"), "the form keeps what was typed");

    // Properly: recorded, and in the history.
    d.type_into("#report textarea[name=progress]", "中已完成网格绘制 5011 个");
    d.click("#report button");
    let page = d.wait_for("the report in the history", |p| p.contains("推进中已完成网格绘制 5011 个"));
    assert!(page.contains("正常推进") && page.contains("county_approver"));
    d.screenshot("key_task");
    sign_out(&d);

    sign_in_with_the_form(&d, &server, "grid_worker");
    assert!(!d.source().contains("href=\"/tasks\""), "no key tasks in a grid worker's menu");
}

/// 资金发放 in Chromium: the county's clerk opens the payment lists from the menu, types a month
/// in words and sees the message with the form kept, prepares the month and sees the line with
/// its explanation; approving their own list is refused on the page; the head of section
/// approves and locks it, and the bank-file form appears.
#[test]
fn a_county_prepares_a_month_a_second_person_approves_and_locks_it() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-payments"));
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head").clone();
    rt.block_on(async {
        let e = minzheng_domain::Enrolment {
            id: 0,
            program: "dibao".into(),
            household_no: f.inside.household_no.clone(),
            county: county.clone(),
            members: vec![minzheng_domain::EnrolledMember { id_number: head.id_number, name: head.name.clone(), amount: None, end: None }],
            monthly_amount: minzheng_domain::Fen(104_100),
            start: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
            status: minzheng_domain::EnrolmentStatus::Active,
            end: None,
        };
        f.store.upsert_enrolments(&[e], "roster", &minzheng_store::Actor::new("test")).await.expect("enrolment");
        minzheng_app::auth::create_account(
            f.store.as_ref(),
            None,
            &minzheng_store::Actor::new("test"),
            "section_head",
            minzheng_domain::Role::CountyApprover,
            &county,
            PASSWORD,
        )
        .await
        .expect("account");
    });
    let server = serve(&rt, &f);

    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/payments']");
    d.wait_for("the payment lists", |p| p.contains("id=\"prepare\""));
    d.replace_text("#prepare input[name=month]", "九月");
    d.click("#prepare button");
    let page = d.wait_for("the refusal", |p| p.contains("月份“九月”无法识别"));
    assert!(page.contains("value=\"九月\""), "the form keeps what was typed");
    d.replace_text("#prepare input[name=month]", "2026-09");
    d.click("#prepare button");
    let page = d.wait_for("the prepared list", |p| p.contains("id=\"payroll-lines\""));
    assert!(page.contains("无发放账户，暂缓发放"), "the head has no card yet: held");
    assert!(page.contains(&head.name) && page.contains("2026年9月保障金 1041.00 元"));
    let url = d.url();
    d.click("#payroll-steps button[value=approve]");
    let page = d.wait_for("the four-eyes refusal", |p| p.contains("须由编制人（county_approver）"));
    assert!(page.contains("data-status=\"prepared\""));
    sign_out(&d);

    sign_in_with_the_form(&d, &server, "section_head");
    d.goto(&url);
    d.click("#payroll-steps button[value=approve]");
    d.wait_for("approved", |p| p.contains("data-status=\"approved\""));
    d.click("#payroll-steps button[value=lock]");
    let page = d.wait_for("locked", |p| p.contains("data-status=\"locked\""));
    assert!(page.contains("id=\"bank-file\"") && page.contains("id=\"bank-return\""), "the bank file and the return form");
    assert!(!page.contains("id=\"payroll-steps\""), "a locked list takes no more steps");
    d.screenshot("payroll_locked");

    // The year's budget line, set on the page; the chart of the months is drawn.
    d.goto(&format!("{server}/payments/budget?year=2026"));
    d.wait_for("the budget page", |p| p.contains("id=\"set-budget\""));
    d.replace_text("#set-budget input[name=amount]", "一千万");
    d.click("#set-budget button");
    let page = d.wait_for("the refusal", |p| p.contains("预算金额“一千万”应写成元"));
    assert!(page.contains("value=\"一千万\""), "the form keeps what was typed");
    d.replace_text("#set-budget input[name=amount]", "12000000");
    d.click("#set-budget button");
    d.wait_for("the budget line", |p| p.contains("12000000.00"));
    let page = d.wait_for("the drawn chart", |p| p.contains("data-rendered=\"12\""));
    assert!(page.contains("id=\"budget-xlsx\""));
    d.screenshot("budget");

    // A relative of staff filed from the register's page: a wrong ID number is said with the form kept.
    d.goto(&format!("{server}/payments/relatives"));
    d.wait_for("the register", |p| p.contains("id=\"file-relative\""));
    for (field, value) in
        [("staff_name", "李梅"), ("staff_unit", "五三街道办事处"), ("relative_name", head.name.as_str()), ("relative", "21010519")]
    {
        d.replace_text(&format!("#file-relative input[name={field}]"), value);
    }
    d.click("#file-relative button");
    let page = d.wait_for("the refusal", |p| p.contains("不是有效的身份证号码"));
    assert!(page.contains("value=\"五三街道办事处\""), "the form keeps what was typed");
    d.replace_text("#file-relative input[name=relative]", head.id_number.as_str());
    d.click("#file-relative button");
    let page = d.wait_for("the filing", |p| p.contains("id=\"staff-relatives\""));
    assert!(page.contains("李梅") && page.contains("父母") && page.contains("撤销备案"));

    // The institution's account for its residents in concentrated support.
    d.goto(&format!("{server}/payments/institutions"));
    let row = format!("#institution-{}", f.inside_institution);
    d.wait_for("the institutions", |p| p.contains("id=\"institution-accounts\""));
    d.replace_text(&format!("{row} input[name=bank]"), "盛京银行");
    d.replace_text(&format!("{row} input[name=account_no]"), "0112-01");
    d.click(&format!("{row} button"));
    let page = d.wait_for("the refusal", |p| p.contains("8 至 32 位数字"));
    assert!(page.contains("value=\"0112-01\""), "what was typed is kept");
    d.replace_text(&format!("{row} input[name=account_no]"), "011201000000123456");
    d.click(&format!("{row} button"));
    d.wait_for("the account", |p| p.contains("value=\"011201000000123456\"") && !p.contains("role=\"alert\""));
    d.screenshot("institution_accounts");
}

/// A mistake at the window (全市通办) in Chromium: a document not ticked is said beside the form
/// with everything typed and ticked kept; a wrong check character is said beside the number;
/// once right, the application is accepted. An address that does not exist and a household
/// outside the community come back as pages in the site's frame, not as JSON.
#[test]
fn a_mistake_at_the_window_is_said_beside_the_form_and_nothing_typed_is_lost() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-errors"));
    let (mother, _) = hunnan_households_and_staff(&rt, &f);
    let server = serve(&rt, &f);

    sign_in_with_the_form(&d, &server, "hn_worker");
    d.goto(&format!("{server}/cases/new?service=apply_dibao"));
    d.wait_for("the acceptance form", |p| p.contains("id=\"accept\""));
    // One box: the applicant is shown as soon as the full number is typed.
    d.type_into("#accept input[name=applicant]", &mother);
    d.wait_for("the applicant looked up", |p| p.contains("刘秀梅") && p.contains("浑南区"));
    d.click("#accept input[value=application]");
    d.type_into("#accept input[name=comment]", "申请人到窗口申请低保");
    d.click("#accept button");
    let page = d.wait_for("the message in the form", |p| p.contains("form-error"));
    assert!(page.contains("缺少办理要件") && page.contains("id=\"accept\""), "the form stays, with the message");
    assert_eq!(d.value("#accept input[name=comment]"), "申请人到窗口申请低保", "what was typed is kept");
    assert!(d.ticked("#accept input[value=application]"), "what was ticked is kept");
    assert!(!page.contains("{\"error\""), "no JSON on the page");
    d.screenshot("error_in_form");

    // A wrong check character: said beside the number, which stays as typed.
    let mut wrong = mother.clone();
    let last = wrong.pop().expect("check character");
    wrong.push(if last == '0' { '1' } else { '0' });
    d.replace_text("#accept input[name=applicant]", &wrong);
    for doc in ["asset_statement", "authorisation"] {
        d.click(&format!("#accept input[value={doc}]"));
    }
    d.click("#accept button");
    d.wait_for("the message beside the number", |p| p.contains("校验") && p.contains("aria-invalid"));
    assert_eq!(d.value("#accept input[name=applicant]"), wrong);

    // Put right: accepted, on the case's page.
    d.replace_text("#accept input[name=applicant]", &mother);
    d.click("#accept button");
    d.wait_for("the accepted case", |p| p.contains("id=\"status\"") && p.contains("已受理"));

    // An address that does not exist, a household outside the community: pages in the frame.
    d.goto(&format!("{server}/cases/no/such/page"));
    let page = d.wait_for("the not-found page", |p| p.contains("data-status=\"404\""));
    assert!(page.contains("找不到该页面") && page.contains("action=\"/logout\"") && page.contains("回到工作台"));
    d.goto(&format!("{server}/households/{}", f.outside.household_no));
    let page = d.wait_for("the refusal page", |p| p.contains("data-status=\"403\""));
    assert!(page.contains("不在您的管辖区域内") && !page.contains("{\"error\""));
}

/// 数据驾驶舱 in Chromium: the city head opens it from the menu, sees the figures and three charts
/// with their titles and legends, and drills down to a district and back up.
#[test]
fn the_city_head_opens_the_dashboard_and_drills_down_to_a_district() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-dashboard"));
    let server = serve(&rt, &f);
    sign_in_with_the_form(&d, &server, "city_admin");
    d.click("nav a[href='/dashboard']");
    let page = d.wait_for("the dashboard with its charts", |p| p.matches("data-rendered").count() == 3 && p.contains("<canvas"));
    assert!(page.contains("分项目保障情况") && page.contains("最低生活保障") && page.contains("id=\"card-covered\""));
    d.screenshot("dashboard");
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    d.click(&format!("#by-area a[href='/dashboard?region={county}']"));
    d.wait_for("the district", |p| p.contains("id=\"up\"") && p.contains(&format!("（{county}）")));
    d.click("#up");
    d.wait_for("the city again", |p| p.contains("（2101）"));
}

/// Phone width (390 px), as a grid worker holds it: the resident list, a household with its
/// members (the unmask form within reach), and a case with its survey form need no sideways
/// scrolling; people are shown one card each with every value named.
#[test]
fn a_grid_worker_works_at_phone_width_without_scrolling_sideways() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-phone"));
    let server = serve(&rt, &f);
    sign_in_with_the_form(&d, &server, "grid_worker");
    d.resize(390, 844);
    for (path, ready, shot) in [
        ("/residents".to_string(), "id=\"residents\"", "phone_residents"),
        (format!("/households/{}", f.inside.household_no), "id=\"members\"", "phone_household"),
        (format!("/cases/{}", f.inside_case), "id=\"status\"", "phone_case"),
    ] {
        d.goto(&format!("{server}{path}"));
        d.wait_for(&path, |p| p.contains(ready));
        std::thread::sleep(Duration::from_millis(200));
        assert!(d.overflow_x() <= 0, "{path} scrolls sideways by {} px at 390 px", d.overflow_x());
        d.screenshot(shot);
    }
    d.goto(&format!("{server}/households/{}", f.inside.household_no));
    d.wait_for("the household", |p| p.contains("id=\"members\""));
    d.type_into("#members form.unmask input[name=reason]", "入户走访核实身份");
    d.click("#members form.unmask button");
    d.wait_for("the full number", |p| p.contains("id=\"full-id\""));
    d.resize(1280, 900);
}

/// 养老服务 in Chromium: the community worker opens elderly care from the menu, records an ability
/// assessment of a resident with one item left unscored and is told which, every other choice
/// kept; then finishes it and reads the result with its explanation. The county approver files
/// an institution without its pledge and is told so, the form kept.
#[test]
fn a_community_worker_records_an_ability_assessment_and_the_county_files_an_institution() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-eldercare"));
    let server = serve(&rt, &f);
    let head = f.city.persons.iter().find(|p| Some(p.id_number) == f.inside.head).expect("head").clone();

    sign_in_with_the_form(&d, &server, "community_worker");
    d.click("nav a[href='/eldercare']");
    d.wait_for("the indicators", |p| p.contains("id=\"indicators\""));
    d.click("#to-assess");
    d.wait_for("the assessment form", |p| p.contains("id=\"assess\""));
    d.type_into("#assess input[name=id_number]", &head.id_number.to_string());
    d.type_into("#assess input[name=assessor]", "李评估、赵评估");
    let items = minzheng_server::eldercare::assessment::ITEMS;
    // Everyone well, except walking (B.2.3) and stairs (B.2.4) with help; 表达能力 left out.
    for (n, item) in items.iter().enumerate() {
        if item.code == "B.3.6" {
            continue;
        }
        let score = match item.code {
            "B.2.3" => 1,
            "B.2.4" => 0,
            _ => item.max(),
        };
        d.click(&format!("#s{n} option[value='{score}']"));
    }
    d.click("#assess button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("请为B.3.6“表达能力”选择评分"));
    assert!(page.contains("value=\"李评估、赵评估\""), "the assessors as typed");
    let walking = items.iter().position(|i| i.code == "B.2.3").expect("B.2.3");
    assert_eq!(d.value(&format!("#s{walking}")), "1", "the choices kept");
    let expression = items.iter().position(|i| i.code == "B.3.6").expect("B.3.6");
    d.click(&format!("#s{expression} option[value='4']"));
    d.click("#assess button[type=submit]");
    let page = d.wait_for("the result", |p| p.contains("id=\"level\""));
    assert!(page.contains("轻度失能") && page.contains("总分84/90"), "{}", page.chars().take(3000).collect::<String>());
    assert!(page.contains("部分丧失生活自理能力") && page.contains("1项不能自理"), "walking indoors counts as one activity");
    d.screenshot("eldercare_assessment");
    sign_out(&d);

    sign_in_with_the_form(&d, &server, "county_approver");
    d.goto(&format!("{server}/eldercare/institutions/new"));
    d.wait_for("the filing form", |p| p.contains("id=\"filing\""));
    for (field, text) in [
        ("name", "浑南区康宁养老院"),
        ("address", "浑南区智慧路8号"),
        ("legal_representative", "周敏"),
        ("premises", "租赁至2036年"),
        ("beds_total", "80"),
        ("beds_nursing", "40"),
        ("floor_area", "3200"),
        ("contact", "024-23780000"),
        ("registration", "52210112MJY765432X"),
        ("first_admission", "2026-11-20"),
    ] {
        d.type_into(&format!("#filing input[name={field}]"), text);
    }
    d.click("#filing button[type=submit]");
    let page = d.wait_for("the correction notice", |p| p.contains("备案材料不齐全"));
    assert!(page.contains("请补正以下内容：承诺书") && page.contains("value=\"浑南区康宁养老院\""), "the pledge named, the form kept");
    d.click("#filing input[name=pledge]");
    d.click("#filing button[type=submit]");
    let page = d.wait_for("the institution", |p| p.contains("id=\"receipt\""));
    assert!(page.contains("浑南区康宁养老院") && page.contains("养老备字"));
    d.screenshot("eldercare_institution");

    // An inspection to put right without the problems written is refused, the inspectors kept;
    // then the resident assessed above moves in, and their household page says where they live.
    d.type_into("#inspect textarea[name=findings]", "");
    d.click("#inspect select[name=result] option[value='rectify']");
    d.type_into("#inspect input[name=inspector]", "周科长");
    d.type_into("#inspect input[name=rectify_by]", "2099-12-31");
    d.click("#inspect button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("请写明检查发现的问题"));
    assert!(page.contains("value=\"周科长\""), "the inspectors as typed");
    d.type_into("#admit input[name=id_number]", &head.id_number.to_string());
    d.click("#admit button[type=submit]");
    let page = d.wait_for("the resident", |p| p.contains("id=\"residents\""));
    assert!(page.contains(&head.name), "{}", page.chars().take(2000).collect::<String>());
    d.goto(&format!("{server}/households/{}", f.inside.household_no));
    let page = d.wait_for("the household", |p| p.contains("id=\"care\""));
    assert!(page.contains("浑南区康宁养老院") && page.contains("轻度失能"), "the household page shows the care");
}

/// 殡葬 in Chromium: the community worker records a death at home with a certificate from the
/// wrong body and is told who must sign it, the form kept; then records it and sees what it
/// stopped. The county records the cremation (a sea burial) and reads the certificate and the
/// family's reward; the household page shows it.
/// 特困 and the legal supporters (《特困人员认定办法》第十条) in Chromium: a widow of 76 living
/// alone with no income qualifies for 特困 by the registry alone; the community worker records,
/// from the home survey, a son in another city able to support her (a number typed in words is
/// said beside the form, the rest kept), and the check no longer finds her 特困.
#[test]
fn a_community_worker_records_a_supporter_elsewhere_and_the_check_follows() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-supporters"));
    let server = serve(&rt, &f);
    let born = chrono::NaiveDate::from_ymd_opt(1950, 2, 2).expect("date");
    let p = rt.block_on(lone_resident(f.store.as_ref(), &f.inside.community, 956, born));
    let no = p.household_no.clone().expect("household");

    sign_in_with_the_form(&d, &server, "community_worker");
    d.goto(&format!("{server}/households/{no}/check"));
    d.wait_for("特困 by the registry alone", |p| p.contains("class=\"program ok\" data-program=\"tekun\""));
    d.goto(&format!("{server}/households/{no}"));
    d.wait_for("the supporters form", |p| p.contains("id=\"supporters-table\"") && p.contains("未记录"));
    d.type_into("#supporters-table input[name=able]", "一");
    d.type_into("#supporters-table input[name=source]", "儿子在大连工作");
    d.click("#supporters-table button[type=submit]");
    let page = d.wait_for("the reason beside the form", |p| p.contains("id=\"supporters-error\""));
    assert!(page.contains("人数应为 0 到 20 的整数"), "said in staff's words");
    assert_eq!(d.value("#supporters-table input[name=source]"), "儿子在大连工作", "the source as typed");
    d.replace_text("#supporters-table input[name=able]", "1");
    d.click("#supporters-table button[type=submit]");
    d.wait_for("the recorded supporter", |p| p.contains("有履行能力的 1 人") && p.contains("儿子在大连工作"));
    d.screenshot("household_supporters");
    d.click("#check-link");
    let page = d.wait_for("the check", |p| p.contains("data-program=\"tekun\""));
    assert!(page.contains("class=\"program no\" data-program=\"tekun\""), "a son able to support: not 特困");
    assert!(page.contains("有履行义务能力的法定义务人人数"), "the explanation says why");
}

#[test]
fn a_community_worker_records_a_death_and_the_county_its_cremation() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-funeral"));
    let server = serve(&rt, &f);
    let born = chrono::NaiveDate::from_ymd_opt(1938, 8, 8).expect("date");
    let p = rt.block_on(lone_resident(f.store.as_ref(), &f.inside.community, 955, born));
    let died = (minzheng_domain::calendar::today_in_beijing() - chrono::Duration::days(5)).to_string();
    let cremated = (minzheng_domain::calendar::today_in_beijing() - chrono::Duration::days(2)).to_string();

    sign_in_with_the_form(&d, &server, "community_worker");
    d.click("nav a[href='/funeral']");
    d.wait_for("the funeral page", |p| p.contains("id=\"to-death\""));
    d.click("#to-death");
    d.wait_for("the death form", |p| p.contains("id=\"death\""));
    d.type_into("#death input[name=id_number]", &p.id_number.to_string());
    d.replace_text("#death input[name=died_on]", &died);
    d.click("#death select[name=certifier] option[value='hospital']");
    d.type_into("#death input[name=certifier_org]", "浑南区社区卫生服务中心");
    d.type_into("#death input[name=certificate_no]", "E2026B0000955");
    d.click("#death button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("社区卫生服务机构、乡镇卫生院签发"));
    assert!(page.contains("value=\"E2026B0000955\""), "the certificate number as typed");
    d.click("#death select[name=certifier] option[value='community_health']");
    d.click("#death button[type=submit]");
    let page = d.wait_for("the death", |p| p.contains("id=\"death-facts\""));
    assert!(page.contains(&p.name) && page.contains("E2026B0000955"), "{}", page.chars().take(2000).collect::<String>());
    assert!(!page.contains("id=\"cremation-form\""), "the community does not record cremations");
    let url = d.url();
    sign_out(&d);

    sign_in_with_the_form(&d, &server, "county_approver");
    d.goto(&url);
    d.wait_for("the cremation form", |p| p.contains("id=\"cremation-form\""));
    d.type_into("#cremation-form input[name=funeral_home]", "沈阳市殡仪馆");
    d.replace_text("#cremation-form input[name=cremated_on]", &cremated);
    d.replace_text("#cremation-form input[name=storage_years]", "2");
    d.click("#cremation-form select[name=ashes] option[value='sea']");
    d.click("#cremation-form button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("骨灰寄存年限2年不合理"));
    assert!(page.contains("value=\"沈阳市殡仪馆\""), "the funeral home as typed");
    d.replace_text("#cremation-form input[name=storage_years]", "0");
    d.click("#cremation-form button[type=submit]");
    let page = d.wait_for("the certificate", |p| p.contains("id=\"cremation-certificate\""));
    assert!(
        page.contains("火化〔") && page.contains("海葬") && page.contains("3000.00"),
        "{}",
        page.chars().take(3000).collect::<String>()
    );
    d.screenshot("funeral_cremation");
    d.goto(&format!("{server}/households/{}", p.household_no.clone().expect("household")));
    let page = d.wait_for("the household", |p| p.contains("id=\"household-deaths\""));
    assert!(page.contains("海葬"), "the household page shows the cremation");
}

/// 居家养老服务 in Chromium: the county approver adds a provider without its registration code
/// and is told so, the name kept; adds it, opens a service order for an elder of 88 (8 hours a
/// month) and records last month's visit.
#[test]
fn the_county_contracts_a_provider_opens_a_home_care_order_and_records_a_visit() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-homecare"));
    let server = serve(&rt, &f);
    let born = chrono::NaiveDate::from_ymd_opt(1938, 3, 3).expect("date");
    let p = rt.block_on(lone_resident(f.store.as_ref(), &f.inside.community, 966, born));
    let today = minzheng_domain::calendar::today_in_beijing();
    let last = minzheng_server::eldercare::homecare_service::last_month(today);

    sign_in_with_the_form(&d, &server, "county_approver");
    d.goto(&format!("{server}/eldercare/homecare"));
    d.wait_for("the home-care page", |p| p.contains("id=\"provider\""));
    d.type_into("#provider input[name=name]", "浑南区乐龄居家养老服务中心");
    d.click("#provider button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("请填写服务机构名称、所属区县和统一社会信用代码"));
    assert!(page.contains("value=\"浑南区乐龄居家养老服务中心\""), "the name as typed");
    d.type_into("#provider input[name=registration]", "52210112MJY100001A");
    d.click("#provider button[type=submit]");
    d.wait_for("the provider", |p| p.contains("id=\"providers\"") && p.contains("已添加服务机构"));
    d.type_into("#order input[name=id_number]", &p.id_number.to_string());
    d.replace_text("#order input[name=start_on]", &last.to_string());
    d.click("#order button[type=submit]");
    let page = d.wait_for("the order", |p| p.contains("开具服务工单 #"));
    assert!(page.contains("80周岁以上高龄老人") && page.contains("每月8小时"), "{}", page.chars().take(3000).collect::<String>());
    let order: String = page.split("开具服务工单 #").nth(1).unwrap_or_default().chars().take_while(|c| c.is_ascii_digit()).collect();
    d.type_into("#visit input[name=order_id]", &order);
    d.replace_text("#visit input[name=served_on]", &(last + chrono::Duration::days(2)).to_string());
    d.replace_text("#visit input[name=minutes]", "90");
    d.type_into("#visit input[name=worker]", "孙阿姨");
    d.click("#visit button[type=submit]");
    d.wait_for("the visit", |p| p.contains("已记录服务"));
    d.goto(&format!("{server}/eldercare/homecare?month={}", last.format("%Y-%m")));
    let page = d.wait_for("the month", |p| p.contains("id=\"providers\""));
    assert!(
        page.contains("1.5") && page.contains("45.00"),
        "an hour and a half at 30 yuan: {}",
        page.chars().take(3000).collect::<String>()
    );
    d.screenshot("eldercare_homecare");
}

/// 婚姻登记 in Chromium: the county's registrar registers a couple of the registry; a man of 21
/// is refused with the form kept; then the couple's divorce application is received and the
/// certificate asked for too early is refused, naming the end of the cooling-off period.
#[test]
fn a_registrar_registers_a_marriage_and_receives_a_divorce_application() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-marriage"));
    let server = serve(&rt, &f);
    let today = minzheng_domain::calendar::today_in_beijing();
    let county: u32 = f.inside.community.as_str()[..6].parse().expect("county");
    let young = minzheng_domain::IdNumber::from_parts(county, today - chrono::Duration::days(21 * 366), 991, minzheng_domain::Sex::Male);
    let he =
        rt.block_on(lone_resident(f.store.as_ref(), &f.inside.community, 956, chrono::NaiveDate::from_ymd_opt(1996, 6, 6).expect("date")));
    let she = minzheng_domain::IdNumber::from_parts(
        county,
        chrono::NaiveDate::from_ymd_opt(1998, 8, 8).expect("date"),
        962,
        minzheng_domain::Sex::Female,
    );

    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/marriage']");
    d.wait_for("the marriage page", |p| p.contains("id=\"to-marriage\""));
    d.click("#to-marriage");
    d.wait_for("the marriage form", |p| p.contains("id=\"marriage\""));
    d.type_into("#marriage input[name=first_id]", &young.to_string());
    d.type_into("#marriage input[name=first_name]", "刘小宇");
    d.type_into("#marriage input[name=second_id]", &she.to_string());
    d.type_into("#marriage input[name=second_name]", "陈静");
    d.click("#marriage input[name=both_present]");
    d.click("#marriage input[name=declarations_signed]");
    d.click("#marriage button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("未到法定婚龄"));
    assert!(page.contains("value=\"陈静\""), "the form as typed");
    d.replace_text("#marriage input[name=first_id]", &he.id_number.to_string());
    d.replace_text("#marriage input[name=first_name]", &he.name);
    d.click("#marriage button[type=submit]");
    let page = d.wait_for("the marriage", |p| p.contains("id=\"marriage-facts\""));
    assert!(page.contains("陈静") && page.contains("J"), "{}", page.chars().take(2000).collect::<String>());
    d.screenshot("marriage_registered");
    d.click("#to-divorce");
    d.wait_for("the divorce form", |p| p.contains("id=\"divorce\""));
    d.click("#divorce input[name=both_present]");
    d.click("#divorce input[name=agreement_signed]");
    d.click("#divorce button[type=submit]");
    let page = d.wait_for("the application", |p| p.contains("id=\"divorce-facts\""));
    assert!(page.contains("冷静期内") && page.contains("id=\"withdraw\""), "{}", page.chars().take(2000).collect::<String>());
    assert!(!page.contains("id=\"certify\""), "no certificate during the cooling-off period");
    d.screenshot("marriage_divorce_cooling_off");
}

/// 社会组织 in Chromium: the county's registry office receives an application (capital typed
/// wrong: told so, the form kept), registers it and the credit code appears; signed out, the
/// public register finds it.
#[test]
fn a_registry_office_registers_an_organisation_and_the_public_finds_it() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-socialorg"));
    let server = serve(&rt, &f);
    let county: u32 = f.inside.community.as_str()[..6].parse().expect("county");
    let rep = minzheng_domain::IdNumber::from_parts(
        county,
        chrono::NaiveDate::from_ymd_opt(1968, 8, 8).expect("date"),
        941,
        minzheng_domain::Sex::Female,
    );

    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/socialorgs']");
    d.wait_for("the register", |p| p.contains("id=\"to-apply\""));
    d.click("#to-apply");
    d.wait_for("the application form", |p| p.contains("id=\"apply\""));
    d.type_into("#apply input[name=name]", "浑南区邻里守望志愿服务协会");
    d.type_into("#apply input[name=legal_rep_name]", "李秀梅");
    d.type_into("#apply input[name=legal_rep_id]", &rep.to_string());
    d.type_into("#apply input[name=capital]", "三万");
    d.type_into("#apply input[name=individual_members]", "80");
    d.type_into("#apply input[name=address]", "浑南区东湖街道");
    d.type_into("#apply input[name=scope]", "社区志愿服务");
    d.click("#apply button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("无法识别，请填写元"));
    assert!(page.contains("value=\"浑南区邻里守望志愿服务协会\""), "the name as typed");
    d.replace_text("#apply input[name=capital]", "30000");
    d.click("#apply button[type=submit]");
    d.wait_for("the organisation", |p| p.contains("id=\"decide\""));
    d.click("#decide button[value=register]");
    let page = d.wait_for("the code", |p| p.contains("id=\"credit-code\">51"));
    let code = page.split("id=\"credit-code\">").nth(1).map(|x| x.chars().take(18).collect::<String>()).expect("code");
    assert!(minzheng_domain::CreditCode::parse(&code).is_ok(), "{code}");
    d.screenshot("socialorg_registered");
    sign_out(&d);

    d.goto(&format!("{server}/public/socialorgs"));
    d.wait_for("the public register", |p| p.contains("id=\"public-search\""));
    d.type_into("#public-search input[name=q]", "邻里守望");
    d.click("#public-search button[type=submit]");
    let page = d.wait_for("the result", |p| p.contains("id=\"public-list\""));
    assert!(page.contains(&code) && page.contains("正常"), "{}", page.chars().take(2000).collect::<String>());
    d.screenshot("socialorg_public");
}

/// 地名 in Chromium: the county's bureau takes an application for a street name (a Latin
/// specific part refused, the form kept), records the expert review, and the page offers the
/// consultation next.
#[test]
fn a_county_bureau_takes_a_street_name_and_records_its_review() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-placename"));
    let server = serve(&rt, &f);
    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/placenames']");
    d.wait_for("the register", |p| p.contains("id=\"to-propose\""));
    d.click("#to-propose");
    d.wait_for("the form", |p| p.contains("id=\"propose\""));
    d.type_into("#propose input[name=specific]", "Hightech");
    d.type_into("#propose input[name=generic]", "大街");
    d.type_into("#propose input[name=location]", "东起创新路，西至全运路");
    d.type_into("#propose input[name=reason]", "新建主干道");
    d.click("#propose button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("非汉字字符"));
    assert!(page.contains("value=\"东起创新路，西至全运路\""), "the location as typed");
    d.replace_text("#propose input[name=specific]", "高新");
    d.click("#propose button[type=submit]");
    d.wait_for("the name", |p| p.contains("id=\"name-facts\"") && p.contains("高新大街"));
    d.type_into("#step input[name=text]", "符合浑南新区道路命名规划");
    d.click("#step button[type=submit]");
    let page = d.wait_for("the consultation step", |p| p.contains("name=\"from\""));
    assert!(page.contains("已专家论证"), "{}", page.chars().take(2000).collect::<String>());
    d.screenshot("placename_reviewed");
}

/// 民政统计 in Chromium: the county's statistics office opens October's report from the menu,
/// follows the 低保 households' figure to the households behind it, closes the month, and notes
/// a correction (a figure typed in words refused, the reason kept).
#[test]
fn a_county_statistics_office_follows_a_figure_closes_the_month_and_notes_a_correction() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-statistics"));
    let county = f.inside.community.ancestor(minzheng_domain::RegionLevel::County).expect("county");
    let head = f.city.persons.iter().find(|p| p.household_no.as_deref() == Some(&f.inside.household_no)).expect("member");
    let dibao = minzheng_domain::Enrolment {
        id: 0,
        program: "dibao".into(),
        household_no: f.inside.household_no.clone(),
        county: county.clone(),
        members: vec![minzheng_domain::EnrolledMember::new(head.id_number, head.name.clone(), None)],
        monthly_amount: minzheng_domain::Fen(104_100),
        start: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
        status: minzheng_domain::EnrolmentStatus::Active,
        end: None,
    };
    rt.block_on(f.store.upsert_enrolments(&[dibao], "roster", &minzheng_store::Actor::new("test"))).expect("enrolment");
    let server = serve(&rt, &f);
    let area = if f.inside.kind == minzheng_domain::HouseholdKind::Urban { "urban" } else { "rural" };
    sign_in_with_the_form(&d, &server, "county_approver");
    d.click("nav a[href='/statistics']");
    d.wait_for("the report", |p| p.contains("id=\"choose-month\""));
    d.replace_text("#choose-month input[name=month]", "2026-10");
    d.click("#choose-month button[type=submit]");
    // (The month before's report names October too, as its last month: wait for October's own.)
    d.wait_for("October", |p| p.contains("name=\"month\" value=\"2026-10\"") && p.contains("未关账"));
    d.click(&format!("#line-dibao_{area}_households a"));
    let page = d.wait_for("the households", |p| p.contains("id=\"units\""));
    assert!(page.contains(&f.inside.household_no) && page.contains("1041.00"), "{}", page.chars().take(2000).collect::<String>());
    d.click("#figure a");
    d.wait_for("the report again", |p| p.contains("id=\"close-month\""));
    d.click("#close-month button[type=submit]");
    d.wait_for("closed", |p| p.contains("已关账") && p.contains("id=\"correct-figure\""));
    d.click("#correct-figure select[name=line] option[value=spending_dibao]");
    d.type_into("#correct-figure input[name=value]", "一千零四十一");
    d.type_into("#correct-figure input[name=reason]", "十月名册补录");
    d.click("#correct-figure button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("无法识别"));
    assert!(page.contains("value=\"十月名册补录\""), "the reason as typed");
    d.replace_text("#correct-figure input[name=value]", "1041");
    d.click("#correct-figure button[type=submit]");
    d.wait_for("the correction beside the figure", |p| p.contains("更正为 1041.00：十月名册补录"));
    d.screenshot("statistics_report");
}

/// 网格事件 in Chromium at phone width: the grid worker reports a missing manhole cover from the
/// phone page (a matter too short refused, the place kept), without scrolling sideways; the
/// order shows as waiting for dispatch.
#[test]
fn a_grid_worker_reports_an_event_from_the_phone() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-grid"));
    let server = serve(&rt, &f);
    sign_in_with_the_form(&d, &server, "grid_worker");
    d.resize(390, 844);
    d.goto(&format!("{server}/grid/report"));
    d.wait_for("the form", |p| p.contains("id=\"report-event\""));
    std::thread::sleep(Duration::from_millis(200));
    assert!(d.overflow_x() <= 0, "the event form scrolls sideways by {} px at 390 px", d.overflow_x());
    d.click("#report-event select[name=category] option[value=safety]");
    d.type_into("#report-event input[name=place]", "5号楼东侧");
    d.type_into("#report-event input[name=title]", "井盖");
    d.click("#report-event button[type=submit]");
    let page = d.wait_for("the refusal", |p| p.contains("至少四个字"));
    assert!(page.contains("value=\"5号楼东侧\""), "the place as typed");
    d.replace_text("#report-event input[name=title]", "井盖缺失有坠落危险");
    d.click("#report-event button[type=submit]");
    d.wait_for("the order", |p| p.contains("id=\"order-facts\"") && p.contains("待派单"));
    std::thread::sleep(Duration::from_millis(200));
    assert!(d.overflow_x() <= 0, "the order scrolls sideways by {} px at 390 px", d.overflow_x());
    d.screenshot("phone_grid_event");
    d.resize(1280, 900);
}

#[test]
fn a_grid_worker_visits_and_decides_a_warning_from_the_phone() {
    let Some(d) = Driver::start() else { return };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let f = rt.block_on(fixture("browser-monitoring"));
    let server = serve(&rt, &f);
    sign_in_with_the_form(&d, &server, "grid_worker");
    d.resize(390, 844);
    d.goto(&format!("{server}/"));
    d.wait_for("the work line", |p| p.contains("待处置预警"));
    d.goto(&format!("{server}/monitoring"));
    d.wait_for("the queue", |p| p.contains("id=\"warnings\"") && p.contains("在保家庭成员死亡"));
    d.click(&format!("a[href='/monitoring/warnings/{}']", f.inside_warning));
    d.wait_for("the warning", |p| p.contains("id=\"warning-facts\"") && p.contains("id=\"step-visit\""));
    std::thread::sleep(Duration::from_millis(200));
    assert!(d.overflow_x() <= 0, "the warning scrolls sideways by {} px at 390 px: {}", d.overflow_x(), d.wide_elements());
    d.type_into("#step-visit input[name=findings]", "入户核实：配偶独居，患慢性病，无固定收入");
    d.click("#step-visit button");
    d.wait_for("the visit recorded", |p| p.contains("id=\"warning-findings\"") && p.contains("已入户核实"));
    d.click("#step-handle select[name=outcome] option[value=referred]");
    d.click("#step-handle select[name=target] option[value=medical]");
    d.type_into("#step-handle input[name=note]", "协助申请医疗救助");
    d.click("#step-handle button");
    d.wait_for("the decision", |p| p.contains("id=\"warning-outcome\"") && p.contains("医疗保障部门") && p.contains("id=\"step-report\""));
    d.type_into("#step-report input[name=note]", "医保部门已受理");
    d.click("#step-report button");
    let page = d.wait_for("closed", |p| p.contains("id=\"warning-status\">已办结"));
    assert!(page.contains("医保部门已受理"), "the report kept");
    d.screenshot("phone_monitoring_warning");
    d.resize(1280, 900);
}
