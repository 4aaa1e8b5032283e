//! The two upstream response headers that name URLs, rewritten so that the page, which only talks
//! to this server, can follow them: a Bearer challenge's realm points at the proxy's token
//! endpoint, and a pagination `Link` at the proxy's registry path.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Url;

use super::allowlist::url_authority;

/// The proxy's token endpoint; the upstream realm rides in its `realm` parameter.
pub(super) const TOKEN_PATH: &str = "/registry-token";

/// Everything but RFC 3986 unreserved characters: the encoded realm is a query value and sits
/// inside a quoted string, so it may contain neither `&`, `"` nor `\`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `WWW-Authenticate: Bearer realm="R",service=…,scope=…` with the realm replaced by
/// `/registry-token?realm=<R percent-encoded>`; R relative to `base` (the URL that answered) is
/// made absolute first. Other parameters keep their text and order; other schemes (`Basic`) and
/// a realm that is not a URL are left as they are.
pub(super) fn www_authenticate(value: &str, base: &Url) -> String {
    let trimmed = value.trim_start();
    let (scheme, params) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return value.to_owned();
    }
    let params: Vec<String> = split_params(params)
        .into_iter()
        .map(|param| {
            let param = param.trim();
            match param.split_once('=') {
                Some((key, realm)) if key.trim().eq_ignore_ascii_case("realm") => match base.join(&unquote(realm.trim())) {
                    Ok(realm) => format!("{}=\"{TOKEN_PATH}?realm={}\"", key.trim(), utf8_percent_encode(realm.as_str(), COMPONENT)),
                    Err(_) => param.to_owned(),
                },
                _ => param.to_owned(),
            }
        })
        .collect();
    format!("{scheme} {}", params.join(","))
}

/// `s` split at the commas that are outside quoted strings (a scope like
/// `"repository:a:pull,push"` stays whole).
fn split_params(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The value of a token or quoted-string parameter.
fn unquote(v: &str) -> String {
    let Some(inner) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else { return v.to_owned() };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
    }
    out
}

/// `Link: <target>; rel="next"` (several links, comma-separated, are each handled) with every
/// target that resolves, against `base` (the URL that answered), to a `/v2/` path on `upstream`
/// (the authority the request was sent to) rewritten to `/registry/<segment>/v2/…`, the query
/// kept byte for byte. Other targets and all parameters are left as they are.
pub(super) fn link(value: &str, base: &Url, upstream: &str, segment: &str) -> String {
    let mut out = String::with_capacity(value.len() + segment.len() + 10);
    let mut rest = value;
    let mut quoted = false;
    while let Some(c) = rest.chars().next() {
        if c == '<' && !quoted {
            if let Some(end) = rest.find('>') {
                let target = &rest[1..end];
                out.push('<');
                out.push_str(&link_target(target, base, upstream, segment).unwrap_or_else(|| target.to_owned()));
                out.push('>');
                rest = &rest[end + 1..];
                continue;
            }
        }
        if c == '"' {
            quoted = !quoted;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn link_target(target: &str, base: &Url, upstream: &str, segment: &str) -> Option<String> {
    let url = base.join(target).ok()?;
    if url_authority(&url) != upstream || !url.path().starts_with("/v2/") {
        return None;
    }
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("/registry/{segment}{}{query}", url.path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

    fn base() -> TestResult<Url> {
        Ok(Url::parse("https://registry-1.docker.io/v2/library/busybox/manifests/latest")?)
    }

    #[test]
    fn bearer_realm_points_at_the_token_endpoint() -> TestResult {
        let got = www_authenticate(r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#, &base()?);
        assert_eq!(
            got,
            r#"Bearer realm="/registry-token?realm=https%3A%2F%2Fauth.docker.io%2Ftoken",service="registry.docker.io",scope="repository:library/busybox:pull""#
        );
        Ok(())
    }

    #[test]
    fn commas_inside_quotes_and_parameter_order_are_kept() -> TestResult {
        let got = www_authenticate(
            r#"bearer service="a,b",  realm="https://ghcr.io/token?x=1&y=2" ,scope="repository:a/b:pull,push",scope="repository:c:pull",error="insufficient_scope""#,
            &base()?,
        );
        assert_eq!(
            got,
            r#"bearer service="a,b",realm="/registry-token?realm=https%3A%2F%2Fghcr.io%2Ftoken%3Fx%3D1%26y%3D2",scope="repository:a/b:pull,push",scope="repository:c:pull",error="insufficient_scope""#
        );
        Ok(())
    }

    #[test]
    fn relative_and_unquoted_realms_are_made_absolute() -> TestResult {
        assert_eq!(www_authenticate("Bearer realm=/token,service=local", &base()?), r#"Bearer realm="/registry-token?realm=https%3A%2F%2Fregistry-1.docker.io%2Ftoken",service=local"#);
        assert_eq!(www_authenticate(r#"Bearer realm="a\"b""#, &base()?), r#"Bearer realm="/registry-token?realm=https%3A%2F%2Fregistry-1.docker.io%2Fv2%2Flibrary%2Fbusybox%2Fmanifests%2Fa%2522b""#);
        Ok(())
    }

    #[test]
    fn basic_and_other_schemes_pass_unchanged() -> TestResult {
        for v in [r#"Basic realm="Registry Realm""#, r#"Basic realm="https://x.example/token""#, "Negotiate", ""] {
            assert_eq!(www_authenticate(v, &base()?), v);
        }
        Ok(())
    }

    #[test]
    fn relative_links_go_through_the_proxy() -> TestResult {
        let base = Url::parse("http://127.0.0.1:5000/v2/_catalog?n=1")?;
        assert_eq!(link(r#"</v2/_catalog?last=alpha%2Fone&n=1>; rel="next""#, &base, "127.0.0.1:5000", "127.0.0.1:5000"), r#"</registry/127.0.0.1:5000/v2/_catalog?last=alpha%2Fone&n=1>; rel="next""#);
        Ok(())
    }

    #[test]
    fn absolute_links_to_the_upstream_go_through_the_proxy_and_others_stay() -> TestResult {
        let got = link(r#"<https://registry-1.docker.io/v2/library/busybox/tags/list?n=2&last=b>; rel="next""#, &base()?, "registry-1.docker.io", "docker.io");
        assert_eq!(got, r#"</registry/docker.io/v2/library/busybox/tags/list?n=2&last=b>; rel="next""#);
        for other in [r#"<https://elsewhere.example/v2/x?n=1>; rel="next""#, r#"</other/path>; rel="next""#, r#"<https://registry-1.docker.io/v2/a>; title="<x>", <https://registry-1.docker.io/v1/b>; rel="prev""#] {
            let want = other.replace("<https://registry-1.docker.io/v2/a>", "</registry/docker.io/v2/a>");
            assert_eq!(link(other, &base()?, "registry-1.docker.io", "docker.io"), want);
        }
        Ok(())
    }
}
