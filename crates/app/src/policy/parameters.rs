//! 参数: effective-dated parameters set with their decision, refused where outranked.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// Records a new value of a parameter (a change from a date), for the account's region or a
/// region below it (audited in the store).
/// The largest value a parameter may be given: 100 million yuan in fen, far above any standard,
/// and small enough that a standard times a city's persons stays inside `i64`.
pub const MAX_PARAMETER_VALUE: i64 = 10_000_000_000;

pub async fn set_parameter(
    store: &dyn Store,
    engine: &Engine,
    cx: &RequestContext<'_>,
    record: ParameterRecord,
) -> Result<ParameterRecord, PolicyFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::SetParameters) {
        return Err(AccessError::Forbidden.into());
    }
    let region = RegionCode::parse(&record.region).map_err(|e| invalid(e.zh(), e.en()))?;
    if region.level() != RegionLevel::City && region.level() != RegionLevel::County && region.level() != RegionLevel::Province {
        return Err(invalid("参数只能按省、市或区县设定", "parameters are set for a province, city or county"));
    }
    if !who.in_scope(&region) {
        return Err(AccessError::OutOfScope.into());
    }
    let Some(def) = engine.policy.parameter(&record.name) else {
        return Err(invalid(format!("没有参数“{}”", record.name), format!("no parameter {:?}", record.name)));
    };
    if record.value < 0 {
        return Err(invalid(format!("{}不能为负数", def.zh), format!("{} cannot be negative", def.en)));
    }
    if record.value > MAX_PARAMETER_VALUE {
        return Err(invalid(
            format!("{}的取值{}超出合理范围（不超过{MAX_PARAMETER_VALUE}，单位{}）", def.zh, record.value, def.unit),
            format!("{} = {} is out of range (at most {MAX_PARAMETER_VALUE} {})", def.en, record.value, def.unit),
        ));
    }
    if store.region(&region).await?.is_none() {
        return Err(invalid(format!("区划{region}不存在"), format!("region {region} does not exist")));
    }
    if record.reason.trim().chars().count() < 4 {
        return Err(invalid(
            "请写明调整依据（文件名称或文号，至少4个字）",
            "give the basis of the change (a document, at least 4 characters)",
        ));
    }
    // A value that would not take effect is refused with the record that outranks it: a value
    // for both areas where the same region has its own value for an area (a city unifying its
    // urban and rural standards sets each area, or both at once as two records).
    let records = store.parameter_records().await?;
    let areas = match record.area {
        Some(a) => vec![a],
        None => vec![minzheng_policy::Area::Urban, minzheng_policy::Area::Rural],
    };
    let mut with_new = records.clone();
    with_new.push(ParameterRecord { seq: i64::MAX, ..record.clone() });
    for area in areas {
        let Some(winner) = minzheng_policy::params::in_force(&with_new, &record.name, &record.region, area, record.effective_from) else {
            continue;
        };
        if winner.seq != i64::MAX {
            let shown = minzheng_domain::units::with_unit(&winner.value.to_string(), &def.unit, true);
            let shown_en = minzheng_domain::units::with_unit(&winner.value.to_string(), &def.unit, false);
            return Err(invalid(
                format!(
                    "该值不会生效：{}（{}）自 {} 起另有专门设定 {shown}（#{}），优先于不分城乡的值；请用 --area {} 分别设定",
                    winner.region,
                    area.zh(),
                    winner.effective_from,
                    winner.seq,
                    area.as_str()
                ),
                format!(
                    "this value would not take effect: {} ({}) has its own value {shown_en} from {} (#{}), which outranks one for both areas; set each area with --area {}",
                    winner.region,
                    area.as_str(),
                    winner.effective_from,
                    winner.seq,
                    area.as_str()
                ),
            ));
        }
    }
    let stored = store.add_parameter_records(&[record], actor).await?;
    stored.into_iter().next().ok_or_else(|| invalid("参数未保存", "the parameter was not stored"))
}
