//! The storage contract: every story runs on SQLite, and on PostgreSQL when
//! `MINZHENG_TEST_DATABASE_URL` is set (each test gets a database of its own).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use chrono::NaiveDate;
use minzheng_domain::{
    Disability, DisabilityCategory, Household, HouseholdKind, IdNumber, Person, PersonStatus, Region, RegionCode, RegionLevel, Relation,
    Sex,
};
use minzheng_store::{Actor, Backend, HouseholdQuery, Paging, PersonQuery, RegistryBatch};

/// A fresh, migrated store for one test on each configured backend (`minzheng_testkit`), with
/// where it lives, to tamper with it behind its back.
struct Fresh(minzheng_testkit::TestStore);

impl std::ops::Deref for Fresh {
    type Target = minzheng_testkit::TestStore;
    fn deref(&self) -> &minzheng_testkit::TestStore {
        &self.0
    }
}

async fn fresh_stores() -> Vec<Fresh> {
    minzheng_testkit::each_database("contract").await.into_iter().map(Fresh).collect()
}

impl Fresh {
    /// Runs SQL on the store's database directly, as an intruder with database access would.
    async fn tamper(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        if let Some(path) = self.url.strip_prefix("sqlite://") {
            let raw = minzheng_store::SqliteStore::open(std::path::Path::new(path)).await.expect("open");
            sqlx::query(sql).execute(raw.pool()).await.expect("tamper");
        } else {
            let raw = minzheng_store::PgStore::connect(&self.url).await.expect("connect");
            sqlx::query(sql).execute(raw.pool()).await.expect("tamper");
        }
    }

    async fn done(self) {
        self.0.done().await;
    }
}

use minzheng_testkit::code;

fn region(c: &str, name: &str) -> Region {
    let code = code(c);
    Region { level: code.level(), parent: code.parent(), code, name: name.into() }
}

/// A slice of the real tree: 沈阳市, 和平区 and 浑南区 with a street and two communities each.
fn regions() -> Vec<Region> {
    vec![
        region("21", "辽宁省"),
        region("2101", "沈阳市"),
        region("210102", "和平区"),
        region("210102001", "浑河湾街道"),
        region("210102001001", "浑河湾社区"),
        region("210102001002", "长白社区"),
        region("210112", "浑南区"),
        region("210112009", "东湖街道"),
        region("210112009001", "东湖社区"),
        region("210112009002", "王家湾社区"),
    ]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn person(seq: u16, name: &str, birth: NaiveDate, sex: Sex, household: &str, relation: Relation) -> Person {
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
}

fn household(no: &str, community: &str, head: &Person) -> Household {
    Household {
        household_no: no.into(),
        head: Some(head.id_number),
        address: format!("{no}号"),
        community: code(community),
        grid: Some("第1网格".into()),
        building: Some("3号楼".into()),
        kind: HouseholdKind::Urban,
    }
}

/// Two households: a couple with a child in 浑南区 东湖社区, a single elder in 和平区.
fn small_city() -> RegistryBatch {
    let mut wang = person(11, "王建国", date(1970, 3, 1), Sex::Male, "H001", Relation::Head);
    wang.tags = vec!["党员".into()];
    let li = person(22, "李秀英", date(1972, 6, 9), Sex::Female, "H001", Relation::Spouse);
    let child = person(33, "王小明", date(2012, 1, 5), Sex::Male, "H001", Relation::Child);
    let mut zhao = person(45, "赵淑兰", date(1940, 12, 31), Sex::Female, "H002", Relation::Head);
    zhao.tags = vec!["独居老人".into(), "党员".into()];
    zhao.disability = Some(Disability { category: DisabilityCategory::Physical, grade: 2 });
    zhao.phone = Some("13800000000".into());
    RegistryBatch {
        households: vec![household("H001", "210112009001", &wang), household("H002", "210102001002", &zhao)],
        persons: vec![wang, li, child, zhao],
        source: "persons.csv".into(),
        checksum: "abc".into(),
    }
}

fn actor() -> Actor {
    Actor::new("tester")
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    for f in fresh_stores().await {
        f.store.migrate().await.expect("second migration is a no-op");
        assert_eq!(f.store.counts().await.expect("counts").persons, 0);
        f.done().await;
    }
}

#[tokio::test]
async fn the_region_tree_is_loaded_once_and_browsed_by_parent() {
    for f in fresh_stores().await {
        let s = &f.store;
        assert_eq!(s.load_regions(&regions(), &actor()).await.expect("load"), 10);
        assert_eq!(s.load_regions(&regions(), &actor()).await.expect("reload"), 0, "already loaded");
        let counties = s.region_children(&code("2101")).await.expect("children");
        assert_eq!(counties.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["和平区", "浑南区"]);
        let hunnan = s.region(&code("210112")).await.expect("get").expect("exists");
        assert_eq!(hunnan.level, RegionLevel::County);
        assert_eq!(hunnan.parent, Some(code("2101")));
        let communities = s.regions_within(&code("2101"), RegionLevel::Community).await.expect("within");
        assert_eq!(communities.len(), 4);
        let in_hunnan = s.regions_within(&code("210112"), RegionLevel::Community).await.expect("within");
        assert_eq!(in_hunnan.len(), 2);
        assert!(s.region(&code("210199")).await.expect("get").is_none());
        let audit = s.audit_of("regions", "*").await.expect("audit");
        assert_eq!(audit.len(), 1, "one load, one audit record");
        f.done().await;
    }
}

#[tokio::test]
async fn an_imported_batch_can_be_read_back_whole() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let batch = small_city();
        let out = s.apply_batch(&batch, &actor(), &|_| {}).await.expect("apply");
        assert_eq!((out.households_inserted, out.persons_inserted), (2, 4));
        for p in &batch.persons {
            assert_eq!(s.person(&p.id_number).await.expect("get").as_ref(), Some(p), "{:?}", s.backend());
        }
        // The linkage's light read: names of the registered numbers only.
        let nobody = IdNumber::parse("11010519491231002X").expect("id");
        let mut ids: Vec<IdNumber> = batch.persons.iter().map(|p| p.id_number).collect();
        ids.push(nobody);
        let mut names = s.person_names(&ids).await.expect("names");
        names.sort();
        let mut want: Vec<(IdNumber, String)> = batch.persons.iter().map(|p| (p.id_number, p.name.clone())).collect();
        want.sort();
        assert_eq!(names, want);
        let h = s.household("H002").await.expect("get").expect("exists");
        assert_eq!(h, batch.households[1]);
        let members = s.household_members("H001").await.expect("members");
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].relation, Relation::Head, "the head comes first");
        let c = s.counts().await.expect("counts");
        assert_eq!((c.households, c.persons, c.grids, c.buildings), (2, 4, 2, 2));
        f.done().await;
    }
}

#[tokio::test]
async fn residents_are_found_by_region_name_and_tag() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        s.apply_batch(&small_city(), &actor(), &|_| {}).await.expect("apply");
        let q = |region: Option<&str>, name: Option<&str>, tag: Option<&str>| PersonQuery {
            region: region.map(code),
            name: name.map(str::to_string),
            tag: tag.map(str::to_string),
            after: None,
            limit: 50,
        };
        let names = |p: minzheng_store::Page<Person>| p.items.into_iter().map(|p| p.name).collect::<Vec<_>>();
        let mut hunnan = names(s.search_persons(&q(Some("210112"), None, None)).await.expect("search"));
        hunnan.sort();
        assert_eq!(hunnan, ["李秀英", "王小明", "王建国"]);
        assert_eq!(names(s.search_persons(&q(Some("210102001002"), None, None)).await.expect("s")), ["赵淑兰"]);
        assert_eq!(names(s.search_persons(&q(Some("2101"), Some("王"), None)).await.expect("s")), ["王小明", "王建国"]);
        let mut members = names(s.search_persons(&q(None, None, Some("党员"))).await.expect("s"));
        members.sort();
        assert_eq!(members, ["王建国", "赵淑兰"]);
        assert_eq!(names(s.search_persons(&q(Some("210112"), None, Some("独居老人"))).await.expect("s")).len(), 0);
        let households =
            s.search_households(&HouseholdQuery { region: Some(code("210102")), after: None, limit: 10 }).await.expect("households");
        assert_eq!(households.items.len(), 1);
        assert_eq!(s.grids(&code("210112009001")).await.expect("grids"), ["第1网格"]);
        let by_county = s.count_persons_by(&code("2101"), 6).await.expect("counts");
        assert_eq!(by_county, [("210102".to_string(), 1), ("210112".to_string(), 3)]);
        f.done().await;
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let head = person(1, "张一", date(1950, 1, 1), Sex::Male, "H100", Relation::Head);
        let mut batch = RegistryBatch {
            households: vec![household("H100", "210112009002", &head)],
            persons: vec![],
            source: "t".into(),
            checksum: "t".into(),
        };
        for i in 0..53u16 {
            let mut p =
                person(i * 2 + 1, "张三", date(1950 + i32::from(i % 40), 1 + u32::from(i % 12), 1), Sex::Male, "H100", Relation::Other);
            if i == 0 {
                p = head.clone();
            }
            batch.persons.push(p);
        }
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("apply");
        for name in [None, Some("张".to_string())] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .search_persons(&PersonQuery {
                        region: Some(code("210112")),
                        name: name.clone(),
                        tag: None,
                        after: after.clone(),
                        limit: 10,
                    })
                    .await
                    .expect("page");
                assert!(page.items.len() <= 10);
                seen.extend(page.items.into_iter().map(|p| p.id_number));
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(seen.len(), 53, "{name:?}");
            assert_eq!(unique.len(), 53, "{name:?}");
        }
        // The bulk scan (for policy snapshots): everyone once, in ID number order, page by page.
        let mut scanned = Vec::new();
        let mut after = None;
        loop {
            let page = s.scan_persons(after.as_ref(), 7).await.expect("scan");
            let Some(last) = page.last() else { break };
            after = Some(last.id_number);
            scanned.extend(page.into_iter().map(|p| p.id_number));
        }
        let mut sorted = scanned.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(scanned, sorted, "in order, no repeats");
        assert_eq!(scanned.len(), 53);
        f.done().await;
    }
}

