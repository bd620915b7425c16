//! DingTalk simulator (being written).
