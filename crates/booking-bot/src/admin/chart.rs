//! A small bar-chart renderer: grouped bars drawn into an RGB buffer and encoded as PNG (zlib
//! by miniz_oxide, checksums by crc32fast). No fonts and no image stack: the figures go in
//! the message and the caption, the picture shows their shape.

/// Picture size.
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 320;
/// Space around the plot.
const MARGIN: u32 = 20;
/// The tallest bar's height.
pub const PLOT_HEIGHT: u32 = HEIGHT - 2 * MARGIN;

const BACKGROUND: [u8; 3] = [255, 255, 255];
const AXIS: [u8; 3] = [60, 60, 60];
/// One colour per series, in order.
pub const COLOURS: [[u8; 3]; 3] = [[33, 150, 243], [255, 152, 0], [229, 57, 53]];

/// Bars for each group (a period, a service, an hour), one per series.
pub struct Chart {
    pub groups: Vec<Vec<i64>>,
}

impl Chart {
    /// The height in pixels of a bar of `value` when the largest is `max`.
    #[must_use]
    pub fn bar_height(value: i64, max: i64) -> u32 {
        if max <= 0 || value <= 0 {
            return 0;
        }
        let h = (i128::from(value) * i128::from(PLOT_HEIGHT)) / i128::from(max);
        u32::try_from(h).unwrap_or(PLOT_HEIGHT).max(1)
    }

    /// The picture as PNG bytes.
    #[must_use]
    pub fn png(&self) -> Vec<u8> {
        let mut pixels = vec![BACKGROUND; (WIDTH * HEIGHT) as usize];
        let mut put = |x: u32, y: u32, c: [u8; 3]| {
            if x < WIDTH && y < HEIGHT {
                pixels[(y * WIDTH + x) as usize] = c;
            }
        };
        let base = HEIGHT - MARGIN;
        for x in MARGIN..WIDTH - MARGIN {
            put(x, base, AXIS);
        }
        for y in MARGIN..=base {
            put(MARGIN, y, AXIS);
        }
        let max = self.groups.iter().flatten().copied().max().unwrap_or(0);
        let groups = u32::try_from(self.groups.len()).unwrap_or(u32::MAX).max(1);
        let series = u32::try_from(self.groups.iter().map(Vec::len).max().unwrap_or(1))
            .unwrap_or(1)
            .max(1);
        let slot = (WIDTH - 2 * MARGIN - 2) / groups;
        // A gap of a quarter slot between groups; the bars share the rest.
        let bar = ((slot * 3 / 4) / series).max(1);
        for (g, values) in self.groups.iter().enumerate() {
            let left = MARGIN + 2 + u32::try_from(g).unwrap_or(0) * slot + slot / 8;
            for (s, v) in values.iter().enumerate() {
                let h = Self::bar_height(*v, max);
                let x0 = left + u32::try_from(s).unwrap_or(0) * bar;
                let colour = COLOURS[s % COLOURS.len()];
                for x in x0..x0 + bar.saturating_sub(1).max(1) {
                    for y in base - h..base {
                        put(x, y, colour);
                    }
                }
            }
        }
        encode(WIDTH, &pixels)
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend(u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend(kind);
    out.extend(data);
    out.extend(crc.finalize().to_be_bytes());
}

/// An 8-bit RGB PNG, `width` pixels a row (as many rows as `pixels` holds), each row with
/// filter type 0. Also the QR codes' writer.
pub(crate) fn encode(width: u32, pixels: &[[u8; 3]]) -> Vec<u8> {
    let width = width.max(1);
    let height = u32::try_from(pixels.len() / width as usize).unwrap_or(u32::MAX);
    let mut raw = Vec::with_capacity(pixels.len() * 3 + height as usize);
    for row in pixels.chunks(width as usize) {
        raw.push(0);
        raw.extend(row.iter().flatten());
    }
    let mut header = Vec::with_capacity(13);
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(
        &mut out,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_zero_is_flat() {
        assert_eq!(Chart::bar_height(10, 10), PLOT_HEIGHT);
        assert_eq!(Chart::bar_height(5, 10), PLOT_HEIGHT / 2);
        assert_eq!(Chart::bar_height(0, 10), 0);
        assert_eq!(Chart::bar_height(1, 1_000_000), 1);
        let png = Chart {
            groups: vec![vec![1, 2, 3]; 40],
        }
        .png();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.ends_with(&crc32fast::hash(b"IEND").to_be_bytes()));
    }
}
