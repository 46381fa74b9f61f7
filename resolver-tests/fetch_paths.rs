//! Every fetch path under every server mode it depends on: JSON and HTML pages; PEP 658 metadata
//! advertised, present but unadvertised, or absent; range requests honoured, ignored or rejected.
//! Each combination must give the same lock, and the request log shows which path was taken.

use crate::support::{MetadataMode, PageFormat, RangeMode, ServerOptions};
use crate::{Project, hashes_of, index, pins, small_graph};

const EXPECTED: [&str; 6] = [
    "app==1.0",
    "leaf==4.0",
    "lib==1.5",
    "opt[fast]==1.0",
    "speedups==0.1",
    "static-sdist==0.3",
];

fn check_mode(pages: PageFormat, metadata: MetadataMode, ranges: RangeMode) {
    check_mode_with(pages, metadata, ranges, &[]);
}

fn check_mode_with(pages: PageFormat, metadata: MetadataMode, ranges: RangeMode, flags: &[&str]) {
    let server = index(
        small_graph(),
        ServerOptions {
            pages,
            metadata,
            ranges,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let mut args = vec!["--generate-hashes", "requirements.in"];
    args.extend_from_slice(flags);
    project.resolve(&server, &args).expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(
        pins(&lock),
        EXPECTED,
        "{pages:?}/{metadata:?}/{ranges:?}\n{lock}"
    );
    // Every file of lib 1.5 is hashed: the wheel for another platform and the sdist too.
    let mut expected_hashes: Vec<String> = [
        "lib-1.5-py3-none-any.whl",
        "lib-1.5-cp312-cp312-win_amd64.whl",
        "lib-1.5.tar.gz",
    ]
    .iter()
    .map(|file| server.sha256_of(file).unwrap())
    .collect();
    expected_hashes.sort();
    assert_eq!(hashes_of(&lock, "lib==1.5"), expected_hashes);

    let requests = server.requests();
    let metadata_files = requests
        .iter()
        .filter(|line| line.contains(".metadata"))
        .count();
    let range_reads = requests
        .iter()
        .filter(|line| line.contains(" bytes="))
        .count();
    let whole_wheels = requests
        .iter()
        .filter(|line| line.ends_with(".whl"))
        .count();
    let probing = flags.contains(&"--probe-metadata");
    match metadata {
        // Advertised (or found by probing): no wheel bytes are needed at all.
        MetadataMode::Advertised => {
            assert!(metadata_files >= 4, "{requests:#?}");
            assert_eq!(range_reads + whole_wheels, 0, "{requests:#?}");
        }
        MetadataMode::Unadvertised if probing => {
            assert!(metadata_files >= 4, "{requests:#?}");
            assert_eq!(range_reads + whole_wheels, 0, "{requests:#?}");
        }
        MetadataMode::Unadvertised | MetadataMode::Absent => match ranges {
            RangeMode::Honoured => {
                assert!(range_reads >= 4, "{requests:#?}");
                assert_eq!(
                    whole_wheels, 0,
                    "no whole wheel download when ranges work: {requests:#?}"
                );
            }
            // The server ignores the range and sends the whole file, which is then used.
            RangeMode::Refused => assert_eq!(whole_wheels, 0, "{requests:#?}"),
            // The range is rejected: one whole download per wheel follows.
            RangeMode::Rejected => assert!(whole_wheels >= 4, "{requests:#?}"),
        },
        MetadataMode::WrongDigest => unreachable!("the mode matrix serves only right digests"),
    }
}

macro_rules! mode_tests {
    ($($name:ident: $pages:ident, $metadata:ident, $ranges:ident;)*) => {
        $(
            #[test]
            fn $name() {
                check_mode(PageFormat::$pages, MetadataMode::$metadata, RangeMode::$ranges);
            }
        )*
    };
}

mode_tests! {
    json_advertised: Json, Advertised, Honoured;
    json_unadvertised: Json, Unadvertised, Honoured;
    json_absent_ranges: Json, Absent, Honoured;
    json_absent_ranges_ignored: Json, Absent, Refused;
    json_absent_ranges_rejected: Json, Absent, Rejected;
    html_advertised: Html, Advertised, Honoured;
    html_unadvertised: Html, Unadvertised, Honoured;
    html_absent_ranges: Html, Absent, Honoured;
    html_absent_ranges_ignored: Html, Absent, Refused;
    html_absent_ranges_rejected: Html, Absent, Rejected;
}

#[test]
fn unadvertised_metadata_is_used_when_probing_is_asked_for() {
    check_mode_with(
        PageFormat::Json,
        MetadataMode::Unadvertised,
        RangeMode::Honoured,
        &["--probe-metadata"],
    );
    check_mode_with(
        PageFormat::Html,
        MetadataMode::Unadvertised,
        RangeMode::Honoured,
        &["--probe-metadata"],
    );
}

#[test]
fn a_missing_probed_file_falls_back_to_ranges() {
    check_mode_with(
        PageFormat::Json,
        MetadataMode::Absent,
        RangeMode::Honoured,
        &["--probe-metadata"],
    );
}

#[test]
fn by_default_unadvertised_metadata_is_not_probed() {
    let server = index(
        small_graph(),
        ServerOptions {
            pages: PageFormat::Json,
            metadata: MetadataMode::Unadvertised,
            ranges: RangeMode::Honoured,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let requests = server.requests();
    assert!(
        !requests.iter().any(|line| line.contains(".metadata")),
        "{requests:#?}"
    );
    assert_eq!(pins(&project.read("requirements.txt")), EXPECTED);
}
