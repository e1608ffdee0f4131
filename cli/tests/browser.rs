//! The four kinds of HTML report (run, sweep, sensitivity, compare) opened in a real browser:
//! headless Chromium renders each (a full-page PNG into `target/browser-screenshots/`), its DOM
//! after load holds the report's sections, the console stays silent, and printing it (print
//! media) gives a PDF of more than one page. Chromium comes from `scripts/setup.sh`; without it this
//! test fails and says so.

mod common;

use common::{bin, ok, root};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The width every screenshot is taken at, in CSS pixels (device scale 1).
const WIDTH: u32 = 1280;
/// Chromium's compositor does not draw a window taller than this.
const MAX_HEIGHT: u32 = 16_384;

/// One report to open, and what its DOM after load must hold.
struct Page {
    name: &'static str,
    must: &'static [&'static str],
}

const PAGES: &[Page] = &[
    Page {
        name: "run",
        must: &["Mine A - pilot", "The answer", "verdict", "Delivery", "Batteries", "Cost", "Assumptions", "<svg"],
    },
    Page {
        name: "sweep",
        must: &["Mine A - pilot", "The answer", "Cost curve", "Crossovers", "Verdict at 200 devices", "<svg"],
    },
    Page { name: "sensitivity", must: &["Mine A - pilot", "tornado", "truck_roll", "buffer.capacity", "<svg"] },
    Page { name: "compare", must: &["Results", "Assumptions that differ", "cost.connectivity", "1nce-lifetime"] },
];

/// `chromium` as setup.sh installs it (or `$CHROMIUM`), or a failure that says how to get it.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "headless Chromium is not installed, so the reports cannot be checked in a browser: \
         run `bash scripts/setup.sh` (as root, or with sudo), which installs Debian's `chromium` \
         package, or point $CHROMIUM at a Chromium binary"
    );
}

