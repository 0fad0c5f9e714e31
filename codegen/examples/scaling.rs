//! How code generation scales: for synthetic vendors of 10, 100, 1,000 and 5,000 operations,
//! the time to load + normalise + generate + write the module (as `build.rs` does), and the
//! peak memory of doing so. Each size runs in a
//! process of its own (peak RSS is per process).
//!
//! `cargo run --release -p payspec-codegen --example scaling`

use std::process::Command;
use std::time::Instant;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(size) = args.get(1).and_then(|n| n.parse::<usize>().ok()) {
        let root =
            std::env::temp_dir().join(format!("payspec-scaling-{size}-{}", std::process::id()));
        let dir = root.join("synth");
        payspec_codegen::synthetic::write_vendor(&dir, "synth", size)
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let vendor = payspec_codegen::load_vendor(&dir).unwrap_or_else(|d| panic!("{d}"));
        let loaded = started.elapsed();
        let generated = payspec_codegen::generate(&vendor).unwrap_or_else(|d| panic!("{d}"));
        generated.write_to(&root).unwrap_or_else(|e| panic!("{e}"));
        let total = started.elapsed();
        let source = std::fs::metadata(root.join("synth.rs"))
            .map(|m| m.len())
            .unwrap_or(0);
        let _ = std::fs::remove_dir_all(&root);
        println!(
            "{size}\t{:.1}\t{:.1}\t{}\t{}",
            loaded.as_secs_f64() * 1000.0,
            total.as_secs_f64() * 1000.0,
            peak_rss_kib() / 1024,
            source / 1024
        );
        return;
    }
    println!("operations\tload+normalise ms\ttotal ms\tpeak RSS MiB\tsource KiB");
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    for size in [10, 100, 1000, 5000] {
        let output = Command::new(&exe)
            .arg(size.to_string())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprint!("{}", String::from_utf8_lossy(&output.stderr));
        }
    }
}
