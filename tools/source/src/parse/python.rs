//! Pulumi resources in Python: `aws.s3.Bucket("name", acl="private", opts=...)`, or with an args
//! object, `aws.s3.Bucket("name", aws.s3.BucketArgs(acl="private"))` / `args=...`.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;
use tree_sitter::Node;

use super::scope::{Bindings, Extracted, node_text, preorder};
use super::syntax::{Field, Kind, Syntax};
use super::text::{camel_case, negate, number, unescape};
use super::token::{ImportTarget, python_module, python_segment, type_token};
use super::value::{Flat, Item, MAX_DEPTH, Obj, Val, attribute_of, resource_options, through};
use super::writes::Writes;
use super::{Reference, Resource, Span, node_span_position};

/// Map-typed inputs whose keys are user data (`tags={"cost_center": …}`), not property names:
/// Pulumi does not translate them, so neither do we.
pub(crate) const FREE_FORM: &[&str] = &["tags", "tagsAll", "labels", "annotations", "variables"];

pub(crate) fn extract(root: Node<'_>, text: &str, syn: &'static Syntax) -> Extracted {
    let mut file = File {
        text,
        syn,
        imports: HashMap::new(),
        bindings: Bindings::default(),
    };
    let mut calls = Vec::new();
    preorder(root, |node| {
        match syn.kind(node) {
            Kind::Call => calls.push(node),
            Kind::ImportStatement => file.import(node),
            Kind::ImportFromStatement => file.import_from(node),
            Kind::Assignment => file.assignment(node),
            _ => file.binding_site(node),
        }
        true
    });
    // Calls are judged once every import and binding is known.
    for &node in &calls {
        file.call_site(node);
    }
    Extracted::read(
        calls,
        file.provider_names(),
        |node| file.resource(node),
        |node| file.unread_root(node),
    )
}

/// How the keys of a dict literal are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// Property names: snake_case becomes camelCase.
    Properties,
    /// User data: kept as written.
    Verbatim,
}

impl Keys {
    fn for_property(key: &str) -> Self {
        if FREE_FORM.contains(&key) {
            Self::Verbatim
        } else {
            Self::Properties
        }
    }

    fn apply(self, key: String) -> String {
        let snake = key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if self == Self::Properties && snake {
            camel_case(&key)
        } else {
            key
        }
    }
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

    /// `import pulumi_aws as aws`, `import pulumi_aws`, `import pulumi_aws.s3 as s3`.
    fn import(&mut self, node: Node<'t>) {
        for name in self.syn.named_children(node) {
            match self.syn.kind(name) {
                Kind::AliasedImport => {
                    let (Some(module), Some(alias)) = (
                        self.syn.field(name, Field::Name),
                        self.syn.field(name, Field::Alias),
                    ) else {
                        continue;
                    };
                    let target = python_module(self.text(module));
                    self.bind_import(alias, target);
                }
                Kind::DottedName => {
                    // `import pulumi_aws.s3` binds `pulumi_aws`, the package root.
                    let Some(first) = self.syn.named_children(name).next() else {
                        continue;
                    };
                    let target = python_module(self.text(first));
                    self.bind_import(first, target);
                }
                _ => {}
            }
        }
    }

    /// `from pulumi_aws import s3, ec2 as network`, `from pulumi_aws.s3 import Bucket`.
    fn import_from(&mut self, node: Node<'t>) {
        let module = self
            .syn
            .field(node, Field::ModuleName)
            .filter(|m| self.syn.kind(*m) == Kind::DottedName)
            .and_then(|m| python_module(self.text(m)));
        let mut cursor = node.walk();
        let name_field = self.syn.field_id(Field::Name);
        let names: Vec<Node<'t>> = name_field
            .map(|id| node.children_by_field_id(id, &mut cursor).collect())
            .unwrap_or_default();
        for name in names {
            let (imported, local) = match self.syn.kind(name) {
                Kind::AliasedImport => match (
                    self.syn.field(name, Field::Name),
                    self.syn.field(name, Field::Alias),
                ) {
                    (Some(n), Some(a)) => (n, a),
                    _ => continue,
                },
                _ => (name, name),
            };
            let target = module.clone().map(|mut t| {
                t.path
                    .extend(self.text(imported).split('.').map(python_segment));
                t
            });
            self.bind_import(local, target);
        }
    }

