//! Page-serving benchmark (not a test): requests per second and latency
//! percentiles under concurrent load, for a module page and the catalogue,
//! next to a trivial axum route served by the same process in the same run.
//!
//! Run: `cargo bench -p server --bench pages` (release build). Settings:
//! BENCH_SECONDS (default 5 per target), BENCH_CONCURRENCY (default 64),
//! BENCH_ONLY (run only the targets whose name contains it; the trivial
//! route always runs, as the yardstick).
//! All traffic stays on 127.0.0.1 and stops by itself.
#![allow(clippy::unwrap_used)] // a test: a panic is a failed test

use std::time::{Duration, Instant};

use axum::routing::get;

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_macros)]
mod common;

struct Figures {
    requests: usize,
    errors: usize,
    rps: f64,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
}

async fn load(url: String, cookie: Option<&'static str>, seconds: u64, concurrency: usize) -> Figures {
    let mut headers = reqwest::header::HeaderMap::new();
    // As a browser asks: pages rendered per request are compressed per request.
    headers.insert(reqwest::header::ACCEPT_ENCODING, reqwest::header::HeaderValue::from_static("gzip"));
    if let Some(c) = cookie {
        headers.insert(reqwest::header::COOKIE, reqwest::header::HeaderValue::from_static(c));
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .default_headers(headers)
        .build()
        .expect("client");
    // Warm-up: connections and caches.
    for _ in 0..20 {
        let _ = client.get(&url).send().await.and_then(|r| r.error_for_status());
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    Figures {
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p90: pct(0.90),
        p99: pct(0.99),
        max: all.last().copied().unwrap_or_default(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY").ok().and_then(|s| s.parse().ok()).unwrap_or(64);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let t = common::TestDb::sqlite().await;
        let mut config = common::test_config();
        // The release build's site, or (before one exists) the assets it is
        // built from: only /favicon.svg is fetched from it.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        config.site_root = if root.join("../target/site/favicon.svg").exists() {
            root.join("../target/site")
        } else {
            root.join("../style/assets")
        };
        let app = server::router(&config, t.db.clone(), common::catalog())
            .expect("router")
            .route("/bench-trivial", get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(server::serve::serve(
            listener,
            app,
            server::serve::ServeLimits::default(),
            std::future::pending(),
        ));
        let base = format!("http://{addr}");
        // A session cookie bypasses the page cache: those rows measure a full
        // server render of the page on every request.
        let session = Some("checkoff_session=bench");
        // A real signed-in student: adds the session lookup (session, user,
        // roles, placements) and their progress to every request.
        let cast = common::cast(&t.db).await;
        let student: &'static str = Box::leak(common::session_cookie(&t.db, cast.student_a1).await.into_boxed_str());
        // (name, url, cookie, clients: None = BENCH_CONCURRENCY)
        let targets = [
            ("trivial axum route", format!("{base}/bench-trivial"), None, None),
            // One client, one connection: a response that leaves in two
            // segments waited ~40 ms on a delayed ACK when TCP_NODELAY was off.
            ("static file /favicon.svg, 1 client", format!("{base}/favicon.svg"), None, Some(1)),
            ("module page /modules/venipuncture", format!("{base}/modules/venipuncture"), None, None),
            ("module page, rendered each time", format!("{base}/modules/venipuncture"), session, None),
            ("catalogue /modules", format!("{base}/modules"), None, None),
            ("catalogue, rendered each time", format!("{base}/modules"), session, None),
            ("module page, signed-in student", format!("{base}/modules/venipuncture"), Some(student), None),
            ("catalogue, signed-in student", format!("{base}/modules"), Some(student), None),
        ];
        println!(
            "Checkoff page benchmark: {concurrency} concurrent clients, {seconds} s per target, SQLite, {} cores",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        );
        println!(
            "{:<36} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7}",
            "target", "req/s", "p50", "p90", "p99", "max", "errors"
        );
        let mut trivial_rps = 0.0;
        for (name, url, cookie, clients) in targets {
            if !only.is_empty() && trivial_rps != 0.0 && !name.contains(&only) {
                continue;
            }
            let f = load(url, cookie, seconds, clients.unwrap_or(concurrency)).await;
            if trivial_rps == 0.0 {
                trivial_rps = f.rps;
            }
            println!(
                "{:<36} {:>10.0} {:>10} {:>10} {:>10} {:>10} {:>7}   ({} requests, {:.0}% of trivial)",
                name,
                f.rps,
                ms(f.p50),
                ms(f.p90),
                ms(f.p99),
                ms(f.max),
                f.errors,
                f.requests,
                100.0 * f.rps / trivial_rps
            );
        }
    });
}
