//! CoinPool's order list as a stream, through the generated client's `.stream()` and
//! `.pages()`, against the sandbox paging it by vendor.yaml's recipe (page_id and page_size).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;

use futures_util::StreamExt as _;
use payspec::{Settings, westminister};
use payspec_sandbox::FAULT_HEADER;

const ORDERS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_orders_stream_once_each_page_by_page() {
    let sandbox = common::start().await;
    let client =
        westminister::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    for _ in 0..ORDERS {
        client
            .create_order()
            .body(common::order())
            .send()
            .await
            .unwrap();
    }
    let before = sandbox.sandbox.arrivals("westminister", "list_orders");
    let mut ids = Vec::new();
    let mut orders = std::pin::pin!(client.list_orders().page_size(37).stream());
    while let Some(order) = orders.next().await {
        ids.push(order.unwrap().id.expect("an order id").to_string());
    }
    assert_eq!(ids.len(), ORDERS);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ORDERS,
        "no duplicates"
    );
    // 27 full pages of 37 and one of 1: the short page is the last, nothing asked after it.
    let pages = sandbox.sandbox.arrivals("westminister", "list_orders") - before;
    assert_eq!(pages, 28);

    let sizes: Vec<usize> = client
        .list_orders()
        .page_size(100)
        .pages()
        .map(|page| page.unwrap().items.len())
        .collect()
        .await;
    assert_eq!(
        sizes,
        [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0],
        "ten full pages, then the empty eleventh that says the list is over"
    );
}

#[tokio::test]
async fn a_page_the_vendor_fails_once_is_retried_within_the_stream() {
    let sandbox = common::start().await;
    let client =
        westminister::Client::with_settings(Settings::new().sandbox(sandbox.url())).unwrap();
    for _ in 0..30 {
        client
            .create_order()
            .body(common::order())
            .send()
            .await
            .unwrap();
    }
    let faulty = Settings::new().sandbox(sandbox.url()).header(
        FAULT_HEADER.parse().unwrap(),
        "503x1@list_orders".parse().unwrap(),
    );
    let faulty = westminister::Client::with_settings(faulty).unwrap();
    let before = sandbox.sandbox.arrivals("westminister", "list_orders");
    let count = faulty.list_orders().page_size(7).stream().count().await;
    assert_eq!(count, 30);
    // Five pages (7, 7, 7, 7, 2) and the one retry.
    assert_eq!(
        sandbox.sandbox.arrivals("westminister", "list_orders") - before,
        6
    );
}
