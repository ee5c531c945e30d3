//! The statically evaluated value of an expression, with the spans it came from, and its
//! flattening into a [`Resource`]'s JSON properties, sites and unknown paths.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::{PropertySite, Reference, ResourceOptions, Span, join_path};

/// How deep evaluation follows nesting and variable references; deeper is treated as unknown.
pub(crate) const MAX_DEPTH: usize = 48;

#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// A scalar literal.
    Scalar(Json),
    Object(Obj),
    Array(Vec<Item>),
    /// Explicitly nothing (`undefined`, `null`, `None`): the property is known to be unset.
    Absent,
    /// Not statically known.
    Unknown,
    /// Another resource of the file, or one of its outputs: not known statically either, but
    /// known to come from that resource.
    Ref(Reference),
}

/// An object literal. `open` means keys beyond `entries` may exist (an unknown spread).
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj {
    pub entries: Vec<(String, Item)>,
    pub open: bool,
}

impl Obj {
    /// Insert with JavaScript semantics: a later key replaces an earlier one.
    pub fn insert(&mut self, key: String, item: Item) {
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = item;
        } else {
            self.entries.push((key, item));
        }
    }

    /// An unknown spread: anything before it may have been overwritten.
    pub fn spread_unknown(&mut self) {
        self.open = true;
        for (_, item) in &mut self.entries {
            item.val = Val::Unknown;
        }
    }
}

/// A value together with where it is written.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub val: Val,
    pub entry: Span,
    pub value: Span,
    pub via: Option<String>,
}

impl Item {
    pub fn new(val: Val, entry: Span, value: Span) -> Self {
        Self {
            val,
            entry,
            value,
            via: None,
        }
    }

    /// Mark every site inside as reached through the variable `name`, unless already marked
    /// by a nearer variable.
    pub fn through(mut self, name: &str) -> Self {
        fn mark(item: &mut Item, name: &str) {
            if item.via.is_none() {
                item.via = Some(name.to_string());
            }
            match &mut item.val {
                Val::Object(obj) => obj.entries.iter_mut().for_each(|(_, i)| mark(i, name)),
                Val::Array(items) => items.iter_mut().for_each(|i| mark(i, name)),
                _ => {}
            }
        }
        mark(&mut self, name);
        self
    }
}

/// The flattened form a [`super::Resource`] stores.
#[derive(Debug, Default)]
pub(crate) struct Flat {
    pub properties: Map<String, Json>,
    pub sites: BTreeMap<String, PropertySite>,
    pub unknown: BTreeSet<String>,
    pub open: BTreeSet<String>,
    pub references: BTreeMap<String, Reference>,
}

/// The options a resource was given, from their evaluated expression; `None` when it is
/// explicitly nothing.
pub(crate) fn resource_options(val: Val, span: Span) -> Option<ResourceOptions> {
    let (values, unknown) = match val {
        Val::Absent => return None,
        Val::Object(obj) => {
            let flat = Flat::from_args(Some(&obj));
            let unknown = flat.unknown.into_iter().chain(flat.open).collect();
            (flat.properties, unknown)
        }
        _ => (Map::new(), BTreeSet::from([String::new()])),
    };
    Some(ResourceOptions {
        span,
        values,
        unknown,
    })
}

impl Flat {
    /// Flatten the top-level args object. `None` means the args are not known at all.
    pub fn from_args(args: Option<&Obj>) -> Self {
        let mut flat = Self::default();
        match args {
            Some(obj) => flat.properties = flat.object("", obj),
            None => {
                flat.open.insert(String::new());
            }
        }
        flat
    }

    fn object(&mut self, path: &str, obj: &Obj) -> Map<String, Json> {
        if obj.open {
            self.open.insert(path.to_string());
        }
        let mut out = Map::new();
        for (key, item) in &obj.entries {
            let child = join_path(path, key);
            if let Some(json) = self.item(&child, item) {
                out.insert(key.clone(), json);
            }
        }
        out
    }

    fn item(&mut self, path: &str, item: &Item) -> Option<Json> {
        self.sites.insert(
            path.to_string(),
            PropertySite {
                entry: item.entry,
                value: item.value,
                via: item.via.clone(),
            },
        );
        match &item.val {
            Val::Scalar(json) => Some(json.clone()),
            Val::Object(obj) => Some(Json::Object(self.object(path, obj))),
            Val::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, element) in items.iter().enumerate() {
                    let child = format!("{path}[{i}]");
                    // An unknown element keeps its index so later elements keep theirs.
                    out.push(self.item(&child, element).unwrap_or(Json::Null));
                }
                Some(Json::Array(out))
            }
            Val::Absent => None,
            Val::Unknown => {
                self.unknown.insert(path.to_string());
                None
            }
            Val::Ref(reference) => {
                self.unknown.insert(path.to_string());
                self.references.insert(path.to_string(), reference.clone());
                None
            }
        }
    }
}

/// Values reached through a variable remember its name at every site inside.
pub(crate) fn through(val: Val, name: &str) -> Val {
    match val {
        Val::Object(mut obj) => {
            obj.entries = obj
                .entries
                .into_iter()
                .map(|(k, item)| (k, item.through(name)))
                .collect();
            Val::Object(obj)
        }
        Val::Array(items) => Val::Array(items.into_iter().map(|i| i.through(name)).collect()),
        other => other,
    }
}

/// `site` → `site.id`: an output read from a resource reference; `None` for anything deeper
/// (`site.tags.x`) or for something that is not a reference.
pub(crate) fn attribute_of(val: Val, attribute: &str) -> Val {
    match val {
        Val::Ref(Reference {
            binding,
            attribute: None,
        }) => Val::Ref(Reference {
            binding,
            attribute: Some(attribute.to_string()),
        }),
        _ => Val::Unknown,
    }
}
