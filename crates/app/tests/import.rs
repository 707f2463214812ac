//! The registry import as a bureau uses it: a generated city round-trips through its files,
//! and every kind of bad row is refused with its reason while the good rows go in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_app::import::{import_persons, write_errors, Mapping};
use minzheng_app::regions;
use minzheng_domain::RegionCode;
use minzheng_store::{Actor, PersonQuery, Store};
use minzheng_synth::files::{write_city, Format};
use minzheng_testkit::{TempDir, TestStore};
use std::sync::Arc;

async fn store_in(tag: &str) -> (Arc<dyn Store>, TempDir) {
    let TestStore { store, dir, .. } = minzheng_testkit::sqlite(&format!("import-{tag}")).await;
    regions::ensure_loaded(store.as_ref(), &Actor::system()).await.expect("regions");
    (store, dir.expect("the store's folder"))
}

#[tokio::test]
async fn a_generated_city_round_trips_through_csv_and_xlsx() {
    let (store, dir) = store_in("roundtrip").await;
    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(3_000, 7)).expect("city");
    for format in [Format::Csv, Format::Xlsx] {
        let out = dir.0.join(format!("{format:?}"));
        write_city(&city, &out, format).expect("write");
        let ext = if format == Format::Csv { "csv" } else { "xlsx" };
        let report =
            import_persons(store.as_ref(), &out.join(format!("persons.{ext}")), &Mapping::default(), &Actor::new("importer"), &|_| {})
                .await
                .expect("import");
        assert!(report.rejected.is_empty(), "{:?}", report.rejected.first());
        assert_eq!(report.accepted, city.persons.len());
    }
    let counts = store.counts().await.expect("counts");
    assert_eq!(counts.persons as usize, city.persons.len());
    assert_eq!(counts.households as usize, city.households.len());
    for p in city.persons.iter().step_by(97) {
        assert_eq!(store.person(&p.id_number).await.expect("get").as_ref(), Some(p));
    }
    for h in city.households.iter().step_by(31) {
        assert_eq!(store.household(&h.household_no).await.expect("get").as_ref(), Some(h));
    }
}

const HEADER: &str = "户号,姓名,身份证号,性别,出生日期,与户主关系,社区代码,所属社区,网格,楼栋,住址\n";

#[tokio::test]
async fn bad_rows_are_refused_with_their_reasons_and_good_rows_go_in() {
    let (store, dir) = store_in("bad").await;
    let body = [
        // 2: good head in 浑南区 东湖街道 (210112009)
        "H1,王建国,11010519491231002X,女,1949-12-31,户主,210112009001,,第1网格,3号楼,东湖社区3号楼",
        // 3: wrong check character
        "H1,李秀英,360426199101010072,男,,配偶,210112009001,,,,",
        // 4: sex contradicts the ID
        "H1,王小明,360426199101010071,女,,子,210112009001,,,,",
        // 5: duplicate of row 2
        "H1,王建国,11010519491231002X,女,,户主,210112009001,,,,",
        // 6: unknown community code
        "H2,赵淑兰,120103198806018241,女,,户主,210112009999,,,,",
        // 7: ID rounded by Excel
        "H3,钱多多,2.10102E+17,男,,户主,210112009001,,,,",
        // 8: second head in H1
        "H1,孙悟空,110105194912310038,男,,户主,210112009001,,,,",
        // 9: birth date contradicts the ID
        "H4,周芳,110105194912310046,女,1950-01-01,户主,210112009001,,,,",
        // 10: member living in another community than the head (row 2)
        "H1,吴敏,110105195001010020,女,,配偶,210102001002,,,,",
        // 11: good member of H1 with a legacy 15-digit ID
        "H1,王小刚,210112750501011,,,儿子,210112009001,,,,",
    ];
    let text = format!("{HEADER}{}\n", body.join("\n"));
    let path = dir.0.join("persons.csv");
    std::fs::write(&path, text).expect("write");
    let report = import_persons(store.as_ref(), &path, &Mapping::default(), &Actor::new("clerk"), &|_| {}).await.expect("import runs");
    let rows: Vec<usize> = report.rejected.iter().map(|r| r.row).collect();
    assert_eq!(rows, [3, 4, 5, 6, 7, 8, 9, 10]);
    let reason = |row: usize| report.rejected.iter().find(|r| r.row == row).map(|r| r.reasons[0].to_string()).unwrap_or_default();
    assert!(reason(3).contains("校验位") && reason(3).contains("check character"), "{}", reason(3));
    assert!(reason(4).contains("性别"), "{}", reason(4));
    assert!(reason(5).contains("第2行重复"), "{}", reason(5));
    assert!(reason(6).contains("210112009999"), "{}", reason(6));
    assert!(reason(7).contains("Excel"), "{}", reason(7));
    assert!(reason(8).contains("已有户主"), "{}", reason(8));
    assert!(reason(9).contains("出生日期"), "{}", reason(9));
    assert!(reason(10).contains("所属社区不一致"), "{}", reason(10));
    assert_eq!(report.accepted, 2);
    let members = store.household_members("H1").await.expect("members");
    assert_eq!(members.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["王建国", "王小刚"]);
    assert_eq!(members[1].id_number.as_str(), "210112197505010119", "the legacy number was converted");

    let errors = dir.0.join("errors.xlsx");
    write_errors(&errors, &report).expect("error file");
    let back = minzheng_app::sheet::read(&errors, |h| h == "行号" || h == "错误原因").expect("error file reads");
    assert_eq!(back.rows.len(), 8);
    assert_eq!(back.headers.last().map(String::as_str), Some("Reason"));
}

