//! The cryptography of Lark's (Feishu's) event callbacks.
//!
//! With an Encrypt Key set in the console, a callback's body is `{"encrypt": TEXT}` where TEXT is
//! base64 of a 16-byte IV followed by AES-256-CBC ciphertext (PKCS#7), the key being SHA-256 of
//! the Encrypt Key. The `X-Lark-Signature` header is hex SHA-256 of the request's timestamp,
//! nonce, the Encrypt Key and the raw body, concatenated.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use ring::digest::{digest, SHA256};
use syncer_remote::{lower_hex, signature_matches};

type Decryptor = cbc::Decryptor<aes::Aes256>;
type Encryptor = cbc::Encryptor<aes::Aes256>;

/// Why a callback cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallbackCryptoError {
    /// The signature header does not match the body: not from Lark, or another Encrypt Key.
    #[error(
        "the callback's X-Lark-Signature does not match its body and the configured encrypt_key"
    )]
    BadSignature,
    /// The `encrypt` text is not base64 of an IV and whole AES blocks.
    #[error("the callback's encrypt text is not base64 of an IV and whole AES blocks")]
    NotCiphertext,
    /// The text does not decrypt with this key (wrong padding or not UTF-8).
    #[error("the callback does not decrypt with the configured encrypt_key; is it the console's?")]
    WrongKey,
}

/// The console's Encrypt Key of one app.
pub struct CallbackCrypto {
    encrypt_key: String,
    key: [u8; 32],
}

impl std::fmt::Debug for CallbackCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackCrypto").finish_non_exhaustive()
    }
}

impl CallbackCrypto {
    /// The crypto of an app whose console shows `encrypt_key`.
    pub fn new(encrypt_key: &str) -> Self {
        let mut key = [0; 32];
        key.copy_from_slice(digest(&SHA256, encrypt_key.as_bytes()).as_ref());
        Self {
            encrypt_key: encrypt_key.to_owned(),
            key,
        }
    }

    /// The `X-Lark-Signature` Lark sends for `body` with `timestamp` and `nonce`.
    pub fn signature(&self, timestamp: &str, nonce: &str, body: &[u8]) -> String {
        let mut signed =
            Vec::with_capacity(timestamp.len() + nonce.len() + self.encrypt_key.len() + body.len());
        signed.extend_from_slice(timestamp.as_bytes());
        signed.extend_from_slice(nonce.as_bytes());
        signed.extend_from_slice(self.encrypt_key.as_bytes());
        signed.extend_from_slice(body);
        lower_hex(digest(&SHA256, &signed).as_ref())
    }

    /// Checks a callback's signature header in constant time.
    pub fn verify(
        &self,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
    ) -> Result<(), CallbackCryptoError> {
        let expected = self.signature(timestamp, nonce, body);
        signature_matches(&expected, signature)
            .then_some(())
            .ok_or(CallbackCryptoError::BadSignature)
    }

    /// Decrypts the `encrypt` text of a callback body.
    pub fn decrypt(&self, encrypt: &str) -> Result<String, CallbackCryptoError> {
        let bytes = STANDARD
            .decode(encrypt.trim())
            .map_err(|_| CallbackCryptoError::NotCiphertext)?;
        let (iv, cipher) = bytes
            .split_first_chunk::<16>()
            .ok_or(CallbackCryptoError::NotCiphertext)?;
        if cipher.is_empty() || cipher.len() % 16 != 0 {
            return Err(CallbackCryptoError::NotCiphertext);
        }
        let plain = Decryptor::new(&self.key.into(), iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(cipher)
            .map_err(|_| CallbackCryptoError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| CallbackCryptoError::WrongKey)
    }

    /// Encrypts `message` as Lark does, with the given IV (what a test's fake Lark sends).
    pub fn encrypt_with(&self, message: &str, iv: [u8; 16]) -> String {
        let cipher = Encryptor::new(&self.key.into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(message.as_bytes());
        let mut text = iv.to_vec();
        text.extend_from_slice(&cipher);
        STANDARD.encode(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_sample_decrypts() {
        // Feishu's event-subscription guide: this text with the key `test key` is `hello world`.
        let crypto = CallbackCrypto::new("test key");
        assert_eq!(
            crypto
                .decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
                .as_deref(),
            Ok("hello world")
        );
    }

    #[test]
    fn what_it_encrypts_it_decrypts() {
        let crypto = CallbackCrypto::new("an encrypt key");
        for len in [0, 1, 15, 16, 17, 200] {
            let message = "é".repeat(len);
            let text = crypto.encrypt_with(&message, [len as u8; 16]);
            assert_eq!(crypto.decrypt(&text).as_deref(), Ok(message.as_str()));
        }
    }

    #[test]
    fn another_key_or_a_malformed_text_is_refused() {
        let text = CallbackCrypto::new("right").encrypt_with("{\"a\":1}", [3; 16]);
        assert_eq!(
            CallbackCrypto::new("wrong").decrypt(&text),
            Err(CallbackCryptoError::WrongKey)
        );
        let crypto = CallbackCrypto::new("right");
        assert_eq!(
            crypto.decrypt("%%%"),
            Err(CallbackCryptoError::NotCiphertext)
        );
        assert_eq!(
            crypto.decrypt(&STANDARD.encode([1u8; 16])),
            Err(CallbackCryptoError::NotCiphertext)
        );
    }

    #[test]
    fn the_signature_covers_timestamp_nonce_key_and_body() {
        let crypto = CallbackCrypto::new("key");
        let body = br#"{"encrypt":"abc"}"#;
        let signature = crypto.signature("1700000000", "n0nce", body);
        let expected: String = digest(&SHA256, b"1700000000n0ncekey{\"encrypt\":\"abc\"}")
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signature, expected);
        assert_eq!(
            crypto.verify(&signature, "1700000000", "n0nce", body),
            Ok(())
        );
        assert_eq!(
            crypto.verify(&signature, "1700000001", "n0nce", body),
            Err(CallbackCryptoError::BadSignature)
        );
        assert_eq!(
            CallbackCrypto::new("other").verify(&signature, "1700000000", "n0nce", body),
            Err(CallbackCryptoError::BadSignature)
        );
    }

    #[test]
    fn debug_output_holds_no_secret() {
        assert!(!format!("{:?}", CallbackCrypto::new("s3cret-key")).contains("s3cret"));
    }
}
