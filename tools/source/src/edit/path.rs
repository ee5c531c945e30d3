//! Property paths as written in policy remediations: `a.b.c`, `ingress[0].cidrBlocks`,
//! `ingress[*].cidrBlocks` (every element).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
    /// Every element present in the source.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PropertyPath(pub Vec<Step>);

impl PropertyPath {
    pub fn parse(path: &str) -> Option<Self> {
        let mut steps = Vec::new();
        for part in path.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() || key.contains([']', ' ']) {
                return None;
            }
            steps.push(Step::Key(key.to_string()));
            while let Some(inner) = rest.strip_prefix('[') {
                let end = inner.find(']')?;
                let index = &inner[..end];
                steps.push(if index == "*" {
                    Step::All
                } else {
                    Step::Index(index.parse().ok()?)
                });
                rest = &inner[end + 1..];
            }
            if !rest.is_empty() {
                return None;
            }
        }
        (!steps.is_empty()).then_some(Self(steps))
    }

    /// The path of the first `n` steps, as the source model writes it (`a.b[0].c`).
    pub fn prefix(&self, n: usize) -> String {
        PropertyPath(self.0[..n].to_vec()).to_string()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for PropertyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
                Step::All => write!(f, "[*]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for p in [
            "acl",
            "a.b.c",
            "ingress[0].cidrBlocks",
            "ingress[*].cidrBlocks",
            "a[1][2]",
        ] {
            assert_eq!(PropertyPath::parse(p).unwrap().to_string(), p);
        }
        assert_eq!(PropertyPath::parse("ingress[*].x").unwrap().0[1], Step::All);
        for bad in ["", "a..b", "a[", "a[x]", ".a", "a]b"] {
            assert_eq!(PropertyPath::parse(bad), None, "{bad}");
        }
    }
}
