//! The client against a front that misbehaves the ways registries do: rate limits, 5xx, cut
//! connections, a Range it ignores, wrong bytes, token auth. Each pull either succeeds with the
//! right image or fails leaving the store as it was.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use layerwise_core::archive::PlatformChoice;
use layerwise_core::store::{MemoryStore, Store};
use layerwise_registry::auth::Credentials;
use layerwise_registry::client::MAX_ATTEMPTS;
use layerwise_registry::pull::{LayerStatus, PullEvent};
use layerwise_registry::{Client, Mode};

use crate::common::{block_on, front, seeded, Faults, Native};
use crate::pull::pull_into;

fn client() -> Client<Native> {
    Client::new(Native::default(), Mode::Direct { insecure: Vec::new() })
}

#[test]
fn rate_limits_and_server_errors_are_retried_as_retry_after_says() {
    let registry = seeded();
    let faults = Arc::new(Faults::default());
    let host = front(&registry.host(), faults.clone());
    faults.rate_limited.store(2, Ordering::SeqCst);
    let client = client();
    let store = MemoryStore::new();
    pull_into(&client, &store, &format!("{host}/test/app:1"), PlatformChoice::Default).0.expect("pull after two 429s");
    assert_eq!(client.transport().slept_ms.lock().expect("lock")[..2], [2000, 2000], "Retry-After: 2 honoured");

    faults.server_errors.store(MAX_ATTEMPTS, Ordering::SeqCst);
    let err = pull_into(&client, &MemoryStore::new(), &format!("{host}/test/base:1"), PlatformChoice::Default).0.expect_err("500 every time");
    assert!(err.to_string().contains("500"), "{err}");
}

#[test]
fn a_cut_download_resumes_with_a_range_request() {
    let registry = seeded();
    let faults = Arc::new(Faults::default());
    let host = front(&registry.host(), faults.clone());
    faults.cut_blob.store(true, Ordering::SeqCst);
    let store = MemoryStore::new();
    let (result, events) = pull_into(&client(), &store, &format!("{host}/test/oci:1"), PlatformChoice::Default);
    result.expect("pull resumed");
    assert!(events.iter().any(|e| matches!(e, PullEvent::Layer { status: LayerStatus::Resuming { attempt: 1 }, .. })), "{events:?} {:?}", faults.seen.lock().expect("lock"));
    let seen = faults.seen.lock().expect("lock");
    assert!(seen.iter().any(|(_, path, range, _)| path.contains("/blobs/") && range.as_deref().is_some_and(|r| r.starts_with("bytes=") && r != "bytes=0-")), "a Range request: {seen:?}");

    // A registry that ignores Range: the layer starts again and still verifies.
    faults.cut_blob.store(true, Ordering::SeqCst);
    faults.ignore_range.store(true, Ordering::SeqCst);
    drop(seen);
    let store = MemoryStore::new();
    pull_into(&client(), &store, &format!("{host}/test/oci:1"), PlatformChoice::Default).0.expect("pull restarted");
    assert_eq!(block_on(store.images()).expect("images").len(), 1);
}

#[test]
fn wrong_bytes_store_nothing_and_keep_what_was_there() {
    let registry = seeded();
    let faults = Arc::new(Faults::default());
    let host = front(&registry.host(), faults.clone());
    let store = MemoryStore::new();
    pull_into(&client(), &store, &format!("{host}/test/base:1"), PlatformChoice::Default).0.expect("a good pull first");
    let blobs_before = block_on(store.blobs()).expect("blobs");
    faults.corrupt_blobs.store(true, Ordering::SeqCst);
    let err = pull_into(&client(), &store, &format!("{host}/test/oci:1"), PlatformChoice::Default).0.expect_err("corrupt");
    assert!(err.to_string().contains("digest mismatch") || err.to_string().contains("not valid gzip"), "{err}");
    assert_eq!(block_on(store.images()).expect("images").len(), 1, "the earlier image is still there");
    assert_eq!(block_on(store.blobs()).expect("blobs"), blobs_before, "no blob of the failed pull is left");
}

#[test]
fn token_auth_with_and_without_credentials() {
    let registry = seeded();
    let faults = Arc::new(Faults::default());
    let host = front(&registry.host(), faults.clone());
    *faults.token.lock().expect("lock") = Some("t0k3n".into());
    let store = MemoryStore::new();
    pull_into(&client(), &store, &format!("{host}/test/app:1"), PlatformChoice::Default).0.expect("anonymous token");
    let seen = faults.seen.lock().expect("lock").clone();
    assert!(seen.iter().any(|(_, path, _, _)| path.starts_with("/token?service=front&scope=repository:test/app:pull")), "{seen:?}");
    assert!(seen.iter().filter(|(_, p, _, _)| p.contains("/blobs/")).all(|(_, _, _, auth)| auth.as_deref() == Some("Bearer t0k3n")));

    // A token server that wants credentials: refused without, granted with.
    *faults.basic.lock().expect("lock") = Some("dXNlcjpwYXNz".into());
    let err = pull_into(&client(), &MemoryStore::new(), &format!("{host}/test/base:1"), PlatformChoice::Default).0.expect_err("no credentials");
    assert!(err.to_string().contains("access denied for repository:test/base:pull"), "{err}");
    let with = client();
    with.login(&host, Credentials { username: "user".into(), password: "pass".into() });
    pull_into(&with, &MemoryStore::new(), &format!("{host}/test/base:1"), PlatformChoice::Default).0.expect("with credentials");
}
