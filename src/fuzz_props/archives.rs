//! Archives: the zip reader behind wheel METADATA (whole and by byte ranges) and the tar.gz and
//! zip readers of sdists, including unpacking.

use std::str::FromStr as _;

use ::zip::CompressionMethod;
use proptest::collection::vec;
use proptest::prelude::*;

use super::seeds::seeds;
use super::{check, no_panic_and_bounded};
use crate::fuzzing::{MAX_RANGE_REQUESTS, ranged_metadata};
use crate::metadata::test_support::{ZipMember, build_tar_gz, build_zip};
use crate::metadata::{metadata_from_wheel, sdist_static_metadata};
use crate::types::{PackageName, SdistFilename, Version};

/// Fewer cases than the text parsers: each one inflates, and unpacks into a directory.
const CASES: u32 = 128;

#[test]
fn wheel_zips_never_panic() {
    no_panic_and_bounded("wheel_zip", CASES, seeds("wheel_zip"));
}

#[test]
fn sdist_archives_never_panic() {
    no_panic_and_bounded("sdist_archive", CASES, seeds("sdist_archive"));
}

fn member() -> impl Strategy<Value = ZipMember> {
    let name = "[a-z]{1,6}(/[a-z_.]{1,8}){0,2}";
    (name, vec(any::<u8>(), 0..2048), any::<bool>()).prop_map(|(name, data, deflated)| {
        if deflated {
            ZipMember::deflated(&format!("demo/{name}"), data)
        } else {
            ZipMember::stored(&format!("demo/{name}"), data)
        }
    })
}

#[test]
fn a_wheel_gives_back_its_metadata_whole_and_by_ranges() {
    let strategy = (
        vec(member(), 0..6),
        vec(any::<u8>(), 0..4096),
        any::<bool>(),
        any::<bool>(),
        "[ -~]{0,64}",
    );
    check(
        "wheel METADATA round trip",
        CASES,
        strategy,
        |(mut members, metadata, deflated, zip64, comment)| {
            let (name, version) = (PackageName::from_str("demo").unwrap(), Version::new([1, 0]));
            let path = "demo-1.0.dist-info/METADATA";
            members.retain(|member| member.name != path);
            let at = members.len() / 2;
            members.insert(
                at,
                ZipMember {
                    name: path.to_string(),
                    data: metadata.clone(),
                    method: if deflated {
                        CompressionMethod::Deflated
                    } else {
                        CompressionMethod::Stored
                    },
                },
            );
            let wheel = build_zip(&members, &comment, zip64);
            let whole = metadata_from_wheel(&wheel, &name, &version)
                .map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(&whole, &metadata);
            let ranged = ranged_metadata(&wheel, &name, &version)
                .ok_or_else(|| TestCaseError::fail("the ranged read failed"))?;
            prop_assert_eq!(&ranged.metadata, &metadata);
            prop_assert!(ranged.requests <= MAX_RANGE_REQUESTS);
            Ok(())
        },
    );
}

#[test]
fn an_sdist_gives_back_the_requirements_of_its_pkg_info() {
    let requirement = "[a-z]{1,8}(>=[1-9][0-9]?(\\.[0-9])?)?";
    check(
        "sdist PKG-INFO round trip",
        CASES,
        (vec(requirement, 0..20), any::<bool>()),
        |(requirements, zip)| {
            let mut pkg_info = String::from("Metadata-Version: 2.2\nName: demo\nVersion: 1.0\n");
            for requirement in &requirements {
                pkg_info.push_str(&format!("Requires-Dist: {requirement}\n"));
            }
            let (archive, file) = if zip {
                let members = [ZipMember::deflated(
                    "demo-1.0/PKG-INFO",
                    pkg_info.into_bytes(),
                )];
                (build_zip(&members, "", false), "demo-1.0.zip")
            } else {
                (
                    build_tar_gz(&[("demo-1.0/PKG-INFO", pkg_info.as_bytes())]),
                    "demo-1.0.tar.gz",
                )
            };
            let filename =
                SdistFilename::parse(file, &PackageName::from_str("demo").unwrap()).unwrap();
            let metadata = sdist_static_metadata(&archive, &filename)
                .map_err(|error| TestCaseError::fail(error.to_string()))?;
            let read: Vec<String> = metadata
                .requires_dist
                .iter()
                .map(ToString::to_string)
                .collect();
            prop_assert_eq!(read, requirements);
            Ok(())
        },
    );
}
