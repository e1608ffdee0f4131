//! A fuzz harness that runs on stable Rust and stays in the repository (cargo-fuzz needs nightly).
//! A seeded loop mutates the bundled scenarios (`scenarios/`, `scenarios/bench/`) and price books
//! (`pricebooks/`) - flipped bytes, deleted, duplicated, swapped and spliced lines, numbers and
//! durations replaced by extreme values, truncation, unicode and invalid UTF-8, huge strings,
//! `--set` overrides - and checks:
//!
//! - **reader**: parsing a scenario or a price book never panics, whatever the bytes (the readers
//!   take bytes, so invalid UTF-8 goes in as it is); nor do `flatten`, `scalar_at` (and
//!   `Scalar::scaled`), `diagnostic_at` and `known_keys`, on a quarter of the scenario inputs;
//! - **diagnostics**: every problem has a line and a column > 0 inside the file (one from a
//!   `--set` override names the override instead), a field path (file-level problems - TOML
//!   syntax, invalid UTF-8, an empty file - have none), and a message whose length does not grow
//!   with the file beyond the text it quotes;
//! - **engine**: a valid scenario mutant is cut down (every class to at most 2 devices, the run to
//!   at most 90 days, by overrides); if it still validates and its upfront estimate
//!   (`engine::estimate`, deterministic) fits the budget below, it runs through the engine,
//!   the summary, the bill (with its own price book) and the verdict without panicking, within
//!   the estimate (lifecycle actions, ticks), with balanced messages, under a memory budget, and
//!   within a generous time limit (a backstop for hangs, on a worker thread);
//! - **bill**: a valid price-book mutant bills the bundled scenarios' runs without panicking.
//!
//! `SCALEPROOF_FUZZ_INPUTS` sets the number of inputs (default [`DEFAULT_INPUTS`], about 90 s in
//! the dev profile on a 2-core machine), `SCALEPROOF_FUZZ_SEED` the seed (default fixed, so CI
//! is deterministic), `SCALEPROOF_FUZZ_ONLY` a single input index to replay. Each input is a pure
//! function of (seed, index): a failure prints both, the replay command and the input. A crash
//! found once becomes an entry of [`REGRESSIONS`]. `scripts/fuzz.sh` runs it longer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use sim_core::cost::{PriceBook, PriceBookSource, check_plan, parse_price_book};
use sim_core::diagnostic::Diagnostics;
use sim_core::engine::{Counter, Work, estimate};
use sim_core::engine::{NoObserver, simulate};
use sim_core::scenario::{Scenario, ScenarioSource, parse_scenario};
use sim_core::summary::{RunSummary, summarize};
use sim_core::time::{SimDuration, US_PER_DAY};

/// Inputs of a default run (CI): 86 s in the dev profile on a 2-core machine (measured).
const DEFAULT_INPUTS: u64 = 24_000;
const DEFAULT_SEED: u64 = 0x5CA1_E9F0_F022;

/// What a cut-down mutant may cost to be run (from `engine::estimate`).
const BUDGET: Work = Work {
    device_ticks: 2_000_000,
    certificate_cycles: sim_core::models::identity::MAX_CERTIFICATE_CYCLES,
    expiries_per_device: u64::MAX,
    campaigns: u64::MAX,
    compromises: u64::MAX,
    lifecycle_actions: 100_000,
    renewal_attempts: 5_000_000,
    ota_chunk_sends: 5_000_000,
};
/// Memory a run may add at its peak.
const MEMORY_BUDGET_BYTES: usize = 256 << 20;
/// A backstop against hangs: far above any run the budget admits (those take milliseconds).
const RUN_TIME_LIMIT: Duration = Duration::from_secs(120);
/// Above this, an allocation fails and the process aborts (after naming the input).
const HARD_MEMORY_LIMIT: usize = 2 << 30;
/// Devices per class and days of a cut-down mutant.
const SHRUNK_DEVICES: u32 = 2;
const SHRUNK_MAX_DAYS: u64 = 90;

// ---------------------------------------------------------------------------------------------
// Memory accounting

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CURRENT_SEED: AtomicU64 = AtomicU64::new(0);
static CURRENT_INPUT: AtomicU64 = AtomicU64::new(u64::MAX);

impl Counting {
    fn add(size: usize) -> bool {
        let now = LIVE.fetch_add(size, Relaxed) + size;
        if now > HARD_MEMORY_LIMIT {
            LIVE.fetch_sub(size, Relaxed);
            over_limit(size);
            return false;
        }
        PEAK.fetch_max(now, Relaxed);
        true
    }
}

