//! What IAM would refuse, caught before sending: user names with forbidden characters, and an
//! e-mail, phone or name that another user already has. Each refusal is reported per user.

use std::collections::{HashMap, HashSet};

use super::plan::{Operation, OperationKind, Skipped};
use crate::field::IamField;
use crate::phone::normalize_phone;
use crate::user::IamUser;

/// Whether IAM accepts `name` as a user name: letters and digits, in runs joined by single
/// `-`, `.` or `_` (`^[a-zA-Z0-9]+([-._][a-zA-Z0-9]+)*$`).
pub fn is_valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split(['-', '.', '_'])
            .all(|run| !run.is_empty() && run.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Splits `operations` into those IAM would accept and the refusals, in order. Earlier
/// operations win a contested e-mail, phone or name.
pub fn screen(
    operations: impl IntoIterator<Item = Operation>,
    current: &[IamUser],
) -> (Vec<Operation>, Vec<Skipped>) {
    let mut names: HashSet<String> = current.iter().map(|u| u.name.clone()).collect();
    let mut emails = holders(current, |u| u.email.trim().to_lowercase());
    let mut phones = holders(current, |u| normalize_phone(&u.phone));
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for op in operations {
        match refusal(&op, &mut names, &mut emails, &mut phones) {
            Some(reason) => refused.push(Skipped {
                user: op.subject(),
                reason,
            }),
            None => accepted.push(op),
        }
    }
    (accepted, refused)
}

fn holders(users: &[IamUser], key: impl Fn(&IamUser) -> String) -> HashMap<String, String> {
    users
        .iter()
        .map(|u| (key(u), u.name.clone()))
        .filter(|(value, _)| !value.is_empty())
        .collect()
}

fn refusal(
    op: &Operation,
    names: &mut HashSet<String>,
    emails: &mut HashMap<String, String>,
    phones: &mut HashMap<String, String>,
) -> Option<String> {
    let user = &op.user;
    let creating = op.kind == OperationKind::Create;
    if creating {
        if !is_valid_user_name(&user.name) {
            return Some(format!(
                "user name `{}` has characters IAM refuses (only letters, digits and single - . _ between them); map Name from another source field",
                user.name
            ));
        }
        if names.contains(&user.name) {
            return Some(format!("user name `{}` is already taken in IAM", user.name));
        }
    }
    let writes = |field: IamField| creating || op.columns.contains(&field);
    let email = user.email.trim().to_lowercase();
    if writes(IamField::Email) && claimed_by_other(emails, &email, &user.name) {
        return Some(format!(
            "e-mail {} is already used by IAM user {}",
            user.email, emails[&email]
        ));
    }
    let phone = normalize_phone(&user.phone);
    if writes(IamField::Phone) && claimed_by_other(phones, &phone, &user.name) {
        return Some(format!(
            "phone {} is already used by IAM user {}",
            user.phone, phones[&phone]
        ));
    }
    if creating {
        names.insert(user.name.clone());
    }
    if !email.is_empty() {
        emails.insert(email, user.name.clone());
    }
    if !phone.is_empty() {
        phones.insert(phone, user.name.clone());
    }
    None
}

fn claimed_by_other(holders: &HashMap<String, String>, value: &str, me: &str) -> bool {
    !value.is_empty() && holders.get(value).is_some_and(|holder| holder != me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_iam_rule() {
        for ok in ["alice", "a.b-c_d", "User42", "0123"] {
            assert!(is_valid_user_name(ok), "{ok}");
        }
        for bad in ["", "张三", "a b", "a/b", "-a", "a-", "a..b", "a@b"] {
            assert!(!is_valid_user_name(bad), "{bad}");
        }
    }
}
