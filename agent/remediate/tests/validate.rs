//! The gate's `validate` check in the engine: a checker's failure rejects the recipe's fix, the
//! LLM gets the checker's errors back as feedback, and a passing check is in the verdict.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::sync::{Arc, Mutex};
use std::time::Duration;

use remedy_guardrails::{Evaluator, PolicySet};
use remedy_remediate::{
    BoxFuture, FixRequest, LlmFixer, Proposal, ProposeError, ProposeFailure, Provider, Remediation,
    Remediator, Subject, Usage, VALIDATE, ValidateSettings, Validator,
};
use remedy_source::Language;

const APP: &str = r#"import * as aws from "@pulumi/aws";

const site = new aws.s3.Bucket("site", { acl: "public-read" });
"#;

/// A checker that fails on any `"private"` in the file, naming the line as `tsc` does.
const NO_PRIVATE: &str = r#"awk '/"private"/ { print FILENAME "(" FNR ",1): error X1: private is not allowed here"; n++ } END { exit n > 0 }' index.ts"#;

/// Proposes the same fix as the recipe, then gives up; records the feedback it got.
#[derive(Default)]
struct Stubborn {
    feedback: Mutex<Vec<Vec<String>>>,
}

impl LlmFixer for Stubborn {
    fn propose<'a>(
        &'a self,
        request: &'a FixRequest<'a>,
        feedback: &'a [String],
    ) -> BoxFuture<'a, Result<Proposal, ProposeFailure>> {
        Box::pin(async move {
            let mut seen = self.feedback.lock().unwrap();
            seen.push(feedback.to_vec());
            if seen.len() > 1 {
                return Err(ProposeError::GaveUp("the checker keeps failing".into()).into());
            }
            Ok(Proposal {
                after: request.text.replace("public-read", "private"),
                model: "stub".into(),
                prompt_hash: "0".into(),
                usage: Usage::default(),
            })
        })
    }
}

fn setup() -> (tempfile::TempDir, PolicySet, Subject) {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("index.ts"), APP).unwrap();
    let policies = PolicySet::builtin().unwrap();
    let audit = Evaluator::new(&policies).audit_source("index.ts", Language::TypeScript, APP);
    let violation = audit
        .violations
        .iter()
        .find(|v| v.policy == "aws-s3-bucket-public-read")
        .unwrap();
    let subject = Subject::from(violation);
    (root, policies, subject)
}

fn validator(command: &str) -> Arc<Validator> {
    Arc::new(Validator::new(ValidateSettings {
        commands: Some(vec![command.to_string()]),
        timeout: Duration::from_secs(30),
    }))
}

#[tokio::test]
async fn a_checker_failure_sends_the_recipe_to_the_llm_with_the_errors() {
    let (root, policies, subject) = setup();
    let llm = Arc::new(Stubborn::default());
    let mut remediator = Remediator::new(&policies);
    remediator.llm = Some(llm.clone());
    remediator.validator = Some(validator(NO_PRIVATE));
    let outcome = remediator.remediate(&subject, APP, root.path()).await;
    let Remediation::NeedsHuman { reason, attempts } = outcome else {
        panic!("a fix the checker rejects is not a fix: {outcome:?}");
    };
    assert!(reason.contains("gave up"), "{reason}");
    assert_eq!(attempts[0].provider, Provider::Recipe);
    let recipe = attempts[0].verdict.as_ref().unwrap();
    assert!(!recipe.accepted());
    let check = recipe.checks.last().unwrap();
    assert_eq!((check.name, check.passed), (VALIDATE, false));
    let feedback = llm.feedback.lock().unwrap().clone();
    let expected = "validate: 1 new error from awk";
    assert!(
        feedback[0].iter().any(|f| f.starts_with(expected)
            && f.contains("index.ts(3,1): error X1: private is not allowed here")),
        "the recipe's rejection is the LLM's first feedback: {feedback:?}"
    );
    assert!(
        feedback[1].iter().any(|f| f.starts_with(expected)),
        "the LLM's own rejected fix comes back too: {feedback:?}"
    );
}

#[tokio::test]
async fn a_passing_checker_is_in_the_verdict_and_errors_already_there_do_not_count() {
    let (root, policies, subject) = setup();
    let mut remediator = Remediator::new(&policies);
    // The unfixed file fails this checker too, on the same line: not the fix's doing.
    let before = format!("// TODO: tidy up\n{APP}");
    std::fs::write(root.path().join("index.ts"), &before).unwrap();
    let audit = Evaluator::new(&policies).audit_source("index.ts", Language::TypeScript, &before);
    let subject = Subject {
        fingerprint: audit
            .violations
            .iter()
            .find(|v| v.policy == subject.policy)
            .unwrap()
            .fingerprint
            .clone(),
        ..subject
    };
    remediator.validator = Some(validator(
        r#"awk '/TODO/ { print FILENAME ":" FNR ": error: " $0; n++ } END { exit n > 0 }' index.ts"#,
    ));
    let outcome = remediator.remediate(&subject, &before, root.path()).await;
    let Remediation::Fixed { verdict, .. } = outcome else {
        panic!("{outcome:?}");
    };
    let check = verdict.checks.last().unwrap();
    assert_eq!(check.name, VALIDATE);
    assert!(check.passed, "{}", check.evidence);
    assert!(check.evidence.contains(" passed in "), "{}", check.evidence);
}
