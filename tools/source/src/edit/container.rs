//! Adding and removing entries in object literals, dicts and keyword-argument lists, keeping the
//! container's layout: one line or several, its indentation, and whether it ends with a comma.

use serde_json::Value as Json;
use tree_sitter::Node;

use super::render::{Container, Style};
use super::text_edit::{EditError, TextEdit};
use crate::parse::Span;
use crate::parse::syntax::{Field, Kind, Syntax};

/// Where a new entry can go.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'a> {
    /// A TypeScript object literal or a Python dict.
    Object(Node<'a>),
    /// Python keyword arguments: the resource call's or an args class's argument list.
    Keywords { list: Node<'a> },
    /// A TypeScript constructor without an args object yet: a new argument after `after`.
    NewArgument {
        after: Option<Node<'a>>,
        arguments: Node<'a>,
    },
}

/// The slot an expression offers for new entries, looking through parentheses and type
/// assertions.
pub(crate) fn slot_of<'a>(syn: &Syntax, node: Node<'a>) -> Option<Slot<'a>> {
    match syn.kind(node) {
        Kind::Object | Kind::Dictionary => Some(Slot::Object(node)),
        Kind::Call => syn
            .field(node, Field::Arguments)
            .filter(|a| syn.kind(*a) == Kind::ArgumentList)
            .map(|list| Slot::Keywords { list }),
        Kind::ParenthesizedExpression
        | Kind::AsExpression
        | Kind::SatisfiesExpression
        | Kind::NonNullExpression => syn
            .named_children(node)
            .next()
            .and_then(|n| slot_of(syn, n)),
        _ => None,
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn indent_of_line(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether the rest of the line after `at` is blank or only a comment.
fn rest_is_blank(text: &str, at: usize) -> bool {
    let rest = text[at..line_end(text, at)].trim();
    rest.is_empty() || rest.starts_with("//") || rest.starts_with('#')
}

fn comma_after<'a>(node: Node<'a>) -> Option<Node<'a>> {
    let mut next = node.next_sibling();
    while let Some(n) = next {
        match n.kind() {
            "," => return Some(n),
            "comment" => next = n.next_sibling(),
            _ => return None,
        }
    }
    None
}

fn comma_before<'a>(node: Node<'a>) -> Option<Node<'a>> {
    let mut prev = node.prev_sibling();
    while let Some(n) = prev {
        match n.kind() {
            "," => return Some(n),
            "comment" => prev = n.prev_sibling(),
            _ => return None,
        }
    }
    None
}

fn insert(at: usize, text: String) -> TextEdit {
    TextEdit {
        span: Span { start: at, end: at },
        text,
    }
}

