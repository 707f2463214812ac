//! The demo's funeral records in 浑南区 (210112): a death certificate for each death the registry
//! holds this year (certified by the hospital, the community health centre or the police as the
//! place and cause require) and a cremation for about 97 in 100 of them, at the city's funeral
//! home, with the ashes' destinations spread over cemetery, columbarium and eco burials; the
//! relief of each is worked out like any other, from the deceased's benefits in the month of
//! death and the dated standards. Deaths of the last few days and one in about 35 are left
//! uncremated (the overdue list). The registry's deaths are recorded straight in the store: the
//! synthetic city plants "deceased but still paid" for the comparison to find, which a death
//! taking effect would hide. Synthetic and deterministic.

use super::model::{groups, groups_of, relief, Ashes, Cause, Certifier, CremationReport, DeathPlace, DeathRecord};
use super::service;
use super::store::{funeral_store, CremationRecord};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_domain::{IdNumber, RegionCode};
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
        let programs: Vec<String> = enrolments
            .iter()
            .filter(|e| e.paid_for(u.died_on) && e.members.iter().any(|m| m.id_number.as_str() == u.id_number && m.paid_for(u.died_on)))
            .map(|e| e.program.clone())
            .collect();
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
    Ok(format!(
        "浑南区本年死亡登记 {recorded} 人，火化 {cremated} 人（节地生态安葬 {eco}，惠民殡葬减免 {relieved}）/ \
         浑南 this year: {recorded} deaths recorded, {cremated} cremated ({eco} eco burials, {relieved} relieved)"
    ))
}
