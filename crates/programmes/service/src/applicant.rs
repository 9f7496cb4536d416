//! What the catalogue's eligibility rules know about one person, from the registry's facts.

#[allow(unused_imports)]
use crate::prelude::*;
use zhucan_facts::Snapshot;
use zhucan_facts::snapshot::day;
use zhucan_store::PersonFile;

/// What the catalogue's eligibility rules know about one person on `today`.
pub fn applicant_of(file: &PersonFile, today: chrono::NaiveDate) -> crate::rules::Applicant {
    let snap = Snapshot::of_file(file);
    let p = &snap.persons[0];
    let t = day(today);
    let sv = Snapshot::survey_for(snap.rows(p), chrono::Datelike::year(&today));
    // Partner feeds (the civil-affairs status, school enrolment) win over the survey.
    let laid;
    let sv = if snap.has_ledger(p) {
        laid = snap.overlay(p, sv, t);
        laid.as_ref()
    } else {
        sv
    };
    let active = snap.active(p, t);
    let c = active.unwrap_or(&p.cert);
    crate::rules::Applicant {
        active: active.is_some(),
        grade: c.grade,
        category: c.category,
        mental_or_intellectual: c.mental_or_intellectual,
        age: p.age(zhucan_facts::snapshot::ymd(today)),
        economic: sv.and_then(|s| s.economic),
        in_school: sv.and_then(|s| s.school).is_some_and(|s| s.in_school()),
        // Expiring within a year, or expired (not revoked; alive and in the district).
        renewal_due: snap.died(p) > t
            && !snap.moved_out(p, t)
            && snap
                .cert_at(p, t)
                .is_some_and(|c| c.revoked > t && c.valid_until <= t + 365),
    }
}
