//! 记录关联: which registry person a departmental record is about, with a probability and its
//! explanation.
//!
//! 1. *Candidates* come from the ID number alone ([`crate::idmatch`]): the number itself, its
//!    legacy form, and the few bodies that one wrong digit, one adjacent swap or a month–day swap
//!    can explain. No pair of records is compared unless its numbers are related that way, which
//!    is what keeps a city-wide linkage to about one comparison per record.
//! 2. *Comparison*: each candidate pair gets a level for the ID relation and one for the names.
//! 3. *Scoring* (Fellegi–Sunter): each level has a probability m among true matches and u among
//!    non-matches; a pair's evidence is the sum of log₂(m/u) over its fields plus the prior odds.
//!    u for names is measured on random pairs; m, the u of the ID relations and the prior are
//!    estimated from the candidate pairs themselves by expectation–maximisation (EM). Nothing is
//!    hand-set but the starting point of EM.
//! 4. *Decision*: a record links to its best candidate when the probability reaches the match
//!    threshold and no other candidate does; between the review and match thresholds, or when two
//!    candidates both reach it, the pair goes to a person for review (人工复核).

use crate::idmatch::{body_of, candidates, Body, IdRelation, Recorded};
use crate::names::{compare, NameLevel};
use minzheng_domain::hash::FastMap;
use minzheng_domain::IdNumber;

/// A registry person as the linkage sees it.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: IdNumber,
    pub name: String,
}

/// A departmental record as delivered: the ID number and name as written there.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub name: String,
}

/// The registry indexed by ID body.
pub struct Index {
    bodies: FastMap<Body, u32>,
}

impl Index {
    /// Indexes persons by body; a body that occurs twice keeps its first person (the registry
    /// holds each ID number once).
    pub fn new(persons: &[Person]) -> Index {
        let mut bodies = FastMap::with_capacity_and_hasher(persons.len(), Default::default());
        for (i, p) in persons.iter().enumerate() {
            bodies.entry(body_of(&p.id)).or_insert(i as u32);
        }
        Index { bodies }
    }

    pub fn get(&self, body: Body) -> Option<u32> {
        self.bodies.get(&body).copied()
    }
}

/// A candidate pair with its comparison levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub record: u32,
    pub person: u32,
    pub id: IdRelation,
    pub name: NameLevel,
}

/// The candidate pairs of every record, in record order. Runs on all cores.
pub fn candidate_pairs(index: &Index, persons: &[Person], records: &[Record]) -> Vec<Pair> {
    crate::on_all_cores(records, |first, part| {
        let mut out = Vec::with_capacity(part.len());
        for (k, r) in part.iter().enumerate() {
            let record = (first + k) as u32;
            for (person, relation) in candidates(&Recorded::read(&r.id), |b| index.get(b)) {
                let name = compare(&persons[person as usize].name, &r.name);
                out.push(Pair { record, person, id: relation, name });
            }
        }
        out
    })
}

const ID_LEVELS: usize = IdRelation::ALL.len();
const NAME_LEVELS: usize = NameLevel::ALL.len();

/// m and u of one level of a field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Share of true matches at this level.
    pub m: f64,
    /// Share of non-matches at this level.
    pub u: f64,
}

impl Level {
    /// Bits of evidence this level gives: log₂(m/u).
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// 比对模型: the Fellegi–Sunter parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Share of candidate pairs that are true matches (the prior λ).
    pub prior: f64,
    pub id: [Level; ID_LEVELS],
    pub name: [Level; NAME_LEVELS],
}

/// How the model was estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct Training {
    pub model: Model,
    pub em_iterations: usize,
    pub candidate_pairs: usize,
    pub random_pairs: usize,
}

/// Probabilities are kept away from 0 and 1 so that no level is infinitely strong.
const FLOOR: f64 = 1e-6;

