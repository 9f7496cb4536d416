//! The plan's pages (规划监测): the indicator dashboard with trends and the township table, the
//! drill-down to the people behind every number, the evaluation report, the 专栏2–5 targets with
//! staff-entered progress, the GDP growth parameter, and the public page.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::rules::{
    GdpGrowth, Measure, ProgressEntry, TargetUnit, format_fraction, format_percent, parse_rate,
    parse_target_value,
};
use crate::{
    Indicator, IndicatorResult, Measured, Members, Part, Report, Status, Subject, TargetResult,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zhucan_domain::access::Role;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::not_future;
use zhucan_domain::{Localized, parse};

use crate::charts::LineChart;
use crate::web::{self as plan, AreaChoice, BadParam, EvalError, Live};
use zhucan_web::AppState;
use zhucan_web::auth::{PageCaller, request_lang};
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{chrome, error_page};
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{
    CsrfForm, ExportsPersons, Holds, OrPage, PageError, PageResult, ReadsPersons, Right,
};
use zhucan_web::view::{AreaNames, Chrome, render};

/// Query parameters of the plan pages.
#[derive(Debug, Deserialize, Default)]
pub struct PlanParams {
    at: Option<String>,
    area: Option<String>,
    part: Option<String>,
    page: Option<String>,
    saved: Option<String>,
}

fn eval_failed(caller: &PageCaller, e: EvalError) -> PageError {
    match e {
        EvalError::Store(e) => PageError::store(caller, e),
        EvalError::NoPlan => PageError::message(
            caller,
            StatusCode::SERVICE_UNAVAILABLE,
            "尚未配置发展规划（规划期、指标与目标），无法计算指标。",
            "No development plan (period, indicators and targets) is configured; indicators cannot be computed.",
        ),
        EvalError::Task => {
            tracing::error!("indicator computation failed");
            PageError::message(
                caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "指标计算失败，已记录。",
                "The indicator computation failed; it has been logged.",
            )
        }
    }
}

/// `?` on an evaluation result inside a page handler: a failure is its error page.
trait OrEval<T> {
    fn or_eval(self, caller: &PageCaller) -> Result<T, PageError>;
}

impl<T> OrEval<T> for Result<T, EvalError> {
    fn or_eval(self, caller: &PageCaller) -> Result<T, PageError> {
        self.map_err(|e| eval_failed(caller, e))
    }
}

/// The signed-in staff member who records the plan's progress and the GDP growth: a district
/// administrator at district level (else 403).
#[derive(Debug, Clone, Copy)]
pub struct PlanEditor;

impl Right for PlanEditor {
    fn held_by(user: &zhucan_store::User) -> bool {
        can_edit_plan(user)
    }
}

fn query_string(at: NaiveDate, area: &AreaCode) -> String {
    format!("at={at}&area={area}")
}

/// A number formatted for a table cell.
fn fraction_cell(v: Option<f64>) -> String {
    v.map(format_fraction).unwrap_or_else(|| "—".into())
}

fn micro_cell(v: Option<f64>, unit: TargetUnit) -> String {
    match (v, unit) {
        (None, _) => "—".into(),
        (Some(v), TargetUnit::Count) => format!("{v:.0}"),
        (Some(v), _) => format_percent((v * 1_000_000.0).round() as i64),
    }
}

/// A request parameter that could not be read, as a page naming it.
fn bad_param_page(caller: &PageCaller, b: &BadParam) -> PageError {
    PageError::message(
        caller,
        StatusCode::BAD_REQUEST,
        &format!("参数 {} {}", b.field, b.message(Lang::Zh)),
        &format!("parameter {} {}", b.field, b.message(Lang::En)),
    )
}

/// The resolved request: date, area and the caller's scope.
struct Resolved {
    at: NaiveDate,
    area: AreaCode,
    areas: Vec<Area>,
    names: AreaNames,
}

enum Resolve {
    Ok(Resolved),
    Bad(BadParam, Vec<Area>),
}

async fn resolve(
    state: &AppState,
    caller: &PageCaller,
    p: &PlanParams,
) -> Result<Resolve, PageError> {
    let Some(scope_area) = scope::person_area(&caller.user).cloned() else {
        return Err(PageError::forbidden(caller));
    };
    let areas = state.store.areas().await.or_page(caller)?;
    let at = match plan::parse_at(p.at.as_deref()) {
        Ok(at) => at,
        Err(b) => return Ok(Resolve::Bad(b, areas)),
    };
    let area = match plan::parse_area(p.area.as_deref(), &scope_area, &areas) {
        AreaChoice::Area(a) => a,
        AreaChoice::Bad(b) => return Ok(Resolve::Bad(b, areas)),
        AreaChoice::Hidden => return Err(PageError::not_found(caller)),
    };
    let names = AreaNames::new(&areas);
    Ok(Resolve::Ok(Resolved {
        at,
        area,
        areas,
        names,
    }))
}

/// The resolved request; a parameter that could not be read is a page naming it.
async fn resolved(
    state: &AppState,
    caller: &PageCaller,
    p: &PlanParams,
) -> Result<Resolved, PageError> {
    match resolve(state, caller, p).await? {
        Resolve::Ok(r) => Ok(r),
        Resolve::Bad(b, _) => Err(bad_param_page(caller, &b)),
    }
}

/// The areas a caller may choose: their own, the townships in it, and the villages of a chosen
/// township.
fn area_options(
    scope_area: &AreaCode,
    chosen: &str,
    areas: &[Area],
    lang: Lang,
) -> Vec<(String, String, bool)> {
    let chosen_code = AreaCode::parse(chosen);
    let chosen_township = chosen_code.as_ref().and_then(|c| match c.level() {
        AreaLevel::Township => Some(c.clone()),
        AreaLevel::Village => c.parent(),
        AreaLevel::District => None,
    });
    let mut out = Vec::new();
    for a in areas {
        let inside = scope_area.contains(&a.code);
        let show = inside
            && (a.code == *scope_area
                || a.code.level() == AreaLevel::Township
                || (a.code.level() == AreaLevel::Village
                    && (chosen_township
                        .as_ref()
                        .is_some_and(|t| t.contains(&a.code))
                        || scope_area.level() != AreaLevel::District)));
        if show {
            let indent = match a.code.level() {
                AreaLevel::District => "",
                AreaLevel::Township => "　",
                AreaLevel::Village => "　　",
            };
            let label = format!("{indent}{}（{}）", a.name, a.kind().label(lang));
            out.push((a.code.to_string(), label, a.code.as_str() == chosen));
        }
    }
    out
}

// ---------------------------------------------------------------- dashboard

struct IndicatorRow {
    id: u8,
    name: String,
    attribute: String,
    baseline: String,
    target: String,
    value: String,
    status_key: &'static str,
    status: &'static str,
    numerator: Option<(i64, String)>,
    denominator: Option<(i64, String)>,
    gap: Option<(i64, String)>,
    people_href: String,
    what_num: &'static str,
    what_den: &'static str,
    spark: String,
}

struct TownshipRow {
    name: String,
    href: String,
    cells: Vec<TownshipCell>,
    behind: usize,
}

struct TownshipCell {
    value: String,
    href: String,
    status_key: &'static str,
    status: &'static str,
}

struct TrendFigure {
    id: u8,
    name: String,
    chart: String,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct DashboardPage {
    c: Chrome,
    at: String,
    area_name: String,
    area_options: Vec<(String, String, bool)>,
    errors: Vec<(String, String)>,
    at_error: Option<String>,
    area_error: Option<String>,
    rows: Vec<IndicatorRow>,
    heads: Vec<(u8, String)>,
    townships: Vec<TownshipRow>,
    trend: Vec<TrendFigure>,
    gdp_note: String,
    query: String,
    can_edit: bool,
}

fn part_href(key: &str, q: &str, part: Part) -> String {
    format!("/indicators/{key}/people?{q}&part={}", part.key())
}

fn indicator_row(
    i: &IndicatorResult,
    q: &str,
    lang: Lang,
    trend: &[(NaiveDate, Option<f64>)],
) -> IndicatorRow {
    let ind = Indicator::from_key(i.key);
    let (what_num, what_den) = ind.map(|x| x.describe(lang)).unwrap_or(("", ""));
    let person_like = ind.is_some_and(|x| x.subject() != Subject::District);
    let link = |n: Option<i64>, part| n.map(|n| (n, part_href(i.key, q, part)));
    let gap = match (i.numerator, i.denominator) {
        (Some(n), Some(d)) if person_like && d > n => Some((d - n, part_href(i.key, q, Part::Gap))),
        _ => None,
    };
    let chart_id = format!("spark-{}", i.id);
    let desc = sparkline_description(trend, lang);
    let title = lang.pick(&i.name, &i.name_en).to_string();
    IndicatorRow {
        id: i.id,
        name: lang.pick(&i.name, &i.name_en).to_string(),
        attribute: i
            .attribute
            .map(|a| a.label(lang).to_string())
            .unwrap_or_else(|| "—".into()),
        baseline: fraction_cell(i.baseline),
        target: fraction_cell(i.target),
        value: fraction_cell(i.value),
        status_key: i.status.key(),
        status: i.status.label(lang),
        numerator: link(i.numerator, Part::Numerator),
        denominator: link(i.denominator, Part::Denominator),
        gap,
        people_href: format!("/indicators/{}/people?{q}", i.key),
        what_num,
        what_den,
        spark: LineChart {
            id: &chart_id,
            title: &title,
            description: &desc,
            points: trend,
            target: i.target,
            width: 120,
            height: 32,
            axes: false,
        }
        .svg(),
    }
}

fn sparkline_description(trend: &[(NaiveDate, Option<f64>)], lang: Lang) -> String {
    let first = trend.iter().find_map(|(d, v)| v.map(|v| (d, v)));
    let last = trend.iter().rev().find_map(|(d, v)| v.map(|v| (d, v)));
    match (first, last) {
        (Some((d0, v0)), Some((d1, v1))) => match lang {
            Lang::Zh => format!(
                "趋势：{} {}，{} {}",
                d0.format("%Y-%m"),
                format_fraction(v0),
                d1.format("%Y-%m"),
                format_fraction(v1)
            ),
            Lang::En => format!(
                "Trend: {} {}, {} {}",
                d0.format("%Y-%m"),
                format_fraction(v0),
                d1.format("%Y-%m"),
                format_fraction(v1)
            ),
        },
        _ => crate::t(lang, "trend-no-data").to_string(),
    }
}

fn can_edit_plan(u: &zhucan_store::User) -> bool {
    u.role == Role::DistrictAdmin && u.area.level() == AreaLevel::District
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(p): Query<PlanParams>,
) -> PageResult {
    let lang = caller.lang;
    let scope_area = scope::person_area(&caller.user).cloned();
    let r = match resolve(&state, &caller, &p).await? {
        Resolve::Ok(r) => r,
        Resolve::Bad(b, areas) => {
            let scope_area = scope_area.unwrap_or_else(|| caller.user.area.clone());
            let msg = b.message(lang);
            let (at_error, area_error) = if b.field == "at" {
                (Some(msg.clone()), None)
            } else {
                (None, Some(msg.clone()))
            };
            let label = if b.field == "at" {
                crate::t(lang, "reference-date-2")
            } else {
                crate::t(lang, "area")
            };
            let page = DashboardPage {
                c: chrome(
                    Some(&caller),
                    lang,
                    "/indicators",
                    "indicators",
                    crate::t(lang, "plan-indicators"),
                ),
                at: p.at.clone().unwrap_or_default(),
                area_name: String::new(),
                area_options: area_options(
                    &scope_area,
                    p.area.as_deref().unwrap_or(""),
                    &areas,
                    lang,
                ),
                errors: vec![(b.field.to_string(), format!("{label}：{msg}"))],
                at_error,
                area_error,
                rows: vec![],
                heads: vec![],
                townships: vec![],
                trend: vec![],
                gdp_note: String::new(),
                query: String::new(),
                can_edit: false,
            };
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let live = plan::live(&state).await.or_eval(&caller)?;
    let gdp = plan::gdp_growth(&state, r.at.year())
        .await
        .or_page(&caller)?;
    let townships = plan::townships_of(&r.area, &r.areas);
    let mut areas = vec![r.area.clone()];
    areas.extend(townships.iter().cloned());
    let reports = plan::evaluate(&live, r.at, areas, gdp, false)
        .await
        .or_eval(&caller)?;
    let trend = plan::trend(&state, &live, r.area.clone(), r.at)
        .await
        .or_eval(&caller)?;
    let Some(main) = reports.first() else {
        return Err(eval_failed(&caller, EvalError::Task));
    };
    let q = query_string(r.at, &r.area);
    let series = |k: usize| -> Vec<(NaiveDate, Option<f64>)> {
        trend
            .iter()
            .map(|rep| {
                (
                    rep.reference_date,
                    rep.indicators.get(k).and_then(|i| i.value),
                )
            })
            .collect()
    };
    let rows: Vec<IndicatorRow> = main
        .indicators
        .iter()
        .enumerate()
        .map(|(k, i)| indicator_row(i, &q, lang, &series(k)))
        .collect();
    let heads = main
        .indicators
        .iter()
        .map(|i| (i.id, lang.pick(&i.name, &i.name_en).to_string()))
        .collect();
    let township_rows = reports[1..]
        .iter()
        .map(|rep| {
            let tq = format!("at={}&area={}", r.at, rep.area.code);
            TownshipRow {
                name: rep.area.name.clone(),
                href: format!("/indicators?{tq}"),
                cells: rep
                    .indicators
                    .iter()
                    .map(|i| TownshipCell {
                        value: fraction_cell(i.value),
                        href: format!("/indicators/{}/people?{tq}", i.key),
                        status_key: i.status.key(),
                        status: i.status.label(lang),
                    })
                    .collect(),
                behind: rep
                    .indicators
                    .iter()
                    .filter(|i| i.status == Status::Behind)
                    .count(),
            }
        })
        .collect();
    let trend_figs = main
        .indicators
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let pts = series(k);
            let id = format!("trend-chart-{}", i.id);
            let desc = sparkline_description(&pts, lang);
            let name = lang.pick(&i.name, &i.name_en).to_string();
            TrendFigure {
                id: i.id,
                name: name.clone(),
                chart: LineChart {
                    id: &id,
                    title: &name,
                    description: &desc,
                    points: &pts,
                    target: i.target,
                    width: 560,
                    height: 180,
                    axes: true,
                }
                .svg(),
                rows: pts
                    .iter()
                    .map(|(d, v)| (d.to_string(), fraction_cell(*v)))
                    .collect(),
            }
        })
        .collect();
    let gdp_note = match gdp {
        Some(g) => match lang {
            Lang::Zh => format!(
                "指标 1 的目标为 {} 年全区 GDP 增速 {}。",
                r.at.year(),
                format_percent(g)
            ),
            Lang::En => format!(
                "Indicator 1's target is the district GDP growth of {}: {}.",
                r.at.year(),
                format_percent(g)
            ),
        },
        None => match lang {
            Lang::Zh => format!(
                "尚未填报 {} 年全区 GDP 增速，指标 1 无法判断是否达标。",
                r.at.year()
            ),
            Lang::En => format!(
                "The district GDP growth of {} has not been entered: indicator 1 has no target.",
                r.at.year()
            ),
        },
    };
    let page = DashboardPage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/indicators?{q}"),
            "indicators",
            crate::t(lang, "plan-indicators"),
        ),
        at: r.at.to_string(),
        area_name: r.names.of(&r.area),
        area_options: area_options(
            scope_area.as_ref().unwrap_or(&caller.user.area),
            r.area.as_str(),
            &r.areas,
            lang,
        ),
        errors: vec![],
        at_error: None,
        area_error: None,
        rows,
        heads,
        townships: township_rows,
        trend: trend_figs,
        gdp_note,
        query: q,
        can_edit: can_edit_plan(&caller.user),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- drill-down

struct PersonLine {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
    village: String,
    category: String,
    status: String,
}

struct PlaceLine {
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "indicator_people.html")]
struct PeoplePage {
    c: Chrome,
    key: String,
    heading: String,
    what: String,
    at: String,
    area: String,
    part: &'static str,
    parts: Vec<(String, usize, String, bool)>,
    summary: String,
    persons: Vec<PersonLine>,
    place_heads: Vec<String>,
    places: Vec<PlaceLine>,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    back_href: String,
    /// Why no names are listed (a partner department sees the counts only).
    notice: Option<String>,
    /// Whether the caller may export the list (the registry's export right).
    can_export: bool,
    /// Whether exporting this list needs a stated purpose (more rows than the policy's
    /// threshold), and the threshold.
    purpose_required: bool,
    purpose_threshold: usize,
    purpose: String,
    /// The export form's errors (field, message), linked from the summary.
    errors: Vec<(String, String)>,
}

const PER_PAGE: usize = 50;

fn part_label(m: Measured, part: Part, lang: Lang) -> String {
    match (m, part) {
        (Measured::Indicator(Indicator::IncomeGrowth), Part::Numerator) => {
            crate::t(lang, "persons-counted-this-year").into()
        }
        (Measured::Indicator(Indicator::IncomeGrowth), Part::Denominator) => {
            crate::t(lang, "persons-counted-last-year").into()
        }
        (_, Part::Numerator) => crate::t(lang, "numerator").into(),
        (_, Part::Denominator) => crate::t(lang, "denominator").into(),
        (_, Part::Gap) => crate::t(lang, "gap-in-the-denominator-not-the").into(),
    }
}

fn measured_name(m: Measured, plan: &crate::PlanData, lang: Lang) -> String {
    plan.targets
        .iter()
        .find(|t| t.key == m.key())
        .map(|t| {
            let n = t.name(lang);
            match m {
                Measured::Indicator(i) => format!("{}. {n}", i.id()),
                Measured::Target(_) => format!("{} {n}", t.section),
            }
        })
        .unwrap_or_else(|| m.key().to_string())
}

fn parts_of(m: Measured) -> Vec<Part> {
    match m {
        Measured::Indicator(Indicator::IncomeGrowth) => vec![Part::Numerator, Part::Denominator],
        Measured::Indicator(Indicator::CareInstitutionCoverage)
        | Measured::Target(crate::ComputedTarget::BlindMassageInstitutions)
        | Measured::Target(crate::ComputedTarget::EmployedQuotaConcentratedSelf) => {
            vec![Part::Numerator]
        }
        _ => vec![Part::Denominator, Part::Numerator, Part::Gap],
    }
}

fn members_len(m: &Members) -> usize {
    match m {
        Members::Persons(v) => v.len(),
        Members::Townships(v) => v.len(),
        Members::Institutions(v) => v.len(),
    }
}

async fn members_of(
    live: &Live,
    m: Measured,
    part: Part,
    area: AreaCode,
    at: NaiveDate,
) -> Result<Members, EvalError> {
    let snap = live.snap.clone();
    tokio::task::spawn_blocking(move || snap.members(m, part, &area, at))
        .await
        .map_err(|_| EvalError::Task)
}

/// The rows of townships or institutions; an institution's values are those at `at`.
fn place_rows(
    m: &Members,
    names: &AreaNames,
    lang: Lang,
    at: NaiveDate,
) -> (Vec<String>, Vec<PlaceLine>) {
    let yes = |b: bool| {
        lang.pick(if b { "是" } else { "否" }, if b { "yes" } else { "no" })
            .to_string()
    };
    match m {
        Members::Townships(v) => (
            vec![
                crate::t(lang, "township").into(),
                crate::t(lang, "type").into(),
                crate::t(lang, "population").into(),
            ],
            v.iter()
                .map(|a| PlaceLine {
                    cells: vec![
                        a.name.clone(),
                        a.kind().label(lang).into(),
                        a.population
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "—".into()),
                    ],
                })
                .collect(),
        ),
        Members::Institutions(v) => (
            vec![
                crate::t(lang, "institution").into(),
                crate::t(lang, "type").into(),
                crate::t(lang, "township").into(),
                crate::t(lang, "standardized").into(),
                crate::t(lang, "designated").into(),
                crate::t(lang, "opened").into(),
            ],
            v.iter()
                .map(|i| PlaceLine {
                    cells: vec![
                        i.name.clone(),
                        i.kind.label(lang).into(),
                        names.of(&i.township),
                        yes(i.standardized_at(at)),
                        yes(i.designated_at(at)),
                        i.opened_on.to_string(),
                    ],
                })
                .collect(),
        ),
        Members::Persons(_) => (vec![], vec![]),
    }
}

