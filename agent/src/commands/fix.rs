//! `remedy fix`: turn violations into gated fixes, committed on local branches (or previewed).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use remedy_git::{Oid, Repo};
use remedy_guardrails::{PolicySet, Violation};
use serde::Serialize;
use similar::TextDiff;

use crate::cli::FixArgs;
use crate::config::Config;
use crate::deliver::{Delivered, Delivery, Target, setup};
use crate::remediate::{Attempt, Outcome, ProviderChoice, Remediator, Subject};
use crate::report::ListFormat as Format;
use crate::store::{
    AGENT, ClaimScope, Filter, PolicyInfo, Queue, RecordInput, Repository, RetryPolicy, Store,
    StoreOptions, StoreUrl,
};
use crate::{audit, output, project, worker};

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
    /// The pull request's URL, when it went to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    attempts: Vec<Attempt>,
}

impl FixResult {
    fn of(violation: &Violation, outcome: &Outcome) -> Self {
        Self {
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
            pr: None,
            provider: match outcome {
                Outcome::Fixed { provider, .. } => Some(provider),
                _ => None,
            },
            reason: match outcome {
                Outcome::NeedsHuman { reason, .. } | Outcome::Failed { error: reason, .. } => {
                    Some(reason.clone())
                }
                _ => None,
            },
            diff: None,
            attempts: outcome.attempts().to_vec(),
        }
    }

    fn delivered(&mut self, delivered: &Delivered) {
        self.branch = Some(delivered.pr.branch.clone());
        self.pr.clone_from(&delivered.pr.url);
        if delivered.unchanged && self.reason.is_none() {
            self.reason = Some("the branch already holds this fix".into());
        }
    }
}

impl From<worker::Processed> for FixResult {
    fn from(p: worker::Processed) -> Self {
        let diff = match (&p.before, &p.after, &p.delivered) {
            (Some(before), Some(after), None) => Some(unified_diff(&p.file, before, after)),
            _ => None,
        };
        let mut result = Self {
            fingerprint: p.fingerprint,
            policy: p.policy,
            severity: p.severity,
            file: p.file,
            resource: p.resource,
            outcome: p.outcome,
            branch: None,
            pr: None,
            provider: p.provider,
            reason: p.reason,
            diff,
            attempts: p.attempts,
        };
        if let Some(delivered) = &p.delivered {
            result.delivered(delivered);
        }
        result
    }
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
    if !args.path.exists() {
        bail!("{}: no such file or directory", args.path.display());
    }
    let remediator = remediator(args.provider, &args.llm, &config, &policies)?;
    let (source, root) = open_source(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let results = if args.all || !args.ids.is_empty() {
        from_audit(
            args,
            &config,
            &policies,
            &enforcement,
            &remediator,
            &source,
            &root,
            &runtime,
        )?
    } else {
        let Source::Git {
            repo,
            base,
            base_name,
        } = &source
        else {
            bail!(
                "fixing the violations assigned in the store needs a git repository; \
                 pass --all or --id to preview fixes of the audit's findings with --dry-run"
            );
        };
        runtime.block_on(from_store(
            args,
            &config,
            &remediator,
            repo,
            *base,
            base_name,
            &root,
        ))?
    };

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

/// The remediation engine as the settings and flags configure it.
pub(crate) fn remediator<'p>(
    provider: ProviderChoice,
    llm_args: &crate::cli::LlmArgs,
    config: &Config,
    policies: &'p PolicySet,
) -> Result<Remediator<'p>> {
    let mut remediator = Remediator::new(policies);
    remediator.provider = provider;
    remediator.values = config.team_values();
    if let Some((llm, max_attempts)) = super::llm_fixer(llm_args, config, provider)? {
        remediator.llm = Some(llm);
        remediator.max_attempts = max_attempts;
    }
    Ok(remediator)
}

