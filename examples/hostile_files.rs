//! Writes the hostile files of docs/RELIABILITY.md ("Resource policy") into a directory, to
//! measure what checking them costs: `cargo run --release --example hostile_files -- DIR`.

#[path = "../tests/common/craft.rs"]
mod craft;
#[path = "../tests/common/hostile.rs"]
mod hostile;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: hostile_files DIR"));
    std::fs::create_dir_all(&dir).expect("the directory can be made");
    let mut files = vec![
        (
            "amplified-134m.parquet".to_owned(),
            hostile::amplified_file(8),
        ),
        (
            "dictionary-2g.parquet".to_owned(),
            hostile::dictionary_claim_file(i32::MAX),
        ),
        (
            "deep-schema.parquet".to_owned(),
            hostile::deep_schema_file(5000),
        ),
    ];
    files.extend(
        hostile::bomb_files()
            .into_iter()
            .map(|(codec, bytes)| (format!("{codec}-bomb.parquet"), bytes)),
    );
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).expect("the file can be written");
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
}
