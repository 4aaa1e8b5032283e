//! Command-line flags as docker's parser (cobra over spf13/pflag) reads them: `--name value`,
//! `--name=value`, `-abc` combined short booleans, `-fvalue` and `-f value`, `-H=false`,
//! flags before or after arguments, `--` to end them, and pflag's error texts.
//!
//! Written here rather than with clap: clap's errors, its `-H=false` handling and its help
//! layout differ from docker's, and the console must print docker's texts byte for byte (the
//! tests compare them with the real docker CLI's).

/// What a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A boolean: `--all`, `-a`, `--all=false`.
    Bool,
    /// A value; given twice, the last wins.
    Value,
    /// A value that may be given several times (`--change`).
    List,
    /// A `--filter`: a list whose values must read `name=value`.
    Filter,
    /// An integer, as Go's `strconv.ParseInt(s, 0, 64)` reads it (`-5`, `0x10`, `010` is 8);
    /// kept in decimal.
    Int,
}

/// One flag a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The long name, without `--`.
    pub long: &'static str,
    /// The short name, if any.
    pub short: Option<char>,
    /// What it takes.
    pub kind: Kind,
}

/// The flags given, by long name, in order; booleans as `"true"`/`"false"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    /// `(long name, value)` in the order given.
    pub flags: Vec<(&'static str, String)>,
    /// The arguments that are not flags.
    pub args: Vec<String>,
}

impl Given {
    /// A boolean flag's value (false when absent).
    pub fn bool(&self, long: &str) -> bool {
        self.flags.iter().rev().find(|(n, _)| *n == long).is_some_and(|(_, v)| v == "true")
    }

    /// The last value of a flag.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(n, _)| *n == long).map(|(_, v)| v.as_str())
    }

    /// Every value of a list flag, in order.
    pub fn values(&self, long: &str) -> Vec<&str> {
        self.flags.iter().filter(|(n, _)| *n == long).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether the flag was given at all.
    pub fn has(&self, long: &str) -> bool {
        self.flags.iter().any(|(n, _)| *n == long)
    }
}

/// A flag error, in pflag's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// `unknown flag: --foo`.
    #[error("unknown flag: --{0}")]
    Unknown(String),
    /// `unknown shorthand flag: 'x' in -xyz`.
    #[error("unknown shorthand flag: '{0}' in -{1}")]
    UnknownShort(char, String),
    /// `flag needs an argument: --format` (or `'f' in -f`).
    #[error("flag needs an argument: {0}")]
    NeedsArgument(String),
    /// `invalid argument "foo" for "-f, --filter" flag: bad format of filter (expected name=value)`.
    #[error("invalid argument \"{value}\" for \"{flag}\" flag: bad format of filter (expected name=value)")]
    BadFilter {
        /// How docker names the flag (`-f, --filter`).
        flag: String,
        /// What was given.
        value: String,
    },
    /// `invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax`.
    #[error("invalid argument \"{value}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{value}\": {reason}")]
    NotInt {
        /// How docker names the flag (`-n, --last`).
        flag: String,
        /// What was given.
        value: String,
        /// `invalid syntax` or `value out of range`.
        reason: &'static str,
    },
    /// `invalid argument "maybe" for "-H, --human" flag: strconv.ParseBool: parsing "maybe": invalid syntax`.
    #[error("invalid argument \"{value}\" for \"{flag}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax")]
    NotBool {
        /// How docker names the flag (`-H, --human`).
        flag: String,
        /// What was given.
        value: String,
    },
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn display_name(f: &Flag) -> String {
    match f.short {
        Some(s) => format!("-{s}, --{}", f.long),
        None => format!("--{}", f.long),
    }
}

/// Reads `args` against `flags`.
///
/// # Errors
/// [`FlagError`] for an unknown flag, a missing value or a boolean that is not one.
pub fn parse(flags: &[Flag], args: &[String]) -> Result<Given, FlagError> {
    let mut given = Given::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            given.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let flag = flags.iter().find(|f| f.long == name).ok_or_else(|| FlagError::Unknown(name.to_owned()))?;
            let value = match (flag.kind, inline) {
                (Kind::Bool, None) => "true".to_owned(),
                (Kind::Bool, Some(v)) => bool_text(flag, &v)?,
                (_, Some(v)) => v,
                (_, None) => {
                    let v = args.get(i).cloned().ok_or_else(|| FlagError::NeedsArgument(format!("--{name}")))?;
                    i += 1;
                    v
                }
            };
            given.flags.push((flag.long, checked(flag, value)?));
        } else if let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut rest = shorts;
            while let Some(c) = rest.chars().next() {
                // pflag names the shorthands from this one on (`'x' in -x` for `-aqx`).
                let here = rest.to_owned();
                rest = &rest[c.len_utf8()..];
                let flag = flags.iter().find(|f| f.short == Some(c)).ok_or_else(|| FlagError::UnknownShort(c, here.clone()))?;
                match flag.kind {
                    Kind::Bool => match rest.strip_prefix('=') {
                        Some(v) => {
                            given.flags.push((flag.long, bool_text(flag, v)?));
                            rest = "";
                        }
                        None => given.flags.push((flag.long, "true".to_owned())),
                    },
                    Kind::Value | Kind::List | Kind::Filter | Kind::Int => {
                        let value = if !rest.is_empty() {
                            rest.strip_prefix('=').unwrap_or(rest).to_owned()
                        } else {
                            let v = args.get(i).cloned().ok_or_else(|| FlagError::NeedsArgument(format!("'{c}' in -{here}")))?;
                            i += 1;
                            v
                        };
                        given.flags.push((flag.long, checked(flag, value)?));
                        rest = "";
                    }
                }
            }
        } else {
            given.args.push(arg.clone());
        }
    }
    Ok(given)
}

