//! 空挂户: persons registered in a household who live elsewhere, tagged from residence and hukou data.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// The tag of a resident registered here whom the data puts in another city.
pub const ABSENT_TAG: &str = "空挂户";

/// What [`tag_absent`] changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AbsentReport {
    pub region: String,
    pub on: Option<NaiveDate>,
    /// Residence and social-insurance rows read.
    pub rows: usize,
    /// Living residents of the region those rows name.
    pub persons: usize,
    /// Tagged 空挂户 now.
    pub tagged: usize,
    /// Tag removed: their newest row puts them back in the city.
    pub untagged: usize,
    /// Carrying the tag after the run, of the persons the rows name.
    pub absent: usize,
}

/// 空挂户标注: every living resident registered in `region` whom the newest row of a `residence`
/// source (居住登记, 社会保险 ...) dated on or before `on` puts in another city is tagged 空挂户
/// in the registry; one whose newest row puts them back in their city loses the tag. The tags
/// are written as one registry batch (audited person by person, before and after), so the
/// community lists them (`/api/persons?tag=空挂户`) and the grid worker can go and see.
pub async fn tag_absent(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    region: &RegionCode,
    on: NaiveDate,
) -> Result<AbsentReport, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    comparison_allowed(who, region)?;
    // It writes the registry: only an account that may change it (the city's administrator).
    if !(who.may(Permission::ImportRegistry) || who.may(Permission::WriteRegistry)) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "registry".into(),
                    entity_key: format!("absent:{region}"),
                    before: None,
                    after: None,
                }],
            )
            .await?;
        return Err(AccessError::Forbidden.into());
    }
    let catalogue = crate::sources::catalogue();
    // The newest row of each person: (date, where).
    let mut newest: HashMap<IdNumber, (NaiveDate, RegionCode)> = HashMap::new();
    let mut rows = 0;
    for source in &catalogue.sources {
        let Some(Signal::Residence { region_column }) = &source.signal else { continue };
        scan_records(store, &source.code, |page| {
            for r in page.iter().filter(|r| linked(r)) {
                rows += 1;
                let (Some(id), Some(date)) = (r.id_number, r.event_date.filter(|d| *d <= on)) else { continue };
                let Some(at) = r.field(region_column).and_then(|v| RegionCode::parse(v).ok()) else { continue };
                if newest.get(&id).is_none_or(|(d, _)| *d <= date) {
                    newest.insert(id, (date, at));
                }
            }
        })
        .await?;
    }
    let mut ids: Vec<IdNumber> = newest.keys().copied().collect();
    ids.sort_unstable();
    let mut changed = Vec::new();
    let mut report = AbsentReport { region: region.to_string(), on: Some(on), rows, ..Default::default() };
    for chunk in ids.chunks(2000) {
        for mut p in store.persons_by_id(chunk).await? {
            if p.status != PersonStatus::Alive || !region.contains(&p.hukou_region) {
                continue;
            }
            report.persons += 1;
            let Some((_, at)) = newest.get(&p.id_number) else { continue };
            let elsewhere = in_another_city(at, &p.hukou_region);
            let tagged = p.tags.iter().any(|t| t == ABSENT_TAG);
            if elsewhere && !tagged {
                p.tags.push(ABSENT_TAG.to_string());
                report.tagged += 1;
                changed.push(p);
            } else if !elsewhere && tagged {
                p.tags.retain(|t| t != ABSENT_TAG);
                report.untagged += 1;
                changed.push(p);
            } else if elsewhere {
                report.absent += 1;
            }
        }
    }
    report.absent += report.tagged;
    if !changed.is_empty() {
        let batch = minzheng_store::RegistryBatch {
            households: Vec::new(),
            persons: changed,
            source: format!("空挂户比对 {region} {on}"),
            checksum: String::new(),
        };
        store.apply_batch(&batch, actor, &|_| {}).await?;
    }
    // The run itself, also when it changed nothing.
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "tag_absent".into(),
                entity: "registry".into(),
                entity_key: format!("absent:{region}"),
                before: None,
                after: Some(serde_json::json!(report)),
            }],
        )
        .await?;
    Ok(report)
}
