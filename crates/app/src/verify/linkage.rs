//! Linking departmental rows to registry persons (exact, then Fellegi–Sunter on what is left), and the review queue of uncertain links.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// How one departmental row was linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowLink {
    pub id_number: Option<IdNumber>,
    pub link: LinkKind,
    pub probability: u16,
    /// For a row linked (or proposed) by the fuzzy linkage: its score field by field (评分说明).
    pub explanation: Option<String>,
}

/// Clean rows sampled to train the linkage model beside the dirty ones.
pub(crate) const TRAINING_SAMPLE: usize = 20_000;

/// Below this many candidate pairs the batch is too small for EM.
pub(crate) const MIN_PAIRS_FOR_EM: usize = 1000;

/// A departmental row as the linkage reads it: the ID number and name as written, and the birth
/// date and sex where the file has them (出生日期, 性别: the key of a row without a number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordedRow {
    pub id: String,
    pub name: String,
    pub birth: Option<NaiveDate>,
    pub sex: Option<minzheng_domain::Sex>,
}

/// At most this many registry namesakes are read for a row without a number.
pub(crate) const NAMESAKES_READ: usize = 50_000;

/// Where the linkage looks for the person a row can be: the registry, or the rows of another
/// file (an analyst linking two departments' files to each other).
pub enum Population<'a> {
    Registry(&'a dyn Store),
    File(FilePopulation),
}

/// The persons of a file: each valid ID number once, with its name as the file first writes it.
#[derive(Debug, Default)]
pub struct FilePopulation {
    names: FastMap<IdNumber, String>,
    /// Simplified name → the persons of that name, in the file's order.
    by_name: HashMap<String, Vec<IdNumber>>,
    order: Vec<IdNumber>,
}

impl FilePopulation {
    pub fn of(rows: &[RecordedRow]) -> FilePopulation {
        let mut p = FilePopulation::default();
        for row in rows {
            let Ok(id) = IdNumber::parse(&row.id) else { continue };
            if p.names.contains_key(&id) {
                continue;
            }
            p.names.insert(id, row.name.clone());
            p.by_name.entry(minzheng_verify::names::simplified(&row.name)).or_default().push(id);
            p.order.push(id);
        }
        p
    }
    pub fn len(&self) -> usize {
        self.order.len()
    }
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl Population<'_> {
    /// The names of the persons with these numbers (those known).
    async fn named(&self, ids: &[IdNumber]) -> Result<Vec<(IdNumber, String)>, StoreError> {
        match self {
            Population::Registry(store) => {
                // Two reads in flight, each on its own connection: both cores at work.
                use futures_util::stream::{self, StreamExt, TryStreamExt};
                let pages: Vec<Vec<(IdNumber, String)>> =
                    stream::iter(ids.chunks(2000)).map(|chunk| store.person_names(chunk)).buffered(2).try_collect().await?;
                Ok(pages.into_iter().flatten().collect())
            }
            Population::File(f) => Ok(ids.iter().filter_map(|id| f.names.get(id).map(|n| (*id, n.clone()))).collect()),
        }
    }
    /// Up to `n` persons (the names the model's statistics start from).
    async fn sample(&self, n: u32) -> Result<Vec<(IdNumber, String)>, StoreError> {
        match self {
            Population::Registry(store) => Ok(store.scan_persons(None, n).await?.into_iter().map(|p| (p.id_number, p.name)).collect()),
            Population::File(f) => {
                Ok(f.order.iter().take(n as usize).filter_map(|id| f.names.get(id).map(|name| (*id, name.clone()))).collect())
            }
        }
    }
    /// The persons of a simplified name, at most [`NAMESAKES_READ`].
    async fn namesakes(&self, name: &str) -> Result<Vec<minzheng_verify::Person>, StoreError> {
        match self {
            Population::Registry(store) => {
                let mut namesakes = Vec::new();
                let mut after = None;
                while namesakes.len() < NAMESAKES_READ {
                    let page = store
                        .search_persons(&minzheng_store::PersonQuery {
                            name: Some(name.to_string()),
                            after: after.clone(),
                            limit: 1000,
                            ..Default::default()
                        })
                        .await?;
                    namesakes.extend(page.items.into_iter().map(|p| minzheng_verify::Person { id: p.id_number, name: p.name }));
                    match page.next {
                        Some(n) => after = Some(n),
                        None => break,
                    }
                }
                Ok(namesakes)
            }
            Population::File(f) => Ok(f
                .by_name
                .get(name)
                .map(|ids| {
                    ids.iter()
                        .take(NAMESAKES_READ)
                        .filter_map(|id| f.names.get(id).map(|n| minzheng_verify::Person { id: *id, name: n.clone() }))
                        .collect()
                })
                .unwrap_or_default()),
        }
    }
}

