/*!
Figures: titles, colour bars, legends and histogram charts around the pixel grids of
[`super::raster`], drawn on [`RgbImage`]s (text with [`super::font`]).
*/

use super::font;
use super::raster::{RgbImage, WHITE, viridis};
use detcal::error::Result;

/// Outer margin of a figure block.
pub const MARGIN: u32 = 14;
/// Title font size and line height.
const TITLE: (f64, u32) = (19.0, 30);
/// Subtitle font size and line height.
const SUBTITLE: (f64, u32) = (14.0, 24);
/// Label font size.
const LABEL: f64 = 13.0;
/// Width of a colour bar.
const BAR_W: u32 = 22;
/// Smallest height of a colour bar.
const MIN_BAR_H: u32 = 200;

const BLACK: [u8; 3] = [0, 0, 0];
const GREY: [u8; 3] = [90, 90, 90];
const GRID: [u8; 3] = [225, 225, 225];

impl RgbImage {
    /// Fills the rectangle `[x0, x1) x [y0, y1)` (clipped).
    pub(crate) fn fill(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: [u8; 3]) {
        let (w, h) = (self.width as i64, self.height as i64);
        let (x0, x1) = (x0.clamp(0, w), x1.clamp(0, w));
        let (y0, y1) = (y0.clamp(0, h), y1.clamp(0, h));
        for y in y0..y1 {
            for x in x0..x1 {
                let i = 3 * (y * w + x) as usize;
                self.rgb[i..i + 3].copy_from_slice(&c);
            }
        }
    }

    /// Draws the 1-pixel outline of `[x0, x1) x [y0, y1)`.
    pub(crate) fn outline(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: [u8; 3]) {
        self.fill(x0, y0, x1, y0 + 1, c);
        self.fill(x0, y1 - 1, x1, y1, c);
        self.fill(x0, y0, x0 + 1, y1, c);
        self.fill(x1 - 1, y0, x1, y1, c);
    }

    /// Draws `s` with the top of its capitals at `y` (see [`font::draw`]).
    pub(crate) fn text(&mut self, s: &str, x: i64, y: i64, size: f64, c: [u8; 3]) {
        font::draw(self, s, x as i32, y as i32, size, c);
    }
}

/// A number for a tick label: enough digits to tell ticks `step` apart.
pub fn tick_label(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.2e}");
    }
    let decimals = if step > 0.0 {
        (-(step.log10().floor()) as i32).clamp(0, 6) as usize
    } else {
        3
    };
    format!("{v:.decimals$}")
}

/// Round tick values in `[lo, hi]`, about `n` of them (steps of 1, 2 or 5 times a power of 10),
/// and the step.
pub fn ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return (vec![lo], 0.0);
    }
    let n = n.max(2) as f64;
    let p = 10f64.powf(((hi - lo) / n).log10().floor());
    let count = |step: f64| ((hi / step).floor() - (lo / step).ceil() + 1.0).max(0.0);
    // The candidate whose number of ticks is closest to n (the larger step on a tie).
    let step = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        .iter()
        .map(|m| m * p)
        .min_by(|a, b| {
            let (da, db) = ((count(*a) - n).abs(), (count(*b) - n).abs());
            da.total_cmp(&db).then(b.total_cmp(a))
        })
        .unwrap_or(p);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let v = (first..=last)
        .take(100)
        .map(|i| {
            let t = i as f64 * step;
            if t.abs() < step * 1e-9 { 0.0 } else { t }
        })
        .collect();
    (v, step)
}

/// The width a title block needs.
fn titles_width(title: &str, subtitle: &str) -> u32 {
    font::text_width(title, TITLE.0).max(font::text_width(subtitle, SUBTITLE.0)) + 2 * MARGIN
}

