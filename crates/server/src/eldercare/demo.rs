//! The demo's elderly care in 浑南区 (210112), built to the figures of the district's plan (seed
//! 001): a public county home for 特困 persons (区中心敬老院) and private institutions, with beds
//! for about 80 per 1,000 elders (home beds included) and about 45% of them nursing-type; an
//! ability assessment of every 特困 person of the district and of some other elders (a spread
//! of levels, deterministic); about 60% of the dependent 特困 persons in concentrated support (the
//! plan's 2025 target) and other elders filling the homes to about 55% (the seeds' occupancy
//! target), this year's inspections (one to put right, the last home overdue). Synthetic and
//! deterministic: the summary says what was planted, and the indicators
//! page computes its figures from these records like any others.

use super::assessment::{assess, Answers, Reason, ITEMS};
use super::model::{Beds, Filing, Ownership};
use super::service::{self, Admission, TEKUN};
use super::store::{eldercare_store, AssessmentRecord};
use chrono::{Datelike, Months, NaiveDate};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Principal, RegionCode, Role};
use minzheng_store::{Actor, PersonQuery, Store};
use std::collections::BTreeSet;

/// A small deterministic spread from a person's ID number.
fn spread(id: &str, salt: u64) -> u64 {
    id.bytes().fold(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15), |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

/// Scores for a person: most elders are well; one in four 特困 persons loses several daily
/// activities, one in ten is wholly dependent.
fn scores_for(id: &str, tekun: bool) -> Vec<u8> {
    let mut s: Vec<u8> = ITEMS.iter().map(|i| i.max()).collect();
    let r = spread(id, 7) % 100;
    let lost: &[usize] = match (tekun, r) {
        (true, 0..=9) => &[0, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 15, 23, 24],
        (true, 10..=34) | (false, 0..=4) => &[2, 4, 10, 11, 24],
        (_, 35..=59) | (false, 5..=29) => &[11, 24],
        _ => &[],
    };
    for &i in lost {
        s[i] = (spread(id, i as u64) % 2) as u8;
    }
    s
}

/// Loads the demo's elderly care; returns the summary line.
pub async fn load(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    let county = RegionCode::parse("210112").map_err(|e| e.to_string())?;
    let clerk = Principal { name: "demo_eldercare_clerk".into(), role: Role::CountyApprover, region: county.clone() };
    let actor = Actor::new(&clerk.name);
    let fail = |e: service::EldercareFailure| e.both();
    let elder = eldercare_store(store);

    // The district's elders and 特困 persons.
    let figures = service::county_indicators(store, &clerk, Some(&county), today).await.map_err(fail)?;
    let elders = figures.first().map_or(0, |f| f.elders);
    let mut tekun = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&county, after, 10_000).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.id;
        tekun.extend(page.into_iter().filter(|e| e.program == TEKUN && e.paid_for(today)));
    }
    let tekun_ids: BTreeSet<String> = tekun.iter().flat_map(|e| e.members.iter().map(|m| m.id_number.to_string())).collect();
    let tekun_persons = store
        .persons_by_id(&tekun.iter().flat_map(|e| e.members.iter().map(|m| m.id_number)).collect::<Vec<_>>())
        .await
        .map_err(|e| e.to_string())?;
    let sixty = today.checked_sub_months(Months::new(60 * 12)).unwrap_or(today);
    let mut others = Vec::new();
    let mut cursor = None;
    while others.len() < 2_000 {
        let page = store
            .search_persons(&PersonQuery { region: Some(county.clone()), after: cursor.clone(), limit: 1000, ..Default::default() })
            .await
            .map_err(|e| e.to_string())?;
        others.extend(page.items.into_iter().filter(|p| {
            p.birth_date <= sixty && p.status == minzheng_domain::PersonStatus::Alive && !tekun_ids.contains(p.id_number.as_str())
        }));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }

    // Beds for 80 per 1,000 elders, a tenth of them home beds; the county home takes a sixth.
    let wanted = (elders * 80 / 1000).max(60) as i64;
    let home_beds = wanted / 10;
    let residential = wanted - home_beds;
    // Where each person lives (the community of their household).
    let nos: Vec<String> =
        others.iter().chain(tekun_persons.iter()).filter_map(|p| p.household_no.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let lives: std::collections::HashMap<String, RegionCode> =
        store.households(&nos).await.map_err(|e| e.to_string())?.into_iter().map(|h| (h.household_no, h.community)).collect();
    let community_of = |p: &minzheng_domain::Person| p.household_no.as_ref().and_then(|h| lives.get(h)).cloned();
    let communities: Vec<RegionCode> = lives.values().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let place = |i: usize| communities.get(i * 7 % communities.len().max(1)).cloned().unwrap_or_else(|| county.clone());
    let centre_beds = (residential / 6).max(20);
    let private = 6_i64;
    let mut plans = vec![("浑南区中心敬老院".to_string(), centre_beds, Ownership::Public, true, true)];
    let names = ["颐康养老院", "福寿园老年公寓", "康乐护理院", "夕阳红养老中心", "仁和颐养院", "松鹤老年公寓"];
    for (k, name) in names.iter().enumerate().take(private as usize) {
        let beds = (residential - centre_beds) / private + i64::from(k == 0) * ((residential - centre_beds) % private);
        let ownership = if k == 1 { Ownership::PublicBuiltPrivateRun } else { Ownership::Private };
        plans.push((format!("浑南区{name}"), beds.max(10), ownership, false, false));
    }
    let mut institutions = Vec::new();
    let first_admission = today.checked_sub_months(Months::new(30)).unwrap_or(today);
    for (k, (name, beds, ownership, tekun_home, centre)) in plans.into_iter().enumerate() {
        let filing = Filing {
            name,
            region: place(k),
            address: format!("浑南区示例路{}号", 10 + k * 11),
            legal_representative: ["王建国", "李淑华", "张立新", "赵明", "刘芳", "陈志强", "杨丽"][k % 7].into(),
            premises: if k % 2 == 0 { "自有产权".into() } else { "租赁至2035年12月".into() },
            beds: Beds { total: beds, nursing: beds * 45 / 100, day_care: 10, home: if k == 0 { home_beds } else { 0 } },
            floor_area: beds * 40,
            contact: format!("024-2378{:04}", 1000 + k),
            registration: format!("52210112MJY{:06}X", 100_000 + k),
            pledge: true,
            first_admission: Some(first_admission),
            ownership,
            tekun_home,
            regional_centre: centre,
        };
        let i = service::file(store, &RequestContext::new(&clerk, &actor, first_admission), filing).await.map_err(fail)?;
        let grade = [Some(4), Some(3), Some(3), None, Some(2), Some(3), None][k % 7];
        let i = service::grade(store, &RequestContext::new(&clerk, &actor, today), i.id, grade).await.map_err(fail)?;
        // This year's inspection: all passed but one to put right; the last home not yet
        // inspected this year (overdue).
        if k + 1 < 7 {
            let on = today - chrono::Duration::days(40 + 30 * k as i64);
            let rectify = k == 2;
            let inspection = super::model::Inspection {
                id: 0,
                institution_id: i.id,
                inspected_on: on,
                result: if rectify { super::model::InspectionResult::Rectify } else { super::model::InspectionResult::Passed },
                findings: if rectify { "消防通道堆放杂物；部分房间未安装紧急呼叫装置".into() } else { String::new() },
                inspector: "浑南区民政局养老服务科 周敏、吴刚".into(),
                rectify_by: rectify.then(|| on + chrono::Duration::days(30)),
            };
            service::inspect(store, &RequestContext::new(&clerk, &actor, today), i.id, inspection).await.map_err(fail)?;
        }
        institutions.push(i);
    }

    // Assessments: every 特困 person, and one in three other elders, over the past year.
    let mut assessed = 0;
    let mut dependent_tekun = Vec::new();
    let subjects: Vec<(&minzheng_domain::Person, bool)> =
        tekun_persons.iter().map(|p| (p, true)).chain(others.iter().step_by(3).map(|p| (p, false))).collect();
    for (p, is_tekun) in subjects {
        let Some(community) = community_of(p) else { continue };
        let answers = Answers {
            scores: scores_for(p.id_number.as_str(), is_tekun),
            coma: false,
            dementia: false,
            mental_disorder: false,
            risk_events: 0,
        };
        let outcome = assess(&answers).map_err(|e| e.both())?;
        if is_tekun && outcome.self_care_failed >= 1 {
            dependent_tekun.push(p.id_number.to_string());
        }
        let days = spread(p.id_number.as_str(), 3) % 330 + 5;
        let record = AssessmentRecord {
            id: 0,
            id_number: p.id_number.to_string(),
            name: p.name.clone(),
            community: community.to_string(),
            assessed_on: today - chrono::Duration::days(days as i64),
            reason: Reason::First,
            assessor: "周评估、吴评估".into(),
            organisation: "浑南区老年人能力评估中心（示例）".into(),
            answers,
            outcome,
            recorded_by: clerk.name.clone(),
            recorded_at: chrono::Utc::now(),
        };
        elder.add_assessment(&record, &actor).await.map_err(|e| e.to_string())?;
        assessed += 1;
    }

    // 60% of the dependent 特困 persons in the county home (then the others), concentrated;
    // other elders fill every home to about 55%.
    let admitted_on = today.checked_sub_months(Months::new(6)).unwrap_or(today);
    let concentrated_target = dependent_tekun.len() * 6 / 10;
    let mut concentrated = 0;
    let mut residents = 0;
    let mut homes = institutions.iter().map(|i| (i.id, i.filing.beds.total * 55 / 100, 0_i64)).collect::<Vec<_>>();
    for id in dependent_tekun.iter().take(concentrated_target) {
        let Some(slot) = homes.iter_mut().find(|(_, cap, n)| n < cap) else { break };
        let a = Admission { id_number: id.clone(), admitted_on, concentrated: true };
        if service::admit(store, &RequestContext::new(&clerk, &actor, today), slot.0, a).await.is_ok() {
            slot.2 += 1;
            concentrated += 1;
            residents += 1;
        }
    }
    let mut rest = others.iter().skip(1);
    for slot in homes.iter_mut() {
        while slot.2 < slot.1 {
            let Some(p) = rest.next() else { break };
            let a = Admission { id_number: p.id_number.to_string(), admitted_on, concentrated: false };
            if service::admit(store, &RequestContext::new(&clerk, &actor, today), slot.0, a).await.is_ok() {
                slot.2 += 1;
                residents += 1;
            }
        }
    }
    Ok(format!(
        "浑南区养老机构 {} 家、床位 {wanted} 张（按每千名老人80张），能力评估 {assessed} 人，入住 {residents} 人，其中失能半失能特困人员集中供养 {concentrated}/{} 人 / \
         {} institutions in 浑南区 with {wanted} beds (80 per 1,000 elders), {assessed} elders assessed, {residents} residents, \
         {concentrated} of {} dependent 特困 persons in concentrated support",
        institutions.len(),
        dependent_tekun.len(),
        institutions.len(),
        dependent_tekun.len(),
    ))
}

