//! Pulumi resources in TypeScript: `new aws.s3.Bucket("name", { ... }, opts)`.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;
use tree_sitter::Node;

use super::scope::{Bindings, Extracted, node_text, preorder};
use super::syntax::{Field, Kind, Syntax};
use super::text::{negate, number, unescape};
use super::token::{ImportTarget, type_token, typescript_module};
use super::value::{Flat, Item, MAX_DEPTH, Obj, Val, attribute_of, resource_options, through};
use super::writes::Writes;
use super::{Reference, Resource, Span, node_span_position};

pub(crate) fn extract(root: Node<'_>, text: &str, syn: &'static Syntax) -> Extracted {
    let mut file = File {
        text,
        syn,
        imports: HashMap::new(),
        bindings: Bindings::default(),
    };
    let mut constructors = Vec::new();
    let mut calls = Vec::new();
    preorder(root, |node| {
        match syn.kind(node) {
            Kind::NewExpression => constructors.push(node),
            Kind::CallExpression => calls.push(node),
            Kind::ImportStatement => file.import(node),
            Kind::VariableDeclarator => file.declarator(node),
            _ => file.binding_site(node),
        }
        true
    });
    // Calls are judged once every import and binding is known.
    for &node in calls.iter().chain(&constructors) {
        file.call_site(node);
    }
    Extracted::read(
        constructors,
        file.provider_names(),
        |node| file.resource(node),
        |node| file.unread_root(node),
    )
}

struct File<'t> {
    text: &'t str,
    syn: &'static Syntax,
    imports: HashMap<&'t str, ImportTarget>,
    bindings: Bindings<'t>,
}

impl<'t> File<'t> {
    /// Local names that refer to a provider package (or a module or class in one).
    fn provider_names(&self) -> BTreeSet<String> {
        self.imports
            .keys()
            .filter(|name| self.bindings.is_unique(name))
            .map(|name| (*name).to_string())
            .collect()
    }

