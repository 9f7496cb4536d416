//! Entering a declaration line by line on a page (在线填报, `/employment/declare`): the
//! employer's line and one line a disabled employee, for the district's staff (any employer)
//! or an employer's own account (itself only). The lines are read by the declaration
//! workbook's own reader (`read_declaration_lines`), so a line entered here is checked by
//! exactly the rules and messages of a row of a file; each problem is shown at its field.
//! Without JavaScript: "more lines" posts the form back with empty lines added. An edit is
//! saved only over the version it was entered on (409 otherwise).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use zhucan_domain::{Lang, Localized};
use zhucan_store::User;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, township_options};
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, render, today};
use zhucan_workbook::ImportOptions;
use zhucan_workbook::declaration::{EMPLOYEE_KEYS, read_declaration_lines};

use zhucan_domain::parse::fen_to_yuan;
use zhucan_workbook::Issue;

use crate::pages::{
    IsEmployer, RunsReview, all_issues, bad_year, bound_uscc, posted_year, saved_notice, stale,
    visible, year_of,
};
use crate::review::{Setting, issue_text, new_declarations};
use crate::rules::Status;
use crate::store::{Declarant, Declaration, EmploymentStore};

/// Enters a declaration: the district's staff who run the review, or an employer's account.
#[derive(Debug, Clone, Copy)]
pub struct Declares;

impl Right for Declares {
    fn held_by(user: &User) -> bool {
        RunsReview::held_by(user) || IsEmployer::held_by(user)
    }
}

/// Empty employee lines shown below the entered ones, and added by "more lines".
const EMPTY_LINES: usize = 3;
const MORE_LINES: usize = 5;
/// The most employee lines one form takes (a larger employer uploads the workbook).
const MAX_LINES: usize = 300;

/// The employee line's fields after the USCC, in the reader's order.
const LINE_KEYS: [&str; 5] = [
    EMPLOYEE_KEYS[1],
    EMPLOYEE_KEYS[2],
    EMPLOYEE_KEYS[3],
    EMPLOYEE_KEYS[4],
    EMPLOYEE_KEYS[5],
];

#[derive(Debug, Default, Deserialize)]
pub struct DeclareParams {
    pub year: Option<String>,
    pub uscc: Option<String>,
}

/// One employee line of the form.
struct Line {
    /// "残疾职工 3" (numbered from 1).
    legend: String,
    fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "employment_declare.html")]
struct DeclarePage {
    c: Chrome,
    /// The employer's account enters only itself: its code is shown, not asked.
    own: Option<String>,
    /// The year, when it is fixed (an edit of a stored declaration).
    fixed_year: Option<String>,
    employer: Vec<FormField>,
    lines: Vec<Line>,
    version: String,
    /// The review page of the stored declaration.
    review: Option<String>,
    back: (String, String),
    notice: Option<String>,
    warnings: Vec<String>,
    errors: Vec<(String, String)>,
}

fn line_name(n: usize, key: &str) -> String {
    format!("e{n}-{key}")
}

fn employer_fields(
    lang: Lang,
    own: bool,
    fixed_year: bool,
    townships: Vec<(String, String)>,
) -> Vec<FormField> {
    let mut v = Vec::new();
    if !fixed_year {
        v.push(FormField::new("year", crate::t(lang, "declared-year"), "text").required());
    }
    if !own {
        v.push(
            FormField::new("uscc", crate::t(lang, "uscc"), "text")
                .required()
                .hint(crate::t(lang, "uscc-hint")),
        );
    }
    v.push(FormField::new("name", crate::t(lang, "employer-name"), "text").required());
    v.push(
        FormField::new("township", crate::t(lang, "township"), "select")
            .options(townships)
            .hint(crate::t(lang, "declare-township-hint")),
    );
    v.push(
        FormField::new("avg_staff", crate::t(lang, "avg-staff"), "text")
            .required()
            .hint(crate::t(lang, "avg-staff-hint")),
    );
    v.push(
        FormField::new("avg_wage_yuan", crate::t(lang, "avg-wage-yuan"), "text")
            .required()
            .hint(crate::t(lang, "avg-wage-hint")),
    );
    v
}

