//! Small SVG charts, rendered on the server: bars (hours per week against a
//! weekly target) and a line (cumulative progress over a term). The drawing
//! scales to its container through the viewBox; colours come from CSS
//! classes (`style/main.css`, "Charts"). Each chart says what it shows in
//! words (`aria-label`) and lists its values in a visually hidden table for
//! screen readers. Geometry is in pure functions, tested below.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The drawing's coordinates (the viewBox); CSS scales it to the container.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 240.0;
/// Room for the value labels (left), the date or bar labels (bottom) and the
/// target's label above the highest line (top).
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 28.0;
/// Intervals on the value axis (nice_ticks may use fewer).
const TICKS: usize = 4;
/// An axis label's width per character at --text-sm, in viewBox units, and
/// the gap kept between two labels.
const CHAR_WIDTH: f64 = 8.5;
const LABEL_GAP: f64 = 8.0;
/// Bars take this share of their slot, up to a maximum width.
const BAR_SHARE: f64 = 0.7;
const BAR_MAX_WIDTH: f64 = 56.0;
/// Dates labelled under a line chart, at most.
const DATE_LABELS: usize = 4;

/// One bar: its label under the axis, its value, and the text shown when
/// pointing at it (empty for "label: value").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub title: String,
}

/// One point of a series over time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
}

/// A bar's rectangle, in viewBox units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn baseline() -> f64 {
    HEIGHT - BOTTOM
}

/// Ticks for a value axis from 0 to at least `max`, in about `count` steps
/// of 1, 2 or 5 times a power of ten (0, 10, 20, 30, 40; 0, 50 … 200).
/// With nothing above 0 the axis runs 0, 1, 2 … `count`.
pub fn nice_ticks(max: f64, count: usize) -> Vec<f64> {
    let count = count.clamp(1, 20);
    if !(max.is_finite() && max > 0.0) {
        return (0..=count).map(|i| i as f64).collect();
    }
    let step = nice_step(max / count as f64);
    let steps = ((max / step) - 1e-9).ceil().max(1.0) as usize;
    (0..=steps).map(|i| ((i as f64 * step) * 1e6).round() / 1e6).collect()
}

/// The smallest of 1, 2, 5 or 10 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalized = raw / magnitude;
    let nice = [1.0, 2.0, 5.0].into_iter().find(|n| normalized <= n + 1e-9).unwrap_or(10.0);
    nice * magnitude
}

/// The y coordinate of `value` on an axis from 0 (the baseline) to `top`.
pub fn scale_y(value: f64, top: f64) -> f64 {
    if !(top.is_finite() && top > 0.0) {
        return baseline();
    }
    baseline() - (finite(value) / top).clamp(0.0, 1.0) * (baseline() - TOP)
}

/// The x coordinate of `date` on an axis from `first` to `last`; a single
/// day sits in the middle.
pub fn scale_x(date: NaiveDate, first: NaiveDate, last: NaiveDate) -> f64 {
    let span = (last - first).num_days();
    if span <= 0 {
        return LEFT + plot_width() / 2.0;
    }
    let share = (date - first).num_days() as f64 / span as f64;
    LEFT + share.clamp(0.0, 1.0) * plot_width()
}

/// The rectangles of bars with these values, side by side in equal slots.
pub fn bar_boxes(values: &[f64], top: f64) -> Vec<BarBox> {
    if values.is_empty() {
        return Vec::new();
    }
    let slot = plot_width() / values.len() as f64;
    let width = (slot * BAR_SHARE).min(BAR_MAX_WIDTH);
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let y = scale_y(v, top);
            BarBox { x: LEFT + i as f64 * slot + (slot - width) / 2.0, y, width, height: baseline() - y }
        })
        .collect()
}

/// Label every `n`th bar so labels of `longest_chars` do not collide in
/// slots `slot` wide.
fn label_step(slot: f64, longest_chars: usize) -> usize {
    if !(slot.is_finite() && slot > 0.0) {
        return 1;
    }
    let needed = longest_chars as f64 * CHAR_WIDTH + LABEL_GAP;
    ((needed / slot).ceil() as usize).max(1)
}