fn person_lines(
    rows: Vec<zhucan_store::PersonSummary>,
    names: &AreaNames,
    lang: Lang,
) -> Vec<PersonLine> {
    rows.into_iter()
        .map(|s| PersonLine {
            masked_id: s.citizen_id.masked(),
            township: names.name(&s.township_code),
            village: names.opt(&s.village_code),
            category: format!(
                "{} {}",
                zhucan_domain::Category::parse(&s.category)
                    .map(|c| c.label(lang))
                    .unwrap_or(""),
                zhucan_domain::Grade::parse(&s.grade)
                    .map(|g| g.label(lang))
                    .unwrap_or("")
            ),
            status: zhucan_domain::person::CertificateStatus::parse(&s.status)
                .map(|c| c.label(lang).to_string())
                .unwrap_or_default(),
            handle: s.handle,
            name: s.name,
        })
        .collect()
}

fn parse_measured(key: &str) -> Option<Measured> {
    Measured::from_key(key)
}

/// `GET /indicators/{key}/people`: the people (or places) behind a number, a page at a time.
/// A partner department (minimal view) sees the counts only, never the names (DECISIONS.md,
/// issue 23).
pub async fn people(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Path(key): Path<String>,
    Query(p): Query<PlanParams>,
) -> PageResult {
    people_view(&state, &caller, &key, &p, None).await
}

