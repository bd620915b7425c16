//! Phone numbers compared the way IAM stores them: IAM may keep a national number with a
//! separate country code, or (newer Hanzo IAM) the E.164 form `+14155550100`; DingTalk may give
//! `+86 138...` or `138...`, or a national number beside its `state_code`. All of these are
//! the same phone, and a resync must not rewrite it forever.

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

/// Whether two phone numbers are the same number: equal once normalized, or one is the other
/// with a calling code (1 to 3 digits) in front — a national number beside its E.164 form.
pub fn same_phone(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_phone(a), normalize_phone(b));
    if a == b {
        return true;
    }
    let (long, short) = if a.len() > b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    short.len() >= 7
        && (1..=3).contains(&(long.len() - short.len()))
        && long.ends_with(short.as_str())
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
    fn a_national_number_equals_its_e164_form() {
        assert!(same_phone("4155550100", "+14155550100"));
        assert!(same_phone("+852 6123 4567", "61234567"));
        assert!(same_phone("+44 20 7946 0018", "2079460018"));
        assert!(!same_phone("4155550100", "+14155550199"));
        assert!(!same_phone("550100", "+1415550100"), "too short to tell");
    }

    #[test]
    fn different_numbers_differ() {
        assert!(!same_phone("13800138000", "13800138001"));
        assert!(same_phone("", ""));
        assert!(!same_phone("13800138000", ""));
    }
}
