//! The rehabilitation rules, without HTTP or SQL: the services, who may be placed where, what
//! a month's settlement pays. The amounts and the age limit are policy parameters
//! (`rehab_child_monthly`, `rehab_child_age_limit`), resolved for the child's area.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use zhucan_domain::area::AreaCode;
use zhucan_domain::coded_enum;
use zhucan_domain::lang::Lang;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy};

coded_enum! {
    /// A rehabilitation service (康复服务类型). The first four are child rehabilitation
    /// (儿童康复救助) at a designated institution; the others are adult basic rehabilitation
    /// (成人基本康复), recorded by staff or by an institution.
    pub enum Service {
        LimbCp = ("limb_cp", "肢体（脑瘫）康复训练", "physical (cerebral palsy) rehabilitation", "肢体康复训练", "脑瘫康复"),
        Autism = ("autism", "孤独症康复", "autism rehabilitation", "孤独症康复训练"),
        Intellectual = ("intellectual", "智力康复训练", "intellectual rehabilitation"),
        HearingSpeech = ("hearing_speech", "听力言语康复", "hearing and speech rehabilitation", "听力语言康复"),
        Community = ("community", "社区康复指导", "community rehabilitation guidance"),
        Home = ("home", "家庭康复指导", "home rehabilitation guidance"),
        Mental = ("mental", "精神康复", "mental health rehabilitation", "精神障碍社区康复"),
        Training = ("training", "康复训练", "rehabilitation training"),
    }
}

impl Service {
    /// Child rehabilitation at a designated institution.
    pub fn is_child(self) -> bool {
        matches!(
            self,
            Service::LimbCp | Service::Autism | Service::Intellectual | Service::HearingSpeech
        )
    }

    /// The child services.
    pub fn child() -> Vec<Service> {
        Service::ALL
            .iter()
            .copied()
            .filter(|s| s.is_child())
            .collect()
    }

    /// The adult (basic) services.
    pub fn adult() -> Vec<Service> {
        Service::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_child())
            .collect()
    }
}

/// A designation (定点): an institution admitted under an agreement, with a capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Designation {
    pub institution_id: String,
    pub capacity: i64,
    pub agreement_no: String,
    pub agreement_from: NaiveDate,
    pub agreement_to: NaiveDate,
    pub exited_on: Option<NaiveDate>,
    pub exit_reason: Option<String>,
}

impl Designation {
    /// In force on `day`: within the agreement and not exited on or before it.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.agreement_from <= day
            && day <= self.agreement_to
            && self.exited_on.is_none_or(|e| e > day)
    }
}

/// The parameters in force for a child's area on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub monthly_fen: i64,
    pub age_limit: i64,
}

impl Terms {
    /// The parameters in force, or the first missing one.
    pub fn resolve(policy: &Policy, area: &AreaCode, day: NaiveDate) -> Result<Terms, ParamKey> {
        let v = |k| policy.at(k, area, day).map(|e| &e.value).ok_or(k);
        let monthly_fen = match v(ParamKey::RehabChildMonthly)? {
            ParamValue::Fen(f) => *f,
            _ => return Err(ParamKey::RehabChildMonthly),
        };
        let age_limit = match v(ParamKey::RehabChildAgeLimit)? {
            ParamValue::Years(y) => *y,
            _ => return Err(ParamKey::RehabChildAgeLimit),
        };
        Ok(Terms {
            monthly_fen,
            age_limit,
        })
    }
}

/// Why a child cannot be placed (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceRefused {
    /// Not a child service.
    NotChildService,
    /// The child is `age` on the start date, at or over the limit.
    TooOld { age: i64, limit: i64 },
    /// The designation is not in force on the start date.
    NotInForce,
    /// The institution is full: `open` placements of `capacity`.
    Full { open: i64, capacity: i64 },
    /// The child already has an open placement.
    AlreadyPlaced,
}

impl PlaceRefused {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PlaceRefused::NotChildService, Lang::Zh) => "儿童康复安置只能选择儿童康复服务".into(),
            (PlaceRefused::NotChildService, Lang::En) => {
                "a child placement takes a child rehabilitation service".into()
            }
            (PlaceRefused::TooOld { age, limit }, Lang::Zh) => {
                format!("开始日期时已满 {age} 周岁，儿童康复救助限 {limit} 周岁以下")
            }
            (PlaceRefused::TooOld { age, limit }, Lang::En) => {
                format!("{age} years old on the start date; child rehabilitation is under {limit}")
            }
            (PlaceRefused::NotInForce, Lang::Zh) => {
                "该机构在开始日期不在定点协议期内或已退出".into()
            }
            (PlaceRefused::NotInForce, Lang::En) => {
                "the institution's designation is not in force on the start date".into()
            }
            (PlaceRefused::Full { open, capacity }, Lang::Zh) => {
                format!("该机构已满（在训 {open} 人，定点容量 {capacity} 人）")
            }
            (PlaceRefused::Full { open, capacity }, Lang::En) => {
                format!("the institution is full ({open} placed of a capacity of {capacity})")
            }
            (PlaceRefused::AlreadyPlaced, Lang::Zh) => "该儿童已有在训安置，请先结束原安置".into(),
            (PlaceRefused::AlreadyPlaced, Lang::En) => {
                "the child already has an open placement; end it first".into()
            }
        }
    }
}

