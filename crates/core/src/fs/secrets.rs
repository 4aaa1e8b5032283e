//! File names that look like secrets: keys, tokens and credential files that should not ship in
//! an image layer (what dive's users ask it to flag).

/// Exact file names of well-known credential files.
const NAMES: [&str; 14] = [
    ".env",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    ".dockercfg",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials",
    "credentials.json",
    "secrets.json",
    ".htpasswd",
];
/// Endings of key and certificate stores.
const SUFFIXES: [&str; 7] = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ovpn"];
/// Paths that hold credentials whatever the file is called.
const PATH_PARTS: [&str; 3] = [".aws/credentials", ".docker/config.json", ".kube/config"];

/// True when a root-relative path looks like it holds a secret.
pub fn looks_secret(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    NAMES.contains(&name.as_str())
        || name.starts_with(".env.")
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || name.contains("token")
        || PATH_PARTS.iter().any(|p| path.ends_with(p))
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn flags_keys_tokens_and_credential_files() {
        for p in ["app/.env", "root/.ssh/id_rsa", "home/u/.npmrc", "etc/ssl/private/server.key", "root/.aws/credentials", "app/.env.production", "srv/github_token"] {
            assert!(looks_secret(p), "{p}");
        }
        for p in ["etc/environment", "usr/share/doc/keyring.txt", "bin/sh", "etc/ssl/certs/ca.crt"] {
            assert!(!looks_secret(p), "{p}");
        }
    }
}
