//! Training's pages (`/employment/training`): the year's courses with the person-times against
//! the plan's 200 a year, a course with its trainees of the caller's area, and the forms to
//! add a course, a trainee, and to mark a trainee's completion.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Datelike;
use serde::Deserialize;
use zhucan_domain::area::AreaLevel;
use zhucan_domain::ids::CitizenId;
use zhucan_store::registry::Actor;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options};
use zhucan_web::pages::{area_names, chrome};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult};
use zhucan_web::view::{Chrome, render, today};

use crate::jobs_pages::WorksJobs;
use crate::training::{Added, Course, CourseKind, NewCourse, TARGET, TrainingStore};

#[derive(Debug, Default, Deserialize)]
pub struct TrainingParams {
    pub year: Option<String>,
    pub done: Option<String>,
}

fn year_of(raw: Option<&str>) -> Option<i32> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today().year()),
        Some(s) => s.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)),
    }
}

struct CourseLine {
    id: String,
    title: String,
    kind: String,
    provider: String,
    organiser: String,
    dates: String,
    completed: i64,
    listed: i64,
}

impl CourseLine {
    fn of(c: &Course, names: &zhucan_web::view::AreaNames, lang: zhucan_domain::Lang) -> Self {
        CourseLine {
            id: c.id.clone(),
            title: c.title.clone(),
            kind: c.kind.label(lang).to_string(),
            provider: c.provider.clone(),
            organiser: names.name(&c.area_code),
            dates: format!("{} — {}", c.starts_on, c.ends_on),
            completed: c.completed,
            listed: c.listed,
        }
    }
}

#[derive(Template)]
#[template(path = "employment_training.html")]
struct TrainingPage {
    c: Chrome,
    year: i32,
    rows: Vec<CourseLine>,
    district_times: i64,
    area_times: Option<i64>,
    target: Option<i64>,
    fields: Vec<FormField>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

fn course_fields(lang: zhucan_domain::Lang, organisers: Vec<(String, String)>) -> Vec<FormField> {
    let mut f = vec![
        FormField::new("title", crate::t(lang, "course-title"), "text").required(),
        FormField::new("kind", crate::t(lang, "course-kind"), "select")
            .required()
            .options(enum_options(
                CourseKind::ALL,
                CourseKind::key,
                |k| k.label(lang).to_string(),
                None,
            )),
        FormField::new("provider", crate::t(lang, "course-provider"), "text"),
        FormField::new("area", crate::t(lang, "course-organiser"), "select")
            .required()
            .options(organisers),
        FormField::new("starts_on", crate::t(lang, "course-starts"), "date").required(),
        FormField::new("ends_on", crate::t(lang, "course-ends"), "date").required(),
    ];
    for x in &mut f {
        if x.name == "kind" {
            x.value = CourseKind::Vocational.key().to_string();
        }
    }
    f
}

/// The areas a caller may organise a course for: their own area and its townships.
fn organisers(
    areas: &[zhucan_domain::area::Area],
    scope_area: &zhucan_domain::area::AreaCode,
) -> Vec<(String, String)> {
    areas
        .iter()
        .filter(|a| {
            (a.code == *scope_area && a.code.level() != AreaLevel::Village)
                || (a.code.level() == AreaLevel::Township && scope_area.contains(&a.code))
                || (a.code.level() == AreaLevel::Township && a.code.contains(scope_area))
        })
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect()
}

/// `GET /employment/training?year=Y`.
pub async fn training(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Query(q): Query<TrainingParams>,
) -> PageResult {
    let Some(year) = year_of(q.year.as_deref()) else {
        let v = q.year.clone().unwrap_or_default();
        return Err(PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &crate::tf(
                zhucan_domain::Lang::Zh,
                "not-a-year",
                &[("v", v.clone().into())],
            ),
            &crate::tf(zhucan_domain::Lang::En, "not-a-year", &[("v", v.into())]),
        ));
    };
    let notice = (q.done.as_deref() == Some("course"))
        .then(|| crate::t(caller.lang, "notice-course-added").to_string());
    page(&state, &caller, year, None, notice).await
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    year: i32,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))?;
    let (areas, names) = area_names(state).await.or_page(caller)?;
    let district = state.store.district().await.or_page(caller)?;
    let courses = state.store.courses(year).await.or_page(caller)?;
    let rows = courses
        .iter()
        .map(|c| CourseLine::of(c, &names, lang))
        .collect();
    let district_times = state
        .store
        .person_times(year, district.as_str())
        .await
        .or_page(caller)?;
    let area_times = if area == district {
        None
    } else {
        Some(
            state
                .store
                .person_times(year, area.as_str())
                .await
                .or_page(caller)?,
        )
    };
    let target = zhucan_plan::load_plan(&state.store)
        .await
        .or_page(caller)?
        .and_then(|p| p.targets.into_iter().find(|t| t.key == TARGET))
        .and_then(|t| t.target);
    let mut fields = course_fields(lang, organisers(&areas, &area));
    let errors = sub.map(|s| s.apply(&mut fields)).unwrap_or_default();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &TrainingPage {
            c: chrome(
                Some(caller),
                lang,
                "/employment/training",
                "employment_seekers",
                crate::t(lang, "training-title"),
            ),
            year,
            rows,
            district_times,
            area_times,
            target,
            fields,
            notice,
            errors,
        },
    ))
}

