//! What the commands do, in terms of the store, the workbook reader and the demo generator.

use indicatif::{ProgressBar, ProgressStyle};
use zhucan_domain::area::AreaCode;
use zhucan_domain::person::{PersonRecord, RecordExtras};
use zhucan_domain::{Lang, Localized};
use zhucan_service::store::ServiceStore;
use zhucan_store::registry::Actor;
use zhucan_store::{NewUser, Role, Store};

use crate::Failure;

/// The operator at the command line reads any file (the machine and the database are theirs);
/// commands that show a person are audited as CLI events.
fn operator_reach() -> zhucan_store::Reach {
    #[expect(
        clippy::disallowed_methods,
        reason = "the command line is the process's own caller"
    )]
    zhucan_store::Reach::system("command line")
}

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
    let pb = bar(persons as u64, zhucan::t(lang, "demo-persons"));
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
        zhucan::tf(
            lang,
            "demo-district-loaded-seen-persons",
            &[("seen", seen.to_string().into())]
        )
    );
    Ok(())
}

/// Writes the programmes' demo data that is missing and creates the demo accounts that do
/// not exist yet; returns the programmes' accounts (bound to their organisations).
pub async fn ensure_demo_accounts(
    store: &Store,
    programmes: &zhucan_web::programme::Programmes,
) -> Result<Vec<zhucan_web::programme::DemoOrgAccount>, Failure> {
    let district = zhucan_demo::district(&zhucan_demo::DemoOptions::default());
    for a in zhucan_demo::demo_accounts(&district) {
        if store.user_by_username(a.username).await?.is_some() {
            continue;
        }
        add_user(
            store,
            a.username,
            a.role,
            Some(&a.area),
            &[],
            false,
            a.password,
        )
        .await?;
        // The demo partner is the civil-affairs department's.
        if a.role == "partner" {
            set_department(
                store,
                a.username,
                zhucan_domain::ledger::Department::CivilAffairs,
            )
            .await?;
        }
    }
    if store.user_by_username(DEMO_CITIZEN).await?.is_none()
        && let Some(person) = demo_citizen_person(store).await?
    {
        add_user(
            store,
            DEMO_CITIZEN,
            "citizen",
            None,
            &[person.to_string()],
            false,
            DEMO_CITIZEN_PASSWORD,
        )
        .await?;
    }
    let orgs = programmes.demo(store).await?;
    for a in &orgs {
        if store.user_by_username(a.username).await?.is_some() {
            continue;
        }
        add_user(
            store,
            a.username,
            a.role.key(),
            Some(&a.area),
            &[],
            false,
            a.password,
        )
        .await?;
        let user = account(store, a.username).await?;
        let event = zhucan_web::programme::cli_event(
            "account.org",
            a.username,
            serde_json::json!({"new": a.org, "demo": true}),
        );
        store
            .set_account_org(&user.id, Some(&a.org), &event)
            .await?;
    }
    Ok(orgs)
}

/// The demo citizen account (demo only).
const DEMO_CITIZEN: &str = "jumin";
const DEMO_CITIZEN_PASSWORD: &str = "demo-Jumin-2025";

/// The person the demo citizen account belongs to: the first active person of the demo
/// village worker's village.
async fn demo_citizen_person(store: &Store) -> Result<Option<zhucan_domain::CitizenId>, Failure> {
    let district = zhucan_demo::district(&zhucan_demo::DemoOptions::default());
    let Some(village) = zhucan_demo::demo_accounts(&district)
        .into_iter()
        .find(|a| a.role == "village_worker")
        .and_then(|a| AreaCode::parse(&a.area))
    else {
        return Ok(None);
    };
    let page = store
        .search(&zhucan_store::PersonQuery {
            text: None,
            area: Some(village),
            page: 1,
            per_page: 200,
        })
        .await?;
    Ok(page
        .items
        .into_iter()
        .find(|p| p.status == "valid" && p.died_on.is_none() && p.moved_out_on.is_none())
        .map(|p| p.citizen_id))
}

