//! 老年人能力评估 (GB/T 42195-2022): the 26 items in four dimensions, the total score and its
//! level, the three adjustments, and what the result means for the 特困 care allowance. Pure.
//!
//! The standard scores each item from 0 (depends wholly on others) up to its maximum; the four
//! dimensions add up to 90. The level follows from the total (5.3.1): 90 intact, 66–89 mild,
//! 46–65 moderate, 30–45 severe, 0–29 total loss; then (5.3.2) a person in a coma is at total
//! loss, and a diagnosis of dementia (F00–F03) or another mental or behavioural disorder
//! (F04–F99), and two or more care-risk events (falls, wandering, choking, suicide or self-harm)
//! in the last 30 days, each make the level one worse (never worse than total loss).

use chrono::NaiveDate;
use minzheng_domain::Bilingual;
use serde::{Deserialize, Serialize};

/// 一级指标: the four dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// 自理能力 (8 items, 32 points).
    SelfCare,
    /// 基础运动能力 (4 items, 15 points).
    Mobility,
    /// 精神状态 (9 items, 28 points).
    Mental,
    /// 感知觉与社会参与 (5 items, 15 points).
    Perception,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Dimension::SelfCare, Dimension::Mobility, Dimension::Mental, Dimension::Perception];

    pub fn zh(self) -> &'static str {
        match self {
            Dimension::SelfCare => "自理能力",
            Dimension::Mobility => "基础运动能力",
            Dimension::Mental => "精神状态",
            Dimension::Perception => "感知觉与社会参与",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Dimension::SelfCare => "Self-care",
            Dimension::Mobility => "Basic mobility",
            Dimension::Mental => "Mental state",
            Dimension::Perception => "Perception and social participation",
        }
    }
}

/// 二级指标: one item of the assessment form, with what each score means (highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// The form's number (`B.1.1` ...).
    pub code: &'static str,
    pub dimension: Dimension,
    pub zh: &'static str,
    pub en: &'static str,
    /// What the scores mean, from `max` down to 0 (the last may cover several states).
    pub scale: &'static [&'static str],
    /// The same in English (for the English pages), as many.
    pub scale_en: &'static [&'static str],
}

impl Item {
    /// The highest score of the item.
    pub fn max(&self) -> u8 {
        (self.scale.len() - 1) as u8
    }
}

/// The usual five steps of help (most self-care and mobility items).
const HELP: &[&str] = &[
    "独立完成，不需要他人协助",
    "在他人指导或提示下完成",
    "需要他人协助，但以自身完成为主",
    "主要依靠他人协助，自身能给予配合",
    "完全依赖他人协助，且不能给予配合",
];

const HELP_EN: &[&str] = &[
    "on their own, no help",
    "with prompting or guidance",
    "with help, doing most of it themselves",
    "mostly by others, cooperating",
    "wholly by others, unable to cooperate",
];

/// Five steps of a mental faculty, from intact to lost.
const FACULTY: &[&str] = &["完好", "轻度受损", "中度受损", "重度受损", "完全丧失"];
const FACULTY_EN: &[&str] = &["intact", "mildly impaired", "moderately impaired", "severely impaired", "lost"];

