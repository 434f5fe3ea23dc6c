//! Telegram's parse modes: turns a bot's HTML or Markdown text into plain text plus entities.
//!
//! Telegram answers a malformed text with 400 "Bad Request: can't parse entities: ...", which is a
//! common bug in bots that put user input into HTML without escaping it. Doing the same here makes
//! such bugs show up in tests instead of in production.

use teloxide::types::{MessageEntity, MessageEntityKind};

/// A text after its parse mode was applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Formatted {
    /// What the user sees.
    pub text: String,
    /// Formatting, with offsets and lengths in UTF-16 code units as Telegram counts them.
    pub entities: Vec<MessageEntity>,
}

impl Formatted {
    /// A text with no formatting.
    pub fn plain(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            entities: Vec::new(),
        }
    }
}

/// Applies `parse_mode` (`HTML`, `MarkdownV2`, `Markdown`, case-insensitive) to `text`.
///
/// The error is the part after "can't parse entities: ".
pub fn apply(text: &str, parse_mode: Option<&str>) -> Result<Formatted, String> {
    let mut formatted = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => return Ok(Formatted::plain(text)),
        Some("html") => parse_html(text)?,
        Some("markdownv2") => parse_markdown(text, true)?,
        Some("markdown") => parse_markdown(text, false)?,
        Some(other) => return Err(format!("unsupported parse_mode \"{other}\"")),
    };
    formatted
        .entities
        .sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
    Ok(formatted)
}

/// Builds the output text while counting UTF-16 units.
#[derive(Default)]
struct Out {
    text: String,
    utf16: usize,
    entities: Vec<MessageEntity>,
}

impl Out {
    fn push(&mut self, c: char) {
        self.text.push(c);
        self.utf16 += c.len_utf16();
    }

    fn close(&mut self, kind: Option<MessageEntityKind>, start: usize) {
        let length = self.utf16 - start;
        if let Some(kind) = kind
            && length > 0
        {
            self.entities.push(MessageEntity::new(kind, start, length));
        }
    }

    fn finish(self) -> Formatted {
        Formatted {
            text: self.text,
            entities: self.entities,
        }
    }
}

struct OpenTag {
    name: String,
    start: usize,
    kind: Option<MessageEntityKind>,
}

fn parse_html(src: &str) -> Result<Formatted, String> {
    let mut out = Out::default();
    let mut stack: Vec<OpenTag> = Vec::new();
    let mut i = 0;
    while let Some(c) = src[i..].chars().next() {
        match c {
            '<' => {
                let rest = &src[i..];
                let end = rest
                    .find('>')
                    .ok_or_else(|| format!("Unclosed start tag at byte offset {i}"))?;
                let inner = &rest[1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let name = name.trim().to_ascii_lowercase();
                    let open = stack
                        .pop()
                        .ok_or_else(|| format!("Unexpected end tag at byte offset {i}"))?;
                    if !name.is_empty() && name != open.name {
                        return Err(format!(
                            "Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{name}>\"",
                            open.name
                        ));
                    }
                    out.close(open.kind, open.start);
                } else {
                    let (name, attrs) =
                        inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
                    let name = name.trim_end_matches('/').to_ascii_lowercase();
                    let kind = html_tag_kind(&name, attrs, &mut stack).ok_or_else(|| {
                        format!("Unsupported start tag \"{name}\" at byte offset {i}")
                    })?;
                    stack.push(OpenTag {
                        name,
                        start: out.utf16,
                        kind,
                    });
                }
                i += end + 1;
            }
            '&' => {
                let (decoded, used) = html_entity(&src[i..]);
                out.push(decoded);
                i += used;
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.name
        ));
    }
    Ok(out.finish())
}

/// The entity an HTML start tag opens: `None` for an unsupported tag, `Some(None)` for a tag that
/// is allowed but adds no entity of its own.
fn html_tag_kind(
    name: &str,
    attrs: &str,
    stack: &mut [OpenTag],
) -> Option<Option<MessageEntityKind>> {
    use MessageEntityKind as K;
    let kind = match name {
        "b" | "strong" => K::Bold,
        "i" | "em" => K::Italic,
        "u" | "ins" => K::Underline,
        "s" | "strike" | "del" => K::Strikethrough,
        "tg-spoiler" => K::Spoiler,
        "span" if attrs.contains("tg-spoiler") => K::Spoiler,
        "a" => {
            let href = attr_value(attrs, "href").unwrap_or_default();
            return Some(href.parse().ok().map(|url| K::TextLink { url }));
        }
        "code" => {
            // `<pre><code class="language-x">` sets the language of the enclosing pre block.
            if let Some(top) = stack.last_mut()
                && top.name == "pre"
            {
                let language = attr_value(attrs, "class")
                    .and_then(|c| c.strip_prefix("language-").map(str::to_owned));
                top.kind = Some(K::Pre { language });
                return Some(None);
            }
            K::Code
        }
        "pre" => K::Pre { language: None },
        "blockquote" if attrs.contains("expandable") => K::ExpandableBlockquote,
        "blockquote" => K::Blockquote,
        "tg-emoji" => return Some(None),
        _ => return None,
    };
    Some(Some(kind))
}