fn line_fields(lang: Lang, n: usize) -> Vec<FormField> {
    let insured = vec![
        (String::new(), zhucan_web::t(lang, "choose").to_string()),
        ("yes".to_string(), zhucan_web::t(lang, "yes").to_string()),
        ("no".to_string(), zhucan_web::t(lang, "no").to_string()),
    ];
    vec![
        FormField::new(
            line_name(n, "citizen_id"),
            crate::t(lang, "citizen-id"),
            "text",
        ),
        FormField::new(line_name(n, "name"), crate::t(lang, "name"), "text"),
        FormField::new(
            line_name(n, "contract_months"),
            crate::t(lang, "contract-months"),
            "text",
        ),
        FormField::new(
            line_name(n, "monthly_wage_yuan"),
            crate::t(lang, "monthly-wage-yuan"),
            "text",
        )
        .hint(crate::t(lang, "monthly-wage-hint")),
        FormField::new(line_name(n, "insured"), crate::t(lang, "insured"), "select")
            .options(insured),
    ]
}

/// What the form holds: the employer's values by field name, and the employee lines that
/// are not empty, in order (line `n` of the reader's sheet is row `n + 2`).
struct Entered {
    values: HashMap<String, String>,
    lines: Vec<Vec<String>>,
    /// How many lines the form had.
    shown: usize,
}

impl Entered {
    fn of(values: HashMap<String, String>) -> Entered {
        let shown = values
            .get("lines")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_LINES);
        let lines = (0..shown)
            .map(|i| {
                LINE_KEYS
                    .iter()
                    .map(|k| {
                        values
                            .get(&line_name(i, k))
                            .map(|v| v.trim().to_string())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<String>>()
            })
            .filter(|cells| !cells.iter().all(String::is_empty))
            .collect();
        Entered {
            values,
            lines,
            shown,
        }
    }

    fn get(&self, k: &str) -> String {
        self.values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// The entered lines of a stored declaration, and the declaration.
async fn stored(
    state: &AppState,
    caller: &PageCaller,
    year: i64,
    uscc: &str,
) -> Result<(Entered, Declaration), PageError> {
    let d = visible(state, caller, uscc, year).await?;
    let people = state
        .store
        .declared_employees(year, uscc)
        .await
        .or_page(caller)?;
    let township = if d.area_code.len() == 9 {
        d.area_code.clone()
    } else {
        String::new()
    };
    let mut values: HashMap<String, String> = HashMap::from([
        ("year".to_string(), year.to_string()),
        ("uscc".to_string(), d.uscc.to_string()),
        ("name".to_string(), d.name.clone()),
        ("township".to_string(), township),
        (
            "avg_staff".to_string(),
            crate::review::persons(d.avg_staff_micro as f64 / 1e6),
        ),
        ("avg_wage_yuan".to_string(), fen_to_yuan(d.avg_wage_fen)),
        ("lines".to_string(), people.len().to_string()),
    ]);
    for (n, p) in people.iter().enumerate() {
        let cells = [
            p.citizen_id.to_string(),
            p.name.clone().unwrap_or_default(),
            p.contract_months.to_string(),
            fen_to_yuan(p.monthly_wage_fen),
            if p.insured { "yes" } else { "no" }.to_string(),
        ];
        for (k, v) in LINE_KEYS.iter().zip(cells) {
            values.insert(line_name(n, k), v);
        }
    }
    Ok((Entered::of(values), d))
}

/// What the page shows besides the form.
#[derive(Default)]
struct Said {
    notice: Option<String>,
    warnings: Vec<String>,
    errors: Vec<(String, String)>,
}

struct Shown<'a> {
    own: Option<String>,
    entered: &'a Entered,
    /// Empty lines after the entered ones.
    empty: usize,
    /// The stored declaration the form edits: its year is fixed and its review linked.
    editing: Option<(i64, String, i64)>,
}

async fn page(state: &AppState, caller: &PageCaller, shown: Shown<'_>, said: Said) -> PageResult {
    let lang = caller.lang;
    let (areas, _) = area_names(state).await.or_page(caller)?;
    let setting = Setting::load(&state.store).await.or_page(caller)?;
    let townships = township_options(&areas, &setting.district, lang);
    let error_of = |name: &str| {
        said.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.clone())
    };
    let mut employer = employer_fields(
        lang,
        shown.own.is_some(),
        shown.editing.is_some(),
        townships,
    );
    for f in &mut employer {
        f.value = shown.entered.get(&f.name);
        f.error = error_of(&f.name);
    }
    let count = (shown.entered.lines.len() + shown.empty).min(MAX_LINES);
    let lines = (0..count)
        .map(|n| {
            let mut fields = line_fields(lang, n);
            if let Some(cells) = shown.entered.lines.get(n) {
                for (f, v) in fields.iter_mut().zip(cells) {
                    f.value = v.clone();
                    f.error = error_of(&f.name);
                }
            }
            Line {
                legend: crate::tf(lang, "employee-line", &[("n", (n + 1).into())]),
                fields,
            }
        })
        .collect();
    let back = if shown.own.is_some() {
        (
            "/employment/employer".to_string(),
            crate::t(lang, "back-to-our-declarations").to_string(),
        )
    } else {
        let year = shown
            .editing
            .as_ref()
            .map_or_else(|| shown.entered.get("year"), |(y, _, _)| y.to_string());
        (
            format!("/employment?year={year}"),
            crate::t(lang, "back-to-the-declarations").to_string(),
        )
    };
    let code = if said.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let nav = if shown.own.is_some() {
        "employment_employer"
    } else {
        "employment"
    };
    Ok(render(
        code,
        &DeclarePage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/declare",
                nav,
                crate::t(lang, "enter-declaration"),
            ),
            own: shown.own,
            fixed_year: shown.editing.as_ref().map(|(y, _, _)| y.to_string()),
            employer,
            lines,
            version: shown.editing.as_ref().map_or(0, |(_, _, v)| *v).to_string(),
            review: shown
                .editing
                .as_ref()
                .map(|(y, u, _)| format!("/employment/employers/{u}?year={y}")),
            back,
            notice: said.notice,
            warnings: said.warnings,
            errors: said.errors,
        },
    ))
}

