//! The institution's monthly import of its service records: the `rehab_service` workbook of
//! `feeds-and-records.md` (公民身份号码, 姓名, 服务日期, 服务类型, 服务机构), one row a session.
//! Every row must be a child placed with the institution on the day served, for the
//! placement's service, in a month not settled there; the file is taken whole or not at all
//! (each problem named by row and column), and rows already recorded are skipped, so the
//! month's file may be sent again with rows added.

#[allow(unused_imports)]
use crate::prelude::*;

use axum::extract::{FromRequest, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use zhucan_domain::institution::InstitutionKind;
use zhucan_domain::lang::{Lang, Localized};
use zhucan_domain::ledger::{Fact, FactKind};
use zhucan_store::registry::Actor;
use zhucan_web::AppState;
use zhucan_web::trail::audit_event;
use zhucan_web::usecase::{CsrfMultipart, Holds, OrPage, PageError, PageResult};
use zhucan_web::view::today;
use zhucan_workbook::ImportOptions;

use crate::pages::{IsInstitution, MonthParams, institution_page};
use crate::rules::Service;
use crate::store::{Batch, NewRecord, institution_name};

fn at_row(lang: Lang, row: u32, text: &str) -> String {
    match lang {
        Lang::Zh => format!("第 {row} 行：{text}"),
        Lang::En => format!("row {row}: {text}"),
    }
}

/// `POST /rehab/institution/import`: the month's records as a workbook.
pub async fn import(
    State(state): State<AppState>,
    caller: Holds<IsInstitution>,
    req: axum::extract::Request,
) -> PageResult {
    let lang = caller.lang;
    let CsrfMultipart(posted) = CsrfMultipart::from_request(req, &state).await?;
    let Some(inst) = state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(&caller)?
    else {
        return Err(PageError::message(
            &caller,
            StatusCode::FORBIDDEN,
            "本账户尚未绑定机构。",
            "This account is not bound to an institution.",
        ));
    };
    let again = |problems: Vec<String>| {
        let caller = &caller;
        let state = &state;
        async move {
            institution_page(
                state,
                caller,
                &MonthParams::default(),
                problems
                    .into_iter()
                    .map(|m| ("file".to_string(), m))
                    .collect(),
                None,
            )
            .await
        }
    };
    let Some((_, name, bytes)) = posted
        .files
        .iter()
        .find(|(f, _, data)| f == "file" && !data.is_empty())
        .cloned()
    else {
        return again(vec![crate::t(lang, "choose-a-file").into()]).await;
    };
    let areas = state.store.areas().await.or_page(&caller)?;
    let opts = ImportOptions {
        survey_year: None,
        today: today(),
        lang,
    };
    let parsed = tokio::task::spawn_blocking(move || {
        zhucan_workbook::ledger::read_facts(FactKind::RehabService, &name, &bytes, &areas, &opts)
    })
    .await;
    let parsed = match parsed {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return again(vec![e.message(lang)]).await,
        Err(_) => {
            return Err(PageError::message(
                &caller,
                StatusCode::INTERNAL_SERVER_ERROR,
                "文件读取失败",
                "the file could not be read",
            ));
        }
    };
    let mut problems: Vec<String> = parsed
        .rejected
        .iter()
        .map(|i| {
            at_row(
                lang,
                i.row,
                &format!("{}“{}”：{}", i.column, i.value, i.message),
            )
        })
        .collect();
    let placements = state.store.placements_at(&inst).await.or_page(&caller)?;
    let designation = state.store.designation(&inst).await.or_page(&caller)?;
    let own_name = institution_name(&inst).to_string();
    let mut records = Vec::new();
    for row in &parsed.rows {
        let Fact::RehabService {
            served_on,
            service,
            institution,
        } = &row.fact
        else {
            continue;
        };
        if let Some(n) = institution
            && n.trim() != own_name
        {
            problems.push(at_row(
                lang,
                row.row,
                &crate::tf(
                    lang,
                    "row-other-institution",
                    &[("v", n.clone().into()), ("own", own_name.clone().into())],
                ),
            ));
            continue;
        }
        let Some(p) = placements
            .iter()
            .find(|p| p.citizen_id == row.citizen_id && p.covers(*served_on))
        else {
            problems.push(at_row(
                lang,
                row.row,
                &crate::tf(
                    lang,
                    "row-not-placed-here",
                    &[
                        ("id", row.citizen_id.masked().into()),
                        ("d", served_on.to_string().into()),
                    ],
                ),
            ));
            continue;
        };
        if Service::parse(service) != Some(p.service) {
            problems.push(at_row(
                lang,
                row.row,
                &crate::tf(
                    lang,
                    "row-other-service",
                    &[
                        ("v", service.clone().into()),
                        ("placed", p.service.label(lang).to_string().into()),
                    ],
                ),
            ));
            continue;
        }
        if !designation.as_ref().is_some_and(|d| d.in_force(*served_on)) {
            problems.push(at_row(
                lang,
                row.row,
                &crate::tf(
                    lang,
                    "designation-not-in-force-on",
                    &[("v", served_on.to_string().into())],
                ),
            ));
            continue;
        }
        records.push((
            row.row,
            NewRecord {
                citizen_id: p.citizen_id.clone(),
                area_code: p.area_code.clone(),
                placement_id: Some(p.id.clone()),
                institution_id: inst.clone(),
                institution_name: Some(own_name.clone()),
                served_on: *served_on,
                service: p.service,
                sessions: 1,
                note: String::new(),
                source: "import",
            },
        ));
    }
    if records.is_empty() && problems.is_empty() {
        problems.push(crate::t(lang, "no-rows-in-the-file").into());
    }
    if !problems.is_empty() {
        return again(problems).await;
    }
    let audit = audit_event(
        &caller.user,
        &caller.client,
        "rehab.import",
        &inst,
        "ok",
        serde_json::json!({"rows": records.len(), "received": parsed.received}),
    );
    let actor = Actor {
        name: &caller.user.username,
        source: "import",
    };
    let batch: Vec<NewRecord> = records.iter().map(|(_, r)| r.clone()).collect();
    match state
        .store
        .record_batch(&batch, &actor, &audit)
        .await
        .or_page(&caller)?
    {
        Batch::Done { written, skipped } => Ok(Redirect::to(&format!(
            "/rehab/institution?imported={written}&skipped={skipped}"
        ))
        .into_response()),
        Batch::Settled(i) => {
            let row = records.get(i).map(|(r, _)| *r).unwrap_or(0);
            again(vec![at_row(lang, row, crate::t(lang, "month-settled"))]).await
        }
    }
}

/// `GET /rehab/institution`: see [`institution_page`].
pub async fn institution(
    State(state): State<AppState>,
    caller: Holds<IsInstitution>,
    Query(q): Query<MonthParams>,
) -> PageResult {
    // An institution account starts here (the lowest menu entry); one bound to a device
    // service point has its own page instead (DECISIONS: one role for both kinds of body).
    if let Some(org) = state
        .store
        .account_org(&caller.user.id)
        .await
        .or_page(&caller)?
    {
        let point = state
            .store
            .institutions()
            .await
            .or_page(&caller)?
            .into_iter()
            .any(|i| i.kind == InstitutionKind::DeviceService && i.id() == org);
        if point {
            return Ok(Redirect::to("/devices/point").into_response());
        }
    }
    let notice = q.imported.map(|n| {
        crate::tf(
            caller.lang,
            "imported-n-skipped-m",
            &[("n", n.into()), ("m", q.skipped.unwrap_or(0).into())],
        )
    });
    institution_page(&state, &caller, &q, vec![], notice).await
}