/// The export form as submitted, when it is shown again with its errors.
struct ExportForm {
    purpose: String,
    errors: Vec<(String, String)>,
}

async fn people_view(
    state: &AppState,
    caller: &PageCaller,
    key: &str,
    p: &PlanParams,
    form: Option<ExportForm>,
) -> PageResult {
    let state = state.clone();
    let key = key.to_string();
    let lang = caller.lang;
    let Some(m) = parse_measured(&key) else {
        return Err(PageError::not_found(caller));
    };
    let r = resolved(&state, caller, p).await?;
    let parts = parts_of(m);
    let part = p
        .part
        .as_deref()
        .and_then(Part::parse)
        .filter(|x| parts.contains(x))
        .unwrap_or(parts[0]);
    let page: usize = p
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let live = plan::live(&state).await.or_eval(caller)?;
    let mut counts = Vec::new();
    let mut chosen = None;
    for &x in &parts {
        let mem = members_of(&live, m, x, r.area.clone(), r.at)
            .await
            .or_eval(caller)?;
        counts.push((x, members_len(&mem)));
        if x == part {
            chosen = Some(mem);
        }
    }
    let Some(mem) = chosen else {
        return Err(PageError::not_found(caller));
    };
    let q = query_string(r.at, &r.area);
    let total = members_len(&mem);
    let threshold = state.policy().await.export_purpose_rows;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = page.min(pages);
    let href = |n: usize| format!("/indicators/{key}/people?{q}&part={}&page={n}", part.key());
    let minimal = caller.user.role.minimal_view();
    let (persons, place_heads, places) = match &mem {
        Members::Persons(_) if minimal => (vec![], vec![], vec![]),
        Members::Persons(ids) => {
            let slice: Vec<_> = ids
                .iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .cloned()
                .collect();
            let rows = state.store.summaries_of(&slice).await.or_page(caller)?;
            (person_lines(rows, &r.names, lang), vec![], vec![])
        }
        other => {
            let (h, rows) = place_rows(other, &r.names, lang, r.at);
            (vec![], h, rows)
        }
    };
    if matches!(mem, Members::Persons(_)) && !minimal {
        state.audit.queue(audit_event(
            &caller.user,
            &caller.client,
            "indicator.people",
            m.key(),
            "ok",
            serde_json::json!({"area": r.area.to_string(), "at": r.at.to_string(), "part": part.key(), "page": page, "total": total}),
        ));
    }
    let name = measured_name(m, &live.plan, lang);
    let what = match m {
        Measured::Indicator(i) => {
            let (n, d) = i.describe(lang);
            match lang {
                Lang::Zh => format!("分子：{n}；分母：{d}。"),
                Lang::En => format!("Numerator: {n}; denominator: {d}."),
            }
        }
        Measured::Target(_) => String::new(),
    };
    let page_label = match lang {
        Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    };
    let summary = match lang {
        Lang::Zh => format!("共 {total} 条"),
        Lang::En => format!("{total} in all"),
    };
    let page_view = PeoplePage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/indicators/{key}/people?{q}&part={}", part.key()),
            "indicators",
            &name,
        ),
        key: m.key().to_string(),
        heading: format!("{name} · {} · {}", r.names.of(&r.area), r.at),
        what,
        at: r.at.to_string(),
        area: r.area.to_string(),
        part: part.key(),
        parts: counts
            .iter()
            .map(|(x, n)| {
                (
                    part_label(m, *x, lang),
                    *n,
                    format!("/indicators/{key}/people?{q}&part={}", x.key()),
                    *x == part,
                )
            })
            .collect(),
        summary,
        persons,
        place_heads,
        places,
        page_label,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        back_href: format!("/indicators?{q}"),
        notice: (minimal && matches!(mem, Members::Persons(_)))
            .then(|| crate::t(lang, "partner-departments-see-the-numbers-only").to_string()),
        can_export: scope::can_export(&caller.user),
        purpose_required: total > threshold,
        purpose_threshold: threshold,
        purpose: form.as_ref().map(|f| f.purpose.clone()).unwrap_or_default(),
        errors: form.map(|f| f.errors).unwrap_or_default(),
    };
    let status = if page_view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &page_view))
}

