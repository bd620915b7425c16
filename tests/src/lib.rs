//! Fake servers and helpers for the workspace's integration tests.
//!
//! The fakes are written from `../shared/reference/`, not from our clients: a client that passes
//! against them should pass against the real servers.

pub mod fake_iam;
