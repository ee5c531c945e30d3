//! The type-check scorer against the real @pulumi/aws types (installed from npm once into
//! cargo's target directory): it catches a string where a boolean is due.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use remedy_eval::typecheck::TypeChecker;

#[test]
fn tsc_flags_a_string_where_a_boolean_is_due() {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck");
    let checker = TypeChecker::setup(&cache).unwrap();
    let program = |encrypted: &str| {
        vec![(
            "index.ts".to_string(),
            format!(
                "import * as aws from \"@pulumi/aws\";\nnew aws.ebs.Volume(\"v\", {{ availabilityZone: \"us-east-1a\", size: 8, encrypted: {encrypted} }});\n"
            ),
        )]
    };
    let verdicts = checker
        .check(&[
            ("good".into(), program("true")),
            ("bad".into(), program("\"true\"")),
        ])
        .unwrap();
    assert_eq!(verdicts.get("good"), Some(&true));
    assert_eq!(verdicts.get("bad"), Some(&false));
}
