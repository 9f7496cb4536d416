//! The demo district: Huangyan's 19 townships, synthetic villages and communities, and the
//! district's institutions.
//!
//! The map does not depend on the seed: every demo database shows the same villages, so that
//! screenshots, manuals and acceptance tests can name them. Only the persons vary with the seed.

use chrono::NaiveDate;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use zhucan_domain::area::{Area, AreaCode};
use zhucan_domain::institution::{Institution, InstitutionKind};

use crate::util::ymd;

/// Seed of the (seed-independent) village generator.
const MAP_SEED: u64 = 0x0033_1003_2021_2025;

/// One township of the default district: code segment, name, 户籍人口, communities, villages.
struct TownshipSpec {
    segment: &'static str,
    name: &'static str,
    population: i64,
    communities: usize,
    villages: usize,
}

const fn t(
    segment: &'static str,
    name: &'static str,
    population: i64,
    communities: usize,
    villages: usize,
) -> TownshipSpec {
    TownshipSpec {
        segment,
        name,
        population,
        communities,
        villages,
    }
}

/// The 19 townships of 黄岩区 (`identifiers.md`) with plausible registered populations. 街道 are
/// mostly communities with a few urban-fringe villages; a 镇 has one or two communities at its
/// seat; a 乡 has villages only.
const TOWNSHIPS: &[TownshipSpec] = &[
    t("001", "东城街道", 61_800, 10, 3),
    t("002", "南城街道", 54_300, 8, 4),
    t("003", "西城街道", 57_600, 9, 5),
    t("004", "北城街道", 51_900, 7, 4),
    t("005", "新前街道", 60_200, 5, 13),
    t("006", "澄江街道", 56_700, 4, 16),
    t("007", "江口街道", 49_800, 5, 12),
    t("008", "高桥街道", 41_500, 3, 12),
    t("101", "宁溪镇", 25_400, 1, 19),
    t("102", "北洋镇", 28_100, 1, 17),
    t("103", "头陀镇", 30_300, 1, 18),
    t("107", "院桥镇", 71_600, 2, 23),
    t("108", "沙埠镇", 22_400, 1, 13),
    t("200", "屿头乡", 18_200, 0, 16),
    t("201", "上郑乡", 9_600, 0, 11),
    t("202", "富山乡", 8_900, 0, 12),
    t("203", "茅畲乡", 12_300, 0, 12),
    t("204", "上垟乡", 6_100, 0, 8),
    t("205", "平田乡", 11_400, 0, 10),
];

/// Names of urban communities (社区), used in order of a shuffle.
const COMMUNITY_NAMES: &[&str] = &[
    "桔乡", "城关", "府前", "锦江", "永宁", "天长", "劳动", "青年", "横街", "九峰", "双江", "东浦",
    "西街", "北门", "南门", "东门", "朝天", "环城", "和平", "百花", "万寿", "东禅", "江北", "江滨",
    "滨江", "翠屏", "凤鸣", "锦华", "文化", "星光", "金桔", "世纪", "方山", "太平", "新宅", "上洋",
    "官河", "柔川", "秀水", "东晖", "望江", "龙湖", "橘园", "西桥", "南苑", "北苑", "新安", "康宁",
    "永丰", "裕丰", "迎春", "南浦", "蔚蓝", "丰乐", "安澜", "清风", "桂花", "江南", "新城", "荷塘",
];

/// First characters of village names derived from a place (上/下/前/后…).
const PLACE_PREFIXES: &[&str] = &[
    "上", "下", "前", "后", "东", "西", "南", "北", "大", "小", "新", "横", "长", "高", "白", "石",
    "沙", "岩", "黄", "桐", "柏", "樟", "竹", "梅", "杏", "桃", "枫", "岭", "溪",
];

/// Second characters of village names (landforms common in Taizhou place names).
const PLACE_SUFFIXES: &[&str] = &[
    "洋", "岙", "岸", "坑", "山", "桥", "塘", "溪", "岭", "湾", "垟", "浦", "埠", "田", "宅", "庄",
    "墩", "屿", "港", "坦", "垄", "岗", "坑口", "岙里",
];

/// Surnames that give clan-village names (王家岙, 陈宅…).
const CLAN_NAMES: &[&str] = &[
    "王", "陈", "林", "李", "张", "黄", "徐", "郑", "蒋", "潘", "金", "杨", "周", "吴", "朱", "梁",
    "叶", "应", "牟", "柯", "管", "赵", "章", "罗", "胡", "阮", "卢", "谢", "蔡", "池", "彭", "戴",
];

