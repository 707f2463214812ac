//! Households written as the rule texts speak of them, checked by the shipped 沈阳市 policies.
#![allow(dead_code)]

use chrono::NaiveDate;
use minzheng_domain::economy::ItemKind;
use minzheng_domain::id::Sex;
use minzheng_domain::region::RegionCode;
use minzheng_domain::registry::{Disability, DisabilityCategory, Household, HouseholdKind, Person, PersonStatus, Relation};
use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen, IdNumber};
use minzheng_policy::explain::{Check, ProgramCheck};
use minzheng_policy::params::shipped_records;
use minzheng_policy::{Engine, ParameterRecord, PolicySet, Snapshot, SnapshotBuilder};
use std::sync::OnceLock;

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A member: born on a date, with what the departments know of them.
#[derive(Debug, Clone)]
pub struct Member {
    pub birth: NaiveDate,
    pub disability: Option<Disability>,
    pub tags: Vec<String>,
    pub income: Vec<(&'static str, i64)>,
    pub assets: Vec<(&'static str, i64)>,
    pub self_care_failed: i32,
    pub alive: bool,
    /// 与户主关系; the first member is the head unless said otherwise, the others 其他.
    pub relation: Option<Relation>,
    /// Enrolments the member is in: (program, the member's monthly amount in fen).
    pub enrolled: Vec<(&'static str, i64)>,
    /// Legal supporters elsewhere the survey found able (None: no survey recorded).
    pub supporters_elsewhere: Option<i32>,
    /// Enrolments of the member that are suspended (暂停): (program, monthly amount).
    pub suspended: Vec<(&'static str, i64)>,
}

pub fn born(date: &str) -> Member {
    Member {
        birth: day(date),
        disability: None,
        tags: Vec::new(),
        income: Vec::new(),
        assets: Vec::new(),
        self_care_failed: 0,
        alive: true,
        relation: None,
        enrolled: Vec::new(),
        supporters_elsewhere: None,
        suspended: Vec::new(),
    }
}

impl Member {
    pub fn wage(mut self, fen: i64) -> Member {
        self.income.push(("wage", fen));
        self
    }
    pub fn pension(mut self, fen: i64) -> Member {
        self.income.push(("pension", fen));
        self
    }
    pub fn income(mut self, kind: &'static str, fen: i64) -> Member {
        self.income.push((kind, fen));
        self
    }
    pub fn asset(mut self, kind: &'static str, amount: i64) -> Member {
        self.assets.push((kind, amount));
        self
    }
    pub fn disabled(mut self, category: DisabilityCategory, grade: u8) -> Member {
        self.disability = Some(Disability { category, grade });
        self
    }
    pub fn tag(mut self, t: &str) -> Member {
        self.tags.push(t.into());
        self
    }
    pub fn self_care(mut self, failed: i32) -> Member {
        self.self_care_failed = failed;
        self
    }
    pub fn deceased(mut self) -> Member {
        self.alive = false;
        self
    }
    /// 与户主关系.
    pub fn as_(mut self, relation: Relation) -> Member {
        self.relation = Some(relation);
        self
    }
    /// A member of an enrolment in force of `program`, with their monthly amount.
    pub fn enrolled(mut self, program: &'static str, fen: i64) -> Member {
        self.enrolled.push((program, fen));
        self
    }
    /// Able legal supporters living elsewhere, as the survey recorded.
    pub fn supporters_elsewhere(mut self, able: i32) -> Member {
        self.supporters_elsewhere = Some(able);
        self
    }
    /// A member of a suspended enrolment (暂停) of `program`.
    pub fn suspended(mut self, program: &'static str, fen: i64) -> Member {
        self.suspended.push((program, fen));
        self
    }
}

pub const URBAN_COMMUNITY: &str = "210112001001";
pub const RURAL_COMMUNITY: &str = "210114101201";

/// A member's listings in enrolments of one status: (program, monthly amount).
type Listed = dyn Fn(&Member) -> Vec<(&'static str, i64)>;

/// A snapshot of one household in a community of 浑南区.
pub fn household(kind: HouseholdKind, members: &[Member]) -> Snapshot {
    let community = if kind == HouseholdKind::Rural { RURAL_COMMUNITY } else { URBAN_COMMUNITY };
    let community = RegionCode::parse(community).unwrap_or_else(|e| panic!("{e}"));
    let mut b = SnapshotBuilder::new();
    b.household(&Household {
        household_no: "H0001".into(),
        head: None,
        address: "测试路1号".into(),
        community: community.clone(),
        grid: None,
        building: None,
        kind,
    });
    for (i, m) in members.iter().enumerate() {
        let id = IdNumber::from_parts(210112, m.birth, 100 + i as u16, Sex::Male);
        b.person(&Person {
            id_number: id,
            name: format!("成员{i}"),
            sex: Sex::Male,
            birth_date: m.birth,
            hukou_region: community.clone(),
            household_no: Some("H0001".into()),
            relation: m.relation.unwrap_or(if i == 0 { Relation::Head } else { Relation::Other }),
            status: if m.alive { PersonStatus::Alive } else { PersonStatus::Deceased(None) },
            disability: m.disability,
            phone: None,
            tags: m.tags.clone(),
        });
        for (k, v) in m.income.iter().chain(m.assets.iter()) {
            let kind = ItemKind::parse(k).unwrap_or_else(|| panic!("item kind {k}"));
            assert!(b.item(id.as_str(), kind, *v));
        }
        b.self_care(id.as_str(), m.self_care_failed);
        if let Some(able) = m.supporters_elsewhere {
            b.supporters_elsewhere(id.as_str(), able);
        }
    }
    let enrolled = |m: &Member| m.enrolled.clone();
    let suspended = |m: &Member| m.suspended.clone();
    let kinds: [(EnrolmentStatus, &Listed); 2] = [(EnrolmentStatus::Active, &enrolled), (EnrolmentStatus::Suspended, &suspended)];
    for (status, of) in kinds {
        let mut programs: Vec<&str> = members.iter().flat_map(|m| of(m).into_iter().map(|(p, _)| p)).collect();
        programs.sort_unstable();
        programs.dedup();
        for program in programs {
            // One enrolment per listing: a member listed twice is in two enrolments.
            let listings = members.iter().map(|m| of(m).iter().filter(|(p, _)| *p == program).count()).max().unwrap_or(0);
            for n in 0..listings {
                let covered: Vec<EnrolledMember> = members
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let id = IdNumber::from_parts(210112, m.birth, 100 + i as u16, Sex::Male);
                        of(m)
                            .into_iter()
                            .filter(|(p, _)| *p == program)
                            .nth(n)
                            .map(|(_, fen)| EnrolledMember::new(id, format!("成员{i}"), Some(Fen(fen))))
                    })
                    .collect();
                b.enrolment(&Enrolment {
                    id: 0,
                    program: program.into(),
                    household_no: format!("H000{}", n + 1),
                    county: RegionCode::parse("210112").unwrap_or_else(|e| panic!("{e}")),
                    monthly_amount: Fen(covered.iter().filter_map(|m| m.amount).map(|a| a.0).sum()),
                    members: covered,
                    start: day("2025-01-01"),
                    status,
                    end: None,
                });
            }
        }
    }
    b.finish(1)
}

pub fn records() -> Vec<ParameterRecord> {
    shipped_records(&PolicySet::shenyang(), chrono::DateTime::default())
}

/// The shipped policies, compiled once for the test binary.
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            // Compiled on a thread of its own: the tests calling this already run inside a runtime.
            std::thread::spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread().build().unwrap_or_else(|e| panic!("{e}"));
                rt.block_on(Engine::new(PolicySet::shenyang(), 1)).unwrap_or_else(|e| panic!("{e}"))
            })
            .join()
            .unwrap_or_else(|_| panic!("the engine did not compile"))
        })
        .clone()
}

