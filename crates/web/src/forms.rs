//! HTML forms: field models for the templates and the parsing of submitted values into domain
//! types, with one message per field (tied to the field by `aria-describedby`).

use std::collections::HashMap;

use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::parse::ValueError;
use zhucan_domain::{Lang, Localized};

/// One form control as the template draws it.
#[derive(Debug, Clone)]
pub struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `date`, `tel`, `number` or `select`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: &'static str,
}

impl FormField {
    pub fn new(name: impl Into<String>, label: &str, kind: &'static str) -> Self {
        FormField {
            name: name.into(),
            label: label.to_string(),
            kind,
            value: String::new(),
            options: vec![],
            hint: None,
            error: None,
            required: false,
            autocomplete: "",
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, h: &str) -> Self {
        self.hint = Some(h.to_string());
        self
    }

    pub fn options(mut self, o: Vec<(String, String)>) -> Self {
        self.options = o;
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }

    /// The IDs of the hint and the error, for `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// Submitted values and the errors found, by field name.
#[derive(Debug, Default)]
pub struct Submission {
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
}

impl Submission {
    pub fn new(values: HashMap<String, String>) -> Self {
        Submission {
            values,
            errors: vec![],
        }
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map(|s| s.trim()).unwrap_or("")
    }

    pub fn fail(&mut self, field: impl Into<String>, message: String) {
        self.errors.push((field.into(), message));
    }

    /// A required text of at most `max` characters (the field's error is recorded).
    pub fn required_text(&mut self, field: &str, max: usize, lang: Lang) -> Option<String> {
        let v = self.get(field).to_string();
        if v.is_empty() {
            self.fail(field, crate::t(lang, "is-required").to_string());
            None
        } else if v.chars().count() > max {
            let m = match lang {
                Lang::Zh => format!("不能超过 {max} 个字"),
                Lang::En => format!("must be at most {max} characters"),
            };
            self.fail(field, m);
            None
        } else {
            Some(v)
        }
    }

    /// A required choice read by `parse`; the error names the value that is not a choice.
    pub fn required_choice<T>(
        &mut self,
        field: &str,
        parse: impl Fn(&str) -> Option<T>,
        lang: Lang,
    ) -> Option<T> {
        let v = self.get(field).to_string();
        let r = parse(&v);
        if r.is_none() {
            let m = if v.is_empty() {
                crate::t(lang, "is-required").to_string()
            } else {
                format!("“{v}”{}", crate::t(lang, "is-not-one-of-the-choices"))
            };
            self.fail(field, m);
        }
        r
    }

    /// Fills the fields with the submitted values and their errors; returns the error summary
    /// (field, "label: message").
    pub fn apply(&self, fields: &mut [FormField]) -> Vec<(String, String)> {
        for f in fields.iter_mut() {
            if let Some(v) = self.values.get(&f.name) {
                f.value = v.clone();
            }
            f.error = self
                .errors
                .iter()
                .find(|(n, _)| *n == f.name)
                .map(|(_, m)| m.clone());
        }
        self.errors
            .iter()
            .map(|(n, m)| {
                let label = fields
                    .iter()
                    .find(|f| f.name == *n)
                    .map(|f| f.label.clone())
                    .unwrap_or_default();
                (n.to_string(), format!("{label}：{m}"))
            })
            .collect()
    }
}

/// Puts `value` into the field named `name` (a form pre-filled from a record); a name not
/// among the fields is left alone.
pub fn fill(fields: &mut [FormField], name: &str, value: impl Into<String>) {
    if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
        f.value = value.into();
    }
}

pub fn yes_no_options(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("no".into(), crate::t(lang, "no").into()),
        ("yes".into(), crate::t(lang, "yes").into()),
    ]
}

pub fn enum_options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    blank: Option<&str>,
) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = blank
        .map(|b| vec![(String::new(), b.to_string())])
        .unwrap_or_default();
    v.extend(all.iter().map(|x| (key(*x).to_string(), label(*x))));
    v
}

pub fn township_options(areas: &[Area], scope: &AreaCode, lang: Lang) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), crate::t(lang, "choose").to_string())];
    v.extend(
        areas
            .iter()
            .filter(|a| {
                a.code.level() == AreaLevel::Township
                    && (scope.contains(&a.code) || a.code.contains(scope))
            })
            .map(|a| (a.code.to_string(), a.name.clone())),
    );
    v
}

pub fn msg(lang: Lang, e: &dyn Localized) -> String {
    e.message(lang)
}

pub fn opt_text(
    s: &str,
    max: usize,
    field: &'static str,
    sub: &mut Vec<(&'static str, String)>,
    lang: Lang,
) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if t.chars().count() > max {
        sub.push((field, ValueError::TooLong { max }.message(lang)));
        return None;
    }
    Some(t.to_string())
}

/// Resolves a township or village given as code or name.
pub fn find_area<'a>(
    areas: &'a [Area],
    input: &str,
    level: AreaLevel,
    within: Option<&AreaCode>,
) -> Option<&'a Area> {
    let s = input.trim();
    if let Some(code) = AreaCode::parse(s) {
        return areas
            .iter()
            .find(|a| a.code == code && a.code.level() == level);
    }
    areas.iter().find(|a| {
        a.name == s && a.code.level() == level && within.is_none_or(|w| w.contains(&a.code))
    })
}

/// A required date not after `today` (`YYYY-MM-DD`, or another spelling `parse_date` reads);
/// the field's error names the value.
pub fn past_date(
    sub: &mut Submission,
    field: &str,
    today: chrono::NaiveDate,
    lang: Lang,
) -> Option<chrono::NaiveDate> {
    let raw = sub.get(field).to_string();
    match zhucan_domain::parse::parse_date(&raw) {
        Ok(d) if d <= today => Some(d),
        Ok(_) => {
            sub.fail(
                field,
                crate::tf(lang, "date-in-the-future", &[("v", raw.into())]),
            );
            None
        }
        Err(_) if raw.is_empty() => {
            sub.fail(field, crate::t(lang, "is-required").to_string());
            None
        }
        Err(_) => {
            sub.fail(field, crate::tf(lang, "not-a-date", &[("v", raw.into())]));
            None
        }
    }
}
