//! Writes N rows (default 100,000,000) of three label columns into ONE row group, streamed a
//! million rows at a time so writing takes little memory: the file that shows memory
//! following the decoding window rather than the row group (docs/PERFORMANCE.md).
//!
//! `cargo run --release --example one_row_group -- OUT.parquet [ROWS]`

use std::fs::File;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: one_row_group OUT.parquet [ROWS]");
    let rows: usize = args
        .next()
        .map_or(100_000_000, |n| n.parse().expect("ROWS"));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(None)
        .set_max_row_group_bytes(None)
        .build();
    let file = File::create(&out).expect("OUT can be created");
    let mut writer: Option<ArrowWriter<File>> = None;
    let mut file = Some(file);
    // xorshift: deterministic without a dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let classes = ["cat", "dog", "bird", "fish", "horse"];
    let mut done = 0;
    while done < rows {
        let n = (rows - done).min(1 << 20);
        let mut label_bool = Vec::with_capacity(n);
        let mut label_i32 = Vec::with_capacity(n);
        let mut label_str = Vec::with_capacity(n);
        for _ in 0..n {
            let r = next();
            label_bool.push((r % 100 != 0).then_some(r % 10 < 3));
            label_i32.push(((r >> 8) % 100 != 0).then_some(((r >> 16) % 10) as i32));
            label_str.push(Some(classes[((r >> 24) % 5) as usize]));
        }
        let batch = RecordBatch::try_from_iter([
            (
                "label_bool",
                Arc::new(BooleanArray::from(label_bool)) as ArrayRef,
            ),
            (
                "label_i32",
                Arc::new(Int32Array::from(label_i32)) as ArrayRef,
            ),
            (
                "label_str",
                Arc::new(StringArray::from(label_str)) as ArrayRef,
            ),
        ])
        .expect("the batch is well-formed");
        let writer = writer.get_or_insert_with(|| {
            ArrowWriter::try_new(
                file.take().unwrap(),
                batch.schema(),
                Some(properties.clone()),
            )
            .expect("the writer starts")
        });
        writer.write(&batch).expect("the batch is written");
        done += n;
    }
    writer
        .expect("at least one row")
        .close()
        .expect("the file is finished");
    println!("wrote {out}: {rows} rows in one row group");
}
