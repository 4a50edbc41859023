//! CSDL JSON 4.01: reader and writer.
//!
//! The reader parses into an order-preserving tree ([`super::json_tree`]) and walks it;
//! errors name the member path. Members it does not know are skipped. Deviations, chosen
//! so that reading what we write gives an equal model: `MaxLength` `max` is written as the
//! string `"max"` (4.01 JSON has no form for it), and `$DefaultValue` is always a string.

mod read;
mod write;

pub(crate) use read::read;
pub(crate) use write::write;
