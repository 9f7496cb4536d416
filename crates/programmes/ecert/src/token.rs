//! The electronic certificate (电子证照, 事情码上办): a short-lived token signed with Ed25519
//! that a QR code carries, and its verification against the live registry.
//!
//! **The token** is `base64url(payload) "." base64url(signature)` (no padding; about 140
//! characters, so that the QR code of the verification URL stays small). The payload is
//! binary, version 1:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | version (`1`) |
//! | 4 | key ID: the first 4 bytes of SHA-256 of the public key |
//! | 4 | issued at, Unix seconds (big-endian `u32`) |
//! | 4 | expires at, Unix seconds |
//! | 8 | the certificate number's digest: SHA-256(context ‖ digest key ‖ number), first 8 bytes — keyed, so that it cannot be searched back to a citizen ID |
//! | 1 | handle form: `1` lower-case hex packed into bytes, `0` UTF-8 text |
//! | 1 | handle length in bytes |
//! | n | the person's opaque handle (`persons.ref`) |
//!
//! The signature is Ed25519 over `"zhucan ecert v1\0" ‖ payload`, checked with
//! `verify_strict`. The token carries neither the citizen ID nor the certificate number nor
//! the name: whoever scans it learns only what the verification answers.
//!
//! **Verification** ([`verify_token`]) reads the store every time (no cache), so a
//! revocation shows "not valid" at once.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Local, NaiveDate, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey};
use sha2::{Digest, Sha256};
use zhucan_domain::Lang;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::CertificateStatus;
use zhucan_domain::{Category, Grade};
use zhucan_store::{PersonFile, StoreError};

use zhucan_web::AppState;
use zhucan_web::secrets::{KeyError, KeySource};

/// The environment variable holding the certificate signing key (64 hex characters: the
/// Ed25519 seed).
pub const KEY_ENV: &str = "ZHUCAN_CERT_KEY";

/// The suffix of the default key file next to a SQLite database (`zhucan.db.cert-key`).
pub const KEY_FILE_SUFFIX: &str = ".cert-key";

/// The default lifetime of a token (a QR code shown on a phone).
pub const DEFAULT_TTL: Duration = Duration::from_secs(5 * 60);

/// Tokens longer than this are malformed without further reading.
pub const MAX_TOKEN_LEN: usize = 512;

const VERSION: u8 = 1;
const SIGN_CONTEXT: &[u8] = b"zhucan ecert v1\0";
const DIGEST_CONTEXT: &[u8] = b"zhucan ecert digest v1\0";
const FIXED_LEN: usize = 1 + 4 + 4 + 4 + 8 + 1 + 1;

/// A certificate signing key: the Ed25519 key, its key ID and the key of the certificate
/// number's digest (both derived from the seed). Its `Debug` shows the key ID only.
#[derive(Clone)]
pub struct CertKey {
    signing: SigningKey,
    digest_key: [u8; 32],
    kid: [u8; 4],
}

impl std::fmt::Debug for CertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertKey(kid {})", self.kid())
    }
}

impl CertKey {
    /// The 32-byte seed of the key (for the service's configuration).
    pub fn seed(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The key of a 32-byte Ed25519 seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key().to_bytes();
        let h = Sha256::digest(public);
        let kid = [h[0], h[1], h[2], h[3]];
        let mut d = Sha256::new();
        d.update(b"zhucan ecert digest key v1\0");
        d.update(seed);
        CertKey {
            signing,
            digest_key: d.finalize().into(),
            kid,
        }
    }

    /// A new random key.
    pub fn random() -> Self {
        Self::from_seed(rand::random())
    }

    /// Reads a seed written as 64 hex characters (surrounding white space allowed).
    pub fn from_text(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 64 {
            return None;
        }
        let bytes = hex::decode(s).ok()?;
        let seed: [u8; 32] = bytes.try_into().ok()?;
        Some(Self::from_seed(seed))
    }

    /// The seed as 64 hex characters (for the key file).
    pub fn to_text(&self) -> String {
        hex::encode(self.signing.to_bytes())
    }

