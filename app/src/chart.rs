//! Time ranges of the charts and how counts fall into their buckets: shared by the server, which
//! sums its bucket counters into them, and the dashboard, which regroups an issue's hours.

use crate::model::{IssueSummary, Level};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far back a chart looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ChartRange {
    #[serde(rename = "1h")]
    Hour,
    #[default]
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
}

/// Minutes in the finest counters the writer keeps per project, and in the hourly ones.
pub const FINE_MINUTES: i32 = 5;
pub const HOUR_MINUTES: i32 = 60;

impl ChartRange {
    pub const ALL: [ChartRange; 4] = [ChartRange::Hour, ChartRange::Day, ChartRange::Week, ChartRange::Month];

    pub fn as_str(self) -> &'static str {
        match self {
            ChartRange::Hour => "1h",
            ChartRange::Day => "24h",
            ChartRange::Week => "7d",
            ChartRange::Month => "30d",
        }
    }

    pub fn parse(text: &str) -> Option<ChartRange> {
        ChartRange::ALL.into_iter().find(|range| range.as_str() == text)
    }

    /// How long one bar lasts.
    pub fn bucket(self) -> TimeDelta {
        match self {
            ChartRange::Hour => TimeDelta::minutes(FINE_MINUTES.into()),
            ChartRange::Day => TimeDelta::hours(1),
            ChartRange::Week => TimeDelta::hours(6),
            ChartRange::Month => TimeDelta::days(1),
        }
    }

    /// How many bars.
    pub fn buckets(self) -> usize {
        match self {
            ChartRange::Hour => 12,
            ChartRange::Day => 24,
            ChartRange::Week => 28,
            ChartRange::Month => 30,
        }
    }

    /// Which counters the bars are summed from: 5-minute ones for the last hour, hourly beyond.
    pub fn counter_minutes(self) -> i32 {
        if self == ChartRange::Hour { FINE_MINUTES } else { HOUR_MINUTES }
    }

    /// Start of the first bar; the last bar holds `now`.
    pub fn first_start(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let last = now.duration_trunc(self.bucket()).unwrap_or(now);
        last - self.bucket() * (self.buckets() as i32 - 1)
    }

    /// The bars up to `now`, oldest first, with the counts of `points` (a count at a time) summed
    /// into them; points outside the range are left out.
    pub fn bars(self, now: DateTime<Utc>, points: impl IntoIterator<Item = (DateTime<Utc>, i64)>) -> Vec<Bar> {
        let first = self.first_start(now);
        let mut bars: Vec<Bar> =
            (0..self.buckets()).map(|i| Bar { start: first + self.bucket() * i as i32, count: 0 }).collect();
        for (at, count) in points {
            if let Some(bar) = self.slot(first, at).and_then(|slot| bars.get_mut(slot)) {
                bar.count += count;
            }
        }
        bars
    }

    /// Which bar of a chart starting at `first` holds `at`.
    pub fn slot(self, first: DateTime<Utc>, at: DateTime<Utc>) -> Option<usize> {
        if at < first {
            return None;
        }
        let slot = usize::try_from((at - first).num_seconds() / self.bucket().num_seconds()).ok()?;
        (slot < self.buckets()).then_some(slot)
    }
}

/// A count over one bar of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Bar {
    pub start: DateTime<Utc>,
    pub count: i64,
}

/// A project's events over one bar of time, by level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LevelBar {
    pub start: DateTime<Utc>,
    pub levels: BTreeMap<Level, i64>,
}

impl LevelBar {
    pub fn total(&self) -> i64 {
        self.levels.values().sum()
    }
}

/// The project overview: events by level over the range, new issues per day over the last 30
/// days, and the issues seen in the range with the most events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectChart {
    pub range: ChartRange,
    pub events: Vec<LevelBar>,
    pub new_issues: Vec<Bar>,
    pub top_issues: Vec<IssueSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    #[test]
    fn each_range_ends_with_the_bar_holding_now_and_spans_its_length() {
        let now = at("2026-11-22T10:42:13Z");
        for (range, first) in [
            (ChartRange::Hour, "2026-11-22T09:45:00Z"),
            (ChartRange::Day, "2026-11-21T11:00:00Z"),
            (ChartRange::Week, "2026-11-15T12:00:00Z"),
            (ChartRange::Month, "2026-10-24T00:00:00Z"),
        ] {
            let bars = range.bars(now, []);
            assert_eq!(bars.first().map(|bar| bar.start), Some(at(first)), "{range:?}");
            let last = bars.last().expect("bars").start;
            assert!(last <= now && now < last + range.bucket(), "{range:?}");
        }
    }

    #[test]
    fn counts_fall_into_their_bar_and_outside_ones_are_left_out() {
        let now = at("2026-11-22T10:42:13Z");
        let points =
            [(at("2026-11-22T10:00:00Z"), 2), (at("2026-11-22T10:59:00Z"), 1), (at("2026-11-21T10:59:59Z"), 7)];
        let bars = ChartRange::Day.bars(now, points);
        assert_eq!(bars.last().map(|bar| bar.count), Some(3));
        assert_eq!(bars.iter().map(|bar| bar.count).sum::<i64>(), 3, "a point before the first bar is not counted");
        let week = ChartRange::Week.bars(now, [(at("2026-11-22T06:00:00Z"), 4), (at("2026-11-22T05:59:00Z"), 1)]);
        assert_eq!(week.iter().rev().take(2).map(|bar| bar.count).collect::<Vec<_>>(), [4, 1]);
    }
}
