//! The demo's funeral records in 浑南区 (210112): a death certificate for each death the registry
//! holds this year (certified by the hospital, the community health centre or the police as the
//! place and cause require) and a cremation for about 97 in 100 of them, at the city's funeral
//! home, with the ashes' destinations spread over cemetery, columbarium and eco burials; the
//! relief of each is worked out like any other, from the deceased's benefits in the month of
//! death and the dated standards. Deaths of the last few days and one in about 35 are left
//! uncremated (the overdue list). The registry's deaths are recorded straight in the store: the
//! synthetic city plants "deceased but still paid" for the comparison to find, which a death
//! taking effect would hide. Then six recent deaths of 低保 and 特困 elders are recorded as the
//! county would, so that they take effect (allowances stopped, change cases opened): four
//! cremated with their relief, two left past the due days. Synthetic and deterministic.

use super::model::{groups, groups_of, relief, Ashes, Cause, Certifier, CremationReport, DeathPlace, DeathRecord};
use super::service;
use super::store::{funeral_store, CremationRecord};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, RegionCode};
use minzheng_store::{Actor, Store};

/// A small deterministic spread from a person's ID number.
fn spread(id: &str, salt: u64) -> u64 {
    id.bytes().fold(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15), |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3))
}

/// Loads the demo's funeral records; returns the summary line.
pub async fn load(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    let county = RegionCode::parse("210112").map_err(|e| e.to_string())?;
    let actor = Actor::new("demo_funeral_clerk");
    let funeral = funeral_store(store);
    let fail = |e: minzheng_store::StoreError| e.to_string();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let (deaths, _) = funeral.uncremated(&county, year_start, today, 100_000).await.map_err(fail)?;
    let ids: Vec<IdNumber> = deaths.iter().filter_map(|d| IdNumber::parse(&d.id_number).ok()).collect();
    let enrolments = store.enrolments_of(&ids).await.map_err(fail)?;
    let records = store.parameter_records().await.map_err(fail)?;
    let standards = |on: NaiveDate| service::standards(&records, &county, on);
    let paid = |id: &str, day: NaiveDate| -> Vec<String> {
        enrolments
            .iter()
            .filter(|e| e.paid_for(day) && e.members.iter().any(|m| m.id_number.as_str() == id && m.paid_for(day)))
            .map(|e| e.program.clone())
            .collect()
    };
    let (mut recorded, mut cremated, mut eco, mut relieved) = (0, 0, 0, 0);
    for u in &deaths {
        if funeral.death_of(&u.id_number).await.map_err(fail)?.is_some() {
            continue;
        }
        // One in about 35 is left for the overdue list, half of them without a certificate.
        let left = spread(&u.id_number, 11).is_multiple_of(35);
        if left && spread(&u.id_number, 29).is_multiple_of(2) {
            continue;
        }
        let r = spread(&u.id_number, 3) % 100;
        let (place, cause, certifier, org) = match r {
            0..=54 => (DeathPlace::Hospital, Cause::Disease, Certifier::Hospital, "中国医科大学附属盛京医院"),
            55..=89 => (DeathPlace::Home, Cause::Disease, Certifier::CommunityHealth, "浑南区社区卫生服务中心"),
            90..=94 => (DeathPlace::Elsewhere, Cause::Disease, Certifier::CommunityHealth, "浑南区社区卫生服务中心"),
            _ => (DeathPlace::Elsewhere, Cause::Unnatural, Certifier::Police, "沈阳市公安局浑南分局"),
        };
        let death = DeathRecord {
            id: 0,
            id_number: u.id_number.clone(),
            name: u.name.clone(),
            community: u.community.clone(),
            died_on: u.died_on,
            place,
            cause,
            certifier,
            certifier_org: org.into(),
            certificate_no: format!("E{}{:07}", u.died_on.format("%Y"), spread(&u.id_number, 5) % 10_000_000),
            programs: paid(&u.id_number, u.died_on),
            recorded_by: actor.name.clone(),
            recorded_on: u.died_on,
        };
        let death_id = funeral.add_death(&death, &actor).await.map_err(fail)?;
        recorded += 1;
        // The last few days' deaths wait.
        let wait = 1 + spread(&u.id_number, 9) % 4;
        if u.died_on + Duration::days(wait as i64 + 1) > today || left {
            continue;
        }
        let received_on = u.died_on;
        let cremated_on = u.died_on + Duration::days(wait as i64);
        let ashes = match spread(&u.id_number, 13) % 100 {
            0..=44 => Ashes::Cemetery,
            45..=74 => Ashes::Columbarium,
            75..=84 => Ashes::Sea,
            85..=92 => Ashes::Tree,
            93..=97 => Ashes::Lawn,
            _ => Ashes::TakenHome,
        };
        let report = CremationReport {
            funeral_home: "沈阳市殡仪馆".into(),
            received_on,
            transport_km: (5 + spread(&u.id_number, 17) % 30) as u32,
            cremated_on,
            coffin: spread(&u.id_number, 19).is_multiple_of(3),
            urn: true,
            ashes,
            storage_years: if ashes == Ashes::Columbarium { (1 + spread(&u.id_number, 23) % 5) as u32 } else { 0 },
            declared: Vec::new(),
            declared_proof: String::new(),
        };
        let programs = paid(&u.id_number, u.died_on);
        let tags: Vec<String> = Vec::new();
        let in_groups = groups_of(groups(), &programs, &tags, &[]).map_err(|e| e.to_string())?;
        let relief = relief(&standards(u.died_on), &report, in_groups);
        eco += u64::from(ashes.eco());
        relieved += u64::from(relief.funeral_home_fen > 0);
        let record = CremationRecord {
            id: 0,
            id_number: u.id_number.clone(),
            death_id: Some(death_id),
            name: u.name.clone(),
            community: u.community.clone(),
            died_on: u.died_on,
            report,
            relief,
            certificate_no: String::new(),
            recorded_by: actor.name.clone(),
            recorded_at: chrono::Utc::now(),
        };
        funeral.add_cremation(&record, &actor).await.map_err(fail)?;
        cremated += 1;
    }
    let (planted, stopped) = plant(store, &county, today).await?;
    Ok(format!(
        "浑南区本年死亡登记 {recorded} 人，火化 {cremated} 人（节地生态安葬 {eco}，惠民殡葬减免 {relieved}）；\
         另登记近期死亡的低保、特困老人 {planted} 人（停发或变更 {stopped} 项，其中 2 人逾期未火化）/ \
         浑南 this year: {recorded} deaths recorded, {cremated} cremated ({eco} eco burials, {relieved} relieved); \
         {planted} recent deaths of 低保 and 特困 elders recorded ({stopped} benefits stopped or changed, 2 not cremated in time)"
    ))
}

