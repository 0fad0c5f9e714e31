//! Documentation pages: a file, every file of a directory, a URL, or an `llms.txt` index
//! followed to its pages. Pages are kept as lines of text, as they render: HTML is reduced to
//! its text, markdown kept as it is. A stored page's first line may be its address (`URL: …`).

use std::path::Path;

use crate::DocsError;
use crate::fetch::Fetcher;

/// One page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where it was read from (a file path or a URL).
    pub source: String,
    /// The page's address, when known (a stored page's `URL:` line, or the URL fetched).
    pub url: Option<String>,
    /// Its text, line by line (line 1 is `lines[0]`).
    pub lines: Vec<String>,
    /// The number of the first line of `lines` in the source (2 when a `URL:` line was taken).
    pub first_line: usize,
}

impl Page {
    /// A page from text: a leading `URL: …` line is its address; HTML is reduced to its text.
    pub fn from_text(source: impl Into<String>, text: &str) -> Self {
        let source = source.into();
        let (url, body, first_line) = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("URL: ") => (
                Some(first.trim_start_matches("URL: ").trim().to_owned()),
                rest,
                2,
            ),
            _ => (None, text, 1),
        };
        let text = if crate::html::looks_like_html(body) {
            crate::html::to_text(body)
        } else {
            body.to_owned()
        };
        Self {
            source,
            url,
            lines: text.lines().map(str::to_owned).collect(),
            first_line,
        }
    }

    /// How findings name the page: its address, else where it was read from.
    pub fn name(&self) -> &str {
        self.url.as_deref().unwrap_or(&self.source)
    }

    /// The source line number of `lines[index]`.
    pub fn line_number(&self, index: usize) -> usize {
        index + self.first_line
    }

    /// Whether the page is an `llms.txt` index (a list of links to the docs' pages).
    pub fn is_index(&self) -> bool {
        self.name().ends_with("llms.txt")
            || self.source.ends_with("llms.txt")
            || self.source.ends_with("llms.txt.txt")
    }

    /// The links of an index (`[title](https://…)` or relative to the index's address).
    pub fn links(&self) -> Vec<String> {
        let base = self
            .url
            .as_deref()
            .and_then(|u| reqwest::Url::parse(u).ok());
        self.written_links()
            .into_iter()
            .filter_map(|link| match &base {
                Some(base) => base.join(&link).ok().map(String::from),
                None => {
                    (link.starts_with("http://") || link.starts_with("https://")).then_some(link)
                }
            })
            .filter(|link| link.starts_with("http://") || link.starts_with("https://"))
            .collect()
    }

    fn written_links(&self) -> Vec<String> {
        let text = self.lines.join("\n");
        let mut links = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let link = after[..end].trim();
            if !link.is_empty() && !link.starts_with('#') {
                links.push(link.to_owned());
            }
            rest = &after[end..];
        }
        links
    }
}

/// Reads pages: files, directories (every file, in name order), and URLs (fetched; an
/// `llms.txt` index is followed to its pages, each in its `.md` variant where the docs
/// platform offers one).
pub async fn load(inputs: &[String], fetcher: &Fetcher) -> Result<Vec<Page>, DocsError> {
    let mut pages = Vec::new();
    for input in inputs {
        if input.starts_with("http://") || input.starts_with("https://") {
            pages.extend(fetch_pages(input, fetcher).await?);
            continue;
        }
        let path = Path::new(input);
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| DocsError::Input(format!("{input}: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for file in files {
                pages.push(read_file(&file)?);
            }
        } else {
            pages.push(read_file(path)?);
        }
    }
    Ok(pages)
}

fn read_file(path: &Path) -> Result<Page, DocsError> {
    let bytes =
        std::fs::read(path).map_err(|e| DocsError::Input(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| DocsError::Input(format!("{}: not UTF-8 text", path.display())))?;
    Ok(Page::from_text(path.display().to_string(), &text))
}

async fn fetch_pages(url: &str, fetcher: &Fetcher) -> Result<Vec<Page>, DocsError> {
    let page = fetch_page(url, fetcher).await?;
    if !page.is_index() {
        return Ok(vec![page]);
    }
    let mut pages = vec![page.clone()];
    for link in page.links().into_iter().take(fetcher.max_pages) {
        pages.push(fetch_page(&link, fetcher).await?);
    }
    Ok(pages)
}

/// A page by URL: its `.md` variant first where the address has no extension (Mintlify and
/// GitBook serve one), the page itself otherwise.
async fn fetch_page(url: &str, fetcher: &Fetcher) -> Result<Page, DocsError> {
    let last = url.rsplit('/').next().unwrap_or_default();
    if !last.contains('.') {
        let markdown = format!("{}.md", url.trim_end_matches('/'));
        if let Ok(text) = fetcher.get(&markdown).await {
            return Ok(Page {
                url: Some(markdown.clone()),
                ..Page::from_text(markdown, &text)
            });
        }
    }
    let text = fetcher.get(url).await.map_err(|e| DocsError::Fetch {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(Page {
        url: Some(url.to_owned()),
        ..Page::from_text(url, &text)
    })
}
