//! Bulk add (BLK-1..3, SEQ-1..3, INV-1, DST-1, errata E-6) on a real SQLite file.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use unlockd_core::bulk::BulkCount;
use unlockd_core::invoice::{InvoiceTotals, Money};
use unlockd_core::password::PasswordRules;
use unlockd_core::{CustomerId, LicenseId, OptionId};
use unlockd_store::{
    BulkAdd, LicenseFilter, LicenseListing, NewCustomer, NewDistributor, NewInvoice, NewLicense,
    StoreError,
};

use crate::support::{trigger_request, Fixture, NOW, PASSWORD};

fn request(option: OptionId, count: i64) -> BulkAdd {
    BulkAdd {
        option_id: option,
        count: BulkCount::new(count, None).unwrap(),
        customer_id: None,
        author_id: None,
        unit_price: Money::parse("2.5").unwrap(),
        invoice_number: None,
        distributor_id: None,
        notes: "batch".to_owned(),
        parameters: vec![("Edition".to_owned(), "Pro".to_owned())],
        passwords: PasswordRules::new("PRE", Some(10), true, false, 10).unwrap(),
        sequential: true,
        entered_date: NOW,
    }
}

fn listed(f: &Fixture, filter: &LicenseFilter) -> Vec<LicenseListing> {
    let mut out = Vec::new();
    f.store
        .for_each_license(filter, &mut |l| {
            out.push(l);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn blk_1_new_unregistered_customer_per_license_gap_free_ids() {
    let f = Fixture::new();
    let option = f.option(|_| {});
    let before = f.license(option, |_| {});
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut calls = 0;
    let first = LicenseId::new(before.get() + 1).unwrap();
    let out = f
        .store
        .bulk_add(&request(option, 25_000), &mut rng, &mut |_| {
            calls += 1;
            // E-6: the write lock is free between chunks, so activations keep flowing.
            if calls == 1 {
                f.activate(&trigger_request(before, 42)).unwrap();
            }
            // E-6: staged rows are committed but invisible until the batch publishes.
            assert!(!f.store.license_exists(first).unwrap());
            assert!(f.store.license_state(first).unwrap().is_none());
            true
        })
        .unwrap();
    assert!(f.store.license_exists(first).unwrap());
    assert_eq!(f.left(before), 2);
    // E-6: staged in chunks of ≤ 10 000.
    assert_eq!(calls, 3);
    assert_eq!(out.licenses.first(), before.get() + 1);
    assert_eq!(out.licenses.len(), 25_000);
    let customers = out.customers.unwrap();
    let rows = listed(
        &f,
        &LicenseFilter {
            option_id: Some(option),
            from_id: Some(out.licenses.first()),
            ..LicenseFilter::default()
        },
    );
    assert_eq!(rows.len(), 25_000);
    for (i, r) in rows.iter().enumerate() {
        let i = i32::try_from(i).unwrap();
        assert_eq!(r.license_id, out.licenses.first() + i);
        assert_eq!(r.customer_id, customers.first() + i);
        assert_eq!(r.notes, "batch");
        assert_eq!(r.status, "OK");
        // PWD-3: default activation passwords (no password rules for activation).
        assert_eq!(r.activation_password.len(), 10);
    }
    // The license is usable: status OK, quantity 1, allowance from the option (BLK-2).
    let state = f
        .store
        .license_state(LicenseId::new(out.licenses.last()).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(state.quantity, 1);
    // A single insert afterwards continues after the block (SEQ-1).
    let next = f.license(option, |_| {});
    assert_eq!(next.get(), out.licenses.last() + 1);
}

#[test]
fn inv_1_and_dst_1_linkage_with_existing_customer() {
    let f = Fixture::new();
    let option = f.option(|_| {});
    let dist = f.store.insert_customer(&NewCustomer::new(NOW)).unwrap();
    f.store
        .insert_distributor(&NewDistributor {
            customer_id: dist,
            enabled: true,
            discount_percent: Money::parse("10").unwrap(),
            cost: Money::ZERO,
        })
        .unwrap();
    f.store
        .insert_invoice(&NewInvoice {
            number: "INV-1".to_owned(),
            customer_id: f.customer,
            date: NOW.date(),
            totals: InvoiceTotals {
                charged: Money::parse("25").unwrap(),
                ..InvoiceTotals::default()
            },
        })
        .unwrap();
    let mut req = request(option, 10);
    req.customer_id = Some(f.customer);
    req.invoice_number = Some("INV-1".to_owned());
    req.distributor_id = Some(dist);
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let out = f.store.bulk_add(&req, &mut rng, &mut |_| true).unwrap();
    assert!(out.customers.is_none());
    // 10 × 2.5 = 25 = charged.
    assert!(out.balance.unwrap().is_balanced());
    let rows = listed(
        &f,
        &LicenseFilter {
            invoice_number: Some("INV-1".to_owned()),
            ..LicenseFilter::default()
        },
    );
    assert_eq!(rows.len(), 10);
    assert!(rows
        .iter()
        .all(|r| r.customer_id == f.customer.get() && r.distributor_id == Some(dist.get())));
    // A second line unbalances it: a warning with the difference, never a block.
    let out = f.store.bulk_add(&req, &mut rng, &mut |_| true).unwrap();
    assert_eq!(
        out.balance.unwrap().difference(),
        Money::parse("-25").unwrap()
    );
}

#[test]
fn unknown_references_write_nothing() {
    let f = Fixture::new();
    let option = f.option(|_| {});
    let before = f.store.table_digests().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let cases: Vec<(BulkAdd, &str)> = vec![
        (request(OptionId::new(999).unwrap(), 3), "product option"),
        (
            BulkAdd {
                customer_id: Some(CustomerId::new(999).unwrap()),
                ..request(option, 3)
            },
            "customer",
        ),
        (
            BulkAdd {
                invoice_number: Some("nope".to_owned()),
                ..request(option, 3)
            },
            "invoice",
        ),
        (
            BulkAdd {
                distributor_id: Some(f.customer),
                ..request(option, 3)
            },
            "distributor",
        ),
    ];
    for (req, what) in cases {
        match f.store.bulk_add(&req, &mut rng, &mut |_| true) {
            Err(StoreError::UnknownReference(w)) => assert_eq!(w, what),
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(f.store.table_digests().unwrap(), before);
}

#[test]
fn blk_3_seq_3_failed_batch_leaves_nothing_and_uses_no_ids() {
    let f = Fixture::new();
    let option = f.option(|_| {});
    let before = f.store.table_digests().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let err = f
        .store
        .bulk_add(&request(option, 25_000), &mut rng, &mut |staged| {
            staged < 20_000
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled), "{err:?}");
    assert_eq!(f.store.table_digests().unwrap(), before);
    let out = f
        .store
        .bulk_add(&request(option, 5), &mut rng, &mut |_| true)
        .unwrap();
    assert_eq!(out.licenses.first(), 1);
}

#[test]
fn seq_2_concurrent_batches_get_disjoint_gap_free_blocks_while_singles_flow() {
    let f = Arc::new(Fixture::new());
    let option = f.option(|_| {});
    let batches: Vec<_> = (0..2u64)
        .map(|seed| {
            let f = Arc::clone(&f);
            std::thread::spawn(move || {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                f.store
                    .bulk_add(&request(option, 10_000), &mut rng, &mut |_| true)
                    .unwrap()
            })
        })
        .collect();
    // E-6: single inserts keep working while the batches run and never land in a
    // reserved block.
    let singles: Vec<LicenseId> = (0..20)
        .map(|_| {
            f.store
                .insert_license(&NewLicense::new(option, f.customer, PASSWORD, NOW))
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = batches.into_iter().map(|h| h.join().unwrap()).collect();
    let (a, b) = (outs[0].licenses, outs[1].licenses);
    assert!(a.last() < b.first() || b.last() < a.first(), "{a:?} {b:?}");
    for s in &singles {
        for blk in [a, b] {
            assert!(s.get() < blk.first() || s.get() > blk.last());
        }
    }
    for blk in [a, b] {
        let rows = listed(
            &f,
            &LicenseFilter {
                from_id: Some(blk.first()),
                to_id: Some(blk.last()),
                ..LicenseFilter::default()
            },
        );
        assert_eq!(rows.len(), 10_000);
    }
}

#[test]
fn blk_3_a_batch_left_by_a_crash_is_invisible_and_can_be_abandoned() {
    let f = Fixture::new();
    let option = f.option(|_| {});
    let before = f.store.table_digests().unwrap();
    // A panic in the middle of staging skips the in-process cleanup, like a crash.
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let _ = f
            .store
            .bulk_add(&request(option, 15_000), &mut rng, &mut |_| panic!("crash"));
    }));
    assert!(crashed.is_err());
    let pending = f.store.pending_batches().unwrap();
    assert_eq!(pending.len(), 1);
    let (batch, block) = pending[0];
    assert_eq!((block.first(), block.len()), (1, 15_000));
    assert!(listed(&f, &LicenseFilter::default()).is_empty());
    // The reserved block stays reserved until abandoned.
    assert_eq!(f.license(option, |_| {}).get(), 15_001);
    let after_single = f.store.table_digests().unwrap();
    assert_ne!(after_single, before);
    f.store.abandon_batch(batch).unwrap();
    assert!(f.store.pending_batches().unwrap().is_empty());
    assert!(matches!(
        f.store.abandon_batch(batch),
        Err(StoreError::NotFound)
    ));
    assert_eq!(listed(&f, &LicenseFilter::default()).len(), 1);
}
