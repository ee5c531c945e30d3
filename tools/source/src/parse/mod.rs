//! The source model: Pulumi resources found in a TypeScript or Python file.
//!
//! A [`Resource`] carries its Pulumi type token, its logical name, its properties as JSON with
//! canonical camelCase keys, and where every property came from. A value that cannot be known
//! without running the program (a config read, a function call, another resource's output, a
//! spread of something unknown) is recorded as unknown and never guessed.

mod components;
mod python;
pub(crate) mod scope;
pub(crate) mod syntax;
pub(crate) mod text;
mod token;
mod typescript;
mod value;

pub use components::{ComponentOrigin, ComponentPath};
pub use text::{camel_case, snake_case};
mod writes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use tree_sitter::{Node, Parser, Tree};

/// Byte range `[start, end)` in a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) fn of(node: Node<'_>) -> Self {
        Self {
            start: node.start_byte(),
            end: node.end_byte(),
        }
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// The languages remedy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    TypeScript,
    Python,
}

impl Language {
    /// The language of a file, by its name; `None` for files remedy does not read
    /// (including TypeScript declaration files, which declare no resources).
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "ts" | "mts" | "cts" | "tsx" => Some(Self::TypeScript),
            "py" => Some(Self::Python),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::TypeScript => "typescript",
            Self::Python => "python",
        }
    }

    /// A property path (`vpcConfig.publicAccessCidrs`, `ingress[*].cidrBlocks`) as a program in
    /// this language writes its keys: Python's in snake_case (`vpc_config.public_access_cidrs`),
    /// except below a free-form map (`tags.costCenter`), whose keys are data.
    pub fn spell_path(self, path: &str) -> String {
        if self != Self::Python {
            return path.to_string();
        }
        let mut out = Vec::new();
        let mut segments = path.split('.');
        for segment in segments.by_ref() {
            let key_end = segment.find('[').unwrap_or(segment.len());
            let key = &segment[..key_end];
            out.push(format!("{}{}", text::snake_case(key), &segment[key_end..]));
            if python::FREE_FORM.contains(&key) {
                break;
            }
        }
        out.extend(segments.map(str::to_string));
        out.join(".")
    }

    /// `text` with property keys spelled as a program in this language writes them (see
    /// [`Language::spell_path`]). `keys` limits the rewrite to these camelCase keys, for text
    /// that may quote user data (a message naming a resource); `None` rewrites every
    /// lowerCamelCase word, for text a policy's author wrote (a hint).
    pub fn spell_keys(self, text: &str, keys: Option<&[&str]>) -> String {
        text::spell_keys(self, text, keys)
    }

    fn grammar(self, tsx: bool) -> tree_sitter::Language {
        match self {
            Self::TypeScript if tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Self::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Self::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }
}

/// Where a property's value sits in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertySite {
    /// The whole entry: `acl: "private"`, `acl="private"`, `"acl": "private"`.
    pub entry: Span,
    /// Just the value expression.
    pub value: Span,
    /// Set when the entry was reached through a `const`/module-level variable of this name
    /// (an args object or value defined elsewhere in the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// A Pulumi resource declared in a program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    /// Pulumi type token, for example `aws:s3/bucket:Bucket`.
    pub type_token: String,
    /// The logical name, when it is a literal (or a literal `const`).
    pub name: Option<String>,
    /// The source text of the name argument; identifies resources whose name is not a literal.
    pub name_expr: String,
    /// The whole constructor call.
    pub span: Span,
    /// 1-based line and column (in characters) where the constructor call starts and ends.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// Statically known properties, canonical camelCase keys. Unknown values are left out.
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Where each property (by path, `a.b[0].c`) is written.
    pub sites: BTreeMap<String, PropertySite>,
    /// Paths whose values are not statically known.
    pub unknown: BTreeSet<String>,
    /// Paths of objects that may hold keys not listed (a spread of something unknown, or an args
    /// object that is not a literal); `""` is the top level.
    pub open: BTreeSet<String>,
    /// The resource options (`{ protect: true }`, `opts=ResourceOptions(…)`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<ResourceOptions>,
    /// The name the constructor call is assigned to (`site` in `const site = new …`), which
    /// other resources refer to it by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// Properties whose value is another resource of the file or one of its outputs
    /// (`bucket: site.id`), by path. They are unknown values too.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub references: BTreeMap<String, Reference>,
    /// For a resource a component creates (`aws:eks/cluster:Cluster` of an `eks.Cluster`): the
    /// component, and how its arguments map onto this resource's. The span, name and options
    /// are the component's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentOrigin>,
}