/// Draws the title and subtitle; returns the y where the content starts.
fn titles(img: &mut RgbImage, title: &str, subtitle: &str) -> u32 {
    img.text(title, MARGIN as i64, MARGIN as i64, TITLE.0, BLACK);
    img.text(
        subtitle,
        MARGIN as i64,
        (MARGIN + TITLE.1) as i64,
        SUBTITLE.0,
        GREY,
    );
    MARGIN + TITLE.1 + SUBTITLE.1
}

/// Draws the `seg N` labels just above the tiles whose top-left corners are given (relative
/// to the grid at `(gx, gy)`).
fn labels(img: &mut RgbImage, gx: u32, gy: u32, tile_labels: &[(u32, u32, String)]) {
    let cap = font::cap_height(12.0) as i64;
    for (x, y, label) in tile_labels {
        let (x, y) = ((gx + x) as i64, (gy + y) as i64);
        img.text(label, x + 1, y - cap - 4, 12.0, BLACK);
    }
}

/// Tick marks and labels along the left and bottom edges of a pixel grid (the axes of an
/// assembled image).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridAxes {
    /// (distance from the grid's top in pixels, label) of each tick on the left edge.
    pub left: Vec<(f64, String)>,
    /// (distance from the grid's left edge in pixels, label) of each tick on the bottom edge.
    pub bottom: Vec<(f64, String)>,
    /// The name of the left axis, written above its labels.
    pub left_title: String,
    /// The name of the bottom axis, written under its labels.
    pub bottom_title: String,
}

/// A pixel grid with a title, subtitle, segment labels and a colour bar for `[lo, hi]`, and
/// with `axes` tick marks on the grid's left and bottom edges.
#[allow(clippy::too_many_arguments)]
pub fn map_block(
    title: &str,
    subtitle: &str,
    grid: &RgbImage,
    tile_labels: &[(u32, u32, String)],
    lo: f64,
    hi: f64,
    unit: &str,
    axes: Option<&GridAxes>,
) -> Result<(RgbImage, (u32, u32))> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let (tv, step) = ticks(lo, hi, 6);
    let labels_w = tv
        .iter()
        .map(|v| font::text_width(&tick_label(*v, step), LABEL))
        .chain(std::iter::once(font::text_width(unit, LABEL)))
        .max()
        .unwrap_or(40);
    let cap = font::cap_height(LABEL) as i64;
    // Room for the axes: their labels left of and under the grid, the left axis's name above.
    let (left_w, above_h, below_h) = match axes {
        Some(a) => (
            a.left
                .iter()
                .map(|(_, l)| font::text_width(l, LABEL))
                .chain(std::iter::once(font::text_width(&a.left_title, LABEL)))
                .max()
                .unwrap_or(0)
                + 12,
            cap as u32 + 10,
            2 * cap as u32 + 22,
        ),
        None => (0, 0, 0),
    };
    let top = MARGIN + TITLE.1 + SUBTITLE.1 + 4 + above_h;
    let gx = MARGIN + left_w;
    let bar_top = top + 22;
    let bar_h = grid.height.saturating_sub(22).max(MIN_BAR_H);
    let side = 20 + BAR_W + 8 + labels_w;
    let w = (gx + grid.width + side + MARGIN).max(titles_width(title, subtitle));
    let h = (top + grid.height + below_h).max(bar_top + bar_h + 8) + MARGIN;
    let mut img = RgbImage::new(w, h, WHITE);
    titles(&mut img, title, subtitle);
    img.blit(grid, gx, top);
    labels(&mut img, gx, top, tile_labels);

    if let Some(a) = axes {
        let (gx, gy) = (gx as i64, top as i64);
        let (gw, gh) = (grid.width as i64, grid.height as i64);
        for (off, l) in &a.left {
            let y = gy + off.round() as i64;
            img.fill(gx - 5, y, gx, y + 1, BLACK);
            let lw = font::text_width(l, LABEL) as i64;
            img.text(l, gx - 8 - lw, y - cap / 2, LABEL, BLACK);
        }
        for (off, l) in &a.bottom {
            let x = gx + off.round() as i64;
            img.fill(x, gy + gh, x + 1, gy + gh + 5, BLACK);
            let lw = font::text_width(l, LABEL) as i64;
            img.text(l, x - lw / 2, gy + gh + 8, LABEL, BLACK);
        }
        img.outline(gx - 1, gy - 1, gx + gw + 1, gy + gh + 1, GREY);
        img.text(&a.left_title, MARGIN as i64, gy - cap - 8, LABEL, BLACK);
        let tw = font::text_width(&a.bottom_title, LABEL) as i64;
        img.text(
            &a.bottom_title,
            gx + (gw - tw) / 2,
            gy + gh + 8 + cap + 8,
            LABEL,
            BLACK,
        );
    }

    // The colour bar: the gradient (high values at the top), a frame, ticks and labels.
    let bx = (gx + grid.width + 20) as i64;
    let (y0, y1) = (bar_top as i64, (bar_top + bar_h) as i64);
    let lut = viridis();
    for y in y0..y1 {
        let t = (y1 - 1 - y) as f64 / (bar_h.max(2) - 1) as f64;
        let c = lut[(t * 255.0).round() as usize];
        img.fill(bx, y, bx + BAR_W as i64, y + 1, c);
    }
    img.outline(bx, y0, bx + BAR_W as i64, y1, BLACK);
    for v in &tv {
        let y = y1 - 1 - ((v - lo) / (hi - lo) * (bar_h - 1) as f64).round() as i64;
        img.fill(bx + BAR_W as i64, y, bx + BAR_W as i64 + 5, y + 1, BLACK);
        img.text(
            &tick_label(*v, step),
            bx + BAR_W as i64 + 8,
            y - cap / 2,
            LABEL,
            BLACK,
        );
    }
    img.text(unit, bx, top as i64 + 2, LABEL, BLACK);
    Ok((img, (gx, top)))
}

