//! [`person_mapping`]: the default mapping every directory of people shares, built from the
//! names the backend gives its own fields. Knows no backend: a backend names its fields and the
//! IAM field of its OAuth provider.

use syncer_core::{MappingSpec, Transform};

/// A backend's source fields for the person mapping, in this order: the person's id (→ `Id`,
/// and → the provider field so OAuth sign-in finds the same user), the organization-wide id
/// (→ `Name`, the person's id when empty), and the fields copied to `DisplayName`, `Email`,
/// `Phone`, `Avatar` and `Title`.
pub type PersonFields = [&'static str; 7];

/// The default mapping of a directory of people: [`PersonFields`] as their order says,
/// `forbidden` (a source field and its transform) → `IsForbidden`, and the person's id → the IAM
/// field `provider` (the backend's OAuth provider, e.g. the column its sign-in fills).
///
/// ```
/// use syncer_core::{MappingSpec, Transform};
/// const MAPPING: &[MappingSpec] = &syncer_remote::person_mapping(
///     ["id", "uid", "name", "mail", "phone", "photo", "role"],
///     ("active", Transform::Invert),
///     "Example",
/// );
/// assert_eq!(MAPPING.len(), 9);
/// assert_eq!(MAPPING[1].transform, Transform::FallbackTo("id"));
/// assert_eq!((MAPPING[8].source, MAPPING[8].target), ("id", "Example"));
/// ```
pub const fn person_mapping(
    fields: PersonFields,
    forbidden: (&'static str, Transform),
    provider: &'static str,
) -> [MappingSpec; 9] {
    let [id, union_id, name, email, phone, avatar, title] = fields;
    [
        copy(id, "Id"),
        MappingSpec {
            source: union_id,
            target: "Name",
            transform: Transform::FallbackTo(id),
        },
        copy(name, "DisplayName"),
        copy(email, "Email"),
        copy(phone, "Phone"),
        copy(avatar, "Avatar"),
        copy(title, "Title"),
        MappingSpec {
            source: forbidden.0,
            target: "IsForbidden",
            transform: forbidden.1,
        },
        copy(id, provider),
    ]
}

const fn copy(source: &'static str, target: &'static str) -> MappingSpec {
    MappingSpec {
        source,
        target,
        transform: Transform::Copy,
    }
}
