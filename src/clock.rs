//! Dates, times and country names in the visitor's own time zone and language, through the browser's
//! `Intl` (no time zone data in the wasm).

use accueil_protocol::Locale;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;
    #[wasm_bindgen(constructor, js_namespace = Intl)]
    fn new(locales: &str, options: &JsValue) -> DisplayNames;
    #[wasm_bindgen(method)]
    fn of(this: &DisplayNames, code: &str) -> Option<String>;
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
}

fn date(rfc3339: &str) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_str(rfc3339))
}

/// "mardi 24 novembre" / "Tuesday, November 24".
pub fn day(rfc3339: &str, locale: Locale) -> String {
    date(rfc3339)
        .to_locale_date_string(locale.tag(), &options(r#"{"weekday":"long","day":"numeric","month":"long"}"#))
        .into()
}

/// "24 novembre 2026" / "November 24, 2026".
pub fn date_with_year(rfc3339: &str, locale: Locale) -> String {
    date(rfc3339)
        .to_locale_date_string(locale.tag(), &options(r#"{"day":"numeric","month":"long","year":"numeric"}"#))
        .into()
}

/// "14:00" / "2:00 PM".
pub fn time(rfc3339: &str, locale: Locale) -> String {
    date(rfc3339)
        .to_locale_time_string_with_options(locale.tag(), &options(r#"{"hour":"2-digit","minute":"2-digit"}"#))
        .into()
}

/// The day of `date` in the visitor's time zone, as a number that changes from one day to the next
/// (20261202).
fn day_number(date: &js_sys::Date) -> i64 {
    i64::from(date.get_full_year() * 10_000 + (date.get_month() + 1) * 100 + date.get_date())
}

/// The day of `rfc3339` (or now) as `day_number` numbers it, and its time in minutes: what
/// `accueil_transcript::place` lays messages out by.
pub fn day_and_minute(rfc3339: Option<&str>) -> (i64, i64) {
    let date = rfc3339.map_or_else(js_sys::Date::new_0, date);
    (day_number(&date), (date.get_time() / 60_000.0) as i64)
}

/// Yesterday, as `day_number` numbers it (by the calendar, so a 23- or 25-hour day does not matter).
pub fn yesterday() -> i64 {
    let date = js_sys::Date::new_0();
    // Day 0 of a month is the last day of the one before: JavaScript rolls the date back.
    date.set_date(date.get_date() - 1);
    day_number(&date)
}

/// "France", "Belgique"...; the code itself where the browser has no name for it.
pub fn country_name(code: &str, locale: Locale) -> String {
    DisplayNames::new(locale.tag(), &options(r#"{"type":"region"}"#)).of(code).unwrap_or_else(|| code.to_owned())
}

/// The region of the browser's language (`fr-BE` → `BE`), to preselect the visitor's country.
pub fn browser_region() -> Option<String> {
    let language = web_sys::window()?.navigator().language()?;
    let region = language.split(['-', '_']).nth(1)?;
    (region.len() == 2).then(|| region.to_ascii_uppercase())
}