/// Up to `max` dates from `first` to `last`, evenly spaced, both ends included.
fn date_ticks(first: NaiveDate, last: NaiveDate, max: usize) -> Vec<NaiveDate> {
    let days = (last - first).num_days();
    if days <= 0 {
        return vec![first];
    }
    let n = max.max(2).min(usize::try_from(days + 1).unwrap_or(2)) as i64;
    (0..n).map(|i| first + Duration::days(days * i / (n - 1))).collect()
}

/// A value for people: at most two decimals, no trailing zeros.
fn format_value(v: f64) -> String {
    let r = (finite(v) * 100.0).round() / 100.0;
    if r == 0.0 {
        return "0".to_string();
    }
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "" => format_value(v),
        "%" => format!("{}%", format_value(v)),
        u => format!("{} {u}", format_value(v)),
    }
}

fn target_words(target: Option<f64>, unit: &str) -> String {
    target.map(|t| format!("; target {}", with_unit(t, unit))).unwrap_or_default()
}

/// The bar chart in words, for its `aria-label`.
fn bar_summary(caption: &str, bars: &[Bar], target: Option<f64>, unit: &str) -> String {
    let target = target_words(target, unit);
    match bars {
        [] => format!("{caption}: no data yet."),
        [one] => format!("{caption}: {} {}{target}.", one.label, with_unit(one.value, unit)),
        _ => {
            let values = bars.iter().map(|b| finite(b.value));
            let lo = values.clone().fold(f64::INFINITY, f64::min);
            let hi = values.fold(f64::NEG_INFINITY, f64::max);
            format!("{caption}: {} values from {} to {}{target}.", bars.len(), with_unit(lo, unit), with_unit(hi, unit))
        }
    }
}

/// The line chart in words, for its `aria-label`; `series` sorted by date.
fn line_summary(caption: &str, series: &[Point], target: Option<f64>, unit: &str) -> String {
    let target = target_words(target, unit);
    match series {
        [] => format!("{caption}: no data yet."),
        [one] => format!("{caption}: {} on {}{target}.", with_unit(one.value, unit), long_date(one.date)),
        [first, .., last] => format!(
            "{caption}: from {} on {} to {} on {}{target}.",
            with_unit(first.value, unit),
            long_date(first.date),
            with_unit(last.value, unit),
            long_date(last.date)
        ),
    }
}

fn short_date(d: NaiveDate) -> String {
    d.format("%b %-d").to_string()
}

fn long_date(d: NaiveDate) -> String {
    d.format("%b %-d, %Y").to_string()
}

/// A coordinate for an attribute: one decimal is finer than a pixel.
fn c(v: f64) -> String {
    format!("{:.1}", finite(v))
}

fn view_box() -> String {
    format!("0 0 {WIDTH} {HEIGHT}")
}

/// Grid lines and value labels.
fn value_axis(ticks: &[f64], top: f64, unit: &'static str) -> impl IntoView {
    let right = c(WIDTH - RIGHT);
    ticks
        .iter()
        .map(|&t| {
            let y = c(scale_y(t, top));
            let class = if t == 0.0 { "chart-axis" } else { "chart-grid" };
            let label = if unit == "%" { with_unit(t, unit) } else { format_value(t) };
            view! {
                <g>
                    <line class=class x1=c(LEFT) x2=right.clone() y1=y.clone() y2=y.clone() />
                    <text class="chart-label" x=c(LEFT - 6.0) y=y text-anchor="end" dominant-baseline="middle">
                        {label}
                    </text>
                </g>
            }
        })
        .collect_view()
}

/// The dashed target line and its label, if there is a target.
fn target_line(target: Option<f64>, top: f64, unit: &'static str) -> impl IntoView {
    target.map(|t| {
        let y = scale_y(t, top);
        view! {
            <g>
                <line class="chart-target" x1=c(LEFT) x2=c(WIDTH - RIGHT) y1=c(y) y2=c(y) />
                <text class="chart-target-label" x=c(WIDTH - RIGHT) y=c(y - 6.0) text-anchor="end">
                    {format!("Target {}", with_unit(t, unit))}
                </text>
            </g>
        }
    })
}

