//! `remedy audit`

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::AuditArgs;
use crate::report::{self, Format};
use crate::{audit, output, project};
use remedy_store::{PolicyInfo, Repository};

pub fn run(args: &AuditArgs, verbose: bool) -> Result<()> {
    let config = super::load_config(&args.config, super::start_of(&args.paths))?;
    let (policies, enforcement) = super::load_policies(&args.policy, &config, &[])?;
    let mut report = audit::run(&args.paths, &policies)?;
    report.apply_enforcement(&enforcement);
    let mut out = output::open(args.output.as_deref())?;
    match args.format {
        Format::Table => report::table::write(&report, None, verbose, &mut out),
        Format::Json => report::json::write(&report, None, &mut out),
        Format::Sarif => report::sarif::write(&report, &policies, None, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the report")?;
    if args.record {
        super::store::block_on(record(args, &report, &PolicyInfo::from_set(&policies)))?;
    }
    Ok(())
}

/// Record the audit in the store; a one-line account on stderr (stdout holds the report).
async fn record(
    args: &AuditArgs,
    report: &audit::AuditReport,
    policies: &[PolicyInfo],
) -> Result<()> {
    let store = super::store::open(&args.store, &report.root).await?;
    let repository = Repository::at(&report.root);
    let scope: Vec<String> = args
        .paths
        .iter()
        .map(|p| project::relative(&report.root, p))
        .collect();
    let actor = super::store::actor();
    let summary = store
        .record(&report.record_input(&repository, policies, &scope, &actor))
        .await?;
    let mut err = anstream::stderr().lock();
    writeln!(
        err,
        "recorded {} violations of {} in {}: {} new, {} reopened, {} resolved, {} dismissed",
        summary.violations,
        summary.repository,
        store.label(),
        summary.opened,
        summary.reopened,
        summary.resolved,
        summary.dismissed
    )
    .context("cannot write to standard error")?;
    store.close().await;
    Ok(())
}
