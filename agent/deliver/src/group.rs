//! Grouping fixes into branches and pull requests, and the branches' deterministic names.
//!
//! A group is named by its *key* (the violation, the resource, the file or the policy), never by
//! its members, so a violation found later joins the branch (and pull request) its group already
//! has, and a re-run finds its own branch: `remedy/<policy-or-group>/<short hash of the key>`.
//! A group larger than `max_violations_per_pr` continues on `…-2`, `…-3`.

use sha2::{Digest, Sha256};

use remedy_store::ClaimGroups;

/// Every branch remedy writes starts with this.
pub const BRANCH_PREFIX: &str = "remedy/";

/// What happens to a group's pull request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The branch is pushed; no pull request is opened.
    Local,
    /// A pull request, with reviewers requested.
    #[default]
    Review,
    /// A pull request merged by the forge once its required checks pass.
    #[serde(alias = "auto-merge")]
    AutoMerge,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Review => "review",
            Self::AutoMerge => "auto_merge",
        }
    }
}

/// A group's mode: the most careful of its members' (`auto_merge` only when every member may
/// be merged automatically; `local` only when none wants a pull request).
pub fn group_mode(modes: impl IntoIterator<Item = Mode>) -> Mode {
    let modes: Vec<Mode> = modes.into_iter().collect();
    if modes.is_empty() {
        return Mode::Review;
    }
    if modes.iter().all(|m| *m == Mode::AutoMerge) {
        Mode::AutoMerge
    } else if modes.iter().all(|m| *m == Mode::Local) {
        Mode::Local
    } else {
        Mode::Review
    }
}

/// The branch a violation's fix lives on when fixes are grouped per violation:
/// `remedy/<policy>/<first 8 of the fingerprint>`.
pub fn branch_name(policy: &str, fingerprint: &str) -> String {
    format!(
        "{BRANCH_PREFIX}{policy}/{}",
        &fingerprint[..8.min(fingerprint.len())]
    )
}

/// How fixes are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One pull request per violation.
    #[default]
    #[serde(alias = "per-violation")]
    PerViolation,
    /// One per resource: every policy's fixes on it together.
    #[serde(alias = "per-resource")]
    PerResource,
    /// One per file.
    #[serde(alias = "per-file")]
    PerFile,
    /// One per policy, across files.
    #[serde(alias = "per-policy")]
    PerPolicy,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerViolation => "per_violation",
            Self::PerResource => "per_resource",
            Self::PerFile => "per_file",
            Self::PerPolicy => "per_policy",
        }
    }

    /// What a claim takes together so that a group's fixes go out together (a resource's
    /// violations are all in its file).
    pub fn claim_groups(self) -> ClaimGroups {
        match self {
            Self::PerViolation => ClaimGroups::None,
            Self::PerResource | Self::PerFile => ClaimGroups::File,
            Self::PerPolicy => ClaimGroups::Policy,
        }
    }
}

/// What a group is made from: the parts of a violation grouping looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    pub fingerprint: &'a str,
    pub policy: &'a str,
    pub file: &'a str,
    pub resource_type: &'a str,
    /// The resource's name, or its name expression.
    pub resource: &'a str,
}

/// A group of fixes that share a branch and a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub by: GroupBy,
    /// What the group is keyed by (a fingerprint, `file#type#name`, a file, a policy).
    pub key: String,
    /// The readable part of the branch name.
    pub slug: String,
    /// What the members share, for pull request titles ("site in index.ts", "index.ts").
    pub label: String,
    /// What happens to the pull request (the most careful of the members' modes).
    pub mode: Mode,
    /// Maximum violations per pull request.
    pub max: usize,
}

impl Group {
    /// The group `member` belongs to.
    pub fn of(by: GroupBy, member: &Member<'_>, mode: Mode, max: usize) -> Self {
        let (key, slug, label) = match by {
            GroupBy::PerViolation => (
                member.fingerprint.to_string(),
                member.policy.to_string(),
                format!("{} in {}", member.resource, member.file),
            ),
            GroupBy::PerResource => (
                format!(
                    "{}#{}#{}",
                    member.file, member.resource_type, member.resource
                ),
                format!("resource-{}", slug(member.resource)),
                format!("{} in {}", member.resource, member.file),
            ),
            GroupBy::PerFile => (
                member.file.to_string(),
                format!("file-{}", slug(file_stem(member.file))),
                member.file.to_string(),
            ),
            GroupBy::PerPolicy => (
                member.policy.to_string(),
                member.policy.to_string(),
                member.policy.to_string(),
            ),
        };
        Self {
            by,
            key,
            slug: slug_or(&slug, "group"),
            label,
            mode,
            max: max.max(1),
        }
    }