/// Names the input before the allocation failure aborts the process (formats into a stack
/// buffer: no allocation here).
fn over_limit(size: usize) {
    use std::io::Write;
    struct Buf([u8; 256], usize);
    impl std::fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let n = s.len().min(self.0.len() - self.1);
            self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
            self.1 += n;
            Ok(())
        }
    }
    let mut b = Buf([0; 256], 0);
    let _ = std::fmt::write(
        &mut b,
        format_args!(
            "\nfuzz: an allocation of {size} bytes would pass the hard limit; seed {:#x}, input {}\n",
            CURRENT_SEED.load(Relaxed),
            CURRENT_INPUT.load(Relaxed)
        ),
    );
    let _ = std::io::stderr().write_all(&b.0[..b.1]);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if !Counting::add(l.size()) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.alloc(l) };
        if p.is_null() {
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if !Counting::add(l.size()) {
            return std::ptr::null_mut();
        }
        let p = unsafe { System.alloc_zeroed(l) };
        if p.is_null() {
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        if new_size > l.size() && !Counting::add(new_size - l.size()) {
            return std::ptr::null_mut();
        }
        let q = unsafe { System.realloc(p, l, new_size) };
        if q.is_null() {
            if new_size > l.size() {
                LIVE.fetch_sub(new_size - l.size(), Relaxed);
            }
        } else if new_size < l.size() {
            LIVE.fetch_sub(l.size() - new_size, Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// ---------------------------------------------------------------------------------------------
// Panics: caught, and recorded quietly on fuzzing threads

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
}
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if FUZZING.with(Cell::get) {
                let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
                *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{info}{at}"));
            } else {
                default(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_panic_hook();
    let was = FUZZING.with(|x| x.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    FUZZING.with(|x| x.set(was));
    r.map_err(|_| {
        LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_else(|| "panic (no message)".into())
    })
}

// ---------------------------------------------------------------------------------------------
// Random numbers and mutations

/// SplitMix64: each input draws from its own generator keyed by (seed, index).
struct Rng(u64);

impl Rng {
    fn for_input(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    /// True with probability `pct` percent.
    fn pct(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Numbers by kind; a kind is drawn first, so rare kinds (tiny, non-finite) come up as often as
/// the others.
const EXTREME_NUMBERS: &[&[&str]] = &[
    &["0", "-0.0", "0.0"],
    &["1e-300", "5e-324", "0.000001", "0.0000001", "1e-9"],
    &["1", "2", "-1", "-2"],
    &["1e308", "-1e308", "1e15", "1e20", "99999999999999999999999"],
    &["nan", "inf", "-inf", "+inf"],
    &["9223372036854775807", "-9223372036854775808", "18446744073709551615", "4294967295", "4294967296"],
    &["2147483647", "2147483648", "1000000000", "65535", "65536", "255", "256"],
    &["100", "100.000001", "99.999999", "50", "0.5", "365", "1000"],
    &["0x7fffffff", "0o777", "0b101", "1_000_000", "1.0e6", "+1", "01", "1.", ".5", "1__0"],
];

fn extreme_number(rng: &mut Rng) -> &'static str {
    let kind = *rng.pick(EXTREME_NUMBERS);
    rng.pick::<&'static str>(kind)
}

const EXTREME_DURATIONS: &[&str] = &[
    "0s",
    "1us",
    "1ms",
    "100ms",
    "1s",
    "59s",
    "60s",
    "1min",
    "1h",
    "23:59",
    "1d",
    "7d",
    "29d",
    "30d",
    "31d",
    "365d",
    "1y",
    "50y",
    "51y",
    "99999999d",
    "18446744073709551615us",
    "1e30y",
    "0.5us",
    "1.5d",
    "1d 1h",
    "-1s",
    "",
    "1",
    "d",
    "1 parsec",
];

const INSERTIONS: &[&[u8]] = &[
    "é".as_bytes(),
    "😀".as_bytes(),
    "\u{202e}".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{fffd}".as_bytes(),
    "\u{0}".as_bytes(),
    "\u{7f}".as_bytes(),
    "µs".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\r",
    b"\t",
    b"\\",
    b"\"",
    b"'''",
    b"\"\"\"",
    b"[",
    b"]]",
    b"{",
    b"}",
    b"=",
    b",",
    b".",
    b"#",
    b"\n[[event]]\n",
    b"\n[fleet]\n",
    b"\n[identity]\n",
];

const SPECIAL_BYTES: &[u8] = b"\"[]{}=,.#\n\\'\x00\xff 0-_";

fn lines(b: &[u8]) -> Vec<&[u8]> {
    b.split_inclusive(|&c| c == b'\n').collect()
}

fn join_lines(ls: &[&[u8]]) -> Vec<u8> {
    let mut out: Vec<u8> = ls.concat();
    // A last line moved elsewhere may lack its newline; keep the structure line-based.
    if out.last().is_some_and(|&c| c != b'\n') {
        out.push(b'\n');
    }
    out
}

/// Byte ranges of numbers written as TOML values (not inside names or strings).
fn number_spans(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            in_string = !in_string;
        } else if c == b'\n' {
            in_string = false;
        } else if !in_string
            && (c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            && i > 0
            && b" =[,{\t".contains(&b[i - 1])
        {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"._+-".contains(&b[i])) {
                i += 1;
            }
            out.push((start, i));
            continue;
        }
        i += 1;
    }
    out
}

/// A byte range `start..end`.
type Span = (usize, usize);

/// Byte ranges of the contents of string literals: all of them, and those that read as durations.
fn string_spans(b: &[u8]) -> (Vec<Span>, Vec<Span>) {
    let (mut all, mut durations) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                all.push((start, j));
                let s = &b[start..j];
                if s.first().is_some_and(u8::is_ascii_digit) && s.last().is_some_and(u8::is_ascii_alphabetic) {
                    durations.push((start, j));
                }
                i = j + 1;
                continue;
            }
            i = j;
        }
        i += 1;
    }
    (all, durations)
}

fn replace(b: &mut Vec<u8>, (start, end): (usize, usize), with: &[u8]) {
    b.splice(start..end, with.iter().copied());
}

/// A number scaled or nudged from the one written, as text.
fn nearby_number(text: &[u8], rng: &mut Rng) -> Vec<u8> {
    let t = String::from_utf8_lossy(text).replace('_', "");
    match t.parse::<f64>() {
        Ok(x) => {
            let y = match rng.below(6) {
                0 => x * 2.0,
                1 => x / 2.0,
                2 => x + 1.0,
                3 => x - 1.0,
                4 => x * 1000.0,
                _ => -x,
            };
            if t.contains(['.', 'e', 'E']) { format!("{y:?}") } else { format!("{}", y as i128) }.into_bytes()
        }
        Err(_) => extreme_number(rng).as_bytes().to_vec(),
    }
}

/// One mutation of `b`; `corpus_lines` are lines of every bundled file, for splicing.
fn mutate(b: &mut Vec<u8>, rng: &mut Rng, corpus_lines: &[Vec<u8>]) {
    let n = b.len();
    // Weights: values (numbers 30 %, durations 15 %, strings 5 %) keep a file valid more often
    // than structure (lines 25 %) and bytes (25 %).
    let arm = match rng.below(100) {
        0..=29 => 5,
        30..=44 => 8,
        45..=49 => 13,
        50..=57 => 2 + rng.below(3),
        58..=74 => 12,
        75..=79 => 0,
        80..=84 => 1,
        85..=88 => 10,
        89..=93 => 11,
        94..=96 => 14,
        _ => 15,
    };
    match arm {
        0 if n > 0 => {
            let i = rng.below(n);
            b[i] ^= 1 << rng.below(8);
        }
        1 if n > 0 => {
            let i = rng.below(n);
            b[i] = *rng.pick(SPECIAL_BYTES);
        }
        2 => {
            let mut ls = lines(b);
            if !ls.is_empty() {
                ls.remove(rng.below(ls.len()));
            }
            *b = join_lines(&ls);
        }
        3 => {
            let mut ls = lines(b);
            if !ls.is_empty() {
                let i = rng.below(ls.len());
                ls.insert(rng.below(ls.len() + 1), ls[i]);
            }
            *b = join_lines(&ls);
        }
        4 => {
            let mut ls = lines(b);
            if !ls.is_empty() {
                let (i, j) = (rng.below(ls.len()), rng.below(ls.len()));
                ls.swap(i, j);
            }
            *b = join_lines(&ls);
        }
        5 => {
            let spans = number_spans(b);
            if !spans.is_empty() {
                let s = *rng.pick(&spans);
                let with = if rng.pct(60) {
                    extreme_number(rng).as_bytes().to_vec()
                } else {
                    nearby_number(&b[s.0..s.1], rng)
                };
                replace(b, s, &with);
            }
        }
        8 => {
            let (_, durations) = string_spans(b);
            if !durations.is_empty() {
                let s = *rng.pick(&durations);
                replace(b, s, rng.pick(EXTREME_DURATIONS).as_bytes());
            }
        }
        10 => {
            let cut = rng.below(n + 1);
            b.truncate(cut);
        }
        11 => {
            let at = rng.below(n + 1);
            let ins = rng.pick(INSERTIONS);
            b.splice(at..at, ins.iter().copied());
        }
        12 => {
            let mut ls = lines(b);
            let line = rng.pick(corpus_lines);
            ls.insert(rng.below(ls.len() + 1), line);
            *b = join_lines(&ls);
        }
        13 => {
            let (all, _) = string_spans(b);
            if !all.is_empty() {
                let s = *rng.pick(&all);
                let len = *rng.pick(&[0usize, 1, 63, 64, 65, 300, 5_000, 100_000]);
                let unit: &str = rng.pick::<&str>(&["a", "é", "😀", "-"]);
                replace(b, s, unit.repeat(len).as_bytes());
            }
        }
        14 if n > 0 => {
            let i = rng.below(n);
            let j = (i + rng.below(64) + 1).min(n);
            b.drain(i..j);
        }
        _ if n > 0 => {
            let i = rng.below(n);
            let j = (i + rng.below(256) + 1).min(n);
            let copy = b[i..j].to_vec();
            let at = rng.below(n + 1);
            b.splice(at..at, copy);
        }
        _ => {}
    }
}

/// `--set` overrides for a mutant: a field of the file set to an extreme value, or malformed
/// override text.
fn overrides_for(b: &[u8], rng: &mut Rng) -> Vec<String> {
    let mut fields = Vec::new();
    let mut table = String::new();
    for line in String::from_utf8_lossy(b).lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("[[").and_then(|x| x.strip_suffix("]]")) {
            table = format!("{h}.0");
        } else if let Some(h) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            table = h.to_string();
        } else if let Some((k, _)) = t.split_once('=')
            && !t.starts_with('#')
        {
            let k = k.trim();
            fields.push(if table.is_empty() { k.to_string() } else { format!("{table}.{k}") });
        }
    }
    let mut out = Vec::new();
    for _ in 0..=rng.below(2) {
        let o = match rng.below(6) {
            0 => (*rng.pick(&["", "=", "a", ".=1", "a..b=1", "fleet=1", "site.99.id=x", "event.0.at=", "x.y.z.w=1"]))
                .to_string(),
            _ if fields.is_empty() => "scenario.duration=1d".to_string(),
            1 | 2 => format!("{}={}", rng.pick(&fields), extreme_number(rng)),
            3 | 4 => format!("{}={}", rng.pick(&fields), rng.pick(EXTREME_DURATIONS)),
            _ => format!("{}={{ a = 1 }}", rng.pick(&fields)),
        };
        out.push(o);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Every diagnostic is located and has a field; its message does not grow with the file.
fn check_diagnostics(bytes: &[u8], overrides: &[String], d: &Diagnostics) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let file_lines: Vec<&str> = text.split('\n').collect();
    let quoted: usize = bytes.len() + overrides.iter().map(String::len).sum::<usize>();
    let _ = d.to_string();
    if d.0.is_empty() {
        return Err("an Err with no diagnostic".into());
    }
    for x in &d.0 {
        let fail = |why: &str| Err(format!("{why}: {x:?}"));
        if x.message.is_empty() {
            return fail("empty message");
        }
        // The messages quote values from the input; beyond that they have a bounded length.
        if x.message.len() > 2 * quoted + 2_000 {
            return fail("message longer than the input it could quote");
        }
        if let Some(o) = &x.from_override {
            if !overrides.contains(o) {
                return fail("names an override that was not given");
            }
            continue;
        }
        let file_level = x.message.starts_with("TOML syntax")
            || x.message.starts_with("the file is not valid UTF-8")
            || x.message.starts_with("the file is empty");
        if x.path.is_empty() && !file_level {
            return fail("no field path");
        }
        if x.line == 0 || x.column == 0 {
            return fail("line or column 0 without an override");
        }
        let Some(line) = file_lines.get(x.line - 1) else {
            return fail("line past the end of the file");
        };
        if x.column > line.chars().count() + 1 {
            return fail("column past the end of its line");
        }
    }
    Ok(())
}

/// Overrides that cut a scenario down: at most [`SHRUNK_DEVICES`] per class, a run of at most
/// [`SHRUNK_MAX_DAYS`] (long enough for its events). None when a class name cannot be written
/// in an override path.
fn shrink_overrides(s: &Scenario) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for c in &s.classes {
        if c.name.is_empty() || !c.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return None;
        }
        out.push(format!("fleet.{}.count={}", c.name, c.count.min(SHRUNK_DEVICES)));
    }
    let last_event = s.events.iter().map(|e| e.at.0).max().unwrap_or(0);
    let days = (last_event / US_PER_DAY + 2).clamp(3, SHRUNK_MAX_DAYS);
    let duration = s.duration.0.min(days * US_PER_DAY);
    out.push(format!("scenario.duration={}", SimDuration(duration)));
    Some(out)
}

