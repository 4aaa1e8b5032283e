//! Running a case and the oracle of reliability.md §4.4: no panic; after a refusal the store is
//! exactly as it was and no import is left running; after an acceptance every stored entry stays
//! inside the root and every image's blobs and layers exist.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use layerwise_core::fs::check_entry;
use layerwise_core::store::{BlobRecord, ImageRecord, ImportState, LayerRecord, MemoryStore, Store};

use super::{Case, Category, Expect};
use crate::common::{generated, import_bytes, import_platform};

/// What running a case gave.
pub(super) struct Outcome {
    pub(super) name: String,
    source: &'static str,
    /// The case met its expectation and the oracle.
    ok: bool,
    panicked: bool,
    /// The import returned an error.
    pub(super) refused: bool,
    expected_refusal: bool,
    /// Images left half-written, store changes after a refusal, imports left running.
    partial: usize,
    /// Stored entries outside the image root.
    outside_root: usize,
    elapsed: Duration,
    pub(super) detail: String,
    /// The IDs of the images an accepted case imported.
    pub(super) ids: Vec<String>,
}

/// The store every case starts from: one good image imported.
fn baseline() -> MemoryStore {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BASE.get_or_init(|| std::fs::read(generated().join("base.docker.tar")).expect("base.docker.tar")).clone();
    let store = MemoryStore::new();
    import_bytes(&store, bytes, "base.docker.tar").expect("the baseline image imports");
    store
}

/// What a refused import must leave exactly as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    blobs: Vec<BlobRecord>,
    images: Vec<ImageRecord>,
    layers: Vec<LayerRecord>,
}

fn snapshot(store: &MemoryStore) -> Snapshot {
    futures::executor::block_on(async {
        let mut layers = Vec::new();
        for id in store.layer_ids().await.expect("layer ids") {
            layers.extend(store.layer(&id).await.expect("layer"));
        }
        Snapshot { blobs: store.blobs().await.expect("blobs"), images: store.images().await.expect("images"), layers }
    })
}

fn running_imports(store: &MemoryStore) -> usize {
    let imports = futures::executor::block_on(store.imports()).expect("imports");
    imports.iter().filter(|i| matches!(i.state, ImportState::Started | ImportState::Verified)).count()
}

/// Images whose blobs or layer records are missing.
fn partial_images(store: &MemoryStore) -> usize {
    futures::executor::block_on(async {
        let mut partial = 0;
        for image in store.images().await.expect("images") {
            let mut whole = true;
            for d in image.blobs() {
                whole &= store.blob(d).await.expect("blob").is_some();
            }
            for l in &image.layers {
                whole &= store.layer(&l.diff_id).await.expect("layer").is_some();
            }
            partial += usize::from(!whole);
        }
        partial
    })
}

/// Stored layer entries that `check_entry` refuses.
fn entries_outside_root(snapshot: &Snapshot) -> usize {
    snapshot.layers.iter().flat_map(|l| &l.entries).filter(|e| check_entry(e).is_err()).count()
}

fn run(case: &Case) -> Outcome {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| judge(case)));
    let elapsed = start.elapsed();
    let mut outcome = match result {
        Ok(outcome) => outcome,
        Err(panic) => {
            let message = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned())).unwrap_or_default();
            Outcome {
                name: case.name.clone(),
                source: case.source,
                ok: false,
                panicked: true,
                refused: false,
                expected_refusal: matches!(case.expect, Expect::Refused(..)),
                partial: 0,
                outside_root: 0,
                elapsed,
                detail: format!("PANIC: {message}"),
                ids: Vec::new(),
            }
        }
    };
    outcome.elapsed = elapsed;
    if let Some(budget) = case.budget.filter(|b| elapsed > *b) {
        outcome.ok = false;
        outcome.detail.push_str(&format!(" [took {} ms, over its budget of {} ms]", elapsed.as_millis(), budget.as_millis()));
    }
    outcome
}

/// Imports the case into a baseline store and checks its expectation and the oracle.
fn judge(case: &Case) -> Outcome {
    let store = baseline();
    let before = snapshot(&store);
    let result = import_platform(&store, case.archive.clone(), &case.name, case.platform.clone());
    let after = snapshot(&store);
    let mut problems = Vec::new();
    let (expected_refusal, mut ok, detail) = match (&case.expect, &result) {
        (Expect::Refused(pred, says), Err(e)) => {
            let message = e.to_string();
            let right = pred(e) && message.contains(says);
            if !right {
                problems.push(format!("expected an error saying `{says}`"));
            }
            (true, right, format!("refused: {message}"))
        }
        (Expect::Refused(_, says), Ok(imported)) => {
            problems.push(format!("expected an error saying `{says}`"));
            (true, false, format!("accepted {:?}", imported.iter().map(|i| i.id.short()).collect::<Vec<_>>()))
        }
        (Expect::Accepted(pred, what), Ok(imported)) => {
            let right = pred(&store, imported);
            if !right {
                problems.push(format!("accepted, but not: {what}"));
            }
            (false, right, format!("accepted: {what}"))
        }
        (Expect::Accepted(_, what), Err(e)) => {
            problems.push(format!("expected acceptance: {what}"));
            (false, false, format!("refused: {e}"))
        }
    };
    let mut partial = running_imports(&store) + partial_images(&store);
    if result.is_err() && after != before {
        partial += 1;
        problems.push("the refused import changed the store".to_owned());
    }
    let outside_root = entries_outside_root(&after);
    if partial > 0 || outside_root > 0 {
        ok = false;
        problems.push(format!("oracle: {partial} partial, {outside_root} entries outside the root"));
    }
    let detail = if problems.is_empty() { detail } else { format!("{detail} [{}]", problems.join("; ")) };
    Outcome {
        name: case.name.clone(),
        source: case.source,
        ok,
        panicked: false,
        refused: result.is_err(),
        expected_refusal,
        partial,
        outside_root,
        elapsed: Duration::ZERO,
        detail,
        ids: result.iter().flatten().map(|i| i.id.to_string()).collect(),
    }
}

