//! TLS to the shared state, with libpq's `sslmode` meanings, so the URL an operator already
//! gives `psql` means the same here:
//!
//! | `sslmode` | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (default) | when the server offers it | not checked (encryption only) |
//! | `require` | always | not checked (encryption only) |
//! | `verify-ca` | always | signed by a trusted CA |
//! | `verify-full` | always | signed by a trusted CA and issued for the host connected to |
//!
//! Trusted CAs are the public web roots, plus the PEM file `sslrootcert=PATH` names. The driver
//! knows only `disable`/`prefer`/`require`: the config takes the `verify-*` modes and
//! `sslrootcert` out of the URL ([`crate::config::TlsSettings`]) and the connector built here
//! enforces them.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::config::{TlsSettings, Verification};

/// The driver's TLS connector for these settings.
pub fn connector(settings: &TlsSettings) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let chain = match settings.verification {
        Verification::None => None,
        Verification::Chain | Verification::ChainAndHost => {
            let roots = Arc::new(trusted_roots(settings.root_cert.as_deref())?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| format!("cannot set up TLS: {e}"))?;
            Some(webpki)
        }
    };
    let verifier = LibpqVerifier {
        provider,
        chain,
        check_host: settings.verification == Verification::ChainAndHost,
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The public web roots and the CAs of `extra`.
fn trusted_roots(extra: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let Some(path) = extra else {
        return Ok(roots);
    };
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| {
            format!(
                "cannot read sslrootcert {} ({e}); give the PEM file of the CA that signed the database's certificate",
                path.display()
            )
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("sslrootcert {} is not a PEM certificate file ({e})", path.display()))?;
    if certificates.is_empty() {
        return Err(format!(
            "sslrootcert {} holds no certificate; give the PEM file of the CA that signed the database's certificate",
            path.display()
        ));
    }
    for certificate in certificates {
        roots.add(certificate).map_err(|e| {
            format!(
                "sslrootcert {} holds a certificate that cannot be used as a CA ({e})",
                path.display()
            )
        })?;
    }
    Ok(roots)
}

/// The server's certificate checked as `sslmode` says. The handshake's signatures are always
/// checked (the session is really keyed with the holder of the certificate); `prefer`/`require`
/// take the certificate itself on trust, as libpq does; `verify-ca` checks the chain but not the
/// name in it; `verify-full` checks both.
#[derive(Debug)]
struct LibpqVerifier {
    /// The algorithms the handshake's signatures are checked with.
    provider: Arc<CryptoProvider>,
    /// The chain's check (`verify-ca`, `verify-full`); none for `prefer`/`require`.
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// Whether a certificate issued for another host is refused (`verify-full`).
    check_host: bool,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) if !self.check_host => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_or_empty_root_cert_file_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("missing.pem");
        let settings = TlsSettings {
            verification: Verification::ChainAndHost,
            root_cert: Some(missing.clone()),
        };
        let error = connector(&settings).err().expect("refused");
        assert!(error.contains(&missing.display().to_string()), "{error}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let settings = TlsSettings {
            root_cert: Some(empty),
            ..settings
        };
        let error = connector(&settings).err().expect("refused");
        assert!(error.contains("holds no certificate"), "{error}");
    }
}
