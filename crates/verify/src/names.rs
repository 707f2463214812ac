//! 姓名比对: names as departments write them.
//!
//! Old systems and clerks write the same name in traditional characters (王秀蘭 for 王秀兰), with
//! stray spaces, with a different separator in minority names (买买提·艾力, 买买提.艾力), or
//! with one character mistyped for another of the same sound (王秀铃 for 王秀玲). The comparison
//! says which of these it saw; how much each is worth is estimated from the data
//! ([`crate::linkage::Model`]), not fixed here.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Traditional (繁体) forms of characters common in names and surnames, each followed by its
/// simplified form (《通用规范汉字表》 correspondences).
const TRADITIONAL: &str = "國国華华蘭兰麗丽鳳凤強强軍军偉伟紅红豔艳艷艳雲云慶庆東东龍龙靜静鵬鹏飛飞輝辉權权\
貴贵寶宝傑杰濤涛鋒锋剛刚勝胜榮荣興兴樂乐義义禮礼鳴鸣鐵铁銀银錦锦紹绍繼继維维綠绿純纯絲丝蓮莲萬万\
葉叶藝艺蘇苏範范劉刘陳陈張张楊杨黃黄趙赵吳吴鄭郑孫孙馬马許许韓韩馮冯鄧邓蕭萧譚谭盧卢羅罗鍾钟錢钱\
湯汤賀贺龔龚嚴严陸陆閻阎賈贾顧顾龐庞蔣蒋藍蓝婁娄畢毕聶聂鄒邹倫伦韋韦衛卫鄔邬喬乔賴赖溫温瑪玛歐欧\
嶽岳齊齐師师夢梦愛爱潔洁婭娅嬌娇嬋婵環环瓊琼瑩莹瑤瑶璽玺鶯莺鸝鹂鷹鹰鶴鹤鵑鹃歡欢憶忆懷怀穎颖廣广\
應应寧宁實实麥麦園园圓圆團团堅坚壽寿學学將将專专島岛嵐岚帥帅帶带彥彦徵征憲宪戰战擁拥數数書书會会\
楓枫樹树橋桥機机歲岁歷历氣气漢汉潤润澤泽濱滨無无煥焕燦灿爾尔獻献現现瓏珑產产異异當当發发監监碩硕\
祿禄禎祯種种穩稳競竞筆笔節节紀纪納纳細细終终組组經经綺绮綿绵緒绪練练縣县縱纵總总繡绣續续羣群聖圣\
聞闻聰聪聯联職职肅肃臨临與与舊旧莊庄萊莱葦苇蒼苍蔭荫蕓芸薈荟蘊蕴處处號号衆众補补覺觉觀观訓训詩诗\
誠诚誼谊諸诸謙谦謝谢護护讓让豐丰貞贞財财賢贤賓宾贊赞軒轩輕轻農农連连進进達达遠远選选邁迈還还鄉乡\
醫医釗钊鈞钧鈺钰銘铭鋼钢錫锡鍵键鎮镇鏡镜鐘钟長长門门開开閔闵閣阁陽阳隊队際际隨随雙双雞鸡離离難难\
電电靈灵韻韵頂顶順顺須须頌颂領领頤颐顏颜願愿顯显風风飄飘館馆駿骏騰腾驍骁體体髮发魯鲁鮮鲜鯉鲤鴻鸿\
齡龄龜龟嶺岭巖岩闊阔濟济俠侠儀仪億亿優优兒儿兩两劍剑勁劲勳勋協协厲厉參参啓启壯壮奮奋婦妇嫻娴寬宽\
導导層层岡冈巒峦廬庐彌弥後后從从復复恆恒悅悦態态戀恋擴扩斕斓昇升暉晖曄晔曉晓條条棟栋標标橫横檢检\
櫻樱歸归滬沪滿满漁渔澗涧濃浓瀏浏瀟潇灣湾燁烨瑋玮璣玑畫画盞盏矯矫禪禅穀谷竇窦糧粮紋纹紗纱絨绒綫线\
緣缘縈萦纖纤翹翘聲声脈脉舉举荊荆蓋盖薩萨藥药虛虚衝冲裏里裝装複复覽览詠咏諾诺謀谋譯译讀读讚赞賽赛\
贏赢躍跃輪轮轉转遙遥遼辽郵邮錄录鐸铎閃闪陰阴雋隽雜杂頎颀餘余騏骐驊骅鬱郁麗丽";

