//! Literal decoding shared by both languages: escapes, numbers, key casing.

use super::Language;

/// Decode one escape sequence as written in source (`\n`, `\x41`, `\u{1F600}`, `\'`, …).
/// `None` when the escape's meaning is not plain (octal in JS, `\N{…}` in Python), so the caller
/// treats the string as unknown rather than guess.
pub(crate) fn unescape(seq: &str) -> Option<String> {
    let body = seq.strip_prefix('\\')?;
    let mut chars = body.chars();
    let first = chars.next()?;
    let rest: &str = chars.as_str();
    let simple = |c: char| Some(c.to_string());
    match first {
        'n' => simple('\n'),
        't' => simple('\t'),
        'r' => simple('\r'),
        'b' => simple('\u{8}'),
        'f' => simple('\u{c}'),
        'v' => simple('\u{b}'),
        'a' => simple('\u{7}'),
        '0' if rest.is_empty() => simple('\0'),
        '\\' | '\'' | '"' | '`' | '$' | '/' => simple(first),
        '\n' => Some(String::new()),
        '\r' => Some(String::new()),
        'x' => hex_char(rest),
        'u' => {
            let hex = rest
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .unwrap_or(rest);
            hex_char(hex)
        }
        'U' => hex_char(rest),
        _ => None,
    }
}

fn hex_char(hex: &str) -> Option<String> {
    let code = u32::from_str_radix(hex, 16).ok()?;
    char::from_u32(code).map(|c| c.to_string())
}

/// A numeric literal as JSON: integers stay integers, the rest become floats.
/// Handles `_` separators and `0x`/`0o`/`0b` prefixes; `None` for anything else (BigInt, complex).
pub(crate) fn number(literal: &str) -> Option<serde_json::Value> {
    let cleaned: String = literal.chars().filter(|&c| c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let radix = |prefix: &str, radix: u32| {
        lower
            .strip_prefix(prefix)
            .and_then(|digits| i64::from_str_radix(digits, radix).ok())
    };
    if let Some(n) = radix("0x", 16)
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
    {
        return Some(n.into());
    }
    if lower.ends_with('n') || lower.ends_with('j') || lower.ends_with('l') {
        return None;
    }
    if let Ok(n) = lower.parse::<i64>() {
        return Some(n.into());
    }
    let f = lower.parse::<f64>().ok()?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        // `1.0` and `1e3` are whole numbers; policies compare them as such.
        #[allow(clippy::cast_possible_truncation)]
        return Some((f as i64).into());
    }
    serde_json::Number::from_f64(f).map(serde_json::Value::Number)
}

/// Negate a JSON number.
pub(crate) fn negate(value: &serde_json::Value) -> Option<serde_json::Value> {
    let n = value.as_number()?;
    if let Some(i) = n.as_i64() {
        return i.checked_neg().map(Into::into);
    }
    serde_json::Number::from_f64(-n.as_f64()?).map(serde_json::Value::Number)
}

