//! 合成城市: a deterministic synthetic city on the real region tree.
//!
//! From a seed and a number of persons it builds households with realistic sizes and
//! structures (couples, children, elders living with their children, single elders) spread over
//! the real communities of a city, persons with valid identity numbers consistent with their
//! birth date, sex and a plausible birth region, Chinese names with realistic surname
//! frequencies, disability and incomes in realistic proportions, and the other departments'
//! datasets (deaths, cremations, hukou moves, residence, vehicles, property, business, income,
//! social insurance, tax, provident fund, deposits, marriages) with a controllable share of
//! planted anomalies whose answer key is written beside them.

pub mod files;
pub mod linkage;
mod monitoring;
pub mod names;
pub mod rng;
pub mod roster;
mod signals;

use chrono::{Datelike, Duration, NaiveDate};
use minzheng_domain::{
    Disability, DisabilityCategory, Household, HouseholdKind, IdNumber, Person, PersonStatus, Region, RegionCode, RegionLevel, Relation,
    Sex,
};
use rng::Rng;
use std::collections::{HashMap, HashSet};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of persons (the last household may round it up by a few).
    pub persons: u64,
    pub seed: u64,
    /// The city (4-digit code); its communities receive the households.
    pub city: RegionCode,
    /// The day the data describes: ages, income months and dates are relative to it.
    pub as_of: NaiveDate,
    /// Share of persons behind a planted anomaly in the departmental data (0.0 to 0.2).
    pub anomaly_share: f64,
}

impl Config {
    pub fn new(persons: u64, seed: u64) -> Config {
        Config {
            persons,
            seed,
            city: RegionCode::parse("2101").unwrap_or_else(|_| unreachable!()),
            as_of: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default(),
            anomaly_share: 0.01,
        }
    }
}

/// A table as departments deliver it: Chinese headers and text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// File stem: `deaths`, `vehicles` ...
    pub name: &'static str,
    /// Department and content, for the README of the output folder.
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The same table without its rows.
    pub fn clone_empty(&self) -> Table {
        Table { name: self.name, title: self.title, headers: self.headers.clone(), rows: Vec::new() }
    }
}

/// Kinds of planted anomaly, each recorded in the answer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// 死亡未销户: dead according to public security, still alive in the registry.
    DeceasedStillRegistered,
    /// 低收入有车: a poor household owns a car.
    PoorHouseholdWithCar,
    /// One wrong digit in the ID number of a departmental record.
    IdOneDigit,
    /// Two adjacent digits swapped.
    IdTransposition,
    /// The legacy 15-digit form.
    IdLegacy15,
    /// Day and month of the birth date swapped in the ID number.
    IdDayMonthSwapped,
    /// A variant character in the name.
    NameVariant,
    /// 重复享受: a person listed in two households' enrolments of one program (the roster).
    EnrolledTwice,
    /// 户籍迁出: a poor household's member whose hukou moved to another province or city.
    HukouMovedOut,
    /// 空挂户: a poor household's member living or insured in another city.
    LivesElsewhere,
    /// 隐瞒收入: income the tax office sees (劳务报酬) in a poor household.
    UndeclaredIncome,
    /// A poor household's unmarried head married after the enrolment began.
    MarriedSinceEnrolment,
}

impl AnomalyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::DeceasedStillRegistered => "deceased_still_registered",
            AnomalyKind::PoorHouseholdWithCar => "poor_household_with_car",
            AnomalyKind::IdOneDigit => "id_one_digit",
            AnomalyKind::IdTransposition => "id_transposition",
            AnomalyKind::IdLegacy15 => "id_legacy_15",
            AnomalyKind::IdDayMonthSwapped => "id_day_month_swapped",
            AnomalyKind::NameVariant => "name_variant",
            AnomalyKind::EnrolledTwice => "enrolled_twice",
            AnomalyKind::HukouMovedOut => "hukou_moved_out",
            AnomalyKind::LivesElsewhere => "lives_elsewhere",
            AnomalyKind::UndeclaredIncome => "undeclared_income",
            AnomalyKind::MarriedSinceEnrolment => "married_since_enrolment",
        }
    }
}

