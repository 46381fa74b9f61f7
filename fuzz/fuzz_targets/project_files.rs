//! `pinwheel::fuzzing::project_files`: no input may panic it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let items = pinwheel::fuzzing::project_files(data);
    let target = pinwheel::fuzzing::target("project_files").expect("the target is listed");
    assert!(items <= target.max_items(data.len()));
});
