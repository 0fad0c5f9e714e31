//! The sandbox under load, for BENCHMARKS.md (not part of the test suite):
//! `cargo run --release -p payspec-sandbox --example load [RECORDS] [REQUESTS]`
//! (defaults 200,000 and 1,000,000).
//!
//! 1. creates RECORDS OneKey cashouts through the generated, signing client (64 at a time);
//! 2. times a status lookup by id at 1,000, 10,000, 100,000 and RECORDS records;
//! 3. measures throughput at concurrency 1, 16, 64 and 256 on a GET (Rio) and a signed
//!    cancel (OneKey), with the memory held;
//! 4. serves REQUESTS requests in all, and reports the process's resident memory at each
//!    stage (the sandbox keeps a bounded log and bounded records, so it must level off).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use payspec::{Settings, onekey, rio};
use payspec_sandbox::{Options, Sandbox};
use serde_json::json;

fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn cashout(n: u64) -> onekey::types::CashoutRequest {
    serde_json::from_value(json!({
        "external_id": format!("load-{n}"), "country": "BR", "amount": 10, "document_id": "1",
        "beneficiary_name": "A", "notification_url": "https://merchant.example/n"
    }))
    .unwrap()
}

/// Runs `total` calls of `call`, `concurrency` at a time; returns calls per second.
async fn throughput<F, Fut>(total: u64, concurrency: usize, call: F) -> f64
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    futures_util::stream::iter(0..total)
        .for_each_concurrent(concurrency, &call)
        .await;
    total as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let records = args.first().copied().unwrap_or(200_000);
    let requests = args.get(1).copied().unwrap_or(1_000_000);
    let options = Options::default();
    println!("sandbox bounds: {options:?}");
    let running = Sandbox::with_options(payspec::VENDORS, options)
        .unwrap()
        .start(([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let settings = Settings::new().sandbox(running.url());
    let onekey = Arc::new(onekey::Client::with_settings(settings.clone()).unwrap());
    let rio = Arc::new(rio::Client::with_settings(settings).unwrap());
    let served = Arc::new(AtomicU64::new(0));
    println!("start: rss {:.0} MiB", rss_mib().0);

    // 1 and 2: records, and lookups as they grow.
    let checkpoints = [1_000, 10_000, 100_000, records];
    let mut created = 0;
    for checkpoint in checkpoints {
        let from = created;
        let rate = throughput(checkpoint - from, 64, |n| {
            let (client, served) = (onekey.clone(), served.clone());
            async move {
                client
                    .create_cashout()
                    .body(cashout(from + n))
                    .send()
                    .await
                    .unwrap();
                served.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;
        created = checkpoint;
        let mut latencies = Vec::new();
        for i in 0..500u64 {
            let id = 11954 + (i * 7919) % created;
            let started = Instant::now();
            onekey
                .get_cashout_status()
                .body(onekey::types::GetCashoutStatusBody {
                    cashout_id: Some(id as i64),
                    external_id: None,
                })
                .send()
                .await
                .unwrap();
            latencies.push(started.elapsed());
        }
        served.fetch_add(500, Ordering::Relaxed);
        latencies.sort();
        let (rss, peak) = rss_mib();
        println!(
            "{created:>7} cashouts (created at {rate:>6.0}/s, concurrency 64): lookup by id median {:>6.0} µs, p90 {:>6.0} µs; rss {rss:.0} MiB (peak {peak:.0})",
            latencies[250].as_secs_f64() * 1e6,
            latencies[450].as_secs_f64() * 1e6,
        );
    }
    println!(
        "records held: {}",
        running.sandbox.records("onekey", "cashout")
    );

    // 3: throughput by concurrency.
    let rio_id = rio
        .create_bulk_crypto_payment()
        .body(rio::types::RequestBulkCryptoPaymentSchema::default())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
        .unwrap();
    for concurrency in [1, 16, 64, 256] {
        let total = 4_000;
        let get = throughput(total, concurrency, |_| {
            let (client, id, served) = (rio.clone(), rio_id.clone(), served.clone());
            async move {
                client
                    .get_bulk_crypto_payment()
                    .id(id)
                    .send()
                    .await
                    .unwrap();
                served.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;
        let cancel = throughput(total, concurrency, |n| {
            let (client, served) = (onekey.clone(), served.clone());
            async move {
                let body = onekey::types::CancelCashoutBody {
                    cashout_id: 11954 + n as i64,
                    external_id: format!("load-{n}"),
                };
                // The first cancel of each cashout succeeds; a repeat is a 412 in OneKey's shape:
                // both are signed requests the sandbox verifies.
                let _ = client.cancel_cashout().body(body).send().await;
                served.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;
        let (rss, _) = rss_mib();
        println!(
            "concurrency {concurrency:>3}: GET {get:>7.0} req/s, signed cancel {cancel:>7.0} req/s; rss {rss:.0} MiB"
        );
    }

    // 4: the rest of the requests, memory sampled.
    let started = Instant::now();
    let mut next_report = Instant::now();
    while served.load(Ordering::Relaxed) < requests {
        let batch = (requests - served.load(Ordering::Relaxed)).min(50_000);
        throughput(batch, 64, |_| {
            let (client, id, served) = (rio.clone(), rio_id.clone(), served.clone());
            async move {
                client
                    .get_bulk_crypto_payment()
                    .id(id)
                    .send()
                    .await
                    .unwrap();
                served.fetch_add(1, Ordering::Relaxed);
            }
        })
        .await;
        if next_report <= Instant::now() {
            let (rss, peak) = rss_mib();
            println!(
                "{:>8} requests served: rss {rss:.0} MiB (peak {peak:.0})",
                served.load(Ordering::Relaxed)
            );
            next_report = Instant::now() + Duration::from_secs(10);
        }
    }
    let (rss, peak) = rss_mib();
    println!(
        "done: {} requests, {} records, log holds {} exchanges; rss {rss:.0} MiB, peak {peak:.0} MiB; last phase {:.0} s",
        served.load(Ordering::Relaxed),
        running.sandbox.records("onekey", "cashout"),
        running.sandbox.exchanges().len(),
        started.elapsed().as_secs_f64()
    );
}
