//! Companion resources: what a fix may add outside its target's call.
//!
//! In pulumi-aws 7 a bucket's ACL, public access block, encryption and versioning are separate
//! resources that name the bucket, so fixing a bucket can mean adding one. A fix may add such
//! statements after the target — each one statement declaring one resource, whose arguments
//! refer to the target — and nothing else: not a statement that runs code, not a resource
//! unrelated to the target, not one placed inside an expression.

use tree_sitter::Node;

use serde_json::{Map, Value as Json};

use super::render::{Container, snake_case};
use super::text_edit::{EditError, TextEdit};
use super::{Document, node_at};
use crate::parse::scope::{node_text, preorder};
use crate::parse::syntax::{Field, Kind, Syntax};
use crate::parse::{Language, Resource, Span};

/// A resource a fix added in a statement of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// The whole statement.
    pub statement: Span,
    /// The resource's index in [`Document::resources`].
    pub resource: usize,
    /// The name the statement declares (`const block = …`, `block = …`), if any.
    pub declares: Option<String>,
}

/// A companion resource to add: see [`Document::add_companion`].
#[derive(Debug, Clone, Copy)]
pub struct NewCompanion<'a> {
    /// Its type token, in the same package and module as the target's.
    pub type_token: &'a str,
    /// The property that refers to the target, and the target's output it takes.
    pub refer: &'a str,
    pub attribute: &'a str,
    /// Appended to the target's logical name (`site-versioning`) and binding.
    pub suffix: &'a str,
    /// Its other inputs, camelCase.
    pub properties: &'a Map<String, Json>,
}

impl Document {
    /// The name a resource's constructor call is assigned to (`site` in `const site = new …` or
    /// `site = aws.s3.Bucket(…)`, `self.bucket` in a component): what a companion refers to it
    /// by. `None` when the call is not assigned to anything.
    pub fn binding_of(&self, resource: &Resource) -> Option<String> {
        let syn = self.syn();
        let mut node = self.call_of(resource).ok()?;
        // The innermost node with the call's range may have parents with the same range.
        while let Some(parent) = node.parent() {
            if parent.byte_range() != node.byte_range() {
                break;
            }
            node = parent;
        }
        let parent = node.parent()?;
        let bound = match syn.kind(parent) {
            Kind::VariableDeclarator => syn.field(parent, Field::Name)?,
            Kind::Assignment => syn.field(parent, Field::Left)?,
            _ => return None,
        };
        let value = syn
            .field(parent, Field::Value)
            .or_else(|| syn.field(parent, Field::Right))?;
        (value.byte_range() == node.byte_range())
            .then(|| node_text(&self.text, bound).to_string())
            .filter(|name| !name.is_empty())
    }

    /// The companions `region` (text a fix inserted into this document) consists of: whole
    /// statements, each declaring one resource whose arguments refer to `binding`, with only
    /// whitespace and comments between them. Why not, otherwise.
    pub fn companions(&self, region: Span, binding: &str) -> Result<Vec<Companion>, String> {
        let tree = self
            .tree
            .as_ref()
            .ok_or_else(|| "the file does not parse".to_string())?;
        let syn = self.syn();
        let mut statements = Vec::new();
        whole_statements(syn, tree.root_node(), region, &mut statements)?;
        let mut companions = Vec::new();
        for statement in statements {
            if syn.kind(statement) == Kind::Comment {
                continue;
            }
            let span = Span {
                start: statement.start_byte(),
                end: statement.end_byte(),
            };
            companions.push(self.companion(span, binding)?);
        }
        if companions.is_empty() {
            return Err("the inserted text declares no resource".into());
        }
        Ok(companions)
    }