/// A property that refers to another resource: `site.id` is `{ binding: "site", attribute:
/// Some("id") }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The name the referred resource is bound to in the file.
    pub binding: String,
    /// The output read from it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

/// A resource's options: how the engine treats the resource, not what it deploys. Read so that
/// the gate can see what undoes a fix (`ignoreChanges`, `transformations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceOptions {
    /// The options expression.
    pub span: Span,
    /// Statically known options, canonical camelCase keys.
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Option paths whose values are not statically known; `""` when the options may hold keys
    /// not listed.
    pub unknown: BTreeSet<String>,
}

impl ResourceOptions {
    /// Whether the option `key` is, or may be, set.
    pub fn may_set(&self, key: &str) -> bool {
        self.values.get(key).is_some_and(|v| !v.is_null())
            || self.unknown.contains("")
            || self.unknown.iter().any(|u| is_path_prefix(key, u))
    }

    /// The properties listed in `ignoreChanges`, or `None` when that list is not known.
    pub fn ignored_changes(&self) -> Option<Vec<String>> {
        if self.unknown.contains("")
            || self
                .unknown
                .iter()
                .any(|u| is_path_prefix("ignoreChanges", u))
        {
            return None;
        }
        match self.values.get("ignoreChanges") {
            None | Some(serde_json::Value::Null) => Some(Vec::new()),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect(),
            Some(_) => None,
        }
    }
}

impl Resource {
    /// The logical name, or the name expression when it is not a literal.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.name_expr)
    }

    /// Whether the value at `path` (dotted, as in [`Resource::sites`]) may differ from what the
    /// static model says: the path or one of its parents or children is unknown, or it passes
    /// through an open object without being written explicitly.
    pub fn is_uncertain(&self, path: &str) -> bool {
        let related = |other: &str| is_path_prefix(other, path) || is_path_prefix(path, other);
        if self.unknown.iter().any(|u| related(u)) {
            return true;
        }
        self.open.iter().any(|object| {
            if is_path_prefix(path, object) {
                // The path is the open object itself or holds it.
                return true;
            }
            if !is_path_prefix(object, path) {
                return false;
            }
            // Below an open object, only keys written explicitly are certain.
            let rest = path[object.len()..].trim_start_matches('.');
            let key_end = rest.find(['.', '[']).unwrap_or(rest.len());
            !self
                .sites
                .contains_key(&join_path(object, &rest[..key_end]))
        })
    }
}

/// `a` is `b` or a parent path of `b` (`""` is the parent of everything).
pub(crate) fn is_path_prefix(a: &str, b: &str) -> bool {
    a.is_empty()
        || (b.starts_with(a) && matches!(b.as_bytes().get(a.len()), None | Some(b'.') | Some(b'[')))
}

pub(crate) fn join_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Info,
    Warning,
    Error,
}

/// Something the reader could not fully make sense of. Never fatal for the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: DiagnosticLevel,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// What one file yields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedFile {
    pub language: Language,
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
    /// Local names bound to a Pulumi provider package by an import (`aws`, `s3`).
    #[serde(skip)]
    pub provider_names: BTreeSet<String>,
}

