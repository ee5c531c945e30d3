//! The little that is shared between the two backends' SQL: statements with `$n` parameters
//! (both SQLite and PostgreSQL accept them), their arguments, a transaction over either backend,
//! and rows read by column name.

use std::fmt::Write as _;
use std::sync::Arc;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Postgres, Row as _, Sqlite, Transaction};

use super::error::{StoreError, classify};

/// Which SQL dialect a statement is for, where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// `json_object(k, v, …)` as text.
    pub(crate) fn json_object(self, pairs: &[(&str, &str)]) -> String {
        let args = pairs
            .iter()
            .map(|(key, value)| format!("'{key}', {value}"))
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Self::Sqlite => format!("json_object({args})"),
            Self::Postgres => format!("json_build_object({args})::text"),
        }
    }

    /// Most parameters one statement may carry (SQLite 32766, PostgreSQL 65535), with room.
    pub(crate) fn max_params(self) -> usize {
        match self {
            Self::Sqlite => 30_000,
            Self::Postgres => 60_000,
        }
    }
}

/// A bound value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Self::OptInt(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Self::OptText(v)
    }
}

/// SQL text with `$n` placeholders and the arguments they stand for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    pub(crate) text: String,
    pub(crate) args: Vec<Arg>,
}

impl Sql {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Append text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Add an argument and return its placeholder (`$n`) without writing it.
    pub(crate) fn arg(&mut self, value: impl Into<Arg>) -> String {
        self.args.push(value.into());
        format!("${}", self.args.len())
    }

    /// Append a placeholder for `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        let placeholder = self.arg(value);
        self.text.push_str(&placeholder);
        self
    }

    /// Append `(p1, p2, …)` for the values.
    pub(crate) fn bind_list<T: Into<Arg>>(
        &mut self,
        values: impl IntoIterator<Item = T>,
    ) -> &mut Self {
        self.text.push('(');
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            let placeholder = self.arg(value);
            let _ = write!(self.text, "{placeholder}");
        }
        self.text.push(')');
        self
    }
}

/// A row from either backend, read by column name.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    pub(crate) fn int(&self, col: &str) -> Result<i64, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }

    pub(crate) fn opt_int(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }

    pub(crate) fn text(&self, col: &str) -> Result<String, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }

    pub(crate) fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        match self {
            Self::Sqlite(r) => r.try_get(col),
            Self::Postgres(r) => r.try_get(col),
        }
    }
}

enum Inner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
    /// One statement on a pooled connection, committed on its own.
    PostgresSingle(sqlx::pool::PoolConnection<Postgres>),
}

/// A transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub(crate) struct Tx {
    inner: Inner,
    store: Arc<str>,
}

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(*v),
                Arg::OptInt(v) => query.bind(*v),
                Arg::Text(v) => query.bind(v.as_str()),
                Arg::OptText(v) => query.bind(v.as_deref()),
            };
        }
        query
    }};
}

impl Tx {
    pub(crate) fn sqlite(tx: Transaction<'static, Sqlite>, store: Arc<str>) -> Self {
        Self {
            inner: Inner::Sqlite(tx),
            store,
        }
    }

    pub(crate) fn postgres(tx: Transaction<'static, Postgres>, store: Arc<str>) -> Self {
        Self {
            inner: Inner::Postgres(tx),
            store,
        }
    }

    /// PostgreSQL without a transaction: for one statement that is atomic by itself.
    pub(crate) fn postgres_single(
        conn: sqlx::pool::PoolConnection<Postgres>,
        store: Arc<str>,
    ) -> Self {
        Self {
            inner: Inner::PostgresSingle(conn),
            store,
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres(_) | Inner::PostgresSingle(_) => Dialect::Postgres,
        }
    }

    fn err(&self, err: &sqlx::Error) -> StoreError {
        classify(&self.store, err)
    }

    /// Run a statement; the number of rows it changed.
    pub(crate) async fn execute(&mut self, sql: &Sql) -> Result<u64, StoreError> {
        // Statements built with a varying number of rows are not worth caching.
        let persistent = sql.args.len() < 64;
        let result = match &mut self.inner {
            Inner::Sqlite(tx) => {
                let (text, args) = sqlite_positional(sql);
                bind_all!(sqlx::query(&text).persistent(persistent), args)
                    .execute(&mut **tx)
                    .await
                    .map(|r| r.rows_affected())
            }
            Inner::Postgres(tx) => {
                bind_all!(sqlx::query(&sql.text).persistent(persistent), &sql.args)
                    .execute(&mut **tx)
                    .await
                    .map(|r| r.rows_affected())
            }
            Inner::PostgresSingle(conn) => {
                bind_all!(sqlx::query(&sql.text).persistent(persistent), &sql.args)
                    .execute(&mut **conn)
                    .await
                    .map(|r| r.rows_affected())
            }
        };
        result.map_err(|e| self.err(&e))
    }

