//! What the program prints for its user, written so that a reader that went away (`runs NAME
//! | head -1`, a closed pipe) ends the printing, not the program: a failed write to standard
//! output is dropped, where `println!` would panic in the middle of a command whose work (a
//! sync, a revert) is already recorded.

use std::fmt;
use std::io::Write;

/// Writes `text` to standard output; a write that fails (the reader is gone) is dropped.
pub fn write(text: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(text).and_then(|()| out.flush());
}

/// `print!` that survives a closed standard output (see [`crate::stdout`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!($($arg)*))
    };
}

/// `println!` that survives a closed standard output (see [`crate::stdout`]).
macro_rules! sayln {
    () => {
        $crate::stdout::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {say, sayln};