/// Add `key: value` (or `key=value`) to a container.
pub(crate) fn insert_entry(
    text: &str,
    syn: &Syntax,
    style: &Style,
    slot: &Slot<'_>,
    key: &str,
    value: &Json,
) -> Result<Vec<TextEdit>, EditError> {
    let (kind, node) = match *slot {
        Slot::Object(node) => (Container::Object, node),
        Slot::Keywords { list } => (Container::Keywords, list),
        Slot::NewArgument { after, arguments } => {
            let after =
                after.ok_or_else(|| EditError::Declined("the call has no name argument".into()))?;
            let indent = indent_of_line(text, arguments.start_byte()).to_string();
            let entry = style.entry(
                Container::Object,
                key,
                value,
                &format!("{indent}{}", style.unit),
            );
            return Ok(vec![insert(after.end_byte(), format!(", {{ {entry} }}"))]);
        }
    };
    let entries: Vec<Node<'_>> = syn.named_children(node).collect();
    let (Some(open), Some(close)) = (
        node.child(0),
        node.child(node.child_count().saturating_sub(1)),
    ) else {
        return Err(EditError::Declined("unexpected container shape".into()));
    };

    let Some(first) = entries.first() else {
        let outer = indent_of_line(text, node.start_byte()).to_string();
        let inner_indent = format!("{outer}{}", style.unit);
        let entry = style.entry(kind, key, value, &inner_indent);
        let multiline = text[node.start_byte()..node.end_byte()].contains('\n');
        let body = if multiline {
            format!("\n{inner_indent}{entry},\n{outer}")
        } else if kind == Container::Object && style.language == crate::parse::Language::TypeScript
        {
            format!(" {entry} ")
        } else {
            entry
        };
        return Ok(vec![TextEdit {
            span: Span {
                start: open.end_byte(),
                end: close.start_byte(),
            },
            text: body,
        }]);
    };

    let multiline = text[open.end_byte()..first.start_byte()].contains('\n');
    let indent = if multiline {
        indent_of_line(text, first.start_byte()).to_string()
    } else {
        format!("{}{}", indent_of_line(text, node.start_byte()), style.unit)
    };
    let entry = style.entry(kind, key, value, &indent);

    // Resource options conventionally come last: new keywords go before `opts=`.
    let opts = (kind == Container::Keywords)
        .then(|| {
            entries.iter().find(|e| {
                syn.kind(**e) == Kind::KeywordArgument
                    && syn
                        .field(**e, Field::Name)
                        .and_then(|n| text.get(n.byte_range()))
                        == Some("opts")
            })
        })
        .flatten();
    if let Some(opts) = opts {
        let sep = if multiline {
            format!(",\n{indent}")
        } else {
            ", ".into()
        };
        return Ok(vec![insert(opts.start_byte(), format!("{entry}{sep}"))]);
    }

    let Some(last) = entries.last() else {
        return Err(EditError::Declined("unexpected container shape".into()));
    };
    let comma = comma_after(*last);
    Ok(match (multiline, comma) {
        (true, Some(comma)) => {
            let at = if rest_is_blank(text, comma.end_byte()) {
                line_end(text, comma.end_byte())
            } else {
                comma.end_byte()
            };
            vec![insert(at, format!("\n{indent}{entry},"))]
        }
        (true, None) => {
            let at = last.end_byte();
            if rest_is_blank(text, at) && line_end(text, at) != at {
                // A trailing comment stays with its entry.
                vec![
                    insert(at, ",".into()),
                    insert(line_end(text, at), format!("\n{indent}{entry}")),
                ]
            } else {
                vec![insert(at, format!(",\n{indent}{entry}"))]
            }
        }
        (false, Some(comma)) => vec![insert(comma.end_byte(), format!(" {entry},"))],
        (false, None) => vec![insert(last.end_byte(), format!(", {entry}"))],
    })
}

/// Remove one entry (`key: value`, `key=value`) with its separator, and its whole line when it
/// stands on a line of its own.
pub(crate) fn remove_entry(text: &str, _syn: &Syntax, entry: Node<'_>) -> Vec<TextEdit> {
    let after = comma_after(entry);
    let end = after.map_or(entry.end_byte(), |c| c.end_byte());
    let start_of_line = line_start(text, entry.start_byte());
    let alone =
        text[start_of_line..entry.start_byte()].trim().is_empty() && rest_is_blank(text, end);
    if alone {
        let eol = line_end(text, end);
        let stop = (eol + 1).min(text.len());
        return vec![TextEdit {
            span: Span {
                start: start_of_line,
                end: stop,
            },
            text: String::new(),
        }];
    }
    let span = match (after, comma_before(entry)) {
        (Some(comma), _) => {
            let spaces = text[comma.end_byte()..].len()
                - text[comma.end_byte()..].trim_start_matches(' ').len();
            Span {
                start: entry.start_byte(),
                end: comma.end_byte() + spaces,
            }
        }
        (None, Some(comma)) => Span {
            start: comma.start_byte(),
            end: entry.end_byte(),
        },
        (None, None) => Span {
            start: entry.start_byte(),
            end: entry.end_byte(),
        },
    };
    vec![TextEdit {
        span,
        text: String::new(),
    }]
}
