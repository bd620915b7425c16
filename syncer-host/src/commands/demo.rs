//! demo placeholder
pub async fn demo(_db: &std::path::Path, _users: usize) -> Result<(), crate::Failure> { Ok(()) }
