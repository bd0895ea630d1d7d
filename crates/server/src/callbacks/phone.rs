//! Phone numbers, checked with libphonenumber's metadata (the `phonenumber` port): possible and valid
//! numbers per country, stored as E.164, shown the way the number's country writes them.

use accueil_protocol::PhoneChecked;
use phonenumber::Mode;
use std::str::FromStr;

/// Longest input accepted before parsing: a formatted international number with spaces fits easily.
const MAX_TYPED: usize = 40;

/// The international calling code of an ISO 3166 country, if it has phone numbers.
pub fn calling_code(country: &str) -> Option<u16> {
    phonenumber::metadata::DATABASE.by_id(country).map(|metadata| metadata.country_code())
}

/// A number the country selector and the typed text make valid, with the country it belongs to (a
/// visitor may type `+32…` with France selected). `Err` carries the reason shown for the field.
pub fn check(country: &str, typed: &str) -> Result<(PhoneChecked, String), &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err("enter a phone number");
    }
    if typed.chars().count() > MAX_TYPED || !typed.chars().all(|c| c.is_ascii_digit() || " +-.()/\u{a0}".contains(c)) {
        return Err("use digits, spaces and an optional leading +");
    }
    let id = phonenumber::country::Id::from_str(country).map_err(|_| "unknown country")?;
    let number = phonenumber::parse(Some(id), typed).map_err(|_| "not a phone number")?;
    if !phonenumber::is_valid(&number) {
        return Err("not a valid number for this country");
    }
    let region = number.country().id().map(|id| id.as_ref().to_owned()).ok_or("not a valid number for this country")?;
    let checked = PhoneChecked {
        e164: number.format().mode(Mode::E164).to_string(),
        national: number.format().mode(Mode::National).to_string(),
    };
    Ok((checked, region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms_give_one_e164() {
        let (fr, region) = check("FR", "06 12 34 56 78").expect("valid French mobile");
        assert_eq!((fr.e164.as_str(), fr.national.as_str(), region.as_str()), ("+33612345678", "06 12 34 56 78", "FR"));
        assert_eq!(check("FR", "+33 6 12 34 56 78").expect("international").0, fr);
        let (be, region) = check("FR", "+32 470 12 34 56").expect("a Belgian number typed with France selected");
        assert_eq!((be.e164.as_str(), region.as_str()), ("+32470123456", "BE"));
    }

    #[test]
    fn impossible_numbers_are_refused_with_a_reason() {
        for typed in ["", "06 12", "00 00 00 00 00", "06 12 34 56 78 90 12", "call me", "<script>"] {
            assert!(check("FR", typed).is_err(), "{typed}");
        }
        assert_eq!(calling_code("FR"), Some(33));
        assert_eq!(calling_code("ZZ"), None);
    }
}