    fn text(&self, node: Node<'_>) -> &'t str {
        node_text(self.text, node)
    }

    fn import(&mut self, node: Node<'t>) {
        let source = self
            .syn
            .field(node, Field::Source)
            .and_then(|s| self.string(s))
            .and_then(|s| typescript_module(&s));
        for child in self.syn.named_children(node) {
            match self.syn.kind(child) {
                Kind::ImportClause => {
                    for part in self.syn.named_children(child) {
                        match self.syn.kind(part) {
                            // `import aws from "@pulumi/aws"` (esModuleInterop)
                            Kind::Identifier => self.bind_import(part, source.clone(), None),
                            // `import * as aws from "@pulumi/aws"`
                            Kind::NamespaceImport => {
                                if let Some(id) = self
                                    .syn
                                    .named_children(part)
                                    .find(|n| self.syn.kind(*n) == Kind::Identifier)
                                {
                                    self.bind_import(id, source.clone(), None);
                                }
                            }
                            // `import { s3, ec2 as network } from "@pulumi/aws"`
                            Kind::NamedImports => {
                                for spec in self
                                    .syn
                                    .named_children(part)
                                    .filter(|n| self.syn.kind(*n) == Kind::ImportSpecifier)
                                {
                                    let Some(name) = self.syn.field(spec, Field::Name) else {
                                        continue;
                                    };
                                    let imported = match self.syn.kind(name) {
                                        Kind::String => self.string(name),
                                        _ => Some(self.text(name).to_string()),
                                    };
                                    let local = self.syn.field(spec, Field::Alias).unwrap_or(name);
                                    self.bind_import(local, source.clone(), imported);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                // `import aws = require("@pulumi/aws")`
                Kind::ImportRequireClause => {
                    let target = self
                        .syn
                        .field(child, Field::Source)
                        .and_then(|s| self.string(s))
                        .and_then(|s| typescript_module(&s));
                    if let Some(id) = self
                        .syn
                        .named_children(child)
                        .find(|n| self.syn.kind(*n) == Kind::Identifier)
                    {
                        self.bind_import(id, target, None);
                    }
                }
                _ => {}
            }
        }
    }

    fn bind_import(
        &mut self,
        local: Node<'t>,
        target: Option<ImportTarget>,
        member: Option<String>,
    ) {
        let name = self.text(local);
        let target = target.map(|mut t| {
            t.path.extend(member);
            t
        });
        // The same import under the same name again changes nothing it refers to.
        if target.is_some() && self.imports.get(name) == target.as_ref() {
            return;
        }
        self.bindings.bind(name);
        if let Some(target) = target {
            self.imports.insert(name, target);
        }
    }

    /// `const x = …`, `let y`, `const { a } = …`, `const aws = require("@pulumi/aws")`.
    fn declarator(&mut self, node: Node<'t>) {
        let Some(name) = self.syn.field(node, Field::Name) else {
            return;
        };
        if self.syn.kind(name) != Kind::Identifier {
            self.bind_pattern(name);
            return;
        }
        let local = self.text(name);
        self.bindings.bind(local);
        let Some(value) = self.syn.field(node, Field::Value) else {
            return;
        };
        if let Some(target) = self.require_call(value) {
            self.imports.insert(local, target);
            return;
        }
        let is_const = node
            .parent()
            .and_then(|decl| self.syn.field(decl, Field::Kind))
            .is_some_and(|kind| self.syn.kind(kind) == Kind::Const);
        if is_const {
            self.bindings.define(local, value);
        }
    }

    fn require_call(&self, value: Node<'_>) -> Option<ImportTarget> {
        if self.syn.kind(value) != Kind::CallExpression {
            return None;
        }
        let function = self.syn.field(value, Field::Function)?;
        if self.text(function) != "require" {
            return None;
        }
        let args = self.syn.field(value, Field::Arguments)?;
        let first = self.syn.named_children(args).next()?;
        typescript_module(&self.string(first)?)
    }

    fn writes(&mut self) -> Writes<'_, 't> {
        Writes {
            syn: self.syn,
            text: self.text,
            bindings: &mut self.bindings,
        }
    }

    /// A call or `new` that may write into the constants it is handed.
    fn call_site(&mut self, node: Node<'t>) {
        let callee = self
            .syn
            .field(node, Field::Function)
            .or_else(|| self.syn.field(node, Field::Constructor));
        let Some(callee) = callee else { return };
        let provider = self.type_of(callee).is_some() || self.provider_function(callee);
        let arguments = self.syn.field(node, Field::Arguments);
        self.writes().call(callee, arguments, provider);
    }

    /// `aws.getCallerIdentity(…)`, `aws.s3.getBucket(…)`: a provider function reads its
    /// arguments.
    fn provider_function(&self, mut callee: Node<'_>) -> bool {
        while self.syn.kind(callee) == Kind::MemberExpression {
            match self.syn.field(callee, Field::Object) {
                Some(object) => callee = object,
                None => return false,
            }
        }
        let root = self.text(callee);
        self.syn.kind(callee) == Kind::Identifier
            && self.bindings.is_unique(root)
            && self.imports.contains_key(root)
    }

    /// Every other place a name can be bound; each makes a same-named `const` ambiguous.
    fn binding_site(&mut self, node: Node<'t>) {
        match self.syn.kind(node) {
            Kind::AssignmentExpression | Kind::AugmentedAssignmentExpression => {
                if let Some(left) = self.syn.field(node, Field::Left) {
                    self.writes().target(left);
                }
            }
            Kind::UpdateExpression => {
                if let Some(argument) = self.syn.field(node, Field::Argument) {
                    self.writes().target(argument);
                }
            }
            Kind::UnaryExpression => {
                let delete = self
                    .syn
                    .field(node, Field::Operator)
                    .is_some_and(|op| self.text(op) == "delete");
                if delete && let Some(argument) = self.syn.field(node, Field::Argument) {
                    self.writes().target(argument);
                }
            }
            _ => {}
        }
        let field = match self.syn.kind(node) {
            Kind::RequiredParameter | Kind::OptionalParameter => Field::Pattern,
            Kind::ArrowFunction | Kind::CatchClause => Field::Parameter,
            Kind::FunctionDeclaration
            | Kind::GeneratorFunctionDeclaration
            | Kind::FunctionExpression
            | Kind::ClassDeclaration
            | Kind::Class
            | Kind::EnumDeclaration => Field::Name,
            Kind::ForInStatement
            | Kind::AssignmentExpression
            | Kind::AugmentedAssignmentExpression => Field::Left,
            _ => return,
        };
        if let Some(target) = self.syn.field(node, field) {
            self.bind_pattern(target);
        }
    }

    fn bind_pattern(&mut self, pattern: Node<'t>) {
        match self.syn.kind(pattern) {
            Kind::Identifier | Kind::ShorthandPropertyIdentifierPattern => {
                self.bindings.bind(self.text(pattern));
            }
            Kind::ObjectPattern
            | Kind::ArrayPattern
            | Kind::PairPattern
            | Kind::RestPattern
            | Kind::AssignmentPattern
            | Kind::ObjectAssignmentPattern => {
                for child in self.syn.named_children(pattern) {
                    // In `{ key: local }` only the value side binds.
                    if self.syn.kind(pattern) == Kind::PairPattern
                        && self.syn.field(pattern, Field::Key) == Some(child)
                    {
                        continue;
                    }
                    self.bind_pattern(child);
                }
            }
            _ => {}
        }
    }

    fn resource(&self, node: Node<'t>) -> Option<Resource> {
        let constructor = self.syn.field(node, Field::Constructor)?;
        let token = self.type_of(constructor)?;
        let args: Vec<Node<'_>> = self
            .syn
            .field(node, Field::Arguments)
            .map(|a| self.syn.named_children(a).collect())
            .unwrap_or_default();
        let spread = args
            .iter()
            .any(|a| self.syn.kind(*a) == Kind::SpreadElement);
        let name_node = args.first().filter(|_| !spread);
        let name = name_node.and_then(|n| match self.eval(*n, 0) {
            Val::Scalar(Json::String(s)) => Some(s),
            _ => None,
        });
        let name_expr = name_node.map_or_else(String::new, |n| self.text(*n).to_string());

        let props = if spread {
            None
        } else {
            match args.get(1) {
                None => Some(Obj::default()),
                Some(arg) => match self.eval(*arg, 0) {
                    Val::Object(obj) => Some(obj),
                    Val::Absent => Some(Obj::default()),
                    _ => None,
                },
            }
        };
        let options = args
            .get(2)
            .filter(|_| !spread)
            .and_then(|o| resource_options(self.eval(*o, 0), Span::of(*o)));
        let flat = Flat::from_args(props.as_ref());
        let ((line, column), (end_line, end_column)) = node_span_position(self.text, node);
        Some(Resource {
            type_token: token,
            name,
            name_expr,
            span: Span::of(node),
            line,
            column,
            end_line,
            end_column,
            properties: flat.properties,
            sites: flat.sites,
            unknown: flat.unknown,
            open: flat.open,
            options,
            binding: self.binding_of(node),
            references: flat.references,
            component: None,
        })
    }

    /// `aws.s3.Bucket` → `aws:s3/bucket:Bucket`, when `aws` is a Pulumi provider import.
    fn type_of(&self, reference: Node<'_>) -> Option<String> {
        let (root, token) = self.constructor(reference)?;
        self.bindings.is_unique(root).then_some(token)
    }

    /// The import name a `new` expression goes through, when it was not read only because the
    /// file binds that name more than once.
    fn unread_root(&self, node: Node<'_>) -> Option<&'t str> {
        let (root, _) = self.constructor(self.syn.field(node, Field::Constructor)?)?;
        (!self.bindings.is_unique(root)).then_some(root)
    }

    /// The import name and type token a constructor reference names, however often the name
    /// is bound.
    fn constructor(&self, mut reference: Node<'_>) -> Option<(&'t str, String)> {
        let mut segments = Vec::new();
        loop {
            match self.syn.kind(reference) {
                Kind::MemberExpression => {
                    let property = self.syn.field(reference, Field::Property)?;
                    segments.push(self.text(property).to_string());
                    reference = self.syn.field(reference, Field::Object)?;
                }
                Kind::Identifier => break,
                _ => return None,
            }
        }
        let root = self.text(reference);
        let target = self.imports.get(root)?;
        segments.reverse();
        let mut path = target.path.clone();
        path.extend(segments);
        Some((root, type_token(&target.package, &path)?))
    }

    fn string(&self, node: Node<'_>) -> Option<String> {
        if !matches!(self.syn.kind(node), Kind::String | Kind::TemplateString) {
            return None;
        }
        let mut out = String::new();
        for part in self.syn.named_children(node) {
            match self.syn.kind(part) {
                Kind::StringFragment => out.push_str(self.text(part)),
                Kind::EscapeSequence => out.push_str(&unescape(self.text(part))?),
                // `${…}` in a template, or anything unexpected.
                _ => return None,
            }
        }
        Some(out)
    }

    fn eval(&self, node: Node<'_>, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        match self.syn.kind(node) {
            Kind::String | Kind::TemplateString => self
                .string(node)
                .map_or(Val::Unknown, |s| Val::Scalar(Json::String(s))),
            Kind::Number => number(self.text(node)).map_or(Val::Unknown, Val::Scalar),
            Kind::True => Val::Scalar(Json::Bool(true)),
            Kind::False => Val::Scalar(Json::Bool(false)),
            Kind::Null | Kind::Undefined => Val::Absent,
            Kind::UnaryExpression => self.unary(node, depth),
            Kind::ParenthesizedExpression
            | Kind::AsExpression
            | Kind::SatisfiesExpression
            | Kind::NonNullExpression
            | Kind::TypeAssertion => {
                // The expression is the first named child; the rest is a type.
                self.syn
                    .named_children(node)
                    .find(|c| self.syn.kind(*c) != Kind::TypeArguments)
                    .map_or(Val::Unknown, |inner| self.eval(inner, depth + 1))
            }
            Kind::Identifier => self.resolve(self.text(node), depth),
            Kind::MemberExpression | Kind::SubscriptExpression => self.member(node, depth),
            Kind::Object => Val::Object(self.object(node, depth)),
            Kind::Array => self.array(node, depth),
            _ => Val::Unknown,
        }
    }

    fn unary(&self, node: Node<'_>, depth: usize) -> Val {
        let (Some(op), Some(arg)) = (
            self.syn.field(node, Field::Operator),
            self.syn.field(node, Field::Argument),
        ) else {
            return Val::Unknown;
        };
        match (self.text(op), self.eval(arg, depth + 1)) {
            ("-", Val::Scalar(n)) => negate(&n).map_or(Val::Unknown, Val::Scalar),
            ("+", Val::Scalar(n)) if n.is_number() => Val::Scalar(n),
            ("!", Val::Scalar(Json::Bool(b))) => Val::Scalar(Json::Bool(!b)),
            _ => Val::Unknown,
        }
    }

    /// A `const` defined exactly once in the file, evaluated where it is written; a reference
    /// when it holds a resource.
    fn resolve(&self, name: &str, depth: usize) -> Val {
        match self.bindings.definition(name) {
            Some(value) if self.is_resource(value) => Val::Ref(Reference {
                binding: name.to_string(),
                attribute: None,
            }),
            Some(value) => through(self.eval(value, depth + 1), name),
            None => Val::Unknown,
        }
    }

    /// Whether `node` constructs a provider resource.
    fn is_resource(&self, node: Node<'_>) -> bool {
        self.syn.kind(node) == Kind::NewExpression
            && self
                .syn
                .field(node, Field::Constructor)
                .and_then(|c| self.type_of(c))
                .is_some()
    }

    /// The name a constructor call is assigned to: `site` in `const site = new …`.
    fn binding_of(&self, node: Node<'_>) -> Option<String> {
        let parent = node.parent()?;
        if self.syn.kind(parent) != Kind::VariableDeclarator {
            return None;
        }
        let value = self.syn.field(parent, Field::Value)?;
        let name = self.syn.field(parent, Field::Name)?;
        (value.id() == node.id() && self.syn.kind(name) == Kind::Identifier)
            .then(|| self.text(name).to_string())
    }

    /// `cfg.acl` or `cfg["acl"]` on a known object.
    fn member(&self, node: Node<'_>, depth: usize) -> Val {
        let Some(object) = self.syn.field(node, Field::Object) else {
            return Val::Unknown;
        };
        if let Some(value) = self.misparsed_assertion(node, object) {
            return self.eval(value, depth + 1);
        }
        let key = match self.syn.kind(node) {
            Kind::MemberExpression => self
                .syn
                .field(node, Field::Property)
                .map(|p| self.text(p).to_string()),
            _ => self
                .syn
                .field(node, Field::Index)
                .and_then(|i| self.string(i).or_else(|| Some(self.text(i).to_string()))),
        };
        let Some(key) = key else {
            return Val::Unknown;
        };
        match self.eval(object, depth + 1) {
            reference @ Val::Ref(_) if self.syn.kind(node) == Kind::MemberExpression => {
                attribute_of(reference, &key)
            }
            Val::Object(obj) => obj
                .entries
                .into_iter()
                .find(|(k, _)| *k == key)
                .map_or(Val::Unknown, |(_, item)| item.val),
            Val::Array(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.into_iter().nth(i))
                .map_or(Val::Unknown, |item| item.val),
            _ => Val::Unknown,
        }
    }

    /// tree-sitter-typescript reads `{…} as aws.kms.KeyArgs` as `({…} as aws.kms).KeyArgs`: a
    /// member access on an assertion to a qualified type, where the "property" is the type's
    /// last (capitalised) segment. Such a node is the asserted value.
    fn misparsed_assertion<'n>(&self, node: Node<'n>, object: Node<'n>) -> Option<Node<'n>> {
        if self.syn.kind(node) != Kind::MemberExpression
            || !matches!(
                self.syn.kind(object),
                Kind::AsExpression | Kind::SatisfiesExpression
            )
        {
            return None;
        }
        let property = self.syn.field(node, Field::Property)?;
        let mut children = self.syn.named_children(object);
        let value = children.next()?;
        let ty = children.next()?;
        let qualified = matches!(
            self.syn.kind(ty),
            Kind::NestedTypeIdentifier | Kind::TypeIdentifier
        );
        (qualified
            && self
                .text(property)
                .starts_with(|c: char| c.is_ascii_uppercase()))
        .then_some(value)
    }

    fn object(&self, node: Node<'_>, depth: usize) -> Obj {
        let mut obj = Obj::default();
        for child in self.syn.named_children(node) {
            match self.syn.kind(child) {
                Kind::Pair => {
                    let (Some(key), Some(value)) = (
                        self.syn.field(child, Field::Key),
                        self.syn.field(child, Field::Value),
                    ) else {
                        continue;
                    };
                    match self.key(key, depth) {
                        Some(key) => obj.insert(
                            key,
                            Item::new(
                                self.eval(value, depth + 1),
                                Span::of(child),
                                Span::of(value),
                            ),
                        ),
                        // A computed key we cannot name may overwrite anything.
                        None => obj.spread_unknown(),
                    }
                }
                Kind::ShorthandPropertyIdentifier => {
                    let name = self.text(child);
                    let span = Span::of(child);
                    obj.insert(
                        name.to_string(),
                        Item::new(self.resolve(name, depth), span, span),
                    );
                }
                Kind::SpreadElement => {
                    let inner = self.syn.named_children(child).next();
                    match inner.map(|n| self.eval(n, depth + 1)) {
                        Some(Val::Object(spread)) => {
                            if spread.open {
                                obj.spread_unknown();
                            }
                            for (key, item) in spread.entries {
                                obj.insert(key, item);
                            }
                        }
                        Some(Val::Absent) => {}
                        _ => obj.spread_unknown(),
                    }
                }
                Kind::MethodDefinition => {
                    let key = self
                        .syn
                        .field(child, Field::Name)
                        .and_then(|k| self.key(k, depth));
                    match key {
                        Some(key) => {
                            let span = Span::of(child);
                            obj.insert(key, Item::new(Val::Unknown, span, span));
                        }
                        None => obj.spread_unknown(),
                    }
                }
                _ => {}
            }
        }
        obj
    }

    fn key(&self, key: Node<'_>, depth: usize) -> Option<String> {
        match self.syn.kind(key) {
            Kind::PropertyIdentifier | Kind::PrivatePropertyIdentifier => {
                Some(self.text(key).to_string())
            }
            Kind::String => self.string(key),
            Kind::Number => number(self.text(key)).map(|n| n.to_string()),
            Kind::ComputedPropertyName => {
                let inner = self.syn.named_children(key).next()?;
                match self.eval(inner, depth + 1) {
                    Val::Scalar(Json::String(s)) => Some(s),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn array(&self, node: Node<'_>, depth: usize) -> Val {
        let mut items = Vec::new();
        for child in self.syn.named_children(node) {
            if self.syn.kind(child) == Kind::SpreadElement {
                match self
                    .syn
                    .named_children(child)
                    .next()
                    .map(|n| self.eval(n, depth + 1))
                {
                    Some(Val::Array(spread)) => items.extend(spread),
                    // Indices after an unknown spread are unknowable.
                    _ => return Val::Unknown,
                }
                continue;
            }
            let span = Span::of(child);
            items.push(Item::new(self.eval(child, depth + 1), span, span));
        }
        Val::Array(items)
    }
}
