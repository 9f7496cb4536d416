//! The programme's section of a person's file (一人一档): the person's home modification
//! applications and where each stands, with links to the project pages. Staff only: on the
//! service end the person follows the same application, step by step, among their
//! applications (`/me`), so a second list there would say everything twice.

use crate::prelude::*;
use zhucan_service::store::AppQuery;
use zhucan_store::StoreError;
use zhucan_web::programme::{PersonSection, Reader, SectionAsk, SectionLine};
use zhucan_web::usecase::Right;
use zhucan_web::view::day_of;

use crate::pages::{WorksProjects, overdue, stage};
use crate::rules;

/// The section, or `None` for a citizen, a role that does not work projects, or a person
/// with no application (the application starts on the service end or at the counter).
pub async fn section(ask: SectionAsk<'_>) -> Result<Option<PersonSection>, StoreError> {
    if ask.reader != Reader::Staff || !WorksProjects::held_by(ask.user) {
        return Ok(None);
    }
    let lang = ask.lang;
    let store = &ask.state.store;
    let Some((def, _)) = store.service(rules::SERVICE).await? else {
        return Ok(None);
    };
    let (_, apps) = store
        .applications(&AppQuery {
            service_key: Some(rules::SERVICE.into()),
            citizen_ids: vec![ask.person.citizen_id.clone()],
            page: 1,
            per_page: 100,
            ..AppQuery::default()
        })
        .await?;
    if apps.is_empty() {
        return Ok(None);
    }
    let mut lines: Vec<SectionLine> = apps
        .iter()
        .map(|a| SectionLine {
            date: day_of(&a.submitted_at),
            what: crate::t(lang, "home-modification-project").to_string(),
            state: stage(&def, a, lang),
            href: Some(format!("/homemod/projects/{}", a.id)),
            attention: overdue(a),
        })
        .collect();
    lines.sort_by(|a, b| b.date.cmp(&a.date));
    Ok(Some(PersonSection {
        key: "homemod",
        title: crate::t(lang, "home-modification").to_string(),
        lines,
        actions: vec![],
    }))
}
