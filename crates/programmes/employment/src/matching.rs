//! Job matching (人岗匹配): whether a vacancy suits a job seeker, why, and in which order the
//! suitable vacancies are offered. Pure: the seeker's registration and certificate and the
//! vacancies come in; no HTTP, no SQL.
//!
//! A vacancy is **offered** only when nothing rules it out: it is open with a position left,
//! the person's disability is among those it is suited to (none listed: any), and the
//! workplace provides every adaptation the person needs. The offered vacancies are ranked by
//! plain comparisons, never by weights: more of the person's skills asked for first, then a
//! workplace in the person's own township, then a title the person wished for, then the
//! better wage, then the older vacancy. Each offer carries its reasons; each vacancy ruled out
//! carries why.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use zhucan_domain::Lang;
use zhucan_domain::area::AreaCode;
use zhucan_domain::coded_enum;
use zhucan_domain::disability::Category;

coded_enum! {
    /// An adaptation of the workplace (工作场所无障碍与合理便利): what a vacancy offers and
    /// what a job seeker needs.
    pub enum Access {
        StepFree = ("step_free", "无障碍通道（轮椅可达）", "step-free access (wheelchair)"),
        Toilet = ("accessible_toilet", "无障碍卫生间", "accessible toilet"),
        SignLanguage = ("sign_language", "手语或文字沟通", "sign language or written communication"),
        ScreenReader = ("screen_reader", "读屏软件等视障辅助", "screen reader and other aids for blind staff"),
        FlexibleHours = ("flexible_hours", "弹性工时", "flexible hours"),
        JobCoach = ("job_coach", "就业辅导员陪伴", "a job coach on site"),
    }
}

coded_enum! {
    /// Whether a vacancy takes referrals.
    pub enum VacancyStatus {
        Open = ("open", "招聘中", "open"),
        Closed = ("closed", "已关闭", "closed"),
    }
}

coded_enum! {
    /// Where a referral (推荐) stands. A person's interest from the service end starts as
    /// `interested`; staff refer (`referred`); the outcome is a placement, a refusal by the
    /// employer, or a withdrawal.
    pub enum ReferralStatus {
        Interested = ("interested", "本人有意向，待推荐", "the person is interested, to be referred"),
        Referred = ("referred", "已推荐，待用人单位答复", "referred, awaiting the employer"),
        Placed = ("placed", "已录用上岗", "placed"),
        Declined = ("declined", "未录用", "not hired"),
        Withdrawn = ("withdrawn", "已撤回", "withdrawn"),
    }
}

impl ReferralStatus {
    /// Whether the referral is still open (an outcome may be recorded).
    pub fn open(self) -> bool {
        matches!(self, ReferralStatus::Interested | ReferralStatus::Referred)
    }
}

/// The most tags a skill or wish list keeps, and the longest tag.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 20;

/// A list of short tags (skills, wished jobs) as typed: separated by commas, 、, semicolons
/// or white space; trimmed; duplicates (ignoring case) dropped. Too many or too long a tag is
/// the offending tag.
pub fn tags(raw: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw
        .split([
            ',', '，', '、', ';', '；', '\n', '\r', '\t', ' ', '\u{3000}',
        ])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if t.chars().count() > MAX_TAG_CHARS {
            return Err(t.to_string());
        }
        if !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            if out.len() == MAX_TAGS {
                return Err(t.to_string());
            }
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// Tags as stored and shown.
pub fn join_tags(tags: &[String]) -> String {
    tags.join("、")
}

/// Stored tags back (written by [`join_tags`]).
pub fn split_tags(stored: &str) -> Vec<String> {
    stored
        .split('、')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Adaptations as stored (their keys, comma-separated).
pub fn join_access(list: &[Access]) -> String {
    list.iter().map(|a| a.key()).collect::<Vec<_>>().join(",")
}

/// Stored adaptations back; an unknown key is skipped (a later version's).
pub fn split_access(stored: &str) -> Vec<Access> {
    stored.split(',').filter_map(Access::parse).collect()
}

/// Categories as stored (their keys, comma-separated).
pub fn join_categories(list: &[Category]) -> String {
    list.iter().map(|a| a.key()).collect::<Vec<_>>().join(",")
}

/// Stored categories back.
pub fn split_categories(stored: &str) -> Vec<Category> {
    stored.split(',').filter_map(Category::parse).collect()
}

/// A job seeker as the match reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeker {
    /// The certificate's category, and for 多重 its components.
    pub category: Category,
    pub components: Vec<Category>,
    pub township: AreaCode,
    pub skills: Vec<String>,
    pub wishes: Vec<String>,
    pub needs: Vec<Access>,
}

/// A vacancy as the match reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacancy {
    pub id: String,
    pub title: String,
    pub township: AreaCode,
    pub open: bool,
    /// Positions left (offered minus placed).
    pub left: i64,
    /// Suited to these categories (empty: any).
    pub categories: Vec<Category>,
    pub skills: Vec<String>,
    pub access: Vec<Access>,
    pub monthly_wage_fen: i64,
    /// When it was posted (ISO text: the older first among equals).
    pub posted_at: String,
}

