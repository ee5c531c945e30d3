//! Which input properties a policy reads, found by scanning its Rego text.
//!
//! A policy must not fire on a property whose value is unknown statically. The engine skips a
//! resource for a policy when any path the policy reads is uncertain on that resource. Paths are
//! taken from `input.a.b` and `input["a"]` references; a bare `input` (passed whole to a
//! function, iterated, compared) means the policy may read anything.

use std::collections::BTreeSet;

/// What a policy reads from its input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Reads {
    /// Anything: every uncertain property makes the resource undecidable for this policy.
    #[default]
    All,
    /// These property paths (dotted, as in the source model).
    Paths(BTreeSet<String>),
}

impl Reads {
    pub fn union(self, other: Reads) -> Reads {
        match (self, other) {
            (Reads::Paths(mut a), Reads::Paths(b)) => {
                a.extend(b);
                Reads::Paths(a)
            }
            _ => Reads::All,
        }
    }

    pub fn paths(&self) -> Option<&BTreeSet<String>> {
        match self {
            Reads::All => None,
            Reads::Paths(p) => Some(p),
        }
    }
}

/// `rego` with every `fix_declined` rule blanked out.
fn without_fix_declined(rego: &str) -> String {
    let mut out = String::with_capacity(rego.len());
    let mut inside = false;
    for line in rego.split_inclusive('\n') {
        if !inside && line.starts_with("fix_declined") {
            inside = !line.trim_end().ends_with('}') || line.trim_end().ends_with('{');
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            continue;
        }
        if inside {
            if line.trim_end() == "}" {
                inside = false;
            }
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The paths read by one Rego file, and the `data.` references it makes to other packages.
///
/// The bodies of `fix_declined` rules are left out: they are asked only once a violation is
/// found, so what they read must not make the policy's own check undecidable. (They are found
/// as written in the packs: a line starting `fix_declined`, up to a line that is just `}`.)
pub(crate) fn scan(rego: &str) -> (Reads, BTreeSet<String>) {
    let rego = &without_fix_declined(rego);
    let code = strip_comments_and_strings(rego);
    let bytes = code.as_bytes();
    let mut paths = BTreeSet::new();
    let mut refs = BTreeSet::new();
    let mut all = false;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b'.';
        if starts_word && word_at(bytes, i, b"input") {
            i += 5;
            let (path, end) = accessors(&code, rego, i);
            i = end;
            match path {
                Some(p) if p.is_empty() => all = true,
                Some(p) if p == "__type" || p == "__name" || p.starts_with("__type.") => {}
                Some(p) => {
                    paths.insert(p);
                }
                None => all = true,
            }
            continue;
        }
        if starts_word && word_at(bytes, i, b"data") {
            i += 4;
            let (path, end) = accessors(&code, rego, i);
            i = end;
            if let Some(p) = path.filter(|p| !p.is_empty()) {
                refs.insert(p);
            }
            continue;
        }
        i += 1;
    }
    let reads = if all { Reads::All } else { Reads::Paths(paths) };
    (reads, refs)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn word_at(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    bytes[i..].starts_with(word) && !bytes.get(i + word.len()).copied().is_some_and(is_ident)
}

/// Follow `.name` and `["name"]` after a root; `Some("")` when there are none, `None` when an
/// accessor is dynamic right away (`input[x]`). Stops at the first dynamic index otherwise.
/// `code` has strings blanked (same byte offsets as `original`), so string keys are read from
/// `original`.
fn accessors(code: &str, original: &str, mut i: usize) -> (Option<String>, usize) {
    let bytes = code.as_bytes();
    let mut parts: Vec<String> = Vec::new();
    loop {
        match bytes.get(i) {
            Some(b'.') => {
                let start = i + 1;
                let mut end = start;
                while bytes.get(end).copied().is_some_and(is_ident) {
                    end += 1;
                }
                if end == start {
                    break;
                }
                parts.push(code[start..end].to_string());
                i = end;
            }
            Some(b'[') => {
                // A literal index: `[0]`, kept as `a[0]` (the source model's path form), so an
                // unknown sibling element does not make the read uncertain.
                let digits = code[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 && !parts.is_empty() && bytes.get(i + 1 + digits) == Some(&b']') {
                    parts.push(format!("[{}]", &code[i + 1..i + 1 + digits]));
                    i += digits + 2;
                    continue;
                }
                // A string key: `["name"]`, blanked in `code` but present in `original`.
                let rest = &original[i + 1..];
                let key = rest
                    .strip_prefix('"')
                    .and_then(|r| r.find('"').map(|end| (&r[..end], end)));
                match key {
                    Some((key, end)) if rest[end + 1..].starts_with("\"]") => {
                        parts.push(key.to_string());
                        i += 1 + 1 + end + 2;
                    }
                    _ if parts.is_empty() => return (None, i),
                    _ => break,
                }
            }
            _ => break,
        }
    }
    (Some(join_parts(&parts)), i)
}

/// `["a", "[0]", "b"]` → `a[0].b`.
fn join_parts(parts: &[String]) -> String {
    let mut path = String::new();
    for part in parts {
        if !path.is_empty() && !part.starts_with('[') {
            path.push('.');
        }
        path.push_str(part);
    }
    path
}

/// Blank out comments and string contents, keeping byte offsets, so that scanning sees code only.
fn strip_comments_and_strings(rego: &str) -> String {
    let mut out = Vec::with_capacity(rego.len());
    let bytes = rego.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
            }
            quote @ (b'"' | b'`') => {
                out.push(quote);
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if quote == b'"' && bytes[i] == b'\\' && i + 1 < bytes.len() {
                        out.extend_from_slice(b"  ");
                        i += 2;
                        continue;
                    }
                    out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
                if i < bytes.len() {
                    out.push(quote);
                    i += 1;
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced by ASCII spaces, but multi-byte characters inside strings
    // and comments were blanked byte by byte, so the result is still valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {

    #[test]
    fn what_fix_declined_reads_does_not_count() {
        let rego = "package p\n\ndeny contains msg if {\n\tinput.acl == \"public-read\"\n\tmsg := \"x\"\n}\n\nfix_declined contains msg if {\n\tinput.website\n\tmsg := \"y\"\n}\n\nwarn contains msg if {\n\tinput.tags.x\n\tmsg := \"z\"\n}\n";
        let (reads, _) = scan(rego);
        let paths: Vec<&str> = reads.paths().unwrap().iter().map(String::as_str).collect();
        assert_eq!(paths, ["acl", "tags.x"]);
    }

    use super::*;

    fn paths(rego: &str) -> Vec<String> {
        match scan(rego).0 {
            Reads::Paths(p) => p.into_iter().collect(),
            Reads::All => vec!["<all>".into()],
        }
    }

    #[test]
    fn dotted_and_string_keys() {
        assert_eq!(
            paths(
                r#"deny contains m if { input.acl == "public-read"; input["forceDestroy"]; input.a.b[i].c; m := input.__name }"#
            ),
            vec!["a.b", "acl", "forceDestroy"]
        );
    }

    #[test]
    fn literal_indices_are_part_of_the_path() {
        assert_eq!(
            paths(
                "deny contains m if { input.rules[0].sse.algo == \"x\"; input.a[12]; input.b[i].c; m := 1 }"
            ),
            vec!["a[12]", "b", "rules[0].sse.algo"]
        );
    }

    #[test]
    fn bare_input_reads_everything() {
        assert_eq!(
            paths("deny contains m if { walk(input, x); m := \"x\" }"),
            vec!["<all>"]
        );
        assert_eq!(
            paths("deny contains m if { input[k]; m := k }"),
            vec!["<all>"]
        );
    }

    #[test]
    fn comments_and_strings_are_ignored() {
        assert_eq!(
            paths("# input whole\ndeny contains m if { input.x; m := \"input y\" }"),
            vec!["x"]
        );
    }

    #[test]
    fn data_references() {
        let (_, refs) = scan(
            "import data.lib.cidr\ndeny contains m if { data.lib.cidr.open(input.x); m := 1 }",
        );
        assert_eq!(
            refs.into_iter().collect::<Vec<_>>(),
            vec!["lib.cidr".to_string(), "lib.cidr.open".to_string()]
        );
    }
}
