//! Fetch and push through anonymous remotes: the URL and the token live in memory only, and no
//! message carries a credential.

use std::cell::Cell;

use git2::{Cred, CredentialType, FetchOptions, PushOptions, RemoteCallbacks};
use secrecy::ExposeSecret;

use crate::error::GitError;
use git2::Repository;

/// A token for HTTPS remotes (and forge APIs): never printed, zeroed when dropped.
pub type Token = secrecy::SecretString;

/// How to authenticate to a remote. The token is used only as the password of an HTTPS
/// remote (user `x-access-token`, as GitHub expects), through libgit2's credentials callback.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub token: Option<Token>,
    /// Offer the SSH agent's keys to `ssh://` and `git@host:` remotes.
    pub ssh_agent: bool,
}

/// A URL without any user information (`https://user:secret@host/p` → `https://host/p`), for
/// messages and for libgit2.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() && !rest.contains('/') {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_string(),
    }
}

fn callbacks<'a>(auth: &'a Auth, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |_url, username, allowed| {
        // libgit2 asks again after a refused credential: answer once per kind, then stop.
        tries.set(tries.get() + 1);
        if tries.get() > 3 {
            return Err(git2::Error::from_str(
                "authentication failed (check the token's or the SSH key's access)",
            ));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Some(token) = &auth.token
        {
            return Cred::userpass_plaintext("x-access-token", token.expose_secret());
        }
        if allowed.contains(CredentialType::SSH_KEY) && auth.ssh_agent {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        Err(git2::Error::from_str(
            "the remote needs credentials: set GITHUB_TOKEN (HTTPS) or load a key into the SSH agent",
        ))
    });
    callbacks
}

/// Fetch `refspecs` (`+refs/heads/main:refs/remotes/origin/main`) from `url`. A refspec
/// whose source does not exist on the remote is not an error: its destination is left
/// as it was, so callers delete it first when they need to know.
pub(crate) fn fetch(
    repo: &Repository,
    url: &str,
    refspecs: &[String],
    auth: &Auth,
) -> Result<(), GitError> {
    let clean = redact_url(url);
    let tries = Cell::new(0);
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks(auth, &tries));
    options.download_tags(git2::AutotagOption::None);
    let mut remote = repo.remote_anonymous(url)?;
    remote
        .fetch(refspecs, Some(&mut options), None)
        .map_err(|e| GitError::Remote {
            op: "fetch from",
            remote: clean.clone(),
            message: scrub(e.message(), url, auth),
        })?;
    tracing::debug!(remote = %clean, refspecs = ?refspecs, "fetched");
    Ok(())
}

/// Push `refspecs` (`+refs/heads/x:refs/heads/x` to force) to `url`; an error when the
/// remote rejects any of them.
pub(crate) fn push(
    repo: &Repository,
    url: &str,
    refspecs: &[String],
    auth: &Auth,
) -> Result<(), GitError> {
    let clean = redact_url(url);
    let tries = Cell::new(0);
    let rejected = std::cell::RefCell::new(Vec::new());
    {
        let mut cbs = callbacks(auth, &tries);
        cbs.push_update_reference(|name, status| {
            if let Some(status) = status {
                rejected.borrow_mut().push(format!("{name}: {status}"));
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(cbs);
        let mut remote = repo.remote_anonymous(url)?;
        remote
            .push(refspecs, Some(&mut options))
            .map_err(|e| GitError::Remote {
                op: "push to",
                remote: clean.clone(),
                message: scrub(e.message(), url, auth),
            })?;
    }
    let rejected = rejected.into_inner();
    if !rejected.is_empty() {
        return Err(GitError::Remote {
            op: "push to",
            remote: clean,
            message: format!("rejected: {}", rejected.join("; ")),
        });
    }
    tracing::debug!(remote = %clean, refspecs = ?refspecs, "pushed");
    Ok(())
}

/// libgit2 messages should never hold a credential; make sure of it.
fn scrub(message: &str, url: &str, auth: &Auth) -> String {
    let mut out = message.replace(url, &redact_url(url));
    if let Some(token) = &auth.token
        && !token.expose_secret().is_empty()
    {
        out = out.replace(token.expose_secret(), "***");
    }
    out
}
