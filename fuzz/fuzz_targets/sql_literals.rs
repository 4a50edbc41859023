//! Fuzz string literals in SQL translation: whatever the literal, the SQL text is the
//! text of a stand-in literal and a parameter carries it.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_sql_literals(data));
