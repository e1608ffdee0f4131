//! Human-readable output: the run summary (where messages were lost and why), run lists, series.

use std::fmt::Write;

use studio::contract::RunListItem;
use studio::model::{ClassSummary, PriceBook, RunRecord, RunSummary, Scenario, Scope};

pub(crate) use studio::model::text::thousands;

fn pct(a: u64, b: u64) -> String {
    if b == 0 { "-".into() } else { format!("{:.2} %", a as f64 * 100.0 / b as f64) }
}

/// Seconds as the largest sensible unit.
pub(crate) fn human_s(s: f64) -> String {
    studio::model::text::duration_s(s)
}

/// One loss cause with its count and an explanation of why it happens in this design.
struct Cause {
    count: u64,
    what: String,
    why: String,
}

fn causes(s: &Scenario, r: &RunSummary) -> Vec<Cause> {
    let m = &r.messages;
    let mut out = Vec::new();
    let by_class = |f: &dyn Fn(&ClassSummary) -> u64| -> String {
        let mut parts: Vec<(u64, &str)> =
            r.per_class.iter().map(|c| (f(c), c.name.as_str())).filter(|(n, _)| *n > 0).collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        parts.iter().take(3).map(|(n, name)| format!("{name} {}", thousands(*n))).collect::<Vec<_>>().join(", ")
    };
    if m.dropped_overflow > 0 {
        let mut why = String::from("the edge buffer filled while the link was down or throttled");
        let covers: Vec<String> = r
            .per_class
            .iter()
            .filter(|c| c.messages.dropped_overflow > 0)
            .map(|c| {
                let long = match c.shared_outages_longer_than_buffer {
                    0 => String::new(),
                    n => format!(", and {n} gateway outage{} lasted longer than that", if n == 1 { "" } else { "s" }),
                };
                format!("the {} buffer holds {} of data{long}", c.name, human_s(c.buffer_covers_s))
            })
            .collect();
        if !covers.is_empty() {
            let _ = write!(why, "; {}", covers.join("; "));
        }
        if r.radio.throttled_ticks > 0 {
            let _ = write!(
                why,
                "; the backend's publish quota ({}) throttled {} of device ticks",
                quota(s),
                pct(r.radio.throttled_ticks, r.radio.device_steps)
            );
        }
        out.push(Cause {
            count: m.dropped_overflow,
            what: format!("buffer overflow ({})", by_class(&|c| c.messages.dropped_overflow)),
            why,
        });
    }
    if m.dropped_reboot > 0 {
        out.push(Cause {
            count: m.dropped_reboot,
            what: format!("lost on reboot ({})", by_class(&|c| c.messages.dropped_reboot)),
            why: format!("{} reboots and power cuts wiped RAM buffers; flash storage keeps them", thousands(r.reboots)),
        });
    }
    if m.stranded_dead > 0 {
        out.push(Cause {
            count: m.stranded_dead,
            what: format!("stranded in dead or failed devices ({})", by_class(&|c| c.messages.stranded_dead)),
            why: format!(
                "{} battery deaths and {} hardware failures took buffered data with them",
                thousands(r.deaths),
                thousands(r.hardware_failures)
            ),
        });
    }
    let lc = &r.loss_causes;
    if lc.collision > 0 {
        out.push(Cause {
            count: lc.collision,
            what: format!("LoRa collisions ({})", by_class(&|c| c.loss_causes.collision)),
            why: "frames overlapped on the same gateway, channel and spreading factor (pure ALOHA): this grows with devices per gateway".into(),
        });
    }
    if lc.duty_cycle > 0 {
        out.push(Cause {
            count: lc.duty_cycle,
            what: format!("duty-cycle limit ({})", by_class(&|c| c.loss_causes.duty_cycle)),
            why: "the regional duty cycle forbade sending: airtime per frame is too long for the reporting period"
                .into(),
        });
    }
    if lc.outage > 0 {
        out.push(Cause {
            count: lc.outage,
            what: format!("sent into an outage ({})", by_class(&|c| c.loss_causes.outage)),
            why: "unacknowledged uplinks cannot tell that the gateway is down, so nothing is kept for later".into(),
        });
    }
    if lc.channel > 0 {
        out.push(Cause {
            count: lc.channel,
            what: format!("dropped by the radio channel ({})", by_class(&|c| c.loss_causes.channel)),
            why: "bursty channel loss on unacknowledged uplinks".into(),
        });
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.count));
    out
}