#[tokio::test]
async fn importing_the_same_batch_again_changes_nothing_and_a_change_is_audited() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let batch = small_city();
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("first");
        let again = s.apply_batch(&batch, &actor(), &|_| {}).await.expect("second");
        assert_eq!((again.persons_inserted, again.persons_updated, again.persons_unchanged), (0, 0, 4));
        assert_eq!(again.households_updated, 0);

        let mut changed = small_city();
        changed.persons[3].status = PersonStatus::Deceased(Some(date(2026, 5, 1)));
        changed.persons[3].phone = None;
        let out = s.apply_batch(&changed, &actor(), &|_| {}).await.expect("third");
        assert_eq!((out.persons_updated, out.persons_unchanged), (1, 3));
        let zhao = &changed.persons[3];
        assert_eq!(s.person(&zhao.id_number).await.expect("get").as_ref(), Some(zhao));
        let audit = s.audit_of("person", zhao.id_number.as_str()).await.expect("audit");
        assert_eq!(audit.len(), 1);
        let record = &audit[0];
        assert_eq!(record.actor, "tester");
        assert_eq!(record.before.as_ref().and_then(|b| b["phone"].as_str()), Some("13800000000"));
        assert_eq!(record.after.as_ref().map(|a| a["status"]["status"].clone()), Some(serde_json::json!("deceased")));
        let batches = s.audit_of("registry", "persons.csv").await.expect("batch audit");
        assert_eq!(batches.len(), 3, "every batch leaves its own record");
        f.done().await;
    }
}

#[tokio::test]
async fn a_batch_that_fails_leaves_nothing_behind() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let mut batch = small_city();
        // A community that does not exist violates the foreign key: the whole batch is refused.
        batch.households[1].community = code("210112009999");
        assert!(s.apply_batch(&batch, &actor(), &|_| {}).await.is_err());
        let c = s.counts().await.expect("counts");
        assert_eq!((c.households, c.persons), (0, 0), "{:?}", s.backend());
        f.done().await;
    }
}

#[tokio::test]
async fn persons_joining_a_stored_household_take_its_community() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        s.apply_batch(&small_city(), &actor(), &|_| {}).await.expect("apply");
        let newborn = person(57, "王小红", date(2026, 2, 1), Sex::Female, "H001", Relation::Child);
        let batch = RegistryBatch { households: vec![], persons: vec![newborn.clone()], source: "births.csv".into(), checksum: "x".into() };
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("apply");
        let found = s
            .search_persons(&PersonQuery {
                region: Some(code("210112009001")),
                name: Some("王小红".into()),
                tag: None,
                after: None,
                limit: 5,
            })
            .await
            .expect("search");
        assert_eq!(found.items, vec![newborn]);
        assert!(matches!(s.backend(), Backend::Sqlite | Backend::Postgres));
        f.done().await;
    }
}

#[tokio::test]
async fn a_person_is_read_with_the_community_of_the_household_they_live_in() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let city = small_city();
        s.apply_batch(&city, &actor(), &|_| {}).await.expect("apply");
        let li = city.persons[1].clone();
        let (read, placed) = s.person_placed(&li.id_number).await.expect("read").expect("stored");
        assert_eq!((read, placed), (li.clone(), Some(code("210112009001"))), "{:?}", s.backend());
        // The household moves to the next community; its members are not in the batch.
        let mut moved = city.households[0].clone();
        moved.community = code("210112009002");
        let batch = RegistryBatch { households: vec![moved], persons: vec![], source: "move.csv".into(), checksum: "m".into() };
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("move");
        let (_, placed) = s.person_placed(&li.id_number).await.expect("read").expect("stored");
        assert_eq!(placed, Some(code("210112009002")), "the household's row decides");
        let there = s
            .search_persons(&PersonQuery { region: Some(code("210112009002")), name: None, tag: None, after: None, limit: 10 })
            .await
            .expect("search");
        assert_eq!(there.items.len(), 3, "the members are found in the household's new community ({:?})", s.backend());
        let counted = |region: &str, name: Option<&str>| PersonQuery {
            region: Some(code(region)),
            name: name.map(str::to_string),
            tag: None,
            after: None,
            limit: 1,
        };
        assert_eq!(s.count_persons(&counted("210112009002", None)).await.expect("count"), 3, "counted as listed");
        let first_name = there.items[0].name.clone();
        let same_name = there.items.iter().filter(|p| p.name.starts_with(&first_name)).count() as u64;
        assert_eq!(s.count_persons(&counted("210112009002", Some(&first_name))).await.expect("count"), same_name);
        // Someone without a household is placed nowhere (the hukou then decides).
        let mut lodger = person(68, "孙立", date(1990, 4, 4), Sex::Male, "H001", Relation::Other);
        lodger.household_no = None;
        let batch = RegistryBatch { households: vec![], persons: vec![lodger.clone()], source: "lodger.csv".into(), checksum: "l".into() };
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("lodger");
        assert_eq!(s.person_placed(&lodger.id_number).await.expect("read"), Some((lodger, None)));
        assert_eq!(
            s.person_placed(&person(79, "无", date(1990, 1, 1), Sex::Male, "H001", Relation::Head).id_number).await.expect("read"),
            None
        );
        f.done().await;
    }
}

/// The shipped region tree.
fn real_regions() -> Vec<Region> {
    minzheng_domain::region::tree::liaoning()
}

// On a runtime of several threads, as the command line runs: PostgreSQL's COPY data is then made
// on a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_import_of_a_whole_city_takes_the_bulk_path_and_keeps_every_rule() {
    let regions = real_regions();
    let city = minzheng_synth::generate(&regions, &minzheng_synth::Config::new(60_000, 11)).expect("city");
    let batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "city.csv".into(),
        checksum: "c".into(),
    };
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions, &actor()).await.expect("regions");
        let seen = std::sync::atomic::AtomicU64::new(0);
        let out = s.apply_batch(&batch, &actor(), &|n| seen.store(n, std::sync::atomic::Ordering::Relaxed)).await.expect("bulk load");
        assert_eq!(out.persons_inserted as usize, city.persons.len());
        assert_eq!(seen.into_inner() as usize, city.persons.len(), "progress reaches every person");
        assert_eq!(out.households_inserted as usize, city.households.len());
        let c = s.counts().await.expect("counts");
        assert_eq!(c.persons as usize, city.persons.len());
        assert!(c.grids > 0 && c.buildings > 0);
        // The indexes are back: searches by name, region and tag answer as before.
        let p = &city.persons[1234];
        let community =
            city.households.iter().find(|h| Some(&h.household_no) == p.household_no.as_ref()).expect("household").community.clone();
        let by_name = s
            .search_persons(&PersonQuery {
                region: Some(community.clone()),
                name: Some(p.name.clone()),
                tag: None,
                after: None,
                limit: 100,
            })
            .await
            .expect("search");
        assert!(by_name.items.contains(p), "{:?}", s.backend());
        let tagged = s
            .search_persons(&PersonQuery { region: None, name: None, tag: Some("独居老人".into()), after: None, limit: 5 })
            .await
            .expect("tag");
        assert_eq!(tagged.items.len(), 5);
        assert!(!s.grids(&community).await.expect("grids").is_empty());
        if f.pg.is_some() {
            // PostgreSQL's planner has the loaded tables' statistics (it guessed without them).
            let raw = minzheng_store::PgStore::connect(&f.url).await.expect("connect");
            let analysed: i64 =
                sqlx::query_scalar("SELECT count(DISTINCT tablename) FROM pg_stats WHERE tablename IN ('households', 'persons')")
                    .fetch_one(raw.pool())
                    .await
                    .expect("pg_stats");
            assert_eq!(analysed, 2, "statistics after a bulk load");
        }

        // A second whole-city batch with one change: upserted, the change audited.
        let mut again = batch.clone();
        again.persons[7].phone = Some("02412345678".into());
        let out = s.apply_batch(&again, &actor(), &|_| {}).await.expect("second load");
        assert_eq!((out.persons_inserted, out.persons_updated), (0, 1));
        assert_eq!(s.audit_of("person", again.persons[7].id_number.as_str()).await.expect("audit").len(), 1);

        // The foreign keys are back too: a person of an unknown household is refused.
        let mut stray = person(3, "无户人", date(1980, 1, 1), Sex::Male, "NO-SUCH-HOUSEHOLD", Relation::Head);
        stray.hukou_region = code("210112009001");
        let refused = RegistryBatch { households: vec![], persons: vec![stray], source: "s".into(), checksum: "s".into() };
        assert!(s.apply_batch(&refused, &actor(), &|_| {}).await.is_err(), "{:?}", s.backend());
        f.done().await;
    }
}