/// The 26 items in the form's order (8 + 4 + 9 + 5).
pub const ITEMS: [Item; 26] = [
    Item {
        code: "B.1.1",
        dimension: Dimension::SelfCare,
        zh: "进食",
        en: "Eating",
        scale: &[
            "独立使用器具将食物送进口中并咽下，没有呛咳",
            "在他人指导或提示下完成，或独立使用辅具，没有呛咳",
            "进食中需要少量接触式协助，偶尔（每月一次及以上）呛咳",
            "进食中需要大量接触式协助，经常（每周一次及以上）呛咳",
            "完全依赖他人协助进食，或吞咽困难，或留置营养管",
        ],
        scale_en: &[
            "eats unaided, no choking",
            "with prompting or an aid, no choking",
            "some hands-on help; chokes now and then (monthly)",
            "much hands-on help; chokes often (weekly)",
            "fed by others, or cannot swallow, or tube-fed",
        ],
    },
    Item { code: "B.1.2", dimension: Dimension::SelfCare, zh: "修饰", en: "Grooming", scale: HELP, scale_en: HELP_EN },
    Item { code: "B.1.3", dimension: Dimension::SelfCare, zh: "洗澡", en: "Bathing", scale: HELP, scale_en: HELP_EN },
    Item {
        code: "B.1.4", dimension: Dimension::SelfCare, zh: "穿/脱上衣", en: "Dressing the upper body", scale: HELP, scale_en: HELP_EN
    },
    Item {
        code: "B.1.5",
        dimension: Dimension::SelfCare,
        zh: "穿/脱裤子和鞋袜",
        en: "Dressing the lower body and shoes",
        scale: HELP,
        scale_en: HELP_EN,
    },
    Item {
        code: "B.1.6",
        dimension: Dimension::SelfCare,
        zh: "小便控制",
        en: "Bladder control",
        scale: &[
            "可自行控制排尿，次数与控制均正常",
            "白天可自行控制，夜间次数增多或控制较差，或自行使用尿布、尿垫",
            "白天大部分可控制，偶有失禁，或需要少量协助使用辅助用物",
            "白天大部分不能控制，夜间失禁，或需要大量协助使用辅助用物",
            "完全不能控制，或留置导尿管",
        ],
        scale_en: &[
            "full control",
            "controls by day; worse at night, or uses pads unaided",
            "mostly controls by day; some help with aids",
            "mostly no control by day; incontinent at night; much help",
            "no control, or a catheter",
        ],
    },
    Item {
        code: "B.1.7",
        dimension: Dimension::SelfCare,
        zh: "大便控制",
        en: "Bowel control",
        scale: &[
            "可正常自行控制大便排出",
            "有时（每周少于一次）便秘或失禁，或自行使用辅助用物",
            "经常（每周多于一次）便秘或失禁，或需要少量协助",
            "大部分时间（每天至少一次）便秘或失禁，或需要大量协助",
            "严重便秘或完全失禁，依赖他人协助排便或清洁",
        ],
        scale_en: &[
            "normal control",
            "sometimes (less than weekly) constipated or incontinent, or uses aids unaided",
            "often (more than weekly); some help",
            "most of the time (daily); much help",
            "severe constipation or no control; relies on others",
        ],
    },
    Item { code: "B.1.8", dimension: Dimension::SelfCare, zh: "如厕", en: "Using the toilet", scale: HELP, scale_en: HELP_EN },
    Item {
        code: "B.2.1",
        dimension: Dimension::Mobility,
        zh: "床上体位转移",
        en: "Turning and sitting up in bed",
        scale: HELP,
        scale_en: HELP_EN,
    },
    Item {
        code: "B.2.2",
        dimension: Dimension::Mobility,
        zh: "床椅转移",
        en: "Moving between bed and chair",
        scale: HELP,
        scale_en: HELP_EN,
    },
    Item {
        code: "B.2.3",
        dimension: Dimension::Mobility,
        zh: "平地行走",
        en: "Walking on level ground",
        scale: &[
            "独立平地步行约 50 米，无摔倒风险",
            "能步行约 50 米，需要监护、指导或使用拐杖、助行器",
            "步行时需要他人少量扶持协助",
            "步行时需要他人大量扶持协助",
            "完全不能步行",
        ],
        scale_en: &[
            "walks 50 m alone, no risk of falling",
            "walks 50 m with supervision or a stick or frame",
            "walks with a little support from others",
            "walks with much support from others",
            "cannot walk",
        ],
    },
    Item {
        code: "B.2.4",
        dimension: Dimension::Mobility,
        zh: "上下楼梯",
        en: "Stairs",
        scale: &[
            "可独立上下楼梯（10–15 个台阶），不需要协助",
            "在他人指导或提示下完成",
            "需要他人协助，但以自身完成为主",
            "主要依靠或完全依赖他人协助",
        ],
        scale_en: &[
            "climbs stairs (10-15 steps) alone",
            "with prompting or guidance",
            "with help, doing most of it themselves",
            "mostly or wholly by others",
        ],
    },
    Item {
        code: "B.3.1", dimension: Dimension::Mental, zh: "时间定向", en: "Orientation in time", scale: FACULTY, scale_en: FACULTY_EN
    },
    Item {
        code: "B.3.2", dimension: Dimension::Mental, zh: "空间定向", en: "Orientation in place", scale: FACULTY, scale_en: FACULTY_EN
    },
    Item {
        code: "B.3.3", dimension: Dimension::Mental, zh: "人物定向", en: "Recognising people", scale: FACULTY, scale_en: FACULTY_EN
    },
    Item { code: "B.3.4", dimension: Dimension::Mental, zh: "记忆", en: "Memory", scale: FACULTY, scale_en: FACULTY_EN },
    Item { code: "B.3.5", dimension: Dimension::Mental, zh: "理解能力", en: "Understanding", scale: FACULTY, scale_en: FACULTY_EN },
    Item { code: "B.3.6", dimension: Dimension::Mental, zh: "表达能力", en: "Expression", scale: FACULTY, scale_en: FACULTY_EN },
    Item {
        code: "B.3.7",
        dimension: Dimension::Mental,
        zh: "攻击行为",
        en: "Aggressive behaviour",
        scale: &["近一个月内未出现", "近一个月内出现过身体或语言攻击行为"],
        scale_en: &["none in the last month", "physical or verbal aggression in the last month"],
    },
    Item {
        code: "B.3.8",
        dimension: Dimension::Mental,
        zh: "抑郁症状",
        en: "Depressive symptoms",
        scale: &["近一个月内未出现", "近一个月内出现过情绪低落、兴趣减退等负性情绪"],
        scale_en: &["none in the last month", "low mood or loss of interest in the last month"],
    },
    Item {
        code: "B.3.9",
        dimension: Dimension::Mental,
        zh: "意识水平",
        en: "Consciousness",
        scale: &["神志清醒，对周围环境能做出正确反应", "嗜睡或意识模糊，经呼唤、推动可唤醒", "昏睡或昏迷（昏迷另行勾选）"],
        scale_en: &["awake and responds correctly", "drowsy or confused, wakes when called", "stupor or coma (tick coma separately)"],
    },
    Item {
        code: "B.4.1",
        dimension: Dimension::Perception,
        zh: "视力",
        en: "Sight",
        scale: &["视力正常", "能看清大字体或辨认物体，看不清书报标准字体", "只能看到光、颜色和形状，或完全失明"],
        scale_en: &[
            "normal sight",
            "reads large print or knows objects, not standard print",
            "sees only light, colour and shape, or blind",
        ],
    },
    Item {
        code: "B.4.2",
        dimension: Dimension::Perception,
        zh: "听力",
        en: "Hearing",
        scale: &[
            "听力正常（可借助平时使用的助听设备）",
            "轻声说话或距离两米以上听不清，正常交流需安静环境或大声说话",
            "讲话者大声或很慢才能部分听见，或完全失聪",
        ],
        scale_en: &[
            "normal hearing (with the usual aid)",
            "misses soft speech or beyond two metres; needs quiet or loud speech",
            "hears only loud slow speech, or deaf",
        ],
    },
    Item {
        code: "B.4.3",
        dimension: Dimension::Perception,
        zh: "执行日常事务",
        en: "Running daily affairs",
        scale: &["能完全独立计划、安排和完成日常事务", "需要他人监护或指导", "需要少量协助", "需要大量协助", "完全依赖他人"],
        scale_en: &[
            "plans and does daily affairs alone",
            "needs supervision or guidance",
            "needs a little help",
            "needs much help",
            "depends wholly on others",
        ],
    },
    Item {
        code: "B.4.4",
        dimension: Dimension::Perception,
        zh: "使用交通工具外出",
        en: "Going out by transport",
        scale: &[
            "能自己骑车或搭乘公共交通工具外出",
            "能自己搭乘出租车，但不会搭乘其他公共交通工具",
            "有人协助或陪伴时可搭乘公共交通工具",
            "只能在他人协助下乘出租车或私家车，或完全不能外出",
        ],
        scale_en: &[
            "rides a bike or takes public transport alone",
            "takes a taxi alone, not other transport",
            "takes public transport with someone",
            "only by taxi or car with help, or cannot go out",
        ],
    },
    Item {
        code: "B.4.5",
        dimension: Dimension::Perception,
        zh: "社会交往能力",
        en: "Social contact",
        scale: &[
            "参与社会，能适应社会环境，待人接物恰当",
            "能适应单纯环境，主动接触他人",
            "脱离社会，可被动接触，谈话中有不适词句",
            "勉强可与人接触，谈吐不清，表情不恰当",
            "不能与人交往",
        ],
        scale_en: &[
            "takes part in society, behaves fittingly",
            "manages simple settings, approaches others",
            "withdrawn, contact only when approached",
            "barely in contact, unclear, inappropriate",
            "no social contact",
        ],
    },
];