    fn bind_import(&mut self, local: Node<'t>, target: Option<ImportTarget>) {
        let name = self.text(local);
        // Importing the same thing under the same name again (`import pulumi_aws` then
        // `import pulumi_aws.s3`, which binds `pulumi_aws` too) changes nothing it refers to.
        if target.is_some() && self.imports.get(name) == target.as_ref() {
            return;
        }
        self.bindings.bind(name);
        if let Some(target) = target {
            self.imports.insert(name, target);
        }
    }

    fn assignment(&mut self, node: Node<'t>) {
        let Some(left) = self.syn.field(node, Field::Left) else {
            return;
        };
        if self.syn.kind(left) != Kind::Identifier {
            self.bind_pattern(left);
            self.writes().target(left);
            return;
        }
        let name = self.text(left);
        self.bindings.bind(name);
        if let Some(right) = self.syn.field(node, Field::Right) {
            self.bindings.define(name, right);
        }
    }

    fn writes(&mut self) -> Writes<'_, 't> {
        Writes {
            syn: self.syn,
            text: self.text,
            bindings: &mut self.bindings,
        }
    }

    /// A call that may write into the constants it is handed.
    fn call_site(&mut self, node: Node<'t>) {
        let Some(function) = self.syn.field(node, Field::Function) else {
            return;
        };
        let provider = self.reference(function).is_some();
        let arguments = self.syn.field(node, Field::Arguments);
        self.writes().call(function, arguments, provider);
    }

    /// Every other place a name can be bound; each makes a same-named variable ambiguous.
    fn binding_site(&mut self, node: Node<'t>) {
        match self.syn.kind(node) {
            Kind::DeleteStatement => {
                let syn = self.syn;
                for target in syn.named_children(node) {
                    self.writes().target(target);
                }
            }
            Kind::AugmentedAssignment => {
                if let Some(left) = self.syn.field(node, Field::Left) {
                    self.bind_pattern(left);
                    self.writes().target(left);
                }
            }
            Kind::ForStatement | Kind::ForInClause => {
                if let Some(left) = self.syn.field(node, Field::Left) {
                    self.bind_pattern(left);
                }
            }
            Kind::FunctionDefinition | Kind::ClassDefinition | Kind::NamedExpression => {
                if let Some(name) = self.syn.field(node, Field::Name) {
                    self.bind_pattern(name);
                }
            }
            Kind::Parameters | Kind::LambdaParameters => {
                for param in self.syn.named_children(node) {
                    let target = match self.syn.kind(param) {
                        Kind::DefaultParameter | Kind::TypedDefaultParameter => {
                            self.syn.field(param, Field::Name)
                        }
                        Kind::TypedParameter
                        | Kind::ListSplatPattern
                        | Kind::DictionarySplatPattern => self.syn.named_children(param).next(),
                        _ => Some(param),
                    };
                    if let Some(target) = target {
                        self.bind_pattern(target);
                    }
                }
            }
            Kind::AsPattern => {
                if let Some(alias) = self.syn.field(node, Field::Alias) {
                    self.bind_pattern(alias);
                }
            }
            Kind::GlobalStatement | Kind::NonlocalStatement => {
                for name in self.syn.named_children(node) {
                    self.bind_pattern(name);
                }
            }
            _ => {}
        }
    }

    fn bind_pattern(&mut self, pattern: Node<'t>) {
        match self.syn.kind(pattern) {
            Kind::Identifier => self.bindings.bind(self.text(pattern)),
            Kind::PatternList
            | Kind::TuplePattern
            | Kind::ListPattern
            | Kind::AsPatternTarget
            | Kind::ListSplatPattern
            | Kind::ParenthesizedExpression
            | Kind::Tuple
            | Kind::List => {
                for child in self.syn.named_children(pattern) {
                    self.bind_pattern(child);
                }
            }
            _ => {}
        }
    }

    /// The reference path of a callee rooted in a Pulumi provider import.
    fn reference(&self, callee: Node<'_>) -> Option<(String, Vec<String>)> {
        let (root, package, path) = self.callee(callee)?;
        self.bindings.is_unique(root).then_some((package, path))
    }

