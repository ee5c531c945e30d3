//! Loading policy packs: the built-in ones compiled into the binary, and users' `.rego` files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::error::PolicyError;
use crate::policy::{Metadata, Policy, RuleKind};
use crate::reads::{self, Reads};

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// Where policies come from.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Load the built-in packs.
    pub builtin: bool,
    /// Directories (searched recursively) or single `.rego` files of the user's own packs.
    pub paths: Vec<PathBuf>,
    /// Packs a repository's own configuration names: every directory and file read for them
    /// must resolve, symlinks followed, inside the repository.
    pub repository: Option<RepositoryPacks>,
}

/// Pack paths named by an untrusted repository, and the repository they must stay inside.
#[derive(Debug, Clone)]
pub struct RepositoryPacks {
    pub root: PathBuf,
    pub paths: Vec<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            builtin: true,
            paths: Vec::new(),
            repository: None,
        }
    }
}

/// How deep a pack directory is searched, and how many files one pack may have: a pack is a
/// few dozen files, and a directory a repository names must not make the audit read the disk.
const MAX_PACK_DEPTH: usize = 16;
const MAX_PACK_FILES: usize = 5_000;

/// Every loaded policy and the prepared Rego engine that evaluates them.
pub struct PolicySet {
    pub(crate) policies: Vec<Policy>,
    pub(crate) engine: regorus::Engine,
    by_type: HashMap<String, Vec<usize>>,
    any_type: Vec<usize>,
}

struct LoadedFile {
    name: String,
    package: String,
    text: String,
    reads: Reads,
    refs: BTreeSet<String>,
}

impl PolicySet {
    /// The built-in packs only.
    pub fn builtin() -> Result<Self, PolicyError> {
        Self::load(&LoadOptions::default())
    }

    pub fn load(options: &LoadOptions) -> Result<Self, PolicyError> {
        let mut sources = Vec::new();
        if options.builtin {
            sources.extend(
                BUILTIN
                    .iter()
                    .map(|(path, text)| (format!("builtin:{path}"), (*text).to_string())),
            );
        }
        for path in &options.paths {
            sources.extend(read_user_pack(path, None)?);
        }
        if let Some(repository) = &options.repository {
            let root = repository
                .root
                .canonicalize()
                .map_err(|source| PolicyError::Read {
                    path: repository.root.clone(),
                    source,
                })?;
            for path in &repository.paths {
                sources.extend(read_user_pack(path, Some(&root))?);
            }
        }
        Self::from_sources(sources)
    }

    /// Load from `(name, rego text)` pairs; `name` is what errors and reports call the file.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Self, PolicyError> {
        let mut engine = regorus::Engine::new();
        let mut files = Vec::with_capacity(sources.len());
        for (name, text) in sources {
            let package = add_module(&mut engine, &name, &text)?;
            let (reads, refs) = reads::scan(&text);
            files.push(LoadedFile {
                name,
                package,
                text,
                reads,
                refs,
            });
        }

        let mut packages: BTreeMap<&str, Vec<&LoadedFile>> = BTreeMap::new();
        for file in &files {
            packages
                .entry(file.package.as_str())
                .or_default()
                .push(file);
        }

        let mut policies: Vec<Policy> = Vec::new();
        engine.set_input(regorus::Value::new_object());
        for (package, members) in &packages {
            let declares = |rule: &str| {
                members.iter().any(|f| {
                    engine
                        .has_declared_rule_rooted_at(&f.name, rule)
                        .unwrap_or(false)
                })
            };
            let rules: Vec<RuleKind> = RuleKind::ALL
                .into_iter()
                .filter(|k| declares(k.as_str()))
                .collect();
            if rules.is_empty() {
                // A library package: helpers other packages import.
                continue;
            }
            let has_metadata = declares("metadata");
            let reads = package_reads(package, &packages);
            let source = members
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let declines_fixes = declares("fix_declined");
            let mut policy = if has_metadata {
                let metadata_file = members
                    .iter()
                    .find(|f| {
                        engine
                            .has_declared_rule_rooted_at(&f.name, "metadata")
                            .unwrap_or(false)
                    })
                    .copied()
                    .unwrap_or(members[0]);
                let metadata = read_metadata(&mut engine, package, metadata_file)?;
                Policy::from_metadata(metadata, (*package).to_string(), source, rules, reads)
            } else {
                Policy::without_metadata((*package).to_string(), source, rules, reads)
            };
            policy.declines_fixes = declines_fixes;
            if let Some(first) = policies.iter().find(|p| p.id == policy.id) {
                return Err(PolicyError::Duplicate {
                    id: policy.id,
                    first: first.source.clone(),
                    second: policy.source,
                });
            }
            policies.push(policy);
        }

        tracing::debug!(
            policies = policies.len(),
            files = files.len(),
            "policy packs loaded"
        );
        let mut set = Self {
            policies,
            engine,
            by_type: HashMap::new(),
            any_type: Vec::new(),
        };
        set.index();
        Ok(set)
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// Indices of the policies that apply to a resource type, in load order.
    pub(crate) fn for_type(&self, type_token: &str) -> impl Iterator<Item = usize> + '_ {
        let typed = self.by_type.get(type_token).map_or(&[][..], Vec::as_slice);
        typed.iter().chain(self.any_type.iter()).copied()
    }

    /// Keep only the policies `keep` accepts (for `--policy` filters and disabled policies).
    pub fn retain(&mut self, keep: impl Fn(&Policy) -> bool) {
        self.policies.retain(|p| keep(p));
        self.index();
    }

    fn index(&mut self) {
        self.by_type.clear();
        self.any_type.clear();
        for (i, policy) in self.policies.iter().enumerate() {
            if policy.resource_types.is_empty() {
                self.any_type.push(i);
            }
            for t in &policy.resource_types {
                self.by_type.entry(t.clone()).or_default().push(i);
            }
        }
    }
}

