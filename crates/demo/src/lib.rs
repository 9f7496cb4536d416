//! A synthetic but realistic district for demos, manuals and benchmarks: the default data set
//! is 黄岩区 (Huangyan District, Taizhou, Zhejiang, code `331003`).
//!
//! * [`district`] — the area dictionary (the district, its 19 townships from `identifiers.md`
//!   and 8–25 villages/communities each) and the institutions.
//! * [`persons`] — streams the registry: one [`PersonRecord`] per person per survey year, in
//!   batches of about 5 000 rows. The same seed gives the same rows, byte for byte; memory stays
//!   flat whatever the number of persons (a few MB of bookkeeping for citizen-ID sequence
//!   numbers plus one batch). In release mode a million persons take a few seconds (see
//!   `examples/million.rs`: `cargo run --release -p zhucan-demo --example million`).
//! * [`demo_accounts`] — one account per role, with **demo-only passwords** that are printed
//!   by `zhucan serve --demo`; never use them outside a demo.
//!
//! Nothing here reads the clock, the environment or a hash map's order: everything comes from
//! [`DemoOptions`] and `SmallRng::seed_from_u64(seed)` (the village map from a fixed seed, so
//! every demo shows the same villages).
//!
//! # Areas
//! 19 townships with plausible 户籍人口 (about 678 000 in all). A 街道 has mostly communities
//! (社区, code segment `001–199`) and a few urban-fringe villages; a 镇 has one or two communities
//! at its seat and villages (村, segment `201–399`); a 乡 has villages only. Village names are
//! built from Taizhou place-name parts (前洋村, 王家岙村, 下浦村…), unique in the district; a
//! 镇/乡 has a village of its own name (院桥村). Village populations add up to the township's.
//!
//! # Institutions
//! A standardized, open 残疾人之家 in every 街道 and 镇 and in every 乡 except 上垟乡 (under 10 000
//! people), plus two branch homes and one closed in 2019; two 托养机构 (the district's 康复和托养中心,
//! 220 beds, and a 40-bed home in 院桥镇); nine 儿童康复机构 (eight designated, six of those
//! standardized); three 康复机构, three 盲人按摩机构 (one closed 2023), three 辅具服务点, three
//! 残疾人公寓. Opened 2012–2024; anything opened after `today` is left out.
//!
//! # Persons (distributions)
//! * **Households**: about 8 % of persons share a 户编号 (`village code + 4 digits`) with one or
//!   two others (spouse, parent/child or sibling), same village, same hukou, same economic
//!   status and income; 户籍 size 1–6. Townships are drawn by population, villages likewise.
//!   Hukou 农业 90 % in villages, 47 % in communities (≈ 70 % overall).
//! * **Citizen ID**: address code 87 % the district's, 10 % elsewhere in Taizhou, 3 % elsewhere
//!   in Zhejiang; a valid check character; sequence numbers unique per (address, birth date,
//!   sex) through a keyed permutation, odd for men (55 % of persons).
//! * **Age at `today`**: 0–5 1.2 %, 6–14 2.6 %, 15–17 1 %, 18–29 5.5 %, 30–44 11 %, 45–59 25 %,
//!   60–69 23 %, 70–79 18.5 %, 80–89 10 %, 90–100 2.2 %.
//! * **Category**: 肢体 45, 视力 12, 听力 10, 言语 1, 智力 9, 精神 13, 多重 10 % (children mostly
//!   智力/肢体/多重; 多重 has 2–3 sorted components). **Grade**: 一级 12, 二级 22, 三级 28, 四级 38 %
//!   (多重 more severe).
//! * **Certificate**: first issued 2005–today (weighted to recent years, never before birth),
//!   renewed in the tenth year; about 2 % expired and not renewed (expiries since 2021), 1 %
//!   revoked, ~60 % smart cards (92 % of cards issued since July 2021, 30 % of older ones).
//! * **Life events**: deaths from 2021 with an age-dependent hazard (≈ 1.5 % a year), ~1 %
//!   moved out since 2021. No certificate is renewed after death or moving out.
//! * **Survey rows**: for each of the three years ending in 2025 (or in `today`'s year if
//!   earlier) in which the person was registered and not yet gone, with 2.5 % random gaps; a
//!   person gone before the window (or certified after it) gets one row for that year.
//! * **Economic status** (household): 低保 12, 低边 6, 特困 2 %, else 无, with a few per cent changing
//!   each year; income per head by status (低保 ¥6 000–13 000, 低边 ¥14 500–20 500, 特困
//!   ¥13 000–18 000, 无 skewed from ¥18 000 (农业) / ¥24 000 up), growing 5–7 % a year.
//! * **Subsidies**: living subsidy for 低保/低边, nursing subsidy for the severe-care category
//!   (not 特困), from the month after the certificate / the status (not before 2016-01), until the
//!   month before the day eligibility ends (death, moving out, revocation, expiry, loss of
//!   status). Missed (eligible, not receiving) 1.6 / 1.1 / 0.7 % in the three years; 4 % of
//!   ended enrolments are not stopped and 15 % of 特困 persons are enrolled anyway, so that the
//!   应补尽补 audit has findings.
//! * **Survey values** (first / second / third year, the plan progressing): pension insurance of
//!   adults 16+ not in school 96.5 / 97.2 / 98 % (城镇职工 for some formal workers and townspeople),
//!   medical 97.5 / 98.1 / 98.7 %; employed 59.5 / 61 / 62.5 % of the working age (men 16–59, women
//!   16–54) who are not in school, retired or unable to work; school stage by age (学前 3–5, 小学
//!   6–11, 初中 12–14, 15–17: 88 % completed compulsory of whom 84 / 87 / 90 % in 高中/中职/特教高中);
//!   rehab needed by ~40 % (85 % of children), received 95 / 96.2 / 97.5 %; devices needed by ~25 %,
//!   fitted 95 / 96.2 / 97.5 %; home modification needed by 6 % of 低保/低边/特困 households, done
//!   90 / 92 / 94 %; care needed by ~22 % of severe-care persons (居家/日间/寄宿), received
//!   86 / 89 / 92 %; culture and sports 90.5 / 92 / 93.5 %.
//!
//! `RecordExtras` is always the default (villages are always known, no legacy IDs).

