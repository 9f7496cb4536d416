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

    /// Whether the role must sign in with a second factor.
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::DistrictAdmin | Role::SystemAdmin | Role::SecurityAdmin
        )
    }
}
