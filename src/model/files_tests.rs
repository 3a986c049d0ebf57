//! Unit tests of `model::files`.

use super::*;

#[test]
fn only_regular_files_inside_the_folder_are_read() {
    let outer = tempfile::tempdir().unwrap();
    let base = outer.path().join("repo");
    std::fs::create_dir_all(base.join("policies")).unwrap();
    std::fs::write(base.join("policies/ok.json"), "{}").unwrap();
    std::fs::write(outer.path().join("secret.json"), "{\"secret\": 1}").unwrap();
    assert_eq!(read_confined(&base, " policies/ok.json ").unwrap(), "{}");
    assert_eq!(read_confined(&base, "./policies/ok.json").unwrap(), "{}");

    let why = |rel: &str| read_confined(&base, rel).unwrap_err().message;
    assert!(why("/etc/hostname").contains("absolute path"));
    assert!(why("../secret.json").contains("leads out"));
    assert!(why("policies/../../secret.json").contains("leads out"));
    assert!(why("policies").contains("not a regular file"));
    assert!(why("policies/missing.json").contains("cannot read"));
    assert!(why("").contains("empty"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outer.path().join("secret.json"), base.join("link.json"))
            .unwrap();
        assert!(why("link.json").contains("outside the folder"));
        std::os::unix::fs::symlink("/dev/zero", base.join("zero.json")).unwrap();
        assert!(why("zero.json").contains("outside the folder"));
        // A FIFO inside the folder is refused before it is opened (it would block).
        let fifo = base.join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(why("pipe.json").contains("not a regular file"));
        }
    }
    let big = base.join("big.json");
    std::fs::write(&big, vec![b' '; (MAX_BYTES + 1) as usize]).unwrap();
    assert!(why("big.json").contains("more than"));
}