/// Parse a module as Rego v1, falling back to v0 (existing packs written for OPA before 1.0).
fn add_module(engine: &mut regorus::Engine, name: &str, text: &str) -> Result<String, PolicyError> {
    match engine.add_policy(name.to_string(), text.to_string()) {
        Ok(package) => Ok(package),
        Err(v1_error) => {
            engine.set_rego_v0(true);
            let v0 = engine.add_policy(name.to_string(), text.to_string());
            engine.set_rego_v0(false);
            v0.map_err(|_| PolicyError::from_regorus(name, &v1_error.to_string()))
        }
    }
}

fn read_metadata(
    engine: &mut regorus::Engine,
    package: &str,
    file: &LoadedFile,
) -> Result<Metadata, PolicyError> {
    let line = file
        .text
        .lines()
        .position(|l| l.trim_start().starts_with("metadata"))
        .map_or(1, |i| i + 1);
    let fail = |message: String| PolicyError::Metadata {
        file: file.name.clone(),
        line,
        message,
    };
    let value = engine
        .eval_rule(format!("{package}.metadata"))
        .map_err(|e| fail(e.to_string()))?;
    let json = value.to_json_str().map_err(|e| fail(e.to_string()))?;
    let metadata: Metadata = serde_json::from_str(&json).map_err(|e| fail(e.to_string()))?;
    metadata.validate().map_err(fail)?;
    Ok(metadata)
}

/// What a package reads, including packages it calls into (transitively).
fn package_reads(package: &str, packages: &BTreeMap<&str, Vec<&LoadedFile>>) -> Reads {
    let mut seen = BTreeSet::new();
    let mut todo = vec![package.to_string()];
    let mut reads = Reads::Paths(BTreeSet::new());
    while let Some(pkg) = todo.pop() {
        if !seen.insert(pkg.clone()) {
            continue;
        }
        for file in packages.get(pkg.as_str()).into_iter().flatten() {
            reads = reads.union(file.reads.clone());
            for reference in &file.refs {
                let full = format!("data.{reference}");
                // The referenced package is the longest loaded package that prefixes the reference.
                let target = packages
                    .keys()
                    .filter(|p| full == **p || full.starts_with(&format!("{p}.")))
                    .max_by_key(|p| p.len());
                if let Some(target) = target {
                    todo.push((*target).to_string());
                }
            }
        }
    }
    reads
}

/// The `.rego` files of one pack path; with `within`, each must resolve inside that directory.
fn read_user_pack(
    path: &Path,
    within: Option<&Path>,
) -> Result<Vec<(String, String)>, PolicyError> {
    let meta = std::fs::metadata(path).map_err(|source| PolicyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut walk = Walk {
        files: Vec::new(),
        seen: std::collections::HashSet::new(),
        within,
    };
    if meta.is_file() {
        walk.confine(path)?;
        walk.files.push(path.to_path_buf());
    } else {
        walk.collect(path, 0)?;
        if walk.files.is_empty() {
            return Err(PolicyError::EmptyPack(path.to_path_buf()));
        }
    }
    let mut files = walk.files;
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|source| PolicyError::Read {
                path: file.clone(),
                source,
            })?;
            Ok((file.display().to_string(), text))
        })
        .collect()
}

/// A search of a pack directory. A policy directory may come from a repository's own
/// configuration, so a symlink loop in it must not hang the audit (each directory is read once,
/// by where it really is), its depth and size are capped, and with `within` nothing outside the
/// repository is read.
struct Walk<'a> {
    files: Vec<PathBuf>,
    seen: std::collections::HashSet<PathBuf>,
    within: Option<&'a Path>,
}

impl Walk<'_> {
    /// Where `path` really is, refused when it leaves `within`.
    fn confine(&self, path: &Path) -> Result<PathBuf, PolicyError> {
        let real = path.canonicalize().map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        match self.within {
            Some(root) if !real.starts_with(root) => Err(PolicyError::Unsafe {
                path: path.to_path_buf(),
                reason: format!(
                    "resolves to {}, outside the repository that names it",
                    real.display()
                ),
            }),
            _ => Ok(real),
        }
    }

    fn collect(&mut self, dir: &Path, depth: usize) -> Result<(), PolicyError> {
        if depth > MAX_PACK_DEPTH {
            return Err(PolicyError::Unsafe {
                path: dir.to_path_buf(),
                reason: format!("more than {MAX_PACK_DEPTH} directories deep"),
            });
        }
        let real = self.confine(dir)?;
        if !self.seen.insert(real) {
            tracing::warn!(dir = %dir.display(), "policy directory already read (a symlink loop?)");
            return Ok(());
        }
        let entries = std::fs::read_dir(dir).map_err(|source| PolicyError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                self.collect(&path, depth + 1)?;
            } else if path.extension().is_some_and(|e| e == "rego")
                && !path.to_string_lossy().ends_with("_test.rego")
            {
                self.confine(&path)?;
                if self.files.len() == MAX_PACK_FILES {
                    return Err(PolicyError::Unsafe {
                        path: dir.to_path_buf(),
                        reason: format!("more than {MAX_PACK_FILES} policy files"),
                    });
                }
                self.files.push(path);
            }
        }
        Ok(())
    }
}