    /// The branch of part `part` (1-based) of the group.
    pub fn branch(&self, part: usize) -> String {
        let hash = match self.by {
            // The fingerprint is already a hash; its first 8 digits keep the names
            // `remedy fix` has always used for single fixes.
            GroupBy::PerViolation => self.key.chars().take(8).collect(),
            _ => short_hash(&format!("{}:{}", self.by.as_str(), self.key)),
        };
        if part <= 1 {
            format!("{}{}/{hash}", BRANCH_PREFIX, self.slug)
        } else {
            format!("{}{}/{hash}-{part}", BRANCH_PREFIX, self.slug)
        }
    }
}

/// Split `items` into groups, keeping their order (the queue's priority order) within and
/// across groups.
pub fn partition<T>(items: Vec<T>, group_of: impl Fn(&T) -> Group) -> Vec<(Group, Vec<T>)> {
    let mut out: Vec<(Group, Vec<T>)> = Vec::new();
    for item in items {
        let group = group_of(&item);
        match out
            .iter_mut()
            .find(|(g, _)| g.by == group.by && g.key == group.key)
        {
            Some((g, members)) => {
                g.mode = group_mode([g.mode, group.mode]);
                members.push(item);
            }
            None => out.push((group, vec![item])),
        }
    }
    out
}

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').next().unwrap_or(name)
}

/// Lower-case letters, digits and single dashes, at most 40 characters: safe in a ref name.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

fn slug_or(text: &str, fallback: &str) -> String {
    let s = slug(text);
    if s.is_empty() {
        fallback.to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member<'a>(fp: &'a str, policy: &'a str, file: &'a str, resource: &'a str) -> Member<'a> {
        Member {
            fingerprint: fp,
            policy,
            file,
            resource_type: "aws:s3/bucket:Bucket",
            resource,
        }
    }

    #[test]
    fn branch_names_follow_the_key_not_the_members() {
        let a = member(
            "1a2bc0dc73e1",
            "aws-s3-bucket-public-read",
            "infra/index.ts",
            "site",
        );
        let b = member(
            "99ffc0dc73e1",
            "aws-s3-bucket-public-read",
            "app/main.py",
            "logs",
        );
        let one = |by, m: &Member<'_>| Group::of(by, m, Mode::Review, 10).branch(1);
        assert_eq!(
            one(GroupBy::PerViolation, &a),
            "remedy/aws-s3-bucket-public-read/1a2bc0dc"
        );
        assert_eq!(one(GroupBy::PerPolicy, &a), one(GroupBy::PerPolicy, &b));
        assert!(one(GroupBy::PerPolicy, &a).starts_with("remedy/aws-s3-bucket-public-read/"));
        assert_ne!(one(GroupBy::PerFile, &a), one(GroupBy::PerFile, &b));
        assert!(one(GroupBy::PerFile, &a).starts_with("remedy/file-index/"));
        assert!(one(GroupBy::PerResource, &a).starts_with("remedy/resource-site/"));
        assert_ne!(
            one(GroupBy::PerPolicy, &a),
            one(GroupBy::PerViolation, &a),
            "different groupings never share a branch"
        );
        let g = Group::of(GroupBy::PerPolicy, &a, Mode::Review, 2);
        assert_eq!(g.branch(2), format!("{}-2", g.branch(1)));
        assert_eq!(slug("`logs-${env}`"), "logs-env");
    }

    #[test]
    fn partition_keeps_order_and_groups_by_key() {
        let items = vec![
            ("f1", "p1", "a.ts"),
            ("f2", "p2", "b.ts"),
            ("f3", "p1", "c.ts"),
        ];
        let groups = partition(items, |(fp, p, f)| {
            Group::of(GroupBy::PerPolicy, &member(fp, p, f, "r"), Mode::Review, 10)
        });
        let keys: Vec<(&str, usize)> = groups
            .iter()
            .map(|(g, m)| (g.key.as_str(), m.len()))
            .collect();
        assert_eq!(keys, vec![("p1", 2), ("p2", 1)]);
    }
}
