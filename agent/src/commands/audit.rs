//! `remedy audit`

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::AuditArgs;
use crate::report::{self, Format};
use crate::{audit, output};

pub fn run(args: &AuditArgs, verbose: bool) -> Result<()> {
    let policies = super::load_policies(&args.policy)?;
    let report = audit::run(&args.paths, &policies)?;
    let mut out = output::open(args.output.as_deref())?;
    match args.format {
        Format::Table => report::table::write(&report, verbose, &mut out),
        Format::Json => report::json::write(&report, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the report")?;
    Ok(())
}
