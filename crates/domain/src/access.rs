//! Roles (角色) of the access model. The rules that use them live with the web layer's single
//! authorisation point; the names are those of `contract.md`.

use crate::coded_enum;

coded_enum! {
    /// What an account may do. The last three are kept apart (三权分立).
    pub enum Role {
        DistrictAdmin = ("district_admin", "区残联管理员", "district administrator"),
        TownshipStaff = ("township_staff", "乡镇（街道）工作人员", "township staff"),
        VillageWorker = ("village_worker", "村（社区）残协专职委员", "village worker"),
        Partner = ("partner", "部门协同（只读）", "partner department (read-only)"),
        Auditor = ("auditor", "审计员", "auditor"),
        SystemAdmin = ("system_admin", "系统管理员", "system administrator"),
        SecurityAdmin = ("security_admin", "安全管理员", "security administrator"),
        Citizen = ("citizen", "残疾人及家属", "citizen"),
        Institution = ("institution", "服务机构（定点康复、辅具服务点）", "service institution (rehabilitation, device point)"),
        Contractor = ("contractor", "无障碍改造施工单位", "home-modification contractor"),
        Employer = ("employer", "用人单位（按比例就业申报）", "employer (quota declaration)"),
    }
}

impl Role {
    /// Whether the role works on person files of its area.
    pub fn reads_persons(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::TownshipStaff | Role::VillageWorker | Role::Partner
        )
    }

    /// Whether the role may register persons and record life events.
    pub fn writes_persons(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::TownshipStaff | Role::VillageWorker
        )
    }

    /// Whether the role may import and export the registry workbook.
    pub fn bulk_data(self) -> bool {
        matches!(self, Role::DistrictAdmin)
    }

    /// Whether the role may reveal a full identifier (an explicit, audited action).
    pub fn can_reveal(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::TownshipStaff | Role::VillageWorker
        )
    }

    /// Whether the role sees only the declared minimal field list of a person file (partner
    /// departments: identity, certificate, area — no contact, household, survey or timeline).
    pub fn minimal_view(self) -> bool {
        matches!(self, Role::Partner)
    }

    /// Whether the role works the two subsidies in its area (audit, cases, explanations).
    pub fn works_subsidies(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::TownshipStaff | Role::VillageWorker
        )
    }

    /// Whether the role decides subsidy cases (village workers open them, staff decide).
    pub fn decides_subsidies(self) -> bool {
        matches!(self, Role::DistrictAdmin | Role::TownshipStaff)
    }

    /// Whether the role submits and approves the district's payroll and edits policy
    /// parameters (at district level).
    pub fn runs_payroll(self) -> bool {
        matches!(self, Role::DistrictAdmin)
    }

    /// Whether the account works for one organisation (an institution, a contractor, an
    /// employer) and sees only that organisation's own cases, never a person file or a list of
    /// persons: its programmes confine every query to the organisation bound to the account
    /// (`account_orgs`), and an account without a binding sees nothing.
    pub fn confined(self) -> bool {
        matches!(self, Role::Institution | Role::Contractor | Role::Employer)
    }

    /// Whether the role must sign in with a second factor.
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::SystemAdmin | Role::SecurityAdmin
        )
    }
}

coded_enum! {
    /// What an API token may do: `read` tokens make GET requests only; `read_write` tokens
    /// have every right of their account.
    pub enum TokenScope {
        Read = ("read", "只读", "read only", "ro", "read-only"),
        ReadWrite = ("read_write", "读写", "read and write", "rw", "read-write"),
    }
}

impl TokenScope {
    /// Whether the token may change anything (any method but GET and HEAD).
    pub fn allows_writes(self) -> bool {
        self == TokenScope::ReadWrite
    }
}

/// Reads a lifetime such as `30d`, `12h`, `90m` or `3600s` (surrounding spaces allowed): more
/// than zero and at most 400 days.
pub fn parse_lifetime(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0 && secs <= MAX_LIFETIME_SECS).then(|| std::time::Duration::from_secs(secs))
}

/// The longest lifetime [`parse_lifetime`] accepts: 400 days.
pub const MAX_LIFETIME_SECS: u64 = 400 * 86_400;

/// Writes a lifetime the way [`parse_lifetime`] reads it (the largest whole unit).
pub fn format_lifetime(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s.is_multiple_of(86_400) {
        format!("{}d", s / 86_400)
    } else if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lifetimes() {
        assert_eq!(
            parse_lifetime("30d").map(|d| d.as_secs()),
            Some(30 * 86_400)
        );
        assert_eq!(
            parse_lifetime(" 12h ").map(|d| d.as_secs()),
            Some(12 * 3600)
        );
        assert_eq!(parse_lifetime("90m").map(|d| d.as_secs()), Some(5400));
        assert_eq!(parse_lifetime("0d"), None);
        assert_eq!(parse_lifetime("401d"), None);
        assert_eq!(parse_lifetime("forever"), None);
        assert_eq!(parse_lifetime("3w"), None);
        assert_eq!(parse_lifetime("99999999999999999999d"), None);
    }

    #[test]
    fn scopes() {
        assert_eq!(TokenScope::parse("read"), Some(TokenScope::Read));
        assert_eq!(TokenScope::parse("READ_WRITE"), Some(TokenScope::ReadWrite));
        assert_eq!(TokenScope::parse("rw"), Some(TokenScope::ReadWrite));
        assert_eq!(TokenScope::parse("write"), None);
        assert!(!TokenScope::Read.allows_writes());
    }

    proptest! {
        /// Any text is a lifetime or not, never a panic; accepted ones are in range.
        #[test]
        fn lifetimes_never_panic(s in "\\PC{0,24}") {
            if let Some(d) = parse_lifetime(&s) {
                prop_assert!(d.as_secs() > 0 && d.as_secs() <= MAX_LIFETIME_SECS);
            }
        }

        /// Every lifetime in range round-trips through its written form.
        #[test]
        fn lifetimes_round_trip(secs in 1u64..=MAX_LIFETIME_SECS) {
            let d = std::time::Duration::from_secs(secs);
            prop_assert_eq!(parse_lifetime(&format_lifetime(d)), Some(d));
        }

        /// Any text is a scope or not, never a panic; keys, labels and roles round-trip.
        #[test]
        fn scopes_and_roles_parse(s in "\\PC{0,24}") {
            let _ = TokenScope::parse(&s);
            let _ = Role::parse(&s);
            for t in TokenScope::ALL {
                prop_assert_eq!(TokenScope::parse(t.key()), Some(*t));
                prop_assert_eq!(TokenScope::parse(t.zh()), Some(*t));
            }
        }
    }
}
