//! Source edits on a resource: set or remove a property, rendered in the file's own style, kept
//! inside the resource's footprint. Every edit is a plain text replacement; nothing here decides
//! whether an edit is *good* (that is the gate's job, in `guardrails`).

mod companion;
mod container;
mod footprint;
mod inspect;
mod path;
mod render;
mod text_edit;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use tree_sitter::{Node, Tree};

use crate::parse::syntax::{Field, Kind, Syntax};
use crate::parse::{ComponentPath, Language, ParsedFile, Resource, Span, analyse, is_tsx};

pub use companion::{Companion, NewCompanion};
pub use footprint::{Definition, Footprint};
pub use inspect::{Construct, Found};
pub use text_edit::{EditError, TextEdit, apply_edits};

use container::Slot;
use path::{PropertyPath, Step};
use render::Style;

/// A parsed file, ready to be edited.
pub struct Document {
    language: Language,
    path: PathBuf,
    text: String,
    tree: Option<Tree>,
    parsed: ParsedFile,
    style: Style,
}

impl Document {
    pub fn new(language: Language, path: &Path, text: String) -> Self {
        let (tree, parsed) = analyse(language, path, &text);
        let style = Style::detect(language, &text);
        Self {
            language,
            path: path.to_path_buf(),
            text,
            tree,
            parsed,
            style,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn parsed(&self) -> &ParsedFile {
        &self.parsed
    }

    pub fn resources(&self) -> &[Resource] {
        &self.parsed.resources
    }

    /// ERROR and MISSING nodes in the syntax tree (0 for a clean parse; every node when the
    /// parser gave up).
    pub fn syntax_errors(&self) -> usize {
        let Some(tree) = &self.tree else {
            return usize::MAX;
        };
        let root = tree.root_node();
        if !root.has_error() {
            return 0;
        }
        let mut count = 0;
        crate::parse::scope::preorder(root, |n| {
            if n.is_error() || n.is_missing() {
                count += 1;
            }
            n.has_error()
        });
        count
    }

    fn syn(&self) -> &'static Syntax {
        Syntax::of(self.language, is_tsx(&self.path))
    }

    fn root(&self) -> Result<Node<'_>, EditError> {
        self.tree
            .as_ref()
            .map(Tree::root_node)
            .ok_or_else(|| EditError::Declined("the file could not be parsed".into()))
    }

    /// The resource of this type whose name (or, for computed names, name expression) is
    /// `name`; the `ordinal`-th one when several share it.
    pub fn find(&self, type_token: &str, name: &str, ordinal: usize) -> Option<&Resource> {
        self.find_index(type_token, name, ordinal)
            .map(|i| &self.parsed.resources[i])
    }