impl Model {
    /// Estimates the model: u of names from `random_pairs` random (person, record) pairs, the
    /// rest by EM over the candidate pairs.
    pub fn estimate(persons: &[Person], records: &[Record], pairs: &[Pair], random_pairs: usize, seed: u64) -> Training {
        let mut name_u = [0.0f64; NAME_LEVELS];
        let mut rng = SplitMix(seed);
        let mut sampled = 0usize;
        if !persons.is_empty() && !records.is_empty() {
            for _ in 0..random_pairs {
                let p = &persons[(rng.next() % persons.len() as u64) as usize];
                let r = &records[(rng.next() % records.len() as u64) as usize];
                name_u[compare(&p.name, &r.name).index()] += 1.0;
                sampled += 1;
            }
        }
        let informative: f64 = name_u[..NameLevel::Missing.index()].iter().sum();
        for (i, u) in name_u.iter_mut().enumerate() {
            *u = if i == NameLevel::Missing.index() { 1.0 } else { ((*u + 0.5) / (informative + 2.0)).max(FLOOR) };
        }

        // Pattern counts: (ID level, name level) → number of pairs.
        let mut counts = [[0.0f64; NAME_LEVELS]; ID_LEVELS];
        for p in pairs {
            counts[p.id.index()][p.name.index()] += 1.0;
        }
        // Starting point: a clean number and a clean name mostly mean the same person.
        let mut model = Model {
            prior: 0.5,
            id: std::array::from_fn(|i| Level { m: if i == 0 { 0.9 } else { 0.1 / (ID_LEVELS - 1) as f64 }, u: 1.0 / ID_LEVELS as f64 }),
            name: std::array::from_fn(|n| {
                let m = match NameLevel::ALL[n] {
                    NameLevel::Exact => 0.9,
                    NameLevel::Variant | NameLevel::Pinyin | NameLevel::OneChar => 0.04,
                    NameLevel::Different => 0.02,
                    NameLevel::Missing => 1.0,
                };
                Level { m, u: name_u[n] }
            }),
        };
        let mut iterations = 0;
        let total: f64 = counts.iter().flatten().sum();
        if total > 0.0 {
            for _ in 0..500 {
                iterations += 1;
                let mut m_id = [0.0f64; ID_LEVELS];
                let mut u_id = [0.0f64; ID_LEVELS];
                let mut m_name = [0.0f64; NAME_LEVELS];
                let mut matched = 0.0;
                for i in 0..ID_LEVELS {
                    for n in 0..NAME_LEVELS {
                        let c = counts[i][n];
                        if c == 0.0 {
                            continue;
                        }
                        let w = model.match_probability(IdRelation::ALL[i], NameLevel::ALL[n]);
                        m_id[i] += c * w;
                        u_id[i] += c * (1.0 - w);
                        m_name[n] += c * w;
                        matched += c * w;
                    }
                }
                let unmatched = total - matched;
                let named: f64 = m_name[..NameLevel::Missing.index()].iter().sum();
                let mut next = model.clone();
                next.prior = (matched / total).clamp(FLOOR, 1.0 - FLOOR);
                for i in 0..ID_LEVELS {
                    next.id[i].m = (m_id[i] / matched.max(FLOOR)).max(FLOOR);
                    next.id[i].u = (u_id[i] / unmatched.max(FLOOR)).max(FLOOR);
                }
                for (level, m) in next.name.iter_mut().zip(&m_name).take(NameLevel::Missing.index()) {
                    level.m = (m / named.max(FLOOR)).max(FLOOR);
                }
                let change = (next.prior - model.prior).abs()
                    + next.id.iter().zip(model.id.iter()).map(|(a, b)| (a.m - b.m).abs() + (a.u - b.u).abs()).sum::<f64>()
                    + next.name.iter().zip(model.name.iter()).map(|(a, b)| (a.m - b.m).abs()).sum::<f64>();
                model = next;
                if change < 1e-10 {
                    break;
                }
            }
        }
        Training { model, em_iterations: iterations, candidate_pairs: pairs.len(), random_pairs: sampled }
    }

    /// The model EM starts from, with u of names measured on random pairs of `persons` and
    /// `records`: for batches too small to estimate anything from (a month's few death records).
    /// A clean number and a clean name mostly mean the same person; every other ID relation
    /// shares the rest of m, and u is spread evenly over the relations.
    pub fn starting(persons: &[Person], records: &[Record], random_pairs: usize, seed: u64) -> Model {
        Model::estimate(persons, records, &[], random_pairs, seed).model
    }

    /// Bits of evidence of a pair: prior log-odds plus each field's weight.
    pub fn bits(&self, id: IdRelation, name: NameLevel) -> f64 {
        (self.prior / (1.0 - self.prior)).log2() + self.id[id.index()].weight() + self.name[name.index()].weight()
    }

    /// Probability that a pair at these levels is the same person.
    pub fn match_probability(&self, id: IdRelation, name: NameLevel) -> f64 {
        let bits = self.bits(id, name);
        1.0 / (1.0 + (-bits).exp2())
    }

