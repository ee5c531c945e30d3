//! The file the model edits, held in memory: the target resource located by type, name and
//! ordinal (never by line), edits applied through the edit engine, and read-only views of the
//! surroundings: the context for the task prompt and `read_lines` windows, confined to the
//! repository's program files.

use std::path::{Component, Path, PathBuf};

use remedy_source::edit::{Document, TextEdit};
use remedy_source::{Language, Resource, Span, is_skipped_path};

use super::dependencies;
use super::prompts::fence;
use crate::request::FixRequest;

/// Lines shown above and below the resource in the task prompt.
const CONTEXT_LINES: usize = 3;
/// Import lines shown in the task prompt.
const MAX_IMPORT_LINES: usize = 12;
/// Largest `before`/`after` a `read_lines` call may ask for.
pub(crate) const MAX_WINDOW: usize = 40;
/// Most lines one `read_lines` answer holds.
const MAX_LINES: usize = 120;
/// Most bytes one `read_lines` answer holds.
const MAX_ANSWER_BYTES: usize = 16 * 1024;
/// Largest file `read_lines` opens.
const MAX_FILE_BYTES: u64 = 512 * 1024;

pub(crate) struct Workspace<'a> {
    request: &'a FixRequest<'a>,
    document: Document,
}

impl<'a> Workspace<'a> {
    pub(crate) fn new(request: &'a FixRequest<'a>) -> Self {
        let document = Document::new(
            request.language,
            Path::new(&request.violation.file),
            request.text.to_string(),
        );
        Self { request, document }
    }

    pub(crate) fn text(&self) -> &str {
        self.document.text()
    }

    pub(crate) fn changed(&self) -> bool {
        self.document.text() != self.request.text
    }

    pub(crate) fn document(&self) -> &Document {
        &self.document
    }

    /// Whether the program depends on every package `statement` (one import, already judged
    /// by the edit engine) imports.
    pub(crate) fn may_import(&self, statement: &str) -> Result<(), String> {
        let file = self.request.violation.file.as_str();
        for module in dependencies::imported_modules(self.request.language, file, statement) {
            dependencies::check(self.request.root, &self.document, file, &module)?;
        }
        Ok(())
    }

    /// The target resource in the current text.
    pub(crate) fn resource(&self) -> Result<&Resource, String> {
        let l = &self.request.locator;
        self.document
            .find(&l.type_token, &l.name, l.ordinal)
            .ok_or_else(|| {
                format!(
                    "{} `{}` is no longer in the file: an earlier edit removed, renamed or broke it",
                    l.type_token, l.name
                )
            })
    }

    /// Apply edits to the current text; what changed, or why nothing did.
    pub(crate) fn apply(&mut self, edits: &[TextEdit]) -> Result<String, String> {
        if edits.is_empty() {
            return Ok("no change: the file already says that".into());
        }
        let errors_before = self.document.syntax_errors();
        let text = self.document.apply(edits).map_err(|e| e.to_string())?;
        self.document = Document::new(
            self.request.language,
            Path::new(&self.request.violation.file),
            text,
        );
        let mut notes = vec!["done".to_string()];
        if self.document.syntax_errors() > errors_before {
            notes.push("warning: the file no longer parses; the gate rejects that".into());
        }
        match self.resource() {
            Ok(_) => notes.push(self.resource_source()?),
            Err(gone) => notes.push(format!("warning: {gone}; the gate rejects that")),
        }
        Ok(notes.join("\n"))
    }

    /// The resource's current source, fenced.
    fn resource_source(&self) -> Result<String, String> {
        let resource = self.resource()?;
        let text = self.document.text();
        let lines = Lines::new(text);
        let range = lines.covering(resource.span);
        Ok(format!(
            "The resource now reads:\n{}",
            fence(&self.request.violation.file, &lines.render(&[range]))
        ))
    }

    /// `read_resource`: what the engine knows of the resource, and its source with the
    /// definitions it uses.
    pub(crate) fn describe_resource(&self) -> Result<String, String> {
        let resource = self.resource()?;
        let footprint = self.document.footprint(resource);
        let lines = Lines::new(self.document.text());
        let mut ranges: Vec<(usize, usize)> = self
            .document
            .definitions_used(resource)
            .iter()
            .map(|d| lines.covering(d.span))
            .collect();
        ranges.push(lines.covering(resource.span));
        let known = serde_json::to_string(&resource.properties).unwrap_or_default();
        let mut out = format!(
            "{} `{}` in {}\nProperties known statically (camelCase): {known}\n",
            resource.type_token,
            resource.display_name(),
            self.request.violation.file
        );
        if !resource.unknown.is_empty() {
            let unknown: Vec<&str> = resource.unknown.iter().map(String::as_str).collect();
            out.push_str(&format!(
                "Not known statically (config, calls, spreads): {}\n",
                unknown.join(", ")
            ));
        }
        out.push_str(&editable_note(
            &footprint
                .definitions
                .iter()
                .map(|d| d.name.clone())
                .collect::<Vec<_>>(),
            &footprint.shared,
        ));
        out.push_str(&fence(
            &self.request.violation.file,
            &lines.render(&merge(ranges)),
        ));
        Ok(out)
    }