    /// The one resource `statement` declares, if the statement is only that.
    fn companion(&self, statement: Span, binding: &str) -> Result<Companion, String> {
        let text = &self.text[statement.start..statement.end];
        let first_line = text.lines().next().unwrap_or_default().trim();
        let inside: Vec<usize> = self
            .resources()
            .iter()
            .enumerate()
            .filter(|(_, r)| statement.start <= r.span.start && r.span.end <= statement.end)
            .map(|(i, _)| i)
            .collect();
        let [index] = inside.as_slice() else {
            return Err(format!(
                "`{first_line}` is not one resource declaration ({} resources in it)",
                inside.len()
            ));
        };
        let resource = &self.resources()[*index];
        let before = &self.text[statement.start..resource.span.start];
        let after = &self.text[resource.span.end..statement.end];
        let declares = declaration(self.language, before)
            .ok_or_else(|| format!("`{first_line}` does more than declare a resource"))?;
        if !matches!(after.trim(), "" | ";") {
            return Err(format!("`{first_line}` does more than declare a resource"));
        }
        if !self.refers_to(resource, binding) {
            return Err(format!(
                "{} `{}` does not refer to `{binding}`: a fix may add only resources that \
                 configure its target",
                resource.type_token,
                resource.display_name()
            ));
        }
        Ok(Companion {
            statement,
            resource: *index,
            declares,
        })
    }

    /// Whether the resource's call names `binding` as a reference (`site.id`,
    /// `bucket=site.bucket`): not inside a string, not as a property of something else
    /// (`other.site`), not as part of a longer name.
    fn refers_to(&self, resource: &Resource, binding: &str) -> bool {
        let syn = self.syn();
        let Ok(call) = self.call_of(resource) else {
            return false;
        };
        let mut found = false;
        preorder(call, |node| {
            if found {
                return false;
            }
            match syn.kind(node) {
                Kind::String | Kind::TemplateString | Kind::Comment => false,
                Kind::Identifier | Kind::MemberExpression | Kind::Attribute => {
                    let is_property = node.parent().is_some_and(|parent| {
                        matches!(syn.kind(parent), Kind::MemberExpression | Kind::Attribute)
                            && syn
                                .field(parent, Field::Attribute)
                                .or_else(|| syn.field(parent, Field::Property))
                                .is_some_and(|p| p.id() == node.id())
                    });
                    found = !is_property && node_text(&self.text, node) == binding;
                    !found
                }
                _ => true,
            }
        });
        found
    }

