//! `remedy policies`: the pack's size and shape, and answering "which controls of a framework do
//! we cover, with which policies".

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn remedy() -> Command {
    remedy_tests::cli::remedy(&workspace())
}

fn policies_json(args: &[&str]) -> Value {
    let out = remedy()
        .arg("policies")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

const FRAMEWORKS: [&str; 6] = [
    "cis-aws-",
    "nist-800-53-r5",
    "pci-dss-4.0",
    "hitrust-csf-",
    "iso-27001-2022",
    "soc2",
];

#[test]
fn the_builtin_pack_covers_thirty_policies_fifteen_types_six_frameworks() {
    let doc = policies_json(&[]);
    let policies = doc["policies"].as_array().unwrap();
    assert!(policies.len() >= 30, "{}", policies.len());
    assert_eq!(doc["summary"]["policies"], policies.len());
    let types: BTreeSet<&str> = policies
        .iter()
        .flat_map(|p| p["resource_types"].as_array().unwrap())
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(types.len() >= 15, "{types:?}");
    assert_eq!(doc["summary"]["resource_types"], types.len());

    for p in policies {
        assert!(
            ["critical", "high", "medium", "low"].contains(&p["severity"].as_str().unwrap()),
            "{p}"
        );
        let kind = p["remediation"]["kind"].as_str().unwrap();
        assert!(
            ["set", "remove", "set+remove", "manual"].contains(&kind),
            "{p}"
        );
        if kind == "manual" {
            assert!(
                p["remediation"]["hint"].as_str().is_some(),
                "manual without a hint: {p}"
            );
        } else {
            assert!(
                !p["remediation"]["edits"].as_array().unwrap().is_empty(),
                "{p}"
            );
        }
        let mapped = p["frameworks"].as_object().unwrap();
        assert!(!mapped.is_empty(), "{} maps to no framework", p["id"]);
        for key in mapped.keys() {
            assert!(
                FRAMEWORKS.iter().any(|f| key.starts_with(f)),
                "{}: unexpected framework key {key}",
                p["id"]
            );
        }
    }
    // Every one of the six frameworks is covered by several policies.
    let summary = doc["summary"]["frameworks"].as_object().unwrap();
    for prefix in FRAMEWORKS {
        let policies: u64 = summary
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v["policies"].as_u64().unwrap())
            .sum();
        assert!(policies >= 5, "{prefix}: {policies} policies");
    }
}

#[test]
fn framework_filter_groups_controls_and_their_policies() {
    let doc = policies_json(&["--framework", "HITRUST"]);
    assert_eq!(doc["framework"], "HITRUST");
    let frameworks = doc["frameworks"].as_array().unwrap();
    assert_eq!(frameworks.len(), 1);
    let hitrust = &frameworks[0];
    assert!(
        hitrust["framework"]
            .as_str()
            .unwrap()
            .starts_with("hitrust-csf-")
    );
    let controls = hitrust["controls"].as_array().unwrap();
    assert!(controls.len() >= 5);
    // Only policies mapped to the framework are listed, and each control's policies map to it.
    let listed: BTreeSet<&str> = doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(hitrust["policies"], listed.len());
    for control in controls {
        for id in control["policies"].as_array().unwrap() {
            let policy = doc["policies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == *id)
                .unwrap();
            let mapped = &policy["frameworks"][hitrust["framework"].as_str().unwrap()];
            assert!(
                mapped.as_array().unwrap().contains(&control["control"]),
                "{id} not mapped to {}",
                control["control"]
            );
        }
    }
}

#[test]
fn unknown_framework_is_an_error_listing_the_known_ones() {
    remedy()
        .args(["policies", "--framework", "fedramp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no policy maps to a framework starting with `fedramp`",
        ))
        .stderr(predicate::str::contains("nist-800-53-r5"));
}

#[test]
fn table_lists_every_policy_with_its_controls() {
    let out = remedy()
        .arg("policies")
        .assert()
        .success()
        .get_output()
        .clone();
    insta::assert_snapshot!("policies_table", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn table_by_framework_control() {
    let out = remedy()
        .args(["policies", "--framework", "hitrust"])
        .assert()
        .success()
        .get_output()
        .clone();
    insta::assert_snapshot!("policies_hitrust", String::from_utf8(out.stdout).unwrap());
}
