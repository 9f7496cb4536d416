//! `zhucan subsidies audit | payroll | explain` (`contract.md`, Subsidies).

#[allow(unused_imports)]
use crate::prelude::*;
use std::path::PathBuf;

use crate::store::PayrollLine;
use serde_json::json;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::parse::{Month, fen_to_yuan};
use zhucan_domain::{Lang, Localized};
use zhucan_facts::FactsCache;
use zhucan_store::Store;

use zhucan_web::cli_out::{emit, format_of, json_bytes, xlsx_failed};
use zhucan_web::programme::{CliContext, Failure};

fn usage(zh: String, en: String) -> Failure {
    Failure::new(zh, en).code(2)
}

/// `zhucan subsidies …`.
#[derive(Debug, clap::Subcommand)]
pub enum SubsidiesCli {
    /// The two subsidies: the 应补尽补 audit, the payroll, one person's explanation.
    Subsidies {
        #[command(subcommand)]
        command: SubsidiesCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum SubsidiesCommand {
    /// Eligible persons not receiving and persons receiving who are not eligible, at a month.
    Audit {
        #[arg(long)]
        month: String,
        #[arg(long)]
        area: Option<String>,
        /// table, json or xlsx (needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The month's payments (the closed payroll once approved, else the live draft).
    Payroll {
        #[arg(long)]
        month: String,
        #[arg(long)]
        area: Option<String>,
        /// table, json or xlsx (needs --out).
        #[arg(long, default_value = "table")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Each subsidy's decision for one person and month, condition by condition.
    Explain {
        citizen_id: String,
        #[arg(long)]
        month: String,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

/// Runs a command of the programme.
pub async fn run_command(cmd: SubsidiesCli, ctx: &CliContext) -> Result<u8, Failure> {
    let store = ctx.open().await?;
    let lang = ctx.lang;
    let SubsidiesCli::Subsidies { command } = cmd;
    match command {
        SubsidiesCommand::Audit {
            month,
            area,
            format,
            out,
        } => audit(&store, &month, area.as_deref(), &format, out, lang).await,
        SubsidiesCommand::Payroll {
            month,
            area,
            format,
            out,
        } => payroll(&store, &month, area.as_deref(), &format, out, lang).await,
        SubsidiesCommand::Explain {
            citizen_id,
            month,
            format,
        } => explain(&store, &citizen_id, &month, &format, lang).await,
    }
}

/// Reads `--month`.
pub fn parse_month(s: &str) -> Result<Month, Failure> {
    Month::parse(s).map_err(|e| {
        usage(
            format!("--month 的值“{s}”无效：{}", e.message(Lang::Zh)),
            format!("--month “{s}” is invalid: {}", e.message(Lang::En)),
        )
    })
}

async fn area(store: &Store, raw: Option<&str>) -> Result<AreaCode, Failure> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(store.district().await?),
        Some(s) => {
            let code = AreaCode::parse(s).ok_or_else(|| {
                usage(
                    format!("--area 的值“{s}”无效：应为 6、9 或 12 位区划代码"),
                    format!("--area “{s}” is invalid: it must be a 6-, 9- or 12-digit area code"),
                )
            })?;
            if !store.areas().await?.iter().any(|a| a.code == code) {
                return Err(usage(
                    format!("--area 的值“{s}”不在区划表中"),
                    format!("--area “{s}” is not in the area dictionary"),
                ));
            }
            Ok(code)
        }
    }
}

/// `zhucan subsidies audit`.
pub async fn audit(
    store: &Store,
    month: &str,
    area_raw: Option<&str>,
    format: &str,
    out: Option<PathBuf>,
    lang: Lang,
) -> Result<u8, Failure> {
    let m = parse_month(month)?;
    let area = area(store, area_raw).await?;
    let format = format_of(format, out.as_ref())?;
    let policy = store.policy().await?;
    let snap = FactsCache::new(
        store.clone(),
        vec![std::sync::Arc::new(crate::facts::SubsidyLayer)],
    )
    .snapshot()
    .await?;
    let findings = snap.audit(&policy, m, &area);
    let bytes = match format.as_str() {
        "json" => json_bytes(&json!({
            "month": m.to_string(),
            "area": area.to_string(),
            "findings": findings.iter().map(|f| json!({
                "citizen_id": f.citizen_id.to_string(),
                "subsidy": f.subsidy.key(),
                "finding": f.finding.key(),
                "reasons": f.reasons,
                "basis": f.basis,
                "township": f.township,
            })).collect::<Vec<_>>(),
        }))?,
        "xlsx" => {
            let rows: Vec<Vec<String>> = findings
                .iter()
                .map(|f| {
                    vec![
                        f.citizen_id.to_string(),
                        f.township.clone(),
                        f.subsidy.label(lang).to_string(),
                        f.finding.label(lang).to_string(),
                        f.reasons.join(", "),
                    ]
                })
                .collect();
            let heads = [
                crate::t(lang, "citizen-id"),
                crate::t(lang, "township"),
                crate::t(lang, "subsidy"),
                crate::t(lang, "finding"),
                crate::t(lang, "reasons"),
            ];
            zhucan_web::xlsx::list_xlsx(
                &format!("{} {m}", crate::t(lang, "subsidy-audit")),
                &heads,
                &rows,
            )
            .map_err(xlsx_failed)?
        }
        _ => {
            let mut s = match lang {
                Lang::Zh => format!("{m} 应补尽补核查（{area}）：{} 条\n", findings.len()),
                Lang::En => format!("{m} subsidy audit ({area}): {} findings\n", findings.len()),
            };
            for f in &findings {
                s.push_str(&format!(
                    "{}  {}  {:<8}  {:<24}  {}\n",
                    f.citizen_id.masked(),
                    f.township,
                    f.subsidy.key(),
                    f.finding.key(),
                    f.reasons.join(",")
                ));
            }
            s.into_bytes()
        }
    };
    emit(bytes, out.as_ref(), lang)?;
    Ok(0)
}

/// The month's payroll: the stored lines of an approved (closed) month, else the live draft.
pub async fn payroll_lines(
    store: &Store,
    m: Month,
    area: &AreaCode,
) -> Result<(String, Vec<PayrollLine>, Vec<crate::facts::AuditFinding>), Failure> {
    if let Some((run, lines)) = store.payroll(m).await?
        && run.status == "approved"
    {
        let lines = lines
            .into_iter()
            .filter(|l| AreaCode::parse(&l.township).is_some_and(|t| area.contains(&t)))
            .collect();
        return Ok(("approved".into(), lines, Vec::new()));
    }
    let policy = store.policy().await?;
    let snap = FactsCache::new(
        store.clone(),
        vec![std::sync::Arc::new(crate::facts::SubsidyLayer)],
    )
    .snapshot()
    .await?;
    // Who is enrolled but left out this month, and why (with the partner rows behind it).
    let withheld = snap
        .audit(&policy, m, area)
        .into_iter()
        .filter(|f| f.finding == crate::rules::Finding::ReceivingNotEligible)
        .collect();
    Ok(("draft".into(), snap.payroll(&policy, m, area), withheld))
}

/// `zhucan subsidies payroll`.
pub async fn payroll(
    store: &Store,
    month: &str,
    area_raw: Option<&str>,
    format: &str,
    out: Option<PathBuf>,
    lang: Lang,
) -> Result<u8, Failure> {
    let m = parse_month(month)?;
    let area = area(store, area_raw).await?;
    let format = format_of(format, out.as_ref())?;
    let (status, lines, withheld) = payroll_lines(store, m, &area).await?;
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let bytes = match format.as_str() {
        "json" => json_bytes(&json!({
            "month": m.to_string(),
            "area": area.to_string(),
            "status": status,
            "payments": lines.iter().map(|l| json!({
                "citizen_id": l.citizen_id.to_string(),
                "subsidy": l.subsidy.key(),
                "amount_fen": l.amount_fen,
                "kind": l.kind,
                "for_month": l.for_month.to_string(),
                "township": l.township,
            })).collect::<Vec<_>>(),
            "total_fen": total,
            "withheld": withheld.iter().map(|f| json!({
                "citizen_id": f.citizen_id.to_string(),
                "subsidy": f.subsidy.key(),
                "reasons": f.reasons,
                "basis": f.basis,
                "township": f.township,
            })).collect::<Vec<_>>(),
        }))?,
        "xlsx" => {
            crate::workbooks::payroll_xlsx(m, &status, &lines, None, lang).map_err(xlsx_failed)?
        }
        _ => {
            let mut s = match lang {
                Lang::Zh => format!(
                    "{m} 两项补贴发放（{area}，{status}）：{} 笔，合计 {} 元\n",
                    lines.len(),
                    fen_to_yuan(total)
                ),
                Lang::En => format!(
                    "{m} subsidy payroll ({area}, {status}): {} payments, total ¥{}\n",
                    lines.len(),
                    fen_to_yuan(total)
                ),
            };
            for l in &lines {
                s.push_str(&format!(
                    "{}  {}  {:<8}  {:<9}  {}  {:>10}\n",
                    l.citizen_id.masked(),
                    l.township,
                    l.subsidy.key(),
                    l.kind,
                    l.for_month,
                    fen_to_yuan(l.amount_fen)
                ));
            }
            s.into_bytes()
        }
    };
    emit(bytes, out.as_ref(), lang)?;
    Ok(0)
}

/// `zhucan subsidies explain`.
pub async fn explain(
    store: &Store,
    citizen_id: &str,
    month: &str,
    format: &str,
    lang: Lang,
) -> Result<u8, Failure> {
    let m = parse_month(month)?;
    let id: CitizenId = CitizenId::parse(citizen_id)
        .map_err(|e| {
            usage(
                format!("公民身份号码“{citizen_id}”无效：{}", e.message(Lang::Zh)),
                format!(
                    "citizen ID “{citizen_id}” is invalid: {}",
                    e.message(Lang::En)
                ),
            )
        })?
        .id;
    #[expect(
        clippy::disallowed_methods,
        reason = "the operator at the command line reads any file; the read is audited"
    )]
    let reach = zhucan_store::Reach::system("command line");
    let file = store.person_file(&id, &reach).await?.ok_or_else(|| {
        usage(
            format!("没有公民身份号码为 {} 的人员", id.masked()),
            format!("there is no person with citizen ID {}", id.masked()),
        )
    })?;
    let benefits = store
        .benefits_of(std::slice::from_ref(&id))
        .await?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let policy = store.policy().await?;
    let e = crate::facts::explain_person(&file, benefits, &policy, m, lang);
    let bytes = if format.trim().eq_ignore_ascii_case("json") {
        json_bytes(&serde_json::to_value(&e).unwrap_or_default())?
    } else {
        let mut s = format!("{} {} · {m}\n", file.person.name, id.masked());
        for x in &e.subsidies {
            let verdict = match (x.eligible, lang) {
                (true, Lang::Zh) => "符合条件",
                (false, Lang::Zh) => "不符合条件",
                (true, Lang::En) => "eligible",
                (false, Lang::En) => "not eligible",
            };
            let receiving = match (x.receiving, lang) {
                (true, Lang::Zh) => "享受中",
                (false, Lang::Zh) => "未享受",
                (true, Lang::En) => "receiving",
                (false, Lang::En) => "not receiving",
            };
            s.push_str(&format!(
                "\n{}：{verdict}，{receiving}\n",
                x.subsidy.label(lang)
            ));
            for c in &x.conditions {
                s.push_str(&format!("  {}\n", c.text));
            }
            if let Some(f) = x.finding {
                s.push_str(&format!(
                    "  → {}（{}）\n",
                    f.label(lang),
                    x.reasons.join(", ")
                ));
            }
            s.push_str(&format!(
                "  {}{}\n",
                crate::t(lang, "rule-version"),
                x.rule_version
            ));
            for p in &x.parameters {
                s.push_str(&format!(
                    "  {} #{} {} = {}（{} 起，{}）\n",
                    crate::t(lang, "parameter"),
                    p.id,
                    p.key,
                    p.value,
                    p.effective_from,
                    p.source
                ));
            }
        }
        s.into_bytes()
    };
    emit(bytes, None, lang)?;
    Ok(0)
}