/// The repository and its base revision, or (for a dry run outside git) the files on disk.
fn open_source(args: &FixArgs) -> Result<(Source, PathBuf)> {
    match Repo::discover(&args.path) {
        Ok(repo) => {
            let base_name = match &args.base {
                Some(base) => base.clone(),
                None => repo.current_branch().unwrap_or_else(|| "HEAD".into()),
            };
            let base = repo.resolve(&base_name)?;
            let root = repo.root().to_path_buf();
            Ok((Source::Git { repo, base, base_name }, root))
        }
        Err(err) if args.dry_run => {
            tracing::info!("{err}; previewing the files on disk");
            Ok((Source::Disk, project::root_of(&args.path)))
        }
        Err(err) => Err(anyhow::Error::new(err).context(
            "remedy fix commits each fix on a local branch; run it inside a git repository, or use --dry-run to preview",
        )),
    }
}

/// `--all` / `--id`: fix what the audit finds at the base revision (the store is not used).
#[allow(clippy::too_many_arguments)]
fn from_audit(
    args: &FixArgs,
    config: &Config,
    policies: &PolicySet,
    enforcement: &crate::config::Enforcement,
    remediator: &Remediator<'_>,
    source: &Source,
    root: &Path,
    runtime: &tokio::runtime::Runtime,
) -> Result<Vec<FixResult>> {
    let files = read_files(source, root, &args.path)?;
    let mut report = audit::run_texts(root.to_path_buf(), &files, policies);
    report.apply_enforcement(enforcement);
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
    selected.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    if let Some(limit) = args.limit {
        selected.truncate(limit);
    }
    let progress = progress_bar(
        selected.len() as u64,
        args.format == Format::Json || !std::io::stderr().is_terminal(),
    );
    let results = match source {
        Source::Git {
            repo,
            base,
            base_name,
        } if !args.dry_run => runtime.block_on(through_queue(
            args,
            config,
            policies,
            remediator,
            (repo, *base, base_name),
            &report,
            &selected,
            progress.clone(),
        ))?,
        _ => {
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
                    runtime.block_on(remediator.remediate(&Subject::from(violation), text, root));
                let mut result = FixResult::of(violation, &outcome);
                if let Outcome::Fixed { after, .. } = outcome {
                    result.diff = Some(unified_diff(&violation.file, text, &after));
                }
                results.push(result);
                progress.inc(1);
            }
            results
        }
    };
    progress.finish_and_clear();
    Ok(results)
}

/// Fix and deliver the audit's selected findings through the same queue and worker the daemon
/// uses, in a throwaway store: a one-off run groups, defers, declines and delivers exactly as
/// the agent does. Every selected violation gets an outcome, in the order selected.
#[allow(clippy::too_many_arguments)]
async fn through_queue(
    args: &FixArgs,
    config: &Config,
    policies: &PolicySet,
    remediator: &Remediator<'_>,
    (repo, base, base_name): (&Repo, Oid, &str),
    report: &audit::AuditReport,
    selected: &[&Violation],
    progress: ProgressBar,
) -> Result<Vec<FixResult>> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory for the queue")?;
    let store = Store::open_url(
        &StoreUrl::Sqlite(dir.path().join("fix.db")),
        StoreOptions {
            // A failure is reported, not retried within the run.
            retry: RetryPolicy {
                base_delay: Duration::from_secs(7 * 24 * 3600),
                max_delay: Duration::from_secs(7 * 24 * 3600),
                ..RetryPolicy::default()
            },
            ..StoreOptions::default()
        },
    )
    .await?;
    // In a block, so that the store is closed whatever fails.
    let results = async {
        let repository = Repository::at(repo.root());
        // The selected findings only (no enforcement levels or diagnostics: the store keeps
        // neither), with the audit's tallies and summary.
        let only = audit::AuditReport {
            root: report.root.clone(),
            violations: selected.iter().map(|v| (*v).clone()).collect(),
            enforcement: Vec::new(),
            diagnostics: Vec::new(),
            tallies: report.tallies.clone(),
            summary: report.summary.clone(),
        };
        store
            .record(&RecordInput {
                repository: &repository,
                report: &only,
                policies: &PolicyInfo::from_set(policies),
                scope: &[],
                actor: "remedy fix",
            })
            .await?;
        store
            .assign(&Filter::default(), None, AGENT, "remedy fix")
            .await?;
        let delivery = delivery(args, config, repo, base, base_name, None)?;
        QueueRun {
            store: &store,
            scope: ClaimScope {
                repository: Some(repository.url.clone()),
                groups: delivery.grouping().group_by.claim_groups(),
                ..ClaimScope::default()
            },
            delivery: Some(delivery),
            remediator,
            source: worker::Source { repo, base },
            limit: usize::MAX,
            stop_at_deferral: false,
            progress,
        }
        .work()
        .await
    }
    .await;
    store.close().await;
    let mut results = results?;
    let order: std::collections::HashMap<&str, usize> = selected
        .iter()
        .enumerate()
        .map(|(i, v)| (v.fingerprint.as_str(), i))
        .collect();
    results.sort_by_key(|r| order.get(r.fingerprint.as_str()).copied());
    Ok(results)
}

