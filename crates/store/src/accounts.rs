//! Accounts, API tokens and browser sessions. Secrets are stored only as hashes: passwords as
//! Argon2id PHC strings (hashed by the caller), tokens and session IDs as SHA-256.

use serde::Serialize;
pub use zhucan_domain::access::{Role, TokenScope};
use zhucan_domain::area::AreaCode;

use crate::rows::corrupt;
use crate::{Result, Store, StoreError, now_text, on_pool, on_tx};

/// An account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub area: AreaCode,
    pub display_name: Option<String>,
    pub disabled: bool,
    /// The TOTP secret as stored, once enrolment started: sealed with the server key by the
    /// web layer (`v1:…`), or plain base32 from before encryption.
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// Whether sign-in requires the second factor.
    pub totp_enabled: bool,
    /// The last TOTP time step accepted (a code is never accepted twice).
    #[serde(skip)]
    pub totp_last_step: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub area: AreaCode,
    pub display_name: Option<String>,
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The public ID (for listing and ending; the cookie is known only by its hash).
    pub id: String,
    pub user: User,
    pub csrf_token: String,
    pub lang: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

/// An API token's metadata (never the token).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiTokenInfo {
    /// The public ID (for listing and revoking).
    pub id: String,
    pub user_id: String,
    #[sqlx(try_from = "String")]
    pub scope: TokenScopeText,
    /// How the token was issued (`cli:…`, `api session`).
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
}

/// A token scope as stored (`read` or `read_write`); an unknown stored value reads as `read`,
/// the smaller right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TokenScopeText(pub TokenScope);

impl From<String> for TokenScopeText {
    fn from(s: String) -> Self {
        TokenScopeText(TokenScope::parse(&s).unwrap_or(TokenScope::Read))
    }
}

/// A new API token (its hash; the token itself is shown once and never stored).
#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: String,
    pub token_hash: String,
    pub scope: TokenScope,
    pub label: String,
    pub expires_at: String,
}

/// A new browser session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie value.
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub lang: String,
    pub expires_at: String,
    /// The client address it was started from.
    pub client: String,
    /// The browser's `User-Agent` (shortened), so that the owner recognises the device.
    pub user_agent: String,
}

/// A session as its owner and the system administrator see it in a list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub client: String,
    pub user_agent: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    password_hash: String,
    role: String,
    area_code: String,
    display_name: Option<String>,
    disabled: bool,
    totp_secret: Option<String>,
    totp_enabled: bool,
    totp_last_step: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            area: AreaCode::parse(&r.area_code)
                .ok_or_else(|| corrupt("area_code", &r.area_code))?,
            id: r.id,
            username: r.username,
            password_hash: r.password_hash,
            display_name: r.display_name,
            disabled: r.disabled,
            totp_secret: r.totp_secret,
            totp_enabled: r.totp_enabled,
            totp_last_step: r.totp_last_step,
        })
    }
}

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.area_code, u.display_name, u.disabled, u.totp_secret, u.totp_enabled, u.totp_last_step";

/// A random identifier (hex, 128 bits).
pub fn random_id() -> String {
    let b: [u8; 16] = rand::random();
    hex::encode(b)
}

/// A time-ordered unguessable handle: 48 bits of milliseconds then 64 random bits (hex). New
/// handles append to the end of their index instead of landing at random pages.
pub fn ordered_id() -> String {
    let ms = chrono::Utc::now().timestamp_millis().max(0) as u64 & 0xffff_ffff_ffff;
    let r: u64 = rand::random();
    format!("{ms:012x}{r:016x}")
}

