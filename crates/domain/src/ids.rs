//! Citizen ID (公民身份号码, GB 11643-1999) and disability certificate number (残疾人证号).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::disability::{Category, Grade};
use crate::lang::{Lang, Localized};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a citizen ID or certificate number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("empty")]
    Empty,
    #[error("wrong length {len}")]
    Length { len: usize, expected: &'static str },
    #[error("invalid character {ch:?} at position {pos}")]
    Char { pos: usize, ch: char },
    #[error("birth date {text} is not a real date")]
    BirthDate { text: String },
    #[error("birth date {date} is in the future")]
    FutureBirth { date: NaiveDate },
    #[error("check character should be {expected}, found {found}")]
    CheckDigit { expected: char, found: char },
    #[error("category digit {found:?} is not 1–7")]
    CategoryDigit { found: char },
    #[error("grade digit {found:?} is not 1–4")]
    GradeDigit { found: char },
}

impl Localized for IdError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (IdError::Empty, Lang::Zh) => "不能为空".into(),
            (IdError::Empty, Lang::En) => "must not be empty".into(),
            (IdError::Length { len, expected }, Lang::Zh) => {
                format!("位数错误：应为 {expected} 位，实际 {len} 位")
            }
            (IdError::Length { len, expected }, Lang::En) => {
                format!("wrong length: expected {expected} characters, found {len}")
            }
            (IdError::Char { pos, ch }, Lang::Zh) => format!("第 {pos} 位字符“{ch}”无效"),
            (IdError::Char { pos, ch }, Lang::En) => {
                format!("character {pos} (“{ch}”) is not allowed")
            }
            (IdError::BirthDate { text }, Lang::Zh) => format!("出生日期 {text} 不是有效日期"),
            (IdError::BirthDate { text }, Lang::En) => {
                format!("birth date {text} is not a real date")
            }
            (IdError::FutureBirth { date }, Lang::Zh) => format!("出生日期 {date} 晚于今天"),
            (IdError::FutureBirth { date }, Lang::En) => {
                format!("birth date {date} is in the future")
            }
            (IdError::CheckDigit { expected, .. }, Lang::Zh) => {
                format!("公民身份号码校验位错误：应为 {expected}")
            }
            (IdError::CheckDigit { expected, found }, Lang::En) => {
                format!("wrong check character: should be {expected}, not {found}")
            }
            (IdError::CategoryDigit { found }, Lang::Zh) => {
                format!("残疾类别位“{found}”无效：应为 1–7")
            }
            (IdError::CategoryDigit { found }, Lang::En) => {
                format!("category digit “{found}” must be 1–7")
            }
            (IdError::GradeDigit { found }, Lang::Zh) => {
                format!("残疾等级位“{found}”无效：应为 1–4")
            }
            (IdError::GradeDigit { found }, Lang::En) => {
                format!("grade digit “{found}” must be 1–4")
            }
        }
    }
}

/// Sex as encoded by the citizen ID's sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Sex::Male => crate::t(lang, "male"),
            Sex::Female => crate::t(lang, "female"),
        }
    }
}

/// Normalises user input: trims white space (also U+3000), maps full-width digits and letters to
/// ASCII and upper-cases `x`.
pub fn normalize(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}')
        .chars()
        .map(|c| match c {
            '\u{ff10}'..='\u{ff19}' => char::from(b'0' + (c as u32 - 0xff10) as u8),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            _ => c,
        })
        .collect()
}

/// The check character for the first 17 digits (which must be ASCII digits).
fn check_char(first17: &[u8]) -> char {
    let s: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(s % 11) as usize]
}

fn digits_only(s: &str, upto: usize) -> Result<(), IdError> {
    for (i, c) in s.chars().enumerate().take(upto) {
        if !c.is_ascii_digit() {
            return Err(IdError::Char { pos: i + 1, ch: c });
        }
    }
    Ok(())
}

fn birth_date(yyyymmdd: &str, today: NaiveDate) -> Result<NaiveDate, IdError> {
    let bad = || IdError::BirthDate {
        text: yyyymmdd.to_string(),
    };
    let y: i32 = yyyymmdd[0..4].parse().map_err(|_| bad())?;
    let m: u32 = yyyymmdd[4..6].parse().map_err(|_| bad())?;
    let d: u32 = yyyymmdd[6..8].parse().map_err(|_| bad())?;
    if y < 1800 {
        return Err(bad());
    }
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad)?;
    if date > today {
        return Err(IdError::FutureBirth { date });
    }
    Ok(date)
}