/// Why a vacancy is offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Reason {
    /// One of the person's skills is asked for.
    Skill(String),
    /// The workplace is in the person's township.
    SameTownship,
    /// The title is one the person wished for.
    Wish(String),
    /// The vacancy is meant for the person's disability.
    Suited(Category),
    /// The workplace provides an adaptation the person needs.
    Provides(Access),
}

/// Why a vacancy is not offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Unfit {
    Closed,
    Full,
    /// Meant for other disabilities than the person's.
    Category(Category),
    /// The workplace lacks an adaptation the person needs.
    Lacks(Access),
}

/// A vacancy offered, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub skills: usize,
    pub same_township: bool,
    pub wish: bool,
    pub reasons: Vec<Reason>,
}

fn same_tag(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    a == b
        || (a.chars().count() >= 2 && b.chars().count() >= 2 && (a.contains(&b) || b.contains(&a)))
}

/// Whether the vacancy suits the seeker: its reasons, or every reason it is ruled out.
pub fn assess(s: &Seeker, v: &Vacancy) -> Result<Fit, Vec<Unfit>> {
    let mut unfit = Vec::new();
    if !v.open {
        unfit.push(Unfit::Closed);
    } else if v.left <= 0 {
        unfit.push(Unfit::Full);
    }
    let suited = v.categories.is_empty()
        || v.categories.contains(&s.category)
        || (s.category == Category::Multiple
            && !s.components.is_empty()
            && s.components.iter().all(|c| v.categories.contains(c)));
    if !suited {
        unfit.push(Unfit::Category(s.category));
    }
    for n in &s.needs {
        if !v.access.contains(n) {
            unfit.push(Unfit::Lacks(*n));
        }
    }
    if !unfit.is_empty() {
        return Err(unfit);
    }
    let mut reasons = Vec::new();
    let mut skills = 0;
    for k in &s.skills {
        if v.skills.iter().any(|w| same_tag(k, w)) {
            skills += 1;
            reasons.push(Reason::Skill(k.clone()));
        }
    }
    let same_township = s.township == v.township;
    if same_township {
        reasons.push(Reason::SameTownship);
    }
    let wished = s.wishes.iter().find(|w| same_tag(w, &v.title));
    if let Some(w) = wished {
        reasons.push(Reason::Wish(w.clone()));
    }
    if !v.categories.is_empty() {
        reasons.push(Reason::Suited(s.category));
    }
    reasons.extend(s.needs.iter().map(|n| Reason::Provides(*n)));
    Ok(Fit {
        skills,
        same_township,
        wish: wished.is_some(),
        reasons,
    })
}

/// The vacancies offered to the seeker, best first (see the module's order).
pub fn rank<'a>(s: &Seeker, vacancies: &'a [Vacancy]) -> Vec<(&'a Vacancy, Fit)> {
    let mut out: Vec<(&Vacancy, Fit)> = vacancies
        .iter()
        .filter_map(|v| assess(s, v).ok().map(|f| (v, f)))
        .collect();
    out.sort_by(|(va, a), (vb, b)| {
        (
            Reverse(a.skills),
            Reverse(a.same_township),
            Reverse(a.wish),
            Reverse(va.monthly_wage_fen),
            &va.posted_at,
            &va.id,
        )
            .cmp(&(
                Reverse(b.skills),
                Reverse(b.same_township),
                Reverse(b.wish),
                Reverse(vb.monthly_wage_fen),
                &vb.posted_at,
                &vb.id,
            ))
    });
    out
}

impl Reason {
    /// The reason in words (`township` names the person's township).
    pub fn text(&self, lang: Lang, township: &str) -> String {
        match self {
            Reason::Skill(k) => crate::tf(lang, "reason-skill", &[("v", k.clone().into())]),
            Reason::SameTownship => crate::tf(
                lang,
                "reason-same-township",
                &[("v", township.to_string().into())],
            ),
            Reason::Wish(w) => crate::tf(lang, "reason-wish", &[("v", w.clone().into())]),
            Reason::Suited(c) => crate::tf(
                lang,
                "reason-suited",
                &[("v", c.label(lang).to_string().into())],
            ),
            Reason::Provides(a) => crate::tf(
                lang,
                "reason-provides",
                &[("v", a.label(lang).to_string().into())],
            ),
        }
    }
}

