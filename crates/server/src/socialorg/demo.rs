//! Synthetic social organisations: the demo's register of 浑南区 and the city, and the
//! benchmark's city of 100,000. Names are made of a place, a field, a qualifier and the kind's
//! generic part, all distinct; codes are given as the registry would, in order per region.
//! Deterministic.

use super::model::{body_code, CreditList, Inspection, ListReason, OrgKind, OrgStatus};
use super::store::{code_region, socialorg_store, ListEntry, Org, Report};
use chrono::{Datelike, Duration, NaiveDate};
use minzheng_domain::{CreditCode, IdNumber, Sex};
use minzheng_store::{Actor, Store};

const PLACES: [&str; 20] = [
    "沈阳市",
    "和平区",
    "沈河区",
    "大东区",
    "皇姑区",
    "铁西区",
    "苏家屯区",
    "浑南区",
    "沈北新区",
    "于洪区",
    "辽中区",
    "康平县",
    "法库县",
    "新民市",
    "东湖",
    "白塔",
    "桃仙",
    "李相",
    "祝家",
    "满堂",
];
const FIELDS: [&str; 40] = [
    "书法",
    "围棋",
    "摄影",
    "老年",
    "青年",
    "志愿服务",
    "慈善",
    "社区",
    "养老",
    "教育",
    "科技",
    "文化",
    "体育",
    "医疗",
    "环保",
    "法律",
    "心理健康",
    "家庭教育",
    "残疾人",
    "妇女儿童",
    "民俗",
    "非遗",
    "戏曲",
    "合唱",
    "舞蹈",
    "太极",
    "篮球",
    "足球",
    "垂钓",
    "园艺",
    "读书",
    "诗词",
    "国画",
    "收藏",
    "烹饪",
    "物业",
    "电子商务",
    "软件",
    "物流",
    "农业",
];
const QUALIFIERS: [&str; 30] = [
    "",
    "阳光",
    "和谐",
    "幸福",
    "同心",
    "关爱",
    "爱心",
    "明德",
    "启航",
    "常青",
    "金秋",
    "夕阳红",
    "新时代",
    "红枫",
    "松鹤",
    "春晖",
    "鸿雁",
    "远航",
    "聚力",
    "乐龄",
    "仁和",
    "康宁",
    "晨曦",
    "星光",
    "暖阳",
    "邻里",
    "桑榆",
    "青松",
    "益民",
    "惠民",
];
const SUFFIXES: [(&str, OrgKind); 10] = [
    ("协会", OrgKind::Group),
    ("研究会", OrgKind::Group),
    ("促进会", OrgKind::Group),
    ("联合会", OrgKind::Group),
    ("商会", OrgKind::Group),
    ("服务中心", OrgKind::Service),
    ("养老院", OrgKind::Service),
    ("培训学校", OrgKind::Service),
    ("社会工作服务中心", OrgKind::Service),
    ("基金会", OrgKind::Foundation),
];

/// The `i`-th synthetic name and its kind (distinct for `i` below 240,000).
pub fn name(i: usize) -> (String, OrgKind) {
    let (suffix, kind) = SUFFIXES[i % SUFFIXES.len()];
    let rest = i / SUFFIXES.len();
    let field = FIELDS[rest % FIELDS.len()];
    let rest = rest / FIELDS.len();
    let place = PLACES[rest % PLACES.len()];
    let qualifier = QUALIFIERS[(rest / PLACES.len()) % QUALIFIERS.len()];
    (format!("{place}{qualifier}{field}{suffix}"), kind)
}

/// `n` registered organisations of a region, registered on days before `today`, with their
/// codes numbered from `first_serial`.
pub fn orgs(region: &str, n: usize, offset: usize, first_serial: i64, today: NaiveDate) -> Vec<Org> {
    (0..n)
        .map(|k| {
            let i = offset + k;
            let (name, kind) = name(i);
            let days = i64::try_from((i * 37) % 3650).unwrap_or(0) + 30;
            let registered = today - Duration::days(days);
            let serial = first_serial + i64::try_from(k).unwrap_or(0);
            let code = CreditCode::from_parts(kind.code_char(), &code_region(region), &body_code(serial)).ok().map(|c| c.to_string());
            let birth = NaiveDate::from_ymd_opt(
                1960 + i32::try_from(i % 30).unwrap_or(0),
                1 + u32::try_from(i % 12).unwrap_or(0),
                1 + u32::try_from(i % 28).unwrap_or(0),
            )
            .unwrap_or(today);
            let rep = IdNumber::from_parts(
                210112,
                birth,
                u16::try_from(i % 900).unwrap_or(0) + 10,
                if i.is_multiple_of(2) { Sex::Male } else { Sex::Female },
            );
            Org {
                id: 0,
                name,
                kind,
                region: region.to_string(),
                credit_code: code,
                legal_rep_id: rep.to_string(),
                legal_rep_name: format!(
                    "{}{}",
                    ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"][i % 8],
                    ["建国", "秀英", "志强", "桂兰", "海燕", "文博"][i % 6]
                ),
                supervisor: if kind == OrgKind::Group && i.is_multiple_of(3) {
                    "区文化旅游和广播电视局".into()
                } else {
                    String::new()
                },
                capital_fen: match kind {
                    OrgKind::Foundation => 400_000_000,
                    _ => 3_000_000 + i64::try_from(i % 50).unwrap_or(0) * 100_000,
                },
                individual_members: if kind == OrgKind::Group { 50 + u32::try_from(i % 400).unwrap_or(0) } else { 0 },
                unit_members: 0,
                public_raising: kind == OrgKind::Foundation && i.is_multiple_of(2),
                address: format!("{}{}路{}号", PLACES[i % PLACES.len()], FIELDS[i % FIELDS.len()], i % 300 + 1),
                scope: format!("{}交流、培训、咨询服务", FIELDS[(i / 10) % FIELDS.len()]),
                status: OrgStatus::Active,
                received_on: registered - Duration::days(40),
                decided_on: Some(registered),
                decision_note: String::new(),
                deregistered_on: None,
                rating: None,
                rating_score: None,
                rated_on: None,
                recorded_by: String::new(),
            }
        })
        .collect()
}