/// A value as its flag takes it: a filter must read `name=value`; an integer is kept in decimal.
fn checked(flag: &Flag, value: String) -> Result<String, FlagError> {
    match flag.kind {
        Kind::Filter if !value.contains('=') => Err(FlagError::BadFilter { flag: display_name(flag), value }),
        Kind::Int => go_parse_int(&value).map(|n| n.to_string()).map_err(|reason| FlagError::NotInt { flag: display_name(flag), value, reason }),
        _ => Ok(value),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: a sign, then `0b`, `0o`, `0x` or a leading `0` (octal)
/// for the base, digits, and `_` between digits (after a prefix, between it and a digit).
fn go_parse_int(s: &str) -> Result<i64, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (base, digits, prefixed) = match lower.as_bytes() {
        [b'0', b'b', ..] => (2, &lower[2..], true),
        [b'0', b'o', ..] => (8, &lower[2..], true),
        [b'0', b'x', ..] => (16, &lower[2..], true),
        [b'0', _, ..] => (8, &lower[1..], true),
        _ => (10, &lower[..], false),
    };
    // An underscore must sit between two digits, or between the prefix and a digit.
    let groups: Vec<&str> = digits.split('_').collect();
    let underscores_ok = groups.len() == 1 || (groups.iter().skip(usize::from(prefixed)).all(|g| !g.is_empty()) && groups.last().is_some_and(|g| !g.is_empty()));
    if digits.is_empty() && !prefixed || !underscores_ok {
        return Err(SYNTAX);
    }
    let mut value: i128 = 0;
    for c in digits.chars().filter(|c| *c != '_') {
        let d = c.to_digit(base).ok_or(SYNTAX)?;
        value = (value * i128::from(base) + i128::from(d)).min(i128::from(u64::MAX) + 1);
    }
    if digits.is_empty() {
        // `0b`, `0o` and `0x` alone are not numbers; a lone `0` is.
        return if lower == "0" { Ok(0) } else { Err(SYNTAX) };
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).map_err(|_| "value out of range")
}

fn bool_text(flag: &Flag, v: &str) -> Result<String, FlagError> {
    parse_bool(v).map(|b| b.to_string()).ok_or_else(|| FlagError::NotBool { flag: display_name(flag), value: v.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        Flag { long: "all", short: Some('a'), kind: Kind::Bool },
        Flag { long: "quiet", short: Some('q'), kind: Kind::Bool },
        Flag { long: "human", short: Some('H'), kind: Kind::Bool },
        Flag { long: "filter", short: Some('f'), kind: Kind::Filter },
        Flag { long: "format", short: None, kind: Kind::Value },
    ];

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn reads_flags_as_pflag_does() -> Result<(), FlagError> {
        let g = parse(FLAGS, &args(&["-aq", "busybox", "--filter", "dangling=true", "-freference=x*", "-H=false", "--format={{.ID}}", "--", "-a"]))?;
        assert!(g.bool("all") && g.bool("quiet") && !g.bool("human"));
        assert_eq!(g.values("filter"), ["dangling=true", "reference=x*"]);
        assert_eq!(g.value("format"), Some("{{.ID}}"));
        assert_eq!(g.args, ["busybox", "-a"]);
        assert!(parse(FLAGS, &args(&["--all=false"]))?.has("all"));
        assert!(!parse(FLAGS, &args(&["--all=false"]))?.bool("all"));
        assert_eq!(parse(FLAGS, &args(&["-"]))?.args, ["-"]);
        Ok(())
    }

    #[test]
    fn errors_in_pflag_words() {
        let err = |a: &[&str]| parse(FLAGS, &args(a)).err().map(|e| e.to_string());
        assert_eq!(err(&["--foo"]).as_deref(), Some("unknown flag: --foo"));
        assert_eq!(err(&["-ax"]).as_deref(), Some("unknown shorthand flag: 'x' in -x"));
        assert_eq!(err(&["-af"]).as_deref(), Some("flag needs an argument: 'f' in -f"));
        assert_eq!(err(&["--format"]).as_deref(), Some("flag needs an argument: --format"));
        assert_eq!(err(&["-f"]).as_deref(), Some("flag needs an argument: 'f' in -f"));
        assert_eq!(err(&["-f", "foo"]).as_deref(), Some("invalid argument \"foo\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"));
        assert_eq!(err(&["-H=maybe"]).as_deref(), Some("invalid argument \"maybe\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"));
    }

    #[test]
    fn integers_as_go_parse_int_reads_them() {
        for (given, read) in [("5", 5), ("-3", -3), ("+7", 7), ("0x10", 16), ("0X1f", 31), ("010", 8), ("0o17", 15), ("0b101", 5), ("1_000", 1000), ("0x_1", 1), ("0", 0)] {
            assert_eq!(go_parse_int(given), Ok(read), "{given}");
        }
        for given in ["", "x", "-", "0x", "1__0", "_1", "1_", "08", "1.5", " 1"] {
            assert_eq!(go_parse_int(given), Err("invalid syntax"), "{given}");
        }
        assert_eq!(go_parse_int("9223372036854775808"), Err("value out of range"));
        assert_eq!(go_parse_int("-9223372036854775808"), Ok(i64::MIN));
    }
}
