//! The API key reaches the endpoint in the Authorization header and nowhere else: not in a
//! request body, an event, an outcome or a log line. Alone in its test binary, so the captured
//! logs see every callsite (tracing caches interest per callsite across threads).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use remedy_guardrails::Evaluator;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use remedy_guardrails::PolicySet;
use remedy_remediate::llm::{ApiKey, LlmAgent, LlmSettings};
use remedy_remediate::{ProviderChoice, Remediation, Remediator, Subject};
use remedy_source::Language;
use remedy_tests::llm::{Reply, ScriptedLlm};
use serde_json::json;

const BUCKET: &str = "import * as aws from \"@pulumi/aws\";\n\nnew aws.s3.Bucket(\"site\", { acl: \"public-read\" });\n";

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_api_key_is_sent_as_a_header_and_nowhere_else() {
    const KEY: &str = "sk-test-DO-NOT-LEAK-8f3a";
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let llm = ScriptedLlm::start(vec![
        Reply::status(500),
        Reply::tool_raw("set_property", "{oops"),
        Reply::tool("set_property", json!({"path": "acl", "value": "private"})),
        Reply::tool("submit", json!({})),
    ]);
    let key = ApiKey::new(KEY).unwrap();
    assert!(!format!("{key:?}").contains(KEY));
    let settings = LlmSettings {
        base_url: Some(llm.base_url()),
        model: Some("scripted-model".into()),
        ..LlmSettings::default()
    };
    let agent = LlmAgent::new(&settings, Some(key)).unwrap();
    assert!(!format!("{agent:?}").contains(KEY));
    let policies = PolicySet::builtin().unwrap();
    let violation = Evaluator::new(&policies)
        .audit_source("index.ts", Language::TypeScript, BUCKET)
        .violations
        .into_iter()
        .find(|v| v.policy == "aws-s3-bucket-public-read")
        .unwrap();
    let mut remediator = Remediator::new(&policies);
    remediator.provider = ProviderChoice::Llm;
    remediator.llm = Some(Arc::new(agent));
    let outcome = remediator
        .remediate(&Subject::from(&violation), BUCKET, Path::new("."))
        .await;
    assert!(matches!(outcome, Remediation::Fixed { .. }), "{outcome:?}");

    let requests = llm.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert!(!request.raw.contains(KEY), "the key is in a request body");
    }
    let events = serde_json::to_string(outcome.attempts()).unwrap();
    assert!(!events.contains(KEY), "{events}");
    assert!(!format!("{outcome:?}").contains(KEY));
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("retrying"), "the retry was logged: {logs}");
    assert!(!logs.contains(KEY), "the key is in the logs: {logs}");
}