#[tokio::test]
async fn the_audit_log_is_a_chain_that_shows_edits_and_removals() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        s.apply_batch(&small_city(), &actor(), &|_| {}).await.expect("batch");
        let mut changed = small_city();
        changed.persons[0].phone = Some("13912345678".into());
        changed.persons[1].phone = Some("13912345679".into());
        s.apply_batch(&changed, &actor(), &|_| {}).await.expect("batch");
        let reader = Actor {
            name: "caseworker".into(),
            role: Some("community_worker".into()),
            region: Some("210112009001".into()),
            request_id: Some("r-1".into()),
            client: Some("127.0.0.1".into()),
        };
        let read = minzheng_store::AuditEntry {
            action: "read".into(),
            entity: "person".into(),
            entity_key: changed.persons[0].id_number.to_string(),
            before: None,
            after: None,
        };
        s.audit(&reader, &[read]).await.expect("audit a read");
        let v = minzheng_store::verify_audit(s.as_ref()).await.expect("verify");
        assert_eq!(v.first_broken, None, "{:?}", s.backend());
        assert_eq!(v.records, s.counts().await.expect("counts").audit_records);
        assert!(v.records >= 6);
        let last = s.audit_recent(1).await.expect("recent");
        assert_eq!((last[0].role.as_deref(), last[0].request_id.as_deref()), (Some("community_worker"), Some("r-1")));

        // Someone edits record 3 behind the application's back.
        f.tamper("UPDATE audit_log SET actor = 'nobody' WHERE id = 3").await;
        let v = minzheng_store::verify_audit(s.as_ref()).await.expect("verify");
        assert_eq!(v.first_broken.map(|b| b.0), Some(3), "{:?}", s.backend());
        f.tamper("UPDATE audit_log SET actor = 'tester' WHERE id = 3").await;
        assert_eq!(minzheng_store::verify_audit(s.as_ref()).await.expect("verify").first_broken, None);

        // Someone removes record 4: the chain breaks at the record after it.
        f.tamper("DELETE FROM audit_log WHERE id = 4").await;
        let v = minzheng_store::verify_audit(s.as_ref()).await.expect("verify");
        assert_eq!(v.first_broken.map(|b| b.0), Some(5), "{:?}", s.backend());

        // Clearing every hash does not turn the log into "records from before the chain".
        f.tamper("UPDATE audit_log SET hash = NULL, prev_hash = NULL").await;
        let v = minzheng_store::verify_audit(s.as_ref()).await.expect("verify");
        assert_eq!(v.first_broken.map(|b| b.0), Some(1), "{:?}", s.backend());
        f.done().await;
    }
}

#[tokio::test]
async fn accounts_and_sessions_are_kept_and_ended() {
    use chrono::{Duration, Utc};
    use minzheng_store::{Session, StoreError};
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let account = account("wang", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
        s.create_account(&account, &actor()).await.expect("create");
        assert!(matches!(s.create_account(&account, &actor()).await, Err(StoreError::Conflict(_))), "names are unique");
        assert_eq!(s.account("wang").await.expect("get"), Some(account.clone()));
        let audit = s.audit_of("account", "wang").await.expect("audit");
        assert_eq!(audit.len(), 1);
        assert!(!audit[0].after.as_ref().map(|a| a.to_string()).unwrap_or_default().contains("argon2"), "no hash in the audit log");
        // The person behind the account, for pages and letters (audited).
        assert!(s.display_names().await.expect("names").is_empty());
        assert!(s.set_display_name(&account.name, "王芳", &actor()).await.expect("name"));
        assert!(!s.set_display_name("nobody", "某某", &actor()).await.expect("no such account"));
        assert_eq!(s.display_names().await.expect("names"), vec![(account.name.clone(), "王芳".to_string())]);
        assert!(s.audit_of("account", &account.name).await.expect("audit").iter().any(|r| r.action == "set_display_name"));
        let within = s.accounts_within(&account.region, &[account.role.as_str()]).await.expect("within");
        assert!(s.accounts_within(&account.region, &["auditor_of_nothing"]).await.expect("other roles").is_empty());
        assert!(within.iter().any(|(n, _, r)| n == &account.name && r == account.region.as_str()), "{within:?}");
        assert!(s.accounts_within(&RegionCode::parse("2102").expect("dalian"), &[account.role.as_str()]).await.expect("none").is_empty());

        let until = chain_now() + Duration::minutes(15);
        s.set_login_state("wang", 5, Some(until)).await.expect("lock");
        let locked = s.account("wang").await.expect("get").expect("exists");
        assert_eq!((locked.failed_logins, locked.locked_until), (5, Some(until)));

        let session = Session {
            token_hash: "t1".into(),
            user_name: "wang".into(),
            csrf_token: "c1".into(),
            created_at: chain_now(),
            expires_at: chain_now() + Duration::hours(8),
        };
        s.create_session(&session).await.expect("session");
        assert_eq!(s.session("t1").await.expect("get"), Some(session.clone()));
        s.delete_session("t1").await.expect("logout");
        assert_eq!(s.session("t1").await.expect("get"), None);

        // A new password clears the lockout and ends every session.
        s.create_session(&Session { token_hash: "t2".into(), ..session.clone() }).await.expect("session");
        s.set_password("wang", "$argon2id$new", &actor()).await.expect("password");
        let after = s.account("wang").await.expect("get").expect("exists");
        assert_eq!((after.failed_logins, after.locked_until, after.password_hash.as_str()), (0, None, "$argon2id$new"));
        assert_eq!(s.session("t2").await.expect("get"), None);
        assert!(matches!(s.set_password("nobody", "x", &actor()).await, Err(StoreError::NotFound(_))));
        let _ = Utc::now();
        f.done().await;
    }
}

/// A community worker's account as stored, with its password hash.
fn account(name: &str, password_hash: &str) -> minzheng_store::Account {
    minzheng_store::Account {
        name: name.into(),
        password_hash: password_hash.into(),
        role: "community_worker".into(),
        region: code("210112009001"),
        failed_logins: 0,
        locked_until: None,
    }
}

fn chain_now() -> chrono::DateTime<chrono::Utc> {
    minzheng_store::chain::now()
}

#[tokio::test]
async fn auditors_search_the_log_by_account_entity_and_region() {
    use minzheng_store::{AuditEntry, AuditQuery};
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let worker = |name: &str, region: &str| Actor {
            name: name.into(),
            role: Some("community_worker".into()),
            region: Some(region.into()),
            ..Default::default()
        };
        let read =
            |key: &str| AuditEntry { action: "read".into(), entity: "person".into(), entity_key: key.into(), before: None, after: None };
        s.audit(&worker("hunnan", "210112009001"), &[read("A"), read("B")]).await.expect("audit");
        s.audit(&worker("heping", "210102001002"), &[read("C")]).await.expect("audit");
        let keys = |p: minzheng_store::Page<minzheng_store::AuditRecord>| p.items.into_iter().map(|r| r.entity_key).collect::<Vec<_>>();
        let q = AuditQuery { region: Some(code("210112")), limit: 10, ..Default::default() };
        assert_eq!(keys(s.audit_search(&q).await.expect("search")), ["B", "A"], "newest first, only 浑南区's accounts");
        let later = AuditQuery { from: Some(chrono::Utc::now() + chrono::Duration::hours(1)), limit: 10, ..Default::default() };
        assert!(s.audit_search(&later).await.expect("search").items.is_empty(), "nothing made after now");
        let earlier = AuditQuery { until: Some(chrono::Utc::now() - chrono::Duration::days(1)), limit: 10, ..Default::default() };
        assert!(s.audit_search(&earlier).await.expect("search").items.is_empty(), "nothing made before yesterday");
        let today = AuditQuery { from: Some(chrono::Utc::now() - chrono::Duration::hours(1)), limit: 10, ..Default::default() };
        assert!(!s.audit_search(&today).await.expect("search").items.is_empty(), "the records made this hour");
        let q = AuditQuery { actor: Some("heping".into()), limit: 10, ..Default::default() };
        assert_eq!(keys(s.audit_search(&q).await.expect("search")), ["C"]);
        let q = AuditQuery { region: Some(code("2101")), include_unbound: true, limit: 2, ..Default::default() };
        let first = s.audit_search(&q).await.expect("search");
        assert_eq!(first.items.len(), 2);
        let rest =
            s.audit_search(&AuditQuery { before: first.next.as_deref().and_then(|n| n.parse().ok()), ..q.clone() }).await.expect("page 2");
        assert_eq!(rest.items.len(), 2, "three reads and the region load");
        assert!(rest.next.is_none());
        f.done().await;
    }
}

#[tokio::test]
async fn parameter_changes_are_kept_in_order_with_who_and_why_and_audited() {
    for f in fresh_stores().await {
        let s = &f.store;
        let record = |region: &str, area: Option<HouseholdKind>, from: &str, value: i64, reason: &str| minzheng_store::ParameterRecord {
            name: "dibao_standard".into(),
            region: region.into(),
            area,
            effective_from: from.parse().expect("date"),
            value,
            reason: reason.into(),
            recorded_by: String::new(),
            recorded_at: chrono::DateTime::default(),
            seq: 0,
        };
        assert!(s.parameter_records().await.expect("read").is_empty());
        let first = s
            .add_parameter_records(
                &[
                    record("2101", Some(HouseholdKind::Urban), "2025-01-01", 79810, "示例"),
                    record("2101", None, "2025-01-01", 59390, "示例"),
                ],
                &Actor::system(),
            )
            .await
            .expect("add");
        assert_eq!(first.len(), 2);
        assert!(first[0].seq < first[1].seq);
        let policy_staff = Actor::new("city.policy");
        s.add_parameter_records(&[record("210112", Some(HouseholdKind::Urban), "2026-07-01", 86000, "浑南区政府令 2026-3")], &policy_staff)
            .await
            .expect("change");
        let all = s.parameter_records().await.expect("read");
        assert_eq!(all.len(), 3);
        let last = &all[2];
        assert_eq!(
            (last.region.as_str(), last.area, last.value, last.recorded_by.as_str()),
            ("210112", Some(HouseholdKind::Urban), 86000, "city.policy")
        );
        assert_eq!(last.effective_from, NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"));
        assert_eq!(all[1].area, None);
        let audit = s.audit_of("parameter", "dibao_standard@210112/urban/2026-07-01").await.expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "city.policy");
        f.done().await;
    }
}

