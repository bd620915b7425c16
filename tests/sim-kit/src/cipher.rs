//! The primitives the vendors' push encryption is built from, shared by the simulators so each
//! only writes its own framing: AES-256-CBC without padding (DingTalk pads to 32 bytes, Lark to
//! 16: each pads itself), SHA-1 and SHA-256, and lowercase hex.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use ring::digest;

type Encryptor = cbc::Encryptor<aes::Aes256>;
type Decryptor = cbc::Decryptor<aes::Aes256>;

/// The AES block size.
pub const AES_BLOCK: usize = 16;

/// Encrypts `padded` (a whole number of 16-byte blocks, already padded) with AES-256-CBC;
/// None when its length is not a multiple of 16.
pub fn aes256_cbc_encrypt(key: &[u8; 32], iv: &[u8; 16], padded: &[u8]) -> Option<Vec<u8>> {
    if !padded.len().is_multiple_of(AES_BLOCK) {
        return None;
    }
    let cipher = Encryptor::new(key.into(), iv.into());
    Some(cipher.encrypt_padded_vec_mut::<NoPadding>(padded))
}

/// Decrypts AES-256-CBC ciphertext, leaving any padding in place; None when its length is not
/// a whole number of blocks.
pub fn aes256_cbc_decrypt(key: &[u8; 32], iv: &[u8; 16], ciphertext: &[u8]) -> Option<Vec<u8>> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(AES_BLOCK) {
        return None;
    }
    let cipher = Decryptor::new(key.into(), iv.into());
    cipher.decrypt_padded_vec_mut::<NoPadding>(ciphertext).ok()
}

/// SHA-1 of `data`, in lowercase hex.
pub fn sha1_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data).as_ref())
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// `bytes` in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbc_round_trips_whole_blocks_only() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let plain = [1u8; 32];
        let sealed = aes256_cbc_encrypt(&key, &iv, &plain).expect("whole blocks");
        assert_ne!(sealed.as_slice(), plain.as_slice());
        assert_eq!(aes256_cbc_decrypt(&key, &iv, &sealed), Some(plain.to_vec()));
        assert_eq!(aes256_cbc_encrypt(&key, &iv, &[0u8; 5]), None);
        assert_eq!(aes256_cbc_decrypt(&key, &iv, &[]), None);
    }

    #[test]
    fn digests_match_their_published_values() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