/// A linkage run: each row's link, the model it scored with (when the fuzzy linkage ran), how
/// many candidate pairs it weighed, and the time each phase took (seconds).
#[derive(Debug, Clone, Default)]
pub struct Linkage {
    pub links: Vec<RowLink>,
    pub model: Option<minzheng_verify::linkage::Model>,
    pub candidate_pairs: usize,
    pub phases: Vec<(&'static str, f64)>,
}

/// Links rows to registry persons: a valid registered number as it is; a dirty one through its
/// candidate numbers (check character, swaps, legacy form, day and month), scored by a
/// Fellegi–Sunter model estimated on this batch (the dirty rows and a sample of the clean ones,
/// whose registry names are read for it). A valid number that names nobody registered (month
/// and day swapped so that the check still holds) goes through the same linkage; when it finds
/// nobody likely, the row keeps its number as it is (a resident of elsewhere: a 居住证 holder,
/// an insured outsider). A row without a readable number is linked by name and birth date.
pub async fn link_rows(store: &dyn Store, rows: &[RecordedRow]) -> Result<Vec<RowLink>, StoreError> {
    Ok(link_rows_in(&Population::Registry(store), rows).await?.links)
}

/// [`link_rows`] against any population (the registry, or another file), with the model and the
/// phase times.
pub async fn link_rows_in(population: &Population<'_>, rows: &[RecordedRow]) -> Result<Linkage, StoreError> {
    let mut clock = std::time::Instant::now();
    let mut phases: Vec<(&'static str, f64)> = Vec::new();
    let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, f64)>| {
        phases.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let mut out: Vec<RowLink> = Vec::with_capacity(rows.len());
    let mut dirty: Vec<usize> = Vec::new();
    let mut valid: Vec<usize> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match IdNumber::parse(&row.id) {
            Ok(n) => {
                out.push(RowLink { id_number: Some(n), link: LinkKind::Exact, probability: 1000, explanation: None });
                valid.push(i);
            }
            Err(_) => {
                out.push(RowLink { id_number: None, link: LinkKind::Unlinked, probability: 0, explanation: None });
                dirty.push(i);
            }
        }
    }
    // The registered persons among the valid numbers (their names train the model).
    let mut ids: Vec<IdNumber> = valid.iter().filter_map(|&i| out[i].id_number).collect();
    ids.sort_unstable();
    ids.dedup();
    let registered: FastMap<IdNumber, String> = population.named(&ids).await?.into_iter().collect();
    // How often this department's people are ours (p₀ of a row without a number).
    let registered_share = if ids.is_empty() { 0.5 } else { registered.len() as f64 / ids.len() as f64 };
    let mut clean: Vec<usize> = Vec::new();
    let mut of_nobody: HashSet<usize> = HashSet::new();
    for i in valid {
        if out[i].id_number.is_some_and(|n| registered.contains_key(&n)) {
            if clean.len() < TRAINING_SAMPLE {
                clean.push(i);
            }
        } else {
            out[i].link = LinkKind::Unregistered;
            of_nobody.insert(i);
            dirty.push(i);
        }
    }
    lap("numbers", &mut phases);
    if dirty.is_empty() {
        return Ok(Linkage { links: out, phases, ..Linkage::default() });
    }
    dirty.sort_unstable();
    // The registry persons any of these rows can be.
    let mut persons: Vec<minzheng_verify::Person> = clean
        .iter()
        .filter_map(|&i| out[i].id_number)
        .filter_map(|id| registered.get(&id).map(|name| minzheng_verify::Person { id, name: name.clone() }))
        .collect();
    let mut wanted: Vec<IdNumber> = Vec::new();
    for &i in &dirty {
        for id in candidate_ids(&Recorded::read(&rows[i].id)) {
            match registered.get(&id) {
                Some(name) => persons.push(minzheng_verify::Person { id, name: name.clone() }),
                None => wanted.push(id),
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    persons.extend(population.named(&wanted).await?.into_iter().map(|(id, name)| minzheng_verify::Person { id, name }));
    persons.sort_unstable_by_key(|p| p.id);
    persons.dedup_by_key(|p| p.id);
    let order: Vec<usize> = dirty.iter().chain(clean.iter()).copied().collect();
    let records: Vec<minzheng_verify::Record> =
        order.iter().map(|&i| minzheng_verify::Record { id: rows[i].id.clone(), name: rows[i].name.clone() }).collect();
    let index = Index::new(&persons);
    let pairs = candidate_pairs(&index, &persons, &records);
    lap("candidates", &mut phases);
    let model = if pairs.len() >= MIN_PAIRS_FOR_EM {
        Model::estimate(&persons, &records, &pairs, 10_000, 0x6d7a).model
    } else {
        // Too few pairs to estimate from: EM's starting point, with u of names measured on
        // random pairs of registry persons.
        let sample: Vec<minzheng_verify::Person> =
            population.sample(5000).await?.into_iter().map(|(id, name)| minzheng_verify::Person { id, name }).collect();
        let names: Vec<minzheng_verify::Record> =
            sample.iter().rev().map(|p| minzheng_verify::Record { id: String::new(), name: p.name.clone() }).collect();
        Model::starting(&sample, &names, 10_000, 0x6d7a)
    };
    lap("model", &mut phases);
    for l in link(&pairs, &model, Thresholds::default()) {
        let Some(&row) = order.get(l.pair.record as usize) else { continue };
        if l.pair.record as usize >= dirty.len() {
            continue; // a clean row: used for training only
        }
        let person = persons[l.pair.person as usize].id;
        let probability = (l.probability * 1000.0).round().clamp(0.0, 1000.0) as u16;
        let explanation = Some(format!(
            "{} {}{}",
            person.masked(),
            model.explain(&l.pair).lines().join("；"),
            if l.ambiguous { "；另有候选人同样达到匹配阈值 / another candidate also reaches the threshold" } else { "" }
        ));
        out[row] = match l.band {
            Band::Match => RowLink { id_number: Some(person), link: LinkKind::Matched, probability, explanation },
            Band::Review => RowLink { id_number: Some(person), link: LinkKind::Review, probability, explanation },
            // A valid number that found nobody likely keeps its number (set above).
            Band::NonMatch if of_nobody.contains(&row) => continue,
            Band::NonMatch => RowLink { id_number: None, link: LinkKind::Unlinked, probability, explanation },
        };
    }
    lap("decide", &mut phases);
    // Rows without a readable number, and rows whose number fails its check and led to nobody:
    // by name and birth date (minzheng_verify::noid), the birth date from the file or else from
    // the number itself; taken name by name so that each name's registry namesakes are read once
    // and held only while its rows are linked. A valid number that names nobody keeps its
    // number (most such rows are people of elsewhere).
    let mut unnumbered: Vec<(String, usize, NaiveDate)> = dirty
        .iter()
        .filter_map(|&i| {
            let row = &rows[i];
            if row.name.trim().is_empty() || out[i].link != LinkKind::Unlinked || out[i].id_number.is_some() {
                return None;
            }
            let recorded = Recorded::read(&row.id);
            let birth = row.birth.or_else(|| birth_in_number(&recorded))?;
            Some((minzheng_verify::names::simplified(&row.name), i, birth))
        })
        .collect();
    unnumbered.sort();
    // Each name's namesakes read once, the next name's read while this one's rows are linked.
    let mut names: Vec<&str> = unnumbered.iter().map(|(n, _, _)| n.as_str()).collect();
    names.dedup();
    let mut reads = {
        use futures_util::stream::{self, StreamExt};
        stream::iter(names).map(|n| population.namesakes(n)).buffered(2)
    };
    let mut namesakes: Vec<minzheng_verify::Person> = Vec::new();
    let mut current: Option<&str> = None;
    for (name, i, birth) in &unnumbered {
        let (name, i, birth) = (name.as_str(), *i, *birth);
        if current != Some(name) {
            namesakes = futures_util::StreamExt::next(&mut reads).await.transpose()?.unwrap_or_default();
            current = Some(name);
        }
        let row = &rows[i];
        let written = if matches!(Recorded::read(&row.id), Recorded::Unreadable) && row.id.trim().chars().count() < 15 {
            ""
        } else {
            row.id.as_str()
        };
        let l =
            minzheng_verify::noid::link_without_id(written, &row.name, birth, row.sex, &namesakes, registered_share, Thresholds::default());
        let probability = (l.probability * 1000.0).round().clamp(0.0, 1000.0) as u16;
        out[i] = match (l.band, l.person) {
            (Band::Match, Some(p)) => {
                RowLink { id_number: Some(p), link: LinkKind::Matched, probability, explanation: Some(l.explanation) }
            }
            (Band::Review, Some(p)) => {
                RowLink { id_number: Some(p), link: LinkKind::Review, probability, explanation: Some(l.explanation) }
            }
            _ => RowLink { id_number: None, link: LinkKind::Unlinked, probability, explanation: Some(l.explanation) },
        };
    }
    lap("name and birth", &mut phases);
    Ok(Linkage { links: out, model: Some(model), candidate_pairs: pairs.len(), phases })
}

/// An analyst's file linked to the registry, or to the persons of another file (`against`: its
/// name and rows), nothing stored: each row's outcome as an import would link it, with the model
/// and the phase times. Needs the permission to run comparisons; audited (a read of the
/// registry, or of the two files). Against the registry the linkage reads and names persons
/// anywhere in the city (a row's person is not known to be in any region before it is linked),
/// so only an account of the city (or the province) may; two files of one's own may be linked
/// by any account that runs comparisons.
pub async fn link_file(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    file_name: &str,
    rows: &[RecordedRow],
    against: Option<(&str, &[RecordedRow])>,
) -> Result<Linkage, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden);
    }
    if against.is_none() && !matches!(who.region.level(), minzheng_domain::RegionLevel::Province | minzheng_domain::RegionLevel::City) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "dept_record".into(),
                    entity_key: file_name.into(),
                    before: None,
                    after: Some(serde_json::json!({ "use": "link_file", "reason": "outside the account's region" })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope);
    }
    let population = match against {
        None => Population::Registry(store),
        Some((_, other)) => Population::File(FilePopulation::of(other)),
    };
    let linkage = link_rows_in(&population, rows).await?;
    let links = &linkage.links;
    let count = |k: LinkKind| links.iter().filter(|l| l.link == k).count();
    let after = serde_json::json!({
        "file": file_name,
        "against": against.map(|(name, other)| serde_json::json!({ "file": name, "rows": other.len() })),
        "rows": rows.len(),
        "exact": count(LinkKind::Exact),
        "matched": count(LinkKind::Matched),
        "review": count(LinkKind::Review),
        "unregistered": count(LinkKind::Unregistered),
        "unlinked": count(LinkKind::Unlinked),
    });
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "link_file".into(),
                entity: "dept_record".into(),
                entity_key: file_name.into(),
                before: None,
                after: Some(after),
            }],
        )
        .await?;
    Ok(linkage)
}