    /// The key ID (8 hex characters), carried in every token it signs.
    pub fn kid(&self) -> String {
        hex::encode(self.kid)
    }

    /// The public key (64 hex characters), for whoever wants to check tokens elsewhere.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    /// The digest of a certificate number under this key.
    fn digest(&self, number: &str) -> [u8; 8] {
        let mut h = Sha256::new();
        h.update(DIGEST_CONTEXT);
        h.update(self.digest_key);
        h.update(number.as_bytes());
        let d = h.finalize();
        let mut out = [0u8; 8];
        out.copy_from_slice(&d[..8]);
        out
    }
}

/// The keys of the running service: the active one signs; retired ones (after a rotation)
/// still verify the tokens they signed.
#[derive(Debug, Clone)]
pub struct CertKeys {
    pub active: CertKey,
    pub retired: Vec<CertKey>,
}

impl CertKeys {
    /// The key with this key ID.
    pub fn find(&self, kid: &[u8; 4]) -> Option<&CertKey> {
        std::iter::once(&self.active)
            .chain(self.retired.iter())
            .find(|k| &k.kid == kid)
    }
}

/// What a token says (before its signature is checked, anyone can write one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The key ID of the signing key.
    pub kid: [u8; 4],
    /// The person's opaque handle (`persons.ref`).
    pub handle: String,
    /// The digest of the certificate number the token was issued for.
    pub cert_digest: [u8; 8],
    /// Unix seconds.
    pub issued_at: u32,
    /// Unix seconds; the token is refused from this second on.
    pub expires_at: u32,
}

/// Why a token could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

fn is_hex_handle(h: &str) -> bool {
    !h.is_empty()
        && h.len().is_multiple_of(2)
        && h.len() <= 2 * 255
        && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Claims {
    /// The claims of a new token for `file` under `key`, valid from `now` for `ttl`.
    /// `None` when the times do not fit the format (after 2106) or the handle is too long.
    pub fn new(
        key: &CertKey,
        file: &PersonFile,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Option<Self> {
        let issued_at = u32::try_from(now.timestamp()).ok()?;
        let expires_at = u32::try_from(now.timestamp().checked_add(ttl.as_secs() as i64)?).ok()?;
        let claims = Claims {
            kid: key.kid,
            handle: file.handle.clone(),
            cert_digest: key.digest(file.certificate.number.as_str()),
            issued_at,
            expires_at,
        };
        (claims.handle.len() <= 255).then_some(claims)
    }

    fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(FIXED_LEN + self.handle.len());
        p.push(VERSION);
        p.extend_from_slice(&self.kid);
        p.extend_from_slice(&self.issued_at.to_be_bytes());
        p.extend_from_slice(&self.expires_at.to_be_bytes());
        p.extend_from_slice(&self.cert_digest);
        let packed = if is_hex_handle(&self.handle) {
            hex::decode(&self.handle).ok()
        } else {
            None
        };
        match packed {
            Some(bytes) => {
                p.push(1);
                p.push(bytes.len() as u8);
                p.extend_from_slice(&bytes);
            }
            None => {
                let bytes = self.handle.as_bytes();
                let n = bytes.len().min(255);
                p.push(0);
                p.push(n as u8);
                p.extend_from_slice(&bytes[..n]);
            }
        }
        p
    }

    /// The token: these claims signed with `key` (whatever key ID the claims name — tests
    /// forge tokens this way).
    pub fn sign(&self, key: &CertKey) -> String {
        let payload = self.payload();
        let sig = key.signing.sign(&signed_message(&payload));
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(sig.to_bytes())
        )
    }

    fn from_payload(p: &[u8]) -> Result<Self, Malformed> {
        if p.len() < FIXED_LEN || p[0] != VERSION {
            return Err(Malformed);
        }
        let u32_at = |i: usize| -> Result<u32, Malformed> {
            let b: [u8; 4] = p
                .get(i..i + 4)
                .ok_or(Malformed)?
                .try_into()
                .map_err(|_| Malformed)?;
            Ok(u32::from_be_bytes(b))
        };
        let kid: [u8; 4] = p[1..5].try_into().map_err(|_| Malformed)?;
        let issued_at = u32_at(5)?;
        let expires_at = u32_at(9)?;
        let cert_digest: [u8; 8] = p[13..21].try_into().map_err(|_| Malformed)?;
        let form = p[21];
        let n = usize::from(p[22]);
        let body = &p[FIXED_LEN..];
        if body.len() != n || n == 0 {
            return Err(Malformed);
        }
        let handle = match form {
            1 => hex::encode(body),
            0 => String::from_utf8(body.to_vec()).map_err(|_| Malformed)?,
            _ => return Err(Malformed),
        };
        Ok(Claims {
            kid,
            handle,
            cert_digest,
            issued_at,
            expires_at,
        })
    }
}

