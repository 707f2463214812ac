//! The `minzheng` command as a clerk uses it: generate a city, import it, export a district,
//! and see a broken file explained.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_testkit::TempDir as Dir;
use std::path::Path;
use std::process::Command;

fn dir(tag: &str) -> Dir {
    Dir::new(&format!("cli-{tag}"))
}

/// Runs the command with these environment variables; whether it succeeded, and its output.
fn run(env: &[(&str, &std::ffi::OsStr)], args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minzheng")).args(args).envs(env.iter().copied()).output().expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn minzheng(db: &Path, args: &[&str]) -> (bool, String) {
    let url = format!("sqlite://{}", db.display());
    run(&[("MINZHENG_DATABASE_URL", url.as_ref())], args)
}

#[test]
fn generate_import_and_export_a_city() {
    let d = dir("city");
    let db = d.0.join("m.db");
    let city = d.0.join("city");
    let (ok, text) = minzheng(&db, &["generate", "--persons", "2000", "--seed", "5", "--out", city.to_str().expect("utf8")]);
    assert!(ok, "{text}");
    for f in [
        "persons",
        "households",
        "deaths",
        "cremations",
        "hukou_moves",
        "residence",
        "vehicles",
        "property",
        "business",
        "income",
        "social_insurance",
        "tax",
        "provident_fund",
        "deposits",
        "marriages",
        "medical",
        "disability",
        "unemployment",
        "anomalies",
    ] {
        assert!(city.join(format!("{f}.csv")).exists(), "{f}.csv written");
    }
    let (ok, text) = minzheng(&db, &["import", "persons", city.join("persons.csv").to_str().expect("utf8")]);
    assert!(ok, "{text}");
    assert!(text.contains("rejected") && text.contains(" 0 rejected"), "{text}");
    // Importing the same file again changes nothing.
    let (ok, text) = minzheng(&db, &["import", "persons", city.join("persons.csv").to_str().expect("utf8")]);
    assert!(ok, "{text}");
    assert!(text.contains("0 persons added, 0 updated"), "{text}");
    let out = d.0.join("hunnan.xlsx");
    let (ok, text) = minzheng(&db, &["export", "persons", "--format", "xlsx", "--out", out.to_str().expect("utf8"), "--region", "210112"]);
    assert!(ok, "{text}");
    assert!(out.exists());
    let sheet = minzheng_app::sheet::read(&out, |h| h == "姓名" || h == "身份证号").expect("readable");
    assert!(!sheet.rows.is_empty());
    assert!(sheet.rows.iter().all(|r| r.cells[7].text().starts_with("210112")), "only 浑南区");
}

#[test]
fn a_broken_sheet_gives_an_error_file_with_reasons() {
    let d = dir("broken");
    let db = d.0.join("m.db");
    let file = d.0.join("p.csv");
    std::fs::write(
        &file,
        "姓名,身份证号,与户主关系,社区代码\n张三,360426199101010072,户主,210112009001\n李四,11010519491231002X,户主,210112009001\n",
    )
    .expect("write");
    let errors = d.0.join("errors.csv");
    let (ok, text) = minzheng(&db, &["import", "persons", file.to_str().expect("utf8"), "--errors", errors.to_str().expect("utf8")]);
    // The good row is stored, and the exit status says that a row was refused.
    assert!(!ok && text.contains("1 rows were refused; the rest is stored"), "{text}");
    assert!(text.contains("1 accepted, 1 rejected"), "{text}");
    let content = std::fs::read_to_string(&errors).expect("error file");
    assert!(content.contains("校验位") && content.contains("check character"), "{content}");
    let (ok, text) = minzheng(&db, &["import", "persons", d.0.join("missing.csv").to_str().expect("utf8")]);
    assert!(!ok);
    assert!(text.contains("无法读取") && text.contains("cannot read"), "{text}");
}

