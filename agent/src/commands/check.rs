//! `remedy check`: the CI gate.

use std::io::Write;

use anyhow::{Context, Result};

use crate::check::CheckResult;
use crate::cli::CheckArgs;
use crate::report::{self, Format};
use crate::{audit, output};

/// Run the gate; the returned code is the process exit status (0 pass, 1 fail, 2 file errors).
pub fn run(args: &CheckArgs, verbose: bool) -> Result<u8> {
    let config = super::load_config(&args.config, super::start_of(&args.paths))?;
    let (policies, enforcement) = super::load_policies(&args.policy, &config, &args.enforce)?;
    let mut report = audit::run(&args.paths, &policies)?;
    report.apply_enforcement(&enforcement);
    let gate = CheckResult::decide(
        &report,
        args.fail_on.unwrap_or(config.check.fail_on),
        config.check.fail_on_file_errors && !args.allow_file_errors,
    );
    let mut out = output::open(args.output.as_deref())?;
    match args.format {
        Format::Table => report::table::write(&report, Some(&gate), verbose, &mut out),
        Format::Json => report::json::write(&report, Some(&gate), &mut out),
        Format::Sarif => report::sarif::write(&report, &policies, Some(&gate), &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the report")?;
    Ok(gate.exit_code)
}
