//! Policy parameters as versioned data (`policy_params`): appended, never overwritten.

use zhucan_domain::area::AreaCode;
use zhucan_domain::policy::{ParamEntry, ParamKey, ParamValue, Policy};

use crate::rows::{corrupt, date};
use crate::{Result, Store, Tx, now_text, on_pool, on_tx};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    key: String,
    area_code: String,
    value: String,
    effective_from: String,
    source: String,
    author: String,
    entered_at: String,
}

async fn insert(tx: &mut Tx, e: &ParamEntry) -> Result<i64> {
    let value =
        serde_json::to_string(&e.value).map_err(|err| corrupt("param value", &err.to_string()))?;
    Ok(on_tx!(tx, c => {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM policy_params").fetch_one(&mut *c).await?;
        let id = last.unwrap_or(0) + 1;
        sqlx::query("INSERT INTO policy_params (id, key, area_code, value, effective_from, source, author, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id).bind(e.key.key()).bind(e.area.as_str()).bind(value).bind(e.effective_from.to_string())
            .bind(&e.source).bind(&e.author).bind(now_text())
            .execute(&mut *c).await?;
        id
    }))
}

/// Seeds parameter versions for the district of this database (a programme's migration seed
/// does, with its example values); nothing when the district is not set.
pub async fn seed_params(
    tx: &mut Tx,
    defaults: impl Fn(&AreaCode) -> Vec<ParamEntry>,
) -> Result<()> {
    let district: Option<String> = on_tx!(tx, c => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'district'").fetch_optional(&mut *c).await?
    });
    let Some(district) = district.as_deref().and_then(AreaCode::parse) else {
        return Ok(());
    };
    for e in defaults(&district) {
        insert(tx, &e).await?;
    }
    Ok(())
}

impl Store {
    /// Every version of every parameter.
    pub async fn policy(&self) -> Result<Policy> {
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT id, key, area_code, value, effective_from, source, author, entered_at FROM policy_params ORDER BY id")
                .fetch_all(p).await?
        });
        let entries = rows
            .into_iter()
            .map(|r| {
                Ok(ParamEntry {
                    id: r.id,
                    key: ParamKey::parse(&r.key).ok_or_else(|| corrupt("param key", &r.key))?,
                    area: AreaCode::parse(&r.area_code)
                        .ok_or_else(|| corrupt("param area", &r.area_code))?,
                    value: serde_json::from_str::<ParamValue>(&r.value)
                        .map_err(|_| corrupt("param value", &r.value))?,
                    effective_from: date("effective_from", &r.effective_from)?,
                    source: r.source,
                    author: r.author,
                    entered_at: r.entered_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Policy::new(entries))
    }

    /// Adds a version of a parameter; returns its id. Changing eligibility inputs also counts
    /// as a registry change for the facts cache.
    pub async fn add_param(&self, e: &ParamEntry) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = insert(&mut tx, e).await?;
        crate::changes::next(&mut tx, crate::changes::REFERENCE).await?;
        tx.commit().await?;
        Ok(id)
    }
}