fn quota(s: &Scenario) -> String {
    s.backend.publishes_per_s.map_or("none".into(), |q| format!("{q} messages/s"))
}

/// Messages per second the whole fleet generates.
fn offered_rate(s: &Scenario) -> f64 {
    s.classes.iter().map(|c| c.count as f64 / c.telemetry.period.as_secs_f64()).sum()
}

/// The summary a person reads after `scaleproof run`: `r` is the mean of the replications
/// `runs` (`studio::run::mean_of`), so every figure, the bill and the verdict are one statistic.
/// `book` is the price book the bill was priced with, for how many of its prices are
/// assumptions.
pub(crate) fn summary(s: &Scenario, r: &RunSummary, runs: &[RunSummary], book: Option<&PriceBook>) -> String {
    let mut o = String::new();
    let m = &r.messages;
    let _ = writeln!(o, "{}", r.scenario);
    if runs.len() > 1 {
        let wall: f64 = runs.iter().map(|x| x.wall_s).sum();
        let _ = writeln!(
            o,
            "{} devices, {} simulated, {} replications (runs {} to {}, seeds derived from {}; {:.1} s of compute)",
            thousands(r.devices),
            human_s(r.simulated_s),
            runs.len(),
            runs[0].run_id,
            runs[runs.len() - 1].run_id,
            runs[0].seed,
            wall
        );
        let _ = writeln!(o, "Every figure below is the mean of the {} replications.\n", runs.len());
    } else {
        let _ = writeln!(
            o,
            "{} devices, {} simulated, seed {}, run {} ({:.1} s wall, {} device-steps)",
            thousands(r.devices),
            human_s(r.simulated_s),
            r.seed,
            r.run_id,
            r.wall_s,
            thousands(r.radio.device_steps)
        );
        let _ = writeln!(o, "One replication: its figures have no interval, and targets cannot be decided.\n");
    }
    let _ = writeln!(o, "Messages                                  count        share");
    let rows = [
        ("generated", m.generated),
        ("delivered", m.delivered),
        ("lost in the network", m.lost_network),
        ("dropped: buffer overflow", m.dropped_overflow),
        ("dropped: reboot wiped the buffer", m.dropped_reboot),
        ("stranded in dead/failed devices", m.stranded_dead),
        ("still buffered at the end", m.buffered_end),
    ];
    for (name, n) in rows {
        let _ = writeln!(o, "  {name:<34} {:>14} {:>10}", thousands(n), pct(n, m.generated));
    }
    let lost = m.generated - m.delivered - m.buffered_end;
    let _ = writeln!(o, "  delivery ratio {}", studio::model::text::percent(r.delivery_ratio, 3));

    let _ = writeln!(o, "\nWhere messages were lost, and why");
    let cs = causes(s, r);
    if cs.is_empty() {
        let _ = writeln!(o, "  nothing was lost");
    }
    for (i, c) in cs.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {}. {} {} ({} of all losses): {}",
            i + 1,
            thousands(c.count),
            c.what,
            pct(c.count, lost),
            c.why
        );
    }

    let l = &r.latency_s;
    let _ = writeln!(
        o,
        "\nLatency of delivered messages: mean {}, p50 {}, p95 {}, p99 {}, max {}",
        human_s(l.mean),
        human_s(l.p50),
        human_s(l.p95),
        human_s(l.p99),
        human_s(l.max)
    );
    let _ = writeln!(
        o,
        "Fleet events: {} network outages, {} power outages, {} reboots, {} battery deaths, {} hardware failures, {} truck rolls",
        thousands(r.outages),
        thousands(r.power_outages),
        thousands(r.reboots),
        thousands(r.deaths),
        thousands(r.hardware_failures),
        thousands(r.truck_rolls)
    );
    if r.radio.throttled_ticks > 0 {
        let _ = writeln!(
            o,
            "Backend quota: the publish limit ({}) held back sends at {} device ticks ({} of all ticks); the fleet offers {:.0} messages/s",
            quota(s),
            thousands(r.radio.throttled_ticks),
            pct(r.radio.throttled_ticks, r.radio.device_steps),
            offered_rate(s)
        );
    }
    let shared: Vec<String> = s
        .networks
        .iter()
        .flat_map(|n| {
            n.outages.iter().filter(|o| o.scope != Scope::Device).map(|o| {
                let scope = if o.scope == Scope::Site { "site" } else { "gateway" };
                format!("{}: {scope}-wide, mean {} every {}", n.name, o.mean_down, o.mean_up)
            })
        })
        .collect();
    if !shared.is_empty() {
        let _ =
            writeln!(o, "Shared outages (every device behind the gateway or site goes dark): {}", shared.join("; "));
    }

    // Fits 100 columns; each class's battery follows in its own block.
    let _ = writeln!(
        o,
        "\n{:<20} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>14}",
        "Per class", "devices", "delivered", "overflow", "reboot", "stranded", "network", "online at end"
    );
    for c in &r.per_class {
        let cm = &c.messages;
        let _ = writeln!(
            o,
            "  {:<18} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>14}",
            truncate(&c.name, 18),
            thousands(c.devices),
            pct(cm.delivered, cm.generated),
            pct(cm.dropped_overflow, cm.generated),
            pct(cm.dropped_reboot, cm.generated),
            pct(cm.stranded_dead, cm.generated),
            pct(cm.lost_network, cm.generated),
            thousands(c.online_end),
        );
    }
    let _ = writeln!(o, "\n{:<20} {:>8}   lasts", "Battery", "left");
    for c in &r.per_class {
        match &c.battery {
            Some(b) => {
                let left = format!("{:.0} %", b.mean_remaining_pct);
                let _ = writeln!(
                    o,
                    "  {:<18} {left:>8}   {}",
                    truncate(&c.name, 18),
                    human_s(b.projected_life_days * 86_400.0)
                );
            }
            None => {
                let _ = writeln!(o, "  {:<18} {:>8}   mains", truncate(&c.name, 18), "-");
            }
        }
    }
    if let Some(c) = &r.cost {
        let _ = writeln!(
            o,
            "\nBusiness case over {} years ({} at {} % discount; price book {} of {})",
            c.horizon_years, c.currency, c.discount_rate_pct, c.price_book, c.price_book_date
        );
        if let Some(b) = book {
            let (assumed, total) = b.assumption_count();
            let _ = writeln!(o, "  price book {} of {}: {assumed} of {total} prices are assumptions [E]", b.id, b.date);
        }
        let _ = writeln!(
            o,
            "  TCO {}  =  {} per device-year;  capex {}, opex {} a month on average",
            c.tco, c.tco_per_device_year, c.capex, c.opex_per_month
        );
        for cat in studio::model::Category::ALL {
            let v = c.breakdown.get(cat);
            if v.0 != 0 {
                let share = v.units_f64() / c.tco.units_f64().max(1e-9) * 100.0;
                let _ = writeln!(o, "  {:<22} {:>16} {:>6.1} %", cat.label(), v.to_string(), share);
            }
        }
        let _ = writeln!(o, "  platform {} ({}), connectivity {}", c.platform, c.platform_sizing, c.connectivity);
        for a in &c.alternatives {
            let _ = writeln!(
                o,
                "  with {} {} instead: TCO {} ({} per device-year)",
                a.choice, a.name, a.tco, a.tco_per_device_year
            );
        }
    }
    if runs.len() > 1 {
        o.push_str(&replications(runs));
    }
    if let Some(v) = &r.verdict {
        let basis = if v.replications > 1 {
            format!(" (targets judged by the 95 % interval over {} replications)", v.replications)
        } else {
            String::new()
        };
        let _ = writeln!(o, "\nVerdict: {}{basis}", v.status.label());
        for f in &v.findings {
            let _ = writeln!(o, "  [{}] {}\n         {}", f.severity.label(), f.title, f.evidence);
        }
    }
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

