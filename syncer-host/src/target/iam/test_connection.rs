//! Test Connection of the IAM side: the application's credentials, the organization, the right
//! to read its users, and the organization's per-field rules ("account items") that would make
//! IAM refuse — or silently ignore — the fields a sync writes.

use serde::Deserialize;
use serde_json::Value;
use syncer_core::ConnectionCheck;

use super::client::IamClient;

/// The account items (IAM's names) of the fields a sync writes, security-relevant ones first.
const WRITTEN_ITEMS: &[&str] = &[
    "Is forbidden",
    "Groups",
    "Properties",
    "Display name",
    "Email",
    "Phone",
    "Avatar",
    "Title",
];

/// The API prefix of Casdoor-compatible servers, which treat applications as administrators.
const CASDOOR_PREFIX: &str = "/api";

/// One per-field rule of an organization.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountItem {
    #[serde(default)]
    name: String,
    #[serde(default)]
    view_rule: String,
    #[serde(default)]
    modify_rule: String,
}

/// The items among [`WRITTEN_ITEMS`] a non-admin application cannot write, with why.
fn blocked_items(organization: &Value) -> Vec<String> {
    let Some(items) = organization.get("accountItems").and_then(Value::as_array) else {
        return Vec::new();
    };
    let items: Vec<AccountItem> = items
        .iter()
        .filter_map(|item| serde_json::from_value(item.clone()).ok())
        .collect();
    WRITTEN_ITEMS
        .iter()
        .filter_map(|name| {
            let item = items.iter().find(|item| item.name == *name)?;
            if item.view_rule == "Admin" {
                Some(format!(
                    "\"{name}\" (View rule Admin: changes are silently dropped)"
                ))
            } else if matches!(item.modify_rule.as_str(), "Admin" | "Immutable") {
                Some(format!(
                    "\"{name}\" (Modify rule {}: changes are refused)",
                    item.modify_rule
                ))
            } else {
                None
            }
        })
        .collect()
}

/// Runs the IAM-side checks for `organization`.
pub(super) async fn check(
    client: &IamClient,
    organization: &str,
    can_read_users: impl std::future::Future<Output = Result<(), syncer_core::TargetError>>,
) -> Vec<ConnectionCheck> {
    let mut checks = Vec::new();
    let client_id = &client.settings.client_id;
    let query = [("id", format!("admin/{organization}"))];
    let envelope = match client.get::<Value>("get-organization", &query).await {
        Err(error) => {
            checks.push(ConnectionCheck::failed("IAM reachable", error.to_string()));
            return checks;
        }
        Ok(envelope) if envelope.is_error() => {
            checks.push(ConnectionCheck::failed(
                "IAM credentials",
                format!(
                    "IAM refused application `{client_id}`: {} — check client_id and client_secret in [target]",
                    client.settings.client_secret.redact(&envelope.msg)
                ),
            ));
            return checks;
        }
        Ok(envelope) => envelope,
    };
    checks.push(ConnectionCheck::passed(
        "IAM credentials",
        "IAM accepted the application's credentials",
    ));
    let organization_data = envelope.data().clone();
    if organization_data.is_null() {
        checks.push(ConnectionCheck::failed(
            "IAM organization",
            format!("organization `{organization}` does not exist in IAM; create it or fix `organization` of this syncer"),
        ));
        return checks;
    }
    checks.push(ConnectionCheck::passed(
        "IAM organization",
        format!("organization `{organization}` exists"),
    ));
    match can_read_users.await {
        Ok(()) => checks.push(ConnectionCheck::passed(
            "IAM user management",
            format!("application `{client_id}` may read the organization's users"),
        )),
        Err(error) => {
            checks.push(ConnectionCheck::failed(
                "IAM user management",
                error.to_string(),
            ));
            return checks;
        }
    }
    let blocked = blocked_items(&organization_data);
    checks.push(if blocked.is_empty() {
        ConnectionCheck::passed(
            "IAM field rules",
            "no account item of the organization keeps the application from writing the synced fields",
        )
    } else if client.settings.api_prefix == CASDOOR_PREFIX {
        // Casdoor makes every application a global administrator: the rules do not bind it.
        ConnectionCheck::passed(
            "IAM field rules",
            format!(
                "organization `{organization}` restricts {} to administrators; Casdoor treats application `{client_id}` as one, so the sync may write them",
                blocked.join(", ")
            ),
        )
    } else {
        ConnectionCheck::failed(
            "IAM field rules",
            format!(
                "organization `{organization}` restricts fields a sync writes: {} — unless IAM treats application `{client_id}` as an administrator, leavers would not be disabled or memberships not kept; in IAM open Organizations → {organization} → Account items and set those items' View rule to Public and Modify rule to Self or Public",
                blocked.join(", ")
            ),
        )
    });
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn admin_only_items_the_sync_writes_are_named() {
        let organization = json!({"accountItems": [
            {"name": "Is forbidden", "visible": true, "viewRule": "Admin", "modifyRule": "Admin"},
            {"name": "Groups", "visible": true, "viewRule": "Public", "modifyRule": "Admin"},
            {"name": "Email", "visible": true, "viewRule": "Public", "modifyRule": "Self"},
            {"name": "Password", "visible": true, "viewRule": "Admin", "modifyRule": "Admin"},
        ]});
        let blocked = blocked_items(&organization);
        assert_eq!(blocked.len(), 2, "{blocked:?}");
        assert!(blocked[0].contains("Is forbidden") && blocked[0].contains("silently"));
        assert!(blocked[1].contains("Groups") && blocked[1].contains("refused"));
    }

    #[test]
    fn an_organization_without_items_blocks_nothing() {
        assert!(blocked_items(&json!({"accountItems": null})).is_empty());
        assert!(blocked_items(&json!({})).is_empty());
    }
}