/// An 18-character citizen ID with a correct check character and a real, past birth date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CitizenId(String);

/// The result of reading a citizen ID as typed or found in a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCitizenId {
    pub id: CitizenId,
    /// The legacy 15-digit number this ID was upgraded from, if any.
    pub upgraded_from: Option<String>,
}

impl CitizenId {
    /// Parses an 18-character ID (or upgrades a legacy 15-digit one) judged against `today`.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<ParsedCitizenId, IdError> {
        let s = normalize(input);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let len = s.chars().count();
        match len {
            18 => {
                digits_only(&s, 17)?;
                let last = s.chars().nth(17).unwrap_or(' ');
                if !(last.is_ascii_digit() || last == 'X') {
                    return Err(IdError::Char { pos: 18, ch: last });
                }
                birth_date(&s[6..14], today)?;
                let expected = check_char(&s.as_bytes()[..17]);
                if expected != last {
                    return Err(IdError::CheckDigit {
                        expected,
                        found: last,
                    });
                }
                Ok(ParsedCitizenId {
                    id: CitizenId(s),
                    upgraded_from: None,
                })
            }
            15 => {
                digits_only(&s, 15)?;
                let full_date = format!("19{}", &s[6..12]);
                birth_date(&full_date, today)?;
                let mut first17 = String::with_capacity(18);
                first17.push_str(&s[..6]);
                first17.push_str(&full_date);
                first17.push_str(&s[12..15]);
                let c = check_char(first17.as_bytes());
                first17.push(c);
                Ok(ParsedCitizenId {
                    id: CitizenId(first17),
                    upgraded_from: Some(s),
                })
            }
            _ => Err(IdError::Length {
                len,
                expected: "18",
            }),
        }
    }

    /// Parses against today's date (local clock).
    pub fn parse(input: &str) -> Result<ParsedCitizenId, IdError> {
        Self::parse_on(input, chrono::Local::now().date_naive())
    }

    /// Trusts a value read back from our own storage (it was parsed on the way in). Still
    /// checks the shape so that a corrupted row cannot panic later.
    pub fn from_trusted(s: String) -> Result<CitizenId, IdError> {
        if s.len() == 18 && s.is_ascii() {
            Ok(CitizenId(s))
        } else {
            Err(IdError::Length {
                len: s.chars().count(),
                expected: "18",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth date encoded in the ID (always valid: checked at parse time).
    pub fn birth_date(&self) -> NaiveDate {
        let s = &self.0;
        let y = s[6..10].parse().unwrap_or(1900);
        let m = s[10..12].parse().unwrap_or(1);
        let d = s[12..14].parse().unwrap_or(1);
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// Sex from the sequence number: odd is male, even is female.
    pub fn sex(&self) -> Sex {
        let d = self.0.as_bytes()[16] - b'0';
        if d % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Completed years at `at` (a person is 16 on their 16th birthday).
    pub fn age_on(&self, at: NaiveDate) -> i32 {
        age_on(self.birth_date(), at)
    }

    /// The masked form for staff screens: first 6 + last 4 (`331003********1234`).
    pub fn masked(&self) -> String {
        mask(&self.0, 6, 4)
    }
}

/// Completed years between `birth` and `at`.
pub fn age_on(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut age = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Masks all but the first `head` and last `tail` characters with `*`.
pub fn mask(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Masks a phone number as 3 + 4 (`138****5678`).
pub fn mask_phone(phone: &str) -> String {
    mask(phone.trim(), 3, 4)
}

/// Masks every citizen ID (18 characters), certificate number (20) and mobile phone number
/// (11 digits from `1`) found in free text — an audit record's object or detail — as
/// `identifiers.md` masks them on screen (6 + 4, phones 3 + 4). A candidate is a whole run of
/// ASCII letters and digits, so longer numbers and words are left alone.
pub fn mask_identifiers_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let b = run.as_bytes();
        let id_like = |b: &[u8]| {
            b.len() == 18
                && b[..17].iter().all(u8::is_ascii_digit)
                && (b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
        };
        let masked = match b.len() {
            18 if id_like(b) => Some(mask(run, 6, 4)),
            20 if id_like(&b[..18]) && b[18..].iter().all(u8::is_ascii_digit) => {
                Some(mask(run, 6, 4))
            }
            11 if b[0] == b'1' && b.iter().all(u8::is_ascii_digit) => Some(mask_phone(run)),
            _ => None,
        };
        out.push_str(masked.as_deref().unwrap_or(run));
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CitizenId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CitizenId::parse(&s)
            .map(|p| p.id)
            .map_err(|e| serde::de::Error::custom(e.message(Lang::En)))
    }
}

/// A second-generation certificate number: citizen ID + category digit + grade digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CertificateNo(String);

/// The result of reading a certificate number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCertificateNo {
    pub number: CertificateNo,
    pub citizen: ParsedCitizenId,
    pub category: Category,
    pub grade: Grade,
}

impl CertificateNo {
    /// Parses a 20-character number (or a 17-character one built on a legacy 15-digit ID,
    /// upgraded like the ID itself).
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<ParsedCertificateNo, IdError> {
        let s = normalize(input);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        let id_len = match chars.len() {
            20 => 18,
            17 => 15,
            len => {
                return Err(IdError::Length {
                    len,
                    expected: "20",
                });
            }
        };
        let id_part: String = chars[..id_len].iter().collect();
        let citizen = CitizenId::parse_on(&id_part, today)?;
        let cat_c = chars[id_len];
        let grade_c = chars[id_len + 1];
        let category = cat_c
            .to_digit(10)
            .and_then(|d| Category::from_digit(d as u8))
            .ok_or(IdError::CategoryDigit { found: cat_c })?;
        let grade = grade_c
            .to_digit(10)
            .and_then(|d| Grade::from_digit(d as u8))
            .ok_or(IdError::GradeDigit { found: grade_c })?;
        Ok(ParsedCertificateNo {
            number: CertificateNo::compose(&citizen.id, category, grade),
            citizen,
            category,
            grade,
        })
    }

    pub fn parse(input: &str) -> Result<ParsedCertificateNo, IdError> {
        Self::parse_on(input, chrono::Local::now().date_naive())
    }

    /// The number for a citizen, category and grade.
    pub fn compose(id: &CitizenId, category: Category, grade: Grade) -> CertificateNo {
        CertificateNo(format!(
            "{}{}{}",
            id.as_str(),
            category.digit(),
            grade.digit()
        ))
    }

    /// Trusts a value read back from storage (shape-checked).
    pub fn from_trusted(s: String) -> Result<CertificateNo, IdError> {
        if s.len() == 20 && s.is_ascii() {
            Ok(CertificateNo(s))
        } else {
            Err(IdError::Length {
                len: s.chars().count(),
                expected: "20",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The citizen ID part.
    pub fn citizen_part(&self) -> &str {
        &self.0[..18]
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 6, 4)
    }
}

impl<'de> Deserialize<'de> for CertificateNo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CertificateNo::parse(&s)
            .map(|p| p.number)
            .map_err(|e| serde::de::Error::custom(e.message(Lang::En)))
    }
}

impl fmt::Display for CertificateNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Builds a valid ID from its first 17 digits (used by the demo generator and tests).
pub fn with_check_char(first17: &str) -> Option<CitizenId> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut s = first17.to_string();
    s.push(check_char(first17.as_bytes()));
    Some(CitizenId(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn spec_examples_are_valid() {
        for s in [
            "11010519491231002X",
            "440524188001010014",
            "34052419800101001X",
        ] {
            let p = CitizenId::parse_on(s, today());
            assert!(p.is_ok(), "{s}: {p:?}");
        }
    }

    #[test]
    fn derived_fields() {
        let id = CitizenId::parse_on("11010519491231002X", today()).map(|p| p.id);
        let id = id.expect("valid");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).expect("date")
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(
            id.age_on(NaiveDate::from_ymd_opt(1965, 12, 30).expect("d")),
            15
        );
        assert_eq!(
            id.age_on(NaiveDate::from_ymd_opt(1965, 12, 31).expect("d")),
            16
        );
    }

    #[test]
    fn full_width_and_lower_x() {
        let p = CitizenId::parse_on("　１１０１０５１９４９１２３１００２x ", today()).expect("ok");
        assert_eq!(p.id.as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_check_digit_names_expected() {
        let e = CitizenId::parse_on("110105194912310021", today()).expect_err("bad");
        assert_eq!(
            e,
            IdError::CheckDigit {
                expected: 'X',
                found: '1'
            }
        );
        assert_eq!(e.message(Lang::Zh), "公民身份号码校验位错误：应为 X");
    }

    #[test]
    fn future_and_impossible_dates() {
        assert!(matches!(
            CitizenId::parse_on("110105203001010011", today()),
            Err(IdError::FutureBirth { .. })
        ));
        assert!(matches!(
            CitizenId::parse_on("110105199902300011", today()),
            Err(IdError::BirthDate { .. })
        ));
    }

    #[test]
    fn legacy_15_upgrades() {
        let p = CitizenId::parse_on("110105491231002", today()).expect("ok");
        assert_eq!(p.id.as_str(), "11010519491231002X");
        assert_eq!(p.upgraded_from.as_deref(), Some("110105491231002"));
    }

    #[test]
    fn certificate_number() {
        let p = CertificateNo::parse_on("11010519491231002X44", today()).expect("ok");
        assert_eq!(p.category, Category::Physical);
        assert_eq!(p.grade, Grade::Four);
        assert!(matches!(
            CertificateNo::parse_on("11010519491231002X84", today()),
            Err(IdError::CategoryDigit { .. })
        ));
        assert!(matches!(
            CertificateNo::parse_on("11010519491231002X45", today()),
            Err(IdError::GradeDigit { .. })
        ));
        let legacy = CertificateNo::parse_on("11010549123100271", today()).expect("ok");
        assert_eq!(legacy.number.as_str(), "11010519491231002X71");
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask("abc", 6, 4), "***");
    }

    #[test]
    fn masking_in_text() {
        assert_eq!(
            mask_identifiers_in(r#"{"q":"11010519491231002X","cert":"11010519491231002X44"}"#),
            r#"{"q":"110105********002X","cert":"110105**********2X44"}"#
        );
        assert_eq!(
            mask_identifiers_in("phone 13812345678 → 13912345678"),
            "phone 138****5678 → 139****5678"
        );
        // Not identifiers: other lengths, words, a hash.
        for s in [
            "2026-12-03",
            "1234567890123456789",
            "abc11010519491231002Xdef",
            "股份 12345",
        ] {
            assert_eq!(mask_identifiers_in(s), s);
        }
    }

    proptest! {
        #[test]
        fn any_string_parses_or_errors(s in "\\PC{0,40}") {
            let _ = CitizenId::parse_on(&s, today());
            let _ = CertificateNo::parse_on(&s, today());
        }

        #[test]
        fn masking_text_never_panics_and_keeps_length(s in "\\PC{0,60}") {
            let m = mask_identifiers_in(&s);
            prop_assert_eq!(m.chars().count(), s.chars().count());
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9xX]{0,22}") {
            let _ = CitizenId::parse_on(&s, today());
            let _ = CertificateNo::parse_on(&s, today());
        }

        #[test]
        fn generated_ids_roundtrip(addr in 110000u32..659999, y in 1900i32..2025, doy in 0u32..365, seq in 0u32..999) {
            let date = NaiveDate::from_yo_opt(y, doy + 1).unwrap_or(NaiveDate::MIN);
            let first17 = format!("{addr:06}{}{seq:03}", date.format("%Y%m%d"));
            let id = with_check_char(&first17).expect("17 digits");
            let back = CitizenId::parse_on(id.as_str(), today()).expect("valid");
            prop_assert_eq!(back.id.birth_date(), date);
            prop_assert_eq!(&back.id, &id);
            // Any single-character change of the check digit is caught.
            let mut wrong = id.as_str()[..17].to_string();
            let c = id.as_str().chars().nth(17).unwrap_or('0');
            wrong.push(if c == '0' { '1' } else { '0' });
            prop_assert!(CitizenId::parse_on(&wrong, today()).is_err());
        }
    }
}
