//! Pacing from GHL's `X-RateLimit-*` response headers.
//!
//! GHL allows a burst of `X-RateLimit-Max` requests per `X-RateLimit-Interval-Milliseconds`
//! (default 100 per 10 000 ms) and `X-RateLimit-Limit-Daily` per day (default 200 000), per
//! location. The limiter keeps its own sliding window of the requests this process sent and
//! trusts the server's `Remaining` when it is lower (other processes share the budget): when
//! the server says nothing is left, requests wait one interval from that answer.
//!
//! Interactive work (what a person is looking at: the contact on screen, a send of a few
//! hand-made changes) goes before bulk work (pulls, large sends): bulk requests leave the last
//! 5% of each window (`max / 20` requests, none below 20) to interactive ones, so a person's
//! request never queues behind a saturated window of bulk work. Code marks its requests by
//! running inside [`interactive`]; everything else is bulk.
//!
//! **Background lane.** Below bulk work sits the background crawl of `bmby-ghl serve`
//! (tasks, notes and appointments of every cached contact, [`crate::sync::crawl`]): it runs
//! inside [`background`] and its requests stop at **half** of each window (`max / 2`, at least
//! one), so pulls and sends keep the other half and the interactive reserve is never touched.
//! When the window is full every lane waits, and the lane with the higher limit gets through
//! first as requests age out (an interactive request needs one slot free, a background request
//! half the window). OUR CHOICE: half, so that GHL's default 100 per 10 s leaves the crawl 5
//! requests per second (about 1.7 contacts per second, three requests each).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use reqwest::header::HeaderMap;
use tokio::sync::Mutex;

/// The budget GHL reported on the last response (all counts in requests).
///
/// Headers: `X-RateLimit-Max` (burst size), `X-RateLimit-Remaining` (left in this burst
/// window), `X-RateLimit-Interval-Milliseconds` (window length), `X-RateLimit-Limit-Daily`,
/// `X-RateLimit-Daily-Remaining`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateBudget {
    pub max: Option<u32>,
    pub remaining: Option<u32>,
    pub interval_ms: Option<u64>,
    pub daily_limit: Option<u32>,
    pub daily_remaining: Option<u32>,
}

impl RateBudget {
    /// Reads the five headers; absent or unparsable ones stay `None`.
    pub fn from_headers(h: &HeaderMap) -> RateBudget {
        fn num<T: std::str::FromStr>(h: &HeaderMap, name: &str) -> Option<T> {
            h.get(name)?.to_str().ok()?.trim().parse().ok()
        }
        RateBudget {
            max: num(h, "x-ratelimit-max"),
            remaining: num(h, "x-ratelimit-remaining"),
            interval_ms: num(h, "x-ratelimit-interval-milliseconds"),
            daily_limit: num(h, "x-ratelimit-limit-daily"),
            daily_remaining: num(h, "x-ratelimit-daily-remaining"),
        }
    }

    /// True when any header was present.
    pub fn is_known(&self) -> bool {
        self.max.is_some() || self.remaining.is_some() || self.daily_remaining.is_some()
    }
}

/// Whether a request is interactive, bulk or background (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Priority {
    Interactive,
    #[default]
    Bulk,
    /// The lowest lane: at most half of each window ([`background`]).
    Background,
}

tokio::task_local! {
    static PRIORITY: Priority;
}

/// Runs `fut` with its GHL requests marked interactive (they may use the window's reserve).
pub async fn interactive<F: std::future::Future>(fut: F) -> F::Output {
    PRIORITY.scope(Priority::Interactive, fut).await
}

/// Runs `fut` with its GHL requests in the background lane: they use at most half of each
/// window and yield to bulk and interactive requests (the crawl of `bmby-ghl serve`).
pub async fn background<F: std::future::Future>(fut: F) -> F::Output {
    PRIORITY.scope(Priority::Background, fut).await
}

