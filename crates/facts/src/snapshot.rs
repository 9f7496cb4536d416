//! The registry's facts in memory: one compact row per person (latest certificate, area,
//! household, life dates), the certificates they held before and their survey rows, plus the
//! area dictionary and institutions.
//!
//! A snapshot is built once from the store and then kept exact by [`Snapshot::upsert`]ing the
//! persons whose files changed (see `cache.rs`); nothing is ever computed from stale facts.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use zhucan_domain::area::{Area, AreaCode, AreaLevel};
use zhucan_domain::disability::{Category, Grade};
use zhucan_domain::ids::CitizenId;
use zhucan_domain::institution::Institution;
use zhucan_domain::ledger::{self, Entry, Fact, ResidenceChange};
use zhucan_domain::parse::Month;
use zhucan_domain::person::{
    CareNeed, Certificate, CertificateStatus, EconomicStatus, EmploymentStatus, Insurance,
    NotEmployedReason, Person, SchoolStage, Survey,
};

/// "No such index" (no village, own household, no slot).
pub const NONE: u32 = u32::MAX;
/// "Never" for a day or month number (not dead, not moved out, no subsidy end).
pub const NEVER: i32 = i32::MAX;
/// No income recorded.
pub const NO_INCOME: i64 = i64::MIN;

/// A day as a number (days from the common era), for cheap comparisons.
pub fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// A month as a number (`year × 12 + month − 1`).
pub fn month_no(m: Month) -> i32 {
    m.year() * 12 + m.month() as i32 - 1
}

/// A date as `yyyymmdd`: completed years between two such numbers are their difference
/// divided by 10 000 (a person is 16 on their 16th birthday).
pub fn ymd(d: NaiveDate) -> u32 {
    (d.year().max(0) as u32) * 10_000 + d.month() * 100 + d.day()
}

/// "Revoked, date unknown": the certificate is never in force (the literal spec).
pub const REVOKED_ALWAYS: i32 = i32::MIN;

/// One certificate's facts.
#[derive(Debug, Clone, Copy)]
pub struct C {
    pub issued: i32,
    pub valid_until: i32,
    /// The day it was revoked: `NEVER` when valid, [`REVOKED_ALWAYS`] when the date is unknown.
    pub revoked: i32,
    pub smart_card: bool,
    pub severe_care: bool,
    /// Category 智力 or 精神, or 多重 with such a component.
    pub mental_or_intellectual: bool,
    pub grade: Grade,
    pub category: Category,
    /// A 多重 certificate's components (bits of the category digits).
    pub components: u8,
}

impl C {
    fn of(cert: &Certificate) -> C {
        let mental_or_intellectual =
            matches!(cert.category, Category::Intellectual | Category::Mental)
                || (cert.category == Category::Multiple
                    && cert
                        .components
                        .iter()
                        .any(|c| matches!(c, Category::Intellectual | Category::Mental)));
        C {
            issued: day(cert.issued_on),
            valid_until: day(cert.valid_until),
            revoked: match cert.status {
                CertificateStatus::Valid => NEVER,
                CertificateStatus::Revoked => cert.revoked_on.map_or(REVOKED_ALWAYS, day),
            },
            smart_card: cert.smart_card,
            severe_care: cert.is_severe_care(),
            mental_or_intellectual,
            grade: cert.grade,
            category: cert.category,
            components: zhucan_domain::disability::Categories::of(&cert.components).0,
        }
    }

    /// In force on day `t`: issued on or before it, not revoked on or before it, valid on it
    /// (`Certificate::in_force_on`).
    #[inline]
    pub fn in_force(&self, t: i32) -> bool {
        self.issued <= t && self.revoked > t && self.valid_until >= t
    }
}

/// One person's facts. `cert` is the certificate issued last (the current one, as the
/// workbook's latest row states it, in any sane history); the certificates held before it are
/// `former[f_start..f_start + f_len]`, oldest issue first.
#[derive(Debug, Clone, Copy)]
pub struct P {
    pub birth: u32,
    pub cert: C,
    pub died: i32,
    pub moved: i32,
    pub township: u32,
    pub village: u32,
    pub household: u32,
    pub s_start: u32,
    pub f_start: u32,
    pub s_len: u16,
    pub f_len: u16,
    pub male: bool,
    /// The person's slot in [`Snapshot::ledgers`] (`NONE`: the ledger holds nothing of them).
    pub ledger: u32,
}

