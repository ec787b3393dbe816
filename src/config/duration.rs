//! `cooldown` durations as rule files write them.

use std::time::Duration;

/// The longest `cooldown`: a year.
pub(crate) const MAX_COOLDOWN: Duration = Duration::from_secs(366 * 24 * 3600);

/// Reads a duration such as `30m`, `24h`, `7d`, `2w` or `1h30m`: numbers each followed
/// by a unit (`m` minutes, `h` hours, `d` days, `w` weeks). `None` for anything else,
/// for zero, and for more than [`MAX_COOLDOWN`].
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() || text.len() > 32 {
        return None;
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(d.into())?);
            continue;
        }
        let unit = match c {
            'm' => 60,
            'h' => 3600,
            'd' => 24 * 3600,
            'w' => 7 * 24 * 3600,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    let d = Duration::from_secs(total);
    (total > 0 && d <= MAX_COOLDOWN).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(7 * 86400)));
        for bad in [
            "",
            "24",
            "h",
            "0h",
            "24 hours",
            "-1h",
            "400d",
            "99999999999999999999h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
