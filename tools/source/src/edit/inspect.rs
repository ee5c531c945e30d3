//! What a stretch of code does beyond stating data: the constructs the gate holds a fix to.
//!
//! A fix should change values, and values are data: literals, references to names the program
//! already has, a provider's classes and enums. Everything that *runs* — calls, functions,
//! imports, type assertions that blind the checker — is listed here with where it is, so the
//! gate can tell a fix that sets `acl: "private"` from one that also sets
//! `tags: { x: require("child_process").execSync("…") }`. Nothing here judges; it reports.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::Document;
use crate::parse::Span;
use crate::parse::scope::{node_text, preorder};
use crate::parse::syntax::{Field, Kind, Syntax};

/// One construct found in the inspected regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Construct {
    /// A call or `new`: the callee as written (whitespace removed), and whether its root is a
    /// name the file imports from a provider package.
    Call { callee: String, provider: bool },
    /// A function, lambda or class: code that runs later, where no value can be read.
    Function { text: String },
    /// A name no declaration or import in the file binds (`process`, `require`, `__import__`).
    Name { name: String },
    /// An object key or keyword argument name.
    Key { name: String },
    /// A type assertion to `any` or `unknown`, which hides a value's type from the checker.
    TypeErasure { text: String },
    /// An import statement: the module, and whether it is a Pulumi package.
    Import { module: String, pulumi: bool },
}

/// A construct and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub construct: Construct,
    pub line: u32,
}

impl Document {
    /// The constructs of this document that `regions` (byte spans of its text) add or change:
    /// every name, key, import and type assertion they overlap, every call whose callee they
    /// overlap or that lies inside one, and every function that lies inside one (editing the
    /// body of an existing function, or the arguments of an existing call, adds neither).
    pub fn constructs(&self, regions: &[Span]) -> Vec<Found> {
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        let overlaps = |node: Node<'_>| {
            regions
                .iter()
                .any(|r| node.start_byte() < r.end && r.start < node.end_byte())
        };
        let reader = Reader {
            syn: self.syn(),
            text: &self.text,
            providers: &self.parsed.provider_names,
            declared: self.declared_names(),
            regions,
        };
        let mut found = Vec::new();
        preorder(tree.root_node(), |node| {
            if !overlaps(node) {
                return false;
            }
            if let Some(construct) = reader.construct(node) {
                let line = u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX);
                found.push(Found { construct, line });
            }
            true
        });
        found
    }

    /// The callees (as [`Construct::Call`] writes them) of every call inside `spans`.
    pub fn callees_within(&self, spans: &[Span]) -> BTreeSet<String> {
        self.constructs(spans)
            .into_iter()
            .filter_map(|f| match f.construct {
                Construct::Call { callee, .. } => Some(callee),
                _ => None,
            })
            .collect()
    }

    /// Names the file binds: declarations, assignments, parameters, imports.
    pub fn declared_names(&self) -> BTreeSet<String> {
        let Some(tree) = &self.tree else {
            return BTreeSet::new();
        };
        let syn = self.syn();
        let mut names = BTreeSet::new();
        preorder(tree.root_node(), |node| {
            if syn.kind(node) == Kind::Identifier && declares(syn, node) {
                names.insert(node_text(&self.text, node).to_string());
            }
            true
        });
        names
    }

    /// The source of a resource's options — the options expression and, followed through,
    /// the same-file definitions it names — with whitespace removed: equal before and after a
    /// fix exactly when the fix left the options alone. `None` without options.
    pub fn options_source(&self, resource: &crate::parse::Resource) -> Option<String> {
        let options = resource.options.as_ref()?;
        let mut out = compact(self.text.get(options.span.start..options.span.end)?);
        let Some(tree) = &self.tree else {
            return Some(out);
        };
        let syn = self.syn();
        let mut seen = BTreeSet::new();
        let mut pending = vec![options.span];
        while let Some(span) = pending.pop() {
            let Some(node) = super::node_at(tree.root_node(), span) else {
                continue;
            };
            let mut names = Vec::new();
            preorder(node, |n| {
                if syn.kind(n) == Kind::Identifier {
                    names.push(node_text(&self.text, n).to_string());
                }
                true
            });
            for name in names {
                if seen.len() > 64 || !seen.insert(name.clone()) {
                    continue;
                }
                if let Some(definition) =
                    super::footprint::unique_definition(tree.root_node(), &self.text, syn, &name)
                {
                    out.push('|');
                    out.push_str(&compact(
                        self.text
                            .get(definition.span.start..definition.span.end)
                            .unwrap_or(""),
                    ));
                    pending.push(definition.value);
                }
            }
        }
        Some(out)
    }
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Reader<'a> {
    syn: &'static Syntax,
    text: &'a str,
    providers: &'a BTreeSet<String>,
    declared: BTreeSet<String>,
    regions: &'a [Span],
}

