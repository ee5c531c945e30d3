//! How fast remedy may write: new pull requests and commits per hour, the cap on open pull
//! requests (counted from the store and the forge), and the delivery window. The hourly
//! budgets count what was written in the last hour by every run and replica that shares the
//! store (and the pull requests the forge reports remedy opened), as Renovate does, not what
//! this process did. A limit never blocks and never loses work: it answers with the instant
//! the work may go ahead ([`Deferred`]), and the worker hands the violation back to the queue
//! until then.

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::settings::{DeliverySettings, Schedule};
use remedy_store::{Clock, SlotKind, Store, hourly_budget};

/// Not now: the earliest instant (milliseconds since the epoch) it may go ahead, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    pub until_ms: i64,
    pub reason: String,
}

/// Where the hourly budgets are counted.
enum Ledger {
    /// In the store, for this repository: shared by every process on it.
    Store { store: Store, repository: String },
    /// In this process only (no store): slots taken, by kind.
    Memory(Mutex<Vec<(SlotKind, String, i64)>>),
}

/// The delivery limits of one process.
pub struct Limits {
    clock: Clock,
    prs_per_hour: u32,
    commits_per_hour: u32,
    max_open_prs: usize,
    window: Option<Window>,
    /// Branches of remedy's open pull requests, once counted.
    open: Mutex<Option<BTreeSet<String>>>,
    ledger: Ledger,
    /// Pull requests the forge reports remedy opened lately (branch, instant): runs on other
    /// stores count against the budget too.
    forge_recent: Mutex<Vec<(String, i64)>>,
}

impl Limits {
    /// Limits counted in this process only.
    pub fn new(settings: &DeliverySettings, clock: Clock) -> Result<Self, String> {
        for (key, n) in [
            ("prs_per_hour", settings.prs_per_hour),
            ("commits_per_hour", settings.commits_per_hour),
        ] {
            if n == 0 {
                return Err(format!("delivery.{key} must be at least 1"));
            }
        }
        let window = settings.schedule.as_ref().map(Window::parse).transpose()?;
        Ok(Self {
            prs_per_hour: settings.prs_per_hour,
            commits_per_hour: settings.commits_per_hour,
            max_open_prs: settings.max_open_prs,
            window,
            open: Mutex::new(None),
            ledger: Ledger::Memory(Mutex::new(Vec::new())),
            forge_recent: Mutex::new(Vec::new()),
            clock,
        })
    }

