//! Schema migrations, collected from the kernel and from every programme.
//!
//! A migration is known by its name (unique across the kernel and the programmes, e.g.
//! `subsidies` or `employment.0001_quota`); `schema_migrations` records the applied names. The
//! kernel's come first, then each programme's in the order the binary lists the programmes,
//! each programme's in its own order. A migration of schema 1–9 that was split when the
//! programmes got their own folders names the original it was part of (`counted_by`): a
//! database that applied the original has it already.

use std::future::Future;
use std::pin::Pin;

use crate::{Result, Store, StoreError, Tx, now_text, on_pool, on_tx};

/// Rust that fills a new table (default data), run in the migration's transaction.
pub type Seed = for<'a> fn(&'a mut Tx) -> Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// One schema change: portable SQL, optionally followed by a seed.
#[derive(Clone, Copy)]
pub struct Migration {
    /// Unique across the kernel and every programme.
    pub name: &'static str,
    pub sql: &'static str,
    pub seed: Option<Seed>,
    /// The migration of schema 1–9 this one was split from: applied when that one was.
    pub counted_by: Option<&'static str>,
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migration")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Migration {
    pub const fn sql(name: &'static str, sql: &'static str) -> Migration {
        Migration {
            name,
            sql,
            seed: None,
            counted_by: None,
        }
    }

    pub const fn seeded(mut self, seed: Seed) -> Migration {
        self.seed = Some(seed);
        self
    }

    pub const fn counted_by(mut self, original: &'static str) -> Migration {
        self.counted_by = Some(original);
        self
    }
}

/// Every migration a database gets: the kernel's, then each programme's.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    parts: Vec<(&'static str, Vec<Migration>)>,
}

impl Schema {
    /// The kernel's migrations only (the registry, accounts, audit, settings, change
    /// counters, policy parameters).
    pub fn kernel() -> Schema {
        Schema {
            parts: vec![("kernel", kernel_migrations())],
        }
    }

    /// Adds a programme's migrations after those already listed.
    pub fn with(mut self, programme: &'static str, migrations: Vec<Migration>) -> Schema {
        self.parts.push((programme, migrations));
        self
    }

    /// Every migration, in the order they are applied, with their programme.
    pub fn migrations(&self) -> impl Iterator<Item = (&'static str, &Migration)> {
        self.parts
            .iter()
            .flat_map(|(p, ms)| ms.iter().map(move |m| (*p, m)))
    }

    /// Names used twice (a programme's mistake; refused at start).
    fn duplicates(&self) -> Vec<&'static str> {
        let mut seen = std::collections::HashSet::new();
        self.migrations()
            .filter(|(_, m)| !seen.insert(m.name))
            .map(|(_, m)| m.name)
            .collect()
    }
}

/// The default district's area dictionary (Huangyan), loaded into a new database.
const DEFAULT_AREAS: &str = include_str!("../data/areas-331003.csv");

fn seed_areas(tx: &mut Tx) -> Pin<Box<dyn Future<Output = Result<()>> + Send + '_>> {
    Box::pin(crate::areas::seed_default(tx, DEFAULT_AREAS))
}

/// The kernel's schema: the registry (一库), accounts, audit, settings, the change counters of
/// the facts cache and the versioned policy parameters.
fn kernel_migrations() -> Vec<Migration> {
    vec![
        Migration::sql("registry", include_str!("../migrations/0001_registry.sql"))
            .seeded(seed_areas),
        Migration::sql("audit", include_str!("../migrations/0002_audit.sql")),
        Migration::sql(
            "second_factor",
            include_str!("../migrations/0003_second_factor.sql"),
        ),
        Migration::sql("access", include_str!("../migrations/0004_access.sql")),
        Migration::sql(
            "change_counters",
            include_str!("../migrations/0005_change_counters.sql"),
        )
        .counted_by("plan"),
        Migration::sql(
            "policy_params",
            include_str!("../migrations/0006_policy_params.sql"),
        )
        .counted_by("subsidies"),
        Migration::sql(
            "certificate_history",
            include_str!("../migrations/0009_certificate_history.sql"),
        ),
        Migration::sql(
            "import_runs_status",
            include_str!("../migrations/0010_import_runs_status.sql"),
        ),
        Migration::sql("ledger", include_str!("../migrations/0011_ledger.sql")),
        Migration::sql(
            "account_orgs",
            include_str!("../migrations/0012_account_orgs.sql"),
        ),
        Migration::sql(
            "institution_decisions",
            include_str!("../migrations/0013_institution_decisions.sql"),
        ),
    ]
}

impl Store {
    pub(crate) async fn migrate(&self, schema: &Schema) -> Result<()> {
        let dup = schema.duplicates();
        if let Some(name) = dup.first() {
            return Err(StoreError::Corrupt(format!(
                "migration name {name:?} is used twice"
            )));
        }
        on_pool!(self, p => {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )
            .execute(p)
            .await?;
        });
        let applied: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT name FROM schema_migrations").fetch_all(p).await?
        });
        let applied: std::collections::HashSet<String> = applied.into_iter().collect();
        for (programme, m) in schema.migrations() {
            if applied.contains(m.name) || m.counted_by.is_some_and(|o| applied.contains(o)) {
                continue;
            }
            tracing::info!(programme, name = m.name, "applying migration");
            let mut tx = self.begin().await?;
            let r: std::result::Result<i64, sqlx::Error> = on_tx!(&mut tx, c => {
                async {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql)).execute(&mut *c).await?;
                    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM schema_migrations")
                        .fetch_one(&mut *c)
                        .await?;
                    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(next)
                        .bind(m.name)
                        .bind(now_text())
                        .execute(&mut *c)
                        .await?;
                    Ok(next)
                }
                .await
            });
            let version = r.map_err(|source| StoreError::Migration {
                name: m.name.to_string(),
                source,
            })?;
            if let Some(seed) = m.seed {
                seed(&mut tx).await?;
            }
            tx.commit().await?;
            tracing::debug!(version, name = m.name, "migration applied");
        }
        Ok(())
    }
}