/// One legend entry: a colour, its label.
pub struct LegendEntry {
    /// The colour swatch.
    pub color: [u8; 3],
    /// The text.
    pub label: String,
}

/// A pixel grid with a title, subtitle, segment labels and a legend of colours.
pub fn legend_block(
    title: &str,
    subtitle: &str,
    grid: &RgbImage,
    tile_labels: &[(u32, u32, String)],
    legend_title: &str,
    entries: &[LegendEntry],
) -> Result<(RgbImage, (u32, u32))> {
    const LINE: u32 = 24;
    const SIZE: f64 = 14.0;
    let legend_w = entries
        .iter()
        .map(|e| font::text_width(&e.label, SIZE) + 28)
        .chain(std::iter::once(font::text_width(legend_title, SIZE)))
        .max()
        .unwrap_or(100);
    let legend_h = LINE * (entries.len() as u32 + 1);
    let top = MARGIN + TITLE.1 + SUBTITLE.1 + 4;
    let w = (MARGIN + grid.width + 24 + legend_w + MARGIN).max(titles_width(title, subtitle));
    let h = top + grid.height.max(legend_h) + MARGIN;
    let mut img = RgbImage::new(w, h, WHITE);
    titles(&mut img, title, subtitle);
    img.blit(grid, MARGIN, top);
    labels(&mut img, MARGIN, top, tile_labels);
    let lx = (MARGIN + grid.width + 24) as i64;
    img.text(legend_title, lx, top as i64 + 2, SIZE, BLACK);
    let cap = font::cap_height(SIZE) as i64;
    for (i, e) in entries.iter().enumerate() {
        let y = (top + LINE * (i as u32 + 1)) as i64;
        img.fill(lx, y, lx + 18, y + 18, e.color);
        img.outline(lx, y, lx + 18, y + 18, BLACK);
        img.text(&e.label, lx + 28, y + 9 - cap / 2, SIZE, BLACK);
    }
    Ok((img, (MARGIN, top)))
}

