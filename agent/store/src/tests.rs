//! The store's URLs.

#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn store_urls() {
    assert_eq!(
        StoreUrl::parse("sqlite://.remedy/remedy.db").unwrap(),
        StoreUrl::Sqlite(".remedy/remedy.db".into())
    );
    assert_eq!(
        StoreUrl::parse("sqlite:///var/lib/remedy.db").unwrap(),
        StoreUrl::Sqlite("/var/lib/remedy.db".into())
    );
    assert!(matches!(
        StoreUrl::parse("postgresql://u:p@h/db").unwrap(),
        StoreUrl::Postgres(_)
    ));
    let err = StoreUrl::parse("mysql://u:secret@h/db")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported store URL"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    assert!(StoreUrl::parse("sqlite::memory:").is_err());
    assert_eq!(
        StoreUrl::Postgres("postgres://u:p@h/db".into()).label(),
        "postgres://u@h/db"
    );
}
