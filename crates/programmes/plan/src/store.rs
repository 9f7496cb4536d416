//! The plan as data: the plan period, its targets, staff-entered progress and the GDP growth
//! parameter of indicator 1.

use crate::rules::{Attribute, GdpGrowth, Measure, Plan, PlanTarget, ProgressEntry, TargetUnit};

use zhucan_store::rows::{corrupt, date};
use zhucan_store::{Result, Store, now_text, on_pool, on_tx};

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: String,
    name: String,
    name_en: String,
    baseline_date: String,
    target_date: String,
    source: String,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    key: String,
    seq: i64,
    section: String,
    name: String,
    name_en: String,
    unit: String,
    attribute: Option<String>,
    baseline: Option<i64>,
    target: Option<i64>,
    target_year: i64,
    measure: String,
}

#[derive(sqlx::FromRow)]
struct ProgressRow {
    key: String,
    as_of: String,
    value: i64,
    evidence: String,
    entered_by: String,
    entered_at: String,
}

#[derive(sqlx::FromRow)]
struct GdpRow {
    area_code: String,
    year: i64,
    rate: i64,
    source: String,
    entered_by: String,
    entered_at: String,
}

fn year(v: i64) -> Result<i32> {
    i32::try_from(v).map_err(|_| corrupt("year", &v.to_string()))
}

impl GdpRow {
    fn into_domain(self) -> Result<GdpGrowth> {
        Ok(GdpGrowth {
            area: self.area_code,
            year: year(self.year)?,
            rate: self.rate,
            source: self.source,
            entered_by: self.entered_by,
            entered_at: self.entered_at,
        })
    }
}

/// The plan's storage: the plan, its targets, the progress staff record, the GDP growth.
#[allow(async_fn_in_trait)]
pub trait PlanStore {
    /// The plan in force (the one with the latest target date) and its targets in order, or
    /// `None` if no plan is configured.
    async fn current_plan(&self) -> Result<Option<(Plan, Vec<PlanTarget>)>>;

    /// Every progress entry of a plan's manual targets, newest first per target.
    async fn target_progress(&self, plan_id: &str) -> Result<Vec<ProgressEntry>>;

    /// Records progress of a target (appended; earlier entries stay).
    async fn add_target_progress(&self, plan_id: &str, e: &ProgressEntry) -> Result<()>;

    /// The GDP growth in force for `area` and `year` (the latest entry), if entered.
    async fn gdp_growth(&self, area: &str, year: i32) -> Result<Option<GdpGrowth>>;

    /// Every GDP growth entry of `area`, newest year first, newest entry first.
    async fn gdp_history(&self, area: &str) -> Result<Vec<GdpGrowth>>;

    /// Enters the GDP growth of a year (a new entry; the history is kept).
    async fn set_gdp_growth(&self, g: &GdpGrowth) -> Result<()>;
}

