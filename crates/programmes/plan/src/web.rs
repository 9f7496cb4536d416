//! What the plan pages and the indicators API share: reading the date and area of a request
//! within the caller's scope, and evaluating the indicators on the live facts.

#[allow(unused_imports)]
use crate::prelude::*;
use std::sync::Arc;

use crate::{PlanData, Query, Report};
use chrono::{Local, NaiveDate};
use zhucan_domain::Localized;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::parse_date;
use zhucan_facts::Snapshot;
use zhucan_store::StoreError;
use zhucan_store::changes::Counters;

use zhucan_web::AppState;

/// Why an evaluation could not run.
#[derive(Debug)]
pub enum EvalError {
    Store(StoreError),
    /// No plan is configured in the database.
    NoPlan,
    /// The computation task failed (a bug; logged).
    Task,
}

impl From<StoreError> for EvalError {
    fn from(e: StoreError) -> Self {
        EvalError::Store(e)
    }
}

/// A request parameter that could not be read: (field, value, message zh, message en).
#[derive(Debug, Clone)]
pub struct BadParam {
    pub field: &'static str,
    pub value: String,
    pub zh: String,
    pub en: String,
}

impl BadParam {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("“{}”无效：{}", self.value, self.zh),
            Lang::En => format!("“{}” is invalid: {}", self.value, self.en),
        }
    }
}

/// Today in the server's time zone (the default reference date).
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// Reads the reference date (default: today).
pub fn parse_at(raw: Option<&str>) -> Result<NaiveDate, BadParam> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => parse_date(s).map_err(|e| BadParam {
            field: "at",
            value: s.to_string(),
            zh: e.message(Lang::Zh),
            en: e.message(Lang::En),
        }),
    }
}

/// What an area parameter names.
#[derive(Debug)]
pub enum AreaChoice {
    /// An area inside the caller's scope, in the dictionary.
    Area(AreaCode),
    /// Not an area code at all.
    Bad(BadParam),
    /// Unknown, or outside the caller's scope: answered as "not found".
    Hidden,
}

/// Reads the area parameter (default: the caller's own area) within `scope`.
pub fn parse_area(raw: Option<&str>, scope: &AreaCode, areas: &[Area]) -> AreaChoice {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return AreaChoice::Area(scope.clone());
    };
    match AreaCode::parse(s) {
        None => AreaChoice::Bad(BadParam {
            field: "area",
            value: s.to_string(),
            zh: "应为 6、9 或 12 位区划代码".into(),
            en: "must be a 6-, 9- or 12-digit area code".into(),
        }),
        Some(a) if scope.contains(&a) && areas.iter().any(|x| x.code == a) => AreaChoice::Area(a),
        Some(_) => AreaChoice::Hidden,
    }
}

/// The townships of a district area, in code order (empty for a township or village).
pub fn townships_of(area: &AreaCode, areas: &[Area]) -> Vec<AreaCode> {
    if area.level() != AreaLevel::District {
        return Vec::new();
    }
    areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township && area.contains(&a.code))
        .map(|a| a.code.clone())
        .collect()
}

/// The live facts and the plan, ready to evaluate.
pub struct Live {
    pub snap: Arc<Snapshot>,
    /// The change counters the facts reflect.
    pub stamp: Counters,
    pub plan: Arc<PlanData>,
}

/// Loads the current facts (zero staleness) and the plan.
pub async fn live(state: &AppState) -> Result<Live, EvalError> {
    let (snap, stamp) = state.facts.snapshot_stamped().await?;
    let plan = crate::load_plan(&state.store)
        .await?
        .ok_or(EvalError::NoPlan)?;
    Ok(Live {
        snap,
        stamp,
        plan: Arc::new(plan),
    })
}

/// The GDP growth entered for the district and `year` (indicator 1's target).
pub async fn gdp_growth(state: &AppState, year: i32) -> Result<Option<i64>, StoreError> {
    let district = state.store.district().await?;
    Ok(state
        .store
        .gdp_growth(district.as_str(), year)
        .await?
        .map(|g| g.rate))
}

/// Evaluates `areas` at `at` off the async runtime.
pub async fn evaluate(
    live: &Live,
    at: NaiveDate,
    areas: Vec<AreaCode>,
    gdp: Option<i64>,
    with_targets: bool,
) -> Result<Vec<Report>, EvalError> {
    let (snap, plan) = (live.snap.clone(), live.plan.clone());
    tokio::task::spawn_blocking(move || {
        snap.evaluate(
            &plan,
            &Query {
                at,
                areas: &areas,
                gdp_growth: gdp,
                with_targets,
            },
        )
    })
    .await
    .map_err(|_| EvalError::Task)
}

/// Recent monthly trends, each under the facts' change counters and the plan it was computed
/// from: a trend at 1 000 000 persons costs about a second, and the dashboard shows one on
/// every view, while the facts change far less often. A hit needs equal counters (so equal
/// facts) and an equal plan, so it is exactly what a new computation would give.
#[derive(Default)]
pub struct TrendCache {
    entries: std::sync::Mutex<std::collections::VecDeque<TrendEntry>>,
}

struct TrendEntry {
    stamp: Counters,
    plan: Arc<PlanData>,
    area: AreaCode,
    at: NaiveDate,
    reports: Arc<Vec<Report>>,
}

impl std::fmt::Debug for TrendCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("TrendCache").field("entries", &n).finish()
    }
}

/// How many trends are kept (areas × dates recently viewed).
const TRENDS_KEPT: usize = 64;

impl TrendCache {
    fn get(&self, live: &Live, area: &AreaCode, at: NaiveDate) -> Option<Arc<Vec<Report>>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|e| {
                e.stamp == live.stamp && e.area == *area && e.at == at && *e.plan == *live.plan
            })
            .map(|e| e.reports.clone())
    }

    fn put(&self, live: &Live, area: AreaCode, at: NaiveDate, reports: Arc<Vec<Report>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Trends of older facts can never be hit again.
        entries.retain(|e| e.stamp == live.stamp);
        if entries.len() >= TRENDS_KEPT {
            entries.pop_front();
        }
        entries.push_back(TrendEntry {
            stamp: live.stamp.clone(),
            plan: live.plan.clone(),
            area,
            at,
            reports,
        });
    }
}

/// The monthly trend of one area up to `at`, off the async runtime (or from the cache).
pub async fn trend(
    state: &AppState,
    live: &Live,
    area: AreaCode,
    at: NaiveDate,
) -> Result<Arc<Vec<Report>>, EvalError> {
    let trends = state.ext::<TrendCache>();
    if let Some(hit) = trends.and_then(|t| t.get(live, &area, at)) {
        return Ok(hit);
    }
    let (snap, plan, a) = (live.snap.clone(), live.plan.clone(), area.clone());
    let reports = tokio::task::spawn_blocking(move || snap.trend(&plan, &a, at))
        .await
        .map_err(|_| EvalError::Task)?;
    let reports = Arc::new(reports);
    if let Some(t) = trends {
        t.put(live, area, at, reports.clone());
    }
    Ok(reports)
}
