//! The security policy: session timeouts, lockout, the sign-in rate, audit retention and the
//! password length. The security administrator sets it at `/security/settings`; it is stored
//! as versioned settings (`policy.*`), and [`crate::Config`] gives the defaults for every value
//! never set. The running service reads it through a small cache ([`PolicyCache`]) that a
//! change refreshes at once, and that rereads the store every few seconds (so that several
//! processes on one database agree).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use zhucan_domain::parse::{ValueError, parse_int};
use zhucan_domain::{Lang, Localized};
use zhucan_store::Store;

use crate::Config;

/// The effective policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub session_idle: Duration,
    pub session_max: Duration,
    pub lockout_failures: i64,
    /// The window in which failures count, and how long the lock lasts.
    pub lockout_window: Duration,
    /// Sign-in attempts allowed per client address per minute (high: an office behind one NAT
    /// shares an address).
    pub login_rate_per_minute: usize,
    pub audit_retention_months: u32,
    pub password_min_length: usize,
    /// Sign-in attempts allowed per account (username tried) per minute.
    pub login_rate_per_account: usize,
    /// An export of more persons than this needs a stated purpose (recorded in the audit).
    pub export_purpose_rows: usize,
}

/// One setting of the policy: its form field, its stored key, its bounds and its texts.
#[derive(Debug, Clone, Copy)]
pub struct Knob {
    /// The form field.
    pub name: &'static str,
    /// The settings key.
    pub key: &'static str,
    pub min: i64,
    pub max: i64,
    pub zh: &'static str,
    pub en: &'static str,
    pub hint_zh: &'static str,
    pub hint_en: &'static str,
}

/// Every policy setting, in the order of the form.
pub const KNOBS: [Knob; N] = [
    Knob {
        name: "session_idle_minutes",
        key: "policy.session_idle_minutes",
        min: 1,
        max: 480,
        zh: "会话空闲超时（分钟）",
        en: "Idle session timeout (minutes)",
        hint_zh: "超过该时间无操作即自动退出登录；1 到 480",
        hint_en: "signed out after this long without activity; 1 to 480",
    },
    Knob {
        name: "session_max_hours",
        key: "policy.session_max_hours",
        min: 1,
        max: 72,
        zh: "会话最长有效期（小时）",
        en: "Absolute session lifetime (hours)",
        hint_zh: "登录后最长保持的时间，不短于空闲超时；1 到 72；对新登录生效",
        hint_en: "the longest a sign-in lasts, at least the idle timeout; 1 to 72; applies to new sign-ins",
    },
    Knob {
        name: "lockout_failures",
        key: "policy.lockout_failures",
        min: 3,
        max: 20,
        zh: "锁定前允许的连续失败次数",
        en: "Failed sign-ins before the account locks",
        hint_zh: "3 到 20",
        hint_en: "3 to 20",
    },
    Knob {
        name: "lockout_window_minutes",
        key: "policy.lockout_window_minutes",
        min: 1,
        max: 1440,
        zh: "失败计数时段及锁定时长（分钟）",
        en: "Failure window and lock duration (minutes)",
        hint_zh: "在该时段内失败达到次数即锁定相同时长；1 到 1440",
        hint_en: "that many failures within this window lock the account for as long; 1 to 1440",
    },
    Knob {
        name: "login_rate_per_minute",
        key: "policy.login_rate_per_minute",
        min: 3,
        max: 10_000,
        zh: "每个地址每分钟允许的登录尝试次数",
        en: "Sign-in attempts per client address per minute",
        hint_zh: "超过即返回 429（同一办公网络共用一个地址，应设得较高；正确的密码加动态验证码不受此限）；3 到 10000",
        hint_en: "more are refused with 429 (an office network shares one address: set it high; a right password with a verification code is let through); 3 to 10000",
    },
    Knob {
        name: "audit_retention_months",
        key: "policy.audit_retention_months",
        min: zhucan_store::audit::RETENTION_FLOOR_MONTHS as i64,
        max: 120,
        zh: "审计日志保存期限（月）",
        en: "Audit trail retention (months)",
        hint_zh: "不少于 6 个月；更早的记录每日清理，并留下哈希链锚点；6 到 120",
        hint_en: "at least 6 months; older records are purged daily, leaving a chain anchor; 6 to 120",
    },
    Knob {
        name: "password_min_length",
        key: "policy.password_min_length",
        min: 10,
        max: 128,
        zh: "密码最短长度（字符）",
        en: "Minimum password length (characters)",
        hint_zh: "对此后设置的密码生效；10 到 128",
        hint_en: "applies to passwords set from now on; 10 to 128",
    },
    Knob {
        name: "login_rate_per_account",
        key: "policy.login_rate_per_account",
        min: 3,
        max: 1000,
        zh: "每个账户每分钟允许的登录尝试次数",
        en: "Sign-in attempts per account per minute",
        hint_zh: "无论来自哪个地址，超过即返回 429；3 到 1000",
        hint_en: "from any address; more are refused with 429; 3 to 1000",
    },
    Knob {
        name: "export_purpose_rows",
        key: "policy.export_purpose_rows",
        min: 1,
        max: 10_000_000,
        zh: "须填写用途的导出人数",
        en: "Rows above which an export needs a purpose",
        hint_zh: "导出名单超过该人数时须写明用途，用途记入审计日志；1 到 10000000",
        hint_en: "exporting more persons than this needs a stated purpose, recorded in the audit trail; 1 to 10000000",
    },
];

