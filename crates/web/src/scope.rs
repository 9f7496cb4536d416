//! Who may see what: the single place where an account's role and area decide which persons
//! it reaches. Every handler that touches a person goes through here; a person outside the
//! caller's area is reported as not found, never as forbidden.

use zhucan_domain::access::Role;
use zhucan_domain::area::AreaCode;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::person::Person;
use zhucan_store::{PersonFile, Reach, Store, User};

/// The area whose persons the account may read, or `None` if its role reads no person files.
pub fn person_area(user: &User) -> Option<&AreaCode> {
    user.role.reads_persons().then_some(&user.area)
}

/// Whether `user` may read `person`'s file.
pub fn can_read(user: &User, person: &Person) -> bool {
    Reach::of(user).covers(person)
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

/// The area whose registry workbook the account may download: a district administrator's
/// (the whole registry) or a township clerk's own township; `None` for other roles.
pub fn export_area(user: &User) -> Option<&AreaCode> {
    matches!(user.role, Role::DistrictAdmin | Role::TownshipStaff).then_some(&user.area)
}

/// Whether the account may download a registry workbook (of [`export_area`]).
pub fn can_export(user: &User) -> bool {
    export_area(user).is_some()
}

/// The area inside which the account may import a registry workbook (its own, for roles
/// that change person files); `None` for other roles.
pub fn import_area(user: &User) -> Option<&AreaCode> {
    user.role.writes_persons().then_some(&user.area)
}

/// The file of `id` if `user` may read it (`None` otherwise, as for a person who does not
/// exist).
pub async fn read_file(
    store: &Store,
    user: &User,
    id: &CitizenId,
) -> zhucan_store::Result<Option<PersonFile>> {
    store.person_file(id, &Reach::of(user)).await
}
