//! A resource's footprint: the bytes a fix to it may touch — its constructor call, same-file
//! constant definitions that flow into it and into nothing else, and the import block.

use tree_sitter::Node;

use crate::parse::Resource;
use crate::parse::Span;
use crate::parse::scope::preorder;
use crate::parse::syntax::{Field, Kind, Syntax};

/// A same-file constant definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    /// The whole declaration statement.
    pub span: Span,
    /// The value expression.
    pub value: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footprint {
    /// The constructor call.
    pub call: Span,
    /// Inside the call's parentheses: the arguments, the only part of the call a fix may
    /// change. The constructor, and the statement around the call, stay as they were: a fix
    /// that wraps the call (`false ? new … : x`, `… if False else None`, `() => new …`) or
    /// changes its declaration leaves the resource uncreated or different.
    pub arguments: Span,
    /// Definitions whose values flow into this resource and are used nowhere else.
    pub definitions: Vec<Definition>,
    /// Names of definitions this resource uses that other code uses too: not editable.
    pub shared: Vec<String>,
    /// The import block: from the first to the end of the last top-level import. Empty at the
    /// start of the file when there is none.
    pub imports: Span,
}

impl Footprint {
    /// Whether an edit of `span` (an insertion when empty) stays inside the footprint.
    pub fn allows(&self, span: Span) -> bool {
        let within = |area: &Span| area.start <= span.start && span.end <= area.end;
        within(&self.arguments)
            || self.definitions.iter().any(|d| within(&d.span))
            || within(&self.imports)
    }

    pub fn definition(&self, name: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.name == name)
    }
}

/// Compute the footprint. `names` are the variables the resource's values came through.
pub(crate) fn footprint(
    root: Node<'_>,
    text: &str,
    syn: &Syntax,
    resource: &Resource,
    names: &[String],
) -> Footprint {
    let mut allowed = vec![resource.span];
    let mut definitions: Vec<Definition> = Vec::new();
    let mut pending: Vec<(String, Definition, Vec<Span>)> = names
        .iter()
        .filter_map(|name| {
            let definition = unique_definition(root, text, syn, name)?;
            let uses = references(root, text, syn, name, definition.span);
            Some((name.clone(), definition, uses))
        })
        .collect();
    // A definition is exclusive when every use lies in the call or in another exclusive
    // definition (`const base = …; const args = { ...base }; new X("x", args)`).
    loop {
        let before = pending.len();
        pending.retain(|(_, definition, uses)| {
            let exclusive = uses
                .iter()
                .all(|u| allowed.iter().any(|a| a.start <= u.start && u.end <= a.end));
            if exclusive {
                allowed.push(definition.span);
                definitions.push(definition.clone());
            }
            !exclusive
        });
        if pending.len() == before {
            break;
        }
    }
    Footprint {
        call: resource.span,
        arguments: arguments_inside(root, syn, resource.span),
        definitions,
        shared: pending.into_iter().map(|(name, _, _)| name).collect(),
        imports: import_block(root, text, syn),
    }
}

/// The single constant definition of `name` in the file (TypeScript `const`, Python module
/// assignment), or `None` when there is none or more than one.
pub(crate) fn unique_definition(
    root: Node<'_>,
    text: &str,
    syn: &Syntax,
    name: &str,
) -> Option<Definition> {
    let mut found = Vec::new();
    preorder(root, |node| {
        match syn.kind(node) {
            Kind::VariableDeclarator => {
                if let (Some(id), Some(value)) =
                    (syn.field(node, Field::Name), syn.field(node, Field::Value))
                    && text.get(id.byte_range()) == Some(name)
                {
                    let statement = node
                        .parent()
                        .filter(|p| p.named_child_count() == 1)
                        .unwrap_or(node);
                    found.push(Definition {
                        name: name.to_string(),
                        span: Span::of(statement),
                        value: Span::of(value),
                    });
                }
            }
            Kind::Assignment => {
                if let (Some(left), Some(right)) =
                    (syn.field(node, Field::Left), syn.field(node, Field::Right))
                    && syn.kind(left) == Kind::Identifier
                    && text.get(left.byte_range()) == Some(name)
                {
                    let statement = node.parent().unwrap_or(node);
                    found.push(Definition {
                        name: name.to_string(),
                        span: Span::of(statement),
                        value: Span::of(right),
                    });
                }
            }
            _ => {}
        }
        true
    });
    (found.len() == 1).then(|| found.remove(0))
}

/// Every use of `name` outside its own definition's name.
fn references(root: Node<'_>, text: &str, syn: &Syntax, name: &str, definition: Span) -> Vec<Span> {
    let mut uses = Vec::new();
    preorder(root, |node| {
        if matches!(
            syn.kind(node),
            Kind::Identifier | Kind::ShorthandPropertyIdentifier
        ) && text.get(node.byte_range()) == Some(name)
        {
            let span = Span::of(node);
            // The name being declared sits at the start of the definition's value side.
            let is_declaration = definition.contains(&span)
                && node.parent().is_some_and(|p| {
                    matches!(syn.kind(p), Kind::VariableDeclarator | Kind::Assignment)
                        && (syn.field(p, Field::Name) == Some(node)
                            || syn.field(p, Field::Left) == Some(node))
                });
            if !is_declaration {
                uses.push(span);
            }
        }
        true
    });
    uses
}

/// From the first top-level import statement to the end of the line of the last one.
pub(crate) fn import_block(root: Node<'_>, text: &str, syn: &Syntax) -> Span {
    let mut cursor = root.walk();
    let imports: Vec<Span> = root
        .named_children(&mut cursor)
        .filter(|n| {
            matches!(
                syn.kind(*n),
                Kind::ImportStatement | Kind::ImportFromStatement
            ) || n.kind() == "future_import_statement"
        })
        .map(Span::of)
        .collect();
    match (imports.first(), imports.last()) {
        (Some(first), Some(last)) => Span {
            start: first.start,
            end: text[last.end..]
                .find('\n')
                .map_or(text.len(), |i| last.end + i + 1),
        },
        _ => Span { start: 0, end: 0 },
    }
}

/// The bytes between a call's parentheses (the whole call when its arguments cannot be found).
pub(crate) fn arguments_inside(root: Node<'_>, syn: &Syntax, call: Span) -> Span {
    crate::edit::node_at(root, call)
        .and_then(|node| syn.field(node, Field::Arguments))
        .filter(|args| args.end_byte() > args.start_byte() + 1)
        .map_or(call, |args| Span {
            start: args.start_byte() + 1,
            end: args.end_byte() - 1,
        })
}
