//! Zero-employment households (零就业家庭): households with members indicator 9 counts
//! (working age, able, not in school or retired) of whom none is employed, found from the
//! registry's households and the facts at a date, and the follow-up staff record for them.
//! The list is computed, never stored: a household leaves it the day one member is employed.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use zhucan_domain::coded_enum;
use zhucan_domain::ids::CitizenId;
use zhucan_store::audit::AuditEvent;
use zhucan_store::{Result, Store, now_text, on_pool, on_tx};

coded_enum! {
    /// What staff did for a zero-employment household.
    pub enum FollowUpAction {
        Visit = ("visit", "走访了解", "visit"),
        Referral = ("referral", "推荐岗位", "job referral"),
        Training = ("training", "安排培训", "training arranged"),
        PublicWelfare = ("public_welfare", "开发公益性岗位", "public-welfare job offered"),
        Other = ("other", "其他帮扶", "other help"),
    }
}

/// A household as the list shows it: its key (the registry's 户编号, or a lone person's
/// citizen ID) and its members counted by indicator 9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub key: String,
    pub members: Vec<CitizenId>,
}

/// The zero-employment households among `counted` (indicator 9's denominator), given who of
/// them is employed (its numerator) and each person's household key; in key order.
pub fn zero_employment(
    counted: &[CitizenId],
    employed: &HashSet<String>,
    household_of: &HashMap<String, String>,
) -> Vec<Household> {
    let mut groups: BTreeMap<String, (Vec<CitizenId>, bool)> = BTreeMap::new();
    for id in counted {
        let key = household_of
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.to_string());
        let g = groups.entry(key).or_default();
        g.0.push(id.clone());
        g.1 |= employed.contains(id.as_str());
    }
    groups
        .into_iter()
        .filter(|(_, (_, any_employed))| !any_employed)
        .map(|(key, (members, _))| Household { key, members })
        .collect()
}

/// A follow-up recorded for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowUp {
    pub id: String,
    pub household: String,
    pub on_date: String,
    pub action: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A follow-up to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub household: String,
    pub area: String,
    pub on_date: chrono::NaiveDate,
    pub action: FollowUpAction,
    pub note: String,
}

/// The zero-employment households' queries.
#[allow(async_fn_in_trait)]
pub trait HouseholdStore {
    /// Each person's household key: the 户编号 when recorded, else their citizen ID.
    async fn household_keys(&self, ids: &[CitizenId]) -> Result<HashMap<String, String>>;
    /// The follow-ups of these households, the latest first.
    async fn followups(&self, households: &[String]) -> Result<Vec<FollowUp>>;
    /// Records a follow-up.
    async fn add_followup(&self, f: &NewFollowUp, by: &str, audit: &AuditEvent) -> Result<String>;
}

impl HouseholdStore for Store {
    async fn household_keys(&self, ids: &[CitizenId]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT citizen_id, household_id FROM persons WHERE citizen_id IN ({})",
                ph.join(", ")
            );
            let rows: Vec<(String, Option<String>)> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(p).await?
            });
            for (id, hh) in rows {
                let key = hh
                    .map(|h| h.trim().to_string())
                    .filter(|h| !h.is_empty())
                    .map(|h| format!("户{h}"))
                    .unwrap_or_else(|| id.clone());
                out.insert(id, key);
            }
        }
        Ok(out)
    }

    async fn followups(&self, households: &[String]) -> Result<Vec<FollowUp>> {
        let mut out = Vec::new();
        for chunk in households.chunks(500) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, household, on_date, action, note, recorded_by, recorded_at FROM employment_household_followups WHERE household IN ({}) ORDER BY on_date DESC, recorded_at DESC, id DESC",
                ph.join(", ")
            );
            let rows: Vec<FollowUp> = on_pool!(self, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for h in chunk {
                    q = q.bind(h.as_str());
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        out.sort_by(|a, b| {
            (&b.on_date, &b.recorded_at, &b.id).cmp(&(&a.on_date, &a.recorded_at, &a.id))
        });
        Ok(out)
    }

    async fn add_followup(&self, f: &NewFollowUp, by: &str, audit: &AuditEvent) -> Result<String> {
        let mut tx = self.begin().await?;
        let id = zhucan_store::accounts::ordered_id();
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO employment_household_followups (id, household, area_code, on_date, action, note, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&id).bind(&f.household).bind(&f.area).bind(f.on_date.to_string()).bind(f.action.key()).bind(&f.note).bind(by).bind(now_text())
                .execute(&mut *c).await?;
        });
        crate::store::finish(tx, audit).await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> CitizenId {
        CitizenId::from_trusted(format!("331003198001010{n:02}X")).expect("id")
    }

    #[test]
    fn a_household_with_one_member_employed_is_not_listed_and_a_lone_person_is_their_own() {
        let (a, b, c, lone) = (id(11), id(13), id(15), id(17));
        let households: HashMap<String, String> = [
            (a.to_string(), "户1".to_string()),
            (b.to_string(), "户1".to_string()),
            (c.to_string(), "户2".to_string()),
        ]
        .into_iter()
        .collect();
        let employed: HashSet<String> = [b.to_string()].into_iter().collect();
        let found = zero_employment(
            &[a.clone(), b.clone(), c.clone(), lone.clone()],
            &employed,
            &households,
        );
        let keys: Vec<&str> = found.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, vec![lone.as_str(), "户2"]);
        assert_eq!(found[1].members, vec![c]);
    }
}
