//! Versioned settings: each key holds its current value with a version number and who set it
//! when; every value ever set stays in `settings_history`. A save names the revision it was
//! based on, so that two administrators editing at once cannot overwrite each other unseen.

use crate::audit::AuditEvent;
use crate::{Result, Store, StoreError, now_text, on_pool, on_tx};

/// A stored setting.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// One changed setting of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    pub key: String,
    /// `None` when the key had no stored value (its default applied).
    pub old: Option<String>,
    pub new: String,
    pub version: i64,
}

impl Store {
    /// Every stored setting, by key.
    pub async fn settings(&self) -> Result<Vec<Setting>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT key, value, version, updated_by, updated_at FROM settings ORDER BY key")
                .fetch_all(p).await?
        }))
    }

    /// The earlier and current values of a key, newest first.
    pub async fn setting_history(&self, key: &str) -> Result<Vec<Setting>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT key, value, version, updated_by, updated_at FROM settings_history WHERE key = $1 ORDER BY version DESC")
                .bind(key).fetch_all(p).await?
        }))
    }

    /// The revision of a group of keys: the sum of their versions (a key never set counts 0).
    /// It grows with every change to any of them.
    pub async fn settings_revision(&self, keys: &[&str]) -> Result<i64> {
        let all = self.settings().await?;
        Ok(revision_of(&all, keys))
    }

    /// Saves `changes` (key, new value) of the group `keys` if the group is still at
    /// `expected_revision` ([`StoreError::VersionConflict`] otherwise). Unchanged values are
    /// skipped; each changed key gets a new version and a history row; `audit` (given the
    /// changes) is appended in the same transaction. Returns the changes (empty: nothing
    /// written, no audit record).
    pub async fn save_settings(
        &self,
        keys: &[&str],
        expected_revision: i64,
        changes: &[(String, String)],
        by: &str,
        audit: impl FnOnce(&[SettingChange]) -> AuditEvent,
    ) -> Result<Vec<SettingChange>> {
        let now = now_text();
        let mut tx = self.begin().await?;
        let current: Vec<Setting> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT key, value, version, updated_by, updated_at FROM settings ORDER BY key")
                .fetch_all(&mut *c).await?
        });
        let found = revision_of(&current, keys);
        if found != expected_revision {
            return Err(StoreError::VersionConflict {
                expected: expected_revision,
                found,
            });
        }
        let mut done = Vec::new();
        for (key, value) in changes {
            let old = current.iter().find(|s| &s.key == key);
            if old.is_some_and(|s| &s.value == value) {
                continue;
            }
            let version = old.map(|s| s.version + 1).unwrap_or(1);
            on_tx!(&mut tx, c => {
                if old.is_some() {
                    sqlx::query("UPDATE settings SET value = $2, version = $3, updated_by = $4, updated_at = $5 WHERE key = $1")
                        .bind(key).bind(value).bind(version).bind(by).bind(&now).execute(&mut *c).await?;
                } else {
                    sqlx::query("INSERT INTO settings (key, value, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(key).bind(value).bind(version).bind(by).bind(&now).execute(&mut *c).await?;
                }
                sqlx::query("INSERT INTO settings_history (key, version, value, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(key).bind(version).bind(value).bind(by).bind(&now).execute(&mut *c).await?;
            });
            done.push(SettingChange {
                key: key.clone(),
                old: old.map(|s| s.value.clone()),
                new: value.clone(),
                version,
            });
        }
        if done.is_empty() {
            return Ok(done);
        }
        crate::audit::append(&mut tx, &audit(&done)).await?;
        tx.commit().await?;
        Ok(done)
    }
}

fn revision_of(all: &[Setting], keys: &[&str]) -> i64 {
    all.iter()
        .filter(|s| keys.contains(&s.key.as_str()))
        .map(|s| s.version)
        .sum()
}
