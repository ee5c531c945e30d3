//! Forges: where pull requests live. The [`Forge`] trait is provider-neutral (GitLab, Azure
//! DevOps and Bitbucket can implement it later); [`github`] implements it for GitHub and GitHub
//! Enterprise through octocrab.

mod api;
pub mod github;

pub use api::{
    BoxFuture, ChecksState, Forge, ForgeError, NewPullRequest, PrState, PullRequest, RetryPolicy,
    Token,
};