/// One planted anomaly: what is wrong, where, and the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub dataset: &'static str,
    pub true_id: IdNumber,
    pub recorded_id: String,
    pub true_name: String,
    pub recorded_name: String,
}

/// Monthly economics of one person (fen), from which the departmental data is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Economy {
    pub wage: i64,
    pub pension: i64,
    pub deposit: i64,
    pub fund_monthly: i64,
    pub owns_car: bool,
    pub extra_property: bool,
    pub business: bool,
}

/// The generated city.
#[derive(Debug, Default)]
pub struct City {
    pub households: Vec<Household>,
    pub persons: Vec<Person>,
    /// Economy of each person, in the order of `persons`.
    pub economy: Vec<Economy>,
    /// Households generated as poor (the population that assistance programs look for).
    pub poor_households: HashSet<String>,
    pub datasets: Vec<Table>,
    /// The bureau's roster of enrolments (在保名册), one row per member.
    pub roster: Table,
    pub anomalies: Vec<Anomaly>,
    /// Community code → name, for the sheets.
    pub community_names: HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("the region tree has no communities under {0}")]
    NoCommunities(String),
}

/// A community with what the generator needs to know of it.
struct Community {
    code: RegionCode,
    name: String,
    kind: HouseholdKind,
    weight: u32,
    county: String,
}

/// Composition of a household.
#[derive(Clone, Copy)]
enum Shape {
    SingleElder,
    ElderCouple,
    Couple,
    CoupleWithChildren,
    ThreeGenerations,
    SingleAdult,
    SingleParent,
}

const SHAPES: &[(Shape, u32)] = &[
    (Shape::SingleElder, 10),
    (Shape::ElderCouple, 14),
    (Shape::Couple, 12),
    (Shape::CoupleWithChildren, 34),
    (Shape::ThreeGenerations, 14),
    (Shape::SingleAdult, 12),
    (Shape::SingleParent, 4),
];

/// Birth areas outside Liaoning for people who moved to the city (北京, 山东, 黑龙江, 吉林, 河北).
const OTHER_PROVINCE_AREAS: &[u32] = &[110105, 370102, 230102, 220102, 130102, 150102];

const CATEGORIES: &[(DisabilityCategory, u32)] = &[
    (DisabilityCategory::Physical, 45),
    (DisabilityCategory::Hearing, 15),
    (DisabilityCategory::Visual, 12),
    (DisabilityCategory::Mental, 10),
    (DisabilityCategory::Intellectual, 8),
    (DisabilityCategory::Multiple, 8),
    (DisabilityCategory::Speech, 2),
];

const GRADES: &[(u8, u32)] = &[(1, 10), (2, 20), (3, 30), (4, 40)];

/// Generates a city over `regions` (the whole tree or the city's part of it).
pub fn generate(regions: &[Region], config: &Config) -> Result<City, SynthError> {
    let communities: Vec<Community> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Community && config.city.contains(&r.code))
        .map(|r| {
            let kind = HouseholdKind::of_community_name(&r.name);
            Community {
                code: r.code.clone(),
                name: r.name.clone(),
                kind,
                // Urban communities hold about three times the households of a village.
                weight: if kind == HouseholdKind::Urban { 3 } else { 1 },
                county: r.code.as_str()[..6].to_string(),
            }
        })
        .collect();
    if communities.is_empty() {
        return Err(SynthError::NoCommunities(config.city.to_string()));
    }
    let liaoning_counties: Vec<u32> =
        regions.iter().filter(|r| r.level == RegionLevel::County).filter_map(|r| r.code.as_str().parse().ok()).collect();
    let cumulative: Vec<u64> = communities
        .iter()
        .scan(0u64, |acc, c| {
            *acc += u64::from(c.weight);
            Some(*acc)
        })
        .collect();
    let total_weight = *cumulative.last().unwrap_or(&1);

    let mut rng = Rng::new(config.seed);
    let mut g = Generator {
        config,
        rng: rng.fork(1),
        ids: FastSet::with_capacity_and_hasher(config.persons as usize + 16, Default::default()),
        liaoning_counties,
        surname_total: names::surname_total(),
        city: City::default(),
        next_no: vec![0u32; communities.len()],
    };
    g.city.persons.reserve(config.persons as usize + 8);
    g.city.economy.reserve(config.persons as usize + 8);
    while (g.city.persons.len() as u64) < config.persons {
        let x = g.rng.below(total_weight);
        let idx = cumulative.partition_point(|&c| c <= x);
        g.household(&communities, idx);
    }
    g.city.community_names = communities.iter().map(|c| (c.code.to_string(), c.name.clone())).collect();
    let mut data_rng = rng.fork(2);
    let mut city = g.city;
    datasets(&mut city, config, &mut data_rng);
    roster::roster(&mut city, config, &mut rng.fork(3));
    signals::signals(&mut city, config, &mut rng.fork(4));
    monitoring::monitoring(&mut city, config);
    Ok(city)
}

