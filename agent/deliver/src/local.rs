//! Local branches: one per group in the repository itself, from the base commit; the working
//! tree is never touched. The default delivery: no forge, no token.

use std::collections::BTreeSet;

use remedy_git::{Author, Oid, Repo};
use remedy_store::PrRef;

use crate::batch::{Batch, Begun, Declined, Delivered, human_reason, inspect};
use crate::delivery::{BoxFuture, Delivery};
use crate::error::DeliveryError;
use crate::group::Group;
use crate::settings::DeliverySettings;

/// One local branch per group, from the base commit; the working tree is never touched.
pub struct LocalBranches {
    root: std::path::PathBuf,
    base: Oid,
    base_name: String,
    settings: DeliverySettings,
}

impl LocalBranches {
    /// Branches in the repository at `repo`'s root, from `base`, written by `author`
    /// (grouped per violation).
    pub fn new(repo: &Repo, base: Oid, author: Author) -> Self {
        let settings = DeliverySettings {
            author_name: author.name,
            author_email: author.email,
            ..DeliverySettings::default()
        };
        Self::with_settings(repo, base, "HEAD", settings)
    }

    pub fn with_settings(
        repo: &Repo,
        base: Oid,
        base_name: &str,
        settings: DeliverySettings,
    ) -> Self {
        Self {
            root: repo.root().to_path_buf(),
            base,
            base_name: base_name.to_string(),
            settings,
        }
    }
}

impl Delivery for LocalBranches {
    fn grouping(&self) -> &DeliverySettings {
        &self.settings
    }

    fn begin<'a>(
        &'a self,
        group: &'a Group,
        members: &'a [&'a str],
    ) -> BoxFuture<'a, Result<Begun, DeliveryError>> {
        Box::pin(async move {
            let repo = Repo::discover(&self.root)?;
            let author = self.settings.author();
            for part in 1..=1000 {
                let branch = group.branch(part);
                let head = repo
                    .branch_head(&branch)
                    // A branch merged into the base starts again from the base.
                    .filter(|head| repo.merge_base(*head, self.base) != Some(*head));
                let (start, holds, needs_review) = match head {
                    Some(head) => {
                        let state = inspect(&repo, self.base, head, &author)?;
                        if let Some(commit) = &state.human {
                            return Ok(Begun::Declined(Declined {
                                reason: human_reason(&branch, commit),
                                pr: local_ref(&branch),
                                closed: false,
                                holds: state.holds,
                            }));
                        }
                        if state.full_without(group.max, members) {
                            continue;
                        }
                        (Some(head), state.holds, state.needs_review)
                    }
                    None => (None, BTreeSet::new(), false),
                };
                return Ok(Begun::Ready(Box::new(Batch {
                    group: group.clone(),
                    branch,
                    base_name: self.base_name.clone(),
                    base: self.base,
                    tip: start.unwrap_or(self.base),
                    start,
                    force: false,
                    holds,
                    needs_review,
                    added: Vec::new(),
                    author,
                    pr: None,
                    limits: None,
                    needs_slot: false,
                    repo,
                })));
            }
            Err(DeliveryError::Config(format!(
                "group {} has no branch with room left",
                group.key
            )))
        })
    }

    fn finish(&self, batch: Batch) -> BoxFuture<'_, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let changed = batch.changed();
            if changed {
                batch
                    .repo
                    .set_reference(&format!("refs/heads/{}", batch.branch), batch.tip)?;
            }
            Ok(Delivered {
                pr: local_ref(&batch.branch),
                unchanged: !changed,
                opened: false,
            })
        })
    }
}

fn local_ref(branch: &str) -> PrRef {
    PrRef {
        branch: branch.to_string(),
        number: None,
        url: None,
    }
}
