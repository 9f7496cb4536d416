//! The registry's pages (一人一档): the search, the person file, the audited reveal,
//! registration and life events.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Local;
use serde::Deserialize;
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::disability::format_components;
use zhucan_domain::ids::mask_phone;
use zhucan_domain::parse::fen_to_yuan;
use zhucan_domain::person::{CertificateStatus, Survey};
use zhucan_domain::timeline::apply_life_event;
use zhucan_domain::{Lang, Localized};
use zhucan_store::registry::Actor;
use zhucan_store::{PersonFile, PersonQuery, StoreError};

use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::forms::{FormField, Submission};
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};
use zhucan_web::usecase::{
    CsrfForm, Holds, OrPage, PageError, PageResult, ReadableFile, ReadsPersons, Right,
    WritesPersons,
};
use zhucan_web::view::{AreaNames, Chrome, render, url_encode};

use zhucan_web::pages::{area_names, chrome, load_scoped, writable_by_handle, year_now};

/// Sees a file with full identifiers (the audited reveal).
#[derive(Debug, Clone, Copy)]
pub struct RevealsIdentifiers;

impl Right for RevealsIdentifiers {
    fn held_by(user: &zhucan_store::User) -> bool {
        user.role.can_reveal()
    }
}

// ---------------------------------------------------------------- search

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    c: Chrome,
    q: String,
    area: String,
    townships: Vec<(String, String)>,
    rows: Vec<PersonRow>,
    summary: String,
    notice: Option<String>,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

struct PersonRow {
    handle: String,
    name: String,
    masked_id: String,
    category: String,
    township: String,
    status: String,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    area: Option<String>,
    page: Option<String>,
}

/// Narrows the caller's area to the requested one when it lies inside it; `None` if the
/// requested area is outside (the search then finds nobody, as for an unknown area).
fn narrow(scope_area: &AreaCode, requested: Option<&str>) -> Option<Option<AreaCode>> {
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => match AreaCode::parse(s) {
            Some(a) if scope_area.contains(&a) => Some(Some(a)),
            Some(a) if a.contains(scope_area) => Some(None),
            _ => None,
        },
    }
}

pub async fn persons(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let lang = caller.lang;
    let Some(scope_area) = scope::person_area(&caller.user).cloned() else {
        return Err(PageError::forbidden(&caller));
    };
    let (areas, names) = area_names(&state).await.or_page(&caller)?;
    let text = q.q.clone().unwrap_or_default();
    let page: u32 = q
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let townships: Vec<(String, String)> = areas
        .iter()
        .filter(|a| a.code.level() == AreaLevel::Township && (scope_area.contains(&a.code)))
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    let area_q = q.area.clone().unwrap_or_default();
    let here = format!(
        "/persons?q={}&area={}&page={page}",
        url_encode(&text),
        url_encode(&area_q)
    );
    let mut notice = None;
    let effective = match narrow(&scope_area, q.area.as_deref()) {
        Some(Some(a)) => Some(a),
        Some(None) => Some(scope_area.clone()),
        None => {
            notice = Some(crate::t(lang, "the-chosen-area-is-outside-your").to_string());
            None
        }
    };
    let show = q.q.is_some() || q.area.is_some() || q.page.is_some();
    let (total, items) = match (&effective, show) {
        (Some(area), true) => {
            let query = PersonQuery {
                text: Some(text.clone()),
                area: Some(area.clone()),
                page,
                per_page: 20,
            };
            let p = state.store.search(&query).await.or_page(&caller)?;
            let detail = serde_json::json!({"q": text, "area": area.to_string(), "page": page, "total": p.total});
            state.audit.queue(audit_event(
                &caller.user,
                &caller.client,
                "person.search",
                "",
                "ok",
                detail,
            ));
            (p.total, p.items)
        }
        _ => (0, vec![]),
    };
    let rows = items
        .into_iter()
        .map(|s| PersonRow {
            handle: s.handle,
            name: s.name,
            masked_id: s.citizen_id.masked(),
            category: format!(
                "{}{}",
                zhucan_domain::Category::parse(&s.category)
                    .map(|c| c.label(lang))
                    .unwrap_or(""),
                zhucan_domain::Grade::parse(&s.grade)
                    .map(|g| g.label(lang))
                    .unwrap_or("")
            ),
            township: names.name(&s.township_code),
            status: status_text(
                lang,
                &s.status,
                s.died_on.is_some(),
                s.moved_out_on.is_some(),
            ),
        })
        .collect::<Vec<_>>();
    let pages = ((total + 19) / 20).max(1) as u32;
    let link = |p: u32| {
        format!(
            "/persons?q={}&area={}&page={p}",
            url_encode(&text),
            url_encode(&area_q)
        )
    };
    let summary = if !show {
        crate::t(lang, "enter-what-to-search-for").to_string()
    } else {
        match lang {
            Lang::Zh => format!("共找到 {total} 人。"),
            Lang::En => format!("{total} persons found."),
        }
    };
    Ok(render(
        StatusCode::OK,
        &PersonsPage {
            c: chrome(
                Some(&caller),
                lang,
                &here,
                "persons",
                crate::t(lang, "find-a-person"),
            ),
            q: text.clone(),
            area: area_q.clone(),
            townships,
            rows,
            summary,
            notice,
            page_label: match lang {
                Lang::Zh => format!("第 {page} 页，共 {pages} 页"),
                Lang::En => format!("Page {page} of {pages}"),
            },
            prev_href: (page > 1).then(|| link(page - 1)),
            next_href: (page < pages).then(|| link(page + 1)),
        },
    ))
}

