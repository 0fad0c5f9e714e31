//! The per-request cost of a generated, signed client against a hand-written reqwest client
//! making the same request with the same signature and decoding the same type, both against
//! one minimal local server (so that the server's work is the same for both): sequential, and
//! 64 requests at a time, in criterion's groups and then interleaved (the comparison that
//! BENCHMARKS.md's goals are read from: noise falls on both alike). Goals: the generated
//! client's throughput at least 0.97 of the other's one at a time, and at least 1.0 at 64.

use std::time::{Duration, Instant};

use criterion::Criterion;

#[path = "support/xpays_cancel.rs"]
mod xpays_cancel;

use xpays_cancel::{generated, hand_written, serve, typed_client};

const PAYMENT: &str = r#"{"data": {"id": "25e2c615-c90c-4868-b24d-0c1e3b81f92e", "seq_num": 43, "order_id": "391", "chain": "tron", "network": "testnet", "from_fiat_currency": "USD", "to_crypto_currency": "USDT", "amount": "2", "payment_amount": 2.006488233020612, "payer_paid_currency": null, "payer_paid_amount": null, "merchant_amount": 0, "txid": null, "address": "TZAiamSzmrrTz5RnP8D8B96XAR2GsUvtw1", "from_address": null, "auto_convert": false, "convert_to": "USDT", "payment_url": "https://xpays.life/pay/25e2c615", "url_return": "https://xpays.life/return", "url_success": "https://xpays.life/success", "url_failed": "https://xpays.life/failed", "is_multiple_order": true, "lifetime": 900, "expired_at": "2024-11-25T06:53:21.256Z", "fee_subtract": 0, "fee_percent": 0.4, "discount_percent": 0, "discount_amount": 0, "accuracy_percent": 0.5, "additional_data": {}, "support_currencies": null, "except_currencies": null, "exchange_rate": 0.9967663737499999, "exchange_rate_source": "COINGECKO", "payment_status": "PAYMENT_CANCELED", "payment_match_type": "EXACTLY", "is_completed": true, "status": "CANCELED", "created_at": "2024-11-25T06:38:21.260Z", "owned_by_group": "8e393308-28a9-4a6e-a689-0d7760483c7e", "agent_id": "aacc3472-f3c3-49bb-9040-d5a6aff283bf"}}"#;

fn client(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let base = runtime.block_on(serve(PAYMENT));
    let typed = typed_client(&base);
    let http = reqwest::Client::new();

    let mut group = c.benchmark_group("xpays_cancel_signed");
    group.bench_function("hand_written/sequential", |b| {
        b.to_async(&runtime).iter(|| hand_written(&http, &base))
    });
    group.bench_function("generated/sequential", |b| {
        b.to_async(&runtime).iter(|| generated(&typed))
    });
    group.bench_function("hand_written/concurrent_64", |b| {
        b.to_async(&runtime)
            .iter(|| futures_util::future::join_all((0..64).map(|_| hand_written(&http, &base))))
    });
    group.bench_function("generated/concurrent_64", |b| {
        b.to_async(&runtime)
            .iter(|| futures_util::future::join_all((0..64).map(|_| generated(&typed))))
    });
    group.finish();
}

/// Both clients in alternating blocks over the same seconds, so that the noise of a shared
/// machine falls on both alike: one request at a time (blocks of 50), and 64 at a time (blocks
/// of 5 batches); medians, 90th percentiles and the throughput ratio of each.
fn interleaved() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let base = runtime.block_on(serve(PAYMENT));
    let (typed, http) = (typed_client(&base), reqwest::Client::new());
    let (hand, generated_times) = runtime.block_on(alternate(
        60,
        50,
        || hand_written(&http, &base),
        || generated(&typed),
    ));
    report("one at a time", hand, generated_times);
    let (hand, generated_times) = runtime.block_on(alternate(
        60,
        5,
        || futures_util::future::join_all((0..64).map(|_| hand_written(&http, &base))),
        || futures_util::future::join_all((0..64).map(|_| generated(&typed))),
    ));
    report("64 at a time", hand, generated_times);
}

/// `rounds` rounds of a block of `block` runs of each, in alternating order; the time of
/// every run of each.
async fn alternate<H, G, HF, GF>(
    rounds: usize,
    block: usize,
    hand: H,
    generated: G,
) -> (Vec<Duration>, Vec<Duration>)
where
    H: Fn() -> HF,
    G: Fn() -> GF,
    HF: Future,
    GF: Future,
{
    let (mut hand_times, mut generated_times) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for variant in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            for _ in 0..block {
                let started = Instant::now();
                if variant == 0 {
                    hand().await;
                    hand_times.push(started.elapsed());
                } else {
                    generated().await;
                    generated_times.push(started.elapsed());
                }
            }
        }
    }
    (hand_times, generated_times)
}

fn report(what: &str, mut hand: Vec<Duration>, mut generated: Vec<Duration>) {
    let stats = |times: &mut Vec<Duration>| {
        times.sort();
        (times[times.len() / 2], times[times.len() * 9 / 10])
    };
    let (hand_median, hand_p90) = stats(&mut hand);
    let (gen_median, gen_p90) = stats(&mut generated);
    println!(
        "interleaved, {what}, {} runs each: hand-written median {hand_median:?} p90 {hand_p90:?}; generated median {gen_median:?} p90 {gen_p90:?}; throughput ratio (median) {:.3}",
        hand.len(),
        hand_median.as_secs_f64() / gen_median.as_secs_f64()
    );
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    client(&mut criterion);
    criterion.final_summary();
    interleaved();
}
