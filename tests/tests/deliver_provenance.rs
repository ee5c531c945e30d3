//! Trust by provenance: every commit says who made its fix, and a pull request holding a fix a
//! model made is never merged without a reviewer, whatever the delivery rules allow. The real
//! pipeline, git, the GitHub double and the scripted LLM.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::sync::Arc;

use remedy_deliver::Mode;
use remedy_deliver::group::GroupBy;
use remedy_deliver::settings::ModeRule;
use remedy_remediate::Remediator;
use remedy_remediate::llm::{LlmAgent, LlmSettings};
use remedy_tests::llm::{Reply, ScriptedLlm};
use serde_json::json;
use support::World;

/// `site` the declarative fix can version; `docs` shares its settings with `logs` through a
/// constant, which only an override at the call (the model's fix) can change. Versioning
/// updates a bucket in place, so only who made the fix decides whether it may merge alone.
const SITE_TS: &str = r#"import * as aws from "@pulumi/aws";

export const site = new aws.s3.Bucket("site", {
    acl: "private",
});
"#;

const SHARED_TS: &str = r#"import * as aws from "@pulumi/aws";

const args = {
    acl: "private",
    versioning: { enabled: false },
};

export const docs = new aws.s3.Bucket("docs", args);
export const logs = new aws.s3.Bucket("logs", { ...args, versioning: { enabled: true } });
"#;

const VERSIONING: &str = "aws-s3-bucket-versioning";

fn overriding_llm() -> ScriptedLlm {
    ScriptedLlm::start(vec![
        Reply::tool(
            "replace_in_resource",
            json!({"old": "args", "new": "{ ...args, versioning: { enabled: true } }"}),
        ),
        Reply::tool("submit", json!({})),
    ])
}

fn with_llm<'p>(world: &'p World, llm: &ScriptedLlm) -> Remediator<'p> {
    let settings = LlmSettings {
        base_url: Some(llm.base_url()),
        model: Some("scripted-model".into()),
        timeout_secs: 10,
        ..LlmSettings::default()
    };
    let mut remediator = Remediator::new(&world.policies);
    remediator.llm = Some(Arc::new(LlmAgent::new(&settings, None).unwrap()));
    remediator
}

fn auto_merge_s3(world: &World) -> remedy_deliver::DeliverySettings {
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerPolicy;
    settings.rules = vec![ModeRule {
        policies: vec!["aws-s3-*".into()],
        severities: vec![],
        mode: Mode::AutoMerge,
    }];
    settings
}

#[tokio::test]
async fn a_models_fix_is_never_auto_merged_and_says_who_made_it() {
    let world = World::with_files(&[("infra/shared.ts", SHARED_TS)]).await;
    world.assign(&[VERSIONING], &[]).await;
    let llm = overriding_llm();
    let delivery = world.delivery(auto_merge_s3(&world), None);
    let processed = world
        .run_with(&world.store, &delivery, &with_llm(&world, &llm))
        .await;
    assert_eq!(processed.len(), 1, "{processed:#?}");
    assert_eq!(processed[0].outcome.label(), "fixed", "{processed:#?}");

    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1);
    assert!(
        !pulls[0].auto_merge,
        "the rules allow it, the provenance does not"
    );
    assert_eq!(
        pulls[0].reviewers,
        ["alice", "platform"],
        "a person and a team"
    );
    assert!(
        pulls[0].body.contains("Made by: an LLM (scripted-model)"),
        "{}",
        pulls[0].body
    );
    let branch = &world.remote_branches()[0].0;
    let message = &world.messages(branch)[0];
    assert!(
        message.contains("\nRemedy-Made-By: llm scripted-model\n"),
        "{message}"
    );
    assert!(message.contains("\nRemedy-Impact: in_place\n"), "{message}");
}

#[tokio::test]
async fn a_models_fix_joining_an_auto_merge_pull_request_withdraws_the_auto_merge() {
    let world =
        World::with_files(&[("infra/site.ts", SITE_TS), ("infra/shared.ts", SHARED_TS)]).await;
    let delivery = world.delivery(auto_merge_s3(&world), None);

    // The declarative fix alone: auto-merge, no reviewers.
    world.assign(&[VERSIONING], &["infra/site.ts"]).await;
    let first = world.run(&delivery).await;
    assert_eq!(first[0].outcome.label(), "fixed", "{first:#?}");
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1);
    assert!(pulls[0].auto_merge);
    assert!(pulls[0].reviewers.is_empty());
    assert!(
        pulls[0]
            .body
            .contains("Made by: the policy's declarative fix")
    );

    // A model's fix joins the same per-policy pull request.
    world.assign(&[VERSIONING], &["infra/shared.ts"]).await;
    let llm = overriding_llm();
    let second = world
        .run_with(&world.store, &delivery, &with_llm(&world, &llm))
        .await;
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0].outcome.label(), "fixed", "{second:#?}");
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1, "the same pull request");
    assert!(!pulls[0].auto_merge, "withdrawn");
    assert_eq!(
        pulls[0].reviewers,
        ["alice", "platform"],
        "a person and a team"
    );
    assert!(!pulls[0].merged);
    for needle in [
        "Made by: the policy's declarative fix",
        "Made by: an LLM (scripted-model)",
    ] {
        assert!(
            pulls[0].body.contains(needle),
            "{needle}\n{}",
            pulls[0].body
        );
    }

    // And the branch remembers: a later declarative fix does not turn auto-merge back on.
    world.assign(&[VERSIONING], &[]).await;
    let _ = world.run(&delivery).await;
    assert!(!world.github.pulls()[0].auto_merge);
}

/// An RDS instance whose storage is not encrypted: the declarative fix replaces it.
const DB_TS: &str = r#"import * as aws from "@pulumi/aws";

export const orders = new aws.rds.Instance("orders", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    storageEncrypted: false,
    deletionProtection: true,
    backupRetentionPeriod: 7,
});
"#;

#[tokio::test]
async fn a_fix_that_replaces_the_resource_is_never_auto_merged_and_says_so() {
    let world = World::with_files(&[("infra/db.ts", DB_TS)]).await;
    world.assign(&["aws-rds-storage-encrypted"], &[]).await;
    let mut settings = world.settings();
    settings.rules = vec![ModeRule {
        policies: vec!["aws-rds-*".into()],
        severities: vec![],
        mode: Mode::AutoMerge,
    }];
    let processed = world.run(&world.delivery(settings, None)).await;
    assert_eq!(processed.len(), 1, "{processed:#?}");
    assert_eq!(processed[0].outcome.label(), "fixed", "{processed:#?}");
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1);
    assert!(
        !pulls[0].auto_merge,
        "a recipe's fix, but it replaces the database"
    );
    assert_eq!(pulls[0].reviewers, ["alice", "platform"]);
    assert!(
        pulls[0]
            .body
            .contains("- Deploy impact: Replaces the resource (deleted and created again)."),
        "{}",
        pulls[0].body
    );
    let branch = &world.remote_branches()[0].0;
    let message = &world.messages(branch)[0];
    assert!(message.contains("\nRemedy-Impact: replace\n"), "{message}");
    assert!(message.contains("skipFinalSnapshot"), "{message}");
}