/// SHA-256 of a secret, hex.
pub fn hash_secret(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Creates an account; [`StoreError::Exists`] if the username is taken.
    pub async fn create_user(&self, u: &NewUser) -> Result<User> {
        let id = random_id();
        let now = now_text();
        let mut tx = self.begin().await?;
        let exists: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(&u.username).fetch_optional(&mut *c).await?
        });
        if exists.is_some() {
            return Err(StoreError::Exists(u.username.clone()));
        }
        let area_known: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT code FROM areas WHERE code = $1").bind(u.area.as_str()).fetch_optional(&mut *c).await?
        });
        if area_known.is_none() {
            return Err(StoreError::NotFound(format!("area {}", u.area)));
        }
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO users (id, username, password_hash, role, area_code, display_name, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
                .bind(&id).bind(&u.username).bind(&u.password_hash).bind(u.role.key()).bind(u.area.as_str())
                .bind(&u.display_name).bind(false).bind(&now)
                .execute(&mut *c).await?;
        });
        tx.commit().await?;
        Ok(User {
            id,
            username: u.username.clone(),
            password_hash: u.password_hash.clone(),
            role: u.role,
            area: u.area.clone(),
            display_name: u.display_name.clone(),
            disabled: false,
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: 0,
        })
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
        let r: Option<UserRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(p).await?
        });
        r.map(User::try_from).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.username");
        let r: Vec<UserRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?
        });
        r.into_iter().map(User::try_from).collect()
    }

    /// Stores a new API token's hash; returns its public ID.
    pub async fn create_api_token(&self, t: &NewToken) -> Result<String> {
        let id = random_id();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO api_tokens (token_hash, id, user_id, scope, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&t.token_hash).bind(&id).bind(&t.user_id).bind(t.scope.key()).bind(&t.label)
                .bind(now_text()).bind(&t.expires_at).execute(&mut *c).await?;
        });
        tx.commit().await?;
        Ok(id)
    }

    /// The enabled account behind an unexpired, unrevoked token, with the token's metadata.
    pub async fn token_user(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<(User, ApiTokenInfo)>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.id AS token_id, t.scope AS token_scope, t.label AS token_label,
                    t.created_at AS token_created_at, t.expires_at AS token_expires_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.disabled = $3"
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: UserRow,
            token_id: String,
            token_scope: String,
            token_label: String,
            token_created_at: String,
            token_expires_at: String,
        }
        let r: Option<Row> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(now).bind(false).fetch_optional(p).await?
        });
        let Some(r) = r else { return Ok(None) };
        let user = User::try_from(r.user)?;
        let info = ApiTokenInfo {
            id: r.token_id,
            user_id: user.id.clone(),
            scope: TokenScopeText::from(r.token_scope),
            label: r.token_label,
            created_at: r.token_created_at,
            expires_at: r.token_expires_at,
        };
        Ok(Some((user, info)))
    }

    /// The enabled account behind an unexpired, unrevoked token.
    pub async fn user_for_token(&self, token_hash: &str, now: &str) -> Result<Option<User>> {
        Ok(self.token_user(token_hash, now).await?.map(|(u, _)| u))
    }

    /// An account's usable tokens (not revoked, not expired at `now`), newest first.
    pub async fn tokens_of(&self, user_id: &str, now: &str) -> Result<Vec<ApiTokenInfo>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT id, user_id, scope, label, created_at, expires_at FROM api_tokens
                            WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND id IS NOT NULL
                            ORDER BY created_at DESC, id")
                .bind(user_id).bind(now).fetch_all(p).await?
        }))
    }

    /// Revokes one of an account's tokens by its public ID, recording `audit` in the same
    /// transaction; false (nothing written) when the account has no such usable token.
    pub async fn revoke_token(
        &self,
        user_id: &str,
        token_id: &str,
        audit: &crate::audit::AuditEvent,
    ) -> Result<bool> {
        let now = now_text();
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL")
                .bind(user_id).bind(token_id).bind(&now).execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Starts a browser session; returns its public ID.
    pub async fn create_session(&self, n: &NewSession) -> Result<String> {
        let id = random_id();
        let now = now_text();
        let ua: String = n.user_agent.chars().take(200).collect();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO sessions (id_hash, id, user_id, csrf_token, lang, created_at, last_seen_at, expires_at, client, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)")
                .bind(&n.id_hash).bind(&id).bind(&n.user_id).bind(&n.csrf_token).bind(&n.lang).bind(&now)
                .bind(&n.expires_at).bind(&n.client).bind(&ua).execute(&mut *c).await?;
        });
        tx.commit().await?;
        Ok(id)
    }

    /// An account's sessions that have not expired at `now` (absolute lifetime), newest
    /// activity first. The caller applies the idle timeout, which is a policy setting.
    pub async fn sessions_of(&self, user_id: &str, now: &str) -> Result<Vec<SessionRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT id, created_at, last_seen_at, expires_at, client, user_agent FROM sessions
                            WHERE user_id = $1 AND expires_at > $2 AND id IS NOT NULL
                            ORDER BY last_seen_at DESC, id")
                .bind(user_id).bind(now).fetch_all(p).await?
        }))
    }

    /// Ends one of an account's sessions by its public ID, recording `audit` in the same
    /// transaction; false (nothing written) when the account has no such session.
    pub async fn end_session(
        &self,
        user_id: &str,
        session_id: &str,
        audit: &crate::audit::AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
                .bind(user_id).bind(session_id).execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes sessions past their absolute lifetime or idle since before `idle_before`
    /// (housekeeping; such sessions are refused anyway). Returns how many.
    pub async fn delete_stale_sessions(&self, now: &str, idle_before: &str) -> Result<u64> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(now).bind(idle_before).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n)
    }

    /// The session with this ID hash, if it exists and its account is enabled.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionInfo>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Option<String>,
            csrf_token: String,
            lang: String,
            created_at: String,
            last_seen_at: String,
            expires_at: String,
            user_id: String,
        }
        let r: Option<Row> = on_pool!(self, p => {
            sqlx::query_as("SELECT id, csrf_token, lang, created_at, last_seen_at, expires_at, user_id FROM sessions WHERE id_hash = $1")
                .bind(id_hash).fetch_optional(p).await?
        });
        let Some(r) = r else { return Ok(None) };
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.disabled = $2");
        let u: Option<UserRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&r.user_id).bind(false).fetch_optional(p).await?
        });
        let Some(u) = u else { return Ok(None) };
        Ok(Some(SessionInfo {
            id: r.id.unwrap_or_default(),
            user: User::try_from(u)?,
            csrf_token: r.csrf_token,
            lang: r.lang,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
        }))
    }

    /// Records activity on a session (for the idle timeout) and its language.
    pub async fn touch_session(&self, id_hash: &str, lang: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE sessions SET last_seen_at = $2, lang = $3 WHERE id_hash = $1")
                .bind(id_hash).bind(now_text()).bind(lang).execute(&mut *c).await?;
        });
        tx.commit().await
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&mut *c).await?;
        });
        tx.commit().await
    }
}

