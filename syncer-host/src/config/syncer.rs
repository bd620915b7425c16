//! One `[[syncers]]` table: the keys common to every syncer, and the plugin's own keys checked
//! against the plugin's declaration.

use std::collections::BTreeMap;
use std::time::Duration;

use syncer_core::{
    find_plugin, mask_url_credentials, plugins, AdoptByName, ConfigKind, ConfigValue,
    DeprovisionGuard, FieldMapping, LeaverPolicy, PluginConfig, PluginConfigError,
    PluginDescriptor, Secret,
};

use super::table::{KeyError, Table};

/// The keys every syncer accepts, whatever its type.
pub const COMMON_KEYS: &[&str] = &[
    "name",
    "organization",
    "type",
    "is_enabled",
    "sync_interval",
    "mapping",
    "leavers",
    "deprovision_guard_percent",
    "deprovision_guard_min",
    "write_concurrency",
    "group_name_prefix",
    "adopt_by_name",
    "run_deadline_seconds",
    "monthly_call_budget",
];

/// Seconds a run may take unless `run_deadline_seconds` says otherwise.
pub const DEFAULT_RUN_DEADLINE: u64 = 3600;

/// A validated syncer.
#[derive(Clone, Debug)]
pub struct SyncerSettings {
    /// Unique name.
    pub name: String,
    /// Target IAM organization.
    pub organization: String,
    /// The plugin it uses.
    pub plugin: &'static PluginDescriptor,
    /// The plugin's validated config.
    pub plugin_config: PluginConfig,
    /// Field mapping (defaults plus overrides).
    pub mapping: FieldMapping,
    /// Whether `serve` schedules it.
    pub is_enabled: bool,
    /// Time between scheduled runs (the plugin's default when not set: daily for DingTalk).
    pub sync_interval: Duration,
    /// Metered calls to the source's API it may spend per calendar month (China Standard
    /// Time); `None`: no budget (the plugin declares none and the config sets none).
    pub monthly_call_budget: Option<u64>,
    /// Leaver policy.
    pub leavers: LeaverPolicy,
    /// Mass-deprovision guard.
    pub guard: DeprovisionGuard,
    /// Concurrent writes to the target.
    pub write_concurrency: usize,
    /// Put before every group name (several directories in one IAM).
    pub group_name_prefix: String,
    /// Which unmanaged IAM accounts a Name match may adopt.
    pub adopt_by_name: AdoptByName,
    /// How long one run may take (`run_deadline_seconds`).
    pub run_deadline: Duration,
    /// The plugin keys as written (after expansion), secrets masked, for display.
    pub masked_plugin_keys: BTreeMap<String, String>,
}

/// The common keys of one `[[syncers]]` table, type-checked; the rest are the plugin's.
struct Common {
    name: String,
    organization: String,
    plugin_type: String,
    is_enabled: bool,
    sync_interval: Option<u64>,
    monthly_call_budget: Option<u64>,
    mapping: BTreeMap<String, String>,
    leavers: Option<String>,
    deprovision_guard_percent: Option<f64>,
    deprovision_guard_min: Option<u64>,
    write_concurrency: Option<u64>,
    group_name_prefix: String,
    adopt_by_name: Option<String>,
    run_deadline_seconds: Option<u64>,
}

fn common(table: &mut Table) -> Result<Common, KeyError> {
    let mapping = match table.table("mapping", "{ job_number = \"Title\" }")? {
        Some(mapping) => mapping.strings("\"Title\"")?.into_iter().collect(),
        None => BTreeMap::new(),
    };
    Ok(Common {
        name: table.required_string("name", "\"dingtalk-acme\"")?,
        organization: table.required_string("organization", "\"acme\"")?,
        plugin_type: table.required_string("type", "\"DingTalk\"")?,
        is_enabled: table.boolean("is_enabled")?.unwrap_or(false),
        sync_interval: table.count("sync_interval", "a whole number of seconds", "86400")?,
        monthly_call_budget: table.count(
            "monthly_call_budget",
            "a whole number of API calls",
            "10000",
        )?,
        mapping,
        leavers: table.string("leavers", "\"disable\"")?,
        deprovision_guard_percent: table.number("deprovision_guard_percent", "10")?,
        deprovision_guard_min: table.count(
            "deprovision_guard_min",
            "a whole number of users",
            "10",
        )?,
        write_concurrency: table.count("write_concurrency", "a whole number of writes", "8")?,
        group_name_prefix: table
            .string("group_name_prefix", "\"globex-\"")?
            .unwrap_or_default(),
        adopt_by_name: table.string("adopt_by_name", "\"unionid\"")?,
        run_deadline_seconds: table.count(
            "run_deadline_seconds",
            "a whole number of seconds",
            "3600",
        )?,
    })
}

