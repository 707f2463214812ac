//! `minzheng demo`: the real region tree, a synthetic city and every sub-platform's example records, then the web UI.

#[allow(unused_imports)]
use super::*;

/// Stores the departmental data of a generated city, one batch per dataset, through the same
/// path as a file import (linking, items, records).
pub(super) async fn demo_economy(store: &dyn Store, city: &minzheng_synth::City, as_of: chrono::NaiveDate) -> Result<usize> {
    use sha2::Digest;
    let mut total = 0;
    for table in &city.datasets {
        let mut digest = sha2::Sha256::new();
        let rows: Vec<(usize, Vec<String>)> = table
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                digest.update(row.join("\u{1f}").as_bytes());
                (i + 2, row.clone())
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let headers: Vec<String> = table.headers.iter().map(|h| h.to_string()).collect();
        let checksum = hex::encode(digest.finalize());
        let Some(source) = minzheng_app::economy::catalogue().get(table.name) else {
            bail!("{}: not a registered source / 未登记的数据来源", table.name)
        };
        let r = minzheng_app::economy::ingest(
            store,
            minzheng_app::economy::DeptFile {
                source,
                file_name: &format!("{}（合成）", table.name),
                checksum: &checksum,
                headers: &headers,
                rows: &rows,
            },
            as_of,
            &Actor::new("demo"),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        total += r.rows;
    }
    Ok(total)
}

/// Stores the roster of a generated city through the roster import.
pub(super) async fn demo_roster(store: &dyn Store, city: &minzheng_synth::City, dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("enrolments.csv");
    minzheng_synth::files::write_table(&path, &city.roster.headers, &city.roster.rows, Format::Csv)?;
    let engine = minzheng_policy::Engine::new(config().policies().map_err(|e| anyhow::anyhow!(e.both()))?, 1).await?;
    let r =
        minzheng_app::enrolment::import_roster(store, &engine, &path, &Actor::new("demo")).await.map_err(|e| anyhow::anyhow!(e.both()))?;
    Ok(r.enrolments)
}

/// A few applications of 浑南区 文欣社区 households, some accepted in 和平区 (全市通办), so that
/// the demo accounts' queues have work: 低保 for household heads, 高龄补贴 for elders of 80 and
/// more. Applications the rules of acceptance refuse (already enrolled ...) are skipped.
pub(super) async fn demo_cases(store: &dyn Store) -> Result<usize> {
    use minzheng_app::cases::{accept, ensure_calendar, Application, Catalogue};
    use minzheng_domain::{Principal, Relation, Role};
    ensure_calendar(store, &Actor::new("demo")).await?;
    let catalogue = Catalogue::shenyang();
    let code = |c: &str| RegionCode::parse(c).map_err(|e| anyhow::anyhow!(e.to_string()));
    let home = Principal { name: "demo_community_worker".into(), role: Role::CommunityWorker, region: code("210112009001")? };
    let heping = Principal { name: "demo_heping_worker".into(), role: Role::CommunityWorker, region: code("210102001002")? };
    let today = minzheng_domain::calendar::today_in_beijing();
    let persons = store
        .search_persons(&minzheng_store::PersonQuery { region: Some(code("210112009001")?), limit: 500, ..Default::default() })
        .await?
        .items;
    let (mut dibao, mut gaoling, mut accepted) = (0, 0, 0);
    for (i, p) in persons.iter().enumerate() {
        let (service, documents) = if p.id_number.age_on(today) >= 80 && gaoling < 3 {
            gaoling += 1;
            ("apply_gaoling", vec!["application", "photo"])
        } else if p.relation == Relation::Head && p.id_number.age_on(today) < 60 && dibao < 3 {
            dibao += 1;
            ("apply_dibao", vec!["application", "asset_statement", "authorisation"])
        } else {
            continue;
        };
        let who = if i % 2 == 0 { &heping } else { &home };
        let app = Application {
            service: service.into(),
            applicant: p.id_number,
            documents: documents.into_iter().map(str::to_string).collect(),
            staff_relative: false,
            comment: "演示：申请人到社区窗口申请".into(),
        };
        if accept(
            store,
            &catalogue,
            &minzheng_app::RequestContext::new(who, &minzheng_app::registry::actor_of(who, None, None), today),
            &app,
        )
        .await
        .is_ok()
        {
            accepted += 1;
        }
    }
    Ok(accepted)
}

pub(super) async fn demo(config: &Config, persons: u64, seed: u64, bind: &str, no_serve: bool) -> Result<()> {
    // The one day the demo's records are made on (a demo run across midnight keeps it).
    let today = minzheng_domain::calendar::today_in_beijing();
    let store = open(&config.database_url()).await?;
    let counts = store.counts().await?;
    if counts.persons == 0 {
        let started = Instant::now();
        eprintln!("生成合成城市（沈阳市，{persons} 人）/ generating a synthetic Shenyang of {persons} persons ...");
        let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
        let batch = RegistryBatch {
            households: city.households,
            persons: city.persons,
            source: format!("synthetic city seed {seed}"),
            checksum: String::new(),
        };
        let pb = bar(batch.persons.len() as u64, "载入 load");
        store.apply_batch(&batch, &Actor::new("demo"), &|n| pb.set_position(n)).await?;
        pb.finish_and_clear();
        eprintln!(
            "已载入 {} 户 {} 人，用时 {:.1} 秒 / loaded",
            batch.households.len(),
            batch.persons.len(),
            started.elapsed().as_secs_f64()
        );
        let city = minzheng_synth::City { datasets: city.datasets, roster: city.roster, ..Default::default() };
        let as_of = minzheng_synth::Config::new(persons, seed).as_of;
        let rows = demo_economy(store.as_ref(), &city, as_of).await?;
        eprintln!("已载入部门数据 {rows} 行 / loaded {rows} rows of departmental data");
        let enrolments = demo_roster(store.as_ref(), &city, &config.data_dir()).await?;
        eprintln!("已载入在保名册 {enrolments} 户次 / loaded a roster of {enrolments} enrolments");
        let engine = minzheng_policy::Engine::new(config.policies().map_err(|e| anyhow::anyhow!(e.both()))?, 2).await?;
        minzheng_app::policy::ensure_parameters(store.as_ref(), &engine, &Actor::new("demo")).await?;
        let city_code = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let admin = minzheng_domain::Principal { name: "demo".into(), role: minzheng_domain::Role::CityAdmin, region: city_code.clone() };
        let c = minzheng_app::verify::compare_region(
            store.as_ref(),
            &engine,
            &minzheng_app::RequestContext::new(&admin, &Actor::new("demo"), today),
            &city_code,
            as_of,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        eprintln!("数据比对：疑点 {} 条，用时 {:.1} 秒 / comparison: {} findings in {:.1} s", c.added, c.seconds, c.added, c.seconds);
        let a = minzheng_app::verify::tag_absent(
            store.as_ref(),
            &minzheng_app::RequestContext::new(&admin, &Actor::new("demo"), today),
            &city_code,
            as_of,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        eprintln!("空挂户：标注 {} 人 / registered but absent: {} tagged", a.tagged, a.tagged);
        let tasks = minzheng_server::tasks::cli::load_demo(
            store.as_ref(),
            &minzheng_app::RequestContext::new(&cli_principal(config)?, &Actor::new("demo"), today),
        )
        .await
        .map_err(anyhow::Error::msg)?;
        eprintln!("重点工作推进表 / key tasks: {tasks}");
        let cases = demo_cases(store.as_ref()).await?;
        eprintln!("全市通办：受理申请 {cases} 件 / city-wide services: {cases} applications accepted");
        let care = minzheng_server::eldercare::demo::load(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("养老服务 / elderly care: {care}");
        let homecare = minzheng_server::eldercare::demo::load_homecare(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("居家养老服务 / home care: {homecare}");
        // After elderly care: the 特困 persons in concentrated support are paid to their home.
        let paid = minzheng_server::payments::demo::load(store.as_ref(), &engine, today).await.map_err(anyhow::Error::msg)?;
        eprintln!("资金发放 / payments: {paid}");
        let funeral = minzheng_server::funeral::demo::load(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("殡葬服务 / funeral: {funeral}");
        let orders = minzheng_server::grid::demo::load(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("网格工单 / work orders: {orders}");
        let marriage = minzheng_server::marriage::demo::load(store.as_ref(), &minzheng_app::cases::Catalogue::shenyang(), today)
            .await
            .map_err(anyhow::Error::msg)?;
        eprintln!("婚姻登记 / marriage registration: {marriage}");
        let orgs = minzheng_server::socialorg::demo::load(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("社会组织 / social organisations: {orgs}");
        let names = minzheng_server::placename::demo::load(store.as_ref(), today).await.map_err(anyhow::Error::msg)?;
        eprintln!("地名 / place names: {names}");
        // 动态监测: the first night's run over the city (the departmental files are in already).
        let m = minzheng_server::monitoring::service::run_region(
            store.as_ref(),
            &engine,
            &minzheng_app::RequestContext::new(&admin, &Actor::new("demo"), today),
            Some(&city_code),
            today,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.both()))?;
        eprintln!(
            "动态监测：{} 人，新增预警 {} 条，用时 {:.1} 秒 / monitoring: {} persons, {} warnings in {:.1} s",
            m.run.persons,
            m.run.raised,
            m.run.millis as f64 / 1000.0,
            m.run.persons,
            m.run.raised,
            m.run.millis as f64 / 1000.0
        );
    } else {
        eprintln!("使用已有数据 / using the existing data: {} persons in {} households", counts.persons, counts.households);
    }
    let accounts = demo_accounts(store.as_ref(), &config.data_dir()).await?;
    let sample = store
        .search_persons(&minzheng_store::PersonQuery { region: RegionCode::parse("210112").ok(), limit: 1, ..Default::default() })
        .await?;
    if no_serve {
        return Ok(());
    }
    println!("\n民政服务管理平台演示已启动 / Minzheng demo is running: http://{bind}/");
    println!("登录后试试（区县审批账号可看到全区）/ sign in, then try (demo_county_approver sees the whole county):");
    println!("  http://{bind}/residents?region=210112009001   浑南区 东湖街道 文欣社区的居民 / residents of a community");
    if let Some(p) = sample.items.first() {
        println!("  http://{bind}/api/persons/{}   按身份证号查询 / a person by ID number", p.id_number);
        if let Some(h) = &p.household_no {
            println!("  http://{bind}/households/{h}   户及成员 / a household");
            println!("  http://{bind}/households/{h}/check   资格核算及解释 / eligibility, explained");
        }
    }
    println!("  http://{bind}/policy   社会救助：普查、提标测算（区县审批、市级账号）/ sweeps and what-if (county approver, city admin)");
    println!("  http://{bind}/findings   数据比对疑点（核对、区县审批、街道账号）/ findings of the data comparison");
    println!("  http://{bind}/cases   全市通办：受理申请（社区账号）、各角色待办、即将到期和超期 / cases: accept (community), each role's queue, due and overdue");
    println!(
        "  http://{bind}/tasks   重点工作推进表（市级、区县、街道、审计账号）/ the key-task progress table (city, county, street, auditor)"
    );
    println!("  http://{bind}/statistics   社会救助月报：城乡低保、特困、孤儿、临时救助、资金支出、标准，环比同比，关账与更正，数字溯源（区县审批、市级账号）/ the monthly report: figures, comparisons, closing and corrections, the people behind each figure (county approver, city admin)");
    println!("  http://{bind}/payments   资金发放：花名册审核、锁定、银行文件和回盘（区县审批账号）/ payment lists: approve, lock, bank files and returns (county approver)");
    println!("  http://{bind}/eldercare   养老服务：机构备案、入住、能力评估和指标（区县审批、社区账号）/ elderly care: institutions, residents, ability assessments, indicators (county approver, community)");
    println!("  http://{bind}/eldercare/homecare   政府购买居家养老服务：服务工单、服务记录、回访核验、月度结算（区县审批；社区回访）/ purchased home care: orders, visits, verification, monthly settlement (county approver; community verifies)");
    println!("  http://{bind}/socialorgs   社会组织：成立登记、变更注销、年度报告、评估、信用名录（区县审批、市级账号）/ social organisations: registration, changes, reports, ratings, credit lists (county approver, city admin)");
    println!("  http://{bind}/public/socialorgs?q=书法   社会组织公开查询（无需登录）/ the public register (no sign-in)");
    println!("  http://{bind}/placenames   地名：命名更名申报、专家论证、征求意见、批准、备案公告（区县审批账号）/ place names: applications, review, consultation, approval, filing and announcement (county approver)");
    println!("  http://{bind}/marriage   婚姻登记：结婚登记、协议离婚冷静期和发证、不予登记、统计（区县审批账号）/ marriage registration: marriages, divorce by agreement with its cooling-off period, refusals, figures (county approver)");
    println!("  http://{bind}/funeral   殡葬服务：死亡登记（社区、区县）、火化登记和惠民殡葬减免、火化率（区县审批）/ funeral: deaths (community, county), cremations with their relief, cremation rates (county approver)");
    println!("  http://{bind}/api/regions/2101   沈阳市区划树 / the region tree");
    println!("\n演示账号（每个角色一个）/ demo accounts, one per role:");
    for line in &accounts {
        println!("  {line}");
    }
    println!("  http://{bind}/api/openapi.json   API 文档 / the API document");
    serve(store, config, bind).await
}

/// One account per role in 浑南区 东湖街道 文欣社区 and above, created on the demo's first start
/// with random passwords, which are kept in `demo-accounts.txt` (readable by the owner only).
pub(super) async fn demo_accounts(store: &dyn Store, dir: &Path) -> Result<Vec<String>> {
    use minzheng_domain::Role;
    let file = dir.join("demo-accounts.txt");
    if let Ok(text) = std::fs::read_to_string(&file) {
        return Ok(text.lines().map(str::to_string).collect());
    }
    let mut lines = Vec::new();
    for (role, region, person) in [
        (Role::CommunityWorker, "210112009001", "李娜"),
        (Role::GridWorker, "210112009001", "张伟"),
        (Role::StreetReviewer, "210112009", "王芳"),
        (Role::CountyApprover, "210112", "刘洋"),
        (Role::VerificationOfficer, "210112", "陈静"),
        (Role::CityAdmin, "2101", "赵强"),
        (Role::Auditor, "210112", "孙丽"),
    ] {
        let name = format!("demo_{}", role.as_str());
        let password = minzheng_app::auth::generate_password();
        let region = RegionCode::parse(region).map_err(|e| anyhow::anyhow!(e.both()))?;
        match minzheng_app::auth::create_account(store, None, &Actor::new("demo"), &name, role, &region, &password).await {
            Ok(()) => {
                minzheng_app::auth::name_account(store, &Actor::new("demo"), &name, person).await.map_err(|e| anyhow::anyhow!(e.both()))?;
                lines.push(format!("{name:<30} {password}   {person}，{}（{region}）", role.zh()))
            }
            Err(minzheng_app::auth::AuthError::Exists(_)) => {
                lines.push(format!("{name:<30} (已存在 / exists)   {}（{region}）", role.zh()))
            }
            Err(e) => bail!(e.both()),
        }
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(&file, lines.join("\n") + "\n")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(lines)
}
