//! Small date and hashing helpers that never panic.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use rand::Rng;
use rand::rngs::SmallRng;
use zhucan_domain::Month;

/// A calendar date from constants (falls back to the Unix epoch for an impossible date).
pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub(crate) fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    TimeDelta::try_days(n)
        .and_then(|t| d.checked_add_signed(t))
        .unwrap_or(d)
}

pub(crate) fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    let m = Months::new(years.unsigned_abs().saturating_mul(12));
    if years >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    }
    .unwrap_or(d)
}

/// A uniformly random date in `[lo, hi]` (`lo` when the range is empty).
pub(crate) fn date_between(rng: &mut SmallRng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    let span = (hi - lo).num_days();
    if span <= 0 {
        return lo;
    }
    add_days(lo, rng.random_range(0..=span))
}

pub(crate) fn year_start(y: i32) -> NaiveDate {
    ymd(y, 1, 1)
}

pub(crate) fn year_end(y: i32) -> NaiveDate {
    ymd(y, 12, 31)
}

/// The month of the day before `d`: the last month paid when eligibility ends on `d`
/// (eligibility is judged on the first day of each month).
pub(crate) fn last_paid_month(d: NaiveDate) -> Month {
    Month::of(add_days(d, -1))
}

pub(crate) fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).unwrap_or(Month::of(ymd(y, 1, 1)))
}

/// Completed years from `birth` to `at`.
pub(crate) fn age(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut a = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

/// SplitMix64: a fixed mixing function (used to derive per-key permutations).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Picks an index from cumulative weights (`cum` strictly increasing, last = total).
pub(crate) fn pick_cum(rng: &mut SmallRng, cum: &[u64]) -> usize {
    let total = cum.last().copied().unwrap_or(0);
    if total == 0 {
        return 0;
    }
    let x = rng.random_range(0..total);
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// Picks from a small weighted table.
pub(crate) fn pick<T: Copy>(rng: &mut SmallRng, table: &[(T, u32)]) -> Option<T> {
    let total: u32 = table.iter().map(|(_, w)| *w).sum();
    if total == 0 {
        return table.first().map(|(t, _)| *t);
    }
    let mut x = rng.random_range(0..total);
    for (t, w) in table {
        if x < *w {
            return Some(*t);
        }
        x -= *w;
    }
    table.last().map(|(t, _)| *t)
}
