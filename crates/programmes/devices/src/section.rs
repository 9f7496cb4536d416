//! The programme's section of a person's file (一人一档): the person's device cases and
//! loans, for staff with links to where they are worked, and for the person or guardian on
//! the service end in plain words.

use std::collections::HashMap;

use crate::prelude::*;
use zhucan_store::StoreError;
use zhucan_web::programme::{PersonSection, Reader, SectionAsk, SectionLine};
use zhucan_web::usecase::Right;
use zhucan_web::view::today;

use crate::pages::{ActsOnDevices, SeesDevices};
use crate::rules::{Status, overdue};

/// The section, or `None` when the reader's role does not see devices, or when a citizen
/// has nothing recorded.
pub async fn section(ask: SectionAsk<'_>) -> Result<Option<PersonSection>, StoreError> {
    let staff = ask.reader == Reader::Staff;
    if staff && !SeesDevices::held_by(ask.user) {
        return Ok(None);
    }
    let lang = ask.lang;
    let store = &ask.state.store;
    let id = &ask.person.citizen_id;
    let cases = store.device_cases_of(id).await?;
    let loans = store.loans_of(id).await?;
    let writes = staff && ActsOnDevices::held_by(ask.user);
    if cases.is_empty() && loans.is_empty() && !writes {
        return Ok(None);
    }
    let items: HashMap<String, String> = store
        .device_items()
        .await?
        .into_iter()
        .map(|i| (i.key.clone(), i.label(lang).to_string()))
        .collect();
    let label = |key: &str| items.get(key).cloned().unwrap_or_else(|| key.to_string());
    let day = today();
    let mut lines = Vec::with_capacity(cases.len() + loans.len());
    for c in &cases {
        let (date, state) = match (c.status, c.fitted_on, c.followed_on) {
            (Status::Followed, _, Some(f)) => (f, c.status.label(lang).to_string()),
            (Status::Fitted | Status::Followed, Some(f), _) => {
                (f, c.status.label(lang).to_string())
            }
            _ => (c.assessed_on, c.status.label(lang).to_string()),
        };
        let late = c.status == Status::Fitted && c.followup_due.is_some_and(|d| d < day);
        lines.push(SectionLine {
            date: date.to_string(),
            what: crate::tf(
                lang,
                "section-case",
                &[("device", label(&c.item_key).into())],
            ),
            state,
            href: staff.then(|| format!("/devices/cases/{}", c.id)),
            attention: late,
        });
    }
    for l in &loans {
        let item = match store.stock_item(&l.code).await? {
            Some(s) => label(&s.item_key),
            None => l.code.clone(),
        };
        let late = overdue(l.due_on, l.returned_on, day);
        let state = match l.returned_on {
            Some(r) => crate::tf(lang, "section-returned-on", &[("d", r.to_string().into())]),
            None if late => crate::tf(
                lang,
                "section-overdue-since",
                &[("d", l.due_on.to_string().into())],
            ),
            None => crate::tf(
                lang,
                "section-due-on",
                &[("d", l.due_on.to_string().into())],
            ),
        };
        lines.push(SectionLine {
            date: l.lent_on.to_string(),
            what: crate::tf(lang, "section-loan", &[("device", item.into())]),
            state,
            href: staff.then(|| format!("/devices/loans/{}", l.id)),
            attention: late,
        });
    }
    lines.sort_by(|a, b| b.date.cmp(&a.date));
    let actions = if writes {
        vec![
            (
                "/devices#assess".to_string(),
                crate::t(lang, "open-a-case").to_string(),
            ),
            (
                "/devices#lend".to_string(),
                crate::t(lang, "lend-an-item").to_string(),
            ),
        ]
    } else {
        vec![]
    };
    Ok(Some(PersonSection {
        key: "devices",
        title: crate::t(lang, "devices").to_string(),
        lines,
        actions,
    }))
}
