//! The Layerwise page.

#[cfg(target_arch = "wasm32")]
fn main() {
    // A panic ends in a trap that leaves this instance unusable: the hook logs it and leaves its
    // message in `layerwisePanic`, which the page's fault notice (index.html) shows.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let _ = js_sys::Reflect::set(&js_sys::global(), &"layerwisePanic".into(), &info.to_string().into());
    }));
    yew::Renderer::<layerwise::app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page runs in a browser: `cargo xtask serve` builds and serves it");
}