fn signed_message(payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGN_CONTEXT.len() + payload.len());
    m.extend_from_slice(SIGN_CONTEXT);
    m.extend_from_slice(payload);
    m
}

/// A token taken apart: its claims, the signed payload and the signature.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub claims: Claims,
    payload: Vec<u8>,
    signature: Signature,
}

fn decode_canonical(part: &str) -> Result<Vec<u8>, Malformed> {
    let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| Malformed)?;
    // One spelling per value: a different text never decodes to the same bytes.
    if URL_SAFE_NO_PAD.encode(&bytes) != part {
        return Err(Malformed);
    }
    Ok(bytes)
}

/// Reads a token without checking its signature. Never panics, whatever the text.
pub fn parse(token: &str) -> Result<Parsed, Malformed> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(Malformed);
    }
    let (p, s) = token.split_once('.').ok_or(Malformed)?;
    if p.is_empty() || s.is_empty() || s.contains('.') {
        return Err(Malformed);
    }
    let payload = decode_canonical(p)?;
    let sig: [u8; 64] = decode_canonical(s)?.try_into().map_err(|_| Malformed)?;
    let claims = Claims::from_payload(&payload)?;
    Ok(Parsed {
        claims,
        payload,
        signature: Signature::from_bytes(&sig),
    })
}

/// The verdict on a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The certificate is valid now.
    pub valid: bool,
    /// A stable code: `ok`, `malformed`, `unknown_key`, `bad_signature`, `expired`,
    /// `not_found`, `certificate_changed`, `revoked`, `deceased`, `moved_out`,
    /// `certificate_expired`, or `unavailable` (the registry could not be read: no verdict).
    pub reason: &'static str,
    /// The holder's name with all but the first character hidden (see [`mask_name`]).
    pub name_masked: Option<String>,
    pub category: Option<Category>,
    pub grade: Option<Grade>,
    pub valid_until: Option<NaiveDate>,
    /// The person's handle when the token was authentic (for the audit trail; never shown).
    pub handle: Option<String>,
    /// When the check was made.
    pub checked_at: DateTime<Utc>,
}

impl Verification {
    fn refused(reason: &'static str, now: DateTime<Utc>) -> Self {
        Verification {
            valid: false,
            reason,
            name_masked: None,
            category: None,
            grade: None,
            valid_until: None,
            handle: None,
            checked_at: now,
        }
    }

    /// Whether the registry could not be read (no verdict either way).
    pub fn unavailable(&self) -> bool {
        self.reason == "unavailable"
    }
}

/// Every reason code of [`Verification::reason`].
pub const REASONS: &[&str] = &[
    "ok",
    "malformed",
    "unknown_key",
    "bad_signature",
    "expired",
    "not_found",
    "certificate_changed",
    "revoked",
    "deceased",
    "moved_out",
    "certificate_expired",
    "unavailable",
];

