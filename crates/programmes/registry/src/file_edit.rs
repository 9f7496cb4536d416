//! Keeping a file current in the browser (一人一档, 动态更新): the edit of a person's details
//! (name, contact, guardian, household, residence within the district, smart card) and the
//! survey form of one year. Both save with the file's version: when another clerk saved in
//! between, the form comes back with what the clerk entered and what changed, nothing lost.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use zhucan_domain::Lang;
use zhucan_domain::person::{PersonRecord, Survey};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, StoreError};

use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::pages::chrome;
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{
    CsrfForm, Holds, OrPage, PageError, PageResult, WritableFile, WritesPersons,
};
use zhucan_web::view::{Chrome, render};

#[derive(Template)]
#[template(path = "person_edit.html")]
struct EditPage {
    c: Chrome,
    name: String,
    handle: String,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    /// After a stale save: where the stored file differs from what was entered.
    conflict: Vec<String>,
}

fn edit_page(
    caller: &PageCaller,
    file: &PersonFile,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    conflict: Vec<String>,
) -> Response {
    let lang = caller.lang;
    let status = if conflict.is_empty() && errors.is_empty() {
        StatusCode::OK
    } else if conflict.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let title = if status == StatusCode::OK {
        crate::t(lang, "edit-the-file")
    } else {
        crate::t(lang, "edit-the-file-not-saved")
    };
    render(
        status,
        &EditPage {
            c: chrome(
                Some(caller),
                lang,
                &format!("/persons/{}/edit", file.handle),
                "persons",
                title,
            ),
            name: file.person.name.clone(),
            handle: file.handle.clone(),
            version,
            fields,
            errors,
            conflict,
        },
    )
}

/// `GET /persons/{handle}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    WritableFile(file): WritableFile,
) -> PageResult {
    let areas = state.store.areas().await.or_page(&caller)?;
    let fields = crate::forms::edit_fields(caller.lang, &areas, &caller.user.area, &file.record());
    Ok(edit_page(
        &caller,
        &file,
        file.version,
        fields,
        vec![],
        vec![],
    ))
}

/// The fields where `stored` differs from what the clerk entered (`entered`), as
/// "label: stored value".
fn differences(lang: Lang, fields: &[FormField], stored: &[FormField]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|f| {
            let s = stored.iter().find(|s| s.name == f.name)?;
            (s.value.trim() != f.value.trim()).then(|| {
                let shown = match s.kind {
                    "select" => s
                        .options
                        .iter()
                        .find(|o| o.0 == s.value)
                        .map(|o| o.1.clone())
                        .unwrap_or_else(|| s.value.clone()),
                    _ if s.name.contains("phone") => {
                        zhucan_domain::ids::mask_phone(&s.value).to_string()
                    }
                    _ => s.value.clone(),
                };
                let shown = if shown.is_empty() {
                    crate::t(lang, "empty").to_string()
                } else {
                    shown
                };
                format!("{}：{shown}", f.label)
            })
        })
        .collect()
}

/// The file version the form was filled from (a form without one is not ours: 400).
fn form_version(
    caller: &PageCaller,
    form: &std::collections::HashMap<String, String>,
) -> Result<i64, PageError> {
    form.get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            PageError::message(
                caller,
                StatusCode::BAD_REQUEST,
                "表单不完整（缺少档案版本），请重新打开表单填写。",
                "The form is incomplete (the file's version is missing); open the form again.",
            )
        })
}

/// `POST /persons/{handle}/edit`.
pub async fn save_edit(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    WritableFile(file): WritableFile,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let areas = state.store.areas().await.or_page(&caller)?;
    let version = form_version(&caller, &form)?;
    let mut sub = Submission::new(form);
    let current = file.record();
    let next = crate::forms::parse_edit(&mut sub, lang, &areas, &current);
    if let Some(next) = &next
        && !scope::can_register_in(
            &caller.user,
            &next.person.township,
            next.person.village.as_ref(),
        )
    {
        sub.fail(
            "township",
            crate::t(lang, "you-can-only-move-the-person").into(),
        );
    }
    let mut fields = crate::forms::edit_fields(lang, &areas, &caller.user.area, &current);
    let Some(next) = next.filter(|_| sub.errors.is_empty()) else {
        let errors = sub.apply(&mut fields);
        return Ok(edit_page(&caller, &file, version, fields, errors, vec![]));
    };
    if next == current {
        return Ok(Redirect::to(&format!("/persons/{}", file.handle)).into_response());
    }
    match save(&state, &caller, &file, &next, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/persons/{}?saved=1", file.handle)).into_response()),
        Err(StoreError::VersionConflict { .. }) => {
            // Someone saved in between: the form keeps what was entered, says what the file
            // holds now, and takes the new version so that a second save is deliberate.
            let fresh = state
                .store
                .person_file(
                    &file.person.citizen_id,
                    &zhucan_store::Reach::of(&caller.user),
                )
                .await
                .or_page(&caller)?
                .ok_or_else(|| PageError::not_found(&caller))?;
            sub.apply(&mut fields);
            let stored =
                crate::forms::edit_fields(lang, &areas, &caller.user.area, &fresh.record());
            let mut conflict = differences(lang, &fields, &stored);
            if conflict.is_empty() {
                conflict.push(crate::t(lang, "other-parts-of-the-file-such").into());
            }
            Ok(edit_page(
                &caller,
                &fresh,
                fresh.version,
                fields,
                vec![],
                conflict,
            ))
        }
        Err(e) => Err(PageError::store(&caller, e)),
    }
}

