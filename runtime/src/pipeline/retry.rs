//! When to try again: exponential backoff with jitter, or the vendor's `Retry-After` in any
//! of its forms (delay in seconds, or an HTTP date in the IMF-fixdate, RFC 850 or asctime
//! form); a wait beyond the policy's longest, or past the call's deadline, gives up.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::settings::RetryPolicy;

/// The wait a `Retry-After` header asks for; `None` when absent or unreadable (a negative,
/// fractional or garbled value is ignored, and the backoff applies). A date in the past asks
/// for no wait.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for u64 is a wait longer than any policy allows.
        return Some(
            value
                .parse()
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
        );
    }
    let date = http_date(value)?;
    Some(date.duration_since(SystemTime::now()).unwrap_or_default())
}

fn http_date(value: &str) -> Option<SystemTime> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let naive = DateTime::parse_from_rfc2822(value)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT").ok())
        .or_else(|| NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y").ok())?;
    Some(SystemTime::from(
        DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc),
    ))
}

/// How long to wait before attempt `attempt + 1`, or `None` to give up.
pub(crate) fn backoff(
    policy: &RetryPolicy,
    attempt: u32,
    retry_after: Option<Duration>,
    deadline: Instant,
) -> Option<Duration> {
    let wait = match retry_after {
        Some(asked) if asked > policy.max_backoff => return None,
        Some(asked) => asked,
        None => {
            let exponential = policy
                .initial_backoff
                .saturating_mul(1 << attempt.saturating_sub(1).min(16));
            let ceiling = exponential.min(policy.max_backoff);
            // "Equal jitter": half fixed, half random, so that clients spread out.
            let random = std::hash::BuildHasher::hash_one(
                &std::collections::hash_map::RandomState::new(),
                (attempt, Instant::now()),
            );
            ceiling / 2 + Duration::from_nanos(random % (ceiling.as_nanos() as u64 / 2 + 1))
        }
    };
    Instant::now()
        .checked_add(wait)
        .is_some_and(|then| then < deadline)
        .then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().unwrap());
        retry_after(&headers)
    }

    #[test]
    fn every_form_of_retry_after() {
        assert_eq!(after("2"), Some(Duration::from_secs(2)));
        assert_eq!(after("0"), Some(Duration::ZERO));
        assert_eq!(after("99999999999999999999999"), Some(Duration::MAX));
        assert_eq!(after("-1"), None);
        assert_eq!(after("1.5"), None);
        assert_eq!(after("soon"), None);
        for past in [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
        ] {
            assert_eq!(after(past), Some(Duration::ZERO), "{past}");
        }
        let future = chrono::Utc::now() + chrono::Duration::seconds(120);
        let imf = future.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wait = after(&imf).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
    }

    #[test]
    fn backoff_respects_the_policy_and_the_deadline() {
        let policy = RetryPolicy::default();
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(
            backoff(&policy, 1, Some(Duration::from_secs(1)), far),
            Some(Duration::from_secs(1))
        );
        assert_eq!(backoff(&policy, 1, Some(Duration::MAX), far), None);
        assert_eq!(backoff(&policy, 1, Some(Duration::from_secs(6)), far), None);
        let near = Instant::now() + Duration::from_millis(50);
        assert_eq!(
            backoff(&policy, 1, Some(Duration::from_secs(1)), near),
            None
        );
        let wait = backoff(&policy, 2, None, far).unwrap();
        assert!(
            wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400),
            "{wait:?}"
        );
    }
}
