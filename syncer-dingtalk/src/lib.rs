//! DingTalk backend (being written).
