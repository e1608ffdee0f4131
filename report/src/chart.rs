//! The charts of a report, drawn with plotters. Each chart is data plus one drawing function
//! generic over the backend, so the SVG inlined in the HTML and the PNG written by `--png` are
//! the same drawing.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

pub const WIDTH: u32 = 860;
pub const HEIGHT: u32 = 380;
const FONT: &str = "sans-serif";

/// Colours of series, in order (colour-blind friendly, Okabe-Ito).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A line with an optional band: (x, y, low, high).
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64, f64, f64)>,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// Lines over x (log x when `log_x`), with 95 % bands where low < high.
    Lines { series: Vec<Series>, log_x: bool, x_label: String, y_label: String },
    /// Horizontal bars, one per label.
    Bars { bars: Vec<(String, f64)>, x_label: String },
    /// A tornado: for each row, the KPI at the low and at the high setting around `baseline`.
    Tornado { baseline: f64, rows: Vec<(String, f64, f64)>, x_label: String },
    /// A histogram over log-spaced bins: (from, to, count).
    Histogram { bins: Vec<(f64, f64, u64)>, x_label: String },
}

#[derive(Clone, Debug)]
pub struct Chart {
    /// File-name stem for `--png` (e.g. `cost-curve`).
    pub id: String,
    pub title: String,
    pub kind: Kind,
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

impl Chart {
    /// The chart as an SVG document.
    pub fn to_svg(&self) -> String {
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
            if let Err(e) = self.draw(&root) {
                drop(root);
                return format!("<p>chart {} could not be drawn: {e}</p>", self.id);
            }
            let _ = root.present();
        }
        buf
    }

    /// Writes the chart as a PNG file.
    pub fn to_png(&self, path: &Path) -> Result<(), String> {
        let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
        self.draw(&root).map_err(|e| format!("{}: {e}", path.display()))?;
        root.present().map_err(|e| format!("{}: {e}", path.display()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        match &self.kind {
            Kind::Lines { series, log_x, x_label, y_label } => {
                lines(root, &self.title, series, *log_x, x_label, y_label)
            }
            Kind::Bars { bars, x_label } => bars_chart(root, &self.title, bars, x_label),
            Kind::Tornado { baseline, rows, x_label } => tornado(root, &self.title, *baseline, rows, x_label),
            Kind::Histogram { bins, x_label } => histogram(root, &self.title, bins, x_label),
        }
    }
}

/// Tick labels without needless decimals: 20,000 not 20000.0.
fn tick(v: &f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let n = v.round() as i64;
        let out = sim_core::text::thousands(n.unsigned_abs());
        if n < 0 { format!("-{out}") } else { out }
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else if a >= 0.01 {
        format!("{v:.2}")
    } else {
        let t = format!("{v:.6}");
        t.trim_end_matches('0').to_string()
    }
}

fn range(vals: impl Iterator<Item = f64>, floor_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if floor_zero && lo > 0.0 {
        lo = 0.0;
    }
    if hi - lo < 1e-12 {
        return if floor_zero { (0.0, hi.max(0.0) + 1.0) } else { (lo - 1.0, hi + 1.0) };
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-3).max(1e-9);
    (lo - if floor_zero && lo == 0.0 { 0.0 } else { pad }, hi + pad)
}

fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    series: &[Series],
    log_x: bool,
    x_label: &str,
    y_label: &str,
) -> DrawResult<DB> {
    let (x0, x1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)), false);
    let (y0, y1) = range(series.iter().flat_map(|s| s.points.iter().flat_map(|p| [p.2, p.3, p.1])), false);
    let mut b = ChartBuilder::on(root);
    b.caption(title, (FONT, 18)).margin(12).x_label_area_size(42).y_label_area_size(70);
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&tick)
                .y_label_formatter(&tick)
                .label_style((FONT, 12))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()?;
            for (i, s) in series.iter().enumerate() {
                let c = colour(i);
                if s.points.iter().any(|p| p.3 > p.2) {
                    let mut poly: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
                    poly.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
                    chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))?;
                }
                chart
                    .draw_series(LineSeries::new(s.points.iter().map(|p| (p.0, p.1)), c.stroke_width(2)))?
                    .label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
                if s.points.len() <= 12 {
                    chart.draw_series(s.points.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled())))?;
                }
            }
            if series.len() > 1 || !series.is_empty() && !series[0].name.is_empty() {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .label_font((FONT, 12))
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .draw()?;
            }
        }};
    }
    let raw = |f: fn(&(f64, f64, f64, f64)) -> f64| {
        let v: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(f)).filter(|v| v.is_finite()).collect();
        (v.iter().cloned().fold(f64::INFINITY, f64::min), v.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
    };
    let (rx0, rx1) = raw(|p| p.0);
    let (ry0, _) = raw(|p| p.2.min(p.1));
    let (_, ry1) = raw(|p| p.3.max(p.1));
    // A log y axis when every value is positive and they span more than a factor of 8.
    let log_y = ry0 > 0.0 && ry1 / ry0 > 8.0;
    let (lx0, lx1) = (rx0.max(1e-9) / 1.5, rx1 * 1.5);
    let (ly0, ly1) = (ry0 / 1.3, ry1 * 1.3);
    match (log_x, log_y) {
        (true, true) => body!(b.build_cartesian_2d((lx0..lx1).log_scale(), (ly0..ly1).log_scale())?),
        (true, false) => body!(b.build_cartesian_2d((lx0..lx1).log_scale(), y0..y1)?),
        (false, true) => body!(b.build_cartesian_2d(x0..x1, (ly0..ly1).log_scale())?),
        (false, false) => body!(b.build_cartesian_2d(x0..x1, y0..y1)?),
    }
    Ok(())
}

type RowsChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with one horizontal row per label (`labels[y]` at y = 0, 1, ... from the bottom), a
/// value axis along x, and room for labels `label_width` pixels wide.
fn rows_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    labels: &[String],
    label_width: u32,
    x_label: &str,
) -> Result<RowsChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x, -0.5f64..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .x_label_formatter(&tick)
        .y_labels(n)
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_style((FONT, 12))
        .disable_y_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    Ok(chart)
}

fn bars_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    bars: &[(String, f64)],
    x_label: &str,
) -> DrawResult<DB> {
    let (_, hi) = range(bars.iter().map(|b| b.1), true);
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let mut chart = rows_chart(root, title, 0.0..hi, &labels, 210, x_label)?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let y = i as f64;
        Rectangle::new([(0.0, y - 0.35), (b.1.max(0.0), y + 0.35)], colour(i).filled())
    }))?;
    Ok(())
}

fn tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    baseline: f64,
    rows: &[(String, f64, f64)],
    x_label: &str,
) -> DrawResult<DB> {
    let (x0, x1) = range(rows.iter().flat_map(|r| [r.1, r.2]).chain(std::iter::once(baseline)), false);
    let n = rows.len().max(1);
    // Row r is drawn at y = n - 1 - r (widest on top), so the labels go bottom up.
    let labels: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
    let mut chart = rows_chart(root, title, x0..x1, &labels, 340, x_label)?;
    // Widest row on top: rows arrive sorted widest first, so they are drawn from the top down.
    chart.draw_series(rows.iter().enumerate().flat_map(|(i, r)| {
        let y = (n - 1 - i) as f64;
        [
            Rectangle::new([(baseline.min(r.1), y - 0.35), (baseline.max(r.1), y + 0.35)], colour(0).filled()),
            Rectangle::new([(baseline.min(r.2), y - 0.35), (baseline.max(r.2), y + 0.35)], colour(1).filled()),
        ]
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(vec![(baseline, -0.5), (baseline, n as f64 - 0.5)], BLACK)))?;
    chart
        .draw_series(std::iter::once(Rectangle::new([(x0, -10.0), (x0, -10.0)], colour(0).filled())))?
        .label("low setting")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour(0).filled()));
    chart
        .draw_series(std::iter::once(Rectangle::new([(x0, -10.0), (x0, -10.0)], colour(1).filled())))?
        .label("high setting")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour(1).filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .draw()?;
    Ok(())
}

fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    bins: &[(f64, f64, u64)],
    x_label: &str,
) -> DrawResult<DB> {
    let x0 = bins.iter().map(|b| b.0).fold(f64::INFINITY, f64::min).max(1e-9);
    let x1 = bins.iter().map(|b| b.1).fold(0.0, f64::max).max(x0 * 10.0);
    let ymax = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d((x0..x1).log_scale(), 0f64..ymax)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("devices")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style((FONT, 12))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    chart.draw_series(
        bins.iter()
            .filter(|b| b.2 > 0)
            .map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2 as f64)], colour(0).mix(0.8).filled())),
    )?;
    Ok(())
}