/// `POST /indicators/{key}/people.xlsx`: the whole list as a workbook (audited). The same
/// right as the registry's export (`ExportsPersons`: a partner, a village worker or an auditor
/// is refused); a list longer than the policy's `export_purpose_rows` needs a stated purpose,
/// recorded in the audit trail.
pub async fn people_export(
    State(state): State<AppState>,
    caller: Holds<ExportsPersons>,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let Some(m) = parse_measured(&key) else {
        return Err(PageError::not_found(&caller));
    };
    let p = PlanParams {
        at: form.get("at").cloned(),
        area: form.get("area").cloned(),
        part: form.get("part").cloned(),
        ..PlanParams::default()
    };
    let r = resolved(&state, &caller, &p).await?;
    let parts = parts_of(m);
    let part = p
        .part
        .as_deref()
        .and_then(Part::parse)
        .filter(|x| parts.contains(x))
        .unwrap_or(parts[0]);
    let live = plan::live(&state).await.or_eval(&caller)?;
    let mem = members_of(&live, m, part, r.area.clone(), r.at)
        .await
        .or_eval(&caller)?;
    let threshold = state.policy().await.export_purpose_rows;
    let count = members_len(&mem);
    let checked = zhucan_web::purpose::check_purpose(
        lang,
        form.get("purpose").map(String::as_str),
        count,
        threshold,
    );
    let purpose = match checked {
        Ok(p) => p,
        Err(message) => {
            let purpose = form
                .get("purpose")
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            let p = PlanParams {
                part: Some(part.key().to_string()),
                ..p
            };
            return people_view(
                &state,
                &caller,
                &key,
                &p,
                Some(ExportForm {
                    purpose,
                    errors: vec![("purpose".into(), message)],
                }),
            )
            .await;
        }
    };
    let title = format!(
        "{} · {} · {} · {}",
        measured_name(m, &live.plan, lang),
        r.names.of(&r.area),
        r.at,
        part_label(m, part, lang)
    );
    let (heads, rows): (Vec<String>, Vec<Vec<String>>) = match &mem {
        Members::Persons(ids) => {
            let rows = state.store.summaries_of(ids).await.or_page(&caller)?;
            (
                vec![
                    crate::t(lang, "name").into(),
                    crate::t(lang, "citizen-id").into(),
                    crate::t(lang, "township").into(),
                    crate::t(lang, "village").into(),
                    crate::t(lang, "category-grade").into(),
                    crate::t(lang, "certificate").into(),
                ],
                person_lines(rows, &r.names, lang)
                    .into_iter()
                    .map(|l| {
                        vec![
                            l.name,
                            l.masked_id,
                            l.township,
                            l.village,
                            l.category,
                            l.status,
                        ]
                    })
                    .collect(),
            )
        }
        other => {
            let (h, rows) = place_rows(other, &r.names, lang, r.at);
            (h, rows.into_iter().map(|l| l.cells).collect())
        }
    };
    let head_refs: Vec<&str> = heads.iter().map(String::as_str).collect();
    let bytes = zhucan_web::xlsx::list_xlsx(&title, &head_refs, &rows);
    let outcome = if bytes.is_ok() { "ok" } else { "failed" };
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "indicator.export",
            m.key(),
            outcome,
            serde_json::json!({"area": r.area.to_string(), "at": r.at.to_string(), "part": part.key(), "rows": rows.len(), "purpose": (!purpose.is_empty()).then_some(&purpose), "purpose_threshold": threshold}),
        ),
    )
    .await;
    Ok(match bytes {
        Ok(b) => xlsx_response(b, &format!("{key}-{}-{}-{}.xlsx", r.area, r.at, part.key())),
        Err(e) => {
            tracing::error!(error = %e, "list workbook failed");
            error_page(
                Some(&caller),
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败，已记录。",
                "The export failed; it has been logged.",
            )
        }
    })
}

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

