//! Office hours: `[hours]` read in the rule set's time zone, to answer "is the office
//! open at this instant?" and "when does it open next?".
//!
//! Opening times are wall-clock times in `settings.timezone`, so they follow daylight
//! saving time: "08:30" is 08:30 in winter and in summer. The zone rules come from
//! jiff's copy of the IANA time-zone database (the system's when it has one, a copy
//! bundled into the crate otherwise).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use std::collections::BTreeMap;

/// How far ahead the next opening is looked for, in days. An office that does not open
/// within this has no `{{next_open}}`.
const SEARCH_DAYS: usize = 400;

/// The longest `received_at` or history `at` text read; longer text is unreadable.
const MAX_TIME_TEXT: usize = 100;

/// One line of `[hours]`: days and one opening range in minutes after midnight, closed
/// dates, or a date's changed hours. A line that lists several ranges gives one
/// `HoursLine` per range.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HoursLine {
    /// Days (0 = Monday ..= 6 = Sunday) open from `open` to `close` minutes after
    /// midnight.
    Open {
        /// The days this line covers, Monday = 0.
        days: Vec<u8>,
        /// Opening time, minutes after midnight.
        open: u16,
        /// Closing time, minutes after midnight (1440 for midnight at the day's end).
        close: u16,
    },
    /// Dates (`YYYY-MM-DD`) on which the office is closed all day.
    Closed(Vec<String>),
    /// One-off changed hours: on `date` (`YYYY-MM-DD`) the office is open from `open`
    /// to `close` minutes after midnight instead of its weekly hours.
    Changed {
        /// The date, `YYYY-MM-DD`.
        date: String,
        /// Opening time, minutes after midnight.
        open: u16,
        /// Closing time, minutes after midnight.
        close: u16,
    },
}

/// `{{next_open}}`: when the office next opens, as [`OfficeHours::next_open_text`] words it.
pub(crate) const NEXT_OPEN: &str = "next_open";

/// Values from office hours a template may use (they need `[hours]`).
pub(crate) const TIME_SLOTS: &[&str] = &[NEXT_OPEN];

/// An opening range, in minutes after midnight: `open < close <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Opening {
    /// When the office opens.
    pub(crate) open: u16,
    /// When it closes (1440: midnight at the day's end).
    pub(crate) close: u16,
}

impl Opening {
    /// Whether the office is open `secs` seconds after midnight.
    fn holds(self, secs: u32) -> bool {
        u32::from(self.open) * 60 <= secs && secs < u32::from(self.close) * 60
    }

    /// Whether the two ranges share a minute.
    pub(crate) fn overlaps(self, other: Opening) -> bool {
        self.open < other.close && other.open < self.close
    }
}

/// `[hours]` in a time zone.
#[derive(Clone, Debug)]
pub(crate) struct OfficeHours {
    tz: TimeZone,
    /// Monday = 0; each day's ranges, sorted.
    weekly: [Vec<Opening>; 7],
    /// Dates whose hours differ from the week's: changed hours, or none (closed).
    dates: BTreeMap<Date, Vec<Opening>>,
}

impl OfficeHours {
    /// Office hours from validated `[hours]` lines. Dates that do not parse are
    /// skipped (loading has reported them).
    pub(crate) fn new(tz: TimeZone, lines: &[HoursLine]) -> OfficeHours {
        let mut weekly: [Vec<Opening>; 7] = Default::default();
        let mut dates: BTreeMap<Date, Vec<Opening>> = BTreeMap::new();
        for line in lines {
            match line {
                HoursLine::Open { days, open, close } => {
                    for &d in days {
                        if let Some(day) = weekly.get_mut(usize::from(d)) {
                            day.push(Opening {
                                open: *open,
                                close: *close,
                            });
                        }
                    }
                }
                HoursLine::Closed(list) => {
                    for d in list {
                        if let Ok(date) = parse_date(d) {
                            dates.entry(date).or_default();
                        }
                    }
                }
                HoursLine::Changed { date, open, close } => {
                    if let Ok(date) = parse_date(date) {
                        dates.entry(date).or_default().push(Opening {
                            open: *open,
                            close: *close,
                        });
                    }
                }
            }
        }
        for day in &mut weekly {
            day.sort_unstable();
        }
        for ranges in dates.values_mut() {
            ranges.sort_unstable();
        }
        OfficeHours { tz, weekly, dates }
    }

    /// The opening ranges of a date.
    fn ranges(&self, date: Date) -> &[Opening] {
        match self.dates.get(&date) {
            Some(changed) => changed,
            None => {
                let day = date.weekday().to_monday_zero_offset();
                self.weekly
                    .get(usize::try_from(day).unwrap_or(0))
                    .map_or(&[], Vec::as_slice)
            }
        }
    }

    /// The instant in the office's time zone.
    pub(crate) fn local(&self, at: Timestamp) -> ZonedDateTime {
        at.to_zoned_datetime(self.tz.clone())
    }

