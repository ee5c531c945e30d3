//! `remedy fix`: turn violations into gated fixes, committed on local branches (or previewed).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use remedy_guardrails::Violation;
use remedy_tools::git::{Author, Oid, Repo};
use remedy_tools::{Language, is_skipped_path};
use serde::Serialize;
use similar::TextDiff;

use crate::cli::FixArgs;
use crate::llm::{ApiKey, LlmAgent};
use crate::remediate::{Attempt, Outcome, ProviderChoice, Remediator, Subject};
use crate::report::ListFormat as Format;
use crate::{audit, output, project};

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// One violation's result, as printed and as JSON.
#[derive(Debug, Serialize)]
struct FixResult {
    fingerprint: String,
    policy: String,
    severity: String,
    file: String,
    resource: String,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    attempts: Vec<Attempt>,
}

/// Where the files come from: a git revision (the base branch's head), or, for a dry run outside
/// git, the files on disk.
enum Source {
    Git {
        repo: Repo,
        base: Oid,
        base_name: String,
    },
    Disk,
}

pub fn run(args: &FixArgs, verbose: bool) -> Result<()> {
    let config = super::load_config(&args.config, &args.path)?;
    let (policies, enforcement) = super::load_policies(&args.policy, &config, &[])?;
    let path = args.path.clone();
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    let (source, root) = match Repo::discover(&path) {
        Ok(repo) => {
            let base_name = match &args.base {
                Some(base) => base.clone(),
                None => repo.current_branch().unwrap_or_else(|| "HEAD".into()),
            };
            let base = repo.resolve(&base_name)?;
            let root = repo.root().to_path_buf();
            (
                Source::Git {
                    repo,
                    base,
                    base_name,
                },
                root,
            )
        }
        Err(err) if args.dry_run => {
            tracing::info!("{err}; previewing the files on disk");
            (Source::Disk, project::root_of(&path))
        }
        Err(err) => {
            return Err(anyhow::Error::new(err).context(
                "remedy fix commits each fix on a local branch; run it inside a git repository, or use --dry-run to preview",
            ));
        }
    };

    let files = read_files(&source, &root, &path)?;
    let mut report = audit::run_texts(root.clone(), &files, &policies);
    report.apply_enforcement(&enforcement);
    let texts: BTreeMap<&str, &str> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut selected: Vec<&Violation> = report
        .violations
        .iter()
        .filter(|v| {
            args.ids.is_empty()
                || args
                    .ids
                    .iter()
                    .any(|id| v.fingerprint.starts_with(id.as_str()))
        })
        .collect();
    if !args.all && args.ids.is_empty() {
        bail!(
            "nothing selected: pass --all to fix every violation the audit finds, or --id FINGERPRINT"
        );
    }
    if let Some(limit) = args.limit {
        selected.truncate(limit);
    }
    selected.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });

    let mut remediator = Remediator::new(&policies);
    remediator.provider = args.provider;
    remediator.values = config.team_values();
    let llm = args.llm.apply(config.llm);
    llm.validate()?;
    if llm.is_configured() && args.provider != ProviderChoice::Recipe {
        let key = ApiKey::from_env()?;
        let agent = LlmAgent::new(&llm, key).context("cannot set up the LLM")?;
        tracing::info!(
            model = llm.model.as_deref().unwrap_or_default(),
            "LLM configured"
        );
        remediator.llm = Some(Arc::new(agent));
        remediator.max_attempts = llm.max_attempts;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let progress = progress_bar(
        selected.len() as u64,
        args.format == Format::Json || !std::io::stderr().is_terminal(),
    );
    let mut results = Vec::with_capacity(selected.len());
    for violation in selected {
        progress.set_message(format!(
            "{} {}",
            violation.policy, violation.resource.name_expr
        ));
        let text = texts
            .get(violation.file.as_str())
            .copied()
            .unwrap_or_default();
        let outcome =
            runtime.block_on(remediator.remediate(&Subject::from(violation), text, &root));
        results.push(deliver(&source, args, violation, text, outcome)?);
        progress.inc(1);
    }
    progress.finish_and_clear();

    let mut out = output::open(None)?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&results, &source, args.dry_run, verbose, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn progress_bar(len: u64, hidden: bool) -> ProgressBar {
    if hidden || len < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Program files under `path`, read at the base revision (or from disk).
fn read_files(source: &Source, root: &Path, path: &Path) -> Result<Vec<(String, String)>> {
    let prefix = project::relative(root, path);
    let under = |name: &str| {
        prefix.is_empty()
            || prefix == "."
            || name == prefix
            || name.starts_with(&format!("{prefix}/"))
    };
    match source {
        Source::Git { repo, base, .. } => {
            let mut files = Vec::new();
            for name in repo.files(*base)? {
                if !under(&name)
                    || is_skipped_path(&name)
                    || Language::from_path(Path::new(&name)).is_none()
                {
                    continue;
                }
                if let Some(text) = repo.read(*base, &name)? {
                    files.push((name, text));
                }
            }
            Ok(files)
        }
        Source::Disk => {
            let found = remedy_tools::discover(&[path.to_path_buf()])?;
            let mut files = Vec::new();
            for file in found {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                files.push((project::relative(root, &file), text));
            }
            Ok(files)
        }
    }
}

/// The branch a violation's fix lives on.
pub fn branch_name(violation: &Violation) -> String {
    format!(
        "remedy/{}/{}",
        violation.policy,
        &violation.fingerprint[..8.min(violation.fingerprint.len())]
    )
}

fn commit_message(violation: &Violation, verdict: &remedy_guardrails::gate::Verdict) -> String {
    let checks: Vec<String> = verdict
        .checks
        .iter()
        .map(|c| format!("- {}: {}", c.name, c.evidence))
        .collect();
    format!(
        "fix({}): {} in {}\n\n{} ({}).\n{}\n\nGate:\n{}\n\nRemedy-Violation: {}\n",
        violation.policy,
        violation
            .resource
            .name
            .as_deref()
            .unwrap_or(&violation.resource.name_expr),
        violation.file,
        violation.title,
        violation.severity,
        violation.message,
        checks.join("\n"),
        violation.fingerprint
    )
}

fn deliver(
    source: &Source,
    args: &FixArgs,
    violation: &Violation,
    before: &str,
    outcome: Outcome,
) -> Result<FixResult> {
    let mut result = FixResult {
        fingerprint: violation.fingerprint.clone(),
        policy: violation.policy.clone(),
        severity: violation.severity.to_string(),
        file: violation.file.clone(),
        resource: violation
            .resource
            .name
            .clone()
            .unwrap_or_else(|| violation.resource.name_expr.clone()),
        outcome: outcome.label(),
        branch: None,
        provider: None,
        reason: None,
        diff: None,
        attempts: outcome.attempts().to_vec(),
    };
    match outcome {
        Outcome::Fixed {
            after,
            verdict,
            provider,
            ..
        } => {
            result.provider = Some(provider);
            if args.dry_run {
                result.diff = Some(unified_diff(&violation.file, before, &after));
                return Ok(result);
            }
            let Source::Git { repo, base, .. } = source else {
                return Ok(result);
            };
            let branch = branch_name(violation);
            let unchanged = repo.branch_head(&branch).is_some_and(|head| {
                repo.read(head, &violation.file).ok().flatten().as_deref() == Some(after.as_str())
            });
            if unchanged {
                result.reason = Some("the branch already holds this fix".into());
            } else {
                repo.commit_files(
                    *base,
                    &branch,
                    &[(violation.file.clone(), after)],
                    &commit_message(violation, &verdict),
                    &Author::default(),
                )?;
            }
            result.branch = Some(branch);
        }
        Outcome::NeedsHuman { reason, .. } => result.reason = Some(reason),
        Outcome::Failed { error, .. } => result.reason = Some(error),
        Outcome::AlreadyResolved => {}
    }
    Ok(result)
}

fn unified_diff(file: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string()
}

fn write_table(
    results: &[FixResult],
    source: &Source,
    dry_run: bool,
    verbose: bool,
    out: &mut dyn Write,
) -> Result<()> {
    for r in results {
        let (mark, style) = match r.outcome {
            "fixed" => ("fixed", GOOD),
            "needs_human" => ("needs human", WARN),
            "failed" => ("failed", BAD),
            _ => ("resolved", DIM),
        };
        writeln!(
            out,
            "{style}{mark:<11}{style:#} {} {DIM}{} in {}{DIM:#}",
            r.policy, r.resource, r.file
        )?;
        if let Some(branch) = &r.branch {
            writeln!(out, "            {DIM}→ {branch}{DIM:#}")?;
        }
        if let Some(reason) = &r.reason {
            writeln!(out, "            {reason}")?;
        }
        if let Some(diff) = &r.diff {
            for line in diff.lines() {
                let style = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => AnsiColor::Green.on_default(),
                    Some('-') if !line.starts_with("---") => AnsiColor::Red.on_default(),
                    Some('@') => AnsiColor::Cyan.on_default(),
                    _ => Style::new(),
                };
                writeln!(out, "            {style}{line}{style:#}")?;
            }
        }
        if verbose {
            for attempt in &r.attempts {
                if let Some(verdict) = &attempt.verdict {
                    for check in &verdict.checks {
                        let mark = if check.passed { "ok  " } else { "FAIL" };
                        writeln!(
                            out,
                            "            {DIM}{} {mark} {}: {}{DIM:#}",
                            attempt.provider, check.name, check.evidence
                        )?;
                    }
                }
            }
        }
    }
    let count = |o: &str| results.iter().filter(|r| r.outcome == o).count();
    let fixed = count("fixed");
    let base = match source {
        Source::Git { base_name, .. } => format!(" from {base_name}"),
        Source::Disk => String::new(),
    };
    let verb = if dry_run {
        "would be fixed (dry run, nothing written)"
    } else {
        "fixed on local branches"
    };
    writeln!(
        out,
        "\n{GOOD}{fixed}{GOOD:#} {verb}{base} · {WARN}{}{WARN:#} need a human · {BAD}{}{BAD:#} failed · {} already resolved",
        count("needs_human"),
        count("failed"),
        count("resolved")
    )?;
    Ok(())
}
