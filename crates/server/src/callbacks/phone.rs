//! Phone numbers, checked with libphonenumber's metadata (the `phonenumber` port): possible and valid
//! numbers per country, stored as E.164, shown the way the number's country writes them.

use accueil_protocol::PhoneChecked;
use phonenumber::{Mode, Type};
use std::str::FromStr;

/// Longest input accepted before parsing: a formatted international number with spaces fits easily.
const MAX_TYPED: usize = 40;

/// The kinds of numbers a site calls back unless it says otherwise: people's lines. Premium-rate,
/// shared-cost and personal (forwarding) numbers cost the caller more or reach someone else; pagers,
/// voicemail, short codes and the like reach no person.
pub const CALLED_BY_DEFAULT: [Type; 6] =
    [Type::FixedLine, Type::Mobile, Type::FixedLineOrMobile, Type::Voip, Type::TollFree, Type::Uan];

/// The international calling code of an ISO 3166 country, if it has phone numbers.
pub fn calling_code(country: &str) -> Option<u16> {
    phonenumber::metadata::DATABASE.by_id(country).map(|metadata| metadata.country_code())
}

/// A number the country selector and the typed text make valid, with the country it belongs to (a
/// visitor may type `+32…` with France selected). `Err` carries the reason shown for the field.
pub fn check(country: &str, typed: &str, called: &[Type]) -> Result<(PhoneChecked, String), &'static str> {
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
    if !called.contains(&number.number_type(&phonenumber::metadata::DATABASE)) {
        return Err("this kind of number (premium rate, shared cost, personal...) is not called back");
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
        let (fr, region) = check("FR", "06 12 34 56 78", &CALLED_BY_DEFAULT).expect("valid French mobile");
        assert_eq!((fr.e164.as_str(), fr.national.as_str(), region.as_str()), ("+33612345678", "06 12 34 56 78", "FR"));
        assert_eq!(check("FR", "+33 6 12 34 56 78", &CALLED_BY_DEFAULT).expect("international").0, fr);
        let (be, region) =
            check("FR", "+32 470 12 34 56", &CALLED_BY_DEFAULT).expect("a Belgian number typed with France selected");
        assert_eq!((be.e164.as_str(), region.as_str()), ("+32470123456", "BE"));
    }

    #[test]
    fn impossible_numbers_are_refused_with_a_reason() {
        for typed in ["", "06 12", "00 00 00 00 00", "06 12 34 56 78 90 12", "call me", "<script>"] {
            assert!(check("FR", typed, &CALLED_BY_DEFAULT).is_err(), "{typed}");
        }
        assert_eq!(calling_code("FR"), Some(33));
    }

    #[test]
    fn premium_shared_cost_and_personal_numbers_are_not_called_back_by_default() {
        for (country, typed) in
            [("FR", "08 92 68 02 99"), ("GB", "0909 879 0000"), ("FR", "08 10 12 34 56"), ("GB", "070 1234 5678")]
        {
            assert!(check(country, typed, &CALLED_BY_DEFAULT).is_err(), "{country} {typed}");
        }
        // Landlines and mobiles of both countries are.
        for (country, typed) in [("FR", "01 42 68 53 00"), ("GB", "020 7946 0018"), ("GB", "07911 123456")] {
            assert!(check(country, typed, &CALLED_BY_DEFAULT).is_ok(), "{country} {typed}");
        }
        // A site that does call premium numbers says so.
        assert!(check("FR", "08 92 68 02 99", &[Type::PremiumRate]).is_ok());
        assert_eq!(calling_code("ZZ"), None);
    }
}
