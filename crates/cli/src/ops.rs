//! What the commands do, in terms of the store, the workbook reader and the demo generator.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use zhucan_domain::area::AreaCode;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_domain::{Lang, Localized};
use zhucan_store::registry::Actor;
use zhucan_store::{ImportOutcome, NewUser, Role, Store};

use crate::Failure;

/// Rows per write transaction when importing.
const BATCH: usize = 50_000;

fn bar(len: u64, msg: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(msg.to_string());
    pb
}

/// Loads the demo district: areas, institutions, persons (streamed from a generator thread).
pub async fn load_demo(
    store: &Store,
    persons: usize,
    seed: u64,
    lang: Lang,
) -> Result<(), Failure> {
    let opts = zhucan_demo::DemoOptions {
        persons,
        seed,
        ..zhucan_demo::DemoOptions::default()
    };
    let district = zhucan_demo::district(&opts);
    store.upsert_areas(&district.areas).await?;
    store.upsert_institutions(&district.institutions).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(PersonRecord, RecordExtras)>>(4);
    let gen_opts = opts.clone();
    let gen_district = district.clone();
    let producer = tokio::task::spawn_blocking(move || {
        zhucan_demo::persons(&gen_opts, &gen_district, &mut |rows| {
            tx.blocking_send(rows.to_vec()).map_err(|_| ())
        })
    });
    let pb = bar(persons as u64, lang.pick("生成演示人员", "demo persons"));
    let actor = Actor {
        name: "demo",
        source: "demo",
    };
    let mut seen = 0u64;
    let mut last: Option<String> = None;
    let mut pending: Vec<(PersonRecord, RecordExtras)> = Vec::with_capacity(BATCH);
    loop {
        let next = rx.recv().await;
        let done = next.is_none();
        if let Some(rows) = &next {
            pending.extend_from_slice(rows);
        }
        if pending.len() >= BATCH || (done && !pending.is_empty()) {
            store.merge_records(&pending, &actor).await?;
            pending.clear();
        }
        let Some(rows) = next else { break };
        for (r, _) in &rows {
            let id = r.person.citizen_id.as_str();
            if last.as_deref() != Some(id) {
                seen += 1;
                last = Some(id.to_string());
            }
        }
        pb.set_position(seen);
    }
    pb.finish_and_clear();
    producer
        .await
        .map_err(|e| {
            Failure::new(
                format!("演示数据生成失败：{e}"),
                format!("the demo generator failed: {e}"),
            )
        })?
        .map_err(|_| Failure::new("演示数据写入中断", "writing the demo data was interrupted"))?;
    eprintln!(
        "{}",
        lang.pick(
            &format!("已载入演示数据：{seen} 人。"),
            &format!("Demo district loaded: {seen} persons.")
        )
    );
    Ok(())
}

/// Creates the demo accounts that do not exist yet.
pub async fn ensure_demo_accounts(store: &Store) -> Result<(), Failure> {
    let district = zhucan_demo::district(&zhucan_demo::DemoOptions::default());
    for a in zhucan_demo::demo_accounts(&district) {
        if store.user_by_username(a.username).await?.is_some() {
            continue;
        }
        add_user(store, a.username, a.role, Some(&a.area), None, a.password).await?;
    }
    Ok(())
}

/// Prints the demo accounts.
pub async fn print_demo_accounts(store: &Store, lang: Lang) -> Result<(), Failure> {
    let district = zhucan_demo::district(&zhucan_demo::DemoOptions::default());
    let areas = store.areas().await?;
    println!(
        "{}",
        lang.pick(
            "演示账户（仅供演示，切勿用于真实数据；管理员账户首次登录须用验证器应用开启双重验证）：",
            "Demo accounts (demo only, never for real data; administrators turn on two-step verification with an authenticator app at first sign-in):"
        )
    );
    for a in zhucan_demo::demo_accounts(&district) {
        let area = areas
            .iter()
            .find(|x| x.code.as_str() == a.area)
            .map(|x| x.name.clone())
            .unwrap_or(a.area.clone());
        let role = Role::parse(a.role).map(|r| r.label(lang)).unwrap_or(a.role);
        println!("  {:<10} {:<18} {role}（{area}）", a.username, a.password);
    }
    Ok(())
}

