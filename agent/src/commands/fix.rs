//! `remedy fix`: turn violations into gated fixes, committed on branches (or previewed).
//!
//! Every mode runs the agent's pipeline ([`crate::pipeline`]): over the violations assigned in
//! the store (the default), or over the audit's findings through a [`MemoryQueue`] (`--all`,
//! `--id`). `--dry-run` previews each fix on the base and writes nothing anywhere: it reads the
//! store's assignments without claiming them.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use remedy_deliver::{Delivery, Target as DeliveryTarget, setup};
use remedy_git::{Oid, Repo, Revision};
use remedy_guardrails::{PolicySet, Severity, Violation};
use remedy_remediate::{Attempt, Provider, ProviderChoice, Remediator};
use remedy_store::{
    AGENT, ClaimScope, Clock, Filter, Page, Repository, Status, Store, ViolationRecord,
};
use serde::Serialize;
use similar::TextDiff;

use crate::cli::FixArgs;
use crate::config::Config;
use crate::pipeline::{
    Drain, GroupLocks, MemoryQueue, Outcome, Pipeline, Processed, Target, Texts,
};
use crate::report::ListFormat as Format;
use crate::{audit, output, project};

const GOOD: Style = AnsiColor::Green.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// Violations a claim takes at once (whole delivery groups).
const CLAIM_BATCH: usize = 32;
/// A one-off run holds its claims this long without a heartbeat.
const LEASE: Duration = Duration::from_secs(600);

/// One violation's result, as printed and as JSON.
#[derive(Debug, Serialize)]
struct FixResult {
    fingerprint: String,
    policy: String,
    severity: Severity,
    file: String,
    resource: String,
    outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    /// The pull request's URL, when it went to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<Provider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    attempts: Vec<Attempt>,
}

impl From<Processed> for FixResult {
    fn from(p: Processed) -> Self {
        let delivered = p.outcome.delivered().cloned();
        let diff = match (&p.before, &p.after, &delivered) {
            (Some(before), Some(after), None) if matches!(p.outcome, Outcome::Fixed { .. }) => {
                Some(unified_diff(&p.file, before, after))
            }
            _ => None,
        };
        let mut reason = p.outcome.reason().map(str::to_string);
        if reason.is_none() && delivered.as_ref().is_some_and(|d| d.unchanged) {
            reason = Some("the branch already holds this fix".into());
        }
        Self {
            fingerprint: p.fingerprint,
            policy: p.policy,
            severity: p.severity,
            file: p.file,
            resource: p.resource,
            branch: delivered.as_ref().map(|d| d.pr.branch.clone()),
            pr: delivered.and_then(|d| d.pr.url),
            outcome: p.outcome,
            provider: p.provider,
            reason,
            diff,
            attempts: p.attempts,
        }
    }
}

/// What fixes are made against: a git revision (the base branch's head), or, for a dry run
/// outside git, the files on disk.
enum Base {
    Git {
        repo: Repo,
        commit: Oid,
        name: String,
    },
    Disk,
}

pub fn run(args: &FixArgs, verbose: bool) -> Result<()> {
    let config = super::load_config(&args.config, &args.path)?;
    let (policies, enforcement) = super::load_policies(&args.policy, &config, &[])?;
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let remediator = remediator(
        args.provider.into(),
        &args.llm,
        &args.gate,
        &config,
        &policies,
    )?;
    let (base, root) = open_base(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let run = FixRun {
        args,
        config: &config,
        remediator: &remediator,
        base: &base,
        root: &root,
    };
    let results = if args.all || !args.ids.is_empty() {
        runtime.block_on(run.audit_findings(&policies, &enforcement))?
    } else {
        runtime.block_on(run.assigned_in_store())?
    };

    let mut out = output::open(None)?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&results, &base, args.dry_run, verbose, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// The remediation engine as the settings and flags configure it.
pub(crate) fn remediator<'p>(
    provider: ProviderChoice,
    llm_args: &crate::cli::LlmArgs,
    gate_args: &crate::cli::GateArgs,
    config: &Config,
    policies: &'p PolicySet,
) -> Result<Remediator<'p>> {
    let mut remediator = Remediator::new(policies);
    remediator.provider = provider;
    remediator.values = config.team_values();
    remediator.validator = Some(gate_args.apply(config.gate.clone()).validator());
    if let Some((llm, max_attempts)) = super::llm_fixer(llm_args, config, provider)? {
        remediator.llm = Some(llm);
        remediator.max_attempts = max_attempts;
    }
    Ok(remediator)
}

/// The repository and its base revision, or (for a dry run outside git) the files on disk.
fn open_base(args: &FixArgs) -> Result<(Base, PathBuf)> {
    match Repo::discover(&args.path) {
        Ok(repo) => {
            let name = match &args.base {
                Some(base) => base.clone(),
                None => repo.current_branch().unwrap_or_else(|| "HEAD".into()),
            };
            let commit = repo.resolve(&name)?;
            let root = repo.root().to_path_buf();
            Ok((Base::Git { repo, commit, name }, root))
        }
        Err(err) if args.dry_run => {
            tracing::info!("{err}; previewing the files on disk");
            Ok((Base::Disk, project::root_of(&args.path)))
        }
        Err(err) => Err(anyhow::Error::new(err).context(
            "remedy fix commits each fix on a local branch; run it inside a git repository, or use --dry-run to preview",
        )),
    }
}

