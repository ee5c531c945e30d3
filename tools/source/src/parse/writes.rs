//! Writes through a name, in either language: what stops a constant from being one.
//!
//! `const args = { acl: "private" }` is the value the program deploys only if nothing writes
//! into it afterwards. A member or subscript assignment, a mutating method, `Object.assign`,
//! `setattr`, or handing the object to a function that may do any of these all change what the
//! resource receives, so each marks the name as mutated and the source model stops resolving
//! it. Writes through `globals()`/`globalThis` or code built at run time (`eval`, `exec`) can
//! rebind any name, so they make every definition in the file unknown.

use tree_sitter::Node;

use super::scope::{Bindings, node_text};
use super::syntax::{Field, Kind, Syntax};

/// Methods that change their receiver (arrays, maps, sets, dicts, lists).
const MUTATING_METHODS: &[&str] = &[
    "push",
    "pop",
    "shift",
    "unshift",
    "splice",
    "sort",
    "reverse",
    "fill",
    "copyWithin",
    "set",
    "delete",
    "add",
    "clear",
    "update",
    "setdefault",
    "popitem",
    "append",
    "extend",
    "insert",
    "remove",
    "discard",
    "__setitem__",
    "__setattr__",
    "__delitem__",
    "__delattr__",
];

/// Functions known not to change the objects handed to them. Anything else that receives a
/// constant (other than a provider's own constructors, checked by the caller) may write into it.
const PURE_FUNCTIONS: &[&str] = &[
    "JSON.stringify",
    "Object.freeze",
    "Object.keys",
    "Object.values",
    "Object.entries",
    "String",
    "Number",
    "Boolean",
    "Array.isArray",
    "console.log",
    "print",
    "len",
    "str",
    "repr",
    "isinstance",
    "sorted",
    "dict",
    "list",
    "tuple",
    "json.dumps",
];

/// Functions that write into their first argument.
const WRITING_FUNCTIONS: &[&str] = &[
    "Object.assign",
    "Object.defineProperty",
    "Object.defineProperties",
    "Object.setPrototypeOf",
    "Reflect.set",
    "Reflect.defineProperty",
    "Reflect.deleteProperty",
    "Reflect.setPrototypeOf",
    "setattr",
    "delattr",
];

/// Names that hold the module's own variables: a write through them rebinds a variable.
const NAMESPACES: &[&str] = &[
    "globalThis",
    "window",
    "global",
    "globals",
    "vars",
    "locals",
];

/// Functions that run code built from strings.
const CODE_RUNNERS: &[&str] = &["eval", "exec", "Function", "compile"];

pub(crate) struct Writes<'a, 't> {
    pub syn: &'static Syntax,
    pub text: &'t str,
    pub bindings: &'a mut Bindings<'t>,
}

