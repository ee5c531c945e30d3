//! What remedy acts with: the source model of Pulumi programs.
//!
//! [`source`] turns a TypeScript or Python file into the Pulumi resources it declares, with their
//! properties, the byte spans they come from, and which values cannot be known statically.
//! [`edit`] changes one resource's properties in the file's own style. [`walk`] finds the files
//! to read. Nothing here knows about policies, queues or git.

pub mod edit;
pub mod forge;
pub mod git;
pub mod source;
pub mod walk;

pub use source::{
    Diagnostic, DiagnosticLevel, Language, ParsedFile, PropertySite, Resource, Span, parse_source,
    position, syntax_tree,
};
pub use walk::{WalkError, discover, is_skipped_path};
