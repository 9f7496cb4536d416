//! The programme's section of a person's file (一人一档): the person's care stays (居家、日间、
//! 寄宿托养), where and since when, linked for staff to the institution's page; in plain words
//! on the person's own file (`/me`).

use zhucan_store::StoreError;
use zhucan_web::programme::{PersonSection, Reader, SectionAsk, SectionLine};
use zhucan_web::usecase::Right;

use crate::pages::{WorksCare, href_of};
use crate::store::{CareStore, name_in};

/// The section, or `None` when the person has no stay or the reader does not work care.
pub async fn section(ask: SectionAsk<'_>) -> Result<Option<PersonSection>, StoreError> {
    if ask.reader == Reader::Staff && !WorksCare::held_by(ask.user) {
        return Ok(None);
    }
    let lang = ask.lang;
    let stays = ask
        .state
        .store
        .care_stays_of(&ask.person.citizen_id)
        .await?;
    if stays.is_empty() {
        return Ok(None);
    }
    let lines = stays
        .iter()
        .map(|s| SectionLine {
            date: s.since.to_string(),
            what: crate::tf(
                lang,
                "stay-line",
                &[
                    ("mode", s.mode.label(lang).into()),
                    ("at", name_in(&s.institution_id).into()),
                ],
            ),
            state: match s.until {
                None => crate::t(lang, "stay-current").to_string(),
                Some(u) => crate::tf(lang, "stay-ended", &[("on", u.to_string().into())]),
            },
            href: (ask.reader == Reader::Staff).then(|| href_of(&s.institution_id)),
            attention: false,
        })
        .collect();
    Ok(Some(PersonSection {
        key: "care",
        title: crate::t(lang, "care-section").to_string(),
        lines,
        actions: vec![],
    }))
}
