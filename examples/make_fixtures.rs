//! Writes the demo file shipped in fixtures/: `cargo run --example make_fixtures`.

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo.parquet");
    let spec = fixtures::Spec {
        rows: 5000,
        row_group_rows: 2000,
        page_rows: 333,
        ..fixtures::Spec::default()
    };
    fixtures::write_labels(&path, &spec);
    println!("wrote {}", path.display());
}