/// The sentence a person reads for a reason. Deaths are worded neutrally on purpose: the
/// page is read aloud at a bus door.
pub fn reason_text(reason: &str, lang: Lang) -> &'static str {
    let (zh, en) = match reason {
        "ok" => (
            "该残疾人证真实有效。",
            "This disability certificate is genuine and valid.",
        ),
        "malformed" | "bad_signature" | "unknown_key" => (
            "二维码无法识别或已被改动，不能作为证明。",
            "The code cannot be read or has been altered; it proves nothing.",
        ),
        "expired" => (
            "二维码已过期（为防截图冒用，二维码只在几分钟内有效）。请持证人刷新后重新出示。",
            "The code has expired (codes last a few minutes so that screenshots cannot be reused). Ask the holder to refresh it and show it again.",
        ),
        "not_found" => (
            "登记系统中没有该证件。",
            "The registry holds no such certificate.",
        ),
        "certificate_changed" => (
            "该二维码对应的证件已被新证替换。请持证人刷新后重新出示。",
            "The certificate behind this code has been replaced by a new one. Ask the holder to refresh the code and show it again.",
        ),
        "revoked" => (
            "该残疾人证已注销。",
            "This disability certificate is revoked.",
        ),
        "deceased" => (
            "该残疾人证已失效。",
            "This disability certificate is no longer in force.",
        ),
        "moved_out" => (
            "持证人已迁出本区，本区不再核验该证件，请向迁入地残联核验。",
            "The holder has moved out of this district, which no longer vouches for the certificate; check with the federation of the new district.",
        ),
        "certificate_expired" => (
            "该残疾人证已过有效期。",
            "This disability certificate is past its validity date.",
        ),
        _ => (
            "暂时无法核验，请稍后再试。这不表示证件无效。",
            "The certificate cannot be checked right now; try again later. This does not mean it is not valid.",
        ),
    };
    lang.pick(zh, en)
}

/// The name as a verifier sees it: the first character, then one `*` for each further
/// character (at least one), e.g. 张** for 张三丰, 欧*** for 欧阳娜娜, 李* for 李.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    let Some(first) = chars.next() else {
        return "*".into();
    };
    let rest = chars.count().max(1);
    format!("{first}{}", "*".repeat(rest))
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("no such person")]
    NotFound,
    #[error("the token's times or handle do not fit the token format")]
    Unencodable,
    #[error("the certificate programme has no signing key in this service")]
    NoKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IssueError> for zhucan_web::error::ApiError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::NotFound => zhucan_web::error::ApiError::not_found(),
            IssueError::Store(s) => s.into(),
            IssueError::Unencodable | IssueError::NoKey => {
                tracing::error!("certificate token could not be encoded");
                zhucan_web::error::ApiError::internal()
            }
        }
    }
}

/// Issues a token for the current certificate of `person`: the token and when it expires
/// (`Config::cert_token_ttl` from now), if the person is inside `reach` (the citizen
/// themself or a ward, or staff in scope).
pub async fn issue_token(
    state: &AppState,
    person: &CitizenId,
    reach: &zhucan_store::Reach,
) -> Result<(String, DateTime<Utc>), IssueError> {
    let file = state
        .store
        .person_file(person, reach)
        .await?
        .ok_or(IssueError::NotFound)?;
    issue_for(state, &file, Utc::now())
}

/// What the programme keeps in the service's state: its keys and the verification limiter.
#[derive(Debug)]
pub struct EcertState {
    pub keys: CertKeys,
    /// Certificate verifications per client address.
    pub verify_limiter: zhucan_web::limits::RateLimiter,
}

impl EcertState {
    /// The keys of the service's configuration (a random one when none is configured: tests).
    pub fn from_config(config: &zhucan_web::Config) -> EcertState {
        EcertState {
            keys: CertKeys {
                active: config.cert_key.map(CertKey::from_seed).unwrap_or_else(|| {
                    tracing::warn!("no certificate signing key configured: certificate codes are signed with a key that lasts only as long as this process");
                    CertKey::random()
                }),
                retired: config
                    .cert_retired_keys
                    .iter()
                    .map(|s| CertKey::from_seed(*s))
                    .collect(),
            },
            verify_limiter: zhucan_web::limits::RateLimiter::new(std::time::Duration::from_secs(
                60,
            )),
        }
    }
}

