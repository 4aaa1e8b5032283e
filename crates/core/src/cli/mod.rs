//! The docker command lines the page's console takes: a small shell ([`shell`]) and docker's
//! flag parser ([`flags`]). The output formatting lives in [`crate::view`], shared with the GUI.

pub mod changing;
pub mod commands;
pub mod flags;
pub mod run;
mod help;
mod inspect;
pub mod ps;
pub mod shell;
pub mod template;
