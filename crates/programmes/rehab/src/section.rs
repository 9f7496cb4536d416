//! The programme's section of a person's file (一人一档): the child's placements and the
//! adult's service records, for staff with links to where they are worked, and for the
//! person or guardian on the service end in plain words.

use crate::prelude::*;
use zhucan_store::StoreError;
use zhucan_web::programme::{PersonSection, Reader, SectionAsk, SectionLine};
use zhucan_web::usecase::Right;
use zhucan_web::view::today;

use crate::pages::{RecordsRehab, SeesRehab};
use crate::store::institution_name;

/// How many adult records the section shows (the rest are on the programme's pages).
const RECENT: i64 = 12;

/// The section, or `None` when the reader's role does not see rehabilitation, or when a
/// citizen has nothing recorded.
pub async fn section(ask: SectionAsk<'_>) -> Result<Option<PersonSection>, StoreError> {
    let staff = ask.reader == Reader::Staff;
    if staff && !SeesRehab::held_by(ask.user) {
        return Ok(None);
    }
    let lang = ask.lang;
    let store = &ask.state.store;
    let id = &ask.person.citizen_id;
    let placements = store.placements_of(id).await?;
    let adult = store.records_of_person(id, RECENT).await?;
    let writes = staff && RecordsRehab::held_by(ask.user);
    if placements.is_empty() && adult.is_empty() && !writes {
        return Ok(None);
    }
    // The age limit of child rehabilitation is a policy parameter; an open placement of a
    // person past it needs ending (or the age is wrong).
    let policy = store.policy().await?;
    let limit = crate::rules::Terms::resolve(&policy, ask.person.home_area(), today())
        .ok()
        .map(|t| t.age_limit);
    let age = i64::from(id.age_on(today()));
    let mut lines = Vec::with_capacity(placements.len() + adult.len());
    for p in &placements {
        let last = store
            .records_of_placement(&p.id)
            .await?
            .first()
            .map(|r| r.served_on);
        let state = match (&p.ended_on, last) {
            (Some(e), _) => crate::tf(lang, "section-ended-on", &[("d", e.to_string().into())]),
            (None, Some(d)) => {
                crate::tf(lang, "section-last-served", &[("d", d.to_string().into())])
            }
            (None, None) => crate::t(lang, "in-training").to_string(),
        };
        lines.push(SectionLine {
            date: p.started_on.to_string(),
            what: crate::tf(
                lang,
                "section-placement",
                &[
                    ("service", p.service.label(lang).to_string().into()),
                    ("at", institution_name(&p.institution_id).to_string().into()),
                ],
            ),
            state,
            href: staff.then(|| format!("/rehab/placements/{}", p.id)),
            attention: p.is_open() && limit.is_some_and(|l| age >= l),
        });
    }
    for r in &adult {
        let at = if r.institution_id.is_empty() {
            crate::t(lang, "by-staff").to_string()
        } else {
            institution_name(&r.institution_id).to_string()
        };
        lines.push(SectionLine {
            date: r.served_on.to_string(),
            what: crate::tf(
                lang,
                "section-adult",
                &[
                    ("service", r.service.label(lang).to_string().into()),
                    ("at", at.into()),
                ],
            ),
            state: crate::tf(lang, "section-sessions", &[("n", r.sessions.into())]),
            href: None,
            attention: false,
        });
    }
    // Placing is offered only for a person under the age limit (unknown limit: offered, the
    // placing form checks it).
    let mut actions = Vec::new();
    if writes {
        if limit.is_none_or(|l| age < l) {
            actions.push((
                "/rehab#place".to_string(),
                crate::t(lang, "place-a-child").to_string(),
            ));
        }
        actions.push((
            "/rehab#adult".to_string(),
            crate::t(lang, "record-adult-rehab").to_string(),
        ));
    }
    Ok(Some(PersonSection {
        key: "rehab",
        title: crate::t(lang, "rehabilitation").to_string(),
        lines,
        actions,
    }))
}