    /// Run plain SQL without arguments (several statements allowed on SQLite).
    pub(crate) async fn execute_raw(&mut self, text: &str) -> Result<(), StoreError> {
        self.execute(&Sql::new(text)).await.map(|_| ())
    }

    pub(crate) async fn fetch_all(&mut self, sql: &Sql) -> Result<Vec<Row>, StoreError> {
        let persistent = sql.args.len() < 64;
        let result = match &mut self.inner {
            Inner::Sqlite(tx) => {
                let (text, args) = sqlite_positional(sql);
                bind_all!(sqlx::query(&text).persistent(persistent), args)
                    .fetch_all(&mut **tx)
                    .await
                    .map(|rows| rows.into_iter().map(Row::Sqlite).collect())
            }
            Inner::Postgres(tx) => {
                bind_all!(sqlx::query(&sql.text).persistent(persistent), &sql.args)
                    .fetch_all(&mut **tx)
                    .await
                    .map(|rows| rows.into_iter().map(Row::Postgres).collect())
            }
            Inner::PostgresSingle(conn) => {
                bind_all!(sqlx::query(&sql.text).persistent(persistent), &sql.args)
                    .fetch_all(&mut **conn)
                    .await
                    .map(|rows| rows.into_iter().map(Row::Postgres).collect())
            }
        };
        result.map_err(|e| self.err(&e))
    }

    pub(crate) async fn fetch_optional(&mut self, sql: &Sql) -> Result<Option<Row>, StoreError> {
        Ok(self.fetch_all(sql).await?.into_iter().next())
    }

    /// The first column of the first row, as an integer (0 when there is no row or it is NULL).
    pub(crate) async fn fetch_int(&mut self, sql: &Sql) -> Result<i64, StoreError> {
        let Some(row) = self.fetch_optional(sql).await? else {
            return Ok(0);
        };
        let value = match &row {
            Row::Sqlite(r) => r.try_get::<Option<i64>, _>(0),
            Row::Postgres(r) => r.try_get::<Option<i64>, _>(0),
        };
        Ok(value.map_err(|e| self.err(&e))?.unwrap_or(0))
    }

    /// Map rows with `f`, turning decode errors into store errors.
    pub(crate) async fn fetch_map<T>(
        &mut self,
        sql: &Sql,
        f: impl Fn(&Row) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = self.fetch_all(sql).await?;
        rows.iter()
            .map(|r| f(r).map_err(|e| self.err(&e)))
            .collect()
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let store = self.store;
        let result = match self.inner {
            Inner::Sqlite(tx) => tx.commit().await,
            Inner::Postgres(tx) => tx.commit().await,
            Inner::PostgresSingle(_) => Ok(()),
        };
        result.map_err(|e| classify(&store, &e))
    }

    /// Decode error helper for callers that map rows by hand.
    pub(crate) fn decode_error(&self, err: &sqlx::Error) -> StoreError {
        self.err(err)
    }
}

/// The statement with plain `?` placeholders and its arguments in the order they appear.
///
/// Both dialects accept `$n`, but SQLite keeps numbered and named parameters in a list that it
/// searches linearly, and sqlx asks it for every parameter's name: quadratic, a third of a
/// second for a thousand-row insert. Plain `?` parameters are not in that list. String literals
/// are left alone.
pub(crate) fn sqlite_positional(sql: &Sql) -> (String, Vec<&Arg>) {
    let text = &sql.text;
    let mut out = String::with_capacity(text.len());
    let mut args = Vec::with_capacity(sql.args.len());
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            in_string = !in_string;
        } else if c == '$' && !in_string {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Some(arg) = digits
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| sql.args.get(n))
            {
                out.push('?');
                args.push(arg);
                for _ in 0..digits.len() {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    (out, args)
}

/// Rows per multi-row `INSERT … VALUES` so that it stays under the dialect's parameter limit.
pub(crate) fn rows_per_chunk(dialect: Dialect, columns: usize) -> usize {
    (dialect.max_params() / columns.max(1)).clamp(1, 1000)
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_gets_positional_placeholders() {
        let mut sql = Sql::new("SELECT ");
        let a = sql.arg(1_i64);
        let b = sql.arg("b");
        sql.push(&format!("{b}, '$1', {a}, {b} WHERE x = $"));
        let (text, args) = sqlite_positional(&sql);
        assert_eq!(text, "SELECT ?, '$1', ?, ? WHERE x = $");
        assert_eq!(
            args,
            vec![&Arg::Text("b".into()), &Arg::Int(1), &Arg::Text("b".into())]
        );
    }

    #[test]
    fn placeholders_count_up() {
        let mut sql = Sql::new("VALUES ");
        sql.bind_list([1_i64, 2, 3]).push(" AND ").bind("x");
        assert_eq!(sql.text, "VALUES ($1, $2, $3) AND $4");
        assert_eq!(sql.args.len(), 4);
        assert_eq!(like_escape("a_b%c\\"), "a\\_b\\%c\\\\");
    }
}