/// The replication block: the headline figures' means with their 95 % intervals.
fn replications(runs: &[RunSummary]) -> String {
    use studio::model::text::{decimal, percent};
    use studio::model::{Bounds, Estimate};
    let mut o = String::new();
    let _ = writeln!(o, "\nAcross {} replications: mean [95 % interval]", runs.len());
    let row = |o: &mut String, name: &str, xs: Vec<f64>, b: Bounds, show: &dyn Fn(f64) -> String| {
        if xs.len() == runs.len() {
            let e = Estimate::of(&xs, b);
            let _ = writeln!(o, "  {name:<30} {:>14}  [{}, {}]", show(e.mean), show(e.ci95_low), show(e.ci95_high));
        }
    };
    let count = |x: f64| decimal(x, 0);
    row(&mut o, "delivery ratio", runs.iter().map(|r| r.delivery_ratio).collect(), Bounds::RATIO, &|x| percent(x, 3));
    let msgs = |f: fn(&RunSummary) -> u64| runs.iter().map(|r| f(r) as f64).collect::<Vec<_>>();
    row(&mut o, "dropped: buffer overflow", msgs(|r| r.messages.dropped_overflow), Bounds::NON_NEGATIVE, &count);
    row(&mut o, "dropped: reboot", msgs(|r| r.messages.dropped_reboot), Bounds::NON_NEGATIVE, &count);
    row(&mut o, "lost in the network", msgs(|r| r.messages.lost_network), Bounds::NON_NEGATIVE, &count);
    row(&mut o, "p99 latency", runs.iter().map(|r| r.latency_s.p99).collect(), Bounds::NON_NEGATIVE, &human_s);
    let life = studio::model::Kpi::BatteryLife;
    row(
        &mut o,
        "battery life (shortest class)",
        runs.iter().filter_map(|r| life.value(r)).collect(),
        Bounds::NON_NEGATIVE,
        &human_s,
    );
    row(&mut o, "battery deaths", msgs(|r| r.deaths), Bounds::NON_NEGATIVE, &count);
    let tco = studio::model::Kpi::TcoPerDeviceYear;
    row(
        &mut o,
        "TCO per device-year",
        runs.iter().filter_map(|r| tco.value(r)).collect(),
        Bounds::NON_NEGATIVE,
        &|x| decimal(x, 2),
    );
    o
}

