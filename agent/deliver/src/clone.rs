//! Managed clones: one bare repository per remote under remedy's data directory, fetched before
//! every delivery, so fixes branch from the remote's fresh base and the user's checkout is never
//! involved. Bare, because remedy never checks anything out.

use std::path::{Path, PathBuf};

use remedy_git::{GitError, Repo, redact_url};

/// Where remedy keeps its data: `REMEDY_DATA_DIR`, else `$XDG_DATA_HOME/remedy`, else
/// `~/.local/share/remedy`, else `.remedy/data` here.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REMEDY_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("remedy");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".local/share/remedy");
    }
    PathBuf::from(".remedy/data")
}

/// The managed clone of `remote` under `data_dir`: `clones/<host-and-path>.git`, named from
/// the remote without credentials.
pub fn clone_path(data_dir: &Path, remote: &str) -> PathBuf {
    let key = remedy_store::normalize_remote(&redact_url(remote));
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    data_dir
        .join("clones")
        .join(format!("{}.git", name.trim_matches('_')))
}

/// Open (creating on first use) the managed clone at `path`. What it fetches is kept; the
/// commits remedy makes in it live in memory until they are pushed
/// ([`Repo::keep_new_objects_in_memory`]), so the clone never grows with the branches pushed.
pub fn open_at(path: &Path) -> Result<Repo, GitError> {
    let repo = Repo::init_bare(path)?;
    repo.keep_new_objects_in_memory()?;
    Ok(repo)
}

/// `refs/remotes/origin/<branch>`: where a fetched remote branch lands in a managed clone.
pub fn tracking(branch: &str) -> String {
    format!("refs/remotes/origin/{branch}")
}

/// The refspec that fetches `branch` into its tracking reference.
pub fn fetch_spec(branch: &str) -> String {
    format!("+refs/heads/{branch}:{}", tracking(branch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_are_named_from_the_remote_without_credentials() {
        let dir = Path::new("/data");
        assert_eq!(
            clone_path(
                dir,
                "https://x-access-token:ghp_x@github.com/acme/infra.git"
            ),
            PathBuf::from("/data/clones/github.com_acme_infra.git")
        );
        assert_eq!(
            clone_path(dir, "git@github.com:acme/infra.git"),
            clone_path(dir, "https://github.com/acme/infra")
        );
        assert_eq!(
            clone_path(dir, "file:///tmp/x/remote.git"),
            PathBuf::from("/data/clones/tmp_x_remote.git")
        );
    }
}
