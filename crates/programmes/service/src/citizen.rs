//! The service end (服务端) for disabled people and their families: sign-up by matching the
//! file, "my file" with entitlements, the service catalogue and guided applications with
//! uploads, following an application and answering requests, needs with the satisfaction
//! answer, messages, and the display preferences (large text, high contrast, easy-read).
//!
//! A citizen account reaches only the person files it is linked to ([`linked`]); any other
//! person is "not found".

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::{BTreeMap, HashMap};
use zhucan_web::usecase::{
    CsrfForm, Holds, OrPage, PageError, PageResult, Posted, Right, read_multipart,
};

use crate::rules::{
    NeedKind, Satisfaction, ServiceDef, check_answers, check_upload, safe_file_name,
};
use crate::store::{AppQuery, Application, Relation, Upload};
use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zhucan_domain::Localized;
use zhucan_domain::access::Role;
use zhucan_domain::ids::{CertificateNo, CitizenId};
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{Month, fen_to_yuan};
use zhucan_store::registry::Actor;
use zhucan_store::{NewUser, PersonFile};

use zhucan_web::AppState;
use zhucan_web::auth::{self, PageCaller, request_lang};
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{chrome, csrf_ok, error_page, not_found_for, store_error};
use zhucan_web::trail::{self, Client, audit_event};
use zhucan_web::view::{Chrome, display_of, render};

// ---------------------------------------------------------------- who the citizen acts for

/// Acts on the service end: a citizen account (the person, or a guardian).
#[derive(Debug, Clone, Copy)]
pub struct IsCitizen;

impl Right for IsCitizen {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role == Role::Citizen
    }
}

/// A person file linked to the account.
#[derive(Debug, Clone)]
pub struct Linked {
    pub id: CitizenId,
    pub relation: Relation,
    pub handle: String,
    pub name: String,
}

/// The linked files, and the one chosen by `p` (a handle; default the first).
pub struct Ctx {
    pub linked: Vec<Linked>,
    pub file: PersonFile,
}

impl Ctx {
    fn handle(&self) -> &str {
        &self.file.handle
    }
}

/// The person files a citizen account may see.
pub async fn linked(state: &AppState, caller: &PageCaller) -> Result<Vec<Linked>, PageError> {
    if !IsCitizen::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    let links = state
        .store
        .persons_of_account(&caller.user.id)
        .await
        .or_page(caller)?;
    let reach = state
        .store
        .reach_of_citizen(&caller.user)
        .await
        .or_page(caller)?;
    let mut out = Vec::new();
    for (id, relation) in links {
        if let Ok(Some(f)) = state.store.person_file(&id, &reach).await {
            out.push(Linked {
                id,
                relation,
                handle: f.handle.clone(),
                name: f.person.name.clone(),
            });
        }
    }
    Ok(out)
}

/// The person file a citizen account works on: the `p` handle among its linked files (its
/// own first); 403 for another role, 404 for a handle not linked.
pub async fn ctx(state: &AppState, caller: &PageCaller, p: Option<&str>) -> Result<Ctx, PageError> {
    let linked = linked(state, caller).await?;
    let chosen = match p.map(str::trim).filter(|s| !s.is_empty()) {
        Some(h) => linked.iter().find(|l| l.handle == h),
        None => linked.first(),
    }
    .ok_or_else(|| PageError::not_found(caller))?;
    let reach = state
        .store
        .reach_of_citizen(&caller.user)
        .await
        .or_page(caller)?;
    let file = state
        .store
        .person_file(&chosen.id, &reach)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    Ok(Ctx { linked, file })
}

/// The links to the other linked files on the same page (`_person_switch.html`).
pub fn switcher(ctx: &Ctx, path: &str) -> Vec<(String, String, bool)> {
    ctx.linked
        .iter()
        .map(|l| {
            (
                format!("{path}?p={}", l.handle),
                match l.relation {
                    Relation::Own => l.name.clone(),
                    Relation::Guardian => format!("{}（监护）", l.name),
                },
                l.handle == ctx.file.handle,
            )
        })
        .collect()
}

fn today() -> chrono::NaiveDate {
    zhucan_web::view::today()
}

// ---------------------------------------------------------------- sign-up

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    mismatch: Option<String>,
}

