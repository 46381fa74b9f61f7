//! `pinwheel::fuzzing::lock`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::lock(data);
    let target = pinwheel::fuzzing::target("lock").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