struct Generator<'a> {
    config: &'a Config,
    rng: Rng,
    ids: FastSet<IdNumber>,
    liaoning_counties: Vec<u32>,
    surname_total: u32,
    city: City,
    next_no: Vec<u32>,
}

impl Generator<'_> {
    fn household(&mut self, communities: &[Community], idx: usize) {
        let c = &communities[idx];
        self.next_no[idx] += 1;
        let no = format!("{}{:05}", c.code.padded(), self.next_no[idx]);
        let shape = *self.rng.weighted(SHAPES, SHAPES.iter().map(|s| s.1).sum());
        let surname = self.surname();
        let poor = self.rng.chance(if c.kind == HouseholdKind::Rural { 0.07 } else { 0.035 });
        let first = self.city.persons.len();
        let elder_age = |r: &mut Rng| 60 + (r.below(25) + r.below(20)) as u32; // 60–103, peak 70s
        let adult_age = |r: &mut Rng| r.range(22, 59) as u32;
        match shape {
            Shape::SingleElder => {
                let sex = self.sex();
                let age = elder_age(&mut self.rng);
                self.person(c, &no, Relation::Head, sex, age, Some(&surname), poor);
            }
            Shape::ElderCouple => {
                let age = elder_age(&mut self.rng);
                self.couple(c, &no, age, &surname, poor);
            }
            Shape::Couple => {
                let age = adult_age(&mut self.rng);
                self.couple(c, &no, age, &surname, poor);
            }
            Shape::CoupleWithChildren => {
                let age = self.rng.range(26, 55) as u32;
                self.couple(c, &no, age, &surname, poor);
                let kids = if self.rng.chance(0.3) { 2 } else { 1 };
                for _ in 0..kids {
                    let child_age = age.saturating_sub(self.rng.range(23, 36) as u32);
                    let sex = self.sex();
                    self.person(c, &no, Relation::Child, sex, child_age, Some(&surname), poor);
                }
            }
            Shape::ThreeGenerations => {
                let age = self.rng.range(30, 52) as u32;
                self.couple(c, &no, age, &surname, poor);
                let child_age = age.saturating_sub(self.rng.range(23, 34) as u32);
                let sex = self.sex();
                self.person(c, &no, Relation::Child, sex, child_age, Some(&surname), poor);
                let elders = 1 + self.rng.below(2);
                for i in 0..elders {
                    let sex = if i == 0 { Sex::Female } else { Sex::Male };
                    let age = (age + self.rng.range(22, 34) as u32).max(60);
                    self.person(c, &no, Relation::Parent, sex, age, if sex == Sex::Male { Some(&surname) } else { None }, poor);
                }
            }
            Shape::SingleAdult => {
                let sex = self.sex();
                let age = adult_age(&mut self.rng);
                self.person(c, &no, Relation::Head, sex, age, None, poor);
            }
            Shape::SingleParent => {
                let sex = if self.rng.chance(0.75) { Sex::Female } else { Sex::Male };
                let age = self.rng.range(28, 50) as u32;
                self.person(c, &no, Relation::Head, sex, age, None, poor);
                let child_age = age.saturating_sub(self.rng.range(22, 34) as u32);
                let sex = self.sex();
                self.person(c, &no, Relation::Child, sex, child_age, None, poor);
            }
        }
        let head = self.city.persons[first].id_number;
        let members = self.city.persons.len() - first;
        if shape_is_single_elder(shape, members) {
            self.city.persons[first].tags.push("独居老人".into());
        }
        let grids = if c.kind == HouseholdKind::Urban { 6 } else { 3 };
        let grid_no = 1 + self.rng.below(grids);
        let (address, building) = if c.kind == HouseholdKind::Urban {
            let b = 1 + self.rng.below(30);
            let unit = 1 + self.rng.below(6);
            let floor = 1 + self.rng.below(18);
            let room = 1 + self.rng.below(4);
            (format!("{}{}号楼{}单元{}0{}室", c.name, b, unit, floor, room), Some(format!("{b}号楼")))
        } else {
            let group = 1 + self.rng.below(8);
            (format!("{}{}组{}号", c.name, group, 1 + self.rng.below(120)), None)
        };
        if poor {
            self.city.poor_households.insert(no.clone());
        }
        self.city.households.push(Household {
            household_no: no,
            head: Some(head),
            address,
            community: c.code.clone(),
            grid: Some(format!("第{grid_no}网格")),
            building,
            kind: c.kind,
        });
    }

    fn couple(&mut self, c: &Community, no: &str, age: u32, surname: &str, poor: bool) {
        let head_sex = if self.rng.chance(0.8) { Sex::Male } else { Sex::Female };
        let other = if head_sex == Sex::Male { Sex::Female } else { Sex::Male };
        let spouse_age = (age as i64 + self.rng.range(-5, 3)).max(20) as u32;
        let head_surname = (head_sex == Sex::Male).then_some(surname);
        self.person(c, no, Relation::Head, head_sex, age, head_surname, poor);
        let spouse_surname = (other == Sex::Male).then_some(surname);
        self.person(c, no, Relation::Spouse, other, spouse_age, spouse_surname, poor);
    }

    fn sex(&mut self) -> Sex {
        if self.rng.chance(0.5) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    fn surname(&mut self) -> String {
        (*self.rng.weighted(names::SURNAMES, self.surname_total)).to_string()
    }

    #[allow(clippy::too_many_arguments)]
    fn person(&mut self, c: &Community, no: &str, relation: Relation, sex: Sex, age: u32, surname: Option<&str>, poor: bool) {
        let surname = match surname {
            Some(s) => s.to_string(),
            None => self.surname(),
        };
        let pool = if sex == Sex::Male { names::MALE_CHARS } else { names::FEMALE_CHARS };
        let mut name = surname;
        let part: &&str = self.rng.pick(pool);
        name.push_str(part);
        if name.chars().count() < 3 && self.rng.chance(0.55) {
            let part: &&str = self.rng.pick(pool);
            name.push_str(part);
        }
        let as_of = self.config.as_of;
        let birth = as_of - Duration::days(i64::from(age) * 365 + self.rng.below(365) as i64 + i64::from(age / 4));
        let roll = self.rng.below(100);
        let area: u32 = if roll < 80 {
            c.county.parse().unwrap_or(210102)
        } else if roll < 95 && !self.liaoning_counties.is_empty() {
            *self.rng.pick(&self.liaoning_counties)
        } else {
            *self.rng.pick(OTHER_PROVINCE_AREAS)
        };
        let mut id = IdNumber::from_parts(area, birth, self.rng.below(1000) as u16, sex);
        let mut tries = 0;
        while !self.ids.insert(id) {
            tries += 1;
            id = IdNumber::from_parts(area, birth - Duration::days(tries / 400), self.rng.below(1000) as u16, sex);
        }
        let age_now = id.age_on(as_of);
        let status = match self.rng.below(1000) {
            0..=3 => PersonStatus::Deceased(Some(as_of - Duration::days(self.rng.range(1, 700)))),
            4..=6 => PersonStatus::MovedOut(Some(as_of - Duration::days(self.rng.range(1, 700)))),
            _ => PersonStatus::Alive,
        };
        let disabled = self.rng.chance(if age_now >= 60 { 0.12 } else { 0.03 });
        let disability =
            disabled.then(|| Disability { category: *self.rng.weighted(CATEGORIES, 100), grade: *self.rng.weighted(GRADES, 100) });
        let mut tags = Vec::new();
        if age_now >= 18 && self.rng.chance(0.07) {
            tags.push("党员".to_string());
        }
        if disability.is_some() {
            tags.push("残疾人".to_string());
        }
        if age_now >= 80 {
            tags.push("高龄老人".to_string());
        }
        let hukou_region = c.code.clone();
        let phone = (age_now >= 16).then(|| {
            let prefix = *self.rng.pick(&["130", "133", "135", "138", "139", "150", "152", "158", "186", "189"]);
            format!("{prefix}{:08}", self.rng.below(100_000_000))
        });
        let economy = self.economy(c, age_now, poor, disability.is_some());
        self.city.persons.push(Person {
            id_number: id,
            name,
            sex,
            birth_date: birth,
            hukou_region,
            household_no: Some(no.to_string()),
            relation,
            status,
            disability,
            phone,
            tags,
        });
        self.city.economy.push(economy);
    }

    /// Incomes and assets: wages around 4,500 yuan for most working adults, pensions for
    /// elders (urban employees' pensions, or the basic rural pension), little for the poor.
    fn economy(&mut self, c: &Community, age: u32, poor: bool, disabled: bool) -> Economy {
        let r = &mut self.rng;
        let urban = c.kind == HouseholdKind::Urban;
        let mut e = Economy::default();
        let lognormal = |r: &mut Rng, median: f64, sigma: f64| (median * (sigma * r.normal()).exp()) as i64;
        if (18..60).contains(&age) {
            let works = r.chance(if poor {
                0.25
            } else if disabled {
                0.4
            } else {
                0.82
            });
            if works {
                let median = if poor {
                    900.0
                } else if urban {
                    4800.0
                } else {
                    3200.0
                };
                e.wage = lognormal(r, median, 0.45) * 100;
                if urban && !poor && r.chance(0.6) {
                    e.fund_monthly = e.wage / 10;
                }
            }
            e.business = !poor && r.chance(0.05);
        } else if age >= 60 {
            e.pension = if poor {
                r.range(150, 400) * 100
            } else if urban && r.chance(0.9) {
                lognormal(r, 3100.0, 0.3) * 100
            } else {
                r.range(180, 600) * 100
            };
        }
        if age >= 18 {
            e.deposit = if poor { r.range(0, 8000) * 100 } else { lognormal(r, 40000.0, 1.0) * 100 };
        }
        e.owns_car = (18..75).contains(&age) && !poor && r.chance(0.18);
        e.extra_property = age >= 30 && !poor && r.chance(0.06);
        e
    }
}