/// The programme's state in the service's.
pub fn keys_of(state: &AppState) -> Option<&EcertState> {
    state.ext::<EcertState>()
}

/// Issues a token for a file already loaded.
pub fn issue_for(
    state: &AppState,
    file: &PersonFile,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), IssueError> {
    let key = &keys_of(state).ok_or(IssueError::NoKey)?.keys.active;
    let claims =
        Claims::new(key, file, now, state.config.cert_token_ttl).ok_or(IssueError::Unencodable)?;
    let expires = DateTime::<Utc>::from_timestamp(i64::from(claims.expires_at), 0)
        .ok_or(IssueError::Unencodable)?;
    Ok((claims.sign(key), expires))
}

/// Checks a token against the live registry, now.
pub async fn verify_token(state: &AppState, token: &str) -> Verification {
    verify_token_at(state, token, Utc::now()).await
}

/// Checks a token against the live registry at `now` (tests move the clock).
pub async fn verify_token_at(state: &AppState, token: &str, now: DateTime<Utc>) -> Verification {
    let refused = |reason| Verification::refused(reason, now);
    let Ok(parsed) = parse(token) else {
        return refused("malformed");
    };
    let claims = &parsed.claims;
    let Some(key) = keys_of(state).and_then(|k| k.keys.find(&claims.kid)) else {
        return refused("unknown_key");
    };
    if key
        .signing
        .verifying_key()
        .verify_strict(&signed_message(&parsed.payload), &parsed.signature)
        .is_err()
    {
        return refused("bad_signature");
    }
    if now.timestamp() >= i64::from(claims.expires_at) {
        return refused("expired");
    }
    let file = match load(state, &claims.handle).await {
        Ok(Some(f)) => f,
        Ok(None) => return refused("not_found"),
        Err(e) => {
            tracing::error!(error = %e, "certificate verification could not read the registry");
            return refused("unavailable");
        }
    };
    let mut v = refused("ok");
    v.handle = Some(file.handle.clone());
    if key.digest(file.certificate.number.as_str()) != claims.cert_digest {
        v.reason = "certificate_changed";
        return v;
    }
    let c = &file.certificate;
    let today = now.with_timezone(&Local).date_naive();
    let (reason, details) = if c.status == CertificateStatus::Revoked {
        ("revoked", true)
    } else if file.person.died_on.is_some() {
        ("deceased", false)
    } else if file.person.moved_out_on.is_some() {
        ("moved_out", false)
    } else if c.valid_until < today {
        ("certificate_expired", true)
    } else {
        ("ok", true)
    };
    v.reason = reason;
    v.valid = reason == "ok";
    if details {
        v.name_masked = Some(mask_name(&file.person.name));
        v.category = Some(c.category);
        v.grade = Some(c.grade);
        v.valid_until = Some(c.valid_until);
    }
    v
}

async fn load(state: &AppState, handle: &str) -> Result<Option<PersonFile>, StoreError> {
    let Some(id) = state.store.citizen_by_ref(handle).await? else {
        return Ok(None);
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "the public verification of a token the service signed reads the file it names; only masked fields are shown"
    )]
    let reach = zhucan_store::Reach::system("certificate verification");
    state.store.person_file(&id, &reach).await
}

/// The base of verification URLs: `Config::public_url` when set; else the scheme (https
/// behind TLS, i.e. with secure cookies) and the request's `Host`; else
/// `http://127.0.0.1:8080`.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        });
    match host {
        Some(h) => {
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{h}")
        }
        None => "http://127.0.0.1:8080".into(),
    }
}

/// The public verification URL of a token.
pub fn verify_url(state: &AppState, headers: &axum::http::HeaderMap, token: &str) -> String {
    format!("{}/verify/{token}", public_base(state, headers))
}