fn fits(w: &Work) -> bool {
    w.device_ticks <= BUDGET.device_ticks
        && w.certificate_cycles <= BUDGET.certificate_cycles
        && w.lifecycle_actions <= BUDGET.lifecycle_actions
        && w.renewal_attempts <= BUDGET.renewal_attempts
        && w.ota_chunk_sends <= BUDGET.ota_chunk_sends
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The price book a scenario names, as the CLI loads it (its `[cost.prices]` as overrides).
fn book_for(s: &Scenario) -> Option<PriceBook> {
    let id = s.price_book.as_ref()?;
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return None;
    }
    let bytes = std::fs::read(repo().join("pricebooks").join(format!("{id}.toml"))).ok()?;
    let prices = s.cost.as_ref().map(|c| c.prices.clone()).unwrap_or_default();
    parse_price_book(&PriceBookSource { file: id, bytes: &bytes, overrides: &prices, override_source: "scenario" }).ok()
}

/// The business case and the verdict of a run, as the CLI adds them.
fn price_and_judge(s: &Scenario, summary: &RunSummary, book: Option<&PriceBook>) {
    let book = book.filter(|b| check_plan(s, b).is_empty());
    let a = sim_core::assess(s, book, summary);
    let _ = serde_json::to_string(&a.cost);
}

