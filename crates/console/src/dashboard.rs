//! The dashboard: a site's figures over 7, 30 or 90 days (self-service, chat, callbacks, community),
//! key numbers in words and charts drawn here as SVG, each with a text alternative and the same data as
//! a table, and every figure downloadable as CSV.

use crate::api::{self, ApiFailure};
use crate::i18n::Key;
use crate::use_console;
use accueil_protocol::{Dashboard as Figures, Locale};
use leptos::prelude::*;

const PERIODS: [(u32, Key); 3] = [(7, Key::LastDays7), (30, Key::LastDays30), (90, Key::LastDays90)];

/// A duration in seconds, in a few characters: "42 s", "9 min", "2 h 05".
fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "—".to_owned(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3600 => format!("{} min", s / 60),
        Some(s) => format!("{} h {:02}", s / 3600, (s % 3600) / 60),
    }
}

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

/// `YYYY-MM-DD` as the agent writes a short date: 27/11 in French, 11/27 in English.
fn short_day(day: &str, locale: Locale) -> String {
    let (month, date) = (day.get(5..7).unwrap_or_default(), day.get(8..10).unwrap_or_default());
    match locale {
        Locale::Fr => format!("{date}/{month}"),
        Locale::En => format!("{month}/{date}"),
    }
}

#[component]
pub fn Dashboard(site: String) -> impl IntoView {
    let console = use_console();
    let site = StoredValue::new(site);
    let days = RwSignal::new(30u32);
    let figures = RwSignal::new(None::<Result<Figures, ApiFailure>>);
    Effect::new(move |_| {
        let (s, d) = (site.get_value(), days.get());
        figures.set(None);
        leptos::task::spawn_local(async move { figures.set(Some(api::dashboard(&s, d).await)) });
    });
    let csv = move || format!("/v1/agent/dashboard.csv?site={}&days={}", site.get_value(), days.get());
    view! {
        <h1>{console.t(Key::Dashboard)}</h1>
        <div class="ac-toolbar">
            <label for="ac-period">{console.t(Key::Period)}</label>
            <select id="ac-period" on:change=move |e| days.set(event_target_value(&e).parse().unwrap_or(30))>
                {PERIODS.into_iter().map(|(n, key)| view! {
                    <option value=n.to_string() selected=move || days.get() == n>{console.t(key)}</option>
                }).collect_view()}
            </select>
            <a class="ac-secondary-dark" href=csv download>{console.t(Key::DownloadCsv)}</a>
        </div>
        {move || match figures.get() {
            None => view! { <p role="status">{console.t(Key::Loading)}</p> }.into_any(),
            Some(Err(_)) => view! { <p role="alert">{console.t(Key::Unreachable)}</p> }.into_any(),
            Some(Ok(figures)) => view! { <Sections figures=figures /> }.into_any(),
        }}
    }
}

