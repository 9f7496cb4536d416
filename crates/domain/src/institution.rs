//! Institutions (机构): homes of the disabled, care institutions, rehabilitation centres…

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;

coded_enum! {
    /// 机构类型.
    pub enum InstitutionKind {
        HomeOfDisabled = ("home_of_disabled", "残疾人之家", "home of the disabled"),
        CareInstitution = ("care_institution", "托养机构", "care institution", "专业托养机构"),
        ChildRehab = ("child_rehab", "儿童康复机构", "child rehabilitation institution", "残疾儿童康复机构"),
        Rehab = ("rehab", "康复机构", "rehabilitation institution"),
        BlindMassage = ("blind_massage", "盲人按摩机构", "blind massage centre"),
        DeviceService = ("device_service", "辅具服务点", "assistive device service point"),
        Apartment = ("apartment", "残疾人公寓", "apartment for disabled people"),
    }
}

/// One institution; unique by township and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub name: String,
    pub kind: InstitutionKind,
    pub township: AreaCode,
    pub standardized: bool,
    pub designated: bool,
    pub beds: Option<i64>,
    pub stars: Option<i64>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    /// The dated decisions over the directory's values (认定、变更), in effect order. The
    /// directory row (the workbook's `机构` sheet) is the state before the first of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

coded_enum! {
    /// 运营方式: who runs the institution.
    pub enum Operator {
        Public = ("public", "公办", "public", "公办公营"),
        PublicPrivate = ("public_private", "公建民营", "publicly built, privately run"),
        PrivateNonProfit = ("private_nonprofit", "民办非营利", "private non-profit", "民办非企业", "民办"),
    }
}

coded_enum! {
    /// What a dated decision about an institution changes.
    pub enum DecisionKind {
        Standardized = ("standardized", "规范化认定", "standardisation"),
        Designated = ("designated", "定点认定", "designation"),
        Operator = ("operator", "运营方式", "operator"),
        Beds = ("beds", "床位（服务能力）", "capacity (beds)"),
        Opened = ("opened", "开办（恢复运营）", "opening (or reopening)"),
        Closed = ("closed", "停办", "closing"),
    }
}

/// The new value a decision sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Change {
    /// Standardised (规范化) or the standardisation withdrawn.
    Standardized(bool),
    /// Designated (定点) or the designation ended.
    Designated(bool),
    Operator(Operator),
    /// The number of beds (or places); `None`: none stated.
    Beds(Option<i64>),
    /// Opens, or reopens after a closing, on the decision's day.
    Opened,
    /// Closes on the decision's day (closed from that day).
    Closed,
}

impl Change {
    pub fn kind(&self) -> DecisionKind {
        match self {
            Change::Standardized(_) => DecisionKind::Standardized,
            Change::Designated(_) => DecisionKind::Designated,
            Change::Operator(_) => DecisionKind::Operator,
            Change::Beds(_) => DecisionKind::Beds,
            Change::Opened => DecisionKind::Opened,
            Change::Closed => DecisionKind::Closed,
        }
    }
}

/// One dated decision about an institution (a standardisation, a designation, a change of
/// operator or capacity, an opening or closing), with the document that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The day it takes effect.
    pub effective_on: NaiveDate,
    pub change: Change,
    /// 文号 or other reference of the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Its order of recording: of two decisions on one day, the later recorded wins.
    pub seq: i64,
}

/// The institution's values on one day, with the decisions over the directory row applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateAt {
    pub open: bool,
    pub standardized: bool,
    pub designated: bool,
    pub operator: Option<Operator>,
    pub beds: Option<i64>,
}

impl Institution {
    /// Open at `t`: the latest opening or closing on or before `t` is an opening. The
    /// directory's dates come first (opened on `opened_on`, closed from `closed_on`), the
    /// decisions after them; without decisions: `opened_on` ≤ `t` and no `closed_on` ≤ `t`.
    pub fn is_open_at(&self, t: NaiveDate) -> bool {
        // (day, order, opens): the directory's dates before any decision of the same day.
        let row = [
            Some((self.opened_on, -2, true)),
            self.closed_on.map(|c| (c, -1, false)),
        ];
        let decided = self.in_force(t).filter_map(|d| match d.change {
            Change::Opened => Some((d.effective_on, d.seq, true)),
            Change::Closed => Some((d.effective_on, d.seq, false)),
            _ => None,
        });
        row.into_iter()
            .flatten()
            .filter(|(on, ..)| *on <= t)
            .chain(decided)
            .max_by_key(|(on, seq, _)| (*on, *seq))
            .is_some_and(|(.., opens)| opens)
    }

    /// Standardised (规范化) at `t`: the latest standardisation decision on or before `t`,
    /// else the directory's value.
    pub fn standardized_at(&self, t: NaiveDate) -> bool {
        self.latest(t, |c| match c {
            Change::Standardized(b) => Some(b),
            _ => None,
        })
        .unwrap_or(self.standardized)
    }

    /// Designated (定点) at `t`, as [`Self::standardized_at`].
    pub fn designated_at(&self, t: NaiveDate) -> bool {
        self.latest(t, |c| match c {
            Change::Designated(b) => Some(b),
            _ => None,
        })
        .unwrap_or(self.designated)
    }

