//! Chinese names and phone numbers that look like those of a Taizhou roster.

use rand::Rng;
use rand::rngs::SmallRng;

use crate::util::pick;

/// Surnames weighted roughly as in Taizhou (王, 陈, 林 lead).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 80),
    ("陈", 78),
    ("林", 70),
    ("李", 48),
    ("张", 46),
    ("黄", 38),
    ("徐", 30),
    ("郑", 30),
    ("蒋", 28),
    ("潘", 28),
    ("金", 27),
    ("杨", 22),
    ("周", 22),
    ("吴", 22),
    ("朱", 20),
    ("梁", 18),
    ("叶", 18),
    ("应", 16),
    ("赵", 15),
    ("胡", 15),
    ("牟", 12),
    ("柯", 12),
    ("管", 10),
    ("何", 10),
    ("罗", 10),
    ("章", 10),
    ("许", 10),
    ("阮", 9),
    ("卢", 9),
    ("谢", 9),
    ("蔡", 8),
    ("池", 7),
    ("彭", 6),
    ("颜", 6),
    ("江", 6),
    ("戴", 6),
    ("陶", 5),
    ("郭", 5),
    ("方", 8),
    ("洪", 6),
    ("毛", 5),
    ("邱", 5),
    ("施", 5),
    ("泮", 4),
    ("解", 3),
    ("包", 4),
    ("童", 4),
    ("汪", 4),
];

const OLD_MALE: &[&str] = &[
    "国", "建", "福", "寿", "根", "才", "荣", "德", "明", "金", "林", "生", "文", "财", "土", "法",
    "顺", "昌", "海", "富", "友", "祥", "发", "兴", "贵", "宝", "定", "正", "再", "官", "清", "仁",
];
const OLD_FEMALE: &[&str] = &[
    "秀", "英", "兰", "梅", "菊", "珍", "芳", "凤", "娥", "玉", "花", "琴", "香", "仙", "彩", "翠",
    "月", "云", "娟", "妹", "素", "桂", "爱", "雪", "春", "莲", "娇", "妙",
];
const MID_MALE: &[&str] = &[
    "建", "伟", "军", "华", "国", "平", "明", "勇", "斌", "波", "强", "林", "杰", "辉", "峰", "涛",
    "刚", "海", "东", "永", "志", "卫", "春", "敏", "荣", "彬", "顺", "兵", "文", "中", "剑", "良",
];
const MID_FEMALE: &[&str] = &[
    "红", "丽", "芳", "燕", "萍", "霞", "敏", "静", "玲", "娟", "英", "华", "琴", "艳", "美", "素",
    "慧", "雪", "春", "莉", "君", "秀", "飞", "婷", "青", "微", "亚", "群",
];
const NEW_MALE: &[&str] = &[
    "浩", "宇", "轩", "杰", "俊", "涛", "鹏", "晨", "博", "文", "阳", "昊", "睿", "辰", "泽", "航",
    "凯", "逸", "哲", "磊", "鑫", "宁", "远", "嘉", "豪", "铭", "楷", "锐",
];
const NEW_FEMALE: &[&str] = &[
    "婷", "欣", "怡", "雨", "佳", "涵", "琪", "萱", "悦", "诗", "梦", "晴", "思", "雅", "静", "彤",
    "可", "馨", "妍", "一", "嘉", "子", "若", "楠", "艺", "菲",
];

/// Mobile prefixes in use in Zhejiang (China Mobile, Unicom, Telecom).
const PHONE_PREFIXES: &[&str] = &[
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "153", "180", "181",
    "189", "177", "173", "199", "191", "198", "166", "147", "178", "176",
];

pub(crate) fn surname(rng: &mut SmallRng) -> &'static str {
    pick(rng, SURNAMES).unwrap_or("王")
}

/// A given name fitting the birth year and sex: two characters mostly, one sometimes, a
/// reduplicated one (婷婷) now and then for younger women.
pub(crate) fn given_name(rng: &mut SmallRng, birth_year: i32, male: bool) -> String {
    let pool = match (birth_year, male) {
        (..1960, true) => OLD_MALE,
        (..1960, false) => OLD_FEMALE,
        (1960..1990, true) => MID_MALE,
        (1960..1990, false) => MID_FEMALE,
        (_, true) => NEW_MALE,
        (_, false) => NEW_FEMALE,
    };
    let a = pool[rng.random_range(0..pool.len())];
    if rng.random_bool(0.2) {
        return a.to_string();
    }
    if !male && birth_year >= 1980 && rng.random_bool(0.05) {
        return format!("{a}{a}");
    }
    let mut b = pool[rng.random_range(0..pool.len())];
    if b == a {
        b = pool[(rng.random_range(0..pool.len()) + 1) % pool.len()];
    }
    format!("{a}{b}")
}

pub(crate) fn full_name(rng: &mut SmallRng, surname: &str, birth_year: i32, male: bool) -> String {
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    s.push_str(&given_name(rng, birth_year, male));
    s
}

pub(crate) fn phone(rng: &mut SmallRng) -> String {
    let p = PHONE_PREFIXES[rng.random_range(0..PHONE_PREFIXES.len())];
    format!("{p}{:08}", rng.random_range(0..100_000_000u32))
}
