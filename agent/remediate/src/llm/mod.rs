//! The LLM agent loop: when a policy's declarative fix does not apply, a model proposes the fix
//! through tools (`read_resource`, `read_lines`, `set_property`, `remove_property`,
//! `replace_in_resource`, `add_import`, `submit`, `give_up`) on an in-memory copy of the file,
//! and the [`Remediator`](crate::Remediator) runs every proposal through the gate,
//! sending the gate's reasons back on a rejection.
//!
//! - [`settings`]: [`LlmSettings`] (the `[llm]` table) and the [`ApiKey`] from the environment;
//! - `client`: async-openai with timeouts, retries honouring `Retry-After`, governor limits;
//! - `prompts`: the embedded, overridable prompts;
//! - `workspace`: the file being edited and the read-only views of the repository;
//! - `tools`: one struct per tool, arguments checked before anything runs;
//! - `session`: the loop itself, [`LlmAgent`].
//!
//! Everything from the repository reaches the model fenced as data; line numbers never cross
//! this boundary (tools address the resource and its properties); the API key never appears in
//! a log, an event, an error or a request body.

mod client;
mod dependencies;
mod error;
pub mod prompt_size;
mod prompts;
mod session;
pub mod settings;
mod tools;
mod workspace;

pub use error::LlmError;
pub use prompts::Prompts;
pub use session::{AssistantTurn, LlmAgent, Recording, first_request};
pub use settings::{ApiKey, KEY_VARIABLES, LlmSettings};