/// `POST /employment/training`: a course of a township of the caller's area (or of their
/// own area).
pub async fn add_course(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(&caller))?;
    let (areas, _) = area_names(&state).await.or_page(&caller)?;
    let mut sub = Submission::new(form);
    let title = sub.required_text("title", 50, lang);
    let kind = sub.required_choice("kind", CourseKind::parse, lang);
    let provider = sub.get("provider").trim().to_string();
    if provider.chars().count() > 100 {
        sub.fail(
            "provider",
            crate::t(lang, "at-most-100-characters").to_string(),
        );
    }
    let raw_area = sub.get("area").trim().to_string();
    let allowed = organisers(&areas, &area);
    let organiser = allowed
        .iter()
        .find(|(code, _)| *code == raw_area)
        .map(|(c, _)| c.clone());
    if organiser.is_none() {
        sub.fail(
            "area",
            crate::tf(lang, "bad-township", &[("v", raw_area.into())]),
        );
    }
    let date = |sub: &mut Submission, name: &str| {
        let raw = sub.get(name).trim().to_string();
        match zhucan_domain::parse::parse_date(&raw) {
            Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
            _ => {
                sub.fail(
                    name,
                    crate::tf(lang, "bad-course-date", &[("v", raw.into())]),
                );
                None
            }
        }
    };
    let starts_on = date(&mut sub, "starts_on");
    let ends_on = date(&mut sub, "ends_on");
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        sub.fail(
            "ends_on",
            crate::tf(
                lang,
                "course-ends-before-start",
                &[("v", e.to_string().into()), ("s", s.to_string().into())],
            ),
        );
    }
    let (Some(title), Some(kind), Some(area_code), Some(starts_on), Some(ends_on), true) = (
        title,
        kind,
        organiser,
        starts_on,
        ends_on,
        sub.errors.is_empty(),
    ) else {
        let year = ends_on.map_or(today().year(), |d| d.year());
        return page(&state, &caller, year, Some(&sub), None).await;
    };
    let c = NewCourse {
        title,
        kind,
        provider,
        area_code,
        starts_on,
        ends_on,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.course.add",
        "",
        "ok",
        serde_json::json!({"title": c.title, "kind": c.kind.key(), "provider": c.provider, "area": c.area_code, "starts_on": c.starts_on.to_string(), "ends_on": c.ends_on.to_string()}),
    );
    let id = state
        .store
        .add_course(&c, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to(&format!("/employment/training/{id}?done=course")).into_response())
}

struct TraineeLine {
    handle: String,
    name: String,
    masked_id: String,
    township: String,
    completed: bool,
}

#[derive(Template)]
#[template(path = "employment_course.html")]
struct CoursePage {
    c: Chrome,
    course: CourseLine,
    year: i32,
    trainees: Vec<TraineeLine>,
    fields: Vec<FormField>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// `GET /employment/training/{id}`.
pub async fn course(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Path(id): Path<String>,
    Query(q): Query<TrainingParams>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("course") => Some(crate::t(caller.lang, "notice-course-added").to_string()),
        Some("trainee") => Some(crate::t(caller.lang, "notice-trainee-added").to_string()),
        Some("already") => Some(crate::t(caller.lang, "notice-trainee-already").to_string()),
        Some("completion") => Some(crate::t(caller.lang, "notice-completion-saved").to_string()),
        _ => None,
    };
    course_page(&state, &caller, &id, None, notice).await
}

