//! The zero-employment households' page (零就业家庭, `/employment/households`): the area's
//! households whose members counted by indicator 9 are all without work today, each with its
//! members (linked to their job-seeker page) and the follow-ups recorded, and the form to
//! record one.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::ids::CitizenId;
use zhucan_plan::Part;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult};
use zhucan_web::view::{Chrome, render, today};

use crate::households::{FollowUpAction, HouseholdStore, NewFollowUp, zero_employment};
use crate::jobs_pages::{ListParams, WorksJobs, employment_members};

const PER_PAGE: usize = 50;

struct MemberLine {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
}

struct HouseholdRow {
    /// The first member's handle: the follow-up form's `person`.
    person: String,
    members: Vec<MemberLine>,
    latest: Option<String>,
    date_error: Option<String>,
    action_error: Option<String>,
    note_error: Option<String>,
}

#[derive(Template)]
#[template(path = "employment_households.html")]
struct HouseholdsPage {
    c: Chrome,
    summary: String,
    rows: Vec<HouseholdRow>,
    actions: Vec<(String, String)>,
    today: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/households`.
pub async fn households(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let notice = (q.done.as_deref() == Some("followup"))
        .then(|| crate::t(caller.lang, "notice-followup-recorded").to_string());
    page(&state, &caller, q.page.as_deref(), Vec::new(), notice).await
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    page_raw: Option<&str>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))?;
    let (_, counted) = employment_members(state, caller, Part::Denominator, &area).await?;
    let employed: HashSet<String> = employment_members(state, caller, Part::Numerator, &area)
        .await?
        .1
        .into_iter()
        .map(|i| i.to_string())
        .collect();
    let keys = state.store.household_keys(&counted).await.or_page(caller)?;
    let found = zero_employment(&counted, &employed, &keys);
    let total = found.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = page_raw
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
        .min(pages);
    let shown: Vec<_> = found
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let ids: Vec<CitizenId> = shown.iter().flat_map(|h| h.members.clone()).collect();
    let (_, names) = area_names(state).await.or_page(caller)?;
    let summaries: HashMap<String, zhucan_store::PersonSummary> = state
        .store
        .summaries_of(&ids)
        .await
        .or_page(caller)?
        .into_iter()
        .map(|s| (s.citizen_id.to_string(), s))
        .collect();
    let hh_keys: Vec<String> = shown.iter().map(|h| h.key.clone()).collect();
    let followups = state.store.followups(&hh_keys).await.or_page(caller)?;
    let find = |f: &str, person: &str| {
        errors
            .iter()
            .find(|(k, _)| k == &format!("{f}-{person}"))
            .map(|(_, m)| m.clone())
    };
    let rows = shown
        .iter()
        .map(|h| {
            let members: Vec<MemberLine> = h
                .members
                .iter()
                .filter_map(|id| summaries.get(id.as_str()))
                .map(|s| MemberLine {
                    handle: s.handle.clone(),
                    name: s.name.clone(),
                    masked_id: s.citizen_id.masked(),
                    township: names.name(&s.township_code),
                })
                .collect();
            let person = members
                .first()
                .map(|m| m.handle.clone())
                .unwrap_or_default();
            let mine: Vec<_> = followups.iter().filter(|f| f.household == h.key).collect();
            HouseholdRow {
                latest: mine.first().map(|f| {
                    format!(
                        "{} {}{}（{}）{}",
                        f.on_date,
                        FollowUpAction::parse(&f.action)
                            .map(|a| a.label(lang))
                            .unwrap_or(""),
                        if f.note.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", f.note)
                        },
                        f.recorded_by,
                        crate::tf(lang, "followups-count", &[("n", mine.len().into())])
                    )
                }),
                date_error: find("on_date", &person),
                action_error: find("action", &person),
                note_error: find("note", &person),
                person,
                members,
            }
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "employment.households",
        area.as_str(),
        "ok",
        serde_json::json!({"page": page, "total": total}),
    ));
    let href = |n: usize| format!("/employment/households?page={n}");
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &HouseholdsPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/households",
                "employment_seekers",
                crate::t(lang, "zero-employment-households"),
            ),
            summary: crate::tf(lang, "households-summary", &[("n", total.into())]),
            rows,
            actions: FollowUpAction::ALL
                .iter()
                .map(|a| (a.key().to_string(), a.label(lang).to_string()))
                .collect(),
            today: today().to_string(),
            page_label: crate::tf(
                lang,
                "page-of",
                &[("page", page.into()), ("pages", pages.into())],
            ),
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
            notice,
            errors,
        },
    ))
}

/// `POST /employment/households/followup`: a follow-up of the household of `person` (a
/// member's handle): the day (not after today), what was done, a note.
pub async fn followup(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let person = form.get("person").cloned().unwrap_or_default();
    let file = zhucan_web::usecase::writable_file(&state, &caller, &person).await?;
    let mut errors = Vec::new();
    let raw_date = form.get("on_date").cloned().unwrap_or_default();
    let on_date = match zhucan_domain::parse::parse_date(&raw_date) {
        Ok(d) if d <= today() => Some(d),
        _ => {
            errors.push((
                format!("on_date-{person}"),
                crate::tf(lang, "bad-followup-date", &[("v", raw_date.into())]),
            ));
            None
        }
    };
    let raw_action = form.get("action").cloned().unwrap_or_default();
    let action = FollowUpAction::parse(&raw_action);
    if action.is_none() {
        errors.push((
            format!("action-{person}"),
            crate::tf(lang, "bad-followup-action", &[("v", raw_action.into())]),
        ));
    }
    let note = form
        .get("note")
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    if note.chars().count() > 200 {
        errors.push((
            format!("note-{person}"),
            crate::t(lang, "at-most-200-characters").to_string(),
        ));
    }
    let (Some(on_date), Some(action), true) = (on_date, action, errors.is_empty()) else {
        return page(&state, &caller, None, errors, None).await;
    };
    let id = &file.person.citizen_id;
    let key = state
        .store
        .household_keys(std::slice::from_ref(id))
        .await
        .or_page(&caller)?
        .remove(id.as_str())
        .unwrap_or_else(|| id.to_string());
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.household.followup",
        id.as_str(),
        "ok",
        serde_json::json!({"on_date": on_date.to_string(), "action": action.key(), "note": note}),
    );
    state
        .store
        .add_followup(
            &NewFollowUp {
                household: key,
                area: file.person.home_area().to_string(),
                on_date,
                action,
                note,
            },
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?;
    Ok(Redirect::to("/employment/households?done=followup").into_response())
}
