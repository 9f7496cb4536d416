//! Institutions (机构): homes of the disabled, care institutions, rehabilitation centres…

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaCode;
use crate::coded_enum;

coded_enum! {
    /// 机构类型.
    pub enum InstitutionKind {
        HomeOfDisabled = ("home_of_disabled", "残疾人之家", "home of the disabled"),
        CareInstitution = ("care_institution", "托养机构", "care institution", "专业托养机构"),
        ChildRehab = ("child_rehab", "儿童康复机构", "child rehabilitation institution", "残疾儿童康复机构"),
        Rehab = ("rehab", "康复机构", "rehabilitation institution"),
        BlindMassage = ("blind_massage", "盲人按摩机构", "blind massage centre"),
        DeviceService = ("device_service", "辅具服务点", "assistive device service point"),
        Apartment = ("apartment", "残疾人公寓", "apartment for disabled people"),
    }
}

/// One institution; unique by township and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub name: String,
    pub kind: InstitutionKind,
    pub township: AreaCode,
    pub standardized: bool,
    pub designated: bool,
    pub beds: Option<i64>,
    pub stars: Option<i64>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

impl Institution {
    /// Open at `t`: opened on or before `t` and not closed on or before `t`.
    pub fn is_open_at(&self, t: NaiveDate) -> bool {
        self.opened_on <= t && self.closed_on.is_none_or(|c| c > t)
    }

    /// The stable identifier: township code + `/` + name.
    pub fn id(&self) -> String {
        format!("{}/{}", self.township, self.name)
    }
}
