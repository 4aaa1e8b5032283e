//! A pull's events as `docker pull` reports them: the JSON messages the Engine API streams
//! (`POST /images/create`), and the lines the docker CLI prints from them when its output is
//! not a terminal (messages with a progress bar are left out there).

use serde_json::{json, Value};

use crate::pull::{LayerStatus, PullEvent};

/// The Engine API's JSON messages for one event, in order.
pub fn engine_messages(event: &PullEvent) -> Vec<Value> {
    let layer = |id: &str, status: &str| json!({ "status": status, "progressDetail": {}, "id": id });
    match event {
        PullEvent::Resolved { line, .. } => vec![json!({ "status": line })],
        PullEvent::Layer { id, status } => match status {
            LayerStatus::Waiting => vec![layer(id, "Pulling fs layer")],
            LayerStatus::AlreadyExists => vec![layer(id, "Already exists")],
            LayerStatus::Downloading { done, total } => {
                vec![json!({ "status": "Downloading", "progressDetail": { "current": done, "total": total }, "id": id })]
            }
            // Not one of docker's own steps: a progress message, which a terminal shows and a
            // log leaves out.
            LayerStatus::Resuming { attempt } => vec![json!({ "status": "Resuming", "progressDetail": { "current": attempt, "total": crate::pull::MAX_RESUMES }, "id": id })],
            // Verified while it downloaded, stored at once: docker's three steps end together.
            LayerStatus::PullComplete => vec![layer(id, "Verifying Checksum"), layer(id, "Download complete"), layer(id, "Pull complete")],
        },
    }
}

/// The lines the docker CLI prints for one event when its output is not a terminal.
pub fn docker_lines(event: &PullEvent) -> Vec<String> {
    engine_messages(event)
        .iter()
        .filter(|m| m.get("progressDetail").and_then(|p| p.get("total")).is_none())
        .filter_map(|m| {
            let status = m.get("status")?.as_str()?;
            Some(match m.get("id").and_then(Value::as_str) {
                Some(id) => format!("{id}: {status}"),
                None => status.to_owned(),
            })
        })
        .collect()
}

/// What `docker pull` prints before anything else: `Using default tag: latest` when the name
/// typed had no tag or digest.
pub fn default_tag_line(typed: &str) -> Option<&'static str> {
    let last = typed.rsplit('/').next().unwrap_or(typed);
    (!last.contains(':') && !typed.contains('@')).then_some("Using default tag: latest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_leave_progress_out() {
        let events = [
            PullEvent::Resolved { line: "latest: Pulling from library/busybox".into(), layers: vec!["a".into()] },
            PullEvent::Layer { id: "a".into(), status: LayerStatus::Waiting },
            PullEvent::Layer { id: "a".into(), status: LayerStatus::Downloading { done: 1, total: 2 } },
            PullEvent::Layer { id: "a".into(), status: LayerStatus::Resuming { attempt: 1 } },
            PullEvent::Layer { id: "a".into(), status: LayerStatus::PullComplete },
        ];
        let lines: Vec<String> = events.iter().flat_map(docker_lines).collect();
        assert_eq!(lines, ["latest: Pulling from library/busybox", "a: Pulling fs layer", "a: Verifying Checksum", "a: Download complete", "a: Pull complete"]);
        assert_eq!(default_tag_line("busybox"), Some("Using default tag: latest"));
        assert_eq!(default_tag_line("host:5000/busybox"), Some("Using default tag: latest"));
        assert_eq!(default_tag_line("host:5000/busybox:1"), None);
        assert_eq!(default_tag_line("busybox@sha256:abc"), None);
    }
}
