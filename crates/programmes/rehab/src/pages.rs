//! The programme's pages: the staff overview of an area (designated institutions, the
//! children placed, the month's records, the forms to place a child and to record an adult's
//! rehabilitation), a placement with its records, the institution's own page, and the
//! district's designations and monthly settlements.

#[allow(unused_imports)]
use crate::prelude::*;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::Deserialize;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_domain::parse::{fen_to_yuan, parse_date};
use zhucan_service::rules::NeedKind;
use zhucan_service::store::Need;
use zhucan_service::taken::{WaitingNeeds, check_need, takeable, waiting};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, User};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options, fill};
use zhucan_web::pages::{area_names, check_present, chrome, names_of, typed_person};
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, ExportsPersons, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{AreaNames, Chrome, keep_numbers_whole, render, today};

use crate::rules::{self, ChildMonth, Designation, Month, PlaceCase, Service, Terms};
use crate::store::{NewRecord, Placed, Placement, Record, Recorded, Settlement, institution_name};

/// Reads the programme's cases of an area (district, township and village staff).
#[derive(Debug, Clone, Copy)]
pub struct SeesRehab;

impl Right for SeesRehab {
    fn held_by(user: &User) -> bool {
        user.role.works_subsidies() && user.role.reads_persons()
    }
}

/// Places children, ends placements and records services (district and township staff).
#[derive(Debug, Clone, Copy)]
pub struct RecordsRehab;

impl Right for RecordsRehab {
    fn held_by(user: &User) -> bool {
        user.role.decides_subsidies()
    }
}

/// Designates institutions and settles their months (the district administrator).
#[derive(Debug, Clone, Copy)]
pub struct Designates;

impl Right for Designates {
    fn held_by(user: &User) -> bool {
        user.role.runs_payroll()
    }
}

/// An institution's account.
#[derive(Debug, Clone, Copy)]
pub struct IsInstitution;

impl Right for IsInstitution {
    fn held_by(user: &User) -> bool {
        user.role == Role::Institution
    }
}

/// Records a child's sessions: staff, or the institution the child is placed at.
#[derive(Debug, Clone, Copy)]
pub struct RecordsOrServes;

impl Right for RecordsOrServes {
    fn held_by(user: &User) -> bool {
        RecordsRehab::held_by(user) || IsInstitution::held_by(user)
    }
}

fn yuan(f: i64) -> String {
    fen_to_yuan(f)
}

/// The month asked for (default: this month).
fn month_of(raw: Option<&str>) -> Month {
    raw.and_then(Month::parse)
        .unwrap_or_else(|| Month::of(today()))
}

/// The staff's area.
fn area_of(caller: &PageCaller) -> Result<AreaCode, PageError> {
    scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))
}

/// The institution a confined account is bound to (`township/name`).
async fn org_of(state: &AppState, caller: &PageCaller) -> Result<Option<String>, PageError> {
    state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(caller)
}

/// An institution's name and township, from its id.
fn institution_label(id: &str, names: &AreaNames) -> String {
    match id.split_once('/') {
        Some((t, n)) => format!("{n}（{}）", names.name(t)),
        None => id.to_string(),
    }
}

fn status_of(d: &Designation, day: NaiveDate, lang: Lang) -> String {
    if let Some(e) = d.exited_on
        && e <= day
    {
        crate::tf(lang, "exited-on", &[("d", e.to_string().into())])
    } else if d.in_force(day) {
        crate::t(lang, "in-force").into()
    } else {
        crate::t(lang, "not-in-force").into()
    }
}

fn read_date(sub: &mut Submission, field: &str, lang: Lang) -> Option<NaiveDate> {
    zhucan_web::forms::past_date(sub, field, today(), lang)
}

fn read_sessions(sub: &mut Submission, field: &str, lang: Lang) -> Option<i64> {
    let raw = sub.get(field).to_string();
    match raw.parse::<i64>() {
        Ok(n) if (1..=100).contains(&n) => Some(n),
        _ => {
            sub.fail(
                field,
                crate::tf(lang, "not-a-session-count", &[("v", raw.into())]),
            );
            None
        }
    }
}

fn read_note(sub: &mut Submission, field: &str, lang: Lang) -> String {
    let note = sub.get(field).to_string();
    if note.chars().count() > 200 {
        sub.fail(field, crate::t(lang, "at-most-200-characters").into());
    }
    note
}

async fn terms_for(
    state: &AppState,
    caller: &PageCaller,
    area: &AreaCode,
    day: NaiveDate,
) -> Result<Result<Terms, String>, PageError> {
    let policy = state.store.policy().await.or_page(caller)?;
    Ok(Terms::resolve(&policy, area, day).map_err(|k| {
        crate::tf(
            caller.lang,
            "parameter-not-set",
            &[("p", k.label(caller.lang).to_string().into())],
        )
    }))
}

// ---------------------------------------------------------------- the overview

struct PlacementRow {
    id: String,
    name: String,
    masked_id: String,
    institution: String,
    service: String,
    started: String,
    ended: String,
}

struct RecordRow {
    name: String,
    masked_id: String,
    service: String,
    institution: String,
    served_on: String,
    sessions: i64,
    source: String,
}

struct DesignationRow {
    institution: String,
    capacity: i64,
    open: i64,
    agreement: String,
    period: String,
    status: String,
}

#[derive(Template)]
#[template(path = "rehab_overview.html")]
struct OverviewPage {
    c: Chrome,
    month: String,
    designations: Vec<DesignationRow>,
    placements: Vec<PlacementRow>,
    records: Vec<RecordRow>,
    summary: String,
    can_record: bool,
    can_export: bool,
    purpose: String,
    purpose_required: bool,
    purpose_threshold: usize,
    place_fields: Vec<FormField>,
    adult_fields: Vec<FormField>,
    waiting: WaitingNeeds,
    can_act: bool,
    /// The stated need the placement form (`p_need`) or the adult form (`a_need`) acts on.
    place_need: Option<String>,
    adult_need: Option<String>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Deserialize, Default)]
pub struct MonthParams {
    pub month: Option<String>,
    /// After an import: the rows written and skipped (already recorded).
    pub imported: Option<usize>,
    pub skipped: Option<usize>,
    /// A stated need to act on: the placement form (a child) or the adult form is filled
    /// from it.
    pub need: Option<String>,
}

