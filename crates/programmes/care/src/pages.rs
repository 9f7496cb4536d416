//! The care programme's pages: the institutions of the caller's area with their values at a
//! date (`/care`), one institution with its dated decisions and its residents
//! (`/care/institution?id=`), the forms that record a decision, a stay and its end, and the
//! institution account's own residents (`/care/residents`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::Deserialize;
use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::{DecisionKind, Institution, InstitutionKind};
use zhucan_domain::{Lang, Localized};
use zhucan_store::User;
use zhucan_store::institutions::NewDecision;
use zhucan_store::registry::{Actor, PersonSummary};
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission, enum_options};
use zhucan_web::pages::chrome;
use zhucan_web::scope;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfForm, Holds, OrPage, PageError, PageResult, Right};
use zhucan_web::view::{Chrome, render, today, url_encode};

use crate::rules::{self, BadValue, MODES};
use crate::store::{CareStore, NewStay, Stay, Written};

/// Works care in an area: staff who change person files (district, township, village).
#[derive(Debug, Clone, Copy)]
pub struct WorksCare;

impl Right for WorksCare {
    fn held_by(user: &User) -> bool {
        user.role.writes_persons()
    }
}

/// Records the institutions' decisions (认定): the district federation.
#[derive(Debug, Clone, Copy)]
pub struct DecidesInstitutions;

impl Right for DecidesInstitutions {
    fn held_by(user: &User) -> bool {
        user.role.runs_payroll()
    }
}

/// An institution's own account.
#[derive(Debug, Clone, Copy)]
pub struct IsInstitution;

impl Right for IsInstitution {
    fn held_by(user: &User) -> bool {
        user.role == Role::Institution
    }
}

/// Ends a stay: staff who may change the person's file, or the stay's institution.
#[derive(Debug, Clone, Copy)]
pub struct EndsStays;

impl Right for EndsStays {
    fn held_by(user: &User) -> bool {
        WorksCare::held_by(user) || IsInstitution::held_by(user)
    }
}

/// The link to an institution's page.
pub fn href_of(institution_id: &str) -> String {
    format!("/care/institution?id={}", url_encode(institution_id))
}

fn yes(lang: Lang, b: bool) -> String {
    if b {
        crate::t(lang, "yes").to_string()
    } else {
        crate::t(lang, "no").to_string()
    }
}

/// The staff's area (else 403).
fn area_of(caller: &PageCaller) -> Result<AreaCode, PageError> {
    scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(|| PageError::forbidden(caller))
}

#[derive(Debug, Deserialize, Default)]
pub struct OverviewParams {
    pub at: Option<String>,
    pub kind: Option<String>,
}

struct InstitutionLine {
    href: String,
    name: String,
    kind: String,
    township: String,
    open: String,
    standardized: String,
    designated: String,
    operator: String,
    beds: String,
    residents: usize,
}

#[derive(Template)]
#[template(path = "care_overview.html")]
struct OverviewPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
    heading: String,
    rows: Vec<InstitutionLine>,
}

