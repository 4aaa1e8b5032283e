//! Pre-1.10 archives whose v1 `json` was written by docker older than 1.8.3, or names no
//! `docker_version` (hand-made ones): moby rewrites each through its `V1Image` struct before it
//! makes the config, dropping the keys it does not know, so the image IDs depend on that rewrite.
//! dockerd 20.10 judges them.

use layerwise_core::tar::TarWriter;
use layerwise_testkit::Daemon;

use crate::daemon::judge;

/// A base as docker 1.6 wrote it (the resource fields of its `container_config`, `PortSpecs`,
/// `Labels: {}`), and a child with no `docker_version` and a `config` of its own.
fn old_docker_archive() -> Vec<u8> {
    let base_id = "c3".repeat(32);
    let child_id = "d4".repeat(32);
    let base_layer = TarWriter::new().dir("etc").file("etc/old", b"docker 1.6\n", 0o644).finish();
    let child_layer = TarWriter::new().file("etc/child", b"no version\n", 0o600).finish();
    let base_json = format!(
        r##"{{"id":"{base_id}","created":"2015-04-21T22:27:27.171212354Z","container":"7ff0","container_config":{{"Hostname":"7ff0","Domainname":"","User":"","Memory":0,"MemorySwap":0,"CpuShares":0,"Cpuset":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"PortSpecs":null,"ExposedPorts":null,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["/bin/sh","-c","#(nop) ADD file:aa in / <&>"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"NetworkDisabled":false,"MacAddress":"","OnBuild":null,"Labels":{{}}}},"docker_version":"1.6.0","config":{{"Hostname":"7ff0","Memory":0,"Cpuset":"","ExposedPorts":{{"80/tcp":{{}}}},"Env":["PATH=/bin"],"Cmd":"/bin/sh","Volumes":{{"/data":{{}}}},"Labels":{{"b":"2","a":"1"}}}},"architecture":"amd64","os":"linux","Size":11}}"##
    );
    let child_json = format!(
        r##"{{"id":"{child_id}","parent":"{base_id}","created":"2015-05-01T10:00:00Z","comment":"hand-made","author":"someone","container_config":{{"Cmd":["/bin/sh","-c","echo child"],"Healthcheck":{{"Test":["CMD","true"],"Interval":1000000000}}}},"config":{{"Env":["PATH=/bin"],"Entrypoint":["/bin/sh"],"StopSignal":"SIGKILL"}},"architecture":"amd64","os":"linux","throwaway":true}}"##
    );
    let repositories = format!(r#"{{"test/old-docker":{{"1.6":"{base_id}","child":"{child_id}"}}}}"#);
    let mut archive = TarWriter::new();
    for (id, json, layer) in [(&base_id, &base_json, &base_layer), (&child_id, &child_json, &child_layer)] {
        archive.dir(id).file(&format!("{id}/VERSION"), b"1.0", 0o644).file(&format!("{id}/json"), json.as_bytes(), 0o644).file(&format!("{id}/layer.tar"), layer, 0o644);
    }
    archive.file("repositories", repositories.as_bytes(), 0o644).finish()
}

/// dockerd 20.10 loads it with the IDs, history and inspect we compute.
#[test]
fn a_json_from_before_docker_1_8_3_imports_with_the_daemons_ids() {
    let d = Daemon::shared();
    let dir = std::env::temp_dir().join(format!("layerwise-daemon-old-docker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("old-docker.tar");
    std::fs::write(&archive, old_docker_archive()).unwrap();
    judge(&d, &archive);
}
