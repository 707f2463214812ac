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

/// A name written the one way (simplified characters, no spaces, one middle dot): the form a
/// registry search by name looks for.
pub fn simplified(name: &str) -> String {
    normalised(name.trim()).collect()
}

/// How two names compare (姓名比对结果), from the strongest agreement to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameLevel {
    /// 完全一致.
    Exact,
    /// 写法不同: the same once written the one way (traditional characters, spaces, separators).
    Variant,
    /// 拼音相同: the recorded name is the registry name in pinyin (either order, any spacing).
    Pinyin,
    /// 一字之差: the same length with one character different.
    OneChar,
    /// 不同.
    Different,
    /// 缺失: one side has no name; the comparison says nothing.
    Missing,
}

impl NameLevel {
    pub const ALL: [NameLevel; 6] =
        [NameLevel::Exact, NameLevel::Variant, NameLevel::Pinyin, NameLevel::OneChar, NameLevel::Different, NameLevel::Missing];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            NameLevel::Exact => "exact",
            NameLevel::Variant => "variant",
            NameLevel::Pinyin => "pinyin",
            NameLevel::OneChar => "one_char",
            NameLevel::Different => "different",
            NameLevel::Missing => "missing",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            NameLevel::Exact => "姓名完全一致",
            NameLevel::Variant => "姓名写法不同（繁简、空格、分隔符）",
            NameLevel::Pinyin => "姓名拼音相同",
            NameLevel::OneChar => "姓名一字之差",
            NameLevel::Different => "姓名不同",
            NameLevel::Missing => "姓名缺失",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            NameLevel::Exact => "the same name",
            NameLevel::Variant => "the same name written differently (traditional characters, spaces, separators)",
            NameLevel::Pinyin => "the same name in pinyin",
            NameLevel::OneChar => "names one character apart",
            NameLevel::Different => "different names",
            NameLevel::Missing => "a name is missing",
        }
    }
}

/// Toneless pinyin of characters common in surnames and given names (the reading used in
/// names: 曾 zeng, 单 shan, 长 chang, 乐 le), with traditional forms; ü written u.
const PINYIN: &str = "王wang 李li 张zhang 刘liu 陈chen 杨yang 赵zhao 黄huang 周zhou 吴wu 徐xu 孙sun 胡hu 朱zhu 高gao 林lin 何he \
郭guo 马ma 罗luo 梁liang 宋song 郑zheng 谢xie 韩han 唐tang 冯feng 于yu 董dong 萧xiao 程cheng 曹cao 袁yuan 邓deng 许xu 傅fu \
沈shen 曾zeng 彭peng 吕lu 苏su 卢lu 蒋jiang 蔡cai 贾jia 丁ding 魏wei 薛xue 叶ye 阎yan 余yu 潘pan 杜du 戴dai 夏xia 钟zhong 汪wang \
田tian 任ren 姜jiang 范fan 方fang 石shi 姚yao 谭tan 廖liao 邹zou 熊xiong 金jin 陆lu 郝hao 孔kong 白bai 崔cui 康kang 毛mao 邱qiu \
秦qin 江jiang 史shi 顾gu 侯hou 邵shao 孟meng 龙long 万wan 段duan 雷lei 钱qian 汤tang 尹yin 黎li 易yi 常chang 武wu 乔qiao 贺he \
赖lai 龚gong 文wen 关guan 佟tong 富fu 那na 欧ou 阳yang 司si 上shang 官guan 诸zhu 葛ge 单shan 闫yan 齐qi 严yan 牛niu 庞pang 付fu \
伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 斌bin 超chao 明ming 刚gang 平ping 辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 宇yu 浩hao \
凯kai 健jian 俊jun 帆fan 帅shuai 旭xu 宁ning 洋yang 建jian 国guo 庆qing 志zhi 海hai 峰feng 东dong 立li 成cheng 德de 福fu 贵gui \
山shan 博bo 子zi 轩xuan 然ran 航hang 天tian 振zhen 永yong 长chang 春chun 铁tie 喜xi 忠zhong 芳fang 娜na 敏min 静jing 丽li 艳yan \
娟juan 霞xia 燕yan 玲ling 桂gui 英ying 秀xiu 兰lan 淑shu 珍zhen 玉yu 凤feng 红hong 梅mei 琳lin 婷ting 雪xue 慧hui 颖ying 倩qian \
洁jie 欣xin 悦yue 佳jia 怡yi 萱xuan 梓zi 涵han 诗shi 雨yu 晶jing 莉li 云yun 丹dan 萍ping 岩yan 爽shuang 月yue 琪qi 瑶yao 小xiao \
大da 二er 三san 银yin 宝bao 新xin 民min 生sheng 荣rong 光guang 宏hong 晓xiao 家jia 美mei 秋qiu 冬dong 晨chen 思si 嘉jia 欢huan \
乐le 安an 瑞rui 祥xiang 利li 兵bing 亮liang 良liang 和he 森sen 彬bin 婉wan 霖lin 琴qin 娥e 香xiang 翠cui 花hua 珠zhu 彩cai \
菊ju 莲lian 芬fen 素su 惠hui 蓉rong 玮wei 女nu 男nan 龄ling 铃ling 绣xiu 瑛ying 凡fan 秀xiu 胜sheng 利li 义yi 兴xing 文wen";