/// Validates one syncer table (`syncers[N]`); errors name the key's full path.
pub fn parse(mut table: Table) -> Result<SyncerSettings, KeyError> {
    let raw = common(&mut table)?;
    let path = table.path().to_owned();
    let key = |name: &str| format!("{path}.{name}");
    let plugin_keys = table.into_rest();
    check_name(&raw.name).map_err(|problem| (key("name"), problem))?;
    check_organization(&raw.organization).map_err(|problem| (key("organization"), problem))?;
    let plugin = find_plugin(&raw.plugin_type).ok_or_else(|| {
        let known: Vec<&str> = plugins().iter().map(|p| p.type_name).collect();
        (
            key("type"),
            format!(
                "unknown syncer type `{}`; registered types: {}",
                raw.plugin_type,
                known.join(", ")
            ),
        )
    })?;
    let mut values = BTreeMap::new();
    let mut masked = BTreeMap::new();
    for (name, value) in plugin_keys {
        let converted = match &value {
            toml::Value::String(text) => ConfigValue::Text(text.clone()),
            toml::Value::Integer(n) => ConfigValue::Integer(*n),
            toml::Value::Float(n) => ConfigValue::Number(*n),
            toml::Value::Boolean(b) => ConfigValue::Boolean(*b),
            other => {
                return Err((
                    key(&name),
                    format!(
                        "must be a string, number or boolean, got {}",
                        other.type_str()
                    ),
                ))
            }
        };
        let is_url = plugin
            .config_fields
            .iter()
            .any(|field| field.name == name && field.kind == ConfigKind::Url);
        let shown = if plugin.is_secret(&name) {
            Secret::MASK.to_owned()
        } else {
            match &value {
                toml::Value::String(text) if is_url => mask_url_credentials(text),
                toml::Value::String(text) => text.clone(),
                other => other.to_string(),
            }
        };
        masked.insert(name.clone(), shown);
        values.insert(name, converted);
    }
    let plugin_config = PluginConfig::new(plugin, values).map_err(|error| match &error {
        PluginConfigError::UnknownKey {
            key: name, known, ..
        } => (
            key(name),
            format!(
                "unknown key for a syncer of type {}; common keys: {}; {} keys: {known}",
                plugin.type_name,
                COMMON_KEYS.join(", "),
                plugin.type_name
            ),
        ),
        PluginConfigError::MissingKey { key: name, .. }
        | PluginConfigError::InvalidValue { key: name, .. } => (key(name), error.to_string()),
    })?;
    (plugin.build)(&plugin_config).map_err(|error| (path.clone(), error.to_string()))?;
    let mapping = FieldMapping::build(plugin, &raw.mapping)
        .map_err(|error| (key("mapping"), error.to_string()))?;
    let leavers = match raw.leavers.as_deref() {
        None => LeaverPolicy::default(),
        Some(text) => text.parse().map_err(|message| (key("leavers"), message))?,
    };
    let adopt_by_name = match raw.adopt_by_name.as_deref() {
        None => AdoptByName::default(),
        Some(text) => text
            .parse()
            .map_err(|message| (key("adopt_by_name"), message))?,
    };
    let mut guard = DeprovisionGuard::default();
    if let Some(percent) = raw.deprovision_guard_percent {
        if !percent.is_finite() {
            return Err((
                key("deprovision_guard_percent"),
                "must be a number between 0 and 100 (this one overflows)".to_owned(),
            ));
        }
        if !(0.0..=100.0).contains(&percent) {
            return Err((
                key("deprovision_guard_percent"),
                format!("must be between 0 and 100, got {percent}"),
            ));
        }
        guard.max_percent = percent;
    }
    if let Some(min) = raw.deprovision_guard_min {
        guard.min_users = usize::try_from(min).unwrap_or(usize::MAX);
    }
    let sync_interval = raw
        .sync_interval
        .unwrap_or(plugin.schedule.sync_interval_seconds);
    if sync_interval < 1 {
        return Err((
            key("sync_interval"),
            format!("must be at least 1 second, got {sync_interval}"),
        ));
    }
    let monthly_call_budget = raw
        .monthly_call_budget
        .or(plugin.schedule.monthly_call_budget);
    if monthly_call_budget == Some(0) {
        return Err((
            key("monthly_call_budget"),
            format!(
                "must be at least 1 call a month, got 0; set it to what this syncer may spend of the organization's monthly API quota{} (a paid edition allows more), or leave it out for the default",
                match plugin.schedule.monthly_call_budget {
                    Some(default) => format!(" ({default} for {} by default)", plugin.type_name),
                    None => String::new(),
                }
            ),
        ));
    }
    let run_deadline = raw.run_deadline_seconds.unwrap_or(DEFAULT_RUN_DEADLINE);
    if !(1..=7 * 24 * 3600).contains(&run_deadline) {
        return Err((
            key("run_deadline_seconds"),
            format!("must be between 1 second and a week (604800), got {run_deadline}"),
        ));
    }
    let write_concurrency = raw.write_concurrency.unwrap_or(8);
    if !(1..=256).contains(&write_concurrency) {
        return Err((
            key("write_concurrency"),
            format!("must be between 1 and 256, got {write_concurrency}"),
        ));
    }
    let prefix_ok = raw
        .group_name_prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !prefix_ok {
        return Err((
            key("group_name_prefix"),
            format!(
                "`{}` may hold only letters, digits, -, _ and . (IAM group names cannot contain /)",
                raw.group_name_prefix
            ),
        ));
    }
    Ok(SyncerSettings {
        name: raw.name,
        organization: raw.organization,
        plugin,
        plugin_config,
        mapping,
        is_enabled: raw.is_enabled,
        sync_interval: Duration::from_secs(sync_interval),
        monthly_call_budget,
        leavers,
        guard,
        // At most 256, checked above.
        write_concurrency: usize::try_from(write_concurrency).unwrap_or(256),
        group_name_prefix: raw.group_name_prefix,
        adopt_by_name,
        run_deadline: Duration::from_secs(run_deadline),
        masked_plugin_keys: masked,
    })
}