fn status_text(lang: Lang, status: &str, died: bool, moved: bool) -> String {
    if died {
        crate::t(lang, "deceased").into()
    } else if moved {
        crate::t(lang, "moved-out").into()
    } else if status == "revoked" {
        crate::t(lang, "revoked").into()
    } else {
        crate::t(lang, "valid").into()
    }
}

// ---------------------------------------------------------------- the person file

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    v: PersonView,
    notice: Option<String>,
    /// The programmes' sections (rehabilitation, devices, home modification, …).
    sections: Vec<zhucan_web::programme::PersonSection>,
}

struct PersonView {
    handle: String,
    writable: bool,
    revealed: bool,
    can_reveal: bool,
    minimal: bool,
    name: String,
    masked_id: String,
    sex: String,
    birth: String,
    age: String,
    phone: String,
    guardian: String,
    legacy: Option<String>,
    masked_cert: String,
    category: String,
    grade: String,
    issued: String,
    valid_until: String,
    cert_status: String,
    smart_card: String,
    cert_history: Vec<(String, String, String, String, String)>,
    township: String,
    village: String,
    hukou: String,
    household_id: String,
    household_size: String,
    members: Vec<(String, String)>,
    status_flags: Vec<String>,
    survey_years: Vec<i32>,
    survey_rows: Vec<(String, Vec<String>)>,
    /// The survey years a clerk may update from the file: this year, then the stored ones.
    survey_links: Vec<i32>,
    events: Vec<(String, String, String)>,
    /// What each department and programme last said (the facts ledger): kind, what, when,
    /// received.
    ledger: Vec<(String, String, String, String)>,
}

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    match v {
        Some(true) => crate::t(lang, "yes-2").into(),
        Some(false) => crate::t(lang, "no-2").into(),
        None => "—".into(),
    }
}

/// "needed / received" as two yes/no answers.
fn need_and_service(lang: Lang, need: Option<bool>, got: Option<bool>) -> String {
    format!("{} / {}", yes_no(lang, need), yes_no(lang, got))
}

fn opt_label<T: Copy>(v: Option<T>, f: impl Fn(T) -> &'static str) -> String {
    v.map(f).unwrap_or("—").to_string()
}

