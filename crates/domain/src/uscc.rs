//! The unified social credit code (统一社会信用代码, GB 32100-2015) of an employer: 18
//! characters of digits and capitals other than I, O, S, V, Z, the last a check character
//! over the first 17 (weights 3^i mod 31).

use serde::{Deserialize, Serialize};

use crate::ids::normalize;
use crate::lang::{Lang, Localized};

/// The 31 characters of the code, in the order of their values.
const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code that passed its check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("length {0}")]
    Length(usize),
    #[error("character {ch} at {pos}")]
    Char { pos: usize, ch: char },
    #[error("check character {found}, expected {expected}")]
    Check { expected: char, found: char },
}

impl Localized for UsccError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (UsccError::Length(n), Lang::Zh) => {
                format!("统一社会信用代码应为 18 位，这里是 {n} 位")
            }
            (UsccError::Length(n), Lang::En) => {
                format!("a unified social credit code has 18 characters, not {n}")
            }
            (UsccError::Char { pos, ch }, Lang::Zh) => format!(
                "统一社会信用代码第 {pos} 位“{ch}”无效：只能是数字或大写字母（不含 I、O、S、V、Z）"
            ),
            (UsccError::Char { pos, ch }, Lang::En) => format!(
                "character {pos} “{ch}” is not allowed in a unified social credit code (digits and capitals except I, O, S, V, Z)"
            ),
            (UsccError::Check { expected, found }, Lang::Zh) => {
                format!("统一社会信用代码校验位错误：应为 {expected}，不是 {found}")
            }
            (UsccError::Check { expected, found }, Lang::En) => format!(
                "wrong check character of the unified social credit code: {expected} expected, not {found}"
            ),
        }
    }
}

impl Uscc {
    /// Reads a code as typed (white space trimmed, full-width and lower-case letters mapped).
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let s = normalize(input).to_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        let mut vals = Vec::with_capacity(18);
        for (i, ch) in s.chars().enumerate() {
            let ch = match ch {
                // Full-width capitals.
                '\u{ff21}'..='\u{ff3a}' => {
                    char::from_u32(ch as u32 - 0xff21 + u32::from(b'A')).unwrap_or(ch)
                }
                c => c,
            };
            match CHARS.find(ch) {
                Some(v) => vals.push(v as u32),
                None => return Err(UsccError::Char { pos: i + 1, ch }),
            }
        }
        let expected = check_value(&vals[..17]);
        if vals[17] != expected {
            return Err(UsccError::Check {
                expected: value_char(expected),
                found: value_char(vals[17]),
            });
        }
        Ok(Uscc(vals.iter().map(|v| value_char(*v)).collect()))
    }

    /// The code with its check character for the first 17 characters (which must be of the
    /// code's alphabet): for tests and the demo data.
    pub fn with_check(first17: &str) -> Option<Uscc> {
        let vals: Option<Vec<u32>> = first17
            .chars()
            .map(|c| CHARS.find(c).map(|v| v as u32))
            .collect();
        let vals = vals.filter(|v| v.len() == 17)?;
        let check = value_char(check_value(&vals));
        Some(Uscc(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_value(first17: &[u32]) -> u32 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

fn value_char(v: u32) -> char {
    CHARS.chars().nth(v as usize).unwrap_or('?')
}

impl std::fmt::Display for Uscc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_codes_pass_and_a_changed_check_fails() {
        // Codes printed on public business licences.
        for code in [
            "91110000802100433B",
            "11100000000013127D",
            "91110108551385082Q",
        ] {
            assert_eq!(
                Uscc::parse(code).map(|u| u.0),
                Ok(code.to_string()),
                "{code}"
            );
        }
        assert_eq!(
            Uscc::parse("91110000802100433C"),
            Err(UsccError::Check {
                expected: 'B',
                found: 'C'
            })
        );
        assert_eq!(
            Uscc::parse(" 91110000802100433b "),
            Ok(Uscc("91110000802100433B".into()))
        );
        assert_eq!(
            Uscc::parse("9111000080210043IB"),
            Err(UsccError::Char { pos: 17, ch: 'I' })
        );
        assert_eq!(Uscc::parse("123"), Err(UsccError::Length(3)));
    }

    proptest! {
        #[test]
        fn every_code_made_with_its_check_passes_and_one_changed_character_fails(
            body in proptest::collection::vec(0u32..31, 17),
            at in 0usize..18,
            delta in 1u32..31,
        ) {
            let first: String = body.iter().map(|v| value_char(*v)).collect();
            let code = Uscc::with_check(&first).expect("alphabet");
            prop_assert_eq!(Uscc::parse(code.as_str()), Ok(code.clone()));
            let mut vals: Vec<u32> = code.as_str().chars().map(|c| CHARS.find(c).unwrap_or(0) as u32).collect();
            vals[at] = (vals[at] + delta) % 31;
            let changed: String = vals.iter().map(|v| value_char(*v)).collect();
            prop_assert!(Uscc::parse(&changed).is_err(), "{}", changed);
        }
    }
}
