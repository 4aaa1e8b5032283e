//! What the console's commands that change the store print, as the docker CLI prints the
//! daemon's answers: `rmi`'s lines and exit status; what `save`, `commit` and `load` refuse
//! before their job starts, and what a failed job prints. (A job's own lines come from the core
//! too: `load`'s from `Imported::load_lines`, `commit`'s ID from `Committed::id`.)

use super::commands::Action;
use super::flags::Given;
use super::run::Output;
use crate::commit::apply_instruction;
use crate::container::{self, ContainerRecord};
use crate::export::select;
use crate::store::{ImageRecord, RemoveError, Removed};

/// How docker prefixes an error the daemon answered a request with.
const DAEMON: &str = "Error response from daemon: ";

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
                out.stderr.push_str(&format!("{DAEMON}{e}\n"));
                fatal |= !force || !matches!(e, RemoveError::NotFound(_));
            }
        }
    }
    out.status = i32::from(fatal);
    out
}

/// What `docker save -o FILE NAME…` saves: the images, each with the tags its names give it,
/// and the download's file name (FILE's last part) — or what docker prints instead. The console
/// is a terminal, which docker will not write an archive to: without `-o` it refuses.
///
/// # Errors
/// docker's output for the refusal, or the daemon's error for a name.
pub fn save_plan(given: &Given, images: &[ImageRecord]) -> Result<(Vec<ImageRecord>, String), Output> {
    let Some(file) = given.value("output").filter(|o| !o.is_empty()) else {
        return Err(Output::err("cowardly refusing to save to a terminal. Use the -o flag or redirect\n".to_owned(), 1));
    };
    let names: Vec<&str> = given.args.iter().map(String::as_str).collect();
    let chosen = select(images, &names).map_err(|e| Output::err(format!("{DAEMON}{e}\n"), 1))?;
    Ok((chosen, file.rsplit('/').next().unwrap_or(file).to_owned()))
}

/// The edit session `docker commit [-c INSTRUCTION…] CONTAINER` commits — or the daemon's
/// error, checked in the daemon's order: no such session or a prefix several IDs share, then an
/// instruction it refuses.
///
/// # Errors
/// docker's output for the daemon's error.
pub fn commit_target<'a>(given: &Given, containers: &'a [ContainerRecord]) -> Result<&'a ContainerRecord, Output> {
    let name = given.args.first().map_or("", String::as_str);
    let session = container::resolve(containers, name).map_err(|e| Output::err(format!("{DAEMON}{e}\n"), 1))?;
    let mut scratch = serde_json::Map::new();
    for change in given.values("change") {
        apply_instruction(&mut scratch, change).map_err(|e| Output::err(format!("{DAEMON}{e}\n"), 1))?;
    }
    Ok(session)
}

/// What a console job prints when the worker reports it failed with `error`. A load's error
/// comes in the daemon's stream, after its answer began: docker prints it as it is (the
/// worker names the archive, `name`, first; docker does not). The worker words a commit's error
/// as docker prints it; a pull's is the daemon's answer.
pub fn job_failure(action: Action, name: &str, error: &str) -> Output {
    let text = match action {
        Action::Load => error.strip_prefix(&format!("{name}: ")).unwrap_or(error).to_owned(),
        Action::Commit if error.starts_with(DAEMON) => error.to_owned(),
        _ => format!("{DAEMON}{error}"),
    };
    Output::err(format!("{text}\n"), 1)
}