/// Runs a scenario through the engine on a worker thread, with the run-time checks.
fn run_checked(s: &Scenario, w: &Work) -> Result<RunSummary, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let s2 = s.clone();
    let w2 = *w;
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    std::thread::spawn(move || {
        let r = guarded(|| {
            let out = simulate(&s2, s2.seed, &mut NoObserver);
            let summary = summarize(&s2, s2.seed, &out);
            (
                out.lifecycle.actions.len() as u64,
                out.per_class.iter().map(|c| c.counts.get(Counter::Ticks)).sum(),
                summary,
            )
        });
        let _ = tx.send(r);
    });
    let (actions, ticks, summary): (u64, u64, RunSummary) = match rx.recv_timeout(RUN_TIME_LIMIT) {
        Ok(r) => r?,
        Err(_) => return Err(format!("the run did not finish within {RUN_TIME_LIMIT:?} (estimate {w:?})")),
    };
    let grew = PEAK.load(Relaxed).saturating_sub(base);
    if grew > MEMORY_BUDGET_BYTES {
        return Err(format!("the run grew memory by {grew} bytes (budget {MEMORY_BUDGET_BYTES}, estimate {w2:?})"));
    }
    if actions > w.lifecycle_actions {
        return Err(format!("{actions} lifecycle actions, above the estimate {}", w.lifecycle_actions));
    }
    if ticks > w.device_ticks {
        return Err(format!("{ticks} ticks, above the estimate {}", w.device_ticks));
    }
    if !summary.messages.balanced() {
        return Err(format!("messages do not balance: {:?}", summary.messages));
    }
    guarded(|| price_and_judge(s, &summary, book_for(s).as_ref()))?;
    Ok(summary)
}

