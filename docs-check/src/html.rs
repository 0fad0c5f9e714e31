//! HTML reduced to the text a reader sees, one block per line (scripts and styles dropped,
//! entities decoded): the shape the extractors read.

/// Whether a text is an HTML document.
pub fn looks_like_html(text: &str) -> bool {
    let start = text
        .trim_start()
        .get(..64)
        .unwrap_or(text.trim_start())
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// The text of an HTML document.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        rest = &rest[start + end + 1..];
        for skipped in ["script", "style"] {
            if tag.starts_with(skipped) && !tag.ends_with('/') {
                let close = format!("</{skipped}");
                rest = rest.find(&close).map(|i| &rest[i..]).unwrap_or("");
            }
        }
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if matches!(
            name,
            "br" | "p"
                | "div"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "pre"
                | "td"
                | "th"
                | "dt"
                | "dd"
                | "section"
                | "table"
        ) {
            out.push('\n');
        }
    }
    out.push_str(&decode(rest));
    out.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_lines_of_text() {
        let html = "<!DOCTYPE html><html><head><script>var x = '<p>';</script><style>p{}</style></head><body><h1>Cancel</h1><p>POST <code>/v1/cancel</code></p><pre>{&quot;id&quot;: 1}</pre></body></html>";
        assert!(looks_like_html(html));
        assert_eq!(to_text(html), "Cancel\nPOST /v1/cancel\n{\"id\": 1}");
    }
}
