//! Lark's callback encryption and signature, written from the published description: key =
//! SHA-256 of the Encrypt Key, AES-256-CBC with a random IV, PKCS#7 on 16-byte blocks, the text
//! sent as base64(iv ‖ ciphertext); `X-Lark-Signature` = hex SHA-256 of timestamp ‖ nonce ‖
//! Encrypt Key ‖ raw body.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use syncer_sim_kit::{aes256_cbc_encrypt, hex, sha256, AES_BLOCK};

/// Seals `plain` under `encrypt_key` with `iv`.
pub(crate) fn seal(encrypt_key: &str, iv: [u8; 16], plain: &[u8]) -> String {
    let pad = AES_BLOCK - plain.len() % AES_BLOCK;
    let mut padded = plain.to_vec();
    padded.resize(plain.len() + pad, pad as u8);
    let sealed = aes256_cbc_encrypt(&sha256(encrypt_key.as_bytes()), &iv, &padded)
        .expect("PKCS#7 pads to whole blocks");
    let mut out = iv.to_vec();
    out.extend_from_slice(&sealed);
    STANDARD.encode(out)
}

/// Opens a sealed text (what a receiver does; the fake's own tests are its only user); None when it is not base64 of an IV and whole blocks with PKCS#7 padding.
#[cfg(test)]
pub(crate) fn open(encrypt_key: &str, sealed: &str) -> Option<Vec<u8>> {
    use syncer_sim_kit::aes256_cbc_decrypt;

    let raw = STANDARD.decode(sealed).ok()?;
    let (iv, body) = raw.split_at_checked(AES_BLOCK)?;
    let iv: [u8; 16] = iv.try_into().ok()?;
    let mut plain = aes256_cbc_decrypt(&sha256(encrypt_key.as_bytes()), &iv, body)?;
    let pad = usize::from(*plain.last()?);
    let valid = (1..=AES_BLOCK).contains(&pad)
        && plain[plain.len() - pad..]
            .iter()
            .all(|&b| usize::from(b) == pad);
    if !valid {
        return None;
    }
    plain.truncate(plain.len() - pad);
    Some(plain)
}

/// `X-Lark-Signature` of a request.
pub(crate) fn signature(timestamp: &str, nonce: &str, encrypt_key: &str, body: &[u8]) -> String {
    let mut signed =
        Vec::with_capacity(timestamp.len() + nonce.len() + encrypt_key.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(nonce.as_bytes());
    signed.extend_from_slice(encrypt_key.as_bytes());
    signed.extend_from_slice(body);
    hex(&sha256(&signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_vector_opens() {
        let plain = open("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=");
        assert_eq!(plain.as_deref(), Some(b"hello world".as_slice()));
    }

    #[test]
    fn sealed_text_opens_and_a_wrong_key_does_not() {
        for len in [0usize, 15, 16, 33] {
            let plain = vec![b'a'; len];
            let sealed = seal("k", [5; 16], &plain);
            assert_eq!(open("k", &sealed), Some(plain));
        }
        assert_ne!(
            open("other", &seal("k", [5; 16], b"hello")),
            Some(b"hello".to_vec())
        );
        assert_eq!(open("k", "!!"), None);
        assert_eq!(signature("1", "n", "k", b"{}").len(), 64);
    }
}
