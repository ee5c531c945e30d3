//! Text replacements on the original file: the unit every edit comes down to.

use crate::parse::Span;

/// Replace `span` of the original text with `text` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub text: String,
}

/// Why an edit was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no {0}")]
    NotFound(String),
    #[error("invalid property path `{0}`")]
    InvalidPath(String),
    /// A safe, local edit is not possible here; a person or the LLM must decide.
    #[error("{0}")]
    Declined(String),
    #[error("edits overlap")]
    Overlap,
}

/// Apply non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Result<String, EditError> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for edit in sorted {
        if edit.span.start < at || edit.span.end > text.len() || edit.span.start > edit.span.end {
            return Err(EditError::Overlap);
        }
        out.push_str(text.get(at..edit.span.start).ok_or(EditError::Overlap)?);
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(text.get(at..).ok_or(EditError::Overlap)?);
    Ok(out)
}