fn signup_fields(lang: Lang) -> Vec<FormField> {
    vec![
        FormField::new("relation", crate::t(lang, "i-am"), "select")
            .required()
            .options(vec![
                ("self".into(), crate::t(lang, "the-certified-person").into()),
                (
                    "guardian".into(),
                    crate::t(lang, "the-guardian-named-on-the-file").into(),
                ),
            ]),
        FormField::new("name", crate::t(lang, "certificate-holder-s-name"), "text")
            .required()
            .autocomplete("name"),
        FormField::new("citizen_id", crate::t(lang, "holder-s-citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "n-18-characters-the-last-may-be")),
        FormField::new(
            "certificate_no",
            crate::t(lang, "certificate-number"),
            "text",
        )
        .required()
        .hint(crate::t(lang, "n-20-characters-the-id-and-two")),
        FormField::new(
            "guardian_name",
            crate::t(lang, "guardian-s-name-when-a-guardian"),
            "text",
        ),
        FormField::new("username", crate::t(lang, "username"), "text")
            .required()
            .autocomplete("username")
            .hint(crate::t(lang, "letters-digits-and-at-most-64")),
        FormField::new("password", crate::t(lang, "password"), "password")
            .required()
            .autocomplete("new-password")
            .hint(crate::t(lang, "at-least-10-characters-from-two")),
        FormField::new("password2", crate::t(lang, "password-again"), "password")
            .required()
            .autocomplete("new-password"),
    ]
}

pub async fn signup_form(headers: HeaderMap) -> Response {
    let lang = request_lang(&headers);
    let page = SignupPage {
        c: chrome(
            None,
            lang,
            "/signup",
            "",
            crate::t(lang, "create-your-account"),
        )
        .with_display(display_of(&headers)),
        fields: signup_fields(lang),
        errors: vec![],
        mismatch: None,
    };
    render(StatusCode::OK, &page)
}

pub async fn signup(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = request_lang(&headers);
    let render_form = |sub: &Submission, mismatch: Option<String>, status: StatusCode| {
        let mut fields = signup_fields(lang);
        let errors = sub.apply(&mut fields);
        for f in fields.iter_mut().filter(|f| f.kind == "password") {
            f.value.clear();
        }
        let page = SignupPage {
            c: chrome(
                None,
                lang,
                "/signup",
                "",
                crate::t(lang, "create-your-account"),
            )
            .with_display(display_of(&headers)),
            fields,
            errors,
            mismatch,
        };
        render(status, &page)
    };
    let policy = state.policy().await;
    if let Err(wait) = state
        .login_limiter
        .check(&client, policy.login_rate_per_minute)
    {
        let sub = Submission::new(form);
        let mut r = render_form(
            &sub,
            Some(match lang {
                Lang::Zh => format!("尝试过于频繁，请 {wait} 秒后再试。"),
                Lang::En => format!("Too many attempts; try again in {wait} seconds."),
            }),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let mut sub = Submission::new(form);
    let relation = match sub.get("relation") {
        "guardian" => Relation::Guardian,
        "self" | "" => Relation::Own,
        other => {
            let m = format!("“{other}”{}", crate::t(lang, "is-not-a-choice"));
            sub.fail("relation", m);
            Relation::Own
        }
    };
    let name = sub.get("name").to_string();
    if name.is_empty() {
        sub.fail("name", crate::t(lang, "is-required").into());
    }
    let id = match CitizenId::parse(sub.get("citizen_id")) {
        Ok(p) => Some(p.id),
        Err(e) => {
            let m = format!("“{}”：{}", sub.get("citizen_id"), e.message(lang));
            sub.fail("citizen_id", m);
            None
        }
    };
    let cert = match CertificateNo::parse(sub.get("certificate_no")) {
        Ok(p) => Some(p.number),
        Err(e) => {
            let m = format!("“{}”：{}", sub.get("certificate_no"), e.message(lang));
            sub.fail("certificate_no", m);
            None
        }
    };
    let guardian_name = sub.get("guardian_name").to_string();
    if relation == Relation::Guardian && guardian_name.is_empty() {
        sub.fail(
            "guardian_name",
            crate::t(lang, "is-required-for-a-guardian").into(),
        );
    }
    let username = sub.get("username").to_string();
    if username.is_empty()
        || username.chars().count() > 64
        || !username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        let m = format!("“{username}”{}", crate::t(lang, "is-not-a-valid-username"));
        sub.fail("username", m);
    }
    let password = sub.values.get("password").cloned().unwrap_or_default();
    if let Err((zh, en)) = auth::check_password_policy(&password, policy.password_min_length) {
        sub.fail("password", lang.pick(&zh, &en).to_string());
    } else if sub.values.get("password2").map(String::as_str) != Some(password.as_str()) {
        sub.fail(
            "password2",
            crate::t(lang, "the-passwords-do-not-match").into(),
        );
    }
    let (Some(id), Some(cert), true) = (id, cert, sub.errors.is_empty()) else {
        return render_form(&sub, None, StatusCode::UNPROCESSABLE_ENTITY);
    };
    // The file must say the same: name, ID, current certificate number (and guardian). Which of
    // them differs is not said, so that nothing is learnt about a stranger's file.
    #[expect(
        clippy::disallowed_methods,
        reason = "a new account's claim is matched against the file it names; nothing of the file is shown"
    )]
    let reach = zhucan_store::Reach::system("account claim");
    let file = state.store.person_file(&id, &reach).await.ok().flatten();
    let matches = file.as_ref().is_some_and(|f| {
        f.person.name.trim() == name
            && f.certificate.number == cert
            && (relation == Relation::Own
                || f.person.guardian_name.as_deref().map(str::trim) == Some(guardian_name.as_str()))
    });
    let mismatch_msg = crate::t(lang, "the-details-do-not-match-the");
    if !matches {
        trail::record(
            &state.store,
            trail::anonymous_event(&username, &client, "account.signup", "failed"),
        )
        .await;
        return render_form(
            &sub,
            Some(mismatch_msg.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let Some(file) = file else {
        return render_form(
            &sub,
            Some(mismatch_msg.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    if relation == Relation::Own {
        match state.store.account_links(&id, Relation::Own).await {
            Ok(0) => {}
            Ok(_) => {
                return render_form(
                    &sub,
                    Some(crate::t(lang, "this-person-already-has-an-account").into()),
                    StatusCode::CONFLICT,
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "signup lookup failed");
                return error_page(
                    None,
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "服务器内部错误，请稍后再试。",
                    "Internal error; try again later.",
                );
            }
        }
    }
    let hash = match auth::hash_password(&password) {
        Ok(h) => h,
        Err(_) => {
            return error_page(
                None,
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后再试。",
                "Internal error; try again later.",
            );
        }
    };
    let new = NewUser {
        username: username.clone(),
        password_hash: hash,
        role: Role::Citizen,
        area: file.person.home_area().clone(),
        display_name: Some(match relation {
            Relation::Own => name.clone(),
            Relation::Guardian => guardian_name.clone(),
        }),
    };
    let user = match state
        .store
        .create_citizen(&new, &[(id.clone(), relation)], "signup")
        .await
    {
        Ok(u) => u,
        Err(zhucan_store::StoreError::Exists(_)) => {
            sub.fail(
                "username",
                format!("“{username}”{}", crate::t(lang, "is-taken-choose-another")),
            );
            return render_form(&sub, None, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => {
            tracing::error!(error = %e, "signup failed");
            return error_page(
                None,
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后再试。",
                "Internal error; try again later.",
            );
        }
    };
    trail::record(
        &state.store,
        audit_event(
            &user,
            &client,
            "account.signup",
            id.as_str(),
            "ok",
            serde_json::json!({"relation": relation.key()}),
        ),
    )
    .await;
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match auth::start_session(&state, &user, lang, &client, ua).await {
        Ok(cookie) => (
            [(header::SET_COOKIE, cookie)],
            Redirect::to("/me?welcome=1"),
        )
            .into_response(),
        Err(_) => Redirect::to("/login?next=/me").into_response(),
    }
}

// ---------------------------------------------------------------- my file

#[derive(Debug, Deserialize, Default)]
pub struct MeParams {
    p: Option<String>,
    welcome: Option<String>,
}

struct Entitlement {
    key: String,
    name: String,
    easy: String,
    state: String,
    apply: bool,
}

struct AppLine {
    id: String,
    service: String,
    status: String,
    status_key: String,
    submitted: String,
    due: String,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    c: Chrome,
    persons: Vec<(String, String, bool)>,
    handle: String,
    name: String,
    citizen_id: String,
    certificate_no: String,
    category: String,
    grade: String,
    issued: String,
    valid_until: String,
    status: String,
    smart_card: String,
    subsidies: Vec<(String, String)>,
    payments: Vec<(String, String, String)>,
    entitlements: Vec<Entitlement>,
    applications: Vec<AppLine>,
    unread: usize,
    notice: Option<String>,
    /// The programmes' sections of the person's own file (rehabilitation, devices, …).
    sections: Vec<zhucan_web::programme::PersonSection>,
}

pub fn app_status(s: &str, lang: Lang) -> &'static str {
    match s {
        "submitted" => crate::t(lang, "in-progress"),
        "needs_info" => crate::t(lang, "more-information-needed"),
        "approved" => crate::t(lang, "approved"),
        "rejected" => crate::t(lang, "not-approved"),
        "withdrawn" => crate::t(lang, "withdrawn"),
        _ => crate::t(lang, "unknown"),
    }
}

fn app_lines(apps: &[Application], services: &[(ServiceDef, bool)], lang: Lang) -> Vec<AppLine> {
    apps.iter()
        .map(|a| AppLine {
            id: a.id.clone(),
            service: services
                .iter()
                .find(|(s, _)| s.key == a.service_key)
                .map(|(s, _)| s.name(lang).to_string())
                .unwrap_or_else(|| a.service_key.clone()),
            status: app_status(&a.status, lang).into(),
            status_key: a.status.clone(),
            submitted: a.submitted_at.get(..10).unwrap_or("").to_string(),
            due: a.due_on.clone(),
        })
        .collect()
}

pub async fn me(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<MeParams>,
) -> PageResult {
    let lang = caller.lang;
    let ctx = ctx(&state, &caller, q.p.as_deref()).await?;
    let f = &ctx.file;
    let id = f.person.citizen_id.clone();
    let services = state.store.services().await.or_page(&caller)?;
    let policy = state.store.policy().await.or_page(&caller)?;
    let benefits = state
        .store
        .benefits_of(std::slice::from_ref(&id))
        .await
        .or_page(&caller)?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let m = Month::of(today());
    let e = zhucan_subsidies::facts::explain_person(f, benefits, &policy, m, lang);
    let applicant = crate::applicant::applicant_of(f, today());
    let (_, apps) = state
        .store
        .applications(&AppQuery {
            citizen_ids: vec![id.clone()],
            page: 1,
            per_page: 100,
            ..AppQuery::default()
        })
        .await
        .or_page(&caller)?;
    let payments = state.store.payments_of(&id).await.or_page(&caller)?;
    let unread = state
        .store
        .messages_of(std::slice::from_ref(&id), 100)
        .await
        .or_page(&caller)?
        .iter()
        .filter(|x| x.read_at.is_none())
        .count();
    let entitlements = services
        .iter()
        .filter(|(s, active)| *active && s.eligibility.admits(&applicant))
        .map(|(s, _)| {
            let open = apps.iter().any(|a| {
                a.service_key == s.key && matches!(a.status.as_str(), "submitted" | "needs_info")
            });
            let receiving = s
                .subsidy
                .is_some_and(|sub| e.subsidies.iter().any(|x| x.subsidy == sub && x.receiving));
            let (state_text, apply) = if receiving {
                (crate::t(lang, "you-receive-it"), false)
            } else if open {
                (crate::t(lang, "applied-in-progress"), false)
            } else {
                (crate::t(lang, "you-may-apply"), true)
            };
            Entitlement {
                key: s.key.clone(),
                name: s.name(lang).to_string(),
                easy: s.easy_read(lang).to_string(),
                state: state_text.to_string(),
                apply,
            }
        })
        .collect();
    let sections = state
        .programmes
        .person_sections(zhucan_web::programme::SectionAsk {
            state: &state,
            user: &caller.user,
            person: &f.person,
            reader: zhucan_web::programme::Reader::Citizen,
            lang,
        })
        .await
        .or_page(&caller)?;
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "person.read",
        id.as_str(),
        "ok",
        serde_json::json!({"via": "service end"}),
    ));
    let page = MePage {
        sections,
        c: chrome(Some(&caller), lang, &format!("/me?p={}", f.handle), "me", crate::t(lang, "my-file")),
        persons: switcher(&ctx, "/me"),
        handle: ctx.handle().to_string(),
        name: f.person.name.clone(),
        citizen_id: id.to_string(),
        certificate_no: f.certificate.number.to_string(),
        category: zhucan_domain::disability::format_components(&[f.certificate.category], lang)
            + &if f.certificate.components.is_empty() { String::new() } else { format!("（{}）", zhucan_domain::disability::format_components(&f.certificate.components, lang)) },
        grade: f.certificate.grade.label(lang).to_string(),
        issued: f.certificate.issued_on.to_string(),
        valid_until: f.certificate.valid_until.to_string(),
        status: f.certificate.status.label(lang).to_string(),
        smart_card: lang.pick(if f.certificate.smart_card { "已换发" } else { "未换发" }, if f.certificate.smart_card { "yes" } else { "not yet" }).to_string(),
        subsidies: e
            .subsidies
            .iter()
            .map(|x| {
                (
                    x.subsidy.label(lang).to_string(),
                    match (x.receiving, x.eligible, lang) {
                        (true, true, Lang::Zh) => format!("正在享受，每月 {} 元", x.amount_fen.map(fen_to_yuan).unwrap_or_default()),
                        (true, true, Lang::En) => format!("You receive ¥{} a month", x.amount_fen.map(fen_to_yuan).unwrap_or_default()),
                        (true, false, Lang::Zh) => "正在发放，但按目前的情况已不符合条件，工作人员会与您联系".into(),
                        (true, false, Lang::En) => "Being paid, but no longer eligible as things stand; staff will contact you".into(),
                        (false, true, Lang::Zh) => format!("您符合条件（每月 {} 元），可以申请", x.amount_fen.map(fen_to_yuan).unwrap_or_default()),
                        (false, true, Lang::En) => format!("You are eligible (¥{} a month): you may apply", x.amount_fen.map(fen_to_yuan).unwrap_or_default()),
                        (false, false, Lang::Zh) => "目前不符合条件".into(),
                        (false, false, Lang::En) => "Not eligible at present".into(),
                    },
                )
            })
            .collect(),
        payments: payments.iter().take(24).map(|(_, l)| (l.for_month.to_string(), l.subsidy.label(lang).to_string(), fen_to_yuan(l.amount_fen))).collect(),
        entitlements,
        applications: app_lines(&apps, &services, lang),
        unread,
        notice: q.welcome.map(|_| crate::t(lang, "your-account-is-ready-this-is").to_string()),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- catalogue and applying

struct ServiceLine {
    key: String,
    name: String,
    description: String,
    easy: String,
    who: String,
    days: i64,
    eligible: bool,
}

#[derive(Template)]
#[template(path = "me_services.html")]
struct ServicesPage {
    c: Chrome,
    persons: Vec<(String, String, bool)>,
    handle: String,
    services: Vec<ServiceLine>,
}

pub async fn services(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<MeParams>,
) -> PageResult {
    let lang = caller.lang;
    let ctx = ctx(&state, &caller, q.p.as_deref()).await?;
    let f = &ctx.file;
    let applicant = crate::applicant::applicant_of(f, today());
    let list = state.store.services().await.or_page(&caller)?;
    let page = ServicesPage {
        c: chrome(
            Some(&caller),
            lang,
            "/me/services",
            "services",
            crate::t(lang, "services"),
        ),
        persons: switcher(&ctx, "/me/services"),
        handle: ctx.handle().to_string(),
        services: list
            .iter()
            .filter(|(_, a)| *a)
            .map(|(s, _)| ServiceLine {
                key: s.key.clone(),
                name: s.name(lang).to_string(),
                description: s.description(lang).to_string(),
                easy: s.easy_read(lang).to_string(),
                who: s.eligibility.label(lang).to_string(),
                days: s.promised_days,
                eligible: s.eligibility.admits(&applicant),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "me_service.html")]
struct ServicePage {
    c: Chrome,
    handle: String,
    person_name: String,
    key: String,
    name: String,
    description: String,
    easy: String,
    who: String,
    days: i64,
    steps: Vec<String>,
    eligible: bool,
    fields: Vec<FormField>,
    documents: Vec<(String, String, bool, Option<String>)>,
    errors: Vec<(String, String)>,
}

/// The form fields of a service's questions (`f_<name>`), for the citizen's form and for
/// staff applying on someone's behalf.
pub fn form_fields(def: &ServiceDef, lang: Lang) -> Vec<FormField> {
    use crate::rules::FieldKind;
    def.fields
        .iter()
        .map(|f| {
            let mut ff = FormField::new(
                format!("f_{}", f.name),
                lang.pick(&f.label, &f.label_en),
                match f.kind {
                    FieldKind::Date => "date",
                    FieldKind::Select | FieldKind::YesNo => "select",
                    FieldKind::Phone => "tel",
                    FieldKind::Text => "text",
                },
            );
            if f.required {
                ff = ff.required();
            }
            if let Some((zh, en)) = &f.hint {
                ff = ff.hint(lang.pick(zh, en));
            }
            let mut options = vec![(String::new(), crate::t(lang, "choose").to_string())];
            match f.kind {
                FieldKind::Select => options.extend(
                    f.options
                        .iter()
                        .map(|(k, zh, en)| (k.clone(), lang.pick(zh, en).to_string())),
                ),
                FieldKind::YesNo => options.extend([
                    ("是".into(), crate::t(lang, "yes").into()),
                    ("否".into(), crate::t(lang, "no").into()),
                ]),
                _ => {}
            }
            if matches!(f.kind, FieldKind::Select | FieldKind::YesNo) {
                ff = ff.options(options);
            }
            if f.kind == FieldKind::Phone {
                ff = ff.autocomplete("tel");
            }
            ff
        })
        .collect()
}

/// The answers to a service's questions posted in the fields of [`form_fields`], checked
/// ([`check_answers`]); each problem is recorded on its field.
pub fn read_answers(
    def: &ServiceDef,
    sub: &mut Submission,
    lang: Lang,
) -> Option<BTreeMap<String, String>> {
    let answers_in: BTreeMap<String, String> = def
        .fields
        .iter()
        .map(|fd| {
            (
                fd.name.clone(),
                sub.get(&format!("f_{}", fd.name)).to_string(),
            )
        })
        .collect();
    match check_answers(def, &answers_in, lang) {
        Ok(a) => Some(a),
        Err(errs) => {
            for (name, m) in errs {
                sub.fail(format!("f_{name}"), m);
            }
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn service_page(
    caller: &PageCaller,
    ctx: &Ctx,
    def: &ServiceDef,
    eligible: bool,
    sub: Option<&Submission>,
    doc_errors: &HashMap<String, String>,
    phone: Option<&str>,
) -> (ServicePage, StatusCode) {
    let lang = caller.lang;
    let mut fields = form_fields(def, lang);
    if sub.is_none()
        && let Some(ph) = phone
    {
        for f in fields.iter_mut().filter(|f| f.name == "f_contact_phone") {
            f.value = ph.to_string();
        }
    }
    let mut errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    for (k, m) in doc_errors {
        errors.push((format!("doc_{k}"), m.clone()));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        ServicePage {
            c: chrome(
                Some(caller),
                lang,
                &format!("/me/services/{}?p={}", def.key, ctx.handle()),
                "services",
                def.name(lang),
            ),
            handle: ctx.handle().to_string(),
            person_name: ctx.file.person.name.clone(),
            key: def.key.clone(),
            name: def.name(lang).to_string(),
            description: def.description(lang).to_string(),
            easy: def.easy_read(lang).to_string(),
            who: def.eligibility.label(lang).to_string(),
            days: def.promised_days,
            steps: def
                .steps
                .iter()
                .map(|s| lang.pick(&s.label, &s.label_en).to_string())
                .collect(),
            eligible,
            fields,
            documents: def
                .documents
                .iter()
                .map(|d| {
                    (
                        d.key.clone(),
                        lang.pick(&d.label, &d.label_en).to_string(),
                        d.required,
                        doc_errors.get(&d.key).cloned(),
                    )
                })
                .collect(),
            errors,
        },
        status,
    )
}

/// The caller's file `p` ([`ctx`]), the active service `key` (else "not found") and whether
/// its rule admits the person today.
async fn offered(
    state: &AppState,
    caller: &PageCaller,
    p: Option<&str>,
    key: &str,
) -> Result<(Ctx, ServiceDef, bool), PageError> {
    let ctx = ctx(state, caller, p).await?;
    let f = &ctx.file;
    let (def, _) = state
        .store
        .service(key)
        .await
        .or_page(caller)?
        .filter(|(_, active)| *active)
        .ok_or_else(|| PageError::not_found(caller))?;
    let eligible = def
        .eligibility
        .admits(&crate::applicant::applicant_of(f, today()));
    Ok((ctx, def, eligible))
}

pub async fn service(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(key): Path<String>,
    Query(q): Query<MeParams>,
) -> PageResult {
    let (ctx, def, eligible) = offered(&state, &caller, q.p.as_deref(), &key).await?;
    let f = &ctx.file;
    let (page, status) = service_page(
        &caller,
        &ctx,
        &def,
        eligible,
        None,
        &HashMap::new(),
        f.person.phone.as_deref(),
    );
    Ok(render(status, &page))
}

fn uploads_for(
    def: &ServiceDef,
    files: &[(String, String, Vec<u8>)],
    lang: Lang,
    need_required: bool,
) -> (Vec<Upload>, HashMap<String, String>) {
    let mut ups = Vec::new();
    let mut errors = HashMap::new();
    for d in &def.documents {
        let field = format!("doc_{}", d.key);
        match files.iter().find(|(n, _, _)| *n == field) {
            Some((_, fname, bytes)) => match check_upload(fname, bytes, lang) {
                Ok(ct) => ups.push(Upload {
                    document_key: d.key.clone(),
                    file_name: safe_file_name(fname),
                    content_type: ct.into(),
                    data: bytes.clone(),
                }),
                Err(m) => {
                    errors.insert(d.key.clone(), m);
                }
            },
            None if d.required && need_required => {
                errors.insert(
                    d.key.clone(),
                    crate::t(lang, "please-upload-this-document").into(),
                );
            }
            None => {}
        }
    }
    (ups, errors)
}

/// A form that should have been `multipart/form-data` but was not.
fn not_multipart(caller: &PageCaller) -> Response {
    error_page(
        Some(caller),
        caller.lang,
        StatusCode::BAD_REQUEST,
        "表单格式不正确（需要带附件的表单），请返回页面重新提交。",
        "The form is not in the expected format (a form with files); go back and submit it again.",
    )
}

/// A citizen's multipart form, read and checked (form encoding, CSRF token); the role is
/// checked by the handler's [`Holds<IsCitizen>`]. Kept by hand rather than
/// `CsrfMultipart`: a form that is not multipart gets its own page ([`not_multipart`]).
async fn citizen_post(
    caller: &PageCaller,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Posted, PageError> {
    let lang = caller.lang;
    let Ok(mp) = mp else {
        return Err(PageError::response(not_multipart(caller)));
    };
    let posted = read_multipart(mp, lang)
        .await
        .map_err(|m| PageError::message(caller, StatusCode::BAD_REQUEST, &m, &m))?;
    if !csrf_ok(caller, &posted.values) {
        return Err(PageError::csrf(caller));
    }
    Ok(posted)
}

pub async fn apply(
    State(state): State<AppState>,
    caller: Holds<IsCitizen>,
    Path(key): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let lang = caller.lang;
    let posted = citizen_post(&caller, mp).await?;
    let p = posted.values.get("p").map(String::as_str);
    let (ctx, def, eligible) = offered(&state, &caller, p, &key).await?;
    let f = &ctx.file;
    let mut sub = Submission::new(posted.values.clone());
    let answers = read_answers(&def, &mut sub, lang);
    let (uploads, doc_errors) = uploads_for(&def, &posted.files, lang, true);
    if !eligible {
        return Err(PageError::message(
            &caller,
            StatusCode::FORBIDDEN,
            "按档案中的情况，目前不符合该事项的申请条件。如情况有变，请联系所在乡镇（街道）残联。",
            "As your file stands, you cannot apply for this service yet. If things have changed, contact your township's federation office.",
        ));
    }
    let Some(answers) = answers.filter(|_| doc_errors.is_empty()) else {
        let (page, _) = service_page(&caller, &ctx, &def, eligible, Some(&sub), &doc_errors, None);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let area = f.person.home_area().clone();
    let due = today() + chrono::Duration::days(def.promised_days);
    let actor = Actor {
        name: &caller.user.username,
        source: "service end",
    };
    let app = state
        .store
        .submit_application(
            &f.person.citizen_id,
            &def,
            &area,
            &answers,
            &uploads,
            due,
            &actor,
        )
        .await
        .or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "service.apply",
            f.person.citizen_id.as_str(),
            "ok",
            serde_json::json!({"application": app.id, "service": def.key, "files": uploads.len()}),
        ),
    )
    .await;
    crate::notify::notify(
        &state.store,
        &f.person.citizen_id,
        &format!("已收到您的“{}”申请", def.name),
        &format!("我们会在 {} 前办结，办理进度可在“我的申请”中查看。", due),
        &format!("/me/applications/{}", app.id),
    )
    .await;
    Ok(Redirect::to(&format!("/me/applications/{}", app.id)).into_response())
}

// ---------------------------------------------------------------- following an application

#[derive(Template)]
#[template(path = "me_application.html")]
struct ApplicationPage {
    c: Chrome,
    id: String,
    service: String,
    easy: String,
    person_name: String,
    status: String,
    status_key: String,
    submitted: String,
    due: String,
    steps: Vec<(String, &'static str)>,
    answers: Vec<(String, String)>,
    files: Vec<(i64, String, String)>,
    events: Vec<(String, String, String)>,
    decision: Option<String>,
    decision_easy: Option<String>,
    needs_info: bool,
    request: Option<String>,
    fields: Vec<FormField>,
    documents: Vec<(String, String, bool, Option<String>)>,
    errors: Vec<(String, String)>,
}

pub fn event_label(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "submitted" => crate::t(lang, "applied"),
        "step_done" => crate::t(lang, "a-step-was-completed"),
        "info_requested" => crate::t(lang, "more-information-requested"),
        "info_provided" => crate::t(lang, "information-provided"),
        "approved" => crate::t(lang, "approved-2"),
        "rejected" => crate::t(lang, "not-approved-2"),
        _ => crate::t(lang, "other"),
    }
}

/// One application of a linked person, or "not found".
async fn own_application(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<(Application, Vec<Linked>), PageError> {
    let linked = linked(state, caller).await?;
    let app = state
        .store
        .application(id)
        .await
        .or_page(caller)?
        .filter(|a| linked.iter().any(|l| l.id == a.citizen_id))
        .ok_or_else(|| PageError::not_found(caller))?;
    Ok((app, linked))
}

async fn application_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<&Submission>,
    doc_errors: &HashMap<String, String>,
) -> PageResult {
    let lang = caller.lang;
    let (app, linked) = own_application(state, caller, id).await?;
    let (def, _) = state
        .store
        .service(&app.service_key)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (events, files) = match (
        state.store.application_events(id).await,
        state.store.application_files(id).await,
    ) {
        (Ok(e), Ok(f)) => (e, f),
        (Err(e), _) | (_, Err(e)) => return Err(PageError::store(caller, e)),
    };
    let steps = def
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as i64;
            // Steps before the decision's are done; a rejection ends at its step, and the
            // steps after it were never reached.
            let state_label = match app.status.as_str() {
                "approved" => crate::t(lang, "done"),
                "rejected" if i < app.step => crate::t(lang, "done"),
                "rejected" if i == app.step => crate::t(lang, "not-approved-at-this-step"),
                "rejected" => crate::t(lang, "not-reached"),
                _ if i < app.step => crate::t(lang, "done"),
                _ if i == app.step => crate::t(lang, "in-progress"),
                _ => crate::t(lang, "not-started"),
            };
            (lang.pick(&s.label, &s.label_en).to_string(), state_label)
        })
        .collect();
    let request = events
        .iter()
        .rev()
        .find(|e| e.kind == "info_requested")
        .map(|e| e.note.clone())
        .filter(|_| app.status == "needs_info");
    let mut fields = vec![FormField::new("note", crate::t(lang, "your-answer"), "text").required()];
    let mut errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    for (k, m) in doc_errors {
        errors.push((format!("doc_{k}"), m.clone()));
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let label_of = |name: &str| {
        def.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| lang.pick(&f.label, &f.label_en).to_string())
            .unwrap_or_else(|| name.to_string())
    };
    let value_of = |name: &str, v: &str| {
        def.fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.options.iter().find(|(k, _, _)| k == v))
            .map(|(_, zh, en)| lang.pick(zh, en).to_string())
            .unwrap_or_else(|| match v {
                "yes" => crate::t(lang, "yes").into(),
                "no" => crate::t(lang, "no").into(),
                v => v.to_string(),
            })
    };
    let page = ApplicationPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/me/applications/{id}"),
            "me",
            def.name(lang),
        ),
        id: app.id.clone(),
        service: def.name(lang).to_string(),
        easy: def.easy_read(lang).to_string(),
        person_name: linked
            .iter()
            .find(|l| l.id == app.citizen_id)
            .map(|l| l.name.clone())
            .unwrap_or_default(),
        status: app_status(&app.status, lang).into(),
        status_key: app.status.clone(),
        submitted: app.submitted_at.get(..10).unwrap_or("").into(),
        due: app.due_on.clone(),
        steps,
        answers: app
            .answers
            .iter()
            .map(|(k, v)| (label_of(k), value_of(k, v)))
            .collect(),
        files: files
            .iter()
            .map(|f| {
                (
                    f.seq,
                    f.file_name.clone(),
                    def.document_label(&f.document_key, lang).to_string(),
                )
            })
            .collect(),
        events: events
            .iter()
            .map(|e| {
                (
                    e.at.get(..16).unwrap_or("").replace('T', " "),
                    event_label(&e.kind, lang).to_string(),
                    e.note.clone(),
                )
            })
            .collect(),
        decision: app.decision.clone().filter(|d| !d.is_empty()),
        decision_easy: app.decision_easy.clone(),
        needs_info: app.status == "needs_info",
        request,
        fields,
        documents: def
            .documents
            .iter()
            .map(|d| {
                (
                    d.key.clone(),
                    lang.pick(&d.label, &d.label_en).to_string(),
                    false,
                    doc_errors.get(&d.key).cloned(),
                )
            })
            .collect(),
        errors,
    };
    Ok(render(status, &page))
}

pub async fn application(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> PageResult {
    application_page(&state, &caller, &id, None, &HashMap::new()).await
}

pub async fn answer(
    State(state): State<AppState>,
    caller: Holds<IsCitizen>,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let lang = caller.lang;
    let posted = citizen_post(&caller, mp).await?;
    let (app, _) = own_application(&state, &caller, &id).await?;
    let (def, _) = state
        .store
        .service(&app.service_key)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let mut sub = Submission::new(posted.values.clone());
    let note = sub.get("note").to_string();
    if note.is_empty() {
        sub.fail("note", crate::t(lang, "is-required").into());
    } else if note.chars().count() > 1000 {
        sub.fail(
            "note",
            crate::t(lang, "must-be-at-most-1000-characters").into(),
        );
    }
    let (uploads, doc_errors) = uploads_for(&def, &posted.files, lang, false);
    if !sub.errors.is_empty() || !doc_errors.is_empty() {
        return application_page(&state, &caller, &id, Some(&sub), &doc_errors).await;
    }
    let actor = Actor {
        name: &caller.user.username,
        source: "service end",
    };
    let answered = state
        .store
        .answer_application(&id, &note, &uploads, &actor)
        .await
        .or_page(&caller)?;
    if !answered {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这份申请目前不需要补充材料。",
            "This application needs no more information now.",
        ));
    }
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "service.answer",
            app.citizen_id.as_str(),
            "ok",
            serde_json::json!({"application": id, "files": uploads.len()}),
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/me/applications/{id}")).into_response())
}

/// A document of one's own application.
pub async fn file(
    State(state): State<AppState>,
    caller: PageCaller,
    Path((id, seq)): Path<(String, i64)>,
) -> PageResult {
    own_application(&state, &caller, &id).await?;
    Ok(send_file(&state, &caller, &id, seq).await)
}

/// Sends a stored document (as an attachment; never rendered inline).
pub async fn send_file(state: &AppState, caller: &PageCaller, id: &str, seq: i64) -> Response {
    match state.store.application_file(id, seq).await {
        Ok(Some((info, data))) => {
            trail::record(
                &state.store,
                audit_event(
                    &caller.user,
                    &caller.client,
                    "service.file_read",
                    id,
                    "ok",
                    serde_json::json!({"seq": seq, "sha256": info.sha256}),
                ),
            )
            .await;
            let ascii: String = info
                .file_name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            (
                [
                    (header::CONTENT_TYPE, info.content_type.clone()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                            zhucan_web::view::url_encode(&info.file_name)
                        ),
                    ),
                ],
                data,
            )
                .into_response()
        }
        Ok(None) => not_found_for(caller),
        Err(e) => store_error(caller, e),
    }
}

// ---------------------------------------------------------------- needs

struct NeedLine {
    id: String,
    kind: String,
    description: String,
    status: String,
    handled: String,
    can_rate: bool,
    satisfaction: Option<String>,
}

#[derive(Template)]
#[template(path = "me_needs.html")]
struct NeedsPage {
    c: Chrome,
    persons: Vec<(String, String, bool)>,
    handle: String,
    needs: Vec<NeedLine>,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn need_fields(lang: Lang) -> Vec<FormField> {
    let mut kinds = vec![(String::new(), crate::t(lang, "choose").to_string())];
    kinds.extend(
        NeedKind::ALL
            .iter()
            .map(|k| (k.key().to_string(), k.label(lang).to_string())),
    );
    vec![
        FormField::new("kind", crate::t(lang, "what-it-is-about"), "select")
            .required()
            .options(kinds),
        FormField::new(
            "description",
            crate::t(lang, "tell-us-what-you-need"),
            "text",
        )
        .required()
        .hint(crate::t(lang, "at-most-500-characters")),
    ]
}

pub fn need_status(s: &str, lang: Lang) -> &'static str {
    match s {
        "open" => crate::t(lang, "recorded-waiting"),
        "triaged" => crate::t(lang, "being-handled"),
        "closed" => crate::t(lang, "closed"),
        _ => crate::t(lang, "unknown"),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct NeedsParams {
    p: Option<String>,
    saved: Option<String>,
}

async fn needs_page(
    state: &AppState,
    caller: &PageCaller,
    p: Option<&str>,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let ctx = ctx(state, caller, p).await?;
    let township = &ctx.file.person.township;
    let district = township.parent().unwrap_or_else(|| township.clone());
    let (_, list) = state
        .store
        .needs(
            &district,
            None,
            std::slice::from_ref(&ctx.file.person.citizen_id),
            1,
            100,
        )
        .await
        .or_page(caller)?;
    let services = state.store.services().await.unwrap_or_default();
    let mut fields = need_fields(lang);
    let errors = match sub {
        Some(s) => s.apply(&mut fields),
        None => vec![],
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NeedsPage {
        c: chrome(
            Some(caller),
            lang,
            "/me/needs",
            "needs",
            crate::t(lang, "my-needs"),
        ),
        persons: switcher(&ctx, "/me/needs"),
        handle: ctx.handle().to_string(),
        needs: list
            .iter()
            .map(|n| NeedLine {
                id: n.id.clone(),
                kind: n.kind.label(lang).to_string(),
                description: n.description.clone(),
                status: need_status(&n.status, lang).to_string(),
                handled: match (&n.service_key, &n.referral, &n.outcome) {
                    (_, _, Some(o)) => o.clone(),
                    (Some(k), _, _) => services
                        .iter()
                        .find(|(s, _)| &s.key == k)
                        .map(|(s, _)| {
                            format!("{}{}", crate::t(lang, "as-the-service"), s.name(lang))
                        })
                        .unwrap_or_default(),
                    (_, Some(r), _) => format!("{}{r}", crate::t(lang, "referred")),
                    _ => String::new(),
                },
                can_rate: n.status == "closed" && n.satisfaction.is_none(),
                satisfaction: n.satisfaction.map(|s| s.label(lang).to_string()),
            })
            .collect(),
        fields,
        errors,
        notice,
    };
    Ok(render(status, &page))
}

pub async fn needs(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<NeedsParams>,
) -> PageResult {
    let notice = q
        .saved
        .map(|_| crate::t(caller.lang, "we-have-your-need-staff-will").to_string());
    needs_page(&state, &caller, q.p.as_deref(), None, notice).await
}

pub async fn add_need(
    State(state): State<AppState>,
    caller: Holds<IsCitizen>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let p = form.get("p").cloned();
    let ctx = ctx(&state, &caller, p.as_deref()).await?;
    let mut sub = Submission::new(form);
    let kind = sub.required_choice("kind", NeedKind::parse, lang);
    let description = sub
        .required_text("description", 500, lang)
        .unwrap_or_default();
    let (Some(kind), true) = (kind, sub.errors.is_empty()) else {
        return needs_page(&state, &caller, p.as_deref(), Some(&sub), None).await;
    };
    let f = &ctx.file;
    let area = f.person.home_area().clone();
    let actor = Actor {
        name: &caller.user.username,
        source: "service end",
    };
    state
        .store
        .record_need(
            &f.person.citizen_id,
            kind,
            &description,
            "citizen",
            &area,
            &actor,
        )
        .await
        .or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "need.record",
            f.person.citizen_id.as_str(),
            "ok",
            serde_json::json!({"kind": kind.key()}),
        ),
    )
    .await;
    Ok(Redirect::to(&format!("/me/needs?p={}&saved=1", f.handle)).into_response())
}

/// The satisfaction answer: the CSRF token is checked before the role (by [`linked`]).
pub async fn rate_need(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let linked = linked(&state, &caller).await?;
    let need = state
        .store
        .need(&id)
        .await
        .or_page(&caller)?
        .filter(|n| linked.iter().any(|l| l.id == n.citizen_id))
        .ok_or_else(|| PageError::not_found(&caller))?;
    let Some(s) = form
        .get("satisfaction")
        .and_then(|s| Satisfaction::parse(s))
    else {
        return Err(PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择满意程度（满意、基本满意或不满意）。",
            "Choose how satisfied you are (satisfied, fairly satisfied or not satisfied).",
        ));
    };
    state.store.answer_need(&id, s).await.or_page(&caller)?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "need.satisfaction",
            need.citizen_id.as_str(),
            "ok",
            serde_json::json!({"need": id, "answer": s.key()}),
        ),
    )
    .await;
    let handle = linked
        .iter()
        .find(|l| l.id == need.citizen_id)
        .map(|l| l.handle.clone())
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/me/needs?p={handle}")).into_response())
}

// ---------------------------------------------------------------- messages

#[derive(Template)]
#[template(path = "me_messages.html")]
struct MessagesPage {
    c: Chrome,
    messages: Vec<(String, String, String, Option<String>, bool)>,
}

pub async fn messages(State(state): State<AppState>, caller: PageCaller) -> PageResult {
    let lang = caller.lang;
    let linked = linked(&state, &caller).await?;
    let ids: Vec<CitizenId> = linked.iter().map(|l| l.id.clone()).collect();
    let list = state.store.messages_of(&ids, 200).await.or_page(&caller)?;
    let _ = state.store.mark_read(&ids).await;
    let page = MessagesPage {
        c: chrome(
            Some(&caller),
            lang,
            "/me/messages",
            "messages",
            crate::t(lang, "messages"),
        ),
        messages: list
            .into_iter()
            .map(|m| {
                (
                    m.at.get(..16).unwrap_or("").replace('T', " "),
                    m.title,
                    m.body,
                    m.link,
                    m.read_at.is_none(),
                )
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- electronic certificate

#[derive(Template)]
#[template(path = "me_certificate.html")]
struct MyCertificatePage {
    c: Chrome,
    persons: Vec<(String, String, bool)>,
    card: zhucan_ecert::token::CertificateCard,
}

/// `GET /me/certificate?p=…`: the citizen's (or ward's) certificate card with a fresh QR code
/// (电子证照, 事情码上办). Their own numbers are shown in full; each load is a new code and is
/// audited as `certificate.card`.
pub async fn my_certificate(
    State(state): State<AppState>,
    caller: PageCaller,
    headers: HeaderMap,
    Query(q): Query<MeParams>,
) -> PageResult {
    let lang = caller.lang;
    let ctx = ctx(&state, &caller, q.p.as_deref()).await?;
    let f = &ctx.file;
    let (token, expires) = match zhucan_ecert::token::issue_for(&state, f, chrono::Utc::now()) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "certificate token could not be issued");
            return Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法生成二维码，已记录，请稍后再试。",
                "The code could not be made; it has been logged. Please try again later.",
            ));
        }
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "certificate.card",
        f.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"via": "service end", "expires_at": expires.to_rfc3339()}),
    ));
    let here = format!("/me/certificate?p={}", f.handle);
    let mut card = zhucan_ecert::token::CertificateCard::new(
        lang,
        f,
        zhucan_ecert::token::verify_url(&state, &headers, &token),
        expires,
        state.config.cert_token_ttl,
        here.clone(),
    );
    // The holder's own numbers (identifiers.md: a person's own page may show them).
    card.citizen_id = f.person.citizen_id.to_string();
    card.certificate_no = f.certificate.number.to_string();
    let page = MyCertificatePage {
        c: chrome(
            Some(&caller),
            lang,
            &here,
            "certificate",
            crate::t(lang, "electronic-certificate"),
        ),
        persons: switcher(&ctx, "/me/certificate"),
        card,
    };
    Ok(render(StatusCode::OK, &page))
}