pub(crate) fn runs(rows: &[RunListItem]) -> String {
    let mut o = String::new();
    if rows.is_empty() {
        return "no runs stored yet (scaleproof run FILE)\n".into();
    }
    // 100 columns: the seed column as wide as its seeds; the scenario goes on the next line
    // when the row would pass the width.
    let sw = rows.iter().map(|r| r.seed.to_string().len()).max().unwrap_or(0).max(4);
    let head = format!(
        "{:>5}  {:<20}  {:<10}  {:>9}  {:>sw$}  {:>9}  {:>8}",
        "run", "created", "status", "devices", "seed", "delivery", "wall"
    );
    let sep = if head.len() + 10 <= 100 { "  " } else { "\n       " };
    let _ = writeln!(o, "{head}{sep}scenario");
    for r in rows {
        let delivery = r.delivery_ratio.map_or("-".to_string(), |d| format!("{:.3} %", d * 100.0));
        let rep =
            r.replication_of.map_or(String::new(), |of| format!(" (replication {} of run {of})", r.replication_index));
        let row = format!(
            "{:>5}  {:<20}  {:<10}  {:>9}  {:>sw$}  {:>9}  {:>8}",
            r.id,
            r.created_at,
            r.status,
            thousands(r.devices),
            r.seed,
            delivery,
            r.wall_s.map_or("-".into(), |w| format!("{w:.1} s")),
        );
        let tail = format!("{}{rep}", r.scenario);
        if row.chars().count() + 2 + tail.chars().count() <= 100 {
            let _ = writeln!(o, "{row}  {tail}");
        } else {
            let _ = writeln!(o, "{row}\n       {tail}");
        }
    }
    o
}

