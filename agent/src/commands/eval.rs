//! `remedy eval`: score the remediation engine on a case corpus, or run the gate suite.
//!
//! Providers: `recipe` (the declarative remediations), `llm` (the LLM path against a live
//! endpoint, optionally recording what it answered) and `replay` (the LLM path with each case's
//! transcript served from a local OpenAI-compatible server, so everything after the HTTP
//! boundary runs for real and deterministically).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result, bail};
use remedy_eval::cases::{self, Case};
use remedy_eval::harness::{BoxFuture, FixKind, FixRun, Fixer, summarize};
use remedy_eval::scripted_llm::ScriptedLlm;
use remedy_eval::transcript::{self, Source, Transcript, Turn};
use remedy_eval::typecheck::TypeChecker;
use remedy_eval::{gate_suite, report, run};
use remedy_guardrails::{PolicySet, Violation};

use crate::cli::{EvalArgs, EvalFormat, EvalProvider};
use crate::output;
use remedy_remediate::llm::{ApiKey, LlmAgent, LlmSettings, Recording};
use remedy_remediate::{
    Attempt, LlmFixer, ProviderChoice, Remediation, Remediator, Subject, TeamValues,
};

/// Where the LLM's answers come from.
enum Llm {
    /// None: the recipe provider.
    Off,
    /// A live endpoint; with `recorder`, each case's answers are saved as a transcript.
    Live {
        agent: Arc<LlmAgent>,
        max_attempts: usize,
        recorder: Option<Recorder>,
    },
    /// Each case's transcript, served from a local scripted server.
    Replay(Replay),
}

/// The replay provider: one local server whose script each case resets to its transcript, and
/// one agent per model name the transcripts use, all pointed at it. The agents run with the
/// default LLM settings (whatever `remedy.toml` says; only the rate limits are lifted, the
/// server has none), so a result depends on the transcript and the engine only.
struct Replay {
    transcripts: BTreeMap<String, (PathBuf, Transcript)>,
    server: ScriptedLlm,
    agents: BTreeMap<String, Arc<LlmAgent>>,
    max_attempts: usize,
    /// Cases replay one at a time: each one resets the server.
    one_at_a_time: tokio::sync::Mutex<()>,
}

/// The model name a transcript's requests carry.
fn model_of(transcript: &Transcript) -> String {
    transcript
        .model
        .clone()
        .unwrap_or_else(|| "scripted".into())
}

impl Replay {
    fn new(transcripts: BTreeMap<String, (PathBuf, Transcript)>) -> Result<Self> {
        let server =
            ScriptedLlm::try_start(Vec::new()).context("cannot start the replay server")?;
        let mut agents = BTreeMap::new();
        for (_, transcript) in transcripts.values() {
            let model = model_of(transcript);
            if agents.contains_key(&model) {
                continue;
            }
            let settings = LlmSettings {
                base_url: Some(server.base_url()),
                model: Some(model.clone()),
                requests_per_minute: u32::MAX,
                tokens_per_minute: u32::MAX,
                ..LlmSettings::default()
            };
            // The local server needs no key, and none is read: no key can reach a replay.
            let agent = LlmAgent::new(&settings, None).context("cannot set up the replay agent")?;
            agents.insert(model, Arc::new(agent));
        }
        Ok(Self {
            transcripts,
            server,
            agents,
            max_attempts: LlmSettings::default().max_attempts,
            one_at_a_time: tokio::sync::Mutex::new(()),
        })
    }
}

