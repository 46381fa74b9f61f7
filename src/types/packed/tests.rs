use std::str::FromStr;

use super::*;

fn name() -> PackageName {
    PackageName::from_str("demo").unwrap()
}

fn file(filename: &str) -> IndexFile {
    IndexFile {
        filename: filename.to_string(),
        dist: DistFilename::parse(filename, &name()).unwrap(),
        url: Url::parse(&format!("https://files.example/packages/ab/{filename}")).unwrap(),
        sha256: None,
        requires_python: None,
        yanked: Yanked::No,
        upload_time: None,
        metadata: MetadataAvailability::NotAdvertised,
        size: None,
        origin: FileOrigin::Index(RedactedUrl::new(
            Url::parse("https://pypi.org/simple/").unwrap(),
        )),
    }
}

fn project(files: Vec<IndexFile>) -> ProjectFiles {
    ProjectFiles {
        name: name(),
        files,
    }
}

#[test]
fn every_field_survives_a_round_trip() {
    let mut full = file("demo-1.0-py3-none-any.whl");
    full.sha256 = Some(Sha256Digest::of(b"wheel"));
    full.requires_python = Some(VersionSpecifiers::from_str(">=3.8, <4").unwrap());
    full.yanked = Yanked::Yes("broken build".to_string());
    full.upload_time = Some(Timestamp::new(1_700_000_000, 123_456_789).unwrap());
    full.metadata = MetadataAvailability::Advertised(Some(Sha256Digest::of(b"metadata")));
    full.size = Some(4_096);
    let mut plain = file("demo-1.0.tar.gz");
    plain.metadata = MetadataAvailability::Advertised(None);
    plain.yanked = Yanked::Yes(String::new());
    plain.origin = FileOrigin::FindLinks(RedactedUrl::new(Url::parse("file:///wheels/").unwrap()));
    let original = project(vec![full, plain]);

    let packed = PackedProject::pack(&original);
    let reopened = PackedProject::open(name(), packed.as_bytes().to_vec()).unwrap();

    assert_eq!(reopened.unpack(), original);
    assert_eq!(reopened.file_count(), 2);
}

#[test]
fn files_are_grouped_by_version_oldest_first_keeping_their_order() {
    let original = project(vec![
        file("demo-2.0-py3-none-any.whl"),
        file("demo-1.0.tar.gz"),
        file("demo-2.0.tar.gz"),
        file("demo-10.0.tar.gz"),
        file("demo-1.0-py3-none-any.whl"),
    ]);
    let packed = PackedProject::pack(&original);
    let versions: Vec<String> = packed.versions().map(ToString::to_string).collect();
    assert_eq!(versions, ["1.0", "2.0", "10.0"]);
    let names = |index| {
        packed
            .files_of(index)
            .into_iter()
            .map(|file| file.filename)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(0), ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]);
    assert_eq!(names(1), ["demo-2.0-py3-none-any.whl", "demo-2.0.tar.gz"]);
    assert_eq!(names(2), ["demo-10.0.tar.gz"]);
    assert!(packed.files_of(3).is_empty());
}

#[test]
fn equal_versions_spelt_differently_share_one_slot() {
    let packed = PackedProject::pack(&project(vec![
        file("demo-1.0.tar.gz"),
        file("demo-1.0.0-py3-none-any.whl"),
    ]));
    assert_eq!(packed.versions().len(), 1);
    assert_eq!(packed.files_of(0).len(), 2);
}

#[test]
fn damaged_bytes_are_refused_not_misread() {
    let packed = PackedProject::pack(&project(vec![
        file("demo-1.0.tar.gz"),
        file("demo-2.0.tar.gz"),
    ]));
    let bytes = packed.as_bytes();
    for cut in [0, 4, MAGIC.len() + 2, bytes.len() / 2] {
        let truncated = bytes[..cut].to_vec();
        // A cut inside the records is only noticed when they are decoded: then fewer files
        // come back, never wrong ones.
        match PackedProject::open(name(), truncated) {
            Err(_) => {}
            Ok(opened) => assert!(opened.unpack().files.len() < 2, "cut at {cut}"),
        }
    }
    let mut other_format = bytes.to_vec();
    other_format[MAGIC.len() - 1] ^= 0xff;
    assert_eq!(
        PackedProject::open(name(), other_format).unwrap_err(),
        PackError("unknown format")
    );
}

#[test]
fn an_empty_project_packs_to_no_versions() {
    let packed = PackedProject::pack(&project(Vec::new()));
    let reopened = PackedProject::open(name(), packed.as_bytes().to_vec()).unwrap();
    assert_eq!(reopened.versions().len(), 0);
    assert!(reopened.unpack().files.is_empty());
}
