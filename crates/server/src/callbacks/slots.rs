//! Callback slots: a site's coming opening hours cut into windows of its slot length, in its time zone,
//! as UTC instants. Pure functions of the settings and the clock, so they are tested at any date.

use crate::config::{CallbackSettings, Site};
use crate::store::UnixTime;
use accueil_protocol::Weekday;
use jiff::ToSpan;
use jiff::civil::Date;

/// A window `[start, end)` in Unix seconds.
pub type Window = (UnixTime, UnixTime);

fn minutes_of(hh_mm: &str) -> Option<i64> {
    let (h, m) = hh_mm.split_once(':')?;
    Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
}

fn weekday_of(date: Date) -> Weekday {
    match date.weekday() {
        jiff::civil::Weekday::Monday => Weekday::Mon,
        jiff::civil::Weekday::Tuesday => Weekday::Tue,
        jiff::civil::Weekday::Wednesday => Weekday::Wed,
        jiff::civil::Weekday::Thursday => Weekday::Thu,
        jiff::civil::Weekday::Friday => Weekday::Fri,
        jiff::civil::Weekday::Saturday => Weekday::Sat,
        jiff::civil::Weekday::Sunday => Weekday::Sun,
    }
}

/// Whether `date` falls in one of the site's closures (holidays, one-off closed days).
fn closed_on(site: &Site, date: Date) -> bool {
    site.public.business_hours.closures.iter().any(|closure| {
        match (closure.first_day.parse::<Date>(), closure.last_day.parse::<Date>()) {
            (Ok(first), Ok(last)) => (first..=last).contains(&date),
            _ => false,
        }
    })
}

/// The opening spans of `date`, as minutes of the local day; none on a closed day.
fn spans_on(site: &Site, date: Date) -> impl Iterator<Item = (i64, i64)> + '_ {
    let weekday = weekday_of(date);
    let closed = closed_on(site, date);
    site.public
        .business_hours
        .weekly
        .iter()
        .filter(move |span| !closed && span.days.contains(&weekday))
        .filter_map(|span| Some((minutes_of(&span.opens)?, minutes_of(&span.closes)?)))
}

fn local_date(site: &Site, at: UnixTime) -> Option<Date> {
    Some(jiff::Timestamp::from_second(at).ok()?.to_zoned_datetime(site.time_zone.clone()).date())
}

/// Every slot that starts after `now`, today and the `days_ahead` following days, earliest first.
pub fn upcoming(site: &Site, settings: &CallbackSettings, now: UnixTime) -> Vec<Window> {
    let length = i64::from(settings.slot_minutes);
    let Some(today) = local_date(site, now) else { return Vec::new() };
    let mut windows = Vec::new();
    for offset in 0..=i64::from(settings.days_ahead) {
        let Ok(date) = today.checked_add(offset.days()) else { break };
        for (opens, closes) in spans_on(site, date) {
            let mut minute = opens;
            while minute + length <= closes {
                // A local time skipped by a DST change resolves to the instant just after the gap.
                let start = date
                    .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
                    .to_zoned_datetime(site.time_zone.clone())
                    .map(|zoned| zoned.timestamp().as_second())
                    .ok()
                    .filter(|start| *start > now);
                if let Some(start) = start {
                    windows.push((start, start + length * 60));
                }
                minute += length;
            }
        }
    }
    windows.sort_unstable();
    windows.dedup();
    windows
}

/// How long after a slot begins it can still be booked: a visitor who chose it just before it began
/// and sent the form as it began is called within it, not told that the time has passed.
pub const LATE_BOOKING_SECONDS: i64 = 5 * 60;

/// The slot starting at `start`, if a visitor can book it at `now`: an upcoming one, or one that
/// began at most `LATE_BOOKING_SECONDS` ago.
pub fn bookable(site: &Site, settings: &CallbackSettings, start: UnixTime, now: UnixTime) -> Option<Window> {
    upcoming(site, settings, now - LATE_BOOKING_SECONDS).into_iter().find(|(s, _)| *s == start)
}

