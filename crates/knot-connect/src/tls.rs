//! One TLS context for every HTTP client of the process.
//!
//! A reqwest client that builds its own native-tls connector reads and parses the
//! system's CA certificates as it is built, and OpenSSL 3 keeps them as a few MB of heap
//! per context. `knot serve` on a supergraph built two clients (the subgraphs' and the
//! empty workspace's): about 3 MB of its idle memory was certificates, twice. Every client
//! is built from [`http_client_builder`], which hands reqwest one connector made once; the
//! clients keep their own connection pools.

use std::sync::OnceLock;

/// A `reqwest::ClientBuilder` that uses the process's one TLS connector. When that
/// connector cannot be made (no readable CA store), reqwest makes its own and reports its
/// own error from `build()`.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    match shared_tls() {
        Some(tls) => builder.tls_backend_preconfigured(tls),
        None => builder,
    }
}

fn shared_tls() -> Option<native_tls::TlsConnector> {
    static TLS: OnceLock<Option<native_tls::TlsConnector>> = OnceLock::new();
    TLS.get_or_init(|| {
        let mut builder = native_tls::TlsConnector::builder();
        // What reqwest offers when it builds the connector itself (HTTP/2 is enabled).
        builder.request_alpns(&["h2", "http/1.1"]);
        builder.build().ok()
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[tokio::test]
    async fn clients_built_on_the_shared_connector_build_and_speak_tls() {
        // reqwest accepts a preconfigured connector only of the native-tls version it was
        // built with; a version skew makes `build()` fail with "Unknown TLS backend".
        assert!(
            shared_tls().is_some(),
            "the CA store of this machine is readable"
        );
        let client = http_client_builder().build().expect("the client builds");

        // A loopback server that reads the first bytes and closes: the client's first
        // bytes are a TLS ClientHello (record type 22, handshake), so the shared connector
        // is the one in use.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("address").port();
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("accepts");
            let mut first = [0u8; 1];
            socket.read_exact(&mut first).expect("reads");
            let _ = socket.write_all(b"not tls");
            first[0]
        });
        let result = client
            .get(format!("https://127.0.0.1:{port}/"))
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await;
        assert!(result.is_err(), "a server that is not TLS gives an error");
        assert_eq!(
            server.join().expect("server thread"),
            22,
            "a TLS handshake record"
        );
    }
}