/// One `remedy fix`: the flags and what they opened.
struct FixRun<'a> {
    args: &'a FixArgs,
    config: &'a Config,
    remediator: &'a Remediator<'a>,
    base: &'a Base,
    root: &'a Path,
}

impl FixRun<'_> {
    /// `--all` / `--id`: fix what the audit finds at the base revision (the store is not used).
    async fn audit_findings(
        &self,
        policies: &PolicySet,
        enforcement: &crate::enforcement::Enforcement,
    ) -> Result<Vec<FixResult>> {
        let args = self.args;
        let files = read_files(self.base, self.root, &args.path)?;
        let mut report = audit::run_texts(self.root.to_path_buf(), &files, policies);
        report.apply_enforcement(enforcement);
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
        selected.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.file.cmp(&b.file))
                .then(a.line.cmp(&b.line))
        });
        if let Some(limit) = args.limit {
            selected.truncate(limit);
        }
        let order: BTreeMap<String, usize> = selected
            .iter()
            .enumerate()
            .map(|(i, v)| (v.fingerprint.clone(), i))
            .collect();
        let repository = Repository::at(self.root);
        let queue = MemoryQueue::of_findings(selected, &repository.url, Clock::system());
        let texts = Texts {
            root: self.root.to_path_buf(),
            files: files.into_iter().collect(),
        };
        let delivery = match self.base {
            Base::Git { repo, commit, name } if !args.dry_run => {
                Some(self.delivery(repo, *commit, name, None)?)
            }
            _ => None,
        };
        let revision = match self.base {
            Base::Git { repo, commit, .. } => Some(Revision {
                repo,
                commit: *commit,
            }),
            Base::Disk => None,
        };
        let target = match (&delivery, &revision) {
            (Some(delivery), _) => Target::Deliver(delivery.as_ref()),
            (None, Some(revision)) => Target::Preview(revision),
            (None, None) => Target::Preview(&texts),
        };
        let mut results = self
            .drain(&queue, target, &repository, usize::MAX, false)
            .await?;
        results.sort_by_key(|r| order.get(&r.fingerprint).copied());
        Ok(results)
    }

    /// The default: the violations assigned to the agent for this repository, fixed and each
    /// outcome recorded in the store. A dry run reads them without claiming, and writes nothing.
    async fn assigned_in_store(&self) -> Result<Vec<FixResult>> {
        let Base::Git { repo, commit, name } = self.base else {
            bail!(
                "fixing the violations assigned in the store needs a git repository; \
                 pass --all or --id to preview fixes of the audit's findings with --dry-run"
            );
        };
        let args = self.args;
        let store = super::store::open(&args.store, self.root).await?;
        let repository = Repository::at(self.root);
        let limit = args.limit.unwrap_or(usize::MAX);
        // In a block, so that the store is closed whatever fails.
        let results = async {
            if args.dry_run {
                let assigned = assigned(&store, &repository, &args.policy.policies, limit).await?;
                let queue = MemoryQueue::new(assigned, store.clock().clone());
                let revision = Revision {
                    repo,
                    commit: *commit,
                };
                self.drain(
                    &queue,
                    Target::Preview(&revision),
                    &repository,
                    limit,
                    false,
                )
                .await
            } else {
                let delivery = self.delivery(
                    repo,
                    *commit,
                    name,
                    Some((store.clone(), repository.url.clone())),
                )?;
                self.drain(
                    &store,
                    Target::Deliver(delivery.as_ref()),
                    &repository,
                    limit,
                    true,
                )
                .await
            }
        }
        .await;
        store.close().await;
        let results = results?;
        if results.is_empty() {
            tracing::warn!(
                "no violations of {} are assigned to the agent in {} (remedy assign, or --all)",
                repository.url,
                store.label()
            );
        }
        Ok(results)
    }

    /// Work `queue` through the pipeline until it runs out (or `limit`), with a progress bar.
    async fn drain<Q: remedy_store::Queue + Sync>(
        &self,
        queue: &Q,
        target: Target<'_>,
        repository: &Repository,
        limit: usize,
        stop_at_deferral: bool,
    ) -> Result<Vec<FixResult>> {
        let groups = match target {
            Target::Deliver(delivery) => delivery.grouping().group_by.claim_groups(),
            Target::Preview(_) => remedy_store::ClaimGroups::None,
        };
        let drain = Drain {
            worker: format!("remedy-fix-{}", std::process::id()),
            scope: ClaimScope {
                repository: Some(repository.url.clone()),
                policies: self.args.policy.policies.clone(),
                groups,
            },
            batch: CLAIM_BATCH,
            limit,
            stop_at_deferral,
        };
        let pipeline = Pipeline {
            queue,
            remediator: self.remediator,
            target,
            locks: &GroupLocks::default(),
            lease: LEASE,
        };
        let progress = progress_bar(self.args.format == Format::Json);
        let processed = pipeline
            .drain(&drain, |p| {
                progress.set_message(format!("{} {}", p.policy, p.resource));
                progress.inc(1);
            })
            .await;
        progress.finish_and_clear();
        Ok(processed?.into_iter().map(FixResult::from).collect())
    }

    /// The delivery the settings and flags ask for: local branches, or GitHub.
    fn delivery(
        &self,
        repo: &Repo,
        base: Oid,
        base_name: &str,
        store: Option<(Store, String)>,
    ) -> Result<Arc<dyn Delivery>> {
        let (settings, github) = self
            .args
            .delivery
            .apply(self.config.delivery.clone(), self.config.github.clone());
        let token = match settings.target {
            DeliveryTarget::Local => None,
            DeliveryTarget::Github => setup::token_from_env(),
        };
        setup::build(setup::Setup {
            repo,
            base_name,
            base,
            settings,
            github,
            data_dir: self
                .args
                .delivery
                .data_dir
                .clone()
                .unwrap_or_else(remedy_deliver::clone::data_dir),
            token,
            clock: store
                .as_ref()
                .map_or_else(Clock::system, |(s, _)| s.clock().clone()),
            store,
            retry: remedy_forge::RetryPolicy::default(),
        })
        .context("cannot set up delivery")
    }
}