/// Recent deaths of 低保 and 特困 elders of the district, recorded as the county would (so that
/// they take effect: allowances stopped, change cases opened), four cremated with their relief
/// and two left past the due days.
async fn plant(store: &dyn Store, county: &RegionCode, today: NaiveDate) -> Result<(u64, u64), String> {
    use minzheng_domain::{PersonStatus, Principal, Role};
    let clerk = Principal { name: "demo_funeral_clerk".into(), role: Role::CountyApprover, region: county.clone() };
    let actor = Actor::new(&clerk.name);
    let catalogue = minzheng_app::cases::Catalogue::shenyang();
    let born_by = today - Duration::days(70 * 365);
    // Enrolled elders, in a stable order.
    let mut candidates: Vec<(u64, IdNumber)> = Vec::new();
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(county, after, 10_000).await.map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in page.iter().filter(|e| matches!(e.program.as_str(), "dibao" | "tekun") && e.paid_for(today)) {
            candidates.extend(e.members.iter().filter(|m| m.end.is_none()).map(|m| (spread(m.id_number.as_str(), 31), m.id_number)));
        }
    }
    candidates.sort();
    let ids: Vec<IdNumber> = candidates.iter().map(|(_, id)| *id).collect();
    let mut persons = store.persons_by_id(&ids).await.map_err(|e| e.to_string())?;
    persons.retain(|p| p.status == PersonStatus::Alive && p.birth_date <= born_by);
    persons.sort_by_key(|p| spread(p.id_number.as_str(), 31));
    let (mut planted, mut stopped) = (0, 0);
    for (n, p) in persons.iter().take(6).enumerate() {
        let died = today - Duration::days([34, 27, 21, 16, 12, 9][n]);
        let report = super::model::DeathReport {
            id_number: p.id_number.to_string(),
            died_on: died,
            place: if n % 2 == 0 { DeathPlace::Hospital } else { DeathPlace::Home },
            cause: Cause::Disease,
            certifier: if n % 2 == 0 { Certifier::Hospital } else { Certifier::CommunityHealth },
            certifier_org: if n % 2 == 0 { "沈阳市第四人民医院".into() } else { "浑南区社区卫生服务中心".into() },
            certificate_no: format!("E{}{:07}", died.format("%Y"), spread(p.id_number.as_str(), 37) % 10_000_000),
        };
        let done =
            service::record_death(store, &catalogue, &RequestContext::new(&clerk, &actor, today), report).await.map_err(|e| e.both())?;
        planted += 1;
        stopped += done.effects.len() as u64;
        if n >= 4 {
            continue;
        }
        let ashes = [Ashes::Columbarium, Ashes::Cemetery, Ashes::Tree, Ashes::Sea][n];
        let report = CremationReport {
            funeral_home: "沈阳市殡仪馆".into(),
            received_on: died,
            transport_km: [12, 18, 26, 9][n],
            cremated_on: died + Duration::days([3, 2, 4, 3][n]),
            coffin: n != 2,
            urn: true,
            ashes,
            storage_years: if ashes == Ashes::Columbarium { 3 } else { 0 },
            declared: Vec::new(),
            declared_proof: String::new(),
        };
        service::record_cremation(store, &RequestContext::new(&clerk, &actor, today), done.death.id, report).await.map_err(|e| e.both())?;
    }
    Ok((planted, stopped))
}
