//! Brute-force defences: a per-client-address rate limit on sign-in attempts (429 with
//! `Retry-After`) and the per-account lockout after repeated failures (read from the audit
//! trail, see `Store::login_locked_until`).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding-window limit per key. The limit is given with each attempt, so that a change of
/// the policy applies at once.
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(window: Duration) -> Self {
        RateLimiter {
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt by `key` against at most `max` per window; `Err(seconds)` when over
    /// the limit, with how long to wait.
    pub fn check(&self, key: &str, max: usize) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut map) = self.hits.lock() else {
            return Ok(());
        };
        if map.len() > 100_000 {
            // Bound memory under a flood of addresses: forget idle keys.
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let q = map.entry(key.to_string()).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() >= max {
            let wait = q
                .front()
                .map(|t| self.window.saturating_sub(now.duration_since(*t)))
                .unwrap_or(self.window);
            return Err(wait.as_secs().max(1));
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key() {
        let l = RateLimiter::new(Duration::from_secs(60));
        for _ in 0..3 {
            assert!(l.check("a", 3).is_ok());
        }
        let wait = l.check("a", 3).expect_err("fourth attempt");
        assert!((1..=60).contains(&wait));
        assert!(l.check("b", 3).is_ok(), "another address is not limited");
        assert!(l.check("a", 10).is_ok(), "a higher limit applies at once");
    }
}
