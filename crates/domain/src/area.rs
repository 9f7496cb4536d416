//! Administrative areas (行政区划): district → township (乡镇街道) → village/community (村社区).
//! The dictionary itself is data (with validity dates) kept by the store; this module only knows
//! the shape of the codes.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// The level of an area, from the length of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    /// 6 digits: 区/县.
    District,
    /// 9 digits: 街道/镇/乡.
    Township,
    /// 12 digits: 村/社区.
    Village,
}

/// The kind of an area, derived from its code (统计用区划代码 conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    District,
    /// 街道 (segment 001–099).
    Subdistrict,
    /// 镇 (100–199).
    Town,
    /// 乡 (200–399).
    Township,
    /// 社区 (village segment 001–199).
    Community,
    /// 村 (village segment 200–399 and above).
    Village,
}

impl AreaKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            AreaKind::District => crate::t(lang, "district"),
            AreaKind::Subdistrict => crate::t(lang, "subdistrict"),
            AreaKind::Town => crate::t(lang, "town"),
            AreaKind::Township => crate::t(lang, "township"),
            AreaKind::Community => crate::t(lang, "community"),
            AreaKind::Village => crate::t(lang, "village"),
        }
    }
}

/// A 6-, 9- or 12-digit statistical division code. A 12-digit code ending in `000` at township
/// level is read as the 9-digit township code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses a code; returns `None` when it is not 6, 9 or 12 ASCII digits.
    pub fn parse(input: &str) -> Option<AreaCode> {
        let s = crate::ids::normalize(input);
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match s.len() {
            6 | 9 => Some(AreaCode(s)),
            12 if s.ends_with("000000") => Some(AreaCode(s[..6].to_string())),
            12 if s.ends_with("000") => Some(AreaCode(s[..9].to_string())),
            12 => Some(AreaCode(s)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> AreaLevel {
        match self.0.len() {
            6 => AreaLevel::District,
            9 => AreaLevel::Township,
            _ => AreaLevel::Village,
        }
    }

    pub fn kind(&self) -> AreaKind {
        let seg = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().unwrap_or(0);
        match self.level() {
            AreaLevel::District => AreaKind::District,
            AreaLevel::Township => match seg(6..9) {
                0..=99 => AreaKind::Subdistrict,
                100..=199 => AreaKind::Town,
                _ => AreaKind::Township,
            },
            AreaLevel::Village => match seg(9..12) {
                0..=199 => AreaKind::Community,
                _ => AreaKind::Village,
            },
        }
    }

    /// The enclosing area (village → township → district); `None` for a district.
    pub fn parent(&self) -> Option<AreaCode> {
        match self.level() {
            AreaLevel::District => None,
            AreaLevel::Township => Some(AreaCode(self.0[..6].to_string())),
            AreaLevel::Village => Some(AreaCode(self.0[..9].to_string())),
        }
    }

    /// Whether `other` is this area or lies inside it.
    pub fn contains(&self, other: &AreaCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AreaCode::parse(&s).ok_or_else(|| format!("invalid area code {s:?}"))
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

/// One entry of the area dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    /// 户籍人口, when known.
    pub population: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl Area {
    pub fn kind(&self) -> AreaKind {
        self.code.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_kinds() {
        let d = AreaCode::parse("331003").expect("ok");
        assert_eq!(d.level(), AreaLevel::District);
        let t = AreaCode::parse("331003107").expect("ok");
        assert_eq!(t.kind(), AreaKind::Town);
        assert_eq!(
            AreaCode::parse("331003001").map(|c| c.kind()),
            Some(AreaKind::Subdistrict)
        );
        assert_eq!(
            AreaCode::parse("331003205").map(|c| c.kind()),
            Some(AreaKind::Township)
        );
        assert_eq!(
            AreaCode::parse("331003107000").map(|c| c.as_str().to_string()),
            Some("331003107".into())
        );
        let v = AreaCode::parse("331003107201").expect("ok");
        assert_eq!(v.kind(), AreaKind::Village);
        assert_eq!(v.parent(), Some(t.clone()));
        assert!(d.contains(&v) && t.contains(&v) && !v.contains(&t));
        assert_eq!(AreaCode::parse("33100"), None);
        assert_eq!(AreaCode::parse("abcdef"), None);
    }
}
