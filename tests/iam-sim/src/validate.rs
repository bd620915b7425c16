//! Name rules and the exact messages IAM answers when they are broken.
//!
//! Sources: hanzoai/iam `object/check.go` (`CheckUsername`, `CheckUsernameWithEmail`),
//! `util/validation.go` (`ReUserName`, `ReUserNameWithEmail`), `routers/field_validation_filter.go`
//! (Hanzo's forbidden characters) and `object/group.go` (`checkGroupName`).

use std::sync::OnceLock;

use regex::Regex;

/// Answer of the authorization layer and of every capability gate.
pub(crate) const UNAUTHORIZED: &str = "Unauthorized operation";

/// Characters Hanzo's `FieldValidationFilter` refuses in a `name` on `add-*`/`update-*`.
const HANZO_FORBIDDEN_CHARS: &str = "/?:#&%=+;";

fn user_name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new("^[a-zA-Z0-9]+([-._][a-zA-Z0-9]+)*$").expect("static user name regex compiles")
    })
}

fn user_name_with_email_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Same alternation as Casdoor: the anchors bind to one branch each.
        Regex::new(
            r"^([a-zA-Z0-9]+([-._][a-zA-Z0-9]+)*)|([a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,})$",
        )
        .expect("static user name with email regex compiles")
    })
}

fn length_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("Empty username.".to_string())
    } else if name.len() > 255 {
        Some("Username is too long (maximum is 255 characters).".to_string())
    } else {
        None
    }
}

/// `CheckUsername`: the rule for organizations that do not use emails as user names.
pub(crate) fn check_username(name: &str) -> Option<String> {
    if let Some(problem) = length_problem(name) {
        return Some(problem);
    }
    if !user_name_re().is_match(name) {
        return Some(
            "The username may only contain alphanumeric characters, underlines or hyphens, \
             cannot have consecutive hyphens or underlines, and cannot begin or end with a \
             hyphen or underline."
                .to_string(),
        );
    }
    None
}

/// `CheckUsernameWithEmail`: the rule for organizations with `useEmailAsUsername`.
pub(crate) fn check_username_with_email(name: &str) -> Option<String> {
    if let Some(problem) = length_problem(name) {
        return Some(problem);
    }
    if !user_name_with_email_re().is_match(name) {
        return Some(
            "Username supports email format. Also The username may only contain alphanumeric \
             characters, underlines or hyphens, cannot have consecutive hyphens or underlines, \
             and cannot begin or end with a hyphen or underline. Also pay attention to the \
             email format."
                .to_string(),
        );
    }
    None
}

/// Hanzo's router filter on `name` for every `add-*` and `update-*` call.
pub(crate) fn hanzo_forbidden_name_chars(name: &str) -> Option<String> {
    if name.chars().any(|c| HANZO_FORBIDDEN_CHARS.contains(c)) {
        Some(format!(
            "Field 'name' contains forbidden characters: \"{HANZO_FORBIDDEN_CHARS}\""
        ))
    } else {
        None
    }
}

/// `checkGroupName`: empty, `/`, or the name of an existing organization.
pub(crate) fn check_group_name(name: &str, organizations: &[String]) -> Option<String> {
    if name.is_empty() {
        Some("group name can't be empty".to_string())
    } else if name.contains('/') {
        Some("group name can't contain \"/\"".to_string())
    } else if organizations.iter().any(|org| org == name) {
        Some("group name can't be same as the organization name".to_string())
    } else {
        None
    }
}

/// Splits `owner/name` like `util.GetOwnerAndNameFromIdWithError` (exactly one slash).
pub(crate) fn split_id(id: &str) -> Result<(&str, &str), String> {
    let mut parts = id.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(owner), Some(name), None) => Ok((owner, name)),
        _ => Err(format!(
            "GetOwnerAndNameFromId() error, wrong token count for ID: {id}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_current_casdoor_rule() {
        assert!(check_username("alice.smith-2").is_none());
        assert!(check_username("a_b").is_none());
        assert!(check_username("a__b").is_some());
        assert!(check_username("-a").is_some());
        assert!(check_username("Zhang San").is_some());
        assert!(check_username("张三").is_some());
        assert_eq!(check_username("").as_deref(), Some("Empty username."));
    }

    #[test]
    fn ids_need_exactly_one_slash() {
        assert_eq!(split_id("acme/bob"), Ok(("acme", "bob")));
        assert!(split_id("acme").is_err());
        assert!(split_id("a/b/c").is_err());
    }
}