/// `GET /care`: the institutions of the caller's area with their values at `at` (default
/// today) and the residents in care that day.
pub async fn overview(
    State(state): State<AppState>,
    caller: Holds<WorksCare>,
    Query(q): Query<OverviewParams>,
) -> PageResult {
    let lang = caller.lang;
    let area = area_of(&caller)?;
    let mut sub = Submission::new(
        [
            ("at".to_string(), q.at.clone().unwrap_or_default()),
            ("kind".to_string(), q.kind.clone().unwrap_or_default()),
        ]
        .into_iter()
        .collect(),
    );
    let at = match q.at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today(),
        Some(raw) => match zhucan_domain::parse::parse_date(raw) {
            Ok(d) => d,
            Err(e) => {
                sub.fail("at", e.message(lang));
                today()
            }
        },
    };
    let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let k = InstitutionKind::parse(raw);
            if k.is_none() {
                sub.fail(
                    "kind",
                    format!("“{raw}”{}", crate::t(lang, "is-not-a-kind")),
                );
            }
            k
        }
    };
    let institutions = state.store.institutions().await.or_page(&caller)?;
    let names = state.store.areas().await.or_page(&caller)?;
    let stays = state
        .store
        .care_stays_at(
            if area.level() == zhucan_domain::area::AreaLevel::District {
                ""
            } else {
                area.as_str()
            },
        )
        .await
        .or_page(&caller)?;
    let rows = institutions
        .iter()
        .filter(|i| area.contains(&i.township) || i.township.contains(&area))
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .map(|i| {
            let s = i.state_at(at);
            let id = i.id();
            InstitutionLine {
                href: href_of(&id),
                name: i.name.clone(),
                kind: i.kind.label(lang).to_string(),
                township: names
                    .iter()
                    .find(|a| a.code == i.township)
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| i.township.to_string()),
                open: yes(lang, s.open),
                standardized: yes(lang, s.standardized),
                designated: yes(lang, s.designated),
                operator: s
                    .operator
                    .map(|o| o.label(lang).to_string())
                    .unwrap_or_default(),
                beds: s.beds.map(|b| b.to_string()).unwrap_or_default(),
                residents: stays
                    .iter()
                    .filter(|st| {
                        st.institution_id == id && rules::in_care_on(st.since, st.until, at)
                    })
                    .count(),
            }
        })
        .collect();
    let mut fields = vec![
        FormField::new("at", crate::t(lang, "state-at"), "date"),
        FormField::new("kind", crate::t(lang, "institution-kind"), "select").options(enum_options(
            InstitutionKind::ALL,
            |k| k.key(),
            |k| k.label(lang).to_string(),
            Some(crate::t(lang, "every-kind")),
        )),
    ];
    let errors = sub.apply(&mut fields);
    if errors.is_empty() {
        zhucan_web::forms::fill(&mut fields, "at", at.to_string());
    }
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &OverviewPage {
            c: chrome(
                Some(&caller),
                lang,
                "/care",
                "care",
                crate::t(lang, "care-title"),
            ),
            fields,
            errors,
            heading: crate::tf(lang, "institutions-at", &[("at", at.to_string().into())]),
            rows,
        },
    ))
}

struct DecisionLine {
    effective_on: String,
    kind: String,
    value: String,
    document: String,
}

struct StayLine {
    id: String,
    name: String,
    masked_id: String,
    mode: String,
    since: String,
    until: String,
    current: bool,
    version: i64,
    until_error: Option<String>,
}