/// Loads the demo's register: 300 organisations of 浑南区 and 200 of the city, with last year's
/// reports for most of them, a few ratings and list entries, and three applications waiting.
pub async fn load(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    let fail = |e: minzheng_store::StoreError| e.to_string();
    let s = socialorg_store(store);
    let county = minzheng_domain::RegionCode::parse("210112").map_err(|e| e.to_string())?;
    if s.counts(&county).await.map_err(fail)?.active > 0 {
        return Ok("已有社会组织 / organisations already loaded".into());
    }
    let actor = Actor::new("demo_socialorg_registrar");
    let hunnan = orgs("210112", 300, 0, 1, today);
    let city = orgs("2101", 200, 300, 1, today);
    s.load_orgs(&hunnan, &actor).await.map_err(fail)?;
    s.load_orgs(&city, &actor).await.map_err(fail)?;
    let last = today.year() - 1;
    let (mut reported, mut listed, mut rated) = (0, 0, 0);
    for region in [&county, &minzheng_domain::RegionCode::parse("2101").map_err(|e| e.to_string())?] {
        let list = s.orgs_in(region, OrgStatus::Active, 1000).await.map_err(fail)?;
        for (k, o) in list.iter().filter(|o| o.region == region.as_str()).enumerate() {
            let registered = o.decided_on.unwrap_or(today);
            // One in twelve has not filed last year's report.
            if k % 12 != 5 && registered.year() <= last {
                for year in [last - 1, last] {
                    if registered.year() > year {
                        continue;
                    }
                    let (sup, reg) = super::model::report_due(year);
                    let inspection = match k % 20 {
                        0 => Inspection::Basic,
                        7 => Inspection::Fail,
                        _ => Inspection::Pass,
                    };
                    let r = Report {
                        org_id: o.id,
                        year,
                        to_supervisor_on: Some(sup - Duration::days(i64::try_from(k % 40).unwrap_or(0))),
                        to_registry_on: (reg <= today).then(|| reg - Duration::days(i64::try_from(k % 30).unwrap_or(0))),
                        inspection: (reg <= today).then_some(inspection),
                    };
                    s.add_report(&r, &actor).await.map_err(fail)?;
                    reported += 1;
                }
            }
            if k % 25 == 3 {
                let listed_on = today - Duration::days(i64::try_from(k * 7 % 900).unwrap_or(0));
                let reason = if k % 2 == 0 { ListReason::NoAnnualReport } else { ListReason::Unreachable };
                let e = ListEntry {
                    id: 0,
                    org_id: o.id,
                    list: CreditList::Abnormal,
                    reason,
                    listed_on,
                    basis: format!("沈民社决〔{}〕{}号", listed_on.year(), k),
                    rectified_on: None,
                    removed_on: None,
                    removal_note: String::new(),
                    recorded_by: String::new(),
                };
                s.add_entry(&e, &actor).await.map_err(fail)?;
                listed += 1;
            } else if k % 17 == 2 && k % 20 != 7 && k % 20 != 0 && registered + Duration::days(800) < today {
                s.set_rating(o.id, [3, 4, 5, 2][k % 4], 650 + u32::try_from(k % 300).unwrap_or(0), today - Duration::days(200), &actor)
                    .await
                    .map_err(fail)?;
                rated += 1;
            }
        }
    }
    // Applications waiting, one past its 60 days.
    for (k, ago) in [(0usize, 10i64), (1, 45), (2, 70)] {
        let mut o = orgs("210112", 1, 200_000 + k, 0, today).remove(0);
        o.status = OrgStatus::Applied;
        o.credit_code = None;
        o.received_on = today - Duration::days(ago);
        o.decided_on = None;
        s.add_application(&o, &actor).await.map_err(fail)?;
    }
    Ok(format!(
        "浑南区 300 个、市本级 200 个社会组织，年度报告 {reported} 份，列入活动异常名录 {listed} 个，评估 {rated} 个，待决定申请 3 件 / 500 organisations, {reported} reports, {listed} listed, {rated} rated, 3 applications waiting"
    ))
}
