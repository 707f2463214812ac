//! The demo's marriage registrations at 浑南区's office (210112): unmarried men and women of the
//! county's registry, paired in the order of their ID numbers, registered on days spread over the
//! year so far through the same use case as the counter (so the registry's checks, the numbering
//! and the comparison's rows all apply); a few refused for age; divorce applications at every
//! stage: cooling off, waiting for the certificate, certified, withdrawn and lapsed. Synthetic and
//! deterministic.

use super::model::{Declared, DivorceApplication, HouseholdChange, MarriageApplication};
use super::service;
use super::store::marriage_store;
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_app::cases::Catalogue;
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, Person, PersonStatus, Principal, RegionCode, Relation, Role, Sex};
use minzheng_store::{Actor, PersonQuery, Store};

/// Loads the demo's registrations; returns the summary line.
pub async fn load(store: &dyn Store, catalogue: &Catalogue, today: NaiveDate) -> Result<String, String> {
    let fail = |e: minzheng_store::StoreError| e.to_string();
    let county = RegionCode::parse("210112").map_err(|e| e.to_string())?;
    if !marriage_store(store).recent_marriages(&county, 1).await.map_err(fail)?.is_empty() {
        return Ok("已有婚姻登记 / registrations already loaded".into());
    }
    let registrar = Principal { name: "demo_marriage_registrar".into(), role: Role::CountyApprover, region: county.clone() };
    let actor = Actor::new("demo_marriage_registrar");
    // Unmarried adults of the county: living, not a head with a spouse nor a spouse, by age.
    let mut men: Vec<Person> = Vec::new();
    let mut women: Vec<Person> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .search_persons(&PersonQuery { region: Some(county.clone()), limit: 5000, after: after.clone(), ..Default::default() })
            .await
            .map_err(fail)?;
        for p in &page.items {
            let age = p.id_number.age_on(today);
            if p.status != PersonStatus::Alive || !matches!(p.relation, Relation::Child | Relation::Grandchild) {
                continue;
            }
            match p.sex {
                Sex::Male if (23..=38).contains(&age) => men.push(p.clone()),
                Sex::Female if (21..=36).contains(&age) => women.push(p.clone()),
                _ => {}
            }
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        if men.len() >= 400 && women.len() >= 400 {
            break;
        }
    }
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 5).unwrap_or(today);
    let span = (today - start).num_days().max(1);
    let pairs = men.len().min(women.len()).min(240);
    let mut married = Vec::new();
    for i in 0..pairs {
        let (m, w) = (&men[i], &women[i]);
        if m.household_no.is_some() && m.household_no == w.household_no {
            continue;
        }
        let on = start + Duration::days(i64::try_from(i).unwrap_or(0) * span / i64::try_from(pairs).unwrap_or(1));
        let app = MarriageApplication {
            first_id: m.id_number.to_string(),
            first_name: m.name.clone(),
            first_declared: Declared::Single,
            second_id: w.id_number.to_string(),
            second_name: w.name.clone(),
            second_declared: Declared::Single,
            both_present: true,
            declarations_signed: true,
            household_change: HouseholdChange::None,
            kinship_note: String::new(),
            appointment: None,
        };
        match service::register_marriage(store, catalogue, &RequestContext::new(&registrar, &actor, on), app).await {
            Ok(r) => married.push(r.marriage),
            Err(service::MarriageFailure::Store(e)) => return Err(e.to_string()),
            Err(_) => {}
        }
    }
    // Refused: a man of 20 with a woman of the list's end.
    let mut refused = 0;
    for (i, m) in men.iter().rev().take(3).enumerate() {
        let young = minzheng_domain::IdNumber::from_parts(
            210112,
            today - Duration::days(20 * 366),
            700 + u16::try_from(i).unwrap_or(0) * 10,
            Sex::Male,
        );
        let app = MarriageApplication {
            first_id: young.to_string(),
            first_name: "刘小宇".into(),
            first_declared: Declared::Single,
            second_id: women.get(pairs + i).map_or_else(|| m.id_number.to_string(), |w| w.id_number.to_string()),
            second_name: women.get(pairs + i).map_or_else(|| m.name.clone(), |w| w.name.clone()),
            second_declared: Declared::Single,
            both_present: true,
            declarations_signed: true,
            household_change: HouseholdChange::None,
            kinship_note: String::new(),
            appointment: None,
        };
        let on = today - Duration::days(i64::try_from(i).unwrap_or(0) * 20 + 3);
        if matches!(
            service::register_marriage(store, catalogue, &RequestContext::new(&registrar, &actor, on), app).await,
            Err(service::MarriageFailure::Refused(_))
        ) {
            refused += 1;
        }
    }
    // Divorce applications of the earliest marriages at every stage.
    let stages: [(i64, Option<i64>, bool); 6] =
        [(8, None, false), (20, None, false), (40, None, false), (75, Some(33), false), (90, Some(40), false), (50, None, true)];
    let mut divorces = 0;
    for (m, (ago, certify_after, withdraw)) in married.iter().zip(stages.iter()) {
        let received = today - Duration::days(*ago);
        if received < m.registered_on {
            continue;
        }
        let app = DivorceApplication {
            first_id: m.first.id_number.clone(),
            first_name: m.first.name.clone(),
            second_id: m.second.id_number.clone(),
            second_name: m.second.name.clone(),
            marriage_certificate_no: m.certificate_no.clone(),
            both_present: true,
            agreement_signed: true,
        };
        let d = service::apply_divorce(store, &RequestContext::new(&registrar, &actor, received), app).await.map_err(|e| e.zh())?;
        divorces += 1;
        if let Some(after) = certify_after {
            service::certify_divorce(
                store,
                catalogue,
                &RequestContext::new(&registrar, &actor, received + Duration::days(*after)),
                d.id,
                true,
            )
            .await
            .map_err(|e| e.zh())?;
        } else if *withdraw {
            service::withdraw_divorce(store, &RequestContext::new(&registrar, &actor, received + Duration::days(12)), d.id, "second")
                .await
                .map_err(|e| e.zh())?;
        }
    }
    // One received long ago and let lapse.
    if let Some(m) = married.get(stages.len()) {
        let received = today - Duration::days(80);
        if received >= m.registered_on {
            let app = DivorceApplication {
                first_id: m.first.id_number.clone(),
                first_name: m.first.name.clone(),
                second_id: m.second.id_number.clone(),
                second_name: m.second.name.clone(),
                marriage_certificate_no: m.certificate_no.clone(),
                both_present: true,
                agreement_signed: true,
            };
            service::apply_divorce(store, &RequestContext::new(&registrar, &actor, received), app).await.map_err(|e| e.zh())?;
            divorces += 1;
        }
    }
    marriage_store(store).lapse_divorces(today, &Actor::system()).await.map_err(fail)?;
    Ok(format!(
        "结婚登记 {} 对，不予登记 {refused} 件，离婚申请 {divorces} 件 / {} marriages, {refused} refused, {divorces} divorce applications",
        married.len(),
        married.len()
    ))
}