fn no_data(caption: String) -> AnyView {
    view! {
        <figure class="chart">
            <figcaption>{caption}</figcaption>
            <p class="chart-empty">"No data yet."</p>
        </figure>
    }
    .into_any()
}

/// Vertical bars, e.g. approved hours per week, with an optional dashed
/// target line (40 h). `category` heads the first column of the screen
/// reader's table ("Week").
#[component]
pub fn BarChart(
    bars: Vec<Bar>,
    target: Option<f64>,
    unit: &'static str,
    #[prop(into)] caption: String,
    #[prop(default = "Item")] category: &'static str,
) -> impl IntoView {
    if bars.is_empty() {
        return no_data(caption);
    }
    let max = bars.iter().map(|b| finite(b.value)).chain(target.map(finite)).fold(0.0, f64::max);
    let ticks = nice_ticks(max, TICKS);
    let top = ticks.last().copied().unwrap_or(1.0);
    let summary = bar_summary(&caption, &bars, target, unit);
    let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
    let boxes = bar_boxes(&values, top);
    let longest = bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(0);
    let step = label_step(plot_width() / bars.len() as f64, longest);
    let label_y = c(baseline() + 18.0);
    let drawn = bars
        .iter()
        .zip(&boxes)
        .enumerate()
        .map(|(i, (bar, b))| {
            let title = if bar.title.is_empty() {
                format!("{}: {}", bar.label, with_unit(bar.value, unit))
            } else {
                bar.title.clone()
            };
            let label = (i % step == 0).then(|| {
                view! {
                    <text class="chart-label" x=c(b.x + b.width / 2.0) y=label_y.clone() text-anchor="middle">
                        {bar.label.clone()}
                    </text>
                }
            });
            view! {
                <g>
                    <rect class="chart-bar" x=c(b.x) y=c(b.y) width=c(b.width) height=c(b.height)>
                        <title>{title}</title>
                    </rect>
                    {label}
                </g>
            }
        })
        .collect_view();
    let rows = bars
        .iter()
        .map(|b| {
            view! {
                <tr>
                    <th scope="row">{b.label.clone()}</th>
                    <td>{with_unit(b.value, unit)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{caption.clone()}</figcaption>
            <svg class="chart-svg" viewBox=view_box() role="img" aria-label=summary>
                {value_axis(&ticks, top, unit)}
                {drawn}
                {target_line(target, top, unit)}
            </svg>
            <table class="visually-hidden">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{category}</th>
                        <th scope="col">"Value"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

/// Progress over time, e.g. cumulative approved hours or competencies
/// completed over the term, with an optional dashed target line.
#[component]
pub fn LineChart(
    series: Vec<Point>,
    target: Option<f64>,
    #[prop(into)] caption: String,
    unit: &'static str,
) -> impl IntoView {
    let mut series = series;
    series.sort_by_key(|p| p.date);
    let (Some(first), Some(last)) = (series.first().map(|p| p.date), series.last().map(|p| p.date)) else {
        return no_data(caption);
    };
    let max = series.iter().map(|p| finite(p.value)).chain(target.map(finite)).fold(0.0, f64::max);
    let ticks = nice_ticks(max, TICKS);
    let top = ticks.last().copied().unwrap_or(1.0);
    let summary = line_summary(&caption, &series, target, unit);
    let xy: Vec<(f64, f64)> = series.iter().map(|p| (scale_x(p.date, first, last), scale_y(p.value, top))).collect();
    let points = xy.iter().map(|&(x, y)| format!("{},{}", c(x), c(y))).collect::<Vec<_>>().join(" ");
    let dots = series
        .iter()
        .zip(&xy)
        .map(|(p, &(x, y))| {
            view! {
                <circle class="chart-dot" cx=c(x) cy=c(y) r="3">
                    <title>{format!("{}: {}", long_date(p.date), with_unit(p.value, unit))}</title>
                </circle>
            }
        })
        .collect_view();
    let dates = date_ticks(first, last, DATE_LABELS);
    let n = dates.len();
    let label_y = c(baseline() + 18.0);
    let date_labels = dates
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let anchor = match (i, n) {
                (_, 1) => "middle",
                (0, _) => "start",
                (i, n) if i + 1 == n => "end",
                _ => "middle",
            };
            view! {
                <text class="chart-label" x=c(scale_x(d, first, last)) y=label_y.clone() text-anchor=anchor>
                    {short_date(d)}
                </text>
            }
        })
        .collect_view();
    let rows = series
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{long_date(p.date)}</th>
                    <td>{with_unit(p.value, unit)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{caption.clone()}</figcaption>
            <svg class="chart-svg" viewBox=view_box() role="img" aria-label=summary>
                {value_axis(&ticks, top, unit)}
                {target_line(target, top, unit)}
                <polyline class="chart-line" points=points />
                {dots}
                {date_labels}
            </svg>
            <table class="visually-hidden">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Value"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn bar(label: &str, value: f64) -> Bar {
        Bar { label: label.into(), value, title: String::new() }
    }

    #[test]
    fn ticks_are_round_steps_from_zero_past_the_maximum() {
        assert_eq!(nice_ticks(40.0, 4), [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(163.0, 4), [0.0, 50.0, 100.0, 150.0, 200.0]);
        assert_eq!(nice_ticks(42.0, 4), [0.0, 20.0, 40.0, 60.0]);
        assert_eq!(nice_ticks(7.0, 4), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(1.0, 4), [0.0, 0.5, 1.0]);
        assert_eq!(nice_ticks(0.3, 4), [0.0, 0.1, 0.2, 0.3]);
        for max in [0.9, 3.0, 12.5, 99.0, 100.0, 101.0, 163.0, 9600.0] {
            let t = nice_ticks(max, 4);
            let top = *t.last().unwrap();
            assert!(top >= max && t[0] == 0.0 && t.len() <= 6, "{max}: {t:?}");
        }
    }

    #[test]
    fn an_empty_or_zero_axis_still_has_ticks() {
        assert_eq!(nice_ticks(0.0, 4), [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(nice_ticks(-5.0, 2), [0.0, 1.0, 2.0]);
        assert_eq!(nice_ticks(f64::NAN, 0), [0.0, 1.0]);
    }

    #[test]
    fn values_scale_from_the_baseline_to_the_top() {
        assert_eq!(scale_y(0.0, 40.0), HEIGHT - BOTTOM);
        assert_eq!(scale_y(40.0, 40.0), TOP);
        assert_eq!(scale_y(20.0, 40.0), (HEIGHT - BOTTOM + TOP) / 2.0);
        assert_eq!(scale_y(80.0, 40.0), TOP, "clamped");
        assert_eq!(scale_y(5.0, 0.0), HEIGHT - BOTTOM, "no axis");
        assert_eq!(scale_y(f64::NAN, 40.0), HEIGHT - BOTTOM);
    }

    #[test]
    fn dates_scale_across_the_plot() {
        let (a, b) = (d("2026-11-02"), d("2026-11-12"));
        assert_eq!(scale_x(a, a, b), LEFT);
        assert_eq!(scale_x(b, a, b), WIDTH - RIGHT);
        assert_eq!(scale_x(d("2026-11-07"), a, b), LEFT + (WIDTH - LEFT - RIGHT) / 2.0);
        assert_eq!(scale_x(a, a, a), LEFT + (WIDTH - LEFT - RIGHT) / 2.0, "one day sits in the middle");
    }

    #[test]
    fn bars_share_the_plot_in_equal_slots() {
        let boxes = bar_boxes(&[10.0, 40.0, 0.0, 20.0, 5.0, 5.0, 5.0, 5.0], 40.0);
        let slot = (WIDTH - LEFT - RIGHT) / 8.0;
        assert_eq!(boxes.len(), 8);
        assert!((boxes[0].width - slot * 0.7).abs() < 1e-9);
        assert!((boxes[1].x - boxes[0].x - slot).abs() < 1e-9);
        assert_eq!((boxes[1].y, boxes[1].height), (TOP, HEIGHT - BOTTOM - TOP));
        assert_eq!(boxes[2].height, 0.0);
        assert!((boxes[0].height * 2.0 - boxes[3].height).abs() < 1e-9);
        let one = bar_boxes(&[5.0], 10.0);
        assert_eq!(one[0].width, BAR_MAX_WIDTH, "a lone bar is not a slab");
        assert!((one[0].x + one[0].width / 2.0 - (LEFT + (WIDTH - LEFT - RIGHT) / 2.0)).abs() < 1e-9);
        assert!(bar_boxes(&[], 10.0).is_empty());
    }

    #[test]
    fn crowded_bar_labels_are_thinned() {
        assert_eq!(label_step(107.0, 6), 1);
        assert_eq!(label_step(428.0 / 16.0, 6), 3);
        assert_eq!(label_step(0.0, 6), 1);
    }

    #[test]
    fn date_labels_are_spread_evenly() {
        let a = d("2026-11-02");
        assert_eq!(date_ticks(a, a, 4), [a]);
        assert_eq!(date_ticks(a, d("2026-11-03"), 4), [a, d("2026-11-03")]);
        assert_eq!(date_ticks(a, d("2026-12-02"), 4), [a, d("2026-11-12"), d("2026-11-22"), d("2026-12-02")]);
    }

    #[test]
    fn values_read_without_noise() {
        assert_eq!(format_value(40.0), "40");
        assert_eq!(format_value(12.5), "12.5");
        assert_eq!(format_value(0.1 + 0.2), "0.3");
        assert_eq!(format_value(1.25), "1.25");
        assert_eq!(format_value(-0.001), "0");
        assert_eq!(with_unit(32.0, "h"), "32 h");
        assert_eq!(with_unit(50.0, "%"), "50%");
        assert_eq!(with_unit(3.0, ""), "3");
    }

    #[test]
    fn charts_describe_their_data_in_words() {
        let bars = [bar("Nov 2", 32.0), bar("Nov 9", 38.5), bar("Nov 16", 0.0)];
        assert_eq!(
            bar_summary("Approved hours per week", &bars, Some(40.0), "h"),
            "Approved hours per week: 3 values from 0 h to 38.5 h; target 40 h."
        );
        assert_eq!(bar_summary("Hours", &bars[..1], None, "h"), "Hours: Nov 2 32 h.");
        let series = [Point { date: d("2026-11-02"), value: 8.0 }, Point { date: d("2026-12-11"), value: 152.0 }];
        assert_eq!(
            line_summary("Cumulative approved hours", &series, Some(160.0), "h"),
            "Cumulative approved hours: from 8 h on Nov 2, 2026 to 152 h on Dec 11, 2026; target 160 h."
        );
    }

    #[test]
    fn charts_render_accessible_svg_or_say_there_is_no_data() {
        let html = view! { <BarChart bars=vec![bar("Nov 2", 32.0), bar("Nov 9", 40.0)] target=Some(40.0) unit="h" caption="Hours per week" /> }
            .to_html();
        assert!(html.contains("role=\"img\""), "{html}");
        assert!(html.contains("viewBox=\"0 0 480 240\""), "{html}");
        assert!(html.contains("aria-label=\"Hours per week: 2 values from 32 h to 40 h; target 40 h.\""), "{html}");
        assert!(html.contains("class=\"chart-target\""), "{html}");
        assert!(html.contains("<title>Nov 9: 40 h</title>"), "{html}");
        assert!(html.contains("<th scope=\"row\">Nov 9</th><td>40 h</td>"), "{html}");
        assert!(!html.contains("NaN"), "{html}");

        let series = vec![Point { date: d("2026-11-09"), value: 16.0 }, Point { date: d("2026-11-02"), value: 8.0 }];
        let html = view! { <LineChart series=series target=None caption="Cumulative hours" unit="h" /> }.to_html();
        assert!(html.contains("<polyline points=\"44.0,136.8 472.0,61.6\" class=\"chart-line\">"), "{html}");
        assert!(html.contains("from 8 h on Nov 2, 2026 to 16 h on Nov 9, 2026."), "sorted by date: {html}");
        assert!(!html.contains("chart-target"), "{html}");

        let empty = view! { <BarChart bars=vec![] target=None unit="h" caption="Hours per week" /> }.to_html();
        assert!(empty.contains("No data yet.") && !empty.contains("<svg"), "{empty}");
        let empty = view! { <LineChart series=vec![] target=None caption="Progress" unit="" /> }.to_html();
        assert!(empty.contains("No data yet.") && !empty.contains("<svg"), "{empty}");
    }
}
