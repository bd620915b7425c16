//! The `syncer-host` program, built inside the test crate so integration tests can run it as a
//! real process (`CARGO_BIN_EXE_syncer-host-under-test`): same `main`, same exit codes.

fn main() -> std::process::ExitCode {
    syncer_host::main()
}
