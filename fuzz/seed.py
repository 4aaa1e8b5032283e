#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (small, valid inputs of each kind) into
fuzz/corpus/<target>/. Run from anywhere; deterministic. Crashes the fuzzer finds are added
to the same folders by hand (named crash-<what>) and replayed by `cargo test`.
"""
import gzip, hashlib, io, json, os, subprocess, tarfile

here = os.path.dirname(os.path.abspath(__file__))

def tar(entries, fmt=tarfile.USTAR_FORMAT):
    """entries: (name, bytes | None for dir, link target or None, type)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data, link, kind in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            info.type = kind
            if link:
                info.linkname = link
            if data is not None:
                info.size = len(data)
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()

F, D, S, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
layer = tar([("etc", None, None, D), ("etc/hosts", b"127.0.0.1 localhost\n", None, F), ("etc/h2", None, "etc/hosts", H),
             ("bin", None, None, D), ("bin/sh", None, "busybox", S), ("etc/.wh.old", b"", None, F), ("var/.wh..wh..opq", b"", None, F)])
long_layer = tar([("d" * 120 + "/file", b"x" * 10, None, F), ("l", None, "t" * 150, S)], fmt=tarfile.PAX_FORMAT)
gnu_layer = tar([("g" * 130, b"gnu", None, F)], fmt=tarfile.GNU_FORMAT)

def docker_save(layers, tag="fuzz/seed:1"):
    diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
    config = json.dumps({"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                         "config": {"Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": [{"created_by": "seed"} for _ in layers]}).encode()
    name = hashlib.sha256(config).hexdigest() + ".json"
    files = [(f"l{i}/layer.tar", l, None, F) for i, l in enumerate(layers)]
    files += [(name, config, None, F), ("manifest.json", json.dumps([{"Config": name, "RepoTags": [tag], "Layers": [f"l{i}/layer.tar" for i in range(len(layers))]}]).encode(), None, F)]
    return tar(files), config

def oci_layout(layer_blob, media_type):
    layer_digest = hashlib.sha256(layer_blob).hexdigest()
    diff = layer_blob if media_type.endswith("tar") else gzip.decompress(layer_blob)
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(diff).hexdigest()]}}).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + config_digest, "size": len(config)},
                           "layers": [{"mediaType": media_type, "digest": "sha256:" + layer_digest, "size": len(layer_blob)}]}).encode()
    manifest_digest = hashlib.sha256(manifest).hexdigest()
    index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + manifest_digest, "size": len(manifest),
                                                          "annotations": {"org.opencontainers.image.ref.name": "fuzz/oci:1"}}]}).encode()
    files = [(f"blobs/sha256/{d}", b, None, F) for d, b in [(layer_digest, layer_blob), (config_digest, config), (manifest_digest, manifest)]]
    files += [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}', None, F), ("index.json", index, None, F)]
    return tar(files), config, manifest, index

def zstd(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout

def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

gz = gzip.compress(layer, mtime=0)
save, config = docker_save([layer, long_layer])
oci, oci_config, manifest, index = oci_layout(gz, "application/vnd.oci.image.layer.v1.tar+gzip")
for name, data in [("plain", layer), ("gzip", gz), ("zstd", zstd(layer)), ("pax", long_layer), ("gnu", gnu_layer)]:
    write("decompress", name, data)
for name, data in [("plain", layer), ("pax", long_layer), ("gnu", gnu_layer), ("archive", save)]:
    write("tar_entries", name, data)
    write("layer_apply", name, data)
for name, data in [("docker-save", save), ("oci-gzip", oci), ("docker-save.gz", gzip.compress(save, mtime=0)), ("oci.zst", zstd(oci))]:
    write("archive_import", name, data)
for name, data in [("config", config), ("oci-config", oci_config), ("manifest", manifest), ("index", index),
                   ("manifest.json", json.dumps([{"Config": "a.json", "RepoTags": ["a:b"], "Layers": ["l.tar"], "LayerSources": {}}]).encode()), ("null", b"null")]:
    write("json_models", name, data)
for name, text in [("digest", "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"), ("reference", "docker.io/library/nginx:1.25@sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"),
                   ("registry", "localhost:5000/a/b_c/d-e:v1.2"), ("platform", "linux/arm64/v8"), ("path", "/a/./b/../../../c//d")]:
    write("digest_parse", name, text.encode())