// ---------------------------------------------------------------------------------------------
// The loop

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Scenario,
    PriceBook,
}

#[derive(Default, Debug)]
struct Tally {
    scenario_inputs: u64,
    scenario_valid: u64,
    /// Valid mutants still valid once cut down, over the budget, and run.
    shrunk_valid: u64,
    over_budget: u64,
    engine_runs: u64,
    book_inputs: u64,
    book_valid: u64,
    bills: u64,
}

struct Failure {
    index: u64,
    target: Target,
    base: String,
    input: Vec<u8>,
    overrides: Vec<String>,
    why: String,
}

struct Corpus {
    scenarios: Vec<(String, Vec<u8>)>,
    books: Vec<(String, Vec<u8>)>,
    /// Every field of each scenario and book (override path, value as written), by file.
    scenario_fields: Vec<Vec<(String, String)>>,
    book_fields: Vec<Vec<(String, String)>>,
    lines: Vec<Vec<u8>>,
    /// Contents of every string literal of the bundled files (names, items, units).
    strings: Vec<String>,
    /// Runs of the bundled scenarios that have a business case (cut down), to bill price books.
    priced_runs: Vec<(Scenario, RunSummary)>,
}

fn toml_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| f.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.strip_prefix(repo()).unwrap_or(&p).display().to_string(), std::fs::read(&p).expect("readable")))
        .collect();
    out.sort();
    out
}

fn parse(name: &str, bytes: &[u8], overrides: &[String]) -> Result<Scenario, Diagnostics> {
    parse_scenario(&ScenarioSource { file: name, bytes, overrides })
}

fn corpus() -> Corpus {
    let root = repo();
    let mut scenarios = toml_files(&root.join("scenarios"));
    scenarios.extend(toml_files(&root.join("scenarios/bench")));
    let books = toml_files(&root.join("pricebooks"));
    let mut lines = Vec::new();
    let mut strings = Vec::new();
    for (_, b) in scenarios.iter().chain(&books).chain(&toml_files(&root.join("scenarios/maps"))) {
        lines.extend(b.split_inclusive(|&c| c == b'\n').map(<[u8]>::to_vec));
        strings.extend(string_spans(b).0.into_iter().map(|(i, j)| String::from_utf8_lossy(&b[i..j]).into_owned()));
    }
    strings.sort();
    strings.dedup();
    let fields = |files: &[(String, Vec<u8>)]| -> Vec<Vec<(String, String)>> {
        files.iter().map(|(_, b)| override_paths(sim_core::scenario::read::flatten(b, &[]))).collect()
    };
    let (scenario_fields, book_fields) = (fields(&scenarios), fields(&books));
    let mut priced_runs = Vec::new();
    for (name, bytes) in &scenarios {
        let s = parse(name, bytes, &[]).unwrap_or_else(|d| panic!("a bundled scenario does not validate:\n{d}"));
        if s.cost.is_none() {
            continue;
        }
        let small = parse(name, bytes, &shrink_overrides(&s).expect("bundled class names are plain"))
            .unwrap_or_else(|d| panic!("{name} cut down does not validate:\n{d}"));
        let summary = summarize(&small, small.seed, &simulate(&small, small.seed, &mut NoObserver));
        priced_runs.push((small, summary));
    }
    Corpus { scenarios, books, scenario_fields, book_fields, lines, strings, priced_runs }
}

