//! The charts of a report, drawn with plotters. Each chart is data plus one drawing function
//! generic over the backend, so the SVG inlined in the HTML, the SVG files beside it and the PNGs
//! written by `--png` are the same drawing. Every length and font size is multiplied by the scale
//! (PNG at 2x for 1080p slides); at 1x no text is smaller than 12 px. The legend, the labels of
//! targets and the captions of events sit outside the plot, in space reserved for them.
//!
//! Text is laid out and rasterised by plotters' `ttf` feature: font-kit asks fontconfig for
//! `sans-serif` (DejaVu Sans from fonts-dejavu-core, installed by scripts/setup.sh); no display is
//! needed. In the SVG the text stays text, drawn by the viewer's own sans-serif font.

use std::path::Path;

use plotters::coord::Shift;
use std::ops::Range;

use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of a chart at 1x, px.
pub const WIDTH: u32 = 860;
pub const HEIGHT: u32 = 420;
/// Tick labels, legends, axis titles and the labels of targets and events, px at 1x.
pub const TEXT_PX: f64 = 14.0;
/// Chart titles, px at 1x.
pub const TITLE_PX: f64 = 20.0;
/// The most a PNG may be scaled.
pub const MAX_SCALE: u32 = 4;

const MARGIN: f64 = 12.0;
/// Room for the y tick labels and the y axis title of value charts, px at 1x.
const Y_AREA: f64 = 92.0;
/// Room for the x tick labels and the x axis title, px at 1x.
const X_AREA: f64 = 54.0;
const INK: RGBColor = RGBColor(29, 35, 48);
const TARGET: RGBColor = RGBColor(179, 38, 30);
const EVENT: RGBColor = RGBColor(90, 90, 90);
/// The fill of shaded spans (outages) behind the lines.
const SHADE: RGBColor = RGBColor(222, 222, 222);
/// The narrowest a shaded span is drawn, px at 1x (a 2-hour outage on a 90-day axis is a
/// tenth of a pixel).
const MIN_SPAN_PX: f64 = 2.0;
const GRID: RGBColor = RGBColor(225, 225, 225);
const LIGHT_GRID: RGBColor = RGBColor(243, 243, 243);

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
    /// Stacked columns: one per entry of `bars` (its label, then one value per category in the
    /// order of `categories`), segments coloured by category, with a legend. Categories that are
    /// zero in every bar are left out; a category keeps its colour whichever others are left out.
    Stacked { categories: Vec<String>, bars: Vec<(String, Vec<f64>)>, x_label: String, y_label: String },
}

/// Which axis a target is a value of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    X,
    Y,
}

/// A reference value drawn as a dashed line across the plot with its label ("target 99.5 %"): a
/// value of the y axis is a horizontal line labelled right of the plot, a value of the x axis a
/// vertical line labelled above it. The axis range always includes it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    pub axis: Axis,
    pub value: f64,
    pub label: String,
}

/// Something that happened at `x` on a time axis: a vertical line with its caption above the plot.
/// Marks outside the x range are not drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct EventMark {
    pub x: f64,
    pub caption: String,
}

/// A stretch of the x axis shaded behind the lines (an outage on a time axis), [from, to).
/// Spans outside the x range are not drawn; every span is at least 2 px wide.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
}

#[derive(Clone, Debug)]
pub struct Chart {
    /// File-name stem (e.g. `cost-curve`).
    pub id: String,
    pub title: String,
    pub kind: Kind,
    /// Dashed reference lines (targets). Lines, histograms and stacked columns.
    pub targets: Vec<TargetLine>,
    /// Events marked on the x axis. Lines and histograms.
    pub events: Vec<EventMark>,
    /// Stretches of the x axis shaded behind the lines, with their legend entry. Lines on a
    /// linear x axis.
    pub spans: Vec<Span>,
    pub spans_label: String,
    /// Ticks of the x axis at these values, with these labels (empty: chosen by plotters). Lines.
    pub x_ticks: Vec<(f64, String)>,
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

impl Chart {
    pub fn new(id: impl Into<String>, title: impl Into<String>, kind: Kind) -> Chart {
        Chart {
            id: id.into(),
            title: title.into(),
            kind,
            targets: Vec::new(),
            events: Vec::new(),
            spans: Vec::new(),
            spans_label: String::new(),
            x_ticks: Vec::new(),
        }
    }

    pub fn with_targets(mut self, targets: impl IntoIterator<Item = TargetLine>) -> Chart {
        self.targets.extend(targets);
        self
    }

    pub fn with_events(mut self, events: impl IntoIterator<Item = EventMark>) -> Chart {
        self.events.extend(events);
        self
    }

