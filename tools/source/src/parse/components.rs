//! Component resources (`@pulumi/eks`, `@pulumi/awsx` and their Python packages) seen through
//! the resources they create: an `eks.Cluster` with the default public endpoint is an
//! `aws:eks/cluster:Cluster` whose `vpcConfig.endpointPublicAccess` is `true`, at the
//! component's call, so the pack's policies judge it. Each created resource is a [`Resource`] of
//! its own type carrying a [`ComponentOrigin`], which edits go through to reach the component's
//! own arguments.
//!
//! The table below follows each package's documented arguments and defaults. A component of
//! these packages that is not in it is counted in a diagnostic: what it creates is not audited.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::{Diagnostic, DiagnosticLevel, Resource, is_path_prefix, join_path};

/// Packages whose classes are components, not cloud resources.
const COMPONENT_PACKAGES: [&str; 2] = ["awsx", "eks"];

/// Where a created resource's arguments sit in the component's.
enum From {
    /// The component's own arguments.
    Args,
    /// Each element of the array argument `many`, or the object argument `one`; when neither is
    /// given, one resource with `absent` as its arguments.
    Elements {
        one: &'static str,
        many: &'static str,
        absent: &'static [(&'static str, &'static str)],
    },
}

struct Spec {
    component: &'static str,
    creates: &'static str,
    from: From,
    /// Arguments of the component that are arguments of the created resource under the same
    /// name (besides `renames`).
    pass_through: bool,
    /// (component path, created path).
    renames: &'static [(&'static str, &'static str)],
    /// Created paths and their value (JSON) when the component does not set them.
    defaults: &'static [(&'static str, &'static str)],
    /// (component path, created path, value): the component sets the created path whenever
    /// the argument is given.
    implies: &'static [(&'static str, &'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    // @pulumi/eks: the control plane. `endpointPublicAccess` defaults to true.
    Spec {
        component: "eks:index:Cluster",
        creates: "aws:eks/cluster:Cluster",
        from: From::Args,
        pass_through: false,
        renames: &[
            ("endpointPublicAccess", "vpcConfig.endpointPublicAccess"),
            ("endpointPrivateAccess", "vpcConfig.endpointPrivateAccess"),
            ("publicAccessCidrs", "vpcConfig.publicAccessCidrs"),
            ("encryptionConfigKeyArn", "encryptionConfig.provider.keyArn"),
            ("enabledClusterLogTypes", "enabledClusterLogTypes"),
            ("version", "version"),
            ("tags", "tags"),
        ],
        defaults: &[
            ("vpcConfig.endpointPublicAccess", "true"),
            ("vpcConfig.endpointPrivateAccess", "false"),
        ],
        implies: &[(
            "encryptionConfigKeyArn",
            "encryptionConfig.resources",
            r#"["secrets"]"#,
        )],
    },
    // @pulumi/awsx: an ECR repository with a lifecycle policy; the repository's own arguments.
    Spec {
        component: "awsx:ecr:Repository",
        creates: "aws:ecr/repository:Repository",
        from: From::Args,
        pass_through: true,
        renames: &[],
        defaults: &[],
        implies: &[],
    },
    // @pulumi/awsx load balancers: the balancer's own arguments, and a listener per `listener`
    // or `listeners` element; without either, one listener on port 80 (HTTP for an ALB, TCP for
    // an NLB).
    Spec {
        component: "awsx:lb:ApplicationLoadBalancer",
        creates: "aws:lb/loadBalancer:LoadBalancer",
        from: From::Args,
        pass_through: true,
        renames: &[],
        defaults: &[("loadBalancerType", r#""application""#)],
        implies: &[],
    },
    Spec {
        component: "awsx:lb:ApplicationLoadBalancer",
        creates: "aws:lb/listener:Listener",
        from: From::Elements {
            one: "listener",
            many: "listeners",
            absent: &[("port", "80"), ("protocol", r#""HTTP""#)],
        },
        pass_through: true,
        renames: &[],
        defaults: &[],
        implies: &[],
    },
    Spec {
        component: "awsx:lb:NetworkLoadBalancer",
        creates: "aws:lb/loadBalancer:LoadBalancer",
        from: From::Args,
        pass_through: true,
        renames: &[],
        defaults: &[("loadBalancerType", r#""network""#)],
        implies: &[],
    },
    Spec {
        component: "awsx:lb:NetworkLoadBalancer",
        creates: "aws:lb/listener:Listener",
        from: From::Elements {
            one: "listener",
            many: "listeners",
            absent: &[("port", "80"), ("protocol", r#""TCP""#)],
        },
        pass_through: true,
        renames: &[],
        defaults: &[("protocol", r#""TCP""#)],
        implies: &[],
    },
];

/// How a created resource's arguments map back onto its component's, for edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentOrigin {
    /// The component's type token (`eks:index:Cluster`).
    pub type_token: String,
    /// Where the created resource's arguments start in the component's (`""`, `listeners[1]`).
    prefix: String,
    pass_through: bool,
    /// (created path, component path), from the table.
    renames: Vec<(String, String)>,
    /// Created paths the component sets whenever one of its arguments is given.
    implied: Vec<String>,
}

/// Where an edit of a created resource's path goes in its component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentPath {
    /// This argument path of the component.
    Argument(String),
    /// The component sets it from another argument: nothing to write.
    Implied,
    /// The component has no argument for it.
    Unreachable,
}

impl ComponentOrigin {
    /// The component argument an edit of `path` (of the created resource) writes.
    pub fn argument_for(&self, path: &str) -> ComponentPath {
        if self.implied.iter().any(|i| is_path_prefix(i, path)) {
            return ComponentPath::Implied;
        }
        let renamed = self
            .renames
            .iter()
            .filter(|(created, _)| is_path_prefix(created, path))
            .max_by_key(|(created, _)| created.len());
        match renamed {
            Some((created, component)) => {
                ComponentPath::Argument(format!("{component}{}", &path[created.len()..]))
            }
            None if self.pass_through => ComponentPath::Argument(if self.prefix.is_empty() {
                path.to_string()
            } else if path.is_empty() {
                self.prefix.clone()
            } else {
                join_path(&self.prefix, path)
            }),
            None => ComponentPath::Unreachable,
        }
    }

    /// The created path a component argument path stands for, if any.
    fn created_for(&self, argument: &str) -> Option<String> {
        let renamed = self
            .renames
            .iter()
            .filter(|(_, component)| is_path_prefix(component, argument))
            .max_by_key(|(_, component)| component.len());
        if let Some((created, component)) = renamed {
            return Some(format!("{created}{}", &argument[component.len()..]));
        }
        if !self.pass_through {
            return None;
        }
        if self.prefix.is_empty() {
            return Some(argument.to_string());
        }
        if !is_path_prefix(&self.prefix, argument) {
            return None;
        }
        Some(
            argument[self.prefix.len()..]
                .trim_start_matches('.')
                .to_string(),
        )
    }
}

/// Add the resources each known component creates after `resources`, and a diagnostic per
/// component type of these packages that is not modelled.
pub(crate) fn expand(resources: &mut Vec<Resource>, diagnostics: &mut Vec<Diagnostic>) {
    let mut created = Vec::new();
    let mut unmodelled: BTreeMap<&str, (u32, u32, usize)> = BTreeMap::new();
    for component in resources.iter() {
        let package = component.type_token.split(':').next().unwrap_or_default();
        if !COMPONENT_PACKAGES.contains(&package) {
            continue;
        }
        let specs: Vec<&Spec> = SPECS
            .iter()
            .filter(|s| s.component == component.type_token)
            .collect();
        if specs.is_empty() {
            unmodelled
                .entry(component.type_token.as_str())
                .or_insert((component.line, component.column, 0))
                .2 += 1;
            continue;
        }
        for spec in specs {
            created.extend(create(component, spec));
        }
    }
    for (type_token, (line, column, count)) in unmodelled {
        diagnostics.push(Diagnostic {
            level: DiagnosticLevel::Info,
            line,
            column,
            message: format!(
                "{count} {type_token} component(s) not modelled: the resources they create are \
                 not audited"
            ),
        });
    }
    resources.extend(created);
}

/// The resources one spec says `component` creates.
fn create(component: &Resource, spec: &Spec) -> Vec<Resource> {
    let prefixes = match &spec.from {
        From::Args => vec![(String::new(), None)],
        From::Elements { one, many, absent } => {
            match (
                component.properties.get(*many),
                component.properties.get(*one),
            ) {
                (Some(Json::Array(items)), _) => (0..items.len())
                    .map(|i| (format!("{many}[{i}]"), None))
                    .collect(),
                (_, Some(Json::Object(_))) => vec![((*one).to_string(), None)],
                // Whether there are any, and what they say, is not known statically.
                _ if component.is_uncertain(one) || component.is_uncertain(many) => Vec::new(),
                _ => vec![(String::new(), Some(*absent))],
            }
        }
    };
    prefixes
        .into_iter()
        .map(|(prefix, absent)| {
            let origin = ComponentOrigin {
                type_token: component.type_token.clone(),
                pass_through: spec.pass_through && absent.is_none(),
                renames: spec
                    .renames
                    .iter()
                    .map(|(component, created)| ((*created).to_string(), (*component).to_string()))
                    .collect(),
                implied: spec
                    .implies
                    .iter()
                    .map(|(_, created, _)| (*created).to_string())
                    .collect(),
                prefix,
            };
            created_resource(component, spec, origin, absent.unwrap_or(&[]))
        })
        .collect()
}

fn created_resource(
    component: &Resource,
    spec: &Spec,
    origin: ComponentOrigin,
    absent: &[(&str, &str)],
) -> Resource {
    let mut properties = Map::new();
    for (path, value) in flatten(&component.properties) {
        if let Some(created) = origin.created_for(&path) {
            insert(&mut properties, &created, value);
        }
    }
    let map_keys = |paths: &BTreeSet<String>| -> BTreeSet<String> {
        paths
            .iter()
            .filter_map(|p| {
                // Where the arguments start, or a parent of it, open or unknown: they all are.
                if is_path_prefix(p, &origin.prefix) {
                    Some(String::new())
                } else {
                    origin.created_for(p)
                }
            })
            .collect()
    };
    let unknown = map_keys(&component.unknown);
    let open = map_keys(&component.open);
    let sites = component
        .sites
        .iter()
        .filter_map(|(p, site)| Some((origin.created_for(p)?, site.clone())))
        .collect();
    let references = component
        .references
        .iter()
        .filter_map(|(p, r)| Some((origin.created_for(p)?, r.clone())))
        .collect();
    let mut resource = Resource {
        type_token: spec.creates.to_string(),
        properties,
        sites,
        unknown,
        open,
        references,
        // Nothing refers to a created resource by the component's binding.
        binding: None,
        component: Some(origin),
        ..component.clone()
    };
    for (path, json) in absent.iter().chain(spec.defaults) {
        if let Ok(value) = serde_json::from_str::<Json>(json)
            && !has_path(&resource.properties, path)
            && !resource.is_uncertain(path)
        {
            insert(&mut resource.properties, path, value);
        }
    }
    for (argument, path, json) in spec.implies {
        // Written, with a known value or not.
        let given =
            has_path(&component.properties, argument) || component.unknown.contains(*argument);
        if given && let Ok(value) = serde_json::from_str::<Json>(json) {
            insert(&mut resource.properties, path, value);
        }
    }
    resource
}

/// Every leaf (and array) of `properties` by dotted path.
fn flatten(properties: &Map<String, Json>) -> Vec<(String, Json)> {
    fn walk(prefix: &str, value: &Json, out: &mut Vec<(String, Json)>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    walk(&join_path(prefix, k), v, out);
                }
            }
            Json::Array(items) => {
                out.push((prefix.to_string(), value.clone()));
                for (i, v) in items.iter().enumerate() {
                    if v.is_object() {
                        walk(&format!("{prefix}[{i}]"), v, out);
                    }
                }
            }
            _ => out.push((prefix.to_string(), value.clone())),
        }
    }
    let mut out = Vec::new();
    for (k, v) in properties {
        walk(k, v, &mut out);
    }
    out
}

fn has_path(properties: &Map<String, Json>, path: &str) -> bool {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return false;
    };
    let mut at = properties.get(first);
    for part in parts {
        at = at.and_then(|v| v.get(part));
    }
    at.is_some()
}

/// Insert `value` at a dotted path of object keys (array elements, `a[0].b`, are written whole
/// by their array and skipped here).
fn insert(properties: &mut Map<String, Json>, path: &str, value: Json) {
    if path.is_empty() || path.contains('[') {
        return;
    }
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return;
    };
    let mut at = properties;
    for part in parts {
        let next = at
            .entry(part.to_string())
            .or_insert_with(|| Json::Object(Map::new()));
        if !next.is_object() {
            *next = Json::Object(Map::new());
        }
        let Json::Object(map) = next else {
            return;
        };
        at = map;
    }
    at.insert(last.to_string(), value);
}