fn pinyin() -> &'static HashMap<char, &'static str> {
    static MAP: OnceLock<HashMap<char, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        PINYIN
            .split_whitespace()
            .filter_map(|w| {
                let c = w.chars().next()?;
                Some((c, &w[c.len_utf8()..]))
            })
            .collect()
    })
}

/// A name written in Latin letters, as one lower-case string (spaces, hyphens and apostrophes
/// dropped; ü, v and yu after l and n written u), or None when it is not such a name.
fn latin_key(text: &str) -> Option<String> {
    if !text.chars().any(|c| c.is_ascii_alphabetic())
        || !text.chars().all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '\'' | '·' | '.' | 'ü' | 'Ü' | ':'))
    {
        return None;
    }
    let mut key: String = text.chars().filter(|c| c.is_ascii_alphabetic() || matches!(c, 'ü' | 'Ü')).flat_map(char::to_lowercase).collect();
    for (from, to) in [("lyu", "lu"), ("nyu", "nu"), ("lv", "lu"), ("nv", "nu"), ("ü", "u")] {
        key = key.replace(from, to);
    }
    Some(key)
}

/// The pinyin of a name (lower case, no spaces) when every character is known: 王秀兰 → wangxiulan.
pub fn pinyin_of(name: &str) -> Option<String> {
    pinyin_forms(name).and_then(|f| f.into_iter().next())
}

/// The pinyin of a name in both orders (surname first, and given name first for one- and
/// two-character surnames), when every character is known.
fn pinyin_forms(name: &str) -> Option<Vec<String>> {
    let map = pinyin();
    let syllables: Vec<&str> = normalised(name).filter(|c| *c != '·').map(|c| map.get(&c).copied()).collect::<Option<_>>()?;
    let mut forms = vec![syllables.concat()];
    for split in [1, 2] {
        if syllables.len() > split {
            forms.push(format!("{}{}", syllables[split..].concat(), syllables[..split].concat()));
        }
    }
    Some(forms)
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
    // A name written in pinyin: the same, different, or (a character not in the table) unknown.
    if let Some(key) = latin_key(b) {
        if let Some(registered) = latin_key(a) {
            // A name registered in Latin letters (a foreign resident): written the one way.
            return if registered == key { NameLevel::Variant } else { NameLevel::Different };
        }
        return match pinyin_forms(a) {
            Some(forms) if forms.contains(&key) => NameLevel::Pinyin,
            Some(_) => NameLevel::Different,
            None => NameLevel::Missing,
        };
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
    fn a_name_in_pinyin_is_the_same_name_in_either_order() {
        assert_eq!(compare("王秀兰", "Wang Xiulan"), NameLevel::Pinyin);
        assert_eq!(compare("王秀兰", "WANG XIU-LAN"), NameLevel::Pinyin);
        assert_eq!(compare("王秀兰", "Xiulan Wang"), NameLevel::Pinyin);
        assert_eq!(compare("欧阳娜", "Na Ouyang"), NameLevel::Pinyin);
        assert_eq!(compare("吕芳", "Lyu Fang"), NameLevel::Pinyin);
        assert_eq!(compare("吕芳", "LV FANG"), NameLevel::Pinyin);
        assert_eq!(compare("王秀蘭", "Wang Xiulan"), NameLevel::Pinyin, "traditional characters too");
        assert_eq!(compare("王秀兰", "Li Na"), NameLevel::Different);
        assert_eq!(compare("王鬯", "Wang Chang"), NameLevel::Missing, "a character outside the table says nothing");
        assert_eq!(compare("JOHN SMITH", "John Smith"), NameLevel::Variant);
    }

    #[test]
    fn the_pinyin_table_is_characters_with_lower_case_syllables() {
        for w in PINYIN.split_whitespace() {
            let mut chars = w.chars();
            let c = chars.next().unwrap_or(' ');
            let rest: String = chars.collect();
            assert!(!c.is_ascii() && !rest.is_empty() && rest.chars().all(|x| x.is_ascii_lowercase()), "{w}");
        }
        // Every surname and given-name character the generator uses has its pinyin.
        for (surname, _) in minzheng_synth::names::SURNAMES {
            assert!(pinyin_forms(surname).is_some(), "{surname}");
        }
        for given in minzheng_synth::names::MALE_CHARS.iter().chain(minzheng_synth::names::FEMALE_CHARS) {
            assert!(pinyin_forms(given).is_some(), "{given}");
        }
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