    /// Shades `spans` behind the lines, with `label` in the legend (when any is drawn).
    pub fn with_spans(mut self, label: impl Into<String>, spans: impl IntoIterator<Item = Span>) -> Chart {
        self.spans.extend(spans);
        self.spans_label = label.into();
        self
    }

    pub fn with_x_ticks(mut self, ticks: Vec<(f64, String)>) -> Chart {
        self.x_ticks = ticks;
        self
    }

    /// Pixel size of the chart at `scale`.
    pub fn size(scale: u32) -> (u32, u32) {
        (WIDTH * scale, HEIGHT * scale)
    }

    /// The chart as an SVG document (1x).
    pub fn to_svg(&self) -> String {
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, Self::size(1)).into_drawing_area();
            if let Err(e) = self.draw(&root, Px(1.0)) {
                drop(root);
                return format!("<p>chart {} could not be drawn: {e}</p>", self.id);
            }
            let _ = root.present();
        }
        buf
    }

    /// Writes the chart as a PNG file, every size multiplied by `scale` (1 to [`MAX_SCALE`]).
    pub fn to_png(&self, path: &Path, scale: u32) -> Result<(), String> {
        if !(1..=MAX_SCALE).contains(&scale) {
            return Err(format!("{}: a PNG scale is 1 to {MAX_SCALE}, not {scale}", path.display()));
        }
        let root = BitMapBackend::new(path, Self::size(scale)).into_drawing_area();
        self.draw(&root, Px(scale as f64)).map_err(|e| format!("{}: {e}", path.display()))?;
        root.present().map_err(|e| format!("{}: {e}", path.display()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, px: Px) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        match &self.kind {
            Kind::Lines { series, log_x, x_label, y_label } => lines(root, px, self, series, *log_x, x_label, y_label),
            Kind::Bars { bars, x_label } => bars_chart(root, px, self, bars, x_label),
            Kind::Tornado { baseline, rows, x_label } => tornado(root, px, self, *baseline, rows, x_label),
            Kind::Histogram { bins, x_label } => histogram(root, px, self, bins, x_label),
            Kind::Stacked { categories, bars, x_label, y_label } => {
                stacked(root, px, self, categories, bars, x_label, y_label)
            }
        }
    }

    fn y_targets(&self) -> impl Iterator<Item = &TargetLine> {
        self.targets.iter().filter(|t| t.axis == Axis::Y && t.value.is_finite())
    }

    fn x_targets(&self) -> impl Iterator<Item = &TargetLine> {
        self.targets.iter().filter(|t| t.axis == Axis::X && t.value.is_finite())
    }
}

/// Lengths at the chart's scale.
#[derive(Clone, Copy, Debug)]
struct Px(f64);

impl Px {
    fn len(self, v: f64) -> i32 {
        (v * self.0).round() as i32
    }

    fn ulen(self, v: f64) -> u32 {
        (v * self.0).round().max(1.0) as u32
    }

    /// A font whose em is `em` px at 1x. plotters sizes a font by its line height, 1.24 em, in
    /// both backends (the SVG's `font-size` is the em).
    fn font(self, em: f64) -> FontDesc<'static> {
        FontDesc::new(FontFamily::SansSerif, em * 1.24 * self.0, FontStyle::Normal)
    }

    fn text(self, em: f64, c: RGBColor) -> TextStyle<'static> {
        self.font(em).color(&c)
    }

    /// Width of `s` at `em`, px at this scale (an estimate where no font can be loaded).
    fn width(self, s: &str, em: f64) -> i32 {
        match self.font(em).box_size(s) {
            Ok((w, _)) => w as i32,
            Err(_) => (s.chars().count() as f64 * em * 0.6 * self.0).round() as i32,
        }
    }

    /// Height of one line of body text.
    fn line(self) -> i32 {
        self.len(TEXT_PX * 1.4)
    }
}

/// A number as tick labels write it, without needless decimals: 20,000 not 20000.0.
pub fn format_tick(v: f64) -> String {
    tick(&v)
}

fn tick(v: &f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let n = v.round() as i64;
        let out = sim_core::text::thousands(n.unsigned_abs());
        if n < 0 { format!("-{out}") } else { out }
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}").trim_end_matches(".0").to_string()
    } else if a >= 0.01 {
        format!("{v:.2}")
    } else {
        let t = format!("{v:.6}");
        t.trim_end_matches('0').to_string()
    }
}

