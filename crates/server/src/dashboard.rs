//! The console's dashboard: the figures of one site over a period (7, 30 or 90 UTC days), computed from
//! the rows the store hands over (`DashboardRows`), and the same figures as CSV. Pure functions, so
//! each figure is checked against hand-made rows.

use crate::store::{ConversationTimes, DashboardRows, UnixTime};
use accueil_protocol::{
    CallbackFigures, ChatFigures, CommunityFigures, Dashboard, DayFigures, SelfService, WindowFigures,
};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// The periods the dashboard offers.
pub const PERIODS: [u32; 3] = [7, 30, 90];

/// The days of a period that ends today: `[from, to)` in seconds and each day, `YYYY-MM-DD`, oldest
/// first.
pub struct Period {
    pub from: UnixTime,
    pub to: UnixTime,
    pub days: Vec<String>,
}

fn day_of(seconds: UnixTime) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_zoned_datetime(TimeZone::UTC).date().strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl Period {
    pub fn ending(now: UnixTime, days: u32) -> Period {
        const DAY: i64 = 24 * 3600;
        let today_start = now - now.rem_euclid(DAY);
        let from = today_start - (i64::from(days) - 1) * DAY;
        let days = (0..i64::from(days)).map(|n| day_of(from + n * DAY)).collect();
        Period { from, to: today_start + DAY, days }
    }

    pub fn first_day(&self) -> &str {
        self.days.first().map_or("", String::as_str)
    }

    pub fn last_day(&self) -> &str {
        self.days.last().map_or("", String::as_str)
    }
}