/// Pulumi's canonical property key: Python's `server_side_encryption` becomes
/// `serverSideEncryption`; keys already in camelCase are unchanged.
pub fn camel_case(key: &str) -> String {
    if !key.contains('_') {
        return key.to_string();
    }
    let trimmed = key.trim_end_matches('_');
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in trimmed.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Python's spelling of a Pulumi property key, the inverse of [`camel_case`]:
/// `serverSideEncryptionConfiguration` → `server_side_encryption_configuration`,
/// `ipv6CidrBlocks` → `ipv6_cidr_blocks`; keys already in snake_case are unchanged.
pub fn snake_case(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let before = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            // `cidrBlocks` → `cidr_blocks`, `roleARN` → `role_arn`, `ARNList` → `arn_list`.
            if before.is_ascii_lowercase()
                || before.is_ascii_digit()
                || (before.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A lowerCamelCase word, the shape of a Pulumi property key that Python spells otherwise.
fn is_camel_key(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.bytes().any(|b| b.is_ascii_uppercase())
        && word.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `text` with its property keys spelled as a program in `language` writes them: for Python,
/// every whole lowerCamelCase word in `only` (or every one, when `only` is `None`) in
/// snake_case. Words in a path or URL (after `/`) are left alone.
pub(crate) fn spell_keys(language: Language, text: &str, only: Option<&[&str]>) -> String {
    if language != Language::Python {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut previous: Option<char> = None;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            previous = Some(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let word = &rest[..end];
        let wanted = only.is_none_or(|names| names.contains(&word));
        if wanted && previous != Some('/') && is_camel_key(word) {
            out.push_str(&snake_case(word));
        } else {
            out.push_str(word);
        }
        previous = word.chars().last();
        rest = &rest[end..];
    }
    out
}

/// First letter lowercased: `BucketV2` → `bucketV2` (the module file part of a type token).
pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes() {
        assert_eq!(unescape("\\n").as_deref(), Some("\n"));
        assert_eq!(unescape("\\'").as_deref(), Some("'"));
        assert_eq!(unescape("\\x41").as_deref(), Some("A"));
        assert_eq!(unescape("\\u0041").as_deref(), Some("A"));
        assert_eq!(unescape("\\u{1F600}").as_deref(), Some("😀"));
        assert_eq!(unescape("\\N{DASH}"), None);
        assert_eq!(unescape("\\07"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(number("22"), Some(json!(22)));
        assert_eq!(number("1_000"), Some(json!(1000)));
        assert_eq!(number("0x10"), Some(json!(16)));
        assert_eq!(number("1.5"), Some(json!(1.5)));
        assert_eq!(number("1e3"), Some(json!(1000)));
        assert_eq!(number("10n"), None);
        assert_eq!(number("2j"), None);
        assert_eq!(negate(&json!(1)), Some(json!(-1)));
    }

    #[test]
    fn snake_casing_inverts_camel_casing() {
        for (camel, snake) in [
            (
                "serverSideEncryptionConfiguration",
                "server_side_encryption_configuration",
            ),
            ("ipv6CidrBlocks", "ipv6_cidr_blocks"),
            ("kmsKeyId", "kms_key_id"),
            ("acl", "acl"),
            ("roleARN", "role_arn"),
        ] {
            assert_eq!(snake_case(camel), snake);
        }
        for camel in [
            "serverSideEncryptionConfiguration",
            "ipv6CidrBlocks",
            "kmsKeyId",
        ] {
            assert_eq!(camel_case(&snake_case(camel)), camel);
        }
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn keys_are_spelled_for_python_only() {
        let hint = "Set kmsKeyId (see docs/kmsKeyId), then networkInterfaces[0].associatePublicIpAddress = \"false\"; IMDSv1 stays.";
        assert_eq!(
            spell_keys(Language::Python, hint, None),
            "Set kms_key_id (see docs/kmsKeyId), then network_interfaces[0].associate_public_ip_address = \"false\"; IMDSv1 stays."
        );
        assert_eq!(spell_keys(Language::TypeScript, hint, None), hint);
        let message = "myBucket allows IMDSv1 (metadataOptions.httpTokens is not \"required\")";
        assert_eq!(
            spell_keys(
                Language::Python,
                message,
                Some(&["metadataOptions", "httpTokens"])
            ),
            "myBucket allows IMDSv1 (metadata_options.http_tokens is not \"required\")"
        );
    }

    #[test]
    fn casing() {
        assert_eq!(camel_case("publicly_accessible"), "publiclyAccessible");
        assert_eq!(camel_case("acl"), "acl");
        assert_eq!(camel_case("cidrBlocks"), "cidrBlocks");
        assert_eq!(camel_case("ipv6_cidr_blocks"), "ipv6CidrBlocks");
        assert_eq!(camel_case("lambda_"), "lambda");
        assert_eq!(lower_first("BucketV2"), "bucketV2");
    }
}