/// A fact staff establish about a person (the supporters elsewhere a home survey found): the
/// newest by its date is held, an older one changes nothing, each is audited with what was held.
#[tokio::test]
async fn a_persons_fact_keeps_its_newest_value_and_each_recording_is_audited() {
    use minzheng_domain::PersonFact;
    for f in fresh_stores().await {
        let s = &f.store;
        let id = IdNumber::parse("11010519491231002X").expect("id");
        let staff = Actor::new("community.worker");
        let fact = |value: i64, since: (i32, u32, u32)| PersonFact {
            id_number: id,
            fact: PersonFact::ABLE_SUPPORTERS_ELSEWHERE.into(),
            value,
            since: NaiveDate::from_ymd_opt(since.0, since.1, since.2).expect("date"),
            source: "入户调查".into(),
        };
        assert!(s.record_person_fact(&fact(1, (2026, 8, 1)), &staff).await.expect("recorded"));
        assert!(!s.record_person_fact(&fact(0, (2026, 7, 1)), &staff).await.expect("older"));
        let held = s.person_facts(PersonFact::ABLE_SUPPORTERS_ELSEWHERE, Some(&[id])).await.expect("facts");
        assert_eq!(held.iter().map(|f| (f.value, f.since)).collect::<Vec<_>>(), [(1, NaiveDate::from_ymd_opt(2026, 8, 1).expect("date"))]);
        let audit = s.audit_of("person", id.as_str()).await.expect("audit");
        let older = audit.iter().find(|a| a.action == "fact_older").expect("the older one audited");
        assert_eq!(older.before.as_ref().map(|b| b["value"].clone()), Some(serde_json::json!(1)));
        assert!(audit.iter().any(|a| a.action == "fact" && a.before.is_none()));
        f.done().await;
    }
}

#[tokio::test]
async fn a_departmental_file_is_stored_once_with_its_items_and_provenance() {
    use minzheng_domain::economy::{DeptRecord, EconomicItem, ItemKind, LinkKind};
    for f in fresh_stores().await {
        let s = &f.store;
        let a = IdNumber::parse("11010519491231002X").expect("id");
        let b = IdNumber::parse("360426199101010071").expect("id");
        let items = vec![
            EconomicItem { id_number: a, kind: ItemKind::Pension, amount: 310_000, source: "income".into() },
            EconomicItem { id_number: b, kind: ItemKind::Wage, amount: 480_000, source: "income".into() },
            EconomicItem { id_number: b, kind: ItemKind::Wage, amount: 20_000, source: "income".into() },
        ];
        let batch = minzheng_store::EconomicBatch {
            checksum: "ab".repeat(32),
            source: "income".into(),
            file_name: "income.csv".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
            items: items.len() as i64,
            recorded_by: "verify.centre".into(),
            recorded_at: chrono::Utc::now(),
            months: vec!["2026-05".into(), "2026-06".into()],
        };
        let staff = Actor::new("verify.centre");
        let record = |row_no: i64, id: Option<IdNumber>, recorded: &str, link: LinkKind, probability: u16| DeptRecord {
            id: 0,
            source: "income".into(),
            batch: "ab".repeat(32),
            row_no,
            recorded_id: recorded.into(),
            recorded_name: "王秀英".into(),
            id_number: id,
            link,
            probability,
            event_date: NaiveDate::from_ymd_opt(2026, 6, 1),
            fields: vec![("身份证号".into(), recorded.into()), ("金额".into(), "3100.00".into())],
        };
        let records = vec![
            record(2, Some(a), "11010519491231002X", LinkKind::Exact, 1000),
            record(3, Some(b), "360426199101010017", LinkKind::Matched, 987),
            record(4, None, "12345", LinkKind::Unlinked, 0),
        ];
        assert!(s.add_economic_batch(&batch, &items, &records, &staff).await.expect("store"));
        assert!(!s.add_economic_batch(&batch, &items, &records, &staff).await.expect("again"), "the same file again changes nothing");
        let of_b: Vec<DeptRecord> = s.dept_records_of(&[b]).await.expect("records");
        assert_eq!(of_b.len(), 1);
        assert_eq!(DeptRecord { id: of_b[0].id, ..records[1].clone() }, of_b[0], "a row comes back as it was stored");
        let scanned = s.scan_dept_records("income", 0, 10).await.expect("scan");
        assert_eq!(scanned.iter().map(|r| r.row_no).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(s.scan_dept_records("income", scanned[2].id, 10).await.expect("scan").is_empty());
        assert!(s.scan_dept_records("deaths", 0, 10).await.expect("scan").is_empty());
        let of_b = s.economic_items_of(&[b]).await.expect("items");
        assert_eq!(of_b.len(), 2);
        assert!(of_b.iter().all(|(i, batch)| i.id_number == b && batch == &"ab".repeat(32)));
        let first = s.scan_economic_items(0, 2).await.expect("scan");
        let rest = s.scan_economic_items(first[1].0, 10).await.expect("scan");
        assert_eq!((first.len(), rest.len()), (2, 1));
        assert_eq!(rest[0].1.amount, 20_000);
        let batches = s.economic_batches().await.expect("batches");
        assert_eq!(batches.len(), 1);
        assert_eq!((batches[0].file_name.as_str(), batches[0].items, batches[0].as_of), ("income.csv", 3, batch.as_of));
        assert_eq!(batches[0].months, ["2026-05", "2026-06"], "the months a file of monthly rows covers");
        assert_eq!(s.audit_of("economic_batch", &"ab".repeat(32)).await.expect("audit").len(), 1);
        f.done().await;
    }
}

#[tokio::test]
async fn a_policy_run_is_kept_with_its_summary_and_eligible_units() {
    use minzheng_store::{PolicyRun, RunUnit};
    for f in fresh_stores().await {
        let s = &f.store;
        let run = PolicyRun {
            id: 0,
            kind: "sweep".into(),
            region: "2101".into(),
            on: NaiveDate::from_ymd_opt(2026, 8, 1).expect("date"),
            summary: serde_json::json!({ "dibao": { "eligible": 2, "amount": 1500 } }),
            created_by: String::new(),
            created_at: chrono::Utc::now(),
        };
        let units: Vec<RunUnit> = (0..5)
            .map(|i| RunUnit {
                program: if i < 3 { "dibao".into() } else { "gaoling".into() },
                unit_key: format!("K{i}"),
                county: "210112".into(),
                amount: 100 * i,
            })
            .collect();
        let id = s.add_policy_run(&run, &units, &Actor::new("city.policy")).await.expect("store run");
        let back = s.policy_run(id).await.expect("read").expect("present");
        assert_eq!((back.kind.as_str(), back.created_by.as_str(), back.on), ("sweep", "city.policy", run.on));
        assert_eq!(back.summary["dibao"]["eligible"], 2);
        let page = s.policy_run_units(id, "dibao", None, 2).await.expect("units");
        assert_eq!(page.iter().map(|u| u.unit_key.as_str()).collect::<Vec<_>>(), ["K0", "K1"]);
        let next = s.policy_run_units(id, "dibao", Some("K1"), 2).await.expect("units");
        assert_eq!(next.iter().map(|u| (u.unit_key.as_str(), u.amount)).collect::<Vec<_>>(), [("K2", 200)]);
        assert_eq!(s.policy_runs(10).await.expect("runs").len(), 1);
        assert!(s.policy_run(id + 1).await.expect("read").is_none());
        f.done().await;
    }
}

fn enrolment(program: &str, household: &str, members: &[&str], amount: i64) -> minzheng_domain::Enrolment {
    use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen};
    let mut members: Vec<EnrolledMember> = members
        .iter()
        .map(|m| EnrolledMember {
            id_number: IdNumber::parse(m).expect("id"),
            name: format!("成员{}", &m[14..17]),
            amount: None,
            end: None,
        })
        .collect();
    members.sort_by_key(|m| m.id_number);
    Enrolment {
        id: 0,
        program: program.into(),
        household_no: household.into(),
        county: RegionCode::parse("210112").expect("county"),
        members,
        monthly_amount: Fen(amount),
        start: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
        status: EnrolmentStatus::Active,
        end: None,
    }
}

const M1: &str = "11010519491231002X";
const M2: &str = "360426199101010071";

