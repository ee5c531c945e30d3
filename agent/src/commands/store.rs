//! The store commands: `assign`, `unassign`, `dismiss`, `priority`, `assignee`, `status`,
//! `violations`, `events`, and `audit --record`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::{
    AssignArgs, AssigneeArgs, BulkArgs, DismissArgs, EventsArgs, PriorityArgs, SelectArgs,
    StatusArgs, StatusByArg, StoreArgs, ViolationsArgs,
};
use crate::report::{self, ListFormat};
use crate::{output, project};
use remedy_store::{Filter, Page, StatusBy, Store, StoreOptions, StoreUrl};

/// A runtime for the store's async driver: one thread is plenty for a command.
pub fn block_on<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}

/// Who is making changes, for the events: `$REMEDY_ACTOR`, else the login name.
pub fn actor() -> String {
    ["REMEDY_ACTOR", "USER", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "cli".to_string())
}

/// Open the store `--store`/`REMEDY_STORE` names, else the default under `root`.
pub async fn open(args: &StoreArgs, root: &Path) -> Result<Store> {
    let url = match &args.store {
        Some(url) => StoreUrl::parse(url)?,
        None => StoreUrl::default_for(root),
    };
    Ok(Store::open_url(&url, StoreOptions::default()).await?)
}

fn here() -> std::path::PathBuf {
    project::root_of(Path::new("."))
}

fn filter(select: &SelectArgs) -> Filter {
    Filter {
        repositories: select.repos.clone(),
        ids: select.ids.clone(),
        policies: select.policies.clone(),
        statuses: Vec::new(),
        min_severity: select.min_severity,
        frameworks: select.frameworks.clone(),
        paths: select.paths.clone(),
        priorities: select.priorities.clone(),
        assignees: select.assignees.clone(),
    }
}

/// The filter of a bulk change; refuses to touch everything unless told to.
fn bulk_filter(bulk: &BulkArgs) -> Result<Filter> {
    let filter = filter(&bulk.select);
    if filter.is_empty() && !bulk.all {
        bail!(
            "nothing selected: give --policy, --min-severity, --framework, --path, --id, --repo, \
             --priority or --assignee, or --all for every violation"
        );
    }
    Ok(filter)
}

fn say(message: &str) -> Result<()> {
    let mut out = anstream::stdout().lock();
    writeln!(out, "{message}").context("cannot write to standard output")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub async fn assign(args: &AssignArgs) -> Result<()> {
    let filter = bulk_filter(&args.bulk)?;
    let store = open(&args.bulk.store, &here()).await?;
    let n = store
        .assign(&filter, args.bulk.limit, &args.to, &actor())
        .await?;
    say(&format!(
        "assigned {} to {}",
        plural(n, "violation", "violations"),
        args.to
    ))?;
    store.close().await;
    Ok(())
}

pub async fn unassign(args: &BulkArgs) -> Result<()> {
    let filter = bulk_filter(args)?;
    let store = open(&args.store, &here()).await?;
    let n = store.unassign(&filter, args.limit, &actor()).await?;
    say(&format!(
        "unassigned {} (now open)",
        plural(n, "violation", "violations")
    ))?;
    store.close().await;
    Ok(())
}

pub async fn dismiss(args: &DismissArgs) -> Result<()> {
    let filter = Filter {
        ids: args.ids.clone(),
        ..Filter::default()
    };
    let store = open(&args.store, &here()).await?;
    let n = store.dismiss(&filter, &args.reason, &actor()).await?;
    say(&format!(
        "dismissed {}",
        plural(n, "violation", "violations")
    ))?;
    store.close().await;
    Ok(())
}

pub async fn priority(args: &PriorityArgs) -> Result<()> {
    let filter = bulk_filter(&args.bulk)?;
    let store = open(&args.bulk.store, &here()).await?;
    let n = store.set_priority(&filter, args.priority, &actor()).await?;
    say(&format!(
        "set priority {} on {}",
        args.priority,
        plural(n, "violation", "violations")
    ))?;
    store.close().await;
    Ok(())
}

pub async fn assignee(args: &AssigneeArgs) -> Result<()> {
    let filter = bulk_filter(&args.bulk)?;
    let store = open(&args.bulk.store, &here()).await?;
    let name = if args.none {
        None
    } else {
        args.name.as_deref()
    };
    let n = store.set_assignee(&filter, name, &actor()).await?;
    let what = match name {
        Some(name) => format!("assignee {name}"),
        None => "no assignee".to_string(),
    };
    say(&format!(
        "set {what} on {}",
        plural(n, "violation", "violations")
    ))?;
    store.close().await;
    Ok(())
}

pub async fn status(args: &StatusArgs) -> Result<()> {
    let store = open(&args.store, &here()).await?;
    let by = match args.by {
        StatusByArg::Status => StatusBy::Status,
        StatusByArg::Policy => StatusBy::Policy,
        StatusByArg::Framework => StatusBy::Framework,
        StatusByArg::Severity => StatusBy::Severity,
        StatusByArg::Repo => StatusBy::Repo,
    };
    let filter = Filter {
        repositories: args.repos.clone(),
        ..Filter::default()
    };
    let status = store.status(&filter, by).await?;
    store.close().await;
    let mut out = output::open(None)?;
    match args.format {
        ListFormat::Table => report::store::write_status(&status, store.label(), &mut out),
        ListFormat::Json => report::store::write_json(&status, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the status")
}

pub async fn violations(args: &ViolationsArgs) -> Result<()> {
    let mut filter = filter(&args.select);
    filter.statuses.clone_from(&args.statuses);
    if args.page == 0 || args.limit == 0 {
        bail!("--page and --limit count from 1");
    }
    let page = Page {
        limit: args.limit,
        offset: (args.page - 1).saturating_mul(args.limit),
    };
    let store = open(&args.store, &here()).await?;
    let list = store.violations(&filter, page).await?;
    store.close().await;
    let mut out = output::open(None)?;
    match args.format {
        ListFormat::Table => report::store::write_violations(&list, &mut out),
        ListFormat::Json => report::store::write_json(&list, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the list")
}

pub async fn events(args: &EventsArgs) -> Result<()> {
    let filter = filter(&args.select);
    if filter.is_empty() {
        bail!("say whose history: give --id, --policy, --path or another filter");
    }
    let store = open(&args.store, &here()).await?;
    let events = store.events(&filter).await?;
    store.close().await;
    let mut out = output::open(None)?;
    match args.format {
        ListFormat::Table => report::store::write_events(&events, &mut out),
        ListFormat::Json => report::store::write_events_json(&events, &mut out),
    }
    .and_then(|()| out.flush())
    .context("cannot write the events")
}