/// A histogram of `counts` over equal bins of `[lo, hi]`, counts on a log scale, with a title.
pub fn histogram_block(
    title: &str,
    subtitle: &str,
    counts: &[u64],
    lo: f64,
    hi: f64,
    x_label: &str,
) -> Result<RgbImage> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let w = 900u32.max(titles_width(title, subtitle));
    let top = MARGIN + TITLE.1 + SUBTITLE.1 + 24;
    let plot_h = 300u32;
    let h = top + plot_h + 60 + MARGIN;
    let mut img = RgbImage::new(w, h, WHITE);
    titles(&mut img, title, subtitle);
    let cap = font::cap_height(LABEL) as i64;

    // Axes: y (log counts) from 1 to the next decade above the largest count.
    let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let decades = max.log10().floor() as i32 + 1;
    let ymax = 10f64.powi(decades);
    let ylabels: Vec<String> = (0..=decades)
        .map(|d| format!("{}", 10u64.pow(d as u32)))
        .collect();
    let yl_w = ylabels
        .iter()
        .map(|s| font::text_width(s, LABEL))
        .max()
        .unwrap_or(20);
    let x0 = (MARGIN + yl_w + 14) as i64;
    let x1 = (w - MARGIN - 10) as i64;
    let (y0, y1) = (top as i64 + 10, (top + plot_h) as i64);
    let ypos =
        |c: f64| y1 - ((c.max(1.0).log10() / ymax.log10()) * (y1 - y0) as f64).round() as i64;
    let xpos = |v: f64| x0 + ((v - lo) / (hi - lo) * (x1 - x0) as f64).round() as i64;
    for (d, s) in ylabels.iter().enumerate() {
        let y = ypos(10f64.powi(d as i32));
        img.fill(x0, y, x1, y + 1, GRID);
        img.fill(x0 - 5, y, x0, y + 1, BLACK);
        let tw = font::text_width(s, LABEL) as i64;
        img.text(s, x0 - 8 - tw, y - cap / 2, LABEL, BLACK);
    }
    let (tv, step) = ticks(lo, hi, 8);
    for v in &tv {
        let x = xpos(*v);
        img.fill(x, y0, x + 1, y1, GRID);
        img.fill(x, y1, x + 1, y1 + 5, BLACK);
        let s = tick_label(*v, step);
        let tw = font::text_width(&s, LABEL) as i64;
        img.text(&s, x - tw / 2, y1 + 10, LABEL, BLACK);
    }
    // Bars: one per bin, from the bottom to the count (a count of 1 is a thin bar).
    let bar = [49, 104, 142];
    let n = counts.len().max(1) as f64;
    for (i, &c) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let (a, b) = (
            xpos(lo + (hi - lo) * i as f64 / n),
            xpos(lo + (hi - lo) * (i + 1) as f64 / n),
        );
        let top = ypos(c as f64).min(y1 - 2);
        img.fill(a, top, b.max(a + 1), y1, bar);
    }
    img.outline(x0, y0, x1 + 1, y1 + 1, BLACK);
    let tw = font::text_width(x_label, 14.0) as i64;
    img.text(x_label, (x0 + x1) / 2 - tw / 2, y1 + 34, 14.0, BLACK);
    img.text("pixels (log scale)", x0, y0 - 24, 14.0, BLACK);
    Ok(img)
}

/// The blocks one above the other on a white figure, and the y offset of each.
pub fn stack(blocks: &[RgbImage]) -> (RgbImage, Vec<u32>) {
    let w = blocks.iter().map(|b| b.width).max().unwrap_or(1);
    let h = blocks.iter().map(|b| b.height).sum::<u32>().max(1);
    let mut img = RgbImage::new(w, h, WHITE);
    let mut y = 0;
    let mut at = Vec::with_capacity(blocks.len());
    for b in blocks {
        img.blit(b, 0, y);
        at.push(y);
        y += b.height;
    }
    (img, at)
}
