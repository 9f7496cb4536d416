//! Placements' page (`/employment/placements`): the area's employment placements — public-
//! welfare jobs (公益性岗位), supported employment (辅助性就业) and the other forms entered
//! directly, and the placements through referrals — the form to record one, and the end of
//! one. Each is the person's `employment` fact at once (indicator 9, 专栏3).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::uscc::Uscc;
use zhucan_domain::{Lang, Localized};
use zhucan_store::registry::Actor;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options};
use zhucan_web::pages::chrome;
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult};
use zhucan_web::view::{Chrome, render, today};

use crate::jobs_pages::{ListParams, WorksJobs};
use crate::placements::{DIRECT_FORMS, NewPlacement, PlacementStore};
use crate::store::Written;

struct PlacementLine {
    id: String,
    name: String,
    masked_id: String,
    form: String,
    post: String,
    since: String,
    until: String,
    active: bool,
    /// Entered here (a referral's placement is recorded with the referral).
    referral: bool,
    version: i64,
    until_error: Option<String>,
}

/// How many placements of each form are current today.
struct FormCount {
    form: String,
    current: usize,
}

#[derive(Template)]
#[template(path = "employment_placements.html")]
struct PlacementsPage {
    c: Chrome,
    counts: Vec<FormCount>,
    rows: Vec<PlacementLine>,
    fields: Vec<FormField>,
    today: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/placements`.
pub async fn placements(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("added") => Some(crate::t(caller.lang, "notice-placement-added").to_string()),
        Some("ended") => Some(crate::t(caller.lang, "notice-placement-ended").to_string()),
        _ => None,
    };
    page(&state, &caller, None, Vec::new(), notice).await
}

fn fields(lang: Lang) -> Vec<FormField> {
    let mut f = vec![
        FormField::new("citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "placement-citizen-id-hint")),
        FormField::new("form", crate::t(lang, "placement-form"), "select")
            .required()
            .options(enum_options(
                &DIRECT_FORMS,
                |k| k.key(),
                |k| k.label(lang).to_string(),
                None,
            )),
        FormField::new("post", crate::t(lang, "placement-post"), "text")
            .required()
            .hint(crate::t(lang, "placement-post-hint")),
        FormField::new("uscc", crate::t(lang, "placement-uscc"), "text")
            .hint(crate::t(lang, "placement-uscc-hint")),
        FormField::new("since", crate::t(lang, "placement-since"), "date").required(),
    ];
    for x in &mut f {
        if x.name == "form" {
            x.value = DIRECT_FORMS[0].key().to_string();
        }
    }
    f
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    sub: Option<&Submission>,
    extra: Vec<(String, String)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))?;
    let day = today();
    let list = state
        .store
        .job_placements(area.as_str())
        .await
        .or_page(caller)?;
    let ids: Vec<CitizenId> = list.iter().map(|p| p.citizen_id.clone()).collect();
    let summaries = state.store.summaries_of(&ids).await.or_page(caller)?;
    let current =
        |p: &crate::placements::Placement| p.since <= day && p.until.is_none_or(|u| u >= day);
    let mut counts: Vec<FormCount> = Vec::new();
    for p in list.iter().filter(|p| current(p)) {
        let label = p.form.label(lang).to_string();
        match counts.iter_mut().find(|c| c.form == label) {
            Some(c) => c.current += 1,
            None => counts.push(FormCount {
                form: label,
                current: 1,
            }),
        }
    }
    let rows = list
        .iter()
        .filter_map(|p| {
            let s = summaries.iter().find(|s| s.citizen_id == p.citizen_id)?;
            Some(PlacementLine {
                until_error: extra
                    .iter()
                    .find(|(k, _)| *k == format!("until-{}", p.id))
                    .map(|(_, m)| m.clone()),
                id: p.id.clone(),
                name: s.name.clone(),
                masked_id: s.citizen_id.masked(),
                form: p.form.label(lang).to_string(),
                post: p.post.clone(),
                since: p.since.to_string(),
                until: p.until.map(|u| u.to_string()).unwrap_or_default(),
                active: p.until.is_none(),
                referral: p.source == "referral",
                version: p.version,
            })
        })
        .collect();
    let mut form = fields(lang);
    let mut errors = sub.map(|s| s.apply(&mut form)).unwrap_or_default();
    errors.extend(extra);
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &PlacementsPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/placements",
                "employment_seekers",
                crate::t(lang, "placements-title"),
            ),
            counts,
            rows,
            fields: form,
            today: day.to_string(),
            notice,
            errors,
        },
    ))
}

/// `POST /employment/placements`: records a placement of a person of the caller's area.
pub async fn add(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let raw = sub.get("citizen_id").trim().to_string();
    let file = match crate::jobs_pages::writable_by_id(&state, &caller, &raw).await? {
        Ok(f) => Some(f),
        Err(m) => {
            sub.fail("citizen_id", m);
            None
        }
    };
    let form_of = |k: &str| DIRECT_FORMS.iter().copied().find(|f| f.key() == k);
    let kind = sub.required_choice("form", form_of, lang);
    let post = sub.required_text("post", 100, lang);
    let raw_uscc = sub.get("uscc").trim().to_string();
    let uscc = if raw_uscc.is_empty() {
        None
    } else {
        match Uscc::parse(&raw_uscc) {
            Ok(u) => Some(u.to_string()),
            Err(e) => {
                sub.fail("uscc", e.message(lang));
                None
            }
        }
    };
    let since = zhucan_web::forms::past_date(&mut sub, "since", today(), lang);
    let (Some(file), Some(kind), Some(post), Some(since), true) =
        (file, kind, post, since, sub.errors.is_empty())
    else {
        return page(&state, &caller, Some(&sub), Vec::new(), None).await;
    };
    let p = NewPlacement {
        citizen_id: file.person.citizen_id.clone(),
        area_code: file.person.home_area().to_string(),
        form: kind,
        post,
        employer_uscc: uscc,
        since,
        referral_id: None,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.placement.add",
        p.citizen_id.as_str(),
        "ok",
        serde_json::json!({"form": p.form.key(), "post": p.post, "uscc": p.employer_uscc, "since": p.since.to_string()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    state
        .store
        .add_job_placement(&p, &actor, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to("/employment/placements?done=added").into_response())
}

/// `POST /employment/placements/end`: the last day of placement `placement`.
pub async fn end(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let id = form.get("placement").cloned().unwrap_or_default();
    let p = state
        .store
        .job_placement(&id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    // Only staff who may change the person's file end their placement (else not found).
    let file = scope::read_file(&state.store, &caller.user, &p.citizen_id)
        .await
        .or_page(&caller)?
        .filter(|f| scope::can_write(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(&caller))?;
    let raw = form.get("until").cloned().unwrap_or_default();
    let until = match zhucan_domain::parse::parse_date(&raw) {
        Ok(d) if d <= today() && d >= p.since => d,
        _ => {
            let errors = vec![(
                format!("until-{id}"),
                crate::tf(lang, "bad-placement-until", &[("v", raw.into())]),
            )];
            return page(&state, &caller, None, errors, None).await;
        }
    };
    let version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.placement.end",
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"placement": id, "until": until.to_string()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .end_job_placement(&id, version, until, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Written::Done => Ok(Redirect::to("/employment/placements?done=ended").into_response()),
        _ => Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这条安置记录刚被改过或已结束，请返回重新打开后再操作。",
            "This placement was just changed or has ended; go back, open it again and retry.",
        )),
    }
}