fn attr_value(attrs: &str, name: &str) -> Option<String> {
    let start = attrs.find(&format!("{name}="))? + name.len() + 1;
    let rest = &attrs[start..];
    let value = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next()?,
        _ => rest.split(char::is_whitespace).next()?,
    };
    Some(
        value
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

/// Decodes one `&...;` entity at the start of `s`; an unknown one stays a literal `&`.
fn html_entity(s: &str) -> (char, usize) {
    let Some(end) = s.find(';').filter(|&end| end <= 10) else {
        return ('&', 1);
    };
    let name = &s[1..end];
    let decoded = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => name.strip_prefix('#').and_then(|num| {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    match decoded {
        Some(c) => (c, end + 1),
        None => ('&', 1),
    }
}

const RESERVED_V2: &str = "_*[]()~`>#+-=|{}.!";

struct OpenMark {
    mark: &'static str,
    start: usize,
    byte: usize,
}

fn mark_kind(mark: &str) -> MessageEntityKind {
    use MessageEntityKind as K;
    match mark {
        "*" => K::Bold,
        "_" => K::Italic,
        "__" => K::Underline,
        "~" => K::Strikethrough,
        "||" => K::Spoiler,
        _ => K::Code,
    }
}

fn mark_name(mark: &str) -> &'static str {
    match mark {
        "*" => "Bold",
        "_" => "Italic",
        "__" => "Underline",
        "~" => "Strikethrough",
        "||" => "Spoiler",
        "`" => "Code",
        "```" => "Pre",
        _ => "TextUrl",
    }
}

/// MarkdownV2 (`v2`) or legacy Markdown.
fn parse_markdown(src: &str, v2: bool) -> Result<Formatted, String> {
    let mut out = Out::default();
    let mut stack: Vec<OpenMark> = Vec::new();
    let mut pre_language: Option<String> = None;
    let mut i = 0;
    let mut line_start = true;
    let mut quote_start: Option<usize> = None;
    while let Some(c) = src[i..].chars().next() {
        let rest = &src[i..];
        let at_line_start = line_start;
        line_start = c == '\n';
        let top = stack.last().map(|m| m.mark);
        if c == '\\' && (v2 || rest[1..].starts_with(['_', '*', '`', '['])) {
            let escaped = rest[1..]
                .chars()
                .next()
                .ok_or("Text ends with a backslash")?;
            out.push(escaped);
            i += 1 + escaped.len_utf8();
            continue;
        }
        if matches!(top, Some("`" | "```")) {
            let closing = if top == Some("```") { "```" } else { "`" };
            if rest.starts_with(closing) {
                if let Some(open) = stack.pop() {
                    let kind = if closing == "```" {
                        MessageEntityKind::Pre {
                            language: pre_language.take(),
                        }
                    } else {
                        MessageEntityKind::Code
                    };
                    out.close(Some(kind), open.start);
                }
                i += closing.len();
            } else {
                out.push(c);
                i += c.len_utf8();
            }
            continue;
        }
        if c == '\n'
            && let Some(start) = quote_start.take()
        {
            out.close(Some(MessageEntityKind::Blockquote), start);
        }
        let mark: Option<&'static str> = match c {
            '*' => Some("*"),
            '_' if v2 && rest.starts_with("__") => Some("__"),
            '_' => Some("_"),
            '~' if v2 => Some("~"),
            '|' if v2 && rest.starts_with("||") => Some("||"),
            '`' if rest.starts_with("```") => Some("```"),
            '`' => Some("`"),
            '[' => Some("["),
            _ => None,
        };
        if let Some(mark) = mark {
            i += mark.len();
            if mark == "[" {
                stack.push(OpenMark {
                    mark,
                    start: out.utf16,
                    byte: i - 1,
                });
                continue;
            }
            if let Some(pos) = stack.iter().rposition(|m| m.mark == mark) {
                if pos + 1 != stack.len() {
                    let inner = &stack[stack.len() - 1];
                    return Err(format!(
                        "Can't find end of {} entity at byte offset {}",
                        mark_name(inner.mark),
                        inner.byte
                    ));
                }
                if let Some(open) = stack.pop() {
                    out.close(Some(mark_kind(mark)), open.start);
                }
                continue;
            }
            if mark == "```" {
                let line_end = src[i..].find('\n');
                if let Some(end) = line_end {
                    let language = src[i..i + end].trim();
                    if !language.contains(char::is_whitespace) {
                        pre_language = (!language.is_empty()).then(|| language.to_owned());
                        i += end + 1;
                    }
                }
            }
            stack.push(OpenMark {
                mark,
                start: out.utf16,
                byte: i - mark.len(),
            });
            continue;
        }
        if c == ']' && top == Some("[") {
            let after = &src[i + 1..];
            let open = stack.pop().ok_or("unbalanced link")?;
            if let Some(url_part) = after.strip_prefix('(') {
                let close = url_part
                    .find(')')
                    .ok_or_else(|| format!("Can't find end of a URL at byte offset {}", i + 2))?;
                let url = url_part[..close].replace('\\', "");
                if let Ok(url) = url.parse() {
                    out.close(Some(MessageEntityKind::TextLink { url }), open.start);
                }
                i += 1 + 1 + close + 1;
            } else {
                i += 1;
            }
            continue;
        }
        if v2 && c == '>' && at_line_start {
            quote_start = Some(out.utf16);
            i += 1;
            continue;
        }
        if v2 && RESERVED_V2.contains(c) {
            return Err(format!(
                "Character '{c}' is reserved and must be escaped with the preceding '\\'"
            ));
        }
        out.push(c);
        i += c.len_utf8();
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end of {} entity at byte offset {}",
            mark_name(open.mark),
            open.byte
        ));
    }
    if let Some(start) = quote_start {
        out.close(Some(MessageEntityKind::Blockquote), start);
    }
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageEntityKind as K;

    fn kinds(f: &Formatted) -> Vec<(MessageEntityKind, usize, usize)> {
        f.entities
            .iter()
            .map(|e| (e.kind.clone(), e.offset, e.length))
            .collect()
    }

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(
            apply("a <b> & *c*", None).unwrap(),
            Formatted::plain("a <b> & *c*")
        );
    }

    #[test]
    fn html_strips_tags_and_counts_utf16() {
        let f = apply("Привет, <b>мир</b> &lt;3 <i>😀x</i>", Some("HTML")).unwrap();
        assert_eq!(f.text, "Привет, мир <3 😀x");
        assert_eq!(kinds(&f), vec![(K::Bold, 8, 3), (K::Italic, 15, 3)]);
    }

    #[test]
    fn html_links_and_pre_language() {
        let f = apply(
            "<a href=\"https://example.com/?a=1&amp;b=2\">x</a><pre><code class=\"language-rust\">fn</code></pre>",
            Some("html"),
        )
        .unwrap();
        assert_eq!(f.text, "xfn");
        assert_eq!(
            kinds(&f),
            vec![
                (
                    K::TextLink {
                        url: "https://example.com/?a=1&b=2".parse().unwrap()
                    },
                    0,
                    1
                ),
                (
                    K::Pre {
                        language: Some("rust".into())
                    },
                    1,
                    2
                )
            ]
        );
    }

    #[test]
    fn html_errors_like_telegram() {
        assert!(
            apply("Hi <name>", Some("HTML"))
                .unwrap_err()
                .contains("Unsupported start tag \"name\"")
        );
        assert!(
            apply("<b>x", Some("HTML"))
                .unwrap_err()
                .contains("Can't find end tag")
        );
        assert!(
            apply("<b>x</i>", Some("HTML"))
                .unwrap_err()
                .contains("Unmatched end tag")
        );
        assert!(
            apply("a < b", Some("HTML"))
                .unwrap_err()
                .contains("Unclosed start tag")
        );
    }

    #[test]
    fn markdown_v2_entities_and_escapes() {
        let f = apply(
            "*bold* _it_ __u__ ~s~ ||sp|| `c` \\. [l](https://e.com)",
            Some("MarkdownV2"),
        )
        .unwrap();
        assert_eq!(f.text, "bold it u s sp c . l");
        assert_eq!(
            kinds(&f),
            vec![
                (K::Bold, 0, 4),
                (K::Italic, 5, 2),
                (K::Underline, 8, 1),
                (K::Strikethrough, 10, 1),
                (K::Spoiler, 12, 2),
                (K::Code, 15, 1),
                (
                    K::TextLink {
                        url: "https://e.com".parse().unwrap()
                    },
                    19,
                    1
                ),
            ]
        );
    }

    #[test]
    fn markdown_v2_rejects_unescaped_reserved_characters() {
        let err = apply("Total: 10.5", Some("MarkdownV2")).unwrap_err();
        assert!(err.contains("Character '.' is reserved"), "{err}");
        assert!(
            apply("*open", Some("MarkdownV2"))
                .unwrap_err()
                .contains("Can't find end of Bold")
        );
    }

    #[test]
    fn markdown_v2_pre_with_language() {
        let f = apply("```rust\nlet x = 1;\n```", Some("MarkdownV2")).unwrap();
        assert_eq!(f.text, "let x = 1;\n");
        assert_eq!(
            kinds(&f),
            vec![(
                K::Pre {
                    language: Some("rust".into())
                },
                0,
                11
            )]
        );
    }

    #[test]
    fn legacy_markdown_allows_dots() {
        let f = apply("*Total*: 10.5", Some("Markdown")).unwrap();
        assert_eq!(f.text, "Total: 10.5");
        assert_eq!(kinds(&f), vec![(K::Bold, 0, 5)]);
    }
}