impl P {
    /// Completed years at `t` (as `yyyymmdd`); negative before birth.
    #[inline]
    pub fn age(&self, t: u32) -> i32 {
        if t >= self.birth {
            ((t - self.birth) / 10_000) as i32
        } else {
            -1
        }
    }
}

/// One survey row's values.
#[derive(Debug, Clone, Copy)]
pub struct S {
    pub year: i32,
    pub income: i64,
    /// Living subsidy: first and last month paid (`NEVER` since = not receiving; `NEVER`
    /// until = still paid).
    pub living: (i32, i32),
    pub nursing: (i32, i32),
    pub economic: Option<EconomicStatus>,
    pub pension: Option<Insurance>,
    pub medical: Option<Insurance>,
    pub employment: Option<EmploymentStatus>,
    pub not_employed_reason: Option<NotEmployedReason>,
    pub school: Option<SchoolStage>,
    pub care_need: Option<CareNeed>,
    pub completed_compulsory: Option<bool>,
    pub needs_rehab: Option<bool>,
    pub received_rehab: Option<bool>,
    pub needs_device: Option<bool>,
    pub device_fitted: Option<bool>,
    pub needs_home_modification: Option<bool>,
    pub home_modification_done: Option<bool>,
    pub receives_care: Option<bool>,
    pub culture_sports: Option<bool>,
}

impl S {
    /// A survey row with every field empty, for a person the ledger speaks of but no survey
    /// row does.
    pub const EMPTY: S = S {
        year: i32::MIN,
        income: NO_INCOME,
        living: (NEVER, NEVER),
        nursing: (NEVER, NEVER),
        economic: None,
        pension: None,
        medical: None,
        employment: None,
        not_employed_reason: None,
        school: None,
        care_need: None,
        completed_compulsory: None,
        needs_rehab: None,
        received_rehab: None,
        needs_device: None,
        device_fitted: None,
        needs_home_modification: None,
        home_modification_done: None,
        receives_care: None,
        culture_sports: None,
    };
}

/// One person's facts ledger, as the rules read it (`zhucan_domain::ledger`).
#[derive(Debug, Clone)]
pub struct LedgerSlot {
    /// The person's index.
    pub owner: u32,
    /// The current rows (superseded ones dropped), in date order.
    pub entries: Vec<Entry>,
    /// The earliest reported death (`NEVER`: none).
    pub died: i32,
    /// Public-security moves (day, moved out), in the order the rules read them.
    pub moves: Vec<(i32, bool)>,
    /// Home modifications accepted (the household's, joined in [`Snapshot::hm_dates`]).
    pub hm: Vec<NaiveDate>,
}

/// Whether an enrolment (since, until) covers month `m`.
#[inline]
pub fn receiving((since, until): (i32, i32), m: i32) -> bool {
    since <= m && until >= m
}

fn enrolment(since: Option<Month>, until: Option<Month>) -> (i32, i32) {
    match since {
        None => (NEVER, NEVER),
        Some(s) => (month_no(s), until.map_or(NEVER, month_no)),
    }
}

impl S {
    fn of(s: &Survey) -> S {
        S {
            year: s.year,
            income: s.income_per_capita_fen.unwrap_or(NO_INCOME),
            living: enrolment(s.living_subsidy_since, s.living_subsidy_until),
            nursing: enrolment(s.nursing_subsidy_since, s.nursing_subsidy_until),
            economic: s.economic_status,
            pension: s.pension_insurance,
            medical: s.medical_insurance,
            employment: s.employment_status,
            not_employed_reason: s.not_employed_reason,
            school: s.school_stage,
            care_need: s.care_need,
            completed_compulsory: s.completed_compulsory,
            needs_rehab: s.needs_rehab,
            received_rehab: s.received_rehab,
            needs_device: s.needs_device,
            device_fitted: s.device_fitted,
            needs_home_modification: s.needs_home_modification,
            home_modification_done: s.home_modification_done,
            receives_care: s.receives_care,
            culture_sports: s.culture_sports,
        }
    }
}

