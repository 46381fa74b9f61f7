//! `pinwheel::fuzzing::wheel_zip`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::wheel_zip(data);
    let target = pinwheel::fuzzing::target("wheel_zip").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
