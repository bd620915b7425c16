//! The cryptography of DingTalk's HTTP push ("event subscription" to a URL of ours).
//!
//! DingTalk signs every push with the console's token and encrypts its body with the console's
//! 43-character `aes_key` (AES-256-CBC, the IV being the key's first 16 bytes). The plaintext is
//! 16 random bytes, the message length as 4 big-endian bytes, the message, and the owner key (the
//! app key of an internal app), padded PKCS#7-style to a **32-byte** block: a standard 16-byte
//! unpadder rejects it, so padding is handled here by hand. Every push is answered with the
//! encrypted, signed word `success`.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::{
    alphabet,
    engine::{general_purpose::STANDARD, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use ring::digest::{digest, SHA1_FOR_LEGACY_USE_ONLY};
use serde::Serialize;
use syncer_remote::{lower_hex, signature_matches};

type Decryptor = cbc::Decryptor<aes::Aes256>;
type Encryptor = cbc::Encryptor<aes::Aes256>;

/// The padding block of DingTalk's scheme (not AES's 16).
const PAD_BLOCK: usize = 32;
/// Random bytes that open every plaintext.
const RANDOM_LEN: usize = 16;
/// The console's keys are 43 base64 characters whose last one may carry stray low bits (Java's
/// decoder, which DingTalk's samples use, ignores them).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);
/// The length of the console's `aes_key`.
const AES_KEY_CHARS: usize = 43;

/// Why a push cannot be read, or the console's settings cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushCryptoError {
    /// The console's `aes_key` is not 43 base64 characters.
    #[error("aes_key must be the 43 characters the DingTalk console shows (got {0}); copy it again from the app's event subscription page")]
    BadAesKey(usize),
    /// The console's token is empty or longer than the console allows.
    #[error("callback_token must be the 3 to 32 characters set in the DingTalk console (got {0})")]
    BadToken(usize),
    /// The signature does not match: not from DingTalk, or another token.
    #[error("the push's signature does not match the configured callback_token")]
    BadSignature,
    /// The `encrypt` text is not base64 of whole AES blocks.
    #[error("the push's encrypt text is not base64 of whole AES blocks")]
    NotCiphertext,
    /// The decrypted text does not have DingTalk's layout (padding, length or owner key).
    #[error("the push decrypts to something that is not a DingTalk message ({0}); is aes_key the console's?")]
    BadPlaintext(&'static str),
    /// The message was encrypted for another app.
    #[error("the push was encrypted for another app (its owner key is not this syncer's app_key)")]
    OtherOwner,
}

/// What every push is answered with: the encrypted word `success`, signed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PushReply {
    /// Signature of the reply.
    pub msg_signature: String,
    /// The timestamp the signature covers.
    #[serde(rename = "timeStamp")]
    pub time_stamp: String,
    /// The nonce the signature covers.
    pub nonce: String,
    /// The encrypted `success`.
    pub encrypt: String,
}

/// The console's token and key for one app, able to verify, decrypt and answer its pushes.
pub struct PushCrypto {
    token: String,
    key: [u8; 32],
    owner_key: String,
}

impl std::fmt::Debug for PushCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushCrypto")
            .field("owner_key", &self.owner_key)
            .finish_non_exhaustive()
    }
}

impl PushCrypto {
    /// Settings as the console shows them: the token, the 43-character `aes_key`, and the owner
    /// key (the app key of an internal app).
    pub fn new(token: &str, aes_key: &str, owner_key: &str) -> Result<Self, PushCryptoError> {
        if !(3..=32).contains(&token.chars().count()) {
            return Err(PushCryptoError::BadToken(token.chars().count()));
        }
        if aes_key.len() != AES_KEY_CHARS {
            return Err(PushCryptoError::BadAesKey(aes_key.chars().count()));
        }
        let decoded = LENIENT
            .decode(format!("{aes_key}="))
            .map_err(|_| PushCryptoError::BadAesKey(aes_key.len()))?;
        let key: [u8; 32] = decoded
            .try_into()
            .map_err(|_| PushCryptoError::BadAesKey(aes_key.len()))?;
        Ok(Self {
            token: token.to_owned(),
            key,
            owner_key: owner_key.to_owned(),
        })
    }

