/*!
Text in figures, with the embedded font (DejaVu Sans, see `assets/README.md`), so that no system
font library is needed.

plotters rasterizes the glyphs (its `ab_glyph` backend), but its layout places each glyph's ink
at the pen position, ignoring the glyph's left side bearing: a narrow `1` leaves a gap after it
("351 3.8"), which makes numbers misleading. So text is laid out here, one glyph at a time, from
the font's own metrics (`hmtx`, `cmap`, `hhea` tables, read once from the embedded file), and
each glyph is drawn where its ink belongs.
*/

use std::collections::HashMap;
use std::sync::{Once, OnceLock};

use plotters::backend::DrawingBackend;
use plotters::prelude::BitMapBackend;
use plotters::style::{FontStyle, IntoFont, RGBColor};

use super::raster::RgbImage;

/// DejaVu Sans 2.37 (Bitstream Vera licence, `assets/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name the font is registered under.
const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters (once).
fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_err() {
            tracing::warn!("the embedded font could not be loaded; plots will have no text");
        }
    });
}

/// Horizontal metrics of the glyphs, in font units.
struct Metrics {
    /// `ascent - descent` (hhea): the font size in pixels covers this many units.
    height: f32,
    /// The height of capital letters (of `H`'s ink).
    cap: f32,
    /// (advance width, left side bearing) per character.
    glyphs: HashMap<char, (f32, f32)>,
    /// The advance of characters not in the table.
    fallback: (f32, f32),
}

fn be_u16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be_i16(d: &[u8], at: usize) -> Option<i16> {
    be_u16(d, at).map(|v| v as i16)
}

fn be_u32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The (offset, length) of table `tag`.
fn table<'a>(d: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let n = be_u16(d, 4)? as usize;
    (0..n).find_map(|i| {
        let e = 12 + 16 * i;
        if d.get(e..e + 4)? != tag {
            return None;
        }
        let off = be_u32(d, e + 8)? as usize;
        let len = be_u32(d, e + 12)? as usize;
        d.get(off..off.checked_add(len)?)
    })
}

/// The glyph id of `c` from a format-4 `cmap` subtable.
fn glyph_id(sub: &[u8], c: char) -> Option<u16> {
    let c = u16::try_from(c as u32).ok()?;
    let seg2 = be_u16(sub, 6)? as usize;
    let ends = 14;
    let starts = ends + seg2 + 2;
    let deltas = starts + seg2;
    let ranges = deltas + seg2;
    for s in (0..seg2).step_by(2) {
        if be_u16(sub, ends + s)? < c {
            continue;
        }
        let start = be_u16(sub, starts + s)?;
        if start > c {
            return None;
        }
        let delta = be_u16(sub, deltas + s)?;
        let ro = be_u16(sub, ranges + s)? as usize;
        if ro == 0 {
            return Some(c.wrapping_add(delta));
        }
        let at = ranges + s + ro + 2 * (c - start) as usize;
        let g = be_u16(sub, at)?;
        return Some(if g == 0 { 0 } else { g.wrapping_add(delta) });
    }
    None
}

/// Reads the metrics of the printable characters from the font file.
fn read_metrics(d: &[u8]) -> Option<Metrics> {
    let hhea = table(d, b"hhea")?;
    let ascent = be_i16(hhea, 4)? as f32;
    let descent = be_i16(hhea, 6)? as f32;
    let nhm = be_u16(hhea, 34)? as usize;
    let hmtx = table(d, b"hmtx")?;
    let cmap = table(d, b"cmap")?;
    let nsub = be_u16(cmap, 2)? as usize;
    let sub = (0..nsub).find_map(|i| {
        let (pid, eid) = (be_u16(cmap, 4 + 8 * i)?, be_u16(cmap, 6 + 8 * i)?);
        let off = be_u32(cmap, 8 + 8 * i)? as usize;
        let s = cmap.get(off..)?;
        ((pid, eid) == (3, 1) && be_u16(s, 0)? == 4).then_some(s)
    })?;
    let metric = |g: u16| -> Option<(f32, f32)> {
        let g = g as usize;
        let adv = be_u16(hmtx, 4 * g.min(nhm.checked_sub(1)?))? as f32;
        let lsb = if g < nhm {
            be_i16(hmtx, 4 * g + 2)?
        } else {
            be_i16(hmtx, 4 * nhm + 2 * (g - nhm))?
        } as f32;
        Some((adv, lsb))
    };
    let chars = (' '..='~').chain("·°±×µ–—…".chars());
    let glyphs: HashMap<char, (f32, f32)> = chars
        .filter_map(|c| Some((c, metric(glyph_id(sub, c)?)?)))
        .collect();
    let fallback = glyphs.get(&'0').copied().unwrap_or((1000.0, 0.0));
    // The capitals' height: the top of the glyph box of `H` (glyf header yMax).
    let head = table(d, b"head")?;
    let long_loca = be_i16(head, 50)? == 1;
    let (loca, glyf) = (table(d, b"loca")?, table(d, b"glyf")?);
    let h = glyph_id(sub, 'H')? as usize;
    let at = if long_loca {
        be_u32(loca, 4 * h)? as usize
    } else {
        2 * be_u16(loca, 2 * h)? as usize
    };
    let cap = be_i16(glyf, at + 8)? as f32;
    Some(Metrics {
        height: ascent - descent,
        cap,
        glyphs,
        fallback,
    })
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| {
        read_metrics(DEJAVU_SANS).unwrap_or_else(|| {
            tracing::warn!(
                "the embedded font's metrics could not be read; text may be spaced oddly"
            );
            Metrics {
                height: 2384.0,
                cap: 1493.0,
                glyphs: HashMap::new(),
                fallback: (1303.0, 0.0),
            }
        })
    })
}

/// The width of `text` in pixels at `size`.
pub fn text_width(text: &str, size: f64) -> u32 {
    let m = metrics();
    let k = size as f32 / m.height;
    let w: f32 = text
        .chars()
        .map(|c| m.glyphs.get(&c).unwrap_or(&m.fallback).0)
        .sum();
    (w * k).ceil() as u32
}

/// The height of capital letters in pixels at `size`.
pub fn cap_height(size: f64) -> u32 {
    let m = metrics();
    (m.cap * size as f32 / m.height).round() as u32
}

/// Draws `text` into `img` with the top of its capitals at `y` and its pen starting at `x`.
pub fn draw(img: &mut RgbImage, text: &str, x: i32, y: i32, size: f64, color: [u8; 3]) {
    ensure_registered();
    let m = metrics();
    let k = size as f32 / m.height;
    let (w, h) = (img.width, img.height);
    let mut backend = BitMapBackend::with_buffer(&mut img.rgb, (w, h));
    let style = (FAMILY, size)
        .into_font()
        .color(&RGBColor(color[0], color[1], color[2]));
    // plotters puts the baseline at y + size/2; the capitals' top is `cap` above the baseline.
    let baseline = y as f32 + m.cap * k;
    let by = (baseline - size as f32 / 2.0).round() as i32;
    let mut pen = x as f32;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (adv, lsb) = *m.glyphs.get(&c).unwrap_or(&m.fallback);
        if c != ' ' {
            let gx = (pen + lsb * k).round() as i32;
            // A glyph outside the image is clipped by the backend; errors are not possible for
            // an in-memory buffer.
            let _ = backend.draw_text(c.encode_utf8(&mut buf), &style, (gx, by));
        }
        pen += adv * k;
    }
}