/// How many policy settings there are.
pub const N: usize = 9;

/// The settings keys of the policy.
pub fn keys() -> [&'static str; N] {
    KNOBS.map(|k| k.key)
}

fn whole_minutes(d: Duration) -> i64 {
    (d.as_secs().div_ceil(60)).max(1) as i64
}

fn whole_hours(d: Duration) -> i64 {
    (d.as_secs().div_ceil(3600)).max(1) as i64
}

impl Policy {
    /// The policy of a configuration (the defaults).
    pub fn defaults(c: &Config) -> Policy {
        Policy {
            session_idle: c.session_idle,
            session_max: c.session_max,
            lockout_failures: c.lockout_failures,
            lockout_window: c.lockout_window,
            login_rate_per_minute: c.login_rate_max,
            audit_retention_months: c.audit_retention_months,
            password_min_length: c.password_min_length,
            login_rate_per_account: c.login_account_rate_max,
            export_purpose_rows: c.export_purpose_rows,
        }
    }

    /// The values as the form shows them, in the order of [`KNOBS`].
    pub fn values(&self) -> [i64; N] {
        [
            whole_minutes(self.session_idle),
            whole_hours(self.session_max),
            self.lockout_failures,
            whole_minutes(self.lockout_window),
            self.login_rate_per_minute as i64,
            i64::from(self.audit_retention_months),
            self.password_min_length as i64,
            self.login_rate_per_account as i64,
            self.export_purpose_rows as i64,
        ]
    }

    /// Sets the value of knob `i` (already within its bounds).
    fn set(&mut self, i: usize, v: i64) {
        let u = v.max(0) as u64;
        match i {
            0 => self.session_idle = Duration::from_secs(u * 60),
            1 => self.session_max = Duration::from_secs(u * 3600),
            2 => self.lockout_failures = v,
            3 => self.lockout_window = Duration::from_secs(u * 60),
            4 => self.login_rate_per_minute = u as usize,
            5 => self.audit_retention_months = u32::try_from(u).unwrap_or(u32::MAX),
            6 => self.password_min_length = u as usize,
            7 => self.login_rate_per_account = u as usize,
            _ => self.export_purpose_rows = u as usize,
        }
    }