fn traditional() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let chars: Vec<char> = TRADITIONAL.chars().filter(|c| !c.is_whitespace()).collect();
        chars.chunks_exact(2).map(|p| (p[0], p[1])).collect()
    })
}

/// The characters of a name written the one way: no spaces, one separator (·) in multi-part
/// names, simplified characters.
fn normalised(name: &str) -> impl Iterator<Item = char> + '_ {
    let map = traditional();
    name.chars().filter(|c| !c.is_whitespace()).map(move |c| match c {
        '•' | '．' | '.' | '・' | '‧' | '･' => '·',
        c => *map.get(&c).unwrap_or(&c),
    })
}

/// How two names compare (姓名比对结果), from the strongest agreement to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameLevel {
    /// 完全一致.
    Exact,
    /// 写法不同: the same once written the one way (traditional characters, spaces, separators).
    Variant,
    /// 一字之差: the same length with one character different.
    OneChar,
    /// 不同.
    Different,
    /// 缺失: one side has no name; the comparison says nothing.
    Missing,
}

impl NameLevel {
    pub const ALL: [NameLevel; 5] = [NameLevel::Exact, NameLevel::Variant, NameLevel::OneChar, NameLevel::Different, NameLevel::Missing];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            NameLevel::Exact => "exact",
            NameLevel::Variant => "variant",
            NameLevel::OneChar => "one_char",
            NameLevel::Different => "different",
            NameLevel::Missing => "missing",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            NameLevel::Exact => "姓名完全一致",
            NameLevel::Variant => "姓名写法不同（繁简、空格、分隔符）",
            NameLevel::OneChar => "姓名一字之差",
            NameLevel::Different => "姓名不同",
            NameLevel::Missing => "姓名缺失",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            NameLevel::Exact => "the same name",
            NameLevel::Variant => "the same name written differently (traditional characters, spaces, separators)",
            NameLevel::OneChar => "names one character apart",
            NameLevel::Different => "different names",
            NameLevel::Missing => "a name is missing",
        }
    }
}

/// Compares a registry name with a recorded one.
pub fn compare(registry: &str, recorded: &str) -> NameLevel {
    let (a, b) = (registry.trim(), recorded.trim());
    if a.is_empty() || b.is_empty() {
        return NameLevel::Missing;
    }
    if a == b {
        return NameLevel::Exact;
    }
    // One pass over both names written the one way: the same, one character apart, or not.
    let (mut ca, mut cb) = (normalised(a), normalised(b));
    let (mut differ, mut len) = (0, 0);
    loop {
        match (ca.next(), cb.next()) {
            (Some(x), Some(y)) => {
                len += 1;
                if x != y {
                    differ += 1;
                    if differ > 1 {
                        return NameLevel::Different;
                    }
                }
            }
            (None, None) => break,
            _ => return NameLevel::Different,
        }
    }
    match differ {
        0 => NameLevel::Variant,
        1 if len >= 2 => NameLevel::OneChar,
        _ => NameLevel::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_as_a_clerk_would() {
        assert_eq!(compare("王秀兰", "王秀兰"), NameLevel::Exact);
        assert_eq!(compare("王秀兰", "王秀蘭"), NameLevel::Variant);
        assert_eq!(compare("王秀兰", " 王 秀兰"), NameLevel::Variant);
        assert_eq!(compare("买买提·艾力", "买买提.艾力"), NameLevel::Variant);
        assert_eq!(compare("王秀玲", "王秀铃"), NameLevel::OneChar);
        assert_eq!(compare("王伟", "王芳"), NameLevel::OneChar);
        assert_eq!(compare("王伟", "李娜"), NameLevel::Different);
        assert_eq!(compare("王秀兰", "王兰"), NameLevel::Different);
        assert_eq!(compare("王", "李"), NameLevel::Different);
        assert_eq!(compare("王秀兰", ""), NameLevel::Missing);
    }

    #[test]
    fn the_table_is_pairs_of_different_characters() {
        let chars: Vec<char> = TRADITIONAL.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(chars.len() % 2, 0, "every traditional character has its simplified form");
        for p in chars.chunks_exact(2) {
            assert_ne!(p[0], p[1]);
            // No simplified form is itself mapped on (the mapping is one step).
            assert!(!traditional().contains_key(&p[1]), "{} is both a target and a source", p[1]);
        }
    }
}
