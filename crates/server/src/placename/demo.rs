//! The demo's register of 浑南区 (210112): standard street and settlement names approved in the
//! past, filed and announced; one approved last month and not yet filed (past its 15 days); one
//! under public consultation; one just applied for. Through the store, as the bureau would have
//! recorded them. Deterministic.

use super::model::{Category, Status};
use super::store::{placename_store, PlaceName, Step};
use chrono::{Duration, NaiveDate};
use minzheng_store::{Actor, Store};

const STREETS: [(&str, &str, &str); 12] = [
    ("浑南", "中路", "东起浑南东路，西至南京南街"),
    ("浑南", "东路", "南起沈营路，北至浑南中路"),
    ("白塔河", "路", "沿白塔河北岸"),
    ("创新", "路", "东起智慧大街，西至全运路"),
    ("全运", "路", "南起浑南中路，北至青年大街南延线"),
    ("智慧", "一街", "东起创新路，西至浑南中路"),
    ("智慧", "二街", "东起创新路，西至浑南中路"),
    ("文溯", "街", "南起白塔河路，北至浑河"),
    ("营盘", "街", "南起沈营路，北至浑南中路"),
    ("世纪", "路", "东起浑南东路，西至全运路"),
    ("金卡", "路", "东起创新路，西至世纪路"),
    ("新隆", "街", "南起白塔河路，北至浑南中路"),
];

const SETTLEMENTS: [(&str, &str); 4] = [("文欣", "园"), ("白塔", "小区"), ("锦绣", "家园"), ("东湖", "花园")];

/// Loads the demo's register; returns the summary line.
pub async fn load(store: &dyn Store, today: NaiveDate) -> Result<String, String> {
    let fail = |e: minzheng_store::StoreError| e.to_string();
    let s = placename_store(store);
    let county = minzheng_domain::RegionCode::parse("210112").map_err(|e| e.to_string())?;
    if !s.names_in(&county, 1).await.map_err(fail)?.is_empty() {
        return Ok("已有地名 / names already loaded".into());
    }
    let actor = Actor::new("demo_placename_clerk");
    let blank = |category: Category, specific: &str, generic: &str, location: &str, on: NaiveDate| PlaceName {
        id: 0,
        county: "210112".into(),
        category,
        specific: specific.into(),
        generic: generic.into(),
        name: format!("{specific}{generic}"),
        location: location.into(),
        reason: "城市建设新建道路和居住区，按片区命名规划命名".into(),
        renames_id: None,
        status: Status::Applied,
        applied_on: on,
        review: String::new(),
        reviewed_on: None,
        consult_from: None,
        consult_to: None,
        consult_note: String::new(),
        decided_on: None,
        approver: String::new(),
        approval_no: String::new(),
        refused_reason: String::new(),
        filed_on: None,
        announced_on: None,
        recorded_by: String::new(),
    };
    let mut names: Vec<PlaceName> = STREETS.iter().map(|(s, g, l)| blank(Category::Street, s, g, l, today)).collect();
    names.extend(SETTLEMENTS.iter().map(|(s, g)| blank(Category::Settlement, s, g, "东湖街道", today)));
    let total = names.len();
    let mut approved = 0;
    for (k, mut n) in names.into_iter().enumerate() {
        // The last three: just applied; under consultation; approved 30 days ago, not filed.
        let stage = total - k;
        let applied = today
            - Duration::days(match stage {
                1 => 2,
                2 => 25,
                3 => 75,
                _ => 400 + i64::try_from(k).unwrap_or(0) * 30,
            });
        n.applied_on = applied;
        let id = s.add(&n, &actor).await.map_err(fail)?;
        if stage == 1 {
            continue;
        }
        s.step(id, &Step::Review { opinion: "名称符合地名规划，用字规范，无重名".into(), on: applied + Duration::days(5) }, &actor)
            .await
            .map_err(fail)?;
        let (from, to) = if stage == 2 {
            (today - Duration::days(10), today + Duration::days(10))
        } else {
            (applied + Duration::days(7), applied + Duration::days(27))
        };
        s.step(id, &Step::Consult { from, to, note: "未收到反对意见".into() }, &actor).await.map_err(fail)?;
        if stage == 2 {
            continue;
        }
        let on = applied + Duration::days(40);
        let number = format!("沈政地〔{}〕{}号", chrono::Datelike::year(&on), k + 1);
        s.step(id, &Step::Approve { on, approver: "沈阳市人民政府".into(), number }, &actor).await.map_err(fail)?;
        approved += 1;
        if stage == 3 {
            continue;
        }
        s.step(id, &Step::File { on: on + Duration::days(7) }, &actor).await.map_err(fail)?;
        s.step(id, &Step::Announce { on: on + Duration::days(10) }, &actor).await.map_err(fail)?;
    }
    // Door plates on 浑南中路 for the buildings of 文欣社区 (the first twenty), given within days.
    let street = s.names_in(&county, 100).await.map_err(fail)?.into_iter().find(|n| n.name == "浑南中路" && n.status == Status::Approved);
    let community = minzheng_domain::RegionCode::parse("210112009001").map_err(|e| e.to_string())?;
    let mut buildings: Vec<String> = store
        .search_households(&minzheng_store::HouseholdQuery { region: Some(community.clone()), after: None, limit: 2000 })
        .await
        .map_err(fail)?
        .items
        .into_iter()
        .filter_map(|h| h.building)
        .collect();
    buildings.sort_by_key(|b| (b.len(), b.clone()));
    buildings.dedup();
    let mut plates = 0;
    if let Some(street) = street {
        for (k, b) in buildings.iter().take(20).enumerate() {
            let plate = super::store::DoorPlate {
                id: 0,
                county: "210112".into(),
                street_id: street.id,
                street: street.name.clone(),
                number: (2 * k + 1).to_string(),
                community_code: community.to_string(),
                building_name: b.clone(),
                applied_on: today - Duration::days(30 + i64::try_from(k).unwrap_or(0)),
                assigned_on: today - Duration::days(25 + i64::try_from(k).unwrap_or(0) % 3),
            };
            s.add_plate(&plate, &actor).await.map_err(fail)?;
            plates += 1;
        }
    }
    Ok(format!(
        "浑南区标准地名 {approved} 个，征求意见中 1 个，新申报 1 个，门牌 {plates} 个 / {approved} standard names, 1 in consultation, 1 applied for, {plates} door plates"
    ))
}