/// `GET /employment/declare?year=Y[&uscc=U]`: an empty form, or the stored declaration of
/// `U` (the employer's own, for its account) to correct.
pub async fn declare(
    State(state): State<AppState>,
    caller: Holds<Declares>,
    Query(q): Query<DeclareParams>,
) -> PageResult {
    let lang = caller.lang;
    let year = year_of(q.year.as_deref()).map_err(|v| {
        PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &bad_year(Lang::Zh, &v),
            &bad_year(Lang::En, &v),
        )
    })?;
    let own = bound_uscc(&state, &caller).await?;
    let asked = q.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let found = match (&own, asked) {
        // An employer's own declaration of the year, when there is one.
        (Some(u), _) => match state.store.declaration(year, u).await.or_page(&caller)? {
            Some(_) => Some(stored(&state, &caller, year, u).await?),
            None => None,
        },
        // Staff open a stored one (404 when it is not, or not of their area).
        (None, Some(u)) => Some(stored(&state, &caller, year, u).await?),
        (None, None) => None,
    };
    let mut said = Said::default();
    let empty = Entered::of(HashMap::from([("year".to_string(), year.to_string())]));
    let (entered, editing) = match found {
        Some((e, d)) => {
            if own.is_some() && d.status == Status::Confirmed {
                said.notice = Some(crate::t(lang, "review-locked").to_string());
            }
            (e, Some((year, d.uscc.to_string(), d.version)))
        }
        None => (empty, None),
    };
    let shown = Shown {
        own,
        entered: &entered,
        empty: EMPTY_LINES,
        editing,
    };
    page(&state, &caller, shown, said).await
}