    /// `read_lines`: a window of a program file in the repository, around the resource (the
    /// default, in the file being fixed) or around the first line containing `around`.
    pub(crate) fn read_lines(
        &self,
        path: Option<&str>,
        around: Option<&str>,
        before: usize,
        after: usize,
    ) -> Result<String, String> {
        let before = before.min(MAX_WINDOW);
        let after = after.min(MAX_WINDOW);
        let own = self.request.violation.file.as_str();
        let path = path.map(|p| p.trim_start_matches("./")).unwrap_or(own);
        let owned;
        let text = if path == own {
            self.document.text()
        } else {
            owned = read_confined(self.request.root, path)?;
            owned.as_str()
        };
        let lines = Lines::new(text);
        let anchor = match around {
            Some(needle) if !needle.is_empty() => {
                let at = text
                    .find(needle)
                    .ok_or_else(|| format!("`{needle}` does not occur in {path}"))?;
                let line = lines.line_of(at);
                (line, line)
            }
            _ if path == own => lines.covering(self.resource()?.span),
            _ => (0, 0),
        };
        let start = anchor.0.saturating_sub(before);
        let end = (anchor.1 + after).min(lines.count().saturating_sub(1));
        let end = end.min(start + MAX_LINES - 1);
        Ok(fence(path, &capped(lines.render(&[(start, end)]))))
    }
}

/// The context the task prompt shows: the import block, the definitions the resource uses, the
/// resource and a few lines around it; plus the names of definitions it may and may not edit.
pub(crate) struct Context {
    pub source: String,
    pub editable: Vec<String>,
    pub shared: Vec<String>,
}

pub(crate) fn context(request: &FixRequest<'_>) -> Result<Context, String> {
    let workspace = Workspace::new(request);
    let document = workspace.document();
    let resource = workspace.resource()?;
    let footprint = document.footprint(resource);
    let lines = Lines::new(document.text());
    let mut ranges = Vec::new();
    if footprint.imports.end > footprint.imports.start {
        let (first, last) = lines.covering(Span {
            start: footprint.imports.start,
            end: footprint
                .imports
                .end
                .saturating_sub(1)
                .max(footprint.imports.start),
        });
        ranges.push((first, last.min(first + MAX_IMPORT_LINES - 1)));
    }
    for definition in document.definitions_used(resource) {
        ranges.push(lines.covering(definition.span));
    }
    let (first, last) = lines.covering(resource.span);
    ranges.push((
        first.saturating_sub(CONTEXT_LINES),
        (last + CONTEXT_LINES).min(lines.count().saturating_sub(1)),
    ));
    Ok(Context {
        source: fence(&request.violation.file, &lines.render(&merge(ranges))),
        editable: footprint
            .definitions
            .iter()
            .map(|d| d.name.clone())
            .collect(),
        shared: footprint.shared,
    })
}

pub(crate) fn editable_note(editable: &[String], shared: &[String]) -> String {
    let mut out = String::new();
    if !editable.is_empty() {
        out.push_str(&format!(
            "Definitions only this resource uses (editable): {}\n",
            editable.join(", ")
        ));
    }
    if !shared.is_empty() {
        out.push_str(&format!(
            "Shared definitions (other code uses them too; do not edit them, override at this resource's call): {}\n",
            shared.join(", ")
        ));
    }
    out
}