const CLAN_SUFFIXES: &[&str] = &[
    "家", "宅", "岙", "洋", "桥", "岸", "坑", "垟", "浦", "家岙", "家山", "家洋",
];

/// The district's area dictionary and institutions, and the number of households the persons of
/// [`crate::persons`] will form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDistrict {
    /// The district, its townships and their villages/communities, in code order.
    pub areas: Vec<Area>,
    pub institutions: Vec<Institution>,
    /// Households formed by the persons of [`crate::persons`] with the same options (a person
    /// without a 户编号 is a household of their own).
    pub households: usize,
}

fn area(code: &str, name: &str, population: i64) -> Option<Area> {
    Some(Area {
        code: AreaCode::parse(code)?,
        name: name.to_string(),
        population: Some(population),
        valid_from: None,
        valid_until: None,
    })
}

/// Builds the default areas (黄岩区 331003).
pub(crate) fn default_areas() -> Vec<Area> {
    let mut rng = SmallRng::seed_from_u64(MAP_SEED);
    let mut out = Vec::new();
    let total: i64 = TOWNSHIPS.iter().map(|t| t.population).sum();
    out.extend(area("331003", "黄岩区", total));

    // Distinct names across the whole district, so that a name alone never confuses anyone.
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut community_pool: Vec<&str> = COMMUNITY_NAMES.to_vec();
    shuffle(&mut community_pool, &mut rng);
    let mut community_iter = community_pool.into_iter();

    for spec in TOWNSHIPS {
        let tcode = format!("331003{}", spec.segment);
        out.extend(area(&tcode, spec.name, spec.population));
        let stem = spec
            .name
            .trim_end_matches("街道")
            .trim_end_matches('镇')
            .trim_end_matches('乡');
        let mut children: Vec<(String, String, i64)> = Vec::new();

        for i in 0..spec.communities {
            let name = if i == 0 && !spec.name.ends_with("街道") {
                format!("{stem}社区")
            } else {
                loop {
                    match community_iter.next() {
                        Some(n) if !used.contains(&format!("{n}社区")) => {
                            break format!("{n}社区");
                        }
                        Some(_) => continue,
                        None => break format!("{stem}第{}社区", i + 1),
                    }
                }
            };
            used.insert(name.clone());
            let pop = rng.random_range(2_600..9_500);
            children.push((format!("{tcode}{:03}", i + 1), name, pop));
        }
        for i in 0..spec.villages {
            let name =
                if i == 0 && !spec.name.ends_with("街道") && !used.contains(&format!("{stem}村"))
                {
                    format!("{stem}村")
                } else {
                    village_name(&mut rng, &used)
                };
            used.insert(name.clone());
            let pop = rng.random_range(700..3_600);
            children.push((format!("{tcode}{:03}", 201 + i), name, pop));
        }
        // Scale the children's populations to the township's (rounding onto the last one).
        let sum: i64 = children.iter().map(|c| c.2).sum::<i64>().max(1);
        let mut left = spec.population;
        let n = children.len();
        for (i, (code, name, pop)) in children.into_iter().enumerate() {
            let p = if i + 1 == n {
                left.max(1)
            } else {
                (pop * spec.population / sum).max(1)
            };
            left -= p;
            out.extend(area(&code, &name, p));
        }
    }
    out
}

fn village_name(rng: &mut SmallRng, used: &std::collections::BTreeSet<String>) -> String {
    for _ in 0..1_000 {
        let name = if rng.random_bool(0.35) {
            let a = CLAN_NAMES[rng.random_range(0..CLAN_NAMES.len())];
            let b = CLAN_SUFFIXES[rng.random_range(0..CLAN_SUFFIXES.len())];
            format!("{a}{b}村")
        } else {
            let a = PLACE_PREFIXES[rng.random_range(0..PLACE_PREFIXES.len())];
            let b = PLACE_SUFFIXES[rng.random_range(0..PLACE_SUFFIXES.len())];
            if b.starts_with(a)
                || (a == "岭" && b.contains('岭'))
                || (a == "溪" && b.contains('溪'))
            {
                continue;
            }
            format!("{a}{b}村")
        };
        if !used.contains(&name) {
            return name;
        }
    }
    format!("新建{}村", used.len())
}

