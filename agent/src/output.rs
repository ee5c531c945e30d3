//! Where reports go: standard output (colour-aware) or a file (never coloured).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anstream::adapter::StripBytes;
use anyhow::{Context, Result};

/// Standard output, or `path` when given. ANSI styles are stripped when the destination is
/// not a colour terminal (anstream honours `--color`, NO_COLOR and CLICOLOR_FORCE) and always
/// for files.
pub fn open(path: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match path {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            Box::new(Plain {
                inner: BufWriter::new(file),
                strip: StripBytes::new(),
            })
        }
        None => Box::new(anstream::stdout().lock()),
    })
}

/// A writer that drops ANSI escape sequences.
struct Plain<W> {
    inner: W,
    strip: StripBytes,
}

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for chunk in self.strip.strip_next(buf) {
            self.inner.write_all(chunk)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