async fn course_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    sub: Option<&Submission>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))?;
    let c = state
        .store
        .course(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    let (_, names) = area_names(state).await.or_page(caller)?;
    let listed = state.store.trainees(id).await.or_page(caller)?;
    let ids: Vec<CitizenId> = listed
        .iter()
        .filter_map(|t| CitizenId::from_trusted(t.citizen_id.clone()).ok())
        .collect();
    let summaries = state.store.summaries_of(&ids).await.or_page(caller)?;
    // Only the trainees of the caller's area are named.
    let trainees: Vec<TraineeLine> = summaries
        .into_iter()
        .filter(|s| {
            s.village_code
                .as_deref()
                .unwrap_or(&s.township_code)
                .starts_with(area.as_str())
        })
        .map(|s| TraineeLine {
            completed: listed
                .iter()
                .any(|t| t.citizen_id == s.citizen_id.as_str() && t.completed),
            masked_id: s.citizen_id.masked(),
            township: names.name(&s.township_code),
            handle: s.handle,
            name: s.name,
        })
        .collect();
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "employment.course.read",
        id,
        "ok",
        serde_json::json!({"trainees_shown": trainees.len()}),
    ));
    let mut fields = vec![
        FormField::new("citizen_id", crate::t(lang, "trainee-citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "trainee-citizen-id-hint")),
    ];
    let errors = sub.map(|s| s.apply(&mut fields)).unwrap_or_default();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &CoursePage {
            c: chrome(
                Some(caller),
                lang,
                &format!("/employment/training/{id}"),
                "employment_seekers",
                &c.title,
            ),
            course: CourseLine::of(&c, &names, lang),
            year: c.ends_on.year(),
            trainees,
            fields,
            notice,
            errors,
        },
    ))
}

/// `POST /employment/training/{id}/trainees`: adds a person of the caller's area by citizen
/// ID.
pub async fn add_trainee(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    if state.store.course(&id).await.or_page(&caller)?.is_none() {
        return Err(PageError::not_found(&caller));
    }
    let mut sub = Submission::new(form);
    let raw = sub.get("citizen_id").trim().to_string();
    let person = match crate::jobs_pages::writable_by_id(&state, &caller, &raw).await? {
        Ok(f) => Some(f),
        Err(m) => {
            sub.fail("citizen_id", m);
            None
        }
    };
    let Some(file) = person else {
        return course_page(&state, &caller, &id, Some(&sub), None).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.trainee.add",
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"course": id}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let done = match state
        .store
        .add_trainee(&id, &file.person.citizen_id, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Added::Done => "trainee",
        Added::Already => "already",
        Added::Missing => return Err(PageError::not_found(&caller)),
    };
    Ok(Redirect::to(&format!("/employment/training/{id}?done={done}")).into_response())
}

/// `POST /employment/training/{id}/completion`: `person` (a handle) completed the course
/// (`completed=yes`) or not.
pub async fn completion(
    State(state): State<AppState>,
    caller: Holds<WorksJobs>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let person = form.get("person").cloned().unwrap_or_default();
    let file = zhucan_web::usecase::writable_file(&state, &caller, &person).await?;
    let completed = form.get("completed").is_some_and(|v| v == "yes");
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "employment.trainee.completion",
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({"course": id, "completed": completed}),
    );
    if !state
        .store
        .set_completed(
            &id,
            &file.person.citizen_id,
            completed,
            &caller.user.username,
            &audit,
        )
        .await
        .or_page(&caller)?
    {
        return Err(PageError::not_found(&caller));
    }
    Ok(Redirect::to(&format!("/employment/training/{id}?done=completion")).into_response())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::year_of;

    proptest! {
        #[test]
        fn a_posted_year_is_2000_to_2100_or_refused(s in "\\PC{0,12}") {
            match year_of(Some(&s)) {
                Some(y) => prop_assert!((2000..=2100).contains(&y)),
                None => prop_assert!(s.trim().parse::<i32>().map_or(true, |y| !(2000..=2100).contains(&y))),
            }
        }

        #[test]
        fn every_year_of_the_range_is_read(y in 2000i32..=2100) {
            prop_assert_eq!(year_of(Some(&format!(" {y} "))), Some(y));
        }
    }
}
