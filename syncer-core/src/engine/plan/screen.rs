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

use crate::engine::vocabulary::{Operation, OperationKind, Skipped};
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

/// Who holds a value: a user as IAM lists it, or the user a planned operation writes. Indexes,
/// not names, so screening 100,000 creates copies no name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holder {
    Current(usize),
    Planned(usize),
}

/// What screening decided for every operation.
struct Decisions {
    fates: Vec<Fate>,
    /// Per operation: the values it may not take, and the IAM user holding each.
    losses: Vec<Vec<(Unique, String)>>,
    /// Creates refused outright, with the reason.
    refused: Vec<(usize, String)>,
}

/// Splits `operations` (creates and updates) into the writes to send, each with its phase and
/// without the values it may not take, and the per-user refusals and losses, in order.
/// Earlier operations win a contested e-mail, phone or name.
pub(super) fn screen(
    operations: impl IntoIterator<Item = Operation>,
    current: &[IamUser],
) -> (Vec<Operation>, Vec<Skipped>) {
    let mut ops: Vec<Operation> = operations.into_iter().collect();
    let Decisions {
        mut fates,
        losses,
        mut refused,
    } = decide(&ops, current);

    let before: HashMap<&str, &IamUser> = current.iter().map(|u| (u.name.as_str(), u)).collect();
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
    let mut sent: Vec<Operation> = ops
        .into_iter()
        .zip(fates)
        .filter_map(|(mut op, fate)| match fate {
            Fate::Sent(phase) => {
                op.phase = phase;
                Some(op)
            }
            _ => None,
        })
        .collect();
    // Stable: within a phase, creates, updates and deprovisions keep their order.
    sent.sort_by_key(|op| op.phase);
    (sent, refused)
}

/// Decides, phase by phase, which operation is sent when and which values it loses.
fn decide(ops: &[Operation], current: &[IamUser]) -> Decisions {
    let before: HashMap<&str, usize> = current
        .iter()
        .enumerate()
        .map(|(at, u)| (u.name.as_str(), at))
        .collect();
    let name_of = |holder: Holder| match holder {
        Holder::Current(at) => current[at].name.as_str(),
        Holder::Planned(at) => ops[at].user.name.as_str(),
    };
    let mut names: HashSet<&str> = current.iter().map(|u| u.name.as_str()).collect();
    let claims: Vec<Claims> = ops
        .iter()
        .map(|op| {
            let existing = before.get(op.user.name.as_str()).map(|at| &current[*at]);
            claims_of(op, existing)
        })
        .collect();
    // Only the values some operation takes can be contested: in a steady state that is none,
    // and the organization's other e-mails and phones need no index.
    let contested: HashSet<&Slot> = claims.iter().flat_map(|claim| &claim.takes).collect();
    let current_slots: Vec<(Slot, usize)> = if contested.is_empty() {
        Vec::new()
    } else {
        current
            .iter()
            .enumerate()
            .flat_map(|(at, user)| {
                Unique::ALL
                    .into_iter()
                    .map(move |unique| ((unique, unique.key(user)), at))
            })
            .filter(|(slot, _)| contested.contains(slot))
            .collect()
    };
    let mut holders: HashMap<&Slot, Holder> = current_slots
        .iter()
        .map(|(slot, at)| (slot, Holder::Current(*at)))
        .collect();
    // Values a not yet sent operation gives up, and which operation.
    let mut releasing: HashMap<&Slot, usize> = HashMap::new();
    for (at, claim) in claims.iter().enumerate() {
        for slot in &claim.releases {
            releasing.insert(slot, at);
        }
    }

    let mut decisions = Decisions {
        fates: vec![Fate::Pending; ops.len()],
        losses: vec![Vec::new(); ops.len()],
        refused: Vec::new(),
    };
    let mut pending: Vec<usize> = (0..ops.len()).collect();
    let mut phase = 0;
    let mut forced = None;
    while !pending.is_empty() {
        let mut waiting = Vec::new();
        let mut taken_now: HashMap<&Slot, Holder> = HashMap::new();
        let mut given_up: Vec<(&Slot, &str)> = Vec::new();
        let mut decided = false;
        for i in pending {
            let op = &ops[i];
            let me = op.user.name.as_str();
            if op.kind == OperationKind::Create {
                if let Some(reason) = name_refusal(me, &names) {
                    decided = true;
                    decisions.fates[i] = Fate::Dropped;
                    decisions.refused.push((i, reason));
                    continue;
                }
            }
            let mut lost = Vec::new();
            let mut waits = false;
            for slot in &claims[i].takes {
                let holder = taken_now
                    .get(slot)
                    .or_else(|| holders.get(slot))
                    .copied()
                    .filter(|holder| name_of(*holder) != me);
                let Some(holder) = holder else {
                    continue;
                };
                let released = !taken_now.contains_key(slot)
                    && releasing
                        .get(slot)
                        .is_some_and(|by| ops[*by].user.name == name_of(holder));
                if released && forced != Some(i) {
                    waits = true;
                } else {
                    lost.push((slot.0, name_of(holder).to_owned()));
                }
            }
            if waits {
                waiting.push(i);
                continue;
            }
            decided = true;
            decisions.fates[i] = Fate::Sent(phase);
            if op.kind == OperationKind::Create {
                names.insert(me);
            }
            let dropped = |unique: Unique| lost.iter().any(|(u, _)| *u == unique);
            for slot in &claims[i].takes {
                if !dropped(slot.0) {
                    taken_now.insert(slot, Holder::Planned(i));
                }
            }
            for slot in &claims[i].releases {
                if dropped(slot.0) {
                    // The value stays with this user after all.
                    releasing.remove(slot);
                } else {
                    given_up.push((slot, me));
                }
            }
            decisions.losses[i] = lost;
        }
        for (slot, by) in given_up {
            if holders
                .get(slot)
                .is_some_and(|holder| name_of(*holder) == by)
            {
                holders.remove(slot);
            }
            releasing.remove(slot);
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
    decisions
}

fn name_refusal(name: &str, names: &HashSet<&str>) -> Option<String> {
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
