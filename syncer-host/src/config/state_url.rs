//! The TLS part of a `[state] url`: libpq's `sslmode` (`disable`, `prefer` — the default —,
//! `require`, `verify-ca`, `verify-full`) and `sslrootcert`. The PostgreSQL driver parses only
//! the first three, so the rest is taken out of the URL here; the state's TLS connector enforces
//! it.

use std::path::PathBuf;

/// How much of the server's certificate is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Encrypt, check nothing of the certificate (`prefer`, `require`).
    None,
    /// The chain must lead to a trusted CA (`verify-ca`).
    Chain,
    /// The chain, and the certificate names the host (`verify-full`).
    ChainAndHost,
}

/// The TLS part of a `[state] url`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    /// The certificate check.
    pub verification: Verification,
    /// `sslrootcert`: a PEM file of CAs trusted besides the public roots.
    pub root_cert: Option<PathBuf>,
}

/// Splits a PostgreSQL URL into what the driver parses and the TLS settings it does not know.
/// The returned URL keeps every other parameter as written. Errors name the parameter and the
/// accepted values (never the URL: it holds a password).
pub fn split_url(url: &str) -> Result<(String, TlsSettings), String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut kept = Vec::new();
    let mut verification = Verification::None;
    let mut root_cert = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let Some((key, value)) = url::form_urlencoded::parse(pair.as_bytes()).next() else {
            continue;
        };
        match key.as_ref() {
            "sslmode" => match value.as_ref() {
                "disable" | "prefer" | "require" => kept.push(pair),
                "verify-ca" => {
                    verification = Verification::Chain;
                    kept.push("sslmode=require");
                }
                "verify-full" => {
                    verification = Verification::ChainAndHost;
                    kept.push("sslmode=require");
                }
                other => {
                    return Err(format!(
                        "sslmode `{other}` is not known; use disable, prefer, require, verify-ca or verify-full (verify-full across any network you do not own)"
                    ))
                }
            },
            "sslrootcert" => root_cert = Some(PathBuf::from(value.as_ref())),
            _ => kept.push(pair),
        }
    }
    if root_cert.is_some() && verification == Verification::None {
        return Err(
            "sslrootcert is set but sslmode does not check certificates; add sslmode=verify-full (or verify-ca)"
                .to_owned(),
        );
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((
        url,
        TlsSettings {
            verification,
            root_cert,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_leave_the_url_as_require_and_keep_every_other_parameter() {
        let (url, tls) = split_url(
            "postgres://u:p@db/x?application_name=a&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
        )
        .expect("a verify-full URL splits");
        assert_eq!(
            url,
            "postgres://u:p@db/x?application_name=a&sslmode=require"
        );
        assert_eq!(tls.verification, Verification::ChainAndHost);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let (url, tls) =
            split_url("postgres://u:p@db/x?sslmode=verify-ca").expect("a verify-ca URL splits");
        assert_eq!(url, "postgres://u:p@db/x?sslmode=require");
        assert_eq!(tls.verification, Verification::Chain);
    }

    #[test]
    fn the_driver_modes_pass_through_unchecked() {
        for mode in ["disable", "prefer", "require"] {
            let written = format!("postgres://u:p@db/x?sslmode={mode}");
            let (url, tls) = split_url(&written).expect("a driver mode splits");
            assert_eq!(url, written);
            assert_eq!(tls.verification, Verification::None);
        }
        let (url, tls) = split_url("postgres://u:p@db/x").expect("a URL without sslmode splits");
        assert_eq!(url, "postgres://u:p@db/x");
        assert_eq!(tls.verification, Verification::None);
    }

    #[test]
    fn an_unknown_mode_or_a_root_cert_without_verification_is_refused_without_the_url() {
        let error = split_url("postgres://u:secret@db/x?sslmode=allow-ish").unwrap_err();
        assert!(error.contains("verify-full"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        let error = split_url("postgres://u:secret@db/x?sslrootcert=/ca.pem").unwrap_err();
        assert!(error.contains("sslmode=verify-full"), "{error}");
    }
}
