//! `pinwheel::fuzzing::core_metadata`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::core_metadata(data);
    let target = pinwheel::fuzzing::target("core_metadata").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