/// A scratch folder for the run database and the pages, removed at the end.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `target/browser-screenshots/`, next to cargo's scratch folder for integration tests.
fn screenshot_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("browser-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes the four reports from small, fast runs of the mine pilot (2 simulated days).
fn write_reports(dir: &Path) {
    let db = dir.join("runs.db");
    let short = ["--set", "scenario.duration=2d", "--replications", "2"];
    let run = |args: &[&str]| {
        ok(bin().args(args).args(short).arg("--db").arg(&db).output().unwrap());
    };
    run(&["run", "scenarios/mine-pilot.toml", "--report", dir.join("run.html").to_str().unwrap()]);
    run(&[
        "sweep",
        "scenarios/mine-pilot.toml",
        "--over",
        "devices=20,200",
        "--report",
        dir.join("sweep.html").to_str().unwrap(),
    ]);
    run(&[
        "sensitivity",
        "scenarios/mine-pilot.toml",
        "--vary",
        "price.labour.truck_roll=-20%,+20%",
        "--vary",
        "fleet.vibration.buffer.capacity=-50%,+50%",
        "--report",
        dir.join("sensitivity.html").to_str().unwrap(),
    ]);
    run(&["run", "scenarios/mine-pilot.toml", "--set", "cost.connectivity=1nce-lifetime"]);
    ok(bin()
        .args(["compare", "1", "last", "--report"])
        .arg(dir.join("compare.html"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap());
}

/// What Chromium made of one page: the picture, the DOM after load, the console and the PDF.
struct Rendered {
    png: PathBuf,
    dom: String,
    console: String,
    pdf: Vec<u8>,
    secs: f64,
}

fn render(chromium: &Path, page: &Path, out: &Path, name: &str) -> Rendered {
    let start = Instant::now();
    let (png, dom, console, pdf) = (
        out.join(format!("{name}.png")),
        out.join(format!("{name}.dom.html")),
        out.join(format!("{name}.console.txt")),
        out.join(format!("{name}.pdf")),
    );
    for f in [&png, &dom, &console, &pdf] {
        let _ = std::fs::remove_file(f);
    }
    let status = Command::new("bash")
        .arg(root().join("scripts/screenshot.sh"))
        .args(["--width", &WIDTH.to_string(), "--dom"])
        .arg(&dom)
        .arg("--console")
        .arg(&console)
        .arg("--pdf")
        .arg(&pdf)
        .arg(page)
        .arg(&png)
        .env("CHROMIUM", chromium)
        .status()
        .unwrap();
    assert!(status.success(), "scripts/screenshot.sh failed on {name}: {status}");
    Rendered {
        png,
        dom: std::fs::read_to_string(dom).unwrap(),
        console: std::fs::read_to_string(console).unwrap(),
        pdf: std::fs::read(pdf).unwrap(),
        secs: start.elapsed().as_secs_f64(),
    }
}

/// The PNG's size, how many distinct colours it has and the share of its most common one.
fn picture(png: &Path) -> (u32, u32, usize, f64) {
    let mut decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap_or_else(|e| panic!("{}: not a PNG: {e}", png.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap_or_else(|e| panic!("{}: does not decode: {e}", png.display()));
    let (colour, depth) = reader.output_color_type();
    let channels = colour.samples();
    assert_eq!(depth, png::BitDepth::Eight, "{}", png.display());
    let mut counts: HashMap<[u8; 3], usize> = HashMap::new();
    for px in buf[..info.buffer_size()].chunks_exact(channels) {
        let rgb = if channels >= 3 { [px[0], px[1], px[2]] } else { [px[0]; 3] };
        *counts.entry(rgb).or_default() += 1;
    }
    let total = (info.width * info.height) as f64;
    let top = counts.values().copied().max().unwrap_or(0) as f64;
    (info.width, info.height, counts.len(), top / total)
}

/// The page count of a PDF: the largest `/Count` (the root of the page tree counts them all).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Count ")
        .filter_map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())].parse().ok()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn reports_render_in_headless_chromium() {
    let chromium = chromium();
    let start = Instant::now();
    let scratch = Scratch(std::env::temp_dir().join(format!("scaleproof-browser-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&scratch.0);
    std::fs::create_dir_all(&scratch.0).unwrap();
    write_reports(&scratch.0);
    let made = start.elapsed().as_secs_f64();
    let out = screenshot_dir();

    let rendered: Vec<Rendered> = std::thread::scope(|s| {
        let jobs: Vec<_> = PAGES
            .iter()
            .map(|p| {
                let (chromium, page, out) = (&chromium, scratch.0.join(format!("{}.html", p.name)), &out);
                s.spawn(move || render(chromium, &page, out, p.name))
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });

    let mut seen_heights = HashSet::new();
    for (page, r) in PAGES.iter().zip(&rendered) {
        let name = page.name;
        // The DOM after load: the report's sections, and no parse error.
        for must in page.must {
            assert!(r.dom.contains(must), "{name}: the DOM after load lacks {must:?}");
        }
        assert!(r.dom.contains("<h1") && !r.dom.contains("<parsererror"), "{name}: DOM");
        // Nothing on the console: no script error, no log line.
        assert!(r.console.trim().is_empty(), "{name}: the console said:\n{}", r.console);
        // The whole page at the asked width, drawn (not a blank or single-colour window).
        let tall: u32 = r
            .dom
            .split("data-scroll-height=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{name}: no measured height in the DOM"));
        let (w, h, colours, top) = picture(&r.png);
        assert_eq!(w, WIDTH, "{name}: width");
        assert_eq!(h, tall.min(MAX_HEIGHT), "{name}: the screenshot is not the whole page");
        assert!(h >= 800, "{name}: a page of {h} pixels is too short to be a report");
        assert!(colours >= 64, "{name}: only {colours} distinct colours: blank or unstyled");
        assert!(top < 0.97, "{name}: {:.1} % of the picture is one colour", top * 100.0);
        seen_heights.insert(h);
        // Printed (print media, as the browser's Print does): a PDF of more than one page.
        assert!(r.pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
        let pages = pdf_pages(&r.pdf);
        // Run and sweep reports print the answer on its own first page (the print stylesheet), so
        // they take at least two; a tornado alone may fit on one.
        let least = if name == "sensitivity" { 1 } else { 2 };
        assert!(pages >= least, "{name}: the PDF has {pages} page(s)");
        println!(
            "{name}: {} ({w}x{h}, {colours} colours), PDF {pages} pages, {:.1} s in Chromium",
            r.png.display(),
            r.secs
        );
    }
    assert!(seen_heights.len() > 1, "every report came out the same height: {seen_heights:?}");
    println!("reports written in {made:.1} s; all checked in {:.1} s", start.elapsed().as_secs_f64());
}