/// The birth date a recorded number carries (its 7th to 14th digits), when they are a date.
fn birth_in_number(recorded: &Recorded) -> Option<NaiveDate> {
    let text = match recorded {
        Recorded::Digits { body, .. } | Recorded::XSwapped { body } => std::str::from_utf8(&body[6..14]).ok()?.to_string(),
        // A 15-digit number carries the year without its century (all born in the 1900s).
        Recorded::Legacy(d) => format!("19{}", std::str::from_utf8(&d[6..12]).ok()?),
        Recorded::Unreadable => return None,
    };
    NaiveDate::parse_from_str(&text, "%Y%m%d").ok()
}

/// A departmental row the linkage could not decide, with the registry person it proposes.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub record: DeptRecord,
    pub proposed_id: String,
    pub proposed_name: String,
    pub community: RegionCode,
}

/// Rows in review whose proposed person lives in `region` (the account's, or within it), audited as a read.
pub async fn review_queue(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    region: Option<&RegionCode>,
    limit: usize,
) -> Result<Vec<ReviewItem>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden);
    }
    let region = region.unwrap_or(&who.region);
    if !who.in_scope(region) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "dept_record".into(),
                    entity_key: "review".into(),
                    before: None,
                    after: Some(serde_json::json!({ "region": region.to_string() })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope);
    }
    let mut out = Vec::new();
    let mut after = 0;
    while out.len() < limit {
        let page = store.dept_records_in_review(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<IdNumber> = page.iter().filter_map(|r| r.id_number).collect();
        let persons: HashMap<IdNumber, Person> = store.persons_by_id(&ids).await?.into_iter().map(|p| (p.id_number, p)).collect();
        let nos: Vec<String> = persons.values().filter_map(|p| p.household_no.clone()).collect();
        let communities: HashMap<String, RegionCode> =
            store.households(&nos).await?.into_iter().map(|h| (h.household_no, h.community)).collect();
        for r in page {
            let Some(p) = r.id_number.and_then(|id| persons.get(&id)) else { continue };
            let community = p.household_no.as_ref().and_then(|no| communities.get(no)).cloned().unwrap_or_else(|| p.hukou_region.clone());
            if !region.contains(&community) {
                continue;
            }
            let proposed_id = if who.role.sees_full_identity() { p.id_number.to_string() } else { p.id_number.masked() };
            out.push(ReviewItem { record: r, proposed_id, proposed_name: p.name.clone(), community });
            if out.len() == limit {
                break;
            }
        }
    }
    let shown: Vec<i64> = out.iter().map(|i| i.record.id).collect();
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "list".into(),
                entity: "dept_record".into(),
                entity_key: "review".into(),
                before: None,
                after: Some(serde_json::json!({ "records": shown })),
            }],
        )
        .await?;
    Ok(out)
}

