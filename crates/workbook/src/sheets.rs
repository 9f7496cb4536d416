//! The institutions (机构) and areas (区划) sheets.

use calamine::Data;
use zhucan_domain::Lang;
use zhucan_domain::area::{Area, AreaCode};
use zhucan_domain::institution::{Institution, InstitutionKind};
use zhucan_domain::parse::not_future;

use crate::Issue;
use crate::areas::AreaIndex;
use crate::cell::{self, Bad, Ctx};
use crate::columns::{a, i};
use crate::rows::{Layout, RowCheck};

fn text(d: &Data, c: &Ctx) -> Result<String, Bad> {
    let t = cell::norm(&cell::text(d)).into_owned();
    if t.chars().count() > 100 {
        return Err(c.msg(&zhucan_domain::parse::ValueError::TooLong { max: 100 }));
    }
    Ok(t)
}

/// Checks one row of the institutions sheet.
pub(crate) fn institution_row(
    layout: &Layout<'_>,
    areas: &AreaIndex,
    row: &[Data],
    excel_row: u32,
) -> Result<(Institution, Vec<Issue>), Vec<Issue>> {
    let mut rc = RowCheck::new(layout, row, excel_row);
    let lang = rc.lang();
    let name = rc.req(i::NAME, text);
    let kind = rc.req(i::KIND, |d, c| {
        cell::choice(d, InstitutionKind::parse, InstitutionKind::choices, c)
    });
    let township = rc.req(i::TOWNSHIP, |d, c| {
        let s = cell::ident(d, c)?;
        areas.township(&s, c.lang)
    });
    let standardized = rc.opt(i::STANDARDIZED, cell::yes_no).unwrap_or(false);
    let designated = rc.opt(i::DESIGNATED, cell::yes_no).unwrap_or(false);
    let beds = rc.opt(i::BEDS, |d, c| cell::int(d, 0, 100_000, c));
    let stars = rc.opt(i::STARS, |d, c| cell::int(d, 1, 5, c));
    let past = |d: &Data, c: &Ctx| {
        let date = cell::date(d, c)?;
        not_future(date, c.today).map_err(|e| c.msg(&e))
    };
    let opened_on = rc.req(i::OPENED_ON, past);
    let closed_on = rc.opt(i::CLOSED_ON, past);
    if let (Some(o), Some(cl)) = (opened_on, closed_on)
        && cl < o
    {
        let m = match lang {
            Lang::Zh => format!("关闭日期早于成立日期（{o}）"),
            Lang::En => format!("closed before it opened ({o})"),
        };
        rc.reject(i::CLOSED_ON, m);
    }
    match (name, kind, township, opened_on) {
        (Some(name), Some(kind), Some(township), Some(opened_on)) if rc.issues.is_empty() => Ok((
            Institution {
                name,
                kind,
                township,
                standardized,
                designated,
                beds,
                stars,
                opened_on,
                closed_on,
                decisions: Vec::new(),
            },
            rc.warnings,
        )),
        _ => Err(rc.issues),
    }
}

/// Checks one row of the areas sheet.
pub(crate) fn area_row(
    layout: &Layout<'_>,
    row: &[Data],
    excel_row: u32,
) -> Result<Area, Vec<Issue>> {
    let mut rc = RowCheck::new(layout, row, excel_row);
    let code = rc.req(a::CODE, |d, c| {
        let s = cell::ident(d, c)?;
        AreaCode::parse(&s).ok_or_else(|| {
            c.pick(
                "区划代码应为 9 位（乡镇街道）或 12 位（村社区）数字，区县为 6 位",
                "an area code has 9 digits (township) or 12 (village); 6 for a district",
            )
        })
    });
    let name = rc.req(a::NAME, text);
    let population = rc.opt(a::POPULATION, |d, c| cell::int(d, 0, 1_000_000_000, c));
    match (code, name) {
        (Some(code), Some(name)) if rc.issues.is_empty() => Ok(Area {
            code,
            name,
            population,
            valid_from: None,
            valid_until: None,
        }),
        _ => Err(rc.issues),
    }
}
