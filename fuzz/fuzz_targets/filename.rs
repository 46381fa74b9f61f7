//! `pinwheel::fuzzing::filename`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::filename(data);
    let target = pinwheel::fuzzing::target("filename").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