#[derive(Template)]
#[template(path = "care_institution.html")]
struct InstitutionPage {
    c: Chrome,
    id: String,
    kind: String,
    township: String,
    facts: Vec<(String, String)>,
    decisions: Vec<DecisionLine>,
    stays: Vec<StayLine>,
    /// Residents the caller may not read (outside the caller's area): counted, not named.
    others: Option<String>,
    decide_fields: Option<Vec<FormField>>,
    admit_fields: Option<Vec<FormField>>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    today: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct InstitutionParams {
    pub id: Option<String>,
    pub done: Option<String>,
}

/// `GET /care/institution?id=`: one institution of the caller's area.
pub async fn institution(
    State(state): State<AppState>,
    caller: Holds<WorksCare>,
    Query(q): Query<InstitutionParams>,
) -> PageResult {
    let notice = match q.done.as_deref() {
        Some("decided") => Some(crate::t(caller.lang, "notice-decided").to_string()),
        Some("admitted") => Some(crate::t(caller.lang, "notice-admitted").to_string()),
        Some("ended") => Some(crate::t(caller.lang, "notice-stay-ended").to_string()),
        _ => None,
    };
    let id = q.id.unwrap_or_default();
    let inst = visible(&state, &caller, &id).await?;
    let view = Forms::default();
    institution_page(&state, &caller, &inst, view, notice).await
}

/// The institution `id` if it lies in the caller's area (else not found).
async fn visible(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
) -> Result<Institution, PageError> {
    let area = area_of(caller)?;
    state
        .store
        .institutions()
        .await
        .or_page(caller)?
        .into_iter()
        .find(|i| i.id() == id && (area.contains(&i.township) || i.township.contains(&area)))
        .ok_or_else(|| PageError::not_found(caller))
}

/// What the forms of the institution page hold on a re-render.
#[derive(Default)]
struct Forms {
    decide: Option<Submission>,
    admit: Option<Submission>,
    extra: Vec<(String, String)>,
}

fn decide_fields(lang: Lang) -> Vec<FormField> {
    vec![
        FormField::new("kind", crate::t(lang, "decision-kind"), "select")
            .required()
            .options(enum_options(
                DecisionKind::ALL,
                |k| k.key(),
                |k| k.label(lang).to_string(),
                Some(crate::t(lang, "choose")),
            )),
        FormField::new("value", crate::t(lang, "decision-value"), "text")
            .hint(crate::t(lang, "decision-value-hint")),
        FormField::new("effective_on", crate::t(lang, "effective-on"), "date").required(),
        FormField::new("document", crate::t(lang, "decision-document"), "text")
            .hint(crate::t(lang, "decision-document-hint")),
        FormField::new("reason", crate::t(lang, "decision-reason"), "text"),
    ]
}

fn admit_fields(lang: Lang) -> Vec<FormField> {
    let mut f = vec![
        FormField::new("citizen_id", crate::t(lang, "citizen-id"), "text")
            .required()
            .hint(crate::t(lang, "admit-citizen-id-hint")),
        FormField::new("mode", crate::t(lang, "care-mode"), "select")
            .required()
            .options(enum_options(
                &MODES,
                |k| k.key(),
                |k| k.label(lang).to_string(),
                None,
            )),
        FormField::new("since", crate::t(lang, "stay-since"), "date").required(),
    ];
    zhucan_web::forms::fill(&mut f, "mode", MODES[2].key());
    f
}

/// The summaries of the stays' persons.
async fn summaries(
    state: &AppState,
    caller: &PageCaller,
    stays: &[Stay],
) -> Result<Vec<PersonSummary>, PageError> {
    let ids: Vec<CitizenId> = stays.iter().map(|s| s.citizen_id.clone()).collect();
    state.store.summaries_of(&ids).await.or_page(caller)
}

/// The lines of `stays` whose persons `shown` admits; the number of the others.
fn stay_lines(
    stays: &[Stay],
    people: &[PersonSummary],
    shown: impl Fn(&PersonSummary) -> bool,
    extra: &[(String, String)],
    lang: Lang,
) -> (Vec<StayLine>, usize) {
    let day = today();
    let mut others = 0;
    let mut lines = Vec::new();
    for s in stays {
        let Some(p) = people.iter().find(|p| p.citizen_id == s.citizen_id) else {
            continue;
        };
        if !shown(p) {
            others += 1;
            continue;
        }
        lines.push(StayLine {
            until_error: extra
                .iter()
                .find(|(k, _)| *k == format!("until-{}", s.id))
                .map(|(_, m)| m.clone()),
            id: s.id.clone(),
            name: p.name.clone(),
            masked_id: p.citizen_id.masked(),
            mode: s.mode.label(lang).to_string(),
            since: s.since.to_string(),
            until: s.until.map(|u| u.to_string()).unwrap_or_default(),
            current: s.until.is_none() && s.since <= day,
            version: s.version,
        });
    }
    (lines, others)
}

/// Whether the summary's person lives in the caller's area.
fn in_area(user: &User, p: &PersonSummary) -> bool {
    let home = p.village_code.as_deref().unwrap_or(&p.township_code);
    AreaCode::parse(home).is_some_and(|c| user.area.contains(&c))
}

fn facts_of(inst: &Institution, lang: Lang) -> Vec<(String, String)> {
    let s = inst.state_at(today());
    vec![
        (crate::t(lang, "open-today").into(), yes(lang, s.open)),
        (
            crate::t(lang, "standardized").into(),
            yes(lang, s.standardized),
        ),
        (crate::t(lang, "designated").into(), yes(lang, s.designated)),
        (
            crate::t(lang, "operator").into(),
            s.operator
                .map(|o| o.label(lang).to_string())
                .unwrap_or_else(|| crate::t(lang, "not-stated").into()),
        ),
        (
            crate::t(lang, "beds").into(),
            s.beds
                .map(|b| b.to_string())
                .unwrap_or_else(|| crate::t(lang, "not-stated").into()),
        ),
        (
            crate::t(lang, "opened-on").into(),
            inst.opened_on.to_string(),
        ),
    ]
}

fn decision_lines(inst: &Institution, lang: Lang) -> Vec<DecisionLine> {
    use zhucan_domain::institution::Change;
    inst.decisions
        .iter()
        .rev()
        .map(|d| DecisionLine {
            effective_on: d.effective_on.to_string(),
            kind: d.change.kind().label(lang).to_string(),
            value: match d.change {
                Change::Standardized(b) | Change::Designated(b) => yes(lang, b),
                Change::Operator(o) => o.label(lang).to_string(),
                Change::Beds(b) => b.map(|n| n.to_string()).unwrap_or_default(),
                Change::Opened | Change::Closed => String::new(),
            },
            document: d.document.clone().unwrap_or_default(),
        })
        .collect()
}

async fn institution_page(
    state: &AppState,
    caller: &PageCaller,
    inst: &Institution,
    forms: Forms,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let id = inst.id();
    let stays = state.store.care_stays_at(&id).await.or_page(caller)?;
    let stays: Vec<Stay> = stays
        .into_iter()
        .filter(|s| s.institution_id == id)
        .collect();
    let people = summaries(state, caller, &stays).await?;
    let (lines, others) = stay_lines(
        &stays,
        &people,
        |p| in_area(&caller.user, p),
        &forms.extra,
        lang,
    );
    let mut errors = Vec::new();
    let decide = DecidesInstitutions::held_by(&caller.user).then(|| {
        let mut f = decide_fields(lang);
        if let Some(s) = &forms.decide {
            errors.extend(s.apply(&mut f));
        }
        f
    });
    let admit = WorksCare::held_by(&caller.user).then(|| {
        let mut f = admit_fields(lang);
        if let Some(s) = &forms.admit {
            errors.extend(s.apply(&mut f));
        }
        f
    });
    errors.extend(forms.extra);
    let township = state
        .store
        .areas()
        .await
        .or_page(caller)?
        .into_iter()
        .find(|a| a.code == inst.township)
        .map(|a| a.name)
        .unwrap_or_else(|| inst.township.to_string());
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &InstitutionPage {
            c: chrome(Some(caller), lang, "/care", "care", &inst.name),
            id,
            kind: inst.kind.label(lang).to_string(),
            township,
            facts: facts_of(inst, lang),
            decisions: decision_lines(inst, lang),
            stays: lines,
            others: (others > 0).then(|| {
                crate::tf(
                    lang,
                    "residents-elsewhere",
                    &[("n", (others as i64).into())],
                )
            }),
            decide_fields: decide,
            admit_fields: admit,
            errors,
            notice,
            today: today().to_string(),
        },
    ))
}