/// A tick label on a linear axis spanning `span`: as [`tick`] when that tells ticks about a tenth
/// of the span apart; otherwise with the decimals they need (99.6, 99.7, not 100, 100).
fn tick_in_range(v: f64, span: f64) -> String {
    let step = span / 10.0;
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return tick(&v);
    }
    let places = (-step.log10().floor()).clamp(0.0, 6.0) as usize;
    sim_core::text::decimal(v, places)
}

/// The label a tick formatter gives `v`: its own label when `v` is one of `ticks`.
fn tick_label(ticks: &[(f64, String)], v: f64) -> String {
    ticks.iter().find(|t| (t.0 - v).abs() <= 1e-9 * t.0.abs().max(1.0)).map_or_else(|| tick(&v), |t| t.1.clone())
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

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
enum Swatch {
    Line(RGBColor),
    Box(RGBColor),
}

/// A label above the plot for a vertical line at `x`: an event's caption or an x target.
struct TopLabel {
    x: f64,
    text: String,
    colour: RGBColor,
    /// Drawn 2 px wide (targets) rather than 1 (events).
    bold: bool,
}

/// Where the label of a vertical mark goes: its row in the band above the plot, and whether it
/// runs right from the line (or ends at it).
#[cfg_attr(not(test), allow(dead_code))]
struct Placed {
    text: String,
    row: i32,
    rightwards: bool,
    /// Where the label runs, px (from its line's x when rightwards, to it otherwise).
    from: i32,
    to: i32,
    /// The line's x, px (estimated before the chart is built).
    at: i32,
}

/// The space around a chart's axes: the title on top, then a band with the labels of vertical
/// marks (one row each where they would overlap), the chart itself, and the legend at the
/// bottom; the labels of horizontal targets go in a column right of the plot. Nothing of it
/// overlaps the plot.
struct Frame {
    px: Px,
    width: i32,
    /// Margins of the area handed to the chart builder (its axes and plot).
    top: i32,
    bottom: i32,
    left: i32,
    right: i32,
    /// Width of the y label area of the chart.
    y_area: i32,
    band_top: i32,
    top_labels: Vec<(TopLabel, Placed)>,
    legend: Vec<(String, Swatch)>,
    /// Rows of the legend: (x, entry).
    legend_rows: Vec<Vec<(i32, usize)>>,
    legend_top: i32,
}

impl Frame {
    /// Lays the frame out. `x_frac` places an x value along the plot (0 at its left, 1 at its
    /// right; outside that, not drawn).
    fn new<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        px: Px,
        chart: &Chart,
        y_area: i32,
        legend: Vec<(String, Swatch)>,
        top_labels: Vec<TopLabel>,
        x_frac: &dyn Fn(f64) -> f64,
    ) -> Frame {
        let (w, h) = root.dim_in_pixel();
        let (width, height) = (w as i32, h as i32);
        let margin = px.len(MARGIN);
        let line = px.line();
        let title_h = px.len(TITLE_PX * 1.6);

        // The legend: entries flow left to right from the plot's left edge, wrapping.
        let swatch_w = px.len(22.0);
        let gap = px.len(20.0);
        let start = margin + y_area;
        let mut legend_rows: Vec<Vec<(i32, usize)>> = Vec::new();
        let mut x = start;
        for (i, (name, _)) in legend.iter().enumerate() {
            let w = swatch_w + px.width(name, TEXT_PX);
            if legend_rows.is_empty() || (x + w > width - margin && x > start) {
                legend_rows.push(Vec::new());
                x = start;
            }
            legend_rows.last_mut().expect("a row was pushed").push((x, i));
            x += w + gap;
        }
        let legend_h = if legend_rows.is_empty() { 0 } else { legend_rows.len() as i32 * line + px.len(6.0) };
        let legend_top = height - margin - legend_h + px.len(6.0);

        // Labels of horizontal targets, right of the plot.
        let right_labels = chart.y_targets().map(|t| px.width(&t.label, TEXT_PX)).max();
        let right = margin + right_labels.map_or(0, |w| w + px.len(10.0));

        // Labels of vertical marks, each in the first row where it crosses nothing: no other label
        // in its row, no line of a mark labelled in a row above (those lines run down through
        // it), and its own line through no label in a row below. The whole caption where it fits,
        // else the part before a colon or a cut one.
        let plot_left = margin + y_area;
        let plot_right = width - right;
        let mut top_labels: Vec<TopLabel> =
            top_labels.into_iter().filter(|l| (0.0..=1.0).contains(&x_frac(l.x))).collect();
        top_labels.sort_by(|a, b| a.x.total_cmp(&b.x));
        const MAX_ROWS: i32 = 4;
        let (pad, gap) = (px.len(4.0), px.len(8.0));
        // (row, from, to, x) of the labels placed so far.
        let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
        let mut placed = Vec::new();
        for l in top_labels {
            let at = plot_left + (x_frac(l.x) * (plot_right - plot_left) as f64).round() as i32;
            let free = |row: i32, from: i32, to: i32| {
                taken.iter().all(|&(r, f, t, x)| {
                    let overlaps = from < t + gap && f < to + gap;
                    !(r == row && overlaps
                        || r < row && (from - gap..=to + gap).contains(&x)
                        || r > row && (f - gap..=t + gap).contains(&at))
                })
            };
            let candidate = |row: i32, rightwards: bool, whole: bool| {
                let room = if rightwards { width - margin - at - pad } else { at - pad - margin };
                let text = if whole { l.text.clone() } else { fit(px, &l.text, room) };
                let w = px.width(&text, TEXT_PX);
                let (from, to) = if rightwards { (at, at + pad + w) } else { (at - pad - w, at) };
                (w <= room && free(row, from, to)).then_some((row, rightwards, text, from, to))
            };
            let choice = [true, false]
                .into_iter()
                .flat_map(|whole| (0..MAX_ROWS).flat_map(move |row| [(row, true, whole), (row, false, whole)]))
                .find_map(|(row, right, whole)| candidate(row, right, whole));
            let (row, rightwards, text, from, to) = choice.unwrap_or_else(|| {
                // Crowded: the row below the others, cut to the room on the right.
                let row = taken.iter().map(|t| t.0 + 1).max().unwrap_or(0);
                let text = fit(px, &l.text, width - margin - at - pad);
                let w = px.width(&text, TEXT_PX);
                (row, true, text, at, at + pad + w)
            });
            taken.push((row, from, to, at));
            placed.push((l, Placed { text, row, rightwards, from, to, at }));
        }
        let rows = taken.iter().map(|t| t.0 + 1).max().unwrap_or(0);
        let band_h = rows * line;
        let band_top = margin + title_h;
        Frame {
            px,
            width,
            top: band_top + band_h + if band_h > 0 { px.len(4.0) } else { px.len(6.0) },
            bottom: margin + legend_h,
            left: margin,
            right,
            y_area,
            band_top,
            top_labels: placed,
            legend,
            legend_rows,
            legend_top,
        }
    }

    /// The area the chart builder lays the axes and the plot out in.
    fn area<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawingArea<DB, Shift> {
        root.margin(self.top, self.bottom, self.left, self.right)
    }

    /// Draws the title, the targets, the events and the legend around a finished chart.
    fn finish<DB, X, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
        title: &str,
        y_targets: &[&TargetLine],
    ) -> DrawResult<DB>
    where
        DB: DrawingBackend,
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let px = self.px;
        root.draw_text(
            title,
            &px.text(TITLE_PX, INK).pos(Pos::new(HPos::Center, VPos::Top)),
            (self.width / 2, px.len(MARGIN)),
        )?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let (x_lo, y_lo) = (chart.x_range().start, chart.y_range().start);
        let line = px.line();

        for t in y_targets {
            let y = chart.backend_coord(&(x_lo, t.value)).1;
            if y < ys.start || y > ys.end {
                continue;
            }
            dashed(root, px, (xs.start, y), (xs.end, y), TARGET.stroke_width(px.ulen(2.0)))?;
            root.draw_text(
                &t.label,
                &px.text(TEXT_PX, TARGET).pos(Pos::new(HPos::Left, VPos::Center)),
                (xs.end + px.len(8.0), y),
            )?;
        }
        for (l, p) in &self.top_labels {
            let x = chart.backend_coord(&(l.x, y_lo)).0;
            let text_y = self.band_top + p.row * line;
            let style = if l.bold { l.colour.stroke_width(px.ulen(2.0)) } else { l.colour.stroke_width(px.ulen(1.0)) };
            dashed(root, px, (x, text_y + px.len(TEXT_PX * 1.15)), (x, ys.end), style)?;
            let (h, tx) = if p.rightwards { (HPos::Left, x + px.len(4.0)) } else { (HPos::Right, x - px.len(4.0)) };
            root.draw_text(&p.text, &px.text(TEXT_PX, l.colour).pos(Pos::new(h, VPos::Top)), (tx, text_y))?;
        }
        for (r, row) in self.legend_rows.iter().enumerate() {
            let y = self.legend_top + r as i32 * line + line / 2;
            for &(x, i) in row {
                let (name, swatch) = &self.legend[i];
                match *swatch {
                    Swatch::Line(c) => {
                        root.draw(&PathElement::new(vec![(x, y), (x + px.len(16.0), y)], c.stroke_width(px.ulen(3.0))))?
                    }
                    Swatch::Box(c) => root.draw(&Rectangle::new(
                        [(x + px.len(2.0), y - px.len(6.0)), (x + px.len(14.0), y + px.len(6.0))],
                        c.filled(),
                    ))?,
                }
                root.draw_text(
                    name,
                    &px.text(TEXT_PX, INK).pos(Pos::new(HPos::Left, VPos::Center)),
                    (x + px.len(22.0), y),
                )?;
            }
        }
        Ok(())
    }
}