/// The default: claim the violations assigned to the agent for this repository, fix, and
/// record each outcome in the store. A dry run hands every claim back untouched.
#[allow(clippy::too_many_arguments)]
async fn from_store(
    args: &FixArgs,
    config: &Config,
    remediator: &Remediator<'_>,
    repo: &Repo,
    base: Oid,
    base_name: &str,
    root: &Path,
) -> Result<Vec<FixResult>> {
    let store = super::store::open(&args.store, root).await?;
    let repository = Repository::at(root);
    let delivery = if args.dry_run {
        None
    } else {
        Some(delivery(
            args,
            config,
            repo,
            base,
            base_name,
            Some((store.clone(), repository.url.clone())),
        )?)
    };
    let hidden = args.format == Format::Json || !std::io::stderr().is_terminal();
    let queue = QueueRun {
        store: &store,
        scope: ClaimScope {
            repository: Some(repository.url.clone()),
            policies: args.policy.policies.clone(),
            groups: delivery
                .as_ref()
                .map_or_else(Default::default, |d| d.grouping().group_by.claim_groups()),
        },
        delivery,
        remediator,
        source: worker::Source { repo, base },
        limit: args.limit.unwrap_or(usize::MAX),
        stop_at_deferral: true,
        progress: if hidden {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        },
    };
    let results = queue.work().await;
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

/// Working a store's queue from the command line: claim, fix, deliver and record, until the
/// queue or the limit runs out.
struct QueueRun<'a> {
    store: &'a Store,
    scope: ClaimScope,
    /// `None`: a dry run, which previews each fix on the base and hands it back.
    delivery: Option<Arc<dyn Delivery>>,
    remediator: &'a Remediator<'a>,
    source: worker::Source<'a>,
    limit: usize,
    /// Stop at the first deferral, leaving the rest in the queue (it would be deferred too);
    /// otherwise go on until nothing is claimable, so that every violation gets an outcome.
    stop_at_deferral: bool,
    progress: ProgressBar,
}