    /// Count the hourly budgets in `store`, for `repository`, with every other process on it.
    #[must_use]
    pub fn shared_through(mut self, store: Store, repository: String) -> Self {
        self.ledger = Ledger::Store { store, repository };
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Inside the delivery window?
    pub fn window(&self) -> Result<(), Deferred> {
        let Some(window) = &self.window else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        match window.next_open(now) {
            at if at <= now => Ok(()),
            at => Err(Deferred {
                until_ms: at,
                reason: format!(
                    "outside the delivery window ({}); next opening {}",
                    window.describe(),
                    remedy_store::format_time(at)
                ),
            }),
        }
    }

    /// Take one commit from the hourly budget.
    pub async fn take_commit(&self) -> Result<(), Deferred> {
        let reason = || format!("commit limit reached ({} per hour)", self.commits_per_hour);
        self.take(SlotKind::Commit, "commit", self.commits_per_hour, reason)
            .await
    }

    /// Whether the open pull requests are counted yet.
    pub fn counted(&self) -> bool {
        lock(&self.open).is_some()
    }

    /// Count remedy's open pull requests: the branches the store and the forge know. Workers
    /// may count at the same time; a count adds to the slots already taken, never replaces
    /// them (that would let one more pull request past the cap).
    pub fn set_open(&self, branches: BTreeSet<String>) {
        lock(&self.open)
            .get_or_insert_with(BTreeSet::new)
            .extend(branches);
    }

    /// Pull requests the forge reports remedy opened lately, by branch and instant.
    pub fn set_forge_recent(&self, recent: Vec<(String, i64)>) {
        *lock(&self.forge_recent) = recent;
    }

    /// Take a slot for a new pull request on `branch`: under the open cap and the hourly
    /// budget. The open pull requests must be counted first ([`Limits::set_open`]).
    pub async fn take_pr(&self, branch: &str) -> Result<(), Deferred> {
        {
            // The open slot is taken at once, so that concurrent workers never pass the cap
            // together; it is handed back if the hour's budget is spent.
            let mut open = lock(&self.open);
            let set = open.get_or_insert_with(BTreeSet::new);
            if set.contains(branch) {
                return Ok(());
            }
            if set.len() >= self.max_open_prs {
                return Err(Deferred {
                    // Nothing closes by itself: look again in an hour (sync settles merged and
                    // closed pull requests meanwhile).
                    until_ms: self.clock.now_ms().saturating_add(HOUR_MS),
                    reason: format!(
                        "{} of remedy's pull requests are open (delivery.max_open_prs = {})",
                        set.len(),
                        self.max_open_prs
                    ),
                });
            }
            set.insert(branch.to_string());
        }
        let reason = || {
            format!(
                "pull request limit reached ({} per hour)",
                self.prs_per_hour
            )
        };
        let taken = self
            .take(SlotKind::PullRequest, branch, self.prs_per_hour, reason)
            .await;
        if taken.is_err() {
            self.closed(branch);
        }
        taken
    }

    /// A pull request is no longer open (merged or closed).
    pub fn closed(&self, branch: &str) {
        if let Some(set) = lock(&self.open).as_mut() {
            set.remove(branch);
        }
    }

    /// One slot of an hourly budget, counted where the ledger says.
    async fn take(
        &self,
        kind: SlotKind,
        key: &str,
        per_hour: u32,
        reason: impl Fn() -> String,
    ) -> Result<(), Deferred> {
        let now = self.clock.now_ms();
        let outside = match kind {
            SlotKind::PullRequest => lock(&self.forge_recent).clone(),
            SlotKind::Commit => Vec::new(),
        };
        let until = match &self.ledger {
            Ledger::Store { store, repository } => {
                match store
                    .take_delivery_slot(repository, kind, key, per_hour, &outside)
                    .await
                {
                    Ok(until) => until,
                    // Unsure how many were written: write none now rather than too many.
                    Err(err) => {
                        return Err(Deferred {
                            until_ms: now.saturating_add(60_000),
                            reason: format!("cannot count this hour's deliveries: {err}"),
                        });
                    }
                }
            }
            Ledger::Memory(slots) => {
                let mut slots = lock(slots);
                let mut taken: Vec<(String, i64)> = slots
                    .iter()
                    .filter(|(k, _, _)| *k == kind)
                    .map(|(_, key, at)| (key.clone(), *at))
                    .collect();
                taken.extend(outside);
                let own = (kind == SlotKind::PullRequest).then_some(key);
                let until = hourly_budget(&taken, own, per_hour, now);
                if until.is_none() {
                    slots.retain(|(_, _, at)| *at > now - HOUR_MS);
                    slots.push((kind, key.to_string(), now));
                }
                until
            }
        };
        match until {
            None => Ok(()),
            Some(until_ms) => Err(Deferred {
                until_ms,
                reason: reason(),
            }),
        }
    }
}

const HOUR_MS: i64 = 3_600_000;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The delivery window, in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Allowed weekdays, 0 = Monday.
    days: [bool; 7],
    /// Minutes after midnight.
    start: u32,
    end: u32,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_MS: i64 = 86_400_000;

impl Window {
    pub fn parse(schedule: &Schedule) -> Result<Self, String> {
        let mut days = [schedule.days.is_empty(); 7];
        for day in &schedule.days {
            let key = day.to_ascii_lowercase();
            let i = DAYS
                .iter()
                .position(|d| key.starts_with(d))
                .ok_or_else(|| format!("unknown day `{day}` (expected mon … sun)"))?;
            days[i] = true;
        }
        let (start, end) = schedule
            .hours
            .split_once('-')
            .ok_or_else(|| format!("hours `{}`: expected HH:MM-HH:MM", schedule.hours))?;
        let minutes = |t: &str| -> Result<u32, String> {
            let (h, m) = t
                .trim()
                .split_once(':')
                .ok_or_else(|| format!("`{t}`: expected HH:MM"))?;
            let h: u32 = h.parse().map_err(|_| format!("`{t}`: expected HH:MM"))?;
            let m: u32 = m.parse().map_err(|_| format!("`{t}`: expected HH:MM"))?;
            if h > 24 || m > 59 || (h == 24 && m > 0) {
                return Err(format!("`{t}` is not a time of day"));
            }
            Ok(h * 60 + m)
        };
        Ok(Self {
            days,
            start: minutes(start)?,
            end: minutes(end)?,
        })
    }

