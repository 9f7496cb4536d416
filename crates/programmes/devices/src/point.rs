//! A device service point's own account (辅具服务点): an `institution` account bound to a
//! point (`zhucan devices bind`) lends the items of its own stock, renews them and takes them
//! back, and sees its items and their loans — nothing else. A borrower is found by citizen ID
//! *and* name together (one answer for either wrong), so the point cannot learn from an ID
//! alone whether someone is certified; every lookup is in the audit trail.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::Localized;
use zhucan_domain::access::Role;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::InstitutionKind;
use zhucan_store::{PersonFile, User};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::area_names;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, keep_numbers_whole, render, today};

use crate::pages::{item_label, lend_checked, lend_fields, point_label};
use crate::rules;
use crate::store::Loan;

/// An account of role `institution` (its pages check it is bound to a service point).
#[derive(Debug, Clone, Copy)]
pub struct ServesPoint;

impl Right for ServesPoint {
    fn held_by(user: &User) -> bool {
        user.role == Role::Institution
    }
}

/// The device service point (`township/name`) the caller's account is bound to: `None` for
/// any other account, or one bound to an organisation that is not an open service point.
pub async fn point_of(state: &AppState, caller: &PageCaller) -> Result<Option<String>, PageError> {
    if !ServesPoint::held_by(&caller.user) {
        return Ok(None);
    }
    let Some(org) = state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(caller)?
    else {
        return Ok(None);
    };
    let open = state
        .store
        .institutions()
        .await
        .or_page(caller)?
        .into_iter()
        .any(|i| {
            i.kind == InstitutionKind::DeviceService && i.is_open_at(today()) && i.id() == org
        });
    Ok(open.then_some(org))
}

/// The file of a borrower of the caller's point: only called once the loan or the typed ID
/// and name are checked against the point.
pub async fn borrower_file(
    state: &AppState,
    caller: &PageCaller,
    id: &CitizenId,
) -> Result<Option<PersonFile>, PageError> {
    #[expect(
        clippy::disallowed_methods,
        reason = "a service point reads only the file of a borrower of its own items, or of the person whose ID and name it typed together (checked by the callers)"
    )]
    let reach = zhucan_store::Reach::system("devices.point");
    state.store.person_file(id, &reach).await.or_page(caller)
}

/// The borrower typed on the lend form (`l_citizen_id` and `l_name`): the file when both match
/// a person of the registry, else one problem on the ID for either mistake. Audited either way.
async fn typed_borrower(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut Submission,
) -> Result<Option<PersonFile>, PageError> {
    let lang = caller.lang;
    let name = sub.required_text("l_name", 40, lang);
    let raw = sub.get("l_citizen_id").to_string();
    if raw.is_empty() {
        sub.fail("l_citizen_id", crate::t(lang, "is-required").into());
        return Ok(None);
    }
    let id = match CitizenId::parse(&raw) {
        Ok(p) => p.id,
        Err(e) => {
            sub.fail("l_citizen_id", format!("“{raw}”：{}", e.message(lang)));
            return Ok(None);
        }
    };
    let Some(name) = name else {
        return Ok(None);
    };
    let file = borrower_file(state, caller, &id)
        .await?
        .filter(|f| f.person.name == name);
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "devices.point.lookup",
        id.as_str(),
        if file.is_some() { "ok" } else { "not_found" },
        serde_json::json!({}),
    ));
    if file.is_none() {
        sub.fail(
            "l_citizen_id",
            crate::tf(
                lang,
                "no-such-borrower",
                &[("v", id.masked().into()), ("name", name.into())],
            ),
        );
    }
    Ok(file)
}

struct ItemRow {
    code: String,
    item: String,
    condition: String,
    lendable: bool,
    /// (loan id, borrower, due, overdue)
    loan: Option<(String, String, String, bool)>,
}

