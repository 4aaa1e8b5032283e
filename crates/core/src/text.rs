//! Small helpers for showing untrusted strings in messages.

/// `s` cut to at most `max` characters, with `…` when it was cut, so a hostile name cannot flood
/// an error message.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}