/// The longest syncer name: it appears in URLs, lock names and every log line.
const MAX_NAME_CHARS: usize = 100;

/// A syncer's name goes into API paths (`/api/v1/syncers/{name}`), lock and state keys, and
/// logs: it must be a single path segment of printable characters.
fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "is {} characters long; keep it to {MAX_NAME_CHARS} (it appears in URLs and logs)",
            name.chars().count()
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("holds a control character; use letters, digits, - and _".to_owned());
    }
    if name.contains(['/', '\\']) || name == "." || name.contains("..") {
        return Err(format!(
            "`{name}` cannot be a path segment of the API (no /, \\ or ..); use letters, digits, - and _"
        ));
    }
    if name.trim() != name {
        return Err("starts or ends with whitespace; remove it".to_owned());
    }
    Ok(())
}

/// An IAM organization name is a path segment of IAM's ids (`org/name`).
fn check_organization(organization: &str) -> Result<(), String> {
    if organization.trim().is_empty() {
        return Err("must name the IAM organization users land in".to_owned());
    }
    if organization.chars().any(char::is_control) {
        return Err(
            "holds a control character; write the organization's name as IAM shows it".to_owned(),
        );
    }
    if organization.contains('/') {
        return Err(format!(
            "`{organization}` holds a /, which IAM uses between organization and user; write the organization's name alone"
        ));
    }
    Ok(())
}
