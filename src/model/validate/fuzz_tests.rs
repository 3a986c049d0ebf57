//! A bounded fuzz of the two readers of untrusted input: `org.yaml` (the loader and every
//! validator) and the plan file. Mutations of the example file and of a real plan file, from
//! a fixed seed so a failure reproduces; the property is "an error or a value, never a
//! panic". 2,000 + 1,000 cases, about 8 s in a debug build.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit: flip, insert or delete bytes, duplicate or drop a line, truncate.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    const SPECIAL: &[u8] = b":-[]{}#&*!|>'\"%@`, \n\t0123456789.\\~?";
    let mut v = input.to_vec();
    for _ in 0..=rng.below(3) {
        if v.is_empty() {
            v.push(b'a');
        }
        let at = rng.below(v.len());
        match rng.below(7) {
            0 => v[at] ^= 1 << rng.below(8),
            1 => v.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            2 => {
                let end = (at + rng.below(40)).min(v.len());
                v.drain(at..end);
            }
            3 => v.truncate(at),
            4 => {
                let line: Vec<u8> = v[at..]
                    .split(|b| *b == b'\n')
                    .next()
                    .unwrap_or_default()
                    .to_vec();
                v.splice(at..at, line.into_iter().chain([b'\n']));
            }
            5 => v.insert(at, rng.next() as u8),
            _ => {
                let from = rng.below(v.len());
                let len = rng.below(30).min(v.len() - from);
                let chunk = v[from..from + len].to_vec();
                v.splice(at..at, chunk);
            }
        }
    }
    v
}

#[test]
fn the_loader_never_panics_on_mutated_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read(root.join("examples/org.yaml")).unwrap();
    let file = root.join("examples/org.yaml").display().to_string();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut ok, mut invalid) = (0, 0);
    for i in 0..2000 {
        let m = mutate(&mut rng, &example);
        let text = String::from_utf8_lossy(&m).into_owned();
        match catch_unwind(AssertUnwindSafe(|| crate::model::load_str(&file, &text))) {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(_)) => invalid += 1,
            Err(_) => panic!("case {i} panicked; input:\n{text}"),
        }
    }
    assert!(
        invalid > 1000,
        "the mutations reach the validators: {ok} ok, {invalid} invalid"
    );
}

#[test]
fn the_plan_file_reader_never_panics_and_refuses_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let d = crate::tests::desired(
        "organizational_units:\n  - path: A/B\n    tags: { k: v }\naccounts:\n  - { name: a, email: aws+a@example.com, ou: A/B }\n",
    );
    let mut p = crate::plan::diff(&d, &crate::tests::empty_org()).unwrap();
    p.desired = Some(d);
    crate::plan::planfile::write(&path, &p).unwrap();
    let good = std::fs::read(&path).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let mut accepted = 0;
    for i in 0..1000 {
        let m = mutate(&mut rng, &good);
        std::fs::write(&path, &m).unwrap();
        match catch_unwind(|| crate::plan::planfile::read(&path)) {
            Ok(Ok(read)) => {
                // Only an edit that changes nothing the digest covers (white space) passes.
                assert_eq!(read, p, "case {i}: an edited plan was read as another plan");
                accepted += 1;
            }
            Ok(Err(_)) => {}
            Err(_) => panic!("case {i} panicked"),
        }
    }
    assert!(accepted < 1000);
}