/// Loads the demo's purchased home care in 浑南区: three providers, service orders for the
/// entitled elders of the district (the first 40 the rules find, as the county's form would),
/// two months of visits: the month before last verified and settled, last month handed in with
/// part of its sample still to verify. Returns the summary line.
pub async fn load_homecare(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    use super::homecare::{Service, Verification, VisitReport};
    use super::homecare_service as hcs;
    use super::homecare_store::{homecare_store, Provider};
    let county = RegionCode::parse("210112").map_err(|e| e.to_string())?;
    let clerk = Principal { name: "demo_homecare_clerk".into(), role: Role::CountyApprover, region: county.clone() };
    let actor = Actor::new(&clerk.name);
    let fail = |e: hcs::HomecareFailure| e.both();
    let mut providers = Vec::new();
    for (name, reg) in [
        ("浑南区乐龄居家养老服务中心", "52210112MJY100001A"),
        ("浑南区康悦为老服务社", "52210112MJY100002B"),
        ("沈阳颐家居家养老服务有限公司", "91210112MA0100003C"),
    ] {
        let p = Provider { id: 0, name: name.into(), county: county.to_string(), registration: reg.into(), contact: "024-31230000".into() };
        providers.push(hcs::add_provider(store, &RequestContext::new(&clerk, &actor, today), p).await.map_err(fail)?);
    }
    let last = hcs::last_month(today);
    let before = hcs::last_month(last);
    // Entitled elders: members of 特困 and 低保 enrolments of the district, as the rules decide.
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&county, after, 10_000).await.map_err(|e| e.to_string())?;
        let Some(last_e) = page.last() else { break };
        after = last_e.id;
        for e in
            page.iter().filter(|e| matches!(e.program.as_str(), "tekun" | "dibao" | "dibao_single" | "dibao_edge") && e.paid_for(before))
        {
            ids.extend(e.members.iter().filter(|m| m.end.is_none()).map(|m| m.id_number));
        }
    }
    ids.sort_by_key(|id| spread(id.as_str(), 41));
    ids.dedup();
    let mut orders = Vec::new();
    for id in ids {
        if orders.len() >= 40 {
            break;
        }
        let provider = providers[orders.len() % providers.len()];
        match hcs::open_order(store, &RequestContext::new(&clerk, &actor, today), id.as_str(), provider, before).await {
            Ok((o, _)) => orders.push(o),
            Err(
                hcs::HomecareFailure::NotEntitled { .. }
                | hcs::HomecareFailure::NotLiving(_)
                | hcs::HomecareFailure::OpenOrder(_)
                | hcs::HomecareFailure::InCareHome { .. },
            ) => {}
            Err(e) => return Err(fail(e)),
        }
    }
    // Two months of visits: about twice a week, an hour or an hour and a half.
    let kinds = [Service::Cleaning, Service::Meals, Service::Visit, Service::Bathing, Service::MedicalEscort, Service::Rehabilitation];
    for month in [before, last] {
        let mut reports = Vec::new();
        for o in &orders {
            let visits = 6 + spread(&o.id_number, month.month().into()) % 5;
            for k in 0..visits {
                let served_on = month + chrono::Duration::days((k * 3 + spread(&o.id_number, k) % 2) as i64);
                if served_on >= today {
                    continue;
                }
                reports.push(VisitReport {
                    order_id: o.id,
                    served_on,
                    service: kinds[((spread(&o.id_number, k + 7)) % 6) as usize],
                    minutes: if spread(&o.id_number, k + 3).is_multiple_of(3) { 90 } else { 60 },
                    worker: ["孙阿姨", "李师傅", "周护理员"][(k % 3) as usize].into(),
                });
            }
        }
        hcs::record_visits(store, &RequestContext::new(&clerk, &actor, today), &reports).await.map_err(fail)?;
    }
    // The month before last: every drawn record called (one not confirmed), then settled.
    let community_worker = Principal { name: "demo_community_caller".into(), role: Role::CountyApprover, region: county.clone() };
    let caller = Actor::new(&community_worker.name);
    let (drawn, _) = hcs::samples(store, &community_worker, None, before, 10_000).await.map_err(fail)?;
    for (n, v) in drawn.iter().enumerate() {
        let (result, note) = if n == 0 { (Verification::Rejected, "老人称当日无人上门") } else { (Verification::Confirmed, "") };
        hcs::verify(store, &RequestContext::new(&community_worker, &caller, today), v.id, result, note).await.map_err(fail)?;
    }
    // (A small demo city may have no entitled elder: nothing to settle then.)
    let settled = match hcs::settle_month(store, &RequestContext::new(&clerk, &actor, today), before).await {
        Ok(list) => list,
        Err(hcs::HomecareFailure::Nothing) => Vec::new(),
        Err(e) => return Err(fail(e)),
    };
    // Last month: half of the drawn records called so far.
    let (drawn_last, _) = hcs::samples(store, &community_worker, None, last, 10_000).await.map_err(fail)?;
    for v in drawn_last.iter().step_by(2) {
        hcs::verify(store, &RequestContext::new(&community_worker, &caller, today), v.id, Verification::Confirmed, "")
            .await
            .map_err(fail)?;
    }
    let _ = homecare_store(store);
    let amount: i64 = settled.iter().map(|s| s.amount_fen).sum();
    Ok(format!(
        "浑南区居家养老服务机构 3 家、服务工单 {} 张；{}已结算 {} 元，{}待核验后结算 / 3 home-care providers and {} orders in 浑南区; {} settled ({} yuan), {} waiting for its verification",
        orders.len(),
        before.format("%Y年%-m月"),
        amount / 100,
        last.format("%Y年%-m月"),
        orders.len(),
        before.format("%Y-%m"),
        amount / 100,
        last.format("%Y-%m")
    ))
}