/// `s`, shortened to fit `room` px: the part before a colon if that fits, else cut with an ellipsis.
fn fit(px: Px, s: &str, room: i32) -> String {
    if px.width(s, TEXT_PX) <= room {
        return s.to_string();
    }
    if let Some((head, _)) = s.split_once(": ")
        && px.width(head, TEXT_PX) <= room
    {
        return head.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if px.width(&t, TEXT_PX) <= room {
            return t;
        }
    }
    "…".to_string()
}

/// A dashed horizontal or vertical line in pixels.
fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    from: (i32, i32),
    to: (i32, i32),
    style: ShapeStyle,
) -> DrawResult<DB> {
    let (dash, gap) = (px.len(7.0).max(1), px.len(5.0).max(1));
    let len = (to.0 - from.0).abs().max((to.1 - from.1).abs());
    let (dx, dy) = ((to.0 - from.0).signum(), (to.1 - from.1).signum());
    let mut at = 0;
    while at < len {
        let end = (at + dash).min(len);
        root.draw(&PathElement::new(
            vec![(from.0 + dx * at, from.1 + dy * at), (from.0 + dx * end, from.1 + dy * end)],
            style,
        ))?;
        at = end + gap;
    }
    Ok(())
}

/// The top labels of a chart: its events (grey) and its x targets (red).
fn top_labels(chart: &Chart) -> Vec<TopLabel> {
    let events = chart.events.iter().map(|e| TopLabel { x: e.x, text: e.caption.clone(), colour: EVENT, bold: false });
    let targets = chart.x_targets().map(|t| TopLabel { x: t.value, text: t.label.clone(), colour: TARGET, bold: true });
    events.chain(targets).collect()
}

