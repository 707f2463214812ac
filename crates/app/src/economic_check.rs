//! 居民家庭经济状况核对 use cases: a verification centre checks one household on a date, with
//! its members' signed authorisation; the report lists every departmental record of the members
//! (with its source, file and the date its data describes), the figures the policy rules count,
//! and each program's decision on that data. Reports are kept, readable by the region's staff,
//! printable, and exported as PDF.

use crate::pdf::{self, Block};
use crate::policy::{household_snapshot_until, invalid, PolicyFailure};
use crate::registry::AccessError;
use crate::RequestContext;
use chrono::NaiveDate;
use minzheng_domain::economy::LinkKind;
use minzheng_domain::verification::{Authorisation, ReportFigure, ReportItem, ReportProgram, VerificationReport};
use minzheng_domain::{Bilingual, Fen, Permission, PersonStatus, Principal};
use minzheng_policy::Engine;
use minzheng_store::{AuditEntry, Store};
use std::collections::{BTreeMap, HashMap};

/// Checks one household of the account's region on `on`, stores the report (audited) and returns
/// it. `today` is the day the data is queried (the authorisation is judged on it).
pub async fn check_household(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    household_no: &str,
    authorisation: Authorisation,
    on: NaiveDate,
) -> Result<VerificationReport, PolicyFailure> {
    let RequestContext { who, actor, today } = *cx;
    if !who.may(Permission::VerifyHouseholds) {
        return Err(AccessError::Forbidden.into());
    }
    let household = store.household(household_no).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&household.community) {
        store
            .audit(
                actor,
                &[AuditEntry {
                    action: "refused".into(),
                    entity: "household".into(),
                    entity_key: household_no.into(),
                    before: None,
                    after: Some(serde_json::json!({ "use": "economic_check" })),
                }],
            )
            .await?;
        return Err(AccessError::OutOfScope.into());
    }
    let members: Vec<_> = store.household_members(household_no).await?.into_iter().filter(|p| p.status == PersonStatus::Alive).collect();
    if members.is_empty() {
        return Err(invalid("该户没有在册成员，无法核对", "the household has no living members to check"));
    }
    // The base date is not in the future, and the authorisation is judged on the day the data is
    // queried (today): signed by every adult, not in the future, within the year.
    if on > today {
        return Err(invalid(format!("核对基准日 {on} 不能晚于今天"), format!("the check date {on} cannot be after today")));
    }
    let adults: Vec<_> = members.iter().filter(|p| p.id_number.age_on(on) >= 18).map(|p| (p.id_number, p.name.clone())).collect();
    authorisation.allows(today, &adults).map_err(|e| invalid(e.zh(), e.en()))?;

    // Every departmental record of the members from files describing the situation on or before `on`.
    let batches: HashMap<String, (String, NaiveDate)> =
        store.economic_batches().await?.into_iter().map(|b| (b.checksum, (b.file_name, b.as_of))).collect();
    let names: HashMap<_, _> = members.iter().map(|p| (p.id_number, p.name.clone())).collect();
    let ids: Vec<_> = members.iter().map(|p| p.id_number).collect();
    let mut items = Vec::new();
    for r in store.dept_records_of(&ids).await? {
        let (Some(id), Some((file_name, as_of))) = (r.id_number, batches.get(&r.batch)) else { continue };
        if *as_of > on || !r.link.carries_number() {
            continue;
        }
        items.push(ReportItem {
            member: names.get(&id).cloned().unwrap_or_default(),
            id_number: id,
            source: r.source.clone(),
            batch: r.batch.clone(),
            file_name: file_name.clone(),
            as_of: *as_of,
            row_no: r.row_no,
            // A member's record by their valid number (registered since, if it named nobody then).
            link: if matches!(r.link, LinkKind::Exact | LinkKind::Unregistered) {
                LinkKind::Exact.zh().to_string()
            } else {
                format!("{}（{:.1}%）", r.link.zh(), f64::from(r.probability) / 10.0)
            },
            fields: r.fields.clone(),
        });
    }
    // As the rules count them: of each member's records from one source, those of the newest file.
    crate::economy::keep_newest(&mut items, |i| ((i.id_number, i.source.clone()), i.as_of));
    items.sort_by(|a, b| (&a.source, &a.member, a.row_no).cmp(&(&b.source, &b.member, b.row_no)));
    let empty_sources =
        crate::sources::catalogue().sources.iter().map(|s| s.code.clone()).filter(|d| !items.iter().any(|i| &i.source == d)).collect();

    // The figures and decisions as the rules see the household on that date.
    let snapshot = household_snapshot_until(store, &household, Some(on)).await?;
    let parameters = store.parameter_records().await?;
    let check = engine.check(&snapshot, &parameters, on).await?;
    let mut figures: BTreeMap<String, ReportFigure> = BTreeMap::new();
    let mut programs = Vec::new();
    for p in check.iter().flat_map(|c| c.programs.iter()) {
        let mut unmet = Vec::new();
        for u in &p.units {
            for s in &u.steps {
                if !s.met && u.unit == household_no {
                    unmet.push(s.zh.clone());
                }
                for f in &s.features {
                    figures.entry(f.name.clone()).or_insert_with(|| ReportFigure {
                        name: f.name.clone(),
                        zh: f.zh.clone(),
                        en: f.en.clone(),
                        value: f.value.clone(),
                        unit: f.unit.clone(),
                        source: f.source.clone(),
                    });
                }
            }
        }
        programs.push(ReportProgram { code: p.code.clone(), zh: p.zh.clone(), eligible: p.eligible(), amount: p.amount(), unmet });
    }
    let mut report = VerificationReport {
        id: 0,
        household_no: household_no.to_string(),
        community: household.community.clone(),
        on,
        authorisation,
        members: members.iter().map(|p| (p.name.clone(), p.id_number, p.relation.zh().to_string())).collect(),
        items,
        figures: figures.into_values().collect(),
        programs,
        empty_sources,
        made_by: who.name.clone(),
        made_at: chrono::Utc::now(),
    };
    report.id = store.add_household_check(&report, actor).await?;
    Ok(report)
}

