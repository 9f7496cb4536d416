//! `zhucan indicators`: the 14 indicators of `indicators.md` as a table, the JSON document, or
//! the evaluation workbook (the area and each of its townships, with the 专栏2–5 targets).

#[allow(unused_imports)]
use crate::prelude::*;
use std::io::Write;
use std::path::PathBuf;

use crate::rules::{format_fraction, format_percent, parse_rate};
use crate::{Query, Report};
use chrono::Datelike;
use zhucan_domain::Lang;
use zhucan_domain::Localized;
use zhucan_domain::area::AreaCode;
use zhucan_facts::FactsCache;
use zhucan_store::Store;

use zhucan_web::programme::{CliContext, Failure, audit_cli};

/// `zhucan indicators`.
#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// The plan's 14 indicators (indicators.md) for a date and an area.
    Indicators {
        /// Reference date (default today).
        #[arg(long)]
        at: Option<String>,
        /// District, township or village code (default: the district).
        #[arg(long)]
        area: Option<String>,
        /// The district GDP growth to judge indicator 1 against (6.5% or 0.065); default: the
        /// rate entered for the year.
        #[arg(long)]
        gdp_growth: Option<String>,
        /// table, json or xlsx (the evaluation workbook; needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a command of the programme.
pub async fn run_command(cmd: PlanCommand, ctx: &CliContext) -> Result<u8, Failure> {
    let store = ctx.open().await?;
    match cmd {
        PlanCommand::Indicators {
            at,
            area,
            gdp_growth,
            format,
            out,
        } => {
            run(
                &store,
                Options {
                    at,
                    area,
                    gdp_growth,
                    format,
                    out,
                },
                ctx.lang,
            )
            .await
        }
    }
}

/// The options of the command.
pub struct Options {
    pub at: Option<String>,
    pub area: Option<String>,
    pub gdp_growth: Option<String>,
    pub format: String,
    pub out: Option<PathBuf>,
}

fn usage(zh: String, en: String) -> Failure {
    Failure::new(zh, en).code(2)
}

/// Runs the command; returns the exit code.
pub async fn run(store: &Store, o: Options, lang: Lang) -> Result<u8, Failure> {
    let at = match o.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => chrono::Local::now().date_naive(),
        Some(s) => zhucan_domain::parse::parse_date(s).map_err(|e| {
            usage(
                format!("--at 的值“{s}”无效：{}", e.message(Lang::Zh)),
                format!("--at “{s}” is invalid: {}", e.message(Lang::En)),
            )
        })?,
    };
    let areas = store.areas().await?;
    let area = match o.area.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => store.district().await?,
        Some(s) => {
            let code = AreaCode::parse(s).ok_or_else(|| {
                usage(
                    format!("--area 的值“{s}”无效：应为 6、9 或 12 位区划代码"),
                    format!("--area “{s}” is invalid: it must be a 6-, 9- or 12-digit area code"),
                )
            })?;
            if !areas.iter().any(|a| a.code == code) {
                return Err(usage(
                    format!("--area 的值“{s}”不在区划表中"),
                    format!("--area “{s}” is not in the area dictionary"),
                ));
            }
            code
        }
    };
    let format = o.format.trim().to_ascii_lowercase();
    if !["table", "json", "xlsx"].contains(&format.as_str()) {
        return Err(usage(
            format!("--format 的值“{}”无效：应为 table、json 或 xlsx", o.format),
            format!(
                "--format “{}” is invalid: use table, json or xlsx",
                o.format
            ),
        ));
    }
    if format == "xlsx" && o.out.is_none() {
        return Err(usage(
            "--format xlsx 需要 --out 文件名".into(),
            "--format xlsx needs --out FILE".into(),
        ));
    }
    let gdp = match o
        .gdp_growth
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(parse_rate(s).map_err(|e| {
            usage(
                format!("--gdp-growth 的值“{s}”无效：{}", e.message(Lang::Zh)),
                format!("--gdp-growth “{s}” is invalid: {}", e.message(Lang::En)),
            )
        })?),
        None => {
            let district = store.district().await?;
            store
                .gdp_growth(district.as_str(), at.year())
                .await?
                .map(|g| g.rate)
        }
    };
    let plan = crate::load_plan(store).await?.ok_or_else(|| {
        Failure::new(
            "数据库中没有配置发展规划（规划期、指标与目标）",
            "the database holds no development plan (period, indicators and targets)",
        )
    })?;
    let snap = FactsCache::new(store.clone(), vec![]).snapshot().await?;
    let mut wanted = vec![area.clone()];
    let xlsx = format == "xlsx";
    if xlsx {
        wanted.extend(
            areas
                .iter()
                .filter(|a| {
                    area.level() == zhucan_domain::AreaLevel::District
                        && a.code.level() == zhucan_domain::AreaLevel::Township
                        && area.contains(&a.code)
                })
                .map(|a| a.code.clone()),
        );
    }
    let reports = snap.evaluate(
        &plan,
        &Query {
            at,
            areas: &wanted,
            gdp_growth: gdp,
            with_targets: xlsx,
        },
    );
    let Some(main) = reports.first() else {
        return Err(Failure::new("没有结果", "no result"));
    };
    let bytes: Vec<u8> = match format.as_str() {
        "json" => {
            let mut s = serde_json::to_string_pretty(main).map_err(|e| {
                Failure::new(
                    format!("无法输出 JSON：{e}"),
                    format!("cannot write JSON: {e}"),
                )
            })?;
            s.push('\n');
            s.into_bytes()
        }
        "xlsx" => crate::evaluation::evaluation_xlsx(&reports, &plan, lang).map_err(|e| {
            Failure::new(
                format!("无法生成工作簿：{e}"),
                format!("cannot write the workbook: {e}"),
            )
        })?,
        _ => table(main, lang).into_bytes(),
    };
    match &o.out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| {
                Failure::new(
                    format!("无法写入 {}：{e}", path.display()),
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            audit_cli(
                store,
                "indicator.report",
                &path.to_string_lossy(),
                serde_json::json!({"area": area.to_string(), "at": at.to_string(), "format": format}),
            )
            .await;
            eprintln!(
                "{}",
                lang.pick(
                    &format!("已写入 {}", path.display()),
                    &format!("written to {}", path.display())
                )
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .map_err(|e| {
                    Failure::new(
                        format!("无法输出：{e}"),
                        format!("cannot write the output: {e}"),
                    )
                })?;
        }
    }
    Ok(0)
}

