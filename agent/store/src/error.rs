//! What can go wrong with the store, said so that a person knows what to do.

/// Errors from the store. `store` is always the store's URL without any password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported store URL `{0}`: use sqlite://PATH (the default is sqlite://.remedy/remedy.db \
         at the repository root) or postgres://USER@HOST:PORT/DATABASE"
    )]
    BadUrl(String),

    #[error(
        "cannot connect to the store {store}: {detail} (is the database running and reachable?)"
    )]
    Unreachable { store: String, detail: String },

    #[error(
        "the store {store} is not a remedy database or is damaged ({detail}); move the file aside \
         and run `remedy audit --record` to start a new one"
    )]
    Corrupt { store: String, detail: String },

    #[error("cannot open the store {store}: {detail}")]
    Open { store: String, detail: String },

    #[error("cannot update the schema of the store {store}: {detail}")]
    Migrate { store: String, detail: String },

    #[error("store {store}: {detail}")]
    Query { store: String, detail: String },

    /// The worker no longer holds the lease: it expired and the violation was claimed again, or
    /// a person changed the violation (dismissed or unassigned it) meanwhile.
    #[error("the lease on violation {fingerprint} is no longer held by this worker")]
    LeaseLost { fingerprint: String },

    #[error("{0}")]
    Invalid(String),
}

/// Turn a driver error into the store error a person can act on.
pub(crate) fn classify(store: &str, err: &sqlx::Error) -> StoreError {
    let store = store.to_string();
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            let message = db.message().to_string();
            // SQLite: SQLITE_CORRUPT (11), SQLITE_NOTADB (26) and their extended codes.
            let sqlite_code = code.parse::<i64>().ok().map(|c| c & 0xff);
            if matches!(sqlite_code, Some(11 | 26))
                || message.contains("file is not a database")
                || message.contains("malformed")
            {
                return StoreError::Corrupt {
                    store,
                    detail: message,
                };
            }
            StoreError::Query {
                store,
                detail: message,
            }
        }
        sqlx::Error::Io(io) => StoreError::Unreachable {
            store,
            detail: io.to_string(),
        },
        sqlx::Error::PoolTimedOut => StoreError::Unreachable {
            store,
            detail: "timed out waiting for a connection".into(),
        },
        sqlx::Error::Tls(e) => StoreError::Unreachable {
            store,
            detail: format!(
                "{e} (this build of remedy connects without TLS: use sslmode=disable or prefer)"
            ),
        },
        other => StoreError::Query {
            store,
            detail: other.to_string(),
        },
    }
}

/// The URL with any password removed (and a `password` query parameter dropped).
pub fn redact(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL we can take apart: keep only what precedes any `user:pass@`.
        return match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}://{}", &url[..scheme], &url[at + 1..])
            }
            _ => url.to_string(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(None);
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("password"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://remedy:s3cret@db.internal:5432/remedy"),
            "postgres://remedy@db.internal:5432/remedy"
        );
        assert_eq!(
            redact("postgres://db/remedy?user=x&password=s3cret&sslmode=disable"),
            "postgres://db/remedy?user=x&sslmode=disable"
        );
        assert_eq!(redact("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
        assert!(!redact("postgres://u:p@w@host/db").contains("p@w"));
    }
}