impl QueueRun<'_> {
    async fn work(&self) -> Result<Vec<FixResult>> {
        let worker_id = format!("remedy-fix-{}", std::process::id());
        let lease = Duration::from_secs(600);
        let dry_run = self.delivery.is_none();
        let mut results = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while results.len() < self.limit {
            // A dry run releases what it claims, so it claims everything at once.
            let batch = if dry_run {
                self.limit.min(100_000)
            } else {
                (self.limit - results.len()).min(32)
            };
            let items = self
                .store
                .claim(&worker_id, batch, lease, &self.scope)
                .await?;
            if items.is_empty() {
                break;
            }
            match &self.delivery {
                None => {
                    for item in items {
                        self.progress.set_message(format!(
                            "{} {}",
                            item.violation.policy, item.violation.resource.name_expr
                        ));
                        let processed = worker::process(
                            self.store,
                            self.remediator,
                            &self.source,
                            &NoDelivery,
                            item,
                            lease,
                            true,
                        )
                        .await?;
                        results.push(FixResult::from(processed));
                        self.progress.inc(1);
                    }
                    break;
                }
                Some(delivery) => {
                    let n = items.len() as u64;
                    let processed = worker::process_all(
                        self.store,
                        self.remediator,
                        delivery.as_ref(),
                        &worker::GroupLocks::default(),
                        items,
                        lease,
                    )
                    .await?;
                    let deferred = processed.iter().any(|p| p.outcome == "deferred");
                    // One outcome per violation: work handed back untouched comes straight
                    // back, and a pass with nothing new would only repeat itself.
                    let before = seen.len();
                    for p in processed {
                        if seen.insert(p.fingerprint.clone()) {
                            results.push(FixResult::from(p));
                        }
                    }
                    self.progress.inc(n);
                    if (deferred && self.stop_at_deferral) || seen.len() == before {
                        break;
                    }
                }
            }
        }
        self.progress.finish_and_clear();
        Ok(results)
    }
}

/// The delivery the settings and flags ask for: local branches, or GitHub.
fn delivery(
    args: &FixArgs,
    config: &Config,
    repo: &Repo,
    base: Oid,
    base_name: &str,
    store: Option<(Store, String)>,
) -> Result<Arc<dyn Delivery>> {
    let (settings, github) = args
        .delivery
        .apply(config.delivery.clone(), config.github.clone());
    let token = match settings.target {
        Target::Local => None,
        Target::Github => setup::token_from_env(),
    };
    setup::build(setup::Setup {
        repo,
        base_name,
        base,
        settings,
        github,
        data_dir: args
            .delivery
            .data_dir
            .clone()
            .unwrap_or_else(crate::deliver::clone::data_dir),
        config_dir: setup::config_dir(config.source.as_deref()),
        token,
        clock: store
            .as_ref()
            .map_or_else(crate::store::Clock::system, |(s, _)| s.clock().clone()),
        store,
        retry: remedy_forge::RetryPolicy::default(),
    })
    .context("cannot set up delivery")
}

/// A dry run delivers nothing.
struct NoDelivery;

impl Delivery for NoDelivery {
    fn begin<'a>(
        &'a self,
        _group: &'a crate::deliver::Group,
        _members: &'a [&'a str],
    ) -> crate::remediate::BoxFuture<'a, Result<crate::deliver::Begun, crate::deliver::DeliveryError>>
    {
        Box::pin(async {
            Err(crate::deliver::DeliveryError::Config(
                "a dry run delivers nothing".into(),
            ))
        })
    }

    fn finish(
        &self,
        _batch: crate::deliver::Batch,
    ) -> crate::remediate::BoxFuture<'_, Result<Delivered, crate::deliver::DeliveryError>> {
        Box::pin(async {
            Err(crate::deliver::DeliveryError::Config(
                "a dry run delivers nothing".into(),
            ))
        })
    }

    fn grouping(&self) -> &crate::deliver::DeliverySettings {
        static DEFAULT: std::sync::OnceLock<crate::deliver::DeliverySettings> =
            std::sync::OnceLock::new();
        DEFAULT.get_or_init(crate::deliver::DeliverySettings::default)
    }
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
            for name in repo.program_files(*base)? {
                if !under(&name) {
                    continue;
                }
                if let Some(text) = repo.read(*base, &name)? {
                    files.push((name, text));
                }
            }
            Ok(files)
        }
        Source::Disk => {
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
            "deferred" => ("deferred", WARN),
            _ => ("resolved", DIM),
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
    let count = |o: &str| results.iter().filter(|r| r.outcome == o).count();
    let fixed = count("fixed");
    let base = match source {
        Source::Git { base_name, .. } => format!(" from {base_name}"),
        Source::Disk => String::new(),
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
