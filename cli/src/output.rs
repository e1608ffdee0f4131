//! Standard output and standard error for the whole binary, and the 100-column rule.
//!
//! Every write to stdout goes through `out!`/`outln!`, which hand back the `io::Error` instead of
//! panicking as `println!` does; a reader that went away (`| head`) shows up as `BrokenPipe`,
//! which `main` turns into a quiet exit 0 (what ripgrep does). Messages on stderr go through
//! `note!`, which ignores a closed stderr. `main.rs` denies `print!`/`println!`/`eprintln!`
//! so nothing slips past these.
//!
//! Why not reset SIGPIPE to its default at start, as many CLIs do: the signal would then kill the
//! whole process on the first write to any closed pipe or socket, not just stdout. This binary
//! also holds MQTT connections (`live`, `pilot record`) and children (`pilot broker`); a library
//! writing to a socket the broker closed would end the process silently (exit status 141, outside
//! the documented 0/1/2) instead of retrying or reporting why. The writer keeps the failure an
//! ordinary error, handled in one place.

/// Columns that human-readable output fits in.
pub(crate) const WIDTH: usize = 100;

/// Writes to stdout; evaluates to `()` or returns the error from the enclosing function.
macro_rules! out {
    ($($arg:tt)*) => {
        ::std::io::Write::write_fmt(&mut ::std::io::stdout().lock(), format_args!($($arg)*))?
    };
}

/// `out!` with a newline.
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => { out!("{}\n", format_args!($($arg)*)) };
}

/// A line of human-readable text on stdout, fitted to [`WIDTH`] columns (see [`text`]).
macro_rules! say {
    ($($arg:tt)*) => { $crate::output::text_line(&format!($($arg)*))? };
}

/// A line on stderr (progress notes, warnings); a closed stderr is ignored.
macro_rules! note {
    ($($arg:tt)*) => {{
        let _ = ::std::io::Write::write_fmt(&mut ::std::io::stderr().lock(), format_args!("{}\n", format_args!($($arg)*)));
    }};
}

/// Writes human-readable text to stdout with every line fitted to [`WIDTH`] columns.
pub(crate) fn text(s: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::io::stdout().lock().write_all(fit(s, WIDTH).as_bytes())
}

/// `text` followed by a newline.
pub(crate) fn text_line(s: &str) -> std::io::Result<()> {
    text(&format!("{s}\n"))
}

/// Wraps every line longer than `width` characters at spaces; continuation lines keep the
/// indent of an indented paragraph (4 or more spaces) and hang two further in otherwise. A word longer than a whole line is cut. Lines that fit
/// are left exactly as they are (tables lay themselves out to fit; this is the safety net).
pub(crate) fn fit(text: &str, width: usize) -> String {
    let mut o = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            o.push('\n');
        }
        if line.chars().count() <= width {
            o.push_str(line);
            continue;
        }
        let indent = line.chars().take_while(|c| *c == ' ').count().min(width / 2);
        // A paragraph already indented goes on at its indent; others hang two further in.
        let cont = if indent >= 4 { indent } else { (indent + 2).min(width / 2) };
        let mut cur = " ".repeat(indent);
        let mut cur_len = indent;
        let mut first_word = true;
        // Words with the spaces before them, so that a line keeps its own spacing.
        let rest = &line[indent..];
        let mut words: Vec<(usize, &str)> = Vec::new();
        let mut gap = 0;
        for w in rest.split(' ') {
            if w.is_empty() {
                gap += 1;
            } else {
                words.push((gap + usize::from(!words.is_empty()), w));
                gap = 0;
            }
        }
        for (gap, word) in words {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let gap = if first_word { 0 } else { gap };
                let room = width.saturating_sub(cur_len + gap);
                if word.len() <= room {
                    cur.extend(std::iter::repeat_n(' ', gap));
                    cur.extend(word.iter());
                    cur_len += gap + word.len();
                    first_word = false;
                    break;
                }
                if first_word {
                    // Nothing on this line yet: cut the word.
                    let rest = word.split_off(room);
                    cur.extend(word.iter());
                    word = rest;
                }
                o.push_str(cur.trim_end());
                o.push('\n');
                cur = " ".repeat(cont);
                cur_len = cont;
                first_word = true;
            }
        }
        o.push_str(cur.trim_end());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::fit;

    fn check(input: &str, width: usize, expected: &str) {
        assert_eq!(fit(input, width), expected);
        for l in fit(input, width).lines() {
            assert!(l.chars().count() <= width, "{l:?}");
        }
    }

    #[test]
    fn lines_that_fit_are_untouched() {
        check("a  b   c\n  x\n", 10, "a  b   c\n  x\n");
    }

    #[test]
    fn long_lines_wrap_with_a_hanging_indent() {
        check("  one two three four", 12, "  one two\n    three\n    four");
        check("     one two three", 12, "     one two\n     three");
        check("ééé ééé ééé", 8, "ééé ééé\n  ééé");
        check("a   b   c   d", 9, "a   b   c\n  d");
    }

    #[test]
    fn words_longer_than_a_line_are_cut() {
        check("abcdefghij", 4, "abcd\n  ef\n  gh\n  ij");
    }
}
