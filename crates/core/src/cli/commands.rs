//! The docker commands the console takes: their names and aliases, usage lines, argument
//! counts and flags, and the reading of a command line into an [`Invocation`] or docker's own
//! error text and exit status.

use super::flags::{self, Flag, Given, Kind};
use super::help;

/// How many arguments a command takes (docker/cli `cli/required.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    /// `NoArgs`.
    None,
    /// `ExactArgs(n)`.
    Exactly(usize),
    /// `RequiresMinArgs(n)`.
    AtLeast(usize),
    /// `RequiresMaxArgs(n)`.
    AtMost(usize),
    /// `RequiresRangeArgs(min, max)`.
    Between(usize, usize),
}

/// What a command does, whichever of its names was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `docker images`, `docker image ls`.
    Images,
    /// `docker history`.
    History,
    /// `docker inspect` (any object; here, images).
    Inspect,
    /// `docker image inspect`.
    ImageInspect,
    /// `docker rmi`, `docker image rm`.
    Remove,
    /// `docker tag`.
    Tag,
    /// `docker ps`, `docker container ls`.
    Ps,
    /// `docker search`.
    Search,
    /// `docker pull`.
    Pull,
    /// `docker commit`.
    Commit,
    /// `docker save`.
    Save,
    /// `docker load`.
    Load,
}

/// One command, under one of its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The words after `docker` (`["image", "list"]`).
    pub path: &'static [&'static str],
    /// The name docker prints for it, an alias's too (`image ls`).
    pub name: &'static str,
    /// What it does.
    pub action: Action,
    /// The usage line after `Usage:  `.
    pub usage: &'static str,
    /// Its arguments.
    pub args: Args,
    /// Its flags (`--help` aside).
    pub flags: &'static [Flag],
    /// Its `--help` text after the `Usage:` line.
    pub help: &'static str,
}

const fn flag(long: &'static str, short: Option<char>, kind: Kind) -> Flag {
    Flag { long, short, kind }
}

const IMAGES_FLAGS: &[Flag] = &[
    flag("all", Some('a'), Kind::Bool),
    flag("digests", None, Kind::Bool),
    flag("filter", Some('f'), Kind::Filter),
    flag("format", None, Kind::Value),
    flag("no-trunc", None, Kind::Bool),
    flag("quiet", Some('q'), Kind::Bool),
    flag("tree", None, Kind::Bool),
];
const HISTORY_FLAGS: &[Flag] = &[
    flag("format", None, Kind::Value),
    flag("human", Some('H'), Kind::Bool),
    flag("no-trunc", None, Kind::Bool),
    flag("platform", None, Kind::Value),
    flag("quiet", Some('q'), Kind::Bool),
];
const INSPECT_FLAGS: &[Flag] = &[flag("format", Some('f'), Kind::Value), flag("size", Some('s'), Kind::Bool), flag("type", None, Kind::Value)];
const IMAGE_INSPECT_FLAGS: &[Flag] = &[flag("format", Some('f'), Kind::Value), flag("platform", None, Kind::Value)];
const RMI_FLAGS: &[Flag] = &[flag("force", Some('f'), Kind::Bool), flag("no-prune", None, Kind::Bool), flag("platform", None, Kind::List)];
const PS_FLAGS: &[Flag] = &[
    flag("all", Some('a'), Kind::Bool),
    flag("filter", Some('f'), Kind::Filter),
    flag("format", None, Kind::Value),
    flag("last", Some('n'), Kind::Int),
    flag("latest", Some('l'), Kind::Bool),
    flag("no-trunc", None, Kind::Bool),
    flag("quiet", Some('q'), Kind::Bool),
    flag("size", Some('s'), Kind::Bool),
];
const SEARCH_FLAGS: &[Flag] = &[flag("filter", Some('f'), Kind::Filter), flag("format", None, Kind::Value), flag("limit", None, Kind::Value), flag("no-trunc", None, Kind::Bool)];
const PULL_FLAGS: &[Flag] =
    &[flag("all-tags", Some('a'), Kind::Bool), flag("disable-content-trust", None, Kind::Bool), flag("platform", None, Kind::Value), flag("quiet", Some('q'), Kind::Bool)];
const COMMIT_FLAGS: &[Flag] = &[flag("author", Some('a'), Kind::Value), flag("change", Some('c'), Kind::List), flag("message", Some('m'), Kind::Value), flag("pause", Some('p'), Kind::Bool)];
const SAVE_FLAGS: &[Flag] = &[flag("output", Some('o'), Kind::Value), flag("platform", None, Kind::Value)];
const LOAD_FLAGS: &[Flag] = &[flag("input", Some('i'), Kind::Value), flag("platform", None, Kind::Value), flag("quiet", Some('q'), Kind::Bool)];

