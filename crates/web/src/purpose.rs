//! A stated purpose (用途) for a large export of named persons: an export of more rows than the
//! security policy's `export_purpose_rows` needs one, and it goes into the audit record (data
//! minimisation, PIPL art. 28). The registry's workbook export and the indicator drill-down
//! both ask for it through [`check_purpose`].

use zhucan_domain::Lang;
use zhucan_domain::messages::Arg;

/// The shortest purpose accepted for a large export (characters, after trimming).
pub const PURPOSE_MIN_CHARS: usize = 4;

/// The longest purpose accepted (the form's `maxlength`; it goes into the audit detail).
pub const PURPOSE_MAX_CHARS: usize = 200;

/// The purpose typed for an export of `rows` rows, trimmed; or the message for the `purpose`
/// field when it is too long, or missing or too short while `rows` is over `threshold`.
pub fn check_purpose(
    lang: Lang,
    raw: Option<&str>,
    rows: usize,
    threshold: usize,
) -> Result<String, String> {
    let purpose = raw.map(str::trim).unwrap_or_default().to_string();
    let chars = purpose.chars().count();
    if chars > PURPOSE_MAX_CHARS {
        let start: String = purpose.chars().take(20).collect();
        return Err(crate::tf(
            lang,
            "export-purpose-too-long",
            &[
                ("start", start.into()),
                ("max", Arg::from(PURPOSE_MAX_CHARS)),
            ],
        ));
    }
    if rows > threshold && chars < PURPOSE_MIN_CHARS {
        return Err(crate::tf(
            lang,
            "export-purpose-needed",
            &[
                ("purpose", purpose.into()),
                ("rows", Arg::from(rows)),
                ("threshold", Arg::from(threshold)),
                ("min", Arg::from(PURPOSE_MIN_CHARS)),
            ],
        ));
    }
    Ok(purpose)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_export_needs_a_purpose_and_a_long_one_is_refused() {
        assert_eq!(check_purpose(Lang::Zh, None, 10, 1000), Ok(String::new()));
        let e = check_purpose(Lang::Zh, Some(" 看 "), 1001, 1000).expect_err("refused");
        assert!(
            e.contains("1001") && e.contains("1000") && e.contains("“看”"),
            "{e}"
        );
        let e = check_purpose(Lang::En, None, 5000, 1000).expect_err("refused");
        assert!(e.contains("5000 rows"), "{e}");
        assert_eq!(
            check_purpose(Lang::Zh, Some(" 年度核查 "), 5000, 1000),
            Ok("年度核查".into())
        );
        let long = "长".repeat(201);
        assert!(
            check_purpose(Lang::En, Some(&long), 1, 1000)
                .expect_err("refused")
                .contains("at most 200")
        );
    }
}
