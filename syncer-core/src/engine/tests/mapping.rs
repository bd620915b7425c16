//! The field mapping as the engine uses it: overrides, fallbacks and inverted flags.

use super::*;

#[test]
fn mapping_overrides_replace_defaults_and_unknown_fields_are_named() {
    let mut overrides = BTreeMap::new();
    overrides.insert("job_number".to_owned(), "Title".to_owned());
    let mapping = FieldMapping::build(&PLUGIN, &overrides).expect("valid");
    let rule = mapping
        .rules()
        .iter()
        .find(|r| r.target == IamField::Title)
        .expect("title rule");
    assert_eq!(rule.source, "job_number");
    assert_eq!(
        mapping
            .targets()
            .iter()
            .filter(|t| **t == IamField::Title)
            .count(),
        1
    );

    overrides.insert("nickname".to_owned(), "Title".to_owned());
    let error = FieldMapping::build(&PLUGIN, &overrides).expect_err("unknown source");
    assert!(error.to_string().contains("`nickname`"), "{error}");

    let mut bad_target = BTreeMap::new();
    bad_target.insert("job_number".to_owned(), "Nickname".to_owned());
    let error = FieldMapping::build(&PLUGIN, &bad_target).expect_err("unknown IAM field");
    assert!(error.to_string().contains("`Nickname`"), "{error}");
}

#[test]
fn name_falls_back_to_userid_and_active_is_inverted() {
    let record = SourceRecord::new("u1")
        .with("userid", "u1")
        .with("active", false);
    let values = mapping().apply(&record);
    assert_eq!(values[&IamField::Name], "u1".into());
    assert_eq!(values[&IamField::IsForbidden], true.into());
}

#[test]
fn the_mapping_knows_the_permission_each_mapped_source_field_declares() {
    let mapping = mapping();
    assert_eq!(
        mapping.permission(IamField::Phone),
        Some("the Contact.User.mobile scope")
    );
    assert_eq!(mapping.permission(IamField::Email), None);
    assert_eq!(mapping.permission(IamField::Avatar), None, "not mapped");
}
