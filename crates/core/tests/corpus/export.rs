//! The corpus for the browser: every case's archive and what it must give, written where the
//! end-to-end suite imports each through the page (`tests/e2e/corpus.test.js`), so the readers
//! are judged in the wasm build, in each browser, against the same expectations as natively.
//!
//! `LAYERWISE_CORPUS_EXPORT=DIR` names the folder (a temporary one otherwise). It gets
//! `NNNN.tar` per case and `cases.json`: for each case its name, file, platform (as the page's
//! platform choice spells it), and either the fragment its refusal must say or the image IDs the
//! native import gave.

use layerwise_core::archive::PlatformChoice;
use serde_json::{json, Value};

use super::oracle::results;
use super::{Category, Expect};

/// The platform choice as the page's picker (and `PlatformChoice::parse`) spells it.
fn spelled(choice: &PlatformChoice) -> String {
    match choice {
        PlatformChoice::Default => String::new(),
        PlatformChoice::All => "all".to_owned(),
        PlatformChoice::Only(p) => [Some(p.os.as_str()), Some(p.architecture.as_str()), p.variant.as_deref()].into_iter().flatten().collect::<Vec<_>>().join("/"),
    }
}

#[test]
fn corpus_export_for_the_browser() {
    let dir = std::env::var_os("LAYERWISE_CORPUS_EXPORT")
        .map_or_else(|| std::env::temp_dir().join(format!("layerwise-corpus-export-{}", std::process::id())), Into::into);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the export folder");
    let mut manifest = Vec::new();
    for category in Category::ALL {
        // The cases are made again (the outcomes keep no archives), in the same order.
        let outcomes = results(category);
        let cases = category.cases();
        assert_eq!(cases.len(), outcomes.len(), "{}", category.label());
        for (case, outcome) in cases.iter().zip(outcomes) {
            assert_eq!(case.name, outcome.name);
            let file = format!("{:04}.tar", manifest.len());
            std::fs::write(dir.join(&file), &case.archive).expect("write a case");
            let expect = match &case.expect {
                Expect::Refused(_, says) => json!({ "refused": says }),
                Expect::Accepted(..) => json!({ "accepted": outcome.ids }),
            };
            manifest.push(json!({ "name": case.name, "file": file, "platform": spelled(&case.platform), "expect": expect }));
        }
    }
    let text = serde_json::to_string_pretty(&manifest).expect("json");
    std::fs::write(dir.join("cases.json"), &text).expect("write cases.json");
    let read: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).expect("read back")).expect("parse back");
    assert_eq!(read.len(), manifest.len());
    assert!(read.iter().all(|c| dir.join(c["file"].as_str().unwrap_or("")).is_file()));
    println!("{} cases written to {}", read.len(), dir.display());
    if std::env::var_os("LAYERWISE_CORPUS_EXPORT").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
