//! The back-office CLI (seed 000, errata E-6/E-17) through the real binary on the
//! test backend (SQLite file or PostgreSQL): add-multiple with CSV, list/export
//! filters, refusals that write nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use unlockd_tests::{binary, TestDatabase};

/// E-17 header, in order.
const HEADER: [&str; 16] = [
    "LicenseID",
    "ActivationPassword",
    "CustomerID",
    "CompanyName",
    "FirstName",
    "LastName",
    "Email",
    "ProductID",
    "ProductOptionID",
    "Quantity",
    "Status",
    "InvoiceNumber",
    "DistributorID",
    "LicenseNotes",
    "EnteredDate",
    "ExpirationDate",
];

fn run(db: &TestDatabase, dir: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .env("UNLOCKD_DATABASE_URL", db.url())
        .env("UNLOCKD_LOG__FILTER", "warn")
        .current_dir(dir)
        .output()
        .expect("run unlockd")
}

fn ok(db: &TestDatabase, dir: &Path, args: &[&str]) -> String {
    let out = run(db, dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn digests(db: &TestDatabase) -> BTreeMap<String, (i64, String)> {
    let url = unlockd_store::DatabaseUrl::parse(db.url()).expect("url");
    unlockd_store::Store::open(&url, unlockd_store::StoreOptions::default())
        .expect("open")
        .table_digests()
        .expect("digests")
}

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).expect("open csv");
    assert_eq!(
        r.headers().expect("header").iter().collect::<Vec<_>>(),
        HEADER
    );
    r.records().map(|rec| rec.expect("record")).collect()
}

#[test]
fn add_multiple_writes_gap_free_licenses_and_an_e17_csv() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    ok(&db, d, &["demo"]);
    ok(
        &db,
        d,
        &[
            "customer",
            "add",
            "--company",
            "Dist, \"Quoted\" Inc",
            "--distributor",
        ],
    );
    ok(
        &db,
        d,
        &[
            "invoice",
            "add",
            "--number",
            "INV-7",
            "--customer",
            "1",
            "--charged",
            "30",
        ],
    );
    let out = ok(
        &db,
        d,
        &[
            "license",
            "add-multiple",
            "--option",
            "1",
            "--count",
            "12",
            "--invoice",
            "INV-7",
            "--distributor",
            "2",
            "--unit-price",
            "2.5",
            "--prefix",
            "ACME-",
            "--length",
            "11",
            "--numeric",
            "--use-password-rules",
            "--seq",
            "--notes",
            "order, 42",
            "--param",
            "Edition=Pro",
            "--csv",
            "out.csv",
            "--quiet",
            "--seed",
            "9",
        ],
    );
    // The demo's highest license is 1004 (issue 6), so the block starts at 1005 (SEQ-2).
    assert!(out.contains("created 12 licenses 1005..=1016"), "{out}");
    assert!(out.contains("invoice balances"), "{out}");
    let rows = read_csv(&d.join("out.csv"));
    assert_eq!(rows.len(), 12);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0].parse::<usize>().expect("id"), 1005 + i);
        // PWD-1/2/3: prefix + 6 digits, used for the activation password too.
        let pw = &r[1];
        assert!(pw.starts_with("ACME-") && pw.len() == 11, "{pw}");
        assert!(pw[5..].bytes().all(|b| b.is_ascii_digit()), "{pw}");
        assert_eq!(&r[10], "OK");
        assert_eq!(&r[11], "INV-7");
        assert_eq!(&r[12], "2");
        assert_eq!(&r[13], "order, 42");
    }
    // Filters: export by invoice gives the same rows; list by status Void only 1003.
    ok(
        &db,
        d,
        &[
            "license",
            "export",
            "--csv",
            "again.csv",
            "--invoice",
            "INV-7",
        ],
    );
    assert_eq!(read_csv(&d.join("again.csv")), rows);
    let void = ok(&db, d, &["license", "list", "--status", "Void"]);
    assert_eq!(void.lines().count(), 2, "{void}");
    assert!(void.lines().nth(1).is_some_and(|l| l.starts_with("1003\t")));
}

#[test]
fn refused_add_multiple_writes_nothing() {
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    ok(&db, d, &["demo"]);
    let before = digests(&db);
    for args in [
        vec!["--count", "0"],
        vec!["--count", "-3"],
        vec!["--count", "5", "--invoice", "missing"],
        vec!["--count", "5", "--distributor", "1"],
        vec!["--count", "5", "--prefix", "A B"],
        vec!["--count", "5", "--prefix", "AB", "--length", "4"],
    ] {
        let mut full = vec!["license", "add-multiple", "--option", "1", "--quiet"];
        full.extend(args.iter().copied());
        let out = run(&db, d, &full);
        assert!(!out.status.success(), "{full:?} succeeded");
        assert_eq!(digests(&db), before, "{full:?} changed the database");
    }
}

/// The `first..=last` block of a `created N licenses first..=last …` line.
fn created_block(out: &str) -> (u32, std::ops::RangeInclusive<u32>) {
    let line = out
        .lines()
        .find(|l| l.starts_with("created ") && l.contains(" licenses "))
        .unwrap_or_else(|| panic!("no created line in {out}"));
    let mut words = line.split_whitespace();
    let count = words.nth(1).and_then(|n| n.parse().ok()).expect("count");
    let (first, last) = words
        .nth(1)
        .and_then(|b| b.split_once("..="))
        .expect("first..=last");
    (
        count,
        first.parse().expect("first")..=last.parse().expect("last"),
    )
}

/// SEQ-2, CON-5 (issue 5): two `unlockd` processes adding Req Sequential batches at
/// the same time against one database each get one gap-free block, the blocks are
/// disjoint and together continue the demo's IDs without a gap.
#[test]
fn seq_2_req_sequential_batches_from_two_processes_are_disjoint_gap_free_blocks() {
    const COUNT: u32 = 3_000;
    let db = TestDatabase::new();
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    ok(&db, d, &["demo"]);
    let count = COUNT.to_string();
    let args = [
        "license",
        "add-multiple",
        "--option",
        "2",
        "--count",
        &count,
        "--req-sequential",
        "--quiet",
    ];
    let spawn = || {
        Command::new(binary())
            .args(args)
            .env("UNLOCKD_DATABASE_URL", db.url())
            .env("UNLOCKD_LOG__FILTER", "warn")
            .current_dir(d)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn unlockd")
    };
    let (a, b) = (spawn(), spawn());
    let mut blocks: Vec<_> = [a, b]
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("wait");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (n, block) = created_block(&stdout);
            assert_eq!(n, COUNT, "{stdout}");
            assert_eq!(
                block.end() - block.start() + 1,
                COUNT,
                "one block: {stdout}"
            );
            block
        })
        .collect();
    blocks.sort_by_key(|b| *b.start());
    // The demo's highest license is 1004: the first block starts right after it and
    // the second right after the first.
    assert_eq!(*blocks[0].start(), 1005, "{blocks:?}");
    assert_eq!(*blocks[1].start(), blocks[0].end() + 1, "{blocks:?}");
    // Every ID of both blocks is a license of option 2, and nothing else was created.
    let listed = ok(&db, d, &["license", "list", "--from", "1005"]);
    let ids: Vec<u32> = listed
        .lines()
        .skip(1)
        .map(|l| {
            l.split('\t')
                .next()
                .and_then(|id| id.parse().ok())
                .expect("id")
        })
        .collect();
    let expected: Vec<u32> = (1005..=*blocks[1].end()).collect();
    assert_eq!(ids, expected);
}
