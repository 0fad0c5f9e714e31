//! Fenced blocks (```` ``` ````, ```` ```` ````) holding OpenAPI documents or JSON examples,
//! `curl` commands (their method, URL, headers and `--data` body), and bare JSON examples.

use serde_json::Value;

use super::{Block, DocOperation, Example, Facts, Place, sections};
use crate::page::Page;

/// Reads the blocks of a page into `facts`; returns which lines they took (the field
/// extractors skip them).
pub(super) fn extract(page: &Page, facts: &mut Facts) -> Vec<bool> {
    let sections = sections(page);
    let mut taken = vec![false; page.lines.len()];
    let mut seen_curl = false;
    // Whether the current section already showed its request body's example.
    let mut body_shown = false;
    // The fields the current request section's table listed.
    let mut listed: Vec<String> = Vec::new();
    let mut i = 0;
    while i < page.lines.len() {
        let line = page.lines[i].trim_start();
        if super::heading(line).is_some() {
            body_shown = false;
            listed.clear();
        }
        if sections[i] == Some(Place::Body)
            && let Some(name) = table_field(page, i)
        {
            listed.push(name);
        }
        let examples_before = facts.examples.len();
        let consumed = if line.starts_with("```") {
            fenced(page, i, answer_after_body(sections[i], body_shown), facts)
        } else if line.starts_with("curl ") {
            seen_curl = true;
            curl(page, i, facts)
        } else if (line.starts_with('{') || line.starts_with('[')) && !after_example_label(page, i)
        {
            // Mintlify shows the response example right after the request's curl.
            let place = answer_after_body(sections[i], body_shown).unwrap_or(if seen_curl {
                Place::Response
            } else {
                Place::Body
            });
            bare_json(page, i, place, facts)
        } else {
            0
        };
        for example in &mut facts.examples[examples_before..] {
            if example.place == Place::Body && !shares_a_field(&example.value, &listed) {
                // GitBook renders the response tabs after the request's table, unlabelled.
                example.place = Place::Response;
            }
        }
        body_shown |= facts.examples[examples_before..]
            .iter()
            .any(|e| e.place == Place::Body);
        for flag in taken.iter_mut().skip(i).take(consumed) {
            *flag = true;
        }
        i += consumed.max(1);
    }
    taken
}

/// The field a table row at `index` names: a name whose next line with text is a type
/// (`cashout_id*` / `number`).
fn table_field(page: &Page, index: usize) -> Option<String> {
    let name = page.lines[index].trim().trim_end_matches('*');
    let simple = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (simple && super::typed_next(&page.lines, index)).then(|| name.to_owned())
}

/// Whether a request example has any of the fields its section's table listed (true when the
/// table listed none, or the example is not an object: nothing to judge by).
fn shares_a_field(example: &Value, listed: &[String]) -> bool {
    match example.as_object() {
        Some(object) if !listed.is_empty() && !object.is_empty() => object
            .keys()
            .any(|key| listed.iter().any(|name| name == key)),
        _ => true,
    }
}

/// The place of an example in `section`: a second JSON example in a request section, after
/// its body's own, is the answer (GitBook pages show the response right after the request's
/// example, with no heading of its own).
fn answer_after_body(section: Option<Place>, body_shown: bool) -> Option<Place> {
    match section {
        Some(Place::Body) | None if body_shown => Some(Place::Response),
        other => other,
    }
}

/// A fenced block at `start`; returns its length in lines.
fn fenced(page: &Page, start: usize, section: Option<Place>, facts: &mut Facts) -> usize {
    let opening = page.lines[start].trim_start();
    let fence: String = opening.chars().take_while(|c| *c == '`').collect();
    let info = opening[fence.len()..].trim().to_ascii_lowercase();
    let Some(end) = (start + 1..page.lines.len()).find(|&j| page.lines[j].trim() == fence) else {
        facts.cut_off.push(page.line_number(start));
        return page.lines.len() - start;
    };
    if page
        .lines
        .get(start + 1)
        .is_some_and(|l| l.trim_start().starts_with("curl "))
    {
        curl(page, start + 1, facts);
        return end - start + 1;
    }
    let text = page.lines[start + 1..end].join("\n");
    let value = if info.starts_with("json") {
        tolerant_json(&text)
    } else if info.starts_with("yaml") || info.starts_with("yml") {
        serde_saphyr::from_str::<Value>(&text).ok()
    } else {
        tolerant_json(&text)
    };
    if let Some(value) = value {
        if is_openapi(&value) {
            facts.blocks.push(Block {
                line: page.line_number(start),
                value,
            });
        } else if value.is_object() || value.is_array() {
            let place = query_comment(&text).unwrap_or(section.unwrap_or(Place::Body));
            facts.examples.push(Example {
                line: page.line_number(start),
                place,
                value,
            });
        }
    }
    end - start + 1
}

/// Whether a value is an OpenAPI document or fragment.
fn is_openapi(value: &Value) -> bool {
    value.get("openapi").is_some()
        || value.get("paths").is_some()
        || value.get("components").is_some()
}

/// Whether the line before (blank lines skipped) is a field's `Example:` label: the JSON that
/// follows is one field's value, not a body.
fn after_example_label(page: &Page, index: usize) -> bool {
    page.lines[..index]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.eq_ignore_ascii_case("example:"))
}