/// What a placement is judged on.
#[derive(Debug, Clone, Copy)]
pub struct PlaceCase<'a> {
    pub service: Service,
    pub birth: NaiveDate,
    pub start: NaiveDate,
    pub designation: &'a Designation,
    /// Open placements at the institution now.
    pub open_there: i64,
    /// Whether the child already has an open placement anywhere.
    pub child_placed: bool,
}

/// The placement rule: a child service, a child under the age limit on the start date, a
/// designation in force on it, room at the institution, one open placement per child.
pub fn can_place(case: &PlaceCase<'_>, terms: &Terms) -> Result<(), PlaceRefused> {
    if !case.service.is_child() {
        return Err(PlaceRefused::NotChildService);
    }
    let age = i64::from(zhucan_domain::ids::age_on(case.birth, case.start));
    if age >= terms.age_limit {
        return Err(PlaceRefused::TooOld {
            age,
            limit: terms.age_limit,
        });
    }
    if !case.designation.in_force(case.start) {
        return Err(PlaceRefused::NotInForce);
    }
    if case.open_there >= case.designation.capacity {
        return Err(PlaceRefused::Full {
            open: case.open_there,
            capacity: case.designation.capacity,
        });
    }
    if case.child_placed {
        return Err(PlaceRefused::AlreadyPlaced);
    }
    Ok(())
}

/// A month (`YYYY-MM`), parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Reads `2026-03`, `2026-3`, `2026年3月` or `202603`.
    pub fn parse(input: &str) -> Option<Month> {
        let s = zhucan_domain::ids::normalize(input);
        let s = s.trim().trim_end_matches('月');
        let (y, m) = if let Some((y, m)) = s.split_once(['-', '/', '.', '年', '－', '／']) {
            (y.trim(), m.trim())
        } else if s.len() == 6 && s.is_ascii() {
            s.split_at(4)
        } else {
            return None;
        };
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last(self) -> NaiveDate {
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }

    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// One child's line in a month's settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementLine {
    pub placement_id: String,
    pub citizen_id: String,
    pub sessions: i64,
    pub amount_fen: i64,
}

/// A child's month at an institution, as the settlement sees it.
#[derive(Debug, Clone)]
pub struct ChildMonth {
    pub placement_id: String,
    pub citizen_id: String,
    /// The sessions recorded in the month (0: none recorded, nothing paid).
    pub sessions: i64,
    /// The subsidy per month in force for the child's area on the month's first day.
    pub monthly_fen: i64,
}

/// The settlement: the month's subsidy for every child with at least one session recorded in
/// it (a month is paid whole or not at all; `DECISIONS.md`).
pub fn settle(children: &[ChildMonth]) -> Vec<SettlementLine> {
    children
        .iter()
        .filter(|c| c.sessions > 0)
        .map(|c| SettlementLine {
            placement_id: c.placement_id.clone(),
            citizen_id: c.citizen_id.clone(),
            sessions: c.sessions,
            amount_fen: c.monthly_fen,
        })
        .collect()
}

