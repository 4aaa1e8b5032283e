//! The corpus judged by the real daemon (dockerd 20.10, classic store): every case it loads, we
//! accept. Where it refuses and we accept, we read more than it does (OCI layouts, which docker
//! loads from 25 on; the matrix printed says how many).

use layerwise_testkit::Daemon;

use super::oracle::results;
use super::Category;

/// Cases the daemon loads and we refuse on purpose, each with the reason (RELIABILITY.md,
/// "Policy where trusted tools disagree").
const ON_PURPOSE: [(&str, &str); 3] = [
    ("archive/manifest_too_big", "a page holds what it parses: 4 MiB per JSON document"),
    ("json/config_too_big", "a page holds what it parses: 4 MiB per JSON document"),
    ("compression/whole_gzip_too_much_metadata", "a compressed archive's JSON is kept while it streams: 64 MiB at most"),
];

/// Cases not sent to the daemon, with the reason.
const NOT_SENT: [(&str, &str); 1] = [("archive/legacy_parent_loop", "dockerd's legacyLoadImage recurses into a parent loop without end")];

#[test]
fn corpus_cases_the_daemon_loads_we_accept() {
    let d = Daemon::shared();
    let dir = std::env::temp_dir().join(format!("layerwise-corpus-daemon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut disagree = Vec::new();
    let mut matrix = [[0usize; 2]; 2];
    d.reset().unwrap();
    for category in Category::ALL {
        let outcomes = results(category);
        for case in category.cases().into_iter().filter(|c| !NOT_SENT.iter().any(|(n, _)| *n == c.name)) {
            let outcome = outcomes.iter().find(|o| o.name == case.name).expect("the case's outcome");
            let path = dir.join("case.tar");
            std::fs::write(&path, &case.archive).unwrap();
            let out = d.docker_output(&["load", "-i", &path.display().to_string()], None).unwrap();
            let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            // What it holds now tells what it loaded (its pre-1.10 loader prints nothing).
            let listed = d.docker(&["images", "-aq"]).unwrap();
            let loaded = out.status.success() && !listed.trim().is_empty();
            matrix[usize::from(loaded)][usize::from(!outcome.refused)] += 1;
            // It loads nothing and says nothing; we say so.
            if out.status.success() && !loaded && !outcome.detail.contains("holds no images") {
                disagree.push(format!("{}: the daemon loads nothing, we: {}", case.name, outcome.detail));
            }
            if loaded && outcome.refused && !ON_PURPOSE.iter().any(|(n, _)| *n == case.name) {
                disagree.push(format!("{}: the daemon loads it ({said}), we refuse: {}", case.name, outcome.detail));
            }
            // A refused load may leave images too (the pre-1.10 loader stops part way).
            if !listed.trim().is_empty() {
                d.reset().unwrap();
            }
        }
    }
    println!("daemon loads / we accept: {}; daemon loads / we refuse: {}; daemon refuses / we accept: {}; both refuse: {}", matrix[1][1], matrix[1][0], matrix[0][1], matrix[0][0]);
    assert!(disagree.is_empty(), "{} cases the daemon loads are refused:\n{}", disagree.len(), disagree.join("\n"));
}