impl Unfit {
    /// Why not, in words.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Unfit::Closed => crate::t(lang, "unfit-closed").to_string(),
            Unfit::Full => crate::t(lang, "unfit-full").to_string(),
            Unfit::Category(c) => crate::tf(
                lang,
                "unfit-category",
                &[("v", c.label(lang).to_string().into())],
            ),
            Unfit::Lacks(a) => crate::tf(
                lang,
                "unfit-lacks",
                &[("v", a.label(lang).to_string().into())],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn area(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("area")
    }

    fn seeker() -> Seeker {
        Seeker {
            category: Category::Physical,
            components: Vec::new(),
            township: area("331003107"),
            skills: vec!["缝纫".into(), "电脑".into()],
            wishes: vec!["客服".into()],
            needs: vec![Access::StepFree],
        }
    }

    fn vacancy(id: &str) -> Vacancy {
        Vacancy {
            id: id.into(),
            title: "文员".into(),
            township: area("331003001"),
            open: true,
            left: 1,
            categories: Vec::new(),
            skills: Vec::new(),
            access: vec![Access::StepFree],
            monthly_wage_fen: 300_000,
            posted_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_need_the_workplace_lacks_rules_it_out_and_says_which() {
        let mut v = vacancy("a");
        v.access = vec![Access::Toilet];
        assert_eq!(
            assess(&seeker(), &v),
            Err(vec![Unfit::Lacks(Access::StepFree)])
        );
    }

    #[test]
    fn closed_full_and_other_disabilities_are_each_named() {
        let mut v = vacancy("a");
        v.open = false;
        v.categories = vec![Category::Hearing];
        assert_eq!(
            assess(&seeker(), &v),
            Err(vec![Unfit::Closed, Unfit::Category(Category::Physical)])
        );
        let mut v = vacancy("b");
        v.left = 0;
        assert_eq!(assess(&seeker(), &v), Err(vec![Unfit::Full]));
    }

    #[test]
    fn multiple_disability_is_suited_when_every_component_is() {
        let mut s = seeker();
        s.category = Category::Multiple;
        s.components = vec![Category::Physical, Category::Speech];
        let mut v = vacancy("a");
        v.categories = vec![Category::Physical, Category::Speech, Category::Hearing];
        assert!(assess(&s, &v).is_ok());
        v.categories = vec![Category::Physical];
        assert!(assess(&s, &v).is_err());
    }

    #[test]
    fn skills_then_township_then_wish_then_wage_decide_the_order() {
        let s = seeker();
        let mut skilled = vacancy("skilled");
        skilled.skills = vec!["缝纫工".into()];
        let mut near = vacancy("near");
        near.township = s.township.clone();
        let mut wished = vacancy("wished");
        wished.title = "电话客服".into();
        let mut paid = vacancy("paid");
        paid.monthly_wage_fen = 500_000;
        let plain = vacancy("plain");
        let list = vec![
            plain.clone(),
            paid.clone(),
            wished.clone(),
            near.clone(),
            skilled.clone(),
        ];
        let order: Vec<&str> = rank(&s, &list).iter().map(|(v, _)| v.id.as_str()).collect();
        assert_eq!(order, ["skilled", "near", "wished", "paid", "plain"]);
        let (_, fit) = &rank(&s, &list)[0];
        assert_eq!(
            fit.reasons,
            vec![
                Reason::Skill("缝纫".into()),
                Reason::Provides(Access::StepFree)
            ]
        );
    }

    #[test]
    fn tags_split_on_chinese_and_latin_separators_and_drop_duplicates() {
        assert_eq!(
            tags(" 缝纫，电脑、Excel; excel  手工 ").expect("tags"),
            vec!["缝纫", "电脑", "Excel", "手工"]
        );
        assert_eq!(tags(&"长".repeat(21)), Err("长".repeat(21)));
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(tags(&many.join(",")), Err("t10".to_string()));
        assert_eq!(
            split_tags(&join_tags(&tags("a、b").expect("tags"))),
            vec!["a", "b"]
        );
    }

    proptest! {
        #[test]
        fn an_offer_never_lacks_a_need_and_ranking_keeps_only_offers(
            needs in proptest::sample::subsequence(Access::ALL.to_vec(), 0..=6),
            access in proptest::sample::subsequence(Access::ALL.to_vec(), 0..=6),
            left in -1i64..3,
            open: bool,
        ) {
            let mut s = seeker();
            s.needs = needs;
            let mut v = vacancy("a");
            v.access = access;
            v.left = left;
            v.open = open;
            let list = vec![v.clone()];
            let ranked = rank(&s, &list);
            match assess(&s, &v) {
                Ok(_) => {
                    prop_assert!(s.needs.iter().all(|n| v.access.contains(n)));
                    prop_assert!(v.open && v.left > 0);
                    prop_assert_eq!(ranked.len(), 1);
                }
                Err(why) => {
                    prop_assert!(!why.is_empty());
                    prop_assert!(ranked.is_empty());
                }
            }
        }

        #[test]
        fn tags_never_panic_and_respect_their_limits(s in "\\PC{0,120}") {
            if let Ok(t) = tags(&s) {
                prop_assert!(t.len() <= MAX_TAGS);
                prop_assert!(t.iter().all(|x| !x.is_empty() && x.chars().count() <= MAX_TAG_CHARS));
            }
        }
    }
}
