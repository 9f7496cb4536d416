//! The registry's part of the JSON API (`contract.md`): `/api/v1/persons` and one person's
//! file, within the caller's area and rights.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::{CitizenId, mask_phone};
use zhucan_store::{PersonFile, PersonQuery};
use zhucan_web::AppState;
use zhucan_web::api::ErrorBody;
use zhucan_web::auth::ApiCaller;
use zhucan_web::error::{ApiError, ApiResult, OrApi};
use zhucan_web::scope;
use zhucan_web::trail::{self, audit_event};

#[derive(Debug, Deserialize)]
pub struct PersonsParams {
    q: Option<String>,
    area: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// A person in a search result (identifiers masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonListItem {
    /// Opaque handle of the file.
    #[serde(rename = "ref")]
    pub handle: String,
    pub citizen_id_masked: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub category: String,
    pub grade: String,
    pub certificate_status: String,
    pub died_on: Option<String>,
    pub moved_out_on: Option<String>,
}

/// One page of persons.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<PersonListItem>,
}

/// `GET /api/v1/persons?q=…&area=…&page=…`: searches persons within the caller's area.
#[utoipa::path(get, path = "/api/v1/persons",
    params(("q" = Option<String>, Query, description = "name, citizen ID or certificate number"),
           ("area" = Option<String>, Query, description = "area code (township or village) inside the caller's area"),
           ("page" = Option<u32>, Query, description = "1-based page"), ("per_page" = Option<u32>, Query, description = "1–200, default 50")),
    responses((status = 200, body = PersonList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn persons(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<PersonsParams>,
) -> ApiResult<Json<PersonList>> {
    let lang = caller.lang;
    let scope_area = scope::person_area(&caller.user)
        .cloned()
        .ok_or_else(ApiError::forbidden)
        .or_api(lang)?;
    let page = match p.page.as_deref() {
        None | Some("") => 1,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                ApiError::invalid(
                    "page",
                    s,
                    "应为不小于 1 的整数",
                    "must be a whole number ≥ 1",
                )
            })
            .or_api(lang)?,
    };
    let per_page = match p.per_page.as_deref() {
        None | Some("") => 50,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "per_page",
                    s,
                    "应为 1 到 200 的整数",
                    "must be a whole number from 1 to 200",
                )
            })
            .or_api(lang)?,
    };
    let area = match p.area.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(scope_area.clone()),
        Some(s) => match AreaCode::parse(s) {
            None => {
                return Err(ApiError::invalid(
                    "area",
                    s,
                    "应为 6、9 或 12 位区划代码",
                    "must be a 6-, 9- or 12-digit area code",
                )
                .in_lang(lang));
            }
            Some(a) if scope_area.contains(&a) => Some(a),
            Some(a) if a.contains(&scope_area) => Some(scope_area.clone()),
            // Outside the caller's area: an empty result, exactly as for an unknown area.
            Some(_) => None,
        },
    };
    let Some(area) = area else {
        return Ok(Json(PersonList {
            total: 0,
            page,
            per_page,
            items: vec![],
        }));
    };
    let q = PersonQuery {
        text: p.q.clone(),
        area: Some(area),
        page,
        per_page,
    };
    let r = state.store.search(&q).await.or_api(lang)?;
    let detail = serde_json::json!({"q": q.text, "area": q.area.as_ref().map(|a| a.to_string()), "page": page, "total": r.total});
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "person.search",
        "",
        "ok",
        detail,
    ));
    Ok(Json(PersonList {
        total: r.total,
        page: r.page,
        per_page: r.per_page,
        items: r
            .items
            .into_iter()
            .map(|s| PersonListItem {
                handle: s.handle,
                citizen_id_masked: s.citizen_id.masked(),
                name: s.name,
                township_code: s.township_code,
                village_code: s.village_code,
                category: s.category,
                grade: s.grade,
                certificate_status: s.status,
                died_on: s.died_on,
                moved_out_on: s.moved_out_on,
            })
            .collect(),
    }))
}

/// The declared field list of the partner-department view (data minimisation).
pub const PARTNER_FIELDS: &[&str] = &[
    "ref",
    "person.citizen_id",
    "person.name",
    "person.sex",
    "person.birth_date",
    "person.township",
    "person.village",
    "certificate",
];

