//! Generates the Products gRPC client from proto/products.proto (protox: no protoc needed).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    println!(
        "cargo:rerun-if-changed={}",
        proto_dir.join("products.proto").display()
    );
    let fds = protox::compile(["products.proto"], [&proto_dir])?;
    tonic_prost_build::configure()
        .build_server(false)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
