//! The one table look of the terminal output: no borders, a rule under the
//! header, numbers right-aligned, two spaces between columns, never
//! wrapped (stable width); and the one way a table is made to fit the
//! terminal ([`fit_columns`]): names shortened with `…`, then columns left
//! out by priority, then names shortened further.

use super::options::Palette;
use super::wrap::{cut, shorten_middle, shorten_path};
use comfy_table::{CellAlignment, ContentArrangement, Table};
use console::measure_text_width;
use std::io::{self, Write};

/// Only a horizontal rule under the header (see `comfy_table::presets`
/// for the meaning of each position).
const PRESET: &str = "     ──            ";

/// A table with the given header; the columns listed in `right` are
/// right-aligned.
pub(crate) fn new_table(palette: &Palette, header: &[&str], right: &[usize]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(PRESET)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.iter().map(|h| palette.paint(palette.bold(), h)));
    // Each column is followed by two spaces: its own right padding and the
    // blank vertical line; the first starts flush with the rule.
    for column in table.column_iter_mut() {
        column.set_padding((0, 1));
    }
    for &index in right {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// The widest line of `table`, in columns.
#[cfg(test)]
pub(crate) fn width_of(table: &Table) -> usize {
    table
        .lines()
        .map(|l| measure_text_width(l.trim_end()))
        .max()
        .unwrap_or(0)
}

/// Writes the table, each line indented and without trailing blanks.
pub(crate) fn write_table(table: &Table, indent: &str, out: &mut dyn Write) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{indent}{}", line.trim_end())?;
    }
    Ok(())
}

/// Columns are separated by two spaces (a column's right padding and the
/// blank vertical line).
const GAP: usize = 2;

/// Names are first shortened to no fewer columns than this.
const SOFT_NAME: usize = 24;

/// Then, once columns are left out, to no fewer than this.
const MIN_NAME: usize = 12;

/// How a column's text gives way when a table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Give {
    /// Not at all (figures, verdicts).
    Nothing,
    /// Stage paths: inner segments first (`job/…/fetch`), then the middle.
    Path,
    /// Names and commands: the middle (`sleep 0.0…1 && true`).
    Middle,
    /// Only the header, in the middle (a long variant name over figures).
    Header,
    /// Sentences (commit subjects): the end, at a word where one is near.
    End,
}

/// A column of a table that [`fit_columns`] fits to the width.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The header text (plain; painted bold here).
    pub header: String,
    /// Right-aligned (figures).
    pub right: bool,
    /// The order in which columns are left out: highest first, all
    /// columns of one value together; `0` never.
    pub drop: u32,
    /// How the text gives way. Cells of a column that gives way must be
    /// plain text (no escape codes).
    pub give: Give,
    /// Names are shortened to [`MIN_NAME`] before this column is left
    /// out (a column worth more than long names whole).
    pub names_first: bool,
}

impl Column {
    /// A column that is never left out and never shortened.
    pub(crate) fn new(header: impl Into<String>, right: bool) -> Self {
        Column {
            header: header.into(),
            right,
            drop: 0,
            give: Give::Nothing,
            names_first: false,
        }
    }

    /// The column, kept while names can still be shortened to
    /// [`MIN_NAME`]: it is left out only after that.
    pub(crate) fn names_first(mut self) -> Self {
        self.names_first = true;
        self
    }

    /// The column, left out at priority `drop` (highest first).
    pub(crate) fn drop(mut self, drop: u32) -> Self {
        self.drop = drop;
        self
    }

    /// The column, giving way as `give` says.
    pub(crate) fn give(mut self, give: Give) -> Self {
        self.give = give;
        self
    }
}

/// Says under a table which variants were left out to fit `width`
/// (nothing when none was), dimmed, wrapped under `indent`.
pub(crate) fn write_left_out_variants(
    palette: &Palette,
    left_out: &[String],
    indent: &str,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    if left_out.is_empty() {
        return Ok(());
    }
    let noun = if left_out.len() == 1 {
        "variant"
    } else {
        "variants"
    };
    let first = format!(
        "{indent}… {} more {noun}, left out to fit {width} columns: ",
        left_out.len()
    );
    for line in super::wrap::pack(left_out, &first, &format!("{indent}  "), width) {
        writeln!(out, "{}", palette.paint(palette.dim(), line))?;
    }
    Ok(())
}

/// A table fitted to the width, and which columns it left out.
pub(crate) struct Fitted {
    /// The table.
    pub table: Table,
    /// Whether each column of the input was kept.
    pub kept: Vec<bool>,
}

