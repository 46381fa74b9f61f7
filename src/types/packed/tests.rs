use std::str::FromStr;

use super::*;

fn name() -> PackageName {
    PackageName::from_str("demo").unwrap()
}

fn file(filename: &str) -> IndexFile {
    IndexFile::listed_for_tests(&name(), filename, "https://pypi.org/simple/")
}

fn open(bytes: Vec<u8>) -> Result<PackedProject, PackError> {
    PackedProject::open(name(), Arc::new(bytes))
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

    let reopened = open(PackedProject::pack(&original)).unwrap();

    assert_eq!(reopened.unpack().unwrap(), original);
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
    let packed = open(PackedProject::pack(&original)).unwrap();
    let versions: Vec<&str> = packed.versions().collect();
    assert_eq!(versions, ["1.0", "2.0", "10.0"]);
    assert_eq!(packed.version(2), Some(Version::from_str("10.0").unwrap()));
    assert_eq!(packed.version(3), None);
    let names = |index| {
        packed
            .files_of(index)
            .unwrap()
            .into_iter()
            .map(|file| file.filename)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(0), ["demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl"]);
    assert_eq!(names(1), ["demo-2.0-py3-none-any.whl", "demo-2.0.tar.gz"]);
    assert_eq!(names(2), ["demo-10.0.tar.gz"]);
    assert!(packed.files_of(3).unwrap().is_empty());
}

#[test]
fn equal_versions_spelt_differently_share_one_slot() {
    let packed = open(PackedProject::pack(&project(vec![
        file("demo-1.0.tar.gz"),
        file("demo-1.0.0-py3-none-any.whl"),
    ])))
    .unwrap();
    assert_eq!(packed.versions().len(), 1);
    assert_eq!(packed.files_of(0).unwrap().len(), 2);
}

#[test]
fn damaged_bytes_are_refused_not_misread() {
    let bytes = PackedProject::pack(&project(vec![
        file("demo-1.0.tar.gz"),
        file("demo-2.0.tar.gz"),
    ]));
    for cut in [0, 4, bytes.len() / 2, bytes.len() - 1] {
        assert!(open(bytes[..cut].to_vec()).is_err(), "cut at {cut}");
        assert!(
            open(bytes[bytes.len() - cut..].to_vec()).is_err(),
            "head cut at {cut}"
        );
    }
    let mut other_format = bytes.clone();
    let last = other_format.len() - 1;
    other_format[last] ^= 0xff;
    assert!(matches!(
        open(other_format),
        Err(PackError::Format("unknown format"))
    ));
    // A flipped bit in the header is caught when the page is opened...
    let mut header_damaged = bytes.clone();
    let in_header = bytes.len() - TRAILER - 2;
    header_damaged[in_header] ^= 0x01;
    assert!(matches!(
        open(header_damaged),
        Err(PackError::Format("header checksum mismatch"))
    ));
    // ...and one in a version's records when that version is read, and only then.
    let mut record_damaged = bytes.clone();
    record_damaged[0] ^= 0x01;
    let opened = open(record_damaged).unwrap();
    assert_eq!(opened.files_of(1).unwrap().len(), 1);
    assert!(matches!(
        opened.files_of(0),
        Err(PackError::Format("records checksum mismatch"))
    ));
}

/// A source that counts what is read, to show that opening reads no records.
#[derive(Debug)]
struct CountingSource {
    bytes: Vec<u8>,
    read: std::sync::Mutex<Vec<(u64, usize)>>,
}

impl BlockSource for CountingSource {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        self.read.lock().unwrap().push((offset, len));
        self.bytes.read_at(offset, len)
    }
}

#[test]
fn only_the_header_and_asked_for_versions_are_read() {
    let files = (0..400)
        .map(|minor| file(&format!("demo-1.{minor}-py3-none-any.whl")))
        .collect();
    let bytes = PackedProject::pack(&project(files));
    let source = Arc::new(CountingSource {
        bytes,
        read: std::sync::Mutex::default(),
    });
    let packed = PackedProject::open(name(), source.clone()).unwrap();
    assert_eq!(packed.versions().len(), 400);
    let opened_with: usize = source.read.lock().unwrap().iter().map(|(_, len)| len).sum();
    assert!(
        opened_with < source.bytes.len() / 2,
        "{opened_with} of {}",
        source.bytes.len()
    );

    let newest = packed.files_of(399).unwrap();
    assert_eq!(newest[0].filename, "demo-1.399-py3-none-any.whl");
    let reads = source.read.lock().unwrap();
    let (_, last_len) = reads.last().unwrap();
    assert!(
        *last_len < 200,
        "one version's records only: {last_len} bytes"
    );
}

#[test]
fn an_empty_project_packs_to_no_versions() {
    let reopened = open(PackedProject::pack(&project(Vec::new()))).unwrap();
    assert_eq!(reopened.versions().len(), 0);
    assert!(reopened.unpack().unwrap().files.is_empty());
}
