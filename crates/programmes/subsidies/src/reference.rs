//! A literal, slow reading of `policy.md`'s two subsidies over workbook rows, for tests only
//! (feature `reference`): the tests compare the subsidy engine with it on random registries.

use zhucan_domain::area::AreaCode;
use zhucan_domain::disability::{Grade, is_severe_care};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{CareNeed, EconomicStatus, Survey};
pub use zhucan_facts::reference::*;

// ---------------------------------------------------------------- the two subsidies

/// `policy.md`'s example parameters, literally: 低保 standard ¥1,150, living ratio 30 %,
/// nursing ¥300 / ¥240 / ¥180, +50 % in residential care.
pub const STANDARD_FEN: i64 = 115_000;

fn living_amount() -> i64 {
    STANDARD_FEN * 30 / 100
}

fn nursing_amount(f: &File, s: Option<&Survey>, m: Month) -> i64 {
    let base = match cert_at(f, m.first_day()).grade {
        Grade::One => 30_000,
        Grade::Two => 24_000,
        _ => 18_000,
    };
    let residential = s.is_some_and(|s| {
        s.care_need == Some(CareNeed::Residential) && s.receives_care == Some(true)
    });
    if residential { base * 3 / 2 } else { base }
}

fn enrolled(since: Option<Month>, until: Option<Month>, m: Month) -> bool {
    since.is_some_and(|s| s <= m) && until.is_none_or(|u| u >= m)
}

/// Eligibility and enrolment of both subsidies, as `policy.md` reads: judged on the month's
/// first day with the survey values of that year. `(living eligible, living enrolled, nursing
/// eligible, nursing enrolled)`.
fn subsidy_state(f: &File, m: Month) -> (bool, bool, bool, bool) {
    let first = m.first_day();
    let s = values_for(f, m.year());
    let econ = s.and_then(|s| s.economic_status);
    let act = active(f, first);
    let c = cert_at(f, first);
    let living = act && matches!(econ, Some(EconomicStatus::Dibao | EconomicStatus::Dibian));
    let nursing = act
        && is_severe_care(c.category, c.grade, &c.components)
        && econ != Some(EconomicStatus::Tekun);
    (
        living,
        s.is_some_and(|s| enrolled(s.living_subsidy_since, s.living_subsidy_until, m)),
        nursing,
        s.is_some_and(|s| enrolled(s.nursing_subsidy_since, s.nursing_subsidy_until, m)),
    )
}

/// The 应补尽补 findings of month `m` in `area`: (citizen ID, subsidy, finding), sorted.
pub fn expected_findings(
    reg: &Registry,
    m: Month,
    area: &AreaCode,
) -> Vec<(String, &'static str, &'static str)> {
    let mut out = Vec::new();
    for f in files(&reg.rows).iter().filter(|f| in_area(f, area)) {
        let (le, lr, ne, nr) = subsidy_state(f, m);
        for (sub, e, r) in [("living", le, lr), ("nursing", ne, nr)] {
            let finding = match (e, r) {
                (true, false) => "eligible_not_receiving",
                (false, true) => "receiving_not_eligible",
                _ => continue,
            };
            out.push((f.person.citizen_id.to_string(), sub, finding));
        }
    }
    out.sort();
    out
}

/// The month's regular payments in `area`: (citizen ID, subsidy, amount in fen), sorted.
pub fn expected_payments(
    reg: &Registry,
    m: Month,
    area: &AreaCode,
) -> Vec<(String, &'static str, i64)> {
    let mut out = Vec::new();
    for f in files(&reg.rows).iter().filter(|f| in_area(f, area)) {
        let (le, lr, ne, nr) = subsidy_state(f, m);
        let id = f.person.citizen_id.to_string();
        if le && lr {
            out.push((id.clone(), "living", living_amount()));
        }
        if ne && nr {
            out.push((id, "nursing", nursing_amount(f, values_for(f, m.year()), m)));
        }
    }
    out.sort();
    out
}
