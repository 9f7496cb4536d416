//! Whose files a read may return: the proof every person-file read carries.
//!
//! [`Store::person_file`](crate::Store::person_file) takes a [`Reach`]; there is no other way
//! to load a person's whole file. A reach is made from what the caller is:
//!
//! - [`Reach::of`] a signed-in staff or partner account: the persons of its area, if its role
//!   reads person files at all (the rule of `scope.md`);
//! - [`Reach::linked`] a citizen account: the persons linked to it (own file, wards), as the
//!   service programme's link table says;
//! - [`Reach::system`] the process itself: a background job, an operator at the command
//!   line, the public verification of a token the service signed, the matching of a new
//!   account's claim. Handlers must not use it: `clippy.toml` disallows the method, and each
//!   sanctioned caller says why with `#[expect(clippy::disallowed_methods, reason = …)]`, so
//!   a handler that reaches for it fails the build (`cargo clippy -D warnings` in CI).
//!
//! A file outside the reach reads as absent (`None`), exactly as a person who does not exist:
//! a caller learns nothing about files it may not see.

use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::Person;

use crate::User;

/// The persons a read may return (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach(Inner);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Inner {
    /// Nobody (a role that reads no person files).
    Nobody,
    /// The persons living in the area (township or village inside it).
    Area(AreaCode),
    /// These persons (a citizen account's links).
    Linked(Vec<CitizenId>),
    /// Everyone, for the process's own work; the purpose is kept for logs and audits.
    System(&'static str),
}

impl Reach {
    /// The reach of a signed-in account: its area when its role reads person files, nobody
    /// otherwise (a citizen account reaches its links through [`Reach::linked`]).
    pub fn of(user: &User) -> Reach {
        if user.role.reads_persons() {
            Reach(Inner::Area(user.area.clone()))
        } else {
            Reach(Inner::Nobody)
        }
    }

    /// The reach of a citizen account over the persons linked to it. Only the service
    /// programme's link lookup makes this (disallowed elsewhere by `clippy.toml`); any other
    /// account reaches nobody.
    pub fn linked(user: &User, ids: Vec<CitizenId>) -> Reach {
        if user.role == Role::Citizen && !user.disabled {
            Reach(Inner::Linked(ids))
        } else {
            Reach(Inner::Nobody)
        }
    }

    /// The process's own reach over every file, for `purpose` (a job, the command line, a
    /// signed token's verification). Disallowed in handlers by `clippy.toml`.
    pub fn system(purpose: &'static str) -> Reach {
        Reach(Inner::System(purpose))
    }

    /// Whether a file of `person` is inside the reach.
    pub fn covers(&self, person: &Person) -> bool {
        match &self.0 {
            Inner::Nobody => false,
            Inner::Area(area) => {
                area.contains(&person.township)
                    || person.village.as_ref().is_some_and(|v| area.contains(v))
            }
            Inner::Linked(ids) => ids.contains(&person.citizen_id),
            Inner::System(_) => true,
        }
    }

    /// Whether the reach holds nobody (a read can be skipped).
    pub fn is_nobody(&self) -> bool {
        match &self.0 {
            Inner::Nobody => true,
            Inner::Linked(ids) => ids.is_empty(),
            Inner::Area(_) | Inner::System(_) => false,
        }
    }

    /// The system purpose, when this is the process's own reach.
    pub fn system_purpose(&self) -> Option<&'static str> {
        match self.0 {
            Inner::System(p) => Some(p),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    fn user(role: Role, area: &str) -> User {
        User {
            id: "u".into(),
            username: "u".into(),
            password_hash: String::new(),
            role,
            area: AreaCode::parse(area).expect("area"),
            display_name: None,
            disabled: false,
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: 0,
        }
    }

    fn person(township: &str, village: Option<&str>) -> Person {
        Person {
            citizen_id: zhucan_domain::ids::with_check_char("33100319800101001").expect("id"),
            name: "张三".into(),
            township: AreaCode::parse(township).expect("township"),
            village: village.map(|v| AreaCode::parse(v).expect("village")),
            hukou_type: None,
            household_id: None,
            household_size: None,
            phone: None,
            guardian_name: None,
            guardian_phone: None,
            died_on: None,
            moved_out_on: None,
        }
    }

    #[test]
    fn an_area_reaches_its_persons_only() {
        let clerk = Reach::of(&user(Role::TownshipStaff, "331003101"));
        assert!(clerk.covers(&person("331003101", Some("331003101201"))));
        assert!(!clerk.covers(&person("331003102", None)));
        let village = Reach::of(&user(Role::VillageWorker, "331003101201"));
        assert!(village.covers(&person("331003101", Some("331003101201"))));
        assert!(!village.covers(&person("331003101", Some("331003101202"))));
        assert!(!village.covers(&person("331003101", None)));
    }

    #[test]
    fn roles_without_files_and_other_accounts_reach_nobody() {
        let auditor = Reach::of(&user(Role::Auditor, "331003"));
        assert!(auditor.is_nobody());
        assert!(!auditor.covers(&person("331003101", None)));
        let p = person("331003101", None);
        let staff_links = Reach::linked(
            &user(Role::TownshipStaff, "331003101"),
            vec![p.citizen_id.clone()],
        );
        assert!(!staff_links.covers(&p));
        let citizen = Reach::linked(
            &user(Role::Citizen, "331003101"),
            vec![p.citizen_id.clone()],
        );
        assert!(citizen.covers(&p));
        assert!(!Reach::of(&user(Role::Citizen, "331003101")).covers(&p));
        assert!(Reach::system("test").covers(&p));
    }
}
