//! Phone numbers compared the way IAM stores them: IAM may keep a national number with a
//! separate country code, DingTalk may give `+86 138...` or `138...`; both are the same phone.

/// The comparable form of a phone number: digits only, without a leading China calling code.
pub fn normalize_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.strip_prefix("00").unwrap_or(&digits);
    match trimmed.strip_prefix("86") {
        Some(national) if national.len() == 11 && national.starts_with('1') => national.to_owned(),
        _ if phone.trim_start().starts_with('+') || digits.starts_with("00") => trimmed.to_owned(),
        _ => digits,
    }
}

/// Whether two phone numbers are the same number.
pub fn same_phone(a: &str, b: &str) -> bool {
    normalize_phone(a) == normalize_phone(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_mobile_spellings_are_equal() {
        for spelling in [
            "13800138000",
            "+86 138 0013 8000",
            "+8613800138000",
            "008613800138000",
            "138-0013-8000",
        ] {
            assert_eq!(normalize_phone(spelling), "13800138000", "{spelling}");
        }
    }

    #[test]
    fn different_numbers_differ() {
        assert!(!same_phone("13800138000", "13800138001"));
        assert!(same_phone("", ""));
        assert!(!same_phone("13800138000", ""));
    }
}