use chrono::NaiveDate;
use zhucan_domain::person::{PersonRecord, RecordExtras};

mod district;
mod generator;
mod names;
mod util;

#[cfg(test)]
mod tests;

pub use district::DemoDistrict;

/// One streamed row: a person as known in one survey year, and the import extras (always the
/// default here).
pub type Row = (PersonRecord, RecordExtras);

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Number of persons (default 25 000).
    pub persons: usize,
    pub seed: u64,
    /// The reference date: no generated date lies after it.
    pub today: NaiveDate,
}

impl Default for DemoOptions {
    /// 25 000 persons, seed 2021, today = 2025-12-31 (the end of the plan period). Callers that
    /// want "now" pass the date themselves: this crate never reads the clock.
    fn default() -> Self {
        DemoOptions {
            persons: 25_000,
            seed: 2021,
            today: util::ymd(2025, 12, 31),
        }
    }
}

/// The demo district: areas and institutions (`today` drops anything opened later), and the
/// number of households the persons of [`persons`] with the same options form.
pub fn district(opts: &DemoOptions) -> DemoDistrict {
    let areas = district::default_areas();
    let institutions = district::default_institutions(&areas, opts.today);
    DemoDistrict {
        areas,
        institutions,
        households: generator::count_households(opts.seed, opts.persons),
    }
}

/// Streams `opts.persons` persons of `district` to `sink` in batches of about 5 000 rows (one
/// row per person per survey year; a person's rows are consecutive and their person and
/// certificate fields identical). Stops at the first error of the sink and returns it. A
/// district without any township that has villages yields nothing.
pub fn persons<E>(
    opts: &DemoOptions,
    district: &DemoDistrict,
    sink: &mut dyn FnMut(&[Row]) -> Result<(), E>,
) -> Result<(), E> {
    match generator::Generator::new(opts, district) {
        Some(g) => g.run(opts.persons, sink),
        None => Ok(()),
    }
}

/// A demo login. The passwords are **demo values only**, published in the documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    /// The role key of `contract.md` (`district_admin`, `township_staff`, …).
    pub role: &'static str,
    /// The area the account is scoped to (area code).
    pub area: String,
}

/// One account per staff role: `admin` (district_admin), `yuanqiao` (township_staff of 院桥镇),
/// `cunwu` (village_worker of the first village of 院桥镇), `partner` (a partner department),
/// `auditor`, `sysadmin` (system_admin) and `security` (security_admin). All passwords are
/// demo-only values of 12+ characters.
pub fn demo_accounts(district: &DemoDistrict) -> Vec<DemoAccount> {
    use zhucan_domain::area::AreaLevel;
    let district_code = district
        .areas
        .iter()
        .find(|a| a.code.level() == AreaLevel::District)
        .map(|a| a.code.to_string())
        .unwrap_or_else(|| "331003".to_string());
    let township = district
        .areas
        .iter()
        .find(|a| a.name == "院桥镇" && a.code.level() == AreaLevel::Township)
        .or_else(|| {
            district
                .areas
                .iter()
                .find(|a| a.code.level() == AreaLevel::Township)
        })
        .map(|a| a.code.clone());
    let village = township.as_ref().and_then(|t| {
        district
            .areas
            .iter()
            .filter(|a| a.code.level() == AreaLevel::Village && t.contains(&a.code))
            .map(|a| a.code.to_string())
            .min()
    });
    let township = township
        .map(|t| t.to_string())
        .unwrap_or_else(|| district_code.clone());
    let village = village.unwrap_or_else(|| township.clone());
    let acct = |username, password, role, area: &String| DemoAccount {
        username,
        password,
        role,
        area: area.clone(),
    };
    vec![
        acct("admin", "demo-Admin-2025", "district_admin", &district_code),
        acct(
            "yuanqiao",
            "demo-Yuanqiao-2025",
            "township_staff",
            &township,
        ),
        acct("cunwu", "demo-Cunwu-2025!", "village_worker", &village),
        acct("partner", "demo-Partner-2025", "partner", &district_code),
        acct("auditor", "demo-Auditor-2025", "auditor", &district_code),
        acct(
            "sysadmin",
            "demo-Sysadmin-2025",
            "system_admin",
            &district_code,
        ),
        acct(
            "security",
            "demo-Security-2025",
            "security_admin",
            &district_code,
        ),
    ]
}