/// The value at `share` (0.5: the median; 0.9: the 90th percentile) of `values`, by nearest rank.
fn percentile(values: &mut [i64], share: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (share * values.len() as f64).ceil() as usize;
    values.get(rank.clamp(1, values.len()) - 1).copied()
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Every figure of the dashboard of `site` for `period`; callback windows in the site's `time_zone`.
pub fn figures(site: &str, period: &Period, time_zone: &TimeZone, rows: &DashboardRows) -> Dashboard {
    let mut daily: BTreeMap<&str, DayFigures> = period
        .days
        .iter()
        .map(|day| {
            let empty = DayFigures {
                day: day.clone(),
                searches: 0,
                unanswered: 0,
                conversations: 0,
                callbacks: 0,
                questions: 0,
            };
            (day.as_str(), empty)
        })
        .collect();
    let mut on_day = |seconds: UnixTime, add: fn(&mut DayFigures)| {
        if let Some(figures) = daily.get_mut(day_of(seconds).as_str()) {
            add(figures);
        }
    };
    for (created, ..) in &rows.conversations {
        on_day(*created, |d| d.conversations += 1);
    }
    for (created, ..) in &rows.callbacks {
        on_day(*created, |d| d.callbacks += 1);
    }
    for (created, _) in &rows.questions {
        on_day(*created, |d| d.questions += 1);
    }
    for (day, searches, unanswered) in &rows.searches {
        if let Some(figures) = daily.get_mut(day.as_str()) {
            figures.searches += searches;
            figures.unanswered += unanswered;
        }
    }

    let chat = chat_figures(&rows.conversations);
    let callbacks = callback_figures(&rows.callbacks, time_zone);
    let community = community_figures(&rows.questions, rows.reports);
    let (answers_read, helpful, not_helpful) = rows.reads;
    let contacts = chat.conversations + callbacks.requested + community.questions;
    let sought = answers_read + contacts;
    let self_service = SelfService {
        searches: rows.searches.iter().map(|(_, n, _)| n).sum(),
        unanswered: rows.searches.iter().map(|(_, _, n)| n).sum(),
        answers_read,
        helpful,
        not_helpful,
        contacts,
        self_service_share: (sought > 0).then(|| answers_read as f64 / sought as f64),
    };
    Dashboard {
        site: site.to_owned(),
        days: u32::try_from(period.days.len()).unwrap_or(0),
        from: period.first_day().to_owned(),
        to: period.last_day().to_owned(),
        self_service,
        chat,
        callbacks,
        community,
        daily: daily.into_values().collect(),
    }
}

fn chat_figures(conversations: &[ConversationTimes]) -> ChatFigures {
    let mut first_replies: Vec<i64> =
        conversations.iter().filter_map(|(created, _, _, reply)| reply.map(|r| r - created)).collect();
    let mut closes: Vec<i64> =
        conversations.iter().filter_map(|(created, closed, _, _)| closed.map(|c| c - created)).collect();
    let ratings: Vec<i64> = conversations.iter().filter_map(|(_, _, rating, _)| *rating).collect();
    ChatFigures {
        conversations: count(conversations.len()),
        missed: count(conversations.iter().filter(|(_, closed, _, reply)| closed.is_some() && reply.is_none()).count()),
        first_reply_median: percentile(&mut first_replies, 0.5),
        first_reply_p90: percentile(&mut first_replies, 0.9),
        close_median: percentile(&mut closes, 0.5),
        close_p90: percentile(&mut closes, 0.9),
        ratings: count(ratings.len()),
        rating_average: (!ratings.is_empty()).then(|| ratings.iter().sum::<i64>() as f64 / ratings.len() as f64),
    }
}

fn callback_figures(callbacks: &[(UnixTime, UnixTime, String)], time_zone: &TimeZone) -> CallbackFigures {
    let with = |status: &str| count(callbacks.iter().filter(|(_, _, s)| s == status).count());
    let mut by_window: BTreeMap<String, WindowFigures> = BTreeMap::new();
    for (_, slot_start, status) in callbacks {
        let window = jiff::Timestamp::from_second(*slot_start)
            .map(|t| t.to_zoned_datetime(time_zone.clone()).strftime("%H:00").to_string())
            .unwrap_or_default();
        let figures =
            by_window.entry(window.clone()).or_insert(WindowFigures { window, requested: 0, made: 0, missed: 0 });
        figures.requested += 1;
        figures.made += i64::from(status == "done");
        figures.missed += i64::from(status == "missed");
    }
    CallbackFigures {
        requested: count(callbacks.len()),
        made: with("done"),
        missed: with("missed"),
        cancelled: with("cancelled"),
        open: with("scheduled") + with("in_progress"),
        by_window: by_window.into_values().collect(),
    }
}

fn community_figures(questions: &[(UnixTime, Option<UnixTime>)], reports: i64) -> CommunityFigures {
    let mut first_answers: Vec<i64> =
        questions.iter().filter_map(|(created, answer)| answer.map(|a| a - created)).collect();
    CommunityFigures {
        questions: count(questions.len()),
        answered: count(first_answers.len()),
        first_answer_median: percentile(&mut first_answers, 0.5),
        reports,
    }
}

/// The dashboard as CSV: one `section,measure,value` line per figure, a blank line, then the days.
pub fn csv(dashboard: &Dashboard) -> String {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let decimal = |n: Option<f64>| n.map(|n| format!("{n:.3}")).unwrap_or_default();
    let (s, c, b, q) = (&dashboard.self_service, &dashboard.chat, &dashboard.callbacks, &dashboard.community);
    let figures: Vec<(&str, String, String)> = vec![
        ("period", "from".into(), dashboard.from.clone()),
        ("period", "to".into(), dashboard.to.clone()),
        ("self_service", "searches".into(), s.searches.to_string()),
        ("self_service", "unanswered".into(), s.unanswered.to_string()),
        ("self_service", "answers_read".into(), s.answers_read.to_string()),
        ("self_service", "helpful".into(), s.helpful.to_string()),
        ("self_service", "not_helpful".into(), s.not_helpful.to_string()),
        ("self_service", "contacts".into(), s.contacts.to_string()),
        ("self_service", "self_service_share".into(), decimal(s.self_service_share)),
        ("chat", "conversations".into(), c.conversations.to_string()),
        ("chat", "missed".into(), c.missed.to_string()),
        ("chat", "first_reply_median_seconds".into(), number(c.first_reply_median)),
        ("chat", "first_reply_p90_seconds".into(), number(c.first_reply_p90)),
        ("chat", "close_median_seconds".into(), number(c.close_median)),
        ("chat", "close_p90_seconds".into(), number(c.close_p90)),
        ("chat", "ratings".into(), c.ratings.to_string()),
        ("chat", "rating_average".into(), decimal(c.rating_average)),
        ("callbacks", "requested".into(), b.requested.to_string()),
        ("callbacks", "made".into(), b.made.to_string()),
        ("callbacks", "missed".into(), b.missed.to_string()),
        ("callbacks", "cancelled".into(), b.cancelled.to_string()),
        ("callbacks", "open".into(), b.open.to_string()),
        ("community", "questions".into(), q.questions.to_string()),
        ("community", "answered".into(), q.answered.to_string()),
        ("community", "first_answer_median_seconds".into(), number(q.first_answer_median)),
        ("community", "reports".into(), q.reports.to_string()),
    ];
    let mut out = String::from("section,measure,value\r\n");
    for (section, measure, value) in figures {
        out.push_str(&format!("{section},{measure},{value}\r\n"));
    }
    for window in &b.by_window {
        out.push_str(&format!("callbacks_by_window,{} requested,{}\r\n", window.window, window.requested));
        out.push_str(&format!("callbacks_by_window,{} made,{}\r\n", window.window, window.made));
        out.push_str(&format!("callbacks_by_window,{} missed,{}\r\n", window.window, window.missed));
    }
    out.push_str("\r\nday,searches,unanswered,conversations,callbacks,questions\r\n");
    for d in &dashboard.daily {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            d.day, d.searches, d.unanswered, d.conversations, d.callbacks, d.questions
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03T12:00:00Z.
    const NOON: UnixTime = 1_796_299_200;

    #[test]
    fn a_period_ends_today_and_counts_whole_utc_days() {
        let week = Period::ending(NOON, 7);
        assert_eq!(week.days.len(), 7);
        assert_eq!((week.first_day(), week.last_day()), ("2026-11-27", "2026-12-03"));
        assert_eq!(week.to - week.from, 7 * 24 * 3600);
        assert_eq!(day_of(week.from), "2026-11-27");
        assert_eq!(day_of(week.to - 1), "2026-12-03");
    }

    #[test]
    fn percentiles_are_by_nearest_rank() {
        let mut values = vec![50, 10, 40, 20, 30];
        assert_eq!(percentile(&mut values, 0.5), Some(30));
        assert_eq!(percentile(&mut values, 0.9), Some(50));
        assert_eq!(percentile(&mut [7], 0.9), Some(7));
        assert_eq!(percentile(&mut [], 0.5), None);
    }

    #[test]
    fn each_figure_comes_from_its_rows() {
        let period = Period::ending(NOON, 7);
        let rows = DashboardRows {
            conversations: vec![
                (NOON - 3600, Some(NOON - 3000), Some(5), Some(NOON - 3540)),
                (NOON - 7200, Some(NOON - 7000), None, None),
                (NOON - 86_400, None, Some(3), Some(NOON - 86_400 + 120)),
            ],
            callbacks: vec![
                (NOON - 100, NOON + 3600, "done".to_owned()),
                (NOON - 200, NOON + 3600, "missed".to_owned()),
                (NOON - 300, NOON + 7200, "scheduled".to_owned()),
                (NOON - 400, NOON + 7200, "cancelled".to_owned()),
            ],
            questions: vec![(NOON - 5000, Some(NOON - 1400)), (NOON - 10, None)],
            reports: 2,
            searches: vec![("2026-12-03".to_owned(), 10, 3), ("2026-12-01".to_owned(), 5, 1)],
            reads: (9, 4, 1),
        };
        let paris = TimeZone::get("Europe/Paris").expect("a zone");
        let d = figures("demo", &period, &paris, &rows);
        assert_eq!((d.self_service.searches, d.self_service.unanswered, d.self_service.contacts), (15, 4, 9));
        assert_eq!(d.self_service.self_service_share, Some(9.0 / 18.0));
        assert_eq!((d.chat.conversations, d.chat.missed, d.chat.ratings), (3, 1, 2));
        assert_eq!((d.chat.first_reply_median, d.chat.first_reply_p90), (Some(60), Some(120)));
        assert_eq!((d.chat.close_median, d.chat.close_p90), (Some(200), Some(600)));
        assert_eq!(d.chat.rating_average, Some(4.0));
        let b = &d.callbacks;
        assert_eq!((b.requested, b.made, b.missed, b.cancelled, b.open), (4, 1, 1, 1, 1));
        let windows: Vec<(&str, i64, i64, i64)> =
            b.by_window.iter().map(|w| (w.window.as_str(), w.requested, w.made, w.missed)).collect();
        assert_eq!(windows, [("14:00", 2, 1, 1), ("15:00", 2, 0, 0)], "Paris is UTC+1 in December");
        assert_eq!((d.community.questions, d.community.answered, d.community.first_answer_median), (2, 1, Some(3600)));
        let today = d.daily.last().expect("today");
        assert_eq!((today.searches, today.conversations, today.callbacks, today.questions), (10, 2, 4, 2));
        assert_eq!(d.daily[4].searches, 5);
        assert_eq!(d.daily[5].conversations, 1);
        let csv = csv(&d);
        assert!(csv.contains("chat,first_reply_median_seconds,60\r\n"), "{csv}");
        assert!(csv.contains("self_service,self_service_share,0.500\r\n"), "{csv}");
        assert!(csv.contains("2026-12-03,10,3,2,4,2\r\n"), "{csv}");
    }
}