/// A bare JSON value starting at `start` (braces balanced within 500 lines).
fn bare_json(page: &Page, start: usize, place: Place, facts: &mut Facts) -> usize {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, line) in page.lines[start..].iter().take(500).enumerate() {
        for c in line.chars() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_string = false,
                (false, _, '"') => in_string = true,
                (false, _, '{' | '[') => depth += 1,
                (false, _, '}' | ']') => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            let text = page.lines[start..=start + offset].join("\n");
            let context = start
                .checked_sub(1)
                .map(|p| page.lines[p].as_str())
                .unwrap_or_default();
            let place = query_comment(context).unwrap_or(place);
            if let Some(value) = tolerant_json(&text).filter(|v| v.is_object() || v.is_array()) {
                facts.examples.push(Example {
                    line: page.line_number(start),
                    place,
                    value,
                });
            }
            return offset + 1;
        }
    }
    1
}

/// `// Params: query` before or in an example says it is of query parameters.
fn query_comment(text: &str) -> Option<Place> {
    text.lines()
        .find(|l| l.trim_start().starts_with("//") && l.to_ascii_lowercase().contains("query"))
        .map(|_| Place::Query)
}

/// A `curl` command at `start` (with its continuation lines): its request line, headers and
/// body. Returns its length in lines.
fn curl(page: &Page, start: usize, facts: &mut Facts) -> usize {
    let mut end = start;
    let mut command = String::new();
    let mut quotes = 0usize;
    while end < page.lines.len() {
        let line = &page.lines[end];
        command.push_str(line.trim_end_matches('\\'));
        command.push('\n');
        quotes += line.matches('\'').count();
        end += 1;
        let continues = line.trim_end().ends_with('\\') || quotes % 2 == 1;
        if !continues {
            break;
        }
    }
    let words = shell_words(&command);
    let mut method = "GET".to_owned();
    let mut url = None;
    let mut data = None;
    let mut index = 0;
    while index < words.len() {
        let next = words.get(index + 1).cloned();
        match words[index].as_str() {
            "--request" | "-X" => method = next.unwrap_or_default().to_ascii_uppercase(),
            "--url" => url = next,
            "--header" | "-H" => {
                if let Some((name, _)) = next.as_deref().and_then(|h| h.split_once(':')) {
                    facts
                        .headers
                        .push((page.line_number(start), name.trim().to_owned()));
                }
            }
            "--data" | "--data-raw" | "-d" => data = next,
            word if word.starts_with("http://") || word.starts_with("https://") => {
                url = Some(word.to_owned())
            }
            _ => {
                index += 1;
                continue;
            }
        }
        index += 2;
    }
    if let Some(url) = url {
        let path = super::operations::path_of(&url);
        facts.operations.push(DocOperation {
            line: page.line_number(start),
            method,
            path,
            url: Some(url),
        });
    }
    if let Some(value) = data.as_deref().and_then(tolerant_json) {
        facts.examples.push(Example {
            line: page.line_number(start),
            place: Place::Body,
            value,
        });
    }
    end - start
}

/// Words of a shell command, with single and double quotes.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    let mut has_word = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if has_word || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                    has_word = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if has_word || !current.is_empty() {
        words.push(current);
    }
    words
}

/// JSON with the liberties documentation takes: `//` and `/* */` comments, trailing commas,
/// `…` placeholders.
pub(crate) fn tolerant_json(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    let mut cleaned = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            cleaned.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (c, chars.get(i + 1)) {
            ('"', _) => {
                in_string = true;
                cleaned.push(c);
            }
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            ('/', Some('*')) => {
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            ('…', _) => {}
            _ => cleaned.push(c),
        }
        i += 1;
    }
    let no_trailing = remove_trailing_commas(&cleaned);
    serde_json::from_str(&no_trailing).ok()
}

fn remove_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_json_is_tolerated() {
        let text = "{\n  // Params: query\n  \"id\": \"x\", /* the id */\n  \"list\": [1, 2,],\n}";
        assert_eq!(
            tolerant_json(text),
            Some(serde_json::json!({"id": "x", "list": [1, 2]}))
        );
        assert_eq!(
            tolerant_json("{\"url\": \"http://x//y\"}"),
            Some(serde_json::json!({"url": "http://x//y"}))
        );
        assert_eq!(tolerant_json("{\"cut\": "), None);
    }

    #[test]
    fn curl_commands_give_operation_headers_and_body() {
        let page = Page::from_text(
            "p",
            "curl --request PUT \\\n  --url https://h.example/api/v1/user/id/{id}/pin \\\n  --header 'Authorization: Bearer <token>' \\\n  --data '\n{\n  \"new_pin\": \"654321\"\n}\n'\n{\n  \"id\": \"u\"\n}",
        );
        let mut facts = Facts::default();
        extract(&page, &mut facts);
        assert_eq!(facts.operations[0].method, "PUT");
        assert_eq!(facts.operations[0].path, "/api/v1/user/id/{id}/pin");
        assert_eq!(facts.headers, [(1, "Authorization".to_owned())]);
        assert_eq!(facts.examples[0].place, Place::Body);
        assert_eq!(facts.examples[0].value["new_pin"], "654321");
        assert_eq!(
            facts.examples[1].place,
            Place::Response,
            "after a curl, the response example"
        );
    }
}