/// The highest total: the sum of the items' maxima.
pub const MAX_TOTAL: u8 = 90;

/// 能力等级 (5.3): from intact to total loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbilityLevel {
    /// 能力完好 (total 90).
    Intact,
    /// 能力轻度受损（轻度失能）(66–89).
    Mild,
    /// 能力中度受损（中度失能）(46–65).
    Moderate,
    /// 能力重度受损（重度失能）(30–45).
    Severe,
    /// 能力完全丧失（完全失能）(0–29).
    Total,
}

impl AbilityLevel {
    pub const ALL: [AbilityLevel; 5] =
        [AbilityLevel::Intact, AbilityLevel::Mild, AbilityLevel::Moderate, AbilityLevel::Severe, AbilityLevel::Total];

    /// The preliminary level of a total score (5.3.1).
    pub fn of_total(total: u8) -> AbilityLevel {
        match total {
            90.. => AbilityLevel::Intact,
            66..=89 => AbilityLevel::Mild,
            46..=65 => AbilityLevel::Moderate,
            30..=45 => AbilityLevel::Severe,
            _ => AbilityLevel::Total,
        }
    }

    /// One level worse (total loss stays).
    pub fn worse(self) -> AbilityLevel {
        match self {
            AbilityLevel::Intact => AbilityLevel::Mild,
            AbilityLevel::Mild => AbilityLevel::Moderate,
            AbilityLevel::Moderate => AbilityLevel::Severe,
            AbilityLevel::Severe | AbilityLevel::Total => AbilityLevel::Total,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AbilityLevel::Intact => "intact",
            AbilityLevel::Mild => "mild",
            AbilityLevel::Moderate => "moderate",
            AbilityLevel::Severe => "severe",
            AbilityLevel::Total => "total",
        }
    }