/// Creates an account after checking every argument.
pub async fn add_user(
    store: &Store,
    username: &str,
    role: &str,
    area: Option<&str>,
    person: Option<&str>,
    password: &str,
) -> Result<(), Failure> {
    let username = username.trim();
    if username.is_empty()
        || username.chars().count() > 64
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(Failure::new(
            format!("用户名“{username}”无效：只能使用字母、数字和 . _ - @，最多 64 个字符"),
            format!("username “{username}” is invalid: use letters, digits and . _ - @, at most 64 characters"),
        )
        .code(2));
    }
    let role = Role::parse(role).ok_or_else(|| {
        let keys: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
        Failure::new(
            format!("--role 的值“{role}”无效：应为 {}", keys.join("、")),
            format!("--role “{role}” is invalid: use one of {}", keys.join(", ")),
        )
        .code(2)
    })?;
    if role == Role::Citizen || person.is_some() {
        return Err(Failure::new(
            "居民（citizen）账户随服务端功能提供，当前版本尚不能创建。",
            "citizen accounts come with the service end and cannot be created in this version yet.",
        )
        .code(2));
    }
    let area = match area {
        None => store.district().await?,
        Some(a) => AreaCode::parse(a).ok_or_else(|| {
            Failure::new(
                format!("--area 的值“{a}”无效：应为 6、9 或 12 位区划代码"),
                format!("--area “{a}” is invalid: it must be a 6-, 9- or 12-digit area code"),
            )
            .code(2)
        })?,
    };
    if let Err((zh, en)) = zhucan_web::auth::check_password_policy(password) {
        return Err(Failure::new(
            format!("密码不符合要求：{zh}"),
            format!("password rejected: {en}"),
        )
        .code(2));
    }
    let hash = zhucan_web::auth::hash_password(password).map_err(|e| {
        Failure::new(
            format!("密码处理失败：{e}"),
            format!("password hashing failed: {e}"),
        )
    })?;
    let new = NewUser {
        username: username.to_string(),
        password_hash: hash,
        role,
        area: area.clone(),
        display_name: None,
    };
    match store.create_user(&new).await {
        Ok(_) => Ok(()),
        Err(zhucan_store::StoreError::Exists(_)) => Err(Failure::new(
            format!("用户名“{username}”已存在"),
            format!("username “{username}” is already taken"),
        )
        .code(2)),
        Err(zhucan_store::StoreError::NotFound(_)) => Err(Failure::new(
            format!("--area 的区划代码 {area} 不在区划字典中"),
            format!("--area {area} is not in the area dictionary"),
        )
        .code(2)),
        Err(e) => Err(e.into()),
    }
}

/// Records a command-line action in the audit trail (the operator is the OS user).
pub async fn audit_cli(store: &Store, action: &str, object: &str, detail: serde_json::Value) {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let e = zhucan_store::audit::AuditEvent {
        account: format!("cli:{who}"),
        role: "operator".into(),
        area: String::new(),
        client: "cli".into(),
        action: action.into(),
        object: object.into(),
        outcome: "ok".into(),
        detail,
    };
    if let Err(err) = store.audit(&e).await {
        tracing::error!(error = %err, "audit record could not be written");
    }
}

/// `30d`, `12h`, `90m`, `3600s`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0 && secs <= 400 * 86_400).then(|| Duration::from_secs(secs))
}

