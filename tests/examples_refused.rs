//! Every example, run as a user runs it, against a local Hotmart that refuses its
//! credentials: each must fail with a non-zero exit and the crate's words on stderr, never
//! print a count or a total as if the call had worked.
//!
//! `cargo test` builds the examples beside the test binaries (`target/<profile>/examples/`).

use std::path::PathBuf;
use std::process::Command;

use hotmart_mock::MockServer;

fn example(name: &str) -> Option<PathBuf> {
    // target/<profile>/deps/examples_refused-<hash> -> target/<profile>/examples/<name>
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let path = deps.parent()?.join("examples").join(name);
    path.exists().then_some(path)
}

#[test]
fn every_example_fails_loudly_when_the_credentials_are_refused() {
    let server = MockServer::start().unwrap();
    let mut ran = 0;
    for name in [
        "quickstart",
        "sales_report",
        "cron_job",
        "daily_export",
        "token",
    ] {
        let Some(path) = example(name) else {
            println!("SKIPPED {name}: not built (cargo test builds the examples)");
            continue;
        };
        let cache = std::env::temp_dir().join(format!("hotmart-ex-{name}-{}", std::process::id()));
        let out = Command::new(&path)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("XDG_CACHE_HOME", &cache)
            .env("HOTMART_ENV", "custom")
            .env("HOTMART_AUTH_URL", server.url())
            .env("HOTMART_API_URL", server.url())
            .env("HOTMART_CLIENT_ID", hotmart_mock::CLIENT_ID)
            .env("HOTMART_CLIENT_SECRET", "not-the-secret")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        println!(
            "{name}: exit {:?}; stderr: {}",
            out.status.code(),
            stderr.trim()
        );
        assert!(
            !out.status.success(),
            "{name} exited 0 with refused credentials; stdout: {stdout}"
        );
        assert!(
            stderr.contains("401") || stderr.to_lowercase().contains("credentials"),
            "{name}: the failure does not say the credentials were refused: {stderr}"
        );
        assert!(!stderr.contains("not-the-secret") && !stdout.contains("not-the-secret"));
        let _ = std::fs::remove_dir_all(cache);
        ran += 1;
    }
    assert!(ran > 0, "no example was built");
}
