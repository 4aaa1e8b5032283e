//! The built app as the server sends it: a precompressed file to a browser that accepts its
//! encoding, the file itself otherwise.

use layerwise_server::static_files;

#[tokio::test(flavor = "multi_thread")]
async fn precompressed_files_go_to_browsers_that_accept_them() {
    let dist = std::env::temp_dir().join(format!("layerwise-static-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<title>Layerwise</title>").unwrap();
    std::fs::write(dist.join("app.wasm"), b"\0asm raw bytes").unwrap();
    std::fs::write(dist.join("app.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.join("app.wasm.gz"), b"gzip bytes").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = static_files::router(&dist);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let get = |encoding: &'static str| {
        let request = client.get(format!("{base}/app.wasm"));
        async move {
            let request = if encoding.is_empty() { request } else { request.header("accept-encoding", encoding) };
            let response = request.send().await.unwrap();
            let served = response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
            (served, kind, response.bytes().await.unwrap().to_vec())
        }
    };
    assert_eq!(get("br, gzip").await, (Some("br".to_owned()), "application/wasm".to_owned(), b"brotli bytes".to_vec()));
    assert_eq!(get("gzip").await, (Some("gzip".to_owned()), "application/wasm".to_owned(), b"gzip bytes".to_vec()));
    assert_eq!(get("").await, (None, "application/wasm".to_owned(), b"\0asm raw bytes".to_vec()));
    let _ = std::fs::remove_dir_all(&dist);
}