/// A report as JSON for an account: every ID number masked for roles that see masked identities.
pub fn report_json(r: &VerificationReport, role: minzheng_domain::Role) -> serde_json::Value {
    fn mask(v: &mut serde_json::Value) {
        match v {
            // Numbers inside text too: a spouse's number in a figure, a row quoted in a note.
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(m) = minzheng_domain::id::mask_ids_in(s) {
                    *s = m;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            serde_json::Value::Object(map) => map.values_mut().for_each(mask),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if !role.sees_full_identity() {
        mask(&mut v);
    }
    v
}

/// A stored report, for staff of its region who read findings and reports (audited).
pub async fn report(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> Result<VerificationReport, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadFindings) && !who.may(Permission::VerifyHouseholds) {
        return Err(AccessError::Forbidden);
    }
    let r = store.household_check(id).await?.ok_or(AccessError::NotFound)?;
    let entry = |action: &str| AuditEntry {
        action: action.into(),
        entity: "household_check".into(),
        entity_key: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "household": r.household_no })),
    };
    if !who.in_scope(&r.community) {
        store.audit(actor, &[entry("refused")]).await?;
        return Err(AccessError::OutOfScope);
    }
    store.audit(actor, &[entry("read")]).await?;
    Ok(r)
}

/// The dataset and department of a source, in Chinese: 死亡人员信息（公安户籍、殡葬）.
pub fn source_zh(source: &str) -> String {
    match crate::sources::catalogue().get(source) {
        Some(s) => format!("{}（{}）", s.content_zh(), s.department),
        None => source.to_string(),
    }
}

/// A figure's value as shown: money in yuan.
pub fn figure_text(f: &ReportFigure) -> String {
    minzheng_domain::units::with_unit(&f.value, f.unit.as_deref().unwrap_or(""), true)
}