/// The outcomes of a category's cases, run once per test binary.
pub(super) fn results(category: Category) -> &'static [Outcome] {
    static CELLS: [OnceLock<Vec<Outcome>>; 7] = [const { OnceLock::new() }; 7];
    let index = Category::ALL.iter().position(|c| *c == category).expect("a category");
    CELLS[index].get_or_init(|| {
        // The fixtures are made once, before any case is timed.
        drop(baseline());
        let cases = category.cases();
        assert!(cases.iter().all(|c| c.category == category), "a case is filed under the wrong category");
        cases.iter().map(run).collect()
    })
}

fn line(o: &Outcome) -> String {
    let mark = match (o.ok, o.panicked) {
        (_, true) => "PANIC",
        (true, _) => "ok",
        (false, _) => "FAIL",
    };
    let shown: String = o.detail.chars().flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect();
    format!("{mark:6} {:<58} {:>5} ms  {shown}  [{}]", o.name, o.elapsed.as_millis(), o.source)
}

/// Runs a category, prints a line per case, fails listing the cases that broke expectations.
pub(super) fn check_category(category: Category) {
    let outcomes = results(category);
    println!("--- {} ({} cases)", category.label(), outcomes.len());
    for o in outcomes {
        println!("{}", line(o));
    }
    let broken: Vec<String> = outcomes.iter().filter(|o| !o.ok || o.panicked).map(line).collect();
    assert!(broken.is_empty(), "{} of {} {} cases broke expectations:\n{}", broken.len(), outcomes.len(), category.label(), broken.join("\n"));
}

/// Counts per category and the figures of reliability.md §4.5.
pub(super) fn print_totals() {
    let all: Vec<(Category, &[Outcome])> = Category::ALL.iter().map(|c| (*c, results(*c))).collect();
    let count = |c: Category| all.iter().find(|(k, _)| *k == c).map_or(0, |(_, o)| o.len());
    for c in Category::ALL {
        assert!(count(c) >= c.minimum(), "{} has {} cases, fewer than {}", c.label(), count(c), c.minimum());
    }
    let outcomes: Vec<&Outcome> = all.iter().flat_map(|(_, o)| o.iter()).collect();
    let hand: usize = Category::ALL.iter().filter(|c| **c != Category::Mutations).map(|c| count(*c)).sum();
    let per_category: Vec<String> =
        Category::ALL.iter().filter(|c| **c != Category::Mutations).map(|c| format!("{} {}", c.label(), count(*c))).collect();
    let mutations = results(Category::Mutations);
    let kinds = ["flip", "append", "truncate", "recompress", "swap", "drop", "duplicate"];
    let per_kind: Vec<String> =
        kinds.iter().map(|k| format!("{k} {}", mutations.iter().filter(|o| o.name.split('/').nth(2) == Some(*k)).count())).collect();
    let counted = |refused: bool| {
        let expected: Vec<&&Outcome> = outcomes.iter().filter(|o| o.expected_refusal == refused).collect();
        let met = expected.iter().filter(|o| o.ok && o.refused == refused).count();
        (met, expected.len())
    };
    let (refused_ok, refused_all) = counted(true);
    let (accepted_ok, accepted_all) = counted(false);
    let panics = outcomes.iter().filter(|o| o.panicked).count();
    let hangs = outcomes.iter().filter(|o| o.elapsed > Duration::from_secs(10)).count();
    let partial: usize = outcomes.iter().map(|o| o.partial).sum();
    let outside: usize = outcomes.iter().map(|o| o.outside_root).sum();
    let slowest = outcomes.iter().max_by_key(|o| o.elapsed).map(|o| format!("{} ({} ms)", o.name, o.elapsed.as_millis())).unwrap_or_default();
    let total: Duration = outcomes.iter().map(|o| o.elapsed).sum();
    println!("Bad-input corpus:      N_fixtures={hand}  ({})", per_category.join(", "));
    println!("Mutations of real images: M={}  ({})", mutations.len(), per_kind.join(", "));
    println!("Outcomes:              errors-as-expected {refused_ok}/{refused_all}, accepted-as-expected {accepted_ok}/{accepted_all}");
    println!("Panics / traps:        {panics}");
    println!("Hangs (> 10 s/case):   {hangs}");
    let refusals = outcomes.iter().filter(|o| o.refused).count();
    println!("Partial images left:   {partial}   (after {refusals} refused imports, each into a store holding one image)");
    println!("Entries outside image root: {outside}");
    println!("Time:                  {} ms over {} cases (slowest: {slowest})", total.as_millis(), outcomes.len());
    assert_eq!((refused_ok, accepted_ok), (refused_all, accepted_all), "cases broke expectations (see the category tests)");
    assert_eq!(panics, 0, "panics");
    assert_eq!(partial, 0, "partial state left");
    assert_eq!(outside, 0, "entries outside the root");
}