    /// Whether the office is open at `at`.
    pub(crate) fn is_open(&self, at: Timestamp) -> bool {
        let local = self.local(at);
        let secs = seconds_of_day(&local);
        self.ranges(local.date()).iter().any(|r| r.holds(secs))
    }

    /// The next time the office opens after `at` (a later range today, or the first
    /// range of a later day), within [`SEARCH_DAYS`].
    pub(crate) fn next_open(&self, at: Timestamp) -> Option<ZonedDateTime> {
        let local = self.local(at);
        let secs = seconds_of_day(&local);
        let mut date = local.date();
        for day in 0..SEARCH_DAYS {
            let later = self
                .ranges(date)
                .iter()
                .map(|r| r.open)
                .find(|&open| day > 0 || u32::from(open) * 60 > secs);
            if let Some(open) = later {
                let hour = i8::try_from(open / 60).ok()?;
                let minute = i8::try_from(open % 60).ok()?;
                return date
                    .at(hour, minute, 0, 0)
                    .to_zoned_datetime(self.tz.clone())
                    .ok();
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// `{{next_open}}` for a message received at `at`: "8:30am on Tuesday 29 December",
    /// with the year when it is not the year of `at` in the office's time zone.
    pub(crate) fn next_open_text(&self, at: Timestamp) -> Option<String> {
        let next = self.next_open(at)?;
        Some(format_opening(&next, self.local(at).year()))
    }
}

fn seconds_of_day(z: &ZonedDateTime) -> u32 {
    let part = |x: i8| u32::try_from(x).unwrap_or(0);
    part(z.hour()) * 3600 + part(z.minute()) * 60 + part(z.second())
}

/// The days of the week, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "8:30am on Tuesday 29 December" (and " 2027" when the year is not `this_year`);
/// times on the hour are "9am", noon is "12pm", midnight "12am".
pub(crate) fn format_opening(z: &ZonedDateTime, this_year: i16) -> String {
    let (hour, minute) = (z.hour(), z.minute());
    let (h12, suffix) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    let time = if minute == 0 {
        format!("{h12}{suffix}")
    } else {
        format!("{h12}:{minute:02}{suffix}")
    };
    let weekday = usize::try_from(z.weekday().to_monday_zero_offset()).unwrap_or(0);
    let month = usize::try_from(z.month() - 1).unwrap_or(0);
    let mut text = format!(
        "{time} on {} {} {}",
        WEEKDAYS.get(weekday).copied().unwrap_or(""),
        z.day(),
        MONTHS.get(month).copied().unwrap_or("")
    );
    if z.year() != this_year {
        text.push_str(&format!(" {}", z.year()));
    }
    text
}

/// Reads an RFC 3339 timestamp with an offset (`2026-12-02T22:00:00+00:00`, or `Z`).
/// `None` for anything else, including a date-time without an offset.
pub(crate) fn parse_timestamp(text: &str) -> Option<Timestamp> {
    if text.len() > MAX_TIME_TEXT {
        return None;
    }
    let text = text.trim();
    match plain_timestamp(text) {
        Some(at) => Some(at),
        None => text.parse::<Timestamp>().ok(),
    }
}

/// The common shape, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, read directly (a
/// history replays it millions of times); `None` for any other text, which jiff then
/// reads. Whatever this reads, jiff reads as the same instant (a test checks it).
fn plain_timestamp(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let digits = |at: usize, n: usize| -> Option<i64> {
        let part = b.get(at..at + n)?;
        part.iter().try_fold(0i64, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1000..=9998).contains(&year)
        || !(1..=month_days).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if at(i, b'.') {
        let start = i + 1;
        let end = b
            .get(start..)?
            .iter()
            .position(|c| !c.is_ascii_digit())
            .map_or(b.len(), |n| start + n);
        if end == start || end - start > 9 {
            return None;
        }
        nanos = digits(start, end - start)? * 10i64.pow(9 - (end - start) as u32);
        i = end;
    }
    let offset = match b.get(i..)? {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if h > 23 || m > 59 || (*sign == b'-' && h == 0 && m == 0) {
                return None;
            }
            let offset = h * 3600 + m * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };
    // Days since 1970-01-01 of the civil date (Howard Hinnant's `days_from_civil`).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Timestamp::new(seconds, i32::try_from(nanos).ok()?).ok()
}

/// Reads a `YYYY-MM-DD` date. The error is a hint for a date that is written right
/// but does not exist ("February 2026 has 28 days"), or `None` for text that is not
/// written as a date at all.
pub(crate) fn parse_date(text: &str) -> Result<Date, Option<String>> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(None);
    }
    let year = text.get(0..4).and_then(|x| x.parse::<i16>().ok());
    let month = text.get(5..7).and_then(|x| x.parse::<i8>().ok());
    let day = text.get(8..10).and_then(|x| x.parse::<i8>().ok());
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Err(None);
    };
    if !(1..=12).contains(&month) {
        return Err(Some(format!(
            "there is no month {month}: write dates as YYYY-MM-DD, as in \"2026-12-25\""
        )));
    }
    Date::new(year, month, day).map_err(|_| {
        let days = Date::new(year, month, 1).map_or(31, |d| d.days_in_month());
        Some(format!(
            "{} {year} has {days} days",
            MONTHS
                .get(usize::try_from(month - 1).unwrap_or(0))
                .copied()
                .unwrap_or("")
        ))
    })
}

/// The time-zone database's names, for "did you mean" hints.
pub(crate) fn zone_names() -> Vec<String> {
    jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .collect()
}

/// The zone named `name`, case-insensitively as the database allows.
pub(crate) fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn london(lines: &[HoursLine]) -> OfficeHours {
        let tz = zone("Europe/London").expect("Europe/London is in the database");
        OfficeHours::new(tz, lines)
    }