fn survey_rows(lang: Lang, surveys: &[Survey]) -> Vec<(String, Vec<String>)> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    let row = |label: String, f: &dyn Fn(&Survey) -> String| {
        (label, surveys.iter().map(f).collect::<Vec<_>>())
    };
    let month =
        |m: Option<zhucan_domain::Month>| m.map(|m| m.to_string()).unwrap_or_else(|| "—".into());
    vec![
        row(t("家庭经济状况", "Economic status"), &|s| {
            opt_label(s.economic_status, |v| v.label(lang))
        }),
        row(
            t(
                "家庭人均可支配收入（元/年）",
                "Income per capita (yuan/year)",
            ),
            &|s| {
                s.income_per_capita_fen
                    .map(fen_to_yuan)
                    .unwrap_or_else(|| "—".into())
            },
        ),
        row(t("生活补贴", "Living subsidy"), &|s| {
            format!(
                "{} ~ {}",
                month(s.living_subsidy_since),
                month(s.living_subsidy_until)
            )
        }),
        row(t("护理补贴", "Nursing subsidy"), &|s| {
            format!(
                "{} ~ {}",
                month(s.nursing_subsidy_since),
                month(s.nursing_subsidy_until)
            )
        }),
        row(t("养老保险", "Pension insurance"), &|s| {
            opt_label(s.pension_insurance, |v| v.label(lang))
        }),
        row(t("医疗保险", "Medical insurance"), &|s| {
            opt_label(s.medical_insurance, |v| v.label(lang))
        }),
        row(t("就业状况", "Employment"), &|s| {
            opt_label(s.employment_status, |v| v.label(lang))
        }),
        row(t("未就业原因", "Reason not employed"), &|s| {
            opt_label(s.not_employed_reason, |v| v.label(lang))
        }),
        row(t("在读阶段", "School stage"), &|s| {
            opt_label(s.school_stage, |v| v.label(lang))
        }),
        row(
            t("完成义务教育", "Completed compulsory education"),
            &|s| yes_no(lang, s.completed_compulsory),
        ),
        row(
            t("康复需求 / 已获得", "Rehabilitation needed / received"),
            &|s| need_and_service(lang, s.needs_rehab, s.received_rehab),
        ),
        row(
            t("辅具需求 / 已适配", "Assistive device needed / fitted"),
            &|s| need_and_service(lang, s.needs_device, s.device_fitted),
        ),
        row(
            t("无障碍改造需求 / 已完成", "Home modification needed / done"),
            &|s| need_and_service(lang, s.needs_home_modification, s.home_modification_done),
        ),
        row(
            t("托养需求 / 接受服务", "Care need / receiving care"),
            &|s| {
                format!(
                    "{} / {}",
                    opt_label(s.care_need, |v| v.label(lang)),
                    yes_no(lang, s.receives_care)
                )
            },
        ),
        row(t("文体服务", "Culture and sports"), &|s| {
            yes_no(lang, s.culture_sports)
        }),
    ]
}

/// How much of a file to show.
#[derive(Debug, Clone, Copy)]
struct Disclosure {
    writable: bool,
    /// Full identifiers (after an audited reveal).
    revealed: bool,
    can_reveal: bool,
    /// Partner departments: the declared minimal field list only.
    minimal: bool,
}