/// The report as a PDF (核对报告).
/// ID numbers are masked unless `full_ids` (roles that see full identities).
pub fn report_pdf(r: &VerificationReport, county_name: &str, full_ids: bool) -> Vec<u8> {
    let shown = |id: &minzheng_domain::IdNumber| if full_ids { id.to_string() } else { id.masked() };
    let mut blocks = vec![
        Block::Title("居民家庭经济状况核对报告".into()),
        Block::Fields(vec![
            ("报告编号".into(), format!("HC-{:06}", r.id)),
            ("户编号".into(), r.household_no.clone()),
            ("所属社区".into(), format!("{} {county_name}", r.community)),
            ("核对基准日".into(), r.on.to_string()),
            (
                "授权书".into(),
                format!("{}（{} 签署，{} 人）", r.authorisation.reference, r.authorisation.signed_on, r.authorisation.signed_by.len()),
            ),
            ("核对人".into(), format!("{}，{}", r.made_by, minzheng_domain::calendar::beijing_minutes(r.made_at))),
        ]),
        Block::Heading("一、家庭成员".into()),
        Block::Table {
            widths: vec![2.0, 3.0, 1.5],
            header: vec!["姓名".into(), "身份证号".into(), "与户主关系".into()],
            rows: r.members.iter().map(|(n, id, rel)| vec![n.clone(), shown(id), rel.clone()]).collect(),
        },
        Block::Heading("二、部门数据（逐条列明来源和批次）".into()),
    ];
    if r.items.is_empty() {
        blocks.push(Block::Paragraph("各部门数据中没有本户成员的记录。".into()));
    } else {
        blocks.push(Block::Table {
            widths: vec![1.2, 1.8, 4.0, 2.6],
            header: vec!["成员".into(), "来源".into(), "内容".into(), "批次（文件、数据日期、行号、关联）".into()],
            rows: r
                .items
                .iter()
                .map(|i| {
                    let content = i
                        .fields
                        .iter()
                        .filter(|(k, _)| k != "身份证号" && k != "姓名")
                        .map(|(k, v)| format!("{k}：{v}"))
                        .collect::<Vec<_>>()
                        .join("；");
                    vec![
                        i.member.clone(),
                        source_zh(&i.source).to_string(),
                        content,
                        format!("{} {} 第{}行 {} #{}", i.file_name, i.as_of, i.row_no, i.link, &i.batch[..i.batch.len().min(8)]),
                    ]
                })
                .collect(),
        });
    }
    if !r.empty_sources.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "已查询、无记录的数据：{}。",
            r.empty_sources.iter().map(|s| source_zh(s)).collect::<Vec<_>>().join("、")
        )));
    }
    blocks.push(Block::Heading("三、按政策规则计算的收入和财产".into()));
    blocks.push(Block::Table {
        widths: vec![3.0, 2.0, 3.0],
        header: vec!["项目".into(), "数值".into(), "来源".into()],
        rows: r
            .figures
            .iter()
            .map(|f| {
                let value = figure_text(f);
                vec![f.zh.clone(), if full_ids { value } else { minzheng_domain::id::mask_ids_in(&value).into_owned() }, f.source.clone()]
            })
            .collect(),
    });
    blocks.push(Block::Heading("四、各救助项目的核算结果（供审核审批参考）".into()));
    blocks.push(Block::Table {
        widths: vec![3.0, 1.2, 1.5, 4.0],
        header: vec!["项目".into(), "结果".into(), "月金额（元）".into(), "未满足的条件".into()],
        rows: r
            .programs
            .iter()
            .map(|p| {
                vec![p.zh.clone(), if p.eligible { "符合".into() } else { "不符合".into() }, Fen(p.amount).to_string(), p.unmet.join("；")]
            })
            .collect(),
    });
    blocks.push(Block::Paragraph(
        "说明：本报告依据申请人及家庭成员签署的授权书，经居民家庭经济状况核对平台查询相关部门数据形成（国发〔2012〕45号；MZ/T 072-2024）。核算结果仅供审核审批参考，以审批机关的决定为准。".into(),
    ));
    pdf::render(&format!("核对报告 HC-{:06}", r.id), &blocks)
}

/// The stored check reports of a household, newest first, for an account that may check
/// households and whose region holds the household.
pub async fn checks_of(store: &dyn Store, who: &Principal, no: &str) -> Result<Vec<VerificationReport>, AccessError> {
    if !who.may(Permission::VerifyHouseholds) && !who.may(Permission::ReadFindings) {
        return Err(AccessError::Forbidden);
    }
    let h = store.household(no).await?.ok_or(AccessError::NotFound)?;
    if !who.in_scope(&h.community) {
        return Err(AccessError::OutOfScope);
    }
    Ok(store.household_checks_of(no).await?)
}

/// How many check reports the households within `region` (the account's own when none) have.
pub async fn count_reports_in(
    store: &dyn Store,
    who: &Principal,
    region: Option<&minzheng_domain::RegionCode>,
) -> Result<u64, AccessError> {
    if !who.may(Permission::ReadFindings) && !who.may(Permission::VerifyHouseholds) {
        return Err(AccessError::Forbidden);
    }
    let region = region.unwrap_or(&who.region);
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    Ok(store.count_household_checks_in(region).await?)
}

/// 核对报告列表: the reports of households within `region` (the account's own when none), newest
/// first, for staff who read findings and reports; the read is audited with the ids shown.
pub async fn reports_in(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    region: Option<&minzheng_domain::RegionCode>,
    before: Option<i64>,
    limit: u32,
    paging: &minzheng_store::Paging,
) -> Result<minzheng_store::Page<VerificationReport>, AccessError> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadFindings) && !who.may(Permission::VerifyHouseholds) {
        return Err(AccessError::Forbidden);
    }
    let region = region.unwrap_or(&who.region);
    if !who.in_scope(region) {
        return Err(AccessError::OutOfScope);
    }
    let page = store.household_checks_in(region, before, limit, paging).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    store
        .audit(
            actor,
            &[AuditEntry {
                action: "list".into(),
                entity: "household_check".into(),
                entity_key: region.to_string(),
                before: None,
                after: Some(serde_json::json!({ "ids": ids })),
            }],
        )
        .await?;
    Ok(page)
}