/// Where `v` falls along [lo, hi], on a log scale when `log`.
fn frac(v: f64, lo: f64, hi: f64, log: bool) -> f64 {
    if log {
        if v <= 0.0 {
            return f64::NAN;
        }
        (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
    } else {
        (v - lo) / (hi - lo)
    }
}

/// An axis with its ticks at given values (plotters' own `WithKeyPoints` has no value formatter
/// over a plain f64 axis); `light` keeps the inner axis's light grid lines.
struct Ticked<R> {
    inner: R,
    ticks: Vec<f64>,
    light: bool,
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(v, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        match (hint.weight().allow_light_points(), self.light) {
            (false, _) => self.ticks.clone(),
            (true, true) => self.inner.key_points(hint),
            (true, false) => Vec::new(),
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

/// The mesh every value chart shares, at the frame's scale.
macro_rules! mesh {
    ($chart:expr, $px:expr) => {
        $chart
            .configure_mesh()
            .label_style($px.text(TEXT_PX, INK))
            .axis_desc_style($px.text(TEXT_PX, INK))
            .axis_style(INK.stroke_width($px.ulen(1.0)))
            .bold_line_style(GRID.stroke_width($px.ulen(1.0)))
            .light_line_style(LIGHT_GRID.stroke_width($px.ulen(1.0)))
            .set_all_tick_mark_size($px.len(5.0))
    };
}

fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart,
    series: &[Series],
    log_x: bool,
    x_label: &str,
    y_label: &str,
) -> DrawResult<DB> {
    let targets: Vec<&TargetLine> = c.y_targets().collect();
    let ty = || targets.iter().map(|t| t.value);
    let (x0, x1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)), false);
    let (y0, y1) = range(series.iter().flat_map(|s| s.points.iter().flat_map(|p| [p.2, p.3, p.1])).chain(ty()), false);
    let finite = |v: Vec<f64>| {
        let v: Vec<f64> = v.into_iter().filter(|v| v.is_finite()).collect();
        (v.iter().cloned().fold(f64::INFINITY, f64::min), v.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
    };
    let (rx0, rx1) = finite(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect());
    let (ry0, ry1) =
        finite(series.iter().flat_map(|s| s.points.iter().flat_map(|p| [p.1, p.2, p.3])).chain(ty()).collect());
    // A log y axis when every value is positive and they span more than a factor of 8.
    let log_y = ry0 > 0.0 && ry1 / ry0 > 8.0;
    let (lx0, lx1) = (rx0.max(1e-9) / 1.5, rx1 * 1.5);
    let (ly0, ly1) = (ry0 / 1.3, ry1 * 1.3);
    let (fx0, fx1) = if log_x { (lx0, lx1) } else { (x0, x1) };

    let mut legend: Vec<(String, Swatch)> = if series.len() > 1 || !series.is_empty() && !series[0].name.is_empty() {
        series.iter().enumerate().map(|(i, s)| (s.name.clone(), Swatch::Line(colour(i)))).collect()
    } else {
        Vec::new()
    };
    // Shaded spans, clipped to the x range (linear axes only).
    let spans: Vec<(f64, f64)> = if log_x {
        Vec::new()
    } else {
        c.spans.iter().map(|s| (s.from.max(x0), s.to.min(x1))).filter(|(a, b)| a <= b && *b > x0 && *a < x1).collect()
    };
    if !spans.is_empty() && !c.spans_label.is_empty() {
        legend.push((c.spans_label.clone(), Swatch::Box(SHADE)));
    }
    let frame = Frame::new(root, px, c, px.len(Y_AREA), legend, top_labels(c), &|v| frac(v, fx0, fx1, log_x));
    let area = frame.area(root);
    // Ticks at the given values, or where plotters would put them.
    let auto = c.x_ticks.is_empty();
    let given: Vec<f64> = c.x_ticks.iter().map(|t| t.0).filter(|v| (fx0..=fx1).contains(v)).collect();
    let log_axis = || {
        let inner = LogCoord::from((lx0..lx1).log_scale());
        let ticks = if auto { inner.key_points(10) } else { given.clone() };
        Ticked { inner, ticks, light: auto }
    };
    let lin_axis = || {
        let inner = RangedCoordf64::from(x0..x1);
        let ticks = if auto { inner.key_points(10) } else { given.clone() };
        Ticked { inner, ticks, light: auto }
    };
    let x_fmt = |v: &f64| tick_label(&c.x_ticks, *v);
    // A linear axis over a narrow range (99.6 to 100.0 %) needs the decimals that tell its
    // ticks apart.
    let y_fmt = |v: &f64| if log_y { tick(v) } else { tick_in_range(*v, y1 - y0) };
    macro_rules! body {
        ($x:expr, $y:expr) => {{
            let mut chart = ChartBuilder::on(&area)
                .x_label_area_size(px.len(X_AREA))
                .y_label_area_size(frame.y_area)
                .build_cartesian_2d($x, $y)?;
            mesh!(chart, px)
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&y_fmt)
                .draw()?;
            if !spans.is_empty() {
                let (xr, yr) = (chart.x_range(), chart.y_range());
                let (xs, _) = chart.plotting_area().get_pixel_range();
                let min_w = (xr.end - xr.start) * px.len(MIN_SPAN_PX) as f64 / (xs.end - xs.start).max(1) as f64;
                chart.draw_series(spans.iter().map(|&(a, b)| {
                    let b = b.max(a + min_w).min(xr.end);
                    let a = a.min(b - min_w).max(xr.start);
                    Rectangle::new([(a, yr.start), (b, yr.end)], SHADE.filled())
                }))?;
            }
            for (i, s) in series.iter().enumerate() {
                let c = colour(i);
                if s.points.iter().any(|p| p.3 > p.2) {
                    let mut poly: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
                    poly.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
                    chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18).filled())))?;
                }
                chart
                    .draw_series(LineSeries::new(s.points.iter().map(|p| (p.0, p.1)), c.stroke_width(px.ulen(2.0))))?;
                if s.points.len() <= 12 {
                    chart.draw_series(s.points.iter().map(|p| Circle::new((p.0, p.1), px.len(3.0), c.filled())))?;
                }
            }
            frame.finish(root, &chart, &c.title, &targets)?;
        }};
    }
    match (log_x, log_y) {
        (true, true) => body!(log_axis(), (ly0..ly1).log_scale()),
        (true, false) => body!(log_axis(), y0..y1),
        (false, true) => body!(lin_axis(), (ly0..ly1).log_scale()),
        (false, false) => body!(lin_axis(), y0..y1),
    }
    Ok(())
}

type RowsChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart with one horizontal row per label (`labels[y]` at y = 0, 1, ... from the bottom) and a
/// value axis along x, in the frame's area.
fn rows_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    frame: &Frame,
    x: std::ops::Range<f64>,
    labels: &[String],
    x_label: &str,
) -> Result<RowsChart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let px = frame.px;
    let n = labels.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(px.len(X_AREA))
        .y_label_area_size(frame.y_area)
        .build_cartesian_2d(x, -0.5f64..(n as f64 - 0.5))?;
    mesh!(chart, px)
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
        .disable_y_mesh()
        .draw()?;
    Ok(chart)
}

/// Room for row labels: the widest label and the tick marks, at most 45 % of the chart.
fn label_area(px: Px, labels: &[String]) -> i32 {
    let widest = labels.iter().map(|l| px.width(l, TEXT_PX)).max().unwrap_or(0);
    (widest + px.len(16.0)).min(px.len(WIDTH as f64 * 0.45))
}

fn bars_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart,
    bars: &[(String, f64)],
    x_label: &str,
) -> DrawResult<DB> {
    let (_, hi) = range(bars.iter().map(|b| b.1), true);
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let frame = Frame::new(root, px, c, label_area(px, &labels), Vec::new(), Vec::new(), &|_| f64::NAN);
    let area = frame.area(root);
    let mut chart = rows_chart(&area, &frame, 0.0..hi, &labels, x_label)?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let y = i as f64;
        Rectangle::new([(0.0, y - 0.35), (b.1.max(0.0), y + 0.35)], colour(i).filled())
    }))?;
    frame.finish(root, &chart, &c.title, &[])
}

