//! One command of a console line evaluated over a snapshot of the store: `$(...)` expanded,
//! the words read, and a read-only command run. The console worker runs this (a template or
//! parser that panics takes down that worker, not the page); it is plain Rust, tested natively.

use layerwise_core::cli::commands::{read, Action, Read};
use layerwise_core::cli::flags::Given;
use layerwise_core::cli::run::{run_read_only, Output, Snapshot};
use layerwise_core::cli::shell::{self, Command};

/// What evaluating a command gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// It ran (or could not: help, errors, `clear` inside a line): what it printed.
    Printed(Output),
    /// `docker search`: read-only, but it needs the network; the worker runs it.
    Search(Given),
    /// It changes the store or needs the page: its words, expanded.
    Page(Vec<String>),
}

/// Evaluates command `index` of `commands` over `s`; past the last command, it prints nothing.
pub fn evaluate(commands: &[Command], index: usize, s: &Snapshot<'_>) -> Step {
    let Some(command) = commands.get(index) else { return Step::Printed(Output::default()) };
    let words = shell::expand(command, &mut |inner| substitute(inner, s));
    if words == ["clear"] {
        return Step::Printed(Output::default());
    }
    match read(&words) {
        Read::Print { stdout, stderr, status } => Step::Printed(Output { stdout, stderr, status }),
        Read::Run(inv) => match run_read_only(&inv, s) {
            Some(output) => Step::Printed(output),
            None if inv.spec.action == Action::Search => Step::Search(inv.given),
            None => Step::Page(words),
        },
    }
}

/// Runs `commands` over `s` without changing anything (for `$(...)`): their stdout. Commands
/// that would change the store or need the network print nothing here.
fn substitute(commands: &[Command], s: &Snapshot<'_>) -> String {
    let mut out = String::new();
    for command in commands {
        let words = shell::expand(command, &mut |inner| substitute(inner, s));
        if let Read::Run(inv) = read(&words) {
            if let Some(o) = run_read_only(&inv, s) {
                out.push_str(&o.stdout);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(line: &str, index: usize) -> Step {
        let no_config = |_: &layerwise_core::digest::Digest| None;
        let snapshot = Snapshot { images: &[], config: &no_config, containers: &[], now: 0 };
        evaluate(&shell::parse(line).expect("parse"), index, &snapshot)
    }

    // In both targets: the product evaluates these in wasm.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn read_only_commands_print_and_changing_ones_go_back_expanded() {
        // Arrange, act, assert: each command of a line on its own, over an empty store.
        assert_eq!(step("docker images -q --format '{{.ID}}'; docker rmi -f $(docker images -qa) x", 0), Step::Printed(Output::default()));
        let words = ["docker", "rmi", "-f", "x"].map(String::from).to_vec();
        assert_eq!(step("docker images -q; docker rmi -f $(docker images -qa) x", 1), Step::Page(words));
        assert!(matches!(step("docker images", 0), Step::Printed(o) if o.stdout.starts_with("REPOSITORY")));
        assert!(matches!(step("docker search busybox --limit 3", 0), Step::Search(g) if g.args == ["busybox"]));
        assert!(matches!(step("ls", 0), Step::Printed(o) if o.status == 127));
        assert_eq!(step("docker images; clear", 1), Step::Printed(Output::default()));
        assert_eq!(step("docker images", 1), Step::Printed(Output::default()));
    }
}
