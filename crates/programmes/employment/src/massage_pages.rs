//! Blind massage's page (`/employment/massage`): the registry's blind massage institutions open
//! today against 专栏3-5's ten, the area's practitioners with the medical ones against its
//! five, the form to record a practitioner and the end of a practice.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::disability::Category;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::InstitutionKind;
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
use crate::massage::{MassageKind, MassageStore, NewPractitioner};
use crate::store::Written;

struct PractitionerLine {
    handle: String,
    name: String,
    masked_id: String,
    kind: String,
    workplace: String,
    since: String,
    until: String,
    active: bool,
    version: i64,
    until_error: Option<String>,
}

#[derive(Template)]
#[template(path = "employment_massage.html")]
struct MassagePage {
    c: Chrome,
    institutions: usize,
    institutions_area: Option<usize>,
    medical: usize,
    /// The plan's targets (专栏3-5), when the plan has them.
    institutions_target: Option<i64>,
    medical_target: Option<i64>,
    rows: Vec<PractitionerLine>,
    fields: Vec<FormField>,
    today: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/massage`.
pub async fn massage(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("added") => Some(crate::t(caller.lang, "notice-practitioner-added").to_string()),
        Some("ended") => Some(crate::t(caller.lang, "notice-practice-ended").to_string()),
        _ => None,
    };
    page(&state, &caller, None, Vec::new(), notice).await
}

fn fields(lang: zhucan_domain::Lang) -> Vec<FormField> {
    let mut f = vec![
        FormField::new("citizen_id", crate::t(lang, "trainee-citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "masseur-citizen-id-hint")),
        FormField::new("kind", crate::t(lang, "massage-kind"), "select")
            .required()
            .options(enum_options(
                MassageKind::ALL,
                MassageKind::key,
                |k| k.label(lang).to_string(),
                None,
            )),
        FormField::new("qualification", crate::t(lang, "qualification-no"), "text")
            .hint(crate::t(lang, "qualification-hint")),
        FormField::new("workplace", crate::t(lang, "massage-workplace"), "text").required(),
        FormField::new("since", crate::t(lang, "practising-since"), "date").required(),
    ];
    for x in &mut f {
        if x.name == "kind" {
            x.value = MassageKind::Health.key().to_string();
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
    let district = state.store.district().await.or_page(caller)?;
    let day = today();
    let open: Vec<_> = state
        .store
        .institutions()
        .await
        .or_page(caller)?
        .into_iter()
        .filter(|i| i.kind == InstitutionKind::BlindMassage && i.is_open_at(day))
        .collect();
    let institutions_area = (area != district).then(|| {
        open.iter()
            .filter(|i| area.contains(&i.township) || i.township.contains(&area))
            .count()
    });
    let medical = state
        .store
        .practitioners(district.as_str())
        .await
        .or_page(caller)?
        .iter()
        .filter(|p| p.kind == MassageKind::Medical && p.active_on(day))
        .count();
    let mine = state
        .store
        .practitioners(area.as_str())
        .await
        .or_page(caller)?;
    let ids: Vec<CitizenId> = mine.iter().map(|p| p.citizen_id.clone()).collect();
    let summaries = state.store.summaries_of(&ids).await.or_page(caller)?;
    let rows = mine
        .iter()
        .filter_map(|p| {
            let s = summaries.iter().find(|s| s.citizen_id == p.citizen_id)?;
            Some(PractitionerLine {
                until_error: extra
                    .iter()
                    .find(|(k, _)| *k == format!("until-{}", s.handle))
                    .map(|(_, m)| m.clone()),
                handle: s.handle.clone(),
                name: s.name.clone(),
                masked_id: s.citizen_id.masked(),
                kind: p.kind.label(lang).to_string(),
                workplace: p.workplace.clone(),
                since: p.since.to_string(),
                until: p.until.map(|u| u.to_string()).unwrap_or_default(),
                active: p.until.is_none(),
                version: p.version,
            })
        })
        .collect();
    let targets = zhucan_plan::load_plan(&state.store)
        .await
        .or_page(caller)?
        .map(|p| p.targets)
        .unwrap_or_default();
    let target = |key: &str| targets.iter().find(|t| t.key == key).and_then(|t| t.target);
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
        &MassagePage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/massage",
                "employment_seekers",
                crate::t(lang, "massage-title"),
            ),
            institutions: open.len(),
            institutions_area,
            medical,
            institutions_target: target("blind_massage_institutions"),
            medical_target: target(crate::massage::TARGET),
            rows,
            fields: form,
            today: day.to_string(),
            notice,
            errors,
        },
    ))
}

fn blind(file: &zhucan_store::PersonFile) -> bool {
    let c = &file.certificate;
    c.category == Category::Visual
        || (c.category == Category::Multiple && c.components.contains(&Category::Visual))
}

/// `POST /employment/massage`: records a blind practitioner of the caller's area.
pub async fn add(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let raw = sub.get("citizen_id").trim().to_string();
    let file = match crate::jobs_pages::writable_by_id(&state, &caller, &raw).await? {
        Ok(f) if blind(&f) => Some(f),
        Ok(_) => {
            sub.fail(
                "citizen_id",
                crate::tf(lang, "masseur-not-blind", &[("v", raw.clone().into())]),
            );
            None
        }
        Err(m) => {
            sub.fail("citizen_id", m);
            None
        }
    };
    let kind = sub.required_choice("kind", MassageKind::parse, lang);
    let qualification = sub.get("qualification").trim().to_string();
    if qualification.chars().count() > 30 {
        sub.fail(
            "qualification",
            crate::t(lang, "at-most-30-characters").to_string(),
        );
    } else if kind == Some(MassageKind::Medical) && qualification.is_empty() {
        sub.fail(
            "qualification",
            crate::t(lang, "qualification-required").to_string(),
        );
    }
    let workplace = sub.required_text("workplace", 100, lang);
    let since = zhucan_web::forms::past_date(&mut sub, "since", today(), lang);
    let (Some(file), Some(kind), Some(workplace), Some(since), true) =
        (file, kind, workplace, since, sub.errors.is_empty())
    else {
        return page(&state, &caller, Some(&sub), Vec::new(), None).await;
    };
    let p = NewPractitioner {
        citizen_id: file.person.citizen_id.clone(),
        kind,
        qualification,
        workplace,
        since,
        area_code: file.person.home_area().to_string(),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.masseur.add",
        p.citizen_id.as_str(),
        "ok",
        serde_json::json!({"kind": p.kind.key(), "qualification": p.qualification, "workplace": p.workplace, "since": p.since.to_string()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .add_practitioner(&p, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Written::Done => Ok(Redirect::to("/employment/massage?done=added").into_response()),
        _ => {
            sub.fail(
                "citizen_id",
                crate::tf(lang, "masseur-already", &[("v", raw.into())]),
            );
            page(&state, &caller, Some(&sub), Vec::new(), None).await
        }
    }
}

/// `POST /employment/massage/end`: the last day of `person`'s practice.
pub async fn end(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let person = form.get("person").cloned().unwrap_or_default();
    let file = zhucan_web::usecase::writable_file(&state, &caller, &person).await?;
    let raw = form.get("until").cloned().unwrap_or_default();
    let until = match zhucan_domain::parse::parse_date(&raw) {
        Ok(d) if d <= today() => d,
        _ => {
            let errors = vec![(
                format!("until-{person}"),
                crate::tf(lang, "bad-until", &[("v", raw.into())]),
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
        "employment.masseur.end",
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"until": until.to_string()}),
    );
    match state
        .store
        .end_practice(
            &file.person.citizen_id,
            version,
            until,
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?
    {
        Written::Done => Ok(Redirect::to("/employment/massage?done=ended").into_response()),
        _ => Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这条记录刚被改过，或结束日期早于开始日期，请返回重新打开后再操作。",
            "This record was just changed, or the end is before the start; go back, open it again and retry.",
        )),
    }
}