#[tokio::test]
async fn gbk_files_with_a_title_row_and_other_headers_are_read_through_a_mapping() {
    let (store, dir) = store_in("gbk").await;
    let text = "东湖社区人口花名册\n序号,人员姓名,证件号,家庭关系,所属社区,所属街道,住址\n\
                1,王建国,11010519491231002X,户主,文欣社区,东湖街道,东湖社区1号\n\
                2,王小红,110105491231004,女儿,文欣社区,东湖街道,东湖社区1号\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let path = dir.0.join("名册.csv");
    std::fs::write(&path, &gbk).expect("write");
    let mapping = Mapping::from_toml("m.toml", "[columns]\n\"证件号\" = \"身份证号\"\n").expect("mapping");
    let report = import_persons(store.as_ref(), &path, &mapping, &Actor::new("clerk"), &|_| {}).await.expect("import");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.accepted, 2);
    let found = store
        .search_persons(&PersonQuery {
            region: Some(RegionCode::parse("210112009").expect("code")),
            name: None,
            tag: None,
            after: None,
            limit: 10,
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 2, "the household was placed in 浑南区 东湖街道 东湖社区");
}

#[tokio::test]
async fn a_sheet_without_the_id_column_is_refused_whole() {
    let (store, dir) = store_in("nocol").await;
    let path = dir.0.join("p.csv");
    std::fs::write(&path, "姓名,性别,与户主关系\n张三,男,户主\n").expect("write");
    let err = import_persons(store.as_ref(), &path, &Mapping::default(), &Actor::system(), &|_| {}).await.expect_err("refused");
    use minzheng_domain::Bilingual;
    assert!(err.zh().contains("身份证号"), "{}", err.zh());
    assert_eq!(store.counts().await.expect("counts").persons, 0);
}

