/*!
JUNGFRAU panel geometry: the one definition of panel, ASIC, half and bank sizes.

A panel is 512 x 1024 pixels read by 2 x 4 ASICs of 256 x 256. psana's common mode treats each
half panel (rows `0..R/2` and `R/2..R`, one ASIC row) on its own and splits it into
[`NBANKS`](crate::detector::jungfrau::NBANKS) banks of `C/16` columns: 64 columns on a full
panel, so four banks per ASIC. Smaller (simulated) panels are the same geometry scaled.
*/

/// Pixel rows of a JUNGFRAU panel.
pub const PANEL_ROWS: usize = 512;
/// Pixel columns of a JUNGFRAU panel.
pub const PANEL_COLS: usize = 1024;
/// Pixel rows of one ASIC.
pub const ASIC_ROWS: usize = 256;
/// Pixel columns of one ASIC.
pub const ASIC_COLS: usize = 256;
/// Common-mode banks across each half panel (psana's JUNGFRAU common mode).
pub const NBANKS: usize = 16;
/// Columns per common-mode bank of a full panel (`PANEL_COLS / NBANKS`).
pub const BANK_COLS: usize = PANEL_COLS / NBANKS;

/// Rows of a half panel of `rows` rows.
pub const fn half_rows(rows: usize) -> usize {
    rows / 2
}

/// Columns per common-mode bank of a panel of `cols` columns (`cols / NBANKS`).
pub const fn bank_width(cols: usize) -> usize {
    cols / NBANKS
}

/// Banks of `bank_cols` columns that cover `cols` columns (the last one may be narrower).
pub const fn banks_across(cols: usize, bank_cols: usize) -> usize {
    cols.div_ceil(bank_cols)
}

/// The bank of column `col` for banks of `bank_cols` columns.
pub const fn bank_of_col(col: usize, bank_cols: usize) -> usize {
    col / bank_cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry() {
        assert_eq!(BANK_COLS, 64);
        assert_eq!(bank_width(PANEL_COLS), BANK_COLS);
        assert_eq!(half_rows(PANEL_ROWS), ASIC_ROWS);
        assert_eq!(PANEL_COLS / ASIC_COLS, 4);
        assert_eq!(banks_across(256, BANK_COLS), 4);
        assert_eq!(banks_across(100, BANK_COLS), 2);
        assert_eq!(bank_of_col(127, BANK_COLS), 1);
        assert_eq!(bank_of_col(128, BANK_COLS), 2);
    }
}
