//! Deciding whether a password sign-in attempt may proceed, from the times of
//! recent failures (stored elsewhere) for the account and for the client
//! address.
//!
//! Two limits, because they stop different attacks:
//! - Per account: a few free attempts, then an exponentially growing delay
//!   after each further failure. This makes guessing one person's password
//!   slow without counting on knowing where the attacker is.
//! - Per address: a flat cap on failures from one address in the window,
//!   which slows one machine spraying guesses across many accounts.
//!
//! Why an attacker cannot lock a real user out for long by failing on
//! purpose: the per-account delay is capped at `max_delay` (5 minutes by
//! default) rather than growing without bound or locking the account, and
//! failures age out of the window, so once the attacker stops the account
//! is free again within `window`. The per-address limit only affects the
//! address the failures came from. And the emailed one-time sign-in link is
//! not throttled by password failures at all (that is enforced where the
//! link is issued, not here), so the real user always has a way in.
//!
//! Pure: the caller passes the failure times and the current time.

use chrono::{DateTime, Duration, Utc};

/// Shift cap for the doubling: 2^30 times any useful base delay is far past
/// any useful maximum, and `1 << 30` still fits the `i32` that
/// `Duration::checked_mul` takes.
const MAX_DOUBLINGS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// How far back failures count.
    pub window: Duration,
    /// Failures on one account before any delay applies. 0 delays from the
    /// first failure.
    pub free_attempts_per_account: usize,
    /// Delay owed once the free attempts are used up; doubles with each
    /// further failure.
    pub base_delay: Duration,
    /// The most the per-account delay can grow to.
    pub max_delay: Duration,
    /// Failures from one address within the window that block further
    /// attempts from it. 0 turns the address limit off.
    pub max_failures_per_address: usize,
}

impl Default for ThrottlePolicy {
    /// Generous enough that a person mistyping a few times barely notices:
    /// three free tries, then 2 s, 4 s, 8 s, … up to 5 minutes.
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::minutes(15),
            free_attempts_per_account: 3,
            base_delay: Duration::seconds(2),
            max_delay: Duration::minutes(5),
            max_failures_per_address: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Proceed,
    /// Refuse now; an attempt after this long will be considered.
    RetryAfter(Duration),
}

impl Verdict {
    /// Whole seconds to wait, rounded up (for an HTTP `Retry-After` header or
    /// a message), or `None` to proceed.
    pub fn retry_after_seconds(&self) -> Option<i64> {
        match self {
            Verdict::Proceed => None,
            Verdict::RetryAfter(wait) => {
                let whole = wait.num_seconds();
                let rounded_up = if *wait > Duration::seconds(whole) { whole + 1 } else { whole };
                Some(rounded_up.max(1))
            }
        }
    }
}

impl ThrottlePolicy {
    /// Requests for e-mailed links (sign-in, password reset) from one
    /// address: ten in a quarter hour, then a wait until the oldest ages
    /// out. Accounts are not counted here (`issue_link` caps links per
    /// person), so nobody can stop a real user's own link by asking for it.
    pub fn mail_requests() -> ThrottlePolicy {
        ThrottlePolicy {
            window: Duration::minutes(15),
            free_attempts_per_account: usize::MAX,
            base_delay: Duration::zero(),
            max_delay: Duration::zero(),
            max_failures_per_address: 10,
        }
    }