/// Parse a syntax tree; `None` only if tree-sitter gave up (cancelled or out of memory).
pub fn syntax_tree(language: Language, path: &Path, text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    // The grammars are compiled in and match the tree-sitter ABI; this cannot fail at run time.
    parser.set_language(&language.grammar(is_tsx(path))).ok()?;
    let tree = parser.parse(text, None)?;
    if !is_tsx(path) || !tree.root_node().has_error() {
        return Some(tree);
    }
    // tree-sitter's TSX grammar rejects a bare `&` in JSX text (`<p>Terms & Conditions</p>`),
    // which TypeScript and React accept (tree-sitter/tree-sitter-typescript#366). Read such an
    // ampersand as a space, one at a time, keeping each only when the broken region shrinks:
    // same length, so every byte offset still points into `text`, and no resource's value
    // lies in JSX text.
    let mut tree = tree;
    let mut masked = text.as_bytes().to_vec();
    let mut broken = error_bytes(tree.root_node());
    let mut tries = 0;
    let mut from = 0;
    while broken > 0 && tries < MAX_AMPERSAND_TRIES {
        let Some(at) = next_bare_ampersand(tree.root_node(), &masked, from) else {
            break;
        };
        tries += 1;
        from = at + 1;
        masked[at] = b' ';
        let Some(again) = std::str::from_utf8(&masked)
            .ok()
            .and_then(|t| parser.parse(t, None))
        else {
            masked[at] = b'&';
            continue;
        };
        let now = error_bytes(again.root_node());
        if now < broken {
            broken = now;
            tree = again;
        } else {
            masked[at] = b'&';
        }
    }
    Some(tree)
}

/// How many bare ampersands a broken TSX file is re-read for, at most.
const MAX_AMPERSAND_TRIES: usize = 16;

/// The first `&` at or after `from` inside a syntax error that is neither an operator (`&&`,
/// `&=`) nor a character reference (`&amp;`, `&#38;`).
fn next_bare_ampersand(root: Node<'_>, text: &[u8], from: usize) -> Option<usize> {
    let mut regions = Vec::new();
    scope::preorder(root, |node| {
        if node.is_error() {
            regions.push(node.byte_range());
            return false;
        }
        node.has_error()
    });
    regions.into_iter().find_map(|range| {
        (range.start.max(from)..range.end).find(|&at| {
            text.get(at) == Some(&b'&')
                && !matches!(text.get(at + 1), Some(b'&' | b'='))
                && (at == 0 || text.get(at - 1) != Some(&b'&'))
                && !opens_reference(text.get(at..).unwrap_or_default())
        })
    })
}

/// Whether `rest` (starting at `&`) is an HTML character reference the grammar accepts.
fn opens_reference(rest: &[u8]) -> bool {
    let Some(end) = rest.iter().take(40).position(|&b| b == b';') else {
        return false;
    };
    let body = rest.get(1..end).unwrap_or_default();
    match body.strip_prefix(b"#") {
        Some(num) => match num.strip_prefix(b"x").or_else(|| num.strip_prefix(b"X")) {
            Some(hex) => (1..=6).contains(&hex.len()) && hex.iter().all(u8::is_ascii_hexdigit),
            None => (1..=5).contains(&num.len()) && num.iter().all(u8::is_ascii_digit),
        },
        None => (1..=30).contains(&body.len()) && body.iter().all(u8::is_ascii_alphabetic),
    }
}

/// The bytes covered by syntax errors (outermost error nodes), plus one per missing node.
fn error_bytes(root: Node<'_>) -> usize {
    let mut bytes = 0;
    scope::preorder(root, |node| {
        if node.is_error() {
            bytes += node.byte_range().len().max(1);
            return false;
        }
        if node.is_missing() {
            bytes += 1;
        }
        node.has_error()
    });
    bytes
}

pub(crate) fn is_tsx(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tsx")
}

/// Read the Pulumi resources declared in one file's text.
pub fn parse_source(language: Language, path: &Path, text: &str) -> ParsedFile {
    analyse(language, path, text).1
}

