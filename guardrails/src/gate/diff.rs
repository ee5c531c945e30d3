//! Where a fix changed the text, in the original's bytes.
//!
//! A line diff says which lines differ, but a footprint is measured in bytes: a one-character
//! edit on a line shared with another resource must count as inside the target, so each hunk is
//! narrowed to the bytes that really differ before it is held against the footprint.

use std::ops::Range;

use remedy_source::Span;
use similar::{DiffTag, TextDiff};

/// One changed region.
pub(super) struct Hunk<'a> {
    /// The bytes of the original the hunk replaces, narrowed to what really differs (empty for
    /// a pure insertion).
    pub span: Span,
    /// The text the hunk puts there, narrowed the same way.
    pub added: &'a str,
    /// Where `added` sits in the new text.
    pub new_span: Span,
    /// Lines removed plus lines added.
    pub lines: usize,
}

/// Every changed region from `old` to `new`, in order.
pub(super) fn hunks<'a>(old: &str, new: &'a str) -> Vec<Hunk<'a>> {
    let diff = TextDiff::from_lines(old, new);
    let old_lines = line_offsets(old);
    let new_lines = line_offsets(new);
    diff.ops()
        .iter()
        .filter(|op| op.tag() != DiffTag::Equal)
        .map(|op| {
            let (old_range, new_range) = (op.old_range(), op.new_range());
            let lines = old_range.len() + new_range.len();
            let old_bytes = byte_range(&old_lines, old.len(), old_range);
            let new_bytes = byte_range(&new_lines, new.len(), new_range);
            let old_text = &old[old_bytes.clone()];
            let new_text = &new[new_bytes.clone()];
            let prefix = common_prefix(old_text, new_text);
            let suffix = common_suffix(&old_text[prefix..], &new_text[prefix..]);
            Hunk {
                span: Span {
                    start: old_bytes.start + prefix,
                    end: old_bytes.end - suffix,
                },
                added: &new_text[prefix..new_text.len() - suffix],
                new_span: Span {
                    start: new_bytes.start + prefix,
                    end: new_bytes.end - suffix,
                },
                lines,
            }
        })
        .collect()
}

fn line_offsets(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn byte_range(lines: &[usize], len: usize, range: Range<usize>) -> Range<usize> {
    let start = lines.get(range.start).copied().unwrap_or(len);
    let end = lines.get(range.end).copied().unwrap_or(len);
    start..end
}

fn common_prefix(a: &str, b: &str) -> usize {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Stay on a character boundary.
    (0..=n)
        .rev()
        .find(|&i| a.is_char_boundary(i) && b.is_char_boundary(i))
        .unwrap_or(0)
}

fn common_suffix(a: &str, b: &str) -> usize {
    let n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (0..=n)
        .rev()
        .find(|&i| a.is_char_boundary(a.len() - i) && b.is_char_boundary(b.len() - i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(old: &str, new: &str) -> Vec<(usize, usize, String, usize)> {
        hunks(old, new)
            .into_iter()
            .map(|h| (h.span.start, h.span.end, h.added.to_string(), h.lines))
            .collect()
    }

    #[test]
    fn a_changed_line_narrows_to_the_bytes_that_differ() {
        let old = "a = 1\nacl: \"public-read\", x\nb = 2\n";
        let new = "a = 1\nacl: \"none\", x\nb = 2\n";
        let start = old.find("public-read").unwrap_or_default();
        assert_eq!(
            spans(old, new),
            [(start, start + "public-read".len(), "none".to_string(), 2)]
        );
    }

    #[test]
    fn an_insertion_is_an_empty_span_with_the_added_text() {
        let old = "a\nc\n";
        let new = "a\nb\nc\n";
        assert_eq!(spans(old, new), [(2, 2, "b\n".to_string(), 1)]);
    }

    #[test]
    fn unchanged_text_has_no_hunks() {
        assert!(hunks("same\n", "same\n").is_empty());
    }

    #[test]
    fn narrowing_stays_on_character_boundaries() {
        // "é" and "è" share their first UTF-8 byte; the span must not split it.
        let old = "name: \"café\"\n";
        let new = "name: \"cafè\"\n";
        let hunks = hunks(old, new);
        assert_eq!(hunks.len(), 1);
        let span = hunks[0].span;
        assert_eq!(&old[span.start..span.end], "é");
        assert_eq!(hunks[0].added, "è");
    }
}