/// Whether the site is within its business hours at `at`.
pub fn is_open(site: &Site, at: UnixTime) -> bool {
    let Ok(local) = jiff::Timestamp::from_second(at).map(|t| t.to_zoned_datetime(site.time_zone.clone())) else {
        return false;
    };
    let minute = i64::from(local.hour()) * 60 + i64::from(local.minute());
    spans_on(site, local.date()).any(|(opens, closes)| (opens..closes).contains(&minute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn site(hours: &str) -> Config {
        let toml = format!(
            r##"
            [[site]]
            id = "demo"
            name = "Demo"
            allowed_origins = ["self"]
            locales = ["fr"]
            primary_color = "#8a3b12"
            features = ["callback"]
            business_hours = {{ time_zone = "Europe/Paris", weekly = [{hours}] }}
            [site.callback]
            countries = ["FR"]
            consent_version = "v1"
            consent_text = {{ fr = "J'accepte." }}
            days_ahead = 2
            "##
        );
        Config::from_toml(&toml, Path::new("/"), |_| None).expect("valid")
    }

    fn at(text: &str) -> UnixTime {
        text.parse::<jiff::Timestamp>().expect("timestamp").as_second()
    }

    #[test]
    fn slots_follow_local_hours_skip_the_past_and_stop_after_the_days_ahead() {
        let config = site(r#"{ days = ["mon", "tue"], opens = "09:00", closes = "10:00" }"#);
        let site = &config.sites[0];
        let settings = site.callback.as_ref().expect("callback");
        // Monday 23 November 2026, 09:10 in Paris (UTC+1).
        let now = at("2026-11-23T08:10:00Z");
        let slots = upcoming(site, settings, now);
        assert_eq!(
            slots,
            [
                (at("2026-11-23T08:30:00Z"), at("2026-11-23T09:00:00Z")),
                (at("2026-11-24T08:00:00Z"), at("2026-11-24T08:30:00Z")),
                (at("2026-11-24T08:30:00Z"), at("2026-11-24T09:00:00Z"))
            ]
        );
        assert!(is_open(site, now));
        assert!(!is_open(site, at("2026-11-23T09:00:00Z")), "closes at 10:00 local");
        assert!(!is_open(site, at("2026-11-25T08:10:00Z")), "closed on Wednesday");
    }

    #[test]
    fn a_slot_sent_as_it_begins_is_still_booked_but_not_offered() {
        let config = site(r#"{ days = ["mon"], opens = "09:00", closes = "10:00" }"#);
        let site = &config.sites[0];
        let settings = site.callback.as_ref().expect("callback");
        let nine = at("2026-11-23T08:00:00Z"); // Monday 09:00 in Paris
        let two_past = nine + 2 * 60;
        assert_eq!(bookable(site, settings, nine, two_past), Some((nine, nine + 30 * 60)));
        assert!(!upcoming(site, settings, two_past).iter().any(|(s, _)| *s == nine), "no longer offered");
        assert_eq!(bookable(site, settings, nine, nine + LATE_BOOKING_SECONDS + 1), None);
        assert_eq!(bookable(site, settings, nine + 7 * 60, two_past), None, "not the start of a slot");
    }

    #[test]
    fn a_closed_day_has_no_slots_and_no_opening_hours() {
        // The helper writes `weekly = [HOURS] }`: the closures ride in after the weekly spans.
        let config = site(concat!(
            r#"{ days = ["mon", "tue"], opens = "09:00", closes = "10:00" }], "#,
            r#"closures = [{ first_day = "2026-11-24", last_day = "2026-11-30", label = "Inventaire" }"#
        ));
        let site = &config.sites[0];
        let settings = site.callback.as_ref().expect("callback");
        let now = at("2026-11-23T08:10:00Z");
        assert_eq!(upcoming(site, settings, now), [(at("2026-11-23T08:30:00Z"), at("2026-11-23T09:00:00Z"))]);
        assert!(is_open(site, now), "Monday 23 is before the closure");
        assert!(!is_open(site, at("2026-11-24T08:10:00Z")), "Tuesday 24 is closed");
        assert!(!is_open(site, at("2026-11-30T08:10:00Z")), "Monday 30, the last day, is closed");
        assert!(is_open(site, at("2026-12-01T08:10:00Z")), "Tuesday 1 December opens again");
    }

    #[test]
    fn a_day_that_closes_at_24_00_is_open_until_midnight() {
        let config = site(r#"{ days = ["mon"], opens = "00:00", closes = "24:00" }"#);
        let site = &config.sites[0];
        // Monday 23 November 2026, 23:59:30 in Paris, then Tuesday 00:00:30.
        assert!(is_open(site, at("2026-11-23T22:59:30Z")));
        assert!(is_open(site, at("2026-11-22T23:00:30Z")), "Monday 00:00");
        assert!(!is_open(site, at("2026-11-23T23:00:30Z")), "Tuesday is closed");
    }

    #[test]
    fn summer_time_moves_the_utc_instants() {
        let config = site(r#"{ days = ["mon"], opens = "09:00", closes = "09:30" }"#);
        let site = &config.sites[0];
        let settings = site.callback.as_ref().expect("callback");
        // Monday 29 June 2026 in Paris is UTC+2.
        let slots = upcoming(site, settings, at("2026-06-29T05:00:00Z"));
        assert_eq!(slots, [(at("2026-06-29T07:00:00Z"), at("2026-06-29T07:30:00Z"))]);
    }
}