    pub fn parse(s: &str) -> Option<AbilityLevel> {
        AbilityLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AbilityLevel::Intact => "能力完好",
            AbilityLevel::Mild => "轻度失能",
            AbilityLevel::Moderate => "中度失能",
            AbilityLevel::Severe => "重度失能",
            AbilityLevel::Total => "完全失能",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            AbilityLevel::Intact => "intact",
            AbilityLevel::Mild => "mildly impaired",
            AbilityLevel::Moderate => "moderately impaired",
            AbilityLevel::Severe => "severely impaired",
            AbilityLevel::Total => "wholly dependent",
        }
    }
}

/// 评估类型: why the assessment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// 首次评估: before services start.
    First,
    /// 常规评估: the yearly one.
    Routine,
    /// 即时评估: after a change of health or function (a fall, a stay in hospital).
    Immediate,
    /// 复评: the person or family disputes a result.
    Reassessment,
}

impl Reason {
    pub const ALL: [Reason; 4] = [Reason::First, Reason::Routine, Reason::Immediate, Reason::Reassessment];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::First => "first",
            Reason::Routine => "routine",
            Reason::Immediate => "immediate",
            Reason::Reassessment => "reassessment",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Reason::First => "首次评估",
            Reason::Routine => "常规评估",
            Reason::Immediate => "即时评估",
            Reason::Reassessment => "复评",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Reason::First => "first assessment",
            Reason::Routine => "routine assessment",
            Reason::Immediate => "immediate assessment",
            Reason::Reassessment => "re-assessment on dispute",
        }
    }
}

/// What the assessor recorded: a score per item, in [`ITEMS`] order, and the facts the
/// adjustments look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub scores: Vec<u8>,
    /// 昏迷.
    pub coma: bool,
    /// 确诊痴呆 (F00–F03).
    pub dementia: bool,
    /// 精神科专科医生诊断的其他精神和行为障碍 (F04–F99).
    pub mental_disorder: bool,
    /// 近 30 天照护风险事件次数 (falls, wandering, choking, suicide or self-harm, other).
    pub risk_events: u8,
}

impl Answers {
    /// The scores as stored: one digit per item, in form order (`4443...`).
    pub fn digits(&self) -> String {
        self.scores.iter().map(|s| char::from(b'0' + s.min(&9))).collect()
    }