impl Store {
    /// Starts (or restarts) TOTP enrolment: stores a new secret, not yet required.
    pub async fn set_totp_pending(&self, user_id: &str, secret: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled = $3, updated_at = $4 WHERE id = $1")
                .bind(user_id).bind(secret).bind(false).bind(now_text()).execute(&mut *c).await?;
        });
        tx.commit().await
    }

    /// Completes enrolment: the second factor becomes required, `step` is the code just
    /// used, and the recovery codes (hashes) replace any earlier ones.
    pub async fn enable_totp(
        &self,
        user_id: &str,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_enabled = $2, totp_last_step = $3, updated_at = $4 WHERE id = $1")
                .bind(user_id).bind(true).bind(step).bind(now_text()).execute(&mut *c).await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
            for h in recovery_hashes {
                sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(user_id).bind(h).execute(&mut *c).await?;
            }
        });
        tx.commit().await
    }

    /// Accepts TOTP time step `step` for the account once: false when it (or a later step)
    /// was already used.
    pub async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
                .bind(user_id).bind(step).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Uses up a recovery code (by hash): false when unknown or already used.
    pub async fn use_recovery_code(&self, user_id: &str, code_hash: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
                .bind(user_id).bind(code_hash).bind(now_text()).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Unused recovery codes of an account.
    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id).fetch_one(p).await?
        }))
    }

    /// The account with this ID.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let r: Option<UserRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        r.map(User::try_from).transpose()
    }
}

impl Store {
    /// Disables or re-enables an account. Disabling ends its sessions and revokes its API
    /// tokens at once.
    pub async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<()> {
        let now = now_text();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1")
                .bind(user_id).bind(disabled).bind(&now).execute(&mut *c).await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                    .bind(user_id).bind(&now).execute(&mut *c).await?;
            }
        });
        tx.commit().await
    }
}