fn shape_is_single_elder(shape: Shape, members: usize) -> bool {
    matches!(shape, Shape::SingleElder) && members == 1
}

fn yuan(fen: i64) -> String {
    minzheng_domain::Fen(fen).to_string()
}

fn date_text(d: NaiveDate) -> String {
    minzheng_domain::registry::date_text(d)
}

use minzheng_domain::hash::FastSet;

/// Writes the departmental datasets from the persons' economy, planting anomalies.
fn datasets(city: &mut City, config: &Config, rng: &mut Rng) {
    let as_of = config.as_of;
    let month = format!("{:04}-{:02}", as_of.year(), as_of.month());
    let mut deaths = Table {
        name: "deaths",
        title: "公安 死亡人员信息 / Public security: deaths",
        headers: vec!["身份证号", "姓名", "死亡日期", "数据来源"],
        rows: Vec::new(),
    };
    let mut vehicles = Table {
        name: "vehicles",
        title: "公安交管 机动车登记 / Public security: vehicles",
        headers: vec!["身份证号", "姓名", "号牌号码", "车辆类型", "车辆价值", "初次登记日期"],
        rows: Vec::new(),
    };
    let mut property = Table {
        name: "property",
        title: "自然资源 不动产登记 / Real estate registrations",
        headers: vec!["身份证号", "姓名", "不动产坐落", "建筑面积", "登记日期"],
        rows: Vec::new(),
    };
    let mut business = Table {
        name: "business",
        title: "市场监管 市场主体登记 / Market supervision: business registrations",
        headers: vec!["身份证号", "姓名", "企业名称", "统一社会信用代码", "注册资本", "成立日期"],
        rows: Vec::new(),
    };
    let mut income = Table {
        name: "income",
        title: "人社 工资和养老金 / Human resources: wages and pensions",
        headers: vec!["身份证号", "姓名", "收入类型", "所属月份", "金额"],
        rows: Vec::new(),
    };
    let mut fund = Table {
        name: "provident_fund",
        title: "住房公积金 缴存 / Housing provident fund",
        headers: vec!["身份证号", "姓名", "月缴存额", "账户余额"],
        rows: Vec::new(),
    };
    let mut deposits = Table {
        name: "deposits",
        title: "银行 存款 / Bank deposits",
        headers: vec!["身份证号", "姓名", "开户银行", "余额"],
        rows: Vec::new(),
    };
    const BANKS: &[&str] = &["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "盛京银行", "邮储银行"];
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let share = config.anomaly_share.clamp(0.0, 0.2);
    let poor = &city.poor_households;
    let mut anomalies = Vec::new();

    for (p, e) in city.persons.iter().zip(city.economy.iter()) {
        let id = p.id_number.to_string();
        let household_poor = p.household_no.as_ref().is_some_and(|h| poor.contains(h));
        // A departmental record usually carries the right ID and name; a planted share is dirty.
        let recorded = |dataset: &'static str, rng: &mut Rng, anomalies: &mut Vec<Anomaly>| -> (String, String) {
            if rng.chance(share) {
                let (kind, rid, rname) = dirty(p, rng);
                anomalies.push(Anomaly {
                    kind,
                    dataset,
                    true_id: p.id_number,
                    recorded_id: rid.clone(),
                    true_name: p.name.clone(),
                    recorded_name: rname.clone(),
                });
                (rid, rname)
            } else {
                (id.clone(), p.name.clone())
            }
        };
        match p.status {
            PersonStatus::Deceased(d) => {
                let (rid, rname) = recorded("deaths", rng, &mut anomalies);
                deaths.rows.push(vec![rid, rname, d.map(date_text).unwrap_or_default(), "公安户籍".into()]);
            }
            PersonStatus::Alive if p.id_number.age_on(as_of) >= 50 && rng.chance(share * 0.2) => {
                let d = as_of - Duration::days(rng.range(10, 200));
                deaths.rows.push(vec![id.clone(), p.name.clone(), date_text(d), "殡葬火化".into()]);
                anomalies.push(Anomaly {
                    kind: AnomalyKind::DeceasedStillRegistered,
                    dataset: "deaths",
                    true_id: p.id_number,
                    recorded_id: id.clone(),
                    true_name: p.name.clone(),
                    recorded_name: p.name.clone(),
                });
            }
            _ => {}
        }
        let planted_car = household_poor && p.relation == Relation::Head && rng.chance(share * 2.0);
        if e.owns_car || planted_car {
            let (rid, rname) = recorded("vehicles", rng, &mut anomalies);
            let serial = rng.below(10_000);
            let plate = format!("辽A{}{:04}", LETTERS[rng.below(LETTERS.len() as u64) as usize] as char, serial);
            let registered = as_of - Duration::days(rng.range(30, 4000));
            // The value in yuan (评估价值), from the plate's serial so that no draw is added: a
            // planted car is worth more than any limit a rule would set (60,000-120,000 yuan).
            let value = if planted_car { 60_000 + serial * 7 % 60_000 } else { 20_000 + serial * 37 % 280_000 };
            vehicles.rows.push(vec![rid, rname, plate, "小型普通客车".into(), value.to_string(), date_text(registered)]);
            if planted_car {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::PoorHouseholdWithCar,
                    dataset: "vehicles",
                    true_id: p.id_number,
                    recorded_id: id.clone(),
                    true_name: p.name.clone(),
                    recorded_name: p.name.clone(),
                });
            }
        }
        if p.relation == Relation::Head && rng.chance(if household_poor { 0.3 } else { 0.7 }) || e.extra_property {
            let (rid, rname) = recorded("property", rng, &mut anomalies);
            let area = format!("{}.{:02}", rng.range(35, 140), rng.below(100));
            property.rows.push(vec![
                rid,
                rname,
                format!("沈阳市某区{}号", rng.below(900) + 1),
                area,
                date_text(as_of - Duration::days(rng.range(100, 9000))),
            ]);
        }
        if e.business {
            let (rid, rname) = recorded("business", rng, &mut anomalies);
            let code = format!("91210{:013}", rng.below(10_000_000_000_000));
            business.rows.push(vec![
                rid,
                rname.clone(),
                format!("沈阳{}商贸有限公司", rname),
                code,
                yuan(rng.range(10, 500) * 1_000_000),
                date_text(as_of - Duration::days(rng.range(100, 5000))),
            ]);
        }
        if e.wage > 0 {
            let (rid, rname) = recorded("income", rng, &mut anomalies);
            income.rows.push(vec![rid, rname, "工资".into(), month.clone(), yuan(e.wage)]);
        }
        if e.pension > 0 {
            let (rid, rname) = recorded("income", rng, &mut anomalies);
            income.rows.push(vec![rid, rname, "养老金".into(), month.clone(), yuan(e.pension)]);
        }
        if e.fund_monthly > 0 {
            let (rid, rname) = recorded("provident_fund", rng, &mut anomalies);
            fund.rows.push(vec![rid, rname, yuan(e.fund_monthly), yuan(e.fund_monthly * rng.range(6, 120))]);
        }
        if e.deposit > 0 {
            let (rid, rname) = recorded("deposits", rng, &mut anomalies);
            deposits.rows.push(vec![rid, rname, (*rng.pick(BANKS)).into(), yuan(e.deposit)]);
        }
    }
    city.datasets = vec![deaths, vehicles, property, business, income, fund, deposits];
    city.anomalies = anomalies;
}