#[derive(Template)]
#[template(path = "devices_point.html")]
struct PointPage {
    c: Chrome,
    point: Option<String>,
    summary: String,
    rows: Vec<ItemRow>,
    lend_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

async fn point_page(
    state: &AppState,
    caller: &PageCaller,
    posted: Option<&Submission>,
) -> PageResult {
    let lang = caller.lang;
    let point = point_of(state, caller).await?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let items = state.store.device_items().await.or_page(caller)?;
    let mut rows = Vec::new();
    let mut available = Vec::new();
    let mut summary = String::new();
    if let Some(p) = point.as_deref() {
        let stock: Vec<_> = state
            .store
            .stock()
            .await
            .or_page(caller)?
            .into_iter()
            .filter(|s| s.point_id == p)
            .collect();
        let open: HashMap<String, Loan> = state
            .store
            .open_loans()
            .await
            .or_page(caller)?
            .into_iter()
            .filter(|l| stock.iter().any(|s| s.code == l.code))
            .map(|l| (l.code.clone(), l))
            .collect();
        let day = today();
        let mut names = HashMap::new();
        for l in open.values() {
            if let Some(f) = borrower_file(state, caller, &l.citizen_id).await? {
                names.insert(l.id.clone(), f.person.name);
            }
        }
        let overdue = open
            .values()
            .filter(|l| rules::overdue(l.due_on, None, day))
            .count();
        summary = crate::tf(
            lang,
            "point-summary",
            &[
                ("n", stock.len().into()),
                ("m", open.len().into()),
                ("k", overdue.into()),
            ],
        );
        for s in &stock {
            let label = item_label(&items, &s.item_key, lang);
            if s.condition.lendable() && !open.contains_key(&s.code) {
                available.push((s.code.clone(), format!("{} {label}", s.code)));
            }
            rows.push(ItemRow {
                code: s.code.clone(),
                item: label,
                condition: s.condition.label(lang).to_string(),
                lendable: s.condition.lendable(),
                loan: open.get(&s.code).map(|l| {
                    (
                        l.id.clone(),
                        names.get(&l.id).cloned().unwrap_or_default(),
                        keep_numbers_whole(l.due_on),
                        rules::overdue(l.due_on, None, day),
                    )
                }),
            });
        }
        // Items in repair or retired are listed after those that can go out.
        rows.sort_by_key(|r| (!r.lendable, r.code.clone()));
    }
    let mut lf = lend_fields(lang, available);
    lf.insert(
        1,
        FormField::new("l_name", crate::t(lang, "name"), "text")
            .required()
            .hint(crate::t(lang, "borrower-name-hint")),
    );
    let errors = posted.map(|s| s.apply(&mut lf)).unwrap_or_default();
    let view = PointPage {
        c: zhucan_web::pages::chrome(
            Some(caller),
            lang,
            "/devices/point",
            "devices_point",
            crate::t(lang, "point-page"),
        ),
        point: point.as_deref().map(|p| point_label(p, &anames)),
        summary,
        rows,
        lend_fields: lf,
        errors: errors.clone(),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(code, &view))
}

/// `GET /devices/point`: the items of the account's service point, their loans, and the lend
/// form.
pub async fn page(State(state): State<AppState>, caller: Holds<ServesPoint>) -> PageResult {
    point_page(&state, &caller, None).await
}

/// `POST /devices/point/loans`: the point lends one of its items.
pub async fn lend(
    State(state): State<AppState>,
    caller: Holds<ServesPoint>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let Some(point) = point_of(&state, &caller).await? else {
        return Err(PageError::message(
            &caller,
            StatusCode::FORBIDDEN,
            "本账户未绑定辅具服务点，不能借出辅具。",
            "This account is not bound to a device service point: it cannot lend items.",
        ));
    };
    let mut sub = Submission::new(form);
    let file = typed_borrower(&state, &caller, &mut sub).await?;
    match lend_checked(&state, &caller, &mut sub, file, Some(&point)).await? {
        Some(id) => Ok(Redirect::to(&format!("/devices/loans/{id}")).into_response()),
        None => point_page(&state, &caller, Some(&sub)).await,
    }
}
