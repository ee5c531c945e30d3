//! Writing JSON values as TypeScript or Python source, in the file's own style.

use serde_json::Value as Json;

use crate::parse::Language;

/// Lines longer than this are broken over several lines when a value is rendered.
const MAX_LINE: usize = 100;

/// How the file writes things.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Style {
    pub language: Language,
    pub quote: char,
    /// One level of indentation.
    pub unit: String,
}

impl Style {
    /// Quote character: the one most string literals in `text` open with (`"` when tied);
    /// indentation unit: tabs if lines are tab-indented, else the smallest indentation step.
    pub fn detect(language: Language, text: &str) -> Self {
        let (mut double, mut single) = (0usize, 0usize);
        let mut steps = [0usize; 9];
        let mut tabs = 0usize;
        let mut previous = 0usize;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() {
                continue;
            }
            if line.starts_with('\t') {
                tabs += 1;
            }
            let indent = line.len() - trimmed.len();
            if indent > previous && indent - previous < steps.len() {
                steps[indent - previous] += 1;
            }
            previous = indent;
            // Count string openings, roughly: a quote after `(`, `:`, `=`, `[`, `,` or a space.
            let mut prev = ' ';
            for c in trimmed.chars() {
                if matches!(prev, '(' | ':' | '=' | '[' | ',' | ' ' | '{') {
                    match c {
                        '"' => double += 1,
                        '\'' => single += 1,
                        _ => {}
                    }
                }
                prev = c;
            }
        }
        let unit = if tabs > 0 && tabs * 2 > text.lines().count() / 4 {
            "\t".to_string()
        } else {
            let step = (2..steps.len())
                .max_by_key(|&s| (steps[s], usize::from(s == 4), usize::MAX - s))
                .filter(|&s| steps[s] > 0)
                .unwrap_or(4);
            " ".repeat(step)
        };
        Self {
            language,
            quote: if single > double { '\'' } else { '"' },
            unit,
        }
    }

    pub fn string(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push(self.quote);
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == self.quote => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out.push(self.quote);
        out
    }

    /// A key as an object entry: `key: ` (TypeScript) or `"key": ` (Python dict).
    fn dict_key(&self, key: &str) -> String {
        match self.language {
            Language::TypeScript if is_identifier(key) => key.to_string(),
            _ => self.string(key),
        }
    }

    /// The key as it is written in this language: Python uses snake_case for property names.
    pub fn property_key(&self, key: &str, free_form: bool) -> String {
        match self.language {
            Language::Python if !free_form => snake_case(key),
            _ => key.to_string(),
        }
    }

    /// One entry of a container: `key: value` (TS object), `"key": value` (Python dict) or
    /// `key=value` (Python keyword argument). `indent` is the indentation of the entry's line,
    /// used when the value must break over several lines.
    pub fn entry(&self, container: Container, key: &str, value: &Json, indent: &str) -> String {
        let free_form = is_free_form(key);
        let written_key = self.property_key(key, false);
        let prefix = match container {
            Container::Keywords => format!("{written_key}="),
            Container::Object => format!("{}: ", self.dict_key(&written_key)),
        };
        let inline = self.value(value, free_form);
        if indent.len() + prefix.len() + inline.len() <= MAX_LINE || !value.is_object() {
            return format!("{prefix}{inline}");
        }
        format!("{prefix}{}", self.block(value, free_form, indent))
    }

    /// A value on one line.
    pub fn value(&self, value: &Json, free_form: bool) -> String {
        match value {
            Json::Null => match self.language {
                Language::TypeScript => "undefined".into(),
                Language::Python => "None".into(),
            },
            Json::Bool(b) => match (self.language, b) {
                (Language::Python, true) => "True".into(),
                (Language::Python, false) => "False".into(),
                (_, b) => b.to_string(),
            },
            Json::Number(n) => n.to_string(),
            Json::String(s) => self.string(s),
            Json::Array(items) => {
                let parts: Vec<String> = items.iter().map(|v| self.value(v, free_form)).collect();
                format!("[{}]", parts.join(", "))
            }
            Json::Object(map) => {
                if map.is_empty() {
                    return "{}".into();
                }
                let parts: Vec<String> = map
                    .iter()
                    .map(|(k, v)| {
                        let key = if free_form {
                            k.clone()
                        } else {
                            self.property_key(k, false)
                        };
                        format!(
                            "{}: {}",
                            self.dict_key(&key),
                            self.value(v, is_free_form(k))
                        )
                    })
                    .collect();
                match self.language {
                    Language::TypeScript => format!("{{ {} }}", parts.join(", ")),
                    Language::Python => format!("{{{}}}", parts.join(", ")),
                }
            }
        }
    }

    /// An object broken over lines, nested objects inline when they fit.
    fn block(&self, value: &Json, free_form: bool, indent: &str) -> String {
        let Json::Object(map) = value else {
            return self.value(value, free_form);
        };
        let inner = format!("{indent}{}", self.unit);
        let mut out = String::from("{\n");
        for (k, v) in map {
            let key = if free_form {
                k.clone()
            } else {
                self.property_key(k, false)
            };
            let head = format!("{inner}{}: ", self.dict_key(&key));
            let line = self.value(v, is_free_form(k));
            if head.len() + line.len() < MAX_LINE || !v.is_object() {
                out.push_str(&format!("{head}{line},\n"));
            } else {
                out.push_str(&format!(
                    "{head}{},\n",
                    self.block(v, is_free_form(k), &inner)
                ));
            }
        }
        out.push_str(indent);
        out.push('}');
        out
    }
}