    fn describe(&self) -> String {
        let days: Vec<&str> = DAYS
            .iter()
            .zip(self.days)
            .filter_map(|(d, on)| on.then_some(*d))
            .collect();
        format!(
            "{} {:02}:{:02}-{:02}:{:02} UTC",
            days.join(","),
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }

    fn contains(&self, ms: i64) -> bool {
        let day = ms.div_euclid(DAY_MS);
        // 1970-01-01 was a Thursday (3 with Monday = 0).
        let weekday = usize::try_from((day + 3).rem_euclid(7)).unwrap_or(0);
        let minute = u32::try_from(ms.rem_euclid(DAY_MS) / 60_000).unwrap_or(0);
        if self.start <= self.end {
            self.days[weekday] && minute >= self.start && minute < self.end
        } else {
            // Past midnight: the evening belongs to its day, the early morning to the day before.
            (self.days[weekday] && minute >= self.start)
                || (self.days[(weekday + 6) % 7] && minute < self.end)
        }
    }

    /// The first instant at or after `now` inside the window (a minute's precision).
    pub fn next_open(&self, now: i64) -> i64 {
        if self.contains(now) {
            return now;
        }
        let mut t = now - now.rem_euclid(60_000) + 60_000;
        for _ in 0..(8 * 24 * 60) {
            if self.contains(t) {
                return t;
            }
            t += 60_000;
        }
        // An empty window (no day or no hour): never, in practice; try again in a day.
        now + DAY_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(prs: u32, open: usize) -> DeliverySettings {
        DeliverySettings {
            prs_per_hour: prs,
            max_open_prs: open,
            ..DeliverySettings::default()
        }
    }

    #[tokio::test]
    async fn prs_per_hour_counts_the_last_hour() {
        let clock = Clock::manual(1_700_000_000_000);
        let limits = Limits::new(&settings(2, 10), clock.clone()).unwrap();
        limits.set_open(BTreeSet::new());
        assert!(limits.take_pr("a").await.is_ok());
        clock.advance(std::time::Duration::from_secs(600));
        assert!(limits.take_pr("b").await.is_ok());
        let deferred = limits.take_pr("c").await.unwrap_err();
        assert!(deferred.reason.contains("2 per hour"), "{deferred:?}");
        // `a` leaves the hour 50 minutes from now.
        let wait = deferred.until_ms - clock.now_ms();
        assert_eq!(wait, 50 * 60_000 + 1);
        // An existing pull request takes no slot; a refused one holds no open slot either.
        assert!(limits.take_pr("a").await.is_ok());
        clock.set(deferred.until_ms);
        assert!(limits.take_pr("c").await.is_ok());
        assert!(limits.take_pr("d").await.is_err());
    }

    #[tokio::test]
    async fn pull_requests_the_forge_reports_count_against_the_hour() {
        let clock = Clock::manual(1_700_000_000_000);
        let limits = Limits::new(&settings(2, 10), clock.clone()).unwrap();
        limits.set_open(BTreeSet::new());
        let now = clock.now_ms();
        limits.set_forge_recent(vec![
            ("remedy/x/1".into(), now - 10 * 60_000),
            ("remedy/old/1".into(), now - 2 * 3_600_000),
        ]);
        assert!(limits.take_pr("a").await.is_ok());
        let deferred = limits.take_pr("b").await.unwrap_err();
        assert_eq!(deferred.until_ms, now + 50 * 60_000 + 1);
    }

    #[tokio::test]
    async fn commits_per_hour() {
        let clock = Clock::manual(0);
        let settings = DeliverySettings {
            commits_per_hour: 3,
            ..DeliverySettings::default()
        };
        let limits = Limits::new(&settings, clock).unwrap();
        for _ in 0..3 {
            limits.take_commit().await.unwrap();
        }
        let deferred = limits.take_commit().await.unwrap_err();
        assert!(deferred.reason.contains("3 per hour"), "{deferred:?}");
        assert_eq!(deferred.until_ms, HOUR_MS + 1);
    }

    #[tokio::test]
    async fn the_open_cap_counts_what_is_known() {
        let clock = Clock::manual(0);
        let limits = Limits::new(&settings(100, 2), clock).unwrap();
        limits.set_open(["remedy/x/1".to_string(), "remedy/y/2".to_string()].into());
        let deferred = limits.take_pr("remedy/z/3").await.unwrap_err();
        assert!(deferred.reason.contains("max_open_prs = 2"), "{deferred:?}");
        limits.closed("remedy/x/1");
        assert!(limits.take_pr("remedy/z/3").await.is_ok());
    }

    #[tokio::test]
    async fn a_late_count_keeps_the_slots_already_taken() {
        let limits = Limits::new(&settings(100, 2), Clock::manual(0)).unwrap();
        limits.set_open(BTreeSet::new());
        limits.take_pr("remedy/a/1").await.unwrap();
        // Another worker's count, made before that slot was taken, lands now.
        limits.set_open(["remedy/b/2".to_string()].into());
        assert!(
            limits.take_pr("remedy/c/3").await.is_err(),
            "a third past a cap of two"
        );
    }

    #[test]
    fn the_window_defers_to_its_next_opening() {
        let schedule = Schedule {
            days: vec!["mon".into(), "tue".into()],
            hours: "09:00-17:00".into(),
        };
        let window = Window::parse(&schedule).unwrap();
        // 2024-02-29 was a Thursday; 12:34:56 UTC.
        let thursday = 1_709_210_096_000;
        let next = window.next_open(thursday);
        assert_eq!(remedy_store::format_time(next), "2024-03-04T09:00:00Z");
        assert_eq!(window.next_open(next), next);
        let night = Window::parse(&Schedule {
            days: vec![],
            hours: "22:00-06:00".into(),
        })
        .unwrap();
        assert_eq!(
            remedy_store::format_time(night.next_open(thursday)),
            "2024-02-29T22:00:00Z"
        );
        assert!(
            Window::parse(&Schedule {
                days: vec!["someday".into()],
                hours: "09:00-17:00".into()
            })
            .is_err()
        );
    }
}