/// The syntax tree (when the parser did not give up) and what it declares.
pub(crate) fn analyse(language: Language, path: &Path, text: &str) -> (Option<Tree>, ParsedFile) {
    let mut diagnostics = Vec::new();
    let Some(tree) = syntax_tree(language, path, text) else {
        diagnostics.push(Diagnostic {
            level: error_level(language, text),
            line: 1,
            column: 1,
            message: "the parser gave up on this file".into(),
        });
        let parsed = ParsedFile {
            language,
            resources: Vec::new(),
            diagnostics,
            provider_names: BTreeSet::new(),
        };
        return (None, parsed);
    };
    let root = tree.root_node();
    let syn = syntax::Syntax::of(language, is_tsx(path));
    let scope::Extracted {
        mut resources,
        provider_names,
        unread,
    } = match language {
        Language::TypeScript => typescript::extract(root, text, syn),
        Language::Python => python::extract(root, text, syn),
    };
    for (name, (at, count)) in unread {
        let (line, column) = position(text, at);
        diagnostics.push(Diagnostic {
            level: DiagnosticLevel::Warning,
            line,
            column,
            message: format!(
                "{count} resource(s) constructed through `{name}` were not read: the file binds \
                 `{name}` more than once (an import and another assignment, parameter or \
                 import), so what it refers to is not known statically"
            ),
        });
    }

    if root.has_error() {
        let first = first_error(root);
        let before = resources.len();
        // A resource whose call holds a syntax error is not trusted; the rest of the file is.
        resources.retain(|r| !overlaps_error(root, r.span));
        let skipped = before - resources.len();
        let (line, column) = first.map_or((1, 1), |n| position(text, n.start_byte()));
        let what = match first {
            Some(n) if n.is_missing() => format!("syntax error: missing `{}`", n.kind()),
            _ => "syntax error".to_string(),
        };
        let level = error_level(language, text);
        let tail = if skipped > 0 {
            format!("; {skipped} resource(s) in the broken region were skipped")
        } else if level < DiagnosticLevel::Error {
            "; the file imports no Pulumi package, so it declares nothing to audit".to_string()
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic {
            level,
            line,
            column,
            message: format!("{what}{tail}"),
        });
    }

    for r in &resources {
        if r.name.is_none() {
            diagnostics.push(Diagnostic {
                level: DiagnosticLevel::Info,
                line: r.line,
                column: r.column,
                message: format!(
                    "{} has a computed name `{}`; it is identified by that expression",
                    r.type_token, r.name_expr
                ),
            });
        }
    }
    components::expand(&mut resources, &mut diagnostics);
    let parsed = ParsedFile {
        language,
        resources,
        diagnostics,
        provider_names,
    };
    (Some(tree), parsed)
}

/// How much a file's syntax error matters: an error for a Pulumi program, only a note for a file
/// that imports no Pulumi package (a web page beside the infrastructure, a script), which
/// declares no resources whatever it holds and so must never fail an audit.
///
/// Judged on the text, not the tree, so that an import inside the broken region still counts.
/// TypeScript needs `@pulumi/…` (an import or a `require`); Python an `import`/`from` line that
/// names `pulumi`.
fn error_level(language: Language, text: &str) -> DiagnosticLevel {
    let imports_pulumi = match language {
        Language::TypeScript => text.contains("@pulumi/"),
        Language::Python => text.lines().any(|line| {
            let line = line.trim_start();
            (line.starts_with("import") || line.starts_with("from")) && line.contains("pulumi")
        }),
    };
    if imports_pulumi {
        DiagnosticLevel::Error
    } else {
        DiagnosticLevel::Info
    }
}

fn first_error(node: Node<'_>) -> Option<Node<'_>> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    node.children(&mut cursor).find_map(first_error)
}

fn overlaps_error(root: Node<'_>, span: Span) -> bool {
    fn walk(node: Node<'_>, span: Span) -> bool {
        if node.end_byte() < span.start || node.start_byte() > span.end || !node.has_error() {
            return false;
        }
        if node.is_error() || node.is_missing() {
            return true;
        }
        let mut cursor = node.walk();
        node.children(&mut cursor).any(|c| walk(c, span))
    }
    walk(root, span)
}

/// 1-based line and character column of a node's start and end. Uses the tree's row and byte
/// column, so it costs the length of the line, not of the file.
pub(crate) fn node_span_position(text: &str, node: Node<'_>) -> ((u32, u32), (u32, u32)) {
    let at = |byte: usize, point: tree_sitter::Point| {
        let line_start = byte.saturating_sub(point.column);
        let column = text
            .get(line_start..byte)
            .map_or(point.column, |s| s.chars().count());
        (to_u32(point.row + 1), to_u32(column + 1))
    };
    (
        at(node.start_byte(), node.start_position()),
        at(node.end_byte(), node.end_position()),
    )
}

/// 1-based line and character column of a byte offset (scans the text up to it).
pub fn position(text: &str, byte: usize) -> (u32, u32) {
    let byte = byte.min(text.len());
    let before = text.get(..byte).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
