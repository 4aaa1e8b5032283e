//! docker's units: sizes in decimal units (go-units `HumanSizeWithPrecision`), durations in
//! words (go-units `HumanDuration`), and times in Go's `RFC3339Nano`.

use time::OffsetDateTime;

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// `units.HumanSizeWithPrecision(size, 3)`: `7.8MB`, `128MB`, `0B`, and Go's `%.3g` quirks
/// such as `1e+03kB`.
pub fn human_size(size: u64) -> String {
    human_size_with_precision(size, 3)
}

/// `units.HumanSizeWithPrecision(size, precision)` (`units.HumanSize` is precision 4).
pub fn human_size_with_precision(size: u64, precision: usize) -> String {
    // ok: f64 is what go-units computes with
    let mut v = size as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < DECIMAL_UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{}{}", go_g(v, precision), DECIMAL_UNITS[unit])
}

/// Go's `fmt.Sprintf("%.*g", prec, v)` for finite non-negative `v`.
pub(crate) fn go_g(v: f64, prec: usize) -> String {
    if v == 0.0 {
        return "0".to_owned();
    }
    let prec = prec.max(1);
    let sci = format!("{:.*e}", prec - 1, v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // ok: prec is a small constant
    if exp < -4 || exp >= prec as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim_fraction(mantissa), exp.abs())
    } else {
        // ok: the difference is small and non-negative after max(0)
        let decimals = (prec as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{v:.decimals$}")).to_owned()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// `units.HumanDuration(d)` for a duration in whole seconds (negative counts as zero).
pub fn human_duration(seconds: i64) -> String {
    let s = seconds;
    if s < 1 {
        return "Less than a second".to_owned();
    }
    if s == 1 {
        return "1 second".to_owned();
    }
    if s < 60 {
        return format!("{s} seconds");
    }
    let minutes = s / 60;
    if minutes == 1 {
        return "About a minute".to_owned();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // ok: hours of any realistic duration fit an f64 exactly
    let hours = ((s as f64) / 3600.0 + 0.5) as i64;
    if hours == 1 {
        return "About an hour".to_owned();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", s / 3600 / 24 / 365)
}

/// Go's `time.Time.String()` of Unix seconds in UTC: `2025-06-01 12:00:30 +0000 UTC` (the CLI
/// prints local time; the page's clock is UTC).
pub fn go_time(seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] +0000 UTC");
    time::OffsetDateTime::from_unix_timestamp(seconds).ok().and_then(|t| t.format(&format).ok()).unwrap_or_default()
}

/// Go's `time.Time.String()` of an RFC 3339 timestamp in UTC, fraction without trailing zeros:
/// `2025-06-01 12:00:30.5 +0000 UTC`, as a template prints a `time.Time` field; `None` when it
/// does not parse.
pub fn go_time_string(rfc3339: &str) -> Option<String> {
    let t = parse_time(rfc3339)?.to_offset(time::UtcOffset::UTC);
    let nano = format_rfc3339_nano(t);
    let (date, clock) = nano.trim_end_matches('Z').split_once('T')?;
    Some(format!("{date} {clock} +0000 UTC"))
}

/// docker's "CREATED" column: how long ago `created` (unix seconds) was, from `now`.
pub fn created_since(created: i64, now: i64) -> String {
    format!("{} ago", human_duration(now - created))
}

/// Parses an RFC 3339 timestamp as Go's `time.Time` unmarshals it.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Formats a time as Go's `time.RFC3339Nano`: fraction without trailing zeros, `Z` for UTC.
pub fn format_rfc3339_nano(t: OffsetDateTime) -> String {
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nanos = t.nanosecond();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    let offset = t.offset();
    if offset.is_utc() {
        out.push('Z');
    } else {
        let (h, m, _) = offset.as_hms();
        let sign = if h < 0 || m < 0 { '-' } else { '+' };
        out.push_str(&format!("{sign}{:02}:{:02}", h.abs(), m.abs()));
    }
    out
}

/// Unix seconds of an RFC 3339 timestamp; 0 when absent or invalid, as the Engine API reports.
pub fn unix_seconds(created: Option<&str>) -> i64 {
    created.and_then(parse_time).map_or(0, OffsetDateTime::unix_timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_docker_prints_them() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(7_800_000), "7.8MB");
        assert_eq!(human_size(127_999_999), "128MB");
        assert_eq!(human_size(1_234_567_890), "1.23GB");
        assert_eq!(human_size(999_999), "1e+03kB");
        assert_eq!(human_size(4_864), "4.86kB");
    }

    #[test]
    fn durations_read_as_go_units_words() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(59), "59 seconds");
        assert_eq!(human_duration(90), "About a minute");
        assert_eq!(human_duration(3599), "59 minutes");
        assert_eq!(human_duration(3600 * 36), "36 hours");
        assert_eq!(human_duration(86400 * 10), "10 days");
        assert_eq!(human_duration(86400 * 30), "4 weeks");
        assert_eq!(human_duration(86400 * 100), "3 months");
        assert_eq!(human_duration(86400 * 800), "2 years");
    }

    #[test]
    fn times_format_as_rfc3339nano() {
        let show = |s: &str| parse_time(s).map(format_rfc3339_nano);
        assert_eq!(show("2026-11-27T18:33:59.885098800Z").as_deref(), Some("2026-11-27T18:33:59.8850988Z"));
        assert_eq!(show("2019-01-01T10:00:00+02:00").as_deref(), Some("2019-01-01T10:00:00+02:00"));
    }
}
