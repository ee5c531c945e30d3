//! What the daemon counts, and `/metrics` in the Prometheus text format.
//!
//! Counters live in the process (attempts and outcomes by policy, gate rejections by check, LLM
//! tokens, fixes delivered, time spent waiting on rate limits); violations by status and the
//! queue's depth and age are read from the store at scrape time, so they agree with it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::pipeline::Processed;
use remedy_store::{QueueStats, Status};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    policy: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    check: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabels {
    direction: String,
}

/// The daemon's instruments.
pub struct Metrics {
    registry: Registry,
    outcomes: Family<OutcomeLabels, Counter>,
    attempts: Family<ProviderLabels, Counter>,
    gate_rejections: Family<CheckLabels, Counter>,
    llm_tokens: Family<DirectionLabels, Counter>,
    fixes_delivered: Counter,
    prs_opened: Counter,
    prs_merged: Counter,
    store_errors: Counter,
    rate_limit_wait_ms: Counter,
    workers_busy: Gauge,
    workers: Gauge,
    /// Milliseconds since the epoch of the last successful store round trip.
    pub(crate) last_store_ok: AtomicI64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("remedy");
        let outcomes = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "violations_processed",
            "Violations the workers finished, by policy and outcome (fixed, resolved, needs_human, failed)",
            outcomes.clone(),
        );
        let attempts = Family::<ProviderLabels, Counter>::default();
        registry.register(
            "attempts",
            "Remediation attempts, by provider (recipe, llm)",
            attempts.clone(),
        );
        let gate_rejections = Family::<CheckLabels, Counter>::default();
        registry.register(
            "gate_rejections",
            "Proposed fixes the gate rejected, by failed check",
            gate_rejections.clone(),
        );
        let llm_tokens = Family::<DirectionLabels, Counter>::default();
        registry.register(
            "llm_tokens",
            "LLM tokens, by direction (prompt, completion)",
            llm_tokens.clone(),
        );
        let fixes_delivered = Counter::default();
        registry.register(
            "fixes_delivered",
            "Accepted fixes delivered (a branch or pull request written)",
            fixes_delivered.clone(),
        );
        let prs_opened = Counter::default();
        registry.register("prs_opened", "Pull requests opened", prs_opened.clone());
        let prs_merged = Counter::default();
        registry.register(
            "prs_merged",
            "Pull requests seen merged by sync",
            prs_merged.clone(),
        );
        let store_errors = Counter::default();
        registry.register(
            "store_errors",
            "Store operations that failed (the daemon backs off and retries)",
            store_errors.clone(),
        );
        let rate_limit_wait_ms = Counter::default();
        registry.register(
            "rate_limit_wait_milliseconds",
            "Time requests waited on the LLM rate limits (requests and tokens per minute)",
            rate_limit_wait_ms.clone(),
        );
        let workers_busy = Gauge::default();
        registry.register(
            "workers_busy",
            "Workers processing a violation now",
            workers_busy.clone(),
        );
        let workers = Gauge::default();
        registry.register("workers", "Workers running", workers.clone());
        Self {
            registry,
            outcomes,
            attempts,
            gate_rejections,
            llm_tokens,
            fixes_delivered,
            prs_opened,
            prs_merged,
            store_errors,
            rate_limit_wait_ms,
            workers_busy,
            workers,
            last_store_ok: AtomicI64::new(0),
        }
    }

    pub fn workers(&self, n: i64) {
        self.workers.set(n);
    }

    pub fn busy(&self, delta: i64) {
        self.workers_busy.inc_by(delta);
    }

    pub fn store_ok(&self, now_ms: i64) {
        self.last_store_ok.store(now_ms, Ordering::Relaxed);
    }

    pub fn store_error(&self) {
        self.store_errors.inc();
    }

    pub fn waited_ms(&self, ms: u64) {
        self.rate_limit_wait_ms.inc_by(ms);
    }

    pub fn prs_opened(&self, n: u64) {
        self.prs_opened.inc_by(n);
    }

    pub fn prs_merged(&self, n: u64) {
        self.prs_merged.inc_by(n);
    }

    /// Count what one worker finished.
    pub fn processed(&self, p: &Processed) {
        self.outcomes
            .get_or_create(&OutcomeLabels {
                policy: p.policy.clone(),
                outcome: p.outcome.label().to_string(),
            })
            .inc();
        for attempt in &p.attempts {
            self.waited_ms(attempt.usage.rate_limited_ms);
            self.attempts
                .get_or_create(&ProviderLabels {
                    provider: attempt.provider.to_string(),
                })
                .inc();
            for direction in ["prompt", "completion"] {
                let n = if direction == "prompt" {
                    attempt.usage.prompt_tokens
                } else {
                    attempt.usage.completion_tokens
                };
                if n > 0 {
                    self.llm_tokens
                        .get_or_create(&DirectionLabels {
                            direction: direction.into(),
                        })
                        .inc_by(n);
                }
            }
            if let Some(verdict) = &attempt.verdict {
                for check in verdict.checks.iter().filter(|c| !c.passed) {
                    self.gate_rejections
                        .get_or_create(&CheckLabels {
                            check: check.name.to_string(),
                        })
                        .inc();
                }
            }
        }
        if let Some(delivered) = p.outcome.delivered()
            && !delivered.unchanged
        {
            self.fixes_delivered.inc();
        }
    }

    /// The Prometheus text: the process's counters, then the store's view.
    pub fn render(
        &self,
        counts: &BTreeMap<Status, u64>,
        queue: &QueueStats,
        now_ms: i64,
    ) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP remedy_violations Violations in the store, by status."
        );
        let _ = writeln!(out, "# TYPE remedy_violations gauge");
        for (status, n) in counts {
            let _ = writeln!(
                out,
                "remedy_violations{{status=\"{}\"}} {n}",
                status.as_str()
            );
        }
        let _ = writeln!(
            out,
            "# HELP remedy_queue_depth Violations assigned to the agent and waiting."
        );
        let _ = writeln!(out, "# TYPE remedy_queue_depth gauge");
        let _ = writeln!(out, "remedy_queue_depth {}", queue.depth);
        let _ = writeln!(
            out,
            "# HELP remedy_queue_in_progress Violations being worked on under a lease."
        );
        let _ = writeln!(out, "# TYPE remedy_queue_in_progress gauge");
        let _ = writeln!(out, "remedy_queue_in_progress {}", queue.in_progress);
        let age = queue
            .oldest_updated_at
            .map_or(0.0, |at| (now_ms - at).max(0) as f64 / 1000.0);
        let _ = writeln!(
            out,
            "# HELP remedy_queue_oldest_age_seconds How long the oldest waiting violation has waited."
        );
        let _ = writeln!(out, "# TYPE remedy_queue_oldest_age_seconds gauge");
        let _ = writeln!(out, "remedy_queue_oldest_age_seconds {age:.3}");
        let mut counters = String::new();
        if encode(&mut counters, &self.registry).is_ok() {
            out.push_str(&counters);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use remedy_guardrails::Severity;
    use remedy_remediate::{Attempt, Provider, Usage};

    use crate::pipeline::Outcome;

    fn llm_attempt(prompt_tokens: u64, rate_limited_ms: u64) -> Attempt {
        Attempt {
            provider: Provider::Llm,
            model: Some("m".into()),
            prompt_hash: None,
            usage: Usage {
                requests: 2,
                prompt_tokens,
                completion_tokens: 10,
                latency_ms: rate_limited_ms + 100,
                rate_limited_ms,
            },
            verdict: None,
            error: None,
        }
    }

    #[test]
    fn outcomes_tokens_and_rate_limit_waits_add_up() {
        let metrics = Metrics::new();
        let fixed = Outcome::Fixed {
            delivered: None,
            note: None,
        };
        let needs_human = Outcome::NeedsHuman { reason: "r".into() };
        for (wait, outcome) in [(1500, fixed), (250, needs_human)] {
            metrics.processed(&Processed {
                fingerprint: "f".into(),
                policy: "p".into(),
                file: "a.ts".into(),
                resource: "r".into(),
                severity: Severity::High,
                outcome,
                provider: Some(Provider::Llm),
                attempts: vec![llm_attempt(1000, wait)],
                before: None,
                after: None,
            });
        }
        let text = metrics.render(&BTreeMap::new(), &QueueStats::default(), 0);
        for line in [
            "remedy_rate_limit_wait_milliseconds_total 1750",
            "remedy_llm_tokens_total{direction=\"prompt\"} 2000",
            "remedy_attempts_total{provider=\"llm\"} 2",
            "remedy_violations_processed_total{policy=\"p\",outcome=\"fixed\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