/// The person file as the API returns it for a role: phone numbers masked; for a minimal view
/// only [`PARTNER_FIELDS`]; for a role without the reveal right (`Role::can_reveal`: a partner
/// department) the citizen ID and every certificate number masked as on staff screens
/// (`identifiers.md`: first 6 + last 4).
pub fn file_json_for(f: &PersonFile, role: zhucan_domain::access::Role) -> serde_json::Value {
    let mut v = file_json_minimal(f, role.minimal_view());
    if !role.can_reveal() {
        mask_identifiers(&mut v);
    }
    v
}

/// Masks the citizen ID and the certificate numbers of a file's JSON (the current
/// certificate's and the history's).
fn mask_identifiers(v: &mut serde_json::Value) {
    use zhucan_domain::ids::mask_identifiers_in;
    let mask = |x: &mut serde_json::Value| {
        if let Some(s) = x.as_str() {
            *x = serde_json::Value::String(mask_identifiers_in(s));
        }
    };
    if let Some(x) = v.pointer_mut("/person/citizen_id") {
        mask(x);
    }
    if let Some(x) = v.pointer_mut("/certificate/number") {
        mask(x);
    }
    if let Some(hist) = v.get_mut("certificates").and_then(|h| h.as_array_mut()) {
        for h in hist {
            for ptr in ["/certificate/number", "/number", "/citizen_id"] {
                if let Some(x) = h.pointer_mut(ptr) {
                    mask(x);
                }
            }
        }
    }
    for key in ["surveys", "events"] {
        if let Some(items) = v.get_mut(key).and_then(|h| h.as_array_mut()) {
            for it in items {
                if let Some(x) = it.get_mut("citizen_id") {
                    mask(x);
                }
            }
        }
    }
}

/// The person file as the API returns it: phone numbers masked; for a minimal view only
/// [`PARTNER_FIELDS`].
fn file_json_minimal(f: &PersonFile, minimal: bool) -> serde_json::Value {
    let full = file_json(f);
    if !minimal {
        return full;
    }
    let mut out = serde_json::Map::new();
    out.insert("ref".into(), full["ref"].clone());
    out.insert("certificate".into(), full["certificate"].clone());
    let mut person = serde_json::Map::new();
    for k in [
        "citizen_id",
        "name",
        "sex",
        "birth_date",
        "township",
        "village",
    ] {
        person.insert(k.into(), full["person"][k].clone());
    }
    out.insert("person".into(), serde_json::Value::Object(person));
    serde_json::Value::Object(out)
}

/// The person file as the API returns it: phone numbers masked.
pub fn file_json(f: &PersonFile) -> serde_json::Value {
    let mut f = f.clone();
    f.person.phone = f.person.phone.as_deref().map(mask_phone);
    f.person.guardian_phone = f.person.guardian_phone.as_deref().map(mask_phone);
    let mut v = serde_json::to_value(&f).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("ref".into(), serde_json::Value::String(f.handle.clone()));
        o.remove("handle");
        if let Some(p) = o.get_mut("person").and_then(|p| p.as_object_mut()) {
            p.insert(
                "sex".into(),
                serde_json::to_value(f.person.citizen_id.sex()).unwrap_or_default(),
            );
            p.insert(
                "birth_date".into(),
                serde_json::Value::String(f.person.citizen_id.birth_date().to_string()),
            );
        }
    }
    v
}

/// `GET /api/v1/persons/{citizen_id}`: the whole person file, within the caller's area;
/// 404 for a person outside it.
#[utoipa::path(get, path = "/api/v1/persons/{citizen_id}",
    params(("citizen_id" = String, Path, description = "18-character citizen ID")),
    responses((status = 200, description = "the person file (一人一档)", body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn person(
    State(state): State<AppState>,
    caller: ApiCaller,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = caller.lang;
    scope::person_area(&caller.user)
        .ok_or_else(ApiError::forbidden)
        .or_api(lang)?;
    let id: CitizenId = CitizenId::parse(&raw)
        .map(|p| p.id)
        .map_err(|e| ApiError::rejected("citizen_id", &raw, &e))
        .or_api(lang)?;
    let file = state
        .store
        .person_file(&id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_api(lang)?
        .filter(|f| scope::can_read(&caller.user, &f.person));
    let Some(f) = file else {
        trail::record(
            &state.store,
            audit_event(
                &caller.user,
                &caller.client,
                "person.read",
                id.as_str(),
                "denied",
                serde_json::json!({}),
            ),
        )
        .await;
        return Err(ApiError::not_found().in_lang(lang));
    };
    state.audit.queue(audit_event(
        &caller.user,
        &caller.client,
        "person.read",
        id.as_str(),
        "ok",
        serde_json::json!({}),
    ));
    Ok(Json(file_json_for(&f, caller.user.role)))
}