/// The default parameters (seeded with the programme's tables for the district).
pub fn default_params(district: &AreaCode) -> Vec<ParamEntry> {
    let e = |key, value| ParamEntry::plan_default(key, district, value);
    vec![
        e(ParamKey::RehabChildMonthly, ParamValue::Fen(200_000)),
        e(ParamKey::RehabChildAgeLimit, ParamValue::Years(18)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn designation() -> Designation {
        Designation {
            institution_id: "331003107/星星康复中心".into(),
            capacity: 2,
            agreement_no: "HY-2026-01".into(),
            agreement_from: d(2026, 1, 1),
            agreement_to: d(2026, 12, 31),
            exited_on: None,
            exit_reason: None,
        }
    }

    fn terms() -> Terms {
        let district = AreaCode::parse("331003").expect("area");
        Terms::resolve(
            &Policy::new(default_params(&district)),
            &district,
            d(2026, 3, 1),
        )
        .expect("terms")
    }

    fn case(des: &Designation) -> PlaceCase<'_> {
        PlaceCase {
            service: Service::Autism,
            birth: d(2020, 5, 1),
            start: d(2026, 3, 1),
            designation: des,
            open_there: 0,
            child_placed: false,
        }
    }

    #[test]
    fn a_child_is_placed_only_within_the_rules() {
        let des = designation();
        let t = terms();
        assert_eq!(t.monthly_fen, 200_000);
        assert_eq!(can_place(&case(&des), &t), Ok(()));
        let adult = PlaceCase {
            birth: d(2008, 3, 1),
            ..case(&des)
        };
        assert_eq!(
            can_place(&adult, &t),
            Err(PlaceRefused::TooOld { age: 18, limit: 18 })
        );
        let seventeen = PlaceCase {
            birth: d(2008, 3, 2),
            ..case(&des)
        };
        assert_eq!(can_place(&seventeen, &t), Ok(()), "the day before 18");
        let full = PlaceCase {
            open_there: 2,
            ..case(&des)
        };
        assert_eq!(
            can_place(&full, &t),
            Err(PlaceRefused::Full {
                open: 2,
                capacity: 2
            })
        );
        let late = PlaceCase {
            start: d(2027, 1, 1),
            ..case(&des)
        };
        assert_eq!(can_place(&late, &t), Err(PlaceRefused::NotInForce));
        let exited = Designation {
            exited_on: Some(d(2026, 3, 1)),
            ..designation()
        };
        assert_eq!(can_place(&case(&exited), &t), Err(PlaceRefused::NotInForce));
        let adult_service = PlaceCase {
            service: Service::Community,
            ..case(&des)
        };
        assert_eq!(
            can_place(&adult_service, &t),
            Err(PlaceRefused::NotChildService)
        );
        let twice = PlaceCase {
            child_placed: true,
            ..case(&des)
        };
        assert_eq!(can_place(&twice, &t), Err(PlaceRefused::AlreadyPlaced));
        assert!(
            PlaceRefused::TooOld { age: 18, limit: 18 }
                .message(Lang::Zh)
                .contains("18")
        );
    }

    #[test]
    fn months_read_every_spelling() {
        let m = Month {
            year: 2026,
            month: 3,
        };
        for s in ["2026-03", "2026-3", "2026年3月", "202603", "２０２６－０３"] {
            assert_eq!(Month::parse(s), Some(m), "{s}");
        }
        for s in ["2026-13", "2026", "", "abc", "1999-01"] {
            assert_eq!(Month::parse(s), None, "{s}");
        }
        assert_eq!(m.first(), d(2026, 3, 1));
        assert_eq!(m.last(), d(2026, 3, 31));
        assert_eq!(
            Month::parse("2024-02").map(Month::last),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            Month::parse("2026-12").map(Month::last),
            Some(d(2026, 12, 31))
        );
    }

    #[test]
    fn the_feed_spellings_name_the_services() {
        assert_eq!(Service::parse("肢体康复训练"), Some(Service::LimbCp));
        assert_eq!(Service::parse("孤独症康复"), Some(Service::Autism));
        assert_eq!(Service::parse("精神康复"), Some(Service::Mental));
        assert_eq!(Service::parse("家庭康复指导"), Some(Service::Home));
        assert_eq!(Service::child().len(), 4);
    }

    proptest! {
        /// A settlement pays each child with a session the month's amount, and nothing else.
        #[test]
        fn settlement_pays_children_served(sessions in proptest::collection::vec(0i64..30, 0..20), fen in 0i64..1_000_000) {
            let children: Vec<ChildMonth> = sessions.iter().enumerate().map(|(i, s)| ChildMonth {
                placement_id: i.to_string(),
                citizen_id: i.to_string(),
                sessions: *s,
                monthly_fen: fen,
            }).collect();
            let lines = settle(&children);
            let served = sessions.iter().filter(|s| **s > 0).count();
            prop_assert_eq!(lines.len(), served);
            prop_assert_eq!(lines.iter().map(|l| l.amount_fen).sum::<i64>(), fen * served as i64);
        }

        /// A month's first and last days are in the month, and the next day is not.
        #[test]
        fn month_bounds(y in 2000i32..2100, m in 1u32..=12) {
            let mo = Month { year: y, month: m };
            prop_assert_eq!(Month::of(mo.first()), mo);
            prop_assert_eq!(Month::of(mo.last()), mo);
            prop_assert_ne!(mo.last().succ_opt().map(Month::of), Some(mo));
            prop_assert_eq!(Month::parse(&mo.key()), Some(mo));
        }
    }
}