    /// The defaults overridden by the stored settings. A stored value outside its bounds (set
    /// behind the service's back) is ignored with a log line.
    pub fn from_settings(defaults: Policy, stored: &HashMap<String, String>) -> Policy {
        let mut p = defaults;
        for (i, k) in KNOBS.iter().enumerate() {
            let Some(v) = stored.get(k.key) else { continue };
            match parse_int(v, k.min, k.max) {
                Ok(n) => p.set(i, n),
                Err(_) => {
                    tracing::warn!(key = k.key, value = %v, "stored policy value out of bounds: default used")
                }
            }
        }
        p
    }

    /// The policy in force for a command: the stored settings over the built-in defaults (a
    /// command has no running service's configuration).
    pub async fn in_force(store: &Store) -> zhucan_store::Result<Policy> {
        Policy::load(store, Policy::defaults(&Config::default())).await
    }

    /// Reads the policy from the store.
    pub async fn load(store: &Store, defaults: Policy) -> zhucan_store::Result<Policy> {
        let stored: HashMap<String, String> = store
            .settings()
            .await?
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect();
        Ok(Policy::from_settings(defaults, &stored))
    }

    /// The earliest audit record to keep at `now`.
    pub fn audit_keep_from(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        now.checked_sub_months(chrono::Months::new(self.audit_retention_months))
            .unwrap_or(now)
    }
}