    /// The statement declaring `companion`, inserted after the statement of `resource` (which
    /// must be bound to a name), in the file's style:
    /// `const siteVersioning = new aws.s3.BucketVersioning("site-versioning", { bucket:
    /// site.id, … });`, or in Python `site_versioning = aws.s3.BucketVersioning(
    /// "site-versioning", bucket=site.id, …)`.
    pub fn add_companion(
        &self,
        resource: &Resource,
        companion: NewCompanion<'_>,
    ) -> Result<TextEdit, EditError> {
        let declined = |why: String| EditError::Declined(why);
        let binding = self.binding_of(resource).ok_or_else(|| {
            declined(format!(
                "{} `{}` is not assigned to a name, so no companion resource can refer to it",
                resource.type_token,
                resource.display_name()
            ))
        })?;
        let callee = self.companion_callee(resource, companion.type_token)?;
        let statement = self.statement_of(resource)?;
        let line_start = self.text[..statement.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let indent: String = self.text[line_start..statement.start]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let style = &self.style;
        let name = match &resource.name {
            Some(name) => style.string(&format!("{name}-{}", companion.suffix)),
            None => format!(
                "{} + {}",
                resource.name_expr,
                style.string(&format!("-{}", companion.suffix))
            ),
        };
        let variable = self.fresh_name(&binding, companion.suffix);
        let inner = format!("{indent}{}", style.unit);
        let reference = format!("{binding}.{}", self.output_name(companion.attribute));
        let text = match self.language {
            Language::TypeScript => {
                let mut entries = vec![format!("{}: {reference},", companion.refer)];
                entries.extend(companion.properties.iter().map(|(key, value)| {
                    format!("{},", style.entry(Container::Object, key, value, &inner))
                }));
                format!(
                    "\n\n{indent}const {variable} = new {callee}({name}, {{\n{}\n{indent}}});",
                    entries
                        .iter()
                        .map(|e| format!("{inner}{e}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            }
            Language::Python => {
                let mut entries = vec![
                    format!("{name},"),
                    format!("{}={reference},", snake_case(companion.refer)),
                ];
                entries.extend(companion.properties.iter().map(|(key, value)| {
                    format!("{},", style.entry(Container::Keywords, key, value, &inner))
                }));
                format!(
                    "\n\n{indent}{variable} = {callee}(\n{}\n{indent})",
                    entries
                        .iter()
                        .map(|e| format!("{inner}{e}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            }
        };
        Ok(TextEdit {
            span: Span {
                start: statement.end,
                end: statement.end,
            },
            text,
        })
    }

    /// The companion's constructor as the target's is written: `aws.s3.Bucket` →
    /// `aws.s3.BucketVersioning` (same package and module only).
    fn companion_callee(&self, resource: &Resource, type_token: &str) -> Result<String, EditError> {
        let module = |token: &str| {
            token
                .rsplit_once(':')
                .map(|(m, _)| m.split('/').next().unwrap_or(m).to_string())
        };
        let class = type_token.rsplit(':').next().unwrap_or_default();
        if module(&resource.type_token) != module(type_token) || class.is_empty() {
            return Err(EditError::Declined(format!(
                "{type_token} is not in the module of {}",
                resource.type_token
            )));
        }
        let syn = self.syn();
        let call = self.call_of(resource)?;
        let callee = syn
            .field(call, Field::Constructor)
            .or_else(|| syn.field(call, Field::Function))
            .ok_or_else(|| EditError::NotFound("the resource's constructor".into()))?;
        let written = node_text(&self.text, callee);
        let (prefix, _) = written.rsplit_once('.').ok_or_else(|| {
            EditError::Declined(format!("`{written}` is not a qualified constructor"))
        })?;
        Ok(format!("{prefix}.{class}"))
    }

    /// The resource's constructor call in the tree.
    fn call_of(&self, resource: &Resource) -> Result<Node<'_>, EditError> {
        node_at(self.root()?, resource.span)
            .ok_or_else(|| EditError::NotFound("the resource's call".into()))
    }

    /// The whole statement holding the resource's call.
    fn statement_of(&self, resource: &Resource) -> Result<Span, EditError> {
        let syn = self.syn();
        let mut node = self.call_of(resource)?;
        while let Some(parent) = node.parent() {
            if holds_statements(syn, parent) {
                return Ok(Span {
                    start: node.start_byte(),
                    end: node.end_byte(),
                });
            }
            node = parent;
        }
        Err(EditError::NotFound("the resource's statement".into()))
    }

    /// `site` + `versioning` → `siteVersioning` (TypeScript) or `site_versioning` (Python),
    /// numbered when the file already has that name.
    fn fresh_name(&self, binding: &str, suffix: &str) -> String {
        let base = match self.language {
            Language::TypeScript => {
                let mut chars = suffix.chars();
                let upper: String = chars
                    .next()
                    .map(|c| c.to_ascii_uppercase())
                    .into_iter()
                    .chain(chars)
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                format!("{binding}{upper}")
            }
            Language::Python => format!("{binding}_{}", snake_case(&suffix.replace('-', "_"))),
        };
        let taken = self.declared_names();
        std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}{n}")))
            .find(|name| !taken.contains(name))
            .unwrap_or(base)
    }

    /// An output's name as the language writes it (`bucketDomainName`, `bucket_domain_name`).
    fn output_name(&self, attribute: &str) -> String {
        match self.language {
            Language::TypeScript => attribute.to_string(),
            Language::Python => snake_case(attribute),
        }
    }
}

/// A file or a block: what statements are children of.
fn holds_statements(syn: &Syntax, node: Node<'_>) -> bool {
    matches!(
        syn.kind(node),
        Kind::Program | Kind::Module | Kind::StatementBlock | Kind::Block
    )
}

/// Collect the statements `region` covers whole; an error when it covers part of one, or a
/// node that is not a statement.
fn whole_statements<'t>(
    syn: &Syntax,
    node: Node<'t>,
    region: Span,
    out: &mut Vec<Node<'t>>,
) -> Result<(), String> {
    let container = holds_statements(syn, node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let (start, end) = (child.start_byte(), child.end_byte());
        if end <= region.start || region.end <= start {
            continue;
        }
        if region.start <= start && end <= region.end {
            if container && child.is_named() {
                out.push(child);
                continue;
            }
            return Err("the inserted text is not whole statements".into());
        }
        whole_statements(syn, child, region, out)?;
    }
    Ok(())
}

/// What may stand before a resource's call in a companion statement: nothing, or a declaration
/// of one new name. `Some(name)` for a declaration, `Some(None)` for a bare call.
fn declaration(language: Language, before: &str) -> Option<Option<String>> {
    let words: Vec<&str> = before.split_whitespace().collect();
    let (name, rest) = match language {
        Language::TypeScript => {
            let words = words.strip_prefix(&["export"]).unwrap_or(&words);
            match words {
                [] => return Some(None),
                [keyword, rest @ ..] if matches!(*keyword, "const" | "let" | "var") => {
                    let joined = rest.join(" ");
                    let (name, value) = joined.split_once('=')?;
                    // `const block: aws.s3.BucketPublicAccessBlock = …`
                    let name = name.split(':').next()?.trim().to_string();
                    (name, value.trim().to_string())
                }
                _ => return None,
            }
        }
        Language::Python => {
            if words.is_empty() {
                return Some(None);
            }
            let joined = words.join(" ");
            let (name, value) = joined.split_once('=')?;
            (name.trim().to_string(), value.trim().to_string())
        }
    };
    let identifier = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    (identifier && rest.is_empty()).then_some(Some(name))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use std::path::Path;

    use super::*;

    const TS: &str = r#"import * as aws from "@pulumi/aws";

const site = new aws.s3.Bucket("site", { acl: "private" });
"#;

    fn inserted(language: Language, file: &str, before: &str, insertion: &str) -> (Document, Span) {
        let text = format!("{before}{insertion}");
        let region = Span {
            start: before.len(),
            end: before.len() + insertion.len(),
        };
        (Document::new(language, Path::new(file), text), region)
    }

    #[test]
    fn the_binding_of_a_resource() {
        let ts = Document::new(Language::TypeScript, Path::new("index.ts"), TS.to_string());
        assert_eq!(ts.binding_of(&ts.resources()[0]).as_deref(), Some("site"));
        let py = Document::new(
            Language::Python,
            Path::new("__main__.py"),
            "import pulumi_aws as aws\nsite = aws.s3.Bucket(\"site\")\naws.s3.Bucket(\"loose\")\n"
                .into(),
        );
        assert_eq!(py.binding_of(&py.resources()[0]).as_deref(), Some("site"));
        assert_eq!(py.binding_of(&py.resources()[1]), None);
    }

    #[test]
    fn a_resource_that_refers_to_the_target_is_a_companion() {
        let (doc, region) = inserted(
            Language::TypeScript,
            "index.ts",
            TS,
            "\nconst siteBlock = new aws.s3.BucketPublicAccessBlock(\"site-block\", {\n    bucket: site.id,\n    blockPublicAcls: true,\n});\n",
        );
        let companions = doc.companions(region, "site").unwrap();
        assert_eq!(companions.len(), 1);
        assert_eq!(companions[0].declares.as_deref(), Some("siteBlock"));
        assert_eq!(
            doc.resources()[companions[0].resource].type_token,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
        );

        let (doc, region) = inserted(
            Language::Python,
            "__main__.py",
            "import pulumi_aws as aws\nsite = aws.s3.Bucket(\"site\")\n",
            "# keep the bucket private\naws.s3.BucketPublicAccessBlock(\"site-block\", bucket=site.id, block_public_acls=True)\n",
        );
        let companions = doc.companions(region, "site").unwrap();
        assert_eq!(companions[0].declares, None);
    }

    #[test]
    fn anything_else_is_not() {
        let cases = [
            // Unrelated to the target.
            "\nconst other = new aws.s3.Bucket(\"other\", { acl: \"private\" });\n",
            // `website` is not `site`.
            "\nconst b = new aws.s3.BucketPublicAccessBlock(\"b\", { bucket: website.id });\n",
            // Code beside the resource.
            "\nconst b = new aws.s3.BucketPublicAccessBlock(\"b\", { bucket: site.id }); run();\n",
            "\nif (site) { new aws.s3.BucketPublicAccessBlock(\"b\", { bucket: site.id }); }\n",
            "\nconsole.log(site);\n",
            "\nconst b = cond ? new aws.s3.BucketPublicAccessBlock(\"b\", { bucket: site.id }) : undefined;\n",
        ];
        for insertion in cases {
            let (doc, region) = inserted(Language::TypeScript, "index.ts", TS, insertion);
            assert!(doc.companions(region, "site").is_err(), "{insertion}");
        }
        // Part of a statement.
        let doc = Document::new(Language::TypeScript, Path::new("index.ts"), TS.to_string());
        let at = TS.find("{ acl").unwrap();
        assert!(
            doc.companions(
                Span {
                    start: at,
                    end: at + 3
                },
                "site"
            )
            .is_err()
        );
    }
}
