//! The `syncer-host` binary; everything lives in the library.

fn main() -> std::process::ExitCode {
    syncer_host::main()
}
