//! The string type of the IAM user model: short texts (ids, names, e-mails, phones, group
//! names) are stored inline, without an allocation of their own. A 100,000-user organization
//! is held twice during a sync (as the source wants it and as IAM has it), and a heap block per
//! short string would be most of what it costs.

/// A string that keeps up to 24 bytes inline; derefs to `str`.
pub type Text = compact_str::CompactString;