#[tokio::test]
async fn an_excel_sheet_with_a_merged_title_dates_and_numbers_is_read_as_a_clerk_means_it() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let (store, dir) = store_in("xlsx").await;
    let path = dir.0.join("花名册.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    sheet.merge_range(0, 0, 0, 5, "文欣社区居民花名册", &Format::new()).expect("merge");
    for (c, h) in ["姓名", "身份证号", "出生日期", "与户主关系", "社区代码", "联系电话"].iter().enumerate() {
        sheet.write_string(1, c as u16, *h).expect("header");
    }
    // Row 3: a date cell and the phone stored as a number.
    sheet.write_string(2, 0, "王建国").expect("w");
    sheet.write_string(2, 1, "11010519491231002X").expect("w");
    sheet.write_datetime_with_format(2, 2, ExcelDateTime::from_ymd(1949, 12, 31).expect("date"), &date_format).expect("w");
    sheet.write_string(2, 3, "户主").expect("w");
    sheet.write_string(2, 4, "210112009001").expect("w");
    sheet.write_number(2, 5, 13800000000.0).expect("w");
    // Row 4: the ID number typed as a number, rounded by Excel.
    sheet.write_string(3, 0, "王小刚").expect("w");
    sheet.write_number(3, 1, 210112197505010119.0).expect("w");
    sheet.write_string(3, 3, "儿子").expect("w");
    sheet.write_string(3, 4, "210112009001").expect("w");
    // Row 5: a birth date as a bare Excel serial number (27485 = 1975-04-01), contradicting the ID.
    sheet.write_string(4, 0, "王小红").expect("w");
    sheet.write_string(4, 1, "210112197505010119").expect("w");
    sheet.write_number(4, 2, 27485.0).expect("w");
    sheet.write_string(4, 3, "女儿").expect("w");
    sheet.write_string(4, 4, "210112009001").expect("w");
    book.save(&path).expect("save");

    let report = import_persons(store.as_ref(), &path, &Mapping::default(), &Actor::new("clerk"), &|_| {}).await.expect("import");
    assert_eq!(report.accepted, 1, "{:?}", report.rejected);
    let reasons: Vec<(usize, String)> = report.rejected.iter().map(|r| (r.row, r.reasons[0].to_string())).collect();
    assert_eq!(reasons.len(), 2);
    assert_eq!(reasons[0].0, 4);
    assert!(reasons[0].1.contains("Excel"), "{}", reasons[0].1);
    assert_eq!(reasons[1].0, 5);
    assert!(reasons[1].1.contains("1975-04-01"), "{}", reasons[1].1);
    let wang = store.person(&minzheng_domain::IdNumber::parse("11010519491231002X").expect("id")).await.expect("get").expect("stored");
    assert_eq!(wang.phone.as_deref(), Some("13800000000"));
}

#[tokio::test]
async fn members_join_stored_households_and_rows_of_unknown_households_are_refused() {
    let (store, dir) = store_in("joins").await;
    let first = dir.0.join("first.csv");
    std::fs::write(&first, format!("{HEADER}H1,王建国,11010519491231002X,女,,户主,210112009001,,,,\n")).expect("write");
    import_persons(store.as_ref(), &first, &Mapping::default(), &Actor::new("clerk"), &|_| {}).await.expect("import");
    // A later sheet without places: members of H1 join it, members of H9 (never registered) are refused.
    let later = dir.0.join("later.csv");
    std::fs::write(&later, "户号,姓名,身份证号,与户主关系,户籍地区划代码\nH1,王小刚,210112750501011,儿子,210112009001\nH9,周芳,110105194912310046,户主,210112009001\n").expect("write");
    let report = import_persons(store.as_ref(), &later, &Mapping::default(), &Actor::new("clerk"), &|_| {}).await.expect("import");
    assert_eq!(report.accepted, 1);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].row, 3, "the row of the refused person is named");
    assert!(report.rejected[0].reasons[0].to_string().contains("H9"));
    assert_eq!(store.household_members("H1").await.expect("members").len(), 2);
}