/// `scaleproof show`: the run's record, then its summary: with replications, the mean of all of
/// them (`group`), as `run` printed it.
pub(crate) fn show(rec: &RunRecord, group: Result<&studio::run::StoredRun, &studio::Error>) -> String {
    let mut o = String::new();
    let r = &rec.row;
    let _ = writeln!(o, "run {} ({}), created {}, {}", r.id, r.status, r.created_at, rec.engine_version);
    let _ = writeln!(
        o,
        "scenario {} from {}, seed {}, overrides {}",
        r.scenario_name, r.scenario_file, r.seed, rec.overrides_json
    );
    if let Some(of) = r.replication_of {
        let _ =
            writeln!(o, "replication {} of run {of}; shown with all the replications of run {of}", r.replication_index);
    }
    match (group, r.summary_json.as_deref().map(serde_json::from_str::<RunSummary>)) {
        (Ok(g), _) => {
            o.push_str(&summary(&g.loaded.scenario, &g.mean, &g.summaries, g.loaded.book.as_ref().map(|b| &b.book)))
        }
        (Err(_), Some(Ok(s))) => {
            let _ = writeln!(o, "{}", serde_json::to_string_pretty(&s).unwrap_or_default());
        }
        (Err(e), Some(Err(_))) => {
            let _ = writeln!(o, "the stored summary cannot be read by this version: {e:#}");
        }
        (Err(_), None) => {
            let why = match r.status.as_str() {
                "cancelled" => "it was cancelled; its hours so far are stored",
                "failed" => "it failed part-way; its hours so far are stored",
                _ => "it was interrupted or is still running",
            };
            let _ = writeln!(o, "no summary: the run did not finish ({why})");
        }
    }
    o
}

pub(crate) fn bench(r: &studio::bench::BenchResult) -> String {
    let mut o = String::new();
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let _ = writeln!(o, "reference fleet (scenarios/bench/reference-fleet.toml), {} thread(s)", r.threads);
    let _ = writeln!(o, "  devices              {:>16}", thousands(r.devices));
    let _ = writeln!(o, "  simulated            {:>16}", human_s(r.simulated_s));
    let _ = writeln!(o, "  device-steps         {:>16}", thousands(r.device_steps));
    let _ = writeln!(o, "  messages             {:>16}", thousands(r.messages));
    let _ = writeln!(o, "  wall                 {:>14.3} s", r.wall_s);
    let _ = writeln!(o, "  device-steps/s       {:>16}", thousands(r.device_steps_per_s as u64));
    let _ = writeln!(o, "  messages/s           {:>16}", thousands(r.messages_per_s as u64));
    let _ = writeln!(o, "  peak RSS             {:>12.1} MiB", mib(r.peak_rss_bytes));
    let _ = writeln!(
        o,
        "  bytes per device     {:>14.1}   ((peak - {:.1} MiB before the fleet) / devices)",
        r.bytes_per_device,
        mib(r.baseline_rss_bytes)
    );
    let m = &r.summary.summary.messages;
    let _ = writeln!(
        o,
        "  delivered {:.4} %, {} deaths, {} reboots, {} outages",
        100.0 * m.delivered as f64 / m.generated.max(1) as f64,
        thousands(r.summary.summary.deaths),
        thousands(r.summary.summary.reboots),
        thousands(r.summary.summary.outages)
    );
    o
}

