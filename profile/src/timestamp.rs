//! Request timestamps: written in a scheme's format, and checked for freshness by a verifier.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::TimestampFormat;

/// The current time in `format`.
pub fn now(format: TimestampFormat) -> String {
    at(SystemTime::now(), format)
}

/// Now, in seconds since the Unix epoch.
pub fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// A moment in `format`.
pub fn at(moment: SystemTime, format: TimestampFormat) -> String {
    let since_epoch = moment.duration_since(UNIX_EPOCH).unwrap_or_default();
    match format {
        TimestampFormat::UnixSeconds => since_epoch.as_secs().to_string(),
        TimestampFormat::UnixMillis => since_epoch.as_millis().to_string(),
    }
}

/// Whether `value` is a timestamp in `format` within `window` of now.
pub fn is_fresh(format: TimestampFormat, value: &str, window: Duration) -> bool {
    let Ok(stamp) = value.parse::<u128>() else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (now, window) = match format {
        TimestampFormat::UnixSeconds => (now.as_secs() as u128, window.as_secs() as u128),
        TimestampFormat::UnixMillis => (now.as_millis(), window.as_millis()),
    };
    now.abs_diff(stamp) <= window
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_freshness() {
        let millis: u128 = now(TimestampFormat::UnixMillis).parse().unwrap();
        let seconds: u128 = now(TimestampFormat::UnixSeconds).parse().unwrap();
        assert!(millis / 1000 >= seconds && millis / 1000 - seconds <= 1);
        let window = Duration::from_secs(300);
        assert!(is_fresh(
            TimestampFormat::UnixMillis,
            &millis.to_string(),
            window
        ));
        let stale = (millis - 6 * 60 * 1000).to_string();
        assert!(!is_fresh(TimestampFormat::UnixMillis, &stale, window));
        assert!(!is_fresh(TimestampFormat::UnixSeconds, "yesterday", window));
    }
}