/// Checks a configured public URL: `http://` or `https://` and a host, no query or fragment.
/// Returns it without a trailing slash.
pub fn parse_public_url(s: &str) -> Result<String, KeyError> {
    let t = s.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.contains(['?', '#', ' ']) && !r.starts_with('/') => {
            Ok(t.to_string())
        }
        _ => Err(KeyError::new(
            format!(
                "公开网址“{s}”无效：应以 http:// 或 https:// 开头，例如 https://zhucan.example.gov.cn"
            ),
            format!(
                "the public URL “{s}” is invalid: it must start with http:// or https://, e.g. https://zhucan.example.gov.cn"
            ),
        )),
    }
}

/// The token of `GET /api/v1/me/certificate/token` (contract.md).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CertificateToken {
    /// The signed token the QR code carries.
    pub token: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    /// The public verification page of the token (what the QR code holds).
    pub verify_url: String,
}

/// Issues the token of a file the caller read through its reach, as the contract's JSON
/// document.
pub fn certificate_token(
    state: &AppState,
    file: &PersonFile,
    headers: &axum::http::HeaderMap,
) -> Result<CertificateToken, IssueError> {
    let (token, expires) = issue_for(state, file, Utc::now())?;
    Ok(CertificateToken {
        verify_url: verify_url(state, headers, &token),
        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        token,
    })
}

/// A QR code of `text` as inline SVG (`role="img"` named by `label`), black on white with
/// the standard quiet zone of 4 modules; `None` if the text is too long for a QR code.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let w = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let n = w + 2 * quiet;
    let mut d = String::new();
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if colors.get(y * w + x) == Some(&qrcode::Color::Dark) {
                let start = x;
                while x < w && colors.get(y * w + x) == Some(&qrcode::Color::Dark) {
                    x += 1;
                }
                d.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + quiet,
                    y + quiet,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" aria-label="{label}" viewBox="0 0 {n} {n}" width="256" height="256" shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#ffffff"/><path fill="#000000" d="{d}"/></svg>"##
    ))
}

/// What the certificate card shows (`templates/certificate_card.html`). The template reads
/// `card` (this) and `c` (the page's [`zhucan_web::view::Chrome`]), so a page that includes it
/// has both fields. Every value is ready to show: the caller decides on masking.
#[derive(Debug, Clone)]
pub struct CertificateCard {
    /// The prefix of the card's element IDs (`ecert-{handle}`), so that a page (a guardian's)
    /// may show several cards.
    pub dom_id: String,
    pub name: String,
    /// The citizen ID as shown (masked on staff pages).
    pub citizen_id: String,
    /// The certificate number as shown (masked on staff pages).
    pub certificate_no: String,
    pub category: String,
    pub grade: String,
    pub issued_on: String,
    pub valid_until: String,
    pub status: String,
    /// Why the code will show "not valid" (revoked, expired, deceased, moved out), if so.
    pub warning: Option<String>,
    /// The QR code (inline SVG), empty if it could not be drawn.
    pub qr_svg: String,
    /// What the QR code holds, also shown as text and as a link.
    pub verify_url: String,
    /// When the code expires (server's local time).
    pub expires_at: String,
    /// The code's lifetime in words ("5 分钟").
    pub lifetime: String,
    /// Where a new code is had (the page itself).
    pub refresh_href: String,
}

