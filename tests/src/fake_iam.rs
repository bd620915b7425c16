//! Fake Hanzo IAM (being written).