/// Saves what a live endpoint answered, case by case.
struct Recorder {
    recording: Arc<Recording>,
    dir: PathBuf,
    model: String,
    /// Transcripts that could not be written; the command fails with them after the run.
    errors: Mutex<Vec<String>>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Recorder {
    fn save(&self, case: &Case, run: &FixRun) {
        let attempts = self.recording.take();
        if let FixKind::Failed { error } = &run.kind {
            tracing::warn!(case = %case.id, %error, "not recorded: the run failed");
            return;
        }
        if attempts.iter().all(Vec::is_empty) {
            return;
        }
        let transcript = Transcript {
            source: Source::Recorded,
            model: Some(self.model.clone()),
            about: None,
            attempts: attempts
                .into_iter()
                .filter(|turns| !turns.is_empty())
                .map(|turns| {
                    turns
                        .into_iter()
                        .map(|t| Turn::from_message(t.content, &t.tool_calls))
                        .collect()
                })
                .collect(),
        };
        let path = transcript::path(&self.dir, &case.id);
        if let Err(e) = std::fs::write(&path, transcript.to_json()) {
            self.errors
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(format!("cannot write {}: {e}", path.display()));
        }
    }
}

/// remedy's remediation engine as an eval fixer.
struct EngineFixer<'p> {
    policies: &'p PolicySet,
    llm: Llm,
}

impl Fixer for EngineFixer<'_> {
    fn fix<'a>(
        &'a self,
        case: &'a Case,
        violation: &'a Violation,
        text: &'a str,
    ) -> BoxFuture<'a, FixRun> {
        Box::pin(async move {
            match &self.llm {
                Llm::Off => self.run(case, violation, text, None, 1).await,
                Llm::Live {
                    agent,
                    max_attempts,
                    recorder,
                } => {
                    let llm: Arc<dyn LlmFixer> = agent.clone();
                    // The recording is the agent's: cases record one at a time.
                    let _one_at_a_time = match recorder {
                        Some(recorder) => Some(recorder.one_at_a_time.lock().await),
                        None => None,
                    };
                    let run = self
                        .run(case, violation, text, Some(llm), *max_attempts)
                        .await;
                    if let Some(recorder) = recorder {
                        recorder.save(case, &run);
                    }
                    run
                }
                Llm::Replay(replay) => self.replay(replay, case, violation, text).await,
            }
        })
    }
}

impl EngineFixer<'_> {
    /// The engine on one case: the recipe provider without `llm`, the LLM path only with it.
    async fn run(
        &self,
        case: &Case,
        violation: &Violation,
        text: &str,
        llm: Option<Arc<dyn LlmFixer>>,
        max_attempts: usize,
    ) -> FixRun {
        let mut remediator = Remediator::new(self.policies);
        remediator.provider = if llm.is_some() {
            ProviderChoice::Llm
        } else {
            ProviderChoice::Recipe
        };
        remediator.llm = llm;
        remediator.max_attempts = max_attempts;
        remediator.values = case.values.clone().into_iter().collect::<TeamValues>();
        let outcome = remediator
            .remediate(&Subject::from(violation), text, &case.dir.join("before"))
            .await;
        let attempts = outcome.attempts();
        let tokens = attempts
            .iter()
            .map(|a| a.usage.prompt_tokens + a.usage.completion_tokens)
            .sum();
        let count = attempts.len();
        let log = attempts.iter().map(describe).collect();
        let kind = match outcome {
            Remediation::Fixed { after, .. } => FixKind::Fixed { after },
            Remediation::NeedsHuman { reason, .. } => FixKind::NeedsHuman { reason },
            Remediation::Failed { error, .. } => FixKind::Failed { error },
            Remediation::AlreadyResolved => FixKind::NotFound,
        };
        FixRun {
            kind,
            attempts: count,
            tokens,
            log,
        }
    }

    /// The LLM path with the endpoint replaced by the local server answering from the case's
    /// transcript. A replay that asks for turns the transcript does not script for that point
    /// (more, fewer, or in other attempts) fails, saying where it diverged.
    async fn replay(
        &self,
        replay: &Replay,
        case: &Case,
        violation: &Violation,
        text: &str,
    ) -> FixRun {
        let Some((path, transcript)) = replay.transcripts.get(&case.id) else {
            return failed(format!("{}: no transcript", case.id));
        };
        let Some(agent) = replay.agents.get(&model_of(transcript)) else {
            return failed(format!("{}: no replay agent", case.id));
        };
        let _one_at_a_time = replay.one_at_a_time.lock().await;
        replay.server.reset(transcript.replies());
        let llm: Arc<dyn LlmFixer> = agent.clone();
        let run = self
            .run(case, violation, text, Some(llm), replay.max_attempts)
            .await;
        match transcript.check_replay(&replay.server.requests()) {
            Ok(()) => run,
            Err(divergence) => FixRun {
                kind: FixKind::Failed {
                    error: format!("the replay diverged from {}: {divergence}", path.display()),
                },
                ..run
            },
        }
    }
}

