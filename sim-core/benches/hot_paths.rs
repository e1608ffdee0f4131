//! Criterion benches of the engine's hot paths: the random draw, latency sampling and recording,
//! one simulated hour of the reference fleet (every tick and bulk), and reading a scenario.
//! `cargo bench -p sim-core`; `scaleproof bench` measures whole runs.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use sim_core::engine::LatencyStats;
use sim_core::engine::{NoObserver, Stepping, simulate_with};
use sim_core::models::latency::LatencySampler;
use sim_core::rng::{Purpose, Stream};
use sim_core::scenario::{Latency, ScenarioSource, parse_scenario};
use sim_core::time::SimDuration;

const REFERENCE: &str = include_str!("../../scenarios/bench/reference-fleet.toml");
const MINE: &str = include_str!("../../scenarios/mine-production.toml");

fn draws(c: &mut Criterion) {
    let s = Stream::new(1, 2, Purpose::Channel);
    let mut g = c.benchmark_group("rng");
    g.throughput(Throughput::Elements(1024));
    g.bench_function("uniform_at x1024", |b| b.iter(|| (0..1024u64).map(|i| s.uniform_at(black_box(i))).sum::<f64>()));
    g.finish();
}

fn latency(c: &mut Criterion) {
    let sampler =
        LatencySampler::new(&Latency::LogNormal { median: SimDuration(400_000), p99: SimDuration(6_200_000) });
    let mut g = c.benchmark_group("latency");
    g.throughput(Throughput::Elements(1024));
    g.bench_function("lognormal sample + record x1024", |b| {
        let mut stats = LatencyStats::default();
        let s = Stream::new(1, 2, Purpose::Latency);
        b.iter(|| {
            for i in 0..1024u64 {
                stats.record(sampler.sample_us(s.uniform_at(i)));
            }
        })
    });
    g.finish();
}

fn engine(c: &mut Criterion) {
    let overrides = vec!["fleet.devices.count=1024".to_string(), "scenario.duration=\"1h\"".to_string()];
    let s = parse_scenario(&ScenarioSource { file: "reference", bytes: REFERENCE.as_bytes(), overrides: &overrides })
        .unwrap();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(1024 * 60));
    for (name, stepping) in
        [("1024 devices x 1 h, every tick", Stepping::EveryTick), ("1024 devices x 1 h, bulk", Stepping::Auto)]
    {
        g.bench_function(name, |b| b.iter(|| simulate_with(&s, black_box(7), &mut NoObserver, stepping)));
    }
    g.finish();
}

fn reader(c: &mut Criterion) {
    c.bench_function("parse mine-production.toml", |b| {
        b.iter(|| {
            parse_scenario(&ScenarioSource { file: "mine", bytes: black_box(MINE.as_bytes()), overrides: &[] }).unwrap()
        })
    });
}

criterion_group!(benches, draws, latency, engine, reader);
criterion_main!(benches);