/// `POST /care/institution/decide`: a dated decision about an institution of the district.
pub async fn decide(
    State(state): State<AppState>,
    caller: Holds<DecidesInstitutions>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let id = form.get("id").cloned().unwrap_or_default();
    let inst = visible(&state, &caller, &id).await?;
    let mut sub = Submission::new(form);
    let kind = sub.required_choice("kind", DecisionKind::parse, lang);
    let change = kind.and_then(|k| match rules::change(k, sub.get("value")) {
        Ok(c) => Some(c),
        Err(e) => {
            let raw = sub.get("value").to_string();
            let m = match e {
                BadValue::Missing => crate::t(lang, "decision-value-required").to_string(),
                BadValue::Invalid => {
                    crate::tf(lang, "decision-value-invalid", &[("v", raw.into())])
                }
            };
            sub.fail("value", m);
            None
        }
    });
    let raw_on = sub.get("effective_on").to_string();
    let on = match zhucan_domain::parse::parse_date(&raw_on) {
        Ok(d) => Some(d),
        Err(e) => {
            sub.fail("effective_on", e.message(lang));
            None
        }
    };
    let document = text(&mut sub, "document", 100, lang);
    let reason = text(&mut sub, "reason", 200, lang);
    let (Some(change), Some(on), true) = (change, on, sub.errors.is_empty()) else {
        let forms = Forms {
            decide: Some(sub),
            ..Forms::default()
        };
        return institution_page(&state, &caller, &inst, forms, None).await;
    };
    let d = NewDecision {
        institution_id: id.clone(),
        effective_on: on,
        change,
        document,
        reason,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "care.institution.decide",
        &id,
        "ok",
        serde_json::json!({
            "kind": change.kind().key(),
            "new": change,
            "old": old_value(&inst, change.kind(), on),
            "effective_on": on.to_string(),
            "document": d.document,
            "reason": d.reason,
        }),
    );
    state
        .store
        .record_institution_decision(&d, &caller.user.username, &audit)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    Ok(Redirect::to(&format!("{}&done=decided", href_of(&id))).into_response())
}

