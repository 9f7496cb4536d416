//! Storage for zhucan: one schema and one code path over SQLite (embedded, the default) and
//! PostgreSQL (by URL).
//!
//! Every query is written once in portable SQL (`$1` placeholders, TEXT/BIGINT/BOOLEAN columns)
//! and compiled for both backends by the [`on_pool!`] and [`on_tx!`] macros, which expand the
//! same body once per driver. Write transactions on SQLite begin with `BEGIN IMMEDIATE` so that
//! concurrent writers queue on the busy timeout instead of failing with "database is locked".

use std::str::FromStr;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub mod accounts;
pub mod areas;
pub mod audit;
pub mod bulk;
pub mod changes;
pub mod import_runs;
pub mod institutions;
pub mod ledger;
pub mod migrate;
pub mod policy;
pub mod reach;
pub mod registry;
pub mod rows;
pub mod settings;
pub mod spans;

pub use accounts::{
    ApiTokenInfo, NewSession, NewToken, NewUser, RightsChange, Role, SessionInfo, SessionRow,
    TokenScope, User,
};
pub use reach::Reach;
pub use registry::{
    ImportOutcome, PersonFile, PersonQuery, PersonSummary, SearchPage, StoredEvent,
};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    Url(String),
    #[error("the record was changed by someone else (version {found}, expected {expected})")]
    VersionConflict { expected: i64, found: i64 },
    #[error("already exists: {0}")]
    Exists(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("migration {name} failed: {source}")]
    Migration { name: String, source: sqlx::Error },
}

impl StoreError {
    /// Whether retrying the whole transaction may succeed (serialization failure, deadlock,
    /// SQLite busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001") | Some("40P01") | Some("5") | Some("517")
                )
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The pool of either backend (for the [`on_pool!`] macro; programme repositories use it).
#[derive(Clone)]
#[doc(hidden)]
pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// The database handle. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    #[doc(hidden)]
    pub db: Db,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend())
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool of either backend.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Pg($pool) => $body,
        }
    };
}

/// A write transaction on either backend (programme repositories write through it).
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut` of the concrete type).
#[macro_export]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Pg(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Now, as stored: RFC 3339 UTC with milliseconds.
pub fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date: the
    /// kernel's migrations, then each programme's of `schema`, in order.
    pub async fn open(url: &str, schema: &migrate::Schema) -> Result<Store> {
        let store = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|_| StoreError::Url(url.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-262144")
                .pragma("mmap_size", "1073741824")
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .connect_with(opts)
                .await?;
            Store {
                db: Db::Sqlite(pool),
            }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|_| StoreError::Url(url.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await?;
            Store { db: Db::Pg(pool) }
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        store.migrate(schema).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }

    /// A consistent copy of a SQLite database while the service runs (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> Result<()> {
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Db::Pg(_) => Err(StoreError::Url("backup of PostgreSQL: use pg_dump".into())),
        }
    }

    /// Reads a setting.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await?
        }))
    }

    /// Writes a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
                .bind(key).bind(value).bind(now_text()).execute(&mut *c).await?;
        });
        tx.commit().await
    }

    /// Whether the registry holds no persons yet.
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM persons").fetch_one(p).await?
        });
        Ok(n == 0)
    }
}

/// Creates and drops scratch PostgreSQL databases (tests and benchmarks).
pub mod scratch {
    use std::str::FromStr;

    use sqlx::Connection;
    use sqlx::postgres::{PgConnectOptions, PgConnection};

    use crate::{Result, StoreError};

    fn with_db(url: &str, db: &str) -> Result<String> {
        let (base, rest) = url
            .rsplit_once('/')
            .ok_or_else(|| StoreError::Url(url.to_string()))?;
        let query = rest
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        Ok(format!("{base}/{db}{query}"))
    }

    /// Creates database `name` on the server of `admin_url`; returns its URL.
    pub async fn create_pg_database(admin_url: &str, name: &str) -> Result<String> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Url(name.to_string()));
        }
        let opts = PgConnectOptions::from_str(admin_url)
            .map_err(|_| StoreError::Url(admin_url.to_string()))?;
        let mut c = PgConnection::connect_with(&opts).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await?;
        c.close().await?;
        with_db(admin_url, name)
    }

    /// Drops database `name` (forcing other connections off).
    pub async fn drop_pg_database(admin_url: &str, name: &str) -> Result<()> {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Url(name.to_string()));
        }
        let opts = PgConnectOptions::from_str(admin_url)
            .map_err(|_| StoreError::Url(admin_url.to_string()))?;
        let mut c = PgConnection::connect_with(&opts).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut c)
        .await?;
        c.close().await?;
        Ok(())
    }
}

impl Store {
    /// Closes the pool (tests drop their databases afterwards).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(p) => p.close().await,
            Db::Pg(p) => p.close().await,
        }
    }
}