impl CertificateCard {
    /// The card of `file` with identifiers masked, for a token issued now.
    pub fn new(
        lang: Lang,
        file: &PersonFile,
        verify_url: String,
        expires: DateTime<Utc>,
        ttl: Duration,
        refresh_href: String,
    ) -> Self {
        let c = &file.certificate;
        let p = &file.person;
        let today = Local::now().date_naive();
        let warning = if c.status == CertificateStatus::Revoked {
            Some(crate::t(lang, "the-certificate-is-revoked-the-code"))
        } else if p.died_on.is_some() {
            Some(crate::t(lang, "the-holder-is-recorded-as-deceased"))
        } else if p.moved_out_on.is_some() {
            Some(crate::t(lang, "the-holder-has-moved-out-of"))
        } else if c.valid_until < today {
            Some(crate::t(lang, "the-certificate-is-past-its-validity"))
        } else {
            None
        };
        let label = crate::t(lang, "certificate-verification-qr-code-it-holds");
        let secs = ttl.as_secs();
        let lifetime = match (lang, secs) {
            (Lang::Zh, s) if s >= 60 && s.is_multiple_of(60) => format!("{} 分钟", s / 60),
            (Lang::Zh, s) => format!("{s} 秒"),
            (Lang::En, 60) => "1 minute".into(),
            (Lang::En, s) if s >= 60 && s.is_multiple_of(60) => format!("{} minutes", s / 60),
            (Lang::En, s) => format!("{s} seconds"),
        };
        CertificateCard {
            dom_id: format!(
                "ecert-{}",
                file.handle
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
            ),
            name: p.name.clone(),
            citizen_id: p.citizen_id.masked(),
            certificate_no: c.number.masked(),
            category: c.category.label(lang).to_string(),
            grade: c.grade.label(lang).to_string(),
            issued_on: c.issued_on.to_string(),
            valid_until: c.valid_until.to_string(),
            status: c.status.label(lang).to_string(),
            warning: warning.map(str::to_string),
            qr_svg: qr_svg(&verify_url, label).unwrap_or_default(),
            verify_url,
            expires_at: expires
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            lifetime,
            refresh_href,
        }
    }
}