/// The registry's facts at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub ids: Vec<[u8; 18]>,
    index: HashMap<[u8; 18], u32, foldhash::fast::RandomState>,
    pub persons: Vec<P>,
    pub surveys: Vec<S>,
    stale_surveys: usize,
    /// Certificates held before each person's latest one (see [`P`]).
    pub former: Vec<C>,
    stale_former: usize,
    pub townships: Vec<AreaCode>,
    township_index: HashMap<AreaCode, u32>,
    pub villages: Vec<AreaCode>,
    village_index: HashMap<AreaCode, u32>,
    households: HashMap<String, u32>,
    /// Members per household index.
    pub hh_members: Vec<u32>,
    /// The accumulation slot of a household that has (or had) several members, else `NONE`.
    pub hh_slot: Vec<u32>,
    pub slots: u32,
    pub areas: Vec<Area>,
    area_index: HashMap<AreaCode, usize>,
    pub institutions: Vec<Institution>,
    /// The persons' facts ledgers (see [`P::ledger`]).
    pub ledgers: Vec<LedgerSlot>,
    /// Home modifications accepted per household index (any member's).
    hm_household: HashMap<u32, Vec<NaiveDate>>,
    /// What the programmes add to the facts (their fact layers), by type.
    layers: HashMap<std::any::TypeId, std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