fn person_view(
    lang: Lang,
    f: &PersonFile,
    names: &AreaNames,
    members: Vec<(String, String)>,
    d: Disclosure,
) -> PersonView {
    let writable = d.writable;
    let shown_phone = |ph: &str| {
        if d.revealed {
            ph.to_string()
        } else {
            mask_phone(ph)
        }
    };
    let p = &f.person;
    let c = &f.certificate;
    let today = Local::now().date_naive();
    let cat = |c: &zhucan_domain::person::Certificate| {
        let mut s = c.category.label(lang).to_string();
        if !c.components.is_empty() {
            s.push_str(&format!("（{}）", format_components(&c.components, lang)));
        }
        s
    };
    let mut flags = Vec::new();
    if let Some(d) = p.died_on {
        flags.push(match lang {
            Lang::Zh => format!("已于 {d} 死亡。"),
            Lang::En => format!("Deceased on {d}."),
        });
    }
    if let Some(d) = p.moved_out_on {
        flags.push(match lang {
            Lang::Zh => format!("已于 {d} 迁出本区。"),
            Lang::En => format!("Moved out of the district on {d}."),
        });
    }
    if c.status == zhucan_domain::person::CertificateStatus::Revoked {
        flags.push(crate::t(lang, "the-certificate-is-revoked").into());
    } else if c.valid_until < today {
        flags.push(match lang {
            Lang::Zh => format!("残疾人证已于 {} 到期，请办理换领。", c.valid_until),
            Lang::En => format!(
                "The certificate expired on {}; it needs renewal.",
                c.valid_until
            ),
        });
    }
    let age = match lang {
        Lang::Zh => format!("{} 岁", p.citizen_id.age_on(today)),
        Lang::En => format!("age {}", p.citizen_id.age_on(today)),
    };
    PersonView {
        handle: f.handle.clone(),
        writable,
        name: p.name.clone(),
        masked_id: if d.revealed {
            p.citizen_id.to_string()
        } else {
            p.citizen_id.masked()
        },
        revealed: d.revealed,
        can_reveal: d.can_reveal && !d.revealed,
        minimal: d.minimal,
        sex: p.citizen_id.sex().label(lang).into(),
        birth: p.citizen_id.birth_date().to_string(),
        age,
        phone: p
            .phone
            .as_deref()
            .map(shown_phone)
            .unwrap_or_else(|| "—".into()),
        guardian: match (&p.guardian_name, &p.guardian_phone) {
            (None, None) => "—".into(),
            (n, ph) => format!(
                "{} {}",
                n.clone().unwrap_or_default(),
                ph.as_deref().map(shown_phone).unwrap_or_default()
            ),
        },
        legacy: f
            .legacy_id
            .as_deref()
            .map(|l| zhucan_domain::ids::mask(l, 6, 3)),
        masked_cert: if d.revealed {
            c.number.to_string()
        } else {
            c.number.masked()
        },
        category: cat(c),
        grade: c.grade.label(lang).into(),
        issued: c.issued_on.to_string(),
        valid_until: c.valid_until.to_string(),
        cert_status: c.status.label(lang).into(),
        smart_card: yes_no(lang, Some(c.smart_card)),
        cert_history: f
            .certificates
            .iter()
            .map(|h| {
                let hc = &h.certificate;
                (
                    hc.number.masked(),
                    format!("{}{}", cat(hc), hc.grade.label(lang)),
                    hc.issued_on.to_string(),
                    hc.valid_until.to_string(),
                    format!(
                        "{}{}{}",
                        hc.status.label(lang),
                        hc.revoked_on
                            .filter(|_| hc.status == CertificateStatus::Revoked)
                            .map(|d| match lang {
                                Lang::Zh => format!("（{d}）"),
                                Lang::En => format!(" ({d})"),
                            })
                            .unwrap_or_default(),
                        if h.is_current {
                            crate::t(lang, "current")
                        } else {
                            crate::t(lang, "former")
                        }
                    ),
                )
            })
            .collect(),
        township: names.of(&p.township),
        village: p
            .village
            .as_ref()
            .map(|v| names.of(v))
            .or_else(|| f.village_name.clone())
            .unwrap_or_else(|| "—".into()),
        hukou: opt_label(p.hukou_type, |h| h.label(lang)),
        household_id: p
            .household_id
            .clone()
            .unwrap_or_else(|| crate::t(lang, "own-household").into()),
        household_size: p
            .household_size
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into()),
        members,
        status_flags: flags,
        survey_years: f.surveys.iter().map(|s| s.year).collect(),
        survey_rows: survey_rows(lang, &f.surveys),
        survey_links: {
            let mut y: Vec<i32> = f.surveys.iter().map(|s| s.year).collect();
            y.push(year_now());
            y.sort_unstable_by(|a, b| b.cmp(a));
            y.dedup();
            y
        },
        events: f
            .events
            .iter()
            .rev()
            .map(|e| {
                (
                    e.occurred_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| e.recorded_at.chars().take(10).collect()),
                    if e.summary.is_empty() {
                        e.kind.label(lang).to_string()
                    } else {
                        format!("{}：{}", e.kind.label(lang), e.summary)
                    },
                    match lang {
                        Lang::Zh => format!(
                            "{} 由 {} 记录（{}）",
                            e.recorded_at
                                .chars()
                                .take(16)
                                .collect::<String>()
                                .replace('T', " "),
                            e.recorded_by,
                            source_label(lang, &e.source)
                        ),
                        Lang::En => format!(
                            "recorded {} by {} ({})",
                            e.recorded_at
                                .chars()
                                .take(16)
                                .collect::<String>()
                                .replace('T', " "),
                            e.recorded_by,
                            source_label(lang, &e.source)
                        ),
                    },
                )
            })
            .chain(f.ledger.iter().rev().map(|e| {
                (
                    e.fact.date().to_string(),
                    format!("{}：{}", e.source.kind.label(lang), e.fact.summary(lang)),
                    crate::tf(
                        lang,
                        "received-on-from-department",
                        &[("on", e.source.received_on.to_string().into())],
                    ),
                )
            }))
            .collect::<Vec<_>>()
            .tap_sort(),
        ledger: latest_per_kind(&f.ledger, lang),
    }
}

/// Newest first by the date each event speaks of (a stable sort: same-day events keep the
/// order they were recorded in).
trait TapSort {
    fn tap_sort(self) -> Self;
}

