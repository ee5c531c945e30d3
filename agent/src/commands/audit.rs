//! `remedy audit`

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::AuditArgs;
use crate::report::{self, Format};
use crate::{audit, output};

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
    Ok(())
}