fn id_bytes(id: &CitizenId) -> [u8; 18] {
    let mut out = [b'0'; 18];
    for (o, b) in out.iter_mut().zip(id.as_str().bytes()) {
        *o = b;
    }
    out
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// Persons in the snapshot.
    pub fn len(&self) -> usize {
        self.persons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }

    /// The citizen ID of person `i`.
    pub fn citizen_id(&self, i: usize) -> Option<CitizenId> {
        let b = self.ids.get(i)?;
        let s = std::str::from_utf8(b).ok()?;
        CitizenId::from_trusted(s.to_string()).ok()
    }

    /// The most specific area of person `i`: the village, else the township.
    pub fn area_code_of(&self, i: usize) -> Option<AreaCode> {
        let p = self.persons.get(i)?;
        if p.village != NONE
            && let Some(v) = self.villages.get(p.village as usize)
        {
            return Some(v.clone());
        }
        self.townships.get(p.township as usize).cloned()
    }

    /// The index of a person.
    pub fn index_of(&self, id: &CitizenId) -> Option<usize> {
        self.index.get(&id_bytes(id)).map(|&i| i as usize)
    }

    /// The fact layer of type `T` a programme added (see [`crate::layer`]).
    pub fn layer<T: std::any::Any + Send + Sync>(&self) -> Option<&T> {
        self.layers
            .get(&std::any::TypeId::of::<T>())
            .and_then(|l| l.downcast_ref::<T>())
    }

    /// Sets the fact layer of type `T` (its programme's loader does).
    pub fn set_layer<T: std::any::Any + Send + Sync>(&mut self, value: std::sync::Arc<T>) {
        self.layers.insert(std::any::TypeId::of::<T>(), value);
    }

    /// The value of the layer whose type is `t`.
    pub fn layer_value(
        &self,
        t: std::any::TypeId,
    ) -> Option<std::sync::Arc<dyn std::any::Any + Send + Sync>> {
        self.layers.get(&t).cloned()
    }

    /// Sets a fact layer already boxed as `Any` (the cache does, for every layer).
    pub fn set_layer_any(&mut self, value: std::sync::Arc<dyn std::any::Any + Send + Sync>) {
        self.layers.insert((*value).type_id(), value);
    }

    /// Replaces the area dictionary and the institutions.
    pub fn set_reference(&mut self, areas: Vec<Area>, institutions: Vec<Institution>) {
        self.area_index = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        self.areas = areas;
        self.institutions = institutions;
    }

    /// The dictionary entry of `code`.
    pub fn area(&self, code: &AreaCode) -> Option<&Area> {
        self.area_index.get(code).and_then(|&i| self.areas.get(i))
    }

    /// Every area of the dictionary.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    fn township_no(&mut self, code: &AreaCode) -> u32 {
        if let Some(&i) = self.township_index.get(code) {
            return i;
        }
        let i = self.townships.len() as u32;
        self.townships.push(code.clone());
        self.township_index.insert(code.clone(), i);
        i
    }

    fn village_no(&mut self, code: Option<&AreaCode>) -> u32 {
        let Some(code) = code else { return NONE };
        if let Some(&i) = self.village_index.get(code) {
            return i;
        }
        let i = self.villages.len() as u32;
        self.villages.push(code.clone());
        self.village_index.insert(code.clone(), i);
        i
    }

    pub fn village_of(&self, code: &AreaCode) -> Option<u32> {
        self.village_index.get(code).copied()
    }

    fn join_household(&mut self, key: Option<&str>) -> u32 {
        let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
            return NONE;
        };
        let h = match self.households.get(key) {
            Some(&h) => h,
            None => {
                let h = self.hh_members.len() as u32;
                self.households.insert(key.to_string(), h);
                self.hh_members.push(0);
                self.hh_slot.push(NONE);
                h
            }
        };
        let hu = h as usize;
        self.hh_members[hu] += 1;
        if self.hh_members[hu] >= 2 && self.hh_slot[hu] == NONE {
            self.hh_slot[hu] = self.slots;
            self.slots += 1;
        }
        h
    }

    /// Adds a person's file, or replaces it with its new state: `cert` is the current
    /// certificate, `former` those held before it (any order).
    pub fn upsert(
        &mut self,
        person: &Person,
        cert: &Certificate,
        former: &[Certificate],
        surveys: &[Survey],
    ) {
        let key = id_bytes(&person.citizen_id);
        let existing = self.index.get(&key).copied();
        let mut ledger = NONE;
        if let Some(i) = existing {
            let old = self.persons[i as usize];
            ledger = old.ledger;
            if old.household != NONE {
                let m = &mut self.hh_members[old.household as usize];
                *m = m.saturating_sub(1);
            }
            self.stale_surveys += usize::from(old.s_len);
            self.stale_former += usize::from(old.f_len);
        }
        let township = self.township_no(&person.township);
        let village = self.village_no(person.village.as_ref());
        let household = self.join_household(person.household_id.as_deref());
        let mut rows: Vec<S> = surveys.iter().map(S::of).collect();
        rows.sort_by_key(|s| s.year);
        rows.dedup_by_key(|s| s.year);
        rows.truncate(usize::from(u16::MAX));
        let s_start = self.surveys.len() as u32;
        let s_len = rows.len() as u16;
        self.surveys.extend(rows);
        // Oldest issue first; of two issued the same day the current one (listed last) wins.
        let mut certs: Vec<C> = former.iter().chain([cert]).map(C::of).collect();
        certs.sort_by_key(|c| c.issued);
        let latest = certs.pop().unwrap_or_else(|| C::of(cert));
        certs.truncate(usize::from(u16::MAX));
        let f_start = self.former.len() as u32;
        let f_len = certs.len() as u16;
        self.former.extend(certs);
        let p = P {
            birth: ymd(person.citizen_id.birth_date()),
            cert: latest,
            died: person.died_on.map_or(NEVER, day),
            moved: person.moved_out_on.map_or(NEVER, day),
            township,
            village,
            household,
            s_start,
            f_start,
            s_len,
            f_len,
            male: person.citizen_id.sex() == zhucan_domain::Sex::Male,
            ledger,
        };
        match existing {
            Some(i) => self.persons[i as usize] = p,
            None => {
                let i = self.persons.len() as u32;
                self.persons.push(p);
                self.ids.push(key);
                self.index.insert(key, i);
            }
        }
        if (self.stale_surveys > 4096 && self.stale_surveys * 2 > self.surveys.len())
            || (self.stale_former > 4096 && self.stale_former * 2 > self.former.len())
        {
            self.compact();
        }
    }

    /// Drops survey rows and certificates no person points at any more.
    fn compact(&mut self) {
        let mut fresh = Vec::with_capacity(self.surveys.len() - self.stale_surveys);
        let mut fresh_former = Vec::with_capacity(self.former.len() - self.stale_former);
        for p in &mut self.persons {
            let start = p.s_start as usize;
            let rows = &self.surveys[start..start + usize::from(p.s_len)];
            p.s_start = fresh.len() as u32;
            fresh.extend_from_slice(rows);
            let start = p.f_start as usize;
            let certs = &self.former[start..start + usize::from(p.f_len)];
            p.f_start = fresh_former.len() as u32;
            fresh_former.extend_from_slice(certs);
        }
        self.surveys = fresh;
        self.stale_surveys = 0;
        self.former = fresh_former;
        self.stale_former = 0;
    }

    /// The certificate that governs day `t` for person `p` (`person::governing_on`): the one
    /// issued last on or before `t`; `None` before the first issue.
    #[inline]
    pub fn cert_at<'a>(&'a self, p: &'a P, t: i32) -> Option<&'a C> {
        if p.cert.issued <= t {
            return Some(&p.cert);
        }
        let start = p.f_start as usize;
        self.former[start..start + usize::from(p.f_len)]
            .iter()
            .rev()
            .find(|c| c.issued <= t)
    }

    /// `indicators.md` "Active at t", over the person's certificate history: the certificate
    /// governing `t` is in force, and the person had not died or moved out by `t`.
    #[inline]
    pub fn active<'a>(&'a self, p: &'a P, t: i32) -> Option<&'a C> {
        if self.died(p) <= t || self.moved_out(p, t) {
            return None;
        }
        self.cert_at(p, t).filter(|c| c.in_force(t))
    }

    /// The day the person died (`NEVER`): the file's date, or an earlier one reported by
    /// public security.
    #[inline]
    pub fn died(&self, p: &P) -> i32 {
        match self.ledgers.get(p.ledger as usize) {
            Some(l) => p.died.min(l.died),
            None => p.died,
        }
    }

    /// Whether the person had left the district by day `t`: the latest public-security move
    /// dated on or before `t` decides (迁出 = left, 迁入 = lives here); without one, the
    /// file's 迁出日期.
    #[inline]
    pub fn moved_out(&self, p: &P, t: i32) -> bool {
        if let Some(l) = self.ledgers.get(p.ledger as usize)
            && let Some(&(_, out)) = l.moves.iter().rev().find(|(d, _)| *d <= t)
        {
            return out;
        }
        p.moved <= t
    }

    /// The date of day number `t`.
    pub fn date_of(t: i32) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(t).unwrap_or(NaiveDate::MIN)
    }

    /// The home modifications accepted for the person's household (their own without one).
    pub fn hm_dates(&self, p: &P) -> &[NaiveDate] {
        if p.household != NONE
            && let Some(v) = self.hm_household.get(&p.household)
        {
            return v;
        }
        match self.ledgers.get(p.ledger as usize) {
            Some(l) if p.household == NONE => &l.hm,
            _ => &[],
        }
    }

    /// Whether anything could lay ledger facts over person `p`'s survey values.
    #[inline]
    pub fn has_ledger(&self, p: &P) -> bool {
        p.ledger != NONE
            || (p.household != NONE
                && !self.hm_household.is_empty()
                && self.hm_household.contains_key(&p.household))
    }

    /// The survey values `sv` (for the year of day `t`) with the ledger's facts for day `t`
    /// laid over them (`feeds-and-records.md`, "Facts for a day d"); `None` when neither
    /// says anything. Callers take the fast path without a ledger ([`Self::has_ledger`]).
    pub fn overlay(&self, p: &P, sv: Option<&S>, t: i32) -> Option<S> {
        let d = Self::date_of(t);
        let mut s = sv.copied().unwrap_or(S::EMPTY);
        let mut said = sv.is_some();
        if let Some(l) = self.ledgers.get(p.ledger as usize) {
            let f = ledger::at(&l.entries, d);
            if let Some((e, ..)) = f.economic {
                s.economic = Some(e);
                said = true;
            }
            if let Some(i) = f.pension {
                s.pension = Some(i);
                said = true;
            }
            if let Some(i) = f.medical {
                s.medical = Some(i);
                said = true;
            }
            if let Some(e) = f.employment {
                s.employment = Some(e);
                said = true;
            }
            if let Some((stage, done)) = f.school {
                s.school = Some(stage);
                s.completed_compulsory = Some(done);
                said = true;
            }
            if f.rehab {
                s.received_rehab = Some(true);
                s.needs_rehab = Some(true);
                said = true;
            }
            if f.device {
                s.device_fitted = Some(true);
                s.needs_device = Some(true);
                said = true;
            }
            if f.culture {
                s.culture_sports = Some(true);
                said = true;
            }
            // A care stay says the person receives care in its mode; ended stays say the
            // person receives none (the stated need stands).
            match f.care {
                Some(Some(mode)) => {
                    s.care_need = Some(mode);
                    s.receives_care = Some(true);
                    said = true;
                }
                Some(None) => {
                    s.receives_care = Some(false);
                    said = true;
                }
                None => {}
            }
        }
        let hm = self.hm_dates(p);
        if !hm.is_empty() {
            let (done, in_year) = ledger::home_modification_at(hm, d);
            if done {
                s.home_modification_done = Some(true);
                said = true;
            }
            if in_year {
                s.needs_home_modification = Some(true);
                said = true;
            }
        }
        said.then_some(s)
    }

    /// The civil-affairs row that decides the economic status at day `t`, if any: (its
    /// source, its effective date).
    pub fn economic_source(&self, p: &P, t: i32) -> Option<(ledger::Source, NaiveDate)> {
        let l = self.ledgers.get(p.ledger as usize)?;
        ledger::at(&l.entries, Self::date_of(t))
            .economic
            .map(|(_, src, on)| (src, on))
    }

    /// Replaces person `id`'s ledger with `rows` (every row of theirs, any order; superseded
    /// ones are dropped here). Call [`Self::rebuild_households`] after a batch.
    pub fn set_ledger(&mut self, id: &CitizenId, rows: Vec<Entry>) {
        let Some(i) = self.index_of(id) else { return };
        let entries = ledger::current(rows);
        let mut died = NEVER;
        let mut moves: Vec<(i32, i64, bool)> = Vec::new();
        let mut hm = Vec::new();
        for e in &entries {
            match &e.fact {
                Fact::PublicSecurity {
                    change, changed_on, ..
                } => match change {
                    ResidenceChange::Death => died = died.min(day(*changed_on)),
                    c => moves.push((day(*changed_on), e.seq, *c == ResidenceChange::MovedOut)),
                },
                Fact::HomeModification { accepted_on, .. } => hm.push(*accepted_on),
                _ => {}
            }
        }
        moves.sort_unstable();
        let slot = LedgerSlot {
            owner: i as u32,
            entries,
            died,
            moves: moves.into_iter().map(|(d, _, out)| (d, out)).collect(),
            hm,
        };
        let p = &mut self.persons[i];
        if p.ledger == NONE {
            p.ledger = self.ledgers.len() as u32;
            self.ledgers.push(slot);
        } else if let Some(s) = self.ledgers.get_mut(p.ledger as usize) {
            *s = slot;
        }
    }

    /// Joins the members' home modifications per household (after ledgers or households
    /// changed).
    pub fn rebuild_households(&mut self) {
        let mut by_hh: HashMap<u32, Vec<NaiveDate>> = HashMap::new();
        for l in &self.ledgers {
            if l.hm.is_empty() {
                continue;
            }
            let h = self
                .persons
                .get(l.owner as usize)
                .map_or(NONE, |p| p.household);
            if h != NONE {
                by_hh.entry(h).or_default().extend(&l.hm);
            }
        }
        self.hm_household = by_hh;
    }

    /// The survey values for year Y among `rows` (oldest first): the row of Y, else the
    /// latest before it (`indicators.md`, "Survey values for Y").
    #[inline]
    pub fn survey_for(rows: &[S], year: i32) -> Option<&S> {
        let mut found = None;
        for s in rows {
            if s.year <= year {
                found = Some(s);
            } else {
                break;
            }
        }
        found
    }

    /// A one-person snapshot of a file (so that one person is judged by the registry-wide
    /// code).
    pub fn of_file(file: &zhucan_store::PersonFile) -> Snapshot {
        let mut snap = Snapshot::new();
        snap.upsert(
            &file.person,
            &file.certificate,
            &file.former_certificates(),
            &file.surveys,
        );
        if !file.ledger.is_empty() {
            snap.set_ledger(&file.person.citizen_id, file.ledger.clone());
            snap.rebuild_households();
        }
        snap
    }

    /// Person `i`'s survey rows, oldest year first.
    #[inline]
    pub fn rows(&self, p: &P) -> &[S] {
        let start = p.s_start as usize;
        &self.surveys[start..start + usize::from(p.s_len)]
    }

    /// A person's household economic status on `on` as the rules read it: the survey of that
    /// year with the partner feeds' overlay (the civil affairs roll); `None` if unknown.
    pub fn economic_on(&self, id: &CitizenId, on: NaiveDate) -> Option<EconomicStatus> {
        let p = self.persons.get(self.index_of(id)?)?;
        let sv = Self::survey_for(self.rows(p), on.year());
        self.overlay(p, sv, day(on))
            .or(sv.copied())
            .and_then(|s| s.economic)
    }

    /// Whether the township with index `t` lies in `area`.
    pub fn township_in(&self, t: u32, area: &AreaCode) -> bool {
        self.townships
            .get(t as usize)
            .is_some_and(|c| area.contains(c))
    }

    /// Which persons an area selects: `Townships(pred)` for a district or township, one
    /// village index for a village (`None` when nobody lives there).
    pub fn selector(&self, area: &AreaCode) -> Selector {
        match area.level() {
            AreaLevel::District | AreaLevel::Township => Selector::Townships(
                (0..self.townships.len() as u32)
                    .map(|t| self.township_in(t, area))
                    .collect(),
            ),
            AreaLevel::Village => Selector::Village(self.village_of(area)),
        }
    }
}