/// `zhucan import`: exit 0 when every row is in, 3 when some rows were rejected, 2 when nothing
/// was imported.
pub async fn import(
    store: &Store,
    file: &Path,
    survey_year: Option<i32>,
    strict: bool,
    report: Option<&Path>,
    lang: Lang,
) -> Result<u8, Failure> {
    if let Some(r) = report {
        let ext = r
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext != "json" && ext != "xlsx" {
            return Err(Failure::new(
                format!("--report 的文件名“{}”须以 .json 或 .xlsx 结尾", r.display()),
                format!("--report “{}” must end in .json or .xlsx", r.display()),
            )
            .code(2));
        }
    }
    let known = store.areas().await?;
    let opts = zhucan_workbook::ImportOptions {
        survey_year,
        today: chrono::Local::now().date_naive(),
        lang,
    };
    let path = file.to_path_buf();
    let pb = bar(0, lang.pick("读取", "reading"));
    let pb2 = pb.clone();
    let parsed = tokio::task::spawn_blocking(move || {
        zhucan_workbook::read_workbook(&path, &known, &opts, &mut |done, total| {
            pb2.set_length(total as u64);
            pb2.set_position(done as u64);
        })
    })
    .await
    .map_err(|e| Failure::new(format!("读取失败：{e}"), format!("reading failed: {e}")))?;
    pb.finish_and_clear();
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            let name = file.display();
            return Err(Failure::new(
                format!("无法导入 {name}：{}", e.message(Lang::Zh)),
                format!("cannot import {name}: {}", e.message(Lang::En)),
            )
            .code(2));
        }
    };
    let rejected_rows: HashSet<(String, u32)> = parsed
        .rejected
        .iter()
        .map(|i| (i.sheet.clone(), i.row))
        .collect();
    let write_report = |imported: usize| -> Result<(), Failure> {
        if let Some(r) = report {
            let res = if r
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
            {
                zhucan_workbook::write_report_xlsx(r, imported, &parsed.rejected, &parsed.warnings)
                    .map_err(|e| e.to_string())
            } else {
                zhucan_workbook::write_report_json(r, imported, &parsed.rejected, &parsed.warnings)
                    .map_err(|e| e.to_string())
            };
            res.map_err(|e| {
                Failure::new(
                    format!("无法写入报告 {}：{e}", r.display()),
                    format!("cannot write the report {}: {e}", r.display()),
                )
            })?;
        }
        Ok(())
    };
    print_issues(&parsed.rejected, lang.pick("拒绝", "rejected"));
    print_issues(&parsed.warnings, lang.pick("提示", "warning"));
    if strict && !parsed.rejected.is_empty() {
        write_report(0)?;
        eprintln!(
            "{}",
            lang.pick(
                &format!(
                    "严格模式：有 {} 行被拒绝，未导入任何数据。",
                    rejected_rows.len()
                ),
                &format!(
                    "strict mode: {} rows rejected, nothing imported.",
                    rejected_rows.len()
                )
            )
        );
        return Ok(2);
    }
    store.upsert_areas(&parsed.areas).await?;
    let institutions: Vec<_> = parsed
        .institutions
        .iter()
        .map(|i| i.institution.clone())
        .collect();
    store.upsert_institutions(&institutions).await?;
    let rows: Vec<(PersonRecord, RecordExtras)> = parsed
        .persons
        .iter()
        .map(|p| (p.record.clone(), p.extras.clone()))
        .collect();
    let pb = bar(rows.len() as u64, lang.pick("写入", "writing"));
    let actor = Actor {
        name: "import",
        source: "import",
    };
    let (mut inserted, mut updated, mut unchanged) = (0usize, 0usize, 0usize);
    for chunk in rows.chunks(BATCH) {
        for o in store.merge_records(chunk, &actor).await? {
            match o {
                ImportOutcome::Inserted => inserted += 1,
                ImportOutcome::Updated => updated += 1,
                ImportOutcome::Unchanged => unchanged += 1,
            }
        }
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    let imported = rows.len() + institutions.len() + parsed.areas.len();
    audit_cli(
        store,
        "registry.import",
        &file.display().to_string(),
        serde_json::json!({"rows": rows.len(), "inserted": inserted, "updated": updated, "unchanged": unchanged, "rejected_rows": rejected_rows.len()}),
    )
    .await;
    write_report(imported)?;
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "导入完成：人员行 {} 行（新增 {inserted}，更新 {updated}，无变化 {unchanged}），机构 {} 个，区划 {} 个；拒绝 {} 行；提示 {} 条。",
                rows.len(),
                institutions.len(),
                parsed.areas.len(),
                rejected_rows.len(),
                parsed.warnings.len()
            ),
            Lang::En => format!(
                "Import done: {} person rows ({inserted} new, {updated} updated, {unchanged} unchanged), {} institutions, {} areas; {} rows rejected; {} warnings.",
                rows.len(),
                institutions.len(),
                parsed.areas.len(),
                rejected_rows.len(),
                parsed.warnings.len()
            ),
        }
    );
    Ok(if rejected_rows.is_empty() { 0 } else { 3 })
}

fn print_issues(issues: &[zhucan_workbook::Issue], kind: &str) {
    const SHOWN: usize = 50;
    for i in issues.iter().take(SHOWN) {
        eprintln!(
            "{kind}: {} {} [{}] “{}” — {}",
            i.sheet, i.row, i.column, i.value, i.message
        );
    }
    if issues.len() > SHOWN {
        eprintln!("{kind}: … (+{})", issues.len() - SHOWN);
    }
}