impl TapSort for Vec<(String, String, String)> {
    fn tap_sort(mut self) -> Self {
        self.sort_by(|a, b| b.0.cmp(&a.0));
        self
    }
}

/// The latest current row of each ledger kind: what each department last said, and when.
fn latest_per_kind(
    ledger: &[zhucan_domain::ledger::Entry],
    lang: Lang,
) -> Vec<(String, String, String, String)> {
    let current = zhucan_domain::ledger::current(ledger.to_vec());
    let mut out = Vec::new();
    for kind in zhucan_domain::ledger::FactKind::ALL {
        if let Some(e) = current
            .iter()
            .filter(|e| e.fact.kind() == *kind)
            .max_by_key(|e| (e.fact.date(), e.seq))
        {
            out.push((
                kind.label(lang).to_string(),
                e.fact.summary(lang),
                e.fact.date().to_string(),
                e.source.received_on.to_string(),
            ));
        }
    }
    out
}

/// The channel a timeline event came through (`Actor::source`), in words. Every value a write
/// path stores has its own label (`form`: staff pages; `service end`: the citizen's own pages,
/// the person or a guardian; `import`, `demo`; `feed`, reserved for departments' data); a value
/// not known here is shown as stored rather than under another channel's label.
fn source_label(lang: Lang, s: &str) -> &str {
    match s {
        "import" => crate::t(lang, "workbook-import"),
        "demo" => crate::t(lang, "demo-data"),
        "form" => crate::t(lang, "staff-form"),
        "service end" => crate::t(lang, "submitted-by-the-person-or-a"),
        "feed" => crate::t(lang, "department-feed"),
        other => other,
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    saved: Option<String>,
}

pub async fn person(
    State(state): State<AppState>,
    caller: Holds<ReadsPersons>,
    Path(handle): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let notice = q.saved.map(|_| crate::t(caller.lang, "saved").to_string());
    person_page(&state, &caller, handle, notice, false).await
}

/// `POST /persons/{handle}/reveal`: the same file with full identifiers, for roles with the
/// reveal right; the reveal is audited.
pub async fn reveal(
    State(state): State<AppState>,
    caller: Holds<RevealsIdentifiers>,
    Path(handle): Path<String>,
    _form: CsrfForm,
) -> PageResult {
    person_page(&state, &caller, handle, None, true).await
}

async fn person_page(
    state: &AppState,
    caller: &PageCaller,
    handle: String,
    notice: Option<String>,
    reveal: bool,
) -> PageResult {
    let (state, caller) = (state.clone(), caller.clone());
    let lang = caller.lang;
    if scope::person_area(&caller.user).is_none() {
        return Err(PageError::forbidden(&caller));
    }
    let file = match load_scoped(&state, &caller, &handle)
        .await
        .or_page(&caller)?
    {
        Some(f) => f,
        None => {
            let detail = serde_json::json!({"handle": handle});
            trail::record(
                &state.store,
                audit_event(
                    &caller.user,
                    &caller.client,
                    "person.read",
                    "",
                    "denied",
                    detail,
                ),
            )
            .await;
            return Err(PageError::not_found(&caller));
        }
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        if reveal {
            "person.reveal"
        } else {
            "person.read"
        },
        file.person.citizen_id.as_str(),
        "ok",
        serde_json::json!({}),
    ));
    let (_, names) = area_names(&state).await.or_page(&caller)?;
    let mut members = Vec::new();
    if let Some(hh) = &file.person.household_id {
        let ms = state
            .store
            .household_members(hh, &file.person.citizen_id)
            .await
            .or_page(&caller)?;
        for (h, id, name) in ms {
            if let Ok(Some(m)) = state
                .store
                .person_file(&id, &zhucan_store::Reach::of(&caller.user))
                .await
                && scope::can_read(&caller.user, &m.person)
            {
                members.push((h, name));
            }
        }
    }
    let disclosure = Disclosure {
        writable: scope::can_write(&caller.user, &file.person),
        revealed: reveal,
        can_reveal: caller.user.role.can_reveal(),
        minimal: caller.user.role.minimal_view(),
    };
    let sections = if disclosure.minimal {
        Vec::new()
    } else {
        state
            .programmes
            .person_sections(zhucan_web::programme::SectionAsk {
                state: &state,
                user: &caller.user,
                person: &file.person,
                reader: zhucan_web::programme::Reader::Staff,
                lang,
            })
            .await
            .or_page(&caller)?
    };
    let v = person_view(lang, &file, &names, members, disclosure);
    Ok(render(
        StatusCode::OK,
        &PersonPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}"),
                "persons",
                &v.name.clone(),
            ),
            v,
            notice,
            sections,
        },
    ))
}

