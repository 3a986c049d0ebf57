//! The `orgctl` binary: everything happens in `orgctl::cli::run`.
fn main() -> std::process::ExitCode {
    orgctl::cli::run()
}
