//! `pinwheel::fuzzing::sdist_archive`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::sdist_archive(data);
    let target = pinwheel::fuzzing::target("sdist_archive").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
