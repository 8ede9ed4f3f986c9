//! The `labelcheck` binary: parse the flags, run, exit with the outcome.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match labelcheck::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match labelcheck::app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            labelcheck::log::line(e);
            ExitCode::from(2)
        }
    }
}