/// A submitted policy form: every value within its bounds, or the errors per field (naming
/// the value) in the request's language.
pub fn parse_form(
    form: &HashMap<String, String>,
    lang: Lang,
) -> Result<[i64; N], Vec<(&'static str, String)>> {
    let mut values = [0i64; N];
    let mut errors = Vec::new();
    for (i, k) in KNOBS.iter().enumerate() {
        let raw = form.get(k.name).map(|s| s.trim()).unwrap_or("");
        match parse_int(raw, k.min, k.max) {
            Ok(n) => values[i] = n,
            Err(ValueError::Required) => errors.push((k.name, ValueError::Required.message(lang))),
            Err(e) => errors.push((
                k.name,
                match lang {
                    Lang::Zh => format!("“{raw}”无效：{}", e.message(lang)),
                    Lang::En => format!("“{raw}” is invalid: {}", e.message(lang)),
                },
            )),
        }
    }
    let idle_ok = !errors.iter().any(|(n, _)| *n == KNOBS[0].name);
    let max_ok = !errors.iter().any(|(n, _)| *n == KNOBS[1].name);
    if idle_ok && max_ok && values[1] * 60 < values[0] {
        errors.push((
            KNOBS[1].name,
            match lang {
                Lang::Zh => format!(
                    "“{}”小时短于会话空闲超时（{} 分钟）：最长有效期不能短于空闲超时",
                    values[1], values[0]
                ),
                Lang::En => format!(
                    "“{}” hours is shorter than the idle timeout ({} minutes): the lifetime cannot be shorter",
                    values[1], values[0]
                ),
            },
        ));
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// The policy as the running service sees it: cached, reread after `refresh`.
#[derive(Debug)]
pub struct PolicyCache {
    defaults: Policy,
    refresh: Duration,
    current: RwLock<(Policy, Option<Instant>)>,
}

impl PolicyCache {
    pub fn new(defaults: Policy, refresh: Duration) -> Self {
        PolicyCache {
            defaults,
            refresh,
            current: RwLock::new((defaults, None)),
        }
    }

    /// The configured defaults.
    pub fn defaults(&self) -> Policy {
        self.defaults
    }

    /// The effective policy (rereading the store when the cached copy is older than the
    /// refresh interval; on a storage error the last known policy stands).
    pub async fn get(&self, store: &Store) -> Policy {
        if let Ok(g) = self.current.read()
            && let (p, Some(at)) = *g
            && at.elapsed() < self.refresh
        {
            return p;
        }
        self.reload(store).await
    }

    /// Rereads the store now (after a change).
    pub async fn reload(&self, store: &Store) -> Policy {
        match Policy::load(store, self.defaults).await {
            Ok(p) => {
                if let Ok(mut g) = self.current.write() {
                    *g = (p, Some(Instant::now()));
                }
                p
            }
            Err(e) => {
                tracing::error!(error = %e, "policy could not be read: last known values used");
                self.current.read().map(|g| g.0).unwrap_or(self.defaults)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form(values: [&str; N]) -> HashMap<String, String> {
        KNOBS
            .iter()
            .zip(values)
            .map(|(k, v)| (k.name.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_show_and_parse_back() {
        let d = Policy::defaults(&Config::default());
        assert_eq!(d.values(), [30, 12, 5, 15, 300, 6, 10, 10, 1000]);
        let f = form(["30", "12", "5", "15", "300", "6", "10", "10", "1000"]);
        assert_eq!(parse_form(&f, Lang::Zh), Ok(d.values()));
    }

    #[test]
    fn each_field_names_its_problem() {
        let f = form(["0", "x", "5", "", "20", "3", "10", "10", "1000"]);
        let errs = parse_form(&f, Lang::Zh).expect_err("invalid");
        let names: Vec<&str> = errs.iter().map(|e| e.0).collect();
        assert_eq!(
            names,
            [
                "session_idle_minutes",
                "session_max_hours",
                "lockout_window_minutes",
                "audit_retention_months"
            ]
        );
        assert!(
            errs[0].1.contains("“0”") && errs[0].1.contains("1 到 480"),
            "{errs:?}"
        );
        assert!(errs[3].1.contains("“3”"), "{errs:?}");
        let f = form(["120", "1", "5", "15", "20", "6", "10", "10", "1000"]);
        let errs = parse_form(&f, Lang::En).expect_err("lifetime shorter than idle");
        assert_eq!(errs[0].0, "session_max_hours");
        assert!(errs[0].1.contains("shorter"), "{errs:?}");
    }

    #[test]
    fn stored_values_override_defaults_within_bounds() {
        let d = Policy::defaults(&Config::default());
        let mut stored = HashMap::new();
        stored.insert("policy.lockout_failures".to_string(), "3".to_string());
        stored.insert("policy.audit_retention_months".to_string(), "2".to_string());
        let p = Policy::from_settings(d, &stored);
        assert_eq!(p.lockout_failures, 3);
        assert_eq!(p.audit_retention_months, 6, "below the floor: ignored");
    }

    proptest! {
        /// Any submitted text is parsed or refused with messages, never a panic; accepted
        /// values are within bounds and round-trip through a policy.
        #[test]
        fn forms_never_panic_and_round_trip(values in proptest::array::uniform9("\\PC{0,12}")) {
            let f = form(values.each_ref().map(|s| s.as_str()));
            match parse_form(&f, Lang::En) {
                Ok(v) => {
                    let mut p = Policy::defaults(&Config::default());
                    for (i, n) in v.iter().enumerate() {
                        prop_assert!((KNOBS[i].min..=KNOBS[i].max).contains(n));
                        p.set(i, *n);
                    }
                    prop_assert_eq!(p.values(), v);
                }
                Err(errs) => prop_assert!(errs.iter().all(|(_, m)| !m.is_empty())),
            }
        }

        /// Valid numbers always parse to themselves.
        #[test]
        fn valid_numbers_round_trip(v in (1i64..=480, 1i64..=72, 3i64..=20, 1i64..=1440, 3i64..=10_000, 6i64..=120, 10i64..=128, 3i64..=1000, 1i64..=10_000_000)) {
            let arr = [v.0, v.1, v.2, v.3, v.4, v.5, v.6, v.7, v.8];
            let text = arr.map(|n| n.to_string());
            let f = form(text.each_ref().map(|s| s.as_str()));
            let ok = arr[1] * 60 >= arr[0];
            prop_assert_eq!(parse_form(&f, Lang::Zh).is_ok(), ok);
            if ok {
                prop_assert_eq!(parse_form(&f, Lang::Zh), Ok(arr));
            }
        }
    }
}