/// The violations assigned to the agent in `repository`, in queue order: read, not claimed.
async fn assigned(
    store: &Store,
    repository: &Repository,
    policies: &[String],
    limit: usize,
) -> Result<Vec<ViolationRecord>> {
    let filter = Filter {
        repositories: vec![repository.url.clone()],
        policies: policies.to_vec(),
        statuses: vec![Status::Assigned],
        assignees: vec![AGENT.to_string()],
        ..Filter::default()
    };
    let page = Page {
        limit: u64::try_from(limit).unwrap_or(u64::MAX).min(100_000),
        offset: 0,
    };
    Ok(store.violations(&filter, page).await?.violations)
}

fn progress_bar(hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} done {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

/// Program files under `path`, read at the base revision (or from disk).
fn read_files(base: &Base, root: &Path, path: &Path) -> Result<Vec<(String, String)>> {
    let prefix = project::relative(root, path);
    let under = |name: &str| {
        prefix.is_empty()
            || prefix == "."
            || name == prefix
            || name.starts_with(&format!("{prefix}/"))
    };
    match base {
        Base::Git { repo, commit, .. } => {
            let mut files = Vec::new();
            for name in repo.program_files(*commit)? {
                if !under(&name) {
                    continue;
                }
                if let Some(text) = repo.read(*commit, &name)? {
                    files.push((name, text));
                }
            }
            Ok(files)
        }
        Base::Disk => {
            let found = remedy_source::discover(&[path.to_path_buf()])?;
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

fn unified_diff(file: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string()
}

fn write_table(
    results: &[FixResult],
    base: &Base,
    dry_run: bool,
    verbose: bool,
    out: &mut dyn Write,
) -> Result<()> {
    for r in results {
        let (mark, style) = match r.outcome {
            Outcome::Fixed { .. } => ("fixed", GOOD),
            Outcome::NeedsHuman { .. } => ("needs human", WARN),
            Outcome::Failed { .. } => ("failed", BAD),
            Outcome::Deferred { .. } | Outcome::Released { .. } => ("deferred", WARN),
            Outcome::Resolved => ("resolved", DIM),
        };
        writeln!(
            out,
            "{style}{mark:<11}{style:#} {} {DIM}{} in {}{DIM:#}",
            r.policy, r.resource, r.file
        )?;
        if let Some(branch) = &r.branch {
            match &r.pr {
                Some(pr) => writeln!(out, "            {DIM}→ {pr} ({branch}){DIM:#}")?,
                None => writeln!(out, "            {DIM}→ {branch}{DIM:#}")?,
            }
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
    let count = |o: &str| results.iter().filter(|r| r.outcome.label() == o).count();
    let fixed = count("fixed");
    let base = match base {
        Base::Git { name, .. } => format!(" from {name}"),
        Base::Disk => String::new(),
    };
    let verb = if dry_run {
        "would be fixed (dry run, nothing written)"
    } else if results.iter().any(|r| r.pr.is_some()) {
        "fixed in pull requests"
    } else {
        "fixed on branches"
    };
    let deferred = count("deferred");
    let deferred = if deferred > 0 {
        format!(" · {WARN}{deferred}{WARN:#} deferred")
    } else {
        String::new()
    };
    writeln!(
        out,
        "\n{GOOD}{fixed}{GOOD:#} {verb}{base} · {WARN}{}{WARN:#} need a human · {BAD}{}{BAD:#} failed · {} already resolved{deferred}",
        count("needs_human"),
        count("failed"),
        count("resolved")
    )?;
    Ok(())
}
