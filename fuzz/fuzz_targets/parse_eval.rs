//! Fuzz parse + compile + apply of `QUERY \0 JSON` on the Value and streaming paths.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_eval(data));