    /// Scores from their stored digits.
    pub fn scores_of(digits: &str) -> Option<Vec<u8>> {
        digits.bytes().map(|b| b.is_ascii_digit().then(|| b - b'0')).collect()
    }
}

/// 等级调整: what changed the preliminary level (5.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Adjustment {
    /// In a coma: total loss whatever the score.
    Coma,
    /// Dementia or another mental or behavioural disorder diagnosed: one level worse.
    Diagnosis,
    /// Two or more care-risk events in 30 days: one level worse.
    RiskEvents { events: u8 },
}

impl Adjustment {
    pub fn zh(&self) -> String {
        match self {
            Adjustment::Coma => "处于昏迷状态，直接评定为能力完全丧失".into(),
            Adjustment::Diagnosis => "确诊为痴呆或其他精神和行为障碍，在原有等级上加重一级".into(),
            Adjustment::RiskEvents { events } => format!("近30天内发生照护风险事件{events}次（2次及以上），在原有等级上加重一级"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            Adjustment::Coma => "in a coma: wholly dependent whatever the score".into(),
            Adjustment::Diagnosis => "dementia or another mental or behavioural disorder diagnosed: one level worse".into(),
            Adjustment::RiskEvents { events } => format!("{events} care-risk events in the last 30 days (two or more): one level worse"),
        }
    }
}

/// 评估结果.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Points per dimension, in [`Dimension::ALL`] order.
    pub subtotals: [u8; 4],
    pub total: u8,
    /// 初步等级 from the total.
    pub preliminary: AbilityLevel,
    pub adjustments: Vec<Adjustment>,
    /// 最终等级.
    pub level: AbilityLevel,
    /// How many of the six daily activities of 《特困人员认定办法》 the person cannot do on their
    /// own (see [`self_care_failed`]).
    pub self_care_failed: u8,
}

/// Why answers cannot be assessed. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("{given} scores for {expected} items")]
    ItemCount { given: usize, expected: usize },
    #[error("item {code} ({name}) scored {score}, above its maximum {max}")]
    OutOfRange { code: &'static str, name: &'static str, score: u8, max: u8 },
    #[error("a person in a coma is scored 0 for consciousness")]
    ComaButConscious,
    #[error("{0} care-risk events in 30 days is not credible")]
    RiskEvents(u8),
    #[error("assessment dated {0}, after today")]
    Future(NaiveDate),
    #[error("no assessor named")]
    NoAssessor,
}

impl Bilingual for AssessmentError {
    fn zh(&self) -> String {
        match self {
            AssessmentError::ItemCount { given, expected } => format!("评估表应有{expected}项评分，收到{given}项"),
            AssessmentError::OutOfRange { code, name, score, max } => {
                format!("{code}“{name}”评分{score}超出范围（0–{max}分）")
            }
            AssessmentError::ComaButConscious => "已勾选昏迷，“意识水平”应评0分".into(),
            AssessmentError::RiskEvents(n) => format!("近30天照护风险事件{n}次不合常理，请核实"),
            AssessmentError::Future(d) => format!("评估日期{d}晚于今天"),
            AssessmentError::NoAssessor => "请填写评估员".into(),
        }
    }
    fn en(&self) -> String {
        match self {
            AssessmentError::ItemCount { given, expected } => format!("the form has {expected} items; {given} scores came"),
            AssessmentError::OutOfRange { code, name, score, max } => {
                let en = ITEMS.iter().find(|i| i.code == *code).map_or(*name, |i| i.en);
                format!("item {code} ({en}) scored {score}, outside 0–{max}")
            }
            AssessmentError::ComaButConscious => "coma is ticked: consciousness must be scored 0".into(),
            AssessmentError::RiskEvents(n) => format!("{n} care-risk events in 30 days is not credible; please check"),
            AssessmentError::Future(d) => format!("assessment date {d} is after today"),
            AssessmentError::NoAssessor => "name the assessor".into(),
        }
    }
}

