//! `remedy policies`

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::PoliciesArgs;
use crate::output;
use crate::report::{ListFormat, policies};

pub fn run(args: &PoliciesArgs) -> Result<()> {
    let config = super::load_config(&args.config, std::path::Path::new("."))?;
    let (set, _) = super::load_policies(&args.policy, &config, &[])?;
    let framework = args
        .policy
        .framework
        .as_deref()
        .or(config.policies.framework.as_deref());
    let mut out = output::open(args.output.as_deref())?;
    match args.format {
        ListFormat::Table => policies::write_table(&set, framework, &mut out),
        ListFormat::Json => policies::write_json(&set, framework, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the policy list")?;
    Ok(())
}
