//! Times one decode path alone over the chosen columns, the way `labelcheck diff` schedules
//! it (rayon over every (row group, column) chunk), so the floor each path sets can be set
//! beside the whole check. For docs/PERFORMANCE.md.
//!
//! usage: cargo run --release --example path_alone -- FILE COLUMNS arrow|raw|both [THREADS]

use std::sync::Arc;
use std::time::Instant;

use labelcheck::arrow_path::ArrowFile;
use labelcheck::columns::{choose, ColumnChoice};
use labelcheck::decode::ColumnDecoder;
use labelcheck::decode::DecodeOptions;
use labelcheck::raw::RawFile;
use labelcheck::source::LocalFile;
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, columns, path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: path_alone FILE COLUMNS arrow|raw|both [THREADS]");
        std::process::exit(2);
    };
    let threads = rest
        .first()
        .map_or(0, |t| t.parse().expect("THREADS is a number"));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("thread pool");

    let started = Instant::now();
    let source = Arc::new(LocalFile::open(file.as_ref()).expect("the file opens"));
    let raw = RawFile::open(source.clone(), DecodeOptions::default()).expect("raw footer");
    let arrow = ArrowFile::open(source).expect("arrow footer");
    let names = columns.split(',').map(str::to_owned).collect();
    let (chosen, _) = choose(raw.leaves(), &ColumnChoice::Named(names)).expect("columns");
    let decoders: Vec<&dyn ColumnDecoder> = match path.as_str() {
        "arrow" => vec![&arrow],
        "raw" => vec![&raw],
        "both" => vec![&arrow, &raw],
        other => panic!("path is arrow, raw or both, not {other}"),
    };
    let tasks: Vec<(usize, usize, &dyn ColumnDecoder)> = (0..raw.metadata().row_groups.len())
        .flat_map(|rg| chosen.iter().map(move |c| (rg, c.leaf)))
        .flat_map(|(rg, leaf)| decoders.iter().map(move |&d| (rg, leaf, d)))
        .collect();
    let rows: usize = tasks
        .par_iter()
        .map(|&(rg, leaf, decoder)| decoder.decode(rg, leaf).expect("decodes").slice.rows)
        .sum();
    println!(
        "{path}: {rows} rows in {:.3} s on {} threads",
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
}