#[tokio::test]
async fn a_roster_is_stored_and_a_second_one_replaces_an_enrolment_with_its_members() {
    for f in fresh_stores().await {
        let s = &f.store;
        let staff = Actor::new("hunnan.centre");
        let first =
            vec![enrolment("dibao", "210112009001-00001", &[M1, M2], 120_000), enrolment("gaoling", "210112009001-00001", &[M1], 2_500)];
        let ids = s.upsert_enrolments(&first, "roster-2026-06.xlsx", &staff).await.expect("store");
        assert_eq!(ids.len(), 2);
        let back = s.enrolment(ids[0]).await.expect("read").expect("present");
        assert_eq!(back, minzheng_domain::Enrolment { id: ids[0], ..first[0].clone() });
        // The next month's roster: one member less and a new amount; the same enrolment.
        let again = s
            .upsert_enrolments(&[enrolment("dibao", "210112009001-00001", &[M2], 80_000)], "roster-2026-07.xlsx", &staff)
            .await
            .expect("store");
        assert_eq!(again, vec![ids[0]]);
        let back = s.enrolment(ids[0]).await.expect("read").expect("present");
        assert_eq!((back.members.len(), back.monthly_amount.0), (1, 80_000));
        let of_m1 = s.enrolments_of(&[IdNumber::parse(M1).expect("id")]).await.expect("of");
        assert_eq!(of_m1.iter().map(|e| e.program.as_str()).collect::<Vec<_>>(), vec!["gaoling"], "M1 left the 低保 enrolment");
        let county = s.scan_enrolments(&RegionCode::parse("210112").expect("c"), 0, 10).await.expect("scan");
        assert_eq!(county.len(), 2);
        assert!(s.scan_enrolments(&RegionCode::parse("210102").expect("c"), 0, 10).await.expect("scan").is_empty());
        assert_eq!(s.scan_enrolments(&RegionCode::parse("2101").expect("c"), county[0].id, 10).await.expect("scan").len(), 1);
        assert_eq!(s.audit_of("enrolments", "roster-2026-07.xlsx").await.expect("audit").len(), 1);
        // A member's own end month and amount come back as written.
        let mut two = enrolment("gaoling", "210112009001-00002", &[M1, M2], 30_000);
        two.members[0].amount = Some(minzheng_domain::Fen(10_000));
        two.members[1].amount = Some(minzheng_domain::Fen(20_000));
        two.members[0].end = NaiveDate::from_ymd_opt(2026, 10, 1);
        let id = s.upsert_enrolments(std::slice::from_ref(&two), "death", &staff).await.expect("store")[0];
        assert_eq!(s.enrolment(id).await.expect("read").expect("present"), minzheng_domain::Enrolment { id, ..two });
        f.done().await;
    }
}

#[tokio::test]
async fn findings_are_stored_once_listed_by_region_and_worked_through_their_workflow() {
    use minzheng_domain::{Evidence, Finding, FindingKind, FindingStatus};
    use minzheng_store::{FindingEvent, FindingQuery};
    for f in fresh_stores().await {
        let s = &f.store;
        let staff = Actor::new("hunnan.centre");
        let ids = s
            .upsert_enrolments(&[enrolment("dibao", "210112009001-00001", &[M1, M2], 120_000)], "roster.xlsx", &staff)
            .await
            .expect("store");
        let finding = |kind: FindingKind, community: &str, id: &str| Finding {
            id: 0,
            kind,
            enrolment_id: ids[0],
            program: "dibao".into(),
            household_no: "210112009001-00001".into(),
            id_number: Some(IdNumber::parse(id).expect("id")),
            region: RegionCode::parse(community).expect("community"),
            confidence: 997,
            summary_zh: "成员已死亡".into(),
            summary_en: "member deceased".into(),
            evidence: vec![Evidence {
                source: "deaths".into(),
                batch: Some("cd".repeat(32)),
                fields: vec![("死亡日期".into(), "2026-05-02".into())],
            }],
            key: format!("{}:{}:{id}", kind.as_str(), ids[0]),
            found_on: NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
            status: FindingStatus::New,
            assigned_to: None,
            resolution: None,
        };
        let found = vec![
            finding(FindingKind::Deceased, "210112009001", M1),
            finding(FindingKind::MovedOut, "210112009002", M2),
            finding(FindingKind::Deceased, "210102001001", M2),
        ];
        assert_eq!(s.add_findings(&found, &staff).await.expect("add"), 3);
        assert_eq!(s.add_findings(&found[..2], &staff).await.expect("again"), 0, "a finding found again is not stored twice");

        let q = |region: &str| FindingQuery { region: Some(RegionCode::parse(region).expect("r")), limit: 10, ..Default::default() };
        let hunnan = s.search_findings(&q("210112")).await.expect("list");
        assert_eq!(hunnan.items.len(), 2);
        assert!(hunnan.items[0].id > hunnan.items[1].id, "newest first");
        let community = s.search_findings(&q("210112009001")).await.expect("list");
        assert_eq!(community.items.len(), 1);
        let stored = community.items[0].clone();
        assert_eq!(Finding { id: stored.id, ..found[0].clone() }, stored, "a finding comes back as it was stored");
        let page1 = s.search_findings(&FindingQuery { limit: 2, ..q("2101") }).await.expect("page");
        let next = page1.next.clone().expect("a second page");
        let page2 = s.search_findings(&FindingQuery { before: next.parse().ok(), limit: 2, ..q("2101") }).await.expect("page");
        assert_eq!((page1.items.len(), page2.items.len(), page2.next), (2, 1, None));
        let deceased = s.search_findings(&FindingQuery { kind: Some(FindingKind::Deceased), ..q("2101") }).await.expect("list");
        assert_eq!(deceased.items.len(), 2);
        // Numbered pages in a column's order: by community, largest code first; a key the list
        // does not know orders newest first.
        let by_region = |sort: &str, descending: bool, offset: u64| FindingQuery {
            limit: 2,
            paging: Paging { sort: Some(sort.into()), descending, offset },
            ..q("2101")
        };
        let regions = |p: &minzheng_store::Page<Finding>| p.items.iter().map(|f| f.region.to_string()).collect::<Vec<_>>();
        let sorted = s.search_findings(&by_region("region", true, 0)).await.expect("sorted");
        assert_eq!(regions(&sorted), vec!["210112009002", "210112009001"]);
        let second = s.search_findings(&by_region("region", true, 2)).await.expect("page 2");
        assert_eq!(regions(&second), vec!["210102001001"]);
        let unknown = s.search_findings(&by_region("1; DROP TABLE findings", false, 0)).await.expect("unknown key");
        assert!(unknown.items[0].id > unknown.items[1].id, "newest first");
        let counts = s.finding_counts(&RegionCode::parse("2101").expect("r")).await.expect("counts");
        assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 3);
        assert!(counts.iter().any(|c| c.kind == "moved_out" && c.county == "210112" && c.status == "new" && c.count == 1));

        // Assign: applied once; the same step from a stale view changes nothing.
        let mut assigned = stored.clone();
        assigned.status = FindingStatus::Assigned;
        assigned.assigned_to = Some("wang.worker".into());
        let event = FindingEvent {
            finding_id: stored.id,
            action: "assign".into(),
            from: FindingStatus::New,
            to: FindingStatus::Assigned,
            detail: "wang.worker".into(),
            comment: "请入户核实".into(),
            actor: "hunnan.centre".into(),
            at: chrono::Utc::now(),
        };
        assert!(s.act_on_finding(&assigned, &event, None, &staff).await.expect("act"));
        assert!(
            !s.act_on_finding(&assigned, &event, None, &staff).await.expect("stale"),
            "a finding no longer new is not assigned from new again"
        );
        let back = s.finding(stored.id).await.expect("read").expect("present");
        assert_eq!((back.status, back.assigned_to.as_deref()), (FindingStatus::Assigned, Some("wang.worker")));
        let events = s.finding_events(stored.id).await.expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].from, events[0].to, events[0].comment.as_str()), (FindingStatus::New, FindingStatus::Assigned, "请入户核实"));
        assert_eq!(s.audit_of("finding", &stored.id.to_string()).await.expect("audit").len(), 1);
        let by_worker = s.search_findings(&FindingQuery { assigned_to: Some("wang.worker".into()), ..q("2101") }).await.expect("list");
        assert_eq!(by_worker.items.len(), 1);
        // By assignee: the two unassigned first, then wang.worker's, on both databases (which
        // place NULLs differently by themselves); the other way round, his first.
        let by_assignee =
            |descending| FindingQuery { limit: 3, paging: Paging { sort: Some("assigned_to".into()), descending, offset: 0 }, ..q("2101") };
        let order = |p: minzheng_store::Page<Finding>| p.items.iter().map(|f| f.assigned_to.clone()).collect::<Vec<_>>();
        let worker = Some("wang.worker".to_string());
        assert_eq!(
            order(s.search_findings(&by_assignee(false)).await.expect("asc")),
            vec![None, None, worker.clone()],
            "{:?}",
            s.backend()
        );
        assert_eq!(order(s.search_findings(&by_assignee(true)).await.expect("desc"))[0], worker);
        let count = |q: FindingQuery| async move { s.count_findings(&q).await.expect("count") };
        assert_eq!(count(FindingQuery { assigned_to: Some("wang.worker".into()), ..q("2101") }).await, 1, "the assignee's queue");
        assert_eq!(count(FindingQuery { status: Some(FindingStatus::New), ..q("2101") }).await, 2);
        assert_eq!(count(FindingQuery { limit: 1, before: Some(0), ..q("210102") }).await, 1, "cursor and limit aside");

        // Resolved as 停保: the enrolment stops in the same transaction, from its end month; a
        // stale step writes neither.
        let mut resolved = back.clone();
        resolved.status = FindingStatus::Resolved;
        resolved.resolution = Some(minzheng_domain::Resolution::Stop);
        let stop = FindingEvent { action: "resolve".into(), from: FindingStatus::Assigned, to: FindingStatus::Resolved, ..event.clone() };
        let before = s.enrolment(stored.enrolment_id).await.expect("read").expect("enrolment");
        let end = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let after = before.stopped(&minzheng_domain::EnrolmentStop { end, leaving: None, decided_by: "finding".into() });
        let stale = FindingEvent { from: FindingStatus::New, ..stop.clone() };
        assert!(!s.act_on_finding(&resolved, &stale, Some(&after), &staff).await.expect("stale"));
        assert_eq!(s.enrolment(before.id).await.expect("read"), Some(before.clone()), "a stale step stops nothing");
        assert!(s.act_on_finding(&resolved, &stop, Some(&after), &staff).await.expect("resolve"));
        let now = s.enrolment(before.id).await.expect("read").expect("enrolment");
        assert_eq!((now.status, now.end), (minzheng_domain::EnrolmentStatus::Stopped, Some(end)));
        assert!(now.paid_for(NaiveDate::from_ymd_opt(2026, 5, 1).expect("d")) && !now.paid_for(end));
        let key = format!("{}:{}", now.program, now.household_no);
        assert!(s.audit_of("enrolment", &key).await.expect("audit").iter().any(|r| r.action == "change"));
        f.done().await;
    }
}