/// `POST /employment/declare`: "more lines", or the declaration saved whole (each problem at
/// its field, nothing saved) over the version it was entered on.
pub async fn save(
    State(state): State<AppState>,
    caller: Holds<Declares>,
    CsrfForm(values): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let own = bound_uscc(&state, &caller).await?;
    let entered = Entered::of(values);
    let raw_year = entered.get("year");
    let version = entered
        .get("version")
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0);
    let uscc = own.clone().unwrap_or_else(|| entered.get("uscc"));
    // The form as posted, shown again (an edit keeps its year fixed).
    let again = |empty: usize| Shown {
        own: own.clone(),
        entered: &entered,
        empty,
        editing: version.map(|v| (year_of(Some(&raw_year)).unwrap_or(0), uscc.clone(), v)),
    };
    if entered.get("more") == "1" {
        let empty = entered.shown.saturating_sub(entered.lines.len()) + MORE_LINES;
        return page(&state, &caller, again(empty), Said::default()).await;
    }
    let mut errors: Vec<(String, String)> = Vec::new();
    let year = match posted_year(lang, &raw_year) {
        Ok(y) => Some(y),
        Err(m) => {
            errors.push(("year".into(), m));
            None
        }
    };
    let (areas, _) = area_names(&state).await.or_page(&caller)?;
    let setting = Setting::load(&state.store).await.or_page(&caller)?;
    let township = entered.get("township");
    if !township.is_empty()
        && !township_options(&areas, &setting.district, lang)
            .iter()
            .any(|(c, _)| *c == township)
    {
        let m = crate::tf(lang, "bad-township", &[("v", township.clone().into())]);
        errors.push(("township".into(), m));
    }
    let employer_line = vec![
        uscc.clone(),
        entered.get("name"),
        township,
        entered.get("avg_staff"),
        entered.get("avg_wage_yuan"),
    ];
    let employee_lines: Vec<Vec<String>> = entered
        .lines
        .iter()
        .map(|cells| {
            std::iter::once(uscc.clone())
                .chain(cells.iter().cloned())
                .collect()
        })
        .collect();
    let opts = ImportOptions {
        survey_year: None,
        today: today(),
        lang,
    };
    let decl = read_declaration_lines(&[employer_line], &employee_lines, &opts).map_err(|e| {
        PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.message(Lang::Zh),
            &e.message(Lang::En),
        )
    })?;
    for i in &decl.rejected {
        if let Some((field, message)) = at_field(lang, &decl, i, own.is_some()) {
            errors.push((field, message));
        }
    }
    let (Some(year), true) = (year, errors.is_empty()) else {
        let said = Said {
            errors,
            ..Said::default()
        };
        return page(&state, &caller, again(0), said).await;
    };
    let mut list = new_declarations(&decl, &setting);
    for d in &mut list {
        d.expected = Some(version.unwrap_or(0));
    }
    let warnings: Vec<String> = all_issues(&state, &caller, &setting, &decl, year)
        .await?
        .iter()
        .map(|i| match at_field(lang, &decl, i, own.is_some()) {
            Some((_, m)) => m,
            None => issue_text(i, lang),
        })
        .collect();
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.declare",
        &uscc,
        "ok",
        serde_json::json!({"year": year, "via": "form", "lines": decl.employees.len()}),
    );
    let (source, who) = if own.is_some() {
        ("employer", Declarant::Employer)
    } else {
        ("form", Declarant::Staff)
    };
    let saved = state
        .store
        .save_declarations(year, &list, source, who, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    if !saved.stale.is_empty() {
        if version.is_some() {
            // Changed by someone else since the form was opened.
            return Err(stale(&caller));
        }
        // Entered as new while one is stored: it is corrected from its own form.
        let field = if own.is_some() { "name" } else { "uscc" };
        let said = Said {
            errors: vec![(field.into(), crate::t(lang, "declaration-exists").into())],
            ..Said::default()
        };
        return page(&state, &caller, again(0), said).await;
    }
    if !saved.locked.is_empty() {
        let said = Said {
            errors: vec![("name".into(), crate::t(lang, "review-locked").into())],
            ..Said::default()
        };
        return page(&state, &caller, again(0), said).await;
    }
    let (now, d) = stored(&state, &caller, year, &uscc).await?;
    let shown = Shown {
        own,
        entered: &now,
        empty: EMPTY_LINES,
        editing: Some((year, d.uscc.to_string(), d.version)),
    };
    let said = Said {
        notice: Some(saved_notice(lang, year, &saved)),
        warnings,
        errors: Vec::new(),
    };
    page(&state, &caller, shown, said).await
}

