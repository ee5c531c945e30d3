//! The files last remediated, parsed and evaluated. The next violation in the same file starts
//! from the same text (or, within a group, from the last accepted fix, which the gate has
//! already evaluated), so it skips the parse and the policy run over every resource.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use remedy_guardrails::gate::Baseline;

/// How many files are kept: enough for the groups a worker has in hand, small enough that
/// large files do not pile up.
const KEEP: usize = 8;

#[derive(Default)]
pub struct Baselines {
    recent: Mutex<VecDeque<Arc<Baseline>>>,
}

impl Baselines {
    /// The baseline of `file` with exactly this text, if it is kept.
    pub fn get(&self, file: &str, text: &str) -> Option<Arc<Baseline>> {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent
            .iter()
            .find(|b| b.file() == file && b.document().text() == text)
            .cloned()
    }

    /// Keep `baseline`, forgetting the oldest beyond [`KEEP`].
    pub fn put(&self, baseline: Arc<Baseline>) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.retain(|b| {
            !(b.file() == baseline.file() && b.document().text() == baseline.document().text())
        });
        recent.push_front(baseline);
        recent.truncate(KEEP);
    }
}