impl PlanStore for Store {
    /// The plan in force (the one with the latest target date) and its targets in order, or
    /// `None` if no plan is configured.
    async fn current_plan(&self) -> Result<Option<(Plan, Vec<PlanTarget>)>> {
        let row: Option<PlanRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT id, name, name_en, baseline_date, target_date, source FROM plans ORDER BY target_date DESC, id LIMIT 1")
                .fetch_optional(p).await?
        });
        let Some(row) = row else { return Ok(None) };
        let targets: Vec<TargetRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT key, seq, section, name, name_en, unit, attribute, baseline, target, target_year, measure FROM plan_targets WHERE plan_id = $1 ORDER BY seq")
                .bind(&row.id).fetch_all(p).await?
        });
        let plan = Plan {
            baseline_date: date("baseline_date", &row.baseline_date)?,
            target_date: date("target_date", &row.target_date)?,
            id: row.id,
            name: row.name,
            name_en: row.name_en,
            source: row.source,
        };
        let targets = targets
            .into_iter()
            .map(|t| {
                Ok(PlanTarget {
                    unit: TargetUnit::parse(&t.unit).ok_or_else(|| corrupt("unit", &t.unit))?,
                    attribute: t
                        .attribute
                        .as_deref()
                        .map(|a| Attribute::parse(a).ok_or_else(|| corrupt("attribute", a)))
                        .transpose()?,
                    measure: Measure::parse(&t.measure)
                        .ok_or_else(|| corrupt("measure", &t.measure))?,
                    target_year: year(t.target_year)?,
                    key: t.key,
                    seq: t.seq,
                    section: t.section,
                    name: t.name,
                    name_en: t.name_en,
                    baseline: t.baseline,
                    target: t.target,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((plan, targets)))
    }

    /// Every progress entry of a plan's manual targets, newest first per target.
    async fn target_progress(&self, plan_id: &str) -> Result<Vec<ProgressEntry>> {
        let rows: Vec<ProgressRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT key, as_of, value, evidence, entered_by, entered_at FROM target_progress WHERE plan_id = $1 ORDER BY key, as_of DESC, seq DESC")
                .bind(plan_id).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ProgressEntry {
                    as_of: date("as_of", &r.as_of)?,
                    key: r.key,
                    value: r.value,
                    evidence: r.evidence,
                    entered_by: r.entered_by,
                    entered_at: r.entered_at,
                })
            })
            .collect()
    }

    /// Records progress of a target (appended; earlier entries stay).
    async fn add_target_progress(&self, plan_id: &str, e: &ProgressEntry) -> Result<()> {
        let mut tx = self.begin().await?;
        add_target_progress_in(&mut tx, plan_id, e).await?;
        tx.commit().await
    }

    /// The GDP growth in force for `area` and `year` (the latest entry), if entered.
    async fn gdp_growth(&self, area: &str, year: i32) -> Result<Option<GdpGrowth>> {
        let row: Option<GdpRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT area_code, year, rate, source, entered_by, entered_at FROM gdp_growth WHERE area_code = $1 AND year = $2 ORDER BY seq DESC LIMIT 1")
                .bind(area).bind(i64::from(year)).fetch_optional(p).await?
        });
        row.map(GdpRow::into_domain).transpose()
    }

    /// Every GDP growth entry of `area`, newest year first, newest entry first.
    async fn gdp_history(&self, area: &str) -> Result<Vec<GdpGrowth>> {
        let rows: Vec<GdpRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT area_code, year, rate, source, entered_by, entered_at FROM gdp_growth WHERE area_code = $1 ORDER BY year DESC, seq DESC")
                .bind(area).fetch_all(p).await?
        });
        rows.into_iter().map(GdpRow::into_domain).collect()
    }

    /// Enters the GDP growth of a year (a new entry; the history is kept).
    async fn set_gdp_growth(&self, g: &GdpGrowth) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM gdp_growth WHERE area_code = $1 AND year = $2")
                .bind(&g.area).bind(i64::from(g.year)).fetch_one(&mut *c).await?;
            sqlx::query("INSERT INTO gdp_growth (area_code, year, seq, rate, source, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&g.area).bind(i64::from(g.year)).bind(last.unwrap_or(0) + 1).bind(g.rate)
                .bind(&g.source).bind(&g.entered_by).bind(now_text())
                .execute(&mut *c).await?;
        });
        tx.commit().await
    }
}

/// Records progress of a target inside a programme's transaction (a programme whose records
/// measure a target — training person-times — keeps it current as it writes them).
pub async fn add_target_progress_in(
    tx: &mut zhucan_store::Tx,
    plan_id: &str,
    e: &ProgressEntry,
) -> Result<()> {
    on_tx!(tx, c => {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM target_progress WHERE plan_id = $1 AND key = $2")
            .bind(plan_id).bind(&e.key).fetch_one(&mut *c).await?;
        sqlx::query("INSERT INTO target_progress (plan_id, key, seq, as_of, value, evidence, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(plan_id).bind(&e.key).bind(last.unwrap_or(0) + 1).bind(e.as_of.to_string()).bind(e.value)
            .bind(&e.evidence).bind(&e.entered_by).bind(now_text())
            .execute(&mut *c).await?;
    });
    Ok(())
}

/// Records, inside a programme's transaction, a value its records measure for a target of
/// the plan in force (the plan [`PlanStore::current_plan`] reads); nothing when that plan has
/// no such target.
pub async fn record_measured_in(
    tx: &mut zhucan_store::Tx,
    key: &str,
    value: i64,
    as_of: chrono::NaiveDate,
    evidence: &str,
    by: &str,
) -> Result<()> {
    let plan_id: Option<String> = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT p.id FROM plans p WHERE p.id = (SELECT id FROM plans ORDER BY target_date DESC, id LIMIT 1) AND EXISTS (SELECT 1 FROM plan_targets t WHERE t.plan_id = p.id AND t.key = $1)")
            .bind(key).fetch_optional(&mut *c).await?
    });
    let Some(plan_id) = plan_id else {
        return Ok(());
    };
    add_target_progress_in(
        tx,
        &plan_id,
        &ProgressEntry {
            key: key.into(),
            as_of,
            value,
            evidence: evidence.into(),
            entered_by: by.into(),
            entered_at: String::new(),
        },
    )
    .await
}

/// The plan in force with its targets and every progress entry, or `None` when the database
/// holds no plan.
pub async fn load_plan(store: &Store) -> Result<Option<crate::PlanData>> {
    let Some((plan, targets)) = store.current_plan().await? else {
        return Ok(None);
    };
    let progress = store.target_progress(&plan.id).await?;
    Ok(Some(crate::PlanData {
        plan,
        targets,
        progress,
    }))
}