/// The persons of an area.
#[derive(Debug, Clone)]
pub enum Selector {
    /// Per township index: inside the area.
    Townships(Vec<bool>),
    Village(Option<u32>),
}

impl Selector {
    #[inline]
    pub fn selects(&self, p: &P) -> bool {
        match self {
            Selector::Townships(t) => t.get(p.township as usize).copied().unwrap_or(false),
            Selector::Village(v) => v.is_some_and(|v| p.village == v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_from_yyyymmdd() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        let p = P {
            birth: ymd(d(2008, 2, 29)),
            cert: C {
                issued: 0,
                valid_until: 0,
                revoked: NEVER,
                smart_card: false,
                severe_care: false,
                mental_or_intellectual: false,
                grade: Grade::One,
                category: Category::Physical,
                components: 0,
            },
            died: NEVER,
            moved: NEVER,
            township: 0,
            village: NONE,
            household: NONE,
            s_start: 0,
            f_start: 0,
            s_len: 0,
            f_len: 0,
            male: true,
            ledger: NONE,
        };
        assert_eq!(p.age(ymd(d(2024, 2, 28))), 15);
        assert_eq!(p.age(ymd(d(2024, 2, 29))), 16);
        assert_eq!(p.age(ymd(d(2025, 2, 28))), 16);
        assert_eq!(p.age(ymd(d(2026, 2, 28))), 17);
        assert_eq!(p.age(ymd(d(2026, 3, 1))), 18);
        assert_eq!(p.age(ymd(d(2000, 1, 1))), -1);
        for (b, t) in [
            (d(1960, 12, 31), d(2020, 12, 30)),
            (d(1960, 12, 31), d(2020, 12, 31)),
            (d(1999, 1, 1), d(2025, 6, 30)),
        ] {
            let p = P { birth: ymd(b), ..p };
            assert_eq!(p.age(ymd(t)), zhucan_domain::ids::age_on(b, t));
        }
    }
}
