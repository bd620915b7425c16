//! DingTalk's callback encryption, written from the published description: the `aes_key` is 43
//! base64 characters (a 32-byte key once `=` is appended), AES-256-CBC with IV = the key's first 16
//! bytes, plaintext = 16 random bytes ‖ 4-byte big-endian length ‖ message ‖ owner key, padded
//! PKCS#7-style to a **32-byte** block; signature = SHA-1 of token, timestamp, nonce and
//! ciphertext, sorted and concatenated. Independent of the product's own implementation.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::Engine;
use syncer_sim_kit::{aes256_cbc_decrypt, aes256_cbc_encrypt, sha1_hex};

/// The console's keys end in bits a strict decoder refuses (43 characters carry 258 bits for a
/// 256-bit key): DingTalk's own samples ignore them.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// DingTalk's padding block: pads are 1–32 bytes.
const PAD_BLOCK: usize = 32;

/// Why a ciphertext or key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CryptoError {
    /// The aes_key is not 43 base64 characters of a 32-byte key.
    BadKey,
    /// The text is not base64, not whole blocks, or its padding or length is wrong.
    Malformed,
}

/// The key of one app's callbacks.
#[derive(Debug, Clone)]
pub(crate) struct PushCipher {
    key: [u8; 32],
}

impl PushCipher {
    /// The cipher of a console `aes_key`.
    pub(crate) fn new(aes_key: &str) -> Result<PushCipher, CryptoError> {
        if aes_key.len() != 43 {
            return Err(CryptoError::BadKey);
        }
        let bytes = KEY_BASE64
            .decode(format!("{aes_key}="))
            .map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(PushCipher { key })
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }

    /// Encrypts `message` for `owner` (the App Key), with `random` as the 16 leading bytes.
    pub(crate) fn seal(&self, random: [u8; 16], message: &[u8], owner: &str) -> String {
        let length = u32::try_from(message.len()).unwrap_or(u32::MAX);
        let mut plain = Vec::with_capacity(20 + message.len() + owner.len() + PAD_BLOCK);
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&length.to_be_bytes());
        plain.extend_from_slice(message);
        plain.extend_from_slice(owner.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(pad as u8, pad));
        let sealed = aes256_cbc_encrypt(&self.key, &self.iv(), &plain)
            .expect("padded to 32 bytes, a whole number of AES blocks");
        STANDARD.encode(sealed)
    }

    /// Decrypts a ciphertext into its message and owner key.
    pub(crate) fn open(&self, encrypt: &str) -> Result<(Vec<u8>, String), CryptoError> {
        let sealed = STANDARD
            .decode(encrypt.trim())
            .map_err(|_| CryptoError::Malformed)?;
        let mut plain =
            aes256_cbc_decrypt(&self.key, &self.iv(), &sealed).ok_or(CryptoError::Malformed)?;
        let pad = usize::from(*plain.last().ok_or(CryptoError::Malformed)?);
        if !(1..=PAD_BLOCK).contains(&pad)
            || pad > plain.len()
            || plain[plain.len() - pad..]
                .iter()
                .any(|&b| usize::from(b) != pad)
        {
            return Err(CryptoError::Malformed);
        }
        plain.truncate(plain.len() - pad);
        let header = plain.get(16..20).ok_or(CryptoError::Malformed)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let end = 20usize
            .checked_add(usize::try_from(length).map_err(|_| CryptoError::Malformed)?)
            .filter(|&end| end <= plain.len())
            .ok_or(CryptoError::Malformed)?;
        let message = plain[20..end].to_vec();
        let owner = String::from_utf8(plain[end..].to_vec()).map_err(|_| CryptoError::Malformed)?;
        Ok((message, owner))
    }
}

/// The signature of a push or an answer: SHA-1 of the four strings sorted and concatenated.
pub(crate) fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    parts.sort_unstable();
    sha1_hex(parts.concat().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    // DingTalk's published callback sample (token, aes_key, timestamp, nonce, ciphertext).
    const TOKEN: &str = "123456";
    const AES_KEY: &str = "4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij";
    const SAMPLE: &str = "1a3NBxmCFwkCJvfoQ7WhJHB+iX3qHPsc9JbaDznE1i03peOk1LaOQoRz3+nlyGNhwmwJ3vDMG+OzrHMeiZI7gTRWVdUBmfxjZ8Ej23JVYa9VrYeJ5as7XM/ZpulX8NEQis44w53h1qAgnC3PRzM7Zc/D6Ibr0rgUathB6zRHP8PYrfgnNOS9PhSBdHlegK+AGGanfwjXuQ9+0pZcy0w9lQ==";

    #[test]
    fn the_published_sample_verifies_and_decrypts() {
        assert_eq!(
            signature(TOKEN, "1445827045067", "nEXhMP4r", SAMPLE),
            "5a65ceeef9aab2d149439f82dc191dd6c5cbe2c0"
        );
        let cipher = PushCipher::new(AES_KEY).expect("a 43-character key");
        let (message, owner) = cipher.open(SAMPLE).expect("the sample decrypts");
        let message: serde_json::Value =
            serde_json::from_slice(&message).expect("the sample is JSON");
        assert_eq!(message["EventType"], "check_create_suite_url");
        assert_eq!(owner, "suite4xxxxxxxxxxxxxxx");
    }

    #[test]
    fn sealed_text_opens_with_its_owner_and_pads_to_32_bytes() {
        let cipher = PushCipher::new(AES_KEY).expect("a 43-character key");
        for len in [0usize, 11, 12, 44, 100] {
            let message = vec![b'x'; len];
            let sealed = cipher.seal([3; 16], &message, "dingappkey");
            let raw = STANDARD.decode(&sealed).expect("base64");
            assert_eq!(raw.len() % 32, 0, "a multiple of 32 bytes for {len}");
            assert_eq!(cipher.open(&sealed), Ok((message, "dingappkey".to_owned())));
        }
        assert_eq!(cipher.open("not base64!"), Err(CryptoError::Malformed));
        assert_eq!(PushCipher::new("short").err(), Some(CryptoError::BadKey));
    }
}