/// `flatten`, `scalar_at` (and its scaling), `diagnostic_at` and `known_keys` on one input.
fn other_readers(name: &str, bytes: &[u8], overrides: &[String]) {
    use sim_core::scenario::read::{diagnostic_at, flatten, known_keys, scalar_at};
    let fields = flatten(bytes, overrides);
    let src = ScenarioSource { file: name, bytes, overrides };
    let _ = known_keys(&src);
    if fields.is_empty() {
        let _ = diagnostic_at(&src, "scenario.duration", "x".into());
        return;
    }
    let (path, _) = &fields[bytes.len() % fields.len()];
    let path = path.replace('[', ".").replace(']', "");
    if let Ok(v) = scalar_at(bytes, overrides, &path) {
        for factor in [0.0, -1.0, 0.5, 2.0, 1e308, f64::NAN, f64::INFINITY] {
            let _ = v.scaled(factor);
        }
    }
    let d = diagnostic_at(&src, &path, "x".into());
    assert!(d.line > 0 && d.column > 0, "diagnostic_at gave {d:?}");
}

/// Checks one input; Err says what broke.
fn check_input(
    target: Target,
    name: &str,
    bytes: &[u8],
    overrides: &[String],
    c: &Corpus,
    t: &mut Tally,
) -> Result<(), String> {
    match target {
        Target::Scenario => {
            t.scenario_inputs += 1;
            // The other readers of scenario text (compare, sweeps, known keys), on a quarter of
            // the inputs: a field picked by the input's length.
            if bytes.len().is_multiple_of(4) {
                guarded(|| other_readers(name, bytes, overrides)).map_err(|p| format!("a reader panicked: {p}"))?;
            }
            let parsed = guarded(|| parse(name, bytes, overrides)).map_err(|p| format!("the reader panicked: {p}"))?;
            let s = match parsed {
                Err(d) => return check_diagnostics(bytes, overrides, &d),
                Ok(s) => s,
            };
            t.scenario_valid += 1;
            let Some(mut cut) = shrink_overrides(&s) else { return Ok(()) };
            let mut all = overrides.to_vec();
            all.append(&mut cut);
            let small = match guarded(|| parse(name, bytes, &all)).map_err(|p| format!("the reader panicked: {p}"))? {
                Err(d) => return check_diagnostics(bytes, &all, &d),
                Ok(s) => s,
            };
            t.shrunk_valid += 1;
            let w = guarded(|| estimate(&small)).map_err(|p| format!("the estimate panicked: {p}"))?;
            if !fits(&w) {
                t.over_budget += 1;
                return Ok(());
            }
            t.engine_runs += 1;
            run_checked(&small, &w).map(|_| ()).map_err(|e| format!("run with overrides {all:?}: {e}"))
        }
        Target::PriceBook => {
            t.book_inputs += 1;
            let parsed = guarded(|| {
                parse_price_book(&PriceBookSource { file: name, bytes, overrides, override_source: "fuzz" })
            })
            .map_err(|p| format!("the price-book reader panicked: {p}"))?;
            let book = match parsed {
                Err(d) => return check_diagnostics(bytes, overrides, &d),
                Ok(b) => b,
            };
            t.book_valid += 1;
            for (s, summary) in &c.priced_runs {
                t.bills += 1;
                guarded(|| price_and_judge(s, summary, Some(&book)))
                    .map_err(|p| format!("billing {} panicked: {p}", s.name))?;
            }
            Ok(())
        }
    }
}

/// `flatten`'s paths (`event[0].at`) as override paths (`event.0.at`).
fn override_paths(fields: Vec<(String, String)>) -> Vec<(String, String)> {
    fields.into_iter().map(|(p, v)| (p.replace('[', ".").replace(']', ""), v)).collect()
}

/// An extreme value for a field whose value is written `value`, as override text.
fn field_value(value: &str, rng: &mut Rng, c: &Corpus) -> String {
    if let Some(text) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        let duration =
            text.starts_with(|x: char| x.is_ascii_digit()) && text.ends_with(|x: char| x.is_ascii_alphabetic());
        return match rng.below(10) {
            0..=4 if duration => rng.pick(EXTREME_DURATIONS).to_string(),
            0..=2 => rng.pick(&c.strings).clone(),
            3 => "\"\"".into(),
            4 => (*rng.pick(&["a", "é", "😀"])).repeat(*rng.pick(&[64usize, 65, 1_000, 100_000])),
            5 => format!("{text}x"),
            6 => text.chars().skip(1).collect(),
            7 => text.to_uppercase(),
            _ => extreme_number(rng).to_string(),
        };
    }
    match value {
        "true" | "false" => (*rng.pick(&["true", "false", "1", "\"yes\""])).to_string(),
        v if v.starts_with('[') => {
            (*rng.pick(&["[]", "[1e308]", "[-1, 101]", "[0, 0]", "[100, 0]", "[\"x\"]", "[[1]]", "[nan, 1]"]))
                .to_string()
        }
        v => {
            if rng.pct(70) {
                extreme_number(rng).to_string()
            } else {
                String::from_utf8_lossy(&nearby_number(v.as_bytes(), rng)).into_owned()
            }
        }
    }
}

