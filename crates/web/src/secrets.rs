//! Secrets at rest. TOTP secrets must be readable to check codes, so they cannot be hashed:
//! they are sealed with XChaCha20-Poly1305 under a server key that lives outside the
//! database (an environment variable or a key file), and bound to their account (a sealed
//! secret copied to another account does not open).
//!
//! Stored form: `v1:` + base64url(24-byte nonce ‖ ciphertext ‖ tag). A value without the
//! prefix is a secret stored before encryption existed; it is accepted and sealed at the next
//! start of the service (or at its next use).

use std::path::{Path, PathBuf};

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zhucan_store::Store;

/// The prefix of a sealed value.
pub const SEALED_PREFIX: &str = "v1:";

/// The environment variable holding the server key (64 hex characters).
pub const KEY_ENV: &str = "ZHUCAN_SECRET_KEY";

/// The server key (256 bits). Its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Why a sealed value did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// Not a value this key sealed for this account (wrong key, another account, edited).
    Rejected,
}

impl SecretKey {
    /// A new random key.
    pub fn random() -> Self {
        SecretKey(rand::random())
    }

    /// Reads a key written as 64 hex characters (surrounding white space allowed).
    pub fn from_text(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 64 {
            return None;
        }
        let bytes = hex::decode(s).ok()?;
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(SecretKey(arr))
    }

    /// The key as 64 hex characters (for the key file).
    pub fn to_text(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// Seals `secret` for the account `user_id`.
    pub fn seal(&self, user_id: &str, secret: &str) -> String {
        let nonce: [u8; 24] = rand::random();
        let aad = aad(user_id);
        // Encryption fails only for inputs of gigabytes; a TOTP secret is 32 characters.
        let ct = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(24 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out)
        )
    }

    /// Opens a stored value of the account `user_id`: a sealed value with this key, or a
    /// value stored before encryption (returned as is, see [`is_sealed`]).
    pub fn open(&self, user_id: &str, stored: &str) -> Result<String, OpenError> {
        let Some(body) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_string());
        };
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Rejected)?;
        if raw.len() < 24 + 16 {
            return Err(OpenError::Rejected);
        }
        let (nonce, ct) = raw.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| OpenError::Rejected)?;
        let aad = aad(user_id);
        let pt = self
            .cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| OpenError::Rejected)?;
        String::from_utf8(pt).map_err(|_| OpenError::Rejected)
    }
}

fn aad(user_id: &str) -> Vec<u8> {
    let mut a = b"zhucan totp v1\0".to_vec();
    a.extend_from_slice(user_id.as_bytes());
    a
}

/// Whether a stored value is sealed (as opposed to a plain value from before encryption).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// Seals every plain TOTP secret still in the database (from before encryption existed).
/// Returns how many were sealed.
pub async fn seal_plain_secrets(store: &Store, key: &SecretKey) -> zhucan_store::Result<usize> {
    let mut n = 0;
    for (user_id, stored) in store.totp_secrets().await? {
        if is_sealed(&stored) {
            continue;
        }
        if store
            .replace_totp_secret(&user_id, &stored, &key.seal(&user_id, &stored))
            .await?
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Where the server key came from (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The `ZHUCAN_SECRET_KEY` environment variable.
    Env,
    /// A key file that already existed.
    File(PathBuf),
    /// A key file generated now, next to the SQLite database.
    Generated(PathBuf),
}

/// Why no server key could be had, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub zh: String,
    pub en: String,
}

impl KeyError {
    pub fn new(zh: String, en: String) -> Self {
        KeyError { zh, en }
    }
}

/// The default key file of a SQLite database URL: `PATH.key` next to the database file;
/// `None` for PostgreSQL or an in-memory database.
pub fn default_key_file(database_url: &str) -> Option<PathBuf> {
    file_next_to_database(database_url, ".key")
}

/// `PATH` + `suffix` next to a SQLite database file; `None` for PostgreSQL or an in-memory
/// database.
pub fn file_next_to_database(database_url: &str, suffix: &str) -> Option<PathBuf> {
    let rest = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    let mut p = PathBuf::from(path).into_os_string();
    p.push(suffix);
    Some(PathBuf::from(p))
}

fn read_key_file(path: &Path) -> Result<SecretKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        KeyError::new(
            format!("无法读取服务器密钥文件 {}：{e}", path.display()),
            format!("cannot read the server key file {}: {e}", path.display()),
        )
    })?;
    SecretKey::from_text(&text).ok_or_else(|| {
        KeyError::new(
            format!(
                "服务器密钥文件 {} 的内容无效：应为 64 个十六进制字符",
                path.display()
            ),
            format!(
                "the server key file {} is invalid: it must hold 64 hexadecimal characters",
                path.display()
            ),
        )
    })
}

/// Writes a new random key to `path`, readable by the owner only (mode 0600), never
/// overwriting a file.
fn generate_key_file(path: &Path) -> Result<SecretKey, KeyError> {
    let key = SecretKey::random();
    write_new_key_file(path, &key.to_text()).map_err(|e| {
        KeyError::new(
            format!("无法创建服务器密钥文件 {}：{e}", path.display()),
            format!("cannot create the server key file {}: {e}", path.display()),
        )
    })?;
    Ok(key)
}

