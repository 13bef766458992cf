//! Charts as plain SVG: bars stacked by part (a level, or one series), with a tooltip per bar
//! from its `<title>`. No charting crate: a few rects cost nothing in wasm size and need no
//! inline styles, which the CSP forbids; colours come from the stylesheet by class.

use crate::model::counted;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// Height of every chart's drawing, in its own units.
const HEIGHT: f64 = 100.0;
/// Width of one bar's slot, in the same units.
const SLOT: f64 = 10.0;

/// One bar: when it starts and its parts, bottom first, as (CSS class, count).
#[derive(Clone, Debug, PartialEq)]
pub struct StackedBar {
    pub start: DateTime<Utc>,
    pub parts: Vec<(&'static str, i64)>,
}

impl StackedBar {
    pub fn total(&self) -> i64 {
        self.parts.iter().map(|(_, count)| count).sum()
    }
}

/// Bars over time; hovering a bar tells its time and counts. `noun` names what is counted. Below
/// the bars, a time axis (the first, middle and last bar); above them, the tallest bar's count;
/// with nothing to draw, a line that says so.
#[component]
pub fn BarChart(
    #[prop(into)] bars: Signal<Vec<StackedBar>>,
    /// How a bar's start is written in its tooltip (a chrono format).
    time_format: &'static str,
    noun: &'static str,
    label: &'static str,
) -> impl IntoView {
    let width = move || bars.with(|bars| bars.len().max(1) as f64 * SLOT);
    let max = move || bars.with(|bars| bars.iter().map(StackedBar::total).max().unwrap_or(0).max(1)) as f64;
    let empty = move || bars.with(|bars| bars.iter().all(|bar| bar.total() == 0));
    let ticks = move || {
        bars.with(|bars| {
            let at = |index: usize| bars.get(index).map(|bar| bar.start.format(time_format).to_string());
            let last = bars.len().saturating_sub(1);
            [at(0), at(last / 2), at(last)].into_iter().flatten().collect::<Vec<_>>()
        })
    };
    view! {
        <div class="chart">
        <span class="chart-peak" aria-hidden="true" class:hidden=empty>{move || max().to_string()}</span>
        <Show when=empty>
            <p class="chart-empty">{format!("No {noun}s in this range yet.")}</p>
        </Show>
        <svg class="bar-chart" viewBox=move || format!("0 0 {} {HEIGHT}", width()) preserveAspectRatio="none" role="img" aria-label=label>
            {move || {
                let max = max();
                bars.get()
                    .into_iter()
                    .enumerate()
                    .map(|(slot, bar)| {
                        let x = slot as f64 * SLOT;
                        let total = bar.total();
                        let mut top = HEIGHT;
                        let mut tooltip = format!("{}: {}", bar.start.format(time_format), counted(total, noun));
                        for (part, count) in bar.parts.iter().filter(|(_, count)| *count > 0 && bar.parts.len() > 1) {
                            tooltip.push_str(&format!(", {count} {part}"));
                        }
                        let parts = bar
                            .parts
                            .into_iter()
                            .filter(|(_, count)| *count > 0)
                            .map(|(part, count)| {
                                let height = count as f64 / max * (HEIGHT - 2.0);
                                top -= height;
                                view! {
                                    <rect class=part x=format!("{:.1}", x + 1.0) y=format!("{top:.2}") width=format!("{:.1}", SLOT - 2.0) height=format!("{height:.2}")/>
                                }
                            })
                            .collect_view();
                        view! {
                            <g class="bar" data-total=total>
                                <title>{tooltip}</title>
                                <rect class="hover" x=format!("{x:.1}") y="0" width=format!("{SLOT:.1}") height=HEIGHT.to_string()/>
                                {parts}
                            </g>
                        }
                    })
                    .collect_view()
            }}
        </svg>
        <div class="chart-axis" aria-hidden="true">
            {move || ticks().into_iter().map(|tick| view! { <span>{tick}</span> }).collect_view()}
        </div>
        </div>
    }
}

/// Events in each of the last 24 hours as a small bar line, with the count on hover.
#[component]
pub fn Sparkline(#[prop(into)] counts: Signal<Vec<i64>>) -> impl IntoView {
    let total = move || counts.with(|counts| counts.iter().sum::<i64>());
    view! {
        <svg class="sparkline" viewBox="0 0 24 10" preserveAspectRatio="none" role="img"
            aria-label=move || format!("{} in the last 24 hours", counted(total(), "event"))>
            <title>{move || format!("{} in the last 24 hours", counted(total(), "event"))}</title>
            {move || {
                let counts = counts.get();
                let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
                let hours = counts.len();
                counts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, count)| *count > 0)
                    .map(|(hour, count)| {
                        let height = (count as f64 / max * 10.0).max(1.0);
                        let ago = hours - 1 - hour;
                        let when = if ago == 0 { "this hour".to_owned() } else { format!("{} ago", counted(ago as i64, "hour")) };
                        view! {
                            <rect x=hour.to_string() y=format!("{:.2}", 10.0 - height) width="0.8" height=format!("{height:.2}")>
                                <title>{format!("{}, {when}", counted(count, "event"))}</title>
                            </rect>
                        }
                    })
                    .collect_view()
            }}
        </svg>
    }
}
