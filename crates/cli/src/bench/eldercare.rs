//! `minzheng bench eldercare`: the elderly-care indicators of a whole city (every county) from a
//! fresh database holding a generated city of N persons with its roster, 500 institutions with
//! 60,000 beds across the 13 counties, residents at 55% occupancy and assessments of every 特困
//! person and of other elders. Set-up and each round of the indicators timed on their own.

use super::*;
use minzheng_domain::{Principal, RegionCode, RegionLevel, Role};
use minzheng_server::eldercare::assessment::{assess, Answers, Reason, ITEMS};
use minzheng_server::eldercare::model::{Beds, Filing, Institution, InstitutionStatus, Ownership, Residency};
use minzheng_server::eldercare::store::{eldercare_store, AssessmentRecord};
use minzheng_store::Actor;

pub(crate) async fn eldercare(persons: u64, institutions: u64, beds: i64, rounds: u32, seed: u64) -> Result<()> {
    println!(
        "command: minzheng bench eldercare --persons {persons} --institutions {institutions} --beds {beds} --rounds {rounds} --seed {seed}"
    );
    println!("machine: {}", machine());
    let dir = temp_dir("eldercare");
    std::fs::create_dir_all(&dir)?;
    let store = open(&format!("sqlite://{}", dir.join("bench.db").display())).await?;
    let t = Instant::now();
    let city = minzheng_synth::generate(&regions::liaoning(), &minzheng_synth::Config::new(persons, seed))?;
    let today = minzheng_synth::Config::new(persons, seed).as_of;
    let batch = RegistryBatch {
        households: city.households.clone(),
        persons: city.persons.clone(),
        source: "bench".into(),
        checksum: String::new(),
    };
    store.apply_batch(&batch, &Actor::new("bench"), &|_| {}).await?;
    crate::demo_roster(store.as_ref(), &city, &dir).await?;
    println!("set-up: {persons} persons and the roster loaded in {:.1} s", t.elapsed().as_secs_f64());

    // 500 institutions over the 13 counties, in their communities, 60,000 beds in all.
    let t = Instant::now();
    let elder = eldercare_store(store.as_ref());
    let actor = Actor::new("bench");
    let communities: Vec<RegionCode> = {
        let mut c: Vec<RegionCode> = city.households.iter().map(|h| h.community.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let counties: std::collections::BTreeSet<RegionCode> = communities.iter().filter_map(|c| c.ancestor(RegionLevel::County)).collect();
    let mut ids = Vec::new();
    for n in 0..institutions {
        let each = beds / institutions as i64 + i64::from(n == 0) * (beds % institutions as i64);
        let filing = Filing {
            name: format!("养老机构{n:04}"),
            region: communities[(n as usize * 7919) % communities.len()].clone(),
            address: "地址".into(),
            legal_representative: "负责人".into(),
            premises: "自有".into(),
            beds: Beds { total: each, nursing: each * 45 / 100, day_care: 5, home: 2 },
            floor_area: each * 40,
            contact: "024".into(),
            registration: "52210100MJY000000X".into(),
            pledge: true,
            first_admission: Some(today - chrono::Duration::days(400)),
            ownership: if n % 5 == 0 { Ownership::Public } else { Ownership::Private },
            tekun_home: n % 10 == 0,
            regional_centre: n % 25 == 0,
        };
        let i = Institution {
            id: 0,
            filing,
            filed_on: today - chrono::Duration::days(395),
            receipt: String::new(),
            filed_late: false,
            grade: Some((n % 5 + 1) as u8),
            status: InstitutionStatus::Open,
            closes_on: None,
            resettlement_plan: String::new(),
        };
        ids.push((elder.add_institution(&i, &actor).await?.id, i.filing.beds.total));
    }
    // Residents: elders of the registry to 55% of the beds; assessments of every 特困 person and
    // of every third elder besides.
    let sixty = today - chrono::Duration::days(365 * 60 + 15);
    let tekun: std::collections::HashSet<String> = city.roster.rows.iter().filter(|r| r[0] == "tekun").map(|r| r[4].clone()).collect();
    let elders: Vec<&minzheng_domain::Person> =
        city.persons.iter().filter(|p| p.birth_date <= sixty && p.status == minzheng_domain::PersonStatus::Alive).collect();
    let community_of: std::collections::HashMap<&str, &RegionCode> =
        city.households.iter().map(|h| (h.household_no.as_str(), &h.community)).collect();
    let mut next = elders.iter();
    let mut residents = 0u64;
    for (id, total) in &ids {
        for _ in 0..total * 55 / 100 {
            let Some(p) = next.next() else { break };
            let r = Residency {
                id: 0,
                institution_id: *id,
                id_number: p.id_number.to_string(),
                name: p.name.clone(),
                admitted_on: today - chrono::Duration::days(100),
                discharged_on: None,
                concentrated: tekun.contains(p.id_number.as_str()),
            };
            elder.admit(&r, &actor).await?;
            residents += 1;
        }
    }
    let mut assessed = 0u64;
    for (k, p) in elders.iter().enumerate() {
        if k % 3 != 0 && !tekun.contains(p.id_number.as_str()) {
            continue;
        }
        let Some(community) = p.household_no.as_deref().and_then(|h| community_of.get(h)) else { continue };
        let mut scores: Vec<u8> = ITEMS.iter().map(|i| i.max()).collect();
        for (i, s) in scores.iter_mut().enumerate() {
            if (k + i) % 11 == 0 {
                *s = 1;
            }
        }
        let answers = Answers { scores, coma: false, dementia: k % 17 == 0, mental_disorder: false, risk_events: (k % 4) as u8 };
        let outcome = assess(&answers).map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let a = AssessmentRecord {
            id: 0,
            id_number: p.id_number.to_string(),
            name: p.name.clone(),
            community: community.to_string(),
            assessed_on: today - chrono::Duration::days((k % 300) as i64),
            reason: Reason::First,
            assessor: "评估员".into(),
            organisation: String::new(),
            answers,
            outcome,
            recorded_by: "bench".into(),
            recorded_at: chrono::Utc::now(),
        };
        elder.add_assessment(&a, &actor).await?;
        assessed += 1;
    }
    println!(
        "set-up: {institutions} institutions ({beds} beds) in {} counties, {residents} residents, {assessed} assessments ({} 特困 persons) in {:.1} s",
        counties.len(),
        tekun.len(),
        t.elapsed().as_secs_f64()
    );

    // The indicators of the city, as the city's page asks for them.
    let city_code = RegionCode::parse("2101").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let admin = Principal { name: "bench".into(), role: Role::CityAdmin, region: city_code.clone() };
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let figures = minzheng_server::eldercare::service::county_indicators(store.as_ref(), &admin, None, today)
            .await
            .map_err(|e| anyhow::anyhow!(minzheng_domain::Bilingual::both(&e)))?;
        times.push(t.elapsed());
        rows = figures.len();
        if let Some(all) = figures.last() {
            if times.len() == 1 {
                println!(
                    "city: {} elders, {} institutions, {} beds, {} residents, {:.1} beds per 1,000 elders, occupancy {:.1}%",
                    all.elders,
                    all.institutions,
                    all.beds.total,
                    all.residents,
                    all.beds_per_thousand.unwrap_or(0.0),
                    all.occupancy.unwrap_or(0.0) * 100.0
                );
            }
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "indicators of {rows} rows (counties and the city): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} rounds",
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
        ms(times[times.len() - 1]),
        times.len()
    );
    drop(store);
    if std::env::var_os("MINZHENG_BENCH_KEEP").is_some() {
        println!("kept: {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}