/// Finds the certificate signing key: `ZHUCAN_CERT_KEY` (`env_key`), else the key file given
/// (`key_file`, which must exist), else `DATABASE.cert-key` next to a SQLite database,
/// generated on first start (mode 0600). Losing this key costs nothing but the tokens of the
/// last minutes, so a missing default file is simply made anew. PostgreSQL needs a
/// configured key.
pub fn resolve_key(
    env_key: Option<&str>,
    key_file: Option<&Path>,
    database_url: &str,
) -> Result<(CertKey, KeySource), KeyError> {
    if let Some(text) = env_key.filter(|t| !t.trim().is_empty()) {
        return CertKey::from_text(text)
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
    let Some(path) = zhucan_web::secrets::file_next_to_database(database_url, KEY_FILE_SUFFIX)
    else {
        return Err(KeyError::new(
            format!(
                "使用 PostgreSQL 时必须配置电子证照签名密钥：设置环境变量 {KEY_ENV}，或用 --cert-key-file 指定密钥文件"
            ),
            format!(
                "with PostgreSQL a certificate signing key must be configured: set {KEY_ENV} or give --cert-key-file"
            ),
        ));
    };
    if path.exists() {
        return read_key_file(&path).map(|k| (k, KeySource::File(path)));
    }
    let key = CertKey::random();
    zhucan_web::secrets::write_new_key_file(&path, &key.to_text()).map_err(|e| {
        KeyError::new(
            format!("无法创建电子证照签名密钥文件 {}：{e}", path.display()),
            format!(
                "cannot create the certificate signing key file {}: {e}",
                path.display()
            ),
        )
    })?;
    Ok((key, KeySource::Generated(path)))
}

/// Reads a certificate key file (64 hex characters).
pub fn read_key_file(path: &Path) -> Result<CertKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        KeyError::new(
            format!("无法读取电子证照签名密钥文件 {}：{e}", path.display()),
            format!(
                "cannot read the certificate signing key file {}: {e}",
                path.display()
            ),
        )
    })?;
    CertKey::from_text(&text).ok_or_else(|| {
        KeyError::new(
            format!(
                "电子证照签名密钥文件 {} 的内容无效：应为 64 个十六进制字符",
                path.display()
            ),
            format!(
                "the certificate signing key file {} is invalid: it must hold 64 hexadecimal characters",
                path.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(handle: &str) -> Claims {
        Claims {
            kid: [1, 2, 3, 4],
            handle: handle.into(),
            cert_digest: [9; 8],
            issued_at: 1_800_000_000,
            expires_at: 1_800_000_300,
        }
    }

    fn check(key: &CertKey, token: &str) -> bool {
        parse(token).is_ok_and(|p| {
            key.signing
                .verifying_key()
                .verify_strict(&signed_message(&p.payload), &p.signature)
                .is_ok()
        })
    }

    #[test]
    fn round_trip_and_size() {
        let key = CertKey::random();
        for handle in [
            "019a3f5e2b7c4d8e9f0a1b2c3d4e",
            "3f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
            "Some-Text_handle",
            "abc",
        ] {
            let c = claims(handle);
            let t = c.sign(&key);
            let p = parse(&t).expect("parses");
            assert_eq!(p.claims, c);
            assert!(check(&key, &t));
            assert!(
                t.len() <= 160,
                "short enough for a small QR code: {}",
                t.len()
            );
            assert!(
                t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            );
        }
        assert!(!check(&CertKey::random(), &claims("abcd").sign(&key)));
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let key = CertKey::from_seed([7; 32]);
        let t = claims("019a3f5e2b7c4d8e9f0a1b2c3d4e").sign(&key);
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
        for i in 0..t.len() {
            for r in alphabet.chars() {
                let mut s = t.clone();
                if s[i..].starts_with(r) {
                    continue;
                }
                s.replace_range(i..i + 1, &r.to_string());
                assert!(!check(&key, &s), "position {i} → {r}: {s}");
            }
        }
    }

    #[test]
    fn malformed_texts() {
        for t in [
            "",
            ".",
            "a.",
            ".a",
            "a.b.c",
            "AAAA.AAAA",
            "€.€",
            &"A".repeat(600),
        ] {
            assert!(parse(t).is_err(), "{t}");
        }
    }

    #[test]
    fn key_text_and_names() {
        let k = CertKey::random();
        let back = CertKey::from_text(&format!(" {}\n", k.to_text())).expect("key");
        assert_eq!(back.kid(), k.kid());
        assert_eq!(back.public_key_hex(), k.public_key_hex());
        assert_eq!(k.kid().len(), 8);
        assert!(CertKey::from_text("abc").is_none());
        assert!(CertKey::from_text(&"z".repeat(64)).is_none());
        assert_eq!(format!("{k:?}"), format!("CertKey(kid {})", k.kid()));
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(" 王五 "), "王*");
        assert_eq!(mask_name(""), "*");
        assert!(
            parse_public_url("https://zc.example.cn/").is_ok_and(|u| u == "https://zc.example.cn")
        );
        assert!(parse_public_url("ftp://x").is_err());
        assert!(parse_public_url("https://").is_err());
        for r in REASONS {
            assert!(!reason_text(r, Lang::Zh).is_empty());
        }
    }

    #[test]
    fn qr_code_is_inline_svg() {
        let svg = qr_svg("http://127.0.0.1:8080/verify/abc.def", "a \"label\" <x>").expect("svg");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("&quot;label&quot; &lt;x&gt;"));
        assert!(qr_svg(&"x".repeat(5000), "too long").is_none());
    }

    proptest::proptest! {
        /// Any text is read or refused, never a panic; a signed token verifies only unchanged.
        #[test]
        fn parser_never_panics(s in "\\PC{0,200}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..120)) {
            let _ = parse(&s);
            let _ = parse(&format!("{s}.{s}"));
            let _ = Claims::from_payload(&bytes);
            let b64 = URL_SAFE_NO_PAD.encode(&bytes);
            let _ = parse(&format!("{b64}.{b64}"));
        }

        #[test]
        fn a_flipped_bit_is_refused(handle in "[0-9a-f]{2,40}|[A-Za-z0-9_-]{1,40}", pos in 0usize..200, bit in 0u8..8) {
            let key = CertKey::from_seed([3; 32]);
            let c = Claims { handle: handle.clone(), ..claims("x") };
            let t = c.sign(&key);
            let p = parse(&t).expect("parses");
            proptest::prop_assert_eq!(&p.claims, &c);
            let mut payload = p.payload.clone();
            let i = pos % payload.len();
            payload[i] ^= 1 << bit;
            let (_, sig) = t.split_once('.').expect("dot");
            let forged = format!("{}.{sig}", URL_SAFE_NO_PAD.encode(&payload));
            proptest::prop_assert!(!check(&key, &forged));
        }
    }
}
