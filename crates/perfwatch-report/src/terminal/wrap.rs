//! Fitting text to the terminal width: word wrapping, lists of short
//! parts packed onto lines, cutting one line short, and shortening paths.
//! Widths are measured in columns, escape codes excluded.

use console::measure_text_width;

/// How far back [`cut`] looks for a space to cut at.
const WORD_BACKTRACK: usize = 15;

/// The separator between the parts of a packed line.
pub(crate) const SEP: &str = " · ";

/// `text` wrapped at spaces into lines of at most `width` columns; the
/// first line starts with `first`, the others with `rest` (both counted).
/// A command or name quoted in backticks stays on one line when it fits
/// on one; a word longer than a line is cut into pieces.
pub(crate) fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    let room = width.saturating_sub(measure_text_width(rest));
    for word in words(text, room) {
        let needed = measure_text_width(&word) + usize::from(!empty);
        if !empty && measure_text_width(&line) + needed > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        let mut word = word;
        let room = |line: &str| width.saturating_sub(measure_text_width(line) + 1).max(1);
        while measure_text_width(&word) > room(&line) && empty {
            let cut: String = word.chars().take(room(&line)).collect();
            word = word[cut.len()..].to_string();
            line.push_str(&cut);
            lines.push(std::mem::replace(&mut line, rest.to_string()));
        }
        if word.is_empty() {
            continue;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(&word);
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The words of `text` for [`wrap`]: split at whitespace, except that the
/// words of a span quoted in backticks make one, when it is at most `room`
/// columns wide (a longer one is wrapped at its spaces).
fn words(text: &str, room: usize) -> Vec<String> {
    let ticks = |w: &str| w.matches('`').count();
    let mut words: Vec<String> = Vec::new();
    let mut span: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        if span.is_empty() && ticks(word) % 2 == 0 {
            words.push(word.to_string());
            continue;
        }
        span.push(word);
        // The span closes on the word whose backtick balances the first.
        if span.len() > 1 && ticks(word) % 2 == 1 {
            let joined = span.join(" ");
            if measure_text_width(&joined) <= room {
                words.push(joined);
            } else {
                words.extend(span.iter().map(|w| w.to_string()));
            }
            span.clear();
        }
    }
    // An unclosed backtick: its words as they are.
    words.extend(span.iter().map(|w| w.to_string()));
    words
}

/// `parts` joined by [`SEP`] on lines of at most `width` columns, the
/// first starting with `first`, the others with `rest`. Parts are never
/// split (a part wider than a line gets a line of its own).
pub(crate) fn pack(parts: &[String], first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for part in parts {
        let needed = measure_text_width(part) + if empty { 0 } else { measure_text_width(SEP) };
        if !empty && measure_text_width(&line) + needed > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push_str(SEP);
        }
        line.push_str(part);
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` (plain, without escape codes) cut to `width` columns, ending in
/// `…` when cut; at a space when one lies near the end.
pub(crate) fn cut(text: &str, width: usize) -> String {
    if measure_text_width(text) <= width {
        return text.to_string();
    }
    let mut kept = String::new();
    for ch in text.chars() {
        if measure_text_width(&kept) + measure_text_width(ch.encode_utf8(&mut [0; 4])) + 1 > width {
            break;
        }
        kept.push(ch);
    }
    if let Some(space) = kept.rfind(' ') {
        if kept[space..].chars().count() <= WORD_BACKTRACK {
            kept.truncate(space);
        }
    }
    format!("{}…", kept.trim_end())
}

/// A `/`-separated path shortened to `max` columns: inner segments give
/// way to `…` first (`job/…/monitor_download`), then the middle of what
/// is left.
pub(crate) fn shorten_path(path: &str, max: usize) -> String {
    if measure_text_width(path) <= max {
        return path.to_string();
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() > 2 {
        let short = format!("{}/…/{}", segments[0], segments[segments.len() - 1]);
        if measure_text_width(&short) <= max {
            // Keep as many trailing segments as fit.
            let mut best = short;
            for keep in (1..segments.len() - 1).rev() {
                let tail = segments[segments.len() - keep..].join("/");
                let candidate = format!("{}/…/{tail}", segments[0]);
                if measure_text_width(&candidate) <= max {
                    best = candidate;
                    break;
                }
            }
            return best;
        }
    }
    if let Some(leaf) = segments.last().filter(|_| segments.len() > 1) {
        let short = format!("…/{leaf}");
        if measure_text_width(&short) <= max {
            return short;
        }
    }
    let chars: Vec<char> = path.chars().collect();
    let keep = max.saturating_sub(1).max(2);
    let head = keep / 2;
    let tail = keep - head;
    let start: String = chars[..head.min(chars.len())].iter().collect();
    let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
    format!("{start}…{end}")
}

/// `text` shortened to `max` columns by putting `…` in its middle
/// (`sleep 0.…&& true`), so that both ends stay readable; as it is when it
/// fits.
pub(crate) fn shorten_middle(text: &str, max: usize) -> String {
    if measure_text_width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let width = |cs: &[char]| measure_text_width(&cs.iter().collect::<String>());
    let room = max - 1;
    let mut head = 0;
    let mut tail = 0;
    // Take characters from each end in turn while they fit.
    loop {
        let grew_head = head + tail < chars.len()
            && width(&chars[..head + 1]) + width(&chars[chars.len() - tail..]) <= room;
        if grew_head {
            head += 1;
        }
        let grew_tail = head + tail < chars.len()
            && width(&chars[..head]) + width(&chars[chars.len() - tail - 1..]) <= room;
        if grew_tail {
            tail += 1;
        }
        if !grew_head && !grew_tail {
            break;
        }
    }
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_the_width_and_the_indents() {
        let text = "the quick brown fox jumps over the lazy dog again and again";
        let lines = wrap(text, "  warning: ", "    ", 30);
        assert_eq!(
            lines,
            [
                "  warning: the quick brown fox",
                "    jumps over the lazy dog",
                "    again and again"
            ]
        );
        for line in wrap(&"x".repeat(70), "> ", "  ", 30) {
            assert!(measure_text_width(&line) <= 30, "{line}");
        }
        assert_eq!(wrap("", "  a ", "  ", 30), ["  a "]);
    }

    #[test]
    fn a_quoted_command_stays_on_one_line_when_it_fits_on_one() {
        let text = "`sh -c \"sleep 0.01; exit 3\"` ran 11.52 ± 1.03 times slower than `sh -c \"exit 0\"` (p = 0.029)";
        let lines = wrap(text, "  ", "    ", 80);
        assert_eq!(
            lines,
            [
                "  `sh -c \"sleep 0.01; exit 3\"` ran 11.52 ± 1.03 times slower than",
                "    `sh -c \"exit 0\"` (p = 0.029)",
            ]
        );
        // Wider than a line: wrapped at its own spaces, nothing lost.
        let long = format!("see `{}` here", "word ".repeat(12).trim_end());
        let lines = wrap(&long, "", "", 30);
        assert!(
            lines.iter().all(|l| measure_text_width(l) <= 30),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), long);
        // An unclosed backtick changes nothing.
        assert_eq!(wrap("a `b c d", "", "", 5), ["a `b", "c d"]);
        // A one-word span is a word.
        assert_eq!(wrap("run `x` now", "", "", 8), ["run `x`", "now"]);
    }

    #[test]
    fn packing_keeps_parts_whole() {
        let parts: Vec<String> = ["alpha 1", "beta 22", "gamma 333", "delta"]
            .map(String::from)
            .to_vec();
        let lines = pack(&parts, "  ", "    ", 24);
        assert_eq!(lines, ["  alpha 1 · beta 22", "    gamma 333 · delta"]);
    }

    #[test]
    fn cutting_ends_in_an_ellipsis() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("a longer sentence here", 12), "a longer…");
        assert!(measure_text_width(&cut("µµµµµµµµµµµµ", 5)) <= 5);
    }

    #[test]
    fn paths_lose_inner_segments_first() {
        assert_eq!(shorten_path("job/track", 20), "job/track");
        assert_eq!(
            shorten_path("job/track/monitor_download", 22),
            "job/…/monitor_download"
        );
        assert_eq!(
            shorten_path("job/track/monitor_download", 25),
            "job/…/monitor_download"
        );
        assert_eq!(shorten_path("a/b/c/d/e", 7), "a/…/d/e");
        let long = shorten_path("a_very_long_single_segment_name", 12);
        assert_eq!(measure_text_width(&long), 12);
        assert_eq!(long, "a_ver…t_name");
    }

    #[test]
    fn names_lose_their_middle() {
        assert_eq!(shorten_middle("sleep 0.01", 20), "sleep 0.01");
        assert_eq!(shorten_middle("abcdefghij", 5), "ab…ij");
        assert_eq!(shorten_middle("abcdefghij", 6), "abc…ij");
        assert_eq!(shorten_middle("abc", 1), "…");
        assert_eq!(shorten_middle("日本語のコマンド", 7), "日本…ド");
        for max in 1..12 {
            assert!(measure_text_width(&shorten_middle("日本語のコマンド", max)) <= max);
        }
    }
}
