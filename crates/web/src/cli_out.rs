//! Output of the programmes' commands: the `--format` choice, and writing to `--out` or
//! standard output.

use std::io::Write;
use std::path::PathBuf;

use zhucan_domain::Lang;

use crate::programme::Failure;

/// The `--format` value (`table`, `json` or `xlsx`; xlsx needs `--out`), lower-cased.
pub fn format_of(raw: &str, out: Option<&PathBuf>) -> Result<String, Failure> {
    let f = raw.trim().to_ascii_lowercase();
    if !["table", "json", "xlsx"].contains(&f.as_str()) {
        return Err(Failure::new(
            format!("--format 的值“{raw}”无效：应为 table、json 或 xlsx"),
            format!("--format “{raw}” is invalid: use table, json or xlsx"),
        )
        .code(2));
    }
    if f == "xlsx" && out.is_none() {
        return Err(Failure::new(
            "--format xlsx 需要 --out 文件名",
            "--format xlsx needs --out FILE",
        )
        .code(2));
    }
    Ok(f)
}

/// Writes a command's output to `--out` (saying so on stderr) or to stdout.
pub fn emit(bytes: Vec<u8>, out: Option<&PathBuf>, lang: Lang) -> Result<(), Failure> {
    match out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                Failure::new(
                    format!("无法写入 {}：{e}", path.display()),
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            eprintln!(
                "{}",
                lang.pick(
                    &format!("已写入 {}", path.display()),
                    &format!("written to {}", path.display())
                )
            );
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(&bytes).and_then(|_| o.flush()).map_err(|e| {
                Failure::new(
                    format!("无法输出：{e}"),
                    format!("cannot write the output: {e}"),
                )
            })?;
        }
    }
    Ok(())
}

/// Pretty JSON with a final newline.
pub fn json_bytes(v: &serde_json::Value) -> Result<Vec<u8>, Failure> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| {
        Failure::new(
            format!("无法输出 JSON：{e}"),
            format!("cannot write JSON: {e}"),
        )
    })?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// A workbook that could not be written.
pub fn xlsx_failed(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        format!("无法生成工作簿：{e}"),
        format!("cannot write the workbook: {e}"),
    )
}
