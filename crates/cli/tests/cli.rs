//! The `minzheng` command as a clerk uses it: generate a city, import it, export a district,
//! and see a broken file explained.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use std::path::{Path, PathBuf};
use std::process::Command;

struct Dir(PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(tag: &str) -> Dir {
    let d = std::env::temp_dir().join(format!("minzheng-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    Dir(d)
}

fn minzheng(db: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minzheng"))
        .args(args)
        .env("MINZHENG_DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
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
    assert!(ok, "{text}");
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
    let out = Command::new(env!("CARGO_BIN_EXE_minzheng"))
        .args(args)
        .env("MINZHENG_DATABASE_URL", url)
        .env("MINZHENG_DATA_DIR", data)
        .output()
        .expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
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