/// A dirty copy of a person's ID number or name, as clerks and old systems produce them.
fn dirty(p: &Person, rng: &mut Rng) -> (AnomalyKind, String, String) {
    let id = p.id_number.as_str().to_string();
    let name = p.name.clone();
    let kinds = [
        AnomalyKind::IdOneDigit,
        AnomalyKind::IdTransposition,
        AnomalyKind::IdLegacy15,
        AnomalyKind::IdDayMonthSwapped,
        AnomalyKind::NameVariant,
    ];
    let kind = *rng.pick(&kinds);
    let mut bytes = id.clone().into_bytes();
    match kind {
        AnomalyKind::IdOneDigit => {
            let pos = rng.below(17) as usize;
            bytes[pos] = b'0' + (bytes[pos] - b'0' + 1 + rng.below(9) as u8) % 10;
            (kind, String::from_utf8(bytes).unwrap_or(id), name)
        }
        AnomalyKind::IdTransposition => {
            // Any two adjacent characters, the 17th digit and the check character included.
            let candidates: Vec<usize> = (0..17).filter(|&i| bytes[i] != bytes[i + 1]).collect();
            let pos = *rng.pick(&candidates);
            bytes.swap(pos, pos + 1);
            (kind, String::from_utf8(bytes).unwrap_or(id), name)
        }
        AnomalyKind::IdLegacy15 if p.birth_date.year() < 2000 => {
            let legacy = format!("{}{}{}", &id[..6], &id[8..14], &id[14..17]);
            (kind, legacy, name)
        }
        AnomalyKind::IdDayMonthSwapped if p.birth_date.day() <= 12 && p.birth_date.day() != p.birth_date.month() => {
            let swapped = format!("{}{}{}{}{}", &id[..10], &id[12..14], &id[10..12], &id[14..17], &id[17..]);
            (kind, swapped, name)
        }
        _ => {
            for (plain, variant) in names::VARIANTS {
                if name.contains(plain) {
                    return (AnomalyKind::NameVariant, id, name.replacen(plain, variant, 1));
                }
            }
            // No variant character in this name: one wrong digit instead.
            let pos = rng.below(17) as usize;
            bytes[pos] = b'0' + (bytes[pos] - b'0' + 1 + rng.below(9) as u8) % 10;
            (AnomalyKind::IdOneDigit, String::from_utf8(bytes).unwrap_or(id), name)
        }
    }
}