#[tokio::test]
async fn a_household_check_report_is_kept_whole_and_listed_newest_first() {
    use minzheng_domain::verification::{Authorisation, ReportFigure, ReportItem, VerificationReport};
    for f in fresh_stores().await {
        let s = &f.store;
        let on = NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
        let id = IdNumber::parse(M1).expect("id");
        let report = VerificationReport {
            id: 0,
            household_no: "210112009001-00001".into(),
            community: RegionCode::parse("210112009001").expect("c"),
            on,
            authorisation: Authorisation { reference: "核字1号".into(), signed_on: on, signed_by: vec![id] },
            members: vec![("王秀英".into(), id, "户主".into())],
            items: vec![ReportItem {
                member: "王秀英".into(),
                id_number: id,
                source: "vehicles".into(),
                batch: "cd".repeat(32),
                file_name: "vehicles.csv".into(),
                as_of: on,
                row_no: 7,
                link: "证号一致".into(),
                fields: vec![("号牌号码".into(), "辽A12345".into())],
            }],
            figures: vec![ReportFigure {
                name: "vehicles".into(),
                zh: "机动车".into(),
                en: "vehicles".into(),
                value: "1".into(),
                unit: None,
                source: "vehicles".into(),
            }],
            programs: vec![],
            empty_sources: vec!["deaths".into()],
            made_by: "hunnan.centre".into(),
            made_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("time"),
        };
        let first = s.add_household_check(&report, &Actor::new("hunnan.centre")).await.expect("store");
        let second = s.add_household_check(&report, &Actor::new("hunnan.centre")).await.expect("store");
        let back = s.household_check(first).await.expect("read").expect("present");
        assert_eq!(back, VerificationReport { id: first, ..report.clone() });
        let listed = s.household_checks_of("210112009001-00001").await.expect("list");
        assert_eq!(listed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![second, first]);
        assert!(s.household_check(second + 1).await.expect("read").is_none());
        // The region's list, newest first, counted; none elsewhere.
        let hunnan = RegionCode::parse("210112").expect("county");
        let page = s.household_checks_in(&hunnan, None, 1, &Paging::default()).await.expect("region list");
        assert_eq!((page.items.iter().map(|r| r.id).collect::<Vec<_>>(), page.next.is_some()), (vec![second], true));
        // Numbered pages in a column's order: by the time made, oldest first (equal times keep
        // the ids' order); the second page of one.
        let oldest = Paging { sort: Some("made".into()), ..Paging::default() };
        let page = s.household_checks_in(&hunnan, None, 1, &oldest).await.expect("sorted");
        assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![first]);
        let page = s.household_checks_in(&hunnan, None, 1, &Paging { offset: 1, ..oldest }).await.expect("page two");
        assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![second]);
        assert_eq!(s.count_household_checks_in(&hunnan).await.expect("count"), 2);
        assert_eq!(s.count_household_checks_in(&RegionCode::parse("210102").expect("heping")).await.expect("count"), 0);
        assert_eq!(s.audit_of("household", "210112009001-00001").await.expect("audit").len(), 2);
        f.done().await;
    }
}

#[tokio::test]
async fn several_households_are_read_by_number_in_one_call() {
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let batch = small_city();
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("batch");
        let mut nos: Vec<String> = batch.households.iter().map(|h| h.household_no.clone()).collect();
        nos.push("NO-SUCH-HOUSEHOLD".into());
        let mut got: Vec<String> = s.households(&nos).await.expect("read").into_iter().map(|h| h.household_no).collect();
        got.sort();
        let mut want: Vec<String> = batch.households.iter().map(|h| h.household_no.clone()).collect();
        want.sort();
        assert_eq!(got, want);
        f.done().await;
    }
}

#[tokio::test]
async fn a_row_in_review_is_decided_once_and_an_accepted_one_gives_its_item() {
    use minzheng_domain::economy::{DeptRecord, EconomicItem, ItemKind, LinkKind};
    for f in fresh_stores().await {
        let s = &f.store;
        let staff = Actor::new("hunnan.centre");
        let a = IdNumber::parse(M1).expect("id");
        let b = IdNumber::parse(M2).expect("id");
        let batch = minzheng_store::EconomicBatch {
            checksum: "ef".repeat(32),
            source: "income".into(),
            file_name: "income-2026-07.csv".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 7, 1).expect("date"),
            items: 0,
            recorded_by: "hunnan.centre".into(),
            recorded_at: chrono::Utc::now(),
            months: Vec::new(),
        };
        let row = |n: i64, id: IdNumber| DeptRecord {
            id: 0,
            source: "income".into(),
            batch: "ef".repeat(32),
            row_no: n,
            recorded_id: format!("typed-{n}"),
            recorded_name: "王秀英".into(),
            id_number: Some(id),
            link: LinkKind::Review,
            probability: 700,
            event_date: None,
            fields: vec![("收入类型".into(), "工资".into()), ("金额".into(), "3100.00".into())],
        };
        assert!(s.add_economic_batch(&batch, &[], &[row(2, a), row(3, b)], &staff).await.expect("store"));
        let review = s.dept_records_in_review(0, 10).await.expect("review");
        assert_eq!(review.iter().map(|r| r.row_no).collect::<Vec<_>>(), vec![2, 3]);
        let item = EconomicItem { id_number: a, kind: ItemKind::Wage, amount: 310_000, source: "income".into() };
        assert!(s.decide_link(review[0].id, true, Some(&item), &staff).await.expect("accept"));
        assert!(!s.decide_link(review[0].id, false, None, &staff).await.expect("again"), "decided once");
        assert!(s.decide_link(review[1].id, false, None, &staff).await.expect("reject"));
        let first = s.dept_record(review[0].id).await.expect("read").expect("present");
        let second = s.dept_record(review[1].id).await.expect("read").expect("present");
        assert_eq!((first.link, first.id_number), (LinkKind::Matched, Some(a)));
        assert_eq!((second.link, second.id_number), (LinkKind::Unlinked, None));
        assert!(s.dept_records_in_review(0, 10).await.expect("review").is_empty());
        let items = s.economic_items_of(&[a]).await.expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].0.amount, items[0].1.as_str()), (310_000, "ef".repeat(32).as_str()), "the item belongs to the row's batch");
        assert_eq!(s.audit_of("dept_record", &review[0].id.to_string()).await.expect("audit").len(), 1);

        // 重新关联: the file linked again. The rows a person decided keep their decision whatever
        // the new run proposes; the file's items are replaced; audited with the counts.
        let rows = s.dept_records_of_batch(&"ef".repeat(32)).await.expect("rows of the file");
        assert_eq!(
            rows.iter().map(|(r, by)| (r.row_no, by.as_deref())).collect::<Vec<_>>(),
            vec![(2, Some("hunnan.centre")), (3, Some("hunnan.centre"))],
            "who decided each row"
        );
        let proposed: Vec<DeptRecord> =
            rows.iter().map(|(r, _)| DeptRecord { id_number: Some(b), link: LinkKind::Exact, probability: 1000, ..r.clone() }).collect();
        let wage = EconomicItem { id_number: a, kind: ItemKind::Wage, amount: 320_000, source: "income".into() };
        let changed = s.relink_economic_batch(&"ef".repeat(32), std::slice::from_ref(&wage), &proposed, 2, &staff).await.expect("relink");
        assert_eq!(changed, 0, "decided rows are not relinked");
        let first = s.dept_record(review[0].id).await.expect("read").expect("present");
        assert_eq!((first.link, first.id_number), (LinkKind::Matched, Some(a)));
        let items = s.economic_items_of(&[a]).await.expect("items");
        assert_eq!(items.iter().map(|(i, _)| i.amount).collect::<Vec<_>>(), vec![320_000], "the file's items replaced");
        assert_eq!(s.economic_batches().await.expect("batches").iter().find(|x| x.checksum == "ef".repeat(32)).map(|x| x.items), Some(1));
        let audit = s.audit_of("economic_batch", &"ef".repeat(32)).await.expect("audit");
        assert_eq!(audit.iter().filter(|e| e.action == "relink").count(), 1, "{audit:?}");
        // A row the linkage decided takes its new link.
        let other = minzheng_store::EconomicBatch { checksum: "ab".repeat(32), ..batch.clone() };
        let nobody = DeptRecord { link: LinkKind::Unlinked, id_number: None, probability: 0, batch: "ab".repeat(32), ..row(2, a) };
        assert!(s.add_economic_batch(&other, &[], &[nobody], &staff).await.expect("store"));
        let (stored, by) = s.dept_records_of_batch(&"ab".repeat(32)).await.expect("rows").remove(0);
        assert_eq!(by, None);
        let found = DeptRecord { link: LinkKind::Exact, id_number: Some(b), probability: 1000, ..stored.clone() };
        assert!(
            matches!(s.relink_economic_batch(&"ef".repeat(32), &[], &[], 1, &staff).await, Err(minzheng_store::StoreError::Conflict(_))),
            "a decision made since the run read the file: nothing written"
        );
        assert_eq!(s.relink_economic_batch(&"ab".repeat(32), &[], &[found], 0, &staff).await.expect("relink"), 1);
        let now = s.dept_record(stored.id).await.expect("read").expect("present");
        assert_eq!((now.link, now.id_number, now.probability), (LinkKind::Exact, Some(b), 1000));
        f.done().await;
    }
}