// ---------------------------------------------------------------- evaluation report

struct TargetRow {
    section: String,
    name: String,
    target: String,
    value: String,
    measure: String,
    as_of: String,
    evidence: String,
    status_key: &'static str,
    status: &'static str,
    href: Option<String>,
}

fn target_rows(targets: &[TargetResult], q: &str, lang: Lang) -> Vec<TargetRow> {
    targets
        .iter()
        .map(|t| TargetRow {
            section: t.section.clone(),
            name: lang.pick(&t.name, &t.name_en).to_string(),
            target: micro_cell(t.target, t.unit),
            value: match (t.numerator, t.denominator) {
                (Some(n), Some(d)) => format!("{}（{n}/{d}）", micro_cell(t.value, t.unit)),
                _ => micro_cell(t.value, t.unit),
            },
            measure: t.measure.label(lang).to_string(),
            as_of: t.as_of.map(|d| d.to_string()).unwrap_or_default(),
            evidence: t.evidence.clone().unwrap_or_default(),
            status_key: t.status.key(),
            status: t.status.label(lang),
            href: t
                .drillable
                .then(|| format!("/indicators/{}/people?{q}", t.key)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "indicator_report.html")]
struct ReportPage {
    c: Chrome,
    plan_name: String,
    area_name: String,
    at: String,
    query: String,
    rows: Vec<IndicatorRow>,
    heads: Vec<(u8, String)>,
    townships: Vec<TownshipRow>,
    targets: Vec<TargetRow>,
}

async fn reports_for(
    state: &AppState,
    caller: &PageCaller,
    r: &Resolved,
) -> Result<(Live, Vec<Report>), PageError> {
    let live = plan::live(state).await.or_eval(caller)?;
    let gdp = plan::gdp_growth(state, r.at.year()).await.or_page(caller)?;
    let mut areas = vec![r.area.clone()];
    areas.extend(plan::townships_of(&r.area, &r.areas));
    let reports = plan::evaluate(&live, r.at, areas, gdp, true)
        .await
        .or_eval(caller)?;
    Ok((live, reports))
}

pub async fn report(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(p): Query<PlanParams>,
) -> PageResult {
    let lang = caller.lang;
    let r = resolved(&state, &caller, &p).await?;
    let (live, reports) = reports_for(&state, &caller, &r).await?;
    let Some(main) = reports.first() else {
        return Err(eval_failed(&caller, EvalError::Task));
    };
    let q = query_string(r.at, &r.area);
    let page = ReportPage {
        c: chrome(
            Some(&caller),
            lang,
            &format!("/indicators/report?{q}"),
            "indicators",
            crate::t(lang, "plan-evaluation-report"),
        ),
        plan_name: lang
            .pick(&live.plan.plan.name, &live.plan.plan.name_en)
            .to_string(),
        area_name: r.names.of(&r.area),
        at: r.at.to_string(),
        query: q.clone(),
        rows: main
            .indicators
            .iter()
            .map(|i| indicator_row(i, &q, lang, &[]))
            .collect(),
        heads: main
            .indicators
            .iter()
            .map(|i| (i.id, lang.pick(&i.name, &i.name_en).to_string()))
            .collect(),
        townships: reports[1..]
            .iter()
            .map(|rep| TownshipRow {
                name: rep.area.name.clone(),
                href: format!("/indicators/report?at={}&area={}", r.at, rep.area.code),
                cells: rep
                    .indicators
                    .iter()
                    .map(|i| TownshipCell {
                        value: fraction_cell(i.value),
                        href: format!(
                            "/indicators/{}/people?at={}&area={}",
                            i.key, r.at, rep.area.code
                        ),
                        status_key: i.status.key(),
                        status: i.status.label(lang),
                    })
                    .collect(),
                behind: rep
                    .indicators
                    .iter()
                    .filter(|i| i.status == Status::Behind)
                    .count(),
            })
            .collect(),
        targets: target_rows(&main.targets, &q, lang),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(p): Query<PlanParams>,
) -> PageResult {
    let lang = caller.lang;
    let r = resolved(&state, &caller, &p).await?;
    let (live, reports) = reports_for(&state, &caller, &r).await?;
    let bytes = crate::evaluation::evaluation_xlsx(&reports, &live.plan, lang);
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "indicator.report",
            r.area.as_str(),
            if bytes.is_ok() { "ok" } else { "failed" },
            serde_json::json!({"at": r.at.to_string()}),
        ),
    )
    .await;
    Ok(match bytes {
        Ok(b) => xlsx_response(b, &format!("evaluation-{}-{}.xlsx", r.area, r.at)),
        Err(e) => {
            tracing::error!(error = %e, "evaluation workbook failed");
            error_page(
                Some(&caller),
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败，已记录。",
                "The export failed; it has been logged.",
            )
        }
    })
}

// ---------------------------------------------------------------- 专栏2–5 targets

#[derive(Template)]
#[template(path = "plan_targets.html")]
struct TargetsPage {
    c: Chrome,
    at: String,
    area_name: String,
    targets: Vec<TargetRow>,
    can_edit: bool,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn progress_fields(lang: Lang, manual: &[(String, String)]) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(manual.iter().cloned());
    vec![
        FormField::new("target", crate::t(lang, "target-2"), "select")
            .required()
            .options(opts),
        FormField::new("as_of", crate::t(lang, "value-as-of"), "date")
            .required()
            .hint(crate::t(lang, "e-g-2025-12-31-not")),
        FormField::new("value", crate::t(lang, "value-3"), "text")
            .required()
            .hint(crate::t(lang, "a-ratio-as-95-or-0")),
        FormField::new(
            "evidence",
            crate::t(lang, "evidence-document-ledger-or-note"),
            "text",
        )
        .required()
        .hint(crate::t(lang, "at-most-500-characters")),
    ]
}

async fn targets_page(
    state: &AppState,
    caller: &PageCaller,
    p: &PlanParams,
    sub: Option<Submission>,
) -> PageResult {
    let lang = caller.lang;
    let r = resolved(state, caller, p).await?;
    let live = plan::live(state).await.or_eval(caller)?;
    let reports = plan::evaluate(&live, r.at, vec![r.area.clone()], None, true)
        .await
        .or_eval(caller)?;
    let targets = reports
        .first()
        .map(|x| x.targets.clone())
        .unwrap_or_default();
    let manual: Vec<(String, String)> = live
        .plan
        .targets
        .iter()
        .filter(|t| t.measure == Measure::Manual)
        .map(|t| (t.key.clone(), format!("{} {}", t.section, t.name(lang))))
        .collect();
    let mut fields = progress_fields(lang, &manual);
    let (errors, status) = match &sub {
        Some(s) => (s.apply(&mut fields), StatusCode::UNPROCESSABLE_ENTITY),
        None => (vec![], StatusCode::OK),
    };
    let q = query_string(r.at, &r.area);
    let page = TargetsPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/indicators/targets?{q}"),
            "indicators",
            crate::t(lang, "targets-of-sections-2-5"),
        ),
        at: r.at.to_string(),
        area_name: r.names.of(&r.area),
        targets: target_rows(&targets, &q, lang),
        can_edit: can_edit_plan(&caller.user),
        fields,
        errors,
        notice: (p.saved.is_some() && sub.is_none())
            .then(|| crate::t(lang, "progress-saved").to_string()),
    };
    Ok(render(status, &page))
}

