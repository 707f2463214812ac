//! The monitoring's departmental sources (医保 medical settlements, 残联 disability ratings, 人社
//! unemployment registrations), with events planted in the poor households the warnings must
//! find: large out-of-pocket costs, new ratings, a job lost. Their own random stream, so that
//! the other datasets stay as they were for the same seed.

use crate::rng::Rng;
use crate::{date_text, yuan, City, Config, Table};
use chrono::Duration;
use minzheng_domain::PersonStatus;

pub(crate) fn monitoring(city: &mut City, config: &Config) {
    let mut rng = Rng::new(config.seed ^ 0x4D4F_4E49_544F_5253);
    let as_of = config.as_of;
    let mut medical = Table {
        name: "medical",
        title: "医疗保障 医疗费用结算 / Medical insurance: settlements",
        headers: vec!["身份证号", "姓名", "结算日期", "医疗总费用", "个人自付", "医疗机构"],
        rows: Vec::new(),
    };
    let mut disability = Table {
        name: "disability",
        title: "残联 残疾评定 / Disabled persons' federation: ratings",
        headers: vec!["身份证号", "姓名", "残疾类别", "残疾等级", "评定日期"],
        rows: Vec::new(),
    };
    let mut unemployment = Table {
        name: "unemployment",
        title: "人社 失业登记 / Human resources: unemployment registrations",
        headers: vec!["身份证号", "姓名", "失业登记日期", "登记机构"],
        rows: Vec::new(),
    };
    const HOSPITALS: &[&str] =
        &["中国医科大学附属第一医院", "沈阳市第四人民医院", "辽宁省人民医院", "沈阳市第一人民医院", "社区卫生服务中心"];
    for p in city.persons.iter().filter(|p| p.status == PersonStatus::Alive) {
        let poor = p.household_no.as_ref().is_some_and(|h| city.poor_households.contains(h));
        let age = p.id_number.age_on(as_of);
        // Ordinary outpatient settlements, and in poor households now and then a large bill.
        if rng.chance(if age >= 60 { 0.10 } else { 0.03 }) {
            let (total, own) = if poor && rng.chance(0.25) {
                let total = rng.range(30_000, 150_000) * 100;
                (total, total * rng.range(30, 60) / 100)
            } else {
                let total = rng.range(200, 5_000) * 100;
                (total, total * rng.range(10, 40) / 100)
            };
            let on = as_of - Duration::days(rng.range(1, 300));
            medical.rows.push(vec![
                p.id_number.to_string(),
                p.name.clone(),
                date_text(on),
                yuan(total),
                yuan(own),
                (*rng.pick(HOSPITALS)).into(),
            ]);
        }
        // Ratings: the registry's disabled persons were rated long ago; a few are rated now.
        if let Some(d) = p.disability {
            let on = as_of - Duration::days(if rng.chance(0.05) { rng.range(1, 80) } else { rng.range(400, 4000) });
            disability.rows.push(vec![p.id_number.to_string(), p.name.clone(), d.category.zh().into(), d.grade.to_string(), date_text(on)]);
        }
        // Unemployment registrations of working-age persons, more often in poor households.
        if (18..60).contains(&age) && rng.chance(if poor { 0.08 } else { 0.01 }) {
            let on = as_of - Duration::days(rng.range(1, 200));
            unemployment.rows.push(vec![p.id_number.to_string(), p.name.clone(), date_text(on), "区就业服务中心".into()]);
        }
    }
    city.datasets.extend([medical, disability, unemployment]);
}
