//! Go's `text/tabwriter` as the docker CLI configures it (`minwidth 10, tabwidth 1, padding 3,
//! padchar ' '`): each column is as wide as its widest cell plus 3, at least 10; the last cell
//! of a line is not padded.

/// Lays out rows of cells; every line ends with `\n`.
pub fn tabwrite(rows: &[Vec<String>]) -> String {
    const MIN_WIDTH: usize = 10;
    const PADDING: usize = 3;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        // The last cell of each row is not tab-terminated, so it does not size a column.
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + PADDING);
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let width = widths[i].max(MIN_WIDTH);
                out.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// docker CLI's `formatter.Ellipsis`: cut to `max` characters, the last one `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_like_go_tabwriter() {
        let rows = vec![vec!["A".into(), "BB".into(), "C".into()], vec!["longer-cell".into(), "x".into(), "yy".into()]];
        assert_eq!(tabwrite(&rows), "A             BB        C\nlonger-cell   x         yy\n");
    }
}