/// The six daily activities of 《特困人员认定办法》 (民发〔2021〕43号) 第十九条 and the items of the
/// assessment that show each: eating (B.1.1), dressing (B.1.4, B.1.5), getting in and out of bed
/// (B.2.1, B.2.2), using the toilet (B.1.8), walking indoors (B.2.3), bathing (B.1.3). An
/// activity is one the person cannot do on their own when any of its items is scored 1 or 0
/// (主要依靠他人协助 or 完全依赖他人): this mapping is the platform's, written here so that a
/// county can read it.
pub const TEKUN_ACTIVITIES: [(&str, &str, &[usize]); 6] = [
    ("自主吃饭", "eating", &[0]),
    ("自主穿衣", "dressing", &[3, 4]),
    ("自主上下床", "getting in and out of bed", &[8, 9]),
    ("自主如厕", "using the toilet", &[7]),
    ("室内行走", "walking indoors", &[10]),
    ("自主洗澡", "bathing", &[2]),
];

/// How many of the six activities the scores show the person cannot do on their own.
pub fn self_care_failed(scores: &[u8]) -> u8 {
    TEKUN_ACTIVITIES.iter().filter(|(_, _, items)| items.iter().any(|&i| scores.get(i).is_some_and(|&s| s <= 1))).count() as u8
}

/// 特困人员生活自理能力 (第十九条): self-caring (all six), partly unable (1–3), wholly unable (4+).
pub fn self_care_zh(failed: u8) -> &'static str {
    match failed {
        0 => "具备生活自理能力",
        1..=3 => "部分丧失生活自理能力",
        _ => "完全丧失生活自理能力",
    }
}

pub fn self_care_en(failed: u8) -> &'static str {
    match failed {
        0 => "self-caring",
        1..=3 => "partly unable to care for oneself",
        _ => "wholly unable to care for oneself",
    }
}

/// The three bands of 第十九条, which set the 特困 care allowance: a change of band is a change of
/// support (特困供养变更).
pub fn self_care_band(failed: u8) -> u8 {
    match failed {
        0 => 0,
        1..=3 => 1,
        _ => 2,
    }
}