/// Saves `next` over `file` at `version`, with its timeline events and the audit record.
async fn save(
    state: &AppState,
    caller: &PageCaller,
    file: &PersonFile,
    next: &PersonRecord,
    version: i64,
) -> Result<(), StoreError> {
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let detail = serde_json::json!({"form": "edit", "changes": trail::diff(&file.record(), next)});
    state.store.save_file(next, version, None, &actor).await?;
    trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "person.change",
            file.person.citizen_id.as_str(),
            "ok",
            detail,
        ),
    )
    .await;
    Ok(())
}

// ---------------------------------------------------------------- the survey form

#[derive(Template)]
#[template(path = "survey_form.html")]
struct SurveyPage {
    c: Chrome,
    name: String,
    handle: String,
    year: i32,
    version: i64,
    /// The year's row exists (else it starts from the latest earlier one).
    exists: bool,
    /// The enrolments (set by subsidy decisions, shown, not edited here).
    enrolments: Vec<(String, String)>,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    conflict: bool,
}

/// The year the path names, if it is a survey year staff may record (not after this year).
fn survey_year(caller: &PageCaller, raw: &str) -> Result<i32, PageError> {
    let now = chrono::Datelike::year(&zhucan_web::view::today());
    match raw.trim().parse::<i32>() {
        Ok(y) if (1990..=now).contains(&y) => Ok(y),
        _ => Err(PageError::message(
            caller,
            StatusCode::NOT_FOUND,
            &format!("调查年度“{raw}”无效：应为 1990 至 {now} 年。"),
            &format!("The survey year “{raw}” is not valid: it must be 1990 to {now}."),
        )),
    }
}

/// The survey values for `year`: the year's row, else the latest earlier one carried forward
/// (as the indicators read them), else empty.
fn survey_of(file: &PersonFile, year: i32) -> (Survey, bool) {
    if let Some(s) = file.surveys.iter().find(|s| s.year == year) {
        return (s.clone(), true);
    }
    let mut s = file
        .surveys
        .iter()
        .filter(|s| s.year < year)
        .max_by_key(|s| s.year)
        .cloned()
        .unwrap_or_default();
    s.year = year;
    (s, false)
}

fn survey_page(
    caller: &PageCaller,
    file: &PersonFile,
    year: i32,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    conflict: bool,
) -> Response {
    let lang = caller.lang;
    let (current, exists) = survey_of(file, year);
    let month = |m: Option<zhucan_domain::parse::Month>| {
        m.map(|m| m.to_string())
            .unwrap_or_else(|| crate::t(lang, "dash").into())
    };
    let enrolments = vec![
        (
            crate::t(lang, "living-subsidy").to_string(),
            format!(
                "{} – {}",
                month(current.living_subsidy_since),
                month(current.living_subsidy_until)
            ),
        ),
        (
            crate::t(lang, "nursing-subsidy").to_string(),
            format!(
                "{} – {}",
                month(current.nursing_subsidy_since),
                month(current.nursing_subsidy_until)
            ),
        ),
    ];
    let status = if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = match lang {
        Lang::Zh => format!("{year} 年度调查（动态更新）"),
        Lang::En => format!("Survey {year} (yearly update)"),
    };
    render(
        status,
        &SurveyPage {
            c: chrome(
                Some(caller),
                lang,
                &format!("/persons/{}/surveys/{year}", file.handle),
                "persons",
                &title,
            ),
            name: file.person.name.clone(),
            handle: file.handle.clone(),
            year,
            version,
            exists,
            enrolments,
            fields,
            errors,
            conflict,
        },
    )
}

/// `GET /persons/{handle}/surveys/{year}`.
pub async fn survey_form(
    caller: Holds<WritesPersons>,
    WritableFile(file): WritableFile,
    Path((_, year)): Path<(String, String)>,
) -> PageResult {
    let year = survey_year(&caller, &year)?;
    let (s, _) = survey_of(&file, year);
    let fields = crate::forms::survey_fields(caller.lang, &s);
    Ok(survey_page(
        &caller,
        &file,
        year,
        file.version,
        fields,
        vec![],
        false,
    ))
}

/// `POST /persons/{handle}/surveys/{year}`.
pub async fn save_survey(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    WritableFile(file): WritableFile,
    Path((_, year)): Path<(String, String)>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let year = survey_year(&caller, &year)?;
    let version = form_version(&caller, &form)?;
    let (before, _) = survey_of(&file, year);
    let mut sub = Submission::new(form);
    let parsed = crate::forms::parse_survey(&mut sub, lang, &before);
    let mut fields = crate::forms::survey_fields(lang, &before);
    let Some(survey) = parsed.filter(|_| sub.errors.is_empty()) else {
        let errors = sub.apply(&mut fields);
        return Ok(survey_page(
            &caller, &file, year, version, fields, errors, false,
        ));
    };
    if file.surveys.contains(&survey) {
        return Ok(Redirect::to(&format!("/persons/{}", file.handle)).into_response());
    }
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .save_survey(&file.person.citizen_id, &survey, version, &actor)
        .await
    {
        Ok(_) => {
            trail::record(
                &state.store,
                audit_event(
                    &caller.user,
                    &caller.client,
                    "person.change",
                    file.person.citizen_id.as_str(),
                    "ok",
                    serde_json::json!({"form": "survey", "year": year, "changes": trail::diff(&before, &survey)}),
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/persons/{}?saved=1", file.handle)).into_response())
        }
        Err(StoreError::VersionConflict { .. }) => {
            let fresh = state
                .store
                .person_file(
                    &file.person.citizen_id,
                    &zhucan_store::Reach::of(&caller.user),
                )
                .await
                .or_page(&caller)?
                .ok_or_else(|| PageError::not_found(&caller))?;
            sub.apply(&mut fields);
            Ok(survey_page(
                &caller,
                &fresh,
                year,
                fresh.version,
                fields,
                vec![],
                true,
            ))
        }
        Err(e) => Err(PageError::store(&caller, e)),
    }
}