fn a_case(program: &str, household: &str, community: &str) -> minzheng_domain::Case {
    use minzheng_domain::case::{Case, CaseFile, CaseStatus};
    let community = code(community);
    Case {
        id: 0,
        service: format!("apply_{program}"),
        program: program.into(),
        household_no: household.into(),
        applicant: IdNumber::parse(M1).expect("id"),
        applicant_name: "张秀英".into(),
        household_size: 2,
        accepted_at: code("210102001001"),
        owner: community.ancestor(RegionLevel::County).expect("county"),
        community,
        status: CaseStatus::Accepted,
        version: 1,
        staff_relative: false,
        delegated: false,
        extended: false,
        child: false,
        per_person: false,
        accepted_on: date(2026, 11, 2),
        step_due: date(2026, 11, 5),
        due: date(2026, 12, 14),
        notice_from: None,
        notice_until: None,
        file: CaseFile::default(),
    }
}

fn case_event(to: minzheng_domain::CaseStatus, action: &str) -> minzheng_store::CaseEvent {
    minzheng_store::CaseEvent {
        case_id: 0,
        action: action.into(),
        from: String::new(),
        to,
        comment: "按程序办理".into(),
        actor: "hp.worker".into(),
        role: "community_worker".into(),
        at: chrono::Utc::now(),
    }
}

#[tokio::test]
async fn a_case_is_accepted_once_per_program_and_household_and_moves_on_only_from_the_version_seen() {
    use minzheng_domain::case::{CaseStatus, Decision};
    use minzheng_store::CaseQuery;
    for f in fresh_stores().await {
        let s = &f.store;
        let worker = Actor::new("hp.worker");
        let c = a_case("dibao", "210112009001-00001", "210112009001");
        let id = s.add_case(&c, Some("community_worker"), &case_event(CaseStatus::Accepted, "accept"), &worker).await.expect("accept");
        let again = s.add_case(&c, Some("community_worker"), &case_event(CaseStatus::Accepted, "accept"), &worker).await;
        assert!(
            matches!(again, Err(minzheng_store::StoreError::Conflict(_))),
            "a second open 低保 case of the household is refused: {again:?}"
        );
        let other = s
            .add_case(
                &a_case("gaoling", "210112009001-00001", "210112009001"),
                Some("street_reviewer"),
                &case_event(CaseStatus::Accepted, "accept"),
                &worker,
            )
            .await
            .expect("another program");
        s.add_case(
            &a_case("dibao", "210102001001-00009", "210102001001"),
            Some("community_worker"),
            &case_event(CaseStatus::Accepted, "accept"),
            &worker,
        )
        .await
        .expect("another household");
        let stored = s.case(id).await.expect("read").expect("stored");
        assert_eq!(stored, minzheng_domain::Case { id, ..c.clone() }, "a case comes back as it was stored");

        // Queues: by the role waited for and the region, newest first, keyset pages.
        let queue = |role: &str, community: Option<&str>, owner: Option<&str>| CaseQuery {
            waiting_for: Some(role.into()),
            community: community.map(code),
            owner: owner.map(code),
            limit: 10,
            ..Default::default()
        };
        let q = s.search_cases(&queue("community_worker", Some("210112"), None)).await.expect("queue");
        assert_eq!(q.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
        let q = s.search_cases(&queue("street_reviewer", None, Some("210112"))).await.expect("queue");
        assert_eq!(q.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![other]);
        let accepted =
            s.search_cases(&CaseQuery { accepted_at: Some(code("210102001001")), limit: 2, ..Default::default() }).await.expect("accepted");
        assert_eq!(accepted.items.len(), 2);
        let rest = s
            .search_cases(&CaseQuery {
                accepted_at: Some(code("210102001001")),
                before: accepted.next.and_then(|n| n.parse().ok()),
                limit: 2,
                ..Default::default()
            })
            .await
            .expect("page 2");
        assert_eq!((rest.items.len(), rest.next), (1, None));
        let third = s
            .search_cases(&CaseQuery {
                accepted_at: Some(code("210102001001")),
                limit: 2,
                paging: Paging { offset: 2, ..Paging::default() },
                ..Default::default()
            })
            .await
            .expect("page 2 by number");
        assert_eq!(third.items.iter().map(|c| c.id).collect::<Vec<_>>(), rest.items.iter().map(|c| c.id).collect::<Vec<_>>());
        let due = s
            .search_cases(&CaseQuery { due_by: Some(date(2026, 11, 5)), owner: Some(code("2101")), limit: 10, ..Default::default() })
            .await
            .expect("due");
        assert_eq!(due.items.len(), 3, "the survey is due on 11-05");
        assert!(s
            .search_cases(&CaseQuery { due_by: Some(date(2026, 11, 4)), limit: 10, ..Default::default() })
            .await
            .expect("due")
            .items
            .is_empty());
        assert_eq!(
            s.count_cases(&CaseQuery { due_by: Some(date(2026, 11, 5)), owner: Some(code("2101")), ..Default::default() })
                .await
                .expect("count"),
            3
        );
        assert_eq!(s.count_cases(&queue("community_worker", Some("210112"), None)).await.expect("count"), 1);

        // A step from the version seen is written with its event; from a stale one, nothing.
        let mut surveyed = stored.clone();
        surveyed.status = CaseStatus::Surveyed;
        surveyed.version = 2;
        let mut e = case_event(CaseStatus::Surveyed, "survey");
        e.case_id = id;
        e.from = "accepted".into();
        let written = s.act_on_case(&surveyed, Some("verification_officer"), 1, &e, None, &worker).await.expect("step");
        assert_eq!(written.map(|c| c.version), Some(2));
        assert_eq!(
            s.act_on_case(&surveyed, Some("verification_officer"), 1, &e, None, &worker).await.expect("stale"),
            None,
            "a step on a stale version writes nothing"
        );
        assert_eq!(
            s.case_events(id).await.expect("events").iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            vec!["accept", "survey"]
        );

        // Approval: the enrolment is made in the same transaction and the case closes.
        let mut approved = surveyed.clone();
        approved.status = CaseStatus::Approved;
        approved.version = 3;
        approved.file.decision = Some(Decision {
            on: date(2026, 11, 20),
            by: "hn.county".into(),
            approved: true,
            reason: String::new(),
            amount: Some(minzheng_domain::Fen(120_000)),
            start: Some(date(2026, 12, 1)),
            review_on: Some(date(2027, 12, 1)),
            enrolment: None,
            explanation: Some("{}".into()),
            exit_until: None,
            band: None,
        });
        let mut e = case_event(CaseStatus::Approved, "approve");
        e.case_id = id;
        e.from = "surveyed".into();
        let en = enrolment("dibao", "210112009001-00001", &[M1, M2], 120_000);
        // What the step saw of the enrolment must still be so.
        let stale = minzheng_store::EnrolmentWrite { enrolment: en.clone(), seen_members: Some(vec![IdNumber::parse(M1).expect("id")]) };
        assert_eq!(
            s.act_on_case(&approved, None, 2, &e, Some(&stale), &worker).await.expect("stale members"),
            None,
            "the household had no enrolment: the step saw another"
        );
        let write = minzheng_store::EnrolmentWrite { enrolment: en.clone(), seen_members: Some(vec![]) };
        let closed = s.act_on_case(&approved, None, 2, &e, Some(&write), &worker).await.expect("approve").expect("written");
        let enrolment_id = closed.file.decision.as_ref().and_then(|d| d.enrolment).expect("the enrolment's id is kept with the decision");
        assert_eq!(s.enrolment(enrolment_id).await.expect("read").map(|e| e.monthly_amount), Some(minzheng_domain::Fen(120_000)));
        assert_eq!(s.case(id).await.expect("read"), Some(closed));
        assert!(
            s.search_cases(&queue("verification_officer", None, Some("2101"))).await.expect("queue").items.is_empty(),
            "a closed case waits for nobody"
        );
        s.add_case(&c, Some("community_worker"), &case_event(CaseStatus::Accepted, "accept"), &worker)
            .await
            .expect("once closed, a new application may be made");
        let audit = s.audit_of("case", &id.to_string()).await.expect("audit");
        assert_eq!(audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), vec!["case_accept", "case_survey", "case_approve"]);
        f.done().await;
    }
}

