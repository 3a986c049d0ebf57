use super::*;

#[test]
fn a_profile_is_found_in_either_form_and_nothing_else_matches() {
    let config = "[default]\nregion = us-east-1\n[profile sec-ops]\nsso_session = corp\n[ profile  infra ]\n[sso-session corp]\n";
    assert!(defines(config, "sec-ops"));
    assert!(defines(config, "infra"));
    assert!(defines(config, "default"));
    assert!(!defines(config, "corp"), "an sso-session is not a profile");
    assert!(!defines(config, "sec"));
    let credentials = "[ci]\naws_access_key_id = x\n[profilex]\n";
    assert!(defines(credentials, "ci"));
    assert!(defines(credentials, "profilex"));
    assert!(!defines(credentials, "x"));
}

#[test]
fn a_missing_profile_names_both_files_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile real]\n").unwrap();
    let files = [config, dir.path().join("credentials")];
    assert!(check("real", &files).is_ok());
    assert!(check("default", &files).is_ok());
    let e = check("nosuch", &files).unwrap_err();
    assert_eq!(e.lines().count(), 2, "{e}");
    assert!(e.contains("\"nosuch\""), "{e}");
    assert!(e.contains(&files[0].display().to_string()), "{e}");
    assert!(e.contains("aws configure list-profiles"), "{e}");
}

#[test]
fn the_files_follow_the_sdk_variables() {
    let env = |k: &str| match k {
        "HOME" => Some("/home/u".to_string()),
        "AWS_CONFIG_FILE" => Some("/etc/aws.cfg".to_string()),
        _ => None,
    };
    let [c, k] = files(env);
    assert_eq!(c, PathBuf::from("/etc/aws.cfg"));
    assert_eq!(k, PathBuf::from("/home/u/.aws/credentials"));
}
