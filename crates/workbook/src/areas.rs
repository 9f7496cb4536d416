//! The area dictionary as seen by one import: the known areas plus the file's 区划 sheet, and
//! the lookups of township and village cells.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use zhucan_domain::Lang;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};

fn name_key(s: &str) -> String {
    s.chars()
        .map(crate::cell::half_width)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Lookups over the dictionary.
pub(crate) struct AreaIndex {
    areas: BTreeMap<String, Area>,
    townships_by_name: HashMap<String, Vec<String>>,
    villages_by_name: HashMap<(String, String), String>,
    today: NaiveDate,
}

/// What a village cell resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Village {
    Known(AreaCode),
    /// Not in the dictionary: keep the text.
    Unknown(String),
    None,
}

impl AreaIndex {
    pub fn new(known: &[Area], from_file: &[Area], today: NaiveDate) -> AreaIndex {
        let mut areas = BTreeMap::new();
        for a in known.iter().chain(from_file) {
            areas.insert(a.code.as_str().to_string(), a.clone());
        }
        let mut townships_by_name: HashMap<String, Vec<String>> = HashMap::new();
        let mut villages_by_name = HashMap::new();
        for (code, a) in &areas {
            match a.code.level() {
                AreaLevel::Township => townships_by_name
                    .entry(name_key(&a.name))
                    .or_default()
                    .push(code.clone()),
                AreaLevel::Village => {
                    if let Some(t) = a.code.parent() {
                        villages_by_name
                            .entry((t.as_str().to_string(), name_key(&a.name)))
                            .or_insert_with(|| code.clone());
                    }
                }
                AreaLevel::District => {}
            }
        }
        AreaIndex {
            areas,
            townships_by_name,
            villages_by_name,
            today,
        }
    }

    fn current(&self, code: &str) -> bool {
        self.areas.get(code).is_some_and(|a| {
            a.valid_until.is_none_or(|u| u >= self.today)
                && a.valid_from.is_none_or(|f| f <= self.today)
        })
    }

    /// Resolves a township cell (9-digit code, 12-digit code ending in 000, or name).
    pub fn township(&self, input: &str, lang: Lang) -> Result<AreaCode, String> {
        let t = crate::cell::norm(input);
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            let Some(code) = AreaCode::parse(&t) else {
                return Err(crate::t(lang, "a-township-code-has-9-digits").to_string());
            };
            if code.level() != AreaLevel::Township {
                return Err(crate::t(lang, "not-a-township-level-area-code").to_string());
            }
            if !self.areas.contains_key(code.as_str()) {
                return Err(match lang {
                    Lang::Zh => format!("区划代码 {code} 不在区划表中"),
                    Lang::En => format!("area code {code} is not in the area dictionary"),
                });
            }
            return Ok(code);
        }
        let key = name_key(&t);
        let mut found = self.townships_by_name.get(&key);
        if found.is_none() {
            for suffix in ["街道", "镇", "乡"] {
                found = self.townships_by_name.get(&format!("{key}{suffix}"));
                if found.is_some() {
                    break;
                }
            }
        }
        let Some(codes) = found else {
            return Err(match lang {
                Lang::Zh => format!("未知的乡镇街道“{t}”（请检查名称或填写 9 位区划代码）"),
                Lang::En => {
                    format!("unknown township “{t}” (check the name or write the 9-digit code)")
                }
            });
        };
        let pick: Vec<&String> = if codes.len() > 1 {
            let cur: Vec<&String> = codes.iter().filter(|c| self.current(c)).collect();
            if cur.is_empty() {
                codes.iter().collect()
            } else {
                cur
            }
        } else {
            codes.iter().collect()
        };
        match pick.as_slice() {
            [one] => AreaCode::parse(one).ok_or_else(|| one.to_string()),
            many => Err(match lang {
                Lang::Zh => format!(
                    "乡镇街道“{t}”对应多个区划（{}），请填写 9 位区划代码",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                Lang::En => format!(
                    "township “{t}” matches several areas ({}): write the 9-digit code",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// Resolves a village cell within a township. A code outside the township is an error; a
    /// name or code not in the dictionary is kept as text.
    pub fn village(&self, township: &AreaCode, input: &str, lang: Lang) -> Result<Village, String> {
        let t = crate::cell::norm(input);
        if t.is_empty() {
            return Ok(Village::None);
        }
        if t.bytes().all(|b| b.is_ascii_digit()) && matches!(t.len(), 9 | 12) {
            let Some(code) = AreaCode::parse(&t) else {
                return Ok(Village::Unknown(t.into_owned()));
            };
            if &code == township {
                return Ok(Village::None);
            }
            if code.level() != AreaLevel::Village || !township.contains(&code) {
                return Err(match lang {
                    Lang::Zh => format!("村社区代码 {code} 不属于乡镇街道 {township}"),
                    Lang::En => format!("village code {code} does not lie in township {township}"),
                });
            }
            if self.areas.contains_key(code.as_str()) {
                return Ok(Village::Known(code));
            }
            return Ok(Village::Unknown(t.into_owned()));
        }
        match self
            .villages_by_name
            .get(&(township.as_str().to_string(), name_key(&t)))
            .and_then(|c| AreaCode::parse(c))
        {
            Some(code) => Ok(Village::Known(code)),
            None => Ok(Village::Unknown(t.into_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(code: &str, name: &str) -> Area {
        Area {
            code: AreaCode::parse(code).unwrap_or_else(|| AreaCode::parse("331003").expect("ok")),
            name: name.into(),
            population: None,
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn lookups() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN);
        let known = [
            area("331003", "黄岩区"),
            area("331003107", "院桥镇"),
            area("331003001", "东城街道"),
        ];
        let file = [area("331003107201", "上洋村")];
        let ix = AreaIndex::new(&known, &file, today);
        let yq = AreaCode::parse("331003107").expect("ok");
        assert_eq!(ix.township("院桥镇", Lang::Zh), Ok(yq.clone()));
        assert_eq!(ix.township(" 院桥 ", Lang::Zh), Ok(yq.clone()));
        assert_eq!(ix.township("331003107", Lang::Zh), Ok(yq.clone()));
        assert_eq!(ix.township("331003107000", Lang::Zh), Ok(yq.clone()));
        assert!(ix.township("331003", Lang::Zh).is_err());
        assert!(ix.township("331003199", Lang::Zh).is_err());
        assert!(ix.township("火星镇", Lang::Zh).is_err());
        assert_eq!(
            ix.village(&yq, "上洋村", Lang::Zh),
            Ok(Village::Known(AreaCode::parse("331003107201").expect("ok")))
        );
        assert_eq!(
            ix.village(&yq, "331003107201", Lang::Zh),
            Ok(Village::Known(AreaCode::parse("331003107201").expect("ok")))
        );
        assert_eq!(
            ix.village(&yq, "下洋村", Lang::Zh),
            Ok(Village::Unknown("下洋村".into()))
        );
        assert!(ix.village(&yq, "331003001201", Lang::Zh).is_err());
    }
}