    /// [`Document::find`]'s resource as an index into [`Document::resources`].
    pub fn find_index(&self, type_token: &str, name: &str, ordinal: usize) -> Option<usize> {
        self.parsed
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.type_token == type_token
                    && match &r.name {
                        Some(n) => n == name,
                        None => r.name_expr == name,
                    }
            })
            .nth(ordinal)
            .map(|(i, _)| i)
    }

    /// The bytes a fix to `resource` may touch.
    pub fn footprint(&self, resource: &Resource) -> Footprint {
        let names = self.variables_of(resource);
        match &self.tree {
            Some(tree) => {
                footprint::footprint(tree.root_node(), &self.text, self.syn(), resource, &names)
            }
            None => Footprint {
                call: resource.span,
                arguments: resource.span,
                definitions: Vec::new(),
                shared: names,
                imports: Span { start: 0, end: 0 },
            },
        }
    }

    /// Same-file definitions the resource's values come through, whether only it uses them or
    /// other code too (see [`Footprint`] for which ones a fix may edit). For showing context.
    pub fn definitions_used(&self, resource: &Resource) -> Vec<Definition> {
        let Some(tree) = &self.tree else {
            return Vec::new();
        };
        let syn = self.syn();
        let mut found: Vec<Definition> = self
            .variables_of(resource)
            .iter()
            .filter_map(|name| {
                footprint::unique_definition(tree.root_node(), &self.text, syn, name)
            })
            .collect();
        found.sort_by_key(|d| d.span.start);
        found
    }

    /// Variables the resource's values came through: those named on its sites, and the args
    /// variable itself.
    fn variables_of(&self, resource: &Resource) -> Vec<String> {
        let mut names: Vec<String> = resource
            .sites
            .values()
            .filter_map(|s| s.via.clone())
            .collect();
        if let Ok(Some(name)) = self.args_variable(resource) {
            names.push(name);
        }
        names.sort();
        names.dedup();
        names
    }

    /// Apply edits to the text. Edits must not overlap.
    pub fn apply(&self, edits: &[TextEdit]) -> Result<String, EditError> {
        apply_edits(&self.text, edits)
    }

    /// Set `path` (for example `serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm`
    /// or `ingress[*].cidrBlocks`) on `resource` to `value`. Adds missing properties and nested
    /// blocks, replaces wrong values. Declines when the value is defined outside the resource's
    /// footprint or is not statically known.
    pub fn set(
        &self,
        resource: &Resource,
        path: &str,
        value: &Json,
    ) -> Result<Vec<TextEdit>, EditError> {
        let Some((resource, path)) = self.through_component(resource, path)? else {
            return Ok(Vec::new());
        };
        let parsed =
            PropertyPath::parse(&path).ok_or_else(|| EditError::InvalidPath(path.clone()))?;
        let mut edits = Vec::new();
        for concrete in self.expand(resource, &parsed)? {
            edits.extend(self.set_one(resource, &concrete, value)?);
        }
        Ok(edits)
    }

    /// Where an edit of `path` on `resource` is written: the resource itself, or for a resource
    /// a component creates, the component's argument for it. `None`: the component sets it
    /// from another argument, nothing to write.
    fn through_component<'r>(
        &'r self,
        resource: &'r Resource,
        path: &str,
    ) -> Result<Option<(&'r Resource, String)>, EditError> {
        let Some(origin) = &resource.component else {
            return Ok(Some((resource, path.to_string())));
        };
        match origin.argument_for(path) {
            ComponentPath::Argument(argument) => {
                let component = self
                    .resources()
                    .iter()
                    .find(|r| {
                        r.component.is_none()
                            && r.span == resource.span
                            && r.type_token == origin.type_token
                    })
                    .ok_or_else(|| EditError::NotFound(format!("the {}", origin.type_token)))?;
                Ok(Some((component, argument)))
            }
            ComponentPath::Implied => Ok(None),
            ComponentPath::Unreachable => Err(EditError::Declined(format!(
                "the {} component has no argument for `{path}` of the {} it creates",
                origin.type_token, resource.type_token
            ))),
        }
    }

    /// Remove `path` from `resource`. Removing what is absent is no edit.
    pub fn remove(&self, resource: &Resource, path: &str) -> Result<Vec<TextEdit>, EditError> {
        let Some((resource, path)) = self.through_component(resource, path)? else {
            return Ok(Vec::new());
        };
        let path = path.as_str();
        let parsed =
            PropertyPath::parse(path).ok_or_else(|| EditError::InvalidPath(path.into()))?;
        let footprint = self.footprint(resource);
        let mut edits = Vec::new();
        for concrete in self.expand(resource, &parsed)? {
            let key = concrete.to_string();
            let Some(site) = resource.sites.get(&key) else {
                if resource.is_uncertain(&key) {
                    return Err(EditError::Declined(format!(
                        "`{key}` may be set by a value not known statically"
                    )));
                }
                continue;
            };
            self.check_editable(&footprint, site.via.as_deref(), site.entry, &key)?;
            let root = self.root()?;
            let entry = node_at(root, site.entry)
                .ok_or_else(|| EditError::NotFound(format!("source for `{key}`")))?;
            edits.extend(container::remove_entry(&self.text, self.syn(), entry));
        }
        Ok(edits)
    }

    /// Replace the only occurrence of `old` inside the resource's call (or its exclusive
    /// definitions) with `new`.
    pub fn replace_in_resource(
        &self,
        resource: &Resource,
        old: &str,
        new: &str,
    ) -> Result<TextEdit, EditError> {
        if old.is_empty() {
            return Err(EditError::Declined("the text to replace is empty".into()));
        }
        let footprint = self.footprint(resource);
        let areas =
            std::iter::once(footprint.call).chain(footprint.definitions.iter().map(|d| d.span));
        let mut found = Vec::new();
        for area in areas {
            let hay = &self.text[area.start..area.end];
            found.extend(hay.match_indices(old).map(|(i, _)| area.start + i));
        }
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [start] => Ok(TextEdit {
                span: Span {
                    start: *start,
                    end: start + old.len(),
                },
                text: new.to_string(),
            }),
            [] => Err(EditError::NotFound(format!("`{old}` in the resource"))),
            _ => Err(EditError::Declined(format!(
                "`{old}` occurs {} times in the resource; include more context",
                found.len()
            ))),
        }
    }

    /// Add an import statement after the existing imports (no edit when it is already there).
    pub fn add_import(&self, statement: &str) -> Result<Option<TextEdit>, EditError> {
        let statement = statement.trim();
        let valid = match self.language {
            Language::TypeScript => statement.starts_with("import "),
            Language::Python => statement.starts_with("import ") || statement.starts_with("from "),
        };
        if !valid || statement.contains('\n') {
            return Err(EditError::Declined(format!(
                "`{statement}` is not a single import statement"
            )));
        }
        // Exactly one statement, and it imports a Pulumi package: `import os; os.system(…)`
        // starts with `import ` too.
        let alone = Document::new(self.language, &self.path, statement.to_string());
        let whole = [Span {
            start: 0,
            end: statement.len(),
        }];
        let statements = alone
            .tree
            .as_ref()
            .map_or(0, |t| t.root_node().named_child_count());
        let found = alone.constructs(&whole);
        let pulumi_import = matches!(
            found.as_slice(),
            [Found {
                construct: Construct::Import { pulumi: true, .. },
                ..
            }]
        );
        if statements != 1 || alone.syntax_errors() > 0 || !pulumi_import {
            return Err(EditError::Declined(format!(
                "`{statement}` is not one import of a Pulumi package; a fix may import only \
                 the provider packages the program uses"
            )));
        }
        if self.text.lines().any(|l| l.trim() == statement) {
            return Ok(None);
        }
        let block = footprint::import_block(self.root()?, &self.text, self.syn());
        // The block ends after the last import's newline (or at the start of the file).
        let newline = if block.end > 0 && !self.text[..block.end].ends_with('\n') {
            "\n"
        } else {
            ""
        };
        Ok(Some(TextEdit {
            span: Span {
                start: block.end,
                end: block.end,
            },
            text: format!("{newline}{statement}\n"),
        }))
    }

    /// The concrete paths a path with `[*]` stands for on this resource (one per array element
    /// written in the source); a path without `[*]` stands for itself.
    pub fn concrete_paths(
        &self,
        resource: &Resource,
        path: &str,
    ) -> Result<Vec<String>, EditError> {
        let parsed =
            PropertyPath::parse(path).ok_or_else(|| EditError::InvalidPath(path.into()))?;
        Ok(self
            .expand(resource, &parsed)?
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    /// Concrete paths for a path with `[*]`: one per array element present in the source.
    fn expand(
        &self,
        resource: &Resource,
        path: &PropertyPath,
    ) -> Result<Vec<PropertyPath>, EditError> {
        let mut out = vec![PropertyPath(Vec::new())];
        for step in &path.0 {
            let mut next = Vec::new();
            for prefix in out {
                if *step != Step::All {
                    let mut p = prefix.clone();
                    p.0.push(step.clone());
                    next.push(p);
                    continue;
                }
                let array = prefix.to_string();
                if resource.is_uncertain(&array) {
                    return Err(EditError::Declined(format!(
                        "`{array}` is not known statically"
                    )));
                }
                let mut i = 0;
                while resource.sites.contains_key(&format!("{array}[{i}]")) {
                    let mut p = prefix.clone();
                    p.0.push(Step::Index(i));
                    next.push(p);
                    i += 1;
                }
            }
            out = next;
        }
        Ok(out)
    }

    fn set_one(
        &self,
        resource: &Resource,
        path: &PropertyPath,
        value: &Json,
    ) -> Result<Vec<TextEdit>, EditError> {
        let key = path.to_string();
        if resource.is_uncertain(&key) {
            return Err(EditError::Declined(format!(
                "`{key}` is not known statically (a config value, a function call or a spread); \
                 overriding it is a judgement call"
            )));
        }
        let footprint = self.footprint(resource);
        let root = self.root()?;

        // The property is written: replace its value.
        if let Some(site) = resource.sites.get(&key) {
            self.check_editable(&footprint, site.via.as_deref(), site.value, &key)?;
            let rendered = self
                .style
                .value(value, render::is_free_form(last_key(path)));
            if self.text.get(site.value.start..site.value.end) == Some(rendered.as_str()) {
                return Ok(Vec::new());
            }
            return Ok(vec![TextEdit {
                span: site.value,
                text: rendered,
            }]);
        }

        // Find the deepest written ancestor and add what is missing below it.
        let mut depth = path.len() - 1;
        while depth > 0 && !resource.sites.contains_key(&path.prefix(depth)) {
            depth -= 1;
        }
        let missing = &path.0[depth..];
        if depth > 0 && lookup(resource, &path.0[..depth]).is_none() {
            // Written as `undefined`/`null`/`None`: replace it with the block.
            let parent = path.prefix(depth);
            let site = &resource.sites[&parent];
            self.check_editable(&footprint, site.via.as_deref(), site.value, &parent)?;
            let block = nest(missing, value)?;
            return Ok(vec![TextEdit {
                span: site.value,
                text: self.style.value(&block, false),
            }]);
        }
        let Some(Step::Key(first)) = missing.first() else {
            return Err(EditError::Declined(format!(
                "`{key}`: array element is missing"
            )));
        };
        let nested = nest(&missing[1..], value)?;
        let slot = if depth == 0 {
            self.root_slot(resource, &footprint, root)?
        } else {
            let parent = path.prefix(depth);
            let site = &resource.sites[&parent];
            self.check_editable(&footprint, site.via.as_deref(), site.value, &parent)?;
            let node = node_at(root, site.value)
                .ok_or_else(|| EditError::NotFound(format!("source for `{parent}`")))?;
            container::slot_of(self.syn(), node).ok_or_else(|| {
                EditError::Declined(format!("`{parent}` is not written as an object literal"))
            })?
        };
        container::insert_entry(&self.text, self.syn(), &self.style, &slot, first, &nested)
    }

    /// Where top-level properties go: the args object, or the call's keyword arguments.
    fn root_slot<'a>(
        &self,
        resource: &Resource,
        footprint: &Footprint,
        root: Node<'a>,
    ) -> Result<Slot<'a>, EditError> {
        let call = node_at(root, resource.span)
            .ok_or_else(|| EditError::NotFound("the resource's constructor call".into()))?;
        let syn = self.syn();
        let arguments = syn
            .field(call, Field::Arguments)
            .ok_or_else(|| EditError::Declined("the call has no argument list".into()))?;
        if resource.open.contains("") {
            return Err(EditError::Declined(
                "the resource's arguments include values not known statically (a spread or a variable)".into(),
            ));
        }
        let args: Vec<Node<'a>> = syn.named_children(arguments).collect();
        match self.language {
            Language::TypeScript => match args.get(1) {
                None => Ok(Slot::NewArgument {
                    after: args.first().copied(),
                    arguments,
                }),
                Some(arg) => self.object_slot(*arg, footprint, root),
            },
            Language::Python => {
                let args_object = args
                    .get(1)
                    .filter(|a| syn.kind(**a) != Kind::KeywordArgument)
                    .copied()
                    .or_else(|| {
                        args.iter().find_map(|a| {
                            (syn.kind(*a) == Kind::KeywordArgument
                                && syn
                                    .field(*a, Field::Name)
                                    .and_then(|n| self.text.get(n.byte_range()))
                                    == Some("args"))
                            .then(|| syn.field(*a, Field::Value))
                            .flatten()
                        })
                    });
                match args_object {
                    Some(object) => self.object_slot(object, footprint, root),
                    None => Ok(Slot::Keywords { list: arguments }),
                }
            }
        }
    }

    /// An args value: a literal, or a variable holding one that only this resource uses.
    fn object_slot<'a>(
        &self,
        node: Node<'a>,
        footprint: &Footprint,
        root: Node<'a>,
    ) -> Result<Slot<'a>, EditError> {
        let syn = self.syn();
        if syn.kind(node) == Kind::Identifier {
            let name = self.text.get(node.byte_range()).unwrap_or_default();
            let definition = footprint.definition(name).ok_or_else(|| {
                EditError::Declined(format!(
                    "the arguments come from `{name}`, which other code uses too"
                ))
            })?;
            let value = node_at(root, definition.value)
                .ok_or_else(|| EditError::NotFound(format!("the definition of `{name}`")))?;
            return self.object_slot(value, footprint, root);
        }
        container::slot_of(syn, node).ok_or_else(|| {
            EditError::Declined("the arguments are not written as an object literal".into())
        })
    }

    /// The name of the variable passed as the args object, if any.
    fn args_variable(&self, resource: &Resource) -> Result<Option<String>, EditError> {
        let root = self.root()?;
        let syn = self.syn();
        let Some(call) = node_at(root, resource.span) else {
            return Ok(None);
        };
        let Some(arguments) = syn.field(call, Field::Arguments) else {
            return Ok(None);
        };
        let args: Vec<Node<'_>> = syn.named_children(arguments).collect();
        let candidate = match self.language {
            Language::TypeScript => args.get(1).copied(),
            Language::Python => args
                .get(1)
                .filter(|a| syn.kind(**a) != Kind::KeywordArgument)
                .copied()
                .or_else(|| {
                    args.iter().find_map(|a| {
                        (syn.kind(*a) == Kind::KeywordArgument
                            && syn
                                .field(*a, Field::Name)
                                .and_then(|n| self.text.get(n.byte_range()))
                                == Some("args"))
                        .then(|| syn.field(*a, Field::Value))
                        .flatten()
                    })
                }),
        };
        Ok(candidate
            .filter(|n| syn.kind(*n) == Kind::Identifier)
            .and_then(|n| self.text.get(n.byte_range()))
            .map(str::to_string))
    }

    /// A site reached through a variable is editable only when that variable is this
    /// resource's alone.
    fn check_editable(
        &self,
        footprint: &Footprint,
        via: Option<&str>,
        span: Span,
        key: &str,
    ) -> Result<(), EditError> {
        if footprint.allows(span) {
            return Ok(());
        }
        let name = via.unwrap_or("a shared definition");
        Err(EditError::Declined(format!(
            "`{key}` is defined in `{name}`, which other resources or code use too; \
             changing it there would change them, so override it at this resource instead"
        )))
    }
}