/// Key numbers as a description list: (what, value) pairs.
fn key_numbers(pairs: Vec<(&'static str, String)>) -> impl IntoView {
    view! {
        <dl class="ac-figures">
            {pairs.into_iter().map(|(what, value)| view! {
                <div><dt>{what}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn Sections(figures: Figures) -> impl IntoView {
    let console = use_console();
    let t = move |key| console.t(key);
    let (s, c, b, q) = (&figures.self_service, &figures.chat, &figures.callbacks, &figures.community);
    let days: Vec<String> = figures.daily.iter().map(|d| short_day(&d.day, console.locale)).collect();
    let daily = |pick: fn(&accueil_protocol::DayFigures) -> i64| figures.daily.iter().map(pick).collect::<Vec<_>>();
    let searches = Chart {
        id: "ac-chart-searches",
        title: t(Key::SearchesChart),
        label_header: t(Key::Day),
        labels: days.clone(),
        series: vec![(t(Key::Searches), daily(|d| d.searches)), (t(Key::Unanswered), daily(|d| d.unanswered))],
    };
    let contacts = Chart {
        id: "ac-chart-contacts",
        title: t(Key::ContactsChart),
        label_header: t(Key::Day),
        labels: days,
        series: vec![
            (t(Key::Conversations), daily(|d| d.conversations)),
            (t(Key::Callbacks), daily(|d| d.callbacks)),
            (t(Key::Questions), daily(|d| d.questions)),
        ],
    };
    let windows = Chart {
        id: "ac-chart-windows",
        title: t(Key::WindowsChart),
        label_header: t(Key::Window),
        labels: b.by_window.iter().map(|w| w.window.clone()).collect(),
        series: vec![
            (t(Key::CallbacksRequested), b.by_window.iter().map(|w| w.requested).collect()),
            (t(Key::CallbacksMade), b.by_window.iter().map(|w| w.made).collect()),
            (t(Key::CallbacksMissed), b.by_window.iter().map(|w| w.missed).collect()),
        ],
    };
    let rating = c.rating_average.map_or_else(|| "—".to_owned(), |r| format!("{r:.1} / 5 ({})", c.ratings));
    view! {
        <section aria-labelledby="ac-dash-self">
            <h2 id="ac-dash-self">{t(Key::SelfServiceTitle)}</h2>
            {key_numbers(vec![
                (t(Key::Searches), s.searches.to_string()),
                (t(Key::Unanswered), s.unanswered.to_string()),
                (t(Key::AnswersRead), s.answers_read.to_string()),
                (t(Key::HelpfulVotes), s.helpful.to_string()),
                (t(Key::NotHelpfulVotes), s.not_helpful.to_string()),
                (t(Key::SelfServiceShare), share(s.self_service_share)),
            ])}
            <p class="ac-hint">{t(Key::SelfServiceShareHint)}</p>
            {bar_chart(searches)}
        </section>
        <section aria-labelledby="ac-dash-chat">
            <h2 id="ac-dash-chat">{t(Key::Chat)}</h2>
            {key_numbers(vec![
                (t(Key::Conversations), c.conversations.to_string()),
                (t(Key::MissedChats), c.missed.to_string()),
                (t(Key::FirstReply), format!("{} · {}", duration(c.first_reply_median), duration(c.first_reply_p90))),
                (t(Key::TimeToClose), format!("{} · {}", duration(c.close_median), duration(c.close_p90))),
                (t(Key::RatingAverage), rating),
            ])}
            {bar_chart(contacts)}
        </section>
        <section aria-labelledby="ac-dash-callbacks">
            <h2 id="ac-dash-callbacks">{t(Key::Callbacks)}</h2>
            {key_numbers(vec![
                (t(Key::CallbacksRequested), b.requested.to_string()),
                (t(Key::CallbacksMade), b.made.to_string()),
                (t(Key::CallbacksMissed), b.missed.to_string()),
                (t(Key::CallbacksCancelled), b.cancelled.to_string()),
                (t(Key::CallbacksOpen), b.open.to_string()),
            ])}
            {bar_chart(windows)}
        </section>
        <section aria-labelledby="ac-dash-community">
            <h2 id="ac-dash-community">{t(Key::Community)}</h2>
            {key_numbers(vec![
                (t(Key::Questions), q.questions.to_string()),
                (t(Key::AnsweredQuestions), q.answered.to_string()),
                (t(Key::FirstAnswer), duration(q.first_answer_median)),
                (t(Key::Reports), q.reports.to_string()),
            ])}
        </section>
    }
}

/// A chart's data: one label per group (a day, a window) and up to three series of values.
struct Chart {
    id: &'static str,
    title: &'static str,
    label_header: &'static str,
    labels: Vec<String>,
    series: Vec<(&'static str, Vec<i64>)>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 36.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// Grouped bars in SVG, with a `<title>` and a `<desc>` that says each series' total and highest point,
/// a legend, and the same numbers as a table behind "Show as a table".
fn bar_chart(chart: Chart) -> impl IntoView {
    let console = use_console();
    let Chart { id, title, label_header, labels, series } = chart;
    if labels.is_empty() {
        return view! {
            <figure class="ac-chart">
                <figcaption>{title}</figcaption>
                <p class="ac-empty">{console.t(Key::NothingInPeriod)}</p>
            </figure>
        }
        .into_any();
    }
    let highest = series.iter().flat_map(|(_, values)| values.iter().copied()).max().unwrap_or(0).max(1);
    let plot_width = WIDTH - LEFT;
    let plot_height = HEIGHT - BOTTOM - TOP;
    let group = plot_width / labels.len() as f64;
    let bar = (group * 0.8 / series.len() as f64).max(0.5);
    let y = |value: i64| TOP + plot_height - value as f64 / highest as f64 * plot_height;
    let description = series
        .iter()
        .map(|(name, values)| {
            let total: i64 = values.iter().sum();
            let (at, top) = values.iter().enumerate().max_by_key(|(i, v)| (**v, usize::MAX - i)).unwrap_or((0, &0));
            format!(
                "{name} : {total} {}, {} {top} ({})",
                console.t(Key::InTotal),
                console.t(Key::Highest),
                labels.get(at).cloned().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    // At most about eight labels under the axis, so they never overlap.
    let every = labels.len().div_ceil(8).max(1);
    let bars = series
        .iter()
        .enumerate()
        .flat_map(|(s, (_, values))| {
            values.iter().enumerate().filter(|(_, v)| **v > 0).map(move |(i, v)| {
                let x = LEFT + i as f64 * group + group * 0.1 + s as f64 * bar;
                view! {
                    <rect class=format!("ac-series-{}", s + 1) x=format!("{x:.1}") y=format!("{:.1}", y(*v))
                        width=format!("{bar:.1}") height=format!("{:.1}", TOP + plot_height - y(*v)) />
                }
            })
        })
        .collect_view();
    let mut levels = vec![0, highest / 2, highest];
    levels.dedup();
    let grid = levels
        .into_iter()
        .map(|value| {
            let at = format!("{:.1}", y(value));
            view! {
                <line class="ac-grid" x1=LEFT.to_string() x2=WIDTH.to_string() y1=at.clone() y2=at.clone() />
                <text class="ac-axis" x=(LEFT - 4.0).to_string() y=at text-anchor="end" dominant-baseline="middle">{value}</text>
            }
        })
        .collect_view();
    let ticks = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, label)| {
            let x = format!("{:.1}", LEFT + i as f64 * group + group / 2.0);
            view! { <text class="ac-axis" x=x y=(HEIGHT - 6.0).to_string() text-anchor="middle">{label.clone()}</text> }
        })
        .collect_view();
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            view! {
                <tr>
                    <th scope="row">{label.clone()}</th>
                    {series.iter().map(|(_, values)| view! { <td>{values.get(i).copied().unwrap_or(0)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="ac-chart">
            <figcaption id=title_id.clone()>{title}</figcaption>
            <ul class="ac-legend">
                {series.iter().enumerate().map(|(s, (name, _))| view! {
                    <li><span class=format!("ac-swatch ac-series-{}", s + 1) aria-hidden="true"></span>{*name}</li>
                }).collect_view()}
            </ul>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=format!("{title_id} {desc_id}")>
                <desc id=desc_id.clone()>{description}</desc>
                {grid}
                {bars}
                {ticks}
            </svg>
            <details>
                <summary>{console.t(Key::ShowTable)}</summary>
                <table class="ac-audit">
                    <caption>{title}</caption>
                    <thead><tr>
                        <th scope="col">{label_header}</th>
                        {series.iter().map(|(name, _)| view! { <th scope="col">{*name}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