/// The sweep table: per point, delivery and losses by cause, TCO per device-year with its 95 %
/// interval over replications; then the crossovers.
pub(crate) fn sweep(
    path: &str,
    points: &[studio::sweep::PointResult],
    crossovers: &[studio::model::Crossover],
) -> String {
    use studio::model::text::{decimal, percent};
    use studio::sweep::stat;
    let mut o = String::new();
    if let Some(p) = points.first() {
        let reps: Vec<usize> = points.iter().map(|p| p.summaries.len()).collect();
        let (lo, hi) = (reps.iter().min().unwrap_or(&0), reps.iter().max().unwrap_or(&0));
        let reps = if lo == hi { lo.to_string() } else { format!("{lo} to {hi}") };
        let _ = writeln!(o, "{}: sweep over {path}, {reps} replications per point", p.mean.scenario);
        let _ = writeln!(o, "Every figure is the mean of a point's replications; 95 % intervals in brackets.\n");
    }
    // The swept value, unless it is the fleet size (shown as devices anyway).
    let lead = |v: &str| if path == "devices" { String::new() } else { format!("{:>12} ", truncate(v, 12)) };
    let _ = writeln!(
        o,
        "{}{:>10} {:>4}  {:<29} {:>9} {:>9} {:>9} {:>9}",
        lead(path),
        "devices",
        "reps",
        "delivered",
        "network",
        "overflow",
        "reboot",
        "stranded"
    );
    for p in points {
        let share = |f: fn(&studio::model::Messages) -> u64| {
            percent(stat(p, |s| f(&s.messages) as f64 / s.messages.generated.max(1) as f64).0, 2)
        };
        let (_, dl, dh) = stat(p, |s| s.delivery_ratio);
        let _ = writeln!(
            o,
            "{}{:>10} {:>4}  {:<29} {:>9} {:>9} {:>9} {:>9}",
            lead(&p.value),
            thousands(p.mean.devices),
            p.summaries.len(),
            format!(
                "{} [{}, {}]",
                percent(p.mean.delivery_ratio, 3),
                decimal(dl.max(0.0) * 100.0, 3),
                decimal(dh.min(1.0) * 100.0, 3)
            ),
            share(|m| m.lost_network),
            share(|m| m.dropped_overflow),
            share(|m| m.dropped_reboot),
            share(|m| m.stranded_dead)
        );
    }
    if let Some(c) = points.first().and_then(|p| p.mean.cost.as_ref()) {
        let names: Vec<String> = std::iter::once(format!("{} (chosen)", c.platform))
            .chain(c.alternatives.iter().map(|a| a.name.clone()))
            .collect();
        let _ = writeln!(o, "\nTCO per device-year ({}); alternatives priced on the same usage", c.currency);
        let _ = write!(o, "{:>12} {:>24}", truncate(path, 12), "chosen [95 % CI]");
        for n in &names[1..] {
            let _ = write!(o, " {:>14}", truncate(n, 14));
        }
        let _ = writeln!(o);
        for p in points {
            let (m, lo, hi) = stat(p, |s| s.cost.as_ref().map_or(0.0, |c| c.tco_per_device_year.units_f64()));
            let at = if path == "devices" { thousands(p.mean.devices) } else { truncate(&p.value, 12) };
            let _ = write!(
                o,
                "{:>12} {:>24}",
                at,
                format!("{} [{}, {}]", decimal(m, 2), decimal(lo.max(0.0), 2), decimal(hi, 2))
            );
            for a in p.mean.cost.iter().flat_map(|c| &c.alternatives) {
                let _ = write!(o, " {:>14}", decimal(a.tco_per_device_year.units_f64(), 2));
            }
            let _ = writeln!(o);
        }
        let _ = writeln!(o, "  chosen: platform {}, connectivity {}", c.platform, c.connectivity);
    } else {
        let _ = writeln!(o, "\nTCO per device-year: no price book");
    }
    let _ = writeln!(o, "\nCrossovers");
    if !crossovers.iter().any(|c| c.crosses()) {
        let _ = writeln!(o, "  none inside the sweep: no alternative changes from dearer to cheaper (or back)");
    }
    for c in crossovers {
        match c.closing_gap_pct {
            None => {
                let _ = writeln!(
                    o,
                    "  at ~{} {path}: {} {} becomes {} than {}",
                    thousands(c.at.round() as u64),
                    c.choice,
                    c.alternative,
                    if c.alternative_cheaper_above { "cheaper" } else { "dearer" },
                    c.chosen
                );
            }
            Some(gap) => {
                let _ = writeln!(
                    o,
                    "  gap closing: at {} {path}, {} {} is {:.2} % {} than {}",
                    thousands(c.at.round() as u64),
                    c.choice,
                    c.alternative,
                    gap.abs(),
                    if gap > 0.0 { "dearer" } else { "cheaper" },
                    c.chosen
                );
            }
        }
    }
    let _ = writeln!(o, "\nVerdict at each {}", if path == "devices" { "fleet size" } else { "point" });
    for p in points {
        if let Some(v) = &p.mean.verdict {
            let at = if path == "devices" { thousands(p.mean.devices) } else { p.value.clone() };
            let line = format!("{at:>12}  {}", v.one_line());
            // textwrap rather than a hand-rolled wrapper: it breaks at word boundaries and keeps
            // the continuation lines under the verdict.
            for l in textwrap::wrap(&line, textwrap::Options::new(100).subsequent_indent(&" ".repeat(14))) {
                let _ = writeln!(o, "{l}");
            }
        }
    }
    o
}