/// A command under one of its names; `usage` starts with its canonical name, which docker
/// prints in messages whichever name was typed.
const fn spec(path: &'static [&'static str], action: Action, usage: &'static str, args: Args, flags: &'static [Flag], help: &'static str) -> Spec {
    Spec { path, name: canonical(usage), action, usage, args, flags, help }
}

/// `image ls` out of `docker image ls [OPTIONS] …`: the words after `docker` that are neither
/// options nor placeholders.
const fn canonical(usage: &'static str) -> &'static str {
    let bytes = usage.as_bytes();
    let start = 7; // "docker "
    let mut end = start;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'[' || b.is_ascii_uppercase() {
            break;
        }
        if b != b' ' {
            end = i + 1;
        }
        i += 1;
    }
    match usage.split_at_checked(end) {
        Some((head, _)) => match head.split_at_checked(start) {
            Some((_, name)) => name,
            None => "",
        },
        None => "",
    }
}

/// Every command, longest paths first (so `image ls` is found before `image`).
pub const COMMANDS: &[Spec] = &[
    spec(&["image", "ls"], Action::Images, "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", Args::AtMost(1), IMAGES_FLAGS, help::IMAGES),
    spec(&["image", "list"], Action::Images, "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", Args::AtMost(1), IMAGES_FLAGS, help::IMAGES),
    spec(&["image", "history"], Action::History, "docker image history [OPTIONS] IMAGE", Args::Exactly(1), HISTORY_FLAGS, help::HISTORY),
    spec(&["image", "inspect"], Action::ImageInspect, "docker image inspect [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), IMAGE_INSPECT_FLAGS, help::IMAGE_INSPECT),
    spec(&["image", "rm"], Action::Remove, "docker image rm [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), RMI_FLAGS, help::RMI),
    spec(&["image", "remove"], Action::Remove, "docker image rm [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), RMI_FLAGS, help::RMI),
    spec(&["image", "tag"], Action::Tag, "docker image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", Args::Exactly(2), &[], help::TAG),
    spec(&["image", "pull"], Action::Pull, "docker image pull [OPTIONS] NAME[:TAG|@DIGEST]", Args::Exactly(1), PULL_FLAGS, help::PULL),
    spec(&["image", "save"], Action::Save, "docker image save [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), SAVE_FLAGS, help::SAVE),
    spec(&["image", "load"], Action::Load, "docker image load [OPTIONS]", Args::None, LOAD_FLAGS, help::LOAD),
    spec(&["container", "ls"], Action::Ps, "docker container ls [OPTIONS]", Args::None, PS_FLAGS, help::PS),
    spec(&["container", "list"], Action::Ps, "docker container ls [OPTIONS]", Args::None, PS_FLAGS, help::PS),
    spec(&["container", "ps"], Action::Ps, "docker container ls [OPTIONS]", Args::None, PS_FLAGS, help::PS),
    spec(&["container", "commit"], Action::Commit, "docker container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", Args::Between(1, 2), COMMIT_FLAGS, help::COMMIT),
    spec(&["images"], Action::Images, "docker images [OPTIONS] [REPOSITORY[:TAG]]", Args::AtMost(1), IMAGES_FLAGS, help::IMAGES),
    spec(&["history"], Action::History, "docker history [OPTIONS] IMAGE", Args::Exactly(1), HISTORY_FLAGS, help::HISTORY),
    spec(&["inspect"], Action::Inspect, "docker inspect [OPTIONS] NAME|ID [NAME|ID...]", Args::AtLeast(1), INSPECT_FLAGS, help::INSPECT),
    spec(&["rmi"], Action::Remove, "docker rmi [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), RMI_FLAGS, help::RMI),
    spec(&["tag"], Action::Tag, "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", Args::Exactly(2), &[], help::TAG),
    spec(&["ps"], Action::Ps, "docker ps [OPTIONS]", Args::None, PS_FLAGS, help::PS),
    spec(&["search"], Action::Search, "docker search [OPTIONS] TERM", Args::Exactly(1), SEARCH_FLAGS, help::SEARCH),
    spec(&["pull"], Action::Pull, "docker pull [OPTIONS] NAME[:TAG|@DIGEST]", Args::Exactly(1), PULL_FLAGS, help::PULL),
    spec(&["commit"], Action::Commit, "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", Args::Between(1, 2), COMMIT_FLAGS, help::COMMIT),
    spec(&["save"], Action::Save, "docker save [OPTIONS] IMAGE [IMAGE...]", Args::AtLeast(1), SAVE_FLAGS, help::SAVE),
    spec(&["load"], Action::Load, "docker load [OPTIONS]", Args::None, LOAD_FLAGS, help::LOAD),
];

/// A command line read: the command and its flags and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The command.
    pub spec: &'static Spec,
    /// What was given.
    pub given: Given,
}

/// What reading a command line gives: a command to run, or what docker prints without running
/// one (help on stdout, an error on stderr) and the exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// Run this.
    Run(Invocation),
    /// Print `stdout` and `stderr`, exit with `status`.
    Print {
        /// Standard output.
        stdout: String,
        /// Standard error.
        stderr: String,
        /// The exit status.
        status: i32,
    },
}

fn print_err(stderr: String, status: i32) -> Read {
    Read::Print { stdout: String::new(), stderr, status }
}

/// Reads `words` (the whole command line, `docker` first) as the docker CLI does.
pub fn read(words: &[String]) -> Read {
    let Some(rest) = words.strip_prefix(&["docker".to_owned()]) else {
        let name = words.first().map_or("", String::as_str);
        return print_err(format!("{name}: command not found (this console runs docker's image commands: try `docker images`)\n"), 127);
    };
    let Some(spec) = COMMANDS.iter().find(|s| rest.len() >= s.path.len() && s.path.iter().zip(rest).all(|(p, w)| p == w)) else {
        return match rest.first() {
            None => print_err("Usage:  docker [OPTIONS] COMMAND\n\nThis console runs: images, image ls, history, inspect, image inspect, rmi, image rm, tag, ps, search, pull, commit, save, load\n".to_owned(), 0),
            Some(group) if group == "image" || group == "container" => {
                let shown = words.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
                print_err(format!("docker: unknown command: {shown}\n\nUsage:  docker {group}\n\nRun 'docker {group} --help' for more information\n"), 1)
            }
            Some(first) => print_err(format!("docker: unknown command: docker {first}\n\nRun 'docker --help' for more information\n"), 1),
        };
    };
    let args = &rest[spec.path.len()..];
    let name = format!("docker {}", spec.name);
    let usage_tail = |run: &str| format!("\nUsage:  {}\n\n{run} '{name} --help' for more information\n", spec.usage);
    let before_end = || args.iter().take_while(|a| *a != "--");
    if before_end().any(|a| a == "--help") {
        return Read::Print { stdout: format!("Usage:  {}\n{}", spec.usage, spec.help), stderr: String::new(), status: 0 };
    }
    if before_end().any(|a| a == "-h") {
        return Read::Print { stdout: format!("Flag shorthand -h has been deprecated, use --help\nUsage:  {}\n{}", spec.usage, spec.help), stderr: String::new(), status: 0 };
    }
    let given = match flags::parse(spec.flags, args) {
        Ok(g) => g,
        Err(e) => return print_err(format!("{e}\n{}", usage_tail("Run")), 125),
    };
    let n = given.args.len();
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let wrong = match spec.args {
        Args::None if n > 0 => Some(("accepts no arguments".to_owned(), "Run")),
        Args::Exactly(k) if n != k => Some((format!("requires {k} {}", plural(k)), "Run")),
        Args::AtLeast(k) if n < k => Some((format!("requires at least {k} {}", plural(k)), "See")),
        // docker/cli prints "SRun" here (`RequiresMaxArgs`), and so do we.
        Args::AtMost(k) if n > k => Some((format!("requires at most {k} {}", plural(k)), "SRun")),
        Args::Between(a, b) if n < a || n > b => Some((format!("requires at least {a} and at most {b} {}", plural(b)), "Run")),
        _ => None,
    };
    match wrong {
        Some((what, run)) => print_err(format!("docker: '{name}' {what}\n{}", usage_tail(run)), 1),
        None => Read::Run(Invocation { spec, given }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_print_their_canonical_name() {
        let names: Vec<(&[&str], &str)> = COMMANDS.iter().map(|s| (s.path, s.name)).collect();
        assert!(names.contains(&(&["image", "list"][..], "image ls")));
        assert!(names.contains(&(&["container", "ps"][..], "container ls")));
        assert!(names.contains(&(&["rmi"][..], "rmi")));
        assert!(names.contains(&(&["tag"][..], "tag")));
    }
}