pub async fn targets(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(p): Query<PlanParams>,
) -> PageResult {
    targets_page(&state, &caller, &p, None).await
}

pub async fn record_progress(
    State(state): State<AppState>,
    caller: Holds<PlanEditor>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let live = plan::live(&state).await.or_eval(&caller)?;
    let mut sub = Submission::new(form);
    let key = sub.get("target").to_string();
    let target = live
        .plan
        .targets
        .iter()
        .find(|t| t.key == key && t.measure == Measure::Manual)
        .cloned();
    if target.is_none() {
        let m = if key.is_empty() {
            crate::t(lang, "is-required").to_string()
        } else {
            match lang {
                Lang::Zh => format!("“{key}”不是需人工填报的目标"),
                Lang::En => format!("“{key}” is not a target entered by staff"),
            }
        };
        sub.fail("target", m);
    }
    let as_of = match parse::parse_date(sub.get("as_of")).and_then(|d| not_future(d, plan::today()))
    {
        Ok(d) => Some(d),
        Err(e) => {
            let m = format!("“{}”{}", sub.get("as_of"), e.message(lang));
            sub.fail("as_of", m);
            None
        }
    };
    let value = match &target {
        Some(t) => match parse_target_value(t.unit, sub.get("value")) {
            Ok(v) => Some(v),
            Err(e) => {
                let m = format!("“{}”{}", sub.get("value"), e.message(lang));
                sub.fail("value", m);
                None
            }
        },
        None => None,
    };
    let evidence = sub.get("evidence").to_string();
    if evidence.is_empty() {
        sub.fail("evidence", crate::t(lang, "is-required").to_string());
    } else if evidence.chars().count() > 500 {
        sub.fail(
            "evidence",
            crate::t(lang, "must-be-at-most-500-characters").to_string(),
        );
    }
    let (Some(t), Some(as_of), Some(value), true) = (target, as_of, value, sub.errors.is_empty())
    else {
        return targets_page(&state, &caller, &PlanParams::default(), Some(sub)).await;
    };
    let entry = ProgressEntry {
        key: t.key.clone(),
        as_of,
        value,
        evidence: evidence.clone(),
        entered_by: caller.user.username.clone(),
        entered_at: String::new(),
    };
    state
        .store
        .add_target_progress(&live.plan.plan.id, &entry)
        .await
        .or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "plan.progress",
            &t.key,
            "ok",
            serde_json::json!({"new": {"as_of": as_of.to_string(), "value": value, "evidence": evidence}}),
        ),
    )
    .await;
    Ok(Redirect::to("/indicators/targets?saved=1").into_response())
}

