//! A stable fuzz harness for the pilot payload mapper and the mapping-file reader (cargo-fuzz
//! needs nightly): a seeded loop of mutations (byte flips, truncation, insertions of multi-byte
//! characters and invalid UTF-8, numbers and times replaced by extreme values, deep nesting,
//! splices of other payloads) over real payloads, through every time unit. Properties: neither
//! ever panics; a payload read through the map has a device id; an error says why (a map file's
//! names the file and line). `SCALEPROOF_FUZZ_INPUTS` sets the number of inputs (default 200,000
//! payloads and 20,000 map files, about 8 s in a debug build), `SCALEPROOF_FUZZ_SEED` the seed;
//! `scripts/fuzz.sh` runs it longer. A failure prints the seed, the input and how to replay it.

use bridge::map::PilotMap;

/// splitmix64: a fixed, dependency-free generator, so a seed replays the same inputs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const MAPS: [&str; 4] = [
    r#"topics = ["pilot/+/+/up"]
device = { topic_level = 2 }
seq = "/fcnt"
timestamp = { pointer = "/time", unit = "rfc3339" }
received = { pointer = "/rx", unit = "ms" }
battery_pct = "/batt/pct"
fields = { rms = "/rms" }
"#,
    r#"topics = ["pilot/#"]
device = { pointer = "/dev" }
seq = "/fcnt"
timestamp = { pointer = "/time", unit = "ms" }
"#,
    r#"topics = ["a/b"]
device = { pointer = "/dev" }
seq = "/n"
timestamp = { pointer = "/t", unit = "s" }
received = { pointer = "/r", unit = "us" }
max_payload_bytes = 4096
"#,
    include_str!("../../scenarios/maps/emulated-pilot.toml"),
];

const PAYLOADS: [&str; 4] = [
    r#"{"fcnt": 12, "time": "2026-01-01T00:00:01.5Z", "rx": 1767225602000, "batt": {"pct": 97.5}, "rms": 0.3}"#,
    r#"{"dev": "emu-007", "fcnt": 3, "time": 1767225600000, "received_at": 1767225600500, "battery_pct": 88.1}"#,
    r#"{"dev": 42, "n": 7, "t": 1767225600.25, "r": 1767225600300000}"#,
    r#"{"fcnt":3,"time":"2026-01-01T00:03:00+01:00","rx":1,"batt":{"pct":null}}"#,
];

const EXTREMES: [&str; 16] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    "18446744073709551615",
    "18446744073709551616",
    "9223372036854775807",
    "1.5",
    "null",
    "true",
    "\"\"",
    "\"2026-02-31T00:00:00Z\"",
    "\"2026-01-01T00:03:00+0é00\"",
    "\"9999-12-31T23:59:60.999999999Z\"",
    "\"0000-01-01T00:00:00-23:59\"",
    "[]",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                let i = rng.below(b.len() + 1);
                const INSERTS: [&[u8]; 7] =
                    ["é".as_bytes(), "😀".as_bytes(), b"\xff", b"\xc3", b"\0", b"\\u0000", b"\\ud800"];
                let ins = *rng.pick(&INSERTS);
                b.splice(i..i, ins.iter().copied());
            }
            3 => {
                // A value after a `:` replaced by an extreme one.
                let colons: Vec<usize> = b.iter().enumerate().filter(|(_, c)| **c == b':').map(|(i, _)| i).collect();
                if let Some(&c) = colons.get(rng.below(colons.len())) {
                    let end = b[c + 1..].iter().position(|x| matches!(x, b',' | b'}')).map_or(b.len(), |p| c + 1 + p);
                    let v = rng.pick(&EXTREMES).as_bytes().to_vec();
                    b.splice(c + 1..end, v);
                }
            }
            4 => {
                let depth = 1 + rng.below(300);
                let mut deep = "[".repeat(depth).into_bytes();
                deep.extend("]".repeat(depth).into_bytes());
                let i = rng.below(b.len() + 1);
                b.splice(i..i, deep);
            }
            5 => {
                let other = rng.pick(&PAYLOADS).as_bytes();
                let (i, j) = (rng.below(b.len() + 1), rng.below(other.len() + 1));
                b.truncate(i);
                b.extend_from_slice(&other[j..]);
            }
            6 => {
                let i = rng.below(b.len() + 1);
                let n = rng.below(5000);
                b.splice(i..i, std::iter::repeat_n(b'x', n));
            }
            7 if b.len() > 2 => {
                let (i, j) = (rng.below(b.len()), rng.below(b.len()));
                b.swap(i, j);
            }
            _ => {}
        }
    }
    b
}