/// What kind of container an entry goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// A TypeScript object literal or a Python dict.
    Object,
    /// Python keyword arguments (a resource call or an args class).
    Keywords,
}

/// Map-typed inputs whose keys are user data, written as they are.
pub(crate) fn is_free_form(key: &str) -> bool {
    matches!(
        key,
        "tags" | "tagsAll" | "labels" | "annotations" | "variables"
    )
}

pub(crate) fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts() -> Style {
        Style {
            language: Language::TypeScript,
            quote: '"',
            unit: "    ".into(),
        }
    }

    fn py() -> Style {
        Style {
            language: Language::Python,
            quote: '"',
            unit: "    ".into(),
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(ts().value(&json!(true), false), "true");
        assert_eq!(py().value(&json!(false), false), "False");
        assert_eq!(ts().value(&json!("a\"b"), false), "\"a\\\"b\"");
        let single = Style {
            quote: '\'',
            ..ts()
        };
        assert_eq!(single.value(&json!("it's"), false), "'it\\'s'");
        assert_eq!(py().value(&json!(null), false), "None");
    }

    #[test]
    fn objects_in_each_language() {
        let v = json!({"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}});
        assert_eq!(
            ts().value(&v, false),
            "{ applyServerSideEncryptionByDefault: { sseAlgorithm: \"AES256\" } }"
        );
        assert_eq!(
            py().value(&v, false),
            "{\"apply_server_side_encryption_by_default\": {\"sse_algorithm\": \"AES256\"}}"
        );
        assert_eq!(
            py().entry(
                Container::Keywords,
                "pointInTimeRecovery",
                &json!({"enabled": true}),
                ""
            ),
            "point_in_time_recovery={\"enabled\": True}"
        );
        assert_eq!(
            py().value(&json!({"tags": {"CostCenter": "x"}}), false),
            "{\"tags\": {\"CostCenter\": \"x\"}}"
        );
    }

    #[test]
    fn long_objects_break_over_lines() {
        let v = json!({"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyId": "alias/aws/s3-very-long-alias"}}});
        let out = ts().entry(
            Container::Object,
            "serverSideEncryptionConfiguration",
            &v,
            "    ",
        );
        assert!(
            out.starts_with("serverSideEncryptionConfiguration: {\n        rule: "),
            "{out}"
        );
        assert!(out.ends_with("\n    }"), "{out}");
    }

    #[test]
    fn style_detection() {
        let s = Style::detect(
            Language::TypeScript,
            "const a = {\n  b: 'x',\n  c: 'y',\n};\n",
        );
        assert_eq!((s.quote, s.unit.as_str()), ('\'', "  "));
        let s = Style::detect(Language::Python, "x = dict(\n    a=\"b\",\n)\n");
        assert_eq!((s.quote, s.unit.as_str()), ('"', "    "));
        assert_eq!(snake_case("serverSideEncryption"), "server_side_encryption");
        assert_eq!(snake_case("ipv6CidrBlocks"), "ipv6_cidr_blocks");
    }
}