/// Decides a row in review: linked to the proposed person (the row then gives its economic
/// item and is compared at once with the enrolments it names) or to nobody.
pub async fn decide_link(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    id: i64,
    accept: bool,
) -> Result<Option<CompareReport>, PolicyFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::RunComparisons) {
        return Err(AccessError::Forbidden.into());
    }
    let record = store.dept_record(id).await?.ok_or(AccessError::NotFound)?;
    let already = || invalid("该记录已处理过", "this row has been decided already");
    if record.link != LinkKind::Review {
        return Err(already());
    }
    let person = match record.id_number {
        Some(pid) => store.person(&pid).await?,
        None => None,
    };
    let person = person.ok_or(AccessError::NotFound)?;
    let community = match &person.household_no {
        Some(no) => store.household(no).await?.map(|h| h.community).unwrap_or(person.hukou_region.clone()),
        None => person.hukou_region.clone(),
    };
    if !who.in_scope(&community) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "dept_record".into(),
                    entity_key: id.to_string(),
                    before: None,
                    after: Some(serde_json::json!({ "use": "decide_link" })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope.into());
    }
    let item = if accept {
        let cell = |name: &str| {
            if name == "身份证号" {
                Some(person.id_number.to_string())
            } else {
                record.field(name).map(str::to_string)
            }
        };
        // A row that cannot give its item (an unreadable amount) stays in review, with the reason.
        let Some(source) = crate::sources::catalogue().get(&record.source) else {
            return Err(invalid(format!("数据来源 {} 未登记", record.source), format!("source {} is not registered", record.source)));
        };
        let item = source.item(cell).map_err(|e| invalid(minzheng_domain::Bilingual::zh(&e), minzheng_domain::Bilingual::en(&e)))?;
        // A file of monthly rows counts a month's share, as its import does for linked rows.
        let months = store.economic_batches().await?.into_iter().find(|b| b.checksum == record.batch).map_or(0, |b| b.months.len());
        item.map(|i| crate::economy::monthly_average(vec![i], months).remove(0))
    } else {
        None
    };
    if !store.decide_link(id, accept, item.as_ref(), actor).await? {
        return Err(already());
    }
    if !accept {
        return Ok(None);
    }
    // Compared as of the day the row's file describes (today, by the caller's clock, if the
    // file is no longer listed).
    let on = store.economic_batches().await?.into_iter().find(|b| b.checksum == record.batch).map(|b| b.as_of).unwrap_or(today);
    let linked = DeptRecord { link: LinkKind::Matched, ..record };
    Ok(Some(compare_records(store, engine, cx, std::slice::from_ref(&linked), on).await?))
}
