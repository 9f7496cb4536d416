//! The service end's job page (`/me/jobs`): the person (or their guardian) states their
//! skills, the jobs they wish for and the adaptations they need, sees the open vacancies that
//! suit them with the reasons, says they are interested in one, and follows their referrals.
//! The employer's internal data and other persons are never shown.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zhucan_service::citizen::{ctx, switcher};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::usecase::{CsrfForm, OrPage, PageError, PageResult};
use zhucan_web::view::{Chrome, render, today};

use crate::jobs::JobsStore;
use crate::jobs_pages::{
    Check, OfferRow, Standing, access_checks, express, offer_rows, offers_for, parse_registration,
    posted_access, registration_fields, save_registration, seeker_of,
};
use crate::matching::ReferralStatus;

#[derive(Debug, Default, Deserialize)]
pub struct MeJobsParams {
    pub p: Option<String>,
    pub done: Option<String>,
}

struct MyReferral {
    what: String,
    status: String,
    placed_on: String,
}

#[derive(Template)]
#[template(path = "me_jobs.html")]
struct MeJobsPage {
    c: Chrome,
    persons: Vec<(String, String, bool)>,
    handle: String,
    standing: String,
    seeking: bool,
    registered: bool,
    version: String,
    fields: Vec<FormField>,
    needs: Vec<Check>,
    offers: Vec<OfferRow>,
    referrals: Vec<MyReferral>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /me/jobs?p=`.
pub async fn jobs(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<MeJobsParams>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("saved") => Some(crate::t(caller.lang, "me-notice-saved").to_string()),
        Some("interest") => Some(crate::t(caller.lang, "me-notice-interest").to_string()),
        Some("already") => Some(crate::t(caller.lang, "me-notice-already").to_string()),
        _ => None,
    };
    page(&state, &caller, q.p.as_deref(), None, notice).await
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    p: Option<&str>,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let ctx = ctx(state, caller, p).await?;
    let f = &ctx.file;
    let id = &f.person.citizen_id;
    let reg = state.store.registration(id).await.or_page(caller)?;
    let snap = state.facts.snapshot().await.or_page(caller)?;
    let standing = Standing::of(&snap, id, today());
    let (_, names) = area_names(state).await.or_page(caller)?;
    let township = names.name(f.person.township.as_str());
    let referrals = state.store.referrals_of(id).await.or_page(caller)?;
    let offers = match (&reg, standing) {
        (Some(r), Standing::Seeking) => {
            let (o, _) = offers_for(state, &seeker_of(f, r)).await.or_page(caller)?;
            offer_rows(&o, &referrals, &names, &township, lang)
        }
        _ => Vec::new(),
    };
    let mut mine = Vec::new();
    for r in &referrals {
        let v = state.store.vacancy(&r.vacancy_id).await.or_page(caller)?;
        mine.push(MyReferral {
            what: v
                .map(|v| format!("{}：{}", v.employer_name, v.title))
                .unwrap_or_default(),
            status: r.status.label(lang).to_string(),
            placed_on: r.placed_on.map(|d| d.to_string()).unwrap_or_default(),
        });
    }
    let (fields, errors) = registration_fields(lang, reg.as_ref(), sub);
    let needs = match sub {
        Some(s) => access_checks("need", &posted_access(s, "need"), lang),
        None => access_checks(
            "need",
            reg.as_ref().map(|r| r.needs.as_slice()).unwrap_or(&[]),
            lang,
        ),
    };
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &MeJobsPage {
            c: chrome(
                Some(caller),
                lang,
                &format!("/me/jobs?p={}", f.handle),
                "me_jobs",
                crate::t(lang, "me-jobs-title"),
            ),
            persons: switcher(&ctx, "/me/jobs"),
            handle: f.handle.clone(),
            standing: standing.text(lang).to_string(),
            seeking: standing == Standing::Seeking,
            registered: reg.is_some(),
            version: reg
                .as_ref()
                .map(|r| r.version.to_string())
                .unwrap_or_default(),
            fields,
            needs,
            offers,
            referrals: mine,
            notice,
            errors,
        },
    ))
}

/// `POST /me/jobs`: the person's own registration.
pub async fn register(
    State(state): State<AppState>,
    caller: PageCaller,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let p = form.get("p").cloned();
    let c = ctx(&state, &caller, p.as_deref()).await?;
    let mut sub = Submission::new(form);
    let Some(new) = parse_registration(&mut sub, &c.file, "citizen", lang) else {
        return page(&state, &caller, p.as_deref(), Some(&sub), None).await;
    };
    let version = sub.get("version").trim().parse::<i64>().ok();
    save_registration(&state, &caller, &new, version).await?;
    Ok(Redirect::to(&format!("/me/jobs?p={}&done=saved", c.file.handle)).into_response())
}

/// `POST /me/jobs/interest`: the person is interested in a vacancy offered to them (staff
/// refer them; the employer does not see the interest before).
pub async fn interest(
    State(state): State<AppState>,
    caller: PageCaller,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let p = form.get("p").cloned();
    let c = ctx(&state, &caller, p.as_deref()).await?;
    let vacancy = form.get("vacancy").cloned().unwrap_or_default();
    if state
        .store
        .vacancy(&vacancy)
        .await
        .or_page(&caller)?
        .is_none()
    {
        return Err(PageError::not_found(&caller));
    }
    let snap = state.facts.snapshot().await.or_page(&caller)?;
    if Standing::of(&snap, &c.file.person.citizen_id, today()) != Standing::Seeking {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            crate::t(zhucan_domain::Lang::Zh, "me-not-seeking"),
            crate::t(zhucan_domain::Lang::En, "me-not-seeking"),
        ));
    }
    let done = express(
        &state,
        &caller,
        &c.file,
        &vacancy,
        ReferralStatus::Interested,
        "employment.referral.interest",
    )
    .await?;
    Ok(Redirect::to(&format!("/me/jobs?p={}&done={done}", c.file.handle)).into_response())
}
