//! Disability category (残疾类别) and grade (残疾等级), and the coded value lists of the workbook.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// Declares a closed list of values, each with a stable English key (storage, API), a Chinese
/// label (UI, workbook) and an English label. Parsing accepts the key, either label, or any
/// extra alias, ignoring surrounding white space and ASCII case.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $variant:ident = ($key:literal, $zh:literal, $en:literal $(, $alias:literal)* ) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( #[serde(rename = $key)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key used in storage and in the API.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// The Chinese label (the workbook's spelling).
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The label in a language.
            pub fn label(self, lang: $crate::lang::Lang) -> &'static str {
                match lang {
                    $crate::lang::Lang::Zh => self.zh(),
                    $crate::lang::Lang::En => match self { $($name::$variant => $en),+ },
                }
            }

            /// Reads a key, a label or an alias.
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($key) || t == $zh || t.eq_ignore_ascii_case($en)
                        $( || t.eq_ignore_ascii_case($alias) )* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted Chinese spellings joined with `/`, for error messages.
            pub fn choices() -> String {
                [$($zh),+].join("/")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.zh())
            }
        }
    };
}

coded_enum! {
    /// 残疾类别, digit 19 of the certificate number.
    pub enum Category {
        Visual = ("visual", "视力", "visual", "1", "视力残疾"),
        Hearing = ("hearing", "听力", "hearing", "2", "听力残疾"),
        Speech = ("speech", "言语", "speech", "3", "言语残疾"),
        Physical = ("physical", "肢体", "physical", "4", "肢体残疾"),
        Intellectual = ("intellectual", "智力", "intellectual", "5", "智力残疾"),
        Mental = ("mental", "精神", "mental", "6", "精神残疾"),
        Multiple = ("multiple", "多重", "multiple", "7", "多重残疾"),
    }
}

impl Category {
    /// The digit in the certificate number.
    pub fn digit(self) -> u8 {
        match self {
            Category::Visual => 1,
            Category::Hearing => 2,
            Category::Speech => 3,
            Category::Physical => 4,
            Category::Intellectual => 5,
            Category::Mental => 6,
            Category::Multiple => 7,
        }
    }

    pub fn from_digit(d: u8) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.digit() == d)
    }
}

coded_enum! {
    /// 残疾等级, digit 20 of the certificate number; 一级 is the most severe.
    pub enum Grade {
        One = ("1", "一级", "grade 1", "一", "1级"),
        Two = ("2", "二级", "grade 2", "二", "2级"),
        Three = ("3", "三级", "grade 3", "三", "3级"),
        Four = ("4", "四级", "grade 4", "四", "4级"),
    }
}

impl Grade {
    pub fn digit(self) -> u8 {
        match self {
            Grade::One => 1,
            Grade::Two => 2,
            Grade::Three => 3,
            Grade::Four => 4,
        }
    }

    pub fn from_digit(d: u8) -> Option<Grade> {
        Grade::ALL.iter().copied().find(|g| g.digit() == d)
    }
}

/// Parses the components of a multiple disability (`智力,肢体`, `智力、肢体`, `5/4`).
pub fn parse_components(s: &str) -> Result<Vec<Category>, String> {
    let mut out = Vec::new();
    for part in s.split([',', '，', '、', '/', ';', '；']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match Category::parse(part) {
            Some(Category::Multiple) | None => return Err(part.to_string()),
            Some(c) => {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Joins components with `、` for display and export.
pub fn format_components(c: &[Category], lang: Lang) -> String {
    c.iter()
        .map(|c| c.label(lang))
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        })
}

/// Whether a person falls in the severe-care category (`indicators.md`, `policy.md`): grade 1–2,
/// or grade 3–4 intellectual or mental (including 多重 with such a component).
pub fn is_severe_care(category: Category, grade: Grade, components: &[Category]) -> bool {
    match grade {
        Grade::One | Grade::Two => true,
        Grade::Three | Grade::Four => match category {
            Category::Intellectual | Category::Mental => true,
            Category::Multiple => components
                .iter()
                .any(|c| matches!(c, Category::Intellectual | Category::Mental)),
            _ => false,
        },
    }
}

/// Serde helper for a list of categories stored as keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components(pub Vec<Category>);

/// A set of categories (a 多重 certificate's components).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Categories(pub u8);

impl Categories {
    pub fn of(list: &[Category]) -> Categories {
        Categories(list.iter().fold(0, |m, c| m | (1 << c.digit())))
    }

    pub fn contains(self, c: Category) -> bool {
        self.0 & (1 << c.digit()) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_labels_keys_digits() {
        assert_eq!(Category::parse("肢体"), Some(Category::Physical));
        assert_eq!(Category::parse(" 4 "), Some(Category::Physical));
        assert_eq!(Category::parse("Physical"), Some(Category::Physical));
        assert_eq!(Grade::parse("二级"), Some(Grade::Two));
        assert_eq!(Grade::parse("2"), Some(Grade::Two));
        assert_eq!(Category::parse("耳朵"), None);
    }

    #[test]
    fn components() {
        assert_eq!(
            parse_components("智力、肢体"),
            Ok(vec![Category::Physical, Category::Intellectual])
        );
        assert_eq!(
            parse_components("5/4"),
            Ok(vec![Category::Physical, Category::Intellectual])
        );
        assert!(parse_components("多重").is_err());
    }

    #[test]
    fn severe_care_table() {
        use Category::*;
        use Grade::*;
        assert!(is_severe_care(Physical, One, &[]));
        assert!(is_severe_care(Visual, Two, &[]));
        assert!(!is_severe_care(Physical, Three, &[]));
        assert!(is_severe_care(Intellectual, Four, &[]));
        assert!(is_severe_care(Mental, Three, &[]));
        assert!(is_severe_care(Multiple, Three, &[Physical, Mental]));
        assert!(!is_severe_care(Multiple, Four, &[Physical, Hearing]));
    }
}