fn shuffle<T>(v: &mut [T], rng: &mut SmallRng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

/// Builds the institutions of the default district. Every 街道/镇 and the 乡 except 上垟乡 (under
/// 10 000 people) has a standardized 残疾人之家; institutions opened after `today` are left out and
/// closing dates after `today` dropped.
pub(crate) fn default_institutions(areas: &[Area], today: NaiveDate) -> Vec<Institution> {
    use InstitutionKind::*;
    let mut out = Vec::new();
    let code_of = |name: &str| -> Option<AreaCode> {
        areas
            .iter()
            .find(|a| a.name == name && a.code.level() == zhucan_domain::AreaLevel::Township)
            .map(|a| a.code.clone())
    };
    type Ymd = (i32, u32, u32);
    // (township, name, kind, standardized, designated, beds, stars, opened, closed)
    type Row = (
        &'static str,
        &'static str,
        InstitutionKind,
        bool,
        bool,
        Option<i64>,
        Option<i64>,
        Ymd,
        Option<Ymd>,
    );
    let homes: &[(&str, Ymd, i64, i64)] = &[
        ("东城街道", (2013, 5, 18), 30, 4),
        ("南城街道", (2019, 3, 1), 25, 3),
        ("西城街道", (2014, 6, 12), 28, 4),
        ("北城街道", (2015, 9, 20), 24, 3),
        ("新前街道", (2014, 11, 8), 35, 5),
        ("澄江街道", (2016, 4, 16), 30, 4),
        ("江口街道", (2016, 10, 25), 22, 3),
        ("高桥街道", (2017, 5, 21), 20, 3),
        ("宁溪镇", (2017, 8, 10), 18, 3),
        ("北洋镇", (2018, 1, 15), 20, 3),
        ("头陀镇", (2017, 12, 3), 22, 4),
        ("院桥镇", (2012, 12, 3), 40, 5),
        ("沙埠镇", (2018, 6, 28), 16, 3),
        ("屿头乡", (2019, 5, 19), 15, 3),
        ("上郑乡", (2020, 9, 9), 12, 2),
        ("富山乡", (2020, 11, 18), 12, 2),
        ("茅畲乡", (2019, 10, 22), 15, 3),
        ("平田乡", (2020, 6, 6), 14, 3),
    ];
    for (town, opened, beds, stars) in homes {
        let name = format!("{town}残疾人之家");
        push(
            &mut out,
            code_of(town),
            &name,
            HomeOfDisabled,
            true,
            false,
            Some(*beds),
            Some(*stars),
            *opened,
            None,
            today,
        );
    }
    let rows: &[Row] = &[
        // A second, smaller home in two large areas, and the old day centre that 南城 replaced.
        (
            "院桥镇",
            "院桥镇残疾人之家（高洋分站）",
            HomeOfDisabled,
            false,
            false,
            Some(12),
            Some(2),
            (2021, 4, 20),
            None,
        ),
        (
            "新前街道",
            "新前街道残疾人之家（西片站）",
            HomeOfDisabled,
            true,
            false,
            Some(16),
            Some(3),
            (2022, 7, 1),
            None,
        ),
        (
            "南城街道",
            "南城街道阳光家园",
            HomeOfDisabled,
            false,
            false,
            Some(10),
            None,
            (2012, 3, 15),
            Some((2019, 2, 28)),
        ),
        // Care institutions (专业托养).
        (
            "北城街道",
            "黄岩区残疾人康复和托养中心",
            CareInstitution,
            true,
            true,
            Some(220),
            Some(4),
            (2020, 6, 18),
            None,
        ),
        (
            "院桥镇",
            "院桥镇康乐托养院",
            CareInstitution,
            true,
            false,
            Some(40),
            Some(3),
            (2016, 9, 1),
            None,
        ),
        // Child rehabilitation: mostly designated (定点), some standardized.
        (
            "北城街道",
            "黄岩区残疾人康复和托养中心儿童康复部",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2020, 6, 18),
            None,
        ),
        (
            "东城街道",
            "黄岩区妇幼保健院儿童康复科",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2014, 3, 10),
            None,
        ),
        (
            "西城街道",
            "黄岩区特殊教育学校康复中心",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2013, 9, 1),
            None,
        ),
        (
            "南城街道",
            "黄岩区星语儿童康复中心",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2017, 4, 2),
            None,
        ),
        (
            "新前街道",
            "黄岩区启航儿童康复中心",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2019, 8, 15),
            None,
        ),
        (
            "澄江街道",
            "黄岩区童馨儿童康复中心",
            ChildRehab,
            false,
            true,
            None,
            None,
            (2021, 3, 8),
            None,
        ),
        (
            "江口街道",
            "黄岩区彩虹儿童康复中心",
            ChildRehab,
            false,
            true,
            None,
            None,
            (2022, 5, 16),
            None,
        ),
        (
            "院桥镇",
            "黄岩区小太阳儿童康复中心",
            ChildRehab,
            true,
            true,
            None,
            None,
            (2023, 2, 20),
            None,
        ),
        (
            "高桥街道",
            "黄岩区向日葵儿童发展中心",
            ChildRehab,
            false,
            false,
            None,
            None,
            (2024, 3, 18),
            None,
        ),
        // Rehabilitation.
        (
            "东城街道",
            "黄岩区中医院康复医学中心",
            Rehab,
            true,
            true,
            Some(60),
            None,
            (2012, 6, 1),
            None,
        ),
        (
            "院桥镇",
            "院桥镇中心卫生院康复站",
            Rehab,
            true,
            false,
            Some(12),
            None,
            (2018, 10, 9),
            None,
        ),
        (
            "宁溪镇",
            "宁溪镇社区康复站",
            Rehab,
            false,
            false,
            None,
            None,
            (2019, 7, 1),
            None,
        ),
        // Blind massage.
        (
            "西城街道",
            "黄岩明心盲人按摩店",
            BlindMassage,
            true,
            false,
            None,
            None,
            (2015, 5, 20),
            None,
        ),
        (
            "东城街道",
            "黄岩康福盲人推拿中心",
            BlindMassage,
            true,
            true,
            None,
            None,
            (2018, 8, 8),
            None,
        ),
        (
            "南城街道",
            "南城益康盲人按摩所",
            BlindMassage,
            false,
            false,
            None,
            None,
            (2013, 11, 11),
            Some((2023, 6, 30)),
        ),
        // Assistive devices.
        (
            "北城街道",
            "黄岩区残疾人辅助器具服务中心",
            DeviceService,
            true,
            true,
            None,
            None,
            (2016, 12, 3),
            None,
        ),
        (
            "院桥镇",
            "院桥镇辅具服务点",
            DeviceService,
            true,
            false,
            None,
            None,
            (2021, 9, 15),
            None,
        ),
        (
            "宁溪镇",
            "宁溪镇辅具服务点",
            DeviceService,
            false,
            false,
            None,
            None,
            (2022, 4, 12),
            None,
        ),
        // Apartments (村居残疾人公寓).
        (
            "屿头乡",
            "屿头乡残疾人公寓",
            Apartment,
            true,
            false,
            Some(8),
            None,
            (2022, 10, 1),
            None,
        ),
        (
            "头陀镇",
            "头陀镇残疾人公寓",
            Apartment,
            true,
            false,
            Some(10),
            None,
            (2023, 5, 18),
            None,
        ),
        (
            "北洋镇",
            "北洋镇残疾人公寓",
            Apartment,
            false,
            false,
            Some(6),
            None,
            (2024, 9, 6),
            None,
        ),
    ];
    for (town, name, kind, std, des, beds, stars, opened, closed) in rows {
        push(
            &mut out,
            code_of(town),
            name,
            *kind,
            *std,
            *des,
            *beds,
            *stars,
            *opened,
            *closed,
            today,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Vec<Institution>,
    township: Option<AreaCode>,
    name: &str,
    kind: InstitutionKind,
    standardized: bool,
    designated: bool,
    beds: Option<i64>,
    stars: Option<i64>,
    opened: (i32, u32, u32),
    closed: Option<(i32, u32, u32)>,
    today: NaiveDate,
) {
    let Some(township) = township else { return };
    let opened_on = ymd(opened.0, opened.1, opened.2);
    if opened_on > today {
        return;
    }
    let closed_on = closed.map(|c| ymd(c.0, c.1, c.2)).filter(|c| *c <= today);
    out.push(Institution {
        name: name.to_string(),
        kind,
        township,
        standardized,
        designated,
        beds,
        stars,
        opened_on,
        closed_on,
        decisions: Vec::new(),
    });
}