fn tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart,
    baseline: f64,
    rows: &[(String, f64, f64)],
    x_label: &str,
) -> DrawResult<DB> {
    let (x0, x1) = range(rows.iter().flat_map(|r| [r.1, r.2]).chain(std::iter::once(baseline)), false);
    let n = rows.len().max(1);
    // Row r is drawn at y = n - 1 - r (widest on top), so the labels go bottom up.
    let labels: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
    let legend = vec![("low setting".into(), Swatch::Box(colour(0))), ("high setting".into(), Swatch::Box(colour(1)))];
    let frame = Frame::new(root, px, c, label_area(px, &labels), legend, Vec::new(), &|_| f64::NAN);
    let area = frame.area(root);
    let mut chart = rows_chart(&area, &frame, x0..x1, &labels, x_label)?;
    // Widest row on top: rows arrive sorted widest first, so they are drawn from the top down.
    chart.draw_series(rows.iter().enumerate().flat_map(|(i, r)| {
        let y = (n - 1 - i) as f64;
        [
            Rectangle::new([(baseline.min(r.1), y - 0.35), (baseline.max(r.1), y + 0.35)], colour(0).filled()),
            Rectangle::new([(baseline.min(r.2), y - 0.35), (baseline.max(r.2), y + 0.35)], colour(1).filled()),
        ]
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(baseline, -0.5), (baseline, n as f64 - 0.5)],
        INK.stroke_width(px.ulen(1.0)),
    )))?;
    frame.finish(root, &chart, &c.title, &[])
}

fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart,
    bins: &[(f64, f64, u64)],
    x_label: &str,
) -> DrawResult<DB> {
    let xt: Vec<f64> = c.x_targets().map(|t| t.value).filter(|v| *v > 0.0).collect();
    let x0 = bins.iter().map(|b| b.0).chain(xt.iter().map(|v| v / 1.5)).fold(f64::INFINITY, f64::min).max(1e-9);
    let x1 = bins.iter().map(|b| b.1).chain(xt.iter().map(|v| v * 1.5)).fold(0.0, f64::max).max(x0 * 10.0);
    let ymax = bins.iter().map(|b| b.2).max().unwrap_or(1).max(1) as f64 * 1.1;
    let frame = Frame::new(root, px, c, px.len(Y_AREA), Vec::new(), top_labels(c), &|v| frac(v, x0, x1, true));
    let area = frame.area(root);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(px.len(X_AREA))
        .y_label_area_size(frame.y_area)
        .build_cartesian_2d((x0..x1).log_scale(), 0f64..ymax)?;
    mesh!(chart, px).x_desc(x_label).y_desc("devices").x_label_formatter(&tick).y_label_formatter(&tick).draw()?;
    chart.draw_series(
        bins.iter()
            .filter(|b| b.2 > 0)
            .map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2 as f64)], colour(0).mix(0.8).filled())),
    )?;
    let targets: Vec<&TargetLine> = c.y_targets().collect();
    frame.finish(root, &chart, &c.title, &targets)
}

