//! Why a delivery failed: git, the forge, or its settings.

use remedy_forge::ForgeError;
use remedy_git::GitError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Forge(#[from] ForgeError),
    #[error("{0}")]
    Config(String),
}

impl DeliveryError {
    /// Worth retrying later (a forge outage or throttling, a network error).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Forge(e) => e.is_transient(),
            Self::Git(GitError::Remote { .. }) => true,
            _ => false,
        }
    }
}
