//! The globs of stack trace rules, as Sentry matches them: in a path `*` stays within one
//! folder, `**` crosses folders and ASCII letters match in any case (`\` counts as `/`); in a
//! function or module name `*` matches anything and case counts. `?` is any one character.
//! Hand-written rather than compiled to regexes: a project's rules are read for every event.

/// Parts a glob may have: enough for any real path, and the state of a match fits in a `u128`.
pub const MOST_PARTS: usize = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Char(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**` in a path.
    Stars,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    parts: Vec<Part>,
    path: bool,
    /// The plain text the glob starts with, or else its longest plain run: a value without it
    /// cannot match, which most values of most rules are quickly found not to have.
    literal: String,
    anchored: bool,
}

impl Glob {
    /// A glob over paths: case-insensitive, `*` within a folder.
    pub fn path(pattern: &str) -> Result<Glob, String> {
        Glob::new(&pattern.replace('\\', "/").to_ascii_lowercase(), true)
    }

    /// A glob over names: case counts, `*` matches anything.
    pub fn name(pattern: &str) -> Result<Glob, String> {
        Glob::new(pattern, false)
    }

    fn new(pattern: &str, path: bool) -> Result<Glob, String> {
        let mut parts = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            parts.push(match c {
                '*' if path && chars.next_if_eq(&'*').is_some() => Part::Stars,
                '*' => Part::Star,
                '?' => Part::One,
                c => Part::Char(c),
            });
        }
        if parts.len() > MOST_PARTS {
            return Err(format!("`{pattern}` is longer than {MOST_PARTS} characters"));
        }
        let runs: Vec<String> = parts
            .split(|part| !matches!(part, Part::Char(_)))
            .map(|run| run.iter().filter_map(|part| if let Part::Char(c) = part { Some(*c) } else { None }).collect())
            .collect();
        let anchored = matches!(parts.first(), Some(Part::Char(_)));
        let literal =
            if anchored { runs[0].clone() } else { runs.into_iter().max_by_key(String::len).unwrap_or_default() };
        Ok(Glob { parts, path, literal, anchored })
    }

    pub fn matches(&self, value: &str) -> bool {
        self.matches_after(None, value)
    }

    /// Whether the glob matches `value` as if it began with `first`.
    pub fn matches_after(&self, first: Option<char>, value: &str) -> bool {
        self.may_match(first, value) && self.runs(first.into_iter().chain(value.chars()))
    }

    /// Whether the value has the glob's plain text (where the glob starts, when it starts with
    /// it), byte by byte with the path's case and slashes.
    fn may_match(&self, first: Option<char>, value: &str) -> bool {
        let needle = self.literal.as_bytes();
        let same = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(&v, &p)| self.normal(v) == p);
        let mut buffer = [0u8; 4];
        let head: &[u8] = first.map_or(&[], |c| c.encode_utf8(&mut buffer).as_bytes());
        let value = value.as_bytes();
        let starts = |value: &[u8]| {
            needle.len() <= head.len() + value.len()
                && same(head, needle)
                && same(value, &needle[head.len().min(needle.len())..])
        };
        if self.anchored {
            return starts(value);
        }
        needle.is_empty()
            || value.windows(needle.len()).any(|window| same(window, needle))
            || (!head.is_empty() && starts(value))
    }

    fn normal(&self, byte: u8) -> u8 {
        match byte {
            b'\\' if self.path => b'/',
            byte if self.path => byte.to_ascii_lowercase(),
            byte => byte,
        }
    }

    /// Runs the glob as a set of positions over the value, one character at a time: no
    /// backtracking, so no pattern can make a match slow.
    fn runs(&self, value: impl Iterator<Item = char>) -> bool {
        let mut at = self.widened(1);
        for c in value {
            let c = if self.path { if c == '\\' { '/' } else { c.to_ascii_lowercase() } } else { c };
            let mut next = 0u128;
            for index in positions(at) {
                match self.parts.get(index) {
                    Some(Part::Char(expected)) if *expected == c => next |= 1 << (index + 1),
                    Some(Part::One) if !(self.path && c == '/') => next |= 1 << (index + 1),
                    Some(Part::Star) if !(self.path && c == '/') => next |= 1 << index,
                    Some(Part::Stars) => next |= 1 << index,
                    _ => {}
                }
            }
            if next == 0 {
                return false;
            }
            at = self.widened(next);
        }
        at & (1 << self.parts.len()) != 0
    }

    /// Adds the position after each star reached, since a star may match nothing.
    fn widened(&self, mut at: u128) -> u128 {
        for (index, part) in self.parts.iter().enumerate() {
            if at & (1 << index) != 0 && matches!(part, Part::Star | Part::Stars) {
                at |= 1 << (index + 1);
            }
        }
        at
    }
}

fn positions(mut set: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let index = set.trailing_zeros() as usize;
            set &= set - 1;
            index
        })
    })
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn name(pattern: &str) -> Glob {
        Glob::name(pattern).expect("a short pattern")
    }

    fn path(pattern: &str) -> Glob {
        Glob::path(pattern).expect("a short pattern")
    }

    #[test]
    fn names_match_anything_with_a_star_and_case_counts() {
        let std = name("std::*");
        assert!(std.matches("std::panicking::begin_panic"));
        assert!(!std.matches("<std::io::Error as core::fmt::Debug>::fmt"));
        assert!(!std.matches("STD::x"));
        assert!(name("log_*").matches("log_error"));
        assert!(name("myapp.*").matches("myapp.views.checkout"));
        assert!(!name("myapp.*").matches("myapp"));
        assert!(name("*::call").matches("<F as core::ops::Fn>::call"));
        assert!(name("a?c").matches("abc") && !name("a?c").matches("abbc"));
        assert!(name("a?c").matches("aéc"), "one character, not one byte");
    }

    #[test]
    fn paths_cross_folders_only_with_two_stars_and_ignore_case() {
        let modules = path("**/node_modules/**");
        assert!(modules.matches("/srv/app/node_modules/express/lib/router.js"));
        assert!(modules.matches("C:\\App\\Node_Modules\\x\\index.js"));
        assert!(!modules.matches("/srv/app/src/modules.js"));
        let one = path("/srv/*.js");
        assert!(one.matches("/srv/app.js"));
        assert!(!one.matches("/srv/app/index.js"), "one star stays in a folder");
        assert!(path("http*://cdn.jsdelivr.net/**").matches("https://cdn.jsdelivr.net/npm/x@1/dist/x.min.js"));
        assert!(path("node:**").matches("node:internal/process/task_queues"));
        assert!(!path("node:**").matches("/srv/node:x"));
        assert!(path("**").matches(""));
        assert!(path("**/x*.js").matches("/p/xq/z/x1.js"), "a later star cannot cross, an earlier two can");
        let modules = path("**/node_modules/**");
        assert!(!modules.matches("node_modules/x.js") && modules.matches_after(Some('/'), "node_modules/x.js"));
        assert!(path("/srv/*.js").matches_after(Some('/'), "SRV/app.js"));
        assert!(!path("/srv/*.js").matches_after(Some('/'), "srvx/app.js"));
    }

    #[test]
    fn no_pattern_is_slow_and_none_is_too_long() {
        let value = "a".repeat(5_000);
        assert!(!name("*a*a*a*a*a*a*a*a*a*a*b").matches(&value));
        assert!(Glob::name(&"a".repeat(super::MOST_PARTS + 1)).is_err());
    }
}