/// Writes `text` and a newline to a new file readable by the owner only (mode 0600); an
/// existing file is never overwritten.
pub fn write_new_key_file(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(format!("{text}\n").as_bytes())?;
    f.sync_all()
}

/// Finds the server key: `ZHUCAN_SECRET_KEY` (`env_key`), else the key file given
/// (`key_file`, which must exist), else the default key file next to a SQLite database —
/// generated on first start unless the database already holds sealed secrets (then the key
/// was lost, and a new one would lock every account out of two-step verification).
/// PostgreSQL needs a configured key.
pub async fn resolve_key(
    store: &Store,
    env_key: Option<&str>,
    key_file: Option<&Path>,
    database_url: &str,
) -> Result<(SecretKey, KeySource), KeyError> {
    if let Some(text) = env_key.filter(|t| !t.trim().is_empty()) {
        return SecretKey::from_text(text)
            .map(|k| (k, KeySource::Env))
            .ok_or_else(|| {
                KeyError::new(
                    format!("环境变量 {KEY_ENV} 无效：应为 64 个十六进制字符（可用 openssl rand -hex 32 生成）"),
                    format!("{KEY_ENV} is invalid: it must be 64 hexadecimal characters (openssl rand -hex 32 makes one)"),
                )
            });
    }
    if let Some(path) = key_file {
        return read_key_file(path).map(|k| (k, KeySource::File(path.to_path_buf())));
    }
    let Some(path) = default_key_file(database_url) else {
        return Err(KeyError::new(
            format!(
                "使用 PostgreSQL 时必须配置服务器密钥：设置环境变量 {KEY_ENV}，或用 --secret-key-file 指定密钥文件"
            ),
            format!(
                "with PostgreSQL a server key must be configured: set {KEY_ENV} or give --secret-key-file"
            ),
        ));
    };
    if path.exists() {
        return read_key_file(&path).map(|k| (k, KeySource::File(path)));
    }
    let sealed = store
        .totp_secrets()
        .await
        .map(|s| s.iter().any(|(_, v)| is_sealed(v)))
        .unwrap_or(false);
    if sealed {
        return Err(KeyError::new(
            format!(
                "数据库中的双重验证密钥已加密，但找不到服务器密钥文件 {}：请恢复该文件，或设置 {KEY_ENV}",
                path.display()
            ),
            format!(
                "the database holds encrypted two-step secrets but the server key file {} is missing: restore it or set {KEY_ENV}",
                path.display()
            ),
        ));
    }
    generate_key_file(&path).map(|k| (k, KeySource::Generated(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let k = SecretKey::random();
        let sealed = k.seal("u1", "JBSWY3DPEHPK3PXP");
        assert!(is_sealed(&sealed) && !sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("u1", &sealed).as_deref(), Ok("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            k.seal("u1", "JBSWY3DPEHPK3PXP"),
            sealed,
            "a fresh nonce each time"
        );
        assert_eq!(
            k.open("u2", &sealed),
            Err(OpenError::Rejected),
            "bound to the account"
        );
        assert_eq!(
            SecretKey::random().open("u1", &sealed),
            Err(OpenError::Rejected),
            "another key"
        );
        let mut edited = sealed.clone();
        edited.pop();
        edited.push('A');
        assert!(k.open("u1", &edited).is_err() || edited == sealed);
        assert_eq!(k.open("u1", "PLAINSECRET").as_deref(), Ok("PLAINSECRET"));
        assert_eq!(k.open("u1", "v1:"), Err(OpenError::Rejected));
        assert_eq!(k.open("u1", "v1:!!!"), Err(OpenError::Rejected));
    }

    #[test]
    fn key_text_and_files() {
        let k = SecretKey::random();
        let back = SecretKey::from_text(&format!(" {}\n", k.to_text())).expect("key");
        assert_eq!(back.to_text(), k.to_text());
        assert!(SecretKey::from_text("abc").is_none());
        assert!(SecretKey::from_text(&"z".repeat(64)).is_none());
        assert_eq!(format!("{k:?}"), "SecretKey(…)");
        assert_eq!(
            default_key_file("sqlite://data/zhucan.db?mode=rwc"),
            Some(PathBuf::from("data/zhucan.db.key"))
        );
        assert_eq!(
            default_key_file("sqlite:zhucan.db"),
            Some(PathBuf::from("zhucan.db.key"))
        );
        assert_eq!(default_key_file("postgres://x/y"), None);
        assert_eq!(default_key_file("sqlite::memory:"), None);
    }

    proptest::proptest! {
        /// Any stored text opens or is rejected, never a panic; any secret round-trips.
        #[test]
        fn never_panics_and_round_trips(stored in "\\PC{0,80}", secret in "\\PC{0,64}", user in "[a-f0-9]{0,32}") {
            let k = SecretKey([7u8; 32]);
            let _ = k.open(&user, &stored);
            let _ = k.open(&user, &format!("{SEALED_PREFIX}{stored}"));
            let _ = SecretKey::from_text(&stored);
            proptest::prop_assert_eq!(k.open(&user, &k.seal(&user, &secret)), Ok(secret.clone()));
        }
    }
}
