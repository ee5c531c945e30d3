//! The source model of Pulumi programs: what remedy reads and edits.
//!
//! [`parse`] turns a TypeScript or Python file into the Pulumi resources it declares, with their
//! properties, the byte spans they come from, and which values cannot be known statically.
//! [`edit`] changes one resource's properties in the file's own style. [`walk`] finds the files
//! to read. Nothing here knows about policies, queues, git or forges: this crate compiles with
//! tree-sitter and nothing heavier.

pub mod edit;
pub mod manifest;
pub mod parse;
pub mod walk;

pub use parse::{
    ComponentOrigin, ComponentPath, Diagnostic, DiagnosticLevel, Language, ParsedFile,
    PropertySite, Reference, Resource, ResourceOptions, Span, camel_case, parse_source, position,
    snake_case, syntax_tree,
};
pub use walk::{WalkError, discover, is_skipped_path};