impl Store {
    /// Binds an institution or contractor account to its organisation (or unbinds it), with
    /// `audit` appended in the same transaction. The organisation's identifier is the owning
    /// programme's (an institution's `township/name`, a contractor's code); the programme
    /// checks it exists before binding.
    pub async fn set_account_org(
        &self,
        user_id: &str,
        org_id: Option<&str>,
        audit: &crate::audit::AuditEvent,
    ) -> Result<()> {
        let now = now_text();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM account_orgs WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
            if let Some(org) = org_id {
                sqlx::query("INSERT INTO account_orgs (user_id, org_id, set_by, set_at) VALUES ($1, $2, $3, $4)")
                    .bind(user_id).bind(org).bind(&audit.account).bind(&now).execute(&mut *c).await?;
            }
        });
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await
    }

    /// The organisation an account works for, if it is bound to one.
    pub async fn account_org(&self, user_id: &str) -> Result<Option<String>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT org_id FROM account_orgs WHERE user_id = $1").bind(user_id).fetch_optional(p).await?
        }))
    }

    /// The accounts bound to an organisation.
    pub async fn accounts_of_org(&self, org_id: &str) -> Result<Vec<String>> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT user_id FROM account_orgs WHERE org_id = $1 ORDER BY user_id").bind(org_id).fetch_all(p).await?
        }))
    }
}

/// What a change of role and area did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsChange {
    pub old_role: Role,
    pub old_area: AreaCode,
    /// Sessions ended and tokens revoked because the rights changed.
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
}

impl Store {
    /// Gives an account another role and/or area. Its rights changed, so its sessions end and
    /// its API tokens are revoked at once; `audit` (given the change) is appended in the same
    /// transaction. [`StoreError::NotFound`] for an unknown account or an area missing from the
    /// dictionary; nothing is written when role and area are unchanged (`Ok(None)`).
    pub async fn set_user_rights(
        &self,
        user_id: &str,
        role: Role,
        area: &AreaCode,
        audit: impl FnOnce(&RightsChange) -> crate::audit::AuditEvent,
    ) -> Result<Option<RightsChange>> {
        let now = now_text();
        let mut tx = self.begin().await?;
        let current: Option<(String, String)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT role, area_code FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *c).await?
        });
        let Some((old_role, old_area)) = current else {
            return Err(StoreError::NotFound(format!("account {user_id}")));
        };
        let old_role = Role::parse(&old_role).ok_or_else(|| corrupt("role", &old_role))?;
        let old_area = AreaCode::parse(&old_area).ok_or_else(|| corrupt("area_code", &old_area))?;
        if old_role == role && old_area == *area {
            return Ok(None);
        }
        let area_known: Option<String> = on_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT code FROM areas WHERE code = $1").bind(area.as_str()).fetch_optional(&mut *c).await?
        });
        if area_known.is_none() {
            return Err(StoreError::NotFound(format!("area {area}")));
        }
        let (sessions_ended, tokens_revoked) = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET role = $2, area_code = $3, updated_at = $4 WHERE id = $1")
                .bind(user_id).bind(role.key()).bind(area.as_str()).bind(&now).execute(&mut *c).await?;
            let s = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *c).await?.rows_affected();
            let t = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
                .bind(user_id).bind(&now).execute(&mut *c).await?.rows_affected();
            (s, t)
        });
        let change = RightsChange {
            old_role,
            old_area,
            sessions_ended,
            tokens_revoked,
        };
        crate::audit::append(&mut tx, &audit(&change)).await?;
        tx.commit().await?;
        Ok(Some(change))
    }
}

impl Store {
    /// Every account's stored TOTP secret (as stored: sealed by the web layer, or plain from
    /// before encryption).
    pub async fn totp_secrets(&self) -> Result<Vec<(String, String)>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id")
                .fetch_all(p).await?
        }))
    }

    /// Replaces an account's stored TOTP secret if it is still `old` (compare and set); false
    /// when it changed meanwhile.
    pub async fn replace_totp_secret(&self, user_id: &str, old: &str, new: &str) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE users SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2")
                .bind(user_id).bind(old).bind(new).execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n == 1)
    }
}