/// The sensitivity table: each assumption's settings and the KPI at each, widest swing first.
pub(crate) fn sensitivity(study: &studio::sensitivity::Study) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}: base case {:.4}\n", study.kpi, study.baseline);
    // 100 columns: the assumption column as wide as its paths up to 34; a longer path goes on
    // its own line above its numbers.
    let w = study.rows.iter().map(|r| r.path.chars().count()).max().unwrap_or(0).clamp(10, 34);
    let _ = writeln!(
        o,
        "  {:<w$} {:>12} {:>12} {:>12} {:>12} {:>10}",
        "assumption", "low", "high", "KPI at low", "KPI at high", "swing"
    );
    for r in &study.rows {
        let name = if r.path.chars().count() > w {
            let _ = writeln!(o, "  {}", r.path);
            ""
        } else {
            r.path.as_str()
        };
        let _ = writeln!(
            o,
            "  {:<w$} {:>12} {:>12} {:>12.4} {:>12.4} {:>10.4}",
            name,
            truncate(&r.low_setting, 12),
            truncate(&r.high_setting, 12),
            r.kpi_low,
            r.kpi_high,
            r.swing()
        );
    }
    o
}

/// The comparison of two runs: results side by side, then what differs in their assumptions.
pub(crate) fn comparison(c: &studio::compare::Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "A: run {} ({})\nB: run {} ({})\n", c.run_a, c.scenario_a, c.run_b, c.scenario_b);
    let _ = writeln!(o, "  {:<38} {:>18} {:>18} {:>12}", "result", "A", "B", "change");
    let num = |x: Option<f64>| match x {
        None => "-".to_string(),
        Some(v) if v >= 0.0 && (v.abs() >= 1000.0 || v.fract() == 0.0) => thousands(v.round() as u64),
        Some(v) => format!("{v:.4}"),
    };
    for f in &c.results {
        let change = match (f.a, f.delta()) {
            (Some(a), Some(d)) if a != 0.0 && d != 0.0 => format!("{:+.1} %", d / a * 100.0),
            (_, Some(0.0)) => "=".into(),
            (_, Some(d)) => format!("{d:+.4}"),
            _ => String::new(),
        };
        let _ = writeln!(o, "  {:<38} {:>18} {:>18} {:>12}", truncate(&f.name, 38), num(f.a), num(f.b), change);
    }
    for (title, rows) in [("Assumptions that differ", &c.assumptions), ("Prices that differ", &c.prices)] {
        let _ = writeln!(o, "\n{title}");
        if rows.is_empty() {
            let _ = writeln!(o, "  none");
        }
        // One line when it fits 100 columns, else the path and then A and B on lines of their
        // own.
        let w = rows.iter().map(|d| d.path.chars().count()).max().unwrap_or(0).min(50);
        for d in rows.iter() {
            let line = format!("  {:<w$} A: {}   B: {}", d.path, d.a, d.b);
            if line.chars().count() <= 100 {
                let _ = writeln!(o, "{line}");
            } else {
                let _ = writeln!(o, "  {}\n      A: {}\n      B: {}", d.path, truncate(&d.a, 90), truncate(&d.b, 90));
            }
        }
    }
    o
}

/// `scaleproof frame`: devices per site and state at one simulated time (states no device is in
/// left out), with what serving the frame took.
pub(crate) fn frame(
    layout: &studio::contract::FleetLayout,
    frame: &studio::contract::FleetFrame,
    served_ms: f64,
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Run {} ({}) at {}: the hourly sample of hour {} of {}, {} devices (served in {served_ms:.2} ms).",
        layout.run,
        layout.scenario,
        studio::model::text::sim_clock(frame.at_s),
        frame.hour,
        layout.hours,
        thousands(frame.states.len() as u64)
    );
    let shown: Vec<&studio::contract::StateLegend> = layout
        .legend
        .iter()
        .filter(|l| frame.sites.iter().any(|s| s.counts.get(l.code as usize).is_some_and(|&n| n > 0)))
        .collect();
    let sw = frame.sites.iter().map(|s| s.site.chars().count()).max().unwrap_or(4).max(4);
    let _ = write!(o, "{:<sw$}", "site");
    for l in &shown {
        let _ = write!(o, "  {:>w$}", l.key, w = l.key.len().max(7));
    }
    o.push('\n');
    for s in &frame.sites {
        let _ = write!(o, "{:<sw$}", s.site);
        for l in &shown {
            let n = s.counts.get(l.code as usize).copied().unwrap_or(0);
            let _ = write!(o, "  {:>w$}", thousands(n as u64), w = l.key.len().max(7));
        }
        o.push('\n');
    }
    for l in &shown {
        let _ = writeln!(o, "  {}: {}", l.key, l.label);
    }
    o
}