impl<'t> Writes<'_, 't> {
    /// An assignment (plain or augmented), update or `del`/`delete` target: a member or
    /// subscript target writes into its root's value.
    pub fn target(&mut self, target: Node<'t>) {
        match self.syn.kind(target) {
            Kind::MemberExpression
            | Kind::SubscriptExpression
            | Kind::Attribute
            | Kind::Subscript => {
                if let Some(name) = self.namespace_key(target) {
                    self.bindings.mutate(name);
                } else if self.is_namespace(self.root(target)) {
                    self.bindings.poison();
                } else if let Some(name) = self.root_name(target) {
                    self.bindings.mutate(name);
                }
            }
            // `a.x, b = …` and `(a.x) = …`: each part is a target.
            Kind::PatternList
            | Kind::TuplePattern
            | Kind::ListPattern
            | Kind::Tuple
            | Kind::List
            | Kind::ParenthesizedExpression
            | Kind::ExpressionList
            | Kind::ArrayPattern
            | Kind::ObjectPattern
            | Kind::PairPattern => {
                for child in self.syn.named_children(target) {
                    self.target(child);
                }
            }
            _ => {}
        }
    }

    /// A call: a writing function or mutating method writes into its subject, a function that
    /// is not known to be pure may write into anything handed to it, and code runners may
    /// rebind anything. `provider` says whether the callee is a provider's own class (resource
    /// or Args constructor), which only reads its arguments.
    pub fn call(&mut self, callee: Node<'t>, arguments: Option<Node<'t>>, provider: bool) {
        let callee_text: String = node_text(self.text, callee)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if CODE_RUNNERS.contains(&callee_text.as_str()) {
            self.bindings.poison();
            return;
        }
        let arguments: Vec<Node<'t>> = arguments
            .map(|a| {
                self.syn
                    .named_children(a)
                    .map(|arg| self.unwrap_argument(arg))
                    .collect()
            })
            .unwrap_or_default();
        if WRITING_FUNCTIONS.contains(&callee_text.as_str()) {
            if let Some(first) = arguments.first() {
                self.target_or_name(*first);
            }
            return;
        }
        if matches!(
            self.syn.kind(callee),
            Kind::MemberExpression | Kind::Attribute
        ) {
            let method = self
                .syn
                .field(callee, Field::Property)
                .or_else(|| self.syn.field(callee, Field::Attribute))
                .map(|m| node_text(self.text, m));
            if method.is_some_and(|m| MUTATING_METHODS.contains(&m))
                && let Some(object) = self.syn.field(callee, Field::Object)
            {
                self.target_or_name(object);
            }
        }
        let pure = provider
            || PURE_FUNCTIONS.contains(&callee_text.as_str())
            || callee_text.starts_with("pulumi.");
        if !pure {
            for argument in arguments {
                if let Some(name) = self.root_name(argument) {
                    self.bindings.mutate(name);
                }
            }
        }
    }

    /// `x` or `x.a[0]`: the value of `x` is written into.
    fn target_or_name(&mut self, node: Node<'t>) {
        if self.is_namespace(self.root(node)) {
            self.bindings.poison();
        } else if let Some(name) = self.root_name(node) {
            self.bindings.mutate(name);
        }
    }

    /// A keyword argument's value, a spread's or splat's operand, or the argument itself.
    fn unwrap_argument(&self, argument: Node<'t>) -> Node<'t> {
        match self.syn.kind(argument) {
            Kind::KeywordArgument => self.syn.field(argument, Field::Value).unwrap_or(argument),
            Kind::SpreadElement | Kind::ListSplat | Kind::DictionarySplat => {
                self.syn.named_children(argument).next().unwrap_or(argument)
            }
            _ => argument,
        }
    }

    /// The innermost object of a member, subscript, call or parenthesised chain.
    fn root(&self, mut node: Node<'t>) -> Node<'t> {
        loop {
            let inner = match self.syn.kind(node) {
                Kind::MemberExpression | Kind::Attribute => self.syn.field(node, Field::Object),
                Kind::SubscriptExpression => self.syn.field(node, Field::Object),
                Kind::Subscript => self.syn.field(node, Field::Value),
                Kind::CallExpression | Kind::Call => self.syn.field(node, Field::Function),
                Kind::ParenthesizedExpression
                | Kind::NonNullExpression
                | Kind::AsExpression
                | Kind::SatisfiesExpression => self.syn.named_children(node).next(),
                _ => None,
            };
            match inner {
                Some(inner) => node = inner,
                None => return node,
            }
        }
    }

    /// The variable at the root of `node`, when it is a plain name (not a call's result).
    fn root_name(&self, node: Node<'t>) -> Option<&'t str> {
        let mut at = node;
        loop {
            let inner = match self.syn.kind(at) {
                Kind::Identifier | Kind::ShorthandPropertyIdentifier => {
                    return Some(node_text(self.text, at));
                }
                Kind::MemberExpression | Kind::Attribute | Kind::SubscriptExpression => {
                    self.syn.field(at, Field::Object)
                }
                Kind::Subscript => self.syn.field(at, Field::Value),
                Kind::ParenthesizedExpression
                | Kind::NonNullExpression
                | Kind::AsExpression
                | Kind::SatisfiesExpression => self.syn.named_children(at).next(),
                _ => None,
            };
            at = inner?;
        }
    }

    fn is_namespace(&self, root: Node<'t>) -> bool {
        let name = node_text(self.text, root);
        NAMESPACES.contains(&name) && !matches!(self.syn.kind(root), Kind::String)
    }

    /// `globals()["ACL"]` or `globalThis.ACL`: the module variable the write rebinds, when the
    /// key is written out.
    fn namespace_key(&self, target: Node<'t>) -> Option<&'t str> {
        let (object, key) = match self.syn.kind(target) {
            Kind::MemberExpression | Kind::Attribute => (
                self.syn.field(target, Field::Object)?,
                self.syn
                    .field(target, Field::Property)
                    .or_else(|| self.syn.field(target, Field::Attribute))?,
            ),
            Kind::SubscriptExpression => (
                self.syn.field(target, Field::Object)?,
                self.syn.field(target, Field::Index)?,
            ),
            Kind::Subscript => (
                self.syn.field(target, Field::Value)?,
                self.syn.field(target, Field::Subscript)?,
            ),
            _ => return None,
        };
        if !self.is_namespace(self.root(object)) || self.root(object) != self.callee_or(object) {
            return None;
        }
        let key = node_text(self.text, key).trim_matches(|c| c == '"' || c == '\'');
        (!key.is_empty()
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        .then_some(key)
    }

    /// `globals()` is the call's function; `globalThis` is itself.
    fn callee_or(&self, node: Node<'t>) -> Node<'t> {
        match self.syn.kind(node) {
            Kind::CallExpression | Kind::Call => {
                self.syn.field(node, Field::Function).unwrap_or(node)
            }
            _ => node,
        }
    }
}