fn failed(error: String) -> FixRun {
    FixRun {
        kind: FixKind::Failed { error },
        attempts: 0,
        tokens: 0,
        log: Vec::new(),
    }
}

/// One attempt in a line: `llm: rejected: target_resolved: …`, `recipe: accepted`,
/// `llm: gave up: …`.
fn describe(attempt: &Attempt) -> String {
    let what = match (&attempt.verdict, &attempt.error) {
        (Some(verdict), _) if verdict.accepted() => "accepted".to_string(),
        (Some(verdict), _) => format!("rejected: {}", verdict.reasons().join("; ")),
        (None, Some(error)) => error.clone(),
        (None, None) => "no proposal".to_string(),
    };
    format!("{}: {what}", attempt.provider)
}

pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let config = super::load_config(&args.config, Path::new("."))?;
    let (policies, _) = super::load_policies(&args.policy, &config, &[])?;
    if args.gate_suite {
        return gate(&policies, &args.gate_suite_dir);
    }
    if args.record_transcripts.is_some() {
        if args.provider != EvalProvider::Llm {
            bail!("--record-transcripts records a live endpoint: use it with --provider llm");
        }
        if args.k != 1 {
            bail!("--record-transcripts records one run per case: use --k 1");
        }
    }
    let cases = cases::load(&args.cases).context("cannot load the eval cases")?;
    let (llm, name) = match args.provider {
        EvalProvider::Recipe => (Llm::Off, "recipe".to_string()),
        EvalProvider::Llm => live(args, &config.llm)?,
        EvalProvider::Replay => {
            if args.k != 1 {
                bail!(
                    "--provider replay is deterministic: every run of a case is the same, so \
                     pass@k would equal pass@1; use --k 1"
                );
            }
            let transcripts = load_transcripts(&args.transcripts, &cases)?;
            (Llm::Replay(Replay::new(transcripts)?), "replay".to_string())
        }
    };
    let checker = if args.typecheck {
        Some(
            TypeChecker::setup(&args.typecheck_cache)
                .context("cannot set up TypeScript type checking")?,
        )
    } else {
        None
    };
    let fixer = EngineFixer {
        policies: &policies,
        llm,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let results = runtime
        .block_on(run::run_cases(
            &policies,
            &cases,
            args.k,
            &fixer,
            checker.as_ref(),
        ))
        .map_err(anyhow::Error::msg)?;
    if let Llm::Live {
        recorder: Some(recorder),
        ..
    } = &fixer.llm
    {
        let errors = recorder
            .errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !errors.is_empty() {
            bail!("{}", errors.join("\n"));
        }
    }
    let summary = summarize(&name, &results, args.k);
    let text = match args.format {
        EvalFormat::Json => report::json(&results, &summary)?,
        EvalFormat::Md => report::markdown(&results, &summary),
    };
    let mut out = output::open(args.out.as_deref())?;
    out.write_all(text.as_bytes())?;
    out.flush()?;

    if let Some(baseline) = &args.baseline {
        let json = std::fs::read_to_string(baseline)
            .with_context(|| format!("cannot read the baseline {}", baseline.display()))?;
        let regressions = report::regressions(&json, &results)
            .with_context(|| format!("{} is not an eval JSON report", baseline.display()))?;
        if !regressions.is_empty() {
            let mut err = anstream::stderr();
            for r in &regressions {
                let _ = writeln!(err, "regression: {r}");
            }
            let _ = writeln!(
                err,
                "{} regression(s) against {}",
                regressions.len(),
                baseline.display()
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The live LLM provider: the same settings as `remedy fix` (`[llm]`, the `--llm-*` flags, the
/// `REMEDY_LLM_*` variables; the key from `REMEDY_LLM_API_KEY` or `OPENAI_API_KEY`).
fn live(args: &EvalArgs, configured: &LlmSettings) -> Result<(Llm, String)> {
    let settings = args.llm.apply(configured.clone());
    settings.validate()?;
    let Some(model) = settings.model.clone().filter(|_| settings.is_configured()) else {
        bail!(
            "--provider llm needs an endpoint: --llm-base-url and --llm-model (or \
             REMEDY_LLM_BASE_URL and REMEDY_LLM_MODEL, or [llm] in remedy.toml)"
        );
    };
    let key = ApiKey::from_env()?;
    let mut agent = LlmAgent::new(&settings, key).context("cannot set up the LLM")?;
    let recorder = match &args.record_transcripts {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let recording = Arc::new(Recording::default());
            agent = agent.with_recording(Arc::clone(&recording));
            Some(Recorder {
                recording,
                dir: dir.clone(),
                model: model.clone(),
                errors: Mutex::new(Vec::new()),
                one_at_a_time: tokio::sync::Mutex::new(()),
            })
        }
        None => None,
    };
    let llm = Llm::Live {
        agent: Arc::new(agent),
        max_attempts: settings.max_attempts,
        recorder,
    };
    Ok((llm, format!("llm ({model})")))
}

/// Every case's transcript, or an error naming each case without one.
fn load_transcripts(dir: &Path, cases: &[Case]) -> Result<BTreeMap<String, (PathBuf, Transcript)>> {
    let mut missing = Vec::new();
    let mut transcripts = BTreeMap::new();
    for case in cases {
        let path = transcript::path(dir, &case.id);
        if !path.is_file() {
            missing.push(case.id.as_str());
            continue;
        }
        let transcript = Transcript::load(&path).context("invalid transcript")?;
        transcripts.insert(case.id.clone(), (path, transcript));
    }
    if !missing.is_empty() {
        bail!(
            "no transcript for {} case(s) in {}: {}; write <case-id>.json there (see \
             eval/README.md), or record one with --provider llm --record-transcripts DIR",
            missing.len(),
            dir.display(),
            missing.join(", ")
        );
    }
    Ok(transcripts)
}

fn gate(policies: &PolicySet, dir: &Path) -> Result<ExitCode> {
    let cases = gate_suite::load(dir).context("cannot load the gate suite")?;
    let results = gate_suite::run(policies, &cases).map_err(anyhow::Error::new)?;
    let bad: Vec<_> = results
        .iter()
        .filter(|r| r.expect == gate_suite::Expect::Reject)
        .collect();
    let good: Vec<_> = results
        .iter()
        .filter(|r| r.expect == gate_suite::Expect::Accept)
        .collect();
    let rejected = bad.iter().filter(|r| r.ok).count();
    let accepted = good.iter().filter(|r| r.ok).count();
    let mut out = output::open(None)?;
    for r in results.iter().filter(|r| !r.ok) {
        writeln!(
            out,
            "FAIL {} (expected {:?}): {}",
            r.id,
            r.expect,
            r.reasons.join("; ")
        )?;
    }
    writeln!(
        out,
        "gate suite: {rejected}/{} known-bad patches rejected, {accepted}/{} known-good patches accepted",
        bad.len(),
        good.len()
    )?;
    out.flush()?;
    Ok(if rejected == bad.len() && accepted == good.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