/// Prints the demo accounts, the programmes' `orgs` last.
pub async fn print_demo_accounts(
    store: &Store,
    lang: Lang,
    orgs: &[zhucan_web::programme::DemoOrgAccount],
) -> Result<(), Failure> {
    let district = zhucan_demo::district(&zhucan_demo::DemoOptions::default());
    let areas = store.areas().await?;
    println!("{}", zhucan::t(lang, "demo-accounts-demo-only-never-for"));
    for a in zhucan_demo::demo_accounts(&district) {
        let area = areas
            .iter()
            .find(|x| x.code.as_str() == a.area)
            .map(|x| x.name.clone())
            .unwrap_or(a.area.clone());
        let role = Role::parse(a.role).map(|r| r.label(lang)).unwrap_or(a.role);
        println!("  {:<10} {:<18} {role}（{area}）", a.username, a.password);
    }
    if let Some(u) = store.user_by_username(DEMO_CITIZEN).await? {
        let name = match store.persons_of_account(&u.id).await?.first() {
            Some((id, _)) => store
                .person_file(id, &operator_reach())
                .await?
                .map(|f| f.person.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        println!(
            "  {:<10} {:<18} {}（{name}）",
            DEMO_CITIZEN,
            DEMO_CITIZEN_PASSWORD,
            Role::Citizen.label(lang)
        );
    }
    for a in orgs {
        println!(
            "  {:<10} {:<18} {}（{}）",
            a.username,
            a.password,
            a.role.label(lang),
            a.org_name
        );
    }
    Ok(())
}

/// Creates an account after checking every argument.
pub async fn add_user(
    store: &Store,
    username: &str,
    role: &str,
    area: Option<&str>,
    persons: &[String],
    guardian: bool,
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
    if (role == Role::Citizen) == persons.is_empty() {
        return Err(Failure::new(
            "citizen 账户须用 --person 指明人员（公民身份号码），其他角色不能带 --person",
            "a citizen account needs --person CITIZEN_ID, and other roles take no --person",
        )
        .code(2));
    }
    let mut links = Vec::new();
    for (i, raw) in persons.iter().enumerate() {
        let id = zhucan_domain::CitizenId::parse(raw)
            .map_err(|e| {
                Failure::new(
                    format!("--person 的值“{raw}”无效：{}", e.message(Lang::Zh)),
                    format!("--person “{raw}” is invalid: {}", e.message(Lang::En)),
                )
                .code(2)
            })?
            .id;
        if store.person_file(&id, &operator_reach()).await?.is_none() {
            return Err(Failure::new(
                format!("--person：没有公民身份号码为 {} 的人员档案", id.masked()),
                format!(
                    "--person: there is no person file with citizen ID {}",
                    id.masked()
                ),
            )
            .code(2));
        }
        let rel = if guardian || i > 0 {
            zhucan_service::store::Relation::Guardian
        } else {
            zhucan_service::store::Relation::Own
        };
        links.push((id, rel));
    }
    let area = match area {
        None => match links.first() {
            Some((id, _)) => match store.person_file(id, &operator_reach()).await? {
                Some(f) => f.person.village.unwrap_or(f.person.township),
                None => store.district().await?,
            },
            None => store.district().await?,
        },
        Some(a) => AreaCode::parse(a).ok_or_else(|| {
            Failure::new(
                format!("--area 的值“{a}”无效：应为 6、9 或 12 位区划代码"),
                format!("--area “{a}” is invalid: it must be a 6-, 9- or 12-digit area code"),
            )
            .code(2)
        })?,
    };
    let min_len = zhucan_web::policy::Policy::in_force(store)
        .await?
        .password_min_length;
    if let Err((zh, en)) = zhucan_web::auth::check_password_policy(password, min_len) {
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
    let created = if links.is_empty() {
        store.create_user(&new).await.map(|_| ())
    } else {
        store.create_citizen(&new, &links, "cli").await.map(|_| ())
    };
    match created {
        Ok(()) => Ok(()),
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

pub use zhucan_web::programme::{audit_cli, cli_event};

async fn account(store: &Store, username: &str) -> Result<zhucan_store::User, Failure> {
    store.user_by_username(username).await?.ok_or_else(|| {
        Failure::new(
            format!("没有名为“{username}”的账户"),
            format!("there is no account named “{username}”"),
        )
        .code(2)
    })
}

/// `zhucan user set-role`: another role (and area) for an account; its sessions end and its
/// tokens are revoked; audited with old → new values. Returns the message to print.
pub async fn set_role(
    store: &Store,
    username: &str,
    role: &str,
    area: Option<&str>,
    lang: Lang,
) -> Result<String, Failure> {
    let user = account(store, username).await?;
    let role_value = role;
    let role = Role::parse(role)
        .filter(|r| *r != Role::Citizen)
        .ok_or_else(|| {
            let keys: Vec<&str> = Role::ALL
                .iter()
                .filter(|r| **r != Role::Citizen)
                .map(|r| r.key())
                .collect();
            Failure::new(
                format!("--role 的值“{role_value}”无效：应为 {}", keys.join("、")),
                format!(
                    "--role “{role_value}” is invalid: use one of {}",
                    keys.join(", ")
                ),
            )
            .code(2)
        })?;
    let area = match area {
        None => user.area.clone(),
        Some(a) => AreaCode::parse(a).ok_or_else(|| {
            Failure::new(
                format!("--area 的值“{a}”无效：应为 6、9 或 12 位区划代码"),
                format!("--area “{a}” is invalid: it must be a 6-, 9- or 12-digit area code"),
            )
            .code(2)
        })?,
    };
    let result = store
        .set_user_rights(&user.id, role, &area, |change| {
            cli_event(
                "account.rights_change",
                &user.username,
                serde_json::json!({
                    "role": [change.old_role.key(), role.key()],
                    "area": [change.old_area.to_string(), area.to_string()],
                    "sessions_ended": change.sessions_ended,
                    "tokens_revoked": change.tokens_revoked,
                }),
            )
        })
        .await;
    match result {
        Ok(None) => Ok(zhucan::tf(
            lang,
            "account-username-role-and-area-unchanged",
            &[("username", username.to_string().into())],
        )
        .to_string()),
        Ok(Some(c)) => Ok(match lang {
            Lang::Zh => format!(
                "账户 {username}：角色 {} → {}，地区 {} → {area}；已结束 {} 个会话，吊销 {} 个令牌",
                c.old_role.key(),
                role.key(),
                c.old_area,
                c.sessions_ended,
                c.tokens_revoked
            ),
            Lang::En => format!(
                "account {username}: role {} → {}, area {} → {area}; {} sessions ended, {} tokens revoked",
                c.old_role.key(),
                role.key(),
                c.old_area,
                c.sessions_ended,
                c.tokens_revoked
            ),
        }),
        Err(zhucan_store::StoreError::NotFound(_)) => Err(Failure::new(
            format!("--area 的区划代码 {area} 不在区划字典中"),
            format!("--area {area} is not in the area dictionary"),
        )
        .code(2)),
        Err(e) => Err(e.into()),
    }
}

/// `zhucan user disable/enable`: disabling ends the account's sessions and revokes its tokens.
pub async fn set_disabled(store: &Store, username: &str, disabled: bool) -> Result<(), Failure> {
    let user = account(store, username).await?;
    store.set_user_disabled(&user.id, disabled).await?;
    audit_cli(
        store,
        if disabled {
            "account.disable"
        } else {
            "account.enable"
        },
        username,
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

/// The `--department` of a partner account (only partner accounts have one).
pub fn partner_department(
    role: &str,
    raw: &str,
) -> Result<zhucan_domain::ledger::Department, Failure> {
    use zhucan_domain::ledger::Department;
    if Role::parse(role) != Some(Role::Partner) {
        return Err(Failure::new(
            "只有协同部门账号（--role partner）才有 --department",
            "only partner accounts (--role partner) take --department",
        )
        .code(2));
    }
    Department::parse(raw).ok_or_else(|| {
        let keys: Vec<&str> = Department::ALL.iter().map(|d| d.key()).collect();
        Failure::new(
            format!("--department 的值“{raw}”无效：应为 {}", keys.join("、")),
            format!(
                "--department “{raw}” is invalid: use one of {}",
                keys.join(", ")
            ),
        )
        .code(2)
    })
}

/// Sets a partner account's department (audited as the operator's).
pub async fn set_department(
    store: &Store,
    username: &str,
    department: zhucan_domain::ledger::Department,
) -> Result<(), Failure> {
    use zhucan_feeds::prelude::*;
    let user = store
        .user_by_username(username.trim())
        .await?
        .ok_or_else(|| {
            Failure::new(
                format!("没有名为“{username}”的账号"),
                format!("there is no account named “{username}”"),
            )
        })?;
    let event = zhucan_web::programme::cli_event(
        "feeds.partner.department",
        &user.username,
        serde_json::json!({"department": department.key()}),
    );
    store
        .set_department(&user.id, Some(department), &event.account, &event)
        .await?;
    Ok(())
}

/// The demo's partner feeds and programme records: for one person in fifty, a civil-affairs
/// roll (低保 ended on 2025-11-15), medical insurance, a rehabilitation service, an event, a
/// job; and two deaths reported by public security. Deterministic (the persons in ID order).
pub async fn demo_feeds(store: &Store, lang: Lang) -> Result<(), Failure> {
    use serde_json::json;
    use zhucan_domain::ledger::FactKind;
    use zhucan_domain::person::EconomicStatus;
    let total = store.count_persons(None).await?;
    let step = 50usize;
    let mut rows: std::collections::BTreeMap<FactKind, Vec<serde_json::Value>> =
        std::collections::BTreeMap::new();
    let mut after = String::new();
    let mut n = 0usize;
    loop {
        let page = store.export_chunk(&after, 5_000).await?;
        let Some(last) = page.last() else { break };
        after = last.person.citizen_id.to_string();
        for p in &page {
            n += 1;
            if !n.is_multiple_of(step) {
                continue;
            }
            let id = p.person.citizen_id.to_string();
            let name = p.person.name.clone();
            let (kind, row) = match (n / step) % 5 {
                0 => {
                    let low = p.surveys.iter().max_by_key(|s| s.year).is_some_and(|s| {
                        matches!(
                            s.economic_status,
                            Some(EconomicStatus::Dibao | EconomicStatus::Dibian)
                        )
                    });
                    let status = if low { "无" } else { "低保" };
                    (
                        FactKind::CivilAffairs,
                        json!({"citizen_id": id, "name": name, "status": status, "effective_from": "2025-11-15"}),
                    )
                }
                1 => (
                    FactKind::Insurance,
                    json!({"citizen_id": id, "name": name, "insurance": "医疗", "scheme": "城乡居民", "enrolled_on": "2025-02-01", "paid_by_government": "是"}),
                ),
                2 => (
                    FactKind::RehabService,
                    json!({"citizen_id": id, "name": name, "served_on": "2025-06-10", "service": "肢体康复训练", "institution": "黄岩区残疾人康复中心"}),
                ),
                3 => (
                    FactKind::EventAttendance,
                    json!({"citizen_id": id, "name": name, "attended_on": "2025-05-18", "event": "全国助残日文体活动", "event_kind": "文化"}),
                ),
                _ => (
                    FactKind::Employment,
                    json!({"citizen_id": id, "name": name, "employment_status": "灵活就业", "from": "2024-09-01"}),
                ),
            };
            rows.entry(kind).or_default().push(row);
            if (n / step) % 97 == 7 {
                rows.entry(FactKind::PublicSecurity).or_default().push(
                    json!({"citizen_id": p.person.citizen_id.to_string(), "name": p.person.name, "change": "死亡", "changed_on": "2025-10-01"}),
                );
            }
        }
    }
    if total == 0 {
        return Ok(());
    }
    let sender = zhucan_feeds::run::Sender {
        account: "demo".into(),
        role: None,
        area: store.district().await?,
        department: None,
        client: "demo".into(),
    };
    for (kind, list) in rows {
        let body = zhucan_feeds::run::Body::Rows(
            list.into_iter()
                .filter_map(|v| v.as_object().cloned())
                .collect(),
        );
        zhucan_feeds::run::submit(store, kind, "file", body, &sender, None, lang)
            .await
            .map_err(|e| {
                Failure::new(
                    format!("演示数据的部门数据无法写入：{e}"),
                    format!("the demo's department data cannot be written: {e}"),
                )
            })?;
    }
    Ok(())
}
