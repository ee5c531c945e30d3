//! The `remedy` binary.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use remedy_agent::cli::{Cli, ColorChoice, Command, GlobalArgs, LogFormat};
use remedy_agent::commands;
use tracing_subscriber::EnvFilter;

/// Exit status for errors (bad input, unreadable files, broken policies). 1 is kept for
/// "violations found" in the CI gate.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_color(cli.global.color);
    init_logging(&cli.global);
    let verbose = cli.global.verbose > 0;
    use commands::store::{self as store, block_on};
    let result = match &cli.command {
        Command::Audit(args) => commands::audit::run(args, verbose).map(|()| ExitCode::SUCCESS),
        Command::Check(args) => commands::check::run(args, verbose).map(ExitCode::from),
        Command::Policies(args) => commands::policies::run(args).map(|()| ExitCode::SUCCESS),
        Command::Fix(args) => commands::fix::run(args, verbose).map(|()| ExitCode::SUCCESS),
        Command::Run(args) => commands::run::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => commands::eval::run(args),
        Command::Sync(args) => commands::sync::run(args).map(|()| ExitCode::SUCCESS),
        Command::Assign(args) => block_on(store::assign(args)).map(|()| ExitCode::SUCCESS),
        Command::Unassign(args) => block_on(store::unassign(args)).map(|()| ExitCode::SUCCESS),
        Command::Dismiss(args) => block_on(store::dismiss(args)).map(|()| ExitCode::SUCCESS),
        Command::Priority(args) => block_on(store::priority(args)).map(|()| ExitCode::SUCCESS),
        Command::Assignee(args) => block_on(store::assignee(args)).map(|()| ExitCode::SUCCESS),
        Command::Status(args) => block_on(store::status(args)).map(|()| ExitCode::SUCCESS),
        Command::Violations(args) => block_on(store::violations(args)).map(|()| ExitCode::SUCCESS),
        Command::Events(args) => block_on(store::events(args)).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`remedy audit | head`) is the reader's choice, not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let style = anstyle::AnsiColor::Red.on_default().bold();
            let mut stderr = anstream::stderr();
            // `{:#}` prints the error and its causes on one line: "a: b: c".
            let _ = writeln!(stderr, "{style}error{style:#}: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn init_color(choice: ColorChoice) {
    let choice = match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

fn init_logging(global: &GlobalArgs) {
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    // sqlx warns about any statement slower than a second; recording 100,000 violations has
    // some, on purpose. Its logs show from -vv on.
    let default = if global.verbose >= 2 {
        default.to_string()
    } else {
        format!("{default},sqlx=error")
    };
    let filter = EnvFilter::try_from_env("REMEDY_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Colour only on a terminal, and never when asked not to.
    let ansi = match global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false);
    match global.log_format {
        LogFormat::Human => builder.without_time().init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