// ---------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    c: Chrome,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

pub async fn new_person_form(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
) -> PageResult {
    let lang = caller.lang;
    let areas = state.store.areas().await.or_page(&caller)?;
    let mut fields = crate::forms::person_fields(lang, &areas, &caller.user.area);
    if caller.user.area.level() != AreaLevel::District {
        let own = caller.user.area.as_str().get(..9).unwrap_or("").to_string();
        for f in fields.iter_mut().filter(|f| f.name == "township") {
            f.value = own.clone();
        }
    }
    Ok(render(
        StatusCode::OK,
        &PersonFormPage {
            c: chrome(
                Some(&caller),
                lang,
                "/persons/new",
                "new",
                crate::t(lang, "register-a-person"),
            ),
            fields,
            errors: vec![],
        },
    ))
}

pub async fn new_person(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    let areas = state.store.areas().await.or_page(&caller)?;
    let today = Local::now().date_naive();
    let mut sub = Submission::new(form);
    let parsed = crate::forms::parse_person(&mut sub, lang, &areas, today);
    if let Some(rec) = &parsed
        && !scope::can_register_in(
            &caller.user,
            &rec.person.township,
            rec.person.village.as_ref(),
        )
    {
        sub.fail(
            "township",
            crate::t(lang, "you-can-only-register-persons-in").into(),
        );
    }
    if let (Some(rec), true) = (&parsed, sub.errors.is_empty()) {
        let actor = Actor {
            name: &caller.user.username,
            source: "form",
        };
        match state.store.register(rec, &actor).await {
            Ok(()) => {
                let detail = serde_json::json!({"new": rec});
                trail::record(
                    &state.store,
                    audit_event(
                        &caller.user,
                        &caller.client,
                        "person.create",
                        rec.person.citizen_id.as_str(),
                        "ok",
                        detail,
                    ),
                )
                .await;
                let f = state
                    .store
                    .person_file(
                        &rec.person.citizen_id,
                        &zhucan_store::Reach::of(&caller.user),
                    )
                    .await
                    .or_page(&caller)?
                    .ok_or_else(|| PageError::not_found(&caller))?;
                return Ok(Redirect::to(&format!("/persons/{}?saved=1", f.handle)).into_response());
            }
            Err(StoreError::Exists(_)) => sub.fail(
                "citizen_id",
                crate::t(lang, "this-citizen-id-already-has-a").into(),
            ),
            Err(e) => return Err(PageError::store(&caller, e)),
        }
    }
    let mut fields = crate::forms::person_fields(lang, &areas, &caller.user.area);
    let errors = sub.apply(&mut fields);
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &PersonFormPage {
            c: chrome(
                Some(&caller),
                lang,
                "/persons/new",
                "new",
                crate::t(lang, "register-a-person-errors"),
            ),
            fields,
            errors,
        },
    ))
}

// ---------------------------------------------------------------- life events

