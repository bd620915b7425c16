//! The simulator exercised over real HTTP on 127.0.0.1, as a DingTalk client would use it.

mod client;
mod directory;
mod faults;
mod quota;
mod stream;
mod tokens;