/// The form field a problem of the read lines belongs to, with the message as the page says
/// it (naming the employee line); `None` for a problem the page does not show (the code
/// repeated on every employee line: the employer's line has it).
fn at_field(
    lang: Lang,
    decl: &zhucan_workbook::declaration::Declaration,
    i: &Issue,
    own: bool,
) -> Option<(String, String)> {
    let label = column_label(lang, i.column.as_str(), i.sheet == decl.employer_sheet);
    if i.sheet == decl.employer_sheet {
        // The employer's account is not asked its code: a problem with it is the binding's.
        let field = if own && i.column == "uscc" {
            "name".to_string()
        } else {
            i.column.clone()
        };
        return Some((field, format!("{label}：{}", i.message)));
    }
    if i.column == "uscc" {
        return None;
    }
    // Line n is row n + 2 (the header is row 1).
    let n = (i.row as usize).checked_sub(2)?;
    let line = crate::tf(lang, "employee-line", &[("n", (n + 1).into())]);
    Some((
        line_name(n, &i.column),
        format!("{line} {label}：{}", i.message),
    ))
}

fn column_label(lang: Lang, key: &str, employer: bool) -> &'static str {
    match key {
        "uscc" => crate::t(lang, "uscc"),
        "name" if employer => crate::t(lang, "employer-name"),
        "name" => crate::t(lang, "name"),
        "township" => crate::t(lang, "township"),
        "avg_staff" => crate::t(lang, "avg-staff"),
        "avg_wage_yuan" => crate::t(lang, "avg-wage-yuan"),
        "citizen_id" => crate::t(lang, "citizen-id"),
        "contract_months" => crate::t(lang, "contract-months"),
        "monthly_wage_yuan" => crate::t(lang, "monthly-wage-yuan"),
        "insured" => crate::t(lang, "insured"),
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millionths_read_back_as_typed() {
        let typed = |v: i64| crate::review::persons(v as f64 / 1e6);
        assert_eq!(typed(40_000_000), "40");
        assert_eq!(typed(40_500_000), "40.5");
        assert_eq!(typed(30_000_001), "30.000001");
    }

    #[test]
    fn empty_lines_are_dropped_and_the_rest_kept_in_order() {
        let values = HashMap::from([
            ("lines".to_string(), "3".to_string()),
            ("e0-citizen_id".to_string(), " ".to_string()),
            ("e1-name".to_string(), "张三".to_string()),
            ("e2-contract_months".to_string(), "12".to_string()),
        ]);
        let e = Entered::of(values);
        assert_eq!(e.shown, 3);
        assert_eq!(e.lines.len(), 2);
        assert_eq!(e.lines[0][1], "张三");
        assert_eq!(e.lines[1][2], "12");
    }

    proptest::proptest! {
        /// However many lines a form claims and whatever they hold, the lines read are at
        /// most `MAX_LINES`, none empty, each with the five cells in order.
        #[test]
        fn any_posted_form_gives_bounded_non_empty_lines(
            lines in ".{0,6}",
            cells in proptest::collection::vec((0usize..8, 0usize..5, "[ a-z0-9]{0,4}"), 0..20),
        ) {
            let mut values = HashMap::from([("lines".to_string(), lines)]);
            for (n, k, v) in &cells {
                values.insert(line_name(*n, LINE_KEYS[*k]), v.clone());
            }
            let e = Entered::of(values);
            proptest::prop_assert!(e.shown <= MAX_LINES);
            proptest::prop_assert!(e.lines.len() <= e.shown);
            for l in &e.lines {
                proptest::prop_assert_eq!(l.len(), LINE_KEYS.len());
                proptest::prop_assert!(l.iter().any(|c| !c.is_empty()));
            }
        }

        /// A posted year is taken exactly when it is one the review knows; otherwise the
        /// message names the value.
        #[test]
        fn a_posted_year_is_taken_or_named(raw in ".{0,8}") {
            match crate::pages::posted_year(Lang::En, &raw) {
                Ok(y) => proptest::prop_assert!(crate::review::judged_on(y).is_some()),
                Err(m) if raw.trim().is_empty() => proptest::prop_assert!(!m.is_empty()),
                Err(m) => proptest::prop_assert!(m.contains(raw.trim()) || m.contains(&raw), "{m}"),
            }
        }
    }
}
