//! QR codes of the bot's links for the front desk: the `qrcode` crate finds the modules, the
//! panel's own PNG writer draws them (black on white, with the quiet zone readers need).

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module: a 30-character link (version 3, 29 modules) makes a picture of about
/// 300 pixels, sharp when printed at a few centimetres.
const SCALE: usize = 8;
/// The light margin around the code, in modules, as the standard asks.
const QUIET: usize = 4;

/// Why no picture was made.
#[derive(Debug, thiserror::Error)]
#[error("the link does not fit in a QR code: {0}")]
pub struct TooLong(qrcode::types::QrError);

/// The QR code of `text` as a PNG, with medium error correction (a code on a counter gets
/// scratched).
pub fn png(text: &str) -> Result<Vec<u8>, TooLong> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).map_err(TooLong)?;
    let modules = code.width();
    let colours = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![[255_u8; 3]; side * side];
    for (i, colour) in colours.iter().enumerate() {
        if *colour != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill([0; 3]);
        }
    }
    Ok(super::chart::encode(
        u32::try_from(side).unwrap_or(u32::MAX),
        &pixels,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_becomes_a_square_png_with_a_light_margin() {
        let png = png("https://t.me/salon_bot?start=s3-src_qr").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!(width, height);
        assert_eq!(width as usize % SCALE, 0);
        assert!(width >= 29 * 8, "{width}");
    }
}
