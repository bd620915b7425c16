//! What IAM would refuse, caught before sending: user names with forbidden characters, a name
//! that is taken, and an e-mail or phone that another user holds.
//!
//! A taken or invalid name refuses a create outright. A contested e-mail or phone refuses only
//! that column: an update still sends its other changes (a forbidden flag, groups, a returning
//! leaver's re-enabling), and a create makes the user without the contested value, because an
//! employee must not be kept out of every application by a recycled phone number. Each such
//! loss is reported for the user. A value its holder gives up in the same run (a phone handed
//! from one person to another) is free for the taker, whose write is then sent in a later
//! [`Operation::phase`], after the holder's.

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

/// A value IAM keeps unique in an organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Unique {
    Email,
    Phone,
}

impl Unique {
    const ALL: [Unique; 2] = [Unique::Email, Unique::Phone];

    fn field(self) -> IamField {
        match self {
            Unique::Email => IamField::Email,
            Unique::Phone => IamField::Phone,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Unique::Email => "e-mail",
            Unique::Phone => "phone",
        }
    }

    fn raw(self, user: &IamUser) -> &str {
        match self {
            Unique::Email => &user.email,
            Unique::Phone => &user.phone,
        }
    }

    /// The comparable form: e-mails ignore case, phones their spelling.
    fn key(self, user: &IamUser) -> String {
        match self {
            Unique::Email => user.email.trim().to_lowercase(),
            Unique::Phone => normalize_phone(&user.phone),
        }
    }
}

type Slot = (Unique, String);

/// Where one operation stands while screening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Pending,
    Sent(usize),
    Dropped,
}

/// What one operation asks for: values it takes and values it gives up.
struct Claims {
    takes: Vec<Slot>,
    releases: Vec<Slot>,
}

fn claims_of(op: &Operation, before: Option<&IamUser>) -> Claims {
    let mut claims = Claims {
        takes: Vec::new(),
        releases: Vec::new(),
    };
    for unique in Unique::ALL {
        let key = unique.key(&op.user);
        match (op.kind, before) {
            (OperationKind::Create, _) if !key.is_empty() => claims.takes.push((unique, key)),
            (OperationKind::Create, _) => {}
            (_, Some(before)) if op.columns.contains(&unique.field()) => {
                let old = unique.key(before);
                if old == key {
                    continue;
                }
                if !key.is_empty() {
                    claims.takes.push((unique, key));
                }
                if !old.is_empty() {
                    claims.releases.push((unique, old));
                }
            }
            _ => {}
        }
    }
    claims
}