/// Input `index` of a run with `seed`: (target, base file, bytes, overrides).
fn generate(c: &Corpus, seed: u64, index: u64) -> (Target, String, Vec<u8>, Vec<String>) {
    let mut rng = Rng::for_input(seed, index);
    let target = if rng.pct(75) { Target::Scenario } else { Target::PriceBook };
    let (files, fields) = match target {
        Target::Scenario => (&c.scenarios, &c.scenario_fields),
        Target::PriceBook => (&c.books, &c.book_fields),
    };
    let file = rng.below(files.len());
    let (name, base) = &files[file];
    let mut bytes = base.clone();
    // A third of the inputs change one to three fields of a valid file (as overrides): they
    // stay valid more often, so they reach the engine and the bill with extreme values.
    if rng.pct(35) && !fields[file].is_empty() {
        let overrides = (0..1 + rng.below(3).min(rng.below(3)))
            .map(|_| {
                let (path, value) = rng.pick(&fields[file]);
                format!("{path}={}", field_value(value, &mut rng, c))
            })
            .collect();
        if rng.pct(20) {
            mutate(&mut bytes, &mut rng, &c.lines);
        }
        return (target, name.clone(), bytes, overrides);
    }
    let k = match rng.below(10) {
        0..=4 => 1,
        5..=7 => 2,
        8 => 3,
        _ => 4 + rng.below(8),
    };
    for _ in 0..k {
        mutate(&mut bytes, &mut rng, &c.lines);
    }
    let overrides = if rng.pct(15) { overrides_for(&bytes, &mut rng) } else { Vec::new() };
    (target, name.clone(), bytes, overrides)
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.replace('_', "").parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number")))
}

/// The lines of `input` that are not in `base`, for turning a failure into a regression.
fn changed_lines(base: &[u8], input: &[u8]) -> String {
    let base: std::collections::BTreeSet<&[u8]> = base.split(|&c| c == b'\n').collect();
    input
        .split(|&c| c == b'\n')
        .enumerate()
        .filter(|(_, l)| !base.contains(l))
        .map(|(i, l)| format!("  line {}: {:?}\n", i + 1, String::from_utf8_lossy(&l[..l.len().min(300)])))
        .collect()
}

fn report(seed: u64, c: &Corpus, f: &Failure) -> String {
    let base = c.scenarios.iter().chain(&c.books).find(|(n, _)| *n == f.base).map_or(&[][..], |(_, b)| b.as_slice());
    let shown = if f.input.len() > 20_000 {
        format!("{} ... ({} bytes)", String::from_utf8_lossy(&f.input[..20_000]), f.input.len())
    } else {
        String::from_utf8_lossy(&f.input).into_owned()
    };
    format!(
        "fuzz failure: seed {seed:#x}, input {} ({:?}, mutant of {}), overrides {:?}\n  {}\n\
         replay: SCALEPROOF_FUZZ_SEED={seed:#x} SCALEPROOF_FUZZ_ONLY={} cargo test -p sim-core --test fuzz -- --nocapture\n\
         lines changed from {}:\n{}--- input (lossy UTF-8) ---\n{shown}\n--- end of input ---\n",
        f.index,
        f.target,
        f.base,
        f.overrides,
        f.why,
        f.index,
        f.base,
        changed_lines(base, &f.input)
    )
}

