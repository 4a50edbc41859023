//! The proxy layer (written next).
