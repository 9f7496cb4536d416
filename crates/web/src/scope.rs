//! Who may see what: the single place where an account's role and area decide which persons
//! it reaches. Every handler that touches a person goes through here; a person outside the
//! caller's area is reported as not found, never as forbidden.

use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::person::Person;
use zhucan_store::User;

/// The area whose persons the account may read, or `None` if its role reads no person files.
pub fn person_area(user: &User) -> Option<&AreaCode> {
    user.role.reads_persons().then_some(&user.area)
}

/// Whether `user` may read `person`'s file.
pub fn can_read(user: &User, person: &Person) -> bool {
    match person_area(user) {
        None => false,
        Some(area) => {
            area.contains(&person.township)
                || person.village.as_ref().is_some_and(|v| area.contains(v))
        }
    }
}

/// Whether `user` may change `person`'s file.
pub fn can_write(user: &User, person: &Person) -> bool {
    user.role.writes_persons() && can_read(user, person)
}

/// Whether `user` may register a person living in `township`/`village`.
pub fn can_register_in(user: &User, township: &AreaCode, village: Option<&AreaCode>) -> bool {
    user.role.writes_persons()
        && (user.area.contains(township) || village.is_some_and(|v| user.area.contains(v)))
}

/// Whether the role may download the whole registry workbook.
pub fn can_export(user: &User) -> bool {
    user.role == Role::DistrictAdmin
}
