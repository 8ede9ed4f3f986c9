//! Writes the files that show whether labelcheck's work grows linearly with a file's shape
//! (docs/PERFORMANCE.md, "Linear work"): many columns, many row groups, many pages whose
//! headers carry large statistics. They are large, so they go where the caller says (under
//! /tmp or target/), never into the repository.
//!
//!     cargo run --release --example make_scale_files -- columns 100000 /tmp/scale/columns-100k.parquet
//!     cargo run --release --example make_scale_files -- row-groups 1000000 /tmp/scale/rg-1m.parquet
//!     cargo run --release --example make_scale_files -- big-headers 2000 /tmp/scale/headers-2k.parquet
//!
//! `columns N`: one row group of one row, N INT32 columns `f0000000`…, one of them (the middle
//! one) named `label`. `row-groups N`: one INT32 column `label`, N row groups of one row each.
//! `big-headers N`: one BYTE_ARRAY column `label`, one row group of N pages of one row each;
//! every value is 40,000 bytes, and page header statistics (min and max, untruncated) make
//! each page header about 80 KB, above the 64 KiB the page-header screen used to read.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, Encoding, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// Bytes of every value in the `big-headers` file: min and max of a one-row page are both
/// the value, so its header holds twice this.
const BIG_VALUE_BYTES: usize = 40_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, count, path] = args.as_slice() else {
        eprintln!("usage: make_scale_files columns|row-groups|big-headers COUNT OUTPUT");
        std::process::exit(2);
    };
    let count: usize = count.parse().unwrap_or_else(|_| {
        eprintln!("make_scale_files: COUNT {count:?} is not a number");
        std::process::exit(2)
    });
    let path = Path::new(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the output directory");
    }
    match kind.as_str() {
        "columns" => columns(count, path),
        "row-groups" => row_groups(count, path),
        "big-headers" => big_headers(count, path),
        other => {
            eprintln!("make_scale_files: unknown kind {other:?}");
            std::process::exit(2);
        }
    }
    println!("wrote {}", path.display());
}

fn schema(fields: Vec<Type>) -> Arc<Type> {
    let fields = fields.into_iter().map(Arc::new).collect();
    Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .expect("schema"),
    )
}

fn column(name: &str, physical: Physical) -> Type {
    Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::REQUIRED)
        .build()
        .expect("column type")
}

fn columns(count: usize, path: &Path) {
    let label_at = count / 2;
    let fields = (0..count)
        .map(|i| {
            let name = if i == label_at {
                "label".to_owned()
            } else {
                format!("f{i:07}")
            };
            column(&name, Physical::INT32)
        })
        .collect();
    let props = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_dictionary_enabled(false)
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let file = File::create(path).expect("create the output");
    let mut writer =
        SerializedFileWriter::new(file, schema(fields), Arc::new(props)).expect("writer");
    let mut row_group = writer.next_row_group().expect("row group");
    let mut value = 0;
    while let Some(mut column) = row_group.next_column().expect("column") {
        column
            .typed::<Int32Type>()
            .write_batch(&[value], None, None)
            .expect("write");
        column.close().expect("close column");
        value += 1;
    }
    row_group.close().expect("close row group");
    writer.close().expect("close file");
}

fn row_groups(count: usize, path: &Path) {
    let props = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_dictionary_enabled(false)
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let file = File::create(path).expect("create the output");
    let mut writer = SerializedFileWriter::new(
        file,
        schema(vec![column("label", Physical::INT32)]),
        Arc::new(props),
    )
    .expect("writer");
    for group in 0..count {
        let mut row_group = writer.next_row_group().expect("row group");
        let mut column = row_group
            .next_column()
            .expect("column")
            .expect("one column");
        column
            .typed::<Int32Type>()
            .write_batch(&[(group % 7) as i32], None, None)
            .expect("write");
        column.close().expect("close column");
        row_group.close().expect("close row group");
    }
    writer.close().expect("close file");
}

fn big_headers(count: usize, path: &Path) {
    let props = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_write_page_header_statistics(true)
        .set_statistics_truncate_length(None)
        .set_dictionary_enabled(false)
        .set_encoding(Encoding::PLAIN)
        .set_compression(Compression::UNCOMPRESSED)
        .set_data_page_row_count_limit(1)
        .set_write_batch_size(1)
        .build();
    let file = File::create(path).expect("create the output");
    let mut writer = SerializedFileWriter::new(
        file,
        schema(vec![column("label", Physical::BYTE_ARRAY)]),
        Arc::new(props),
    )
    .expect("writer");
    let mut row_group = writer.next_row_group().expect("row group");
    let mut column = row_group
        .next_column()
        .expect("column")
        .expect("one column");
    let writer_of = column.typed::<ByteArrayType>();
    for page in 0..count {
        // Values differ per page so no two pages are alike.
        let mut value = vec![b'a' + (page % 26) as u8; BIG_VALUE_BYTES];
        value[..8].copy_from_slice(&(page as u64).to_be_bytes());
        writer_of
            .write_batch(&[ByteArray::from(value)], None, None)
            .expect("write");
    }
    column.close().expect("close column");
    row_group.close().expect("close row group");
    writer.close().expect("close file");
}