// ---------------------------------------------------------------- GDP growth

#[derive(Template)]
#[template(path = "gdp.html")]
struct GdpPage {
    c: Chrome,
    district: String,
    entries: Vec<(i32, String, String, String, String)>,
    can_edit: bool,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn gdp_fields(lang: Lang) -> Vec<FormField> {
    vec![
        FormField::new("year", crate::t(lang, "year"), "number").required(),
        FormField::new("rate", crate::t(lang, "district-gdp-growth"), "text")
            .required()
            .hint(crate::t(lang, "write-6-5-or-0-065")),
        FormField::new(
            "source",
            crate::t(lang, "source-statistical-bulletin"),
            "text",
        )
        .required(),
    ]
}

async fn gdp_page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<Submission>,
    saved: bool,
) -> PageResult {
    let lang = caller.lang;
    if scope::person_area(&caller.user).is_none() {
        return Err(PageError::forbidden(caller));
    }
    let district = state.store.district().await.or_page(caller)?;
    let history = state
        .store
        .gdp_history(district.as_str())
        .await
        .or_page(caller)?;
    let names = AreaNames::new(&state.store.areas().await.or_page(caller)?);
    let mut fields = gdp_fields(lang);
    let (errors, status) = match &sub {
        Some(s) => (s.apply(&mut fields), StatusCode::UNPROCESSABLE_ENTITY),
        None => (vec![], StatusCode::OK),
    };
    let page = GdpPage {
        c: chrome(
            Some(caller),
            lang,
            "/indicators/gdp",
            "indicators",
            crate::t(lang, "district-gdp-growth"),
        ),
        district: names.of(&district),
        entries: history
            .into_iter()
            .map(|g| {
                (
                    g.year,
                    format_percent(g.rate),
                    g.source,
                    g.entered_by,
                    g.entered_at,
                )
            })
            .collect(),
        can_edit: can_edit_plan(&caller.user),
        fields,
        errors,
        notice: (saved && sub.is_none()).then(|| crate::t(lang, "saved").to_string()),
    };
    Ok(render(status, &page))
}