    fn at(text: &str) -> Timestamp {
        parse_timestamp(text).expect("a valid timestamp")
    }

    #[test]
    fn openings_follow_the_zone_and_its_clock_changes() {
        let hours = london(&[
            HoursLine::Open {
                days: vec![0, 1, 2, 3, 4],
                open: 510,
                close: 1020,
            },
            HoursLine::Changed {
                date: "2026-12-24".into(),
                open: 510,
                close: 750,
            },
            HoursLine::Closed(vec!["2026-12-25".into()]),
        ]);
        // 08:45 BST in summer is 07:45 UTC.
        assert!(hours.is_open(at("2026-07-01T07:45:00Z")));
        assert!(!hours.is_open(at("2026-12-01T07:45:00Z")));
        assert!(hours.is_open(at("2026-12-24T12:00:00Z")));
        assert!(!hours.is_open(at("2026-12-24T13:00:00Z")));
        let next = hours.next_open_text(at("2026-12-24T13:00:00Z"));
        assert_eq!(next.as_deref(), Some("8:30am on Monday 28 December"));
        let next = hours.next_open_text(at("2026-12-31T18:00:00Z"));
        assert_eq!(next.as_deref(), Some("8:30am on Friday 1 January 2027"));
    }

    #[test]
    fn no_opening_means_no_next_open() {
        let hours = london(&[]);
        assert_eq!(hours.next_open(at("2026-12-24T13:00:00Z")), None);
    }

    #[test]
    fn times_read_like_people_write_them() {
        let tz = zone("UTC").expect("UTC");
        let z = |t: &str| at(t).to_zoned_datetime(tz.clone());
        assert_eq!(
            format_opening(&z("2026-12-28T09:00:00Z"), 2026),
            "9am on Monday 28 December"
        );
        assert_eq!(
            format_opening(&z("2026-12-28T12:15:00Z"), 2026),
            "12:15pm on Monday 28 December"
        );
        assert_eq!(
            format_opening(&z("2026-12-28T00:00:00Z"), 2026),
            "12am on Monday 28 December"
        );
    }

    #[test]
    fn dates_and_timestamps() {
        assert!(parse_date("2026-12-25").is_ok());
        assert_eq!(parse_date("25/12/2026"), Err(None));
        assert_eq!(
            parse_date("2026-02-30"),
            Err(Some("February 2026 has 28 days".into()))
        );
        assert!(parse_timestamp("2026-12-02T22:00:00+00:00").is_some());
        assert!(plain_timestamp("2026-12-02T22:00:00+00:00").is_some());
        assert!(parse_timestamp("2026-12-02T22:00:00").is_none());
        assert!(parse_timestamp("yesterday").is_none());
    }

    proptest::proptest! {
        /// The direct reading of the common shape agrees with jiff's on every text it
        /// takes, and takes the common shape.
        #[test]
        fn plain_timestamps_read_as_jiff_reads_them(
            date in (900i64..10_000, 0i64..14, 0i64..33),
            time in (0i64..26, 0i64..62, 0i64..62),
            fraction in proptest::option::of("[0-9]{0,11}"),
            separator in proptest::sample::select(vec!["T", "t", " "]),
            offset in (0usize..5, 0i64..26, 0i64..62),
        ) {
            let (year, month, day) = date;
            let (hour, minute, second) = time;
            let (shape, oh, om) = offset;
            let offset = match shape {
                0 => "Z".to_string(),
                1 => "z".to_string(),
                2 => format!("+{oh:02}:{om:02}"),
                3 => format!("-{oh:02}:{om:02}"),
                _ => format!("+{oh:02}{om:02}"),
            };
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let text = format!(
                "{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{offset}"
            );
            let jiff = text.parse::<Timestamp>().ok();
            match plain_timestamp(&text) {
                Some(at) => proptest::prop_assert_eq!(Some(at), jiff, "{}", text),
                None => {
                    let valid_date = jiff::civil::Date::new(year as i16, month as i8, day as i8).is_ok();
                    let common = separator == "T"
                        && (1000..=9998).contains(&year)
                        && valid_date
                        && hour < 24 && minute < 60 && second < 60
                        && (fraction.is_empty() || (2..=10).contains(&fraction.len()))
                        && (shape == 0 || (shape == 2 && oh < 24 && om < 60));
                    proptest::prop_assert!(!common, "{} is not read directly", text);
                }
            }
        }
    }
}