#[test]
fn fuzz() {
    let inputs = env_u64("SCALEPROOF_FUZZ_INPUTS").unwrap_or(DEFAULT_INPUTS);
    let seed = env_u64("SCALEPROOF_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let only = env_u64("SCALEPROOF_FUZZ_ONLY");
    let started = Instant::now();
    let c = corpus();
    let mut t = Tally::default();
    let mut failures: Vec<Failure> = Vec::new();
    let range = match only {
        Some(i) => i..i + 1,
        None => 0..inputs,
    };
    println!("fuzz: seed {seed:#x}, inputs {range:?}");
    CURRENT_SEED.store(seed, Relaxed);
    for index in range {
        CURRENT_INPUT.store(index, Relaxed);
        let (target, base, bytes, overrides) = generate(&c, seed, index);
        if let Err(why) = check_input(target, &base, &bytes, &overrides, &c, &mut t) {
            let f = Failure { index, target, base, input: bytes, overrides, why };
            eprintln!("{}", report(seed, &c, &f));
            failures.push(f);
            if failures.len() >= 5 {
                break;
            }
        }
    }
    println!(
        "fuzz: {} scenario inputs ({} valid, {} valid cut down, {} over the run budget, {} run through the engine); \
         {} price-book inputs ({} valid, {} bills); {:.1} s",
        t.scenario_inputs,
        t.scenario_valid,
        t.shrunk_valid,
        t.over_budget,
        t.engine_runs,
        t.book_inputs,
        t.book_valid,
        t.bills,
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} fuzz failure(s), first at input {} (seed {seed:#x}): {}",
        failures.len(),
        failures[0].index,
        failures[0].why
    );
    // The harness must keep reaching the engine, or it silently stops testing it.
    if only.is_none() && inputs >= 1_000 {
        assert!(t.engine_runs * 50 >= t.scenario_inputs, "only {} engine runs: {t:?}", t.engine_runs);
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: inputs that once broke, as edits of a bundled file

struct Regression {
    /// What it broke.
    what: &'static str,
    target: Target,
    base: &'static str,
    /// (text, replacement) applied in order; each text must occur in the file.
    edits: &'static [(&'static str, &'static str)],
    overrides: &'static [&'static str],
}

const REGRESSIONS: &[Regression] = &[
    Regression {
        what: "a certificate shorter than renew_before spun for ever in identity::life",
        target: Target::Scenario,
        base: "scenarios/mine-pilot.toml",
        edits: &[("certificate_lifetime = \"1y\"", "certificate_lifetime = \"29d\"")],
        overrides: &[],
    },
    Regression {
        what: "a price-book diagnostic named the override as rewritten for a price table (`x.price=`), not as given (found by the fuzzer)",
        target: Target::PriceBook,
        base: "pricebooks/iot-2026-11.toml",
        edits: &[],
        overrides: &["identity.certificate=18446744073709551615"],
    },
    Regression {
        what: "billing overflowed u64 on quantities the price-book reader allows (data_mb found by the fuzzer; pool, per and quota beside it)",
        target: Target::PriceBook,
        base: "pricebooks/iot-2026-11.toml",
        edits: &[
            ("data_mb = 500", "data_mb = 18446744073709551615"),
            ("pool_mb_per_sim = 1", "pool_mb_per_sim = 18446744073709551615"),
            ("price = 0.05, source", "price = 0.05, per = 18446744073709551615, source"),
            ("messages_per_day_per_unit = 400_000", "messages_per_day_per_unit = 18446744073709551615"),
        ],
        overrides: &[],
    },
    Regression {
        what: "an install rate so low that install times saturate overflowed manual onboarding (found by the fuzzer)",
        target: Target::Scenario,
        base: "scenarios/plant-production.toml",
        edits: &[],
        overrides: &["provisioning.installs_per_week=1e-300"],
    },
    Regression {
        what: "the same for zero-touch enrolment (found beside it)",
        target: Target::Scenario,
        base: "scenarios/building-production.toml",
        edits: &[],
        overrides: &["provisioning.installs_per_week=1e-300"],
    },
    Regression {
        what: "the same for re-provisioning after a leaked credential (found beside it)",
        target: Target::Scenario,
        base: "scenarios/mine-production.toml",
        edits: &[],
        overrides: &["provisioning.installs_per_week=5e-324"],
    },
    Regression {
        what: "a firmware download too slow to end in the range of time overflowed the campaign's timing (found beside it)",
        target: Target::Scenario,
        base: "scenarios/building-production.toml",
        edits: &[
            ("update = \"none\"", "update = \"a-b\"\nchunk_bytes = 16777216\nattempts = 1000"),
            ("spreading_factor = 9", "spreading_factor = 12"),
            ("duty_cycle_pct = 1.0", "duty_cycle_pct = 0.001"),
            ("[identity]", "[[event]]\nat = \"1d\"\nkind = \"firmware-update\"\nimage_kb = 10000000\n\n[identity]"),
        ],
        overrides: &[],
    },
];

#[test]
fn regressions() {
    let c = corpus();
    let mut t = Tally::default();
    let mut failed = Vec::new();
    for r in REGRESSIONS {
        let (_, base) = c
            .scenarios
            .iter()
            .chain(&c.books)
            .find(|(n, _)| n == r.base)
            .unwrap_or_else(|| panic!("{}: no bundled file {}", r.what, r.base));
        let mut text = String::from_utf8(base.clone()).expect("bundled files are UTF-8");
        for (from, to) in r.edits {
            assert!(text.contains(from), "{}: {from:?} is not in {}", r.what, r.base);
            text = text.replacen(from, to, 1);
        }
        let overrides: Vec<String> = r.overrides.iter().map(|o| o.to_string()).collect();
        let runs = t.engine_runs;
        match check_input(r.target, r.base, text.as_bytes(), &overrides, &c, &mut t) {
            Ok(()) => println!("regression \"{}\": ok{}", r.what, if t.engine_runs > runs { ", ran" } else { "" }),
            Err(why) => failed.push(format!("regression \"{}\" fails again: {why}", r.what)),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