fn stacked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    px: Px,
    c: &Chart,
    categories: &[String],
    bars: &[(String, Vec<f64>)],
    x_label: &str,
    y_label: &str,
) -> DrawResult<DB> {
    let kept: Vec<usize> =
        (0..categories.len()).filter(|&k| bars.iter().any(|b| b.1.get(k).is_some_and(|v| *v > 0.0))).collect();
    let total = |b: &(String, Vec<f64>)| kept.iter().map(|&k| b.1[k].max(0.0)).sum::<f64>();
    let targets: Vec<&TargetLine> = c.y_targets().collect();
    let top = bars.iter().map(total).chain(targets.iter().map(|t| t.value)).fold(0.0, f64::max);
    let y1 = if top > 0.0 { top * 1.1 } else { 1.0 };
    let n = bars.len().max(1);
    // At least three columns' worth of room, so a single bar is a column, not a wall.
    let pad = (3usize.saturating_sub(n)) as f64 / 2.0;
    let (x0, x1) = (-0.5 - pad, n as f64 - 0.5 + pad);
    let legend = kept.iter().map(|&k| (categories[k].clone(), Swatch::Box(colour(k)))).collect();
    let frame = Frame::new(root, px, c, px.len(Y_AREA), legend, Vec::new(), &|_| f64::NAN);
    let area = frame.area(root);
    let ticks: Vec<(f64, String)> = bars.iter().enumerate().map(|(i, b)| (i as f64, b.0.clone())).collect();
    let x_fmt = |v: &f64| tick_label(&ticks, *v);
    let mut chart =
        ChartBuilder::on(&area).x_label_area_size(px.len(X_AREA)).y_label_area_size(frame.y_area).build_cartesian_2d(
            Ticked { inner: RangedCoordf64::from(x0..x1), ticks: ticks.iter().map(|t| t.0).collect(), light: false },
            0f64..y1,
        )?;
    mesh!(chart, px)
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&tick)
        .disable_x_mesh()
        .draw()?;
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        let mut base = 0.0;
        for &k in &kept {
            let v = b.1[k];
            if v > 0.0 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, base), (x + 0.3, base + v)],
                    colour(k).filled(),
                )))?;
                base += v;
            }
        }
    }
    frame.finish(root, &chart, &c.title, &targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_on_a_narrow_axis_keep_the_decimals_that_tell_them_apart() {
        assert_eq!(tick_in_range(99.7, 0.5), "99.70");
        assert_eq!(tick_in_range(99.65, 0.5), "99.65");
        assert_ne!(tick_in_range(99.6, 0.4), tick_in_range(99.7, 0.4));
        assert_eq!(tick_in_range(1500.0, 3000.0), "1,500");
    }

    #[test]
    fn event_labels_cross_no_other_label_or_line() {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let caption = |i: usize| format!("Event {i}: something happened at the north shaft");
        let chart = Chart::new("t", "t", Kind::Bars { bars: Vec::new(), x_label: String::new() }).with_events(
            [1.0, 1.5, 2.0, 2.2, 5.0, 9.5].iter().enumerate().map(|(i, &x)| EventMark { x, caption: caption(i) }),
        );
        let frame = Frame::new(&root, Px(1.0), &chart, 90, Vec::new(), top_labels(&chart), &|x| x / 10.0);
        let placed: Vec<&Placed> = frame.top_labels.iter().map(|(_, p)| p).collect();
        assert_eq!(placed.len(), 6);
        for a in &placed {
            assert!(caption(0).len() >= a.text.len() && !a.text.is_empty());
            assert!(a.from >= 0 && a.to <= WIDTH as i32, "{}: {}..{}", a.text, a.from, a.to);
            for b in &placed {
                if std::ptr::eq(*a, *b) {
                    continue;
                }
                let overlap = a.from < b.to && b.from < a.to;
                assert!(!(a.row == b.row && overlap), "{} and {} overlap in row {}", a.text, b.text, a.row);
                // A line runs down from its label through the rows below it.
                assert!(!(b.row < a.row && (a.from..=a.to).contains(&b.at)), "{}'s line crosses {}", b.text, a.text);
            }
        }
        assert!(placed.iter().any(|p| p.row > 0), "close events share a row");
    }

    #[test]
    fn long_labels_are_cut_at_the_colon_then_with_an_ellipsis() {
        let px = Px(1.0);
        let s = "Planned power cut at the north shaft: every cell there goes dark for 18 h";
        assert_eq!(fit(px, s, 10_000), s);
        let head = "Planned power cut at the north shaft";
        assert_eq!(fit(px, s, px.width(head, TEXT_PX) + 1), head);
        let cut = fit(px, s, px.width(head, TEXT_PX) / 2);
        assert!(cut.ends_with('…') && s.starts_with(cut.trim_end_matches('…')), "{cut}");
    }
}
