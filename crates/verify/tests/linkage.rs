//! Linking a generated city's departmental data back to its registry, planted errors included:
//! the procedure a comparison officer runs, checked against the generator's answer key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests state their expectations by panicking")]

use minzheng_verify::linkage::Quality;
use minzheng_verify::{candidate_pairs, link, Band, IdRelation, Index, Model, NameLevel, Pair, Person, Record, Thresholds};

struct Setup {
    persons: Vec<Person>,
    records: Vec<Record>,
    /// Each record's true person in `persons`, when that person is registered.
    truth: Vec<Option<u32>>,
    /// Records with a planted error.
    dirty: Vec<bool>,
    index: Index,
    pairs: Vec<Pair>,
    /// The model estimated from these records.
    model: Model,
}

/// A city with a high share of dirty records; seven persons in ten are in the registry, so that
/// three records in ten have nobody to link to.
fn setup() -> &'static Setup {
    static SETUP: std::sync::OnceLock<Setup> = std::sync::OnceLock::new();
    SETUP.get_or_init(build)
}

fn build() -> Setup {
    let mut config = minzheng_synth::Config::new(30_000, 7);
    config.anomaly_share = 0.2;
    let city = minzheng_synth::generate(&minzheng_domain::region::tree::liaoning(), &config).expect("city");
    let case = city.linkage_case(|i| i % 10 < 7, usize::MAX);
    let persons: Vec<Person> = case.persons.into_iter().map(|(id, name)| Person { id, name }).collect();
    let records: Vec<Record> = case.records.into_iter().map(|(id, name)| Record { id, name }).collect();
    let index = Index::new(&persons);
    let pairs = candidate_pairs(&index, &persons, &records);
    let model = Model::estimate(&persons, &records, &pairs, 200_000, 1).model;
    Setup { persons, records, truth: case.truth, dirty: case.dirty, index, pairs, model }
}

#[test]
fn planted_errors_are_linked_back_to_the_right_person() {
    let s = setup();
    let links = link(&s.pairs, &s.model, Thresholds::default());

    let all = Quality::measure(&links, s.records.len(), |r| s.truth[r as usize]);
    assert!(all.precision() >= 0.995 && all.recall() >= 0.995, "all records: {all:?}");

    // The dirty records alone: those whose recorded ID or name differs from the truth.
    let dirty_links: Vec<_> = links.iter().copied().filter(|l| s.dirty[l.pair.record as usize]).collect();
    let dirty_truth = |r: u32| if s.dirty[r as usize] { s.truth[r as usize] } else { None };
    let q = Quality::measure(&dirty_links, s.records.len(), dirty_truth);
    assert!(q.linkable > 500, "enough planted errors to judge: {q:?}");
    assert!(q.precision() >= 0.995, "precision on planted errors: {q:?}");
    assert!(q.recall() >= 0.995, "recall on planted errors: {q:?}");
}

#[test]
fn the_weights_come_out_in_the_order_the_evidence_has() {
    let s = setup();
    let model = &s.model;
    let w = |n: NameLevel| model.name[n.index()].weight();
    assert!(w(NameLevel::Exact) > w(NameLevel::Variant) || w(NameLevel::Variant) > 0.0, "{model:?}");
    assert!(w(NameLevel::Exact) > 5.0, "an exact name is strong evidence: {model:?}");
    assert!(w(NameLevel::Different) < 0.0, "a different name is evidence against: {model:?}");
    assert_eq!(model.name[NameLevel::Missing.index()].weight(), 0.0);
    assert!(model.id[IdRelation::Same.index()].weight() > model.id[IdRelation::OneDigit.index()].weight(), "{model:?}");
}

#[test]
fn a_neighbouring_number_with_another_name_is_not_linked_and_the_score_is_explained() {
    let s = setup();
    let model = &s.model;

    // A record with one wrong digit and the registered name is linked…
    let person = &s.persons[0];
    let mut typo = person.id.as_str().as_bytes().to_vec();
    typo[15] = b'0' + (typo[15] - b'0' + 3) % 10;
    let typo = String::from_utf8(typo).expect("ascii");
    let records = vec![Record { id: typo.clone(), name: person.name.clone() }, Record { id: typo, name: "欧阳某某".into() }];
    let pairs = candidate_pairs(&s.index, &s.persons, &records);
    let links = link(&pairs, model, Thresholds::default());
    let first = links.iter().find(|l| l.pair.record == 0).expect("a candidate");
    assert_eq!((first.pair.person, first.pair.id, first.band), (0, IdRelation::OneDigit, Band::Match));
    // …the same number with a name that has nothing to do with the person is not.
    let second = links.iter().find(|l| l.pair.record == 1).expect("a candidate");
    assert_ne!(second.band, Band::Match, "{second:?}");

    let explanation = model.explain(&first.pair);
    let lines = explanation.lines();
    assert!(lines.iter().any(|l| l.contains("一位数字错误") && l.contains("one digit wrong")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("姓名完全一致")), "{lines:?}");
    let sum = explanation.prior_bits + explanation.fields.iter().map(|f| f.bits).sum::<f64>();
    assert!((sum - explanation.bits).abs() < 1e-9);
    assert!((explanation.probability - first.probability).abs() < 1e-12);
}

#[test]
fn a_record_with_a_pinyin_name_and_a_typed_number_links_to_its_person() {
    let s = setup();
    // A registered person recorded as a bank abroad writes them: the name in pinyin, given name
    // first, and two adjacent digits of the number swapped.
    let (i, p, pinyin) = s
        .persons
        .iter()
        .enumerate()
        .find_map(|(i, p)| {
            let surname_len = if p.name.chars().count() == 4 { 2 } else { 1 };
            let surname: String = p.name.chars().take(surname_len).collect();
            let given: String = p.name.chars().skip(surname_len).collect();
            Some((
                i,
                p,
                format!("{} {}", minzheng_verify::names::pinyin_of(&given)?, minzheng_verify::names::pinyin_of(&surname)?.to_uppercase()),
            ))
        })
        .expect("a person whose name has pinyin");
    let mut id = p.id.as_str().as_bytes().to_vec();
    let pos = (6..16).find(|&k| id[k] != id[k + 1]).expect("two different digits");
    id.swap(pos, pos + 1);
    let record = Record { id: String::from_utf8(id).expect("digits"), name: pinyin.clone() };
    let pairs = candidate_pairs(&s.index, &s.persons, std::slice::from_ref(&record));
    let best = pairs.iter().find(|x| x.person as usize == i).expect("the person is a candidate");
    assert_eq!((best.id, best.name), (IdRelation::Transposition, NameLevel::Pinyin), "{pinyin}");
    let links = link(&pairs, &s.model, Thresholds::default());
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].pair.person as usize, links[0].band), (i, Band::Match), "{pinyin}: {:?}", s.model.explain(&links[0].pair).lines());
}
