//! The area dictionary (行政区划) as data with validity dates.

use chrono::NaiveDate;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};

use crate::{Result, Store, StoreError, Tx, now_text, on_pool, on_tx};

#[derive(sqlx::FromRow)]
struct AreaRow {
    code: String,
    name: String,
    population: Option<i64>,
    valid_from: Option<String>,
    valid_until: Option<String>,
}

fn level_key(l: AreaLevel) -> &'static str {
    match l {
        AreaLevel::District => "district",
        AreaLevel::Township => "township",
        AreaLevel::Village => "village",
    }
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

impl TryFrom<AreaRow> for Area {
    type Error = StoreError;
    fn try_from(r: AreaRow) -> Result<Area> {
        Ok(Area {
            code: AreaCode::parse(&r.code)
                .ok_or_else(|| StoreError::Corrupt(format!("area code {}", r.code)))?,
            name: r.name,
            population: r.population,
            valid_from: date(r.valid_from),
            valid_until: date(r.valid_until),
        })
    }
}

pub(crate) async fn seed_default(tx: &mut Tx, csv: &str) -> Result<()> {
    let areas: Vec<Area> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (code, name) = l.split_once(',')?;
            Some(Area {
                code: AreaCode::parse(code)?,
                name: name.trim().to_string(),
                population: None,
                valid_from: None,
                valid_until: None,
            })
        })
        .collect();
    upsert_in(tx, &areas).await?;
    let district = areas
        .iter()
        .find(|a| a.code.level() == AreaLevel::District)
        .map(|a| a.code.to_string())
        .unwrap_or_default();
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('district', $1, $2)")
            .bind(district).bind(now_text()).execute(&mut *c).await?;
    });
    Ok(())
}

async fn upsert_in(tx: &mut Tx, areas: &[Area]) -> Result<()> {
    let now = now_text();
    for a in areas {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO areas (code, name, level, parent_code, population, valid_from, valid_until, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                   population = COALESCE(excluded.population, areas.population),
                   valid_from = COALESCE(excluded.valid_from, areas.valid_from),
                   valid_until = excluded.valid_until, updated_at = excluded.updated_at",
            )
            .bind(a.code.as_str())
            .bind(&a.name)
            .bind(level_key(a.code.level()))
            .bind(a.code.parent().map(|p| p.to_string()))
            .bind(a.population)
            .bind(a.valid_from.map(|d| d.to_string()))
            .bind(a.valid_until.map(|d| d.to_string()))
            .bind(&now)
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(())
}

impl Store {
    /// Every area in the dictionary, ordered by code.
    pub async fn areas(&self) -> Result<Vec<Area>> {
        let rows: Vec<AreaRow> = on_pool!(self, p => {
            sqlx::query_as("SELECT code, name, population, valid_from, valid_until FROM areas ORDER BY code")
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(Area::try_from).collect()
    }

    /// Adds or updates areas. A village's township must exist (or be in the same list).
    pub async fn upsert_areas(&self, areas: &[Area]) -> Result<()> {
        let mut sorted = areas.to_vec();
        sorted.sort_by_key(|a| a.code.as_str().len());
        let mut tx = self.begin().await?;
        crate::changes::next(&mut tx, crate::changes::REFERENCE).await?;
        upsert_in(&mut tx, &sorted).await?;
        tx.commit().await
    }

    /// The code of the district this installation serves (the root of every scope).
    pub async fn district(&self) -> Result<AreaCode> {
        let code = self
            .setting("district")
            .await?
            .unwrap_or_else(|| "331003".into());
        AreaCode::parse(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("district setting {code}")))
    }
}