fn place_fields(lang: Lang, designations: &[Designation], names: &AreaNames) -> Vec<FormField> {
    let day = today();
    let mut inst = vec![(String::new(), crate::t(lang, "choose").to_string())];
    inst.extend(designations.iter().filter(|d| d.in_force(day)).map(|d| {
        (
            d.institution_id.clone(),
            institution_label(&d.institution_id, names),
        )
    }));
    let mut started = FormField::new("p_started_on", crate::t(lang, "started-on"), "date")
        .required()
        .hint(crate::t(lang, "date-hint"));
    started.value = day.to_string();
    vec![
        FormField::new("p_citizen_id", crate::t(lang, "child-citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "citizen-id-hint")),
        FormField::new("p_institution", crate::t(lang, "institution"), "select")
            .required()
            .options(inst),
        FormField::new("p_service", crate::t(lang, "service"), "select")
            .required()
            .options(enum_options(
                &Service::child(),
                Service::key,
                |s| s.label(lang).to_string(),
                Some(crate::t(lang, "choose")),
            )),
        started,
    ]
}

fn adult_fields(lang: Lang) -> Vec<FormField> {
    let mut served = FormField::new("a_served_on", crate::t(lang, "served-on"), "date")
        .required()
        .hint(crate::t(lang, "date-hint"));
    served.value = today().to_string();
    let mut sessions = FormField::new("a_sessions", crate::t(lang, "sessions"), "text")
        .required()
        .hint(crate::t(lang, "sessions-hint"));
    sessions.value = "1".into();
    vec![
        FormField::new("a_citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "citizen-id-hint")),
        FormField::new("a_service", crate::t(lang, "service"), "select")
            .required()
            .options(enum_options(
                &Service::adult(),
                Service::key,
                |s| s.label(lang).to_string(),
                Some(crate::t(lang, "choose")),
            )),
        served,
        sessions,
        FormField::new("a_note", crate::t(lang, "note"), "text").hint(crate::t(lang, "note-hint")),
    ]
}

fn record_rows(
    records: &[Record],
    names: &HashMap<String, String>,
    areas: &AreaNames,
    lang: Lang,
) -> Vec<RecordRow> {
    records
        .iter()
        .map(|r| RecordRow {
            name: names
                .get(r.citizen_id.as_str())
                .cloned()
                .unwrap_or_default(),
            masked_id: r.citizen_id.masked(),
            service: r.service.label(lang).to_string(),
            institution: if r.institution_id.is_empty() {
                crate::t(lang, "by-staff").into()
            } else {
                institution_label(&r.institution_id, areas)
            },
            served_on: r.served_on.to_string(),
            sessions: r.sessions,
            source: if r.source == "import" {
                crate::t(lang, "source-import").into()
            } else {
                crate::t(lang, "source-typed").into()
            },
        })
        .collect()
}

/// Which overview form was posted, and what.
enum OverviewPosted<'a> {
    Place(&'a Submission),
    Adult(&'a Submission),
    /// A stated need: a child's fills the placement form, an adult's the adult form.
    Need(&'a Need),
}

async fn overview_page(
    state: &AppState,
    caller: &PageCaller,
    month: Month,
    posted: Option<OverviewPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let area = area_of(caller)?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let designations = state.store.designations().await.or_page(caller)?;
    let mut drows = Vec::new();
    for d in &designations {
        drows.push(DesignationRow {
            institution: institution_label(&d.institution_id, &anames),
            capacity: d.capacity,
            open: state
                .store
                .open_at(&d.institution_id)
                .await
                .or_page(caller)?,
            agreement: d.agreement_no.clone(),
            period: keep_numbers_whole(format!("{} – {}", d.agreement_from, d.agreement_to)),
            status: keep_numbers_whole(status_of(d, today(), lang)),
        });
    }
    let placements = state
        .store
        .placements_in(area.as_str())
        .await
        .or_page(caller)?;
    let records = state
        .store
        .records_in(area.as_str(), &month.key())
        .await
        .or_page(caller)?;
    let mut ids: Vec<CitizenId> = placements.iter().map(|p| p.citizen_id.clone()).collect();
    ids.extend(records.iter().map(|r| r.citizen_id.clone()));
    let names = names_of(state, caller, &ids).await?;
    let mut pf = place_fields(lang, &designations, &anames);
    let mut af = adult_fields(lang);
    let (mut place_need, mut adult_need) = (None, None);
    let hidden = |s: &Submission, f: &str| Some(s.get(f).to_string()).filter(|n| !n.is_empty());
    let errors = match posted {
        Some(OverviewPosted::Place(s)) => {
            place_need = hidden(s, "p_need");
            s.apply(&mut pf)
        }
        Some(OverviewPosted::Adult(s)) => {
            adult_need = hidden(s, "a_need");
            s.apply(&mut af)
        }
        Some(OverviewPosted::Need(n)) => {
            let policy = state.store.policy().await.or_page(caller)?;
            let home = AreaCode::parse(&n.area).unwrap_or_else(|| area.clone());
            let limit = rules::Terms::resolve(&policy, &home, today())
                .ok()
                .map(|t| t.age_limit);
            let child = limit.is_some_and(|l| i64::from(n.citizen_id.age_on(today())) < l);
            let id = n.citizen_id.as_str().to_string();
            if child {
                place_need = Some(n.id.clone());
                fill(&mut pf, "p_citizen_id", id);
            } else {
                adult_need = Some(n.id.clone());
                fill(&mut af, "a_citizen_id", id);
                fill(
                    &mut af,
                    "a_note",
                    n.description.chars().take(200).collect::<String>(),
                );
            }
            vec![]
        }
        None => vec![],
    };
    let open = placements.iter().filter(|p| p.is_open()).count();
    let summary = crate::tf(
        lang,
        "placements-n-open-m",
        &[("n", placements.len().into()), ("m", open.into())],
    );
    let view = OverviewPage {
        c: chrome(
            Some(caller),
            lang,
            "/rehab",
            "rehab",
            crate::t(lang, "rehabilitation"),
        ),
        month: month.key(),
        designations: drows,
        placements: placements
            .iter()
            .map(|p| PlacementRow {
                id: p.id.clone(),
                name: names
                    .get(p.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: p.citizen_id.masked(),
                institution: institution_label(&p.institution_id, &anames),
                service: p.service.label(lang).to_string(),
                started: p.started_on.to_string(),
                ended: p.ended_on.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        records: record_rows(&records, &names, &anames, lang),
        summary,
        can_record: RecordsRehab::held_by(&caller.user),
        can_export: ExportsPersons::held_by(&caller.user),
        purpose: String::new(),
        purpose_required: placements.len() + records.len()
            > state.policy().await.export_purpose_rows,
        purpose_threshold: state.policy().await.export_purpose_rows,
        place_fields: pf,
        adult_fields: af,
        waiting: waiting(state, caller, &area, NeedKind::Rehab, "/rehab").await?,
        can_act: RecordsRehab::held_by(&caller.user),
        place_need,
        adult_need,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &view))
}

/// `GET /rehab`: the area's children placed, the month's records, the designated
/// institutions.
pub async fn overview(
    State(state): State<AppState>,
    caller: Holds<SeesRehab>,
    Query(q): Query<MonthParams>,
) -> PageResult {
    if let Some(id) = q.need.as_deref()
        && RecordsRehab::held_by(&caller.user)
    {
        let Some(n) = takeable(&state, &caller, id, NeedKind::Rehab).await? else {
            return Err(PageError::not_found(&caller));
        };
        return overview_page(
            &state,
            &caller,
            Month::of(today()),
            Some(OverviewPosted::Need(&n)),
        )
        .await;
    }
    overview_page(&state, &caller, month_of(q.month.as_deref()), None).await
}

/// `POST /rehab/placements`: places a child at a designated institution.
pub async fn place(
    State(state): State<AppState>,
    caller: Holds<RecordsRehab>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let file = typed_person(&state, &caller, &mut sub, "p_citizen_id").await?;
    let inst = sub.get("p_institution").to_string();
    let designation = if inst.is_empty() {
        sub.fail("p_institution", crate::t(lang, "is-required").into());
        None
    } else {
        let d = state.store.designation(&inst).await.or_page(&caller)?;
        if d.is_none() {
            sub.fail(
                "p_institution",
                crate::tf(
                    lang,
                    "not-a-designated-institution",
                    &[("v", inst.clone().into())],
                ),
            );
        }
        d
    };
    let service = sub.required_choice("p_service", Service::parse, lang);
    let start = read_date(&mut sub, "p_started_on", lang);
    let need_id = check_need(
        &state,
        &caller,
        &mut sub,
        "p_need",
        "p_citizen_id",
        NeedKind::Rehab,
        file.as_ref().map(|f| &f.person.citizen_id),
    )
    .await?;
    let need = Some(need_id.as_str()).filter(|n| !n.is_empty());
    let (Some(file), Some(d), Some(service), Some(start), true) =
        (file, designation, service, start, sub.errors.is_empty())
    else {
        return overview_page(
            &state,
            &caller,
            Month::of(today()),
            Some(OverviewPosted::Place(&sub)),
        )
        .await;
    };
    check_present(&mut sub, "p_started_on", &file, start, lang);
    let area = file.person.home_area().clone();
    let terms = match terms_for(&state, &caller, &area, start).await? {
        Ok(t) => Some(t),
        Err(m) => {
            sub.fail("p_service", m);
            None
        }
    };
    let open_there = state
        .store
        .open_at(&d.institution_id)
        .await
        .or_page(&caller)?;
    let child_placed = state
        .store
        .placements_of(&file.person.citizen_id)
        .await
        .or_page(&caller)?
        .iter()
        .any(Placement::is_open);
    if let Some(t) = &terms {
        let case = PlaceCase {
            service,
            birth: file.person.citizen_id.birth_date(),
            start,
            designation: &d,
            open_there,
            child_placed,
        };
        if let Err(e) = rules::can_place(&case, t) {
            let field = match e {
                rules::PlaceRefused::TooOld { .. } => "p_citizen_id",
                rules::PlaceRefused::NotChildService => "p_service",
                rules::PlaceRefused::AlreadyPlaced => "p_citizen_id",
                _ => "p_institution",
            };
            sub.fail(field, e.message(lang));
        }
    }
    if !sub.errors.is_empty() {
        return overview_page(
            &state,
            &caller,
            Month::of(today()),
            Some(OverviewPosted::Place(&sub)),
        )
        .await;
    }
    let p = Placement {
        id: String::new(),
        citizen_id: file.person.citizen_id.clone(),
        institution_id: d.institution_id.clone(),
        service,
        area_code: area.to_string(),
        started_on: start,
        ended_on: None,
        end_reason: None,
        created_by: caller.user.username.clone(),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.place",
        p.citizen_id.as_str(),
        "ok",
        serde_json::json!({"institution": p.institution_id, "service": service.key(), "started_on": start, "need": need}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .place(&p, d.capacity, need, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Placed::Done(id) => Ok(Redirect::to(&format!("/rehab/placements/{id}")).into_response()),
        refused => {
            let (field, message) = match refused {
                Placed::Full { open, capacity } => (
                    "p_institution",
                    rules::PlaceRefused::Full { open, capacity }.message(lang),
                ),
                Placed::NeedGone => (
                    "p_citizen_id",
                    zhucan_service::tf(
                        lang,
                        "not-a-waiting-need",
                        &[("v", need_id.clone().into())],
                    ),
                ),
                Placed::AlreadyPlaced | Placed::Done(_) => (
                    "p_citizen_id",
                    rules::PlaceRefused::AlreadyPlaced.message(lang),
                ),
            };
            sub.fail(field, message);
            overview_page(
                &state,
                &caller,
                Month::of(today()),
                Some(OverviewPosted::Place(&sub)),
            )
            .await
        }
    }
}

fn refused_record(sub: &mut Submission, field: &str, r: &Recorded, lang: Lang) {
    match r {
        Recorded::Duplicate => sub.fail(field, crate::t(lang, "already-recorded").into()),
        Recorded::Settled => sub.fail(field, crate::t(lang, "month-settled").into()),
        Recorded::NeedGone => sub.fail(
            field,
            zhucan_service::tf(
                lang,
                "not-a-waiting-need",
                &[("v", sub.get("a_need").to_string().into())],
            ),
        ),
        Recorded::Done(_) => {}
    }
}

/// `POST /rehab/records`: an adult's (basic) rehabilitation service, by staff.
pub async fn record_adult(
    State(state): State<AppState>,
    caller: Holds<RecordsRehab>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let mut sub = Submission::new(form);
    let file = typed_person(&state, &caller, &mut sub, "a_citizen_id").await?;
    let service = sub.required_choice(
        "a_service",
        |s| Service::parse(s).filter(|s| !s.is_child()),
        lang,
    );
    let served_on = read_date(&mut sub, "a_served_on", lang);
    let sessions = read_sessions(&mut sub, "a_sessions", lang);
    let note = read_note(&mut sub, "a_note", lang);
    let need_id = check_need(
        &state,
        &caller,
        &mut sub,
        "a_need",
        "a_citizen_id",
        NeedKind::Rehab,
        file.as_ref().map(|f| &f.person.citizen_id),
    )
    .await?;
    let need = Some(need_id.as_str()).filter(|n| !n.is_empty());
    if let (Some(f), Some(d)) = (&file, served_on) {
        check_present(&mut sub, "a_served_on", f, d, lang);
    }
    let month = served_on
        .map(Month::of)
        .unwrap_or_else(|| Month::of(today()));
    let (Some(file), Some(service), Some(served_on), Some(sessions), true) =
        (file, service, served_on, sessions, sub.errors.is_empty())
    else {
        return overview_page(&state, &caller, month, Some(OverviewPosted::Adult(&sub))).await;
    };
    let r = NewRecord {
        citizen_id: file.person.citizen_id.clone(),
        area_code: file.person.home_area().to_string(),
        placement_id: None,
        institution_id: String::new(),
        institution_name: None,
        served_on,
        service,
        sessions,
        note: note.clone(),
        source: "typed",
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.record",
        r.citizen_id.as_str(),
        "ok",
        serde_json::json!({"service": service.key(), "served_on": served_on, "sessions": sessions, "note": note, "need": need}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let done = state
        .store
        .record(&r, need, &actor, &audit)
        .await
        .or_page(&caller)?;
    if !matches!(done, Recorded::Done(_)) {
        let field = if done == Recorded::NeedGone {
            "a_citizen_id"
        } else {
            "a_served_on"
        };
        refused_record(&mut sub, field, &done, lang);
        return overview_page(&state, &caller, month, Some(OverviewPosted::Adult(&sub))).await;
    }
    Ok(Redirect::to(&format!("/rehab?month={}", month.key())).into_response())
}

// ---------------------------------------------------------------- a placement

/// Who reads a placement.
enum Viewer {
    /// Staff whose area holds the child (`writes`: may record and end).
    Staff { writes: bool },
    /// The institution the child is placed at.
    Institution,
}

/// The placement, the viewer and the child's file, or 403/404: staff within their area; an
/// institution only on its own placements (else 404, so an ID tells nothing).
async fn load(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<(Placement, Viewer, PersonFile), PageError> {
    let confined = caller.user.role.confined();
    if !confined && !SeesRehab::held_by(&caller.user) {
        return Err(PageError::forbidden(caller));
    }
    let p = state
        .store
        .placement(id)
        .await
        .or_page(caller)?
        .ok_or_else(|| PageError::not_found(caller))?;
    if confined {
        if caller.user.role != Role::Institution {
            return Err(PageError::not_found(caller));
        }
        let org = org_of(state, caller).await?;
        if org.as_deref() != Some(p.institution_id.as_str()) {
            return Err(PageError::not_found(caller));
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "an institution reads only the name of a child placed with it (checked above), to record the child's sessions"
        )]
        let reach = zhucan_store::Reach::system("rehab.institution");
        let file = state
            .store
            .person_file(&p.citizen_id, &reach)
            .await
            .or_page(caller)?
            .ok_or_else(|| PageError::not_found(caller))?;
        return Ok((p, Viewer::Institution, file));
    }
    let file = state
        .store
        .person_file(&p.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .filter(|f| scope::can_read(&caller.user, &f.person))
        .ok_or_else(|| PageError::not_found(caller))?;
    let writes = scope::can_write(&caller.user, &file.person);
    Ok((p, Viewer::Staff { writes }, file))
}

#[derive(Template)]
#[template(path = "rehab_placement.html")]
struct PlacementPage {
    c: Chrome,
    id: String,
    name: String,
    masked_id: String,
    handle: Option<String>,
    age: i32,
    institution: String,
    service: String,
    started: String,
    ended: String,
    end_reason: String,
    records: Vec<RecordRow>,
    can_record: bool,
    record_fields: Vec<FormField>,
    can_end: bool,
    end_fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

enum PlacementPosted<'a> {
    Record(&'a Submission),
    End(&'a Submission),
}

fn record_fields(lang: Lang) -> Vec<FormField> {
    let mut served = FormField::new("r_served_on", crate::t(lang, "served-on"), "date")
        .required()
        .hint(crate::t(lang, "month-record-hint"));
    served.value = today().to_string();
    vec![
        served,
        FormField::new("r_sessions", crate::t(lang, "sessions"), "text")
            .required()
            .hint(crate::t(lang, "sessions-month-hint")),
        FormField::new("r_note", crate::t(lang, "note"), "text").hint(crate::t(lang, "note-hint")),
    ]
}

fn end_fields(lang: Lang) -> Vec<FormField> {
    let mut ended = FormField::new("e_ended_on", crate::t(lang, "ended-on"), "date")
        .required()
        .hint(crate::t(lang, "date-hint"));
    ended.value = today().to_string();
    vec![
        ended,
        FormField::new("e_reason", crate::t(lang, "end-reason"), "text")
            .required()
            .hint(crate::t(lang, "end-reason-hint")),
    ]
}

async fn placement_page(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    posted: Option<PlacementPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let (p, viewer, file) = load(state, caller, id).await?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let records = state.store.records_of_placement(id).await.or_page(caller)?;
    let names: HashMap<String, String> =
        [(p.citizen_id.as_str().to_string(), file.person.name.clone())].into();
    let is_institution = matches!(viewer, Viewer::Institution);
    let staff_records =
        matches!(viewer, Viewer::Staff { writes: true }) && RecordsRehab::held_by(&caller.user);
    let mut rf = record_fields(lang);
    let mut ef = end_fields(lang);
    let errors = match posted {
        Some(PlacementPosted::Record(s)) => s.apply(&mut rf),
        Some(PlacementPosted::End(s)) => s.apply(&mut ef),
        None => vec![],
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "rehab.read",
        p.citizen_id.as_str(),
        "ok",
        serde_json::json!({"placement": id}),
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = PlacementPage {
        c: chrome(
            Some(caller),
            lang,
            &format!("/rehab/placements/{id}"),
            if is_institution {
                "rehab_institution"
            } else {
                "rehab"
            },
            crate::t(lang, "placement"),
        ),
        id: p.id.clone(),
        name: file.person.name.clone(),
        masked_id: p.citizen_id.masked(),
        handle: (!is_institution).then(|| file.handle.clone()),
        age: p.citizen_id.age_on(today()),
        institution: institution_label(&p.institution_id, &anames),
        service: p.service.label(lang).to_string(),
        started: p.started_on.to_string(),
        ended: p.ended_on.map(|d| d.to_string()).unwrap_or_default(),
        end_reason: p.end_reason.clone().unwrap_or_default(),
        records: record_rows(&records, &names, &anames, lang),
        can_record: is_institution || staff_records,
        record_fields: rf,
        can_end: staff_records && p.is_open(),
        end_fields: ef,
        errors: errors.clone(),
    };
    Ok(render(status, &view))
}

/// `GET /rehab/placements/{id}`.
pub async fn placement(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> PageResult {
    placement_page(&state, &caller, &id, None).await
}

/// `POST /rehab/placements/{id}/records`: a month's sessions of a placed child, by the
/// institution or by staff.
pub async fn record_child(
    State(state): State<AppState>,
    caller: Holds<RecordsOrServes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (p, viewer, file) = load(&state, &caller, &id).await?;
    if matches!(viewer, Viewer::Staff { writes: false }) {
        return Err(PageError::not_found(&caller));
    }
    let mut sub = Submission::new(form);
    let served_on = read_date(&mut sub, "r_served_on", lang);
    let sessions = read_sessions(&mut sub, "r_sessions", lang);
    let note = read_note(&mut sub, "r_note", lang);
    let designation = state
        .store
        .designation(&p.institution_id)
        .await
        .or_page(&caller)?;
    if let Some(d) = served_on {
        if !p.covers(d) {
            sub.fail(
                "r_served_on",
                crate::tf(
                    lang,
                    "outside-the-placement",
                    &[
                        ("v", d.to_string().into()),
                        ("from", p.started_on.to_string().into()),
                        (
                            "to",
                            p.ended_on
                                .map(|e| e.to_string())
                                .unwrap_or_else(|| crate::t(lang, "now").to_string())
                                .into(),
                        ),
                    ],
                ),
            );
        } else if !designation.as_ref().is_some_and(|x| x.in_force(d)) {
            sub.fail(
                "r_served_on",
                crate::tf(
                    lang,
                    "designation-not-in-force-on",
                    &[("v", d.to_string().into())],
                ),
            );
        }
        check_present(&mut sub, "r_served_on", &file, d, lang);
    }
    let (Some(served_on), Some(sessions), true) = (served_on, sessions, sub.errors.is_empty())
    else {
        return placement_page(&state, &caller, &id, Some(PlacementPosted::Record(&sub))).await;
    };
    let r = NewRecord {
        citizen_id: p.citizen_id.clone(),
        area_code: p.area_code.clone(),
        placement_id: Some(p.id.clone()),
        institution_id: p.institution_id.clone(),
        institution_name: Some(institution_name(&p.institution_id).to_string()),
        served_on,
        service: p.service,
        sessions,
        note: note.clone(),
        source: "typed",
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.record",
        r.citizen_id.as_str(),
        "ok",
        serde_json::json!({"placement": id, "institution": p.institution_id, "service": p.service.key(), "served_on": served_on, "sessions": sessions, "note": note}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    let done = state
        .store
        .record(&r, None, &actor, &audit)
        .await
        .or_page(&caller)?;
    if !matches!(done, Recorded::Done(_)) {
        refused_record(&mut sub, "r_served_on", &done, lang);
        return placement_page(&state, &caller, &id, Some(PlacementPosted::Record(&sub))).await;
    }
    Ok(Redirect::to(&format!("/rehab/placements/{id}")).into_response())
}

/// `POST /rehab/placements/{id}/end`: ends a placement (staff).
pub async fn end(
    State(state): State<AppState>,
    caller: Holds<RecordsRehab>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let (p, viewer, _) = load(&state, &caller, &id).await?;
    if !matches!(viewer, Viewer::Staff { writes: true }) {
        return Err(PageError::not_found(&caller));
    }
    if !p.is_open() {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个安置已结束。",
            "This placement has already ended.",
        ));
    }
    let mut sub = Submission::new(form);
    let on = read_date(&mut sub, "e_ended_on", lang);
    if let Some(d) = on
        && d < p.started_on
    {
        sub.fail(
            "e_ended_on",
            crate::tf(
                lang,
                "ends-before-it-starts",
                &[
                    ("v", d.to_string().into()),
                    ("from", p.started_on.to_string().into()),
                ],
            ),
        );
    }
    let reason = sub.required_text("e_reason", 100, lang);
    let (Some(on), Some(reason), true) = (on, reason, sub.errors.is_empty()) else {
        return placement_page(&state, &caller, &id, Some(PlacementPosted::End(&sub))).await;
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.end",
        p.citizen_id.as_str(),
        "ok",
        serde_json::json!({"placement": id, "ended_on": on, "reason": reason}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    if !state
        .store
        .end_placement(&p, on, &reason, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个安置已结束。",
            "This placement has already ended.",
        ));
    }
    Ok(Redirect::to(&format!("/rehab/placements/{id}")).into_response())
}

// ---------------------------------------------------------------- the institution's page

struct ChildRow {
    id: String,
    name: String,
    age: i32,
    service: String,
    started: String,
    ended: String,
    sessions: i64,
}

#[derive(Template)]
#[template(path = "rehab_institution.html")]
struct InstitutionPage {
    c: Chrome,
    institution: Option<String>,
    status: String,
    month: String,
    settled: bool,
    rows: Vec<ChildRow>,
    file_field: Vec<FormField>,
    notice: Option<String>,
    errors: Vec<(String, String)>,
}

/// The children placed at the account's institution, with the month's sessions, and the
/// import form (with the problems of a file refused).
pub async fn institution_page(
    state: &AppState,
    caller: &PageCaller,
    q: &MonthParams,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let month = month_of(q.month.as_deref());
    let org = org_of(state, caller).await?;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let mut rows = Vec::new();
    let mut status = String::new();
    let mut settled = false;
    let mut label = None;
    if let Some(inst) = org.as_deref() {
        label = Some(institution_label(inst, &anames));
        if let Some(d) = state.store.designation(inst).await.or_page(caller)? {
            status = status_of(&d, today(), lang);
        } else {
            status = crate::t(lang, "not-designated").into();
        }
        settled = state
            .store
            .settlement(inst, &month.key())
            .await
            .or_page(caller)?
            .is_some();
        let records = state
            .store
            .records_at(inst, &month.key())
            .await
            .or_page(caller)?;
        for p in state.store.placements_at(inst).await.or_page(caller)? {
            if !(p.is_open() || p.ended_on.is_some_and(|e| e >= month.first())) {
                continue;
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "the institution's own placements: the child's name for its list"
            )]
            let reach = zhucan_store::Reach::system("rehab.institution");
            let name = state
                .store
                .person_file(&p.citizen_id, &reach)
                .await
                .or_page(caller)?
                .map(|f| f.person.name)
                .unwrap_or_default();
            rows.push(ChildRow {
                sessions: records
                    .iter()
                    .filter(|r| r.placement_id.as_deref() == Some(p.id.as_str()))
                    .map(|r| r.sessions)
                    .sum(),
                id: p.id.clone(),
                name,
                age: p.citizen_id.age_on(today()),
                service: p.service.label(lang).to_string(),
                started: p.started_on.to_string(),
                ended: p.ended_on.map(|d| d.to_string()).unwrap_or_default(),
            });
        }
    }
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &InstitutionPage {
            c: chrome(
                Some(caller),
                lang,
                "/rehab/institution",
                "rehab_institution",
                crate::t(lang, "our-children"),
            ),
            institution: label,
            status,
            month: month.key(),
            settled,
            rows,
            file_field: vec![{
                let mut f = FormField::new("file", crate::t(lang, "import-file"), "file")
                    .required()
                    .hint(crate::t(lang, "import-hint"));
                f.error = errors.first().map(|(_, m)| m.clone());
                f
            }],
            notice,
            errors: errors.clone(),
        },
    ))
}

// ---------------------------------------------------------------- designations, settlements

struct SettleRow {
    institution_id: String,
    institution: String,
    capacity: i64,
    open: i64,
    status: String,
    children: i64,
    amount: String,
    settled: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "rehab_settlements.html")]
struct SettlementsPage {
    c: Chrome,
    month: String,
    rows: Vec<SettleRow>,
    total: String,
    designate_fields: Vec<FormField>,
    exit_fields: Vec<FormField>,
    purpose: String,
    purpose_required: bool,
    purpose_threshold: usize,
    errors: Vec<(String, String)>,
}

/// A month's lines for an institution: from the stored settlement once settled, else
/// computed from the placements and records (an error names a missing parameter).
async fn lines_of(
    state: &AppState,
    caller: &PageCaller,
    inst: &str,
    month: Month,
) -> Result<Result<(Vec<rules::SettlementLine>, Option<Settlement>), String>, PageError> {
    if let Some(s) = state
        .store
        .settlement(inst, &month.key())
        .await
        .or_page(caller)?
    {
        return Ok(Ok((s.lines.clone(), Some(s))));
    }
    let records = state
        .store
        .records_at(inst, &month.key())
        .await
        .or_page(caller)?;
    let policy = state.store.policy().await.or_page(caller)?;
    let mut children = Vec::new();
    for p in state.store.placements_at(inst).await.or_page(caller)? {
        let overlaps =
            p.started_on <= month.last() && p.ended_on.is_none_or(|e| e >= month.first());
        if !overlaps {
            continue;
        }
        let Some(area) = AreaCode::parse(&p.area_code) else {
            continue;
        };
        let terms = match Terms::resolve(&policy, &area, month.first()) {
            Ok(t) => t,
            Err(k) => {
                return Ok(Err(crate::tf(
                    caller.lang,
                    "parameter-not-set",
                    &[("p", k.label(caller.lang).to_string().into())],
                )));
            }
        };
        children.push(ChildMonth {
            sessions: records
                .iter()
                .filter(|r| r.placement_id.as_deref() == Some(p.id.as_str()))
                .map(|r| r.sessions)
                .sum(),
            placement_id: p.id.clone(),
            citizen_id: p.citizen_id.as_str().to_string(),
            monthly_fen: terms.monthly_fen,
        });
    }
    Ok(Ok((rules::settle(&children), None)))
}

fn designate_fields(lang: Lang, institutions: Vec<(String, String)>) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(institutions);
    vec![
        FormField::new("d_institution", crate::t(lang, "institution"), "select")
            .required()
            .hint(crate::t(lang, "designate-hint"))
            .options(opts),
        FormField::new("d_capacity", crate::t(lang, "capacity"), "text")
            .required()
            .hint(crate::t(lang, "capacity-hint")),
        FormField::new("d_agreement_no", crate::t(lang, "agreement-no"), "text").required(),
        FormField::new("d_from", crate::t(lang, "agreement-from"), "date")
            .required()
            .hint(crate::t(lang, "date-hint")),
        FormField::new("d_to", crate::t(lang, "agreement-to"), "date")
            .required()
            .hint(crate::t(lang, "date-hint")),
    ]
}

fn exit_fields(lang: Lang, designated: Vec<(String, String)>) -> Vec<FormField> {
    let mut opts = vec![(String::new(), crate::t(lang, "choose").to_string())];
    opts.extend(designated);
    let mut on = FormField::new("x_exited_on", crate::t(lang, "exited-on-label"), "date")
        .required()
        .hint(crate::t(lang, "date-hint"));
    on.value = today().to_string();
    vec![
        FormField::new("x_institution", crate::t(lang, "institution"), "select")
            .required()
            .options(opts),
        on,
        FormField::new("x_reason", crate::t(lang, "exit-reason"), "text")
            .required()
            .hint(crate::t(lang, "exit-reason-hint")),
    ]
}

enum SettlementsPosted<'a> {
    Designate(&'a Submission),
    Exit(&'a Submission),
    Purpose(String, String),
}

async fn settlements_page(
    state: &AppState,
    caller: &PageCaller,
    month: Month,
    posted: Option<SettlementsPosted<'_>>,
) -> PageResult {
    let lang = caller.lang;
    let (_, anames) = area_names(state).await.or_page(caller)?;
    let designations = state.store.designations().await.or_page(caller)?;
    let mut rows = Vec::new();
    let mut total = 0;
    let mut people = 0;
    for d in &designations {
        let (children, amount, settled, error) =
            match lines_of(state, caller, &d.institution_id, month).await? {
                Ok((lines, s)) => {
                    let amount: i64 = lines.iter().map(|l| l.amount_fen).sum();
                    total += amount;
                    people += lines.len();
                    (
                        lines.len() as i64,
                        yuan(amount),
                        s.map(|s| {
                            keep_numbers_whole(crate::tf(
                                lang,
                                "settled-by-at",
                                &[
                                    ("by", s.settled_by.into()),
                                    (
                                        "at",
                                        s.settled_at.get(..10).unwrap_or("").to_string().into(),
                                    ),
                                ],
                            ))
                        }),
                        None,
                    )
                }
                Err(m) => (0, String::new(), None, Some(m)),
            };
        rows.push(SettleRow {
            institution_id: d.institution_id.clone(),
            institution: institution_label(&d.institution_id, &anames),
            capacity: d.capacity,
            open: state
                .store
                .open_at(&d.institution_id)
                .await
                .or_page(caller)?,
            status: keep_numbers_whole(status_of(d, today(), lang)),
            children,
            amount,
            settled,
            error,
        });
    }
    let institutions: Vec<(String, String)> = state
        .store
        .institutions()
        .await
        .or_page(caller)?
        .into_iter()
        .filter(|i| i.closed_on.is_none())
        .map(|i| {
            let id = format!("{}/{}", i.township, i.name);
            let label = format!(
                "{}（{}，{}）",
                i.name,
                anames.of(&i.township),
                i.kind.label(lang)
            );
            (id, label)
        })
        .collect();
    let designated: Vec<(String, String)> = designations
        .iter()
        .filter(|d| d.exited_on.is_none())
        .map(|d| {
            (
                d.institution_id.clone(),
                institution_label(&d.institution_id, &anames),
            )
        })
        .collect();
    let mut df = designate_fields(lang, institutions);
    let mut xf = exit_fields(lang, designated);
    let mut purpose = String::new();
    let errors = match posted {
        Some(SettlementsPosted::Designate(s)) => s.apply(&mut df),
        Some(SettlementsPosted::Exit(s)) => s.apply(&mut xf),
        Some(SettlementsPosted::Purpose(typed, m)) => {
            purpose = typed;
            vec![("purpose".into(), m)]
        }
        None => vec![],
    };
    let threshold = state.policy().await.export_purpose_rows;
    let view = SettlementsPage {
        c: chrome(
            Some(caller),
            lang,
            "/rehab/settlements",
            "rehab",
            crate::t(lang, "settlements"),
        ),
        month: month.key(),
        rows,
        total: crate::tf(
            lang,
            "settlement-total",
            &[("n", people.into()), ("amount", yuan(total).into())],
        ),
        designate_fields: df,
        exit_fields: xf,
        purpose,
        purpose_required: people > threshold,
        purpose_threshold: threshold,
        errors: errors.clone(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(status, &view))
}

/// `GET /rehab/settlements`: the designated institutions and their month.
pub async fn settlements(
    State(state): State<AppState>,
    caller: Holds<Designates>,
    Query(q): Query<MonthParams>,
) -> PageResult {
    settlements_page(&state, &caller, month_of(q.month.as_deref()), None).await
}

/// `POST /rehab/settlements`: settles an institution's month (once; the month is then closed
/// to new records there).
pub async fn settle(
    State(state): State<AppState>,
    caller: Holds<Designates>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let inst = form.get("institution").cloned().unwrap_or_default();
    let raw = form.get("month").cloned().unwrap_or_default();
    let Some(month) = Month::parse(&raw) else {
        return Err(PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("月份“{raw}”无法识别，应为 2026-03 这样的格式"),
            &format!("the month “{raw}” is not a month like 2026-03"),
        ));
    };
    if month >= Month::of(today()) {
        return Err(PageError::message(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{month} 尚未结束，月份结束后才能结算"),
            &format!("{month} has not ended yet; a month is settled after it ends"),
        ));
    }
    if state
        .store
        .designation(&inst)
        .await
        .or_page(&caller)?
        .is_none()
    {
        return Err(PageError::not_found(&caller));
    }
    let (lines, stored) = match lines_of(&state, &caller, &inst, month).await? {
        Ok(x) => x,
        Err(m) => {
            return Err(PageError::message(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &m,
                &m,
            ));
        }
    };
    if stored.is_some() {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个月已结算。",
            "This month is already settled.",
        ));
    }
    let s = Settlement {
        institution_id: inst.clone(),
        month: month.key(),
        children: lines.len() as i64,
        amount_fen: lines.iter().map(|l| l.amount_fen).sum(),
        lines,
        settled_by: caller.user.username.clone(),
        settled_at: String::new(),
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.settle",
        &inst,
        "ok",
        serde_json::json!({"month": s.month, "children": s.children, "amount_fen": s.amount_fen}),
    );
    if !state.store.settle(&s, &audit).await.or_page(&caller)? {
        return Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这个月已结算。",
            "This month is already settled.",
        ));
    }
    Ok(Redirect::to(&format!("/rehab/settlements?month={}", month.key())).into_response())
}

/// `POST /rehab/designations`: designates an institution (`action=designate`) or records its
/// exit (`action=exit`).
pub async fn designate(
    State(state): State<AppState>,
    caller: Holds<Designates>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let action = form.get("action").cloned().unwrap_or_default();
    let mut sub = Submission::new(form);
    let month = Month::of(today());
    if action == "exit" {
        let inst = sub.get("x_institution").to_string();
        let d = state.store.designation(&inst).await.or_page(&caller)?;
        if d.is_none() {
            sub.fail(
                "x_institution",
                crate::tf(
                    lang,
                    "not-a-designated-institution",
                    &[("v", inst.clone().into())],
                ),
            );
        }
        let on = read_date(&mut sub, "x_exited_on", lang);
        let reason = sub.required_text("x_reason", 100, lang);
        let (Some(_), Some(on), Some(reason), true) = (d, on, reason, sub.errors.is_empty()) else {
            return settlements_page(&state, &caller, month, Some(SettlementsPosted::Exit(&sub)))
                .await;
        };
        let audit = audit_event(
            &caller.user,
            &caller.client,
            "rehab.exit",
            &inst,
            "ok",
            serde_json::json!({"exited_on": on, "reason": reason}),
        );
        if !state
            .store
            .exit_designation(&inst, on, &reason, &caller.user.username, &audit)
            .await
            .or_page(&caller)?
        {
            sub.fail("x_institution", crate::t(lang, "already-exited").into());
            return settlements_page(&state, &caller, month, Some(SettlementsPosted::Exit(&sub)))
                .await;
        }
        return Ok(Redirect::to("/rehab/settlements").into_response());
    }
    let inst = sub.get("d_institution").to_string();
    let known = state
        .store
        .institutions()
        .await
        .or_page(&caller)?
        .iter()
        .any(|i| i.closed_on.is_none() && format!("{}/{}", i.township, i.name) == inst);
    if !known {
        let m = if inst.is_empty() {
            crate::t(lang, "is-required").to_string()
        } else {
            crate::tf(lang, "not-an-institution", &[("v", inst.clone().into())])
        };
        sub.fail("d_institution", m);
    }
    let raw = sub.get("d_capacity").to_string();
    let capacity = raw.parse::<i64>().ok().filter(|c| (1..=10_000).contains(c));
    if capacity.is_none() {
        sub.fail(
            "d_capacity",
            crate::tf(lang, "not-a-capacity", &[("v", raw.into())]),
        );
    }
    let no = sub.required_text("d_agreement_no", 60, lang);
    let date_of = |sub: &mut Submission, f: &str| {
        let raw = sub.get(f).to_string();
        match parse_date(&raw) {
            Ok(d) => Some(d),
            Err(_) => {
                let m = if raw.is_empty() {
                    crate::t(lang, "is-required").to_string()
                } else {
                    crate::tf(lang, "not-a-date", &[("v", raw.into())])
                };
                sub.fail(f, m);
                None
            }
        }
    };
    let from = date_of(&mut sub, "d_from");
    let to = date_of(&mut sub, "d_to");
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        sub.fail(
            "d_to",
            crate::tf(
                lang,
                "ends-before-it-starts",
                &[("v", t.to_string().into()), ("from", f.to_string().into())],
            ),
        );
    }
    let (Some(capacity), Some(no), Some(from), Some(to), true) =
        (capacity, no, from, to, sub.errors.is_empty())
    else {
        return settlements_page(
            &state,
            &caller,
            month,
            Some(SettlementsPosted::Designate(&sub)),
        )
        .await;
    };
    let old = state.store.designation(&inst).await.or_page(&caller)?;
    let d = Designation {
        institution_id: inst.clone(),
        capacity,
        agreement_no: no,
        agreement_from: from,
        agreement_to: to,
        exited_on: None,
        exit_reason: None,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.designate",
        &inst,
        "ok",
        serde_json::json!({"old": old, "new": d}),
    );
    state
        .store
        .put_designation(&d, &caller.user.username, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to("/rehab/settlements").into_response())
}

/// `POST /rehab/settlements/export`: the month's settlement lines of every institution as a
/// workbook (masked IDs), audited.
pub async fn export(
    State(state): State<AppState>,
    caller: Holds<Designates>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let month = month_of(form.get("month").map(String::as_str));
    let (_, anames) = area_names(&state).await.or_page(&caller)?;
    let mut lines = Vec::new();
    for d in state.store.designations().await.or_page(&caller)? {
        if let Ok((ls, stored)) = lines_of(&state, &caller, &d.institution_id, month).await? {
            for l in ls {
                lines.push((d.institution_id.clone(), l, stored.is_some()));
            }
        }
    }
    let threshold = state.policy().await.export_purpose_rows;
    let purpose = match zhucan_web::purpose::check_purpose(
        lang,
        form.get("purpose").map(String::as_str),
        lines.len(),
        threshold,
    ) {
        Ok(p) => p,
        Err(message) => {
            let typed = form
                .get("purpose")
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            return settlements_page(
                &state,
                &caller,
                month,
                Some(SettlementsPosted::Purpose(typed, message)),
            )
            .await;
        }
    };
    let ids: Vec<CitizenId> = lines
        .iter()
        .filter_map(|(_, l, _)| CitizenId::from_trusted(l.citizen_id.clone()).ok())
        .collect();
    let names = names_of(&state, &caller, &ids).await?;
    let heads = [
        crate::t(lang, "institution"),
        crate::t(lang, "name"),
        crate::t(lang, "citizen-id"),
        crate::t(lang, "sessions"),
        crate::t(lang, "amount-yuan"),
        crate::t(lang, "settled"),
    ];
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(inst, l, settled)| {
            vec![
                institution_label(inst, &anames),
                names.get(&l.citizen_id).cloned().unwrap_or_default(),
                CitizenId::from_trusted(l.citizen_id.clone())
                    .map(|c| c.masked())
                    .unwrap_or_default(),
                l.sessions.to_string(),
                yuan(l.amount_fen),
                if *settled {
                    crate::t(lang, "yes").into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let title = format!("{} · {month}", crate::t(lang, "settlements"));
    let Ok(bytes) = zhucan_web::xlsx::list_xlsx(&title, &heads, &rows) else {
        return Err(PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "工作簿生成失败",
            "the workbook could not be written",
        ));
    };
    zhucan_web::trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "rehab.export",
            &month.key(),
            "ok",
            serde_json::json!({"month": month.key(), "rows": rows.len(), "purpose": purpose}),
        ),
    )
    .await;
    Ok(zhucan_web::xlsx::download(
        &format!("rehab-settlement-{month}.xlsx"),
        bytes,
    ))
}

/// `POST /rehab/export`: the area's placements and the month's records as a workbook (masked
/// IDs), audited; a long list needs its purpose stated.
pub async fn export_area(
    State(state): State<AppState>,
    caller: Holds<ExportsPersons>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    if !SeesRehab::held_by(&caller.user) {
        return Err(PageError::forbidden(&caller));
    }
    let area = area_of(&caller)?;
    let month = month_of(form.get("month").map(String::as_str));
    let (_, anames) = area_names(&state).await.or_page(&caller)?;
    let placements = state
        .store
        .placements_in(area.as_str())
        .await
        .or_page(&caller)?;
    let records = state
        .store
        .records_in(area.as_str(), &month.key())
        .await
        .or_page(&caller)?;
    let threshold = state.policy().await.export_purpose_rows;
    let purpose = match zhucan_web::purpose::check_purpose(
        lang,
        form.get("purpose").map(String::as_str),
        placements.len() + records.len(),
        threshold,
    ) {
        Ok(p) => p,
        Err(message) => {
            return Err(PageError::message(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                &message,
                &message,
            ));
        }
    };
    let mut ids: Vec<CitizenId> = placements.iter().map(|p| p.citizen_id.clone()).collect();
    ids.extend(records.iter().map(|r| r.citizen_id.clone()));
    let names = names_of(&state, &caller, &ids).await?;
    let heads = [
        crate::t(lang, "kind"),
        crate::t(lang, "name"),
        crate::t(lang, "citizen-id"),
        crate::t(lang, "institution"),
        crate::t(lang, "service"),
        crate::t(lang, "started-on"),
        crate::t(lang, "ended-on"),
        crate::t(lang, "served-on"),
        crate::t(lang, "sessions"),
    ];
    let name = |id: &CitizenId| names.get(id.as_str()).cloned().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = placements
        .iter()
        .map(|p| {
            vec![
                crate::t(lang, "placement").to_string(),
                name(&p.citizen_id),
                p.citizen_id.masked(),
                institution_label(&p.institution_id, &anames),
                p.service.label(lang).to_string(),
                p.started_on.to_string(),
                p.ended_on.map(|d| d.to_string()).unwrap_or_default(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    rows.extend(records.iter().map(|r| {
        vec![
            crate::t(lang, "service-records").to_string(),
            name(&r.citizen_id),
            r.citizen_id.masked(),
            if r.institution_id.is_empty() {
                crate::t(lang, "by-staff").to_string()
            } else {
                institution_label(&r.institution_id, &anames)
            },
            r.service.label(lang).to_string(),
            String::new(),
            String::new(),
            r.served_on.to_string(),
            r.sessions.to_string(),
        ]
    }));
    let title = format!(
        "{} · {} · {month}",
        crate::t(lang, "rehabilitation"),
        anames.of(&area)
    );
    let Ok(bytes) = zhucan_web::xlsx::list_xlsx(&title, &heads, &rows) else {
        return Err(PageError::message(
            &caller,
            StatusCode::INTERNAL_SERVER_ERROR,
            "工作簿生成失败",
            "the workbook could not be written",
        ));
    };
    zhucan_web::trail::record(
        &state.store,
        audit_event(
            &caller.user,
            &caller.client,
            "rehab.export.area",
            area.as_str(),
            "ok",
            serde_json::json!({"month": month.key(), "rows": rows.len(), "purpose": purpose}),
        ),
    )
    .await;
    Ok(zhucan_web::xlsx::download(
        &format!("rehab-{}-{month}.xlsx", area.as_str()),
        bytes,
    ))
}
