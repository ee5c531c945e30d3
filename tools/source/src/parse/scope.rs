//! Tree helpers and the file-wide view of names that both languages share.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use tree_sitter::Node;

use super::Resource;

/// What a language's reader takes from one file.
pub(crate) struct Extracted {
    pub resources: Vec<Resource>,
    /// Local names bound to a Pulumi provider package by an import.
    pub provider_names: BTreeSet<String>,
    /// Constructor calls through an import's name that were not read because the file binds
    /// that name more than once: name → (byte offset of the first such call, how many).
    pub unread: BTreeMap<String, (usize, usize)>,
}

impl Extracted {
    /// Read every constructor call in `calls` into a resource, counting those left unread
    /// because their import's name is ambiguous (`unread_root`).
    pub fn read<'t>(
        calls: impl IntoIterator<Item = Node<'t>>,
        provider_names: BTreeSet<String>,
        resource: impl Fn(Node<'t>) -> Option<Resource>,
        unread_root: impl Fn(Node<'t>) -> Option<&'t str>,
    ) -> Self {
        let mut out = Self {
            resources: Vec::new(),
            provider_names,
            unread: BTreeMap::new(),
        };
        for node in calls {
            match resource(node) {
                Some(found) => out.resources.push(found),
                None => {
                    if let Some(root) = unread_root(node) {
                        out.unread(root, node.start_byte());
                    }
                }
            }
        }
        out
    }

    /// Count a provider constructor call left unread because `root` is ambiguous.
    pub fn unread(&mut self, root: &str, at: usize) {
        let entry = self.unread.entry(root.to_string()).or_insert((at, 0));
        entry.0 = entry.0.min(at);
        entry.1 += 1;
    }
}

/// Visit nodes in document order without recursion (generated code nests deeply);
/// `visit` returns whether to descend into the node.
pub(crate) fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if visit(node) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

pub(crate) fn node_text<'t>(text: &'t str, node: Node<'_>) -> &'t str {
    text.get(node.byte_range()).unwrap_or("")
}

/// How often each name is bound anywhere in a file, and the literal definitions among them.
///
/// A variable is resolved only when the file binds its name exactly once and that binding is a
/// constant definition: no shadowing, no reassignment, no parameter of the same name, and no
/// write through it (`args.acl = …`, `ARGS["acl"] = …`, `Object.assign(args, …)`, handing it to
/// a function that may change it). Scope analysis this coarse never resolves a name to the
/// wrong value; it only gives up more often.
#[derive(Default)]
pub(crate) struct Bindings<'t> {
    counts: HashMap<&'t str, u32>,
    definitions: HashMap<&'t str, Node<'t>>,
    /// Names whose value something may change after its definition. Kept apart from the counts:
    /// writing through an import's name (`aws.x = 1`) makes nothing it holds a constant, but the
    /// name still refers to the same package.
    mutated: HashSet<&'t str>,
    /// Set when the file may rebind names in ways not written out (`exec`, `eval`, writes
    /// through `globals()`): no definition is trusted.
    poisoned: bool,
}

impl<'t> Bindings<'t> {
    pub fn bind(&mut self, name: &'t str) {
        *self.counts.entry(name).or_default() += 1;
    }

    /// Record the value of a constant binding (already counted with [`Bindings::bind`]).
    pub fn define(&mut self, name: &'t str, value: Node<'t>) {
        self.definitions.insert(name, value);
    }

    /// Something may write into the value bound to `name`.
    pub fn mutate(&mut self, name: &'t str) {
        self.mutated.insert(name);
    }

    /// Something may rebind any name.
    pub fn poison(&mut self) {
        self.poisoned = true;
    }

    pub fn is_bound(&self, name: &str) -> bool {
        self.counts.contains_key(name)
    }

    pub fn is_unique(&self, name: &str) -> bool {
        self.counts.get(name) == Some(&1)
    }

    pub fn definition(&self, name: &str) -> Option<Node<'t>> {
        if self.is_unique(name) && !self.poisoned && !self.mutated.contains(name) {
            self.definitions.get(name).copied()
        } else {
            None
        }
    }
}