/// Splits `operations` (creates and updates) into the writes to send, each with its phase and
/// without the values it may not take, and the per-user refusals and losses, in order.
/// Earlier operations win a contested e-mail, phone or name.
pub fn screen(
    operations: impl IntoIterator<Item = Operation>,
    current: &[IamUser],
) -> (Vec<Operation>, Vec<Skipped>) {
    let mut ops: Vec<Operation> = operations.into_iter().collect();
    let before: HashMap<&str, &IamUser> = current.iter().map(|u| (u.name.as_str(), u)).collect();
    let mut names: HashSet<String> = current.iter().map(|u| u.name.clone()).collect();
    let mut holders: HashMap<Slot, String> = HashMap::with_capacity(current.len() * 2);
    for user in current {
        for unique in Unique::ALL {
            let key = unique.key(user);
            if !key.is_empty() {
                holders.insert((unique, key), user.name.clone());
            }
        }
    }
    let claims: Vec<Claims> = ops
        .iter()
        .map(|op| claims_of(op, before.get(op.user.name.as_str()).copied()))
        .collect();
    // Values a not yet sent operation gives up, and by whom.
    let mut releasing: HashMap<Slot, String> = HashMap::new();
    for (op, claim) in ops.iter().zip(&claims) {
        for slot in &claim.releases {
            releasing.insert(slot.clone(), op.user.name.clone());
        }
    }

    let mut fates = vec![Fate::Pending; ops.len()];
    let mut losses: Vec<Vec<(Unique, String)>> = vec![Vec::new(); ops.len()];
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut pending: Vec<usize> = (0..ops.len()).collect();
    let mut phase = 0;
    let mut forced = None;
    while !pending.is_empty() {
        let mut waiting = Vec::new();
        let mut taken_now: HashMap<Slot, String> = HashMap::new();
        let mut given_up: Vec<(Slot, String)> = Vec::new();
        let mut decided = false;
        for i in pending {
            let op = &ops[i];
            let me = op.user.name.as_str();
            if op.kind == OperationKind::Create {
                if let Some(reason) = name_refusal(&op.user.name, &names) {
                    decided = true;
                    fates[i] = Fate::Dropped;
                    refused.push((i, reason));
                    continue;
                }
            }
            let mut lost = Vec::new();
            let mut waits = false;
            for slot in &claims[i].takes {
                let holder = taken_now
                    .get(slot)
                    .or_else(|| holders.get(slot))
                    .filter(|holder| holder.as_str() != me);
                let Some(holder) = holder else {
                    continue;
                };
                let released = !taken_now.contains_key(slot)
                    && releasing.get(slot).is_some_and(|by| by == holder);
                if released && forced != Some(i) {
                    waits = true;
                } else {
                    lost.push((slot.0, holder.clone()));
                }
            }
            if waits {
                waiting.push(i);
                continue;
            }
            decided = true;
            fates[i] = Fate::Sent(phase);
            if op.kind == OperationKind::Create {
                names.insert(op.user.name.clone());
            }
            let dropped = |unique: Unique| lost.iter().any(|(u, _)| *u == unique);
            for slot in &claims[i].takes {
                if !dropped(slot.0) {
                    taken_now.insert(slot.clone(), me.to_owned());
                }
            }
            for slot in &claims[i].releases {
                if dropped(slot.0) {
                    // The value stays with this user after all.
                    releasing.remove(slot);
                } else {
                    given_up.push((slot.clone(), me.to_owned()));
                }
            }
            losses[i] = lost;
        }
        for (slot, by) in given_up {
            if holders.get(&slot).is_some_and(|holder| *holder == by) {
                holders.remove(&slot);
            }
            releasing.remove(&slot);
        }
        holders.extend(taken_now);
        // When everyone left waits on someone else (values swapped in a cycle), the first one
        // goes without the values it waits for, which frees the rest.
        forced = if decided {
            phase += 1;
            None
        } else {
            waiting.first().copied()
        };
        pending = waiting;
    }

    for (i, lost) in losses.iter().enumerate() {
        if lost.is_empty() {
            continue;
        }
        let reason = loss_reason(&mut ops[i], lost, &before);
        refused.push((i, reason));
        if ops[i].kind != OperationKind::Create && ops[i].columns.is_empty() {
            fates[i] = Fate::Dropped;
        }
    }
    refused.sort_by_key(|(i, _)| *i);
    let refused = refused
        .into_iter()
        .map(|(i, reason)| Skipped {
            user: ops[i].subject(),
            reason,
        })
        .collect();
    let mut sent: Vec<(usize, Operation)> = ops
        .into_iter()
        .zip(fates)
        .filter_map(|(mut op, fate)| match fate {
            Fate::Sent(phase) => {
                op.phase = phase;
                Some((phase, op))
            }
            _ => None,
        })
        .collect();
    sent.sort_by_key(|(phase, _)| *phase);
    (sent.into_iter().map(|(_, op)| op).collect(), refused)
}

fn name_refusal(name: &str, names: &HashSet<String>) -> Option<String> {
    if !is_valid_user_name(name) {
        return Some(format!(
            "user name `{name}` has characters IAM refuses (only letters, digits and single - . _ between them); map Name from another source field"
        ));
    }
    names
        .contains(name)
        .then(|| format!("user name `{name}` is already taken in IAM"))
}

/// Takes the lost values out of `op` (back to what IAM holds, or empty for a create) and says
/// what was lost and why.
fn loss_reason(
    op: &mut Operation,
    lost: &[(Unique, String)],
    before: &HashMap<&str, &IamUser>,
) -> String {
    let creating = op.kind == OperationKind::Create;
    let mut parts = Vec::new();
    for (unique, holder) in lost {
        let field = unique.field();
        parts.push(format!(
            "{} {} is already used by IAM user {holder}",
            unique.label(),
            unique.raw(&op.user)
        ));
        let kept = before
            .get(op.user.name.as_str())
            .filter(|_| !creating)
            .map(|user| user.get(field))
            .unwrap_or_else(|| String::new().into());
        op.user.set(field, kept);
        op.columns.retain(|column| *column != field);
    }
    let what: Vec<&str> = lost.iter().map(|(unique, _)| unique.label()).collect();
    let outcome = if creating {
        format!(
            "the user was created without that {}; free it in IAM or fix it in the source, and the next sync sets it",
            what.join(" and ")
        )
    } else if op.columns.is_empty() {
        format!("the {} was left as it is", what.join(" and "))
    } else {
        format!(
            "the {} was left as it is and the other changes were written",
            what.join(" and ")
        )
    };
    format!("{}: {outcome}", parts.join("; "))
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
