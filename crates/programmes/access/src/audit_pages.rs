//! The auditors' pages: search the audit trail and export it (auditor role only; each search
//! and export is itself recorded).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use zhucan_domain::Lang;
use zhucan_domain::access::Role;
use zhucan_store::audit::{AuditQuery, AuditRecord};

use zhucan_web::AppState;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{PageError, PageResult, Right};

use zhucan_web::usecase::Holds;
use zhucan_web::view::{Chrome, render, url_encode};

/// The actions the service records, for the filter.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("person.read", "查阅档案", "read a person file"),
    ("person.search", "查询人员", "search persons"),
    ("person.create", "登记人员", "register a person"),
    ("person.change", "修改档案", "change a person file"),
    ("registry.export", "导出花名册", "export the registry"),
    ("registry.import", "导入花名册", "import the registry"),
    ("login", "登录", "sign in"),
    ("logout", "退出", "sign out"),
    ("api.session", "API 登录", "API sign-in"),
    ("person.reveal", "显示完整号码", "reveal full identifiers"),
    ("account.create", "创建账户", "create an account"),
    ("account.disable", "停用账户", "disable an account"),
    ("account.enable", "启用账户", "enable an account"),
    (
        "account.rights_change",
        "更改角色和地区",
        "change an account's role and area",
    ),
    ("session.end", "结束会话", "end a session"),
    ("token.create", "签发令牌", "issue a token"),
    ("token.revoke", "吊销令牌", "revoke a token"),
    (
        "settings.change",
        "修改安全策略",
        "change the security policy",
    ),
    (
        "audit.purge",
        "清理过期审计记录",
        "purge expired audit records",
    ),
    (
        "account.2fa_enabled",
        "开启双重验证",
        "turn on two-step verification",
    ),
    ("audit.search", "查询审计日志", "search the audit trail"),
    ("audit.export", "导出审计日志", "export the audit trail"),
    ("database.backup", "备份数据库", "back up the database"),
    (
        "certificate.card",
        "出示电子证照",
        "show an electronic certificate",
    ),
    (
        "certificate.verify",
        "核验电子证照",
        "verify an electronic certificate",
    ),
];

#[derive(Deserialize, Default)]
pub struct AuditParams {
    account: Option<String>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
}

impl AuditParams {
    fn query(&self, limit: i64, page: i64) -> AuditQuery {
        AuditQuery {
            account: self.account.clone(),
            action: self.action.clone(),
            object: self.object.clone(),
            from: self.from.clone(),
            until: self.until.clone(),
            limit,
            offset: (page - 1) * limit,
        }
    }

    fn href(&self, base: &str, page: Option<i64>) -> String {
        let v = |o: &Option<String>| url_encode(o.as_deref().unwrap_or(""));
        let mut h = format!(
            "{base}?account={}&action={}&object={}&from={}&until={}",
            v(&self.account),
            v(&self.action),
            v(&self.object),
            v(&self.from),
            v(&self.until)
        );
        if let Some(p) = page {
            h.push_str(&format!("&page={p}"));
        }
        h
    }

    fn detail(&self) -> serde_json::Value {
        serde_json::json!({"account": self.account, "action": self.action, "object": self.object, "from": self.from, "until": self.until})
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    q_account: String,
    q_action: String,
    q_object: String,
    q_from: String,
    q_until: String,
    actions: Vec<(String, String)>,
    rows: Vec<AuditRecord>,
    summary: String,
    export_href: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// Reads the audit trail: the auditor only.
#[derive(Debug, Clone, Copy)]
pub struct ReadsAuditTrail;

impl Right for ReadsAuditTrail {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role == Role::Auditor
    }

    fn refusal() -> Option<(&'static str, &'static str)> {
        Some((
            "只有审计员可以查阅审计日志。",
            "Only auditors may read the audit trail.",
        ))
    }
}

/// The signed-in auditor.
type Auditor = Holds<ReadsAuditTrail>;

const PER_PAGE: i64 = 50;

pub async fn audit_page(
    State(state): State<AppState>,
    caller: Auditor,
    Query(p): Query<AuditParams>,
) -> PageResult {
    let lang = caller.lang;
    let page: i64 = p
        .page
        .as_deref()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "audit.search",
            "",
            "ok",
            p.detail(),
        ),
    )
    .await;
    let (total, rows) = match state.store.audit_search(&p.query(PER_PAGE, page)).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "audit search failed");
            return Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "查询失败，已记录。",
                "The search failed; it has been logged.",
            ));
        }
    };
    let rows = masked(rows);
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let here: String = p.href("/audit", Some(page));
    let title: String = crate::t(lang, "audit-trail").to_string();
    let c = zhucan_web::pages::chrome(Some(&caller), lang, &here, "audit", &title);
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            c,
            q_account: s(&p.account),
            q_action: s(&p.action),
            q_object: s(&p.object),
            q_from: s(&p.from),
            q_until: s(&p.until),
            actions: ACTIONS
                .iter()
                .map(|(k, zh, en)| (k.to_string(), lang.pick(zh, en).to_string()))
                .collect(),
            summary: match lang {
                Lang::Zh => format!("共 {total} 条记录，第 {page} 页，共 {pages} 页。"),
                Lang::En => format!("{total} records, page {page} of {pages}."),
            },
            rows,
            export_href: p.href("/audit/export.csv", None),
            page_label: String::new(),
            prev_href: (page > 1).then(|| p.href("/audit", Some(page - 1))),
            next_href: (page < pages).then(|| p.href("/audit", Some(page + 1))),
        },
    ))
}

/// The records as the auditor sees them: citizen IDs, certificate numbers and phone numbers in
/// the account, object and detail masked (`identifiers.md`). The auditor holds no reveal
/// right; a person's records are found by filtering on the full ID. The hashes are those of
/// the stored records (`zhucan audit verify` checks the chain on the database).
fn masked(rows: Vec<AuditRecord>) -> Vec<AuditRecord> {
    use zhucan_domain::ids::mask_identifiers_in;
    rows.into_iter()
        .map(|mut r| {
            r.account = mask_identifiers_in(&r.account);
            r.object = mask_identifiers_in(&r.object);
            r.detail = mask_identifiers_in(&r.detail);
            r
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = zhucan_domain::parse::sheet_text(s);
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn audit_export(
    State(state): State<AppState>,
    caller: Auditor,
    Query(p): Query<AuditParams>,
) -> PageResult {
    let (total, rows) = match state.store.audit_search(&p.query(100_000, 1)).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "audit export failed");
            return Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "导出失败，已记录。",
                "The export failed; it has been logged.",
            ));
        }
    };
    let rows = masked(rows);
    let mut detail = p.detail();
    if let Some(o) = detail.as_object_mut() {
        o.insert("records".into(), serde_json::json!(rows.len()));
        o.insert("total".into(), serde_json::json!(total));
    }
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "audit.export",
            "audit.csv",
            "ok",
            detail,
        ),
    )
    .await;
    let mut out = String::from(
        "\u{feff}seq,at,account,role,area,client,action,object,outcome,detail,prev_hash,hash\r\n",
    );
    for r in rows {
        let fields = [
            r.seq.to_string(),
            r.at,
            r.account,
            r.role,
            r.area,
            r.client,
            r.action,
            r.object,
            r.outcome,
            r.detail,
            r.prev_hash,
            r.hash,
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
