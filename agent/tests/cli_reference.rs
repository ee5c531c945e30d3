//! `docs/cli.md` is generated from the flag definitions, so the reference cannot drift from the
//! binary. Run with `REMEDY_UPDATE_DOCS=1` to rewrite it after changing a flag.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use remedy_agent::cli::Cli;

#[test]
fn the_cli_reference_is_generated_from_the_flags() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md");
    let generated = format!(
        "<!-- Generated from the flag definitions by agent/tests/cli_reference.rs: \
         REMEDY_UPDATE_DOCS=1 cargo test -p remedy-agent --test cli_reference -->\n\n{}",
        clap_markdown::help_markdown::<Cli>()
    );
    if std::env::var_os("REMEDY_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/cli.md is out of date: REMEDY_UPDATE_DOCS=1 cargo test -p remedy-agent --test cli_reference"
    );
    assert!(written.contains("## `remedy fix`"), "{}", &written[..200]);
}