impl Reader<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        node_text(self.text, node)
    }

    fn inside(&self, node: Node<'_>) -> bool {
        self.regions
            .iter()
            .any(|r| r.start <= node.start_byte() && node.end_byte() <= r.end)
    }

    fn overlapped(&self, node: Node<'_>) -> bool {
        self.regions
            .iter()
            .any(|r| node.start_byte() < r.end && r.start < node.end_byte())
    }

    fn construct(&self, node: Node<'_>) -> Option<Construct> {
        let syn = self.syn;
        match syn.kind(node) {
            Kind::CallExpression | Kind::NewExpression | Kind::Call => {
                let callee = syn
                    .field(node, Field::Function)
                    .or_else(|| syn.field(node, Field::Constructor))?;
                if !self.inside(node) && !self.overlapped(callee) {
                    return None;
                }
                let root = root_of(syn, callee);
                let provider =
                    syn.kind(root) == Kind::Identifier && self.providers.contains(self.text(root));
                Some(Construct::Call {
                    callee: compact(self.text(callee)),
                    provider,
                })
            }
            Kind::ArrowFunction
            | Kind::FunctionExpression
            | Kind::FunctionDeclaration
            | Kind::GeneratorFunction
            | Kind::GeneratorFunctionDeclaration
            | Kind::Class
            | Kind::ClassDeclaration
            | Kind::Lambda
            | Kind::FunctionDefinition
            | Kind::ClassDefinition => self.inside(node).then(|| Construct::Function {
                text: first_line(self.text(node)),
            }),
            Kind::Identifier | Kind::ShorthandPropertyIdentifier => {
                let name = self.text(node);
                (!self.declared.contains(name) && is_reference(syn, node)).then(|| {
                    Construct::Name {
                        name: name.to_string(),
                    }
                })
            }
            Kind::Pair => {
                let key = syn.field(node, Field::Key)?;
                Some(Construct::Key {
                    name: self.text(key).trim_matches(['"', '\'', '`']).to_string(),
                })
            }
            Kind::KeywordArgument => Some(Construct::Key {
                name: self.text(syn.field(node, Field::Name)?).to_string(),
            }),
            Kind::AsExpression | Kind::TypeAssertion => {
                let erased = syn
                    .named_children(node)
                    .any(|c| matches!(self.text(c), "any" | "unknown"));
                erased.then(|| Construct::TypeErasure {
                    text: first_line(self.text(node)),
                })
            }
            Kind::ImportStatement | Kind::ImportFromStatement => {
                // TypeScript names one module; Python's `import a, b` may name several.
                let modules: Vec<String> = match (
                    syn.field(node, Field::Source),
                    syn.field(node, Field::ModuleName),
                ) {
                    (Some(source), _) => {
                        vec![self.text(source).trim_matches(['"', '\'']).to_string()]
                    }
                    (None, Some(module)) => vec![self.text(module).to_string()],
                    (None, None) => {
                        let mut cursor = node.walk();
                        syn.field_id(Field::Name)
                            .map(|id| {
                                node.children_by_field_id(id, &mut cursor)
                                    .map(|m| {
                                        let m = syn.field(m, Field::Name).unwrap_or(m);
                                        self.text(m).to_string()
                                    })
                                    .collect()
                            })
                            .unwrap_or_default()
                    }
                };
                let pulumi = !modules.is_empty()
                    && modules.iter().all(|module| {
                        module.starts_with("@pulumi/")
                            || module == "pulumi"
                            || module.starts_with("pulumi.")
                            || module.starts_with("pulumi_")
                    });
                Some(Construct::Import {
                    module: modules.join(", "),
                    pulumi,
                })
            }
            _ => None,
        }
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut out: String = line.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The object at the root of a member chain: `aws` in `aws.s3.Bucket`.
fn root_of<'t>(syn: &Syntax, mut node: Node<'t>) -> Node<'t> {
    while let Some(inner) = match syn.kind(node) {
        Kind::MemberExpression | Kind::Attribute => syn.field(node, Field::Object),
        Kind::CallExpression | Kind::Call => syn.field(node, Field::Function),
        Kind::SubscriptExpression => syn.field(node, Field::Object),
        Kind::Subscript => syn.field(node, Field::Value),
        Kind::ParenthesizedExpression | Kind::NonNullExpression => syn.named_children(node).next(),
        _ => None,
    } {
        node = inner;
    }
    node
}

/// Whether an identifier names a variable being read (not a keyword argument's name, an
/// attribute after a dot, or part of an import).
fn is_reference(syn: &Syntax, node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    match syn.kind(parent) {
        Kind::KeywordArgument => syn.field(parent, Field::Name) != Some(node),
        Kind::Attribute => syn.field(parent, Field::Attribute) != Some(node),
        Kind::ImportStatement
        | Kind::ImportFromStatement
        | Kind::DottedName
        | Kind::AliasedImport
        | Kind::ImportClause
        | Kind::NamespaceImport
        | Kind::ImportSpecifier => false,
        _ => !declares(syn, node),
    }
}

/// Whether an identifier is the name a declaration, assignment, parameter or import binds.
fn declares(syn: &Syntax, node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is = |field: Field| syn.field(parent, field) == Some(node);
    match syn.kind(parent) {
        Kind::VariableDeclarator => is(Field::Name),
        Kind::Assignment | Kind::AugmentedAssignment | Kind::ForStatement | Kind::ForInClause => {
            is(Field::Left)
        }
        Kind::FunctionDeclaration
        | Kind::FunctionDefinition
        | Kind::ClassDeclaration
        | Kind::ClassDefinition
        | Kind::Class
        | Kind::GeneratorFunctionDeclaration => is(Field::Name),
        Kind::RequiredParameter | Kind::OptionalParameter => is(Field::Pattern),
        Kind::ArrowFunction => is(Field::Parameter),
        Kind::Parameters
        | Kind::LambdaParameters
        | Kind::DefaultParameter
        | Kind::TypedParameter
        | Kind::TypedDefaultParameter
        | Kind::PatternList
        | Kind::TuplePattern
        | Kind::ObjectPattern
        | Kind::ArrayPattern
        | Kind::ImportClause
        | Kind::NamespaceImport
        | Kind::ImportSpecifier
        | Kind::AliasedImport
        | Kind::DottedName => true,
        _ => false,
    }
}