    /// The import name a resource constructor call goes through, when the call was not read
    /// only because the file binds that name more than once.
    fn unread_root(&self, node: Node<'_>) -> Option<&'t str> {
        let (root, package, path) = self.callee(self.syn.field(node, Field::Function)?)?;
        let class = path.last()?;
        let constructor = !class.ends_with("Args") && !class.ends_with("ArgsDict");
        (constructor && !self.bindings.is_unique(root) && type_token(&package, &path).is_some())
            .then_some(root)
    }

    /// The import name, package and path a callee refers to, however often the name is bound.
    fn callee(&self, mut callee: Node<'_>) -> Option<(&'t str, String, Vec<String>)> {
        let mut segments = Vec::new();
        loop {
            match self.syn.kind(callee) {
                Kind::Attribute => {
                    let attr = self.syn.field(callee, Field::Attribute)?;
                    segments.push(python_segment(self.text(attr)));
                    callee = self.syn.field(callee, Field::Object)?;
                }
                Kind::Identifier => break,
                _ => return None,
            }
        }
        let root = self.text(callee);
        let target = self.imports.get(root)?;
        segments.reverse();
        let mut path = target.path.clone();
        path.extend(segments);
        Some((root, target.package.clone(), path))
    }

    /// Whether `node` constructs a provider resource.
    fn is_resource(&self, node: Node<'_>) -> bool {
        self.syn.kind(node) == Kind::Call
            && self
                .syn
                .field(node, Field::Function)
                .and_then(|f| self.reference(f))
                .and_then(|(package, path)| {
                    let class = path.last()?;
                    if class.ends_with("Args") || class.ends_with("ArgsDict") {
                        return None;
                    }
                    type_token(&package, &path)
                })
                .is_some()
    }

    /// The name a constructor call is assigned to: `site` in `site = aws.s3.Bucket(…)`.
    fn binding_of(&self, node: Node<'_>) -> Option<String> {
        let parent = node.parent()?;
        if self.syn.kind(parent) != Kind::Assignment {
            return None;
        }
        let right = self.syn.field(parent, Field::Right)?;
        let left = self.syn.field(parent, Field::Left)?;
        (right.id() == node.id() && self.syn.kind(left) == Kind::Identifier)
            .then(|| self.text(left).to_string())
    }

    fn resource(&self, node: Node<'t>) -> Option<Resource> {
        let (package, path) = self.reference(self.syn.field(node, Field::Function)?)?;
        let class = path.last()?;
        if class.ends_with("Args") || class.ends_with("ArgsDict") {
            return None;
        }
        let token = type_token(&package, &path)?;
        let arguments = self.syn.field(node, Field::Arguments)?;

        let mut positional = Vec::new();
        let mut keywords = Vec::new();
        let mut splats = Vec::new();
        let mut star = self.syn.kind(arguments) != Kind::ArgumentList;
        if !star {
            for arg in self.syn.named_children(arguments) {
                match self.syn.kind(arg) {
                    Kind::KeywordArgument => keywords.push(arg),
                    Kind::ListSplat => star = true,
                    Kind::DictionarySplat => splats.push(arg),
                    _ => positional.push(arg),
                }
            }
        }
        let keyword = |name: &str| {
            keywords.iter().find_map(|k| {
                let key = self.syn.field(*k, Field::Name)?;
                (self.text(key) == name)
                    .then(|| self.syn.field(*k, Field::Value))
                    .flatten()
            })
        };

        let name_node = positional
            .first()
            .copied()
            .or_else(|| keyword("resource_name"));
        let name = name_node.and_then(|n| match self.eval(n, 0, Keys::Properties) {
            Val::Scalar(Json::String(s)) => Some(s),
            _ => None,
        });
        let name_expr = name_node.map_or_else(String::new, |n| self.text(n).to_string());

        // Properties come from an args object (second positional or `args=`), from keyword
        // arguments, and from `**kwargs`.
        let mut props = Obj::default();
        let args_object = positional.get(1).copied().or_else(|| keyword("args"));
        if let Some(args) = args_object {
            match self.eval(args, 0, Keys::Properties) {
                Val::Object(obj) => props = obj,
                Val::Absent => {}
                _ => props.open = true,
            }
        }
        if star && args_object.is_none() {
            props.open = true;
        }
        let options = keyword("opts")
            .or_else(|| positional.get(2).copied())
            .and_then(|o| resource_options(self.options_value(o), Span::of(o)));
        // The SDK's rule (`get_resource_args_opts`): with an Args instance, positional or
        // `args=`, every other keyword but `opts` is dropped. When it cannot tell whether the
        // args object is one, a keyword may or may not count.
        let keywords_count = match args_object.map(|a| self.is_args_instance(a, 0)) {
            None | Some(Some(false)) => Some(true),
            Some(Some(true)) => Some(false),
            Some(None) => None,
        };
        if keywords_count == Some(false) {
            keywords.clear();
            splats.clear();
        }
        for kw in &keywords {
            let (Some(key), Some(value)) = (
                self.syn.field(*kw, Field::Name),
                self.syn.field(*kw, Field::Value),
            ) else {
                continue;
            };
            let key = self.text(key);
            if matches!(key, "resource_name" | "args" | "opts") {
                continue;
            }
            let key = camel_case(key);
            let keys = Keys::for_property(&key);
            let val = match keywords_count {
                Some(_) => self.eval(value, 0, keys),
                None => Val::Unknown,
            };
            props.insert(key, Item::new(val, Span::of(*kw), Span::of(value)));
        }
        for splat in splats {
            match self
                .syn
                .named_children(splat)
                .next()
                .map(|n| self.eval(n, 0, Keys::Properties))
            {
                Some(Val::Object(obj)) => {
                    props.open |= obj.open;
                    for (key, item) in obj.entries {
                        props.insert(key, item);
                    }
                }
                // Python rejects a keyword given twice, so explicit keywords stay known.
                _ => props.open = true,
            }
        }

        let flat = Flat::from_args(Some(&props));
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

    /// `pulumi.ResourceOptions(protect=True, ignore_changes=["acl"])`, or a constant holding it.
    fn options_value(&self, node: Node<'_>) -> Val {
        let node = match self.syn.kind(node) {
            Kind::Identifier => match self.bindings.definition(self.text(node)) {
                Some(value) => value,
                None => return Val::Unknown,
            },
            _ => node,
        };
        let is_options = self.syn.kind(node) == Kind::Call
            && self.syn.field(node, Field::Function).is_some_and(|f| {
                matches!(
                    self.text(f),
                    "pulumi.ResourceOptions" | "ResourceOptions" | "pulumi.CustomResourceOptions"
                )
            });
        if !is_options {
            return self.eval(node, 0, Keys::Properties);
        }
        let mut obj = Obj::default();
        let Some(arguments) = self.syn.field(node, Field::Arguments) else {
            return Val::Unknown;
        };
        for arg in self.syn.named_children(arguments) {
            let (Some(key), Some(value)) = (
                self.syn.field(arg, Field::Name),
                self.syn.field(arg, Field::Value),
            ) else {
                obj.open = true;
                continue;
            };
            let val = self.eval(value, 1, Keys::Verbatim);
            obj.insert(
                camel_case(self.text(key)),
                Item::new(val, Span::of(arg), Span::of(value)),
            );
        }
        Val::Object(obj)
    }

    /// Whether `node` is an instance of a provider Args class (`aws.s3.BucketArgs(…)`, or a
    /// constant holding one); `None` when that cannot be known statically.
    fn is_args_instance(&self, node: Node<'_>, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.syn.kind(node) {
            Kind::Call => {
                let function = self.syn.field(node, Field::Function)?;
                let (_, path) = self.reference(function)?;
                Some(path.last()?.ends_with("Args"))
            }
            Kind::Dictionary | Kind::None => Some(false),
            Kind::ParenthesizedExpression => {
                self.is_args_instance(self.syn.named_children(node).next()?, depth + 1)
            }
            Kind::Identifier => {
                let value = self.bindings.definition(self.text(node))?;
                self.is_args_instance(value, depth + 1)
            }
            _ => None,
        }
    }

    fn string(&self, node: Node<'_>) -> Option<String> {
        let mut out = String::new();
        let mut raw = false;
        for part in self.syn.named_children(node) {
            match self.syn.kind(part) {
                Kind::StringStart => {
                    let prefix = self
                        .text(part)
                        .trim_end_matches(['"', '\''])
                        .to_ascii_lowercase();
                    if prefix.contains('b') {
                        return None;
                    }
                    raw = prefix.contains('r');
                }
                Kind::StringContent => self.string_content(part, raw, &mut out)?,
                Kind::StringEnd => {}
                // `{…}` in an f-string.
                _ => return None,
            }
        }
        Some(out)
    }

    /// Content text with its escape children decoded (they are children; plain text is not).
    fn string_content(&self, content: Node<'_>, raw: bool, out: &mut String) -> Option<()> {
        if raw {
            out.push_str(self.text(content));
            return Some(());
        }
        let mut at = content.start_byte();
        for escape in self.syn.named_children(content) {
            out.push_str(self.text.get(at..escape.start_byte())?);
            let written = self.text(escape);
            match self.syn.kind(escape) {
                Kind::EscapeSequence => out.push_str(&unescape(written)?),
                Kind::EscapeInterpolation => out.push_str(&written[..1]),
                _ => return None,
            }
            at = escape.end_byte();
        }
        out.push_str(self.text.get(at..content.end_byte())?);
        Some(())
    }

    fn eval(&self, node: Node<'_>, depth: usize, keys: Keys) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        let scalar = |v: Option<Json>| v.map_or(Val::Unknown, Val::Scalar);
        match self.syn.kind(node) {
            Kind::String => scalar(self.string(node).map(Json::String)),
            Kind::ConcatenatedString => {
                let parts: Option<String> = self
                    .syn
                    .named_children(node)
                    .map(|s| self.string(s))
                    .collect();
                scalar(parts.map(Json::String))
            }
            Kind::Integer | Kind::Float => scalar(number(self.text(node))),
            Kind::True => Val::Scalar(Json::Bool(true)),
            Kind::False => Val::Scalar(Json::Bool(false)),
            Kind::None => Val::Absent,
            Kind::UnaryOperator => {
                let (Some(op), Some(arg)) = (
                    self.syn.field(node, Field::Operator),
                    self.syn.field(node, Field::Argument),
                ) else {
                    return Val::Unknown;
                };
                match (self.text(op), self.eval(arg, depth + 1, keys)) {
                    ("-", Val::Scalar(n)) => scalar(negate(&n)),
                    ("+", Val::Scalar(n)) if n.is_number() => Val::Scalar(n),
                    _ => Val::Unknown,
                }
            }
            Kind::NotOperator => match self
                .syn
                .field(node, Field::Argument)
                .map(|a| self.eval(a, depth + 1, keys))
            {
                Some(Val::Scalar(Json::Bool(b))) => Val::Scalar(Json::Bool(!b)),
                _ => Val::Unknown,
            },
            Kind::ParenthesizedExpression => self
                .syn
                .named_children(node)
                .next()
                .map_or(Val::Unknown, |inner| self.eval(inner, depth + 1, keys)),
            Kind::Identifier => {
                let name = self.text(node);
                match self.bindings.definition(name) {
                    Some(value) if self.is_resource(value) => Val::Ref(Reference {
                        binding: name.to_string(),
                        attribute: None,
                    }),
                    Some(value) => through(self.eval(value, depth + 1, keys), name),
                    None => Val::Unknown,
                }
            }
            Kind::Attribute => match (
                self.syn.field(node, Field::Object),
                self.syn.field(node, Field::Attribute),
            ) {
                (Some(object), Some(attribute)) => attribute_of(
                    self.eval(object, depth + 1, keys),
                    &camel_case(self.text(attribute)),
                ),
                _ => Val::Unknown,
            },
            Kind::Subscript => self.subscript(node, depth, keys),
            Kind::List | Kind::Tuple => self.sequence(node, depth, keys),
            Kind::Dictionary => self.dictionary(node, depth, keys),
            Kind::Call => self.args_call(node, depth),
            _ => Val::Unknown,
        }
    }

    fn subscript(&self, node: Node<'_>, depth: usize, keys: Keys) -> Val {
        let (Some(value), Some(index)) = (
            self.syn.field(node, Field::Value),
            self.syn.field(node, Field::Subscript),
        ) else {
            return Val::Unknown;
        };
        match (
            self.eval(value, depth + 1, keys),
            self.eval(index, depth + 1, keys),
        ) {
            (Val::Object(obj), Val::Scalar(Json::String(key))) => {
                let key = keys.apply(key);
                obj.entries
                    .into_iter()
                    .find(|(k, _)| *k == key)
                    .map_or(Val::Unknown, |(_, item)| item.val)
            }
            (Val::Array(items), Val::Scalar(Json::Number(n))) => n
                .as_u64()
                .and_then(|i| items.into_iter().nth(usize::try_from(i).ok()?))
                .map_or(Val::Unknown, |item| item.val),
            _ => Val::Unknown,
        }
    }

    fn sequence(&self, node: Node<'_>, depth: usize, keys: Keys) -> Val {
        let mut items = Vec::new();
        for child in self.syn.named_children(node) {
            if self.syn.kind(child) == Kind::ListSplat {
                match self
                    .syn
                    .named_children(child)
                    .next()
                    .map(|n| self.eval(n, depth + 1, keys))
                {
                    Some(Val::Array(spread)) => items.extend(spread),
                    _ => return Val::Unknown,
                }
                continue;
            }
            let span = Span::of(child);
            items.push(Item::new(self.eval(child, depth + 1, keys), span, span));
        }
        Val::Array(items)
    }

    fn dictionary(&self, node: Node<'_>, depth: usize, keys: Keys) -> Val {
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
                    match self.eval(key, depth + 1, Keys::Verbatim) {
                        Val::Scalar(Json::String(key)) => {
                            let key = keys.apply(key);
                            let inner = Keys::for_property(&key);
                            let val = self.eval(value, depth + 1, inner);
                            obj.insert(key, Item::new(val, Span::of(child), Span::of(value)));
                        }
                        _ => obj.spread_unknown(),
                    }
                }
                Kind::DictionarySplat => {
                    match self
                        .syn
                        .named_children(child)
                        .next()
                        .map(|n| self.eval(n, depth + 1, keys))
                    {
                        Some(Val::Object(spread)) => {
                            if spread.open {
                                obj.spread_unknown();
                            }
                            for (key, item) in spread.entries {
                                obj.insert(key, item);
                            }
                        }
                        _ => obj.spread_unknown(),
                    }
                }
                _ => {}
            }
        }
        Val::Object(obj)
    }

    /// `aws.s3.BucketArgs(acl="private")`, `aws.ec2.SecurityGroupIngressArgs(...)`, `dict(...)`.
    fn args_call(&self, node: Node<'_>, depth: usize) -> Val {
        let Some(function) = self.syn.field(node, Field::Function) else {
            return Val::Unknown;
        };
        let is_args_class = self
            .reference(function)
            .and_then(|(_, path)| path.last().cloned())
            .is_some_and(|class| class.ends_with("Args") || class.ends_with("ArgsDict"));
        let is_dict = self.syn.kind(function) == Kind::Identifier
            && self.text(function) == "dict"
            && !self.bindings.is_bound("dict");
        if !is_args_class && !is_dict {
            return Val::Unknown;
        }
        let Some(arguments) = self.syn.field(node, Field::Arguments) else {
            return Val::Unknown;
        };
        let mut obj = Obj::default();
        for arg in self.syn.named_children(arguments) {
            match self.syn.kind(arg) {
                Kind::KeywordArgument => {
                    let (Some(key), Some(value)) = (
                        self.syn.field(arg, Field::Name),
                        self.syn.field(arg, Field::Value),
                    ) else {
                        continue;
                    };
                    let key = camel_case(self.text(key));
                    let keys = Keys::for_property(&key);
                    let val = self.eval(value, depth + 1, keys);
                    obj.insert(key, Item::new(val, Span::of(arg), Span::of(value)));
                }
                Kind::DictionarySplat => {
                    match self
                        .syn
                        .named_children(arg)
                        .next()
                        .map(|n| self.eval(n, depth + 1, Keys::Properties))
                    {
                        Some(Val::Object(spread)) => {
                            obj.open |= spread.open;
                            for (key, item) in spread.entries {
                                obj.insert(key, item);
                            }
                        }
                        _ => obj.open = true,
                    }
                }
                // Positional arguments of args classes map to fields by order, which needs the
                // provider schema; treat them as unknown keys.
                _ => obj.open = true,
            }
        }
        Val::Object(obj)
    }
}
