//! Stated needs a programme takes (需求转办): the needs of the programme's kind that wait for
//! a case in the caller's area, shown on the programme's queue with an action that opens the
//! case form filled from the need; the case takes the need in its own transaction
//! ([`crate::store::take_need_in`]) and meets it when it records the service
//! ([`crate::store::meet_needs_in`]). The programmes say only which kind is theirs and where
//! their form is.

#[allow(unused_imports)]
use crate::prelude::*;

use zhucan_domain::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::lang::Lang;
use zhucan_web::AppState;
use zhucan_web::auth::PageCaller;
use zhucan_web::pages::names_of;
use zhucan_web::scope;
use zhucan_web::usecase::{OrPage, PageError, Right};

use crate::rules::NeedKind;
use crate::store::Need;

/// At most this many waiting needs are listed on a queue (the count says how many there are).
const SHOWN: u32 = 50;

/// One waiting need, as a queue lists it.
#[derive(Debug, Clone)]
pub struct WaitingNeed {
    pub name: String,
    pub masked_id: String,
    pub description: String,
    pub recorded: String,
    pub channel: String,
    /// The programme's form, filled from the need.
    pub href: String,
}

/// The waiting needs of a queue with the words the shared partial (`_waiting_needs.html`)
/// shows around them.
#[derive(Debug, Clone)]
pub struct WaitingNeeds {
    pub heading: String,
    pub summary: String,
    pub action: String,
    pub col_name: String,
    pub col_id: String,
    pub col_need: String,
    pub col_recorded: String,
    pub col_channel: String,
    pub rows: Vec<WaitingNeed>,
    /// The needs the yearly survey found and no service has met yet (the indicator's gap):
    /// (link to the indicator's drill-down, its words), for the kinds an indicator counts.
    pub survey_gap: Option<(String, String)>,
}

/// The indicator (`indicators.md`) whose gap is the survey's unmet needs of `kind`.
fn survey_indicator(kind: NeedKind) -> Option<&'static str> {
    match kind {
        NeedKind::Rehab => Some("rehab_coverage"),
        NeedKind::Device => Some("device_fitting"),
        NeedKind::HomeModification => Some("home_modification"),
        _ => None,
    }
}

/// Who stated a need, in words.
pub fn channel_label(channel: &str, lang: Lang) -> &'static str {
    match channel {
        "citizen" => crate::t(lang, "the-person-or-family"),
        "village_worker" => crate::t(lang, "village-worker"),
        _ => crate::t(lang, "staff"),
    }
}

/// The needs of `kind` in `area` that no case has taken; `form` is the programme's form, to
/// which `need=<id>` is appended (`/devices?need=` …).
pub async fn waiting(
    state: &AppState,
    caller: &PageCaller,
    area: &AreaCode,
    kind: NeedKind,
    form: &str,
) -> Result<WaitingNeeds, PageError> {
    let lang = caller.lang;
    let (total, list) = state
        .store
        .needs_waiting(area, kind, SHOWN)
        .await
        .or_page(caller)?;
    let ids: Vec<CitizenId> = list.iter().map(|n| n.citizen_id.clone()).collect();
    let names = names_of(state, caller, &ids).await?;
    let sep = if form.contains('?') { '&' } else { '?' };
    Ok(WaitingNeeds {
        heading: crate::tf(
            lang,
            "stated-needs-waiting",
            &[("kind", kind.label(lang).to_string().into())],
        ),
        summary: crate::tf(
            lang,
            "needs-waiting-n-shown-m",
            &[("n", total.into()), ("m", list.len().into())],
        ),
        action: crate::t(lang, "take-the-need").to_string(),
        col_name: crate::t(lang, "person-name").to_string(),
        col_id: crate::t(lang, "citizen-id").to_string(),
        col_need: crate::t(lang, "need").to_string(),
        col_recorded: crate::t(lang, "recorded-on").to_string(),
        col_channel: crate::t(lang, "stated-by").to_string(),
        rows: list
            .iter()
            .map(|n| WaitingNeed {
                name: names
                    .get(n.citizen_id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                masked_id: n.citizen_id.masked(),
                description: n.description.clone(),
                recorded: n.recorded_at.get(..10).unwrap_or("").to_string(),
                channel: channel_label(&n.channel, lang).to_string(),
                href: format!("{form}{sep}need={}", n.id),
            })
            .collect(),
        survey_gap: survey_indicator(kind)
            .filter(|_| zhucan_web::usecase::ReadsPersons::held_by(&caller.user))
            .map(|key| {
                (
                    format!("/indicators/{key}/people?part=gap"),
                    crate::tf(
                        lang,
                        "survey-needs-unmet",
                        &[("kind", kind.label(lang).to_string().into())],
                    ),
                )
            }),
    })
}

/// The need `id` of `kind` that waits for a case and whose person the caller may change, or
/// `None` (unknown, another kind, closed, already taken or out of reach alike).
pub async fn takeable(
    state: &AppState,
    caller: &PageCaller,
    id: &str,
    kind: NeedKind,
) -> Result<Option<Need>, PageError> {
    let Some(n) = state
        .store
        .need(id)
        .await
        .or_page(caller)?
        .filter(|n| n.kind == kind && n.status != "closed" && n.case_ref.is_none())
    else {
        return Ok(None);
    };
    let writable = state
        .store
        .person_file(&n.citizen_id, &zhucan_store::Reach::of(&caller.user))
        .await
        .or_page(caller)?
        .is_some_and(|f| scope::can_write(&caller.user, &f.person));
    Ok(writable.then_some(n))
}

/// The stated need a case form acts on (its hidden field `need_field`), checked against the
/// person typed in `person_field`: it must still wait for a case, within the caller's reach,
/// and be that person's; otherwise the person field's error. Returns the need's ID, empty
/// when the form acts on none.
pub async fn check_need(
    state: &AppState,
    caller: &PageCaller,
    sub: &mut zhucan_web::forms::Submission,
    need_field: &str,
    person_field: &str,
    kind: NeedKind,
    person: Option<&CitizenId>,
) -> Result<String, PageError> {
    let lang = caller.lang;
    let need_id = sub.get(need_field).to_string();
    if need_id.is_empty() {
        return Ok(need_id);
    }
    match (takeable(state, caller, &need_id, kind).await?, person) {
        (Some(n), Some(p)) if n.citizen_id != *p => sub.fail(
            person_field,
            crate::t(lang, "not-the-person-of-the-need").into(),
        ),
        (None, _) => sub.fail(
            person_field,
            crate::tf(lang, "not-a-waiting-need", &[("v", need_id.clone().into())]),
        ),
        _ => {}
    }
    Ok(need_id)
}