pub async fn check(kind: HouseholdKind, members: &[Member], on: &str) -> Check {
    engine()
        .check(&household(kind, members), &records(), day(on))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no household"))
}

pub fn program<'a>(c: &'a Check, code: &str) -> &'a ProgramCheck {
    c.programs.iter().find(|p| p.code == code).unwrap_or_else(|| panic!("no program {code}"))
}

/// (eligible, amount) of a program for the household, summed over its members for person programs.
pub fn decision(c: &Check, code: &str) -> (bool, i64) {
    let p = program(c, code);
    (p.eligible(), p.amount())
}

/// (eligible, amount) of a person program for the member at `index`.
pub fn member_decision(c: &Check, code: &str, index: usize, members: &[Member]) -> (bool, i64) {
    let id = IdNumber::from_parts(210112, members[index].birth, 100 + index as u16, Sex::Male).to_string();
    program(c, code).units.iter().find(|u| u.unit == id).map(|u| (u.eligible, u.amount)).unwrap_or((false, 0))
}

/// Whether a named condition of a program was met for the first unit considered.
pub fn condition(c: &Check, code: &str, name: &str) -> bool {
    let p = program(c, code);
    let unit = p.units.first().unwrap_or_else(|| panic!("{code}: nobody considered"));
    unit.steps.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{code}: no step {name}")).met
}

/// Whether a named condition of a person program was met for the member at `index`.
pub fn member_condition(c: &Check, code: &str, index: usize, members: &[Member], name: &str) -> bool {
    let id = IdNumber::from_parts(210112, members[index].birth, 100 + index as u16, Sex::Male).to_string();
    let unit = program(c, code).units.iter().find(|u| u.unit == id).unwrap_or_else(|| panic!("{code}: member {index} not considered"));
    unit.steps.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("{code}: no step {name}")).met
}
