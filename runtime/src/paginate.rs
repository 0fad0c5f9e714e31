//! A list operation as a stream of its items, fetched a page at a time as vendor.yaml's
//! `pagination:` recipe says (the rules are `payspec_profile::pagination`'s). Each page is one
//! call through the pipeline (signed, retried and timed like any other); the next request is
//! the first one with its position changed: a query parameter, a body field, or the URL of a
//! link to the same origin. Only one page is held at a time. A page that fails after the
//! retry policy ends the stream with its error, after the items already delivered.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::{self, StreamExt as _};
use payspec_profile::pagination::{Next, PageView, Pagination};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Runtime;
use crate::error::Error;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Its items, typed.
    pub items: Vec<T>,
    /// The rest of the page's payload (its counts, cursors, links), without the items.
    pub payload: Value,
    /// Its number in this listing, from 1.
    pub number: u64,
}

/// The pages of a list, fetched one at a time as they are polled.
pub struct Pages<'a, T> {
    inner: Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send + 'a>>,
}

/// The items of a list, across its pages.
pub struct Items<'a, T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>,
}

impl<T> Stream for Pages<'_, T> {
    type Item = Result<Page<T>, Error>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(context)
    }
}

impl<T> Stream for Items<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(context)
    }
}

impl<T> std::fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

/// Where a listing stands between pages.
struct Listing<'a> {
    runtime: &'a Runtime,
    operation: &'static str,
    recipe: Pagination,
    /// The request for the next page; `None` once the list is over (or failed).
    next: Option<reqwest::Request>,
    pages_read: u64,
    /// The last change asked of the request, to stop a vendor that repeats itself.
    last_step: Option<Next>,
    /// Why no next page can be asked for, found with the page before it: that page is
    /// delivered first, and this ends the stream after it.
    stopped: Option<Error>,
}

impl<'a, T: DeserializeOwned + Send + 'a> Pages<'a, T> {
    /// The pages of `operation`, starting with `first` (the request its builder made).
    pub fn new(runtime: &'a Runtime, first: reqwest::Request, operation: &'static str) -> Self {
        let recipe = match runtime.profile().pagination_for(operation) {
            Some((_, recipe)) => recipe.clone(),
            None => {
                return Self::failed(Error::InvalidRequest(format!(
                    "{} {operation}: vendor.yaml has no pagination recipe for it",
                    runtime.profile().vendor
                )));
            }
        };
        let listing = Listing {
            runtime,
            operation,
            recipe,
            next: Some(first),
            pages_read: 0,
            last_step: None,
            stopped: None,
        };
        let inner = stream::unfold(listing, |mut listing| async move {
            if let Some(error) = listing.stopped.take() {
                return Some((Err(error), listing));
            }
            let request = listing.next.take()?;
            let page = listing.page::<T>(request).await;
            Some((page, listing))
        });
        Self {
            inner: Box::pin(inner),
        }
    }

    /// A listing whose first request could not be made: the stream is that error.
    pub fn failed(error: Error) -> Self {
        Self {
            inner: Box::pin(stream::once(std::future::ready(Err(error)))),
        }
    }

    /// The items of every page, in order.
    pub fn items(self) -> Items<'a, T> {
        let inner = self.flat_map(|page| {
            let items: VecDeque<Result<T, Error>> = match page {
                Ok(page) => page.items.into_iter().map(Ok).collect(),
                Err(error) => VecDeque::from([Err(error)]),
            };
            stream::iter(items)
        });
        Items {
            inner: Box::pin(inner),
        }
    }
}

