//! The second factor: time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps,
//! 6 digits) and single-use recovery codes.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per time step.
pub const STEP: i64 = 30;

/// A new random secret (160 bits), base32 without padding.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// The time step of a Unix time.
pub fn step_at(unix: i64) -> i64 {
    unix.div_euclid(STEP)
}

/// The code for a step (RFC 4226 dynamic truncation), or `None` for a malformed secret.
pub fn code_at(secret_b32: &str, step: i64, digits: u32) -> Option<String> {
    let key = data_encoding::BASE32_NOPAD
        .decode(
            secret_b32
                .trim()
                .trim_end_matches('=')
                .to_ascii_uppercase()
                .as_bytes(),
        )
        .ok()?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    let modulo = 10u32.pow(digits);
    Some(format!("{:0width$}", bin % modulo, width = digits as usize))
}

/// The step a 6-digit code matches, within one step of `now` and after `last_step`.
pub fn matching_step(secret_b32: &str, code: &str, now_unix: i64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(now_unix);
    (now - 1..=now + 1)
        .filter(|s| *s > last_step)
        .find(|s| code_at(secret_b32, *s, 6).is_some_and(|c| constant_eq(&c, &code)))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `otpauth://` URI that authenticator apps read from the QR code.
pub fn otpauth_uri(secret_b32: &str, account: &str, issuer: &str) -> String {
    let enc = |s: &str| crate::view::url_encode(s);
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// The QR code of `text` as an SVG data URI (for an `<img>`; the page's CSP allows `data:`).
pub fn qr_data_uri(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// Ten recovery codes (`xxxx-xxxx`, unambiguous characters).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let bytes: [u8; 8] = rand::random();
            let s: String = bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            format!("{}-{}", &s[..4], &s[4..])
        })
        .collect()
}

/// Normalises a typed recovery code (case, spaces, dashes) before hashing.
pub fn normalize_recovery(code: &str) -> String {
    let s: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    if s.len() == 8 {
        format!("{}-{}", &s[..4], &s[4..])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: secret "12345678901234567890".
    #[test]
    fn rfc6238_vectors() {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, code) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at(&secret, step_at(t), 8).as_deref(),
                Some(code),
                "t = {t}"
            );
        }
    }

    #[test]
    fn matching_window_and_replay() {
        let s = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&s, step_at(now), 6).unwrap_or_default();
        assert_eq!(matching_step(&s, &code, now, 0), Some(step_at(now)));
        assert_eq!(
            matching_step(&s, &code, now + 30, 0),
            Some(step_at(now)),
            "one step of clock skew"
        );
        assert_eq!(matching_step(&s, &code, now + 90, 0), None, "too old");
        assert_eq!(
            matching_step(&s, &code, now, step_at(now)),
            None,
            "already used"
        );
        assert_eq!(matching_step(&s, "12a456", now, 0), None);
        assert_eq!(code_at("not base32!", 1, 6), None);
    }

    proptest::proptest! {
        /// Any typed code or secret is either accepted or refused, never a panic.
        #[test]
        fn typed_codes_never_panic(code in "\\PC{0,20}", secret in "\\PC{0,40}", now in 0i64..4_000_000_000, last in -1i64..200_000_000) {
            let _ = matching_step(&secret, &code, now, last);
            let _ = matching_step(&new_secret(), &code, now, last);
            let _ = normalize_recovery(&code);
            let _ = code_at(&secret, now / STEP, 6);
        }
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 9));
        assert_eq!(normalize_recovery(" ABCD efgh "), "abcd-efgh");
        assert!(qr_data_uri("otpauth://totp/x").is_some());
    }
}
