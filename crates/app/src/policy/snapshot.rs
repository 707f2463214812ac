//! Snapshots from the records store: the region's bulk read, a household or a few, and until a date.

#[allow(unused_imports)]
use super::*;

/// Builds a snapshot from the store's bulk read ([`Store::scan_snapshot`]): the households and
/// persons go to the builder as they come; each person's items of the newest batch of each
/// dataset are kept (see [`Newest`]).
struct SnapshotReader<'p> {
    builder: SnapshotBuilder,
    newest: Newest,
    progress: Progress<'p>,
    rows: u64,
}

impl SnapshotReader<'_> {
    fn tick(&mut self) {
        self.rows += 1;
        if self.rows.is_multiple_of(65_536) {
            (self.progress)(self.rows);
        }
    }
}

impl minzheng_store::SnapshotSink for SnapshotReader<'_> {
    fn household(&mut self, h: &minzheng_store::SnapshotHousehold<'_>) {
        self.builder.household_row(h.household_no, h.community, h.rural);
        self.tick();
    }
    fn person(&mut self, p: &minzheng_domain::PersonView<'_>) {
        self.builder.person_view(p);
        self.tick();
    }
    fn item(&mut self, i: &minzheng_store::SnapshotItem<'_>) {
        if let Some(pid) = self.builder.pid(i.id_number) {
            self.newest.add(pid, i.source, i.as_of, i.kind, i.amount);
        }
        self.tick();
    }
}

/// The items of the persons in a snapshot, of which only those of each person's newest batch of
/// each dataset count (a later file of the same dataset replaces an earlier one, person by
/// person). The common case, every dataset's items from files of one date, needs no per-person
/// bookkeeping: that is only done for the datasets with items of several dates.
struct Newest {
    /// Files describing a later date are left out.
    until: Option<NaiveDate>,
    sources: Vec<String>,
    /// Per source: the dates its items were seen with.
    dates: Vec<Vec<NaiveDate>>,
    items: Vec<NewestItem>,
}

struct NewestItem {
    pid: i64,
    source: u16,
    date: NaiveDate,
    kind: ItemKind,
    amount: i64,
}

impl Newest {
    /// Only files describing the situation on or before `until`, when given.
    fn until(until: Option<NaiveDate>) -> Newest {
        Newest { until, sources: Vec::new(), dates: Vec::new(), items: Vec::new() }
    }
    /// An item of the person at `pid`, from a file of `source` describing `date`.
    fn add(&mut self, pid: i64, source: &str, date: NaiveDate, kind: ItemKind, amount: i64) {
        if self.until.is_some_and(|u| date > u) {
            return;
        }
        let source = match self.sources.iter().position(|s| s == source) {
            Some(i) => i,
            None => {
                self.sources.push(source.to_string());
                self.dates.push(Vec::new());
                self.sources.len() - 1
            }
        };
        if !self.dates[source].contains(&date) {
            self.dates[source].push(date);
        }
        self.items.push(NewestItem { pid, source: source as u16, date, kind, amount });
    }
    fn into_builder(self, b: &mut SnapshotBuilder) {
        let several: Vec<bool> = self.dates.iter().map(|d| d.len() > 1).collect();
        let mut newest: FastMap<(i64, u16), NaiveDate> = FastMap::default();
        for i in self.items.iter().filter(|i| several[i.source as usize]) {
            let d = newest.entry((i.pid, i.source)).or_insert(i.date);
            *d = (*d).max(i.date);
        }
        for i in self.items {
            if !several[i.source as usize] || newest.get(&(i.pid, i.source)) == Some(&i.date) {
                b.item_of(i.pid, i.kind, i.amount);
            }
        }
    }
}