#[test]
fn a_bureau_registers_a_source_in_its_own_catalogue_and_a_broken_one_stops_the_command() {
    let d = dir("sources");
    let db = d.0.join("m.db");
    let run = |catalogue: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_minzheng"))
            .args(args)
            .env("MINZHENG_DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("MINZHENG_SOURCES", catalogue)
            .output()
            .expect("runs");
        (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    // The shipped catalogue and one more source: pensions paid by another province.
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/sources.toml")).expect("shipped catalogue");
    let mine = d.0.join("sources.toml");
    std::fs::write(
        &mine,
        format!("{shipped}\n[[source]]\ncode = \"pensions_other\"\ndepartment = \"外省社保经办机构\"\ncontent = \"外省养老金 / pensions paid by other provinces\"\nheaders = [\"身份证号\", \"姓名\", \"发放省份\", \"月养老金\"]\nitem = {{ kind = \"pension\", amount = \"月养老金\" }}\n"),
    )
    .expect("catalogue");
    let (ok, text) = run(&mine, &["verify", "sources"]);
    assert!(ok, "{text}");
    assert!(text.contains("pensions_other: 外省社保经办机构 · 外省养老金"), "{text}");
    let file = d.0.join("pensions_other-2026-06.csv");
    std::fs::write(&file, "身份证号,姓名,发放省份,月养老金\n11010519491231002X,王秀兰,北京市,3200.00\n").expect("file");
    let (ok, text) = run(&mine, &["import", "economy", file.to_str().expect("utf8"), "--as-of", "2026-07-01"]);
    assert!(ok, "{text}");
    assert!(text.contains("pensions_other"), "{text}");
    // A column that is not among the headers: refused at start, with the line.
    let broken = d.0.join("broken.toml");
    std::fs::write(
        &broken,
        "[[source]]\ncode = \"x\"\ndepartment = \"某部门\"\ncontent = \"x / x\"\nheaders = [\"身份证号\", \"姓名\"]\ndate = \"日期\"\n",
    )
    .expect("broken");
    let (ok, text) = run(&broken, &["verify", "sources"]);
    assert!(!ok, "{text}");
    assert!(text.contains("第 1 行") && text.contains("日期"), "{text}");
}

/// An installation's `minzheng.toml` names its database; the environment wins over it; a
/// misspelt key stops the command with the key named.
#[test]
fn a_configuration_file_names_the_database_and_a_mistake_in_it_stops_the_command() {
    let d = dir("config");
    let file = d.0.join("minzheng.toml");
    let from_file = d.0.join("from-file.db");
    std::fs::write(&file, format!("database_url = \"sqlite://{}\"\n", from_file.display())).expect("config");
    let run = |args: &[&str], env_db: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_minzheng"));
        cmd.args(args).env_remove("MINZHENG_DATABASE_URL").env_remove("MINZHENG_CONFIG");
        if let Some(db) = env_db {
            cmd.env("MINZHENG_DATABASE_URL", format!("sqlite://{}", db.display()));
        }
        let out = cmd.output().expect("runs");
        (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    };
    let config = file.to_str().expect("utf8");
    let (ok, text) = run(&["--config", config, "db", "migrate"], None);
    assert!(ok && from_file.exists(), "{text}");
    let from_env = d.0.join("from-env.db");
    let (ok, text) = run(&["--config", config, "db", "migrate"], Some(&from_env));
    assert!(ok && from_env.exists() && text.contains("from-env.db"), "{text}");
    std::fs::write(&file, "databse_url = \"sqlite://x.db\"\n").expect("config");
    let (ok, text) = run(&["--config", config, "db", "migrate"], None);
    assert!(!ok && text.contains("databse_url") && text.contains("配置文件"), "{text}");
}

fn minzheng_at(url: &str, data: &Path, args: &[&str]) -> (bool, String) {
    run(&[("MINZHENG_DATABASE_URL", url.as_ref()), ("MINZHENG_DATA_DIR", data.as_os_str())], args)
}

#[test]
fn a_backup_taken_in_use_restores_with_its_audit_chain_intact() {
    let d = dir("backup");
    let db = d.0.join("m.db");
    let (ok, text) = minzheng(&db, &["db", "migrate"]);
    assert!(ok, "{text}");
    // Every command anchors what it wrote: the original verifies against its checkpoints.
    let (ok, text) = minzheng(&db, &["audit", "verify"]);
    assert!(ok && text.contains("intact") && text.contains("#1 record"), "{text}");
    let copy = d.0.join("restored").join("m.db");
    std::fs::create_dir_all(copy.parent().expect("dir")).expect("dir");
    let (ok, text) = minzheng(&db, &["db", "backup", copy.to_str().expect("utf8")]);
    assert!(ok && text.contains("audit chain intact"), "{text}");
    let (ok, again) = minzheng(&db, &["db", "backup", copy.to_str().expect("utf8")]);
    assert!(!ok && again.contains("exists already"), "never overwritten: {again}");
    // The copy opened as the database: the same regions, the chain intact.
    let (ok, text) = minzheng(&copy, &["audit", "verify"]);
    assert!(ok && text.contains("intact"), "{text}");
    let (ok, text) = minzheng(&copy, &["db", "migrate"]);
    assert!(ok && text.contains("regions"), "{text}");

    // PostgreSQL: pg_dump, then pg_restore into a new database that verifies.
    let Ok(base) = std::env::var("MINZHENG_TEST_DATABASE_URL") else { return };
    let tag = format!("{}_{}", std::process::id(), chrono::Utc::now().timestamp_micros());
    let (from, to) = (format!("mzt_bk_{tag}"), format!("mzt_rs_{tag}"));
    let url = |name: &str| minzheng_store::postgres::with_database(&base, name);
    let psql = |sql: &str| Command::new("psql").arg(&base).args(["-qc", sql]).status().expect("psql").success();
    assert!(psql(&format!("CREATE DATABASE {from}")) && psql(&format!("CREATE DATABASE {to}")));
    let data = d.0.join("pg-data");
    let (ok, text) = minzheng_at(&url(&from), &data, &["db", "migrate"]);
    assert!(ok, "{text}");
    let dump = d.0.join("pg.dump");
    let (ok, text) = minzheng_at(&url(&from), &data, &["db", "backup", dump.to_str().expect("utf8")]);
    assert!(ok, "{text}");
    let restored = Command::new("pg_restore").args(["--no-owner", "--dbname"]).arg(url(&to)).arg(&dump).status().expect("pg_restore");
    assert!(restored.success());
    let (ok, text) = minzheng_at(&url(&to), &d.0.join("pg-restored"), &["audit", "verify"]);
    assert!(ok && text.contains("intact"), "{text}");
    psql(&format!("DROP DATABASE IF EXISTS {from} WITH (FORCE)"));
    psql(&format!("DROP DATABASE IF EXISTS {to} WITH (FORCE)"));
}

#[test]
fn an_import_killed_midway_leaves_nothing_half_written_and_the_chain_intact() {
    let d = dir("kill");
    let db = d.0.join("m.db");
    let city = d.0.join("city");
    let (ok, text) = minzheng(&db, &["generate", "--persons", "40000", "--seed", "7", "--out", city.to_str().expect("utf8")]);
    assert!(ok, "{text}");
    let file = city.join("persons.csv");
    let rows = std::fs::read_to_string(&file).expect("file").lines().count() - 1;
    // `kill -9` at three moments of the import (SIGKILL: no handler runs).
    for wait in [200u64, 700, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_minzheng"))
            .args(["import", "persons", file.to_str().expect("utf8")])
            .env("MINZHENG_DATABASE_URL", format!("sqlite://{}", db.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starts");
        std::thread::sleep(std::time::Duration::from_millis(wait));
        let _ = child.kill();
        let _ = child.wait();
        let (ok, text) = minzheng(&db, &["audit", "verify"]);
        assert!(ok && text.contains("intact"), "after kill -9 at {wait} ms: {text}");
    }
    // Imported again to the end: every person once, the chain still intact.
    let (ok, text) = minzheng(&db, &["import", "persons", file.to_str().expect("utf8")]);
    assert!(ok && text.contains(" 0 rejected"), "{text}");
    let (ok, text) = minzheng(&db, &["db", "migrate"]);
    assert!(ok && text.contains(&format!(" {rows} persons")), "{rows} persons expected: {text}");
    let (ok, text) = minzheng(&db, &["audit", "verify"]);
    assert!(ok && text.contains("intact"), "{text}");
}

/// One HTTP/1.1 exchange on a kept-alive connection: the status and the body.
fn exchange(
    stream: &mut std::io::BufReader<std::net::TcpStream>,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    use std::io::{BufRead, Read, Write};
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes())?;
    let mut line = String::new();
    if stream.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (mut len, mut head) = (0usize, String::new());
    loop {
        let mut h = String::new();
        if stream.read_line(&mut h)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if h == "\r\n" {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&h);
    }
    let mut b = vec![0u8; len];
    stream.read_exact(&mut b)?;
    Ok((status, head, String::from_utf8_lossy(&b).to_string()))
}

#[test]
fn a_server_killed_during_a_burst_of_applications_keeps_every_acknowledged_case_whole() {
    let d = dir("kill-cases");
    let data = d.0.join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_minzheng"))
        .args(["demo", "--persons", "1500", "--no-serve"])
        .env("MINZHENG_DATA_DIR", &data)
        .env_remove("MINZHENG_DATABASE_URL")
        .output()
        .expect("demo");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = data.join("minzheng.db");
    let csv = d.0.join("persons.csv");
    let (ok, text) = minzheng(&db, &["export", "persons", "--format", "csv", "--out", csv.to_str().expect("utf8"), "--region", "2101"]);
    assert!(ok, "{text}");
    let content = std::fs::read_to_string(&csv).expect("export");
    let mut lines = content.lines();
    let header: Vec<&str> = lines.next().expect("header").trim_start_matches('\u{feff}').split(',').collect();
    let col = header.iter().position(|h| *h == "身份证号").expect("id column");
    let applicants: Vec<String> = lines.filter_map(|l| l.split(',').nth(col).map(str::to_string)).take(600).collect();
    let accounts = std::fs::read_to_string(data.join("demo-accounts.txt")).expect("accounts");
    let password =
        accounts.lines().find(|l| l.starts_with("demo_community_worker ")).and_then(|l| l.split_whitespace().nth(1)).expect("password");

    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_minzheng"))
        .args(["serve", "--bind", &addr])
        .env("MINZHENG_DATA_DIR", &data)
        .env_remove("MINZHENG_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let connect = || std::net::TcpStream::connect(&addr).map(std::io::BufReader::new);
    let mut first = (0..120)
        .find_map(|_| {
            connect().ok().or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(250));
                None
            })
        })
        .expect("the server listens");
    let login = format!(r#"{{"name":"demo_community_worker","password":"{password}"}}"#);
    let (status, head, body) = exchange(&mut first, "POST", "/api/session", "", &login).expect("sign in");
    assert_eq!(status, 200, "{body}");
    let cookie = head.lines().find_map(|l| l.split("mz_session=").nth(1)).and_then(|v| v.split(';').next()).expect("cookie").to_string();
    let csrf = serde_json::from_str::<serde_json::Value>(&body).expect("json")["csrf_token"].as_str().expect("csrf").to_string();
    let headers = format!("Cookie: mz_session={cookie}\r\nx-csrf-token: {csrf}\r\n");

    // Eight clerks' browsers accept applications as fast as the server answers; the server is
    // killed with SIGKILL in the middle. Every case answered 201 was acknowledged to a clerk.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let threads: Vec<_> = applicants
        .chunks(applicants.len() / 8 + 1)
        .map(|mine| {
            let (mine, headers, acknowledged, interrupted) = (mine.to_vec(), headers.clone(), acknowledged.clone(), interrupted.clone());
            let Ok(mut conn) = connect() else { return std::thread::spawn(|| ()) };
            std::thread::spawn(move || {
                for id in mine {
                    let body = format!(
                        r#"{{"service":"apply_linshi","applicant":"{id}","documents":["application","hardship_statement","medical_bills"],"comment":"突发困难，申请临时救助"}}"#
                    );
                    match exchange(&mut conn, "POST", "/api/cases", &headers, &body) {
                        Ok((201, _, b)) => {
                            if let Some(case) = serde_json::from_str::<serde_json::Value>(&b).ok().and_then(|v| v["id"].as_i64()) {
                                acknowledged.lock().expect("lock").push(case);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => {
                            interrupted.store(true, std::sync::atomic::Ordering::SeqCst);
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    // Killed once forty cases are acknowledged, with most of the burst still to come.
    for _ in 0..6000 {
        if acknowledged.lock().expect("lock").len() >= 40 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = server.kill();
    let _ = server.wait();
    for t in threads {
        let _ = t.join();
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    eprintln!("{} of {} applications acknowledged before the kill", acknowledged.len(), applicants.len());
    assert!(acknowledged.len() >= 40, "applications were accepted before the kill");
    assert!(interrupted.load(std::sync::atomic::Ordering::SeqCst), "the kill came in the middle of the burst");

    // After the crash: every acknowledged case is there, with its acceptance event; the audit
    // chain verifies.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = minzheng_store::connect(&format!("sqlite://{}", db.display())).await.expect("store");
        for id in &acknowledged {
            let case = store.case(*id).await.expect("read").unwrap_or_else(|| panic!("case {id} was acknowledged and is lost"));
            let events = store.case_events(*id).await.expect("events");
            assert_eq!(events.first().map(|e| e.action.as_str()), Some("accept"), "case {} whole", case.id);
        }
    });
    let (ok, text) = minzheng(&db, &["audit", "verify"]);
    assert!(ok && text.contains("intact"), "{text}");
}

/// An analyst sets a standard as the decision writes it (yuan), is asked about a value far from
/// the one in force, is refused a value that would not take effect, and scripts `policy check
/// --json` and `policy params | head`.
#[test]
fn an_analyst_sets_parameters_in_yuan_and_scripts_the_checks() {
    let d = dir("params");
    let db = d.0.join("m.db");
    let (ok, text) = minzheng(&db, &["policy", "set", "gaoling_80", "30.5", "--from", "2027-01-01", "--reason", "沈政办发〔2026〕1号"]);
    assert!(ok && text.contains("= 30.50 元/人/月") && text.contains("此前：城镇 25.00 元/人/月"), "{text}");
    // 3,050 yuan is a hundred times the allowance: a unit mistake until confirmed.
    let (ok, text) = minzheng(&db, &["policy", "set", "gaoling_80", "3050", "--from", "2027-02-01", "--reason", "沈政办发〔2026〕2号"]);
    assert!(!ok && text.contains("--yes") && text.contains("30.50 元/人/月"), "{text}");
    let (ok, text) =
        minzheng(&db, &["policy", "set", "gaoling_80", "3050", "--yes", "--from", "2027-02-01", "--reason", "沈政办发〔2026〕2号"]);
    assert!(ok, "{text}");
    // One value for both areas where each area has its own: it would not take effect.
    let (ok, text) = minzheng(&db, &["policy", "set", "dibao_standard", "900", "--from", "2030-01-01", "--reason", "沈政办发〔2026〕9号"]);
    assert!(!ok && text.contains("不会生效") && text.contains("--area urban"), "{text}");
    let (ok, text) = minzheng(&db, &["policy", "set", "gaoling_80", "三十", "--from", "2027-01-01", "--reason", "沈政办发〔2026〕1号"]);
    assert!(!ok && text.contains("以元计"), "{text}");
    // A script reading JSON gets the error as JSON.
    let (ok, text) = minzheng(&db, &["policy", "check", "NOPE", "--json"]);
    let first = text.lines().next().unwrap_or_default();
    let error: serde_json::Value = serde_json::from_str(first).unwrap_or_default();
    assert!(!ok && error["error"]["message_en"] == "no household NOPE", "{text}");
    // A listing cut short by its reader ends quietly.
    let mut child = Command::new(env!("CARGO_BIN_EXE_minzheng"))
        .args(["policy", "params"])
        .env("MINZHENG_DATABASE_URL", format!("sqlite://{}", db.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdout.take());
    let done = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// An analyst runs two programs on a generated city without storing a run and gets every unit
/// with the conditions it failed; an unknown program is named with the known ones.
#[test]
fn an_analyst_sweeps_some_programs_without_storing_and_reads_every_unit() {
    let d = dir("analyst");
    let db = d.0.join("m.db");
    let city = d.0.join("city");
    let (ok, text) = minzheng(&db, &["generate", "--persons", "2000", "--seed", "4", "--out", city.to_str().expect("utf8")]);
    assert!(ok, "{text}");
    let (ok, text) = minzheng(&db, &["import", "persons", city.join("persons.csv").to_str().expect("utf8")]);
    assert!(ok, "{text}");
    let (ok, text) = minzheng(&db, &["import", "economy", city.to_str().expect("utf8"), "--as-of", "2026-07-01"]);
    assert!(ok, "{text}");
    // A new run of the linkage on the same files, without a fresh database: the date stored
    // with each file is kept; nothing changed since, so no row changes.
    let (ok, text) = minzheng(&db, &["import", "economy", city.to_str().expect("utf8"), "--relink"]);
    assert!(ok && text.contains("重新关联（数据截止 2026-07-01）：0 行的关联改变") && !text.contains("增量比对"), "{text}");
    let units = d.0.join("units.csv");
    let args = [
        "policy",
        "sweep",
        "--on",
        "2026-08-01",
        "--programs",
        "disability_living,gaoling",
        "--no-store",
        "--units",
        units.to_str().expect("utf8"),
    ];
    let (ok, text) = minzheng(&db, &args);
    // The living subsidy requires a 低保 household, decided by the 低保 rules in the same run.
    assert!(ok && text.contains("未存储") && text.contains("also run") && text.contains("dibao"), "{text}");
    assert!(!text.contains("tekun"), "低保 is excluded by 特困 enrolments, read from the records: 特困 need not run: {text}");
    let csv = std::fs::read_to_string(&units).expect("units");
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    // (Units come in the engine's partition order.)
    let refused: Vec<&str> = csv.lines().filter(|l| l.starts_with("dibao,") && l.contains(",否,")).collect();
    assert!(refused.iter().any(|l| l.contains("家庭月人均收入低于当地低保标准")), "{refused:?}");
    assert!(refused.iter().all(|l| !l.ends_with(",否,0.00,")), "each says what it failed: {refused:?}");
    assert!(csv.lines().any(|l| l.starts_with("gaoling,") && l.contains(",是,")), "an elder eligible");
    // No run was stored, and the trial is in the audit log with its programs.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (runs, audited) = rt.block_on(async {
        let store = minzheng_store::connect(&format!("sqlite://{}", db.display())).await.expect("store");
        let runs = store.policy_runs(10).await.expect("runs").len();
        let audited = store.audit_of("region", "2101").await.expect("audit");
        (runs, audited)
    });
    assert_eq!(runs, 0, "a trial stores no run");
    let trial = audited.iter().find(|r| r.action == "policy_sweep").expect("the trial audited");
    assert_eq!(trial.after.as_ref().map(|a| a["stored"].clone()), Some(serde_json::json!(false)));
    // A trial of some programs is never stored as the bureau's sweep.
    let (ok, text) = minzheng(&db, &["policy", "sweep", "--on", "2026-08-01", "--programs", "gaoling"]);
    assert!(!ok && text.contains("--no-store"), "{text}");
    let (ok, text) = minzheng(&db, &["policy", "sweep", "--programs", "nope", "--no-store"]);
    assert!(!ok && text.contains("nope") && text.contains("dibao"), "{text}");

    // A department's file linked to the registry without storing it: one clean row, one with
    // two digits swapped, one of nobody.
    let sheet = minzheng_app::sheet::read(&city.join("persons.csv"), |h| h == "姓名" || h == "身份证号").expect("persons");
    let at = |h: &str| sheet.headers.iter().position(|x| x == h).expect("column");
    let (id, name) = (at("身份证号"), at("姓名"));
    let person = |i: usize| (sheet.rows[i].cells[id].text(), sheet.rows[i].cells[name].text());
    let (a, a_name) = person(0);
    let (b, b_name) = (1..sheet.rows.len()).map(person).find(|(b, _)| b.as_bytes()[3] != b.as_bytes()[4]).expect("a number to swap");
    let mut swapped = b.clone().into_bytes();
    swapped.swap(3, 4);
    let swapped = String::from_utf8(swapped).expect("ascii");
    let file = d.0.join("dept.csv");
    std::fs::write(&file, format!("身份证号,姓名\n{a},{a_name}\n{swapped},{b_name}\n,无名氏\n")).expect("file");
    let pairs = d.0.join("pairs.csv");
    let (ok, text) = minzheng(&db, &["verify", "link", file.to_str().expect("utf8"), "--out", pairs.to_str().expect("utf8")]);
    assert!(ok && text.contains("3 rows: 1 registered by their number") && text.contains("1 repaired by the linkage"), "{text}");
    let csv = std::fs::read_to_string(&pairs).expect("pairs");
    assert!(csv.lines().any(|l| l.starts_with("3,") && l.contains(&b) && l.contains("相邻两位颠倒")), "{csv}");
    let linked = rt.block_on(async {
        let store = minzheng_store::connect(&format!("sqlite://{}", db.display())).await.expect("store");
        store.audit_of("dept_record", &file.display().to_string()).await.expect("audit")
    });
    assert!(linked.iter().any(|r| r.action == "link_file"), "the read of the registry is audited: {linked:?}");
    assert!(text.contains("phases:") && text.contains("candidates"), "the phase times: {text}");
    // Two departments' files linked to each other: the second file's persons stand for the
    // registry (the first row's person is not in it), the model's parameters printed.
    let other = d.0.join("other.csv");
    std::fs::write(&other, format!("身份证号,姓名\n{b},{b_name}\n")).expect("file");
    let pairs2 = d.0.join("pairs2.csv");
    let (ok, text) = minzheng(
        &db,
        &[
            "verify",
            "link",
            file.to_str().expect("utf8"),
            "--against",
            other.to_str().expect("utf8"),
            "--out",
            pairs2.to_str().expect("utf8"),
        ],
    );
    assert!(
        ok && text.contains("3 rows: 0 registered by their number, 1 with a valid number of nobody registered")
            && text.contains("1 repaired by the linkage"),
        "{text}"
    );
    assert!(text.contains("model") && text.contains("m = ") && text.contains("u = ") && text.contains("against the persons of"), "{text}");
    let csv = std::fs::read_to_string(&pairs2).expect("pairs");
    assert!(csv.lines().any(|l| l.starts_with("3,") && l.contains(&b)), "{csv}");
    let (ok, text) = minzheng(&db, &["audit", "verify"]);
    assert!(ok, "{text}");
}