/// The value a decision of `kind` replaces on its day (for the audit record).
fn old_value(inst: &Institution, kind: DecisionKind, on: NaiveDate) -> serde_json::Value {
    let s = inst.state_at(on);
    match kind {
        DecisionKind::Standardized => s.standardized.into(),
        DecisionKind::Designated => s.designated.into(),
        DecisionKind::Operator => s.operator.map(|o| o.key()).into(),
        DecisionKind::Beds => s.beds.into(),
        DecisionKind::Opened | DecisionKind::Closed => serde_json::json!({"open": s.open}),
    }
}

/// An optional text of at most `max` characters (the field's error is recorded).
fn text(sub: &mut Submission, field: &str, max: usize, lang: Lang) -> Option<String> {
    let v = sub.get(field).to_string();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        sub.fail(
            field,
            crate::tf(lang, "too-long", &[("max", (max as i64).into())]),
        );
        return None;
    }
    Some(v)
}

/// `POST /care/institution/admit`: a person of the caller's area starts a stay.
pub async fn admit(
    State(state): State<AppState>,
    caller: Holds<WorksCare>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let id = form.get("id").cloned().unwrap_or_default();
    let inst = visible(&state, &caller, &id).await?;
    let mut sub = Submission::new(form);
    let raw = sub.get("citizen_id").to_string();
    let file = match CitizenId::parse(&raw) {
        Err(e) => {
            sub.fail("citizen_id", e.message(lang));
            None
        }
        Ok(p) => match scope::read_file(&state.store, &caller.user, &p.id)
            .await
            .or_page(&caller)?
        {
            Some(f) if scope::can_write(&caller.user, &f.person) => Some(f),
            _ => {
                sub.fail(
                    "citizen_id",
                    crate::tf(lang, "person-not-found", &[("v", raw.clone().into())]),
                );
                None
            }
        },
    };
    let mode = sub.required_choice("mode", rules::mode, lang);
    let since = zhucan_web::forms::past_date(&mut sub, "since", today(), lang);
    if let Some(d) = since
        && !inst.is_open_at(d)
    {
        sub.fail(
            "since",
            crate::tf(lang, "institution-not-open", &[("v", d.to_string().into())]),
        );
    }
    let (Some(file), Some(mode), Some(since), true) = (file, mode, since, sub.errors.is_empty())
    else {
        let forms = Forms {
            admit: Some(sub),
            ..Forms::default()
        };
        return institution_page(&state, &caller, &inst, forms, None).await;
    };
    // One stay in care at a time: a person still in care elsewhere is ended there first.
    let current = state
        .store
        .care_stays_of(&file.person.citizen_id)
        .await
        .or_page(&caller)?;
    if let Some(open) = current.iter().find(|s| s.until.is_none()) {
        sub.fail(
            "citizen_id",
            crate::tf(
                lang,
                "already-in-care",
                &[
                    ("at", crate::store::name_in(&open.institution_id).into()),
                    ("since", open.since.to_string().into()),
                ],
            ),
        );
        let forms = Forms {
            admit: Some(sub),
            ..Forms::default()
        };
        return institution_page(&state, &caller, &inst, forms, None).await;
    }
    let s = NewStay {
        citizen_id: file.person.citizen_id.clone(),
        institution_id: id.clone(),
        institution_name: inst.name.clone(),
        mode,
        since,
    };
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "care.stay.admit",
        s.citizen_id.as_str(),
        "ok",
        serde_json::json!({"institution": id, "mode": mode.key(), "since": since.to_string()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    state
        .store
        .admit(&s, &actor, &audit)
        .await
        .or_page(&caller)?;
    Ok(Redirect::to(&format!("{}&done=admitted", href_of(&id))).into_response())
}

/// `POST /care/stays/end`: the last day of stay `stay` — by staff who may change the
/// person's file, or by the stay's institution.
pub async fn end(
    State(state): State<AppState>,
    caller: Holds<EndsStays>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let stay_id = form.get("stay").cloned().unwrap_or_default();
    let stay = state
        .store
        .care_stay(&stay_id)
        .await
        .or_page(&caller)?
        .ok_or_else(|| PageError::not_found(&caller))?;
    let by_institution = IsInstitution::held_by(&caller.user);
    if by_institution {
        if org_of(&state, &caller).await?.as_deref() != Some(stay.institution_id.as_str()) {
            return Err(PageError::not_found(&caller));
        }
    } else {
        scope::read_file(&state.store, &caller.user, &stay.citizen_id)
            .await
            .or_page(&caller)?
            .filter(|f| scope::can_write(&caller.user, &f.person))
            .ok_or_else(|| PageError::not_found(&caller))?;
    }
    let raw = form.get("until").cloned().unwrap_or_default();
    let until = match zhucan_domain::parse::parse_date(&raw) {
        Ok(d) if d <= today() && d >= stay.since => d,
        _ => {
            let extra = vec![(
                format!("until-{stay_id}"),
                crate::tf(lang, "bad-stay-until", &[("v", raw.into())]),
            )];
            return if by_institution {
                residents_page(&state, &caller, extra, None).await
            } else {
                let inst = visible(&state, &caller, &stay.institution_id).await?;
                let forms = Forms {
                    extra,
                    ..Forms::default()
                };
                institution_page(&state, &caller, &inst, forms, None).await
            };
        }
    };
    let version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "care.stay.end",
        stay.citizen_id.as_str(),
        "ok",
        serde_json::json!({"stay": stay_id, "institution": stay.institution_id, "old": null, "new": until.to_string()}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "form",
    };
    match state
        .store
        .discharge(&stay_id, version, until, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Written::Done if by_institution => {
            Ok(Redirect::to("/care/residents?done=ended").into_response())
        }
        Written::Done => Ok(
            Redirect::to(&format!("{}&done=ended", href_of(&stay.institution_id))).into_response(),
        ),
        Written::Stale => Err(PageError::message(
            &caller,
            StatusCode::CONFLICT,
            "这条托养记录刚被改过或已结束，请返回重新打开后再操作。",
            "This stay was just changed or has ended; go back, open it again and retry.",
        )),
    }
}

/// The organisation the institution account is bound to.
async fn org_of(state: &AppState, caller: &PageCaller) -> Result<Option<String>, PageError> {
    state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(caller)
}

#[derive(Template)]
#[template(path = "care_residents.html")]
struct ResidentsPage {
    c: Chrome,
    institution: Option<String>,
    stays: Vec<StayLine>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    today: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct ResidentsParams {
    pub done: Option<String>,
}

/// `GET /care/residents`: the institution account's own residents (and only them).
pub async fn residents(
    State(state): State<AppState>,
    caller: Holds<IsInstitution>,
    Query(q): Query<ResidentsParams>,
) -> PageResult {
    let notice = (q.done.as_deref() == Some("ended"))
        .then(|| crate::t(caller.lang, "notice-stay-ended").to_string());
    residents_page(&state, &caller, Vec::new(), notice).await
}

async fn residents_page(
    state: &AppState,
    caller: &PageCaller,
    extra: Vec<(String, String)>,
    notice: Option<String>,
) -> PageResult {
    let lang = caller.lang;
    let org = org_of(state, caller).await?;
    let inst = match &org {
        Some(o) => state
            .store
            .institutions()
            .await
            .or_page(caller)?
            .into_iter()
            .find(|i| &i.id() == o),
        None => None,
    };
    let (stays, name) = match &inst {
        Some(i) => {
            let id = i.id();
            let stays: Vec<Stay> = state
                .store
                .care_stays_at(&id)
                .await
                .or_page(caller)?
                .into_iter()
                .filter(|s| s.institution_id == id)
                .collect();
            (stays, Some(i.name.clone()))
        }
        None => (Vec::new(), None),
    };
    let people = summaries(state, caller, &stays).await?;
    let (lines, _) = stay_lines(&stays, &people, |_| true, &extra, lang);
    let code = if extra.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(
        code,
        &ResidentsPage {
            c: chrome(
                Some(caller),
                lang,
                "/care/residents",
                "care_residents",
                crate::t(lang, "residents-title"),
            ),
            institution: name,
            stays: lines,
            errors: extra,
            notice,
            today: today().to_string(),
        },
    ))
}