/// A snapshot of every household in a region (any level) with its members and economic data,
/// in one bulk read of the store; `progress` is told the rows read so far.
pub async fn snapshot(store: &dyn Store, region: &RegionCode, partitions: usize, progress: Progress<'_>) -> Result<Snapshot, StoreError> {
    let newest = Newest::until(None);
    let mut reader = SnapshotReader { builder: SnapshotBuilder::new(), newest, progress, rows: 0 };
    store.scan_snapshot(region, &mut reader).await?;
    progress(reader.rows);
    let SnapshotReader { mut builder, newest, .. } = reader;
    newest.into_builder(&mut builder);
    person_facts(store, &mut builder, None, None).await?;
    // The enrolments of the city the region is in: a member may live in a county other than
    // the one paying (人户分离); members outside the snapshot are passed over.
    let city = region.ancestor(minzheng_domain::RegionLevel::City).unwrap_or_else(|| region.clone());
    let mut after = 0;
    loop {
        let page = store.scan_enrolments(&city, after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in &page {
            builder.enrolment(e);
        }
    }
    Ok(builder.finish(partitions))
}

/// The enrolments the persons of a small snapshot are members of.
async fn enrolments_of(store: &dyn Store, b: &mut SnapshotBuilder, ids: &[minzheng_domain::IdNumber]) -> Result<(), StoreError> {
    for e in store.enrolments_of(ids).await? {
        b.enrolment(&e);
    }
    Ok(())
}

/// The facts other sub-platforms establish about persons, for those in the snapshot: the
/// self-care of the ability assessment (养老服务) that sets the 特困 care allowance. A snapshot
/// `until` a date (a check report made again) takes only the facts that held by then.
async fn person_facts(
    store: &dyn Store,
    b: &mut SnapshotBuilder,
    ids: Option<&[minzheng_domain::IdNumber]>,
    until: Option<NaiveDate>,
) -> Result<(), StoreError> {
    use minzheng_domain::PersonFact;
    let facts = store.person_facts(PersonFact::SELF_CARE_FAILED, ids).await?;
    for f in facts.iter().filter(|f| until.is_none_or(|u| f.since <= u)) {
        b.self_care(f.id_number.as_str(), i32::try_from(f.value).unwrap_or(0));
    }
    let facts = store.person_facts(PersonFact::ABLE_SUPPORTERS_ELSEWHERE, ids).await?;
    for f in facts.iter().filter(|f| until.is_none_or(|u| f.since <= u)) {
        b.supporters_elsewhere(f.id_number.as_str(), i32::try_from(f.value).unwrap_or(0));
    }
    Ok(())
}

/// A snapshot of some households with their members and economic data (the persons a
/// departmental file names, for the work on them alone).
pub async fn households_snapshot(store: &dyn Store, household_nos: &[String]) -> Result<Snapshot, StoreError> {
    let mut b = SnapshotBuilder::new();
    let mut ids = Vec::new();
    for chunk in household_nos.chunks(1000) {
        for h in store.households(chunk).await? {
            b.household(&h);
        }
        for p in store.members_of(chunk).await? {
            b.person(&p);
            ids.push(p.id_number);
        }
    }
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    let mut newest = Newest::until(None);
    for chunk in ids.chunks(1000) {
        for (item, batch) in store.economic_items_of(chunk).await? {
            if let (Some(pid), Some(date)) = (b.pid(item.id_number.as_str()), as_of.get(&batch)) {
                newest.add(pid, &item.source, *date, item.kind, item.amount);
            }
        }
    }
    newest.into_builder(&mut b);
    person_facts(store, &mut b, Some(&ids), None).await?;
    enrolments_of(store, &mut b, &ids).await?;
    Ok(b.finish(1))
}

/// A snapshot of one household.
pub async fn household_snapshot(store: &dyn Store, household: &Household) -> Result<Snapshot, StoreError> {
    household_snapshot_until(store, household, None).await
}

/// A snapshot of one household with the departmental data of files describing the situation on
/// or before `until` (the household economic check's date), when given.
pub async fn household_snapshot_until(store: &dyn Store, household: &Household, until: Option<NaiveDate>) -> Result<Snapshot, StoreError> {
    let mut b = SnapshotBuilder::new();
    b.household(household);
    let members = store.household_members(&household.household_no).await?;
    for p in &members {
        b.person(p);
    }
    let ids: Vec<_> = members.iter().map(|p| p.id_number).collect();
    let as_of: FastMap<String, NaiveDate> = store.economic_batches().await?.into_iter().map(|b| (b.checksum, b.as_of)).collect();
    let mut newest = Newest::until(until);
    for (item, batch) in store.economic_items_of(&ids).await? {
        if let (Some(pid), Some(date)) = (b.pid(item.id_number.as_str()), as_of.get(&batch)) {
            newest.add(pid, &item.source, *date, item.kind, item.amount);
        }
    }
    newest.into_builder(&mut b);
    person_facts(store, &mut b, Some(&ids), until).await?;
    enrolments_of(store, &mut b, &ids).await?;
    Ok(b.finish(1))
}

/// The snapshot of a region and its features on a date, with the time each took.
pub(crate) async fn warm(
    store: &dyn Store,
    engine: &Engine,
    region: &RegionCode,
    on: NaiveDate,
    partitions: usize,
    progress: Progress<'_>,
) -> Result<(Snapshot, minzheng_policy::Features, RunTimings), PolicyFailure> {
    let t = Instant::now();
    let snapshot = snapshot(store, region, partitions, progress).await?;
    let snapshot_ms = t.elapsed().as_millis() as u64;
    let t = Instant::now();
    let features = engine.features(&snapshot, on).await?;
    let features_ms = t.elapsed().as_millis() as u64;
    Ok((snapshot, features, RunTimings { snapshot_ms, features_ms, ..RunTimings::default() }))
}