/// The last key of a path (for free-form detection).
fn last_key(path: &PropertyPath) -> &str {
    path.0
        .iter()
        .rev()
        .find_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

/// The known value at a concrete path, if any.
fn lookup<'r>(resource: &'r Resource, steps: &[Step]) -> Option<&'r Json> {
    let mut steps = steps.iter();
    let Some(Step::Key(first)) = steps.next() else {
        return None;
    };
    let mut current = resource.properties.get(first)?;
    for step in steps {
        current = match step {
            Step::Key(k) => current.get(k)?,
            Step::Index(i) => current.get(i)?,
            Step::All => return None,
        };
    }
    Some(current)
}

/// Wrap `value` in objects for the remaining keys: `[a, b]` → `{a: {b: value}}`.
fn nest(steps: &[Step], value: &Json) -> Result<Json, EditError> {
    let mut out = value.clone();
    for step in steps.iter().rev() {
        match step {
            Step::Key(k) => {
                let mut map = serde_json::Map::new();
                map.insert(k.clone(), out);
                out = Json::Object(map);
            }
            _ => return Err(EditError::Declined("cannot create array elements".into())),
        }
    }
    Ok(out)
}

/// The innermost node spanning exactly `span`.
pub(crate) fn node_at(root: Node<'_>, span: Span) -> Option<Node<'_>> {
    let node = root.descendant_for_byte_range(span.start, span.end)?;
    (node.start_byte() == span.start && node.end_byte() == span.end).then_some(node)
}

#[cfg(test)]
mod tests;