    /// Every value at `t`.
    pub fn state_at(&self, t: NaiveDate) -> StateAt {
        StateAt {
            open: self.is_open_at(t),
            standardized: self.standardized_at(t),
            designated: self.designated_at(t),
            operator: self.latest(t, |c| match c {
                Change::Operator(o) => Some(o),
                _ => None,
            }),
            beds: self
                .latest(t, |c| match c {
                    Change::Beds(b) => Some(b),
                    _ => None,
                })
                .unwrap_or(self.beds),
        }
    }

    /// The decisions in force at `t` (effective on or before it).
    fn in_force(&self, t: NaiveDate) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(move |d| d.effective_on <= t)
    }

    /// The value of the latest decision of one kind in force at `t`.
    fn latest<V>(&self, t: NaiveDate, pick: impl Fn(Change) -> Option<V>) -> Option<V> {
        self.in_force(t)
            .filter_map(|d| pick(d.change).map(|v| ((d.effective_on, d.seq), v)))
            .max_by_key(|(k, _)| *k)
            .map(|(_, v)| v)
    }

    /// The directory row equal to `other`'s (the decisions aside): a re-import of the same
    /// row changes nothing.
    pub fn same_row(&self, other: &Institution) -> bool {
        self.name == other.name
            && self.kind == other.kind
            && self.township == other.township
            && self.standardized == other.standardized
            && self.designated == other.designated
            && self.beds == other.beds
            && self.stars == other.stars
            && self.opened_on == other.opened_on
            && self.closed_on == other.closed_on
    }

    /// The stable identifier: township code + `/` + name.
    pub fn id(&self) -> String {
        format!("{}/{}", self.township, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn inst(decisions: Vec<(&str, Change, i64)>) -> Institution {
        Institution {
            name: "城关残疾人之家".into(),
            kind: InstitutionKind::HomeOfDisabled,
            township: AreaCode::parse("331003001").expect("code"),
            standardized: false,
            designated: false,
            beds: Some(10),
            stars: None,
            opened_on: d("2021-03-01"),
            closed_on: None,
            decisions: decisions
                .into_iter()
                .map(|(on, change, seq)| Decision {
                    effective_on: d(on),
                    change,
                    document: None,
                    seq,
                })
                .collect(),
        }
    }

    #[test]
    fn without_decisions_the_directory_row_stands() {
        let mut i = inst(vec![]);
        assert!(!i.is_open_at(d("2021-02-28")));
        assert!(i.is_open_at(d("2021-03-01")));
        i.closed_on = Some(d("2024-06-30"));
        assert!(i.is_open_at(d("2024-06-29")));
        assert!(!i.is_open_at(d("2024-06-30")));
        assert!(!i.standardized_at(d("2030-01-01")));
        assert_eq!(i.state_at(d("2022-01-01")).beds, Some(10));
    }

    #[test]
    fn a_decision_counts_from_its_day() {
        let i = inst(vec![
            ("2023-05-10", Change::Standardized(true), 1),
            ("2025-01-01", Change::Standardized(false), 2),
            ("2024-01-01", Change::Beds(Some(30)), 3),
            ("2024-01-01", Change::Operator(Operator::PublicPrivate), 4),
        ]);
        assert!(!i.standardized_at(d("2023-05-09")));
        assert!(i.standardized_at(d("2023-05-10")));
        assert!(i.standardized_at(d("2024-12-31")));
        assert!(!i.standardized_at(d("2025-01-01")));
        let s = i.state_at(d("2024-01-01"));
        assert_eq!(s.beds, Some(30));
        assert_eq!(s.operator, Some(Operator::PublicPrivate));
        assert_eq!(i.state_at(d("2023-12-31")).operator, None);
    }

    #[test]
    fn closing_and_reopening_by_decision() {
        let i = inst(vec![
            ("2024-07-01", Change::Closed, 1),
            ("2025-03-01", Change::Opened, 2),
        ]);
        assert!(i.is_open_at(d("2024-06-30")));
        assert!(!i.is_open_at(d("2024-07-01")));
        assert!(!i.is_open_at(d("2025-02-28")));
        assert!(i.is_open_at(d("2025-03-01")));
    }

    #[test]
    fn of_two_decisions_on_one_day_the_later_recorded_wins() {
        let i = inst(vec![
            ("2024-01-01", Change::Designated(false), 9),
            ("2024-01-01", Change::Designated(true), 3),
        ]);
        assert!(!i.designated_at(d("2024-01-01")));
        // An opening decision on the directory's closing day reopens it.
        let mut j = inst(vec![("2024-06-30", Change::Opened, 1)]);
        j.closed_on = Some(d("2024-06-30"));
        assert!(j.is_open_at(d("2024-06-30")));
    }

    #[test]
    fn the_same_row_ignores_the_decisions() {
        let a = inst(vec![("2024-01-01", Change::Closed, 1)]);
        let b = inst(vec![]);
        assert!(a.same_row(&b));
        assert_ne!(a, b);
    }
}