/// An export is a read of personal data like any other: a role without the permission or a
/// region outside the account's is refused (and the refusal audited); an export writes its audit
/// record (what, how many rows, which file) and holds only the account's region.
#[tokio::test]
async fn an_export_needs_the_permission_stays_in_the_region_and_is_audited() {
    use minzheng_app::export::{export, ExportError, What};
    use minzheng_app::registry::AccessError;
    use minzheng_domain::{Principal, Role};
    let (store, dir) = store_in("export").await;
    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(3_000, 11)).expect("city");
    write_city(&city, &dir.0.join("city"), Format::Csv).expect("write");
    import_persons(store.as_ref(), &dir.0.join("city/persons.csv"), &Mapping::default(), &Actor::new("importer"), &|_| {})
        .await
        .expect("import");
    let county = RegionCode::parse("210112").expect("浑南区");
    let approver = Principal { name: "hunnan".into(), role: Role::CountyApprover, region: county.clone() };
    let actor = Actor::new("hunnan");
    let out = dir.0.join("hunnan.csv");
    let rows = export(
        store.as_ref(),
        &minzheng_app::RequestContext::new(&approver, &actor, chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")),
        What::Persons,
        None,
        &out,
        Format::Csv,
        &|_| {},
    )
    .await
    .expect("export");
    let in_county = city
        .persons
        .iter()
        .filter(|p| {
            city.households.iter().any(|h| Some(&h.household_no) == p.household_no.as_ref() && h.community.as_str().starts_with("210112"))
        })
        .count();
    assert_eq!(rows, in_county, "the county's residents, no one else");
    let log = store.audit_of("registry", "210112").await.expect("audit");
    let exported = log.iter().find(|r| r.action == "export").expect("an export record");
    assert_eq!((exported.actor.as_str(), exported.after.as_ref().map(|a| a["rows"].clone())), ("hunnan", Some(serde_json::json!(rows))));
    // Another county: refused, and the refusal recorded.
    let outside = export(
        store.as_ref(),
        &minzheng_app::RequestContext::new(&approver, &actor, chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")),
        What::Persons,
        Some(RegionCode::parse("210102").expect("和平区")),
        &dir.0.join("x.csv"),
        Format::Csv,
        &|_| {},
    )
    .await;
    assert!(matches!(outside, Err(ExportError::Access(AccessError::OutOfScope))), "{outside:?}");
    assert!(store.audit_of("registry", "210102").await.expect("audit").iter().any(|r| r.action == "refused"));
    // A role that may not export.
    let auditor = Principal { name: "audit".into(), role: Role::Auditor, region: county.clone() };
    let refused = export(
        store.as_ref(),
        &minzheng_app::RequestContext::new(&auditor, &Actor::new("audit"), chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")),
        What::Households,
        None,
        &dir.0.join("y.csv"),
        Format::Csv,
        &|_| {},
    )
    .await;
    assert!(matches!(refused, Err(ExportError::Access(AccessError::Forbidden))), "{refused:?}");
}

/// A household marked 农村 in a community whose name says it is a 社区 (urban) is imported as
/// written, and the row is listed for staff to check: it decides which 低保 standard applies.
#[tokio::test]
async fn rural_in_an_urban_community_is_imported_as_written_and_questioned() {
    let (store, dir) = store_in("kind").await;
    let text = "户号,姓名,身份证号,与户主关系,社区代码,城乡属性\n\
                H1,王建国,11010519491231002X,户主,210112009001,农村\n\
                H2,李秀英,110105194912310038,户主,210112009001,城镇\n\
                H3,赵淑兰,110105194912310046,户主,210112009001,\n";
    let path = dir.0.join("persons.csv");
    std::fs::write(&path, text).expect("write");
    let report = import_persons(store.as_ref(), &path, &Mapping::default(), &Actor::new("clerk"), &|_| {}).await.expect("import runs");
    assert_eq!((report.accepted, report.rejected.len()), (3, 0), "{:?}", report.rejected);
    let rows: Vec<usize> = report.questioned.iter().map(|q| q.row).collect();
    assert_eq!(rows, [2], "only the row whose word contradicts the community's name");
    assert!(report.questioned[0].reasons[0].zh.contains("请核对"), "{:?}", report.questioned);
    let h1 = store.household("H1").await.expect("read").expect("stored");
    assert_eq!(h1.kind, minzheng_domain::HouseholdKind::Rural, "stored as written");
}