/// Read a program file of the repository: a relative path, no `..`, no way out through
/// symlinks, only TypeScript and Python sources outside dependency and hidden directories (so
/// no `.env`, keys or state files ever reach the model), and not too large.
fn read_confined(root: &Path, path: &str) -> Result<String, String> {
    let refuse = |why: &str| Err(format!("cannot read `{path}`: {why}"));
    let relative = Path::new(path);
    if path.is_empty()
        || relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return refuse("give a path relative to the repository root, without `..`");
    }
    if Language::from_path(relative).is_none() || is_skipped_path(path) {
        return refuse("only the repository's TypeScript and Python program files can be read");
    }
    let root = root
        .canonicalize()
        .map_err(|_| format!("cannot read `{path}`: the repository root is not readable"))?;
    let full: PathBuf = match root.join(relative).canonicalize() {
        Ok(full) => full,
        Err(_) => return refuse("no such file"),
    };
    // Every rule again on where the name leads: a committed symlink `docs/helper.py -> ../.env`
    // passes on its name alone.
    let Ok(real) = full.strip_prefix(&root) else {
        return refuse("it lies outside the repository");
    };
    if real != relative
        && (Language::from_path(real).is_none() || is_skipped_path(&real.to_string_lossy()))
    {
        return refuse("it is a link to a file that is not a program file");
    }
    let meta = std::fs::metadata(&full).map_err(|_| format!("cannot read `{path}`"))?;
    if !meta.is_file() {
        return refuse("not a file");
    }
    if meta.len() > MAX_FILE_BYTES {
        return refuse("the file is too large");
    }
    let bytes = std::fs::read(&full).map_err(|_| format!("cannot read `{path}`"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// At most [`MAX_ANSWER_BYTES`] of `text`, cut at a character boundary and saying so (one
/// minified line can be the whole file).
fn capped(mut text: String) -> String {
    if text.len() <= MAX_ANSWER_BYTES {
        return text;
    }
    let mut cut = MAX_ANSWER_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.push_str("\n… (cut: the answer is limited to 16 KB)\n");
    text
}

/// Merge overlapping or adjacent line ranges.
fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// A text's lines, without their numbers ever leaving this module.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len() || i == 0)
            .collect();
        Self { text, starts }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line holding byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The lines a span covers.
    fn covering(&self, span: Span) -> (usize, usize) {
        let end = if span.end > span.start {
            span.end - 1
        } else {
            span.end
        };
        (self.line_of(span.start), self.line_of(end))
    }

    fn line(&self, i: usize) -> &'t str {
        let start = self.starts.get(i).copied().unwrap_or(self.text.len());
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// The ranges' lines, `…` where lines are left out.
    fn render(&self, ranges: &[(usize, usize)]) -> String {
        let mut out = String::new();
        let mut next = 0;
        for &(start, end) in ranges {
            if start > next {
                out.push_str("…\n");
            }
            for i in start..=end.min(self.count().saturating_sub(1)) {
                out.push_str(self.line(i));
                out.push('\n');
            }
            next = end + 1;
        }
        if next < self.count() {
            out.push_str("…\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_render_ranges_with_gaps_and_no_numbers() {
        let lines = Lines::new("a\nb\nc\nd\ne\n");
        assert_eq!(lines.count(), 5);
        assert_eq!(lines.line_of(2), 1);
        assert_eq!(lines.render(&[(1, 1), (3, 4)]), "…\nb\n…\nd\ne\n");
        assert_eq!(lines.render(&[(0, 0)]), "a\n…\n");
        assert_eq!(merge(vec![(3, 4), (0, 1), (2, 2)]), vec![(0, 4)]);
    }

    #[test]
    fn reading_is_confined_to_program_files_in_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/shared.ts"), "export const x = 1;\n").unwrap();
        std::fs::write(root.join(".env"), "SECRET=1\n").unwrap();
        std::fs::write(root.join("notes.txt"), "hi\n").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("evil.ts"), "secret\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("evil.ts"), root.join("link.ts")).unwrap();

        assert!(
            read_confined(root, "lib/shared.ts")
                .unwrap()
                .contains("x = 1")
        );
        for bad in [
            "/etc/passwd",
            "../evil.ts",
            "lib/../../evil.ts",
            ".env",
            "notes.txt",
            "node_modules/x.ts",
            "missing.ts",
            "",
        ] {
            assert!(read_confined(root, bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        assert!(
            read_confined(root, "link.ts")
                .unwrap_err()
                .contains("outside the repository")
        );
        // A program-file name that leads to a secret inside the repository.
        #[cfg(unix)]
        {
            std::fs::create_dir_all(root.join("docs")).unwrap();
            std::os::unix::fs::symlink("../.env", root.join("docs/helper.py")).unwrap();
            let err = read_confined(root, "docs/helper.py").unwrap_err();
            assert!(err.contains("not a program file"), "{err}");
            std::os::unix::fs::symlink("../lib/shared.ts", root.join("docs/alias.ts")).unwrap();
            assert!(
                read_confined(root, "docs/alias.ts")
                    .unwrap()
                    .contains("x = 1")
            );
        }
    }

    #[test]
    fn one_answer_is_capped() {
        let long = "x".repeat(40_000) + "é";
        let cut = capped(long);
        assert!(cut.len() < MAX_ANSWER_BYTES + 100);
        assert!(cut.ends_with("limited to 16 KB)\n"));
        assert_eq!(capped("short".into()), "short");
    }
}