#[derive(Template)]
#[template(path = "event_form.html")]
struct EventFormPage {
    c: Chrome,
    name: String,
    handle: String,
    version: i64,
    fields: Vec<FormField>,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

fn event_kind_field(lang: Lang, value: &str) -> FormField {
    let mut o = vec![(String::new(), crate::t(lang, "choose").to_string())];
    o.extend(
        crate::forms::EVENT_KINDS
            .iter()
            .map(|(k, zh, en)| (k.to_string(), lang.pick(zh, en).to_string())),
    );
    let mut f = FormField::new("kind", crate::t(lang, "kind-of-event"), "select")
        .required()
        .options(o);
    f.value = value.to_string();
    f
}

fn event_fields_for(lang: Lang, kind: &str, areas: &[Area], scope: &AreaCode) -> Vec<FormField> {
    let mut fields = vec![event_kind_field(lang, kind)];
    fields.extend(crate::forms::event_fields(kind, lang, areas, scope));
    fields
}

pub async fn event_form(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    ReadableFile(file): ReadableFile,
    Path(handle): Path<String>,
    Query(q): Query<KindQuery>,
) -> PageResult {
    let lang = caller.lang;
    let areas = state.store.areas().await.or_page(&caller)?;
    let kind = q.kind.unwrap_or_default();
    let kind = if crate::forms::EVENT_KINDS.iter().any(|(k, _, _)| *k == kind) {
        kind
    } else {
        String::new()
    };
    let fields = if kind.is_empty() {
        let mut all = vec![event_kind_field(lang, "")];
        all.extend(crate::forms::event_fields(
            "reassess",
            lang,
            &areas,
            &caller.user.area,
        ));
        all.extend(
            crate::forms::event_fields("renew", lang, &areas, &caller.user.area)
                .into_iter()
                .skip(1),
        );
        all.extend(
            crate::forms::event_fields("move_in", lang, &areas, &caller.user.area)
                .into_iter()
                .skip(1),
        );
        all
    } else {
        event_fields_for(lang, &kind, &areas, &caller.user.area)
    };
    let fields = dedupe(fields);
    Ok(render(
        StatusCode::OK,
        &EventFormPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}/events"),
                "persons",
                crate::t(lang, "record-a-life-event"),
            ),
            name: file.person.name.clone(),
            handle,
            version: file.version,
            fields,
            errors: vec![],
        },
    ))
}

/// Keeps the first field of each name (the combined form shares the date field).
fn dedupe(fields: Vec<FormField>) -> Vec<FormField> {
    let mut seen = std::collections::HashSet::new();
    fields
        .into_iter()
        .filter(|f| seen.insert(f.name.clone()))
        .collect()
}

pub async fn record_event(
    State(state): State<AppState>,
    caller: Holds<WritesPersons>,
    Path(handle): Path<String>,
    CsrfForm(form): CsrfForm,
) -> PageResult {
    let lang = caller.lang;
    // The form's token is checked before the file is looked up (CsrfForm, then the load).
    let file = writable_by_handle(&state, &caller, &handle)
        .await
        .map_err(PageError::response)?;
    let areas = state.store.areas().await.or_page(&caller)?;
    let today = Local::now().date_naive();
    let kind = form.get("kind").cloned().unwrap_or_default();
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let mut sub = Submission::new(form);
    if !crate::forms::EVENT_KINDS.iter().any(|(k, _, _)| *k == kind) {
        sub.fail("kind", crate::t(lang, "choose-the-kind-of-event").into());
    }
    let event = if sub.errors.is_empty() {
        crate::forms::parse_event(&kind, &mut sub, lang, &areas, today)
    } else {
        None
    };
    if let Some(ev) = event {
        if let zhucan_domain::timeline::LifeEvent::MoveIn {
            township, village, ..
        } = &ev
            && !scope::can_register_in(&caller.user, township, village.as_ref())
        {
            sub.fail(
                "township",
                crate::t(lang, "you-can-only-move-a-person").into(),
            );
        } else {
            match apply_life_event(&file.record(), &ev, today) {
                Ok((next, events)) => {
                    let actor = Actor {
                        name: &caller.user.username,
                        source: "form",
                    };
                    let detail = serde_json::json!({"event": kind, "changes": trail::diff(&file.record(), &next)});
                    match state
                        .store
                        .save_file(&next, version, Some(events), &actor)
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
                                    detail,
                                ),
                            )
                            .await;
                            return Ok(
                                Redirect::to(&format!("/persons/{handle}?saved=1")).into_response()
                            );
                        }
                        Err(StoreError::VersionConflict { .. }) => {
                            return Err(PageError::message(
                                &caller,
                                StatusCode::CONFLICT,
                                "保存未成功：在您填写期间，其他人已修改了该档案。请重新打开档案，核对后再记录。",
                                "Not saved: someone else changed this file while you were filling in the form. Open the file again, check it, and record the event again.",
                            ));
                        }
                        Err(e) => return Err(PageError::store(&caller, e)),
                    }
                }
                Err(e) => sub.fail("on", e.message(lang)),
            }
        }
    }
    let mut fields = event_fields_for(lang, &kind, &areas, &caller.user.area);
    let errors = sub.apply(&mut fields);
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &EventFormPage {
            c: chrome(
                Some(&caller),
                lang,
                &format!("/persons/{handle}/events"),
                "persons",
                crate::t(lang, "record-a-life-event-errors"),
            ),
            name: file.person.name.clone(),
            handle,
            version,
            fields,
            errors,
        },
    ))
}
