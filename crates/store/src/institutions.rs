//! Institutions (机构).

use zhucan_domain::area::AreaCode;
use zhucan_domain::institution::{Institution, InstitutionKind};

use crate::rows::{corrupt, date, opt_date};
use crate::{Result, Store, now_text, on_pool, on_tx};

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    kind: String,
    township_code: String,
    standardized: bool,
    designated: bool,
    beds: Option<i64>,
    stars: Option<i64>,
    opened_on: String,
    closed_on: Option<String>,
}

impl Store {
    /// Every institution, by township and name.
    pub async fn institutions(&self) -> Result<Vec<Institution>> {
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT name, kind, township_code, standardized, designated, beds, stars, opened_on, closed_on FROM institutions ORDER BY township_code, name")
                .fetch_all(p).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Institution {
                    kind: InstitutionKind::parse(&r.kind)
                        .ok_or_else(|| corrupt("institution kind", &r.kind))?,
                    township: AreaCode::parse(&r.township_code)
                        .ok_or_else(|| corrupt("township_code", &r.township_code))?,
                    standardized: r.standardized,
                    designated: r.designated,
                    beds: r.beds,
                    stars: r.stars,
                    opened_on: date("opened_on", &r.opened_on)?,
                    closed_on: opt_date("closed_on", r.closed_on)?,
                    name: r.name,
                })
            })
            .collect()
    }

    /// Adds or updates institutions (keyed by township and name); returns how many changed.
    pub async fn upsert_institutions(&self, list: &[Institution]) -> Result<usize> {
        let existing = self.institutions().await?;
        let mut tx = self.begin().await?;
        let mut changed = 0;
        for i in list {
            if existing.iter().any(|e| e == i) {
                continue;
            }
            if changed == 0 {
                crate::changes::next(&mut tx, crate::changes::REFERENCE).await?;
            }
            changed += 1;
            on_tx!(&mut tx, c => {
                sqlx::query(
                    "INSERT INTO institutions (id, name, kind, township_code, standardized, designated, beds, stars, opened_on, closed_on, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, standardized = excluded.standardized, designated = excluded.designated,
                       beds = excluded.beds, stars = excluded.stars, opened_on = excluded.opened_on, closed_on = excluded.closed_on, updated_at = excluded.updated_at",
                )
                .bind(i.id())
                .bind(&i.name)
                .bind(i.kind.key())
                .bind(i.township.as_str())
                .bind(i.standardized)
                .bind(i.designated)
                .bind(i.beds)
                .bind(i.stars)
                .bind(i.opened_on.to_string())
                .bind(i.closed_on.map(|d| d.to_string()))
                .bind(now_text())
                .execute(&mut *c)
                .await?;
            });
        }
        tx.commit().await?;
        Ok(changed)
    }
}