    /// Why a pair scored what it did, field by field.
    pub fn explain(&self, pair: &Pair) -> Explanation {
        let prior_bits = (self.prior / (1.0 - self.prior)).log2();
        let id = self.id[pair.id.index()];
        let name = self.name[pair.name.index()];
        Explanation {
            prior: self.prior,
            prior_bits,
            fields: vec![
                FieldWeight {
                    field: "id_number",
                    field_zh: "身份证号",
                    level: pair.id.code(),
                    level_zh: pair.id.zh(),
                    level_en: pair.id.en(),
                    m: id.m,
                    u: id.u,
                    bits: id.weight(),
                },
                FieldWeight {
                    field: "name",
                    field_zh: "姓名",
                    level: pair.name.code(),
                    level_zh: pair.name.zh(),
                    level_en: pair.name.en(),
                    m: name.m,
                    u: name.u,
                    bits: name.weight(),
                },
            ],
            bits: self.bits(pair.id, pair.name),
            probability: self.match_probability(pair.id, pair.name),
        }
    }
}

/// One field's part in a pair's score.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWeight {
    pub field: &'static str,
    pub field_zh: &'static str,
    pub level: &'static str,
    pub level_zh: &'static str,
    pub level_en: &'static str,
    pub m: f64,
    pub u: f64,
    /// log₂(m/u).
    pub bits: f64,
}

/// 评分说明: the prior, each field's weight, the total and the probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub prior: f64,
    pub prior_bits: f64,
    pub fields: Vec<FieldWeight>,
    pub bits: f64,
    pub probability: f64,
}

impl Explanation {
    /// The explanation as lines of text in Chinese and English.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("先验 / prior: λ = {:.6} ({:+.2} bits)", self.prior, self.prior_bits)];
        for f in &self.fields {
            out.push(format!(
                "{} / {}: {} / {} — m = {:.6}, u = {:.6}, {:+.2} bits",
                f.field_zh, f.field, f.level_zh, f.level_en, f.m, f.u, f.bits
            ));
        }
        out.push(format!("合计 / total: {:+.2} bits → 匹配概率 / match probability {:.6}", self.bits, self.probability));
        out
    }
}

/// 判定: what is done with a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    /// 匹配: linked.
    Match,
    /// 待人工复核: a person decides.
    Review,
    /// 不匹配.
    NonMatch,
}

/// Where the bands start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub match_at: f64,
    pub review_at: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { match_at: 0.9, review_at: 0.5 }
    }
}

/// A record's best candidate and what is done with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub pair: Pair,
    pub probability: f64,
    pub band: Band,
    /// Another candidate of the same record also reached the match threshold.
    pub ambiguous: bool,
}

/// Decides each record with candidates: its best pair, banded. `pairs` must be in record order
/// (as [`candidate_pairs`] gives them).
pub fn link(pairs: &[Pair], model: &Model, thresholds: Thresholds) -> Vec<Link> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let record = pairs[start].record;
        let mut end = start;
        while end < pairs.len() && pairs[end].record == record {
            end += 1;
        }
        let group = &pairs[start..end];
        let scored: Vec<(f64, &Pair)> = group.iter().map(|p| (model.match_probability(p.id, p.name), p)).collect();
        let (best_p, best) = scored.iter().copied().fold((f64::MIN, &group[0]), |acc, x| if x.0 > acc.0 { x } else { acc });
        let strong = scored.iter().filter(|(p, _)| *p >= thresholds.match_at).count();
        let ambiguous = strong > 1;
        let band = if best_p >= thresholds.match_at && !ambiguous {
            Band::Match
        } else if best_p >= thresholds.review_at {
            Band::Review
        } else {
            Band::NonMatch
        };
        out.push(Link { pair: *best, probability: best_p, band, ambiguous });
        start = end;
    }
    out
}

/// Precision and recall of the linked pairs against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quality {
    /// Records whose true person is in the registry.
    pub linkable: u64,
    /// Links made (band Match).
    pub linked: u64,
    /// Links made to the true person.
    pub correct: u64,
    /// Records sent to review.
    pub review: u64,
}

impl Quality {
    /// `truth(record)` is the index of the record's true person in the registry, if there.
    pub fn measure(links: &[Link], records: usize, truth: impl Fn(u32) -> Option<u32>) -> Quality {
        let mut q = Quality { linkable: (0..records as u32).filter(|&r| truth(r).is_some()).count() as u64, ..Default::default() };
        for l in links {
            match l.band {
                Band::Match => {
                    q.linked += 1;
                    if truth(l.pair.record) == Some(l.pair.person) {
                        q.correct += 1;
                    }
                }
                Band::Review => q.review += 1,
                Band::NonMatch => {}
            }
        }
        q
    }

    pub fn precision(&self) -> f64 {
        if self.linked == 0 {
            1.0
        } else {
            self.correct as f64 / self.linked as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.linkable == 0 {
            1.0
        } else {
            self.correct as f64 / self.linkable as f64
        }
    }
}

/// A small deterministic generator for sampling random pairs.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