/// The columns a string takes in a terminal: CJK ideographs, kana, hangul and full-width
/// forms take two, everything else one (enough to line up the plan's names).
fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// `s` followed by spaces up to `width` terminal columns.
fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(columns(s))))
}

/// `s` after spaces up to `width` terminal columns (right-aligned).
fn rpad(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(columns(s))))
}

/// A plain-text table, one line per indicator, in the language of the command line: the
/// plan's indicator names and the dashboard's status words (the JSON keeps the machine keys).
pub fn table(r: &Report, lang: Lang) -> String {
    let mut s = format!(
        "{} {}（{}）{}\n",
        crate::t(lang, "area"),
        r.area.name,
        r.area.code,
        match lang {
            Lang::Zh => format!("，统计日期 {}", r.reference_date),
            Lang::En => format!(", reference date {}", r.reference_date),
        }
    );
    let name = |i: &crate::IndicatorResult| -> String {
        let n = lang.pick(&i.name, &i.name_en);
        if n.is_empty() {
            i.name.clone()
        } else {
            n.to_string()
        }
    };
    let heading = crate::t(lang, "indicator");
    let width = r
        .indicators
        .iter()
        .map(|i| columns(&name(i)))
        .chain([columns(heading)])
        .max()
        .unwrap_or(0);
    s.push_str(&format!(
        "{:>2}  {}  {}  {}  {}  {}  {}\n",
        "#",
        pad(heading, width),
        rpad(crate::t(lang, "value"), 10),
        rpad(crate::t(lang, "num-den"), 17),
        rpad(crate::t(lang, "target"), 8),
        rpad(crate::t(lang, "baseline"), 8),
        crate::t(lang, "status"),
    ));
    for i in &r.indicators {
        let micro = |v: Option<f64>| {
            v.map(|v| format_percent((v * 1e6).round() as i64))
                .unwrap_or_else(|| "—".into())
        };
        let nd = match (i.numerator, i.denominator) {
            (Some(n), Some(d)) => format!("{n}/{d}"),
            _ => "—".into(),
        };
        s.push_str(&format!(
            "{:>2}  {}  {:>10}  {:>17}  {:>8}  {:>8}  {}\n",
            i.id,
            pad(&name(i), width),
            i.value.map(format_fraction).unwrap_or_else(|| "—".into()),
            nd,
            micro(i.target),
            micro(i.baseline),
            i.status.label(lang)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_wide_characters_twice() {
        assert_eq!(columns("abc"), 3);
        assert_eq!(columns("覆盖率"), 6);
        assert_eq!(columns("“残疾人之家”覆盖率"), 2 + 16);
        assert_eq!(pad("滞后", 6), "滞后  ");
        assert_eq!(pad("toolong", 3), "toolong");
        assert_eq!(rpad("目标", 8), "    目标");
    }
}
