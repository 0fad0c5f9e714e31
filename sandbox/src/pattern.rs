//! A string that matches a schema's `pattern`: the placeholder for a required parameter or
//! field a vendor checks by its pattern (`^pi_[A-Za-z0-9]{24}$`, `^[A-Z]{3}$`). An "x" would be
//! refused before the vendor looks at anything else, so a probe would learn nothing.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The longest sample made; a pattern asking for more (`a{100000}`) gets none.
const MAX_LEN: usize = 1024;

/// The shortest plain string the pattern matches (letters and digits preferred in classes),
/// or `None` when the pattern does not parse as a regular expression (ECMA look-arounds) or
/// would need more than `MAX_LEN` characters.
pub(crate) fn sample(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    write(&hir, &mut out)?;
    Some(out)
}

fn write(hir: &Hir, out: &mut String) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(class) => out.push(pick(class)?),
        HirKind::Repetition(repetition) => {
            for _ in 0..repetition.min {
                write(&repetition.sub, out)?;
                if out.len() > MAX_LEN {
                    return None;
                }
            }
        }
        HirKind::Capture(capture) => write(&capture.sub, out)?,
        HirKind::Concat(parts) => parts.iter().try_for_each(|part| write(part, out))?,
        HirKind::Alternation(choices) => write(choices.first()?, out)?,
    }
    (out.len() <= MAX_LEN).then_some(())
}

/// One character of the class: a letter or digit when the class has one (a vendor's id is
/// read more kindly than a control character), else its first.
fn pick(class: &Class) -> Option<char> {
    let chars: Vec<(char, char)> = match class {
        Class::Unicode(unicode) => unicode
            .ranges()
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
        Class::Bytes(bytes) => bytes
            .ranges()
            .iter()
            .filter(|r| r.start().is_ascii())
            .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
            .collect(),
    };
    ['a', 'A', '0']
        .into_iter()
        .find(|&c| chars.iter().any(|&(lo, hi)| lo <= c && c <= hi))
        .or_else(|| {
            chars
                .iter()
                .flat_map(|&(lo, hi)| (lo..=hi).take(128))
                .find(char::is_ascii_alphanumeric)
        })
        .or_else(|| chars.first().map(|(lo, _)| *lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each sample matches its pattern, checked by the `regex` crate.
    #[test]
    fn samples_match_their_patterns() {
        let patterns = [
            "^pi_[A-Za-z0-9]{24}$",
            "^[A-Z]{3}$",
            r"^\d{4}-\d{2}-\d{2}$",
            "^(live|test)_[a-f0-9]{8,}$",
            r"^\+?[1-9]\d{1,14}$",
            "[^a-z]{2}",
            r"^[\w.-]+@[\w-]+\.[a-z]{2,}$",
            "^$",
            "(?i)^acct_[0-9a-z]+$",
        ];
        for pattern in patterns {
            let text = sample(pattern).unwrap_or_else(|| panic!("no sample for {pattern}"));
            let re = regex::Regex::new(pattern).unwrap();
            assert!(re.is_match(&text), "{text:?} does not match {pattern}");
        }
        assert_eq!(sample("^[A-Z]{3}$").as_deref(), Some("AAA"));
    }

    #[test]
    fn what_cannot_be_sampled_gives_none() {
        assert_eq!(
            sample("^(?=a)a$"),
            None,
            "look-ahead is not a regular expression"
        );
        assert_eq!(sample("a{100000}"), None, "too long");
        assert_eq!(sample("[a"), None, "does not parse");
    }
}
