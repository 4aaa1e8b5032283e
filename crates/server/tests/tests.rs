//! Integration tests of the server: the Engine API harness judged by the real docker CLI and
//! cross-checked with podman; the registry proxy against a real registry and fake upstreams.

// Starting the harness, making fixtures, running tools.
mod common;
mod console;
// Names no image or several image IDs answer to.
mod console_names;
// docker ps: filters, limits, sizes, formats.
mod console_ps;
// docker inspect --type, --size; image inspect --format.
mod console_inspect;
// Templates that fail while executing: docker's errors, positions and nodes.
mod console_template_errors;
// docker commit, save -o and load -i.
mod console_jobs;
// The real docker daemon: what it saved we import and print as it does; what we save it loads and runs.
mod daemon;
// xz and bzip2 layers, judged by dockerd.
mod daemon_recompressed;
// Pre-1.10 archives from docker older than 1.8.3, judged by dockerd.
mod daemon_old_docker;
// The core's views equal what the docker CLI 28.2 prints for the same store.
mod docker_cli;
// Values docker computes, checked against podman on the same archives.
mod podman;
// docker rmi and docker tag: docker's rules, printed by the docker CLI.
mod rmi;
// The registry proxy of `serve`: a real registry and a fake Docker Hub behind it.
mod proxy;
// What the proxy refuses.
mod proxy_refusals;
// The built app, precompressed.
mod static_files;