/// The priority of requests made by the current task.
pub fn current_priority() -> Priority {
    PRIORITY.try_with(|p| *p).unwrap_or_default()
}

#[derive(Debug)]
struct State {
    max: u32,
    interval: Duration,
    sent: VecDeque<Instant>,
    /// No request before this instant (server said Remaining = 0, or a 429).
    blocked_until: Option<Instant>,
    daily_exhausted: bool,
    last: RateBudget,
}

/// A limiter shared by every request of one location.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(100, Duration::from_millis(10_000))
    }
}

impl RateLimiter {
    /// A limiter assuming `max` requests per `interval` until the server says otherwise.
    pub fn new(max: u32, interval: Duration) -> Self {
        RateLimiter {
            state: Mutex::new(State {
                max: max.max(1),
                interval,
                sent: VecDeque::new(),
                blocked_until: None,
                daily_exhausted: false,
                last: RateBudget::default(),
            }),
        }
    }

    /// Waits until a request of the current task's priority ([`current_priority`]) may be
    /// sent and records it. Returns `Err(())` when the daily budget is spent (do not send; do
    /// not retry today).
    pub async fn acquire(&self) -> Result<(), ()> {
        self.acquire_as(current_priority()).await
    }

    /// [`RateLimiter::acquire`] with an explicit priority: bulk requests stop `max / 20`
    /// short of the window's limit, background requests at half of it.
    pub async fn acquire_as(&self, priority: Priority) -> Result<(), ()> {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                if s.daily_exhausted {
                    return Err(());
                }
                let now = Instant::now();
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= s.interval)
                {
                    s.sent.pop_front();
                }
                if let Some(until) = s.blocked_until {
                    if until > now {
                        Some(until - now)
                    } else {
                        s.blocked_until = None;
                        None
                    }
                } else {
                    None
                }
                .or_else(|| {
                    let limit = match priority {
                        Priority::Interactive => s.max,
                        Priority::Bulk => s.max - s.max / 20,
                        Priority::Background => (s.max / 2).max(1),
                    } as usize;
                    if s.sent.len() >= limit {
                        // Wait until enough of the window has aged out.
                        let oldest = s.sent[s.sent.len() - limit];
                        Some(s.interval.saturating_sub(now.duration_since(oldest)))
                    } else {
                        None
                    }
                })
                .filter(|d| !d.is_zero())
                .or_else(|| {
                    s.sent.push_back(now);
                    None
                })
            };
            match wait {
                None => return Ok(()),
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Feeds the headers of a response. Returns the budget they carried.
    pub async fn observe(&self, budget: RateBudget, status: u16) -> RateBudget {
        let mut s = self.state.lock().await;
        if let Some(max) = budget.max {
            s.max = max.max(1);
        }
        if let Some(ms) = budget.interval_ms {
            s.interval = Duration::from_millis(ms.max(1));
        }
        if budget.daily_remaining == Some(0) && status == 429 {
            s.daily_exhausted = true;
        }
        let server_out = budget.remaining == Some(0) || status == 429;
        if server_out {
            let until = Instant::now() + s.interval;
            s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
        } else if let (Some(rem), Some(max)) = (budget.remaining, budget.max) {
            // Others share the budget: make our window at least as full as the server says.
            let used = max.saturating_sub(rem) as usize;
            let now = Instant::now();
            while s.sent.len() < used {
                s.sent.push_back(now);
            }
        }
        if budget.is_known() {
            s.last = budget;
        }
        s.last
    }

    /// The last budget GHL reported.
    pub async fn budget(&self) -> RateBudget {
        self.state.lock().await.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_when_window_full() {
        let l = RateLimiter::new(3, Duration::from_secs(10));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            l.acquire().await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        l.acquire().await.unwrap();
        assert!(start.elapsed() >= Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn server_remaining_zero_blocks_one_interval() {
        let l = RateLimiter::new(100, Duration::from_secs(10));
        let b = RateBudget {
            max: Some(100),
            remaining: Some(0),
            interval_ms: Some(2000),
            ..Default::default()
        };
        l.observe(b, 200).await;
        let start = tokio::time::Instant::now();
        l.acquire().await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(2000));
    }

    #[tokio::test(start_paused = true)]
    async fn interactive_requests_pass_a_window_full_of_bulk_work() {
        use futures::FutureExt;
        let l = RateLimiter::new(100, Duration::from_secs(10));
        for _ in 0..95 {
            l.acquire_as(Priority::Bulk).await.unwrap();
        }
        // Bulk work has used its share: the next bulk request waits for the window...
        assert!(l.acquire_as(Priority::Bulk).now_or_never().is_none());
        // ...while the contact on screen still gets its five requests at once.
        for _ in 0..5 {
            assert_eq!(
                interactive(l.acquire()).now_or_never(),
                Some(Ok(())),
                "interactive request waited"
            );
        }
        assert!(
            interactive(l.acquire()).now_or_never().is_none(),
            "window full"
        );
        assert_eq!(current_priority(), Priority::Bulk);
    }

    #[tokio::test(start_paused = true)]
    async fn background_work_keeps_to_half_the_window() {
        use futures::FutureExt;
        let l = RateLimiter::new(100, Duration::from_secs(10));
        for _ in 0..50 {
            assert_eq!(background(l.acquire()).now_or_never(), Some(Ok(())));
        }
        // The crawl has used its half: it waits...
        assert!(background(l.acquire()).now_or_never().is_none());
        // ...while a pull (bulk) and the contact on screen (interactive) go at once.
        assert_eq!(l.acquire_as(Priority::Bulk).now_or_never(), Some(Ok(())));
        assert_eq!(interactive(l.acquire()).now_or_never(), Some(Ok(())));
    }

    #[tokio::test(start_paused = true)]
    async fn interactive_request_gets_through_before_a_waiting_background_one() {
        let l = std::sync::Arc::new(RateLimiter::new(10, Duration::from_secs(10)));
        // A full window: the crawl's half, then bulk work up to the limit, one second apart.
        for i in 0..10 {
            let p = if i < 5 {
                Priority::Background
            } else {
                Priority::Bulk
            };
            l.acquire_as(p).await.unwrap();
            if i < 9 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let spawn = |p: Priority, name: &'static str| {
            let (l, order) = (l.clone(), order.clone());
            tokio::spawn(async move {
                l.acquire_as(p).await.unwrap();
                order.lock().unwrap().push(name);
            })
        };
        // The crawl asks first, the person second: the person still goes first.
        let crawl = spawn(Priority::Background, "background");
        tokio::task::yield_now().await;
        let person = spawn(Priority::Interactive, "interactive");
        person.await.unwrap();
        crawl.await.unwrap();
        assert_eq!(*order.lock().unwrap(), ["interactive", "background"]);
    }

    #[tokio::test]
    async fn daily_exhaustion_refuses() {
        let l = RateLimiter::default();
        let b = RateBudget {
            daily_remaining: Some(0),
            ..Default::default()
        };
        l.observe(b, 429).await;
        assert!(l.acquire().await.is_err());
    }

    #[test]
    fn reads_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-RateLimit-Max", "100".parse().unwrap());
        h.insert("X-RateLimit-Remaining", "97".parse().unwrap());
        h.insert(
            "X-RateLimit-Interval-Milliseconds",
            "10000".parse().unwrap(),
        );
        h.insert("X-RateLimit-Limit-Daily", "200000".parse().unwrap());
        h.insert("X-RateLimit-Daily-Remaining", "199990".parse().unwrap());
        let b = RateBudget::from_headers(&h);
        assert_eq!(b.max, Some(100));
        assert_eq!(b.remaining, Some(97));
        assert_eq!(b.interval_ms, Some(10000));
        assert_eq!(b.daily_remaining, Some(199_990));
    }
}
