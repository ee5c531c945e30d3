//! `remedy eval`: score the remediation engine on a case corpus, or run the gate suite.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use remedy_eval::cases::{self, Case};
use remedy_eval::harness::{BoxFuture, FixKind, FixRun, Fixer, summarize};
use remedy_eval::typecheck::TypeChecker;
use remedy_eval::{gate_suite, report, run};
use remedy_guardrails::{PolicySet, Violation};

use crate::cli::{EvalArgs, EvalFormat, EvalProvider};
use crate::output;
use crate::remediate::{Outcome, ProviderChoice, Remediator, Subject, TeamValues};

/// remedy's remediation engine as an eval fixer.
struct EngineFixer<'p> {
    policies: &'p PolicySet,
    provider: ProviderChoice,
}

impl Fixer for EngineFixer<'_> {
    fn fix<'a>(
        &'a self,
        case: &'a Case,
        violation: &'a Violation,
        text: &'a str,
    ) -> BoxFuture<'a, FixRun> {
        Box::pin(async move {
            let mut remediator = Remediator::new(self.policies);
            remediator.provider = self.provider;
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
            let kind = match outcome {
                Outcome::Fixed { after, .. } => FixKind::Fixed { after },
                Outcome::NeedsHuman { reason, .. } => FixKind::NeedsHuman { reason },
                Outcome::Failed { error, .. } => FixKind::Failed { error },
                Outcome::AlreadyResolved => FixKind::NotFound,
            };
            FixRun {
                kind,
                attempts: count,
                tokens,
            }
        })
    }
}

pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let config = super::load_config(&args.config, Path::new("."))?;
    let (policies, _) = super::load_policies(&args.policy, &config, &[])?;
    if args.gate_suite {
        return gate(&policies, &args.gate_suite_dir);
    }
    let provider = match args.provider {
        EvalProvider::Recipe => ProviderChoice::Recipe,
        EvalProvider::Llm | EvalProvider::Replay => {
            bail!(
                "the {:?} provider is not available in this build yet; use --provider recipe",
                args.provider
            )
        }
    };
    let cases = cases::load(&args.cases).context("cannot load the eval cases")?;
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
        provider,
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
    let name = format!("{:?}", args.provider).to_lowercase();
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