/// Scores and levels the answers.
pub fn assess(a: &Answers) -> Result<Outcome, AssessmentError> {
    if a.scores.len() != ITEMS.len() {
        return Err(AssessmentError::ItemCount { given: a.scores.len(), expected: ITEMS.len() });
    }
    for (item, &score) in ITEMS.iter().zip(&a.scores) {
        if score > item.max() {
            return Err(AssessmentError::OutOfRange { code: item.code, name: item.zh, score, max: item.max() });
        }
    }
    let consciousness = ITEMS.iter().position(|i| i.code == "B.3.9").map_or(0, |i| a.scores[i]);
    if a.coma && consciousness != 0 {
        return Err(AssessmentError::ComaButConscious);
    }
    if a.risk_events > 60 {
        return Err(AssessmentError::RiskEvents(a.risk_events));
    }
    let mut subtotals = [0u8; 4];
    for (item, &score) in ITEMS.iter().zip(&a.scores) {
        let d = Dimension::ALL.iter().position(|d| *d == item.dimension).unwrap_or(0);
        subtotals[d] += score;
    }
    let total: u8 = subtotals.iter().sum();
    let preliminary = AbilityLevel::of_total(total);
    let mut adjustments = Vec::new();
    let mut level = preliminary;
    if a.coma {
        adjustments.push(Adjustment::Coma);
        level = AbilityLevel::Total;
    } else {
        if a.dementia || a.mental_disorder {
            adjustments.push(Adjustment::Diagnosis);
            level = level.worse();
        }
        if a.risk_events >= 2 {
            adjustments.push(Adjustment::RiskEvents { events: a.risk_events });
            level = level.worse();
        }
    }
    Ok(Outcome { subtotals, total, preliminary, adjustments, level, self_care_failed: self_care_failed(&a.scores) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn full() -> Vec<u8> {
        ITEMS.iter().map(Item::max).collect()
    }

    fn answers(scores: Vec<u8>) -> Answers {
        Answers { scores, coma: false, dementia: false, mental_disorder: false, risk_events: 0 }
    }

    #[test]
    fn the_form_has_26_items_in_four_dimensions_adding_up_to_90() {
        assert_eq!(ITEMS.len(), 26);
        let per = |d| ITEMS.iter().filter(|i| i.dimension == d).count();
        assert_eq!([per(Dimension::SelfCare), per(Dimension::Mobility), per(Dimension::Mental), per(Dimension::Perception)], [8, 4, 9, 5]);
        let out = assess(&answers(full())).expect("assessed");
        assert_eq!(out.subtotals, [32, 15, 28, 15]);
        assert_eq!(out.total, MAX_TOTAL);
        assert_eq!(out.level, AbilityLevel::Intact);
        assert_eq!(out.self_care_failed, 0);
    }

    #[test]
    fn every_item_says_what_each_score_means_in_both_languages() {
        for i in ITEMS {
            assert_eq!(i.scale.len(), i.scale_en.len(), "{}", i.code);
        }
    }

    #[test]
    fn the_total_sets_the_preliminary_level_at_the_standards_bounds() {
        let cases = [(90, AbilityLevel::Intact), (89, AbilityLevel::Mild), (66, AbilityLevel::Mild), (65, AbilityLevel::Moderate)];
        let more = [
            (46, AbilityLevel::Moderate),
            (45, AbilityLevel::Severe),
            (30, AbilityLevel::Severe),
            (29, AbilityLevel::Total),
            (0, AbilityLevel::Total),
        ];
        for (total, level) in cases.into_iter().chain(more) {
            assert_eq!(AbilityLevel::of_total(total), level, "total {total}");
        }
    }

    #[test]
    fn coma_is_total_loss_and_the_other_adjustments_each_add_a_level() {
        let mut a = answers(full());
        a.dementia = true;
        let out = assess(&a).expect("assessed");
        assert_eq!((out.preliminary, out.level), (AbilityLevel::Intact, AbilityLevel::Mild));
        a.risk_events = 2;
        let out = assess(&a).expect("assessed");
        assert_eq!(out.level, AbilityLevel::Moderate);
        assert_eq!(out.adjustments, vec![Adjustment::Diagnosis, Adjustment::RiskEvents { events: 2 }]);
        a.risk_events = 1;
        assert_eq!(assess(&a).expect("assessed").level, AbilityLevel::Mild, "one risk event changes nothing");

        let mut a = answers(full());
        a.coma = true;
        assert_eq!(assess(&a), Err(AssessmentError::ComaButConscious), "a coma with consciousness scored");
        a.scores[20] = 0;
        let out = assess(&a).expect("assessed");
        assert_eq!((out.total, out.level, out.adjustments.clone()), (88, AbilityLevel::Total, vec![Adjustment::Coma]));
    }

    #[test]
    fn a_score_above_the_items_maximum_is_refused_naming_the_item() {
        let mut scores = full();
        scores[11] = 4; // 上下楼梯 goes to 3
        let err = assess(&answers(scores)).expect_err("refused");
        assert_eq!(err, AssessmentError::OutOfRange { code: "B.2.4", name: "上下楼梯", score: 4, max: 3 });
        assert!(err.zh().contains("上下楼梯") && err.en().contains("Stairs"));
        assert!(matches!(assess(&answers(vec![4; 25])), Err(AssessmentError::ItemCount { given: 25, expected: 26 })));
    }

    #[test]
    fn the_six_activities_of_the_tekun_rules_come_from_their_items() {
        let mut scores = full();
        scores[3] = 1; // 穿/脱上衣: mostly by others
        scores[2] = 2; // 洗澡: helped, mostly by oneself: still counts as doing it
        assert_eq!(self_care_failed(&scores), 1);
        scores[8] = 0; // 床上体位转移
        scores[9] = 0; // 床椅转移: the same activity
        scores[10] = 0;
        scores[0] = 0;
        assert_eq!(self_care_failed(&scores), 4);
        assert_eq!(self_care_band(4), 2);
        assert_eq!(self_care_zh(4), "完全丧失生活自理能力");
    }

    proptest! {
        #[test]
        fn any_valid_answers_give_a_level_no_better_than_the_total_and_a_count_within_six(
            raw in proptest::collection::vec(0u8..=4, 26), dementia: bool, events in 0u8..6,
        ) {
            let scores: Vec<u8> = raw.iter().zip(ITEMS.iter()).map(|(s, i)| (*s).min(i.max())).collect();
            let a = Answers { scores: scores.clone(), coma: false, dementia, mental_disorder: false, risk_events: events };
            let out = assess(&a).expect("valid answers are assessed");
            prop_assert_eq!(out.total as usize, scores.iter().map(|&s| s as usize).sum::<usize>());
            prop_assert!(out.level >= out.preliminary);
            prop_assert!(out.self_care_failed <= 6);
            prop_assert_eq!(Answers::scores_of(&a.digits()), Some(scores));
        }
    }
}