fn topic(rng: &mut Rng) -> String {
    rng.pick(&["pilot/s1/emu-7/up", "pilot/s1//up", "pilot", "", "a/b", "pilot/é/😀/up", "pilot/+/#"]).to_string()
}

fn inputs() -> (u64, usize) {
    // Decimal or 0x-hexadecimal, as scripts/fuzz.sh prints it.
    let parse = |s: String| match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    let seed = std::env::var("SCALEPROOF_FUZZ_SEED").ok().and_then(parse).unwrap_or(20_261_203);
    let n = std::env::var("SCALEPROOF_FUZZ_INPUTS").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    (seed, n)
}

#[test]
fn the_payload_mapper_never_panics_and_what_it_reads_is_sound() {
    let (seed, n) = inputs();
    let maps: Vec<PilotMap> = MAPS.iter().map(|m| PilotMap::parse("map.toml", m).unwrap()).collect();
    let mut rng = Rng(seed);
    let (mut read, mut malformed) = (0u64, 0u64);
    for i in 0..n {
        let map = &maps[rng.below(maps.len())];
        let base = *rng.pick(&PAYLOADS);
        let payload = mutate(&mut rng, base.as_bytes());
        let t = topic(&mut rng);
        let r = std::panic::catch_unwind(|| map.extract(&t, &payload));
        let Ok(r) = r else {
            panic!(
                "the mapper panicked (seed {seed}, input {i}; replay with SCALEPROOF_FUZZ_SEED={seed}):\ntopic {t:?}\npayload {:?}",
                String::from_utf8_lossy(&payload)
            );
        };
        match r {
            Ok(reading) => {
                read += 1;
                assert!(!reading.device.is_empty(), "seed {seed} input {i}: empty device id");
            }
            Err(why) => {
                malformed += 1;
                assert!(!why.is_empty(), "seed {seed} input {i}: a malformed message says why");
            }
        }
    }
    eprintln!("payload mapper: {n} inputs (seed {seed}): {read} read, {malformed} malformed, 0 panics");
    assert!(read > 0 && malformed > 0, "the mutations reach both outcomes");
}

#[test]
fn the_mapping_file_reader_never_panics_and_names_the_file_and_line() {
    let (seed, n) = inputs();
    let mut rng = Rng(seed ^ 0x5eed);
    let (mut ok, mut refused) = (0u64, 0u64);
    for i in 0..n / 10 {
        let base = *rng.pick(&MAPS);
        let text = mutate(&mut rng, base.as_bytes());
        let text = String::from_utf8_lossy(&text).into_owned();
        let r = std::panic::catch_unwind(|| PilotMap::parse("map.toml", &text));
        let Ok(r) = r else {
            panic!("the map reader panicked (seed {seed}, input {i}):\n{text}");
        };
        match r {
            Ok(_) => ok += 1,
            Err(e) => {
                refused += 1;
                let e = e.to_string();
                assert!(e.starts_with("map.toml:"), "seed {seed} input {i}: no file and line in {e:?}\n{text}");
            }
        }
    }
    eprintln!("mapping files: {} inputs (seed {seed}): {ok} read, {refused} refused with file:line, 0 panics", n / 10);
}
