//! The web worker that imports archives (see `layerwise::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    layerwise::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs in a browser: build it with trunk");
}
