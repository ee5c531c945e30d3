//! Which repository an audit belongs to: its origin remote, normalised so that the SSH and HTTPS
//! forms of one repository are one key, or its absolute path when it has no remote.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A repository as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `host/owner/name` for a remote, or the absolute root path.
    pub url: String,
    /// Where it was last audited on this machine.
    pub root: PathBuf,
}

impl Repository {
    /// The repository whose work tree is `root`.
    pub fn at(root: &Path) -> Self {
        let url = origin_url(root)
            .map(|u| normalize_remote(&u))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| root.to_string_lossy().into_owned());
        Self {
            url,
            root: root.to_path_buf(),
        }
    }
}

/// `remote.origin.url` of the repository at `root`: asked of git, else read from `.git/config`.
/// It may carry credentials (`https://user:token@host/…`): redact before showing it.
pub fn origin_url(root: &Path) -> Option<String> {
    if !root.join(".git").exists() {
        return None;
    }
    let from_git = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["config", "--get", "remote.origin.url"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match from_git {
        Ok(out) if out.status.success() => {
            let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (!url.is_empty()).then_some(url)
        }
        // git ran and found no origin.
        Ok(_) => None,
        // No git on this machine: read the config file ourselves.
        Err(_) => std::fs::read_to_string(root.join(".git/config"))
            .ok()
            .and_then(|config| origin_from_config(&config)),
    }
}

/// The `url` of `[remote "origin"]` in a git config file.
fn origin_from_config(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
        } else if in_origin
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "url"
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// One key for every way of writing a remote: no scheme, credentials, default port, `.git`
/// suffix or trailing slash; the host in lower case.
///
/// `git@github.com:o/r.git`, `https://user:token@github.com/o/r` and `ssh://git@github.com/o/r`
/// all become `github.com/o/r`. Local paths stay as written, less a trailing `.git` or `/`.
pub fn normalize_remote(url: &str) -> String {
    let url = url.trim();
    let (host, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return strip_suffixes(rest).to_string();
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host_port.rsplit_once(':') {
            // Keep a port only when it says something (not ssh's or http's default).
            Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => {
                if matches!(port, "22" | "80" | "443") || scheme.eq_ignore_ascii_case("ssh") {
                    host.to_string()
                } else {
                    format!("{host}:{port}")
                }
            }
            _ => host_port.to_string(),
        };
        (host, path.to_string())
    } else if let Some((user_host, path)) = url.split_once(':')
        && !user_host.contains('/')
        && !(user_host.len() == 1 && user_host.chars().all(|c| c.is_ascii_alphabetic()))
    {
        // scp-like: [user@]host:path
        let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
        (host.to_string(), path.to_string())
    } else {
        return strip_suffixes(url).to_string();
    };
    let path = strip_suffixes(path.trim_start_matches('/'));
    format!("{}/{}", host.to_ascii_lowercase(), path)
}

fn strip_suffixes(path: &str) -> &str {
    let path = path.trim_end_matches('/');
    path.strip_suffix(".git").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_for_every_form_of_a_remote() {
        for url in [
            "git@github.com:acme/infra.git",
            "https://github.com/acme/infra",
            "https://github.com/acme/infra.git/",
            "https://x-access-token:ghp_secret@GitHub.com/acme/infra.git",
            "ssh://git@github.com/acme/infra.git",
            "ssh://git@github.com:22/acme/infra",
            "http://github.com:80/acme/infra",
        ] {
            assert_eq!(normalize_remote(url), "github.com/acme/infra", "{url}");
        }
        assert_eq!(
            normalize_remote("https://git.corp:8443/team/infra.git"),
            "git.corp:8443/team/infra"
        );
        assert_eq!(normalize_remote("/srv/git/infra.git"), "/srv/git/infra");
        assert_eq!(
            normalize_remote("file:///srv/git/infra.git"),
            "/srv/git/infra"
        );
    }

    #[test]
    fn credentials_never_reach_the_key() {
        assert!(!normalize_remote("https://user:hunter2@gitlab.com/g/p.git").contains("hunter2"));
    }

    #[test]
    fn origin_is_read_from_the_config_file() {
        let config = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://a/b\n\
                      [remote \"origin\"]\n\turl = git@github.com:acme/infra.git\n\tfetch = x\n";
        assert_eq!(
            origin_from_config(config).as_deref(),
            Some("git@github.com:acme/infra.git")
        );
        assert_eq!(origin_from_config("[core]\n"), None);
    }

    #[test]
    fn a_directory_without_git_is_known_by_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::at(dir.path());
        assert_eq!(repo.url, dir.path().to_string_lossy());
    }

    #[test]
    fn a_git_work_tree_is_known_by_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .output()
                .unwrap()
        };
        git(&["init", "-q"]);
        assert_eq!(Repository::at(dir.path()).url, dir.path().to_string_lossy());
        git(&["remote", "add", "origin", "git@github.com:acme/infra.git"]);
        assert_eq!(Repository::at(dir.path()).url, "github.com/acme/infra");
    }
}
