//! What the console's commands that change the store print, as the docker CLI prints the
//! daemon's answers: `rmi`'s lines and exit status.

use super::run::Output;
use crate::store::{RemoveError, Removed};

/// What `docker rmi [-f] NAME…` prints for each name's outcome, in order (docker/cli
/// `image/remove.go`): the removed lines on stdout, each error on stderr; the status is 1 when a
/// name failed, except that with `-f` a name not found does not fail the command.
pub fn removal_output(outcomes: &[Result<Vec<Removed>, RemoveError>], force: bool) -> Output {
    let mut out = Output::default();
    let mut fatal = false;
    for outcome in outcomes {
        match outcome {
            Ok(lines) => out.stdout.extend(lines.iter().map(|l| format!("{l}\n"))),
            Err(e) => {
                out.stderr.push_str(&format!("Error response from daemon: {e}\n"));
                fatal |= !force || !matches!(e, RemoveError::NotFound(_));
            }
        }
    }
    out.status = i32::from(fatal);
    out
}