#[tokio::test]
async fn the_working_day_calendar_keeps_the_last_word_for_each_day() {
    use minzheng_domain::calendar::{CalendarDay, DayKind};
    for f in fresh_stores().await {
        let s = &f.store;
        assert!(s.calendar_days().await.expect("empty").is_empty());
        let day = |d: u32, kind: DayKind| CalendarDay { day: date(2026, 10, d), kind, note: "国庆节".into() };
        s.set_calendar_days(&[day(1, DayKind::Holiday), day(10, DayKind::Workday)], &actor()).await.expect("set");
        s.set_calendar_days(&[day(10, DayKind::Holiday)], &actor()).await.expect("correct");
        let days = s.calendar_days().await.expect("read");
        assert_eq!(days, vec![day(1, DayKind::Holiday), day(10, DayKind::Holiday)]);
        assert_eq!(s.audit_of("calendar", "2026-10-10").await.expect("audit").len(), 1);
        f.done().await;
    }
}

/// A person as the scan handed it over: ID, name, male, birth, household, relation, alive, disability, tags.
type ScannedPerson = (String, String, bool, NaiveDate, Option<String>, Relation, bool, Option<Disability>, String);

/// What a snapshot scan handed over, owned.
#[derive(Default)]
struct Scanned {
    households: Vec<(String, String, bool)>,
    persons: Vec<ScannedPerson>,
    items: Vec<(String, minzheng_domain::economy::ItemKind, i64, String, NaiveDate)>,
    order: String,
}

impl minzheng_store::SnapshotSink for Scanned {
    fn household(&mut self, h: &minzheng_store::SnapshotHousehold<'_>) {
        self.households.push((h.household_no.into(), h.community.into(), h.rural));
        self.order.push('h');
    }
    fn person(&mut self, p: &minzheng_domain::PersonView<'_>) {
        self.persons.push((
            p.id_number.into(),
            p.name.into(),
            p.male,
            p.birth_date,
            p.household_no.map(Into::into),
            p.relation,
            p.alive,
            p.disability,
            p.tags.into(),
        ));
        self.order.push('p');
    }
    fn item(&mut self, i: &minzheng_store::SnapshotItem<'_>) {
        self.items.push((i.id_number.into(), i.kind, i.amount, i.source.into(), i.as_of));
        self.order.push('i');
    }
}

// On a runtime of several threads, as the server runs: the SQLite scan steps the database on its
// worker thread and says so to the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_scan_reads_the_regions_households_every_person_and_every_item_with_its_files_date() {
    use minzheng_domain::economy::{EconomicItem, ItemKind};
    for f in fresh_stores().await {
        let s = &f.store;
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let mut batch = small_city();
        batch.households[1].kind = HouseholdKind::Rural;
        batch.persons[1].status = PersonStatus::Deceased(Some(date(2025, 1, 2)));
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("apply");
        let (wang, zhao) = (batch.persons[0].id_number, batch.persons[3].id_number);
        let items = vec![
            EconomicItem { id_number: wang, kind: ItemKind::Wage, amount: 480_000, source: "income".into() },
            EconomicItem { id_number: zhao, kind: ItemKind::Pension, amount: 310_000, source: "income".into() },
            EconomicItem { id_number: zhao, kind: ItemKind::Deposit, amount: 9_000_000, source: "income".into() },
        ];
        let file = minzheng_store::EconomicBatch {
            checksum: "cd".repeat(32),
            source: "income".into(),
            file_name: "income.csv".into(),
            as_of: date(2026, 6, 30),
            items: 3,
            recorded_by: "verify.centre".into(),
            recorded_at: chrono::Utc::now(),
            months: Vec::new(),
        };
        assert!(s.add_economic_batch(&file, &items, &[], &actor()).await.expect("store"));

        let mut all = Scanned::default();
        let counts = s.scan_snapshot(&code("2101"), &mut all).await.expect("scan");
        assert_eq!((counts.households, counts.persons, counts.items), (2, 4, 3), "{:?}", s.backend());
        assert_eq!(all.order, "hhppppiii", "households, then persons, then items");
        all.households.sort();
        assert_eq!(all.households, vec![("H001".into(), "210112009001".into(), false), ("H002".into(), "210102001002".into(), true)]);
        // Each person as the registry reads it.
        for p in &batch.persons {
            let stored = s.person(&p.id_number).await.expect("get").expect("stored");
            let seen = all.persons.iter().find(|r| r.0 == p.id_number.as_str()).expect("scanned");
            let tags = minzheng_domain::registry::tags_text(&stored.tags);
            let view = stored.view(&tags);
            assert_eq!(
                (seen.1.as_str(), seen.2, seen.3, seen.4.as_deref(), seen.5, seen.6, seen.7, seen.8.as_str()),
                (view.name, view.male, view.birth_date, view.household_no, view.relation, view.alive, view.disability, view.tags)
            );
        }
        assert!(!all.persons.iter().find(|r| r.1 == "李秀英").expect("li").6, "the deceased is not 在册");
        assert_eq!(all.persons.iter().find(|r| r.1 == "赵淑兰").expect("zhao").8, "独居老人,党员");
        all.items.sort_by_key(|i| i.2);
        assert_eq!(all.items[0], (zhao.to_string(), ItemKind::Pension, 310_000, "income".into(), date(2026, 6, 30)));
        assert_eq!(all.items[2].1, ItemKind::Deposit);

        // A county: only its households; the persons may come all (the reader keeps its own).
        let mut one = Scanned::default();
        let counts = s.scan_snapshot(&code("210102"), &mut one).await.expect("scan");
        assert_eq!(one.households, vec![("H002".into(), "210102001002".into(), true)]);
        assert!(counts.persons >= 1 && one.persons.iter().any(|p| p.1 == "赵淑兰"));
        // The connection is usable afterwards (the scan's read transaction has ended).
        s.apply_batch(&batch, &actor(), &|_| {}).await.expect("write after the scan");
        f.done().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_in_attempts_each_count_and_the_fifth_locks_the_account() {
    use chrono::Duration;
    use minzheng_store::LoginClaim;
    for f in fresh_stores().await {
        let s = f.store.clone();
        s.load_regions(&regions(), &actor()).await.expect("regions");
        let account = account("li", "$argon2id$x");
        s.create_account(&account, &actor()).await.expect("create");
        let now = chain_now();
        let until = now + Duration::minutes(15);
        let claims: Vec<LoginClaim> = futures_join(
            (0..40)
                .map(|_| {
                    let s = s.clone();
                    tokio::spawn(async move { s.claim_login_attempt("li", now, 5, until).await.expect("claim") })
                })
                .collect(),
        )
        .await;
        let mut counted: Vec<i32> =
            claims.iter().filter_map(|c| if let LoginClaim::Counted { failed, .. } = c { Some(*failed) } else { None }).collect();
        counted.sort_unstable();
        assert_eq!(counted, vec![1, 2, 3, 4, 5], "each of the first five sees those before it");
        assert_eq!(claims.iter().filter(|c| matches!(c, LoginClaim::Locked(_))).count(), 35, "the rest are refused unchecked");
        assert!(claims.contains(&LoginClaim::Counted { failed: 5, locks: Some(until) }), "the fifth locks");
        let stored = s.account("li").await.expect("get").expect("exists");
        assert_eq!((stored.failed_logins, stored.locked_until), (5, Some(until)));
        assert_eq!(s.claim_login_attempt("nobody", now, 5, until).await.expect("claim"), LoginClaim::Unknown);
        // A right password clears the count only if no failure was counted after its own.
        s.set_login_state("li", 3, None).await.expect("state");
        s.clear_login_failures("li", 2).await.expect("clear");
        assert_eq!(s.account("li").await.expect("get").expect("exists").failed_logins, 3, "a later failure stays");
        s.clear_login_failures("li", 3).await.expect("clear");
        assert_eq!(s.account("li").await.expect("get").expect("exists").failed_logins, 0);
        s.set_login_state("li", 5, Some(until)).await.expect("locked again");
        // When the lock has run out, counting starts again.
        let later = until + Duration::minutes(1);
        assert_eq!(
            s.claim_login_attempt("li", later, 5, later + Duration::minutes(15)).await.expect("claim"),
            LoginClaim::Counted { failed: 1, locks: None }
        );
        f.done().await;
    }
}

async fn futures_join<T: Send + 'static>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_nul_in_one_audit_record_fails_no_request_and_is_kept_visibly_replaced() {
    use minzheng_store::AuditEntry;
    for f in fresh_stores().await {
        let s = f.store.clone();
        let entry = |key: &str| AuditEntry {
            action: "login_failed".into(),
            entity: "account".into(),
            entity_key: key.into(),
            before: None,
            after: Some(serde_json::json!({ "typed": key })),
        };
        // Written together, as the group writer takes what is waiting.
        let mut handles = Vec::new();
        for i in 0..30 {
            let s = s.clone();
            let key = if i == 7 { "evil\0name".to_string() } else { format!("user{i}") };
            let mut who = actor();
            if i == 7 {
                who.name = "anon\0ymous".into();
            }
            handles.push(tokio::spawn(async move { s.audit(&who, &[entry(&key)]).await }));
        }
        for r in futures_join(handles).await {
            r.expect("every request's record is stored");
        }
        let kept = s.audit_of("account", "evil\u{fffd}name").await.expect("audit");
        assert_eq!(kept.len(), 1, "the odd record is kept with its NUL replaced");
        assert_eq!(kept[0].actor, "anon\u{fffd}ymous");
        assert_eq!(kept[0].after, Some(serde_json::json!({ "typed": "evil\u{fffd}name" })));
        assert!(minzheng_store::verify_audit(s.as_ref()).await.expect("verify").first_broken.is_none());
        f.done().await;
    }
}
