//! Instructions per request of the generated xpays client against a hand-written one, for a
//! count that does not depend on how busy the machine is (BENCHMARKS.md):
//!
//! ```sh
//! cargo build --release --example overhead
//! for mode in hand generated; do for n in 200 1200; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$mode.$n target/release/examples/overhead $mode $n
//! done; done
//! ```
//!
//! (instructions at 1,200 − at 200) / 1,000 is one request's cost, client and server together
//! (the server's share is the same for both).

#![allow(missing_docs)]

#[path = "../benches/support/xpays_cancel.rs"]
mod xpays_cancel;

use xpays_cancel::{generated, hand_written, serve, typed_client};

const PAYMENT: &str = r#"{"data": {"id": "25e2c615-c90c-4868-b24d-0c1e3b81f92e", "seq_num": 43, "order_id": "391", "chain": "tron", "amount": "2", "payment_amount": 2.006, "status": "CANCELED", "payment_status": "PAYMENT_CANCELED", "is_completed": true, "created_at": "2024-11-25T06:38:21.260Z"}}"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "generated".into());
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let base = serve(PAYMENT).await;
        let typed = typed_client(&base);
        let http = reqwest::Client::new();
        for _ in 0..n {
            match mode.as_str() {
                "hand" => drop(hand_written(&http, &base).await),
                _ => drop(generated(&typed).await),
            }
        }
    });
}
