//! Registry auth (distribution `spec/auth/token.md`): a `401` names a scheme and, for `Bearer`,
//! a realm to get a token from; the client fetches a token (with the user's credentials, if
//! any, as HTTP Basic) and retries.

use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters left as they are in a query value (RFC 3986 unreserved, plus `:` and `/` which
/// scopes are made of and registries accept unescaped).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b':').remove(b'/');

/// A `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `bearer` or `basic` (lower case).
    pub scheme: String,
    /// Its parameters (`realm`, `service`, `scope`), names in lower case.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// Parses `Bearer realm="…",service="…",scope="…"` (quoted values may hold commas).
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.is_empty() {
            return None;
        }
        let mut params = BTreeMap::new();
        let mut rest = rest.trim_start();
        while !rest.is_empty() {
            let (name, after) = rest.split_once('=')?;
            let name = name.trim().trim_start_matches(',').trim().to_ascii_lowercase();
            let after = after.trim_start();
            let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = None;
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = Some(i + 1);
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end?..])
            } else {
                let cut = after.find(',').unwrap_or(after.len());
                (after[..cut].trim().to_owned(), &after[cut..])
            };
            params.insert(name, value);
            rest = next.trim_start().trim_start_matches(',').trim_start();
        }
        Some(Self { scheme: scheme.to_ascii_lowercase(), params })
    }

    /// The URL to get a token for `scope` from: the realm with `service` and `scope` appended.
    /// `None` for a challenge that is not `Bearer` or has no realm.
    pub fn token_url(&self, scope: &str) -> Option<String> {
        if self.scheme != "bearer" {
            return None;
        }
        let realm = self.params.get("realm").filter(|r| !r.is_empty())?;
        let mut url = realm.clone();
        let mut sep = if realm.contains('?') { '&' } else { '?' };
        if let Some(service) = self.params.get("service") {
            url.push_str(&format!("{sep}service={}", utf8_percent_encode(service, QUERY_VALUE)));
            sep = '&';
        }
        let scope = if scope.is_empty() { self.params.get("scope").map_or("", String::as_str) } else { scope };
        if !scope.is_empty() {
            url.push_str(&format!("{sep}scope={}", utf8_percent_encode(scope, QUERY_VALUE)));
        }
        Some(url)
    }
}

/// A token server's answer: `token` and/or `access_token` ("at least one of these fields must
/// be specified").
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TokenResponse {
    /// The token.
    #[serde(default)]
    pub token: Option<String>,
    /// The OAuth2 name of the same token.
    #[serde(default)]
    pub access_token: Option<String>,
}

impl TokenResponse {
    /// The token, whichever field carries it.
    pub fn bearer(&self) -> Option<&str> {
        self.token.as_deref().or(self.access_token.as_deref()).filter(|t| !t.is_empty())
    }
}

/// Credentials the user typed for a registry; kept in memory only.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

impl Credentials {
    /// The `Authorization` header value for HTTP Basic.
    pub fn basic(&self) -> String {
        format!("Basic {}", base64(format!("{}:{}", self.username, self.password).as_bytes()))
    }
}

/// Standard base64 with padding (RFC 4648 §4); small enough not to need a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let c = Challenge::parse(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push""#);
        let c = c.filter(|c| c.scheme == "bearer");
        assert_eq!(c.as_ref().and_then(|c| c.params.get("scope")).map(String::as_str), Some("repository:samalba/my-app:pull,push"));
        let url = c.and_then(|c| c.token_url("repository:library/alpine:pull"));
        assert_eq!(url.as_deref(), Some("https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/alpine:pull"));
        let proxied = Challenge::parse(r#"Bearer realm="/registry-token?realm=https%3A%2F%2Fauth.docker.io%2Ftoken",service="registry.docker.io""#);
        assert_eq!(
            proxied.and_then(|c| c.token_url("repository:x/y:pull")).as_deref(),
            Some("/registry-token?realm=https%3A%2F%2Fauth.docker.io%2Ftoken&service=registry.docker.io&scope=repository:x/y:pull")
        );
        let basic = Challenge::parse(r#"Basic realm="basic-realm""#);
        assert_eq!(basic.as_ref().map(|c| c.scheme.as_str()), Some("basic"));
        assert_eq!(basic.and_then(|c| c.token_url("x")), None);
        assert_eq!(Challenge::parse(r#"Bearer realm="unterminated"#), None);
    }

    #[test]
    fn encodes_basic_credentials() {
        assert_eq!(Credentials { username: "Aladdin".into(), password: "open sesame".into() }.basic(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(format!("{:?}", Credentials { username: "u".into(), password: "secret".into() }), "Credentials(u, ***)");
    }
}
