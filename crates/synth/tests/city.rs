//! The synthetic city looks like a real one: the same seed gives the same city, households have
//! realistic shapes, every ID number is valid, unique and consistent with its person.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_domain::{HouseholdKind, IdNumber, Person, Region, RegionLevel, Relation};
use minzheng_synth::{generate, AnomalyKind, Config};
use std::collections::{HashMap, HashSet};

fn regions() -> Vec<Region> {
    minzheng_domain::region::tree::liaoning()
}

#[test]
fn the_same_seed_gives_the_same_city_and_another_seed_another() {
    let r = regions();
    let a = generate(&r, &Config::new(5_000, 42)).expect("city");
    let b = generate(&r, &Config::new(5_000, 42)).expect("city");
    let c = generate(&r, &Config::new(5_000, 43)).expect("city");
    assert_eq!(a.persons, b.persons);
    assert_eq!(a.households, b.households);
    assert_eq!(a.anomalies, b.anomalies);
    assert_ne!(a.persons, c.persons);
}

#[test]
fn persons_have_valid_unique_ids_consistent_with_birth_and_sex() {
    let city = generate(&regions(), &Config::new(30_000, 1)).expect("city");
    assert!(city.persons.len() >= 30_000 && city.persons.len() < 30_010);
    let mut seen = HashSet::new();
    for p in &city.persons {
        assert!(seen.insert(p.id_number), "duplicate ID");
        assert_eq!(IdNumber::parse(p.id_number.as_str()), Ok(p.id_number));
        assert_eq!(p.id_number.birth_date(), p.birth_date);
        assert_eq!(p.id_number.sex(), p.sex);
        assert!(minzheng_domain::registry::parse_name(&p.name).is_ok(), "{}", p.name);
    }
    // Most were born where they live (the county of the hukou), a few elsewhere.
    let local = city.persons.iter().filter(|p| p.id_number.area_code() == &p.hukou_region.as_str()[..6]).count();
    let share = local as f64 / city.persons.len() as f64;
    assert!((0.7..0.9).contains(&share), "{share}");
}

#[test]
fn households_have_realistic_shapes_on_the_real_shenyang_tree() {
    let r = regions();
    let communities: HashMap<&str, &Region> =
        r.iter().filter(|x| x.level == RegionLevel::Community).map(|x| (x.code.as_str(), x)).collect();
    let city = generate(&r, &Config::new(50_000, 7)).expect("city");
    let mut members: HashMap<&str, Vec<&Person>> = HashMap::new();
    for p in &city.persons {
        members.entry(p.household_no.as_deref().expect("every person has a household")).or_default().push(p);
    }
    assert_eq!(members.len(), city.households.len());
    let mut counties = HashSet::new();
    for h in &city.households {
        let c = communities.get(h.community.as_str()).expect("a real community");
        assert!(h.community.as_str().starts_with("2101"), "in Shenyang");
        counties.insert(&h.community.as_str()[..6]);
        let m = &members[h.household_no.as_str()];
        assert_eq!(m.iter().filter(|p| p.relation == Relation::Head).count(), 1, "one head");
        assert_eq!(h.head, m.iter().find(|p| p.relation == Relation::Head).map(|p| p.id_number));
        let rural = c.name.ends_with("委员会") && c.name.contains("村民") || c.name.ends_with("村委会") || c.name.ends_with('村');
        assert_eq!(h.kind == HouseholdKind::Rural, rural, "{}", c.name);
    }
    assert_eq!(counties.len(), 13, "all 13 counties of Shenyang have residents");
    let average = city.persons.len() as f64 / city.households.len() as f64;
    assert!((2.2..3.2).contains(&average), "average household size {average}");
    let as_of = Config::new(1, 1).as_of;
    let elders = city.persons.iter().filter(|p| p.id_number.age_on(as_of) >= 60).count() as f64 / city.persons.len() as f64;
    assert!((0.2..0.4).contains(&elders), "share of 60+ {elders}");
    let disabled = city.persons.iter().filter(|p| p.disability.is_some()).count() as f64 / city.persons.len() as f64;
    assert!((0.03..0.09).contains(&disabled), "share disabled {disabled}");
    let single_elders = city.persons.iter().filter(|p| p.tags.iter().any(|t| t == "独居老人")).count();
    assert!(single_elders > 0);
}

#[test]
fn planted_anomalies_follow_the_requested_share_and_are_in_the_data() {
    let r = regions();
    let dirty = generate(&r, &Config::new(20_000, 5)).expect("city");
    let mut config = Config::new(20_000, 5);
    config.anomaly_share = 0.0;
    let clean = generate(&r, &config).expect("city");
    assert!(clean.anomalies.is_empty());
    assert!(!dirty.anomalies.is_empty());
    let kinds: HashSet<AnomalyKind> = dirty.anomalies.iter().map(|a| a.kind).collect();
    for k in [AnomalyKind::IdOneDigit, AnomalyKind::IdTransposition, AnomalyKind::NameVariant, AnomalyKind::DeceasedStillRegistered] {
        assert!(kinds.contains(&k), "{k:?} planted");
    }
    for a in &dirty.anomalies {
        if a.dataset == "enrolments" {
            // Listed on the roster in two households' enrolments of one program.
            let listed: HashSet<&str> =
                dirty.roster.rows.iter().filter(|r| r[4] == a.recorded_id && r[0] == "dibao").map(|r| r[1].as_str()).collect();
            assert_eq!(listed.len(), 2, "{a:?} is listed in two households");
            continue;
        }
        let table = dirty.datasets.iter().find(|t| t.name == a.dataset).expect("dataset");
        assert!(table.rows.iter().any(|row| row[0] == a.recorded_id && row[1] == a.recorded_name), "{a:?} is in {}", a.dataset);
        match a.kind {
            AnomalyKind::IdOneDigit | AnomalyKind::IdTransposition => {
                assert!(IdNumber::parse(&a.recorded_id).is_err(), "the check character catches {a:?}")
            }
            AnomalyKind::IdLegacy15 => assert_eq!(IdNumber::parse(&a.recorded_id), Ok(a.true_id)),
            AnomalyKind::NameVariant => assert_ne!(a.recorded_name, a.true_name),
            _ => {}
        }
    }
    // A person deceased in the data but alive in the registry.
    let deceased_alive = dirty.anomalies.iter().find(|a| a.kind == AnomalyKind::DeceasedStillRegistered).expect("planted");
    let p = dirty.persons.iter().find(|p| p.id_number == deceased_alive.true_id).expect("person");
    assert_eq!(p.status, minzheng_domain::PersonStatus::Alive);
}
