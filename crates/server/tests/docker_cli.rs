use layerwise_core::digest::Digest;
use layerwise_core::store::{self, ImageRecord};
use layerwise_core::view;

use crate::common::{archives, assert_rendered, now, Harness};

#[test]
fn docker_images_prints_what_the_core_renders() {
    let h = Harness::start(&archives());
    for all in [false, true] {
        let before = now();
        let got = h.docker(if all { &["images", "-a"] } else { &["images"] });
        let after = now();
        let summaries = view::image_summaries(&h.state.images(), all);
        assert_rendered(&got, before, after, |t| view::images_table(&summaries, t));
    }
}

#[test]
fn docker_history_prints_what_the_core_renders() {
    let h = Harness::start(&archives());
    for image in &h.state.images() {
        let name = image.repo_tags.first().cloned().unwrap_or_else(|| image.id.to_string());
        let items = history(&h, image);
        for no_trunc in [false, true] {
            let mut args = vec!["history", name.as_str()];
            if no_trunc {
                args.insert(1, "--no-trunc");
            }
            let before = now();
            let got = h.docker(&args);
            let after = now();
            assert_rendered(&got, before, after, |t| view::history_table(&items, t, !no_trunc));
        }
    }
}

#[test]
fn docker_image_inspect_prints_the_core_json() {
    let h = Harness::start(&archives());
    for image in &h.state.images() {
        let got = h.docker(&["image", "inspect", &image.id.to_string()]);
        let expected = view::inspect_json(&[view::inspect(image, &h.state.config(&image.id).unwrap())]);
        assert_eq!(got, expected, "{}", image.id);
    }
}

#[test]
fn names_resolve_as_docker_resolves_them() {
    let h = Harness::start(&archives());
    let images = h.state.images();
    let app = store::resolve(&images, "test/app:1").unwrap();
    for name in ["test/app:1", "docker.io/test/app:1", &app.id.to_string(), app.id.short(), &app.id.hex()[..5]] {
        let got = h.docker(&["image", "inspect", "-f", "{{.Id}}", name]);
        assert_eq!(got.trim(), app.id.to_string(), "{name}");
    }
}

fn history(h: &Harness, image: &ImageRecord) -> Vec<view::HistoryItem> {
    let images = h.state.images();
    let find = |id: &Digest| images.iter().find(|i| i.id == *id).cloned();
    view::history(image, &h.state.config(&image.id).unwrap(), &find).unwrap()
}

#[test]
fn docker_ps_a_prints_the_edit_sessions_as_the_core_renders_them() {
    use layerwise_core::change::ChangeSet;
    use layerwise_core::container::{docker_name, ContainerRecord};
    let h = Harness::start(&archives());
    let images = h.state.images();
    let app = store::resolve(&images, "test/app:1").unwrap();
    let base = store::resolve(&images, "test/base:1").unwrap();
    let ms = now() as f64 * 1000.0;
    let session = |n: u8, image: &ImageRecord, image_ref: &str, command: &str, age_s: f64| ContainerRecord {
        id: Digest::of(&[n]).hex().to_owned(),
        name: docker_name(u64::from(n) * 7919),
        image: image.id.clone(),
        image_ref: image_ref.to_owned(),
        created_ms: ms - age_s * 1000.0,
        command: command.to_owned(),
        changes: ChangeSet::default(),
    };
    h.state.add_container(session(1, app, "test/app:1", "/app/run.sh", 300.0));
    h.state.add_container(session(2, base, base.id.short(), "", 7200.0));
    h.state.add_container(session(3, app, "test/app:1", "/bin/sh -c \"a long command with \\\"quotes\\\" and more\"", 90_000.0));
    for args in [&["ps", "-a"][..], &["ps", "-a", "--no-trunc"], &["ps"]] {
        let before = now();
        let got = h.docker(args);
        let after = now();
        let summaries = view::container_summaries(&h.state.containers(), &h.state.images(), args.contains(&"-a"));
        assert_rendered(&got, before, after, |t| view::ps_table(&summaries, t, !args.contains(&"--no-trunc"), false));
    }
}