impl Listing<'_> {
    /// Fetches one page and prepares the request for the next.
    async fn page<T: DeserializeOwned>(
        &mut self,
        request: reqwest::Request,
    ) -> Result<Page<T>, Error> {
        let template = request.try_clone();
        let size_asked = self.size_asked(&request);
        let answer = self.runtime.send(request, self.operation).await?;
        let status = answer.status();
        let decoded = self.runtime.decode::<Value>(answer)?;
        let link_header = match &self.recipe.style {
            payspec_profile::PageStyle::NextLink {
                header: Some(name), ..
            } => decoded
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            _ => None,
        };
        let mut payload = decoded.into_inner();
        let items = self.take_items(&mut payload, status.as_u16())?;
        self.pages_read += 1;
        let step = self
            .recipe
            .next(PageView {
                payload: &payload,
                items: &items,
                link_header: link_header.as_deref(),
                pages_read: self.pages_read,
                size_asked,
            })
            .map_err(|message| self.invalid(status.as_u16(), message));
        match step.and_then(|step| self.next_request(template, step, status.as_u16())) {
            Ok(next) => self.next = next,
            Err(error) => self.stopped = Some(error),
        }
        // Through text, not `from_value`: an item type's decoder is then the one its
        // operation's response already compiled (see `json_text`).
        let items = items
            .iter()
            .map(crate::json_text::from_tree)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|e| self.invalid(status.as_u16(), format!("an item does not decode: {e}")))?;
        Ok(Page {
            items,
            payload,
            number: self.pages_read,
        })
    }

    /// The page size the request names, when the recipe has a size parameter.
    fn size_asked(&self, request: &reqwest::Request) -> Option<u64> {
        let name = self.recipe.size_param.as_ref()?;
        request
            .url()
            .query_pairs()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.parse().ok())
    }

    fn take_items(&self, payload: &mut Value, status: u16) -> Result<Vec<Value>, Error> {
        let at = &self.recipe.items;
        let found = if at.is_empty() {
            Some(payload.take())
        } else {
            payload.pointer_mut(at).map(Value::take)
        };
        match found {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => {
                Err(self.invalid(status, format!("the page's items at {at:?} are not a list")))
            }
        }
    }

    /// The request for the next page, or `None` when the list is over.
    fn next_request(
        &mut self,
        template: Option<reqwest::Request>,
        step: Next,
        status: u16,
    ) -> Result<Option<reqwest::Request>, Error> {
        if step == Next::Done {
            return Ok(None);
        }
        if self.last_step.as_ref() == Some(&step) {
            return Err(self.invalid(
                status,
                "the vendor gave the same position twice: the list would never end".into(),
            ));
        }
        let mut request = template.ok_or_else(|| {
            Error::InvalidRequest("a streaming body cannot be sent again for the next page".into())
        })?;
        match &step {
            Next::Done => {}
            Next::Query(name, value) => set_query(request.url_mut(), name, value),
            Next::Body(at, value) => set_body(&mut request, at, value.clone())?,
            Next::Url(link) => *request.url_mut() = same_origin(request.url(), link)?,
        }
        self.last_step = Some(step);
        Ok(Some(request))
    }

    fn invalid(&self, status: u16, message: String) -> Error {
        Error::InvalidResponse {
            status: Some(status),
            message: format!(
                "{} {} (page {}): {message}",
                self.runtime.profile().vendor,
                self.operation,
                self.pages_read
            ),
            excerpt: String::new(),
        }
    }
}

/// Sets a query parameter, replacing every value it had.
fn set_query(url: &mut reqwest::Url, name: &str, value: &str) {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut pairs = url.query_pairs_mut();
    pairs.clear();
    for (key, value) in &kept {
        pairs.append_pair(key, value);
    }
    pairs.append_pair(name, value);
}

/// Sets a field of the JSON body.
fn set_body(request: &mut reqwest::Request, at: &str, value: Value) -> Result<(), Error> {
    let mut body: Value = match request.body().and_then(|b| b.as_bytes()) {
        None | Some(b"") => Value::Object(Default::default()),
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| {
            Error::InvalidRequest(format!(
                "the next page's cursor goes into the JSON body, which is not JSON: {e}"
            ))
        })?,
    };
    payspec_profile::pointer::try_set(&mut body, at, value).map_err(|e| {
        Error::InvalidRequest(format!(
            "the next page's cursor cannot go into the body: {e}"
        ))
    })?;
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::InvalidRequest(e.to_string()))?;
    *request.body_mut() = Some(bytes.into());
    Ok(())
}

/// The next page's URL, resolved against the last; a link to another origin is refused, since
/// the request carries the caller's credentials.
fn same_origin(current: &reqwest::Url, link: &str) -> Result<reqwest::Url, Error> {
    let next = current
        .join(link)
        .map_err(|e| Error::InvalidRequest(format!("the next page's link {link:?}: {e}")))?;
    if next.origin() != current.origin() {
        return Err(Error::InvalidRequest(format!(
            "the next page's link goes to {}, another origin than {}: not followed",
            next.origin().ascii_serialization(),
            current.origin().ascii_serialization()
        )));
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_replaced_not_repeated() {
        let mut url =
            reqwest::Url::parse("https://a.example/v1/x?limit=10&starting_after=a&q=%20").unwrap();
        set_query(&mut url, "starting_after", "cus_2");
        assert_eq!(
            url.as_str(),
            "https://a.example/v1/x?limit=10&q=+&starting_after=cus_2"
        );
    }

    #[test]
    fn links_stay_on_the_origin() {
        let here = reqwest::Url::parse("https://api.a.example/v1/items?page=1").unwrap();
        assert_eq!(
            same_origin(&here, "/v1/items?page=2").unwrap().as_str(),
            "https://api.a.example/v1/items?page=2"
        );
        assert!(same_origin(&here, "https://api.a.example/v1/items?page=3").is_ok());
        for elsewhere in [
            "https://evil.example/steal",
            "http://api.a.example/v1",
            "//evil.example/x",
        ] {
            let refused = same_origin(&here, elsewhere).unwrap_err().to_string();
            assert!(refused.contains("another origin"), "{elsewhere}: {refused}");
        }
    }

    #[test]
    fn a_body_cursor_is_set_in_the_json_body() {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "https://a.example/search".parse().unwrap(),
        );
        *request.body_mut() = Some(r#"{"query": {"x": 1}}"#.into());
        set_body(&mut request, "/cursor", Value::String("c2".into())).unwrap();
        let body: Value =
            serde_json::from_slice(request.body().unwrap().as_bytes().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"query": {"x": 1}, "cursor": "c2"}));
    }
}
