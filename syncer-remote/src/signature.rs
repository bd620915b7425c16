//! The comparison of a pushed request's signature with the one computed from the console's
//! secret: hex, case-insensitive, in constant time (so timing reveals nothing of the expected
//! value). How a backend computes its signature is its own; this only compares. Knows no backend.

use subtle::ConstantTimeEq;

/// `bytes` in lowercase hex (a digest as signatures carry it).
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the lowercase-hex signature `expected`, in any letter case, compared in
/// constant time.
pub fn signature_matches(expected: &str, given: &str) -> bool {
    let given = given.to_ascii_lowercase();
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_matches_in_any_case_and_only_itself() {
        let expected = lower_hex(&[0xab, 0x01]);
        assert_eq!(expected, "ab01");
        assert!(signature_matches(&expected, "AB01"));
        assert!(!signature_matches(&expected, "ab02"));
        assert!(!signature_matches(&expected, "ab0"));
    }
}