#[derive(Debug, Deserialize)]
pub struct SavedParam {
    saved: Option<String>,
}

pub async fn gdp(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(q): Query<SavedParam>,
) -> PageResult {
    gdp_page(&state, &caller, None, q.saved.is_some()).await
}

pub async fn set_gdp(
    State(state): State<AppState>,
    caller: Holds<PlanEditor>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let max_year = i64::from(plan::today().year()) + 1;
    let year = match parse::parse_int(sub.get("year"), 2000, max_year) {
        Ok(y) => Some(y as i32),
        Err(e) => {
            let m = format!("“{}”{}", sub.get("year"), e.message(lang));
            sub.fail("year", m);
            None
        }
    };
    let rate = match parse_rate(sub.get("rate")) {
        Ok(r) => Some(r),
        Err(e) => {
            let m = format!("“{}”{}", sub.get("rate"), e.message(lang));
            sub.fail("rate", m);
            None
        }
    };
    let source = sub.get("source").to_string();
    if source.is_empty() {
        sub.fail("source", crate::t(lang, "is-required").to_string());
    } else if source.chars().count() > 200 {
        sub.fail(
            "source",
            crate::t(lang, "must-be-at-most-200-characters").to_string(),
        );
    }
    let (Some(year), Some(rate), true) = (year, rate, sub.errors.is_empty()) else {
        return gdp_page(&state, &caller, Some(sub), false).await;
    };
    let district = state.store.district().await.or_page(&caller)?;
    let old = state
        .store
        .gdp_growth(district.as_str(), year)
        .await
        .or_page(&caller)?
        .map(|g| g.rate);
    let g = GdpGrowth {
        area: district.to_string(),
        year,
        rate,
        source: source.clone(),
        entered_by: caller.user.username.clone(),
        entered_at: String::new(),
    };
    state.store.set_gdp_growth(&g).await.or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "plan.gdp_growth",
            &year.to_string(),
            "ok",
            serde_json::json!({"old": old, "new": rate, "source": source}),
        ),
    )
    .await;
    Ok(Redirect::to("/indicators/gdp?saved=1").into_response())
}

// ---------------------------------------------------------------- public page

/// Cells of fewer persons than this are not published.
pub const SUPPRESS_BELOW: i64 = 5;

struct PublicRow {
    id: u8,
    name: String,
    attribute: String,
    target: String,
    value: String,
    numerator: String,
    denominator: String,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "public_indicators.html")]
struct PublicPage {
    c: Chrome,
    district: String,
    at: String,
    at_error: Option<String>,
    errors: Vec<(String, String)>,
    rows: Vec<PublicRow>,
}

/// Suppresses small person counts: `(value, numerator, denominator)` as published.
pub fn published(i: &IndicatorResult, lang: Lang) -> (String, String, String, bool) {
    let persons = Indicator::from_key(i.key)
        .is_some_and(|x| matches!(x.subject(), Subject::Persons | Subject::Households));
    let small = |n: Option<i64>| persons && n.is_some_and(|n| n < SUPPRESS_BELOW);
    let hidden = small(i.numerator) || small(i.denominator);
    let mark = crate::t(lang, "n-5-withheld").to_string();
    let cell = |n: Option<i64>| match n {
        Some(n) if small(Some(n)) => mark.clone(),
        Some(n) => n.to_string(),
        None => "—".into(),
    };
    let value = if hidden {
        crate::t(lang, "withheld").to_string()
    } else {
        fraction_cell(i.value)
    };
    (value, cell(i.numerator), cell(i.denominator), hidden)
}

#[derive(Debug, Deserialize)]
pub struct PublicParams {
    at: Option<String>,
}

pub async fn public(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<PublicParams>,
) -> Response {
    let lang = request_lang(&headers);
    let title = crate::t(lang, "disability-services-main-indicators-public");
    let fail = |status, zh: &str, en: &str| error_page(None, lang, status, zh, en);
    let at = match plan::parse_at(p.at.as_deref()) {
        Ok(a) => a,
        Err(b) => {
            let msg = b.message(lang);
            let page = PublicPage {
                c: zhucan_web::pages::chrome(None, lang, "/public/indicators", "", title),
                district: String::new(),
                at: p.at.clone().unwrap_or_default(),
                at_error: Some(msg.clone()),
                errors: vec![(
                    "at".into(),
                    format!("{}：{msg}", crate::t(lang, "reference-date-2")),
                )],
                rows: vec![],
            };
            return render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let district = match state.store.district().await {
        Ok(d) => d,
        Err(_) => {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误。",
                "Internal error.",
            );
        }
    };
    let live = match plan::live(&state).await {
        Ok(l) => l,
        Err(_) => {
            return fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "指标暂不可用。",
                "The indicators are not available.",
            );
        }
    };
    let gdp = plan::gdp_growth(&state, at.year()).await.ok().flatten();
    let reports = match plan::evaluate(&live, at, vec![district.clone()], gdp, false).await {
        Ok(r) => r,
        Err(_) => {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误。",
                "Internal error.",
            );
        }
    };
    let Some(main) = reports.first() else {
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器内部错误。",
            "Internal error.",
        );
    };
    let rows = main
        .indicators
        .iter()
        .map(|i| {
            let (value, numerator, denominator, hidden) = published(i, lang);
            let status = if hidden { Status::NoData } else { i.status };
            PublicRow {
                id: i.id,
                name: lang.pick(&i.name, &i.name_en).to_string(),
                attribute: i
                    .attribute
                    .map(|a| a.label(lang).to_string())
                    .unwrap_or_default(),
                target: fraction_cell(i.target),
                value,
                numerator,
                denominator,
                status: status.label(lang),
                status_key: status.key(),
            }
        })
        .collect();
    let page = PublicPage {
        c: zhucan_web::pages::chrome(
            None,
            lang,
            &format!("/public/indicators?at={at}"),
            "",
            title,
        ),
        district: main.area.name.clone(),
        at: at.to_string(),
        at_error: None,
        errors: vec![],
        rows,
    };
    render(StatusCode::OK, &page)
}
