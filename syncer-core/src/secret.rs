//! A string that must never be shown: App Secrets, client secrets, tokens.
//!
//! `Debug` and `Display` print `***`; the only way to the value is [`Secret::expose`], so every
//! place that sends a secret over the wire is easy to find.

use std::fmt;

/// A secret value (password, App Secret, client secret) that prints as `***`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The mask printed instead of a secret.
    pub const MASK: &'static str = "***";

    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it to the remote API.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (not configured).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces every occurrence of the secret in `text` by `***`, for messages that may quote
    /// a remote answer (a remote server could echo what it was sent).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.0, Self::MASK)
    }
}

/// `url` with the password of its userinfo (`http://user:PASSWORD@proxy`) masked, for display:
/// a URL's credentials are a secret wherever the URL is shown. Text that is not a URL with
/// userinfo comes back unchanged.
pub fn mask_url_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
    format!("{scheme}://{user}:{}@{host}{tail}", Secret::MASK)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("s3cr3t-value");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(secret.expose(), "s3cr3t-value");
    }

    #[test]
    fn a_urls_credentials_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_url_credentials("http://proxy-user:S3CRET@proxy.local:3128/path?q=1"),
            "http://proxy-user:***@proxy.local:3128/path?q=1"
        );
        assert_eq!(
            mask_url_credentials("https://tokenonly@host"),
            "https://tokenonly:***@host"
        );
        assert_eq!(
            mask_url_credentials("https://oapi.dingtalk.com/x@y"),
            "https://oapi.dingtalk.com/x@y"
        );
        assert_eq!(mask_url_credentials("not a url"), "not a url");
    }

    #[test]
    fn redact_masks_echoed_secret() {
        let secret = Secret::new("s3cr3t-value");
        assert_eq!(
            secret.redact("bad appsecret=s3cr3t-value"),
            "bad appsecret=***"
        );
    }
}
