//! syncer core (being written).