    /// The signature DingTalk computes: SHA-1 of token, timestamp, nonce and encrypt text,
    /// sorted and concatenated, in lower hex.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        lower_hex(digest(&SHA1_FOR_LEGACY_USE_ONLY, parts.concat().as_bytes()).as_ref())
    }

    /// Checks a push's signature in constant time.
    pub fn verify(
        &self,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<(), PushCryptoError> {
        let expected = self.signature(timestamp, nonce, encrypt);
        signature_matches(&expected, signature)
            .then_some(())
            .ok_or(PushCryptoError::BadSignature)
    }

    /// Verifies and decrypts one push, giving the message (a JSON document).
    pub fn open(
        &self,
        signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, PushCryptoError> {
        self.verify(signature, timestamp, nonce, encrypt)?;
        self.decrypt(encrypt)
    }

    /// Decrypts an `encrypt` text (without checking its signature: see [`PushCrypto::open`]).
    pub fn decrypt(&self, encrypt: &str) -> Result<String, PushCryptoError> {
        let mut buffer = STANDARD
            .decode(encrypt.trim())
            .map_err(|_| PushCryptoError::NotCiphertext)?;
        if buffer.is_empty() || buffer.len() % 16 != 0 {
            return Err(PushCryptoError::NotCiphertext);
        }
        let plain = Decryptor::new(&self.key.into(), self.iv().into())
            .decrypt_padded_mut::<NoPadding>(&mut buffer)
            .map_err(|_| PushCryptoError::NotCiphertext)?;
        let unpadded = strip_padding(plain)?;
        let body = unpadded
            .get(RANDOM_LEN..)
            .ok_or(PushCryptoError::BadPlaintext(
                "shorter than its random prefix",
            ))?;
        let (length, rest) = body
            .split_first_chunk::<4>()
            .ok_or(PushCryptoError::BadPlaintext("no length"))?;
        let length = u32::from_be_bytes(*length) as usize;
        if length > rest.len() {
            return Err(PushCryptoError::BadPlaintext("length beyond the text"));
        }
        let (message, owner) = rest.split_at(length);
        if owner != self.owner_key.as_bytes() {
            return Err(PushCryptoError::OtherOwner);
        }
        String::from_utf8(message.to_vec()).map_err(|_| PushCryptoError::BadPlaintext("not UTF-8"))
    }

    /// Encrypts `message` the way DingTalk does, with the given 16 random bytes.
    pub fn encrypt_with(&self, message: &str, random: [u8; RANDOM_LEN]) -> String {
        let mut plain = Vec::with_capacity(RANDOM_LEN + 4 + message.len() + self.owner_key.len());
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&(message.len() as u32).to_be_bytes());
        plain.extend_from_slice(message.as_bytes());
        plain.extend_from_slice(self.owner_key.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.resize(plain.len() + pad, pad as u8);
        let cipher = Encryptor::new(&self.key.into(), self.iv().into())
            .encrypt_padded_vec_mut::<NoPadding>(&plain);
        STANDARD.encode(cipher)
    }

    /// Encrypts `message` with fresh random bytes.
    pub fn encrypt(&self, message: &str) -> String {
        self.encrypt_with(message, rand::random())
    }

    /// The answer to a push: the encrypted word `success`, signed with `timestamp` and a fresh nonce.
    pub fn success_reply(&self, timestamp: &str) -> PushReply {
        let encrypt = self.encrypt("success");
        let nonce: String = (0..8)
            .map(|_| char::from(b'a' + rand::random::<u8>() % 26))
            .collect();
        PushReply {
            msg_signature: self.signature(timestamp, &nonce, &encrypt),
            time_stamp: timestamp.to_owned(),
            nonce,
            encrypt,
        }
    }

    fn iv(&self) -> &[u8; 16] {
        self.key.first_chunk::<16>().unwrap_or(&[0; 16])
    }
}

/// Strips DingTalk's 32-byte PKCS#7-style padding.
fn strip_padding(plain: &[u8]) -> Result<&[u8], PushCryptoError> {
    let pad = usize::from(*plain.last().ok_or(PushCryptoError::BadPlaintext("empty"))?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(PushCryptoError::BadPlaintext("padding"));
    }
    let (text, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) {
        return Err(PushCryptoError::BadPlaintext("padding"));
    }
    Ok(text)
}
