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
                    Kind::Value | Kind::List | Kind::Filter => {
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

/// A value as its flag takes it: a filter must read `name=value`.
fn checked(flag: &Flag, value: String) -> Result<String, FlagError> {
    if flag.kind == Kind::Filter && !value.contains('=') {
        return Err(FlagError::BadFilter { flag: display_name(flag), value });
    }
    Ok(value)
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
}