/// The table of `columns` and `rows` (one cell per column each), made to
/// fit `width` columns once indented by `indent`: columns that give way
/// are shortened to [`SOFT_NAME`] columns; if that is not enough, columns
/// are left out, highest [`Column::drop`] first (names getting back the
/// room that frees; before a [`Column::names_first`] column goes, names
/// are shortened to [`MIN_NAME`]); then names are shortened to [`MIN_NAME`], and last
/// as far as it takes. Alignment is never broken: cells are shortened,
/// never wrapped.
pub(crate) fn fit_columns(
    palette: &Palette,
    columns: &[Column],
    rows: &[Vec<String>],
    indent: usize,
    width: usize,
) -> Fitted {
    let header_width = |c: &Column| measure_text_width(&c.header);
    let data_width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| measure_text_width(c)))
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| header_width(c).max(data_width(i)))
        .collect();
    // The narrowest a column may get at each stage of giving way.
    let floor = |i: usize, name_floor: usize| -> usize {
        let c = &columns[i];
        match c.give {
            Give::Nothing => natural[i],
            Give::Header => data_width(i).max(name_floor.min(header_width(c))).max(1),
            Give::Path | Give::Middle | Give::End => {
                natural[i].min(name_floor.max(header_width(c)))
            }
        }
    };
    let mut kept = vec![true; columns.len()];
    let mut widths = natural.clone();
    let shrink = |widths: &mut Vec<usize>, kept: &[bool], name_floor: usize| {
        while total(widths, kept, indent) > width {
            // The widest column that can still give way loses one column.
            let widest = (0..columns.len())
                .filter(|&i| kept[i] && widths[i] > floor(i, name_floor))
                .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    };
    shrink(&mut widths, &kept, SOFT_NAME);
    let mut priorities: Vec<u32> = columns.iter().map(|c| c.drop).filter(|&d| d > 0).collect();
    priorities.sort_unstable_by(|a, b| b.cmp(a));
    priorities.dedup();
    for priority in priorities {
        if total(&widths, &kept, indent) <= width {
            break;
        }
        let worth_names = columns.iter().any(|c| c.drop == priority && c.names_first);
        if worth_names {
            shrink(&mut widths, &kept, MIN_NAME);
            if total(&widths, &kept, indent) <= width {
                break;
            }
        }
        for (i, c) in columns.iter().enumerate() {
            if c.drop == priority {
                kept[i] = false;
            }
        }
        widths.clone_from(&natural);
        shrink(&mut widths, &kept, SOFT_NAME);
    }
    shrink(&mut widths, &kept, MIN_NAME);
    shrink(&mut widths, &kept, 1);

    let shown: Vec<usize> = (0..columns.len()).filter(|&i| kept[i]).collect();
    let fit = |text: &str, i: usize| -> String {
        match columns[i].give {
            // Too narrow for a `first/…/last` path: just the middle.
            Give::Path if widths[i] >= 8 => shorten_path(text, widths[i]),
            Give::Path => shorten_middle(text, widths[i]),
            Give::Middle | Give::Header => shorten_middle(text, widths[i]),
            Give::End => cut(text, widths[i]),
            Give::Nothing => text.to_string(),
        }
    };
    let header: Vec<String> = shown.iter().map(|&i| fit(&columns[i].header, i)).collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let right: Vec<usize> = shown
        .iter()
        .enumerate()
        .filter(|(_, &i)| columns[i].right)
        .map(|(k, _)| k)
        .collect();
    let mut table = new_table(palette, &header, &right);
    for row in rows {
        let cells: Vec<String> = shown
            .iter()
            .map(|&i| {
                let cell = row.get(i).map_or("", String::as_str);
                match columns[i].give {
                    Give::Path | Give::Middle | Give::End => fit(cell, i),
                    Give::Nothing | Give::Header => cell.to_string(),
                }
            })
            .collect();
        table.add_row(cells);
    }
    Fitted { table, kept }
}

/// The width of a table of the kept columns at these widths, indented:
/// the rule under the header runs on over the last column's padding.
fn total(widths: &[usize], kept: &[bool], indent: usize) -> usize {
    let shown: Vec<usize> = (0..widths.len())
        .filter(|&i| kept[i])
        .map(|i| widths[i])
        .collect();
    indent + shown.iter().sum::<usize>() + GAP * shown.len().saturating_sub(1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TerminalOptions;

    fn palette() -> Palette {
        Palette::new(&TerminalOptions::default())
    }

    fn rows() -> Vec<Vec<String>> {
        vec![
            vec![
                "job/track/monitor_download/inner".to_string(),
                "component".to_string(),
                "1.39 s".to_string(),
                "99.9%".to_string(),
            ],
            vec![
                "job".to_string(),
                "system".to_string(),
                "601 ms".to_string(),
                "43.2%".to_string(),
            ],
        ]
    }

    fn columns() -> Vec<Column> {
        vec![
            Column::new("stage", false).give(Give::Path),
            Column::new("tier", false).drop(2),
            Column::new("median", true),
            Column::new("share", true).drop(1),
        ]
    }

    #[test]
    fn a_table_that_fits_is_left_alone() {
        let fitted = fit_columns(&palette(), &columns(), &rows(), 2, 100);
        assert_eq!(fitted.kept, [true; 4]);
        assert_eq!(width_of(&fitted.table), 32 + 9 + 6 + 5 + 3 * GAP + 1);
    }

    #[test]
    fn names_give_way_before_columns_are_left_out() {
        let fitted = fit_columns(&palette(), &columns(), &rows(), 2, 53);
        assert_eq!(fitted.kept, [true; 4]);
        assert!(width_of(&fitted.table) + 2 <= 53);
        assert!(fitted.table.lines().any(|l| l.contains("job/…/")));
    }

    #[test]
    fn columns_are_left_out_highest_priority_first() {
        let fitted = fit_columns(&palette(), &columns(), &rows(), 2, 46);
        assert_eq!(fitted.kept, [true, false, true, true]);
        assert_eq!(width_of(&fitted.table) + 2, 46);
        let fitted = fit_columns(&palette(), &columns(), &rows(), 2, 30);
        assert_eq!(fitted.kept, [true, false, true, false]);
        assert!(width_of(&fitted.table) + 2 <= 30);
    }

    #[test]
    fn only_the_header_of_a_figure_column_gives_way() {
        let columns = [
            Column::new("stage", false),
            Column::new("a very long variant name", true).give(Give::Header),
        ];
        let rows = vec![vec!["job".to_string(), "1.39 s".to_string()]];
        let fitted = fit_columns(&palette(), &columns, &rows, 0, 15);
        let text: Vec<String> = fitted.table.lines().collect();
        assert!(text[0].contains('…'), "{text:?}");
        assert!(text[2].trim_end().ends_with("1.39 s"), "{text:?}");
        assert!(width_of(&fitted.table) <= 15, "{text:?}");
    }
}