    /// Decides on an attempt at `now`. Failure lists may be unsorted and may
    /// include failures older than the window (they are ignored). The longer
    /// of the per-account and per-address waits wins.
    pub fn check(
        &self,
        account_failures: &[DateTime<Utc>],
        address_failures: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Verdict {
        let wait = self.account_wait(account_failures, now).max(self.address_wait(address_failures, now));
        if wait > Duration::zero() { Verdict::RetryAfter(wait) } else { Verdict::Proceed }
    }

    /// Failures still inside the window at `now`, oldest first. A failure
    /// stamped after `now` (clock skew between servers) counts as happening
    /// at `now`, so skew cannot stretch a wait past the policy's limits.
    fn recent(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let mut recent: Vec<DateTime<Utc>> =
            failures.iter().map(|&at| at.min(now)).filter(|&at| self.in_window(at, now)).collect();
        recent.sort_unstable();
        recent
    }

    /// A failure at `at` counts at `now` while `now - at < window`, so it
    /// stops counting at exactly `at + window`.
    fn in_window(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now.signed_duration_since(at) < self.window
    }

    /// The delay owed after `failures` recent failures.
    fn account_delay(&self, failures: usize) -> Duration {
        let Some(extra) = failures.checked_sub(self.free_attempts_per_account) else {
            return Duration::zero();
        };
        let doublings = extra.min(MAX_DOUBLINGS);
        let factor: i32 = 1 << doublings;
        self.base_delay.checked_mul(factor).map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }

    fn account_wait(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Duration {
        let recent = self.recent(failures, now);
        let Some(&latest) = recent.last() else {
            return Duration::zero();
        };
        let delay = self.account_delay(recent.len());
        if delay <= Duration::zero() {
            return Duration::zero();
        }
        wait_until(latest, delay, now)
    }

    /// With `c` recent failures against a limit `l`, attempts resume once the
    /// count drops to `l - 1`, i.e. once the oldest `c - l + 1` have left the
    /// window. The last of those to leave is the `(c - l)`-th oldest
    /// (0-based), which leaves at its time plus the window.
    fn address_wait(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Duration {
        let limit = self.max_failures_per_address;
        if limit == 0 {
            return Duration::zero();
        }
        let recent = self.recent(failures, now);
        let Some(index) = recent.len().checked_sub(limit) else {
            return Duration::zero();
        };
        let Some(&pivot) = recent.get(index) else {
            return Duration::zero();
        };
        wait_until(pivot, self.window, now)
    }
}

/// Time from `now` until `at + after`, never negative. Near the end of
/// chrono's range the sum can overflow; then the full `after` is owed.
fn wait_until(at: DateTime<Utc>, after: Duration, now: DateTime<Utc>) -> Duration {
    at.checked_add_signed(after).map_or(after, |until| until.signed_duration_since(now)).max(Duration::zero())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap()
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        t0() + Duration::seconds(seconds)
    }

    fn secs(n: i64) -> Duration {
        Duration::seconds(n)
    }

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy::default()
    }

    fn account(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Verdict {
        policy().check(failures, &[], now)
    }

    #[test]
    fn default_policy_values() {
        let p = ThrottlePolicy::default();
        assert_eq!(p.window, Duration::minutes(15));
        assert_eq!(p.free_attempts_per_account, 3);
        assert_eq!(p.base_delay, secs(2));
        assert_eq!(p.max_delay, Duration::minutes(5));
        assert_eq!(p.max_failures_per_address, 30);
    }

    #[test]
    fn no_failures_proceeds() {
        assert_eq!(policy().check(&[], &[], t0()), Verdict::Proceed);
    }

    #[test]
    fn free_attempts_proceed_immediately() {
        assert_eq!(account(&[at(0)], at(0)), Verdict::Proceed);
        assert_eq!(account(&[at(0), at(1)], at(1)), Verdict::Proceed);
    }

    #[test]
    fn delay_starts_once_free_attempts_are_used() {
        let failures = [at(0), at(1), at(2)];
        assert_eq!(account(&failures, at(2)), Verdict::RetryAfter(secs(2)));
        assert_eq!(account(&failures, at(3)), Verdict::RetryAfter(secs(1)));
        assert_eq!(account(&failures, at(4)), Verdict::Proceed);
        assert_eq!(account(&failures, at(100)), Verdict::Proceed);
    }

    #[test]
    fn delay_doubles_with_each_further_failure() {
        let mut failures = Vec::new();
        let mut expected = Vec::new();
        for n in 1..=10 {
            failures.push(at(n * 10));
            let verdict = account(&failures, at(n * 10));
            expected.push(verdict);
        }
        assert_eq!(
            expected,
            vec![
                Verdict::Proceed,
                Verdict::Proceed,
                Verdict::RetryAfter(secs(2)),
                Verdict::RetryAfter(secs(4)),
                Verdict::RetryAfter(secs(8)),
                Verdict::RetryAfter(secs(16)),
                Verdict::RetryAfter(secs(32)),
                Verdict::RetryAfter(secs(64)),
                Verdict::RetryAfter(secs(128)),
                Verdict::RetryAfter(secs(256)),
            ]
        );
    }

    #[test]
    fn delay_is_measured_from_the_latest_failure() {
        // Four failures: delay 4 s after the latest (at 50), so free at 54.
        let failures = [at(0), at(10), at(20), at(50)];
        assert_eq!(account(&failures, at(51)), Verdict::RetryAfter(secs(3)));
        assert_eq!(account(&failures, at(54)), Verdict::Proceed);
    }

    #[test]
    fn delay_is_capped_at_max_delay() {
        // 3 free + 8 more: 2 * 2^8 = 512 s, capped at 300 s.
        let failures: Vec<_> = (0..11).map(at).collect();
        assert_eq!(account(&failures, at(10)), Verdict::RetryAfter(Duration::minutes(5)));
        assert_eq!(account(&failures, at(10 + 299)), Verdict::RetryAfter(secs(1)));
        assert_eq!(account(&failures, at(10 + 300)), Verdict::Proceed);
    }

    #[test]
    fn huge_failure_counts_do_not_overflow() {
        let p = ThrottlePolicy { window: Duration::days(365), ..policy() };
        let failures: Vec<_> = (0..10_000).map(at).collect();
        assert_eq!(p.check(&failures, &[], at(9_999)), Verdict::RetryAfter(Duration::minutes(5)));
        assert_eq!(p.account_delay(usize::MAX), Duration::minutes(5));
        assert_eq!(p.account_delay(3 + 64), Duration::minutes(5));

        // A policy with a huge base delay saturates at max_delay too.
        let big =
            ThrottlePolicy { base_delay: Duration::days(100_000), max_delay: Duration::days(200_000), ..policy() };
        assert_eq!(big.account_delay(3 + 30), Duration::days(200_000));
    }

    #[test]
    fn account_failures_age_out_of_the_window() {
        // Ten failures at 0..9 s; the window is 15 minutes.
        let failures: Vec<_> = (0..10).map(at).collect();
        // At 15:00 the failure at 0 s has left the window; 9 remain, and the
        // 2 * 2^6 = 128 s delay since the latest (9 s) has long passed.
        assert_eq!(account(&failures, at(900)), Verdict::Proceed);
        // After everything has aged out, even a fresh set of failures only
        // counts from zero.
        let mut later = failures.clone();
        later.push(at(2000));
        assert_eq!(account(&later, at(2000)), Verdict::Proceed);
    }

    #[test]
    fn old_failures_do_not_count_toward_the_delay() {
        // Two failures just now plus many old ones: only 2 recent, so free.
        let mut failures: Vec<_> = (0..20).map(at).collect();
        failures.push(at(2000));
        failures.push(at(2001));
        assert_eq!(account(&failures, at(2001)), Verdict::Proceed);
        // A failure exactly one window old no longer counts...
        let failures = [at(0), at(890), at(900)];
        assert_eq!(account(&failures, at(900)), Verdict::Proceed);
        // ...but one a second younger does.
        let failures = [at(1), at(890), at(900)];
        assert_eq!(account(&failures, at(900)), Verdict::RetryAfter(secs(2)));
    }

    #[test]
    fn unsorted_input_is_handled() {
        let failures = [at(50), at(0), at(20), at(10)];
        assert_eq!(account(&failures, at(51)), Verdict::RetryAfter(secs(3)));

        let mut address: Vec<_> = (0..30).map(|i| at(i * 10)).collect();
        address.reverse();
        address.swap(3, 17);
        assert_eq!(policy().check(&[], &address, at(290)), Verdict::RetryAfter(secs(610)));
    }

    #[test]
    fn future_timestamps_count_as_now() {
        // Skewed clocks: failures "in the future" cannot push the wait past
        // the policy's delay.
        let failures = [at(0), at(1), at(1_000)];
        assert_eq!(account(&failures, at(2)), Verdict::RetryAfter(secs(2)));
    }

    #[test]
    fn address_below_limit_proceeds() {
        let address: Vec<_> = (0..29).map(at).collect();
        assert_eq!(policy().check(&[], &address, at(29)), Verdict::Proceed);
    }

    #[test]
    fn address_limit_blocks_until_the_oldest_counted_failure_leaves() {
        // 30 failures, one every 10 s from 0 to 290 s.
        let address: Vec<_> = (0..30).map(|i| at(i * 10)).collect();
        // Blocked until the failure at 0 s leaves at 900 s.
        assert_eq!(policy().check(&[], &address, at(290)), Verdict::RetryAfter(secs(610)));
        assert_eq!(policy().check(&[], &address, at(899)), Verdict::RetryAfter(secs(1)));
        assert_eq!(policy().check(&[], &address, at(900)), Verdict::Proceed);
    }

    #[test]
    fn address_release_time_is_exact_when_over_the_limit() {
        // 35 failures at 0..340 s: the count must drop to 29, so the six
        // oldest (0..50 s) must leave; the last of them leaves at 950 s.
        let address: Vec<_> = (0..35).map(|i| at(i * 10)).collect();
        let p = policy();
        assert_eq!(p.check(&[], &address, at(340)), Verdict::RetryAfter(secs(610)));
        assert_eq!(p.check(&[], &address, at(949)), Verdict::RetryAfter(secs(1)));
        assert_eq!(p.check(&[], &address, at(950)), Verdict::Proceed);
        // And at 950 s there really are 29 left in the window.
        assert_eq!(p.recent(&address, at(950)).len(), 29);
        assert_eq!(p.recent(&address, at(949)).len(), 30);
    }

    #[test]
    fn address_release_ignores_failures_already_outside_the_window() {
        // Five ancient failures plus 30 recent ones: the ancient ones do not
        // shift which failure has to expire.
        let mut address: Vec<_> = (0..5).map(|i| at(i - 10_000)).collect();
        address.extend((0..30).map(|i| at(i * 10)));
        assert_eq!(policy().check(&[], &address, at(300)), Verdict::RetryAfter(secs(600)));
    }

    #[test]
    fn address_limit_of_zero_is_off() {
        let p = ThrottlePolicy { max_failures_per_address: 0, ..policy() };
        let address: Vec<_> = (0..100).map(at).collect();
        assert_eq!(p.check(&[], &address, at(100)), Verdict::Proceed);
    }

    #[test]
    fn zero_free_attempts_delays_from_the_first_failure() {
        let p = ThrottlePolicy { free_attempts_per_account: 0, ..policy() };
        assert_eq!(p.check(&[], &[], at(0)), Verdict::Proceed);
        // base * 2^(n - free): one failure already owes 2 * 2^1 s.
        assert_eq!(p.check(&[at(0)], &[], at(0)), Verdict::RetryAfter(secs(4)));
        assert_eq!(p.check(&[at(0), at(1)], &[], at(1)), Verdict::RetryAfter(secs(8)));
    }

    #[test]
    fn the_longer_wait_wins() {
        // Account: 4 failures, latest at 300 s, so 4 s owed.
        let account_failures = [at(0), at(100), at(200), at(300)];
        // Address: 30 failures from 0 s, so blocked until 900 s.
        let address: Vec<_> = (0..30).map(|i| at(i * 10)).collect();
        let p = policy();
        assert_eq!(p.check(&account_failures, &address, at(301)), Verdict::RetryAfter(secs(599)));
        // Address under the limit: the account wait is what remains.
        assert_eq!(p.check(&account_failures, &address[..29], at(301)), Verdict::RetryAfter(secs(3)));
        // Account wait longer than the address wait.
        let many: Vec<_> = (0..11).map(|i| at(890 + i)).collect();
        assert_eq!(p.check(&many, &address, at(900)), Verdict::RetryAfter(secs(300)));
    }

    #[test]
    fn retry_after_seconds_rounds_up() {
        assert_eq!(Verdict::Proceed.retry_after_seconds(), None);
        assert_eq!(Verdict::RetryAfter(secs(3)).retry_after_seconds(), Some(3));
        assert_eq!(Verdict::RetryAfter(Duration::milliseconds(2_001)).retry_after_seconds(), Some(3));
        assert_eq!(Verdict::RetryAfter(Duration::milliseconds(1)).retry_after_seconds(), Some(1));
    }

    #[test]
    fn sub_second_timestamps_are_exact() {
        let failures = [at(0), at(1), at(2) + Duration::milliseconds(500)];
        assert_eq!(account(&failures, at(3)), Verdict::RetryAfter(Duration::milliseconds(1_500)));
    }

    #[test]
    fn extreme_timestamps_do_not_panic() {
        let p = policy();
        let end = DateTime::<Utc>::MAX_UTC;
        let failures = [end, end, end];
        assert_eq!(p.check(&failures, &failures, end), Verdict::RetryAfter(secs(2)));
        let start = DateTime::<Utc>::MIN_UTC;
        assert_eq!(p.check(&[start; 3], &[start; 40], end), Verdict::Proceed);
    }

    #[test]
    fn an_address_may_ask_for_ten_links_a_quarter_hour() {
        let p = ThrottlePolicy::mail_requests();
        let nine: Vec<_> = (0..9).map(|i| at(i * 10)).collect();
        assert_eq!(p.check(&[], &nine, at(100)), Verdict::Proceed);
        let ten: Vec<_> = (0..10).map(|i| at(i * 10)).collect();
        // The oldest (at 0 s) leaves the window at 900 s.
        assert_eq!(p.check(&[], &ten, at(100)).retry_after_seconds(), Some(800));
        assert_eq!(p.check(&[], &ten, at(900)), Verdict::Proceed);
    }
}
